r"""Dealers' gamma: delta hedging through the same book as the liquidations (chapter 02).

A dealer short gamma (:math:`\Gamma < 0`, units per USD) sells :math:`|\Gamma|\,p/100` units per
1% fall of the price :math:`p`; through a book of depth :math:`D` (units per 1%) they move the
price a further :math:`k` percent, the loop gain :math:`k = -\Gamma p / (100 D)`
(:func:`gamma_feedback_gain`).

**The engine's law.** In :func:`cascadelab.simulate` the dealer trades at step :math:`t` on the
move of the *pre-trade* price since step :math:`t-1`, so it answers its own impact one step
late, and that impact decays at the resilience :math:`\kappa` per step. Log-linearised (linear
book, no liquidations), with :math:`e_t` the fundamental's log return, :math:`x_t` the log of
the traded price over the fundamental after the step's trade and :math:`a = 1 - \kappa`:

.. math::
    x_t = a(1+k)\,x_{t-1} - a k\,x_{t-2} + k\,e_t, \qquad r_t = e_t + x_t - x_{t-1},

an AR(2) deviation under an ARMA(2, 2) return. Its one-step volatility multiplier is

.. math::
    M_1(k, \kappa)^2 = \frac{\operatorname{Var} r_t}{\operatorname{Var} e_t}
    = 1 + 2k + \frac{2k^2}{(1 - ak)(1 + a + 2ak)},

stable for :math:`-(1+a)/(2a) < k < 1/a = 1/(1-\kappa)` (:func:`gamma_vol_multiplier`,
:func:`hedging_stability_bound`). A fundamental move :math:`e` moves the price by
:math:`e\,(1 + \psi_j)` after :math:`j` steps, :math:`\psi_j` the impulse response of :math:`x`;
with permanent impact (:math:`\kappa = 0`), :math:`1 + \psi_j = (1 - k^{j+2})/(1 - k) \to
1/(1 - k)`, the multiplier of Frey & Stremme (1997), which the volatility of long-horizon
returns reaches. :func:`gamma_hedging_scenario` runs the dealer in the engine;
:func:`hedging_law_check` sets the law against long engine runs and
:func:`feedback_sign_scenario` flips the sign of the same flow.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_int, check_real
from cascadelab.chapters._course import PRICE, cached, population
from cascadelab.engine.simulate import Scenario, SimulationResult, default_market, simulate
from cascadelab.mechanisms.hedging import DealerBook, book_delta, book_gamma
from cascadelab.positions import Positions

__all__ = [
    "FeedbackSignResult",
    "GammaHedgingParams",
    "GammaHedgingResult",
    "HedgingLawCheck",
    "feedback_sign_scenario",
    "gamma_feedback_gain",
    "gamma_hedging_scenario",
    "gamma_vol_multiplier",
    "hedging_law_check",
    "hedging_stability_bound",
]


@dataclass(frozen=True)
class GammaHedgingParams:
    r"""Inputs of :func:`gamma_hedging_scenario`. Units: asset units, fractions, steps.

    Attributes
    ----------
    short_calls, short_puts : float
        Units of calls and puts the dealer sold, >= 0 (it is short: negative gamma).
    strike : float
        Strike of those options, fraction of the starting price, in [0.5, 1.5].
    expiry : int
        Step at which they expire, in [1, 100000].
    implied_vol : float
        Implied volatility per step used for the hedge ratios, in (0, 0.1].
    protective_puts : float
        Units of puts the dealer bought back (long gamma), >= 0.
    put_strike : float
        Their strike, fraction of the starting price, in [0.5, 1.5].
    shock : float
        Fall of the fundamental at ``shock_step``, fraction in [0, 0.5].
    sigma : float
        Volatility of the fundamental per step, in [0, 0.05].
    depth : float
        Book depth, units per 1%, > 0.
    resilience : float
        Share of transient impact that fades per step, :math:`\kappa`, in [0, 1).
    n : int
        Leveraged positions in the market (the course population), in [100, 200000].
    steps, shock_step, seed : int
        Length of the run, step of the shock, seed of the noise (shared by both runs).
    """

    short_calls: float = 1.5e6
    short_puts: float = 0.0
    strike: float = 1.0
    expiry: int = 400
    implied_vol: float = 0.005
    protective_puts: float = 0.0
    put_strike: float = 0.95
    shock: float = 0.03
    sigma: float = 0.002
    depth: float = 200_000.0
    resilience: float = 0.02
    n: int = 10_000
    steps: int = 300
    shock_step: int = 10
    seed: int = 0

    def replace(self, **changes: object) -> GammaHedgingParams:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def __post_init__(self) -> None:
        for name, lo, hi in (("short_calls", 0.0, None), ("short_puts", 0.0, None),
                             ("strike", 0.5, 1.5), ("implied_vol", 0.0, 0.1),
                             ("protective_puts", 0.0, None), ("put_strike", 0.5, 1.5),
                             ("shock", 0.0, 0.5), ("sigma", 0.0, 0.05), ("depth", 0.0, None),
                             ("resilience", 0.0, 1.0)):
            check_real(name, getattr(self, name), lo, hi,
                       lo_open=name in ("implied_vol", "depth"), hi_open=name == "resilience")
        check_int("expiry", self.expiry, 1, 100_000)
        check_int("n", self.n, 100, 200_000)
        check_int("steps", self.steps, 2, 100_000)
        check_int("shock_step", self.shock_step, 0, self.steps - 1)
        check_int("seed", self.seed, lo=0)

    def book(self, price: float = PRICE) -> DealerBook | None:
        """The dealer's short options as a :class:`~cascadelab.DealerBook` (None if empty)."""
        legs = [(True, self.short_calls), (False, self.short_puts)]
        legs = [(call, u) for call, u in legs if u > 0.0]
        if not legs:
            return None
        return DealerBook(
            strike=[self.strike * price] * len(legs), expiry=[self.expiry] * len(legs),
            units=[-u for _, u in legs], call=[c for c, _ in legs], vol=self.implied_vol,
        )


