r"""Fat tails: how often a buffer of "k standard deviations" is breached.

Margin is often sized as a multiple :math:`k` of the return volatility :math:`\sigma` over the
liquidation horizon, on the tacit assumption that returns are Gaussian. Crypto returns are
closer to a Student-t with a tail index :math:`\nu` of about 3 to 5. Scaled to the same variance,

.. math:: X = T_\nu \sqrt{(\nu - 2)/\nu}, \qquad \operatorname{Var} X = 1 \ (\nu > 2),

the probability of a move beyond :math:`k` standard deviations (either way) is

.. math::
    P(|X| > k) = I_{\nu / (\nu + t^2)}\!\left(\tfrac{\nu}{2}, \tfrac{1}{2}\right),
    \qquad t = k \sqrt{\nu / (\nu - 2)},

with :math:`I_x(a, b)` the regularised incomplete beta function, against
:math:`\operatorname{erfc}(k / \sqrt 2)` for a Gaussian. At :math:`k = 4` and :math:`\nu = 3`
the Student-t breach is about 100 times more likely than the Gaussian one.
"""

from __future__ import annotations

import math

import numpy as np

from cascadelab._validate import check_int, check_real, check_seed

__all__ = ["breaches_per_year", "student_t_returns", "tail_probability"]


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function :math:`I_x(a, b)` for ``0 <= x <= 1``."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x)
        + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def tail_probability(k: float, nu: float | None = None) -> float:
    r"""Probability that a unit-variance return moves more than ``k`` standard deviations.

    Parameters
    ----------
    k : float
        Size of the buffer in standard deviations, >= 0.
    nu : float or None
        Tail index of the Student-t, > 2 (finite variance); ``None`` for a Gaussian.

    Returns
    -------
    float
        :math:`P(|X| > k)`, two-sided, per period (see the module docstring).

    Examples
    --------
    >>> round(tail_probability(4.0), 6)          # Gaussian
    6.3e-05
    >>> round(tail_probability(4.0, nu=3.0), 4)  # Student-t, tail index 3
    0.0062
    """
    k = check_real("k", k, lo=0.0)
    if nu is None:
        return math.erfc(k / math.sqrt(2.0))
    nu = check_real("nu", nu, lo=2.0, hi=1e6, lo_open=True)
    t = k * math.sqrt(nu / (nu - 2.0))
    return _betainc(nu / 2.0, 0.5, nu / (nu + t * t))


def breaches_per_year(
    k: float, nu: float | None = None, *, periods_per_year: float = 365.0
) -> float:
    """Expected number of periods a year in which a ``k``-sigma buffer is breached.

    ``periods_per_year`` (in (0, 1e9]) is the number of liquidation horizons in a year, e.g. 365 for
    a one-day horizon. Breaches are counted in both directions, as in :func:`tail_probability`.
    """
    periods_per_year = check_real("periods_per_year", periods_per_year, lo=0.0, hi=1e9,
                                  lo_open=True)
    return periods_per_year * tail_probability(k, nu)


def student_t_returns(
    n: int, sigma: float, nu: float | None = None, *, seed: int | None = 0
) -> np.ndarray:
    r"""Draw ``n`` returns with standard deviation ``sigma`` (a fraction per period).

    Student-t with tail index ``nu`` (> 2) scaled to unit variance, times ``sigma``:
    :math:`r = \sigma\,T_\nu \sqrt{(\nu - 2)/\nu}`; Gaussian if ``nu`` is None.

    Parameters
    ----------
    n : int
        Number of draws, in [0, 100,000,000].
    sigma : float
        Standard deviation per period, in [0, 100] (a fraction: 0.05 is 5%).
    nu : float or None
        Tail index, in (2, 1e6]; None for a Gaussian.
    seed : int or None
        Seed of the ``numpy.random.Generator``, >= 0.

    Within these ranges every draw is finite.
    """
    n = check_int("n", n, lo=0, hi=100_000_000)
    sigma = check_real("sigma", sigma, lo=0.0, hi=100.0)
    rng = np.random.default_rng(check_seed(seed))
    if nu is None:
        return sigma * rng.standard_normal(n)
    nu = check_real("nu", nu, lo=2.0, hi=1e6, lo_open=True)
    return sigma * rng.standard_t(nu, n) * math.sqrt((nu - 2.0) / nu)
