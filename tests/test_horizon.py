"""Chapter 05 scenario functions: logistic fit, ROC, predictor, policies, monitors, breaker rule,
backstop and funding charge."""

from __future__ import annotations

import numpy as np
import pytest

from cascadelab import Scenario, liquidation_density, sample_positions, simulate
from cascadelab.chapters import horizon as hz
from cascadelab.chapters.horizon.breaker import _day_run


def test_fit_logistic_recovers_a_known_model():
    rng = np.random.default_rng(3)
    X = rng.normal([1.0, -2.0, 0.0], [2.0, 0.5, 1.0], size=(30_000, 3))
    b0, b = -0.5, np.array([0.8, -1.5, 0.0])
    y = rng.random(30_000) < 1.0 / (1.0 + np.exp(-(b0 + X @ b)))
    model = hz.fit_logistic(X, y)
    fb0, fb = model.raw_coef
    assert fb0 == pytest.approx(b0, abs=0.2)
    np.testing.assert_allclose(fb, b, atol=0.1)  # about 4 standard errors
    p = model.predict_proba(X)
    assert ((p > 0) & (p < 1)).all()


def test_fit_logistic_separable_data_stays_finite_with_ridge():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = hz.fit_logistic(X, [0, 0, 1, 1], ridge=1.0)
    assert np.isfinite(model.coef).all() and model.coef[0] > 0


def test_roc_curve_perfect_chance_and_reversed():
    y = np.array([0, 0, 1, 1])
    assert hz.roc_curve(y, [0.1, 0.2, 0.8, 0.9]).auc == 1.0
    assert hz.roc_curve(y, [0.9, 0.8, 0.2, 0.1]).auc == 0.0
    assert hz.roc_curve(y, [0.5, 0.5, 0.5, 0.5]).auc == 0.5
    roc = hz.roc_curve(y, [0.1, 0.4, 0.35, 0.8])
    assert roc.fpr[0] == 0 and roc.tpr[-1] == 1 and np.all(np.diff(roc.fpr) >= 0)


def test_roc_auc_equals_mann_whitney():
    rng = np.random.default_rng(1)
    y = rng.random(300) < 0.3
    s = rng.normal(size=300) + y
    pos, neg = s[y], s[~y]
    mw = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert hz.roc_curve(y.astype(int), s).auc == pytest.approx(mw)


def test_predictor_beats_chance_out_of_sample():
    res = hz.predictive_engine(600, 400, seed=0)
    assert res.roc_test.auc > 0.68  # about 0.76 at this seed; chance is 0.5
    # the loop gain rho/D is the strongest feature, with a positive sign
    assert np.argmax(res.model.coef) == hz.FEATURES.index("loop_gain")
    assert 0.15 < res.test.base_rate < 0.6


def test_episode_features_agree_with_the_engine():
    eps = hz.draw_episodes(5, seed=4)
    for i in range(5):
        pos, sc, seed = hz.episode_market(eps, i)
        res = simulate(pos, sc, steps=eps.dist.steps, seed=seed)
        warn = eps.dist.warn_step
        rho = liquidation_density(pos, float(res.pre_trade_price[warn]), window=0.05)
        assert eps.X[i, 0] == pytest.approx(rho / sc.depth)
        forced = res.liquidated_notional[warn:].sum() / pos.notional.sum()
        assert eps.y[i] == (forced > eps.dist.cascade_share)


def test_warning_policies_cut_bad_debt_and_cost_collateral():
    res = hz.predictive_engine(600, 400, seed=0)
    warned = res.p_test >= 0.5
    margin = hz.warning_policy(res.test, warned, policy="margin", level=5.0).summary
    assert margin["bad_debt_with"] < 0.6 * margin["bad_debt_without"]
    assert margin["collateral_added"] > 0
    everyone = np.ones(len(res.test), dtype=bool)
    always = hz.warning_policy(res.test, everyone, policy="margin", level=5.0).summary
    assert always["collateral_added"] > 2 * margin["collateral_added"]
    pause = hz.warning_policy(res.test, warned, policy="pause", level=0.02).summary
    assert pause["bad_debt_with"] < pause["bad_debt_without"] and pause["halted_steps"] > 0
    none = hz.warning_policy(res.test, np.zeros(len(res.test), bool)).summary
    assert none["bad_debt_with"] == none["bad_debt_without"]


