"""Chapter 02 scenario functions: each amplifier in the direction theory says, the insolvency
arithmetic against the engine, gamma hedging and front-running."""

from __future__ import annotations

import numpy as np
import pytest

from cascadelab import Positions, Scenario, simulate
from cascadelab.chapters import theory as th

# --- amplifiers ----------------------------------------------------------------------------------

def test_thinner_book_larger_amplification_and_bad_debt():
    sw = th.sweep_amplifier("depth")
    assert np.all(np.diff(sw.values) > 0)
    assert np.all(np.diff(sw.amplification) < 0)  # deeper book, smaller amplification
    assert sw.amplification[0] > 3.0 * sw.amplification[-1]
    assert sw.bad_debt[0] > sw.bad_debt[-1]
    assert np.all(sw.amplification >= 1.0)


def test_more_leverage_larger_amplification():
    sw = th.sweep_amplifier("leverage")
    assert np.all(np.diff(sw.amplification) >= -1e-9)
    assert sw.amplification[-1] > 2.0 * sw.amplification[0]
    assert sw.bad_debt[-1] > 10.0 * sw.bad_debt[0]


def test_oracle_latency_more_bad_debt():
    sw = th.sweep_amplifier("latency")
    assert np.all(np.diff(sw.bad_debt) > 0)
    assert sw.bad_debt[-1] > 2.0 * sw.bad_debt[0]


def test_collateral_correlation_deepens_the_crash():
    sw = th.sweep_amplifier("correlation")
    assert np.all(np.diff(sw.amplification) > 0)
    assert np.all(np.diff(sw.bad_debt) > 0)


def test_depth_sweep_agrees_with_the_static_cascade():
    from cascadelab import Book, cascade
    from cascadelab.chapters._course import population

    sw = th.sweep_amplifier("depth", [150_000.0], shock=0.04)
    res = cascade(population(20_000, seed=0), 100.0, 0.04, Book(150_000.0))
    assert sw.amplification[0] == pytest.approx(res.amplification)
    assert sw.bad_debt[0] == pytest.approx(res.bad_debt)


@pytest.mark.parametrize(("factor", "values", "kwargs"), [
    ("size", None, {}), ("depth", [0.0], {}), ("leverage", [0.5], {}),
    ("latency", [1.5], {}), ("correlation", [1.2], {}), ("depth", [], {}),
    ("depth", None, {"shock": 0.0}), ("depth", None, {"n": 10}),
])
def test_sweep_validation(factor, values, kwargs):
    with pytest.raises(ValueError, match=r"factor|values|shock|n must"):
        th.sweep_amplifier(factor, values, **kwargs)


# --- insolvency ----------------------------------------------------------------------------------

def test_insolvency_price_is_where_equity_equals_penalty():
    for lev, pen, slip in ((25.0, 0.01, 0.0), (10.0, 0.02, 0.01), (3.0, 0.005, 0.03)):
        p = th.insolvency_price(lev, pen, slip, entry=100.0)
        f = p * (1 - slip)
        equity = 100.0 / lev + f - 100.0
        assert equity == pytest.approx(pen * f)


def test_max_safe_leverage_is_the_root_of_equity_left():
    for pen, slip, gap in ((0.01, 0.0, 0.1), (0.01, 0.005, 0.03), (0.02, 0.01, 0.0)):
        lstar = th.max_safe_leverage(pen, slip, gap)
        assert th.equity_left(lstar, pen, slip, gap) == pytest.approx(0.0, abs=1e-12)
        assert th.equity_left(0.9 * lstar, pen, slip, gap) > 0
        assert th.equity_left(1.1 * lstar, pen, slip, gap) < 0
        assert th.gap_tolerance(lstar, pen, slip) == pytest.approx(gap, abs=1e-12)
    levs = np.array([2.0, 5.0, 10.0, 50.0])
    assert np.all(np.diff(th.equity_left(levs, 0.01, 0.0, 0.05)) < 0)
    # more slippage or a bigger gap: less leverage is safe
    assert th.max_safe_leverage(0.01, 0.01, 0.05) < th.max_safe_leverage(0.01, 0.0, 0.05)
    assert th.max_safe_leverage(0.01, 0.0, 0.10) < th.max_safe_leverage(0.01, 0.0, 0.05)


def _one_long(lev: float) -> Positions:
    # a tiny long (no slippage to speak of) liquidated at once by a gap
    return Positions([1], [1e-3], [100.0], [lev], 0.0)


def test_max_safe_leverage_agrees_with_the_engine():
    pen, gap = 0.01, 0.08
    lstar = th.max_safe_leverage(pen, 0.0, gap)
    # a maintenance ratio high enough that the gap liquidates at once, at the post-gap price
    sc = Scenario(shock=gap, shock_step=0, sigma=0.0, penalty=pen, maintenance=0.2)
    for lev in (0.95 * lstar, 1.05 * lstar):
        res = simulate(_one_long(lev), sc, steps=3)
        assert res.n_liquidated == 1
        fill = res.pre_trade_price[0]
        assert fill == pytest.approx(100.0 * (1 - gap), rel=1e-6)
        due = pen * 1e-3 * fill
        left = th.equity_left(lev, pen, 0.0, gap) * 1e-3 * 100.0  # USD after the penalty
        if lev < lstar:
            assert res.total_penalties == pytest.approx(due, rel=1e-6)
            assert res.returned.sum() == pytest.approx(left, rel=1e-4)
        else:
            assert res.total_penalties < due
            assert res.returned.sum() == 0.0


