"""Chapter 04 scenario functions: oracle networks, clearing waterfalls, baskets, bridges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cascadelab import Book, impact_price
from cascadelab.chapters.evolution import (
    amm_feed_scenario,
    basket_scenario,
    basket_sweep,
    bridge_scenario,
    bridge_sweep,
    clearing_scenario,
    liquidation_prize,
    oracle_feeds,
    oracle_network_scenario,
)
from cascadelab.mechanisms.clearing import LAYERS, bilateral_contagion, exposure_weights, waterfall
from cascadelab.mechanisms.oracle_network import (
    amm_equivalent_depth,
    amm_push_cost,
    amm_push_units,
    feeds_to_capture,
    manipulation_cost,
    median_oracle,
    push_cost,
    push_units,
)

# ----------------------------------------------------------------------------- oracle networks


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 15])
def test_median_resists_a_minority_and_breaks_at_half(n: int) -> None:
    honest_lo, honest_hi = 99.0, 101.0
    for k in range(n + 1):
        for bad in (1e-6, 1e6):  # rigged down or up, as far as it likes
            feeds = np.r_[np.full(k, bad), np.linspace(honest_lo, honest_hi, n - k)]
            med = median_oracle(feeds)
            if k < n / 2:
                assert honest_lo <= med <= honest_hi
            else:  # k >= n/2: the bad feeds move the median at least half way to their value
                assert abs(med - 100.0) >= 0.5 * abs(bad - 100.0) - 1.0


def test_median_oracle_stacks_snapshots_and_rejects_bad_feeds() -> None:
    np.testing.assert_allclose(median_oracle([[1.0, 2.0, 9.0], [4.0, 5.0, 6.0]]), [2.0, 5.0])
    with pytest.raises(ValueError, match="feeds"):
        median_oracle([])
    with pytest.raises(ValueError, match="feeds"):
        median_oracle([100.0, -1.0])
    with pytest.raises(ValueError, match="feeds"):
        median_oracle([100.0, float("nan")])


def test_feeds_to_capture_is_a_majority() -> None:
    assert [feeds_to_capture(n) for n in range(1, 8)] == [1, 2, 2, 3, 3, 4, 4]
    assert feeds_to_capture(7, 4) == 0 and feeds_to_capture(7, 7) == 0
    with pytest.raises(ValueError, match="k"):
        feeds_to_capture(3, 4)
    with pytest.raises(ValueError, match="n"):
        feeds_to_capture(0)


@pytest.mark.parametrize("impact", ["linear", "exponential", "sqrt"])
@pytest.mark.parametrize("move", [-0.3, -0.05, 0.02, 0.25])
def test_push_units_and_cost_agree_with_the_book(impact: str, move: float) -> None:
    book = Book(depth=3_000.0, impact=impact)
    u = push_units(move, book)
    # the order moves the venue's price exactly to the target (buys up, sells down)
    assert impact_price(100.0, -math.copysign(u, move), book) == pytest.approx(100 * (1 + move))
    # the cost is the premium paid over 100 USD along the order, integrated numerically
    x = np.linspace(0.0, u, 4001)
    prices = impact_price(100.0, -np.sign(move) * x, book)
    premium = np.abs(prices - 100.0)
    numeric = float(np.sum((premium[1:] + premium[:-1]) / 2 * np.diff(x)))
    assert push_cost(move, book, 100.0) == pytest.approx(numeric, rel=1e-4)


def test_manipulation_cost_rises_with_depth_and_with_feeds() -> None:
    depths = np.geomspace(100.0, 1e6, 9)
    for n in (1, 3, 7):
        costs = [manipulation_cost(0.1, d, 0, n) for d in depths]
        assert np.all(np.diff(costs) > 0)
    by_n = [manipulation_cost(0.1, 1_000.0, 0, n) for n in range(1, 16)]
    assert np.all(np.diff(by_n) >= 0)
    assert by_n[6] == pytest.approx(4 * by_n[0])  # 7 feeds: 4 venues to push
    assert by_n[3] > by_n[2] == by_n[1] == by_n[0] * 2  # n = 2m and 2m + 1 need m + 1


def test_manipulation_cost_falls_with_bad_feeds_and_picks_thin_venues() -> None:
    costs = [manipulation_cost(-0.1, 1_000.0, k, 7) for k in range(8)]
    assert np.all(np.diff(costs) <= 0) and costs[4] == 0.0
    mixed = manipulation_cost(-0.1, [100.0, 5e4, 5e4, 200.0, 5e4, 5e4, 5e4], 0, 7)
    thin = push_cost(-0.1, Book(1.0)) * (100.0 + 200.0 + 2 * 5e4)
    assert mixed == pytest.approx(thin)


def test_oracle_inputs_are_checked_by_name() -> None:
    with pytest.raises(ValueError, match="target_move"):
        manipulation_cost(-1.5, 1_000.0)
    with pytest.raises(ValueError, match="depth_per_feed"):
        manipulation_cost(0.1, -5.0)
    with pytest.raises(ValueError, match="depth_per_feed"):
        manipulation_cost(0.1, [1.0, 2.0], n=3)
    with pytest.raises(ValueError, match="impact"):
        manipulation_cost(0.1, 1.0, impact="cubic")
    with pytest.raises(ValueError, match="deviation"):
        oracle_network_scenario(deviation=0.0)
    with pytest.raises(ValueError, match="book"):
        push_cost(0.1, 1_000.0)


def test_oracle_network_scenario() -> None:
    f = oracle_feeds(100.0, 7, 3, -0.3, seed=1)
    assert np.all(f[:3] == pytest.approx(70.0)) and np.all(np.abs(f[3:] / 100 - 1) < 0.02)
    safe = oracle_network_scenario(n=7, k=3, deviation=-0.3)
    broken = oracle_network_scenario(n=7, k=4, deviation=-0.3)
    assert abs(safe.median_error) < 0.02 and safe.single_error == pytest.approx(-0.3)
    assert broken.median_error == pytest.approx(-0.3)
    assert safe.feeds_to_buy == 1 and broken.feeds_to_buy == 0 and broken.cost_network == 0.0
    one = oracle_network_scenario(n=1, k=0, deviation=-0.3)
    assert one.cost_network == pytest.approx(one.cost_single)
    assert np.all(np.diff(one.curve_network) > 0)


# ----------------------------------------------------------------------------- AMM as a feed


@pytest.mark.parametrize("move", [-0.5, -0.19, -0.1, -0.01, 0.02, 0.3])
@pytest.mark.parametrize("reserve", [1e5, 3e7])
def test_amm_push_cost_closed_form_matches_a_direct_trade(move: float, reserve: float) -> None:
    p = 100.0
    x, y = reserve / p, reserve
    u = amm_push_units(move, reserve, p)
    # trade u units against x * y = const: the spot lands exactly on the target
    x1 = x + u if move < 0 else x - u
    y1 = x * y / x1
    assert y1 / x1 == pytest.approx(p * (1 + move), rel=1e-12)
    # the premium over p, integrated along the trade (marginal price x y / (x +- v)^2)
    v = np.linspace(0.0, u, 20_001)
    marginal = x * y / (x + v) ** 2 if move < 0 else x * y / (x - v) ** 2
    premium = np.abs(marginal - p)
    numeric = float(np.sum((premium[1:] + premium[:-1]) / 2 * np.diff(v)))
    assert amm_push_cost(move, reserve, p) == pytest.approx(numeric, rel=1e-6)
    # and it is what the attacker loses if the price returns to p
    lost = (p * u - (y - y1)) if move < 0 else ((y1 - y) - p * u)
    assert amm_push_cost(move, reserve, p) == pytest.approx(lost, rel=1e-9)


def test_amm_is_a_linear_book_for_small_moves_and_linear_in_reserves() -> None:
    d_eq = amm_equivalent_depth(4e6, 100.0)
    for m in (-1e-3, 1e-3):
        assert amm_push_cost(m, 4e6) == pytest.approx(push_cost(m, Book(d_eq)), rel=2e-3)
        assert amm_push_units(m, 4e6) == pytest.approx(push_units(m, Book(d_eq)), rel=2e-3)
    assert amm_push_cost(-0.1, 2e6) == pytest.approx(2 * amm_push_cost(-0.1, 1e6))
    # a big push down costs more in the pool than on its equivalent linear book
    assert amm_push_cost(-0.3, 4e6) > push_cost(-0.3, Book(d_eq))
    for bad, name in (({"target_move": -1.0}, "target_move"), ({"reserve_usd": 0.0},
                                                                "reserve_usd")):
        args = {"target_move": -0.1, "reserve_usd": 1e6} | bad
        with pytest.raises(ValueError, match=name):
            amm_push_cost(**args)


def test_amm_feed_scenario_against_the_median_and_the_prize() -> None:
    from cascadelab import sample_positions

    pos = sample_positions(20_000, 100.0, seed=0)  # the chapter's own count of the prize
    hit = (pos.side > 0) & (pos.liquidation_price >= 90.0)
    assert liquidation_prize(-0.10) == pytest.approx(0.01 * float((pos.size[hit] * 90.0).sum()))
    res = amm_feed_scenario(-0.10, n=7)
    assert res.prize == liquidation_prize(-0.10)
    assert amm_push_cost(-0.10, res.breakeven_reserve) == pytest.approx(res.prize)
    cheaper = res.reserves < res.breakeven_reserve
    assert np.all(res.amm_cost[cheaper] < res.prize) and np.all(res.amm_cost[~cheaper] >= res.prize)
    # the median of 7 needs 4 venues, each as deep as the pool
    np.testing.assert_allclose(res.median_cost,
                               [4 * push_cost(-0.1, Book(d)) for d in res.equivalent_depth])
    assert np.all(res.median_cost > 3 * res.amm_cost)
    with pytest.raises(ValueError, match="attack"):
        amm_feed_scenario(0.0)


# ----------------------------------------------------------------------------- clearing


def test_waterfall_matches_the_exercise() -> None:
    w = waterfall(16.0, 5.0, 16.0, 2.0, members=16)
    assert w.draws == (5.0, 1.0, 2.0, 8.0, 0.0)
    w = waterfall(30.0, 5.0, 16.0, 2.0, members=16)
    assert w.as_dict() == dict(zip(LAYERS, (5.0, 1.0, 2.0, 15.0, 7.0), strict=True))
    assert w.per_survivor == pytest.approx((15.0 + 7.0) / 15) and w.layers_used == 5
    assert waterfall(0.0, 5.0, 16.0, 2.0).layers_used == 0


@settings(max_examples=300, deadline=None)
@given(
    loss=st.floats(0.0, 1e9),
    margin=st.floats(0.0, 1e9),
    fund=st.floats(0.0, 1e9),
    capital=st.floats(0.0, 1e9),
    members=st.integers(2, 500),
)
def test_waterfall_pays_in_order_and_loses_nothing(loss, margin, fund, capital, members) -> None:
    w = waterfall(loss, margin, fund, capital, members)
    draws = np.array(w.draws)
    caps = np.array(w.capacities)
    assert np.all(draws >= 0.0) and np.all(draws <= caps)
    assert math.fsum(w.draws) == pytest.approx(loss, rel=1e-12, abs=1e-6)
    for j in range(1, 5):  # a layer pays only once every layer before it is used up
        if draws[j] > 0.0:
            np.testing.assert_allclose(draws[:j], caps[:j], rtol=1e-12)
    if loss <= margin:
        assert w.margin == loss and w.mutualised == 0.0


@settings(max_examples=300, deadline=None)
@given(
    loss=st.floats(0.0, 1e9),
    margin=st.floats(0.0, 1e9),
    fund=st.floats(0.0, 1e9),
    capital=st.floats(0.0, 1e9),
    members=st.integers(2, 500),
    cap=st.floats(0.0, 1e7),
)
def test_capped_waterfall_records_what_it_cannot_fund(loss, margin, fund, capital, members,
                                                      cap) -> None:
    w = waterfall(loss, margin, fund, capital, members, assessment_cap=cap)
    draws = np.array(w.draws)
    assert np.all(draws >= 0.0) and np.all(draws <= np.array(w.capacities))
    assert w.capacities[4] == pytest.approx(cap * (members - 1))
    assert w.assessment <= cap * (1 + 1e-12)
    # every dollar is paid by a layer or recorded as unfunded
    assert math.fsum(w.draws) + w.unfunded == pytest.approx(loss, rel=1e-12, abs=1e-6)
    if w.unfunded > 0.0:  # only once every layer, the capped assessments included, is full
        np.testing.assert_allclose(draws, w.capacities, rtol=1e-12)
    # the cap changes nothing as long as the assessments stay below it
    free = waterfall(loss, margin, fund, capital, members)
    assert free.unfunded == 0.0
    if free.assessment <= cap:
        assert w.draws == free.draws and w.unfunded == 0.0


def test_assessment_cap_turns_defaults_into_an_unfunded_loss() -> None:
    # issue 14: at a loss of 80 each survivor owes 4.80 against 4.0 of capital, and all default
    big = clearing_scenario(loss=80.0)
    assert big.waterfall.unfunded == 0.0 and big.summary["per_survivor"] == pytest.approx(4.8)
    assert big.summary["ccp_defaults"] == 15.0
    assert big.unpaid == pytest.approx(15 * 0.8)
    # a tighter cap protects the survivors and leaves the rest unfunded
    capped = clearing_scenario(loss=80.0, assessment_cap=2.5)
    assert capped.summary["ccp_defaults"] == 0.0 and capped.unpaid == 0.0
    assert capped.summary["per_survivor"] == pytest.approx(1.0 + 2.5)
    assert capped.summary["unfunded"] == pytest.approx(80.0 - 23.0 - 15 * 2.5)
    # the default cap binds beyond 23 + 15 * 5.5 = 105.5
    assert clearing_scenario(loss=105.0).summary["unfunded"] == 0.0
    assert clearing_scenario(loss=120.0).summary["unfunded"] == pytest.approx(14.5)
    with pytest.raises(ValueError, match="assessment_cap"):
        waterfall(10.0, 1.0, 5.0, 1.0, 5, assessment_cap=-1.0)
    with pytest.raises(ValueError, match="assessment_cap"):
        waterfall(10.0, 1.0, 5.0, 1.0, 5, assessment_cap=float("nan"))


def test_waterfall_inputs_are_checked_by_name() -> None:
    for kwargs, name in (({"loss": -1.0}, "loss"), ({"margin": -1.0}, "margin"),
                         ({"default_fund": float("nan")}, "default_fund"),
                         ({"ch_capital": -2.0}, "ch_capital"), ({"members": 1}, "members")):
        args = {"loss": 10.0, "margin": 1.0, "default_fund": 5.0, "ch_capital": 1.0,
                "members": 5} | kwargs
        with pytest.raises(ValueError, match=name):
            waterfall(**args)


def test_bilateral_contagion_conserves_losses_and_spreads() -> None:
    w = exposure_weights(10, 1.5)
    assert w.sum() == pytest.approx(1.0) and np.all(np.diff(w) < 0)
    assert np.allclose(exposure_weights(4, 0.0), 0.25)
    c = bilateral_contagion(30.0, 5.0, members=16, capital=4.0)
    assert c.uncovered == 25.0 and c.n_secondary >= 1 and c.rounds >= 1
    # every dollar of the uncovered loss is absorbed by some member's capital, or unpaid
    assert c.absorbed + c.unpaid == pytest.approx(c.uncovered)
    # more capital, or a more even spread of exposures, never means more defaults
    secondary = [bilateral_contagion(30.0, 5.0, 16, cap).n_secondary for cap in (1, 2, 4, 8, 30)]
    assert secondary == sorted(secondary, reverse=True) and secondary[-1] == 0
    even = bilateral_contagion(30.0, 5.0, 16, 4.0, concentration=0.0)
    assert even.n_secondary <= c.n_secondary
    everyone = bilateral_contagion(1e6, 0.0, members=5, capital=1.0)
    assert everyone.defaulted.all() and everyone.unpaid > 0.0


def test_clearing_house_contains_what_bilateral_exposure_spreads() -> None:
    res = clearing_scenario()
    assert res.summary["ccp_defaults"] == 0.0 and res.summary["bilateral_defaults"] >= 1.0
    assert res.summary["per_survivor"] < res.summary["bilateral_max_hit"]
    assert res.ccp_hit[1:].sum() == pytest.approx(res.waterfall.survivors_fund
                                                  + res.waterfall.mutualised)
    with pytest.raises(ValueError, match="capital"):
        clearing_scenario(capital=-1.0)


# ----------------------------------------------------------------------------- baskets


def test_basket_sits_between_cash_and_single_collateral() -> None:
    res = basket_scenario(corr=0.5)
    cash, single, basket = res.liquidated
    assert single > basket > cash
    assert res.bad_debt[1] > res.bad_debt[2] > res.bad_debt[0]
    # correlation carries the crash in A to B and C
    assert np.all(res.drawdown[:, 1:] > 0.01)


def test_correlation_erodes_the_basket() -> None:
    sweep = basket_sweep(corrs=(0.0, 0.5, 1.0))
    cash, single, basket = sweep.liquidated
    assert np.all(np.diff(basket) > 0) and np.all(np.diff(cash) > 0)
    assert np.all(single >= basket)
    # at zero correlation the basket saves most of single collateral's extra liquidations
    assert basket[0] - cash[0] < 0.5 * (single[0] - cash[0])
    assert basket[-1] - cash[-1] > 0.8 * (single[-1] - cash[-1])  # at 1 it saves almost none


def test_basket_inputs_are_checked_by_name() -> None:
    with pytest.raises(ValueError, match="corr"):
        basket_scenario(corr=1.5)
    with pytest.raises(ValueError, match="shock"):
        basket_scenario(shock=-0.1)
    with pytest.raises(ValueError, match="depth"):
        basket_scenario(depth=0.0)
    with pytest.raises(ValueError, match="corrs"):
        basket_sweep(corrs=(0.0, 2.0))


# ----------------------------------------------------------------------------- bridge


@pytest.mark.parametrize("shock", [0.02, 0.05, 0.1])
def test_bridge_outage_raises_amplification_monotonically(shock: float) -> None:
    sweep = bridge_sweep(np.linspace(0.0, 0.9, 10), shock=shock)
    assert np.all(np.diff(sweep.amplification) > 0)
    finite = np.isfinite(sweep.closed_form)
    assert np.all(np.diff(sweep.closed_form[finite]) > 0)
    assert np.all(~finite[np.argmin(finite):]) if not finite.all() else True  # inf stays inf
    assert np.all(finite == (sweep.shares < sweep.critical_share))
    assert sweep.amplification[0] == bridge_scenario(0.0, shock).normal.amplification


def test_bridge_scenario_is_the_cascade_on_a_scaled_book() -> None:
    res = bridge_scenario(share=0.5)
    assert res.outage.amplification > res.normal.amplification
    assert res.outage.liquidated_units > res.normal.liquidated_units
    assert 0.0 < res.critical_share < 1.0
    assert res.rho == pytest.approx((1.0 - res.critical_share) * res.depth)
    for name, kwargs in (("share", {"share": 1.0}), ("shock", {"shock": 0.0}),
                         ("depth", {"depth": -1.0}), ("impact", {"impact": "cubic"})):
        with pytest.raises(ValueError, match=name):
            bridge_scenario(**kwargs)
