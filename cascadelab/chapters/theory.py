r"""Chapter 02 (theory): what amplifies a cascade, the arithmetic of insolvency, dealers' gamma
and front-runners. Pure scenario functions, parameters in and result dataclasses out; every
mechanism runs in the package's own models (:func:`cascadelab.cascade`,
:func:`cascadelab.simulate`, :func:`cascadelab.simulate_portfolio`), nothing is re-implemented.

**Amplifiers** (:func:`sweep_amplifier`). One shock :math:`s` (a fall of the price by the
fraction :math:`s`), one factor swept at a time, the rest at the course defaults. The
amplification is the largest fall over the shock, :math:`A = \text{drawdown} / s`.

**Insolvency** (:func:`insolvency_price`, :func:`equity_left`, :func:`max_safe_leverage`). A long
opened at :math:`P_e` with leverage :math:`L` holds :math:`P_e/L` of collateral per unit. If the
price gaps down by :math:`g` before the venue can act and the closing order then slips by a
further fraction :math:`\varsigma`, it fills at :math:`f = P_e (1 - g)(1 - \varsigma)`; the
penalty is :math:`\pi f`. Per USD of notional at entry, what is left after the penalty is

.. math:: \frac{e(f) - \pi f}{P_e} = \frac1L - \bigl[1 - (1 - g)(1 - \varsigma)(1 - \pi)\bigr],

which is negative (penalty or more unpaid: a loss for the insurance fund) once
:math:`L > L^* = 1 / (1 - (1 - g)(1 - \varsigma)(1 - \pi))`.

**Gamma hedging** (:func:`gamma_hedging_scenario`). A dealer short :math:`\Gamma` sells
:math:`|\Gamma| S \cdot 1\%` units per 1% fall; through a book of depth :math:`D` that moves the
price a further :math:`|\Gamma| S / (100 D)` percent: a loop gain
:math:`k = -\Gamma S / (100 D)` and a volatility multiplier :math:`1 / (1 - k)` for :math:`k < 1`.

**Front-running** (:func:`front_running_scenario`, :func:`hunting_map`). A predator with capital
pushes the price into a planted cluster of long liquidations and buys back the forced selling
(:mod:`cascadelab.mechanisms.adversary`). The market is quiet (no noise, no shock), so every
cent of the
predator's P&L comes from the hunt, not from luck.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from cascadelab._validate import check_choice, check_int, check_real
from cascadelab.cascade import cascade
from cascadelab.chapters.essence import FeedbackLoopParams, population
from cascadelab.engine import Scenario, SimulationResult, simulate
from cascadelab.market import Book
from cascadelab.mechanisms.hedging import DealerBook, book_delta, book_gamma
from cascadelab.portfolio import Accounts, MultiAssetScenario, equicorrelation, simulate_portfolio
from cascadelab.positions import Positions

__all__ = [
    "AMPLIFIERS",
    "AmplifierSweep",
    "FrontRunningParams",
    "FrontRunningResult",
    "GammaHedgingParams",
    "GammaHedgingResult",
    "HuntingMap",
    "equity_left",
    "front_running_scenario",
    "gamma_feedback_gain",
    "gamma_hedging_scenario",
    "gap_tolerance",
    "hunting_map",
    "insolvency_price",
    "max_safe_leverage",
    "planted_cluster",
    "sweep_amplifier",
]


# =============================================================================== amplifiers

#: The four amplifiers: name -> (axis label, unit, default sweep values, course default).
AMPLIFIERS: dict[str, tuple[str, str, tuple[float, ...], float]] = {
    "depth": ("book depth D", "units per 1%",
              tuple(np.geomspace(6e4, 1e6, 9).round(-3)), 200_000.0),
    "leverage": ("median leverage", "x", (2.0, 4.0, 6.0, 8.0, 10.0, 12.5, 15.0, 20.0, 25.0),
                 10.0),
    "latency": ("oracle latency", "steps", (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 40.0), 0.0),
    "correlation": ("correlation of collateral with the asset", None,
                    (-0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0), 0.0),
}

#: Steps of the engine runs behind the latency sweep, and the slide per step that follows the
#: shock there (a falling market: a stale oracle only matters while the price keeps moving).
LATENCY_STEPS = 120
LATENCY_SLIDE = 0.001


@dataclass(frozen=True, eq=False)
class AmplifierSweep:
    """One amplifier swept on one shock (see :func:`sweep_amplifier`).

    Attributes
    ----------
    factor : str
        ``"depth"``, ``"leverage"``, ``"latency"`` or ``"correlation"``.
    label, unit : str, str or None
        What the factor is and its unit, for the axis.
    values : ndarray
        The factor's values.
    amplification : ndarray
        Largest fall of the (traded) price over the shock, x.
    drawdown : ndarray
        Largest fall, fraction of the starting price.
    bad_debt : ndarray
        Losses beyond the liquidated traders' collateral, USD.
    liquidated_notional : ndarray
        Notional closed by forced sales, USD.
    shock : float
        The shock, fraction.
    default : float
        The factor's course default (where the other sweeps sit).
    model : str
        Which of the package's models produced the numbers.
    """

    factor: str
    label: str
    unit: str | None
    values: np.ndarray
    amplification: np.ndarray
    drawdown: np.ndarray
    bad_debt: np.ndarray
    liquidated_notional: np.ndarray
    shock: float
    default: float
    model: str


def _static_point(params: FeedbackLoopParams) -> tuple[float, float, float]:
    pos = population(params)
    res = cascade(pos, params.price, params.shock, params.book, penalty=params.penalty)
    return -res.move, res.bad_debt, res.liquidated_notional


def _latency_point(shock: float, latency: int, n: int, seed: int) -> tuple[float, float, float]:
    params = FeedbackLoopParams(n=n, seed=seed)
    sc = Scenario(shock=shock, mu=-LATENCY_SLIDE, oracle_latency=latency)
    res = simulate(population(params), sc, steps=LATENCY_STEPS, seed=seed)
    return res.max_drawdown, res.total_bad_debt, res.total_liquidated_notional


@lru_cache(maxsize=8)
def _collateral_accounts(n: int, seed: int) -> Accounts:
    # the course's population, each position a one-leg account in asset A whose whole margin
    # is pledged in units of asset B (collateral_mix = [0, 1])
    pos = population(FeedbackLoopParams(n=n, seed=seed))
    k = len(pos)
    units = np.zeros((k, 2))
    units[:, 0] = pos.side * pos.size
    entry = np.full((k, 2), 100.0)
    entry[:, 0] = pos.entry
    entry[:, 1] = 100.0
    pledged = np.zeros((k, 2))
    pledged[:, 1] = pos.collateral / 100.0
    return Accounts(units, entry, np.zeros(k), pledged, pos.maintenance, True)


def _correlation_point(shock: float, rho: float, n: int, seed: int) -> tuple[float, float, float]:
    d = Scenario().depth
    ms = MultiAssetScenario(
        prices=(100.0, 100.0), vols=(0.0, 0.0), corr=equicorrelation(2, rho),
        books=(Book(d), Book(d)), shock=shock, shock_step=10, steps=120,
        resilience=Scenario().resilience,
    )
    res = simulate_portfolio(_collateral_accounts(n, seed), ms, seed=seed)
    return float(res.max_drawdown[0]), res.total_bad_debt, res.total_liquidated_notional


@lru_cache(maxsize=256)
def _point(factor: str, value: float, shock: float, n: int, seed: int
           ) -> tuple[float, float, float]:
    if factor == "depth":
        return _static_point(FeedbackLoopParams(shock=shock, depth=value, n=n, seed=seed))
    if factor == "leverage":
        return _static_point(FeedbackLoopParams(shock=shock, leverage=value, n=n, seed=seed))
    if factor == "latency":
        return _latency_point(shock, int(value), n, seed)
    return _correlation_point(shock, value, n, seed)


def sweep_amplifier(
    factor: str,
    values: np.ndarray | None = None,
    *,
    shock: float = 0.05,
    n: int = 20_000,
    seed: int = 0,
) -> AmplifierSweep:
    r"""Sweep one amplifier of a cascade on one shock; everything else at the course defaults.

    Parameters
    ----------
    factor : {"depth", "leverage", "latency", "correlation"}
        * ``"depth"``: book depth :math:`D` (units per 1%), static :func:`cascadelab.cascade`
          on the course population (:func:`cascadelab.chapters.essence.population`);
        * ``"leverage"``: median leverage (x, in [1, 50]) of that population, static cascade
          on a 200,000-unit book;
        * ``"latency"``: oracle delay (steps, integer in [0, 1000]) in
          :func:`cascadelab.simulate`: the shock at step 10 and then a slide of
          ``LATENCY_SLIDE`` per step for ``LATENCY_STEPS`` steps;
        * ``"correlation"``: correlation (in [-1, 1]) between the traded asset A and the asset
          B every trader pledged as margin, in :func:`cascadelab.simulate_portfolio`; the shock
          hits A and spills over to B by the correlation.
    values : array of float or None
        Values of the factor; None = the defaults in :data:`AMPLIFIERS`.
    shock : float
        The fall that starts it, fraction in (0, 0.5].
    n : int
        Positions in the population, in [100, 200000].
    seed : int
        Seed of the population (and of the engine's noise), >= 0.

    Returns
    -------
    AmplifierSweep
        ``amplification = drawdown / shock`` at each value.

    Examples
    --------
    >>> sw = sweep_amplifier("depth", [1e5, 1e6])
    >>> bool(sw.amplification[0] > sw.amplification[1] >= 1.0)
    True
    """
    factor = check_choice("factor", factor, tuple(AMPLIFIERS))
    shock = check_real("shock", shock, 0.0, 0.5, lo_open=True)
    n = check_int("n", n, 100, 200_000)
    seed = check_int("seed", seed, lo=0)
    label, unit, default_values, default = AMPLIFIERS[factor]
    vals = np.asarray(default_values if values is None else values, dtype=np.float64)
    if vals.ndim != 1 or vals.size == 0 or not np.all(np.isfinite(vals)):
        raise ValueError(f"values must be a non-empty 1-D array of finite numbers, got {values!r}")
    lo, hi = {"depth": (0.0, np.inf), "leverage": (1.0, 50.0), "latency": (0.0, 1000.0),
              "correlation": (-1.0, 1.0)}[factor]
    bad = (vals <= lo) if factor == "depth" else (vals < lo)
    bad |= vals > hi
    if factor == "latency":
        bad |= vals != np.round(vals)
    if bad.any():
        raise ValueError(
            f"values for factor {factor!r} must lie in [{lo:g}, {hi:g}]"
            f"{' (whole steps)' if factor == 'latency' else ''}, got {vals[bad][0]:g}"
        )
    pts = np.array([_point(factor, float(v), shock, n, seed) for v in vals])
    model = {"depth": "static cascade", "leverage": "static cascade",
             "latency": "market engine", "correlation": "multi-asset engine"}[factor]
    return AmplifierSweep(
        factor=factor, label=label, unit=unit, values=vals,
        amplification=pts[:, 0] / shock, drawdown=pts[:, 0], bad_debt=pts[:, 1],
        liquidated_notional=pts[:, 2], shock=shock, default=default, model=model,
    )


# =============================================================================== insolvency


def _insolvency_inputs(penalty: float, slippage: float, gap: float) -> tuple[float, float, float]:
    return (check_real("penalty", penalty, 0.0, 1.0, hi_open=True),
            check_real("slippage", slippage, 0.0, 1.0, hi_open=True),
            check_real("gap", gap, 0.0, 1.0, hi_open=True))


def insolvency_price(
    leverage: float, penalty: float, slippage: float = 0.0, *, entry: float = 100.0
) -> float:
    r"""Market price below which a long's forced sale cannot pay its penalty and slippage.

    Closing one unit at market price :math:`p` fills at :math:`f = p(1 - \varsigma)`; the
    equity left, :math:`e(f) = P_e/L + f - P_e`, covers the penalty :math:`\pi f` only while
    :math:`e(f) \ge \pi f`. Solving :math:`e(f) = \pi f` for :math:`p`:

    .. math:: p^* = \frac{P_e\,(1 - 1/L)}{(1 - \pi)(1 - \varsigma)}.

    Below :math:`p^*` the penalty is short-changed; below the bankruptcy price
    :math:`P_e(1 - 1/L)` (reached by the fill) there is bad debt as well.

    Parameters
    ----------
    leverage : float
        Leverage :math:`L`, in [1, 1000].
    penalty : float
        Penalty :math:`\pi`, fraction of the notional at the fill, in [0, 1).
    slippage : float
        Slippage :math:`\varsigma` of the closing order below the market price, in [0, 1).
    entry : float
        Entry price :math:`P_e`, USD, > 0.

    Returns
    -------
    float
        :math:`p^*`, USD.

    Examples
    --------
    >>> round(insolvency_price(25.0, 0.01), 3)   # exercise 02.2's fill price
    96.97
    """
    leverage = check_real("leverage", leverage, 1.0, 1000.0)
    entry = check_real("entry", entry, 0.0, lo_open=True)
    penalty, slippage, _ = _insolvency_inputs(penalty, slippage, 0.0)
    return entry * (1.0 - 1.0 / leverage) / ((1.0 - penalty) * (1.0 - slippage))


def equity_left(
    leverage: float | np.ndarray, penalty: float, slippage: float = 0.0, gap: float = 0.0
) -> float | np.ndarray:
    r"""What is left of a long's collateral after a gap, slippage and the penalty, per USD of
    notional at entry (negative: the penalty, or more, goes unpaid).

    .. math:: \frac1L - \bigl[1 - (1 - g)(1 - \varsigma)(1 - \pi)\bigr]

    Parameters
    ----------
    leverage : float or array of float
        Leverage :math:`L`, each in [1, 1000].
    penalty, slippage, gap : float
        :math:`\pi` (fraction of the notional at the fill), :math:`\varsigma` (fill below the
        post-gap price) and :math:`g` (fall of the price from entry before the venue can act),
        each in [0, 1).

    Returns
    -------
    float or ndarray
        Fraction of the entry notional.

    Examples
    --------
    >>> round(equity_left(10.0, 0.01, 0.0, 0.05), 4)
    0.0405
    """
    penalty, slippage, gap = _insolvency_inputs(penalty, slippage, gap)
    lev = np.asarray(leverage, dtype=np.float64)
    if not np.all(np.isfinite(lev)) or np.any(lev < 1.0) or np.any(lev > 1000.0):
        raise ValueError(f"leverage must be in [1, 1000], got {leverage!r}")
    loss = 1.0 - (1.0 - gap) * (1.0 - slippage) * (1.0 - penalty)
    out = 1.0 / lev - loss
    return float(out) if out.ndim == 0 else out


def max_safe_leverage(penalty: float, slippage: float = 0.0, gap: float = 0.0) -> float:
    r"""Largest leverage whose collateral still pays the penalty after a gap and slippage.

    .. math:: L^* = \frac{1}{1 - (1 - g)(1 - \varsigma)(1 - \pi)}
              \;\approx\; \frac{1}{g + \varsigma + \pi}

    With :math:`g = 0` (the venue acts at the trigger) the same bound says the maintenance
    margin must be at least :math:`1 - (1 - \varsigma)(1 - \pi)`, and :math:`L < 1/m`.

    Parameters
    ----------
    penalty, slippage, gap : float
        As in :func:`equity_left`, each in [0, 1); not all zero.

    Returns
    -------
    float
        :math:`L^*`, x.

    Examples
    --------
    >>> round(max_safe_leverage(0.01, 0.0, 0.10), 2)   # exercise 02.3
    9.17
    """
    penalty, slippage, gap = _insolvency_inputs(penalty, slippage, gap)
    loss = 1.0 - (1.0 - gap) * (1.0 - slippage) * (1.0 - penalty)
    if loss <= 0.0:
        raise ValueError("penalty, slippage and gap must not all be 0: any leverage is safe then")
    return 1.0 / loss


def gap_tolerance(leverage: float, penalty: float, slippage: float = 0.0) -> float:
    r"""Largest sudden fall from entry a long of leverage :math:`L` survives with its penalty
    paid: :math:`g^* = 1 - (1 - 1/L) / ((1 - \pi)(1 - \varsigma))`, i.e.
    :math:`1 - p^*/P_e` (negative: not even a fill at entry pays the penalty).

    Examples
    --------
    >>> round(gap_tolerance(10.0, 0.01), 4)
    0.0909
    """
    return 1.0 - insolvency_price(leverage, penalty, slippage, entry=1.0)


# =============================================================================== gamma hedging


@dataclass(frozen=True)
class GammaHedgingParams:
    """Inputs of :func:`gamma_hedging_scenario`. Units: asset units, fractions, steps.

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
                             ("shock", 0.0, 0.5), ("sigma", 0.0, 0.05), ("depth", 0.0, None)):
            check_real(name, getattr(self, name), lo, hi,
                       lo_open=name in ("implied_vol", "depth"))
        check_int("expiry", self.expiry, 1, 100_000)
        check_int("n", self.n, 100, 200_000)
        check_int("steps", self.steps, 2, 100_000)
        check_int("shock_step", self.shock_step, 0, self.steps - 1)
        check_int("seed", self.seed, lo=0)

    def book(self, price: float = 100.0) -> DealerBook | None:
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
    """What :func:`gamma_hedging_scenario` returns (prices USD, sizes units, steps).

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
        :math:`\\Delta(0.99 S) - \\Delta(S)` (the hedge holds :math:`-\\Delta`), with and
        without the protective puts.
    without, with_dealer : SimulationResult
        Engine runs on the same shock and noise, without a dealer and with the hedging dealer.
    gain : float
        Loop gain :math:`k = -\\Gamma S / (100 D)` at the start (negative for a long-gamma book).
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
        """Headline numbers: ``gamma`` (units/USD at the start), ``hedge_sales_per_pct``
        (units sold per 1% fall at the start), ``gain``, ``vol_multiplier_theory``
        (:math:`1/(1-k)`, inf past 1), ``vol_without`` and ``vol_with`` (realised per-step
        volatility, %), ``vol_ratio``, ``drawdown_without`` and ``drawdown_with`` (%),
        ``liquidated_without`` and ``liquidated_with`` (positions)."""
        i = int(np.argmin(np.abs(self.spot_grid - 100.0)))
        a, b = self.without, self.with_dealer
        return {
            "gamma": float(self.gamma[i]),
            "hedge_sales_per_pct": float(self.hedge_sales[i]),
            "gain": self.gain,
            "vol_multiplier_theory": 1.0 / (1.0 - self.gain) if self.gain < 1.0 else math.inf,
            "vol_without": 100.0 * a.realized_vol,
            "vol_with": 100.0 * b.realized_vol,
            "vol_ratio": b.realized_vol / a.realized_vol if a.realized_vol > 0 else math.inf,
            "drawdown_without": 100.0 * a.max_drawdown,
            "drawdown_with": 100.0 * b.max_drawdown,
            "liquidated_without": float(a.n_liquidated),
            "liquidated_with": float(b.n_liquidated),
        }


def gamma_feedback_gain(gamma: float, spot: float, depth: float) -> float:
    r"""Loop gain of delta hedging, :math:`k = -\Gamma S / (100 D)` (dimensionless).

    A fall of 1% makes a book of gamma :math:`\Gamma` (units per USD) sell
    :math:`-\Gamma S/100` units, which move the price a further :math:`k` percent through a
    book of depth :math:`D` (units per 1%). Realised volatility is multiplied by about
    :math:`1/(1 - k)`, and the hedging runs away at :math:`k \ge 1`.

    Examples
    --------
    >>> round(gamma_feedback_gain(-50_000.0, 100.0, 200_000.0), 3)
    0.25
    """
    gamma = check_real("gamma", gamma)
    spot = check_real("spot", spot, 0.0, lo_open=True)
    depth = check_real("depth", depth, 0.0, lo_open=True)
    return -gamma * spot / (100.0 * depth)


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
_MARKET_FIELDS = ("shock", "sigma", "depth", "n", "steps", "shock_step", "seed")


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
        short = DealerBook([100.0], [params.expiry], [0.0], [True], params.implied_vol)
    return short.with_puts(params.put_strike * 100.0, params.protective_puts, params.expiry)


@lru_cache(maxsize=64)
def _greeks_cached(key: tuple) -> tuple[np.ndarray, ...]:
    params = GammaHedgingParams(**dict(key))
    delta, gamma, sales = _greeks(_full_book(params))
    _, gamma0, sales0 = _greeks(params.book())
    return delta, gamma, sales, gamma0, sales0


def _market_scenario(params: GammaHedgingParams) -> tuple[Positions, Scenario]:
    pos = population(FeedbackLoopParams(n=params.n))
    sc = Scenario(shock=params.shock, shock_step=params.shock_step, sigma=params.sigma,
                  depth=params.depth, maintenance=0.005)
    return pos, sc


@lru_cache(maxsize=32)
def _run_without(key: tuple) -> SimulationResult:
    params = GammaHedgingParams(**dict(key))
    pos, sc = _market_scenario(params)
    return simulate(pos, sc, steps=params.steps, seed=params.seed)


@lru_cache(maxsize=64)
def _run_with(params: GammaHedgingParams) -> SimulationResult:
    short = params.book()
    if short is None and params.protective_puts > 0.0:
        short = DealerBook([100.0], [params.expiry], [0.0], [True], params.implied_vol)
    if short is None:
        return _run_without(_market_key(params))
    pos, sc = _market_scenario(params)
    dealt = sc.replace(dealer=short, protective_puts=params.protective_puts,
                       put_strike=params.put_strike, put_expiry=params.expiry)
    return simulate(pos, dealt, steps=params.steps, seed=params.seed)


def gamma_hedging_scenario(
    params: GammaHedgingParams | None = None, **changes: object
) -> GammaHedgingResult:
    r"""A dealer delta-hedges a short option book through the same book as the liquidations.

    The Greeks come from :class:`cascadelab.DealerBook` (Black-Scholes, step 0); the two price
    paths from :func:`cascadelab.simulate` on the course population with the same shock and
    noise, without a dealer and with ``Scenario(dealer=..., protective_puts=...)``.

    Parameters
    ----------
    params : GammaHedgingParams or None
        None = the defaults (1.5 million short at-the-money calls, a 3% shock).
    **changes
        Fields of :class:`GammaHedgingParams` to change.

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
    if params is None:
        params = GammaHedgingParams()
    if changes:
        params = params.replace(**changes)
    delta, gamma, sales, gamma0, sales0 = _greeks_cached(_option_key(params))
    without, with_dealer = _run_without(_market_key(params)), _run_with(params)
    i = int(np.argmin(np.abs(_SPOT_GRID - 100.0)))
    gain = gamma_feedback_gain(float(gamma[i]), 100.0, params.depth)
    return GammaHedgingResult(
        params=params, spot_grid=_SPOT_GRID, delta=delta, gamma=gamma, gamma_unhedged=gamma0,
        hedge_sales=sales, hedge_sales_unhedged=sales0, without=without,
        with_dealer=with_dealer, gain=gain,
    )


