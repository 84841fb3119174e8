r"""The engine's delta-hedging law, checked against the engine (chapter 02).

The derivation is in :mod:`cascadelab.chapters.theory.gamma`: with the loop gain
:math:`k = -\Gamma p/(100D)` and the resilience :math:`\kappa` (:math:`\bar\kappa = 1 - \kappa`),
the log-linearised engine has the deviation
:math:`x_t = \bar\kappa(1+k)x_{t-1} - \bar\kappa k x_{t-2} + k\bar r_t` and the return
:math:`r_t = \bar r_t + x_t - x_{t-1}`. This module holds its volatility multiplier
(:func:`gamma_vol_multiplier`), its stability bound (:func:`hedging_stability_bound`), a check in
long engine runs (:func:`hedging_law_check`) and the same flow with the sign flipped
(:func:`feedback_sign_scenario`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_int, check_real
from cascadelab.chapters._course import PRICE, cached, check_run
from cascadelab.engine import Scenario, SimulationResult, default_market, simulate
from cascadelab.mechanisms.hedging import DealerBook
from cascadelab.positions import Positions

__all__ = [
    "FeedbackSignResult",
    "HedgingLawCheck",
    "feedback_sign_scenario",
    "gamma_vol_multiplier",
    "hedging_law_check",
    "hedging_stability_bound",
]


def hedging_stability_bound(resilience: float = 0.02) -> tuple[float, float]:
    r"""Range of loop gains :math:`k` for which the engine's hedging loop is stable.

    The deviation of the module docstring,
    :math:`x_t = \bar\kappa(1+k)x_{t-1} - \bar\kappa k\,x_{t-2} + k \bar r_t` with
    :math:`\bar\kappa = 1 - \kappa`, has the characteristic polynomial
    :math:`P(\lambda) = \lambda^2 - \bar\kappa(1+k)\lambda + \bar\kappa k`. Both roots lie inside
    the unit circle iff :math:`P(1) = 1 - \bar\kappa > 0` (true for :math:`\kappa > 0`; at
    :math:`\kappa = 0` one root is exactly 1, permanent impact, and the returns stay stationary),
    :math:`P(-1) = 1 + \bar\kappa + 2\bar\kappa k > 0` and :math:`|\bar\kappa k| < 1`:

    .. math:: -\frac{1 + \bar\kappa}{2\bar\kappa} < k < \frac{1}{\bar\kappa} = \frac{1}{1 - \kappa}.

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

    * :math:`h = 1`, in closed form from the AR(2) deviation (:math:`\bar\kappa = 1 - \kappa`):

      .. math:: M_1^2 = 1 + 2k + \frac{2k^2}{(1 - \bar\kappa k)(1 + \bar\kappa + 2\bar\kappa k)};

      at :math:`\kappa = 0`, :math:`M_1^2 = (1 + k)^2 + k^4/(1 - k^2)`: the step's own move
      is amplified by :math:`1 + k`, and the further rounds :math:`k^2, k^3, \dots` arrive in
      the steps that follow.
    * :math:`h > 1`: :math:`M_h^2 = \frac1h \sum_{j \ge 0} (C_j - C_{j-h})^2`, with
      :math:`C_j = 1 + \psi_j` the price's response after :math:`j` steps to a unit
      fundamental move (:math:`C_j = 0` for :math:`j < 0`) and
      :math:`\psi_j = k(\lambda_1^{j+1} - \lambda_2^{j+1})/(\lambda_1 - \lambda_2)`, from the
      roots of :math:`\lambda^2 - \bar\kappa(1+k)\lambda + \bar\kappa k`; summed until the terms
      fall below 1e-17 (at most 4 million terms).
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
    seed, steps = check_run(seed=seed, steps=steps, steps_range=(20, 10_000))
    runs = _sign_runs(gain, steps, seed)
    names = ("none", "seller", "buyer")
    return FeedbackSignResult(gain=gain, runs=dict(zip(names, runs, strict=True)))
