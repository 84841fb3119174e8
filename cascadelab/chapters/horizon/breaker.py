r"""Chapter 05, idea 4: programmable circuit breakers.

Rules on the stress index

.. math:: S = \frac{\rho}{D}\,\frac{\sigma}{\sigma_{\text{ref}}}

(the loop gain :math:`\rho / D` scaled by how fast the price moves, the equation of
:mod:`cascadelab.mechanisms.breaker`) against a plain fixed band, on the same normal and crash
days (:func:`breaker_days`): a band armed by :math:`S` at the open (:func:`stress_index`), and the
engine's per-step stress rule, halt when :math:`S_t \ge S^*` (``Scenario.stress_halt``). A day is
a crash day when its drawdown with no breaker exceeds :data:`CRASH_DRAWDOWN`; a halt on a quiet
day is a false halt. False halts against drawdown saved, per design: :func:`breaker_tradeoff`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_array, check_instance, check_int, check_real
from cascadelab.cascade import liquidation_density
from cascadelab.chapters._course import PRICE, SIGMA_REF, cached, check_run, population
from cascadelab.chapters.horizon.stats import _loguniform
from cascadelab.engine import Scenario, simulate
from cascadelab.mechanisms import breaker as rule
from cascadelab.positions import Positions

__all__ = [
    "CRASH_DRAWDOWN",
    "SIGMA_REF",
    "STRESS_WINDOW",
    "BreakerDays",
    "BreakerTradeoff",
    "breaker_days",
    "breaker_outcome",
    "breaker_tradeoff",
    "stress_index",
]

STRESS_WINDOW = 0.05
"""Window :math:`w` of the chapter's stress index: liquidations within 5% of the price."""


def stress_index(positions: Positions, price: float, depth: float, sigma: float) -> float:
    r"""Stress index :math:`S = (\rho / D)\,(\sigma / \sigma_{\text{ref}})` of a population.

    :math:`\rho`: the longs' liquidation density within :data:`STRESS_WINDOW` below ``price``
    (units per 1%, see :func:`cascadelab.liquidation_density`); :math:`D`: depth (units per 1%);
    :math:`\sigma`: volatility per step; :math:`\sigma_{\text{ref}}` = :data:`SIGMA_REF`. It is
    the loop gain scaled by how fast the price is moving: a fragile book matters more on a fast
    day. The equation is the engine's own (:func:`cascadelab.mechanisms.breaker.stress_index`),
    fed with the longs' units near ``price`` at the open. ``price`` in [1e-12, 1e12] USD,
    ``depth`` in [1e-6, 1e15] units per 1%, ``sigma`` in [0, 1].
    """
    check_instance("positions", positions, Positions)
    price = check_real("price", price, lo=1e-12, hi=1e12)
    depth = check_real("depth", depth, lo=1e-6, hi=1e15)
    sigma = check_real("sigma", sigma, lo=0.0, hi=1.0)
    w = STRESS_WINDOW
    units = 100.0 * w * liquidation_density(positions, price, window=w)
    return float(rule.stress_index(units, w, depth, sigma, SIGMA_REF))


@dataclass(frozen=True, eq=False)
class BreakerDays:
    r"""A set of normal and crash days, each with its stress index and unhalted outcome.

    Attributes
    ----------
    leverage, depth, sigma, shock : ndarray
        Draws per day (shock 0 on normal days).
    crash : ndarray of bool
    stress : ndarray
        :func:`stress_index` at the open.
    peak_stress : ndarray
        Highest per-step stress index :math:`S_t` of the engine (``SimulationResult.stress``,
        window 5%, :math:`\sigma_{\text{ref}}` = :data:`SIGMA_REF`) over the day with no breaker:
        the per-step rule with threshold :math:`S^*` halts the day iff ``peak_stress >= S*``.
    drawdown : ndarray
        Maximum drawdown with no breaker, fraction.
    """

    leverage: np.ndarray
    depth: np.ndarray
    sigma: np.ndarray
    shock: np.ndarray
    crash: np.ndarray
    stress: np.ndarray
    peak_stress: np.ndarray
    drawdown: np.ndarray
    seed: int
    steps: int


def _day_market(days: BreakerDays, i: int) -> tuple[Positions, Scenario]:
    pos = population(2_000, seed=7 * days.seed + i, leverage=float(days.leverage[i]),
                     long_share=0.65, notional=10_000.0)
    sc = Scenario(price=PRICE, sigma=float(days.sigma[i]), shock=float(days.shock[i]),
                  shock_step=20, depth=float(days.depth[i]), window=5, halt_steps=20,
                  halt_resilience=0.3, insurance_fund=0.0, stress_window=STRESS_WINDOW,
                  stress_sigma_ref=SIGMA_REF)
    return pos, sc


