r"""What venues do to tame cascades: margins and fees that follow volatility, circuit breakers,
and gradual liquidation. Each rule is a few lines; the engine (:func:`cascadelab.simulate`) calls
the scalar kernels below once per step.

**Volatility-adjusted maintenance margin.** With one-step log returns :math:`r_t` of the traded
price, an EWMA variance :math:`v_t = \lambda v_{t-1} + (1 - \lambda) r_t^2` (RiskMetrics,
:math:`\lambda = 0.94`) gives :math:`\sigma_t = \sqrt{v_t}` per step, and

.. math:: m_t = \min\{\max(m_0,\ z\,\sigma_t \sqrt{h}),\ m_{\max}\},

so the margin covers a :math:`z`-sigma move over a horizon of :math:`h` steps, never falls below
the venue's base ratio :math:`m_0`, and is capped at :math:`m_{\max} = 0.5`. ``z = 0`` switches it
off. When :math:`m_t` rises, positions nearest their trigger are margin-called (the engine has no
top-ups: they are liquidated).

**Phased-in margin.** A jump of :math:`m_t` applies at once to every open position, so the
tightening is itself a wave of liquidations. Venues therefore phase margin increases in. With a
largest rise per step :math:`\delta` (``margin_step``, a fraction of notional; 0 = off) the
engine uses

.. math:: m_t = \min\{m^*_t,\ m_{t-1} + \delta\}, \qquad m_{-1} = m_0,

where :math:`m^*_t` is the target above. A rise is spread over
:math:`\lceil (m^*_t - m_{t-1}) / \delta \rceil` steps; a fall (a looser margin, which triggers
nobody) applies at once. :math:`m_t` is still one ratio for all positions, so the engine's sorted
sweep is unchanged.

**Volatility-adjusted opening fee.** A fee rate :math:`\varphi = z_f\,\sigma\sqrt{h}` on notional
makes leverage expensive when markets are volatile. A trader who keeps collateral :math:`c` and
would pay the fee out of the same budget as the margin, :math:`N (1/L + \varphi) = c`, takes
notional :math:`N' = N / (1 + \varphi L)`, i.e. the effective leverage

.. math:: L' = \frac{L}{1 + \varphi L},

which shrinks most for the most leveraged. The fees :math:`\varphi N'` go to the insurance fund.

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

import math

import numpy as np
from numba import njit

from cascadelab._validate import check_array, check_instance, check_real
from cascadelab.positions import Positions

__all__ = [
    "M_MAX",
    "apply_opening_fee",
    "fee_adjusted_leverage",
    "vol_adjusted_maintenance",
]

M_MAX = 0.5
"""Cap on the volatility-adjusted maintenance ratio (a fraction of notional)."""


@njit(cache=True)
def ewma_variance(var: float, r: float, lam: float) -> float:
    """EWMA update of the per-step variance: ``lam * var + (1 - lam) * r**2``."""
    return lam * var + (1.0 - lam) * r * r


@njit(cache=True)
def maintenance_ratio(m0: float, z: float, sigma: float, horizon: float) -> float:
    """``min(max(m0, z * sigma * sqrt(horizon)), M_MAX)``; ``sigma`` per step, ``horizon`` steps."""
    m = max(m0, z * sigma * math.sqrt(horizon))
    return min(m, M_MAX)


@njit(cache=True)
def phase_in(target: float, m_prev: float, step: float) -> float:
    """``min(target, m_prev + step)`` when phasing in (``step > 0``), else ``target``.

    A fall below ``m_prev`` applies at once; only rises are spread out.
    """
    if step > 0.0:
        return min(target, m_prev + step)
    return target


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


def vol_adjusted_maintenance(
    sigma: float | np.ndarray, m0: float, z: float, horizon: float
) -> float | np.ndarray:
    r"""Maintenance ratio :math:`\min\{\max(m_0, z\sigma\sqrt{h}), 0.5\}` for volatility ``sigma``.

    Parameters
    ----------
    sigma : float or array
        Volatility per step (a fraction), >= 0.
    m0 : float
        Base maintenance ratio, in [0, 0.5].
    z : float
        Number of standard deviations the margin covers, >= 0 (0 = off).
    horizon : float
        Horizon :math:`h` in steps over which a position must stay covered, > 0.

    Examples
    --------
    >>> float(vol_adjusted_maintenance(0.01, 0.005, 3.0, 4.0))
    0.06
    """
    m0 = check_real("m0", m0, lo=0.0, hi=M_MAX)
    z = check_real("z", z, lo=0.0)
    horizon = check_real("horizon", horizon, lo=0.0, lo_open=True)
    s = np.asarray(sigma, dtype=np.float64)
    if np.any(~np.isfinite(s)) or np.any(s < 0):
        raise ValueError(f"sigma must be finite and >= 0, got {sigma!r}")
    m = np.minimum(np.maximum(m0, z * s * math.sqrt(horizon)), M_MAX)
    return float(m) if m.ndim == 0 else m


def fee_adjusted_leverage(leverage: np.ndarray | float, fee_rate: float) -> np.ndarray | float:
    r"""Leverage :math:`L' = L / (1 + \varphi L)` taken under an opening fee rate :math:`\varphi`.

    ``leverage`` >= 1; ``fee_rate`` :math:`\varphi` is a fraction of notional, >= 0. The result
    is floored at 1 (nobody is pushed below an unlevered position).

    Examples
    --------
    >>> float(fee_adjusted_leverage(50.0, 0.01))
    33.333333333333336
    """
    fee_rate = check_real("fee_rate", fee_rate, lo=0.0)
    lev = np.asarray(leverage, dtype=np.float64)
    if np.any(~np.isfinite(lev)) or np.any(lev < 1.0):
        raise ValueError(f"leverage must be finite and >= 1, got {leverage!r}")
    out = np.maximum(lev / (1.0 + fee_rate * lev), 1.0)
    return float(out) if out.ndim == 0 else out


def apply_opening_fee(positions: Positions, fee_rate: float) -> tuple[Positions, float]:
    r"""The population as it would have opened under an opening fee rate :math:`\varphi`.

    Each trader keeps its collateral :math:`c` and takes leverage
    :math:`L' = L / (1 + \varphi L)` (so size shrinks by :math:`L'/L`), paying the fee
    :math:`\varphi\,\text{size}'\,\text{entry}` USD from its wallet.

    Returns
    -------
    (Positions, float)
        The new positions and the total fees paid (USD), which the engine adds to the
        insurance fund.
    """
    check_instance("positions", positions, Positions)
    fee_rate = check_real("fee_rate", fee_rate, lo=0.0)
    if fee_rate == 0.0 or len(positions) == 0:
        return positions, 0.0
    lev = check_array("leverage", fee_adjusted_leverage(positions.leverage, fee_rate), lo=1.0)
    size = positions.size * lev / positions.leverage
    maintenance = np.minimum(positions.maintenance, np.nextafter(1.0 / lev, 0.0))
    new = Positions(positions.side, size, positions.entry, lev, maintenance)
    fees = float((fee_rate * size * positions.entry).sum())
    return new, fees
