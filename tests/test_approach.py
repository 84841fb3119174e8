"""Chapter 03 scenario functions: each defence moves the numbers the way the theory says, the
runs agree with the engine, and bad inputs raise ValueError naming the parameter."""

from __future__ import annotations

import numpy as np
import pytest

from cascadelab import Scenario, default_market, simulate
from cascadelab.chapters import approach as ap


def test_pairs_agree_with_the_engine():
    pos, _ = default_market()
    pair = ap.circuit_breaker_scenario(band=0.04, window=3, halt_steps=15)
    direct = simulate(pos, ap.FAST_CRASH.replace(band=0.04, window=3, halt_steps=15), seed=0)
    np.testing.assert_array_equal(pair.mitigated.price, direct.price)
    np.testing.assert_array_equal(pair.baseline.price, simulate(pos, ap.FAST_CRASH, seed=0).price)
    assert pair.summary["halted_steps"] == direct.halted_steps
    assert pair.summary["drawdown_base"] == pytest.approx(pair.baseline.max_drawdown)


def test_drawdown_path_peaks_at_the_engines_max_drawdown():
    res = simulate(*default_market(), seed=0)
    dd = ap.drawdown_path(res.price, 100.0)
    assert dd.max() == pytest.approx(res.max_drawdown, rel=1e-9)
    assert np.all(dd >= 0.0)


def test_halt_intervals_cover_exactly_the_halted_steps():
    halted = np.array([0, 1, 1, 0, 0, 1, 0, 1, 1, 1], dtype=bool)
    spans = ap.halt_intervals(halted)
    assert spans == [(1, 3), (5, 6), (7, 10)]
    assert sum(b - a for a, b in spans) == halted.sum()


# --- circuit breaker ---------------------------------------------------------------------------
def test_a_wider_band_halts_less():
    noisy = Scenario(shock=0.0, sigma=0.004)
    halted = [sum(ap.circuit_breaker_scenario(band=b, scenario=noisy, seed=s).summary[
        "halted_steps"] for s in range(3)) for b in (0.01, 0.02, 0.04, 0.08)]
    assert halted[0] > halted[1] > halted[2] >= halted[3]
    assert halted[0] > 0 and halted[3] == 0


def test_a_breaker_cuts_the_drawdown_and_bad_debt_of_a_fast_crash():
    cb = ap.circuit_breaker_scenario()
    s = cb.summary
    assert s["halted_steps"] >= 20 and s["halts"] >= 1
    assert s["drawdown"] < s["drawdown_base"] - 0.05
    assert s["bad_debt"] < 0.5 * s["bad_debt_base"]
    assert s["drawdown_cut"] > 0 and s["bad_debt_cut"] > 0
    assert cb.halts[0][0] == ap.FAST_CRASH.shock_step  # the shock itself trips it


def test_pausing_liquidations_in_a_halt_beats_liquidating_into_it():
    paused = ap.circuit_breaker_scenario(liquidate_in_halt=False)
    running = ap.circuit_breaker_scenario(liquidate_in_halt=True)
    h = paused.mitigated.halted
    assert paused.mitigated.liquidated_units[h].sum() == 0.0
    assert running.mitigated.liquidated_units[running.mitigated.halted].sum() > 0.0
    assert paused.summary["drawdown"] < running.summary["drawdown"]
    assert paused.summary["bad_debt"] < running.summary["bad_debt"]


def test_a_faster_refill_during_the_halt_helps():
    slow = ap.circuit_breaker_scenario(halt_resilience=0.0)
    fast = ap.circuit_breaker_scenario(halt_resilience=0.5)
    assert fast.summary["drawdown"] < slow.summary["drawdown"]


def test_a_band_wider_than_the_crash_changes_nothing():
    cb = ap.circuit_breaker_scenario(band=0.9)
    assert cb.summary["halted_steps"] == 0 and cb.halts == []
    np.testing.assert_array_equal(cb.mitigated.price, cb.baseline.price)


# --- gradual liquidation, fund, margin, fees, puts -----------------------------------------------
def test_tranches_lower_the_worst_slippage_drawdown_and_bad_debt():
    g = ap.gradual_scenario()
    s = g.summary
    assert s["worst_slippage"] < 0.2 * s["worst_slippage_base"]
    assert s["drawdown"] < s["drawdown_base"]
    assert s["bad_debt"] < s["bad_debt_base"]
    # the cap holds: no step sells more than max_book_share of the depth
    assert s["largest_step"] <= 0.25 * ap.FAST_CRASH.depth * (1 + 1e-9)
    # a smaller close factor alone already lowers the worst fill
    assert (ap.gradual_scenario(0.25, None, 0).summary["worst_slippage"]
            < ap.gradual_scenario(1.0, None, 0).summary["worst_slippage"])


