r"""Chapter 05 (where it is going): pure scenario functions behind the horizon chapter's labs.

Six ideas, one section each, all on the package's engine (:func:`cascadelab.simulate`), the
static cascade and :func:`cascadelab.monte_carlo`:

1. **A predictive liquidation engine.** Random episodes drawn from a documented distribution
   (:class:`EpisodeDistribution`), five features of the market state at a warning step
   (liquidation density near the price, book depth, realised volatility, open interest,
   order-flow imbalance), a logistic model fitted by Newton's method (IRLS) on standardised
   features, :math:`P(y = 1 \mid x) = 1 / (1 + e^{-(\beta_0 + \beta^\top z)})`, its ROC curve on
   held-out episodes, and what acting on a warning (raising margins, or arming a breaker that
   pauses liquidations) buys out of sample: :func:`draw_episodes`, :func:`fit_logistic`,
   :func:`roc_curve`, :func:`warning_policy`, :func:`predictive_engine`.
2. **Cross-protocol risk monitoring.** Several venues trade one asset; arbitrage passes a share
   :math:`c` of every venue's order flow to a pooled book. The loop gain of the system is the
   spectral radius of a matrix whose diagonal is what each venue sees on its own:
   :func:`monitor_gains`, :func:`cross_venue_cascade`.
3. **Private margin.** The front-running predator with the liquidation map visible and hidden:
   :func:`private_margin_scenario`.
4. **Programmable circuit breakers.** Rules on the stress index
   :math:`S = (\rho / D)\,(\sigma / \sigma_{\text{ref}})` against a plain fixed band, on the same
   normal and crash days: a band armed by :math:`S` at the open, and the engine's per-step
   stress rule (halt when :math:`S_t \ge S^*`, ``Scenario.stress_halt``):
   :func:`stress_index`, :func:`breaker_days`, :func:`breaker_tradeoff`.
5. **Self-healing markets.** A backstop liquidity provider paid a rebate to add depth when
   forced selling arrives, its P&L and whether its incentive holds as the shock grows:
   :func:`backstop_scenario`.
6. **Pricing cascade risk into leverage.** The fair funding charge per leverage level from Monte
   Carlo bad debt: :func:`funding_charge`.

Every function is pure (parameters in, a frozen result out), validates its inputs (``ValueError``
naming the parameter) and caches what it may (populations, episode sets).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from cascadelab._validate import check_choice, check_int, check_real
from cascadelab.cascade import liquidation_density
from cascadelab.engine import Scenario, SimulationResult, simulate
from cascadelab.engine.montecarlo import monte_carlo
from cascadelab.positions import Positions, sample_positions

__all__ = [
    "FEATURES",
    "BackstopResult",
    "BreakerDays",
    "BreakerTradeoff",
    "CrossVenueResult",
    "EpisodeDistribution",
    "Episodes",
    "FundingCurve",
    "LogisticModel",
    "PolicyOutcome",
    "PredictorResult",
    "PrivateMarginResult",
    "RocCurve",
    "Venue",
    "backstop_scenario",
    "breaker_days",
    "breaker_tradeoff",
    "cap_leverage",
    "cross_venue_cascade",
    "default_venues",
    "draw_episodes",
    "episode_market",
    "fit_logistic",
    "funding_charge",
    "gain_buildup",
    "monitor_gains",
    "predictive_engine",
    "private_margin_scenario",
    "roc_curve",
    "stress_index",
    "warning_policy",
]

PRICE = 100.0
"""Starting price of every scenario of the chapter, USD."""


# =============================================================================================
# 1. A predictive liquidation engine
# =============================================================================================

FEATURES = ("loop_gain", "log_depth", "realised_vol", "log_open_interest", "flow_imbalance")
"""Names of the five features, in the column order of :attr:`Episodes.X`."""


def _loguniform(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return np.exp(rng.uniform(math.log(lo), math.log(hi), n))


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
            a, b = getattr(self, name)
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


@lru_cache(maxsize=4096)
def _episode_positions(n: int, leverage: float, long_share: float, notional: float,
                       seed: int) -> Positions:
    return sample_positions(n, PRICE, leverage=leverage, long_share=long_share,
                            notional=notional, seed=seed)


def episode_market(episodes: Episodes, i: int) -> tuple[Positions, Scenario, int]:
    """Positions, scenario and engine seed of episode ``i`` (the population is cached).

    Examples
    --------
    >>> eps = draw_episodes(20, seed=1)
    >>> pos, sc, seed = episode_market(eps, 3)
    >>> len(pos) == eps.dist.n_positions
    True
    """
    i = check_int("i", i, 0, len(episodes) - 1)
    d = episodes.dist
    pos = _episode_positions(d.n_positions, float(episodes.leverage[i]),
                             float(episodes.long_share[i]), float(episodes.notional[i]),
                             _pop_seed(episodes.seed, i))
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


@lru_cache(maxsize=16)
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


def draw_episodes(n: int, dist: EpisodeDistribution | None = None, *, seed: int = 0) -> Episodes:
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
    n = check_int("n", n, 2, 100_000)
    seed = check_int("seed", seed, lo=0)
    if dist is None:
        dist = EpisodeDistribution()
    elif not isinstance(dist, EpisodeDistribution):
        raise ValueError(f"dist must be a cascadelab.chapters.horizon.EpisodeDistribution, got "
                         f"{type(dist).__name__}")
    return _draw_episodes(n, dist, seed)


@dataclass(frozen=True)
class LogisticModel:
    r"""A fitted logistic model on standardised features.

    :math:`P(y=1 \mid x) = \sigma(\beta_0 + \beta^\top z)`, :math:`z = (x - m) / s`,
    :math:`\sigma(u) = 1/(1 + e^{-u})`.

    Attributes
    ----------
    intercept : float
        :math:`\beta_0`.
    coef : ndarray
        :math:`\beta`, per standardised feature (one standard deviation up multiplies the odds
        by :math:`e^{\beta_j}`).
    mean, scale : ndarray
        :math:`m` and :math:`s`, the training features' mean and standard deviation.
    iterations : int
        Newton steps taken.
    """

    intercept: float
    coef: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    iterations: int

    def decision(self, X: np.ndarray) -> np.ndarray:
        r"""Log-odds :math:`\beta_0 + \beta^\top z` per row of ``X``."""
        X = np.asarray(X, dtype=float)
        return self.intercept + ((X - self.mean) / self.scale) @ self.coef

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of the event per row of ``X``."""
        return 1.0 / (1.0 + np.exp(-self.decision(X)))

    @property
    def raw_coef(self) -> tuple[float, np.ndarray]:
        """Intercept and coefficients on the unstandardised features."""
        b = self.coef / self.scale
        return float(self.intercept - b @ self.mean), b