def test_cap_leverage_adds_collateral_and_moves_liquidation_prices_away():
    pos = sample_positions(500, 100.0, seed=2)
    capped, added = hz.cap_leverage(pos, 5.0)
    assert capped.leverage.max() <= 5.0 and added > 0
    longs = pos.side > 0
    assert (capped.liquidation_price[longs] <= pos.liquidation_price[longs] + 1e-12).all()


def test_monitor_system_gain_never_below_own_gains():
    rng = np.random.default_rng(0)
    for _ in range(50):
        rho, d = rng.uniform(0, 1e5, 3), rng.uniform(1e4, 1e5, 3)
        c = rng.uniform()
        own, system = hz.monitor_gains(rho, d, c)
        assert system >= own.max() - 1e-12
    own, system = hz.monitor_gains([5e4, 3e4], [1e5, 1e5], 0.0)
    assert system == pytest.approx(own.max())  # no link: the venues are separate


def test_cross_venue_contagion_needs_the_link():
    alone = hz.cross_venue_cascade(coupling=0.0, shock=0.02)
    linked = hz.cross_venue_cascade(coupling=0.6, shock=0.02)
    assert alone.final_move[1] == 0 and alone.final_move[2] == 0
    assert linked.final_move[1] > 0.1 and linked.final_move[2] > 0.1
    assert linked.system_gain > 1.0 > linked.own_gain.max()
    small = hz.cross_venue_cascade(coupling=0.6, shock=0.02, scale=0.5)
    assert small.final_move.max() < 0.05


def test_gain_buildup_system_warns_first():
    scales, own, system = hz.gain_buildup(coupling=0.6)
    assert scales[system >= 1].min() < scales[(own >= 1).any(axis=1)].min()


def test_private_margin_hidden_levels_cost_the_predator():
    s = hz.private_margin_scenario(2e6).summary
    assert s["pnl_visible"] > 0 > s["pnl_hidden"]


def test_stress_index_grows_with_density_and_vol():
    pos = sample_positions(2000, 100.0, leverage=15.0, seed=0)
    base = hz.stress_index(pos, 100.0, 20_000.0, 0.002)
    assert hz.stress_index(pos, 100.0, 10_000.0, 0.002) == pytest.approx(2 * base)
    assert hz.stress_index(pos, 100.0, 20_000.0, 0.004) == pytest.approx(2 * base)


def test_stress_index_is_the_engines_equation_on_the_longs_near_the_price():
    pos = sample_positions(3_000, 100.0, leverage=15.0, seed=4)
    liq = pos.liquidation_price
    units = float(pos.size[(pos.side > 0) & (liq <= 100.0) & (liq >= 95.0)].sum())
    assert units > 0
    want = units / (100 * 0.05) / 20_000.0 * (0.003 / Scenario().stress_sigma_ref)
    assert hz.stress_index(pos, 100.0, 20_000.0, 0.003) == pytest.approx(want, rel=1e-14)
    assert hz.SIGMA_REF == Scenario().stress_sigma_ref


