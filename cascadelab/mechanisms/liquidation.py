r"""Gradual liquidation: how much of a triggered position the venue closes per step. The engine
(:func:`cascadelab.simulate`) calls the scalar rule below once per step.

**Gradual liquidation.** Instead of closing a position at once, the venue sells at most a
``close_factor`` :math:`f` of its original size per step, waits ``cooldown`` steps between slices,
and caps all liquidation orders of a step at ``max_book_share`` :math:`\beta` of the book's depth
:math:`D_t` (units per 1%):

.. math:: q_{i,t} = \min\{\text{remaining}_i,\ f\,\text{size}_i,\ \text{budget}_t\}, \qquad
          \sum_i q_{i,t} \le \beta D_t.

Aave's close factor (50% of the debt per call) and Hyperliquid's partial liquidations are
examples. A position once triggered stays in the liquidation queue until it is flat.

"""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def slice_units(remaining: float, size: float, close_factor: float, budget: float) -> float:
    """Units to close this step: ``min(remaining, close_factor * size, budget)`` (>= 0).

    A slice that would leave less than ``1e-12 * size`` behind closes the rest, so that floating
    point never leaves dust positions in the queue.
    """
    q = min(remaining, close_factor * size, budget)
    if q < 0.0:
        q = 0.0
    if remaining - q <= 1e-12 * size and q == min(remaining, close_factor * size):
        q = remaining
    return q