def fit_logistic(
    X: np.ndarray, y: np.ndarray, *, ridge: float = 1e-6, max_iter: int = 100,
    tol: float = 1e-10,
) -> LogisticModel:
    r"""Fit a logistic regression by Newton's method (IRLS) on standardised features.

    Maximises :math:`\sum_i [y_i u_i - \ln(1 + e^{u_i})] - \tfrac{\lambda}{2}\lVert\beta\rVert^2`
    with :math:`u_i = \beta_0 + \beta^\top z_i`. Each step solves
    :math:`(Z^\top W Z + \lambda I)\,\delta = Z^\top (y - p) - \lambda\beta`,
    :math:`W = \operatorname{diag}(p_i (1 - p_i))` (the intercept is not penalised).

    Parameters
    ----------
    X : array, shape (n, k)
        Features (any units: they are standardised to mean 0, sd 1 first).
    y : array of bool or {0, 1}, shape (n,)
        Labels; both classes must be present.
    ridge : float
        :math:`\lambda` >= 0, keeps the fit finite if the classes are separable.
    max_iter : int
        Largest number of Newton steps, >= 1.
    tol : float
        Stop when the largest step is below this, > 0.

    Returns
    -------
    LogisticModel

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((4000, 2))
    >>> y = rng.random(4000) < 1 / (1 + np.exp(-(0.5 + 2 * X[:, 0] - X[:, 1])))
    >>> np.round(fit_logistic(X, y).raw_coef[1], 1)
    array([ 2., -1.])
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2 or not np.isfinite(X).all():
        raise ValueError(f"X must be a finite 2-D array with at least 2 rows, got shape "
                         f"{X.shape}")
    y = np.asarray(y)
    if y.shape != (X.shape[0],) or not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must hold one 0/1 label per row of X ({X.shape[0]}), got shape "
                         f"{y.shape}")
    y = y.astype(float)
    if y.min() == y.max():
        raise ValueError("y must contain both classes (0 and 1) to fit a logistic model")
    ridge = check_real("ridge", ridge, lo=0.0)
    max_iter = check_int("max_iter", max_iter, 1, 10_000)
    tol = check_real("tol", tol, lo=0.0, lo_open=True)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    Z = np.column_stack([np.ones(X.shape[0]), (X - mean) / scale])
    beta = np.zeros(Z.shape[1])
    penalty = np.full(Z.shape[1], ridge)
    penalty[0] = 0.0
    it = 0
    while it < max_iter:
        it += 1
        p = 1.0 / (1.0 + np.exp(-(Z @ beta)))
        w = p * (1.0 - p)
        grad = Z.T @ (y - p) - penalty * beta
        hess = (Z * w[:, None]).T @ Z + np.diag(penalty) + 1e-12 * np.eye(Z.shape[1])
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.abs(step).max() < tol:
            break
    return LogisticModel(float(beta[0]), beta[1:].copy(), mean, scale, it)


@dataclass(frozen=True)
class RocCurve:
    """Receiver operating characteristic of a score against labels.

    Attributes
    ----------
    fpr, tpr : ndarray
        False- and true-positive rates, from (0, 0) to (1, 1), one point per distinct threshold.
    thresholds : ndarray
        Score thresholds (warn when ``score >= threshold``), decreasing; the first is ``inf``.
    auc : float
        Area under the curve: the probability that a random positive scores above a random
        negative (ties count half). 0.5 is chance.
    """

    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray
    auc: float

    def at(self, threshold: float) -> tuple[float, float]:
        """(false-positive rate, true-positive rate) when warning at ``score >= threshold``."""
        k = int(np.searchsorted(-self.thresholds, -threshold, side="right")) - 1
        return float(self.fpr[k]), float(self.tpr[k])


def roc_curve(y: np.ndarray, score: np.ndarray) -> RocCurve:
    r"""The ROC curve and its area (AUC) of ``score`` as a predictor of ``y``.

    :math:`\text{TPR}(t) = P(\text{score} \ge t \mid y = 1)`,
    :math:`\text{FPR}(t) = P(\text{score} \ge t \mid y = 0)`; the AUC is computed by the
    trapezoid rule, equal to the Mann-Whitney statistic.

    Examples
    --------
    >>> roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).auc
    0.75
    """
    y = np.asarray(y)
    score = np.asarray(score, dtype=float)
    if y.ndim != 1 or y.shape != score.shape or not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must be 0/1 labels with one score each, got shapes {y.shape} and "
                         f"{score.shape}")
    if not np.isfinite(score).all():
        raise ValueError("score must be finite")
    pos = int(y.sum())
    neg = y.size - pos
    if pos == 0 or neg == 0:
        raise ValueError("y must contain both classes (0 and 1) to draw a ROC curve")
    order = np.argsort(-score, kind="stable")
    s = score[order]
    yy = y[order].astype(float)
    last = np.r_[np.flatnonzero(np.diff(s) != 0), s.size - 1]
    tp = np.cumsum(yy)[last]
    fp = (last + 1) - tp
    tpr = np.r_[0.0, tp / pos]
    fpr = np.r_[0.0, fp / neg]
    auc = float(np.sum(np.diff(fpr) * 0.5 * (tpr[1:] + tpr[:-1])))
    return RocCurve(fpr, tpr, np.r_[np.inf, s[last]], auc)


def cap_leverage(positions: Positions, cap: float) -> tuple[Positions, float]:
    r"""Raise margins: every position above ``cap`` x leverage tops up to exactly ``cap``.

    A position of notional :math:`N` at leverage :math:`L > L_c` posts
    :math:`N (1/L_c - 1/L)` USD more collateral; its liquidation price moves away from the price.

    Returns
    -------
    (Positions, float)
        The capped population and the collateral added, USD.
    """
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


@lru_cache(maxsize=65_536)
def _policy_run(eps_key: tuple, i: int, policy: str, level: float) -> tuple[float, float, float,
                                                                              int]:
    eps = _EPISODES_BY_KEY[eps_key]
    pos, sc, seed = episode_market(eps, i)
    added = 0.0
    if policy == "margin":
        pos, added = cap_leverage(pos, level)
    else:
        sc = sc.replace(band=level, window=5, halt_steps=20, halt_resilience=0.3)
    res = simulate(pos, sc, steps=eps.dist.steps, seed=seed)
    _, bad, dd = _forward(res, eps.dist.warn_step, float(eps.open_interest[i]))
    return bad, dd, added, res.halted_steps


_EPISODES_BY_KEY: dict[tuple, Episodes] = {}


def _key(eps: Episodes) -> tuple:
    key = (len(eps), eps.dist, eps.seed)
    _EPISODES_BY_KEY.setdefault(key, eps)
    return key


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
    switching it on at the warning. Runs are cached per (episode, policy, level).
    """
    check_choice("policy", policy, POLICIES)
    if policy == "margin":
        level = check_real("level", level, 1.0, 100.0)
    else:
        level = check_real("level", level, 0.0, 0.5, lo_open=True, hi_open=True)
    warned = np.asarray(warned, dtype=bool)
    if warned.shape != (len(episodes),):
        raise ValueError(f"warned must have one flag per episode ({len(episodes)}), got shape "
                         f"{warned.shape}")
    key = _key(episodes)
    bad = episodes.bad_debt.copy()
    dd = episodes.drawdown.copy()
    added = 0.0
    halted = 0
    for i in np.flatnonzero(warned):
        b, d, a, h = _policy_run(key, int(i), policy, float(level))
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


