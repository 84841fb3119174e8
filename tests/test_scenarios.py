"""The scenario functions behind the labs agree with the engine they wrap."""

from __future__ import annotations

import numpy as np
import pytest

from cascadelab import Book, cascade, cascade_multiplier, liquidation_density, sample_positions
from cascadelab.chapters import _course
from cascadelab.chapters._course import PRICE
from cascadelab.chapters.essence import (
    FeedbackLoopParams,
    depth_sweep,
    feedback_loop_scenario,
    population,
    runaway_depth,
    static_cascade_move,
)


def test_defaults_match_the_engine_called_directly():
    res = feedback_loop_scenario()
    pos = sample_positions(20_000, 100.0, seed=0)
    ref = cascade(pos, 100.0, 0.05, Book(depth=200_000.0))
    c = res.cascade
    assert c.final_price == ref.final_price
    assert c.n_liquidated == ref.n_liquidated
    assert c.rounds == ref.rounds
    np.testing.assert_array_equal(c.round_prices, ref.round_prices)
    np.testing.assert_array_equal(res.round_units, ref.round_units)
    assert c.bad_debt == pytest.approx(ref.bad_debt)
    np.testing.assert_array_equal(res.price_path, np.r_[100.0, ref.round_prices])
    rho = liquidation_density(pos, 95.0)  # the 1% just below the shocked price
    assert rho == pytest.approx(liquidation_density(pos, 95.0, window=0.01))
    assert res.rho == pytest.approx(rho)
    assert res.rho_over_depth == pytest.approx(rho / 200_000.0)
    assert res.multiplier == pytest.approx(cascade_multiplier(rho, 200_000.0))


def test_defaults_show_a_visible_but_partial_cascade():
    res = feedback_loop_scenario()
    n_longs = int((res.positions.side > 0).sum())
    assert 1.5 < res.amplification < 3.0
    assert 0 < res.cascade.n_liquidated < n_longs
    assert res.rho_over_depth < 1.0


@pytest.mark.parametrize(
    "changes",
    [
        {"shock": 0.08, "depth": 120_000.0, "impact": "sqrt"},
        {"shock": 0.03, "leverage": 15.0, "max_leverage": 80.0, "maintenance": 0.008},
        {"shock": -0.04, "long_share": 0.3},
    ],
)
def test_any_scenario_matches_the_engine(changes):
    res = feedback_loop_scenario(**changes)
    params = res.params
    assert params == FeedbackLoopParams().replace(**changes)
    pos = sample_positions(
        params.n, PRICE, leverage=params.leverage, max_leverage=params.max_leverage,
        leverage_tail=params.leverage_tail, long_share=params.long_share,
        maintenance=params.maintenance, seed=params.seed,
    )
    ref = cascade(pos, PRICE, params.shock, Book(params.depth, params.impact))
    assert res.cascade.final_price == pytest.approx(ref.final_price, rel=1e-12)
    assert res.cascade.n_liquidated == ref.n_liquidated
    assert res.summary["liquidated_units"] == pytest.approx(ref.liquidated_units)
    assert res.summary["move_pct"] == pytest.approx(100.0 * ref.move)


def test_histograms_count_units_per_one_percent():
    res = feedback_loop_scenario()
    p = res.params
    assert p == FeedbackLoopParams()
    pos = res.positions
    liq = pos.liquidation_price
    longs = pos.side > 0
    width_pct = 100.0 * p.bin_width
    edges = res.hist_edges
    assert edges[0] == pytest.approx(PRICE * (1 - p.hist_span))
    assert edges[-1] == pytest.approx(PRICE)
    inside = longs & (liq >= edges[0]) & (liq <= edges[-1])
    assert res.hist_units.sum() * width_pct == pytest.approx(pos.size[inside].sum())
    # the liquidated part is exactly the longs whose liquidation price the final price crossed
    assert res.hist_liquidated.sum() * width_pct == pytest.approx(res.cascade.liquidated_units)
    assert np.all(res.hist_liquidated <= res.hist_units * (1 + 1e-9) + 1e-6)
    below = 0.5 * (edges[:-1] + edges[1:]) < res.cascade.final_price - PRICE * p.bin_width
    assert np.all(res.hist_liquidated[below] == 0.0)


def test_shorts_are_hit_by_a_rise():
    res = feedback_loop_scenario(shock=-0.05)
    assert res.cascade.direction == -1
    assert res.cascade.final_price > 105.0 - 1e-9
    assert res.hist_edges[0] == pytest.approx(100.0)
    assert res.hist_liquidated.sum() > 0


def test_population_is_cached_per_key_and_reused_when_only_the_market_changes():
    base = FeedbackLoopParams()
    pos = population(base)
    assert population(base.replace(shock=0.1, depth=50_000.0, impact="sqrt")) is pos
    assert feedback_loop_scenario(depth=70_000.0).positions is pos
    other = population(base.replace(leverage=12.0))
    assert other is not pos
    assert np.median(other.leverage) > np.median(pos.leverage)


