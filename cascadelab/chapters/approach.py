r"""Chapter 03's experiments: what venues do today against liquidation cascades.

Every function here runs the market engine (:func:`cascadelab.simulate`, or
:func:`cascadelab.monte_carlo` for many paths) twice or more on the same population and the same
random path, once without and once with a defence, and returns both runs with a few headline
numbers. Nothing is re-implemented: each defence is a field of :class:`cascadelab.Scenario`
(see :mod:`cascadelab.mechanisms.margin` for the rules and :mod:`cascadelab.engine` for the loss
waterfall).

=====================================  ===================================================
function                               defence (``Scenario`` fields)
=====================================  ===================================================
:func:`vol_margin_scenario`            :math:`m_t = \max(m_0, z\sigma_t\sqrt h)`, at once or
                                       phased in (``margin_z``, ``margin_horizon``,
                                       ``ewma_lambda``, ``margin_step``)
:func:`gradual_scenario`               tranches (``close_factor``, ``max_book_share``,
                                       ``cooldown``)
:func:`insurance_fund_scenario`        the fund, then socialised loss (``insurance_fund``)
:func:`fee_scenario`                   opening fee :math:`z_f\sigma\sqrt h` (``fee_z``)
:func:`protective_puts_scenario`       a short-gamma dealer buys puts (``protective_puts``)
:func:`circuit_breaker_scenario`       halts (``band``, ``window``, ``halt_steps``,
                                       ``halt_resilience``, ``liquidate_in_halt``)
:func:`mitigation_comparison`          every defence in turn on one shock
:func:`mitigation_monte_carlo`         every defence over many random paths (VaR, ES)
=====================================  ===================================================

Two markets are used throughout. :data:`FAST_CRASH` is a scripted 6% drop at step 10 into a
book of 100,000 units per 1% (half the course default): without a defence the forced sales more
than triple the drop. :data:`STRESS` has no scripted drop but fat-tailed noise and rare downward
jumps, so each random path has its own crash (or none). The population is always
``sample_positions(n, 100.0, seed=seed)`` (cached by :func:`cascadelab.default_market`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cascadelab._validate import check_instance, check_int, check_real
from cascadelab.engine import DEFAULT_STEPS, Scenario, SimulationResult, default_market, simulate
from cascadelab.engine.montecarlo import MonteCarloResult, monte_carlo
from cascadelab.mechanisms.hedging import DealerBook
from cascadelab.mechanisms.margin import M_MAX, fee_adjusted_leverage
from cascadelab.positions import Positions

__all__ = [
    "FAST_CRASH",
    "POLICIES",
    "PUTS_MARKET",
    "STRESS",
    "CircuitBreakerResult",
    "FeeResult",
    "FundResult",
    "MarginComparison",
    "MitigationComparison",
    "MitigationMonteCarlo",
    "PolicyPair",
    "PutsResult",
    "circuit_breaker_scenario",
    "drawdown_path",
    "fee_scenario",
    "gradual_scenario",
    "halt_intervals",
    "insurance_fund_scenario",
    "mitigation_comparison",
    "mitigation_monte_carlo",
    "protective_puts_scenario",
    "vol_margin_scenario",
]

FAST_CRASH = Scenario(shock=0.06, depth=100_000.0)
"""The chapter's shock: 6% at step 10 into a book of 100,000 units per 1%, light noise."""

STRESS = Scenario(shock=0.0, depth=100_000.0, sigma=0.003, tail_index=3.0, jump_rate=0.01,
                  jump_mean=-0.04, jump_sd=0.02)
"""A stressed market with no scripted shock: Student-t noise (3 degrees of freedom, 0.3% per
step) and downward jumps (1% chance per step, mean -4%, sd 2%)."""

PUTS_MARKET = Scenario(shock=0.04, sigma=0.002)
"""A 4% shock on the course's default book with some noise, for the protective-puts run."""