@pytest.mark.parametrize(("call", "kwargs"), [
    (th.insolvency_price, {"leverage": 0.5, "penalty": 0.01}),
    (th.insolvency_price, {"leverage": 10.0, "penalty": 1.0}),
    (th.insolvency_price, {"leverage": 10.0, "penalty": 0.01, "slippage": -0.1}),
    (th.equity_left, {"leverage": [10.0, 0.0], "penalty": 0.01}),
    (th.max_safe_leverage, {"penalty": 0.0}),
    (th.max_safe_leverage, {"penalty": 0.01, "gap": 1.0}),
])
def test_insolvency_validation(call, kwargs):
    with pytest.raises(ValueError, match=r"leverage|penalty|slippage|gap"):
        call(**kwargs)


# --- gamma hedging -------------------------------------------------------------------------------

def test_short_gamma_sells_into_the_fall_and_raises_volatility():
    res = th.gamma_hedging_scenario()
    s = res.summary
    assert s["gamma"] < 0 and s["hedge_sales_per_pct"] > 0
    assert s["vol_with"] > 1.15 * s["vol_without"]
    assert s["drawdown_with"] > s["drawdown_without"]
    # the engine's dealer sells after falls
    d = res.with_dealer
    moves = np.diff(np.concatenate(([100.0], d.pre_trade_price)))
    assert np.corrcoef(moves[1:], d.dealer_flow[1:])[0, 1] < -0.5
    # hedge sales per 1% are about -gamma * S / 100 at the money
    assert s["hedge_sales_per_pct"] == pytest.approx(-s["gamma"] * 100.0 / 100.0, rel=0.05)
    # the closed-form multiplier is in the right range
    assert 1.0 < s["vol_ratio"] < 1.2 * s["vol_multiplier_theory"]


def test_more_short_gamma_higher_realised_volatility():
    vols = [th.gamma_hedging_scenario(short_calls=u).summary["vol_with"]
            for u in (0.0, 1e6, 2e6, 3e6)]
    assert np.all(np.diff(vols) > 0)


def test_protective_puts_cut_hedge_sales_and_volatility():
    base = th.gamma_hedging_scenario().summary
    prev = base
    for puts in (0.5e6, 1e6, 1.5e6):
        s = th.gamma_hedging_scenario(protective_puts=puts).summary
        assert s["hedge_sales_per_pct"] < prev["hedge_sales_per_pct"]
        assert s["gamma"] > prev["gamma"]
        assert s["vol_with"] < prev["vol_with"]
        prev = s


def test_no_dealer_no_difference_and_gain_formula():
    s = th.gamma_hedging_scenario(short_calls=0.0).summary
    assert s["vol_with"] == s["vol_without"] and s["gamma"] == 0.0
    assert th.gamma_feedback_gain(-2e5, 100.0, 1e5) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="depth"):
        th.gamma_feedback_gain(-1.0, 100.0, 0.0)
    with pytest.raises(ValueError, match="strike"):
        th.GammaHedgingParams(strike=3.0)
    with pytest.raises(ValueError, match="expiry"):
        th.GammaHedgingParams(expiry=0)


# --- front-running -------------------------------------------------------------------------------

def test_planted_cluster_sits_at_the_distance():
    from cascadelab import liquidation_price

    pos = th.planted_cluster(0.015, 3e5, n=50)
    np.testing.assert_allclose(liquidation_price(pos), 98.5)
    assert pos.size.sum() == pytest.approx(3e5)
    with pytest.raises(ValueError, match="distance"):
        th.planted_cluster(0.0, 1.0)


def test_visible_levels_pay_hidden_levels_do_not():
    vis = th.front_running_scenario()
    hid = th.front_running_scenario(visible=False)
    assert vis.summary["pnl"] > 0.0
    assert vis.summary["liquidated_units"] == pytest.approx(1.5 * 200_000.0)
    assert np.all(vis.quiet.price == 100.0)  # without the predator nothing happens
    assert hid.summary["pnl"] < 0.0
    # along the whole capital curve: visible never loses here, hidden never wins
    assert np.all(vis.pnl_visible >= 0.0) and vis.pnl_visible.max() > 0.0
    assert np.all(vis.pnl_hidden <= 0.0)


def test_hunting_map_pays_only_with_visible_levels():
    vis = th.hunting_map()
    hid = th.hunting_map(visible=False)
    assert vis.pays.any() and not hid.pays.any()
    assert np.all(hid.pnl <= 0.0)
    # more capital reaches further clusters: the paying region grows with capital
    reach = vis.pays.sum(axis=1)
    assert np.all(np.diff(reach) >= 0) and reach[-1] > reach[0]
    # the nearest cluster is paid for by less capital than the farthest one that pays
    assert vis.pays[:, 0].sum() >= vis.pays[:, -1].sum()


def test_deeper_book_protects_against_the_hunt():
    thin = th.hunting_map(depth=100_000.0).pays.sum()
    deep = th.hunting_map(depth=800_000.0).pays.sum()
    assert thin > deep


def test_front_running_validation():
    with pytest.raises(ValueError, match="capital"):
        th.FrontRunningParams(capital=-1.0)
    with pytest.raises(ValueError, match="visible"):
        th.FrontRunningParams(visible="yes")
    with pytest.raises(ValueError, match="resilience"):
        th.front_running_scenario(resilience=2.0)


def test_scenario_functions_take_the_fields_of_their_params_as_keywords():
    g = th.gamma_hedging_scenario(short_puts=4e5)
    assert g.params == th.GammaHedgingParams(short_puts=4e5)
    fr = th.front_running_scenario(visible=False, distance=0.01)
    assert fr.params == th.FrontRunningParams(visible=False, distance=0.01)
    for fn in (th.gamma_hedging_scenario, th.front_running_scenario, th.hunting_map):
        with pytest.raises(TypeError, match="bogus"):
            fn(bogus=1.0)
        with pytest.raises(TypeError):
            fn(th.FrontRunningParams())  # no params object: name the fields instead
