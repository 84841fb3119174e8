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
    rho = liquidation_density(pos, 95.0)
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


def test_theory_thinner_book_and_larger_shock():
    amp = [feedback_loop_scenario(depth=d).amplification for d in (5e5, 2e5, 1e5)]
    assert amp[0] < amp[1] < amp[2]
    units = [feedback_loop_scenario(shock=s).cascade.liquidated_units for s in (0.02, 0.05, 0.1)]
    assert units[0] < units[1] < units[2]


def test_depth_sweep_agrees_with_cascade_and_the_closed_form():
    depths = np.geomspace(2e4, 4e6, 12)
    sweep = depth_sweep(depths, shock=0.01)
    pos = sample_positions(20_000, 100.0, seed=0)
    rho = liquidation_density(pos, 99.0)
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
