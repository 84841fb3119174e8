"""Issue 11, items 1-3 and 9: each reproduction as a regression test. The engine and the static
cascade stay inside their documented bounds (depth floor, price band), and a call outside the
model's range gets a clear error naming what to change."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cascadelab import (
    Book,
    DealerBook,
    Scenario,
    cascade,
    default_market,
    impact_price,
    monte_carlo,
    sample_positions,
    simulate,
)
from cascadelab.engine.bounds import MEMORY_LIMIT, estimate_bytes
from cascadelab.market import DEPTH_FLOOR, PRICE_CAP


@pytest.fixture(scope="module")
def small():
    return default_market(2_000)[0]


def assert_banded(res, sc: Scenario) -> None:
    f = res.fundamental
    assert np.all(np.isfinite(res.price)) and np.all(res.price > 0.0)
    assert np.all(res.price <= PRICE_CAP * f) and np.all(res.price >= 1e-3 * f)
    assert np.all(res.depth >= DEPTH_FLOOR * sc.depth)
    np.testing.assert_allclose(res.bad_debt, res.fund_draw + res.socialized_loss
                               + res.uncovered_loss, rtol=0, atol=1e-6 * max(
                                   res.initial_collateral, 1.0))


# --- 1. crashes on valid scenarios ------------------------------------------------------------

THINNED = Scenario(depth_stress=100.0, shock=-0.9, stress_halt=1.0)


def test_book_thinned_to_zero_no_longer_divides_by_zero():
    res = simulate(scenario=THINNED)  # was ZeroDivisionError
    assert_banded(res, THINNED)
    assert res.depth.min() == DEPTH_FLOOR * THINNED.depth  # the floor is what held
    assert np.all(np.isfinite(res.stress))


@pytest.mark.parametrize("parallel", [True, False])
def test_monte_carlo_on_the_thinned_book_runs(small, parallel):
    mc = monte_carlo(small, THINNED, paths=4, steps=60, seed=0, parallel=parallel,
                     progress=False)  # was SystemError (and ZeroDivisionError)
    assert np.all(np.isfinite(mc.bad_debt)) and np.all(mc.final_price > 0.0)


def test_minimal_case_found_by_hypothesis():
    sc = Scenario(depth_stress=15.0, shock=0.75, shock_step=0,
                  dealer=DealerBook.straddle(strike=100.0, units=-2e5, expiry=500))
    res = simulate(scenario=sc, steps=3)
    assert_banded(res, sc)


# --- 2. absurd prices ---------------------------------------------------------------------------

def test_buys_through_a_thinned_book_stay_in_the_band():
    sc = Scenario(depth_stress=10.0, shock=0.2)
    res = simulate(scenario=sc)
    assert_banded(res, sc)
    assert res.price.max() < 271_538.0 / 1000  # it peaked at 271,538 USD before the band
    assert res.price.max() <= PRICE_CAP * res.fundamental.max()


def test_the_band_binds_in_a_squeeze_and_depth_floor_in_a_thin_book():
    # shorts squeezed by a 50% rise on a book far too thin for them: the cap holds the price
    sc = Scenario(shock=-0.5, depth=50.0, impact="exponential", insurance_fund=0.0)
    res = simulate(scenario=sc, steps=40)
    assert_banded(res, sc)
    assert np.any(res.price == PRICE_CAP * res.fundamental)


def test_the_default_scenarios_are_not_touched_by_the_bounds():
    pos, sc = default_market()
    res = simulate(pos, sc)
    assert np.all(res.price < PRICE_CAP * res.fundamental)
    assert np.all(res.price > 1e-3 * res.fundamental)
    assert np.all(res.depth == sc.depth)


def test_floating_point_errors_name_the_parameters_to_change(small):
    runaway = Scenario(mu=0.1, shock=0.0)
    with pytest.raises(FloatingPointError, match=r"step \d+.*mu=0\.1.*number of steps"):
        simulate(small, runaway, steps=10_000)
    with pytest.raises(FloatingPointError, match=r"path 0, step \d+.*mu=0\.1"):
        monte_carlo(small, runaway, paths=2, steps=10_000, seed=0, progress=False)
    wild = Scenario(sigma=0.5, jump_rate=1.0, jump_mean=-1.0, jump_sd=1.0, shock=0.0)
    with pytest.raises(FloatingPointError, match=r"sigma=0\.5.*jumps \(jump_rate=1"):
        simulate(small, wild, steps=2_000)
    with pytest.raises(FloatingPointError, match=r"price=1e\+300"):
        simulate(small, Scenario(price=1e300), steps=20)
    # positions too large for the engine's range are refused where they are made, by name
    with pytest.raises(ValueError, match="price must be in"):
        sample_positions(50, 1e240, notional=1e307, notional_sigma=0.0, seed=1)


# --- 3. the static cascade ---------------------------------------------------------------------

def test_static_cascade_squeeze_is_finite_and_banded():
    pos = sample_positions(2000, 100.0)
    res = cascade(pos, 100.0, -0.5, Book(1.0, "exponential"))  # was final_price = inf
    assert math.isfinite(res.final_price) and math.isfinite(res.bad_debt)
    assert res.final_price == PRICE_CAP * res.shocked_price
    res = cascade(pos, 100.0, -0.05, Book(10.0, "exponential"))  # was 7.6e282
    assert res.final_price <= PRICE_CAP * res.shocked_price
    assert math.isfinite(res.amplification)
    # impact_price is the book alone: not banded
    assert impact_price(100.0, -1e4, Book(10.0, "exponential")) > PRICE_CAP * 100.0


def test_static_cascade_defaults_unchanged_by_the_band():
    pos = sample_positions(20_000, 100.0, seed=0)
    for shock, book in ((0.05, Book(200_000.0)), (-0.05, Book(50_000.0, "sqrt")),
                        (0.3, Book(5_000.0, "exponential"))):
        res = cascade(pos, 100.0, shock, book)
        p1 = res.shocked_price
        assert np.all(res.round_prices < PRICE_CAP * p1)


# --- 9. memory --------------------------------------------------------------------------------

def test_huge_paths_or_steps_are_refused_before_allocating(small):
    with pytest.raises(ValueError, match=r"paths=100,000,000,000,000,000,000 x steps=1.*GiB"):
        monte_carlo(small, Scenario(shock=0.0), paths=10**20, steps=1, seed=0)  # OverflowError
    with pytest.raises(ValueError, match=r"paths=100,000,000 x steps=1 .*GiB"):
        monte_carlo(small, Scenario(shock=0.0), paths=10**8, steps=1, seed=0)
    with pytest.raises(ValueError, match=r"steps=10,000,000 .*GiB.*fewer steps"):
        simulate(small, Scenario(), steps=10_000_000)


def test_memory_estimate_grows_with_paths_steps_and_positions():
    base = estimate_bytes(1_000, 300)
    assert estimate_bytes(1_000, 600) > base and estimate_bytes(2_000, 300) > base
    assert estimate_bytes(1_000, 300, paths=10, chunk=10) < estimate_bytes(
        1_000, 300, paths=1_000, chunk=10)
    # the course's largest runs are far below the limit
    assert estimate_bytes(20_000, 300, paths=2_000, chunk=2_000, blocks=2) < MEMORY_LIMIT / 10