@dataclass(frozen=True, eq=False)
class GammaHedgingResult:
    r"""What :func:`gamma_hedging_scenario` returns (prices USD, sizes units, steps).

    Attributes
    ----------
    params : GammaHedgingParams
    spot_grid : ndarray
        Prices at which the book's Greeks are drawn, USD.
    delta, gamma : ndarray
        Book delta (units) and gamma (units per USD) on ``spot_grid`` at step 0, with the
        protective puts.
    gamma_unhedged : ndarray
        Gamma of the short options alone (no protective puts).
    hedge_sales, hedge_sales_unhedged : ndarray
        Units the dealer sells when the price falls 1% from each grid price,
        :math:`\Delta(0.99 p) - \Delta(p)` (the hedge holds :math:`-\Delta`, so its trade,
        buys positive, is :math:`-(\Delta(0.99p) - \Delta(p))`), with and without the
        protective puts.
    without, with_dealer : SimulationResult
        Engine runs on the same shock and noise, without a dealer and with the hedging dealer.
    gain : float
        Loop gain :math:`k = -\Gamma p / (100 D)` at the start (negative for a long-gamma book).
    """

    params: GammaHedgingParams
    spot_grid: np.ndarray
    delta: np.ndarray
    gamma: np.ndarray
    gamma_unhedged: np.ndarray
    hedge_sales: np.ndarray
    hedge_sales_unhedged: np.ndarray
    without: SimulationResult
    with_dealer: SimulationResult
    gain: float

    @property
    def summary(self) -> dict[str, float]:
        r"""Headline numbers: ``gamma`` (units/USD at the start), ``hedge_sales_per_pct``
        (units sold per 1% fall at the start), ``gain`` (:math:`k` at the start),
        ``gain_mean`` (mean of the gain the dealer faced over the run, :math:`-\Gamma_t
        p_t/(100D)`), ``stability_bound`` (:math:`1/(1-\kappa)`), ``vol_multiplier_theory``
        (the engine's law, :func:`gamma_vol_multiplier` :math:`M_1(k, \kappa)`, at the start
        gain), ``vol_multiplier_path`` (:math:`\sqrt{\overline{M_1(k_t, \kappa)^2}}` over the
        gains of the run), ``vol_multiplier_frey_stremme`` (:math:`1/(1-k)`, the long-horizon
        limit with permanent impact), ``vol_without`` and ``vol_with`` (realised per-step
        volatility, %), ``vol_ratio``, ``drawdown_without`` and ``drawdown_with`` (%),
        ``liquidated_without`` and ``liquidated_with`` (positions). The multipliers are
        ``math.inf`` where the linear loop is unstable."""
        i = int(np.argmin(np.abs(self.spot_grid - PRICE)))
        a, b = self.without, self.with_dealer
        kappa = self.params.resilience
        k_t = -b.dealer_gamma * b.pre_trade_price / (100.0 * b.depth)
        m_t = np.array([gamma_vol_multiplier(float(k), kappa) for k in k_t])
        return {
            "gamma": float(self.gamma[i]),
            "hedge_sales_per_pct": float(self.hedge_sales[i]),
            "gain": self.gain,
            "gain_mean": float(k_t.mean()) + 0.0,
            "stability_bound": hedging_stability_bound(kappa)[1],
            "vol_multiplier_theory": gamma_vol_multiplier(self.gain, kappa),
            "vol_multiplier_path": float(np.sqrt(np.mean(m_t * m_t))),
            "vol_multiplier_frey_stremme": (1.0 / (1.0 - self.gain) if self.gain < 1.0
                                            else math.inf),
            "vol_without": 100.0 * a.realized_vol,
            "vol_with": 100.0 * b.realized_vol,
            "vol_ratio": b.realized_vol / a.realized_vol if a.realized_vol > 0 else math.inf,
            "drawdown_without": 100.0 * a.max_drawdown,
            "drawdown_with": 100.0 * b.max_drawdown,
            "liquidated_without": float(a.n_liquidated),
            "liquidated_with": float(b.n_liquidated),
        }


