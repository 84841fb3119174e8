r"""Fat tails: a "z-sigma safe" margin buffer against Student-t returns (chapter 01).

A buffer of :math:`z` standard deviations sized for Gaussian returns is breached far more often
when returns are Student-t of tail index :math:`\nu` (closed form of :mod:`cascadelab.tails` and a
simulated check, :func:`fat_tail_breaches`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_int, check_real
from cascadelab.chapters._course import cached, check_run
from cascadelab.tails import student_t_returns, tail_probability

__all__ = ["NUS", "ZS", "FatTailResult", "fat_tail_breaches"]


@dataclass(frozen=True, eq=False)
class FatTailResult:
    """Outcome of :func:`fat_tail_breaches`. Probabilities are per period, two-sided.

    Attributes
    ----------
    z, nu, periods_per_year : float
        Buffer in standard deviations, tail index, periods (liquidation horizons) per year.
    p_gauss, p_t : float
        :math:`P(|X| > z)` for a Gaussian and for the unit-variance Student-t (closed form).
    p_sim : float
        The same for the Student-t, estimated from ``n_sim`` simulated returns.
    n_sim : int
        Number of simulated returns.
    zs : ndarray
        Buffers of the curves, standard deviations.
    curve_gauss, curve_t, curve_sim : ndarray
        Breach probability at each of ``zs``: Gaussian, Student-t closed form, simulated
        (NaN where no simulated return is that large).
    nus : ndarray
        Tail indices of the second sweep.
    breaches_vs_nu : ndarray
        Breaches per year of the ``z``-sigma buffer at each of ``nus``.
    """

    z: float
    nu: float
    periods_per_year: float
    p_gauss: float
    p_t: float
    p_sim: float
    n_sim: int
    zs: np.ndarray
    curve_gauss: np.ndarray
    curve_t: np.ndarray
    curve_sim: np.ndarray
    nus: np.ndarray
    breaches_vs_nu: np.ndarray

    @property
    def summary(self) -> dict[str, float]:
        """``p_gauss``, ``p_t``, ``p_sim`` (per period), ``breaches_gauss``, ``breaches_t`` and
        ``breaches_sim`` (per year), ``ratio`` (t over Gaussian), ``years_between_gauss`` and
        ``years_between_t`` (expected years between two breaches)."""
        ppy = self.periods_per_year
        bg, bt = ppy * self.p_gauss, ppy * self.p_t
        return {
            "p_gauss": self.p_gauss,
            "p_t": self.p_t,
            "p_sim": self.p_sim,
            "breaches_gauss": bg,
            "breaches_t": bt,
            "breaches_sim": ppy * self.p_sim,
            "ratio": self.p_t / self.p_gauss if self.p_gauss > 0 else math.inf,
            "years_between_gauss": 1.0 / bg if bg > 0 else math.inf,
            "years_between_t": 1.0 / bt if bt > 0 else math.inf,
        }


@cached
def _sorted_abs_returns(nu: float, n: int, seed: int) -> np.ndarray:
    x = np.sort(np.abs(student_t_returns(n, 1.0, nu, seed=seed)))
    x.flags.writeable = False
    return x


def _sim_tail(sorted_abs: np.ndarray, z: np.ndarray | float) -> np.ndarray:
    n = sorted_abs.shape[0]
    return 1.0 - np.searchsorted(sorted_abs, z, side="right") / n


ZS = np.linspace(0.0, 8.0, 81)
"""Buffers (standard deviations) of the curves of :func:`fat_tail_breaches`."""
NUS = np.round(np.linspace(2.5, 30.0, 56), 2)
"""Tail indices of the second sweep of :func:`fat_tail_breaches`."""


@cached
def _gauss_curve() -> np.ndarray:
    return np.array([tail_probability(float(z)) for z in ZS])


@cached
def _t_curve(nu: float) -> np.ndarray:
    return np.array([tail_probability(float(z), nu) for z in ZS])


def fat_tail_breaches(
    z: float = 4.0,
    nu: float = 3.0,
    *,
    periods_per_year: float = 365.0,
    n_sim: int = 200_000,
    seed: int = 0,
) -> FatTailResult:
    r"""How often a "``z``-sigma safe" margin buffer is breached when returns have fat tails.

    With the Student-t scaled to unit variance, :math:`X = T_\nu\sqrt{(\nu-2)/\nu}`,

    .. math:: P(|X| > z) = I_{\nu/(\nu + z_\nu^2)}\!\left(\tfrac{\nu}{2}, \tfrac12\right),
              \quad z_\nu = z\sqrt{\nu/(\nu - 2)},

    against :math:`\operatorname{erfc}(z/\sqrt2)` for a Gaussian
    (:func:`cascadelab.tail_probability`); breaches per year are ``periods_per_year`` times
    that. The simulated estimate counts draws of :func:`cascadelab.student_t_returns` beyond
    :math:`z` (cached per tail index).

    Parameters
    ----------
    z : float
        Buffer in standard deviations of the return over one liquidation horizon, in (0, 8].
    nu : float
        Tail index of the Student-t, in (2, 1000].
    periods_per_year : float
        Liquidation horizons per year, in [1e-3, 1e9] (365 for a one-day horizon).
    n_sim : int
        Simulated returns, in [1000, 10_000_000].
    seed : int
        Seed of the simulated returns.

    Returns
    -------
    FatTailResult

    Examples
    --------
    >>> res = fat_tail_breaches(z=4.0, nu=3.0)
    >>> round(res.summary["breaches_t"], 1), round(res.summary["breaches_gauss"], 3)
    (2.3, 0.023)
    """
    z = check_real("z", z, lo=0.0, hi=8.0, lo_open=True)
    nu = check_real("nu", nu, lo=2.0, hi=1000.0, lo_open=True)
    periods_per_year = check_real("periods_per_year", periods_per_year, lo=1e-3, hi=1e9)
    n_sim = check_int("n_sim", n_sim, lo=1000, hi=10_000_000)
    (seed,) = check_run(seed=seed)
    sims = _sorted_abs_returns(nu, n_sim, seed)
    curve_sim = _sim_tail(sims, ZS)
    curve_sim = np.where(curve_sim > 0.0, curve_sim, np.nan)
    breaches = periods_per_year * np.array([tail_probability(z, float(v)) for v in NUS])
    return FatTailResult(
        z=z, nu=nu, periods_per_year=periods_per_year, p_gauss=tail_probability(z),
        p_t=tail_probability(z, nu), p_sim=float(_sim_tail(sims, z)), n_sim=n_sim, zs=ZS,
        curve_gauss=_gauss_curve(), curve_t=_t_curve(nu), curve_sim=curve_sim, nus=NUS,
        breaches_vs_nu=breaches,
    )
