"""The per-mechanism helpers: oracle rule, margins and fees, Black-Scholes kernels, predator."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cascadelab import DealerBook, oracle_path, sample_positions
from cascadelab.mechanisms.adversary import ATTACK, COVER, IDLE, cluster_units, predator_order
from cascadelab.mechanisms.hedging import bs_delta, bs_gamma
from cascadelab.mechanisms.liquidation import slice_units
from cascadelab.mechanisms.margin import (
    apply_opening_fee,
    fee_adjusted_leverage,
    vol_adjusted_maintenance,
)
from cascadelab.mechanisms.oracles import fill_path, oracle_update

# --- oracle --------------------------------------------------------------------------------------

def test_oracle_latency_shifts_the_path():
    p = np.array([100.0, 90.0, 80.0, 70.0, 60.0])
    np.testing.assert_array_equal(oracle_path(p), p)
    np.testing.assert_array_equal(oracle_path(p, latency=2), [100, 100, 100, 90, 80])


def test_oracle_heartbeat_and_deviation():
    p = 100.0 - np.arange(10.0)  # falls 1 USD per step
    np.testing.assert_array_equal(oracle_path(p, heartbeat=4), [100] * 3 + [97] * 4 + [93] * 3)
    dev = oracle_path(p, heartbeat=100, deviation=0.025)
    np.testing.assert_array_equal(dev, [100, 100, 100, 97, 97, 97, 94, 94, 94, 91])


def test_oracle_validation():
    with pytest.raises(ValueError, match="latency"):
        oracle_path([100.0], latency=-1)
    with pytest.raises(ValueError, match="heartbeat"):
        oracle_path([100.0], heartbeat=0)
    with pytest.raises(ValueError, match="deviation"):
        oracle_path([100.0], deviation=1.0)
    with pytest.raises(ValueError, match="prices"):
        oracle_path([100.0, -1.0])


def test_oracle_kernel_applies_the_rule_and_agrees_with_pure_python():
    prices = 100.0 * np.exp(np.cumsum(np.random.default_rng(0).normal(0.0, 0.01, 300)))
    for latency, heartbeat, deviation in ((0, 1, 0.0), (3, 7, 0.01), (5, 1000, 0.0)):
        jit, py = np.empty(300), np.empty(300)
        fill_path(prices, 100.0, latency, heartbeat, deviation, jit)
        fill_path.py_func(prices, 100.0, latency, heartbeat, deviation, py)
        np.testing.assert_array_equal(jit, py)
        np.testing.assert_array_equal(
            oracle_path(prices, latency=latency, heartbeat=heartbeat, deviation=deviation,
                        p0=100.0), jit)
        published, last = 100.0, -1  # the rule, one step at a time, in plain Python
        for t in range(300):
            reported = prices[t - latency] if t >= latency else 100.0
            published, last = oracle_update.py_func(published, last, t, reported, heartbeat,
                                                    deviation)
            assert jit[t] == published


# --- margins, fees, slices -----------------------------------------------------------------------

def test_vol_adjusted_maintenance():
    assert vol_adjusted_maintenance(0.0, 0.005, 3.0, 10.0) == 0.005
    assert vol_adjusted_maintenance(0.01, 0.005, 3.0, 4.0) == pytest.approx(0.06)
    assert vol_adjusted_maintenance(1.0, 0.005, 3.0, 4.0) == 0.5  # capped
    np.testing.assert_allclose(vol_adjusted_maintenance(np.array([0.0, 0.01]), 0.0, 1.0, 1.0),
                               [0.0, 0.01])
    with pytest.raises(ValueError, match="horizon"):
        vol_adjusted_maintenance(0.01, 0.005, 3.0, 0.0)


def test_opening_fee_shrinks_leverage_most_for_the_most_leveraged():
    lev = np.array([1.0, 2.0, 10.0, 50.0])
    new = fee_adjusted_leverage(lev, 0.01)
    assert np.all(new <= lev) and new[0] == 1.0
    assert np.all(np.diff(new / lev) < 0)
    pos = sample_positions(500, 100.0, seed=0)
    cheaper, fees = apply_opening_fee(pos, 0.002)
    np.testing.assert_allclose(cheaper.collateral, pos.collateral, rtol=1e-12)
    assert np.all(cheaper.leverage < pos.leverage)
    assert fees == pytest.approx(0.002 * cheaper.notional.sum())
    # lower leverage: bankruptcy prices move away from the entry
    assert np.all(np.abs(cheaper.bankruptcy_price - cheaper.entry)
                  > np.abs(pos.bankruptcy_price - pos.entry))
    assert apply_opening_fee(pos, 0.0) == (pos, 0.0)


def test_slice_units():
    assert slice_units(10.0, 10.0, 0.25, math.inf) == 2.5
    assert slice_units(10.0, 10.0, 0.25, 1.0) == 1.0
    assert slice_units(1.0, 10.0, 0.25, math.inf) == 1.0
    # no dust: a slice that would leave ~0 closes the rest
    rem = 10.0 - 3 * (0.3 * 10.0)
    assert slice_units(rem, 10.0, 0.1 + 1e-17, math.inf) in (rem, 1.0)
    assert slice_units(1.0 + 1e-14, 10.0, 0.1, math.inf) == 1.0 + 1e-14


# --- Black-Scholes kernels and the dealer book ---------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(spot=st.floats(20.0, 200.0), strike=st.floats(50.0, 150.0), tau=st.floats(1.0, 2000.0),
       vol=st.floats(0.001, 0.05))
def test_black_scholes_parity_and_gamma(spot, strike, tau, vol):
    call = bs_delta(spot, strike, tau, vol, True)
    put = bs_delta(spot, strike, tau, vol, False)
    assert call - put == pytest.approx(1.0)
    assert 0.0 <= call <= 1.0
    h = 1e-3 * spot * vol * math.sqrt(tau)  # small against the spread of the log price
    numeric = (bs_delta(spot + h, strike, tau, vol, True)
               - bs_delta(spot - h, strike, tau, vol, True)) / (2 * h)
    assert bs_gamma(spot, strike, tau, vol) == pytest.approx(numeric, rel=1e-3, abs=1e-9)


def test_expired_options_have_no_delta_or_gamma():
    assert bs_delta(100.0, 90.0, 0.0, 0.01, True) == 0.0
    assert bs_gamma(100.0, 90.0, -3.0, 0.01) == 0.0
    book = DealerBook.straddle(100.0, -1e6, expiry=10, vol=0.01)
    assert book.delta(95.0, t=10) == 0.0 and book.gamma(95.0, t=10) == 0.0


def test_dealer_book_signs():
    short = DealerBook.straddle(100.0, -1e6, expiry=100, vol=0.01)
    assert short.gamma(100.0) < 0
    # short gamma: the book's delta rises as the price falls, so the hedge sells into the fall
    assert short.delta(95.0) > short.delta(100.0)
    hedged = short.with_puts(100.0, 2e6, 100)
    assert hedged.gamma(100.0) == pytest.approx(0.0, abs=1e-6)
    assert len(hedged) == 3


# --- predator ------------------------------------------------------------------------------------

def test_cluster_units_binary_search():
    bk = np.array([99.0, 98.0, 97.0, 90.0])
    cum = np.array([0.0, 1.0, 3.0, 6.0, 10.0])
    assert cluster_units(bk, cum, 0, 97.0) == 6.0
    assert cluster_units(bk, cum, 1, 97.0) == 5.0
    assert cluster_units(bk, cum, 0, 100.0) == 0.0
    assert cluster_units(bk, cum, 0, 0.0) == 10.0


def test_predator_modes():
    # visible, no cluster: stays idle
    assert predator_order(IDLE, 0, 0.0, 100.0, True, 0.0, 1.0, 10.0, 5, 0.0) == (0.0, IDLE, 0)
    # visible cluster: attacks, selling at its rate
    assert predator_order(IDLE, 0, 0.0, 100.0, True, 50.0, 1.0, 10.0, 5, 0.0) == (10.0, ATTACK, 1)
    # blind: attacks anyway
    assert predator_order(IDLE, 0, 0.0, 100.0, False, 0.0, 1.0, 10.0, 5, 0.0)[1] == ATTACK
    # at its limit it holds
    assert predator_order(ATTACK, 2, -100.0, 100.0, True, 0.0, 1.0, 10.0, 5, 0.0) == (
        0.0, ATTACK, 3)
    # forced selling: covers into it, as much as is forced
    assert predator_order(ATTACK, 2, -100.0, 100.0, True, 0.0, 1.0, 10.0, 5, 30.0) == (
        -30.0, COVER, 2)
    # patience runs out: covers at its rate; the last buy makes it flat and idle
    assert predator_order(ATTACK, 5, -15.0, 100.0, True, 0.0, 1.0, 10.0, 5, 0.0) == (
        -10.0, COVER, 5)
    assert predator_order(COVER, 5, -5.0, 100.0, True, 0.0, 1.0, 10.0, 5, 0.0) == (
        -5.0, IDLE, 0)