def gamma_feedback_gain(gamma: float, spot: float, depth: float) -> float:
    r"""Loop gain of delta hedging, :math:`k = -\Gamma p / (100 D)` (dimensionless).

    A fall of 1% makes a book of gamma :math:`\Gamma` (units per USD) at price :math:`p` (USD)
    sell :math:`-\Gamma p/100` units, which move the price a further :math:`k` percent through
    a book of depth :math:`D` (units per 1%). In the engine this gain multiplies one-step
    volatility by :func:`gamma_vol_multiplier` :math:`M_1(k, \kappa)`, and the loop is stable
    below :func:`hedging_stability_bound` :math:`1/(1-\kappa)`; with permanent impact the
    volatility of long-horizon returns is multiplied by :math:`1/(1 - k)` (Frey & Stremme).

    Examples
    --------
    >>> round(gamma_feedback_gain(-50_000.0, 100.0, 200_000.0), 3)
    0.25
    """
    gamma = check_real("gamma", gamma)
    spot = check_real("spot", spot, 0.0, lo_open=True)
    depth = check_real("depth", depth, 0.0, lo_open=True)
    return -gamma * spot / (100.0 * depth) + 0.0  # + 0.0: an empty book has gain 0, not -0


def hedging_stability_bound(resilience: float = 0.02) -> tuple[float, float]:
    r"""Range of loop gains :math:`k` for which the engine's hedging loop is stable.

    The deviation of the module docstring, :math:`x_t = a(1+k)x_{t-1} - ak\,x_{t-2} + k e_t`
    with :math:`a = 1 - \kappa`, has the characteristic polynomial
    :math:`P(\lambda) = \lambda^2 - a(1+k)\lambda + ak`. Both roots lie inside the unit circle
    iff :math:`P(1) = 1 - a > 0` (true for :math:`\kappa > 0`; at :math:`\kappa = 0` one root is
    exactly 1, permanent impact, and the returns stay stationary),
    :math:`P(-1) = 1 + a + 2ak > 0` and :math:`|ak| < 1`:

    .. math:: -\frac{1 + a}{2a} < k < \frac1a = \frac{1}{1 - \kappa}.

    A short-gamma loop (:math:`k > 0`) runs away past :math:`1/(1-\kappa)`, just above 1 at
    the default :math:`\kappa = 0.02`; a large long-gamma book (:math:`k < 0`) overshoots into
    growing oscillations below the lower end.

    Parameters
    ----------
    resilience : float
        :math:`\kappa`, share of transient impact that fades per step, in [0, 1).

    Returns
    -------
    (float, float)
        The ends (lower, upper) of the open interval of stable gains.

    Examples
    --------
    >>> lo, hi = hedging_stability_bound(0.02)
    >>> round(lo, 4), round(hi, 4)
    (-1.0102, 1.0204)
    """
    kappa = check_real("resilience", resilience, 0.0, 1.0, hi_open=True)
    a = 1.0 - kappa
    return -(1.0 + a) / (2.0 * a), 1.0 / a