# =============================================================================== front-running


def planted_cluster(
    distance: float,
    units: float,
    *,
    price: float = 100.0,
    n: int = 200,
    maintenance: float = 0.005,
) -> Positions:
    r"""``n`` identical longs opened at ``price`` whose liquidation price sits ``distance`` below.

    Leverage :math:`L` solves :math:`(1 - 1/L)/(1 - m) = 1 - d`:
    :math:`L = 1 / (1 - (1 - d)(1 - m))`.

    Parameters
    ----------
    distance : float
        Distance :math:`d` of the liquidation price below ``price``, fraction in (0, 0.5].
    units : float
        Total size of the cluster, units, > 0.
    price : float
        Entry price, USD, > 0.
    n : int
        Number of positions, in [1, 100000].
    maintenance : float
        Maintenance ratio :math:`m`, in [0, 0.1].

    Examples
    --------
    >>> from cascadelab import liquidation_price
    >>> round(float(liquidation_price(planted_cluster(0.02, 1e5))[0]), 6)
    98.0
    """
    distance = check_real("distance", distance, 0.0, 0.5, lo_open=True)
    units = check_real("units", units, 0.0, lo_open=True)
    price = check_real("price", price, 0.0, lo_open=True)
    n = check_int("n", n, 1, 100_000)
    maintenance = check_real("maintenance", maintenance, 0.0, 0.1)
    lev = 1.0 / (1.0 - (1.0 - distance) * (1.0 - maintenance))
    return Positions(np.ones(n, np.int8), np.full(n, units / n), np.full(n, price),
                     np.full(n, lev), maintenance)


