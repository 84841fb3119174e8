r"""Circuit breakers: a price band and a programmable stress rule. The engine
(:func:`cascadelab.simulate`) calls the scalar rules below once per step.

**Circuit breaker.** Trading halts for ``halt_steps`` steps when the price has moved more than a
``band`` (fraction) within ``window`` steps: :math:`|p_t / p_{t-w} - 1| > b`. During a halt
nothing trades (optionally liquidations still do) and the book refills faster (transient impact
decays at ``halt_resilience`` per step instead of ``resilience``); the reference price restarts at
the reopening.

**Programmable stress rule.** The breaker can also halt on a stress index instead of (or as well
as) the price band: it trips when :math:`S_t \ge S^*` (``stress_halt``; 0 = off), with

.. math:: S_t = \frac{\rho_t}{D_t}\,\frac{\sigma_t}{\sigma_{\text{ref}}}, \qquad
          \rho_t = \frac{\max(U^{\text{long}}_t,\ U^{\text{short}}_t)}{100\,w},

where :math:`U^{\text{long}}_t` counts the units of longs not yet in liquidation whose trigger
price :math:`(b_i + \ell_{\text{long}})/(1 - m_t)` lies in :math:`[o_t(1 - w),\ o_t]` (shorts:
:math:`(b_i - \ell_{\text{short}})/(1 + m_t)` in :math:`[o_t,\ o_t(1 + w)]`), :math:`o_t` the oracle
price, :math:`w` the ``stress_window``, :math:`D_t` the depth (units per 1%), :math:`\sigma_t` the
EWMA volatility per step and :math:`\sigma_{\text{ref}}` the ``stress_sigma_ref``. So
:math:`\rho_t / D_t` is the loop gain of the liquidations within reach, scaled by how fast the
price moves. The positions are sorted once by bankruptcy price, so :math:`U_t` is a difference of
two prefix sums found by binary search: O(log N) per step. The engine records :math:`S_t` every
step (``SimulationResult.stress``) while the rule is on (NaN when it is off, so that it costs
nothing then); the breaker halts when either rule trips.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def breaker_trips(price: float, reference: float, band: float) -> bool:
    """True when ``|price / reference - 1| > band`` and the breaker is on (``band > 0``)."""
    return band > 0.0 and abs(price / reference - 1.0) > band

@njit(cache=True)
def first_beyond(x: np.ndarray, lo: int, v: float, sign: float, strict: bool) -> int:
    """First index ``j >= lo`` with ``sign * x[j] > sign * v`` (``>=`` if not ``strict``).

    ``sign * x`` must be non-decreasing (``sign`` is +1 or -1); returns ``len(x)`` if there is
    none. Binary search, O(log N).
    """
    a = lo
    b = x.shape[0]
    sv = sign * v
    while a < b:
        mid = (a + b) // 2
        sx = sign * x[mid]
        if sx > sv or (not strict and sx == sv):
            b = mid
        else:
            a = mid + 1
    return a

@njit(cache=True)
def units_near(bk: np.ndarray, cum: np.ndarray, k: int, near: float, far: float,
               sign: float) -> float:
    """Units of positions ``k..`` (sorted so that ``sign * bk`` rises) with ``bk`` between
    ``near`` and ``far`` inclusive; ``cum`` holds the cumulative sizes (length n + 1).

    Longs: ``sign = -1``, ``near >= far`` (bankruptcy prices fall away from the price); shorts:
    ``sign = +1``, ``near <= far``.
    """
    a = first_beyond(bk, k, near, sign, False)
    b = first_beyond(bk, a, far, sign, True)
    return cum[b] - cum[a]

@njit(cache=True)
def stress_index(units: float, window: float, depth: float, sigma: float,
                 sigma_ref: float) -> float:
    """``S = (rho / depth) * (sigma / sigma_ref)`` with ``rho = units / (100 * window)``."""
    return units / (100.0 * window) / depth * (sigma / sigma_ref)