#: Longest impulse response :func:`gamma_vol_multiplier` sums (terms).
_MAX_TERMS = 4_000_000


def gamma_vol_multiplier(gain: float, resilience: float = 0.02,
                         horizon: float = 1) -> float:
    r"""Volatility multiplier of the engine's delta-hedging loop, :math:`M_h(k, \kappa)`.

    The ratio of the standard deviations of :math:`h`-step log returns with and without the
    dealer, for a loop gain :math:`k` (:func:`gamma_feedback_gain`) held constant, resilience
    :math:`\kappa` and a linear book, in the log-linearised engine (module docstring): the
    dealer trades on the move of the pre-trade price, so it answers its own impact one step
    late, and that impact decays at :math:`\kappa` per step.

    * :math:`h = 1`, in closed form from the AR(2) deviation (:math:`a = 1 - \kappa`):

      .. math:: M_1^2 = 1 + 2k + \frac{2k^2}{(1 - ak)(1 + a + 2ak)};

      at :math:`\kappa = 0`, :math:`M_1^2 = (1 + k)^2 + k^4/(1 - k^2)`: the step's own move
      is amplified by :math:`1 + k`, and the further rounds :math:`k^2, k^3, \dots` arrive in
      the steps that follow.
    * :math:`h > 1`: :math:`M_h^2 = \frac1h \sum_{j \ge 0} (C_j - C_{j-h})^2`, with
      :math:`C_j = 1 + \psi_j` the price's response after :math:`j` steps to a unit
      fundamental move (:math:`C_j = 0` for :math:`j < 0`) and
      :math:`\psi_j = k(\lambda_1^{j+1} - \lambda_2^{j+1})/(\lambda_1 - \lambda_2)`, from the
      roots of :math:`\lambda^2 - a(1+k)\lambda + ak`; summed until the terms fall below 1e-17
      (at most 4 million terms).
    * :math:`h = \infty`: :math:`1/(1 - k)` at :math:`\kappa = 0`, Frey & Stremme's
      multiplier (the rounds of feedback add up, :math:`C_j \to 1/(1-k)`), and 1 for
      :math:`\kappa > 0` (transient impact fades; the fundamental alone remains).

    Parameters
    ----------
    gain : float
        Loop gain :math:`k` (negative for a long-gamma book).
    resilience : float
        :math:`\kappa`, in [0, 1).
    horizon : int or math.inf
        Return horizon :math:`h`, steps, >= 1.

    Returns
    -------
    float
        :math:`M_h`, x the volatility without the dealer; ``math.inf`` outside
        :func:`hedging_stability_bound` (the linear loop runs away).

    Examples
    --------
    >>> round(gamma_vol_multiplier(0.3, 0.02), 3)
    1.304
    >>> round(gamma_vol_multiplier(0.3, 0.0, math.inf), 3)   # Frey-Stremme: 1/(1 - 0.3)
    1.429
    """
    k = check_real("gain", gain)
    kappa = check_real("resilience", resilience, 0.0, 1.0, hi_open=True)
    if horizon != math.inf:
        horizon = check_int("horizon", horizon, lo=1)
    lo, hi = hedging_stability_bound(kappa)
    if not lo < k < hi:
        return math.inf
    a = 1.0 - kappa
    if horizon == math.inf:
        return 1.0 / (1.0 - k) if kappa == 0.0 else 1.0
    h = int(horizon)
    if h == 1:
        return math.sqrt(1.0 + 2.0 * k + 2.0 * k * k / ((1.0 - a * k) * (1.0 + a + 2.0 * a * k)))
    root = complex(a * a * (1.0 + k) ** 2 - 4.0 * a * k) ** 0.5
    l1, l2 = 0.5 * (a * (1.0 + k) + root), 0.5 * (a * (1.0 + k) - root)
    # the slowest mode left in C_j - C_{j-h} (at kappa = 0 the unit root cancels)
    r = abs(k) if kappa == 0.0 else max(abs(l1), abs(l2))
    n = h + (math.ceil(math.log(1e-17) / math.log(r)) if 0.0 < r < 1.0 else 1)
    j = np.arange(min(n, _MAX_TERMS), dtype=np.float64)
    if abs(l1 - l2) > 1e-9:
        psi = (k * (l1 ** (j + 1) - l2 ** (j + 1)) / (l1 - l2)).real
    else:  # a double root
        psi = (k * (j + 1) * l1 ** j).real
    c = 1.0 + psi
    d = c.copy()
    d[h:] -= c[:-h]
    return math.sqrt(float(np.dot(d, d)) / h)


