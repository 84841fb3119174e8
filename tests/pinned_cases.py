"""The figures pinned by ``test_pinned.py``: a few numbers from every layer of the package.

Each case returns a flat dict of floats. ``tests/pinned.json`` holds the values these cases gave
on main before the package was reorganised (issue 10); a move or merge must not change them.
"""

from __future__ import annotations

import numpy as np

from cascadelab import (
    Book,
    DealerBook,
    Scenario,
    cascade,
    default_market,
    monte_carlo,
    sample_positions,
    simulate,
)
from cascadelab.chapters import approach, evolution, horizon, origin, theory
from cascadelab.chapters import essence as scenarios


def _fields(obj, names):
    return {n: float(getattr(obj, n)) for n in names}


def _arrays(obj, names):
    out = {}
    for n in names:
        a = np.asarray(getattr(obj, n), dtype=float)
        out[n + ".sum"] = float(a.sum())
        out[n + ".last"] = float(a.ravel()[-1])
    return out


def case_cascade():
    pos = sample_positions(20_000, 100.0, seed=3)
    out = {}
    for model in ("linear", "exponential", "sqrt"):
        for shock in (0.05, -0.03):
            r = cascade(pos, 100.0, shock, Book(150_000.0, model))
            out.update({f"{model}{shock}.{k}": v for k, v in _fields(
                r, ("final_price", "bad_debt", "liquidated_units", "rounds", "amplification")
            ).items()})
    return out


EVERYTHING = Scenario(
    sigma=0.002, tail_index=4.0, jump_rate=0.02, shock=0.06, shock_step=20, depth=150_000.0,
    impact="sqrt", resilience=0.05, depth_stress=2.0, oracle_latency=3, heartbeat=5,
    deviation=0.01, maintenance=0.01, penalty=0.02, penalty_to_fund=0.5, close_factor=0.5,
    max_book_share=0.5, cooldown=1, insurance_fund=500_000.0, margin_z=2.0, margin_step=0.002,
    fee_z=0.5, band=0.05, window=10, halt_steps=5, stress_halt=0.8,
    dealer=DealerBook.straddle(strike=100.0, units=-1e5, expiry=400),
    protective_puts=2e4, predator_capital=2e6, levels_visible=True,
)

RESULT_ARRAYS = (
    "price", "oracle_price", "maintenance", "depth", "liquidated_units", "bad_debt",
    "fund_draw", "socialized_loss", "uncovered_loss", "insurance_fund", "open_collateral",
    "dealer_flow", "attacker_pnl", "remaining_size", "remaining_collateral",
)
RESULT_TOTALS = (
    "max_drawdown", "min_price", "final_price", "total_bad_debt", "total_fund_draw",
    "total_socialized_loss", "total_penalties", "n_liquidated", "halted_steps",
    "worst_slippage", "realized_vol", "final_attacker_pnl", "opening_fees",
)


def case_simulate_default():
    pos, sc = default_market()
    r = simulate(pos, sc, seed=0)
    return {**_arrays(r, RESULT_ARRAYS), **_fields(r, RESULT_TOTALS)}


def case_simulate_everything():
    pos = sample_positions(5_000, 100.0, seed=1)
    r = simulate(pos, EVERYTHING, steps=200, seed=2)
    return {**_arrays(r, RESULT_ARRAYS), **_fields(r, RESULT_TOTALS)}


def case_monte_carlo():
    pos = sample_positions(3_000, 100.0, seed=1)
    mc = monte_carlo(pos, EVERYTHING.replace(dealer=None, protective_puts=0.0), paths=16,
                     steps=120, seed=5)
    return {
        "bad_debt.sum": float(np.sum(mc.bad_debt)),
        "max_drawdown.sum": float(np.sum(mc.max_drawdown)),
        "var95": float(mc.var(0.95)),
        "es95": float(mc.es(0.95)),
    }


def case_chapter00():
    r = scenarios.feedback_loop_scenario(depth=60_000.0)
    out = _fields(r.cascade, ("final_price", "amplification", "bad_debt", "rounds"))
    out.update(_fields(r, ("rho", "rho_over_depth", "multiplier")))
    out.update(_arrays(r, ("price_path", "round_units", "hist_units", "hist_liquidated")))
    return out


def case_chapter01():
    r = origin.fragmented_liquidity(0.4)
    return {"venue.final_price": float(r.venue.final_price),
            "aggregate.final_price": float(r.aggregate.final_price)}


def case_chapter02():
    r = theory.gamma_hedging_scenario(short_puts=4e5)
    out = {"gain": float(r.gain)}
    out.update(_arrays(r, ("delta", "gamma", "hedge_sales")))
    out.update(_fields(r.with_dealer, RESULT_TOTALS))
    out.update({"without." + k: v for k, v in _fields(r.without, RESULT_TOTALS).items()})
    return out


def case_chapter03():
    r = approach.circuit_breaker_scenario()
    out = {"base." + k: v for k, v in _fields(r.baseline, RESULT_TOTALS).items()}
    out.update({"mitigated." + k: v for k, v in _fields(r.mitigated, RESULT_TOTALS).items()})
    return out


def case_chapter04():
    r = evolution.basket_scenario()
    return _arrays(r, ("drawdown", "liquidated", "bad_debt", "contagion"))


def case_chapter05():
    r = horizon.backstop_scenario()
    return {k: float(v) for k, v in vars(r).items() if isinstance(v, float)}




def case_chapter01_replays():
    out = {}
    for ev in origin.replay_events():
        for k, v in ev.outputs.items():
            out[f"{ev.event.key}.{k}"] = float(v)
    return out


def case_chapter04_mechanisms():
    from cascadelab.chapters.evolution import clearing_scenario, oracle_network_scenario

    out = {k: float(v) for k, v in vars(oracle_network_scenario()).items()
           if isinstance(v, (float, int)) and not isinstance(v, bool)}
    r = clearing_scenario(loss=80.0)
    out.update(_arrays(r, ("ccp_hit", "ccp_defaulted")))
    return out


CASES = {name[5:]: fn for name, fn in dict(globals()).items() if name.startswith("case_")}