def test_the_default_population_is_the_course_market_of_every_chapter():
    # the chapter-00 defaults are sample_positions' defaults, so the default scenario runs on
    # the very object chapters 01, 02 and 04 get from the course market
    assert population(FeedbackLoopParams()) is _course.population(20_000, seed=0)
    assert FeedbackLoopParams().shape == {}
    assert population(FeedbackLoopParams(leverage=12.0, seed=3)) is _course.population(
        20_000, seed=3, leverage=12.0)


def test_check_run_checks_the_run_arguments_the_chapters_share():
    from cascadelab.chapters import evolution, horizon, origin

    run = _course.check_run(n=np.int64(500), seed=2, steps=30)
    assert run == (500, 2, 30) and all(type(x) is int for x in run)
    assert _course.check_run(seed=1, steps=5, steps_range=(3, 10)) == (1, 5)
    with pytest.raises(ValueError, match=r"^n must be an integer in \[100, inf\], got 99$"):
        _course.check_run(n=99, seed=0)
    with pytest.raises(TypeError, match="steps"):
        _course.check_run(seed=0, steps=None)  # None is a wrong value, not a missing argument
    # the chapters' scenario functions answer with its messages
    with pytest.raises(ValueError, match=r"^steps must be an integer in \[20, 5000\], got 10$"):
        origin.stale_oracle(steps=10)
    with pytest.raises(ValueError, match=r"^seed must be an integer in \[0, inf\], got -1$"):
        horizon.backstop_scenario(seed=-1)
    with pytest.raises(ValueError, match=r"^n must be an integer in \[100, inf\], got 50$"):
        evolution.liquidation_prize(-0.1, n=50)


def test_theory_thinner_book_and_larger_shock():
    amp = [feedback_loop_scenario(depth=d).amplification for d in (5e5, 2e5, 1e5)]
    assert amp[0] < amp[1] < amp[2]
    units = [feedback_loop_scenario(shock=s).cascade.liquidated_units for s in (0.02, 0.05, 0.1)]
    assert units[0] < units[1] < units[2]


def test_depth_sweep_agrees_with_cascade_and_the_closed_form():
    depths = np.geomspace(2e4, 4e6, 12)
    sweep = depth_sweep(depths, shock=0.01)
    pos = sample_positions(20_000, 100.0, seed=0)
    rho = liquidation_density(pos, 99.0, window=0.01)
    assert sweep.rho == pytest.approx(rho)
    assert sweep.critical_depth == pytest.approx(rho)
    for d, a, cf in zip(depths, sweep.amplification, sweep.closed_form, strict=True):
        assert a == pytest.approx(cascade(pos, 100.0, 0.01, Book(d)).amplification)
        assert cf == cascade_multiplier(rho, d)
    assert np.all(np.diff(sweep.amplification) <= 1e-12)  # deeper book, smaller cascade
    assert np.all(np.isinf(sweep.closed_form[depths <= rho]))
    deep = depths >= 10 * rho  # far from the critical point the closed form is close
    assert deep.any()
    np.testing.assert_allclose(sweep.amplification[deep], sweep.closed_form[deep], rtol=0.05)


def test_invalid_inputs_raise():
    with pytest.raises(ValueError, match="bin_width"):
        feedback_loop_scenario(bin_width=0.0)
    with pytest.raises(TypeError, match="depht"):
        feedback_loop_scenario(depht=1e5)
    with pytest.raises(TypeError, match="price"):
        depth_sweep([1e5], price=120.0)  # the course market starts at PRICE
    with pytest.raises(ValueError):
        depth_sweep([1e5, -1.0])
    with pytest.raises(ValueError):
        feedback_loop_scenario(maintenance=0.05)  # above 1 / max_leverage


def test_the_lab_gauge_and_the_chapter_measure_the_same_density():
    # issue 14 item 1: the gauge measured at 95 USD over 5% while the chapter measured at
    # 99 USD; both now read liquidation_density at the shocked price with its defaults
    pos = population(FeedbackLoopParams())
    for shock in (0.01, 0.05):
        res = feedback_loop_scenario(shock=shock)
        rho = liquidation_density(pos, PRICE * (1.0 - shock))
        assert res.rho == rho
        assert res.multiplier == cascade_multiplier(rho, res.params.depth)
        assert depth_sweep([2e5], shock=shock).rho == rho


@pytest.mark.parametrize("shock", [0.003, 0.005, 0.0075, 0.01])
def test_closed_form_within_ten_percent_for_small_shocks_and_books_twice_the_density(shock):
    # issue 14, done-when: the density from liquidation_density(positions, shocked_price) with
    # its defaults; the closed form is within 10% of the simulation for D >= 2 rho
    pos = population(FeedbackLoopParams())
    rho = liquidation_density(pos, PRICE * (1.0 - shock))
    for ratio in np.geomspace(2.0, 50.0, 25):
        depth = ratio * rho
        sim = cascade(pos, PRICE, shock, Book(depth)).amplification
        assert cascade_multiplier(rho, depth) == pytest.approx(sim, rel=0.10)
        # the law in p0 units, s / (1 - k (1 - s)), differs from it by under 1% here
        law = static_cascade_move(shock, rho, depth) / shock
        assert law == pytest.approx(sim, rel=0.10)
        assert law == pytest.approx(cascade_multiplier(rho, depth), rel=0.01)