#: The flat-gain book of :func:`hedging_law_check` and :func:`feedback_sign_scenario`: one
#: far-dated call (:math:`s = \sigma\sqrt\tau = 1`) struck where its gain
#: :math:`-\Gamma p/(100D) \propto N'(d_1)` peaks at the starting price (:math:`d_1 = 0`,
#: :math:`K = p\,e^{s^2/2}`), so the gain stays within 2% of its start over a 20% move.
_FLAT_VOL = 0.001
_FLAT_TAU = 1_000_000
_FLAT_STRIKE = PRICE * math.exp(0.5 * (_FLAT_VOL * math.sqrt(_FLAT_TAU)) ** 2)


def _flat_book(gain: float, depth: float) -> DealerBook:
    """A dealer book with loop gain ``gain`` at :data:`PRICE` on a book of ``depth``."""
    unit = DealerBook([_FLAT_STRIKE], [_FLAT_TAU], [1.0], [True], _FLAT_VOL)
    units = -gain * 100.0 * depth / (PRICE * unit.gamma(PRICE))
    return DealerBook([_FLAT_STRIKE], [_FLAT_TAU], [units], [True], _FLAT_VOL)


def _horizon_var(price: np.ndarray, h: int) -> float:
    path = np.log(np.concatenate(([PRICE], price))[::h])
    return float(np.var(np.diff(path)))


@dataclass(frozen=True, eq=False)
class HedgingLawCheck:
    r"""The engine's delta-hedging loop against its law (see :func:`hedging_law_check`).

    Attributes
    ----------
    gains : ndarray
        Loop gains :math:`k` the dealer starts with (dimensionless).
    horizons : ndarray
        Return horizons :math:`h`, steps.
    resilience : float
        :math:`\kappa` of the runs, per step.
    engine : ndarray, shape (gains, horizons)
        Realised volatility of :math:`h`-step log returns with the dealer over that without it
        (same noise), pooled over the seeds, x.
    theory : ndarray, shape (gains, horizons)
        :func:`gamma_vol_multiplier` :math:`M_h(k, \kappa)`, x.
    frey_stremme : ndarray
        :math:`1/(1 - k)`, x (inf at :math:`k \ge 1`).
    realised_gain : ndarray
        Mean gain the dealer faced over the runs, :math:`-\Gamma_t p_t / (100 D)`.
    """

    gains: np.ndarray
    horizons: np.ndarray
    resilience: float
    engine: np.ndarray
    theory: np.ndarray
    frey_stremme: np.ndarray
    realised_gain: np.ndarray


@cached
def _law_point(gain: float, resilience: float, horizons: tuple[int, ...], steps: int,
               seeds: int, sigma: float, depth: float) -> tuple[tuple[float, ...], float]:
    empty = Positions(np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0), 0.0)
    quiet = Scenario(shock=0.0, sigma=sigma, depth=depth, resilience=resilience)
    dealt = quiet.replace(dealer=_flat_book(gain, depth))
    var_with, var_without, k = np.zeros(len(horizons)), np.zeros(len(horizons)), 0.0
    for seed in range(seeds):
        a = simulate(empty, quiet, steps=steps, seed=seed)
        b = simulate(empty, dealt, steps=steps, seed=seed)
        var_without += [_horizon_var(a.price, h) for h in horizons]
        var_with += [_horizon_var(b.price, h) for h in horizons]
        k += float(np.mean(-b.dealer_gamma * b.pre_trade_price / (100.0 * b.depth))) / seeds
    return tuple(np.sqrt(var_with / var_without).tolist()), k