@dataclass(frozen=True)
class FrontRunningParams:
    """Inputs of :func:`front_running_scenario`.

    Attributes
    ----------
    capital : float
        Predator's capital, USD, >= 0 (it may short up to ``capital / 100`` units).
    distance : float
        Distance of the cluster's liquidation price below the price, fraction in (0, 0.5].
    cluster : float
        Size of the cluster, in units of the book depth :math:`D`, > 0.
    depth : float
        Book depth :math:`D`, units per 1%, > 0.
    resilience : float
        Share of the transient impact that decays each step, in [0, 1].
    visible : bool
        Whether the predator sees the liquidation levels.
    steps : int
        Length of the run, in [2, 100000].
    patience : int
        Steps the predator pushes before it gives up.
    rate : float
        Units the predator sells per step, in units of :math:`D`, > 0.
    """

    capital: float = 2e7
    distance: float = 0.005
    cluster: float = 1.5
    depth: float = 200_000.0
    resilience: float = 0.1
    visible: bool = True
    steps: int = 80
    patience: int = 10
    rate: float = 0.5

    def __post_init__(self) -> None:
        check_real("capital", self.capital, 0.0)
        check_real("distance", self.distance, 0.0, 0.5, lo_open=True)
        check_real("cluster", self.cluster, 0.0, lo_open=True)
        check_real("depth", self.depth, 0.0, lo_open=True)
        check_real("resilience", self.resilience, 0.0, 1.0)
        if not isinstance(self.visible, (bool, np.bool_)):
            raise ValueError(f"visible must be True or False, got {self.visible!r}")
        check_int("steps", self.steps, 2, 100_000)
        check_int("patience", self.patience, 1, 100_000)
        check_real("rate", self.rate, 0.0, lo_open=True)

    def replace(self, **changes: object) -> FrontRunningParams:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def scenario(self) -> Scenario:
        """The engine scenario: a quiet market (no noise, no shock) with the predator."""
        return Scenario(
            shock=0.0, sigma=0.0, depth=self.depth, resilience=self.resilience,
            maintenance=0.005, predator_capital=self.capital, levels_visible=bool(self.visible),
            predator_reach=0.5, predator_rate=self.rate, predator_patience=self.patience,
            predator_min_cluster=0.05,
        )