def test_below_a_third_of_a_percent_the_shock_crosses_too_few_positions_for_any_density():
    # what the chapter says about tiny shocks: a 0.1% shock crosses a few dozen positions, one
    # of which holds a tenth of the units, and the closed form misses by more than 20%
    pos = population(FeedbackLoopParams())
    shock = 0.001
    rho = liquidation_density(pos, PRICE * (1.0 - shock))
    res = cascade(pos, PRICE, shock, Book(2.5 * rho))
    assert abs(cascade_multiplier(rho, 2.5 * rho) / res.amplification - 1.0) > 0.2
    assert res.n_liquidated < 100
    closed = res.liquidated
    assert pos.size[closed].max() > 0.1 * pos.size[closed].sum()


def test_static_law_is_exact_for_the_density_of_the_band_crossed():
    pos = population(FeedbackLoopParams())
    for shock, depth in ((0.01, 2e5), (0.01, 1e5), (0.05, 2e5), (-0.02, 3e5)):
        res = cascade(pos, PRICE, shock, Book(depth))
        y = -res.move
        rho = liquidation_density(pos, PRICE, window=abs(y), side=res.direction)
        assert static_cascade_move(shock, rho, depth) == pytest.approx(y, rel=1e-9)
        # and in p1 units it is the geometric series of the gain at p1
        assert cascade_multiplier(rho * (1.0 - shock), depth) == pytest.approx(
            res.amplification, rel=1e-9)


def test_static_law_on_a_uniform_cluster_and_its_limits():
    from markets import uniform_cluster

    rho, shock = 10_000.0, 0.02
    pos = uniform_cluster(rho, per_position=1.0)
    for ratio in (0.2, 0.5, 0.8):
        res = cascade(pos, 100.0, shock, Book(rho / ratio), penalty=0.0)
        assert static_cascade_move(shock, rho, rho / ratio) == pytest.approx(-res.move, rel=1e-3)
    assert static_cascade_move(0.01, 0.0, 1e5) == 0.01  # no positions: the shock alone
    assert static_cascade_move(0.0, 5e4, 1e5) == 0.0
    assert static_cascade_move(0.01, 2e5, 1e5) == float("inf")  # k (1 - s) >= 1
    assert static_cascade_move(-0.01, 2e5, 1e5) == float("-inf")
    with pytest.raises(ValueError, match="shock"):
        static_cascade_move(1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="rho"):
        static_cascade_move(0.01, -1.0, 1.0)
    with pytest.raises(ValueError, match="depth"):
        static_cascade_move(0.01, 1.0, 0.0)


@pytest.mark.parametrize(("shock", "floor_price"), [(0.01, 90.0), (0.02, 90.0), (0.05, 85.0)])
def test_runaway_depth_is_the_exact_edge_of_the_simulated_cascade(shock, floor_price):
    pos = population(FeedbackLoopParams())
    d = runaway_depth(pos, PRICE, shock, floor_price=floor_price)
    assert cascade(pos, PRICE, shock, Book(d * (1 + 1e-6))).final_price >= floor_price
    assert cascade(pos, PRICE, shock, Book(d * (1 - 1e-6))).final_price < floor_price


def test_runaway_depth_sits_far_above_the_closed_forms_critical_depth_on_the_course_market():
    # the density grows below 99 USD, so the 1% shock runs through the cluster on books half
    # again as deep as the density next to the shocked price
    pos = population(FeedbackLoopParams())
    rho = liquidation_density(pos, 99.0)
    d = runaway_depth(pos, PRICE, 0.01, floor_price=90.0)
    assert 1.4 * rho < d < 1.6 * rho
    # ... while on a uniform density the edge is rho_1 (p0 - floor) / (p1 - floor), which
    # tends to the closed form's rho_1 = D as the floor falls
    from markets import uniform_cluster

    uniform = uniform_cluster(10_000.0, width=0.3, per_position=1.0)
    rho_1 = liquidation_density(uniform, 99.0)
    for floor_price in (90.0, 75.0):
        d = runaway_depth(uniform, 100.0, 0.01, floor_price=floor_price)
        assert d == pytest.approx(rho_1 * (100.0 - floor_price) / (99.0 - floor_price), rel=1e-3)


def test_runaway_depth_validates_and_handles_edge_cases():
    pos = population(FeedbackLoopParams())
    with pytest.raises(ValueError, match="floor_price"):
        runaway_depth(pos, PRICE, 0.01, floor_price=99.5)
    with pytest.raises(ValueError, match="shock"):
        runaway_depth(pos, PRICE, -0.01, floor_price=90.0)
    with pytest.raises(ValueError, match="positions"):
        runaway_depth([1.0], PRICE, 0.01, floor_price=90.0)
    # a shock that crosses no liquidation price needs no book at all
    far = sample_positions(100, 100.0, leverage=2.0, max_leverage=3.0, seed=1)
    assert runaway_depth(far, 100.0, 0.01, floor_price=95.0) == 0.0