@lru_cache(maxsize=8)
def _predictive_engine(n_train: int, n_test: int, dist: EpisodeDistribution,
                       seed: int) -> PredictorResult:
    train = draw_episodes(n_train, dist, seed=seed)
    test = draw_episodes(n_test, dist, seed=seed + 1)
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
    seed = check_int("seed", seed, lo=0)
    if dist is None:
        dist = EpisodeDistribution()
    return _predictive_engine(n_train, n_test, dist, seed)


# =============================================================================================
# 2. Cross-protocol risk monitoring
# =============================================================================================


@dataclass(frozen=True)
class Venue:
    """One venue trading the shared asset: its own population and its own book.

    Attributes
    ----------
    name : str
    n_positions : int
        Positions on the venue, >= 1.
    leverage : float
        Median leverage, x, in [1, 50].
    depth : float
        Depth of the venue's own book, units per 1%, > 0.
    long_share : float
        Share of longs, in [0, 1].
    seed : int
        Seed of the venue's population.
    """

    name: str
    n_positions: int = 3_000
    leverage: float = 10.0
    depth: float = 60_000.0
    long_share: float = 0.6
    seed: int = 0

    def __post_init__(self) -> None:
        check_int("n_positions", self.n_positions, 1, 10_000_000)
        check_real("leverage", self.leverage, 1.0, 50.0)
        check_real("depth", self.depth, 0.0, lo_open=True)
        check_real("long_share", self.long_share, 0.0, 1.0)
        check_int("seed", self.seed, lo=0)

    @property
    def positions(self) -> Positions:
        """The venue's population (cached)."""
        return _venue_positions(self.n_positions, self.leverage, self.long_share, self.seed)