POLICIES: dict[str, dict[str, Any]] = {
    "none": {},
    "vol margin": {"margin_z": 3.0},
    "gradual": {"close_factor": 0.25, "max_book_share": 0.25, "cooldown": 1},
    "bigger fund": {"insurance_fund": 10_000_000.0},
    "fees": {"fee_z": 3.0},
    "breaker": {"band": 0.03, "window": 5, "halt_steps": 20},
}
"""Each defence as the ``Scenario`` fields it changes (``"all"`` is added by the functions that
compare them: every change at once)."""


def _all_policies(policies: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {name: dict(changes) for name, changes in policies.items()}
    if "all" not in out:
        combined: dict[str, Any] = {}
        for changes in out.values():
            combined.update(changes)
        out["all"] = combined
    return out


def _market(n: int, seed: int) -> Positions:
    n = check_int("n", n, lo=1, hi=1_000_000)
    seed = check_int("seed", seed, lo=0)
    return default_market(n, seed=seed)[0]


def drawdown_path(price: np.ndarray, start: float) -> np.ndarray:
    r"""Fall from the running peak at each step, :math:`1 - p_t / \max(p_0, \max_{s\le t} p_s)`.

    Parameters
    ----------
    price : ndarray
        Prices, USD.
    start : float
        Price before the first step (the first peak), USD, > 0.

    Returns
    -------
    ndarray
        Drawdown per step, a fraction in [0, 1); its maximum is ``max_drawdown`` of the engine.
    """
    start = check_real("start", start, lo=0.0, lo_open=True)
    p = np.asarray(price, dtype=float)
    peak = np.maximum.accumulate(np.concatenate(([start], p)))[1:]
    return 1.0 - p / peak


def halt_intervals(halted: np.ndarray) -> list[tuple[int, int]]:
    """Halts as ``(first, last + 1)`` step pairs, from the engine's per-step ``halted`` flags."""
    h = np.asarray(halted, dtype=bool).astype(np.int8)
    edges = np.diff(np.concatenate(([0], h, [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(),
                    strict=True))


def _headline(res: SimulationResult) -> dict[str, float]:
    return {
        "drawdown": res.max_drawdown,
        "bad_debt": res.total_bad_debt,
        "socialized": res.total_socialized_loss,
        "fund_left": float(res.insurance_fund[-1]),
        "liquidated": res.total_liquidated_notional,
        "worst_slippage": res.worst_slippage,
        "largest_step": float(res.liquidated_units.max(initial=0.0)),
        "halted_steps": float(res.halted_steps),
    }


@dataclass(frozen=True, eq=False)
class PolicyPair:
    """The same market run without (``baseline``) and with (``mitigated``) a defence.

    Attributes
    ----------
    baseline, mitigated : SimulationResult
    summary : dict of str -> float
        For each headline ``x`` (``drawdown`` fraction, ``bad_debt``, ``socialized``,
        ``fund_left``, ``liquidated`` USD, ``worst_slippage`` fraction, ``largest_step`` units
        liquidated in one step, ``halted_steps``): ``x`` (with the defence) and ``x_base``.
    """

    baseline: SimulationResult
    mitigated: SimulationResult
    summary: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        with_, base = _headline(self.mitigated), _headline(self.baseline)
        summary = dict(with_)
        summary.update({f"{k}_base": v for k, v in base.items()})
        object.__setattr__(self, "summary", summary)


def _pair(base: Scenario, changes: Mapping[str, Any], n: int, steps: int,
          seed: int) -> tuple[SimulationResult, SimulationResult]:
    check_instance("scenario", base, Scenario)
    steps = check_int("steps", steps, lo=base.shock_step + 1 if base.shock else 1, hi=100_000)
    pos = _market(n, seed)
    return (simulate(pos, base, steps=steps, seed=seed),
            simulate(pos, base.replace(**changes), steps=steps, seed=seed))


# ----------------------------------------------------------------------------- 1. vol margin
@dataclass(frozen=True, eq=False)
class MarginComparison:
    """Static against volatility-adjusted maintenance margin (applied at once, and phased in)
    over ``paths`` random paths.

    Attributes
    ----------
    static, adjusted, phased : dict of str -> ndarray
        Per path, under the static margin, the adjusted margin applied at once, and the adjusted
        margin phased in: ``bad_debt`` (USD), ``largest_step`` (units liquidated in the busiest
        step), ``busiest_at`` (index of that step), ``bankrupt_steps`` (steps in which some
        position was closed past its bankruptcy price), ``liquidated`` (USD).
    example_static, example_adjusted : SimulationResult
        The path on which the static margin left the most bad debt, under each rule.
    summary : dict of str -> float
        Means over paths: ``bad_debt``, ``bankrupt_steps``, ``largest_step``, ``liquidated``
        (adjusted at once), the same names with ``_static`` and with ``_phased``;
        ``peak_margin`` (highest :math:`m_t` on the example path, fraction) and ``margin_step``
        (:math:`\\delta`, the phase-in's largest rise per step).
    example_phased : SimulationResult
        That path under the phased-in margin.
    """

    static: dict[str, np.ndarray]
    adjusted: dict[str, np.ndarray]
    example_static: SimulationResult
    example_adjusted: SimulationResult
    summary: dict[str, float]
    phased: dict[str, np.ndarray]
    example_phased: SimulationResult


def _margin_stats(results: list[SimulationResult]) -> dict[str, np.ndarray]:
    return {
        "bad_debt": np.array([r.total_bad_debt for r in results]),
        "largest_step": np.array([r.liquidated_units.max(initial=0.0) for r in results]),
        "busiest_at": np.array([float(np.argmax(r.liquidated_units)) for r in results]),
        "bankrupt_steps": np.array([float((r.bad_debt > 0.0).sum()) for r in results]),
        "liquidated": np.array([r.total_liquidated_notional for r in results]),
    }


def vol_margin_scenario(
    margin_z: float = 3.0,
    margin_horizon: float = 10.0,
    ewma_lambda: float = 0.94,
    *,
    margin_step: float = 0.0005,
    scenario: Scenario = STRESS,
    paths: int = 20,
    n: int = 20_000,
    steps: int = 200,
    seed: int = 0,
) -> MarginComparison:
    r"""Run ``paths`` random paths with a static margin :math:`m_0`, with
    :math:`m_t = m^*_t = \max(m_0, z\,\sigma_t\sqrt h)` applied at once,
    :math:`\sigma_t^2 = \lambda\sigma_{t-1}^2 + (1-\lambda) r_t^2`, and with the same target
    phased in, :math:`m_t = \min(m^*_t, m_{t-1} + \delta)` from :math:`m_{-1} = m_0`.

    Path ``j`` uses ``seed + j`` for every rule, so all see the same fundamental moves.

    Parameters
    ----------
    margin_z : float
        :math:`z`, standard deviations the margin covers, in (0, 100].
    margin_horizon : float
        :math:`h`, steps, in (0, 10000].
    ewma_lambda : float
        :math:`\lambda` of the EWMA variance, in [0, 1).
    margin_step : float
        :math:`\delta`, the phased-in rule's largest rise of :math:`m_t` per step, fraction of
        notional, in (0, 0.5].
    scenario : Scenario
        The market (default :data:`STRESS`); its own ``margin_z`` and ``margin_step`` are
        ignored.
    paths : int
        Number of random paths, in [1, 1000].
    n, steps, seed : int
        Population size, steps per path, first seed.

    Returns
    -------
    MarginComparison
    """
    check_instance("scenario", scenario, Scenario)
    margin_z = check_real("margin_z", margin_z, 0.0, 100.0, lo_open=True)
    margin_step = check_real("margin_step", margin_step, 0.0, M_MAX, lo_open=True)
    paths = check_int("paths", paths, lo=1, hi=1000)
    steps = check_int("steps", steps, lo=scenario.shock_step + 1 if scenario.shock else 1,
                      hi=100_000)
    pos = _market(n, seed)
    static_sc = scenario.replace(margin_z=0.0, margin_step=0.0)
    adj_sc = scenario.replace(margin_z=margin_z, margin_horizon=margin_horizon,
                              ewma_lambda=ewma_lambda, margin_step=0.0)
    phased_sc = adj_sc.replace(margin_step=margin_step)
    runs = [[simulate(pos, sc, steps=steps, seed=seed + j) for j in range(paths)]
            for sc in (static_sc, adj_sc, phased_sc)]
    s, a, ph = (_margin_stats(results) for results in runs)
    worst = int(np.argmax(s["bad_debt"]))
    summary = {}
    for suffix, stats in (("", a), ("_static", s), ("_phased", ph)):
        summary.update({k + suffix: float(v.mean()) for k, v in stats.items()
                        if k != "busiest_at"})
    summary["peak_margin"] = float(runs[1][worst].maintenance.max())
    summary["margin_step"] = margin_step
    return MarginComparison(s, a, runs[0][worst], runs[1][worst], summary, ph, runs[2][worst])


# ------------------------------------------------------------------------- 2. gradual liquidation
def gradual_scenario(
    close_factor: float = 0.25,
    max_book_share: float | None = 0.25,
    cooldown: int = 1,
    *,
    scenario: Scenario = FAST_CRASH,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> PolicyPair:
    r"""Close triggered positions in tranches instead of one market order each.

    Per step a position sells at most ``close_factor`` :math:`f` of its original size, waits
    ``cooldown`` steps between slices, and all slices of a step together stay within
    ``max_book_share`` :math:`\beta` times the depth :math:`D_t`:
    :math:`q_{i,t} = \min(\text{remaining}_i, f\,\text{size}_i, \text{budget}_t)`,
    :math:`\sum_i q_{i,t} \le \beta D_t`. The baseline closes everything at once.

    Parameters
    ----------
    close_factor : float
        :math:`f`, in (0, 1].
    max_book_share : float or None
        :math:`\beta`, multiple of the depth (units per 1%), > 0; None = no cap.
    cooldown : int
        Steps between two slices of a position, in [0, 1000].
    scenario : Scenario
        The market (default :data:`FAST_CRASH`); the baseline uses its liquidation fields.
    n, steps, seed : int
        Population size, steps, seed of the population and of the path.

    Returns
    -------
    PolicyPair
        ``summary["worst_slippage"]`` against ``summary["worst_slippage_base"]`` is the headline.
    """
    base = scenario.replace(close_factor=1.0, max_book_share=None, cooldown=0)
    return PolicyPair(*_pair(base, {"close_factor": close_factor,
                                    "max_book_share": max_book_share, "cooldown": cooldown},
                             n, steps, seed))


# ---------------------------------------------------------------------------- 3. insurance fund
@dataclass(frozen=True, eq=False)
class FundResult:
    """Who paid the bad debt of one run, step by step.

    Attributes
    ----------
    result : SimulationResult
    paid_by_fund, socialized, uncovered : ndarray
        Cumulative USD per step: bad debt the fund paid, levied on the opposite side's open
        positions, and left uncovered (nobody left to levy). They add up to the cumulative bad
        debt.
    summary : dict of str -> float
        ``fund_start`` (USD, including opening fees), ``bad_debt``, ``paid_by_fund``,
        ``socialized``, ``uncovered``, ``fund_left`` (USD), ``fund_share`` (fraction of the bad
        debt the fund paid; 1 when there was none), ``exhausted_step`` (first step the fund was
        empty after a draw, -1 if never).
    """

    result: SimulationResult
    paid_by_fund: np.ndarray
    socialized: np.ndarray
    uncovered: np.ndarray
    summary: dict[str, float]


def insurance_fund_scenario(
    fund: float = 3_000_000.0,
    *,
    penalty_to_fund: float = 1.0,
    scenario: Scenario = FAST_CRASH,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> FundResult:
    r"""Run the market with an insurance fund of ``fund`` USD and follow the loss waterfall.

    Each step the fund receives the share ``penalty_to_fund`` of the liquidation penalties and
    pays bad debt :math:`B_t` while it lasts; the rest, :math:`S_t = B_t - \min(F_t, B_t)`, is
    socialised over the open positions on the other side (pro rata per unit, out of their
    collateral): :math:`F_t = F_{t-1} + \text{penalties}_t - \min(F_{t-1} + \text{penalties}_t,
    B_t)`.

    Parameters
    ----------
    fund : float
        Starting balance, USD, >= 0.
    penalty_to_fund : float
        Share of penalties paid into the fund, in [0, 1].
    scenario, n, steps, seed
        As in :func:`gradual_scenario`.

    Returns
    -------
    FundResult
    """
    check_instance("scenario", scenario, Scenario)
    fund = check_real("fund", fund, lo=0.0)
    steps = check_int("steps", steps, lo=scenario.shock_step + 1 if scenario.shock else 1,
                      hi=100_000)
    res = simulate(_market(n, seed), scenario.replace(insurance_fund=fund,
                                                      penalty_to_fund=penalty_to_fund),
                   steps=steps, seed=seed)
    paid = np.cumsum(res.fund_draw)
    soc = np.cumsum(res.socialized_loss)
    unc = np.cumsum(res.uncovered_loss)
    empty = np.flatnonzero((res.fund_draw > 0.0) & (res.insurance_fund <= 1e-9))
    bad = res.total_bad_debt
    summary = {
        "fund_start": fund + res.opening_fees,
        "bad_debt": bad,
        "paid_by_fund": res.total_fund_draw,
        "socialized": res.total_socialized_loss,
        "uncovered": float(res.uncovered_loss.sum()),
        "fund_left": float(res.insurance_fund[-1]),
        "fund_share": res.total_fund_draw / bad if bad > 0.0 else 1.0,
        "exhausted_step": float(empty[0]) if empty.size else -1.0,
    }
    return FundResult(res, paid, soc, unc, summary)


# ------------------------------------------------------------------------------ 4. opening fees
@dataclass(frozen=True, eq=False)
class FeeResult:
    r"""A market that opened without and with a volatility-adjusted opening fee.

    Attributes
    ----------
    pair : PolicyPair
        The two runs on the same shock.
    fee_rate : float
        :math:`\varphi = z_f\sigma\sqrt h`, fraction of notional.
    leverage, leverage_after : ndarray
        Every position's leverage without and with the fee, x.
    summary : dict of str -> float
        ``pair.summary`` plus ``fee_rate``, ``fees`` (USD paid into the fund),
        ``median_leverage``/``_base``, ``p99_leverage``/``_base`` (x).
    """

    pair: PolicyPair
    fee_rate: float
    leverage: np.ndarray
    leverage_after: np.ndarray
    summary: dict[str, float]


def fee_scenario(
    fee_z: float = 3.0,
    *,
    scenario: Scenario = FAST_CRASH,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> FeeResult:
    r"""The same traders open under a fee rate :math:`\varphi = z_f\sigma\sqrt h` on notional.

    A trader with collateral :math:`c` who pays margin and fee from the same budget,
    :math:`N(1/L + \varphi) = c`, ends with leverage :math:`L' = L/(1 + \varphi L)`; the fees go
    to the insurance fund. The higher ``scenario.sigma`` (the volatility the venue measures),
    the steeper the fee.

    Parameters
    ----------
    fee_z : float
        :math:`z_f`, in [0, 1000]; 0 = no fee.
    scenario, n, steps, seed
        As in :func:`gradual_scenario`; ``scenario.margin_horizon`` is :math:`h`.

    Returns
    -------
    FeeResult
    """
    check_instance("scenario", scenario, Scenario)
    fee_z = check_real("fee_z", fee_z, 0.0, 1000.0)
    base = scenario.replace(fee_z=0.0)
    pair = PolicyPair(*_pair(base, {"fee_z": fee_z}, n, steps, seed))
    rate = fee_z * base.sigma * float(np.sqrt(base.margin_horizon))
    lev = _market(n, seed).leverage
    after = np.asarray(fee_adjusted_leverage(lev, rate))
    summary = dict(pair.summary)
    summary.update({
        "fee_rate": rate, "fees": pair.mitigated.opening_fees,
        "median_leverage": float(np.median(after)), "median_leverage_base": float(np.median(lev)),
        "p99_leverage": float(np.quantile(after, 0.99)),
        "p99_leverage_base": float(np.quantile(lev, 0.99)),
    })
    return FeeResult(pair, rate, lev, after, summary)


# -------------------------------------------------------------------------- 5. protective puts
@dataclass(frozen=True, eq=False)
class PutsResult:
    """No dealer, a short-gamma dealer, and the same dealer holding protective puts.

    Attributes
    ----------
    no_dealer, dealer, hedged : SimulationResult
    summary : dict of str -> float
        ``hedge_sales`` and ``hedge_sales_hedged`` (units the dealer sold over the run, net of
        buys, >= 0 means selling), ``drawdown_*`` and ``bad_debt_*`` for the three runs
        (suffixes ``none``, ``dealer``, ``hedged``), ``gamma_dealer`` and ``gamma_hedged`` (book
        gamma at the start, units per USD).
    """

    no_dealer: SimulationResult
    dealer: SimulationResult
    hedged: SimulationResult
    summary: dict[str, float]


def protective_puts_scenario(
    puts: float = 2_000_000.0,
    *,
    put_strike: float = 0.95,
    dealer_units: float = -2_000_000.0,
    dealer_vol: float = 0.005,
    scenario: Scenario = PUTS_MARKET,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> PutsResult:
    """A dealer short a straddle at the starting price delta-hedges every step; with ``puts``
    long puts struck at ``put_strike`` times the price its gamma is less negative, so it sells
    less into a fall.

    Parameters
    ----------
    puts : float
        Units of protective puts, >= 0.
    put_strike : float
        Strike as a fraction of the starting price, in (0, 10].
    dealer_units : float
        Signed size of each leg of the straddle (negative: sold), units.
    dealer_vol : float
        Implied volatility per step the dealer prices with, > 0.
    scenario, n, steps, seed
        As in :func:`gradual_scenario` (default :data:`PUTS_MARKET`).

    Returns
    -------
    PutsResult
    """
    check_instance("scenario", scenario, Scenario)
    puts = check_real("puts", puts, lo=0.0)
    steps = check_int("steps", steps, lo=scenario.shock_step + 1 if scenario.shock else 1,
                      hi=100_000)
    book = DealerBook.straddle(scenario.price, dealer_units, expiry=10 * steps, vol=dealer_vol)
    pos = _market(n, seed)
    runs = [simulate(pos, sc, steps=steps, seed=seed) for sc in (
        scenario,
        scenario.replace(dealer=book),
        scenario.replace(dealer=book, protective_puts=puts, put_strike=put_strike,
                         put_expiry=10 * steps),
    )]
    hedged_book = book.with_puts(put_strike * scenario.price, puts, 10 * steps) if puts else book
    summary = {"hedge_sales": float(runs[1].dealer_flow.sum()),
               "hedge_sales_hedged": float(runs[2].dealer_flow.sum()),
               "gamma_dealer": book.gamma(scenario.price),
               "gamma_hedged": hedged_book.gamma(scenario.price)}
    for name, r in zip(("none", "dealer", "hedged"), runs, strict=True):
        summary[f"drawdown_{name}"] = r.max_drawdown
        summary[f"bad_debt_{name}"] = r.total_bad_debt
    return PutsResult(*runs, summary)


# --------------------------------------------------------------------------- 6. circuit breaker
@dataclass(frozen=True, eq=False)
class CircuitBreakerResult(PolicyPair):
    """:class:`PolicyPair` of a run without and with a circuit breaker, plus
    ``halts`` (list of ``(first, last + 1)`` steps) and the summary keys ``halts`` (count),
    ``drawdown_cut`` and ``bad_debt_cut`` (baseline minus breaker, fraction and USD)."""

    halts: list[tuple[int, int]] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        halts = halt_intervals(self.mitigated.halted)
        object.__setattr__(self, "halts", halts)
        s = self.summary
        s["halts"] = float(len(halts))
        s["drawdown_cut"] = s["drawdown_base"] - s["drawdown"]
        s["bad_debt_cut"] = s["bad_debt_base"] - s["bad_debt"]


def circuit_breaker_scenario(
    band: float = 0.03,
    window: int = 5,
    halt_steps: int = 20,
    halt_resilience: float = 0.2,
    liquidate_in_halt: bool = False,
    stress_halt: float = 0.0,
    *,
    scenario: Scenario = FAST_CRASH,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> CircuitBreakerResult:
    r"""The same shock with and without a circuit breaker.

    Trading halts for ``halt_steps`` steps once :math:`|p_t/p_{t-w} - 1| > b` (band :math:`b`,
    window :math:`w`); while halted nothing trades (liquidations too, unless
    ``liquidate_in_halt``) and the transient impact :math:`g - 1` of earlier sales decays at
    ``halt_resilience`` per step, :math:`g \leftarrow 1 + (g - 1)(1 - \kappa_h)`: the book
    refills. With ``stress_halt`` :math:`S^* > 0` the breaker also halts when the stress index
    :math:`S_t = (\rho_t / D_t)(\sigma_t / \sigma_{\text{ref}}) \ge S^*` (the engine's per-step
    rule, see :class:`cascadelab.Scenario`). The baseline is ``scenario`` with ``band = 0`` and
    ``stress_halt = 0``.

    Parameters
    ----------
    band : float
        :math:`b`, fraction, in [0, 1); 0 = no breaker.
    window : int
        :math:`w`, steps, in [1, 10000].
    halt_steps : int
        Length of a halt, steps, in [1, 10000].
    halt_resilience : float
        :math:`\kappa_h`, in [0, 1].
    liquidate_in_halt : bool
        Keep liquidating (only liquidations) during a halt.
    stress_halt : float
        :math:`S^*` of the stress rule, in [0, 1e6]; 0 = off.
    scenario, n, steps, seed
        As in :func:`gradual_scenario`.

    Returns
    -------
    CircuitBreakerResult
    """
    check_instance("scenario", scenario, Scenario)
    base = scenario.replace(band=0.0, stress_halt=0.0)
    changes = {"band": band, "window": window, "halt_steps": halt_steps,
               "halt_resilience": halt_resilience, "liquidate_in_halt": liquidate_in_halt,
               "stress_halt": stress_halt}
    return CircuitBreakerResult(*_pair(base, changes, n, steps, seed))


# ------------------------------------------------------------------------ 7. compare them all
_METRICS = ("drawdown", "liquidated", "bad_debt", "fund_left", "socialized")
_LABELS = {"drawdown": "drawdown", "liquidated": "liquidated (USD)",
           "bad_debt": "bad debt (USD)", "fund_left": "fund left (USD)",
           "socialized": "socialised (USD)"}


def _money(x: float) -> str:
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:,.2f}{suffix}"
    return f"{x:,.0f}"


@dataclass(frozen=True, eq=False)
class MitigationComparison:
    """One shock, one run per policy.

    Attributes
    ----------
    results : dict of str -> SimulationResult
        Policy name -> run (in the order given; ``"none"`` is the baseline).
    metrics : dict of str -> ndarray
        ``drawdown`` (fraction), ``liquidated``, ``bad_debt``, ``fund_left``, ``socialized``
        (USD): one value per policy, in the order of ``results``.
    """

    results: dict[str, SimulationResult]
    metrics: dict[str, np.ndarray]

    @property
    def names(self) -> list[str]:
        """Policy names, in order."""
        return list(self.results)

    def table(self) -> str:
        """The metrics as a plain-text table, one row per policy."""
        head = f"{'policy':<12}" + "".join(f"{_LABELS[m]:>18}" for m in _METRICS)
        lines = [head, "-" * len(head)]
        for k, name in enumerate(self.names):
            cells = [f"{self.metrics['drawdown'][k]:>18.1%}"]
            cells += [f"{_money(self.metrics[m][k]):>18}" for m in _METRICS[1:]]
            lines.append(f"{name:<12}" + "".join(cells))
        return "\n".join(lines)


def mitigation_comparison(
    policies: Mapping[str, Mapping[str, Any]] = POLICIES,
    *,
    scenario: Scenario = FAST_CRASH,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> MitigationComparison:
    """Run ``scenario`` once per policy (``Scenario`` changes), plus ``"all"`` of them at once.

    Parameters
    ----------
    policies : mapping of str -> mapping
        Policy name -> ``Scenario`` fields it changes (default :data:`POLICIES`).
    scenario, n, steps, seed
        As in :func:`gradual_scenario`.

    Returns
    -------
    MitigationComparison
    """
    check_instance("scenario", scenario, Scenario)
    steps = check_int("steps", steps, lo=scenario.shock_step + 1 if scenario.shock else 1,
                      hi=100_000)
    pos = _market(n, seed)
    results = {name: simulate(pos, scenario.replace(**changes), steps=steps, seed=seed)
               for name, changes in _all_policies(policies).items()}
    heads = [_headline(r) for r in results.values()]
    metrics = {m: np.array([h[m] for h in heads]) for m in _METRICS}
    return MitigationComparison(results, metrics)


@dataclass(frozen=True, eq=False)
class MitigationMonteCarlo:
    """Many random paths per policy.

    Attributes
    ----------
    results : dict of str -> MonteCarloResult
        Policy name -> the per-path totals.
    level : float
        Confidence level of VaR and ES in :meth:`table` and :meth:`risk`.
    """

    results: dict[str, MonteCarloResult]
    level: float

    def risk(self) -> dict[str, dict[str, float]]:
        """Per policy: ``mean``, ``var`` and ``es`` of bad debt, ``mean_socialized`` and
        ``es_socialized`` (mean of the socialised loss on the paths at or beyond the bad-debt
        VaR), ``p_zero`` (share of paths without bad debt). USD except ``p_zero``."""
        out = {}
        for name, mc in self.results.items():
            var = mc.var(self.level)
            tail = mc.bad_debt >= var
            out[name] = {"mean": float(mc.bad_debt.mean()), "var": var, "es": mc.es(self.level),
                         "mean_socialized": float(mc.socialized_loss.mean()),
                         "es_socialized": float(mc.socialized_loss[tail].mean()),
                         "p_zero": float((mc.bad_debt == 0.0).mean())}
        return out

    def table(self) -> str:
        """Bad debt per policy (mean, VaR, ES) and socialised loss, as a plain-text table."""
        pct = f"{100 * self.level:g}%"
        cols = ("mean", "var", "es", "mean_socialized", "p_zero")
        names = ("mean bad debt", f"VaR {pct}", f"ES {pct}", "mean socialised", "no bad debt")
        head = f"{'policy':<12}" + "".join(f"{c:>17}" for c in names)
        lines = [head, "-" * len(head)]
        for name, r in self.risk().items():
            cells = [f"{_money(r[c]):>17}" for c in cols[:-1]] + [f"{r['p_zero']:>17.0%}"]
            lines.append(f"{name:<12}" + "".join(cells))
        return "\n".join(lines)


def mitigation_monte_carlo(
    policies: Mapping[str, Mapping[str, Any]] = POLICIES,
    *,
    scenario: Scenario = STRESS,
    paths: int = 200,
    steps: int = 200,
    n: int = 20_000,
    seed: int = 0,
    level: float = 0.95,
    progress: bool = False,
) -> MitigationMonteCarlo:
    """:func:`cascadelab.monte_carlo` of ``scenario`` under each policy, on the same paths.

    Every policy sees the same ``paths`` fundamental paths (same root ``seed``), so differences
    come from the defence, not from luck.

    Parameters
    ----------
    policies : mapping of str -> mapping
        As in :func:`mitigation_comparison` (``"all"`` is added).
    scenario : Scenario
        The random market (default :data:`STRESS`).
    paths, steps : int
        Paths per policy (>= 1) and steps per path.
    n, seed : int
        Population size and seed (of the population and the root of the paths).
    level : float
        Confidence level of VaR and ES, in (0, 1).
    progress : bool
        Show one progress bar over the policies.

    Returns
    -------
    MitigationMonteCarlo
    """
    check_instance("scenario", scenario, Scenario)
    paths = check_int("paths", paths, lo=1, hi=10_000_000)
    level = check_real("level", level, 0.0, 1.0, lo_open=True, hi_open=True)
    pos = _market(n, seed)
    runs = _all_policies(policies).items()
    if progress:
        from tqdm.auto import tqdm

        runs = tqdm(runs, desc="policies", unit="policy")
    results = {}
    for name, changes in runs:
        results[name] = monte_carlo(pos, scenario.replace(**changes), paths=paths, steps=steps,
                                    seed=seed, progress=False)
    return MitigationMonteCarlo(results, level)