def test_a_bigger_fund_means_less_socialised_loss_and_the_waterfall_adds_up():
    socialised = [ap.insurance_fund_scenario(f).summary["socialized"]
                  for f in (0.0, 2e6, 5e6, 20e6)]
    assert socialised[0] > socialised[1] > socialised[2] > socialised[3] == 0.0
    r = ap.insurance_fund_scenario(3e6)
    total = r.paid_by_fund + r.socialized + r.uncovered
    np.testing.assert_allclose(total, np.cumsum(r.result.bad_debt), rtol=1e-9, atol=1e-6)
    assert r.summary["exhausted_step"] >= ap.FAST_CRASH.shock_step
    assert r.summary["fund_left"] == pytest.approx(0.0, abs=1e-6)
    rich = ap.insurance_fund_scenario(20e6).summary
    assert rich["exhausted_step"] == -1.0 and rich["fund_share"] == pytest.approx(1.0)


def test_vol_margin_closes_positions_before_they_go_bankrupt():
    m = ap.vol_margin_scenario(paths=6, n=5_000)
    s = m.summary
    assert s["bad_debt"] < 0.6 * s["bad_debt_static"]
    assert s["bankrupt_steps"] < s["bankrupt_steps_static"]
    assert s["peak_margin"] > 0.05
    assert np.all(m.example_static.maintenance == m.example_static.maintenance[0])


def test_phased_in_margin_softens_the_wave_the_instant_margin_sets_off():
    m = ap.vol_margin_scenario(paths=6, n=5_000, margin_step=0.0005)
    s = m.summary
    # the instant rise is itself a wave: its busiest step is bigger than the static margin's
    assert s["largest_step"] > s["largest_step_static"]
    # phasing the same target in makes that step smaller again...
    assert s["largest_step_phased"] < 0.8 * s["largest_step"]
    # ...and still leaves less bad debt than the static margin
    assert s["bad_debt_phased"] < s["bad_debt_static"]
    assert s["margin_step"] == 0.0005
    rise = np.diff(np.concatenate([[0.005], m.example_phased.maintenance]))
    assert rise.max() <= 0.0005 + 1e-12
    assert np.diff(np.concatenate([[0.005], m.example_adjusted.maintenance])).max() > 0.0005


def test_fees_shrink_leverage_most_for_the_most_leveraged():
    f = ap.fee_scenario(3.0)
    s = f.summary
    assert s["fee_rate"] == pytest.approx(3.0 * ap.FAST_CRASH.sigma * np.sqrt(10.0))
    assert s["p99_leverage"] < s["p99_leverage_base"]
    cut = 1 - f.leverage_after / f.leverage
    assert np.corrcoef(f.leverage, cut)[0, 1] > 0.9
    assert s["fees"] > 0 and s["bad_debt"] < s["bad_debt_base"]
    assert ap.fee_scenario(5.0).summary["bad_debt"] < s["bad_debt"]


def test_protective_puts_cut_the_dealers_selling():
    p = ap.protective_puts_scenario(2e6).summary
    assert p["gamma_dealer"] < p["gamma_hedged"] < 0.0
    assert 0.0 < p["hedge_sales_hedged"] < p["hedge_sales"]
    assert p["drawdown_none"] < p["drawdown_hedged"] < p["drawdown_dealer"]


# --- comparison and Monte Carlo ----------------------------------------------------------------
def test_mitigation_comparison_table_and_directions():
    cmp = ap.mitigation_comparison()
    assert cmp.names == [*ap.POLICIES, "all"]
    m = {k: dict(zip(cmp.names, v, strict=True)) for k, v in cmp.metrics.items()}
    assert m["socialized"]["bigger fund"] < m["socialized"]["none"]
    assert m["bad_debt"]["bigger fund"] == pytest.approx(m["bad_debt"]["none"])
    for name in ("gradual", "breaker", "fees"):
        assert m["drawdown"][name] < m["drawdown"]["none"]
    assert m["bad_debt"]["all"] < min(m["bad_debt"][k] for k in ap.POLICIES)
    text = cmp.table()
    assert all(name in text for name in cmp.names) and "socialised" in text


