"""Chapter 01 scenario functions: each idea moves the numbers the way the chapter says, agrees
with the engine it wraps, and refuses bad inputs by name."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from cascadelab import Book, Scenario, cascade, simulate, simulate_portfolio, tail_probability
from cascadelab.chapters._course import population
from cascadelab.chapters.origin import (
    EVENTS,
    correlation_sweep,
    cross_margin_contagion,
    fat_tail_breaches,
    fragmented_liquidity,
    liquidator_tradeoff,
    replay_events,
    stale_oracle,
)

# ----------------------------------------------------------------- 1. fragmented liquidity


def test_thinner_venue_share_gives_larger_amplification():
    amps = [fragmented_liquidity(s).venue.amplification for s in (1.0, 0.8, 0.6, 0.4, 0.2)]
    assert all(b > a for a, b in pairwise(amps)), amps
    res = fragmented_liquidity(0.4)
    assert np.all(np.diff(res.amplification) <= 1e-9)  # sweep: falls as the share grows
    assert res.summary["ratio"] > 2.0


def test_full_share_is_the_aggregate_book_and_matches_cascade():
    res = fragmented_liquidity(1.0, shock=0.04)
    assert res.venue.final_price == res.aggregate.final_price
    pos = population(20_000, seed=0)
    direct = cascade(pos, 100.0, 0.04, Book(200_000.0 * 0.3))
    assert fragmented_liquidity(0.3, shock=0.04).venue.final_price == direct.final_price


def test_critical_share_separates_mild_from_runaway():
    res = fragmented_liquidity(0.5, shock=0.02)
    s_star = res.critical_share
    assert 0.0 < s_star < 1.0
    above = res.amplification[res.shares > 1.5 * s_star]
    below = res.amplification[res.shares < 0.5 * s_star]
    assert above.max() < below.min()
    assert np.all(np.isinf(res.closed_form[res.shares <= s_star]))


# ----------------------------------------------------------------------------- 2. fat tails


def test_fatter_tails_breach_a_four_sigma_buffer_more_often():
    counts = [fat_tail_breaches(4.0, nu).summary["breaches_t"] for nu in (30.0, 10.0, 5.0, 3.0)]
    assert all(b > a for a, b in pairwise(counts)), counts
    res = fat_tail_breaches(4.0, 3.0)
    assert res.summary["ratio"] > 50.0  # about 100x the Gaussian figure
    assert res.summary["years_between_gauss"] > 20.0 > 1.0 > res.summary["years_between_t"]
    # larger index, thinner tails, from nu = 3 on; below 3 the unit-variance scaling squeezes
    # the body so hard that the 4-sigma tail shrinks again (the sweep peaks near nu = 3)
    from3 = res.breaches_vs_nu[res.nus >= 3.0]
    assert np.all(np.diff(from3) < 0)
    assert res.breaches_vs_nu[0] < from3[0]


def test_closed_form_agrees_with_simulated_returns():
    res = fat_tail_breaches(4.0, 3.0, n_sim=400_000)
    se = np.sqrt(res.p_t * (1 - res.p_t) / res.n_sim)
    assert abs(res.p_sim - res.p_t) < 4 * se
    assert res.p_t == tail_probability(4.0, 3.0)
    mid = (res.zs >= 1.0) & (res.zs <= 3.0)
    assert np.allclose(res.curve_sim[mid], res.curve_t[mid], rtol=0.05)


def test_larger_buffer_breached_less():
    assert (fat_tail_breaches(6.0, 3.0).summary["breaches_t"]
            < fat_tail_breaches(4.0, 3.0).summary["breaches_t"])
    assert fat_tail_breaches(4.0, 3.0, periods_per_year=8760.0).summary["breaches_t"] == (
        pytest.approx(24 * fat_tail_breaches(4.0, 3.0).summary["breaches_t"]))


# --------------------------------------------------------------------------- 3. stale oracle


def test_later_oracle_leaves_more_bad_debt_but_the_same_drawdown():
    res = stale_oracle(30)
    assert np.all(np.diff(res.bad_debt_curve) > 0), res.bad_debt_curve
    s = res.summary
    assert s["bad_debt_stale"] > 100 * max(s["bad_debt_fresh"], 1.0)
    assert abs(s["drawdown_stale_pct"] - s["drawdown_fresh_pct"]) < 1.0
    assert s["max_lag_pct"] > 2.0


def test_stale_oracle_runs_are_the_engine():
    res = stale_oracle(20, heartbeat=5, crash=0.2)
    again = simulate(population(20_000, seed=0), res.scenario, steps=300, seed=0)
    assert again.total_bad_debt == res.stale.total_bad_debt
    fresh = res.scenario.replace(oracle_latency=0, heartbeat=1, deviation=0.0)
    assert simulate(population(20_000, seed=0), fresh, steps=300).total_bad_debt == (
        res.fresh.total_bad_debt)
    assert res.fresh.price[-1] == pytest.approx(80.0, rel=0.05)  # the crash is 20%


def test_heartbeat_makes_it_staler_and_deviation_helps():
    slow = stale_oracle(0, heartbeat=60).summary["bad_debt_stale"]
    assert slow > stale_oracle(0, heartbeat=10).summary["bad_debt_stale"]
    assert stale_oracle(0, heartbeat=60, deviation=0.01).summary["bad_debt_stale"] < slow


# --------------------------------------------------------------------------- 4. cross margin


def test_cross_margin_drags_other_assets_at_low_correlation():
    s = cross_margin_contagion(0.0).summary
    assert s["other_legs_cross"] > 5 * s["other_legs_isolated"]
    assert s["dragged_share"] > 0.9


def test_isolated_contains_contagion_only_at_low_correlation():
    sw = correlation_sweep((0.0, 0.2, 0.5, 0.8))
    assert np.all(np.diff(sw["other_legs_cross"]) > 0)  # correlation spreads the crash
    assert sw["corr"].tolist() == [0.0, 0.2, 0.5, 0.8]
    assert sw["other_legs_cross"][0] > sw["other_legs_isolated"][0]
    assert sw["other_legs_cross"][-1] < sw["other_legs_isolated"][-1]
    # pooling the margin saves legs in the shocked asset at every correlation
    assert np.all(sw["shocked_legs_cross"] < sw["shocked_legs_isolated"])


def test_cross_margin_runs_are_the_portfolio_engine():
    res = cross_margin_contagion(0.3, shock=0.2)
    from cascadelab.chapters.origin.cross_margin import _accounts

    cross, isolated = _accounts(5_000, 0, 4.0)
    assert cross.cross_margin and not isolated.cross_margin
    again = simulate_portfolio(cross, res.scenario, seed=0)
    assert np.array_equal(again.n_liquidated_legs_total, res.cross.n_liquidated_legs_total)


# --------------------------------------------------------------------------- 5. liquidators


def test_gradual_close_cuts_slippage_but_not_bad_debt_on_a_slow_book():
    s = liquidator_tradeoff(0.25).summary  # the book refills 2% a step
    assert s["slippage_gradual_pct"] < 0.5 * s["slippage_full_pct"]
    assert s["drawdown_gradual_pct"] < s["drawdown_full_pct"]
    # the slices still open keep selling into a price their own sales hold down
    assert s["bad_debt_gradual"] > s["bad_debt_full"]


def test_gradual_close_lowers_bad_debt_when_the_book_refills_fast():
    s = liquidator_tradeoff(0.25, resilience=1.0).summary
    assert s["bad_debt_gradual"] < s["bad_debt_full"]
    assert s["slippage_gradual_pct"] < s["slippage_full_pct"]


def test_close_factor_sweep_and_cap():
    res = liquidator_tradeoff(0.25)
    assert res.slippage_curve[0] < res.slippage_curve[-1]
    assert res.bad_debt_curve[-1] == res.full.total_bad_debt  # close factor 1 = all at once
    capped = liquidator_tradeoff(1.0, 0.2).summary
    assert capped["slippage_gradual_pct"] < capped["slippage_full_pct"]
    sc = Scenario(close_factor=0.25)
    assert simulate(population(20_000, seed=0), sc).total_bad_debt == (
        res.gradual.total_bad_debt)


# ------------------------------------------------------------------------ events, validation


def test_events_are_attributed_and_replayed():
    assert [e.key for e in EVENTS] == ["2020-03-12", "2021-05-19", "2025-10-10"]
    for e in EVENTS:
        assert all("[" in r and r.endswith("]") for r in e.reported), e.key
    march, may, october = replay_events()
    # the replays are calibrated now (issue 12): the late feed and stalled liquidators still
    # leave more bad debt than a fresh feed, the venue still falls further than the market
    assert march.outputs["bad_debt_pct"] > march.outputs["bad_debt_fresh_pct"]
    assert may.outputs["venue_fall_pct"] > may.outputs["model_fall_pct"] > 30.0
    assert october.outputs["liquidated_token_count"] > october.outputs["liquidated_cash_count"]


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: fragmented_liquidity(0.0), "venue_share"),
        (lambda: fragmented_liquidity(0.5, shock=1.2), "shock"),
        (lambda: fragmented_liquidity(0.5, impact="cubic"), "impact"),
        (lambda: fat_tail_breaches(4.0, 2.0), "nu"),
        (lambda: fat_tail_breaches(-1.0, 3.0), "z"),
        (lambda: fat_tail_breaches(4.0, 3.0, periods_per_year=0.0), "periods_per_year"),
        (lambda: stale_oracle(-1), "latency"),
        (lambda: stale_oracle(5, heartbeat=0), "heartbeat"),
        (lambda: stale_oracle(5, crash=0.99), "crash"),
        (lambda: cross_margin_contagion(1.5), "corr"),
        (lambda: cross_margin_contagion(0.2, shock=-0.1), "shock"),
        (lambda: liquidator_tradeoff(0.0), "close_factor"),
        (lambda: liquidator_tradeoff(0.5, -1.0), "max_book_share"),
        (lambda: liquidator_tradeoff(0.5, resilience=2.0), "resilience"),
    ],
)
def test_bad_inputs_name_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ------------------------------------------------------------------- replays by calibration


def test_calibrate_shock_inverts_a_monotone_fall():
    from cascadelab.chapters.origin import calibrate_shock

    assert calibrate_shock(lambda s: 2 * s, 0.3) == pytest.approx(0.15, abs=1e-4)
    assert calibrate_shock(lambda s: s + s**2, 0.2, tol=1e-8) == pytest.approx(
        (-1 + np.sqrt(1.8)) / 2, abs=1e-7)
    # a cliff: no shock gives 0.3; the bisection stops at the jump
    cliff = calibrate_shock(lambda s: s if s < 0.2 else 0.6, 0.3)
    assert cliff == pytest.approx(0.2, abs=1e-4)
    assert calibrate_shock(lambda s: 0.5 + s, 0.3) == 1e-3  # already past it at lo
    with pytest.raises(ValueError, match="target"):
        calibrate_shock(lambda s: s, 1.5)


def test_each_replay_reproduces_the_observed_fall():
    for rep in replay_events():
        assert abs(rep.model_fall / rep.observed_fall - 1.0) < 0.1, rep.event.key
        assert rep.central.reproduces
        assert 0.0 < rep.calibrated_shock < rep.model_fall
        lo, hi = rep.band
        assert 0.0 <= lo <= rep.cascade_share <= hi < 1.0
        assert rep.event.fall_range[0] <= rep.observed_fall <= rep.event.fall_range[1]
        # the central replay is the calibration it reports
        assert rep.outputs["model_fall_pct"] == pytest.approx(100 * rep.model_fall)
        assert rep.outputs["cascade_share_pct"] == pytest.approx(100 * rep.cascade_share)


def test_replays_answer_the_mechanism_of_each_event():
    march, may, october = replay_events()
    # March 2020: the vaults' capped liquidations add little to the fall, and leave little
    # bad debt; with a fresh feed and unlimited liquidators the same crash falls further
    assert march.cascade_share < 0.05
    assert march.outputs["bad_debt_pct"] < 1.0
    assert march.outputs["fall_fresh_pct"] > march.outputs["model_fall_pct"]
    assert march.outputs["closed_share_pct"] < 50.0
    # May 2021: less depth, more of the fall from forced selling; a venue with a quarter of the
    # depth falls much further than the aggregate book
    by_label = {c.label: c for c in (may.central, *may.sensitivity)}
    assert (by_label["half the depth"].cascade_share > may.cascade_share
            > by_label["twice the depth"].cascade_share)
    assert may.outputs["venue_fall_pct"] > 1.5 * may.outputs["model_fall_pct"]
    # October 2025: token margin priced on the venue's book liquidates more than cash margin
    o = october.outputs
    assert o["liquidated_token_count"] > o["liquidated_cash_count"]
    assert o["fall_cash_pct"] < o["model_fall_pct"] and o["token_low_usd"] < 1.0
    # at half the depth the token market tips over a cliff: no shock reproduces the fall
    half = next(c for c in october.sensitivity if c.label == "half the depth")
    assert not half.reproduces and half.jump[0] < october.observed_fall < half.jump[1]


def test_every_fact_names_sources_that_exist():
    import re
    from pathlib import Path

    refs = (Path(__file__).parents[1] / "docs" / "references.md").read_text()
    keys = set(re.findall(r"^### (\S+)$", refs, flags=re.M))
    for e in EVENTS:
        for fact in e.facts:
            assert fact.sources and set(fact.sources) <= keys, (e.key, fact.sources)
        assert "5.4M" not in " ".join(e.reported)  # no source gives it (issue 12)


def test_replay_reports_print_units_not_scientific_notation():
    import re

    for rep in replay_events():
        text = rep.report()
        assert not re.search(r"\d[eE][+-]?\d", text), text
        assert "nan" not in text and "inf" not in text.replace("inflat", "")
        assert "%" in text
