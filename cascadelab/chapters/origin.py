r"""Chapter 01 (origin): why the first margin designs broke, as five pure scenario functions.

Each function takes parameters in, returns a frozen result with a ``summary`` (name -> float),
and reuses the package's engines; the labs of :mod:`cascadelab.widgets.origin` draw them.

1. :func:`fragmented_liquidity`: a static threshold that ignores where liquidity sits. The forced
   sales of one venue hit that venue's book, of depth :math:`sD` (its share :math:`s` of the
   aggregate depth :math:`D`), not :math:`D`. With :math:`\rho` units of liquidations per 1% near
   the shocked price, the loop gain is :math:`\rho/(sD)` and the cascade runs away below the
   critical share :math:`s^* = \rho / D`.
2. :func:`fat_tail_breaches`: a buffer of :math:`k` standard deviations sized for Gaussian
   returns, against Student-t returns of tail index :math:`\nu` (closed form of
   :mod:`cascadelab.tails` and a simulated check).
3. :func:`stale_oracle`: a price feed that lags by :math:`L` steps during a crash that unfolds
   over the run (the engine's ``oracle_latency``, ``heartbeat``, ``deviation``), against a
   fresh feed on the same path.
4. :func:`cross_margin_contagion`: one margin pool per account ties assets together; a crash in
   one asset closes legs in the others (:func:`cascadelab.simulate_portfolio`, cross against
   isolated margin, equicorrelated assets).
5. :func:`liquidator_tradeoff`: a liquidation engine that closes everything at once against
   one that closes gradually (``close_factor``, ``max_book_share``) on the same shock.

:data:`EVENTS` lists three real episodes with their *reported* figures (rounded, with the type
of source), and :func:`replay_events` runs the functions above with parameters set from them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from cascadelab._validate import check_choice, check_int, check_real
from cascadelab.cascade import CascadeResult, cascade, cascade_multiplier, liquidation_density
from cascadelab.chapters.essence import FeedbackLoopParams, population
from cascadelab.engine import Scenario, SimulationResult, simulate
from cascadelab.market import IMPACT_MODELS, Book
from cascadelab.portfolio import (
    Accounts,
    MultiAssetScenario,
    PortfolioResult,
    equicorrelation,
    sample_accounts,
    simulate_portfolio,
)
from cascadelab.positions import Positions
from cascadelab.tails import student_t_returns, tail_probability

__all__ = [
    "EVENTS",
    "CrossMarginResult",
    "Event",
    "EventReplay",
    "FatTailResult",
    "FragmentationResult",
    "LiquidatorResult",
    "StaleOracleResult",
    "correlation_sweep",
    "cross_margin_contagion",
    "fat_tail_breaches",
    "fragmented_liquidity",
    "liquidator_tradeoff",
    "replay_events",
    "stale_oracle",
]

PRICE = 100.0
"""Starting price of every single-asset scenario of the chapter, USD."""


def _positions(n: int, seed: int) -> Positions:
    """The course's default population (cached and sorted once by :func:`population`)."""
    return population(FeedbackLoopParams(n=n, seed=seed))


# ----------------------------------------------------------------- 1. fragmented liquidity


@dataclass(frozen=True, eq=False)
class FragmentationResult:
    """Outcome of :func:`fragmented_liquidity`. Prices USD, volumes units, depths units per 1%.

    Attributes
    ----------
    venue_share, shock, depth : float
        Inputs: the liquidating venue's share :math:`s` of the aggregate depth, the shock, and
        the aggregate depth :math:`D`.
    venue, aggregate : CascadeResult
        The static cascade against the venue's book :math:`sD`, and against :math:`D`.
    shares : ndarray
        Venue shares of the sweep, ascending, in (0, 1].
    amplification : ndarray
        Simulated amplification at each share, x.
    closed_form : ndarray
        :math:`1/(1 - \\rho/(sD))` at each share, x (inf at and below the critical share).
    rho : float
        Liquidation density just below the shocked price, units per 1%.
    critical_share : float
        :math:`s^* = \\rho / D`: below it the venue's loop gain exceeds 1.
    """

    venue_share: float
    shock: float
    depth: float
    venue: CascadeResult
    aggregate: CascadeResult
    shares: np.ndarray
    amplification: np.ndarray
    closed_form: np.ndarray
    rho: float
    critical_share: float

    @property
    def summary(self) -> dict[str, float]:
        """``amplification_venue``, ``amplification_aggregate`` (x), ``ratio`` (venue over
        aggregate), ``move_venue_pct`` and ``move_aggregate_pct`` (% fall), ``n_liquidated_venue``
        and ``n_liquidated_aggregate`` (positions), ``bad_debt_venue`` and
        ``bad_debt_aggregate`` (USD), ``loop_gain_venue`` (:math:`\\rho/(sD)`),
        ``critical_share_pct`` (% of depth)."""
        v, a = self.venue, self.aggregate
        return {
            "amplification_venue": v.amplification,
            "amplification_aggregate": a.amplification,
            "ratio": v.amplification / a.amplification,
            "move_venue_pct": -100.0 * v.move,
            "move_aggregate_pct": -100.0 * a.move,
            "n_liquidated_venue": float(v.n_liquidated),
            "n_liquidated_aggregate": float(a.n_liquidated),
            "bad_debt_venue": v.bad_debt,
            "bad_debt_aggregate": a.bad_debt,
            "loop_gain_venue": self.rho / (self.venue_share * self.depth),
            "critical_share_pct": 100.0 * self.critical_share,
        }