@lru_cache(maxsize=64)
def _venue_positions(n: int, leverage: float, long_share: float, seed: int) -> Positions:
    return sample_positions(n, PRICE, leverage=leverage, long_share=long_share, seed=seed)


def default_venues() -> tuple[Venue, ...]:
    """Three venues of the chapter: a thin, highly levered one (A) and two calmer ones."""
    return (Venue("A", 5_000, 16.0, 30_000.0, 0.7, 11),
            Venue("B", 7_000, 12.0, 40_000.0, 0.65, 12),
            Venue("C", 7_000, 10.0, 35_000.0, 0.65, 13))


def _impact_matrix(depths: np.ndarray, coupling: float) -> np.ndarray:
    """M[v, w]: percent move of venue v's price per unit sold on venue w."""
    v = depths.size
    return (1.0 - coupling) * np.diag(1.0 / depths) + coupling / depths.sum() * np.ones((v, v))


def monitor_gains(
    densities: np.ndarray, depths: np.ndarray, coupling: float
) -> tuple[np.ndarray, float]:
    r"""Loop gains seen by each venue alone and by a monitor of the whole system.

    Arbitrage passes a share :math:`c` of each venue's flow to a pooled book of depth
    :math:`\sum_w D_w`, so :math:`Q_w` units sold on venue :math:`w` move venue :math:`v`'s
    price by :math:`M_{vw} Q_w` percent, :math:`M_{vw} = (1 - c)\,\delta_{vw}/D_v + c/\sum D`.
    With :math:`\rho_w` units of liquidations per 1% on venue :math:`w`, one lap of the loop maps
    the moves :math:`x` to :math:`G x`, :math:`G_{vw} = M_{vw}\,\rho_w`.

    * A venue that watches only its own positions sees :math:`g_v = G_{vv}`.
    * A system monitor that sums across venues sees the spectral radius :math:`r(G)`. Since
      :math:`G \ge 0`, :math:`r(G) \ge \max_v G_{vv}`, strictly when :math:`c > 0` and two
      venues carry liquidations: it crosses 1 first.

    Parameters
    ----------
    densities : array of float
        :math:`\rho_v`, units per 1%, >= 0.
    depths : array of float
        :math:`D_v`, units per 1%, > 0.
    coupling : float
        :math:`c` in [0, 1].

    Returns
    -------
    (ndarray, float)
        The venues' own gains and the system gain.

    Examples
    --------
    >>> own, system = monitor_gains([50_000.0, 50_000.0], [100_000.0, 100_000.0], 0.5)
    >>> own.round(3).tolist(), round(system, 3)
    ([0.375, 0.375], 0.5)
    """
    rho = np.asarray(densities, dtype=float)
    d = np.asarray(depths, dtype=float)
    if rho.ndim != 1 or rho.shape != d.shape or rho.size == 0:
        raise ValueError(f"densities and depths must be 1-D arrays of one value per venue, got "
                         f"shapes {rho.shape} and {d.shape}")
    if not (np.isfinite(rho).all() and (rho >= 0).all()):
        raise ValueError("densities must be finite and >= 0 (units per 1%)")
    if not (np.isfinite(d).all() and (d > 0).all()):
        raise ValueError("depths must be finite and > 0 (units per 1%)")
    coupling = check_real("coupling", coupling, 0.0, 1.0)
    G = _impact_matrix(d, coupling) * rho[None, :]
    return np.diag(G).copy(), float(np.abs(np.linalg.eigvals(G)).max())


@dataclass(frozen=True)
class CrossVenueResult:
    """A cascade across venues linked by arbitrage, and what the monitors saw beforehand.

    Attributes
    ----------
    venues : tuple of Venue
    coupling, shock : float
    round_prices : ndarray, shape (rounds + 1, V)
        Each venue's price after the dump (row 0) and after each round, USD.
    liquidated_units : ndarray, shape (V,)
        Forced sales per venue, units.
    final_move : ndarray, shape (V,)
        Each venue's fall from 100 USD, fraction.
    densities : ndarray, shape (V,)
        :math:`\rho_v` within 5% below the price before the dump, units per 1%.
    own_gain : ndarray, shape (V,)
        What each venue's own monitor saw (:func:`monitor_gains`).
    system_gain : float
        What the system monitor saw.
    """

    venues: tuple[Venue, ...]
    coupling: float
    shock: float
    round_prices: np.ndarray
    liquidated_units: np.ndarray
    final_move: np.ndarray
    densities: np.ndarray
    own_gain: np.ndarray
    system_gain: float

    @property
    def summary(self) -> dict[str, float]:
        """System gain, largest own gain, and each venue's fall (fraction)."""
        out = {"system_gain": self.system_gain, "max_own_gain": float(self.own_gain.max())}
        for v, move in zip(self.venues, self.final_move, strict=True):
            out[f"move_{v.name}"] = float(move)
        return out