def test_breaker_tradeoff_directions():
    days = hz.breaker_days(60, 60, seed=1)
    t = hz.breaker_tradeoff(days, bands=np.array([0.015, 0.03, 0.08]))
    assert t.band_false[0] >= t.band_false[1] >= t.band_false[2]  # wider band halts less
    assert t.band_saved[0] >= t.band_saved[2]
    # arming on every day with the same band equals the plain band
    same = hz.breaker_tradeoff(days, bands=np.array([0.03]), thresholds=np.array([-1.0]))
    assert same.rule_false[0] == same.band_false[0] and same.rule_saved[0] == same.band_saved[0]
    # the per-step rule: a lower threshold halts more; above every day's peak it never halts
    top = 1.01 * days.peak_stress.max()
    step = hz.breaker_tradeoff(days, bands=np.array([0.03]),
                               step_thresholds=np.quantile(days.peak_stress, [0.3, 0.9]))
    assert step.step_false[0] >= step.step_false[1] and step.step_false[0] > 0
    never = hz.breaker_tradeoff(days, bands=np.array([0.03]), step_thresholds=np.array([top]))
    assert never.step_false[0] == 0.0 and never.step_saved[0] == 0.0
    # beside a band, an unreachable threshold leaves the band alone
    beside = hz.breaker_tradeoff(days, bands=np.array([0.03]), step_thresholds=np.array([top]),
                                 wide=0.03)
    assert beside.step_false[0] == beside.band_false[0]
    assert beside.step_saved[0] == beside.band_saved[0]


def test_peak_stress_is_where_the_per_step_rule_halts():
    days = hz.breaker_days(20, 20, seed=3)
    s = float(np.median(days.peak_stress))
    halts = [_day_run(days, i, 0.0, s)[1] > 0 for i in range(40)]
    np.testing.assert_array_equal(halts, days.peak_stress >= s)


def test_backstop_heals_small_shocks_at_a_profit_but_not_large_ones():
    small, large = hz.backstop_scenario(0.02), hz.backstop_scenario(0.08)
    for r in (small, large):
        assert r.with_backstop.max_drawdown < r.without.max_drawdown
        assert r.with_backstop.total_bad_debt < r.without.total_bad_debt
    assert small.pnl > 0 > large.pnl
    assert hz.backstop_scenario(0.08, rebate=0.05).pnl > large.pnl
    none = hz.backstop_scenario(0.02, extra_depth=0.0)
    assert none.inventory == 0 and none.pnl == 0


def test_funding_charge_grows_with_leverage():
    curve = hz.funding_charge([2.0, 5.0, 20.0], paths=60, steps=150)
    assert curve.charge[0] <= curve.charge[1] < curve.charge[2]
    assert (curve.tail_charge >= curve.charge).all()


@pytest.mark.parametrize(("fn", "kwargs", "name"), [
    (hz.draw_episodes, {"n": 1}, "n"),
    (hz.fit_logistic, {"X": np.ones((3, 1)), "y": [0, 0, 0]}, "y"),
    (hz.roc_curve, {"y": [0, 1], "score": [0.1]}, "y"),
    (hz.cross_venue_cascade, {"coupling": 1.5}, "coupling"),
    (hz.cross_venue_cascade, {"shock": -0.1}, "shock"),
    (hz.monitor_gains, {"densities": [1.0], "depths": [0.0], "coupling": 0.5}, "depths"),
    (hz.private_margin_scenario, {"capital": -1.0}, "capital"),
    (hz.backstop_scenario, {"shock": 0.5}, "shock"),
    (hz.backstop_scenario, {"rebate": -0.01}, "rebate"),
    (hz.funding_charge, {"leverages": [0.5]}, "leverages"),
    (hz.breaker_tradeoff, {"tight": 0.0}, "tight"),
    (hz.breaker_tradeoff, {"step_thresholds": [0.0]}, "step_thresholds"),
])
def test_bad_inputs_name_the_parameter(fn, kwargs, name):
    with pytest.raises(ValueError, match=name):
        fn(**kwargs)


def test_bad_policy_inputs():
    eps = hz.draw_episodes(10, seed=2)
    with pytest.raises(ValueError, match="policy"):
        hz.warning_policy(eps, np.ones(10, bool), policy="panic")
    with pytest.raises(ValueError, match="warned"):
        hz.warning_policy(eps, np.ones(3, bool))
    with pytest.raises(ValueError, match="level"):
        hz.warning_policy(eps, np.ones(10, bool), policy="pause", level=2.0)
    with pytest.raises(ValueError, match="cascade_share"):
        hz.EpisodeDistribution(cascade_share=1.5)
    assert Scenario  # the engine's Scenario validates the rest