def hedging_law_check(
    gains: tuple[float, ...] = (0.15, 0.30, 0.45),
    *,
    resilience: float = 0.02,
    horizons: tuple[int, ...] = (1,),
    steps: int = 20_000,
    seeds: int = 2,
    sigma: float = 0.001,
    depth: float = 200_000.0,
) -> HedgingLawCheck:
    r"""Run the engine's hedging dealer for a long time and compare it with its law.

    For each gain, :func:`cascadelab.simulate` runs a quiet market (no positions, no shock,
    noise ``sigma`` per step) with and without a dealer short one far-dated call whose gain is
    flat around the price (struck where the gain peaks, :math:`\sigma\sqrt\tau = 1`), sized
    so that its loop gain at the start is ``gain``. The realised volatility of :math:`h`-step
    log returns with the dealer over that without it (same noise, pooled over ``seeds`` runs)
    is set against :func:`gamma_vol_multiplier` and Frey & Stremme's :math:`1/(1 - k)`.

    Parameters
    ----------
    gains : sequence of float
        Loop gains :math:`k`, each in (-1, 1) and inside :func:`hedging_stability_bound`.
    resilience : float
        :math:`\kappa`, in [0, 1).
    horizons : sequence of int
        Return horizons, steps, each in [1, steps // 20].
    steps : int
        Steps of each run, in [100, 1000000].
    seeds : int
        Runs per gain (seeds 0, 1, ...), in [1, 100].
    sigma : float
        Volatility of the fundamental per step, in (0, 0.01].
    depth : float
        Book depth, units per 1%, > 0.

    Returns
    -------
    HedgingLawCheck

    Examples
    --------
    >>> chk = hedging_law_check((0.3,), steps=5_000, seeds=1)
    >>> bool(abs(chk.engine[0, 0] / chk.theory[0, 0] - 1.0) < 0.05)
    True
    """
    kappa = check_real("resilience", resilience, 0.0, 1.0, hi_open=True)
    steps = check_int("steps", steps, 100, 1_000_000)
    seeds = check_int("seeds", seeds, 1, 100)
    sigma = check_real("sigma", sigma, 0.0, 0.01, lo_open=True)
    depth = check_real("depth", depth, 0.0, lo_open=True)
    lo, hi = hedging_stability_bound(kappa)
    ks = tuple(check_real("gains", g, max(lo, -1.0), min(hi, 1.0), lo_open=True, hi_open=True)
               for g in gains)
    hs = tuple(check_int("horizons", h, 1, steps // 20) for h in horizons)
    if not ks or not hs:
        raise ValueError(f"gains and horizons must not be empty, got {gains!r}, {horizons!r}")
    pts = [_law_point(k, kappa, hs, steps, seeds, sigma, depth) for k in ks]
    return HedgingLawCheck(
        gains=np.array(ks), horizons=np.array(hs), resilience=kappa,
        engine=np.array([p[0] for p in pts]),
        theory=np.array([[gamma_vol_multiplier(k, kappa, h) for h in hs] for k in ks]),
        frey_stremme=np.array([1.0 / (1.0 - k) if k < 1.0 else math.inf for k in ks]),
        realised_gain=np.array([p[1] for p in pts]),
    )


@dataclass(frozen=True, eq=False)
class FeedbackSignResult:
    """Forced sellers against a contrarian of the same size (see :func:`feedback_sign_scenario`).

    Attributes
    ----------
    gain : float
        :math:`k` of the extra trader at the start (dimensionless).
    runs : dict of str to SimulationResult
        ``"none"`` (the course's default market), ``"seller"`` (plus a trader who sells about
        :math:`kD` units per 1% fall) and ``"buyer"`` (the same trader with the sign flipped:
        it buys about :math:`kD` units per 1% fall).
    """

    gain: float
    runs: dict[str, SimulationResult]

    @property
    def summary(self) -> dict[str, float]:
        r"""Per run (``none``, ``seller``, ``buyer``): ``vol_<run>`` (realised volatility per
        step, %), ``drawdown_<run>`` (%), ``liquidated_<run>`` (positions) and
        ``bad_debt_<run>`` (USD); ``corr_seller`` and ``corr_buyer`` (correlation of the units
        the trader sold, negative when it buys, with the fall of the pre-trade price since the
        last step), ``corr_liquidations`` (the same for the forced sales of the ``none`` run),
        and ``theory_seller``, ``theory_buyer`` (:func:`gamma_vol_multiplier` at :math:`\pm k`)."""
        out: dict[str, float] = {}
        for name, r in self.runs.items():
            out[f"vol_{name}"] = 100.0 * r.realized_vol
            out[f"drawdown_{name}"] = 100.0 * r.max_drawdown
            out[f"liquidated_{name}"] = float(r.n_liquidated)
            out[f"bad_debt_{name}"] = r.total_bad_debt
        for name, flow in (("seller", "dealer_flow"), ("buyer", "dealer_flow"),
                           ("liquidations", "liquidated_units")):
            r = self.runs["none" if name == "liquidations" else name]
            fall = -np.diff(np.concatenate(([PRICE], r.pre_trade_price)))
            out[f"corr_{name}"] = float(np.corrcoef(fall, getattr(r, flow))[0, 1])
        kappa = self.runs["none"].scenario.resilience
        out["theory_seller"] = gamma_vol_multiplier(self.gain, kappa)
        out["theory_buyer"] = gamma_vol_multiplier(-self.gain, kappa)
        return out


@cached
def _sign_runs(gain: float, steps: int, seed: int) -> tuple[SimulationResult, ...]:
    pos, sc = default_market()
    book = _flat_book(gain, sc.depth)
    flipped = DealerBook(book.strike, book.expiry, -book.units, book.call, book.vol)
    return tuple(simulate(pos, s, steps=steps, seed=seed)
                 for s in (sc, sc.replace(dealer=book), sc.replace(dealer=flipped)))


def feedback_sign_scenario(gain: float = 0.3, *, steps: int = 300,
                           seed: int = 0) -> FeedbackSignResult:
    r"""The same automatic flow with either sign: what the sign of a feedback does.

    Three runs of the course's default market (:func:`cascadelab.default_market`: a 5% shock
    at step 10, 20,000 leveraged positions) on the same noise: as it is; plus a trader who
    sells :math:`kD` units per 1% fall of the pre-trade price (a dealer short a flat-gain option
    book, loop gain :math:`k`); plus the same trader with the sign flipped, who *buys*
    :math:`kD` units per 1% fall (long the same book, gain :math:`-k`). The two flows have the
    same size; only their sign differs.

    Parameters
    ----------
    gain : float
        :math:`k`, in (0, 1).
    steps : int
        Steps, in [20, 10000].
    seed : int
        Seed of the noise, >= 0.

    Returns
    -------
    FeedbackSignResult

    Examples
    --------
    >>> s = feedback_sign_scenario().summary
    >>> bool(s["vol_seller"] > s["vol_none"] > s["vol_buyer"])
    True
    """
    gain = check_real("gain", gain, 0.0, 1.0, lo_open=True, hi_open=True)
    steps = check_int("steps", steps, 20, 10_000)
    seed = check_int("seed", seed, lo=0)
    runs = _sign_runs(gain, steps, seed)
    names = ("none", "seller", "buyer")
    return FeedbackSignResult(gain=gain, runs=dict(zip(names, runs, strict=True)))


_SPOT_GRID = np.linspace(80.0, 120.0, 81)


def _greeks(book: DealerBook | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = _SPOT_GRID.size
    if book is None:
        return np.zeros(n), np.zeros(n), np.zeros(n)
    args = (book.strike, book.expiry, book.units)
    delta = np.array([book_delta(s, 0, *args, book.call, book.vol) for s in _SPOT_GRID])
    gamma = np.array([book_gamma(s, 0, *args, book.vol) for s in _SPOT_GRID])
    down = np.array([book_delta(0.99 * s, 0, *args, book.call, book.vol) for s in _SPOT_GRID])
    return delta, gamma, down - delta


_OPTION_FIELDS = ("short_calls", "short_puts", "strike", "expiry", "implied_vol",
                  "protective_puts", "put_strike")
_MARKET_FIELDS = ("shock", "sigma", "depth", "resilience", "n", "steps", "shock_step", "seed")


def _option_key(params: GammaHedgingParams) -> tuple:
    return tuple((f, getattr(params, f)) for f in _OPTION_FIELDS)


def _market_key(params: GammaHedgingParams) -> tuple:
    return tuple((f, getattr(params, f)) for f in _MARKET_FIELDS)


def _full_book(params: GammaHedgingParams) -> DealerBook | None:
    """The short options plus the protective puts (None if the book is empty)."""
    short = params.book()
    if params.protective_puts <= 0.0:
        return short
    if short is None:
        short = DealerBook([PRICE], [params.expiry], [0.0], [True], params.implied_vol)
    return short.with_puts(params.put_strike * PRICE, params.protective_puts, params.expiry)


@cached
def _greeks_cached(key: tuple) -> tuple[np.ndarray, ...]:
    params = GammaHedgingParams(**dict(key))
    delta, gamma, sales = _greeks(_full_book(params))
    _, gamma0, sales0 = _greeks(params.book())
    return delta, gamma, sales, gamma0, sales0


def _market_scenario(params: GammaHedgingParams) -> tuple[Positions, Scenario]:
    pos = population(params.n)
    sc = Scenario(shock=params.shock, shock_step=params.shock_step, sigma=params.sigma,
                  depth=params.depth, resilience=params.resilience, maintenance=0.005)
    return pos, sc


@cached
def _run_without(key: tuple) -> SimulationResult:
    params = GammaHedgingParams(**dict(key))
    pos, sc = _market_scenario(params)
    return simulate(pos, sc, steps=params.steps, seed=params.seed)


@cached
def _run_with(params: GammaHedgingParams) -> SimulationResult:
    short = params.book()
    if short is None and params.protective_puts > 0.0:
        short = DealerBook([PRICE], [params.expiry], [0.0], [True], params.implied_vol)
    if short is None:
        return _run_without(_market_key(params))
    pos, sc = _market_scenario(params)
    dealt = sc.replace(dealer=short, protective_puts=params.protective_puts,
                       put_strike=params.put_strike, put_expiry=params.expiry)
    return simulate(pos, dealt, steps=params.steps, seed=params.seed)


def gamma_hedging_scenario(**changes: object) -> GammaHedgingResult:
    r"""A dealer delta-hedges a short option book through the same book as the liquidations.

    The Greeks come from :class:`cascadelab.DealerBook` (Black-Scholes, step 0); the two price
    paths from :func:`cascadelab.simulate` on the course population with the same shock and
    noise, without a dealer and with ``Scenario(dealer=..., protective_puts=...)``.

    Parameters
    ----------
    **changes
        Fields of :class:`GammaHedgingParams` that differ from the defaults (1.5 million short
        at-the-money calls, a 3% shock), e.g. ``short_puts=4e5``; each is validated there, and
        an unknown name raises TypeError. The result keeps the full set as ``.params``.

    Returns
    -------
    GammaHedgingResult

    Examples
    --------
    >>> res = gamma_hedging_scenario()
    >>> s = res.summary
    >>> bool(s["gamma"] < 0 and s["hedge_sales_per_pct"] > 0 and s["vol_ratio"] > 1)
    True
    """
    params = GammaHedgingParams(**changes)
    delta, gamma, sales, gamma0, sales0 = _greeks_cached(_option_key(params))
    without, with_dealer = _run_without(_market_key(params)), _run_with(params)
    i = int(np.argmin(np.abs(_SPOT_GRID - PRICE)))
    gain = gamma_feedback_gain(float(gamma[i]), PRICE, params.depth)
    return GammaHedgingResult(
        params=params, spot_grid=_SPOT_GRID, delta=delta, gamma=gamma, gamma_unhedged=gamma0,
        hedge_sales=sales, hedge_sales_unhedged=sales0, without=without,
        with_dealer=with_dealer, gain=gain,
    )
