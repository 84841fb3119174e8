"""Chapter 03's ADL scenario (issue 12, section 2): who pays under the levy and under ADL, on the
same crash; the waterfall identity, a ranked few when the fund covers most, the highest-ranked
first, haircuts that add up to what each rule covered, and the argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from cascadelab.chapters import approach as ap
from cascadelab.chapters._course import population
from cascadelab.mechanisms.adl import adl_ranking


@pytest.fixture(scope="module")
def default():
    return ap.adl_scenario()


def test_both_rules_run_on_the_same_crash(default):
    adl, levy = default.adl, default.levy
    assert default.chosen is adl and default.other is levy
    assert adl.result.scenario.loss_rule == "adl" and levy.result.scenario.loss_rule == "socialise"
    assert adl.result.scenario.sigma == 0.0 == ap.ADL_CRASH.sigma
    assert adl.result.scenario.replace(loss_rule="socialise") == levy.result.scenario
    # identical until the fund runs dry, and the same bad debt here
    t0 = default.first_loss_step
    assert t0 == ap.ADL_CRASH.shock_step + 2
    np.testing.assert_array_equal(adl.result.price[:t0 + 1], levy.result.price[:t0 + 1])
    assert adl.summary["bad_debt"] == pytest.approx(levy.summary["bad_debt"])
    assert default.mark == pytest.approx(0.5 * (adl.result.pre_trade_price[t0]
                                                + adl.result.price[t0]))
    other = ap.adl_scenario(loss_rule="socialise")
    assert other.chosen.rule == "socialise" and other.summary["is_adl"] == 0.0
    assert other.summary["traders_adl"] == default.summary["traders_adl"]


@pytest.mark.parametrize("fund", [0.0, 3e6, 8e6, 9e6])
@pytest.mark.parametrize("rule", ["adl", "levy"])
def test_the_waterfall_identity_holds_at_every_step(fund, rule):
    out = getattr(ap.adl_scenario(fund), rule)
    res = out.result
    tol = 1e-6 * max(res.total_bad_debt, 1.0)
    np.testing.assert_allclose(res.bad_debt, res.fund_draw + res.socialized_loss
                               + res.uncovered_loss, rtol=0, atol=tol)
    np.testing.assert_allclose(np.cumsum(res.bad_debt),
                               out.paid_by_fund + out.covered + out.uncovered, rtol=0, atol=tol)
    # the haircuts add up to what the winners covered
    assert out.haircut.sum() == pytest.approx(out.covered[-1], rel=1e-9, abs=1e-6)
    assert np.all(out.haircut >= 0.0) and np.all(np.diff(out.haircut) <= 0.0)


def test_default_values():
    """The numbers chapter 03 quotes at the lab's defaults (fund 8M USD, shock 6%, 100,000
    units per 1%)."""
    s = ap.adl_scenario(8e6).summary
    assert s["bad_debt"] == pytest.approx(9.133e6, rel=1e-3)
    assert s["paid_by_fund"] == pytest.approx(8.0e6, rel=1e-3)
    assert s["covered"] == pytest.approx(s["bad_debt"] - s["paid_by_fund"])
    assert s["winners"] == 8056 == (population(20_000, seed=0).side < 0).sum()
    assert s["traders_levy"] == 8056 and s["traders_adl"] == 1591
    assert s["largest_adl"] == pytest.approx(20.0e3, rel=1e-2)
    assert s["largest_levy"] == pytest.approx(4.02e3, rel=1e-2)
    assert s["uncovered"] == 0.0 and s["uncovered_other"] == 0.0


def test_adl_closes_a_ranked_few_when_the_fund_covers_most():
    for fund in (8e6, 8.5e6, 9e6):
        res = ap.adl_scenario(fund)
        s = res.summary
        assert s["covered"] < 0.15 * s["bad_debt"]  # the fund covers most
        assert 0 < s["traders_adl"] < s["traders_levy"] / 4
        assert s["largest_adl"] > 4 * s["largest_levy"]
        assert res.adl.summary["median_haircut"] > 4 * res.levy.summary["median_haircut"]


def test_with_a_small_fund_adl_closes_nearly_every_winner():
    """The model's limit: with the fund empty early, ADL closes as many units as went bankrupt,
    most of the opposite side; with no fund it runs out of profitable shorts."""
    s3 = ap.adl_scenario(3e6).summary
    assert s3["share_closed"] > 0.9 and s3["uncovered"] == 0.0
    s0 = ap.adl_scenario(0.0).summary
    assert s0["share_closed"] > 0.95
    assert s0["uncovered"] > 0.3 * s0["bad_debt"] and s0["uncovered_levy"] == 0.0


def test_highest_ranked_closed_first(default):
    adl = default.adl
    res = adl.result
    pos = population(20_000, seed=0)
    t = int(np.argmax(res.adl_units > 0.0))
    idx, rank = adl_ranking(pos, -1, 0.5 * (res.pre_trade_price[t] + res.price[t]))
    m = adl.trader.size
    assert set(adl.trader) == set(idx[:m])  # exactly the head of the queue
    assert np.all(res.remaining_size[idx[:m - 1]] == 0.0)  # all in full but the last
    assert 0.0 < res.remaining_size[idx[m - 1]] < pos.size[idx[m - 1]]
    np.testing.assert_array_equal(res.remaining_size[idx[m:]], pos.size[idx[m:]])
    assert adl.units_closed.sum() == pytest.approx(res.adl_units.sum(), rel=1e-12)
    assert np.all(np.diff(rank[:m]) <= 0.0)


def test_haircut_definitions(default):
    pos = population(20_000, seed=0)
    levy, adl = default.levy, default.adl
    # levy: the same charge per unit for everybody, out of the collateral
    per_unit = levy.haircut / pos.size[levy.trader]
    np.testing.assert_allclose(per_unit, per_unit[0], rtol=1e-9)
    np.testing.assert_allclose(levy.haircut, pos.collateral[levy.trader]
                               - levy.result.remaining_collateral[levy.trader], rtol=1e-12)
    # ADL: each closed unit gives up g_t = S_t / U_t USD, between the smallest and largest gap
    steps = np.flatnonzero(adl.result.adl_units > 0)
    gaps = adl.result.socialized_loss[steps] / adl.result.adl_units[steps]
    per_unit = adl.haircut / adl.units_closed
    assert np.all(per_unit >= gaps.min() * (1 - 1e-9)) and np.all(
        per_unit <= gaps.max() * (1 + 1e-9))
    for out in (levy, adl):
        coll = pos.collateral[out.trader]
        np.testing.assert_allclose(out.share_of_collateral, out.haircut / coll)
        profit = pos.size[out.trader] * (pos.entry[out.trader] - default.mark)
        assert np.all(profit > 0.0)  # every short is in profit at the mark
        np.testing.assert_allclose(out.share_of_profit, out.haircut / profit)
    assert levy.summary["largest_share"] < 1.0 < adl.summary["largest_share"]


def test_a_fund_that_covers_everything_needs_no_rule():
    res = ap.adl_scenario(10e6)
    s = res.summary
    assert res.first_loss_step == -1 and np.isnan(res.mark)
    assert s["traders_adl"] == s["traders_levy"] == 0.0 and s["covered"] == 0.0
    assert s["largest_adl"] == 0.0 and s["fund_left"] > 0.0


def test_results_are_cached_and_read_only():
    a, b = ap.adl_scenario(8e6), ap.adl_scenario(8e6)
    assert a is b
    with pytest.raises(ValueError):
        a.adl.haircut[0] = 0.0


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"fund": -1.0}, r"fund must be .*\[0, 1e\+09\].*-1"),
    ({"fund": "8M"}, r"fund must be a real number"),
    ({"loss_rule": "ADL"}, r"loss_rule must be one of 'socialise', 'adl'; got 'ADL'"),
    ({"shock": 0.0}, r"shock must be .*\(0, 0\.5\].*0"),
    ({"shock": 0.6}, r"shock must be .*0\.6"),
    ({"depth": 10.0}, r"depth must be .*\[1000, 1e\+08\].*10"),
    ({"n": 5}, r"n must be .*100"),
    ({"steps": 5}, r"steps must be .*20"),
    ({"seed": -1}, r"seed must be"),
])
def test_bad_arguments_are_refused_with_their_name_value_and_range(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ap.adl_scenario(**kwargs)


@pytest.mark.parametrize("shock", [0.02, 0.06, 0.1, 0.15])
@pytest.mark.parametrize("depth", [1e4, 2e4, 1e5, 1e6])
@pytest.mark.parametrize("fund", [0.0, 4e6, 12e6])
def test_the_lab_grid_keeps_the_accounting(shock, depth, fund):
    """Across the lab's range: ADL's attributed units are the engine's, each haircut rule adds
    up to what it covered, and the numbers are finite."""
    res = ap.adl_scenario(fund, shock=shock, depth=depth)
    adl, levy = res.adl, res.levy
    assert adl.units_closed.sum() == pytest.approx(adl.result.adl_units.sum(), rel=1e-9, abs=1e-9)
    for out in (adl, levy):
        assert out.haircut.sum() == pytest.approx(out.covered[-1], rel=1e-9, abs=1e-6)
        assert all(np.isfinite(v) for v in out.summary.values())
    assert all(np.isfinite(v) for v in res.summary.values())
    if res.summary["uncovered_levy"] >= 1.0:  # the levy ran out only once every short was closed
        shorts = population(20_000, seed=0).side < 0
        assert np.all(levy.result.remaining_size[shorts] == 0.0)