@lru_cache(maxsize=256)
def _cluster(distance: float, units: float) -> Positions:
    return planted_cluster(distance, units)


@lru_cache(maxsize=4096)
def _hunt(params: FrontRunningParams) -> SimulationResult:
    pos = _cluster(params.distance, params.cluster * params.depth)
    return simulate(pos, params.scenario(), steps=params.steps, seed=0)


@dataclass(frozen=True, eq=False)
class HuntingMap:
    """Predator P&L over a grid of capital x distance (see :func:`hunting_map`).

    Attributes
    ----------
    capitals : ndarray
        Capital, USD (rows).
    distances : ndarray
        Distance of the cluster below the price, fraction (columns).
    pnl : ndarray, shape (capitals, distances)
        Final P&L, USD.
    visible : bool
        Whether the levels were visible.
    """

    capitals: np.ndarray
    distances: np.ndarray
    pnl: np.ndarray
    visible: bool

    @property
    def pays(self) -> np.ndarray:
        """Where hunting pays: P&L above 1 USD (bool, same shape as ``pnl``)."""
        return self.pnl > 1.0

    @property
    def outcome(self) -> np.ndarray:
        """-1 where the predator loses (below -1 USD), 0 where it sits out, +1 where it wins."""
        return np.where(self.pnl > 1.0, 1, np.where(self.pnl < -1.0, -1, 0))