def test_mitigation_monte_carlo_same_paths_and_risk_measures():
    mc = ap.mitigation_monte_carlo({"none": {}, "fees": {"fee_z": 3.0}}, paths=40, steps=120,
                                   n=5_000)
    risk = mc.risk()
    assert set(risk) == {"none", "fees", "all"}
    for r in risk.values():
        assert r["var"] <= r["es"] and 0.0 <= r["p_zero"] <= 1.0
    assert risk["fees"]["mean"] < risk["none"]["mean"]
    assert "VaR 95%" in mc.table()


@pytest.mark.parametrize(("call", "name"), [
    (lambda: ap.circuit_breaker_scenario(band=-0.1), "band"),
    (lambda: ap.circuit_breaker_scenario(window=0), "window"),
    (lambda: ap.circuit_breaker_scenario(halt_resilience=1.5), "halt_resilience"),
    (lambda: ap.gradual_scenario(close_factor=0.0), "close_factor"),
    (lambda: ap.gradual_scenario(cooldown=-1), "cooldown"),
    (lambda: ap.insurance_fund_scenario(-1.0), "fund"),
    (lambda: ap.insurance_fund_scenario(1e6, penalty_to_fund=2.0), "penalty_to_fund"),
    (lambda: ap.vol_margin_scenario(0.0), "margin_z"),
    (lambda: ap.vol_margin_scenario(paths=0), "paths"),
    (lambda: ap.vol_margin_scenario(margin_step=0.0), "margin_step"),
    (lambda: ap.fee_scenario(-1.0), "fee_z"),
    (lambda: ap.protective_puts_scenario(-5.0), "puts"),
    (lambda: ap.mitigation_monte_carlo(paths=0), "paths"),
    (lambda: ap.mitigation_monte_carlo(level=1.0), "level"),
    (lambda: ap.mitigation_comparison(steps=5), "steps"),
    (lambda: ap.mitigation_comparison(scenario="crash"), "scenario"),
    (lambda: ap.drawdown_path(np.ones(3), 0.0), "start"),
    (lambda: ap.gradual_scenario(n=0), "n"),
])
def test_bad_inputs_name_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_every_concept_colour_of_the_comparison_figure_is_its_own():
    """03 c35 draws one bar per defence in concept colours: "vol margin" (CRITICAL) and
    "gradual" (LIQUIDATIONS) used to share vermillion (issue 14 item 14)."""
    from cascadelab import plotting as cp

    colours = {name: getattr(cp, name) for name in (
        "PRICE", "LIQUIDATIONS", "DEALER_FLOW", "INSURANCE_FUND", "BAD_DEBT", "PREDATOR", "HALT",
        "BASELINE", "CRITICAL", "NEUTRAL")}
    assert len(set(colours.values())) == len(colours), colours
    assert cp.CONCEPT_COLORS["critical"] == cp.CRITICAL != cp.LIQUIDATIONS
    assert cp.THEORY == cp.FUNDAMENTAL  # the one documented pair, told apart by line style


# --- the engine's own rules, as chapter 03 prints and rewrites them ------------------------------
def test_engine_rule_returns_one_numbered_block_of_the_step_loop():
    from cascadelab.mechanisms.liquidation import slice_units

    block = ap.engine_rule("Liquidation orders")
    assert block.startswith("# 6. Liquidation orders")
    assert "slice_units(" in block and "# 7." not in block
    assert 5 <= len(block.splitlines()) <= 40
    margin = ap.engine_rule("volatility estimate")  # case-insensitive prefix
    assert "ewma_variance" in margin and "phase_in" in margin
    assert "stress_index(" in ap.engine_rule("Stress index")
    with pytest.raises(ValueError, match="headings"):
        ap.engine_rule("no such block")
    with pytest.raises(ValueError, match="section"):
        ap.engine_rule("")
    src = ap.function_source(slice_units)
    assert src.startswith("def slice_units(") and "@njit" not in src
    with pytest.raises(TypeError, match="fn"):
        ap.function_source(3)


def _chapter_cell(cell_id):
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).parents[1] / "notebooks" / "03_approach.ipynb").read_text())
    return "".join(next(c for c in nb["cells"] if c["id"] == cell_id)["source"])


def test_the_chapters_own_margin_and_breaker_rules_reproduce_the_engine(capsys):
    """03 writes the margin rule and the breaker rule in plain Python and says they give the
    engine's m_t and halts step for step: run those cells and check that they print True."""
    from cascadelab import default_market

    pos, _ = default_market()
    ns = {"np": np, "ap": ap, "pos": pos, "vm": ap.vol_margin_scenario()}
    exec(_chapter_cell("03-margin-rule"), ns)
    exec(_chapter_cell("03-breaker-rule"), ns)
    out = capsys.readouterr().out
    assert out.count(": True") == 3 and "False" not in out, out
