r"""Margin that follows volatility, phased in, and the opening fee that makes leverage pay for it.
The engine (:func:`cascadelab.simulate`) calls the scalar rules below once per step.

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

MAX_FEE_RATE = 1e6
"""Largest opening fee rate, a fraction of notional (far above any venue; fees stay finite)."""


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
    s = check_array("sigma", sigma, ndim=None, lo=0.0).reshape(np.shape(sigma))
    with np.errstate(over="ignore"):  # an overflow to inf is capped at M_MAX like any large z
        m = np.minimum(np.maximum(m0, z * s * math.sqrt(horizon)), M_MAX)
    return float(m) if m.ndim == 0 else m

def fee_adjusted_leverage(leverage: np.ndarray | float, fee_rate: float) -> np.ndarray | float:
    r"""Leverage :math:`L' = L / (1 + \varphi L)` taken under an opening fee rate :math:`\varphi`.

    ``leverage`` >= 1 (a number or an array); ``fee_rate`` :math:`\varphi` is a fraction of
    notional, in [0, 1e6]. The result is floored at 1 (nobody is pushed below an unlevered
    position).

    Examples
    --------
    >>> float(fee_adjusted_leverage(50.0, 0.01))
    33.333333333333336
    """
    fee_rate = check_real("fee_rate", fee_rate, lo=0.0, hi=MAX_FEE_RATE)
    lev = check_array("leverage", leverage, ndim=None, lo=1.0).reshape(np.shape(leverage))
    out = np.maximum(lev / (1.0 + fee_rate * lev), 1.0)
    return float(out) if out.ndim == 0 else out

def apply_opening_fee(positions: Positions, fee_rate: float) -> tuple[Positions, float]:
    r"""The population as it would have opened under an opening fee rate :math:`\varphi`.

    Each trader keeps its collateral :math:`c` and takes leverage
    :math:`L' = L / (1 + \varphi L)` (so size shrinks by :math:`L'/L`), paying the fee
    :math:`\varphi\,\text{size}'\,\text{entry}` USD from its wallet.

    ``fee_rate`` is in [0, 1e6] (a fraction of notional).

    Returns
    -------
    (Positions, float)
        The new positions and the total fees paid (USD), which the engine adds to the
        insurance fund.
    """
    check_instance("positions", positions, Positions)
    fee_rate = check_real("fee_rate", fee_rate, lo=0.0, hi=MAX_FEE_RATE)
    if fee_rate == 0.0 or len(positions) == 0:
        return positions, 0.0
    lev = check_array("leverage", fee_adjusted_leverage(positions.leverage, fee_rate), lo=1.0)
    # L' <= L, so the size never grows; min() stops a rounding of size * L' / L one ulp above it
    size = np.minimum(positions.size * lev / positions.leverage, positions.size)
    maintenance = np.minimum(positions.maintenance, np.nextafter(1.0 / lev, 0.0))
    new = Positions(positions.side, size, positions.entry, lev, maintenance)
    fees = float((fee_rate * size * positions.entry).sum())
    return new, fees