#: The grid of :func:`hunting_map` by default: capital (USD) and distance (fraction).
MAP_CAPITALS = np.geomspace(1e6, 1e8, 9)
MAP_DISTANCES = np.array([0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04])


@lru_cache(maxsize=32)
def _map(base: FrontRunningParams) -> np.ndarray:
    out = np.empty((MAP_CAPITALS.size, MAP_DISTANCES.size))
    for i, c in enumerate(MAP_CAPITALS):
        for j, d in enumerate(MAP_DISTANCES):
            out[i, j] = _hunt(base.replace(capital=float(c), distance=float(d))).final_attacker_pnl
    out.flags.writeable = False
    return out


def hunting_map(params: FrontRunningParams | None = None, **changes: object) -> HuntingMap:
    """The predator's final P&L on the grid :data:`MAP_CAPITALS` x :data:`MAP_DISTANCES`.

    Only ``cluster``, ``depth``, ``resilience``, ``visible`` (and the predator's ``steps``,
    ``patience``, ``rate``) matter; the map is computed once per such setting and cached.

    Examples
    --------
    >>> m = hunting_map()
    >>> bool(m.pays.any()), bool(hunting_map(visible=False).pays.any())
    (True, False)
    """
    if params is None:
        params = FrontRunningParams()
    if changes:
        params = params.replace(**changes)
    base = params.replace(capital=0.0, distance=0.01)
    return HuntingMap(MAP_CAPITALS, MAP_DISTANCES, _map(base), bool(params.visible))