@lru_cache(maxsize=64)
def _share_sweep(
    shock: float, depth: float, impact: str, n: int, seed: int, shares: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray]:
    pos = _positions(n, seed)
    s = np.array(shares)
    amp = np.array([cascade(pos, PRICE, shock, Book(depth * x, impact)).amplification for x in s])
    amp.flags.writeable = False
    s.flags.writeable = False
    return s, amp


DEFAULT_SHARES = tuple(float(x) for x in np.round(np.geomspace(0.05, 1.0, 25), 4))
"""Venue shares of the sweep in :func:`fragmented_liquidity` (5% to 100%, log-spaced)."""


def fragmented_liquidity(
    venue_share: float = 0.25,
    *,
    shock: float = 0.05,
    depth: float = 200_000.0,
    impact: str = "linear",
    n: int = 20_000,
    seed: int = 0,
    shares: tuple[float, ...] = DEFAULT_SHARES,
) -> FragmentationResult:
    r"""Run one shock's static cascade against one venue's book and against aggregate depth.

    A threshold set as if liquidations could trade against the whole market's depth :math:`D`
    meets a venue whose own book holds only a share :math:`s` of it. Its forced sales trade
    against :math:`\text{Book}(sD)`, so the loop gain is :math:`\rho/(sD)` and the
    small-shock amplification is

    .. math:: A(s) \approx \frac{1}{1 - \rho/(sD)}, \qquad s > s^* = \rho / D.

    Parameters
    ----------
    venue_share : float
        Share :math:`s` of the aggregate depth resting on the liquidating venue, in (0, 1].
    shock : float
        Relative price drop, in (0, 1).
    depth : float
        Aggregate depth :math:`D`, units per 1% move, > 0.
    impact : {"linear", "exponential", "sqrt"}
        Impact model of both books.
    n, seed : int
        Size (>= 100) and seed of the population (:func:`cascadelab.sample_positions`
        around 100 USD, median leverage 10x).
    shares : tuple of float
        Venue shares of the sweep, each in (0, 1].

    Returns
    -------
    FragmentationResult

    Examples
    --------
    >>> res = fragmented_liquidity(0.25)
    >>> res.summary["amplification_venue"] > res.summary["amplification_aggregate"]
    True
    """
    venue_share = check_real("venue_share", venue_share, lo=0.0, hi=1.0, lo_open=True)
    shock = check_real("shock", shock, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    check_choice("impact", impact, tuple(IMPACT_MODELS))
    n = check_int("n", n, lo=100)
    seed = check_int("seed", seed, lo=0)
    shares = tuple(check_real("shares", float(x), lo=0.0, hi=1.0, lo_open=True) for x in shares)
    pos = _positions(n, seed)
    venue = cascade(pos, PRICE, shock, Book(depth * venue_share, impact))
    aggregate = cascade(pos, PRICE, shock, Book(depth, impact))
    s, amp = _share_sweep(shock, depth, impact, n, seed, tuple(sorted(shares)))
    rho = liquidation_density(pos, PRICE * (1.0 - shock))
    closed = np.array([cascade_multiplier(rho, depth * x) for x in s])
    return FragmentationResult(venue_share, shock, depth, venue, aggregate, s, amp, closed, rho,
                               rho / depth)


# ----------------------------------------------------------------------------- 2. fat tails


@dataclass(frozen=True, eq=False)
class FatTailResult:
    """Outcome of :func:`fat_tail_breaches`. Probabilities are per period, two-sided.

    Attributes
    ----------
    k, nu, periods_per_year : float
        Buffer in standard deviations, tail index, periods (liquidation horizons) per year.
    p_gauss, p_t : float
        :math:`P(|X| > k)` for a Gaussian and for the unit-variance Student-t (closed form).
    p_sim : float
        The same for the Student-t, estimated from ``n_sim`` simulated returns.
    n_sim : int
        Number of simulated returns.
    ks : ndarray
        Buffers of the curves, standard deviations.
    curve_gauss, curve_t, curve_sim : ndarray
        Breach probability at each of ``ks``: Gaussian, Student-t closed form, simulated
        (NaN where no simulated return is that large).
    nus : ndarray
        Tail indices of the second sweep.
    breaches_vs_nu : ndarray
        Breaches per year of the ``k``-sigma buffer at each of ``nus``.
    """

    k: float
    nu: float
    periods_per_year: float
    p_gauss: float
    p_t: float
    p_sim: float
    n_sim: int
    ks: np.ndarray
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


@lru_cache(maxsize=64)
def _sorted_abs_returns(nu: float, n: int, seed: int) -> np.ndarray:
    x = np.sort(np.abs(student_t_returns(n, 1.0, nu, seed=seed)))
    x.flags.writeable = False
    return x


def _sim_tail(sorted_abs: np.ndarray, k: np.ndarray | float) -> np.ndarray:
    n = sorted_abs.shape[0]
    return 1.0 - np.searchsorted(sorted_abs, k, side="right") / n


KS = np.linspace(0.0, 8.0, 81)
"""Buffers (standard deviations) of the curves of :func:`fat_tail_breaches`."""
NUS = np.round(np.linspace(2.5, 30.0, 56), 2)
"""Tail indices of the second sweep of :func:`fat_tail_breaches`."""


@lru_cache(maxsize=8)
def _gauss_curve() -> np.ndarray:
    return np.array([tail_probability(float(k)) for k in KS])


@lru_cache(maxsize=128)
def _t_curve(nu: float) -> np.ndarray:
    return np.array([tail_probability(float(k), nu) for k in KS])


def fat_tail_breaches(
    k: float = 4.0,
    nu: float = 3.0,
    *,
    periods_per_year: float = 365.0,
    n_sim: int = 200_000,
    seed: int = 0,
) -> FatTailResult:
    r"""How often a "``k``-sigma safe" margin buffer is breached when returns have fat tails.

    With the Student-t scaled to unit variance, :math:`X = T_\nu\sqrt{(\nu-2)/\nu}`,

    .. math:: P(|X| > k) = I_{\nu/(\nu + t^2)}\!\left(\tfrac{\nu}{2}, \tfrac12\right),
              \quad t = k\sqrt{\nu/(\nu - 2)},

    against :math:`\operatorname{erfc}(k/\sqrt2)` for a Gaussian
    (:func:`cascadelab.tail_probability`); breaches per year are ``periods_per_year`` times
    that. The simulated estimate counts draws of :func:`cascadelab.student_t_returns` beyond
    :math:`k` (cached per tail index).

    Parameters
    ----------
    k : float
        Buffer in standard deviations of the return over one liquidation horizon, in (0, 8].
    nu : float
        Tail index of the Student-t, in (2, 1000].
    periods_per_year : float
        Liquidation horizons per year, > 0 (365 for a one-day horizon).
    n_sim : int
        Simulated returns, in [1000, 10_000_000].
    seed : int
        Seed of the simulated returns.

    Returns
    -------
    FatTailResult

    Examples
    --------
    >>> res = fat_tail_breaches(4.0, 3.0)
    >>> round(res.summary["breaches_t"], 1), round(res.summary["breaches_gauss"], 3)
    (2.3, 0.023)
    """
    k = check_real("k", k, lo=0.0, hi=8.0, lo_open=True)
    nu = check_real("nu", nu, lo=2.0, hi=1000.0, lo_open=True)
    periods_per_year = check_real("periods_per_year", periods_per_year, lo=0.0, lo_open=True)
    n_sim = check_int("n_sim", n_sim, lo=1000, hi=10_000_000)
    seed = check_int("seed", seed, lo=0)
    sims = _sorted_abs_returns(nu, n_sim, seed)
    curve_sim = _sim_tail(sims, KS)
    curve_sim = np.where(curve_sim > 0.0, curve_sim, np.nan)
    breaches = periods_per_year * np.array([tail_probability(k, float(v)) for v in NUS])
    return FatTailResult(
        k=k, nu=nu, periods_per_year=periods_per_year, p_gauss=tail_probability(k),
        p_t=tail_probability(k, nu), p_sim=float(_sim_tail(sims, k)), n_sim=n_sim, ks=KS,
        curve_gauss=_gauss_curve(), curve_t=_t_curve(nu), curve_sim=curve_sim, nus=NUS,
        breaches_vs_nu=breaches,
    )


# --------------------------------------------------------------------------- 3. stale oracle


@dataclass(frozen=True, eq=False)
class StaleOracleResult:
    """Outcome of :func:`stale_oracle`. Money USD, time in steps.

    Attributes
    ----------
    scenario : Scenario
        The engine scenario of the stale run (the fresh run differs only in its oracle).
    stale, fresh : SimulationResult
        The run with the late oracle, and with a perfect one (latency 0, heartbeat 1).
    latencies : ndarray
        Latencies of the sweep, steps.
    bad_debt_curve, drawdown_curve : ndarray
        Bad debt (USD) and maximum drawdown (fraction) at each latency, with the scenario's
        heartbeat and deviation.
    """

    scenario: Scenario
    stale: SimulationResult
    fresh: SimulationResult
    latencies: np.ndarray
    bad_debt_curve: np.ndarray
    drawdown_curve: np.ndarray

    @property
    def summary(self) -> dict[str, float]:
        """``bad_debt_stale`` and ``bad_debt_fresh`` (USD), ``bad_debt_pct`` (stale bad debt, %
        of the collateral posted), ``max_lag_pct`` (largest gap of the oracle above the traded
        price, %), ``drawdown_stale_pct`` and ``drawdown_fresh_pct`` (%), ``socialized`` (USD
        levied on the other side), ``n_liquidated_stale`` and ``n_liquidated_fresh``."""
        s, f = self.stale, self.fresh
        lag = float(np.max(s.oracle_price / s.pre_trade_price - 1.0))
        return {
            "bad_debt_stale": s.total_bad_debt,
            "bad_debt_fresh": f.total_bad_debt,
            "bad_debt_pct": 100.0 * s.total_bad_debt / s.initial_collateral,
            "max_lag_pct": 100.0 * max(lag, 0.0),
            "drawdown_stale_pct": 100.0 * s.max_drawdown,
            "drawdown_fresh_pct": 100.0 * f.max_drawdown,
            "socialized": s.total_socialized_loss,
            "n_liquidated_stale": float(s.n_liquidated),
            "n_liquidated_fresh": float(f.n_liquidated),
        }


def _crash_scenario(crash: float, steps: int, depth: float, shock: float) -> Scenario:
    sigma = Scenario.sigma
    mu = math.log1p(-crash) / steps + 0.5 * sigma**2
    return Scenario(mu=mu, shock=shock, depth=depth, shock_step=10)


DEFAULT_LATENCIES = (0, 5, 10, 15, 20, 30, 40, 50, 60, 75, 90, 105, 120)
"""Latencies (steps) of the sweep in :func:`stale_oracle`."""


@lru_cache(maxsize=64)
def _latency_sweep(
    scenario: Scenario, n: int, seed: int, steps: int, latencies: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pos = _positions(n, seed)
    runs = [simulate(pos, scenario.replace(oracle_latency=lat), steps=steps, seed=seed)
            for lat in latencies]
    out = (np.array(latencies), np.array([r.total_bad_debt for r in runs]),
           np.array([r.max_drawdown for r in runs]))
    for arr in out:
        arr.flags.writeable = False
    return out


def stale_oracle(
    latency: int = 30,
    *,
    heartbeat: int = 1,
    deviation: float = 0.0,
    crash: float = 0.3,
    shock: float = 0.0,
    depth: float = 200_000.0,
    steps: int = 300,
    n: int = 20_000,
    seed: int = 0,
    latencies: tuple[int, ...] = DEFAULT_LATENCIES,
) -> StaleOracleResult:
    r"""Run a crash with a late oracle, against the same crash with a fresh one.

    The fundamental drifts down so that it loses ``crash`` over the run,
    :math:`\mu = \ln(1 - c)/T + \sigma^2/2` per step (:math:`T` = ``steps``), plus an optional
    one-step ``shock`` at step 10. The liquidation engine reads the oracle of
    :mod:`cascadelab.mechanisms.oracles`: the price of ``latency`` steps ago, republished every
    ``heartbeat`` steps or on a ``deviation`` move. While it lags, positions fall past their
    bankruptcy price unseen; when the feed catches up they are closed below it, and the gap is
    bad debt (paid by the insurance fund, then levied on the other side).

    Parameters
    ----------
    latency : int
        Steps of delay of the oracle, in [0, 1000].
    heartbeat : int
        The oracle republishes at least every ``heartbeat`` steps, in [1, 100000].
    deviation : float
        ...or once the reported price moved by this fraction, in [0, 1); 0 = off.
    crash : float
        Fall of the fundamental over the run, fraction in [0, 0.95].
    shock : float
        Extra one-step drop at step 10, fraction in [0, 1).
    depth : float
        Book depth, units per 1% move, > 0.
    steps : int
        Steps of the run, in [20, 5000].
    n, seed : int
        Size (>= 100) and seed of the population, and seed of the price path.
    latencies : tuple of int
        Latencies of the sweep, steps.

    Returns
    -------
    StaleOracleResult

    Examples
    --------
    >>> res = stale_oracle(30)
    >>> res.summary["bad_debt_stale"] > res.summary["bad_debt_fresh"]
    True
    """
    latency = check_int("latency", latency, lo=0, hi=1000)
    heartbeat = check_int("heartbeat", heartbeat, lo=1, hi=100_000)
    deviation = check_real("deviation", deviation, lo=0.0, hi=1.0, hi_open=True)
    crash = check_real("crash", crash, lo=0.0, hi=0.95)
    shock = check_real("shock", shock, lo=0.0, hi=1.0, hi_open=True)
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    steps = check_int("steps", steps, lo=20, hi=5000)
    n = check_int("n", n, lo=100)
    seed = check_int("seed", seed, lo=0)
    latencies = tuple(check_int("latencies", int(x), lo=0, hi=1000) for x in latencies)
    base = _crash_scenario(crash, steps, depth, shock)
    stale_sc = base.replace(oracle_latency=latency, heartbeat=heartbeat, deviation=deviation)
    pos = _positions(n, seed)
    stale = simulate(pos, stale_sc, steps=steps, seed=seed)
    fresh = simulate(pos, base, steps=steps, seed=seed)
    lat, bad, dd = _latency_sweep(stale_sc.replace(oracle_latency=0), n, seed, steps, latencies)
    return StaleOracleResult(stale_sc, stale, fresh, lat, bad, dd)


# --------------------------------------------------------------------------- 4. cross margin


@dataclass(frozen=True, eq=False)
class CrossMarginResult:
    """Outcome of :func:`cross_margin_contagion`: the same accounts under both margin modes.

    Attributes
    ----------
    scenario : MultiAssetScenario
        The market (asset 0 is shocked).
    cross, isolated : PortfolioResult
        The run with one margin pool per account, and with one per leg.
    """

    scenario: MultiAssetScenario
    cross: PortfolioResult
    isolated: PortfolioResult

    @property
    def summary(self) -> dict[str, float]:
        """Legs closed in the shocked asset (``shocked_legs_cross``, ``shocked_legs_isolated``)
        and in the other assets (``other_legs_cross``, ``other_legs_isolated``); legs of other
        assets dragged by the shocked one under cross margin (``dragged_cross``) and their
        share (``dragged_share``); ``bad_debt_cross``, ``bad_debt_isolated`` (USD);
        ``drawdown_other_cross_pct`` (largest drawdown among the other assets, %)."""
        c, i = self.cross, self.isolated
        a = self.scenario.shock_asset
        other = np.arange(self.scenario.n_assets) != a
        other_c = float(c.n_liquidated_legs_total[other].sum())
        dragged = float(c.dragged_legs[other].sum())
        return {
            "shocked_legs_cross": float(c.n_liquidated_legs_total[a]),
            "shocked_legs_isolated": float(i.n_liquidated_legs_total[a]),
            "other_legs_cross": other_c,
            "other_legs_isolated": float(i.n_liquidated_legs_total[other].sum()),
            "dragged_cross": dragged,
            "dragged_share": dragged / other_c if other_c else 0.0,
            "bad_debt_cross": c.total_bad_debt,
            "bad_debt_isolated": i.total_bad_debt,
            "drawdown_other_cross_pct": 100.0 * float(c.max_drawdown[other].max()),
        }


@lru_cache(maxsize=16)
def _accounts(n: int, seed: int, leverage: float) -> tuple[Accounts, Accounts]:
    cross = sample_accounts(n, (PRICE, PRICE, PRICE), leverage=leverage, seed=seed)
    return cross, cross.replace(cross_margin=False)


def _market(rho: float, shock: float, depth: float) -> MultiAssetScenario:
    books = tuple(Book(depth) for _ in range(3))
    return MultiAssetScenario(corr=equicorrelation(3, rho), shock=shock, books=books)


def _check_portfolio(rho: float, shock: float, depth: float, n: int, seed: int,
                     leverage: float) -> tuple[float, float, float, int, int, float]:
    return (check_real("rho", rho, lo=-0.5, hi=1.0),
            check_real("shock", shock, lo=0.0, hi=0.9),
            check_real("depth", depth, lo=0.0, lo_open=True),
            check_int("n", n, lo=10), check_int("seed", seed, lo=0),
            check_real("leverage", leverage, lo=1.0, hi=20.0))


def cross_margin_contagion(
    rho: float = 0.2,
    *,
    shock: float = 0.3,
    depth: float = 10_000.0,
    n: int = 5_000,
    leverage: float = 4.0,
    seed: int = 0,
) -> CrossMarginResult:
    r"""Crash asset A and count the legs closed in B and C, under cross and isolated margin.

    Three assets at 100 USD with pairwise correlation :math:`\rho` (the shock spills over to
    B and C by its conditional mean, :math:`\ln(1 + r_j) = \rho \ln(1 - s)`). Accounts from
    :func:`cascadelab.sample_accounts` hold two legs each. Under cross margin an account is
    closed, every leg, once :math:`E_i \le m \sum_k |q_{ik}| p_k`; under isolated margin each
    leg has its share of the collateral and fails on its own (see
    :mod:`cascadelab.portfolio`).

    Parameters
    ----------
    rho : float
        Correlation between every pair of assets, in [-0.5, 1].
    shock : float
        Fall of asset A's fundamental at step 20, fraction in [0, 0.9].
    depth : float
        Depth of each asset's book, units per 1% move, > 0.
    n : int
        Number of accounts, >= 10.
    leverage : float
        Median account leverage, in [1, 20].
    seed : int
        Seed of the accounts and of the price paths.

    Returns
    -------
    CrossMarginResult

    Examples
    --------
    >>> res = cross_margin_contagion(0.0)
    >>> res.summary["other_legs_cross"] > res.summary["other_legs_isolated"]
    True
    """
    rho, shock, depth, n, seed, leverage = _check_portfolio(rho, shock, depth, n, seed, leverage)
    sc = _market(rho, shock, depth)
    cross, isolated = _accounts(n, seed, leverage)
    return CrossMarginResult(sc, simulate_portfolio(cross, sc, seed=seed),
                             simulate_portfolio(isolated, sc, seed=seed))


def correlation_sweep(
    rhos: np.ndarray | tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    *,
    shock: float = 0.3,
    depth: float = 10_000.0,
    n: int = 5_000,
    leverage: float = 4.0,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Sweep the correlation of :func:`cross_margin_contagion`.

    Returns
    -------
    dict of str -> ndarray
        ``rho`` and, per correlation, every key of :attr:`CrossMarginResult.summary`.

    Examples
    --------
    >>> sw = correlation_sweep((0.0, 0.8))
    >>> bool(sw["other_legs_cross"][1] > sw["other_legs_cross"][0])
    True
    """
    rows = [cross_margin_contagion(float(r), shock=shock, depth=depth, n=n, leverage=leverage,
                                   seed=seed).summary for r in rhos]
    out = {"rho": np.asarray(rhos, dtype=float)}
    for key in rows[0]:
        out[key] = np.array([row[key] for row in rows])
    return out


# --------------------------------------------------------------------------- 5. liquidators


@dataclass(frozen=True, eq=False)
class LiquidatorResult:
    """Outcome of :func:`liquidator_tradeoff`: one shock, two liquidation engines.

    Attributes
    ----------
    scenario : Scenario
        The gradual engine's scenario (the full-close run has ``close_factor=1`` and no cap).
    full, gradual : SimulationResult
        Everything closed at once, and closed in slices.
    close_factors : ndarray
        Close factors of the sweep (with the scenario's cap).
    bad_debt_curve, slippage_curve, drawdown_curve : ndarray
        Bad debt (USD), worst one-step slippage and maximum drawdown (fractions) per close
        factor.
    """

    scenario: Scenario
    full: SimulationResult
    gradual: SimulationResult
    close_factors: np.ndarray
    bad_debt_curve: np.ndarray
    slippage_curve: np.ndarray
    drawdown_curve: np.ndarray

    @property
    def summary(self) -> dict[str, float]:
        """``bad_debt_full`` and ``bad_debt_gradual`` (USD), ``slippage_full_pct`` and
        ``slippage_gradual_pct`` (worst fill below the pre-trade price, %),
        ``drawdown_full_pct`` and ``drawdown_gradual_pct`` (%), ``n_liquidated_full`` and
        ``n_liquidated_gradual`` (positions closed in full), ``notional_full`` and
        ``notional_gradual`` (USD closed)."""
        f, g = self.full, self.gradual
        return {
            "bad_debt_full": f.total_bad_debt,
            "bad_debt_gradual": g.total_bad_debt,
            "slippage_full_pct": 100.0 * f.worst_slippage,
            "slippage_gradual_pct": 100.0 * g.worst_slippage,
            "drawdown_full_pct": 100.0 * f.max_drawdown,
            "drawdown_gradual_pct": 100.0 * g.max_drawdown,
            "n_liquidated_full": float(f.n_liquidated),
            "n_liquidated_gradual": float(g.n_liquidated),
            "notional_full": f.total_liquidated_notional,
            "notional_gradual": g.total_liquidated_notional,
        }


DEFAULT_CLOSE_FACTORS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
"""Close factors of the sweep in :func:`liquidator_tradeoff`."""


@lru_cache(maxsize=64)
def _close_sweep(
    scenario: Scenario, n: int, seed: int, steps: int, factors: tuple[float, ...]
) -> tuple[np.ndarray, ...]:
    pos = _positions(n, seed)
    runs = [simulate(pos, scenario.replace(close_factor=f), steps=steps, seed=seed)
            for f in factors]
    out = (np.array(factors), np.array([r.total_bad_debt for r in runs]),
           np.array([r.worst_slippage for r in runs]), np.array([r.max_drawdown for r in runs]))
    for arr in out:
        arr.flags.writeable = False
    return out


def liquidator_tradeoff(
    close_factor: float = 0.25,
    max_book_share: float | None = None,
    *,
    shock: float = 0.05,
    depth: float = 200_000.0,
    resilience: float = 0.02,
    steps: int = 300,
    n: int = 20_000,
    seed: int = 0,
    close_factors: tuple[float, ...] = DEFAULT_CLOSE_FACTORS,
) -> LiquidatorResult:
    r"""Close every triggered position at once, or gradually, on the same shock.

    The gradual engine closes at most a ``close_factor`` :math:`f` of each position's size per
    step and, with a cap, at most ``max_book_share`` :math:`\beta` times the depth per step
    (:mod:`cascadelab.mechanisms.margin`):
    :math:`q_{i,t} = \min\{\text{remaining}_i, f\,\text{size}_i, \text{budget}_t\}`,
    :math:`\sum_i q_{i,t} \le \beta D_t`. A full close is :math:`f = 1`, no cap: the engine that
    protects the protocol first, since every position leaves the book at the first price.

    Parameters
    ----------
    close_factor : float
        Share of a position's size closed per step, in (0, 1].
    max_book_share : float or None
        Cap on a step's liquidation units, multiple of the depth, in (0, 10]; None = no cap.
    shock : float
        One-step drop at step 10, fraction in [0, 0.9].
    depth : float
        Book depth, units per 1% move, > 0.
    resilience : float
        Share of the transient impact that decays each step, in [0, 1].
    steps : int
        Steps of the run, in [20, 5000].
    n, seed : int
        Size (>= 100) and seed of the population, and seed of the price path.
    close_factors : tuple of float
        Close factors of the sweep, each in (0, 1].

    Returns
    -------
    LiquidatorResult

    Examples
    --------
    >>> res = liquidator_tradeoff(0.1)
    >>> res.summary["slippage_gradual_pct"] < res.summary["slippage_full_pct"]
    True
    """
    close_factor = check_real("close_factor", close_factor, lo=0.0, hi=1.0, lo_open=True)
    if max_book_share is not None:
        max_book_share = check_real("max_book_share", max_book_share, lo=0.0, hi=10.0,
                                    lo_open=True)
    shock = check_real("shock", shock, lo=0.0, hi=0.9)
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    resilience = check_real("resilience", resilience, lo=0.0, hi=1.0)
    steps = check_int("steps", steps, lo=20, hi=5000)
    n = check_int("n", n, lo=100)
    seed = check_int("seed", seed, lo=0)
    factors = tuple(check_real("close_factors", float(x), lo=0.0, hi=1.0, lo_open=True)
                    for x in close_factors)
    full_sc = Scenario(shock=shock, depth=depth, resilience=resilience)
    sc = full_sc.replace(close_factor=close_factor, max_book_share=max_book_share)
    pos = _positions(n, seed)
    full = simulate(pos, full_sc, steps=steps, seed=seed)
    gradual = simulate(pos, sc, steps=steps, seed=seed)
    cf, bad, slip, dd = _close_sweep(sc.replace(close_factor=1.0), n, seed, steps, factors)
    return LiquidatorResult(sc, full, gradual, cf, bad, slip, dd)


# ------------------------------------------------------------------------------ real events


@dataclass(frozen=True)
class Event:
    """A real liquidation episode with its *reported* figures (rounded) and their sources.

    Attributes
    ----------
    key : str
        Short identifier, e.g. ``"2020-03-12"``.
    name : str
        What the episode is usually called.
    reported : tuple of str
        The figures, as reported, each ending with the type of source in brackets.
    idea : str
        Which idea of the chapter the episode illustrates.
    """

    key: str
    name: str
    reported: tuple[str, ...]
    idea: str


EVENTS: tuple[Event, ...] = (
    Event(
        "2020-03-12", "Black Thursday (12-13 March 2020)",
        ("ETH lost roughly half its value within a day [market data, widely reported]",
         "Ethereum congestion and gas spikes stalled oracle updates and keepers; many MakerDAO "
         "collateral auctions cleared at a bid of zero DAI, about $8M of ETH in all "
         "[post-event analyses]",
         "a shortfall of several million DAI (about 5.4M by MakerDAO's accounting; other reports "
         "range from 4.5M to 6.7M), covered by minting and auctioning new MKR "
         "[MakerDAO post-mortem and governance, press]"),
        "a stale price feed and stalled liquidators under congestion",
    ),
    Event(
        "2021-05-19", "The May 2021 crash",
        ("BTC fell about 30% intraday, from the low 40,000s to near 30,000 USD [market data]",
         "about $8-9B of positions liquidated across venues in 24 hours "
         "[aggregator data, Bybt, now CoinGlass]",
         "several large exchanges reported outages or paused withdrawals [press]"),
        "liquidations spread over venues whose books are each a fraction of the market",
    ),
    Event(
        "2025-10-10", "The October 2025 tariff crash (10-11 October 2025)",
        ("about $19B liquidated across some 1.6M accounts in a day, the largest on record "
         "[aggregator data, CoinGlass]",
         "BTC fell by roughly 12-15% within hours; many smaller tokens fell far more on "
         "single venues [market data, press]",
         "Hyperliquid ran auto-deleveraging (ADL), closing profitable positions against "
         "bankrupt ones [venue statements, press]",
         "a dollar token used as collateral was priced near 0.65 USD on one large exchange's "
         "own book while near 1 USD elsewhere; the venue later moved to external price "
         "references [exchange statement, press]"),
        "correlated assets in shared margin, thin single-venue books and code that protects "
        "the venue",
    ),
)
"""Three episodes with their reported figures, rounded (see :class:`Event`)."""


@dataclass(frozen=True)
class EventReplay:
    """The model's answer to one episode (:func:`replay_events`).

    Attributes
    ----------
    event : Event
        The episode.
    inputs : dict of str -> float
        The model parameters set from the reported facts.
    outputs : dict of str -> float
        What the model gives (a selection of the scenario's summary).
    """

    event: Event
    inputs: dict
    outputs: dict


def replay_events(*, n: int = 20_000, seed: int = 0) -> tuple[EventReplay, ...]:
    """Run the chapter's scenario functions with parameters set from :data:`EVENTS`.

    * 2020-03-12: a 45% fall over 300 steps (read one step as a minute: five hours) with an
      oracle 60 steps (an hour) late, against a fresh oracle (:func:`stale_oracle`).
    * 2021-05-19: a 30% shock whose forced sales hit a venue holding a quarter of the depth,
      against the aggregate book (:func:`fragmented_liquidity`).
    * 2025-10-10: a 15% crash in one asset with correlations near one (0.9), under cross and
      isolated margin (:func:`cross_margin_contagion`), and the liquidation engine's
      trade-off on a thin book (:func:`liquidator_tradeoff`, 10% close factor).

    These are illustrations on the course's synthetic market, not fits: the model's dollar
    figures are in its own units (a 20,000-position market at 100 USD).

    Returns
    -------
    tuple of EventReplay
    """
    march = stale_oracle(60, crash=0.45, n=n, seed=seed).summary
    may = fragmented_liquidity(0.25, shock=0.30, n=n, seed=seed).summary
    october = cross_margin_contagion(0.9, shock=0.15, seed=seed).summary
    liq = liquidator_tradeoff(0.1, shock=0.15, depth=100_000.0, n=n, seed=seed).summary
    return (
        EventReplay(EVENTS[0], {"crash": 0.45, "latency_steps": 60.0},
                    {k: march[k] for k in ("bad_debt_fresh", "bad_debt_stale", "bad_debt_pct",
                                           "max_lag_pct", "socialized")}),
        EventReplay(EVENTS[1], {"shock": 0.30, "venue_share": 0.25},
                    {k: may[k] for k in ("move_aggregate_pct", "move_venue_pct",
                                         "n_liquidated_aggregate", "bad_debt_aggregate",
                                         "bad_debt_venue")}),
        EventReplay(EVENTS[2], {"shock": 0.15, "rho": 0.9, "close_factor": 0.1},
                    {**{k: october[k] for k in ("other_legs_cross", "other_legs_isolated",
                                                "dragged_share", "drawdown_other_cross_pct")},
                     **{k: liq[k] for k in ("bad_debt_full", "bad_debt_gradual",
                                            "slippage_full_pct", "slippage_gradual_pct")}}),
    )
