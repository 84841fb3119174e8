"""Issue 11: every reproduction of items 4-8 and 11 (outside the engine), as a regression test.

Each bad call now either gives a finite, sensible result or raises ``ValueError`` /
``TypeError`` whose message names the argument the caller passed, the value it got and the
allowed range (or ``FloatingPointError`` naming the parameters to change).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import cascadelab as cl
from cascadelab import Book, DealerBook, Positions
from cascadelab._validate import ArgumentTypeError, check_array, check_int, check_real, check_seed
from cascadelab.chapters.approach import mitigation_comparison, mitigation_monte_carlo
from cascadelab.chapters.evolution import oracle_network_scenario
from cascadelab.chapters.horizon import (
    breaker_days,
    breaker_tradeoff,
    draw_episodes,
    fit_logistic,
    funding_charge,
    monitor_gains,
    roc_curve,
    warning_policy,
)
from cascadelab.chapters.origin import correlation_sweep, stale_oracle
from cascadelab.chapters.theory import front_running_scenario, gamma_hedging_scenario
from cascadelab.market import PRICE_CAP
from cascadelab.mechanisms import bilateral_contagion, manipulation_cost, oracle_path, push_cost
from cascadelab.portfolio import (
    MultiAssetScenario,
    basket_volatility,
    equicorrelation,
    sample_accounts,
    simulate_portfolio,
)
from cascadelab.tails import student_t_returns


def raises(exc: type[Exception], *parts: str):
    """``pytest.raises(exc)`` whose message contains every one of ``parts`` (literally)."""
    return pytest.raises(exc, match=".*".join(re.escape(p) for p in parts))


@pytest.fixture(scope="module")
def days():
    return breaker_days(n_normal=4, n_crash=4, steps=40)


@pytest.fixture(scope="module")
def episodes():
    return draw_episodes(20, seed=3)


# ----------------------------------------------------------------------------- the checks


def test_wrong_kinds_are_type_errors_that_are_also_value_errors():
    for fn in (lambda: check_real("x", "abc", 0.0, 1.0), lambda: check_int("n", 1.5, 0, 9),
               lambda: check_array("size", ["1.0x"])):
        with pytest.raises(TypeError) as info:
            fn()
        assert isinstance(info.value, ValueError) and isinstance(info.value, ArgumentTypeError)


def test_check_array_names_the_argument_for_str_dict_ragged_and_complex_input():
    with raises(TypeError, "size must be an array of real numbers", "'1.0x'"):
        check_array("size", ["1.0x"])
    with raises(TypeError, "size must be an array of real numbers", "dict"):
        check_array("size", {"a": 1.0})
    with raises(TypeError, "size must be a rectangular array", "ragged"):
        check_array("size", [[1.0], [1.0, 2.0]])
    with raises(TypeError, "size must be an array of real numbers", "1j"):
        check_array("size", [1j])
    with raises(ValueError, "expiry must hold integers, got 1.5 at index 0"):
        check_array("expiry", [1.5], dtype=np.int64)
    with raises(ValueError, "vols must have length 2, got 1"):
        check_array("vols", [0.1], n=2)


def test_check_seed_is_the_engines_message():
    assert check_seed(None) is None and check_seed(3) == 3
    with raises(ValueError, "seed must be an integer in [0, inf], got -1"):
        check_seed(-1)
    with raises(ValueError, "seed must be an integer in [0, inf], got -1"):
        cl.simulate(seed=-1, steps=20)


# ----------------------------------------------------------------------------- item 4


def test_item4_scenario_functions_take_keywords_only():
    with pytest.raises(TypeError, match="positional"):
        gamma_hedging_scenario({"shock": 0.05})
    with pytest.raises(TypeError, match="positional"):
        front_running_scenario({"capital": 1e7})


@pytest.mark.parametrize("bad", [None, [1], "abc", 1.0])
def test_item4_mitigation_policies_must_be_a_dict(bad):
    for fn in (mitigation_comparison, mitigation_monte_carlo):
        with raises(TypeError, "policies must be a dict", type(bad).__name__):
            fn(bad, n=100, steps=20)


def test_item4_mitigation_policy_values_must_be_dicts():
    with raises(TypeError, "policies['gradual'] must be a dict", "float"):
        mitigation_comparison({"gradual": 0.25}, n=100, steps=20)
    with raises(ValueError, "policies must name at least one policy"):
        mitigation_comparison({}, n=100, steps=20)


def test_item4_warning_policy_needs_episodes():
    with raises(TypeError, "episodes must be a", "Episodes", "got str"):
        warning_policy("abc", np.zeros(3, bool))


def test_item4_empty_breaker_designs_give_empty_results(days):
    res = breaker_tradeoff(days, bands=[])
    assert res.bands.size == 0 and res.band_false.size == 0 and res.band_saved.size == 0
    assert res.rule_false.size == res.thresholds.size > 0
    assert np.isfinite(res.rule_false).all() and np.isfinite(res.step_saved).all()


def test_item4_empty_sequences_and_wrong_containers():
    with raises(ValueError, "corrs must hold at least 1", "got an empty sequence"):
        correlation_sweep(corrs=[])
    with raises(ValueError, "depth_range must hold at least 2", "got an empty sequence"):
        oracle_network_scenario(depth_range=())
    with raises(TypeError, "depth_range must be a sequence", "dict"):
        oracle_network_scenario(depth_range={})
    with raises(ValueError, "depth_range must be a pair (lo, hi), got 3 values"):
        oracle_network_scenario(depth_range=(1.0, 2.0, 3.0))
    with raises(TypeError, "corrs must be a sequence", "str"):
        correlation_sweep(corrs="0.5")


# ----------------------------------------------------------------------------- item 5


@pytest.mark.parametrize("call", [
    lambda: cl.sample_positions(10, 100.0, seed=-1),
    lambda: student_t_returns(10, 0.1, 4.0, seed=-1),
    lambda: sample_accounts(10, [100.0, 50.0], seed=-1),
    lambda: oracle_network_scenario(seed=-1),
])
def test_item5_negative_seeds_say_what_simulate_says(call):
    with raises(ValueError, "seed must be an integer in [0, inf], got -1"):
        call()


@pytest.mark.parametrize(("size", "parts"), [
    (["1.0x"], ("size must be an array of real numbers", "'1.0x'", "str")),
    ({"a": 1.0}, ("size must be an array of real numbers", "dict")),
    ([[1.0], [1.0, 2.0]], ("size must be a rectangular array", "ragged")),
    ("1.0", ("size must be an array of real numbers", "'1.0'")),
])
def test_item5_positions_name_the_array_for_non_numeric_input(size, parts):
    with raises(TypeError, *parts):
        Positions(side=[1], size=size, entry=[100.0], leverage=[2.0], maintenance=0.0)


def test_item5_positions_bad_side_and_maintenance():
    with raises(TypeError, "side must be an array of real numbers", "'long'"):
        Positions(side=["long"], size=[1.0], entry=[100.0], leverage=[2.0], maintenance=0.0)
    with raises(ValueError, "side must be +1 (long) or -1 (short), got 2 at index 0"):
        Positions(side=[2], size=[1.0], entry=[100.0], leverage=[2.0], maintenance=0.0)
    with raises(TypeError, "maintenance must be an array of real numbers", "'low'"):
        Positions(side=[1], size=[1.0], entry=[100.0], leverage=[2.0], maintenance="low")


def test_item5_messages_name_the_callers_argument_not_an_internal_one():
    with raises(ValueError, "leverages must be finite, got nan at index 1"):
        funding_charge(np.array([2.0, np.nan]))
    with raises(ValueError, "price must be in [1e-12, 1e+12], got 1e-308"):
        cl.sample_positions(10, 1e-308)
    with raises(ValueError, "implied_vol must be in [0.0001, 0.1], got 1e-308"):
        gamma_hedging_scenario(implied_vol=1e-308)
    with raises(ValueError, "cluster must be in (0, 100], got 1e+308"):
        front_running_scenario(cluster=1e308)


def test_item5_length_errors_say_what_the_entries_are():
    with raises(ValueError, "vols must have length 2 (one per asset), got 1"):
        basket_volatility([1.0, 1.0], [0.1], equicorrelation(2, 0.0))
    with raises(ValueError, "expiry must have length 2 (one per option), got 1"):
        DealerBook([100.0, 100.0], [10], [1.0, 1.0], [True, False])
    with raises(ValueError, "size must have length 1 (one per position), got 2"):
        Positions(side=[1], size=[1.0, 2.0], entry=[100.0], leverage=[2.0], maintenance=0.0)


# ----------------------------------------------------------------------------- item 6


def _two_assets(**changes: object) -> MultiAssetScenario:
    kw = dict(prices=(100.0, 50.0), vols=(0.001, 0.001), corr=equicorrelation(2, 0.5),
              books=(Book(1e4), Book(1e4)), steps=60)
    kw.update(changes)
    return MultiAssetScenario(**kw)


def test_item6_simulate_portfolio_refuses_prices_beyond_the_range():
    with raises(ValueError, "prices must be in [1e-12, 1e+12], got 1e+308 at index 0"):
        _two_assets(prices=(1e308, 50.0))


def test_item6_simulate_portfolio_is_finite_and_banded_on_an_empty_book():
    acc = sample_accounts(2_000, [100.0, 50.0], long_share=0.0, leverage=20.0, max_leverage=50.0,
                          maintenance=0.01, seed=1)
    thin = (Book(1e-3, "exponential"), Book(1e-3, "exponential"))
    # was FloatingPointError (the buy-back went to inf); now held by the price band
    res = simulate_portfolio(acc, _two_assets(shock=-0.5, books=thin))
    assert np.isfinite(res.price).all() and math.isfinite(res.total_bad_debt)
    assert (res.price <= PRICE_CAP * res.fundamental).all()
    assert (res.price == PRICE_CAP * res.fundamental).any()
    res = simulate_portfolio(acc, _two_assets(shock=-0.5))
    assert np.isfinite(res.price).all() and math.isfinite(res.total_bad_debt)


def test_item6_fundamentals_outside_the_range_raise_floating_point_error():
    with raises(FloatingPointError, "fundamental of asset A leaves [1e-100, 1e100] USD",
                "vols[0] = 1", "steps (= 10000)"):
        _two_assets(vols=(1.0, 1.0), steps=10_000).fundamentals()


def test_item6_correlation_sweep_refuses_a_vanishing_depth():
    with raises(ValueError, "depth must be in [1, 1e+12], got 1e-308"):
        correlation_sweep(depth=1e-308)


@pytest.mark.parametrize(("kw", "parts"), [
    ({"bands": [np.nan, 0.1]}, ("bands must be finite, got nan at index 0",)),
    ({"bands": [np.inf]}, ("bands must be finite, got inf at index 0",)),
    ({"bands": [0.6]}, ("bands must be in [0, 0.5), got 0.6 at index 0",)),
    ({"thresholds": [np.nan]}, ("thresholds must be finite, got nan at index 0",)),
    ({"step_thresholds": [np.inf]}, ("step_thresholds must be finite, got inf at index 0",)),
    ({"step_thresholds": [0.0]}, ("step_thresholds must be in (0, 1e+06], got 0 at index 0",)),
])
def test_item6_breaker_tradeoff_refuses_nan_and_inf_designs(days, kw, parts):
    with raises(ValueError, *parts):
        breaker_tradeoff(days, **kw)


def test_item6_breaker_outcome_refuses_nan_bands(days):
    from cascadelab.chapters.horizon import breaker_outcome

    with raises(ValueError, "bands must be finite, got nan at index 0"):
        breaker_outcome(days, np.full(days.crash.size, np.nan))
    with raises(ValueError, "bands must have length 8 (one per day), got 2"):
        breaker_outcome(days, [0.03, 0.03])


def test_item6_warning_policy_refuses_nan_warnings(episodes):
    with raises(ValueError, "warned must be finite, got nan at index 0"):
        warning_policy(episodes, np.full(len(episodes), np.nan))
    with raises(ValueError, "warned must hold True/False (or 1/0) flags, got 0.5 at index 0"):
        warning_policy(episodes, np.full(len(episodes), 0.5))
    none = warning_policy(episodes, np.zeros(len(episodes), dtype=int))
    assert none.summary["warned_share"] == 0.0


def test_item6_roc_curve_at_refuses_a_nan_threshold():
    roc = roc_curve([0, 1, 0, 1], [0.2, 0.9, 0.4, 0.6])
    with raises(ValueError, "threshold must be finite, got nan"):
        roc.at(float("nan"))
    assert roc.at(0.5) == (0.0, 1.0)


# ----------------------------------------------------------------------------- item 7


def test_item7_huge_integers():
    with raises(ValueError, "latency must be an integer in [0, 1000000000], got 1e+20"):
        oracle_path([100.0, 90.0], latency=10**20)
    with raises(ValueError, "latencies[1] must be an integer in [0, 1000]", "got inf"):
        stale_oracle(latencies=(0, float("inf")))
    with raises(ValueError, "members must be an integer in [2, 10000], got 1e+20"):
        bilateral_contagion(30.0, 5.0, 10**20, 4.0)
    with raises(ValueError, "n must be an integer in [0, 10000000]"):
        cl.sample_positions(10**20, 100.0)


def test_item7_monitor_gains_with_tiny_entries():
    own, system = monitor_gains(np.full(3, 1e-308), np.full(3, 1e4), 0.5)
    assert np.isfinite(own).all() and math.isfinite(system) and system >= own.max()
    with raises(ValueError, "depths must be in [0.001, 1e+15], got 1e-308 at index 0"):
        monitor_gains(np.full(3, 1e4), np.full(3, 1e-308), 0.5)
    with raises(ValueError, "depths must have length 3 (one per venue, like densities), got 2"):
        monitor_gains(np.full(3, 1e4), np.full(2, 1e4), 0.5)


# ----------------------------------------------------------------------------- item 8


def test_item8_overflow_to_inf_is_refused():
    with raises(ValueError, "target_move must be in (-1, 10], got 1e+308"):
        push_cost(1e308, Book(1_000.0))
    with raises(ValueError, "target_move must be in (-1, 10], got 1e+308"):
        manipulation_cost(1e308, 1_000.0)
    assert math.isfinite(push_cost(10.0, Book(1e15, "sqrt"), price=1e12))
    with raises(ValueError, "vols must be in [0, 1e+06], got 1e+308 at index 0"):
        basket_volatility([1.0, 1.0], [1e308, 1e308], equicorrelation(2, 0.5))
    with raises(ValueError, "sigma must be in [0, 100], got 1e+308"):
        student_t_returns(100, 1e308, 4.0)
    assert np.isfinite(student_t_returns(100_000, 100.0, 2.001, seed=1)).all()
    with raises(ValueError, "vol must be in [1e-06, 1], got 1e-308"):
        DealerBook.straddle(100.0, -1.0, 10, vol=1e-308)
    assert math.isfinite(DealerBook.straddle(1e-12, -1e18, 10, vol=1e-6).gamma(1e-12))
    x = np.arange(10.0)[:, None] * np.full((10, 2), 1e307)
    with raises(ValueError, "X must be in [-1e+100, 1e+100]", "at index (1, 0)"):
        fit_logistic(x, np.arange(10) % 2 == 0)
    with raises(ValueError, "protective_puts must be in [0, 1e+09], got 1e+308"):
        gamma_hedging_scenario(protective_puts=1e308)


def test_item8_basket_weights_of_any_scale():
    big = basket_volatility([1e308, 1e308], [0.1, 0.1], equicorrelation(2, 0.0))
    assert big == pytest.approx(basket_volatility([1.0, 1.0], [0.1, 0.1], equicorrelation(2, 0.0)))


# ----------------------------------------------------------------------------- item 11


def test_item11_warning_lab_refuses_nan_threshold_and_band():
    from cascadelab.widgets.horizon import warning_lab

    lab = warning_lab()
    with raises(ValueError, "threshold must be finite, got nan; allowed range [0, 100]"):
        lab.update(threshold=float("nan"))
    with raises(ValueError, "band must be finite, got nan; allowed range (0, 50)"):
        lab.update(threshold=50.0, band=float("nan"))
    lab.update(threshold=50.0, band=2.0)
    assert 0.0 < lab.summary["warned_share"] < 1.0


def test_item11_gradual_lab_refuses_nan_max_book_share():
    from cascadelab.widgets.approach import gradual_liquidation_lab

    lab = gradual_liquidation_lab()
    with raises(ValueError, "max_book_share must be finite, got nan"):
        lab.update(max_book_share=float("nan"))
    lab.update(max_book_share=0.0)  # 0 still means no cap
    assert lab.result.mitigated.scenario.max_book_share is None


def test_item11_fat_tail_lab_names_the_horizon():
    from cascadelab.widgets.origin import fat_tail_lab

    lab = fat_tail_lab()
    with raises(ValueError, "horizon must be one of 365.0, 1095.0, 8760.0; got None"):
        lab.update(horizon=None)
    lab.update(horizon=8760.0)
    assert lab.summary["breaches_t"] > 0.0


# ------------------------------------------------------------------- found by the properties


def test_pareto_leverage_at_one_with_a_heavy_tail_is_one_not_nan():
    pos = cl.sample_positions(2_000, 100.0, leverage=1.0, max_leverage=1.0, leverage_tail=0.01,
                              maintenance=0.0, seed=1)
    assert (pos.leverage == 1.0).all()


def test_fundamentals_with_a_vanishing_shocked_vol_are_refused_not_nan():
    with raises(ValueError, "beta[1] = corr[1, 0] x vols[1] / vols[0] must be in [-10, 10]",
                "vols[0] = 4.94066e-324"):
        _two_assets(vols=(5e-324, 0.5), shock=0.2)
    calm = _two_assets(vols=(5e-324, 0.5), shock=0.0).fundamentals()
    assert np.isfinite(calm).all()