@dataclass(frozen=True, eq=False)
class FrontRunningResult:
    """What :func:`front_running_scenario` returns.

    Attributes
    ----------
    params : FrontRunningParams
    quiet, attack : SimulationResult
        The same market without the predator and with it.
    capital_grid : ndarray
        Capitals of the P&L curves, USD.
    pnl_visible, pnl_hidden : ndarray
        Final P&L at each capital with levels visible and hidden, at this distance, USD.
    """

    params: FrontRunningParams
    quiet: SimulationResult
    attack: SimulationResult
    capital_grid: np.ndarray
    pnl_visible: np.ndarray
    pnl_hidden: np.ndarray

    @property
    def summary(self) -> dict[str, float]:
        """``pnl`` (USD), ``return_pct`` (P&L over capital, %), ``liquidated_units``,
        ``min_price`` (USD), ``max_drawdown`` (%), ``quiet_min_price`` (USD) and
        ``bad_debt`` (USD) of the attack run."""
        a, p = self.attack, self.params
        return {
            "pnl": a.final_attacker_pnl,
            "return_pct": 100.0 * a.final_attacker_pnl / p.capital if p.capital > 0 else 0.0,
            "liquidated_units": a.total_liquidated_units,
            "min_price": a.min_price,
            "max_drawdown": 100.0 * a.max_drawdown,
            "quiet_min_price": self.quiet.min_price,
            "bad_debt": a.total_bad_debt,
        }


