r"""A front-running predator: push the price into a cluster of liquidations, buy back the forced
selling.

The predator has ``capital`` USD and may be short at most :math:`U = \text{capital}/p_0` units.
It hunts the liquidation levels of **longs** below the price. Each step it is in one of three modes:

* **idle**: with ``levels_visible=True`` it reads the venue's liquidation map and the book, and
  attacks when the units of longs whose trigger lies within
  :math:`\min(\text{reach},\ \tfrac12 U / (100 D_t))` below the oracle price reach
  ``min_cluster`` (in units of the book's depth :math:`D_t`, units per 1%). The second term is
  half the move its whole capital could force through a linear book: it only hunts what it can
  reach. With hidden levels (private margin) it cannot see the map and attacks blindly, as soon
  as it is idle;
* **attack**: it sells :math:`\min(r D_t,\ U + x)` units per step (:math:`x \le 0` its position,
  :math:`r` = ``rate``) and holds at the limit, until forced selling starts (then it covers) or
  ``patience`` steps pass (then it gives up and covers);
* **cover**: it buys back :math:`\min(-x,\ \max(r D_t,\ Q_t))` units per step, where :math:`Q_t`
  is the forced selling of the step: its buys meet the liquidations in the same batch, at the
  same depressed fill price. Flat again, it turns idle.

Its fills are the batch price of the step (the mean of the prices before and after), like every
other order, so the predator pays its own impact. Its profit and loss, marked to market,
is :math:`\text{cash}_t + x_t\,p_t`. Where levels are visible it attacks only where a cascade
pays; blind, it pays the round trip of impact whenever nothing is there to trigger.

Part of that P&L is luck, not hunting: a short earns when the fundamental falls on its own (a
scripted shock, a jump). The engine also records the **hunting P&L**, the P&L minus what the
position earned from the fundamental's moves,

.. math:: \Pi^{\text{hunt}}_t = \text{cash}_t + x_t\,p_t - \sum_{s \le t} x_{s-1}\,(F_s - F_{s-1}),
          \qquad x_{-1} = 0,\ F_{-1} = p_0

(``SimulationResult.attacker_hunting_pnl``). What is left comes from the price moves that order
flow makes: its own pushes (and the impact it pays on them), the forced sales it sets off, and
any other flow through the book. With a constant fundamental the two are equal.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["ATTACK", "COVER", "IDLE"]

IDLE = 0
ATTACK = 1
COVER = 2


@njit(cache=True)
def cluster_units(
    bankrupt_sorted: np.ndarray, cum_size: np.ndarray, k: int, threshold: float
) -> float:
    """Units of longs from sorted index ``k`` on whose shifted bankruptcy price is >= ``threshold``.

    ``bankrupt_sorted`` is decreasing; ``cum_size[j]`` is the total size of the first ``j``
    longs in that order. A binary search makes this O(log N).
    """
    lo = k
    hi = bankrupt_sorted.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if bankrupt_sorted[mid] >= threshold:
            lo = mid + 1
        else:
            hi = mid
    return cum_size[lo] - cum_size[k]


@njit(cache=True)
def predator_order(
    mode: int,
    timer: int,
    position: float,
    max_units: float,
    visible: bool,
    cluster: float,
    min_units: float,
    rate_units: float,
    patience: int,
    forced_sells: float,
) -> tuple[float, int, int]:
    """The predator's order this step: ``(units_to_sell, mode, timer)``; negative units buy.

    See the module docstring for the rule. ``cluster`` (units within reach) is only used when
    ``visible``; ``forced_sells`` are the liquidation sells of this step (units).
    """
    if mode == IDLE:
        if (visible and cluster >= min_units and cluster > 0.0) or not visible:
            mode = ATTACK
            timer = 0
        else:
            return 0.0, mode, timer
    if mode == ATTACK:
        if (forced_sells > 0.0 and position < 0.0) or timer >= patience:
            mode = COVER
        else:
            timer += 1
            return max(min(rate_units, max_units + position), 0.0), mode, timer
    # COVER
    buy = min(-position, max(rate_units, forced_sells))
    if buy >= -position:
        return position, IDLE, 0  # buys the whole short back (position <= 0)
    return -buy, mode, timer
