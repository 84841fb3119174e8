r"""Dealers' gamma: delta hedging through the same book as the liquidations (chapter 02).

A dealer short gamma (:math:`\Gamma < 0`, units per USD) sells :math:`|\Gamma|\,p/100` units per
1% fall of the price :math:`p`; through a book of depth :math:`D` (units per 1%) they move the
price a further :math:`k` percent, the loop gain :math:`k = -\Gamma p / (100 D)`
(:func:`gamma_feedback_gain`).

**The engine's law.** In :func:`cascadelab.simulate` the dealer trades at step :math:`t` on the
move of the *pre-trade* price since step :math:`t-1`, so it answers its own impact one step
late, and that impact decays at the resilience :math:`\kappa` per step. Log-linearised (linear
book, no liquidations), with :math:`\bar r_t` the fundamental's log return,
:math:`x_t = \ln\xi_t` the log of the traded price over the fundamental after the step's trade
and :math:`\bar\kappa = 1 - \kappa`:

.. math::
    x_t = \bar\kappa(1+k)\,x_{t-1} - \bar\kappa k\,x_{t-2} + k\,\bar r_t, \qquad
    r_t = \bar r_t + x_t - x_{t-1},

an AR(2) deviation under an ARMA(2, 2) return. Its one-step volatility multiplier is

.. math::
    M_1(k, \kappa)^2 = \frac{\operatorname{Var} r_t}{\operatorname{Var} \bar r_t}
    = 1 + 2k + \frac{2k^2}{(1 - \bar\kappa k)(1 + \bar\kappa + 2\bar\kappa k)},

stable for :math:`-(1+\bar\kappa)/(2\bar\kappa) < k < 1/\bar\kappa = 1/(1-\kappa)`
(:mod:`~cascadelab.chapters.theory.hedging_law`: :func:`gamma_vol_multiplier`,
:func:`hedging_stability_bound`). A fundamental move :math:`\bar r` moves the price by
:math:`\bar r\,(1 + \psi_j)` after :math:`j` steps, :math:`\psi_j` the impulse response of
:math:`x`; with permanent impact (:math:`\kappa = 0`), :math:`1 + \psi_j = (1 - k^{j+2})/(1 - k)
\to 1/(1 - k)`, the multiplier of Frey & Stremme (1997), which the volatility of long-horizon
returns reaches. :func:`gamma_hedging_scenario` runs the dealer in the engine;
:func:`~cascadelab.chapters.theory.hedging_law.hedging_law_check` sets the law against long
engine runs and :func:`~cascadelab.chapters.theory.hedging_law.feedback_sign_scenario` flips the
sign of the same flow.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_int, check_real
from cascadelab.chapters._course import PRICE, cached, population
from cascadelab.chapters.theory.hedging_law import gamma_vol_multiplier, hedging_stability_bound
from cascadelab.engine import Scenario, SimulationResult, simulate
from cascadelab.mechanisms.hedging import DealerBook, book_delta, book_gamma
from cascadelab.positions import Positions

__all__ = ["GammaHedgingParams", "GammaHedgingResult", "gamma_feedback_gain",
           "gamma_hedging_scenario"]


@dataclass(frozen=True)
class GammaHedgingParams:
    r"""Inputs of :func:`gamma_hedging_scenario`. Units: asset units, fractions, steps.

    Attributes
    ----------
    short_calls, short_puts : float
        Units of calls and puts the dealer sold, in [0, 1e9] (it is short: negative gamma).
    strike : float
        Strike of those options, fraction of the starting price, in [0.5, 1.5].
    expiry : int
        Step at which they expire, in [1, 100000].
    implied_vol : float
        Implied volatility per step used for the hedge ratios, in [1e-4, 0.1].
    protective_puts : float
        Units of puts the dealer bought back (long gamma), in [0, 1e9].
    put_strike : float
        Their strike, fraction of the starting price, in [0.5, 1.5].
    shock : float
        Fall of the fundamental at ``shock_step``, fraction in [0, 0.5].
    sigma : float
        Volatility of the fundamental per step, in [0, 0.05].
    depth : float
        Book depth, units per 1%, in [1, 1e12].
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
        for name, lo, hi in (("short_calls", 0.0, 1e9), ("short_puts", 0.0, 1e9),
                             ("strike", 0.5, 1.5), ("implied_vol", 1e-4, 0.1),
                             ("protective_puts", 0.0, 1e9), ("put_strike", 0.5, 1.5),
                             ("shock", 0.0, 0.5), ("sigma", 0.0, 0.05), ("depth", 1.0, 1e12),
                             ("resilience", 0.0, 1.0)):
            check_real(name, getattr(self, name), lo, hi, hi_open=name == "resilience")
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
    ``gamma`` in [-1e30, 1e30] units per USD, ``spot`` in (0, 1e12] USD, ``depth`` in
    [1e-6, 1e15] units per 1%: the gain is then finite.

    Examples
    --------
    >>> round(gamma_feedback_gain(-50_000.0, 100.0, 200_000.0), 3)
    0.25
    """
    gamma = check_real("gamma", gamma, -1e30, 1e30)
    spot = check_real("spot", spot, 0.0, 1e12, lo_open=True)
    depth = check_real("depth", depth, 1e-6, 1e15)
    return -gamma * spot / (100.0 * depth) + 0.0  # + 0.0: an empty book has gain 0, not -0


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