CURVE_CAPITALS = np.geomspace(1e6, 1e8, 13)


def front_running_scenario(
    params: FrontRunningParams | None = None, **changes: object
) -> FrontRunningResult:
    r"""A predator hunts a planted cluster of long liquidations in a quiet market.

    The market is :func:`planted_cluster` (``cluster`` x ``depth`` units whose liquidation
    price sits ``distance`` below 100 USD) on a book of depth ``depth``, with no noise and no
    shock; the predator is the engine's (:mod:`cascadelab.mechanisms.adversary`). Runs are cached.

    Parameters
    ----------
    params : FrontRunningParams or None
        None = the defaults (20 million USD, a 1.5 D cluster 0.5% below, levels visible).
    **changes
        Fields of :class:`FrontRunningParams` to change.

    Returns
    -------
    FrontRunningResult

    Examples
    --------
    >>> res = front_running_scenario()
    >>> bool(res.summary["pnl"] > 0), bool(front_running_scenario(visible=False).summary["pnl"] < 0)
    (True, True)
    """
    if params is None:
        params = FrontRunningParams()
    if changes:
        params = params.replace(**changes)
    attack = _hunt(params)
    quiet = _hunt(params.replace(capital=0.0))
    pv = np.array([_hunt(params.replace(capital=float(c), visible=True)).final_attacker_pnl
                   for c in CURVE_CAPITALS])
    ph = np.array([_hunt(params.replace(capital=float(c), visible=False)).final_attacker_pnl
                   for c in CURVE_CAPITALS])
    return FrontRunningResult(params, quiet, attack, CURVE_CAPITALS, pv, ph)
