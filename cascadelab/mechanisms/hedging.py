r"""Options dealers' delta hedging, and why short gamma makes a market more volatile.

A dealer holding options of signed size :math:`n_j` units (positive: the dealer is long the
option; negative: it sold it), strike :math:`K_j` (USD) and expiry :math:`T_j` (the step at which
it expires) has the Black-Scholes delta (zero rates, implied volatility :math:`\sigma` per step,
:math:`\tau = T_j - t` steps left)

.. math::
    d_1 = \frac{\ln(S/K) + \tfrac12 \sigma^2 \tau}{\sigma\sqrt{\tau}}, \qquad
    \delta_{\text{call}} = N(d_1), \quad \delta_{\text{put}} = N(d_1) - 1, \qquad
    \Gamma = \frac{N'(d_1)}{S \sigma \sqrt{\tau}},

and the book's delta :math:`\Delta_t = \sum_j n_j \delta_j(S_t, \tau_j)` (units of the asset). To
stay flat the dealer holds :math:`-\Delta_t` units, so each step it **sells**
:math:`\Delta_t - \Delta_{t-1} \approx \Gamma_{\text{book}}\,(S_t - S_{t-1})` units through the
same book as everybody else. A dealer who is short options (:math:`\Gamma_{\text{book}} < 0`)
sells after a fall and buys after a rise, which pushes the price further the way it was going:
realised volatility rises with net short gamma. Protective puts that the dealer owns (long
gamma) offset part of it. Expired options drop out of the book (cash settled, hedge unwound).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from cascadelab._validate import check_array, check_int, check_real

__all__ = ["DealerBook", "bs_delta", "bs_gamma"]

# The ranges of DealerBook (module docstring of the class): within them every Greek is finite.
MIN_PRICE, MAX_PRICE = 1e-12, 1e12  # strikes and spot, USD per unit
MAX_EXPIRY = 1_000_000_000  # steps
MAX_UNITS = 1e18  # units of the asset per option
MIN_VOL = 1e-6  # implied volatility per step

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@njit(cache=True)
def bs_delta(spot: float, strike: float, tau: float, vol: float, call: bool) -> float:
    r"""Black-Scholes delta of one option (per unit); 0 once expired (``tau <= 0``).

    ``spot`` and ``strike`` in USD, ``tau`` in steps, ``vol`` per step. Call:
    :math:`N(d_1)`; put: :math:`N(d_1) - 1`.

    Examples
    --------
    >>> round(bs_delta(100.0, 100.0, 100.0, 0.01, True), 4)
    0.5199
    """
    if tau <= 0.0:
        return 0.0
    sd = vol * math.sqrt(tau)
    d1 = (math.log(spot / strike) + 0.5 * sd * sd) / sd
    nd1 = 0.5 * (1.0 + math.erf(d1 / _SQRT2))
    return nd1 if call else nd1 - 1.0


@njit(cache=True)
def bs_gamma(spot: float, strike: float, tau: float, vol: float) -> float:
    r"""Black-Scholes gamma of one option, units of delta per USD; 0 once expired.

    :math:`\Gamma = N'(d_1) / (S \sigma \sqrt{\tau})`, the same for calls and puts.
    """
    if tau <= 0.0:
        return 0.0
    sd = vol * math.sqrt(tau)
    d1 = (math.log(spot / strike) + 0.5 * sd * sd) / sd
    return _INV_SQRT_2PI * math.exp(-0.5 * d1 * d1) / (spot * sd)


@njit(cache=True)
def book_delta(
    spot: float, t: int, strike: np.ndarray, expiry: np.ndarray, units: np.ndarray,
    call: np.ndarray, vol: float,
) -> float:
    """Delta of a dealer book at step ``t``: ``sum_j units_j * delta_j`` (units of the asset)."""
    total = 0.0
    for j in range(strike.shape[0]):
        total += units[j] * bs_delta(spot, strike[j], expiry[j] - t, vol, call[j])
    return total


@njit(cache=True)
def book_gamma(
    spot: float, t: int, strike: np.ndarray, expiry: np.ndarray, units: np.ndarray, vol: float
) -> float:
    """Gamma of a dealer book at step ``t``: ``sum_j units_j * gamma_j`` (units per USD)."""
    total = 0.0
    for j in range(strike.shape[0]):
        total += units[j] * bs_gamma(spot, strike[j], expiry[j] - t, vol)
    return total


@dataclass(frozen=True, eq=False)
class DealerBook:
    """The options a dealer holds and delta-hedges every step.

    Parameters
    ----------
    strike : array of float
        Strike of each option, USD per unit, in [1e-12, 1e12].
    expiry : array of int
        Step at which each option expires, in [1, 1e9] (steps are counted from 0).
    units : array of float
        Signed size in units of the asset, in [-1e18, 1e18]: > 0 the dealer owns the option
        (long gamma), < 0 the dealer sold it (short gamma).
    call : array of bool
        True for a call, False for a put.
    vol : float
        Implied volatility per step used for the hedge ratios, in [1e-6, 1].

    Within these ranges (and a spot price in [1e-12, 1e12]) every delta and gamma is finite.

    Examples
    --------
    A dealer who sold 2 million units of at-the-money straddles (calls and puts):

    >>> book = DealerBook.straddle(strike=100.0, units=-2e6, expiry=500, vol=0.005)
    >>> round(book.gamma(100.0), 1)
    -142507.1
    """

    strike: np.ndarray
    expiry: np.ndarray
    units: np.ndarray
    call: np.ndarray
    vol: float = 0.005

    def __post_init__(self) -> None:
        strike = check_array("strike", self.strike, lo=MIN_PRICE, hi=MAX_PRICE)
        n = strike.shape[0]
        expiry = check_array("expiry", self.expiry, dtype=np.int64, n=n, per="option", lo=1,
                             hi=MAX_EXPIRY)
        units = check_array("units", self.units, n=n, per="option", lo=-MAX_UNITS, hi=MAX_UNITS)
        call = check_array("call", self.call, dtype=np.bool_, n=n, per="option")
        vol = check_real("vol", self.vol, lo=MIN_VOL, hi=1.0)
        for name, arr in (("strike", strike), ("expiry", expiry), ("units", units),
                          ("call", call)):
            arr = arr.copy()
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "vol", vol)

    def __len__(self) -> int:
        return int(self.strike.shape[0])

    @classmethod
    def straddle(cls, strike: float, units: float, expiry: int, vol: float = 0.005) -> DealerBook:
        """A call and a put at the same ``strike`` (USD), each of signed size ``units``."""
        return cls([strike, strike], [expiry, expiry], [units, units], [True, False], vol)

    def with_puts(self, strike: float, units: float, expiry: int) -> DealerBook:
        """This book plus ``units`` (in [0, 1e18]) long puts at ``strike`` USD expiring at
        ``expiry``."""
        units = check_real("units", units, lo=0.0, hi=MAX_UNITS)
        strike = check_real("strike", strike, lo=MIN_PRICE, hi=MAX_PRICE)
        expiry = check_int("expiry", expiry, lo=1, hi=MAX_EXPIRY)
        return DealerBook(
            np.append(self.strike, strike), np.append(self.expiry, expiry),
            np.append(self.units, units), np.append(self.call, False), self.vol,
        )

    def delta(self, spot: float, t: int = 0) -> float:
        """Book delta (units of the asset) at price ``spot`` (USD, in [1e-12, 1e12]) and step
        ``t`` (in [0, 1e9])."""
        spot = check_real("spot", spot, lo=MIN_PRICE, hi=MAX_PRICE)
        t = check_int("t", t, lo=0, hi=MAX_EXPIRY)
        return float(book_delta(spot, t, self.strike, self.expiry, self.units, self.call,
                                self.vol))

    def gamma(self, spot: float, t: int = 0) -> float:
        """Book gamma (units of the asset per USD) at price ``spot`` (USD, in [1e-12, 1e12]) and
        step ``t`` (in [0, 1e9])."""
        spot = check_real("spot", spot, lo=MIN_PRICE, hi=MAX_PRICE)
        t = check_int("t", t, lo=0, hi=MAX_EXPIRY)
        return float(book_gamma(spot, t, self.strike, self.expiry, self.units, self.vol))
