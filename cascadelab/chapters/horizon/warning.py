r"""Chapter 05, idea 1: a predictive liquidation engine, and what acting on its warnings buys.

* **Episodes.** Random episodes drawn from a documented distribution
  (:class:`EpisodeDistribution`), each one run of :func:`cascadelab.simulate` on its own
  population: :func:`draw_episodes`, :func:`episode_market`.
* **Features and label.** Five features of the market state at the warning step (liquidation
  density near the price over the depth, book depth, realised volatility, open interest,
  order-flow imbalance, :data:`FEATURES`); the label is a cascade, forced sales after the warning
  above a share of the open interest.
* **Predictor.** A logistic model fitted on training episodes (:func:`~.stats.fit_logistic`),
  :math:`P(y = 1 \mid x) = 1 / (1 + e^{-(\beta_0 + \beta^\top z)})`, scored by its ROC curve on
  held-out episodes (:func:`~.stats.roc_curve`): :func:`predictive_engine`.
* **Policy.** Acting on a warning, out of sample: raising margins (every position above
  :math:`L_c` x tops up, :func:`cap_leverage`) or arming a breaker that pauses liquidations:
  :func:`warning_policy`.

Examples
--------
>>> eps = draw_episodes(20, seed=1)
>>> eps.X.shape, len(FEATURES)
((20, 5), 5)
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import (
    check_array,
    check_choice,
    check_instance,
    check_int,
    check_real,
    check_sequence,
)
from cascadelab.cascade import liquidation_density
from cascadelab.chapters._course import PRICE, cached, check_run, population
from cascadelab.chapters.horizon.stats import (
    LogisticModel,
    RocCurve,
    _loguniform,
    fit_logistic,
    roc_curve,
)
from cascadelab.engine import Scenario, SimulationResult, simulate
from cascadelab.positions import Positions

__all__ = [
    "FEATURES",
    "POLICIES",
    "EpisodeDistribution",
    "Episodes",
    "PolicyOutcome",
    "PredictorResult",
    "cap_leverage",
    "draw_episodes",
    "episode_market",
    "predictive_engine",
    "warning_policy",
]

FEATURES = ("loop_gain", "log_depth", "realised_vol", "log_open_interest", "flow_imbalance")
"""Names of the five features, in the column order of :attr:`Episodes.X`."""


@dataclass(frozen=True)
class EpisodeDistribution:
    r"""The distribution random episodes are drawn from (every draw independent).

    An episode is one run of the engine of ``warn_step + horizon`` steps on its own population.
    Steps ``[0, warn_step)`` are the calm the features are measured on; the warning is issued at
    ``warn_step``; the label looks at ``[warn_step, warn_step + horizon)``.

    Draws per episode: median leverage :math:`\sim U(\text{leverage})`; long share
    :math:`\sim U(\text{long\_share})`; median notional per position (so open interest)
    log-uniform on ``notional``; book depth log-uniform on ``depth`` (units per 1%); volatility
    per step log-uniform on ``sigma``; a latent selling pressure :math:`\pi \sim U(0, 1)`. The
    pressure drives three things: a drift :math:`\mu = -\pi\,\mu_{\max}` of the fundamental over
    the whole episode, a shock :math:`s = \pi\,(1 + U)\,s_{\max} / 2` (:math:`U \sim U(0, 1)`)
    at a step drawn uniformly in ``[warn_step + 5, warn_step + horizon // 2)``, and the observed
    order-flow imbalance :math:`\text{OFI} = \pi + \varepsilon`, :math:`\varepsilon \sim
    N(0, \text{ofi\_noise}^2)` (net aggressive selling in the calm, as a share of volume, read
    with noise). The label is a **cascade**: forced sales after the warning exceed ``cascade_share``
    of the open interest.

    Attributes
    ----------
    n_positions : int
        Positions per episode (>= 100).
    warn_step, horizon : int
        Steps of calm before the warning (>= 10) and steps after it (>= 20).
    leverage, long_share : (float, float)
        Ranges of the median leverage (x, within [1, 50]) and long share (within [0, 1]).
    notional : (float, float)
        Range of the median notional per position, USD.
    depth : (float, float)
        Range of the book depth, units per 1%.
    sigma : (float, float)
        Range of the volatility per step.
    max_drift : float
        :math:`\mu_{\max}`, drift per step at full pressure, >= 0.
    max_shock : float
        :math:`s_{\max}`, largest shock, fraction in [0, 0.5].
    ofi_noise : float
        Noise of the order-flow reading, >= 0.
    cascade_share : float
        Forced sales (USD) over open interest (USD) that count as a cascade, in (0, 1).
    """

    n_positions: int = 2_000
    warn_step: int = 40
    horizon: int = 80
    leverage: tuple[float, float] = (4.0, 20.0)
    long_share: tuple[float, float] = (0.4, 0.8)
    notional: tuple[float, float] = (5_000.0, 20_000.0)
    depth: tuple[float, float] = (10_000.0, 60_000.0)
    sigma: tuple[float, float] = (0.001, 0.004)
    max_drift: float = 0.0002
    max_shock: float = 0.08
    ofi_noise: float = 0.3
    cascade_share: float = 0.2

    def __post_init__(self) -> None:
        check_int("n_positions", self.n_positions, 100, 1_000_000)
        check_int("warn_step", self.warn_step, 10, 100_000)
        check_int("horizon", self.horizon, 20, 100_000)
        for name, lo, hi in (("leverage", 1.0, 50.0), ("long_share", 0.0, 1.0),
                             ("notional", 1e-9, None), ("depth", 1e-9, None),
                             ("sigma", 0.0, 0.5)):
            pair = check_sequence(name, getattr(self, name), min_len=2, what="bounds (lo, hi)")
            if len(pair) != 2:
                raise ValueError(f"{name} must be a pair (lo, hi), got {len(pair)} values")
            a, b = pair
            check_real(f"{name}[0]", a, lo, hi)
            check_real(f"{name}[1]", b, a, hi)
        check_real("max_drift", self.max_drift, 0.0, 0.1)
        check_real("max_shock", self.max_shock, 0.0, 0.5)
        check_real("ofi_noise", self.ofi_noise, 0.0, 10.0)
        check_real("cascade_share", self.cascade_share, 0.0, 1.0, lo_open=True, hi_open=True)

    @property
    def steps(self) -> int:
        """Steps of one episode: ``warn_step + horizon``."""
        return self.warn_step + self.horizon


@dataclass(frozen=True, eq=False)
class Episodes:
    """A set of simulated episodes: per-episode draws, features, outcomes and labels.

    Attributes
    ----------
    dist : EpisodeDistribution
    seed : int
    leverage, long_share, notional, depth, sigma, pressure, shock, drift : ndarray
        The draws (see :class:`EpisodeDistribution`).
    shock_step : ndarray of int
    X : ndarray, shape (n, 5)
        Features at the warning step, columns :data:`FEATURES`: loop gain :math:`\rho / D`
        (the longs' liquidation density within 5% below the price, units per 1%, over the
        depth), log depth (units per 1%), realised
        volatility of the calm (std of one-step log returns), log open interest (USD) and
        order-flow imbalance.
    y : ndarray of bool
        Cascade after the warning.
    forced_share : ndarray
        Forced sales after the warning over open interest.
    bad_debt, drawdown : ndarray
        Bad debt (USD) and largest fall from the price at the warning (fraction) after it.
    open_interest : ndarray
        USD.
    """

    dist: EpisodeDistribution
    seed: int
    leverage: np.ndarray
    long_share: np.ndarray
    notional: np.ndarray
    depth: np.ndarray
    sigma: np.ndarray
    pressure: np.ndarray
    shock: np.ndarray
    drift: np.ndarray
    shock_step: np.ndarray
    X: np.ndarray
    y: np.ndarray
    forced_share: np.ndarray
    bad_debt: np.ndarray
    drawdown: np.ndarray
    open_interest: np.ndarray

    def __len__(self) -> int:
        return int(self.y.size)

    @property
    def base_rate(self) -> float:
        """Share of episodes that cascade."""
        return float(self.y.mean())


def episode_market(episodes: Episodes, i: int) -> tuple[Positions, Scenario, int]:
    """Positions, scenario and engine seed of episode ``i`` (the population is cached).

    Examples
    --------
    >>> eps = draw_episodes(20, seed=1)
    >>> pos, sc, seed = episode_market(eps, 3)
    >>> len(pos) == eps.dist.n_positions
    True
    """
    check_instance("episodes", episodes, Episodes)
    i = check_int("i", i, 0, len(episodes) - 1)
    d = episodes.dist
    pos = population(d.n_positions, seed=_pop_seed(episodes.seed, i),
                     leverage=float(episodes.leverage[i]),
                     long_share=float(episodes.long_share[i]),
                     notional=float(episodes.notional[i]))
    shock = float(episodes.shock[i])
    sc = Scenario(price=PRICE, sigma=float(episodes.sigma[i]), mu=float(episodes.drift[i]),
                  shock=shock, shock_step=int(episodes.shock_step[i]),
                  depth=float(episodes.depth[i]), insurance_fund=0.0)
    return pos, sc, _path_seed(episodes.seed, i)


def _pop_seed(seed: int, i: int) -> int:
    return 1_000_003 * seed + 2 * i


def _path_seed(seed: int, i: int) -> int:
    return 1_000_003 * seed + 2 * i + 1


def _forward(res: SimulationResult, warn: int, open_interest: float) -> tuple[float, float, float]:
    """Forced-sale share of open interest, bad debt and drawdown from the warning price on."""
    p_warn = res.pre_trade_price[warn]
    forced = float(res.liquidated_notional[warn:].sum()) / open_interest
    drawdown = max(0.0, 1.0 - float(res.price[warn:].min()) / p_warn)
    return forced, float(res.bad_debt[warn:].sum()), drawdown


def _features(pos: Positions, res: SimulationResult, warn: int, ofi: float) -> np.ndarray:
    p = float(res.pre_trade_price[warn])
    rho = liquidation_density(pos, p, window=0.05, side=1)
    r = np.diff(np.log(res.price[:warn]))
    return np.array([rho / res.scenario.depth, math.log(res.scenario.depth), float(r.std()),
                     math.log(float(pos.notional.sum())), ofi])


@cached
def _draw_episodes(n: int, dist: EpisodeDistribution, seed: int) -> Episodes:
    rng = np.random.default_rng(seed)
    lev = rng.uniform(*dist.leverage, n)
    long_share = rng.uniform(*dist.long_share, n)
    notional = _loguniform(rng, *dist.notional, n)
    depth = _loguniform(rng, *dist.depth, n)
    sigma = _loguniform(rng, *dist.sigma, n)
    pressure = rng.random(n)
    shock = pressure * (0.5 + 0.5 * rng.random(n)) * dist.max_shock
    drift = -pressure * dist.max_drift
    shock_step = rng.integers(dist.warn_step + 5, dist.warn_step + dist.horizon // 2, n)
    ofi = pressure + dist.ofi_noise * rng.standard_normal(n)
    X = np.empty((n, len(FEATURES)))
    forced = np.empty(n)
    bad = np.empty(n)
    dd = np.empty(n)
    oi = np.empty(n)
    eps = Episodes(dist, seed, lev, long_share, notional, depth, sigma, pressure, shock, drift,
                   shock_step, X, np.zeros(n, bool), forced, bad, dd, oi)
    for i in range(n):
        pos, sc, path_seed = episode_market(eps, i)
        res = simulate(pos, sc, steps=dist.steps, seed=path_seed)
        oi[i] = float(pos.notional.sum())
        X[i] = _features(pos, res, dist.warn_step, float(ofi[i]))
        forced[i], bad[i], dd[i] = _forward(res, dist.warn_step, oi[i])
    y = forced > dist.cascade_share
    for arr in (X, forced, bad, dd, oi, y):
        arr.flags.writeable = False
    return dataclasses.replace(eps, y=y)


def draw_episodes(n: int, *, dist: EpisodeDistribution | None = None, seed: int = 0) -> Episodes:
    """Simulate ``n`` random episodes from ``dist`` and measure features and outcomes.

    Parameters
    ----------
    n : int
        Number of episodes, in [2, 100000].
    dist : EpisodeDistribution or None
        Where the episodes come from; None = the defaults.
    seed : int
        Root seed, >= 0: the same ``(n, dist, seed)`` gives the same episodes (and is cached).

    Returns
    -------
    Episodes

    Notes
    -----
    Each episode is one :func:`cascadelab.simulate` run (no insurance fund, so bad debt is
    counted in full), about a millisecond with the default 2,000 positions.

    Examples
    --------
    >>> eps = draw_episodes(50, seed=0)
    >>> eps.X.shape
    (50, 5)
    """
    n, seed = check_run(n=n, seed=seed, n_range=(2, 100_000))
    if dist is None:
        dist = EpisodeDistribution()
    elif not isinstance(dist, EpisodeDistribution):
        raise ValueError(f"dist must be a cascadelab.chapters.horizon.EpisodeDistribution, got "
                         f"{type(dist).__name__}")
    return _draw_episodes(n, dist, seed)


def cap_leverage(positions: Positions, cap: float) -> tuple[Positions, float]:
    r"""Raise margins: every position above ``cap`` x leverage tops up to exactly ``cap``.

    A position of notional :math:`N` at leverage :math:`L > L_c` posts
    :math:`N (1/L_c - 1/L)` USD more collateral; its liquidation price moves away from the price.

    Returns
    -------
    (Positions, float)
        The capped population and the collateral added, USD.
    """
    check_instance("positions", positions, Positions)
    cap = check_real("cap", cap, lo=1.0, hi=1000.0)
    lev = positions.leverage
    if cap * positions.maintenance.max(initial=0.0) >= 1.0:
        raise ValueError(f"cap must be below 1/maintenance = "
                         f"{1.0 / positions.maintenance.max():g}, got {cap:g}")
    new_lev = np.minimum(lev, cap)
    added = float((positions.notional * (1.0 / new_lev - 1.0 / lev)).sum())
    capped = Positions(positions.side, positions.size, positions.entry, new_lev,
                       positions.maintenance)
    return capped, added


POLICIES = ("margin", "pause")
"""Actions on a warning: ``"margin"`` caps leverage (:func:`cap_leverage`); ``"pause"`` arms a
circuit breaker that halts trading and liquidations while the book refills."""


@dataclass(frozen=True)
class PolicyOutcome:
    """What acting on warnings did, episode by episode and in total.

    Attributes
    ----------
    warned : ndarray of bool
        Episodes on which the policy was switched on.
    bad_debt_without, bad_debt_with : ndarray
        Bad debt after the warning step, USD, without and with the policy.
    drawdown_without, drawdown_with : ndarray
        Largest fall from the warning price, fraction.
    collateral_added : float
        Margin policy: collateral traders had to add over all warned episodes, USD.
    halted_steps : int
        Pause policy: steps halted over all warned episodes.
    """

    warned: np.ndarray
    bad_debt_without: np.ndarray
    bad_debt_with: np.ndarray
    drawdown_without: np.ndarray
    drawdown_with: np.ndarray
    collateral_added: float
    halted_steps: int

    @property
    def summary(self) -> dict[str, float]:
        """Totals and means: bad debt and mean drawdown with and without, share warned."""
        return {
            "warned_share": float(self.warned.mean()),
            "bad_debt_without": float(self.bad_debt_without.sum()),
            "bad_debt_with": float(self.bad_debt_with.sum()),
            "drawdown_without": float(self.drawdown_without.mean()),
            "drawdown_with": float(self.drawdown_with.mean()),
            "collateral_added": self.collateral_added,
            "halted_steps": float(self.halted_steps),
        }


def _policy_run(episodes: Episodes, i: int, policy: str,
                level: float) -> tuple[float, float, float, int]:
    """Episode ``i`` replayed under the policy: bad debt and drawdown after the warning,
    collateral added, steps halted."""
    pos, sc, seed = episode_market(episodes, i)
    added = 0.0
    if policy == "margin":
        pos, added = cap_leverage(pos, level)
    else:
        sc = sc.replace(band=level, window=5, halt_steps=20, halt_resilience=0.3)
    res = simulate(pos, sc, steps=episodes.dist.steps, seed=seed)
    _, bad, dd = _forward(res, episodes.dist.warn_step, float(episodes.open_interest[i]))
    return bad, dd, added, res.halted_steps


@cached
def _replays(episodes: Episodes, policy: str,
             level: float) -> dict[int, tuple[float, float, float, int]]:
    """The replays of ``episodes`` under one policy, episode index -> :func:`_policy_run`.

    One cache entry per (episodes, policy, level), filled by :func:`warning_policy` as warnings
    ask for episodes, so moving the warning threshold replays only the episodes not seen yet.
    """
    return {}


def warning_policy(
    episodes: Episodes, warned: np.ndarray, *, policy: str = "margin", level: float = 5.0
) -> PolicyOutcome:
    r"""Replay ``episodes`` with the policy switched on where ``warned``, off elsewhere.

    Parameters
    ----------
    episodes : Episodes
        Usually the held-out episodes.
    warned : array of bool
        One flag per episode (e.g. ``model.predict_proba(X) >= threshold``).
    policy : {"margin", "pause"}
        ``"margin"``: leverage capped at ``level`` x (traders top up, :func:`cap_leverage`);
        ``"pause"``: a breaker with band ``level`` (fraction) over 5 steps halts trading and
        liquidations for 20 steps while the book refills (30% of the impact per step).
    level : float
        Leverage cap (x, in [1, 100]) or breaker band (fraction, in (0, 0.5)).

    Returns
    -------
    PolicyOutcome

    Notes
    -----
    The policy is applied to the whole episode. Before the warning the market is calm: a breaker
    does not trip and few positions are liquidated, so this is the same, up to those few, as
    switching it on at the warning. Replays are remembered per episode set, policy and level
    (one entry of the course cache), so a new threshold replays only episodes not seen yet.
    """
    check_instance("episodes", episodes, Episodes)
    check_choice("policy", policy, POLICIES)
    if policy == "margin":
        level = check_real("level", level, 1.0, 100.0)
    else:
        level = check_real("level", level, 0.0, 0.5, lo_open=True, hi_open=True)
    flags = check_array("warned", warned, ndim=None)
    if flags.shape != (len(episodes),):
        raise ValueError(f"warned must have one flag per episode ({len(episodes)}), got shape "
                         f"{flags.shape}")
    if not np.isin(flags, (0.0, 1.0)).all():
        i = int(np.argmax(~np.isin(flags, (0.0, 1.0))))
        raise ValueError(f"warned must hold True/False (or 1/0) flags, got {flags[i]:g} at "
                         f"index {i}")
    warned = flags.astype(bool)
    runs = _replays(episodes, policy, float(level))
    bad = episodes.bad_debt.copy()
    dd = episodes.drawdown.copy()
    added = 0.0
    halted = 0
    for i in np.flatnonzero(warned).tolist():
        if i not in runs:
            runs[i] = _policy_run(episodes, i, policy, float(level))
        b, d, a, h = runs[i]
        bad[i], dd[i] = b, d
        added += a
        halted += h
    return PolicyOutcome(warned, episodes.bad_debt.copy(), bad, episodes.drawdown.copy(), dd,
                         added, halted)


@dataclass(frozen=True, eq=False)
class PredictorResult:
    """The predictive engine end to end: training and held-out episodes, the model, ROC curves.

    Attributes
    ----------
    train, test : Episodes
    model : LogisticModel
    roc_train, roc_test : RocCurve
    p_test : ndarray
        Predicted cascade probability of each held-out episode.
    """

    train: Episodes
    test: Episodes
    model: LogisticModel
    roc_train: RocCurve
    roc_test: RocCurve
    p_test: np.ndarray


@cached
def _predictive_engine(n_train: int, n_test: int, dist: EpisodeDistribution,
                       seed: int) -> PredictorResult:
    train = draw_episodes(n_train, dist=dist, seed=seed)
    test = draw_episodes(n_test, dist=dist, seed=seed + 1)
    model = fit_logistic(train.X, train.y, ridge=1e-3)
    p_test = model.predict_proba(test.X)
    return PredictorResult(train, test, model, roc_curve(train.y, model.predict_proba(train.X)),
                           roc_curve(test.y, p_test), p_test)


def predictive_engine(
    n_train: int = 600, n_test: int = 400, *, dist: EpisodeDistribution | None = None,
    seed: int = 0,
) -> PredictorResult:
    """Draw training and held-out episodes, fit the logistic model, score the held-out set.

    Training episodes use ``seed``, held-out ones ``seed + 1`` (independent draws from the same
    distribution). Cached per arguments.

    Examples
    --------
    >>> res = predictive_engine(200, 100, seed=0)
    >>> bool(res.roc_test.auc > 0.6)
    True
    """
    n_train = check_int("n_train", n_train, 20, 100_000)
    n_test = check_int("n_test", n_test, 20, 100_000)
    (seed,) = check_run(seed=seed)
    if dist is None:
        dist = EpisodeDistribution()
    check_instance("dist", dist, EpisodeDistribution)
    return _predictive_engine(n_train, n_test, dist, seed)