@cached
def _breaker_days(n_normal: int, n_crash: int, seed: int, steps: int) -> BreakerDays:
    rng = np.random.default_rng(seed)
    n = n_normal + n_crash
    lev = rng.uniform(4.0, 20.0, n)
    depth = _loguniform(rng, 8_000.0, 40_000.0, n)
    sigma = _loguniform(rng, 0.001, 0.005, n)
    crash = np.r_[np.zeros(n_normal, bool), np.ones(n_crash, bool)]
    shock = np.where(crash, rng.uniform(0.03, 0.08, n), 0.0)
    days = BreakerDays(lev, depth, sigma, shock, crash, np.empty(n), np.empty(n), np.empty(n),
                       seed, steps)
    for i in range(n):
        pos, sc = _day_market(days, i)
        days.stress[i] = stress_index(pos, PRICE, sc.depth, sc.sigma)
        # a threshold above any reachable S_t records the stress index and never halts
        res = simulate(pos, sc.replace(stress_halt=1e6), steps=steps, seed=seed * 100_003 + i)
        days.peak_stress[i] = res.stress.max()
        days.drawdown[i] = res.max_drawdown
    return days


def breaker_days(n_normal: int = 150, n_crash: int = 150, *, seed: int = 0,
                 steps: int = 120) -> BreakerDays:
    r"""Draw normal and crash days for the breaker comparison (cached).

    Per day: median leverage :math:`U(4, 20)` x, depth log-uniform on [8,000, 40,000] units per
    1%, volatility log-uniform on [0.1%, 0.5%] per step, 2,000 positions; a crash day has a
    shock :math:`U(3\%, 8\%)` at step 20, a normal day none. No insurance fund.
    """
    n_normal = check_int("n_normal", n_normal, 1, 100_000)
    n_crash = check_int("n_crash", n_crash, 1, 100_000)
    seed, steps = check_run(seed=seed, steps=steps, steps_range=(30, 10_000))
    return _breaker_days(n_normal, n_crash, seed, steps)


def _day_run(days: BreakerDays, i: int, band: float, stress_halt: float) -> tuple[float, int]:
    """Day ``i`` under a band and the per-step stress rule: drawdown and steps halted."""
    pos, sc = _day_market(days, i)
    res = simulate(pos, sc.replace(band=band, stress_halt=stress_halt), steps=days.steps,
                   seed=days.seed * 100_003 + i)
    return res.max_drawdown, res.halted_steps


CRASH_DRAWDOWN = 0.06
"""A day whose drawdown with no breaker exceeds this is a crash day, whatever its cause."""


def breaker_outcome(days: BreakerDays, bands: np.ndarray,
                    stress_halt: float = 0.0) -> tuple[float, float]:
    """Apply one band per day (0 = no band) and the per-step stress rule to ``days``.

    ``stress_halt`` is the threshold :math:`S^*` of the engine's stress rule on every day
    (``Scenario.stress_halt``; 0 = off). Returns the false-halt rate (share of quiet days,
    no-breaker drawdown at most :data:`CRASH_DRAWDOWN`, that halted) and the mean drawdown saved
    on crash days (fraction).
    """
    check_instance("days", days, BreakerDays)
    return _outcomes(days, [_design(days, bands, stress_halt)])[0]


def _design(days: BreakerDays, bands: np.ndarray, stress_halt: float) -> tuple[np.ndarray, float]:
    """Checked breaker design: one band per day and the threshold of the stress rule."""
    bands = check_array("bands", bands, n=days.crash.size, per="day", lo=0.0, hi=0.5,
                        hi_open=True)
    return bands, check_real("stress_halt", stress_halt, 0.0, 1e6)


def _outcomes(days: BreakerDays,
              designs: list[tuple[np.ndarray, float]]) -> list[tuple[float, float]]:
    """False-halt rate and drawdown saved of each design, running ``days`` day by day.

    A day runs as with no breaker until its first halt, so a design needs a run on a day only
    where it has a band or the day's peak stress reaches its threshold. The designs that need a
    day share its population, and each distinct (band, threshold) on it runs once.
    """
    n = days.crash.size
    dd = [days.drawdown.copy() for _ in designs]
    halted = [np.zeros(n, dtype=bool) for _ in designs]
    need = [(bands > 0.0) | ((days.peak_stress >= s) if s > 0.0 else np.zeros(n, bool))
            for bands, s in designs]
    for i in range(n):
        runs: dict[tuple[float, float], tuple[float, int]] = {}
        for k, (bands, s) in enumerate(designs):
            if need[k][i]:
                key = (float(bands[i]), s)
                if key not in runs:
                    runs[key] = _day_run(days, i, *key)
                dd[k][i], h = runs[key]
                halted[k][i] = h > 0
    crash = days.drawdown > CRASH_DRAWDOWN
    return [(float(h[~crash].mean()), float((days.drawdown - d)[crash].mean()))
            for d, h in zip(dd, halted, strict=True)]