def cross_venue_cascade(
    venues: tuple[Venue, ...] | None = None, *, coupling: float = 0.6, shock: float = 0.03,
    scale: float = 1.0, max_rounds: int = 2_000,
) -> CrossVenueResult:
    r"""A dump on the first venue, and the cascade it sets off on every venue through arbitrage.

    A seller dumps :math:`U_0 = 100\,s\,D_1` units on venue 1 (enough to move its own book by
    :math:`s` with no arbitrage). With :math:`Q` the cumulative units sold per venue (the dump
    plus forced sales), venue :math:`v`'s price is the linear-book price
    :math:`p_v = 100\,(1 - (MQ)_v / 100)` USD, :math:`M` as in :func:`monitor_gains`. Each round
    liquidates, on every venue, the longs whose liquidation price the venue's price has crossed,
    until no venue crosses another one (the static cascade of :func:`cascadelab.cascade`, venue
    by venue, with the prices linked by :math:`M`).

    Parameters
    ----------
    venues : tuple of Venue or None
        None = :func:`default_venues`.
    coupling : float
        Share :math:`c` of each venue's flow that arbitrage passes to the pooled book, in [0, 1].
    shock : float
        :math:`s`, in [0, 0.5).
    scale : float
        Multiplies every position's size (open interest grows with it), in (0, 100].
    max_rounds : int
        Safety cap on rounds, >= 1.

    Returns
    -------
    CrossVenueResult
    """
    venues = default_venues() if venues is None else tuple(venues)
    if not venues or not all(isinstance(v, Venue) for v in venues):
        raise ValueError("venues must be a non-empty sequence of cascadelab.chapters.horizon.Venue")
    coupling = check_real("coupling", coupling, 0.0, 1.0)
    shock = check_real("shock", shock, 0.0, 0.5, hi_open=True)
    scale = check_real("scale", scale, 0.0, 100.0, lo_open=True)
    max_rounds = check_int("max_rounds", max_rounds, lo=1)
    depths = np.array([v.depth for v in venues])
    M = _impact_matrix(depths, coupling)
    sides = [v.positions.by_trigger(1) for v in venues]
    liq = [s.liq for s in sides]  # decreasing
    cum = [np.r_[0.0, np.cumsum(s.size) * scale] for s in sides]
    rho = np.array([scale * liquidation_density(v.positions, PRICE, window=0.05)
                    for v in venues])
    own, system = monitor_gains(rho, depths, coupling)
    dump = np.zeros(len(venues))
    dump[0] = 100.0 * shock * depths[0]
    k = np.zeros(len(venues), dtype=np.int64)
    forced = np.zeros(len(venues))
    prices = [np.maximum(PRICE * (1.0 - M @ dump / 100.0), 1e-3 * PRICE)]
    for _ in range(max_rounds):
        p = prices[-1]
        new_k = np.array([int(np.searchsorted(-liq[j], -p[j], side="right"))
                          for j in range(len(venues))])
        if (new_k == k).all():
            break
        k = new_k
        forced = np.array([cum[j][k[j]] for j in range(len(venues))])
        prices.append(np.maximum(PRICE * (1.0 - M @ (dump + forced) / 100.0), 1e-3 * PRICE))
    round_prices = np.array(prices)
    return CrossVenueResult(venues, coupling, shock, round_prices, forced,
                            1.0 - round_prices[-1] / PRICE, rho, own, system)


def gain_buildup(
    venues: tuple[Venue, ...] | None = None, *, coupling: float = 0.6,
    scales: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Own and system loop gains as open interest grows on every venue by ``scales``.

    Both are linear in the scale: the system monitor crosses 1 at :math:`1/r(G)`, each venue at
    :math:`1/G_{vv}`, so the system warns first.

    Returns
    -------
    (scales, own, system)
        ``own`` has shape (len(scales), V).
    """
    venues = default_venues() if venues is None else tuple(venues)
    scales = np.linspace(0.2, 3.0, 57) if scales is None else np.asarray(scales, dtype=float)
    if scales.ndim != 1 or not (scales > 0).all():
        raise ValueError("scales must be a 1-D array of positive numbers")
    rho = np.array([liquidation_density(v.positions, PRICE, window=0.05) for v in venues])
    depths = np.array([v.depth for v in venues])
    own, system = monitor_gains(rho, depths, coupling)
    return scales, scales[:, None] * own[None, :], scales * system


# =============================================================================================
# 3. Private margin
# =============================================================================================


@dataclass(frozen=True)
class PrivateMarginResult:
    """The predator's hunt with the liquidation map public and private, on one path.

    Attributes
    ----------
    visible, hidden, quiet : SimulationResult
        Engine runs with levels visible, levels hidden, and no predator (same seed).
    capital : float
        Predator capital, USD.
    """

    visible: SimulationResult
    hidden: SimulationResult
    quiet: SimulationResult
    capital: float

    @property
    def summary(self) -> dict[str, float]:
        """Predator P&L (USD) and market drawdown (fraction) with visible and hidden levels."""
        return {
            "pnl_visible": self.visible.final_attacker_pnl,
            "pnl_hidden": self.hidden.final_attacker_pnl,
            "drawdown_visible": self.visible.max_drawdown,
            "drawdown_hidden": self.hidden.max_drawdown,
            "drawdown_quiet": self.quiet.max_drawdown,
            "liquidated_visible": self.visible.total_liquidated_notional,
            "liquidated_hidden": self.hidden.total_liquidated_notional,
        }


def private_margin_scenario(
    capital: float = 2e6, *, depth: float = 20_000.0, leverage: float = 12.0,
    reach: float = 0.03, sigma: float = 0.0005, steps: int = 200, seed: int = 0,
) -> PrivateMarginResult:
    r"""The front-running predator (:mod:`cascadelab.mechanisms.adversary`) on a calm market, twice.

    With the map public (``levels_visible=True``) it attacks only when a cluster of long
    liquidation levels within reach is large enough; with zero-knowledge margin the venue
    proves each account is solvent without revealing its level (``levels_visible=False``), so
    the predator pushes blind and pays the round trip of its own impact. Its P&L is
    :math:`\text{cash} + x\,p` at the end (USD). The market: ``sample_positions(5000, 100,
    leverage=leverage, seed=1)``, no scripted shock, volatility ``sigma`` per step.

    Parameters
    ----------
    capital : float
        Predator capital, USD, >= 0.
    depth : float
        Book depth, units per 1%, > 0.
    leverage : float
        Median leverage of the population, x, in [2, 40].
    reach : float
        How far below the price it looks for clusters, fraction, in (0, 0.5).
    sigma : float
        Volatility per step, in [0, 0.05].
    steps : int
        Steps, in [20, 5000].
    seed : int
        Seed of the price path, >= 0.

    Returns
    -------
    PrivateMarginResult
    """
    capital = check_real("capital", capital, lo=0.0)
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    leverage = check_real("leverage", leverage, 2.0, 40.0)
    reach = check_real("reach", reach, 0.0, 0.5, lo_open=True, hi_open=True)
    sigma = check_real("sigma", sigma, 0.0, 0.05)
    steps = check_int("steps", steps, 20, 5000)
    seed = check_int("seed", seed, lo=0)
    pos = _venue_positions(5_000, leverage, 0.6, 1)
    sc = Scenario(price=PRICE, sigma=sigma, shock=0.0, depth=depth, predator_capital=capital,
                  predator_reach=reach, predator_min_cluster=0.3)
    vis = simulate(pos, sc, steps=steps, seed=seed)
    hid = simulate(pos, sc.replace(levels_visible=False), steps=steps, seed=seed)
    quiet = simulate(pos, sc.replace(predator_capital=0.0), steps=steps, seed=seed)
    return PrivateMarginResult(vis, hid, quiet, capital)


# =============================================================================================
# 4. Programmable circuit breakers
# =============================================================================================

SIGMA_REF = 0.002
"""Reference volatility per step of the stress index."""


def stress_index(positions: Positions, price: float, depth: float, sigma: float) -> float:
    r"""Stress index :math:`S = (\rho / D)\,(\sigma / \sigma_{\text{ref}})`.

    :math:`\rho`: the longs' liquidation density within 5% below ``price`` (units per 1%, see
    :func:`cascadelab.liquidation_density`); :math:`D`: depth (units per 1%); :math:`\sigma`:
    volatility per step; :math:`\sigma_{\text{ref}}` = :data:`SIGMA_REF`. It is the loop gain
    scaled by how fast the price is moving: a fragile book matters more on a fast day.
    """
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    sigma = check_real("sigma", sigma, lo=0.0)
    rho = liquidation_density(positions, price, window=0.05)
    return rho / depth * sigma / SIGMA_REF


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
    pos = _episode_positions(2_000, float(days.leverage[i]), 0.65, 10_000.0, 7 * days.seed + i)
    sc = Scenario(price=PRICE, sigma=float(days.sigma[i]), shock=float(days.shock[i]),
                  shock_step=20, depth=float(days.depth[i]), window=5, halt_steps=20,
                  halt_resilience=0.3, insurance_fund=0.0, stress_window=0.05,
                  stress_sigma_ref=SIGMA_REF)
    return pos, sc


@lru_cache(maxsize=8)
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
    seed = check_int("seed", seed, lo=0)
    steps = check_int("steps", steps, 30, 10_000)
    return _breaker_days(n_normal, n_crash, seed, steps)


@lru_cache(maxsize=100_000)
def _day_run(days_key: tuple, i: int, band: float, stress_halt: float) -> tuple[float, int]:
    days = _breaker_days(*days_key)
    pos, sc = _day_market(days, i)
    res = simulate(pos, sc.replace(band=band, stress_halt=stress_halt), steps=days.steps,
                   seed=days.seed * 100_003 + i)
    return res.max_drawdown, res.halted_steps


def _key_days(days: BreakerDays) -> tuple[int, int, int, int]:
    return int((~days.crash).sum()), int(days.crash.sum()), days.seed, days.steps


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
    bands = np.asarray(bands, dtype=float)
    if bands.shape != days.crash.shape or (bands < 0).any() or (bands >= 0.5).any():
        raise ValueError(f"bands must hold one band in [0, 0.5) per day ({days.crash.size})")
    stress_halt = check_real("stress_halt", stress_halt, 0.0, 1e6)
    key = _key_days(days)
    dd = days.drawdown.copy()
    halted = np.zeros(dd.size, dtype=bool)
    # a day runs as with no breaker until its first halt: with no band, only the days whose
    # stress index reaches the threshold need a run
    rule = (days.peak_stress >= stress_halt) if stress_halt > 0.0 else np.zeros(dd.size, bool)
    for i in np.flatnonzero((bands > 0.0) | rule):
        dd[i], h = _day_run(key, int(i), float(bands[i]), stress_halt)
        halted[i] = h > 0
    crash = days.drawdown > CRASH_DRAWDOWN
    return float(halted[~crash].mean()), float((days.drawdown - dd)[crash].mean())


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

    ``thresholds`` default to deciles of the stress at the open, ``step_thresholds`` (each
    > 0) to quantiles 30%-90% of :attr:`BreakerDays.peak_stress`.
    """
    days = breaker_days() if days is None else days
    if not isinstance(days, BreakerDays):
        raise ValueError("days must come from cascadelab.chapters.horizon.breaker_days")
    tight = check_real("tight", tight, 0.0, 0.5, lo_open=True, hi_open=True)
    wide = check_real("wide", wide, 0.0, 0.5, hi_open=True)
    bands = np.array([0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.08]) if bands is None \
        else np.asarray(bands, dtype=float)
    if thresholds is None:
        thresholds = np.quantile(days.stress, [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    thresholds = np.asarray(thresholds, dtype=float)
    if step_thresholds is None:
        step_thresholds = np.quantile(days.peak_stress, [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    step_thresholds = np.asarray(step_thresholds, dtype=float)
    if step_thresholds.ndim != 1 or not np.all((step_thresholds > 0) & (step_thresholds <= 1e6)):
        raise ValueError(f"step_thresholds must be thresholds in (0, 1e6], got {step_thresholds!r}")
    n = days.crash.size
    band_res = np.array([breaker_outcome(days, np.full(n, b)) for b in bands])
    rule_res = np.array([breaker_outcome(days, np.where(days.stress >= t, tight, wide))
                         for t in thresholds])
    step_res = np.array([breaker_outcome(days, np.full(n, wide), s) for s in step_thresholds])
    return BreakerTradeoff(bands, band_res[:, 0], band_res[:, 1], thresholds, rule_res[:, 0],
                           rule_res[:, 1], step_thresholds, step_res[:, 0], step_res[:, 1],
                           tight, wide, float((days.drawdown > CRASH_DRAWDOWN).mean()))


# =============================================================================================
# 5. Self-healing markets: a backstop liquidity provider
# =============================================================================================


@dataclass(frozen=True, eq=False)
class BackstopResult:
    r"""The same shock with and without a paid backstop, and the backstop's P&L.

    Attributes
    ----------
    without, with_backstop : SimulationResult
    share : float
        Share of each step's net forced flow the backstop absorbs, :math:`\Delta D/(D+\Delta D)`.
    inventory : float
        Units it holds at the end, before its exit.
    rebates, mark, exit_cost : float
        Its P&L in USD: rebates earned, gain of the inventory marked at the last price
        (negative: it bought above where the price ended, adverse selection), and the impact
        of selling the inventory back into the venue's own book.
    """

    without: SimulationResult
    with_backstop: SimulationResult
    share: float
    inventory: float
    rebates: float
    mark: float
    exit_cost: float

    @property
    def pnl(self) -> float:
        """Rebates + mark - exit cost, USD."""
        return self.rebates + self.mark - self.exit_cost

    @property
    def summary(self) -> dict[str, float]:
        """Drawdown and bad debt with and without, and the backstop's P&L and its parts."""
        return {
            "drawdown_without": self.without.max_drawdown,
            "drawdown_with": self.with_backstop.max_drawdown,
            "bad_debt_without": self.without.total_bad_debt,
            "bad_debt_with": self.with_backstop.total_bad_debt,
            "inventory": self.inventory,
            "rebates": self.rebates,
            "mark": self.mark,
            "exit_cost": self.exit_cost,
            "pnl": self.pnl,
        }


def backstop_scenario(
    shock: float = 0.02, *, extra_depth: float = 30_000.0, rebate: float = 0.02,
    follow_through: float = 0.25, depth: float = 25_000.0, leverage: float = 12.0,
    steps: int = 300, seed: int = 0,
) -> BackstopResult:
    r"""A backstop that adds ``extra_depth`` to the book when forced selling arrives.

    The engine runs the same path twice, with depth :math:`D` and :math:`D + \Delta D`. Only
    forced flows trade in the engine, so extra depth matters exactly when liquidations hit the
    book: the backstop's quotes sit at the back of the book and fill only in a cascade. It
    absorbs the share :math:`\phi = \Delta D/(D + \Delta D)` of each step's net forced flow
    :math:`u_t` at the step's fill price :math:`f_t`, for :math:`b_t = \phi u_t` units, and is
    paid a rebate :math:`r` per USD bought (from liquidation penalties or a venue subsidy). At
    the end it sells its inventory :math:`Q = \sum b_t` into the venue's own book (depth
    :math:`D`, linear impact). Its P&L, USD:

    .. math::
        \Pi = r \sum_t b_t f_t + \sum_t b_t (p_T - f_t) - \frac{Q^2 p_T}{200 D}.

    Adverse selection: after the shock the fundamental keeps sliding, by ``follow_through``
    times the shock over the run (a drift from step 0, the shock at step 10), so inventory
    bought in the cascade is worth less later; bigger shocks also fill it with more units.

    Parameters
    ----------
    shock : float
        Shock at step 10, in [0, 0.3].
    extra_depth : float
        :math:`\Delta D`, units per 1%, >= 0.
    rebate : float
        :math:`r`, fraction of the USD bought, in [0, 0.1].
    follow_through : float
        Further fall of the fundamental over the run, as a multiple of the shock, in [0, 2].
    depth : float
        :math:`D`, units per 1%, > 0.
    leverage : float
        Median leverage of the 5,000 positions, x, in [2, 40].
    steps : int
        Steps, in [20, 5000].
    seed : int
        Seed of the price path.

    Returns
    -------
    BackstopResult
    """
    shock = check_real("shock", shock, 0.0, 0.3)
    extra_depth = check_real("extra_depth", extra_depth, lo=0.0)
    rebate = check_real("rebate", rebate, 0.0, 0.1)
    follow_through = check_real("follow_through", follow_through, 0.0, 2.0)
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    leverage = check_real("leverage", leverage, 2.0, 40.0)
    steps = check_int("steps", steps, 20, 5000)
    seed = check_int("seed", seed, lo=0)
    pos = _venue_positions(5_000, leverage, 0.6, 1)
    mu = math.log1p(-min(follow_through * shock, 0.9)) / steps
    sc = Scenario(price=PRICE, sigma=0.001, mu=mu, shock=shock, shock_step=10, depth=depth,
                  insurance_fund=0.0)
    without = simulate(pos, sc, steps=steps, seed=seed)
    with_b = simulate(pos, sc.replace(depth=depth + extra_depth), steps=steps, seed=seed)
    share = extra_depth / (depth + extra_depth)
    bought = share * with_b.net_flow
    fill = 0.5 * (with_b.pre_trade_price + with_b.price)
    p_end = float(with_b.price[-1])
    q = float(bought.sum())
    return BackstopResult(
        without, with_b, share, q, rebate * float(np.abs(bought * fill).sum()),
        float((bought * (p_end - fill)).sum()), q * q * p_end / (200.0 * depth),
    )


# =============================================================================================
# 6. Pricing cascade risk into the cost of leverage
# =============================================================================================


@dataclass(frozen=True)
class FundingCurve:
    """Fair funding charge per leverage level from Monte Carlo bad debt.

    Attributes
    ----------
    leverage : ndarray
        Leverage of each bucket, x.
    charge : ndarray
        Expected bad debt over open interest, per run of ``steps`` steps (fraction).
    tail_charge : ndarray
        99% expected shortfall of bad debt over open interest (fraction): what a buffer for a
        one-in-a-hundred path costs.
    prob_bad_debt : ndarray
        Share of paths with any bad debt.
    paths, steps : int
    """

    leverage: np.ndarray
    charge: np.ndarray
    tail_charge: np.ndarray
    prob_bad_debt: np.ndarray
    paths: int
    steps: int


FUNDING_MARKET = Scenario(sigma=0.004, tail_index=3.0, shock=0.0, jump_rate=0.01,
                          jump_mean=-0.04, jump_sd=0.02, depth=25_000.0, insurance_fund=0.0)
"""The stressed market of the funding charge: fat tails, occasional down jumps, no fund."""


def funding_charge(
    leverages: np.ndarray | None = None, *, scenario: Scenario | None = None,
    n_positions: int = 2_000, paths: int = 200, steps: int = 200, seed: int = 1,
) -> FundingCurve:
    r"""Fair charge per leverage bucket: :math:`c(L) = E[\text{bad debt}_L] / \text{OI}_L`.

    Each bucket is a population of ``n_positions`` positions whose leverage sits close to
    :math:`L` (``sample_positions(..., leverage=L, max_leverage=1.2 L, leverage_tail=20)``),
    run through :func:`cascadelab.monte_carlo` on the same market and the same paths. Charged
    to each position per ``steps`` steps as a share of its notional, the charge makes the
    venue's expected bad debt zero; the tail charge is the ES99 of bad debt per notional.

    Parameters
    ----------
    leverages : array of float or None
        Buckets, x, each in [1.5, 80]; None = 2, 3, 5, 8, 12, 20, 30, 50.
    scenario : Scenario or None
        The market; None = :data:`FUNDING_MARKET`.
    n_positions, paths, steps, seed : int
        Population size per bucket, Monte Carlo paths and steps, root seed.

    Returns
    -------
    FundingCurve
    """
    lev = (np.array([2.0, 3.0, 5.0, 8.0, 12.0, 20.0, 30.0, 50.0]) if leverages is None
           else np.asarray(leverages, dtype=float))
    if lev.ndim != 1 or lev.size == 0 or (lev < 1.5).any() or (lev > 80).any():
        raise ValueError("leverages must be a 1-D array of values in [1.5, 80] (x)")
    scenario = FUNDING_MARKET if scenario is None else scenario
    if not isinstance(scenario, Scenario):
        raise ValueError(f"scenario must be a cascadelab.Scenario, got {type(scenario).__name__}")
    n_positions = check_int("n_positions", n_positions, 10, 1_000_000)
    paths = check_int("paths", paths, 10, 1_000_000)
    steps = check_int("steps", steps, 10, 100_000)
    seed = check_int("seed", seed, lo=0)
    charge, tail, prob = (np.empty(lev.size) for _ in range(3))
    for j, L in enumerate(lev):
        pos = _bucket(n_positions, float(L))
        mc = monte_carlo(pos, scenario, paths=paths, steps=steps, seed=seed, progress=False)
        oi = float(pos.notional.sum())
        charge[j] = mc.bad_debt.mean() / oi
        tail[j] = mc.es(0.99) / oi
        prob[j] = float((mc.bad_debt > 0).mean())
    return FundingCurve(lev, charge, tail, prob, paths, steps)


@lru_cache(maxsize=64)
def _bucket(n: int, leverage: float) -> Positions:
    return sample_positions(n, PRICE, leverage=leverage, max_leverage=1.2 * leverage,
                            leverage_tail=20.0, maintenance=0.005, seed=3)