@dataclass(frozen=True)
class BreakerTradeoff:
    r"""False halts on quiet days against drawdown saved on crash days, per breaker design.

    Attributes
    ----------
    bands : ndarray
        Plain breaker: the same band every day, fraction.
    band_false, band_saved : ndarray
        Its false-halt rate on quiet days and mean drawdown saved on crash days (fraction).
    thresholds : ndarray
        Band armed at the open: band ``tight`` on days whose stress index at the open is at least
        the threshold, band ``wide`` (0 = no breaker) otherwise.
    rule_false, rule_saved : ndarray
    step_thresholds : ndarray
        Per-step stress rule: the engine halts whenever :math:`S_t \ge S^*` (this threshold,
        ``Scenario.stress_halt``), on every day, besides band ``wide``.
    step_false, step_saved : ndarray
    tight, wide : float
    crash_share : float
        Share of days that are crash days.
    """

    bands: np.ndarray
    band_false: np.ndarray
    band_saved: np.ndarray
    thresholds: np.ndarray
    rule_false: np.ndarray
    rule_saved: np.ndarray
    step_thresholds: np.ndarray
    step_false: np.ndarray
    step_saved: np.ndarray
    tight: float
    wide: float
    crash_share: float


def breaker_tradeoff(
    days: BreakerDays | None = None, *, bands: np.ndarray | None = None,
    thresholds: np.ndarray | None = None, tight: float = 0.03, wide: float = 0.0,
    step_thresholds: np.ndarray | None = None,
) -> BreakerTradeoff:
    r"""Plain band breaker against two stress-rule breakers on the same days.

    Plain: band :math:`b` every day. Armed at the open: band ``tight`` on days with
    :math:`S \ge S^*` (:func:`stress_index` at the open), band ``wide`` otherwise. Per step: the
    engine's stress rule halts whenever :math:`S_t \ge S^*` (``Scenario.stress_halt``, window 5%,
    :math:`\sigma_t` the EWMA volatility), besides band ``wide``. All halt for 20 steps (a band
    when the price moves more than it within 5 steps), pause liquidations and let the book
    refill (30% of the transient impact per step). A day is a crash day when its drawdown with
    no breaker exceeds :data:`CRASH_DRAWDOWN` (a shock or an endogenous cascade), quiet
    otherwise; a halt on a quiet day is a false halt.

    ``bands`` (each in [0, 0.5), fractions) default to 1.5%-8%; ``thresholds`` (each finite; a
    negative one arms the tight band every day) to deciles of the stress at the open;
    ``step_thresholds`` (each in (0, 1e6]) to quantiles 30%-90% of
    :attr:`BreakerDays.peak_stress`. Any of them may be empty (no design of that kind).
    """
    days = breaker_days() if days is None else days
    if not isinstance(days, BreakerDays):
        raise ValueError("days must come from cascadelab.chapters.horizon.breaker_days")
    tight = check_real("tight", tight, 0.0, 0.5, lo_open=True, hi_open=True)
    wide = check_real("wide", wide, 0.0, 0.5, hi_open=True)
    bands = np.array([0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.08]) if bands is None \
        else check_array("bands", bands, lo=0.0, hi=0.5, hi_open=True)
    if thresholds is None:
        thresholds = np.quantile(days.stress, [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    thresholds = check_array("thresholds", thresholds)
    if step_thresholds is None:
        step_thresholds = np.quantile(days.peak_stress, [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    step_thresholds = check_array("step_thresholds", step_thresholds, lo=0.0, hi=1e6,
                                  lo_open=True)
    return _tradeoff(days, tuple(bands.tolist()), tuple(thresholds.tolist()), tight, wide,
                     tuple(step_thresholds.tolist()))


@cached
def _tradeoff(days: BreakerDays, bands: tuple[float, ...], thresholds: tuple[float, ...],
              tight: float, wide: float, step_thresholds: tuple[float, ...]) -> BreakerTradeoff:
    """:func:`breaker_tradeoff` once its arguments are checked: every design in one pass over
    the days, one cache entry per call."""
    n = days.crash.size
    designs = ([_design(days, np.full(n, b), 0.0) for b in bands]
               + [_design(days, np.where(days.stress >= t, tight, wide), 0.0) for t in thresholds]
               + [_design(days, np.full(n, wide), s) for s in step_thresholds])
    res = np.array(_outcomes(days, designs)).reshape(len(designs), 2)
    band_res, rule_res = res[:len(bands)], res[len(bands):len(bands) + len(thresholds)]
    step_res = res[len(bands) + len(thresholds):]
    out = BreakerTradeoff(np.array(bands), band_res[:, 0], band_res[:, 1], np.array(thresholds),
                          rule_res[:, 0], rule_res[:, 1], np.array(step_thresholds),
                          step_res[:, 0], step_res[:, 1], tight, wide,
                          float((days.drawdown > CRASH_DRAWDOWN).mean()))
    for f in dataclasses.fields(out):
        value = getattr(out, f.name)
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return out
