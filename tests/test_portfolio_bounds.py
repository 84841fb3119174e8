"""Issue 11 for the multi-asset kernel: ``simulate_portfolio`` is bounded as the engine is.

Every traded price of asset k stays in the band ``[floor_k, PRICE_CAP] * F_{t,k}``
(:func:`cascadelab.market.banded`). Each scenario below used to raise ``FloatingPointError``
(a buy-back overflowing to ``inf``) or to return an absurd price (hundreds to 1e111 times the
fundamental, no error); the comment on each gives what it did before the band.
"""

from __future__ import annotations

import dataclasses
import math
import os
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest

from cascadelab import Book
from cascadelab.market import PRICE_CAP
from cascadelab.portfolio import (
    Accounts,
    MultiAssetScenario,
    equicorrelation,
    sample_accounts,
    simulate_portfolio,
)


def raises(exc: type[Exception], *parts: str):
    """``pytest.raises(exc)`` whose message contains every one of ``parts`` (literally)."""
    return pytest.raises(exc, match=".*".join(re.escape(p) for p in parts))


def two_assets(**changes: object) -> MultiAssetScenario:
    kw = dict(prices=(100.0, 50.0), vols=(0.001, 0.001), corr=equicorrelation(2, 0.5),
              books=(Book(1e4), Book(1e4)), steps=60)
    kw.update(changes)
    return MultiAssetScenario(**kw)


def floors(sc: MultiAssetScenario) -> np.ndarray:
    return np.array([b.floor for b in sc.books])


def assert_banded(res, sc: MultiAssetScenario) -> None:
    """Finite, inside the band (the traded price exactly, marks and fills up to rounding)."""
    f = res.fundamental
    for name in ("price", "fill_price", "liquidated_notional", "bad_debt", "returned",
                 "penalties", "paid_to_market", "collateral_in"):
        assert np.isfinite(getattr(res, name)).all(), name
    assert np.all(res.price >= floors(sc) * f) and np.all(res.price <= PRICE_CAP * f)
    assert np.all(res.fill_price >= floors(sc) * f * (1 - 1e-12))
    assert np.all(res.fill_price <= PRICE_CAP * f * (1 + 1e-12))
    np.testing.assert_allclose(res.collateral_in, res.returned + res.penalties
                               + res.paid_to_market, rtol=1e-12, atol=1e-6)


# Shorts squeezed through books of almost no depth (an exponential book's buy-back has no
# bound): before the band, FloatingPointError at step 2 ("moved its price to inf USD").
SQUEEZE = (
    dict(n=2_000, prices=[100.0, 50.0], long_share=0.0, leverage=20.0, max_leverage=50.0,
         maintenance=0.01, seed=1),
    dict(shock=-0.5, books=(Book(1e-3, "exponential"), Book(1e-3, "exponential"))),
)
# Mostly shorts, shallow exponential books, a 30% rise: before, no error but prices of 1.6e36
# and 3.6e111 times the fundamental and 1.47e117 USD of bad debt.
BOTH_EDGES = (
    dict(n=2_000, prices=[100.0, 50.0], long_share=0.2, leverage=10.0, max_leverage=50.0,
         maintenance=0.01, seed=2),
    dict(shock=-0.3, books=(Book(10.0, "exponential"), Book(10.0, "exponential"))),
)


def test_short_squeeze_through_an_empty_book_is_capped_not_inf():
    accounts, scenario = SQUEEZE
    sc = two_assets(**scenario)
    res = simulate_portfolio(sample_accounts(**accounts), sc, seed=0)  # was FloatingPointError
    assert_banded(res, sc)
    # the buy-backs pin both prices at the cap from the first liquidations on
    assert (res.price / res.fundamental).max() == PRICE_CAP
    np.testing.assert_array_equal((res.price == PRICE_CAP * res.fundamental).sum(axis=0), [59, 59])
    assert res.n_accounts_liquidated == 2_000
    assert res.total_bad_debt == pytest.approx(31_104_217.661177292, rel=1e-9)
    assert res.total_liquidated_notional == pytest.approx(65_987_632.08397239, rel=1e-9)


def test_absurd_prices_now_stay_in_the_band_at_both_edges():
    accounts, scenario = BOTH_EDGES
    sc = two_assets(**scenario)
    res = simulate_portfolio(sample_accounts(**accounts), sc, seed=0)  # was 3.6e111 x F
    assert_banded(res, sc)
    ratio = res.price / res.fundamental
    np.testing.assert_array_equal(ratio.max(axis=0), [PRICE_CAP, PRICE_CAP])
    assert ratio[:, 1].min() == pytest.approx(1e-3, rel=1e-12)  # the longs' sale hit the floor
    assert res.n_accounts_liquidated == 1_930
    assert res.total_bad_debt == pytest.approx(19_524_212.986858673, rel=1e-9)


def test_minimal_cases_found_by_hypothesis():
    # isolated 1x shorts opened far above the price, closed at once: before, asset B's
    # exponential book went to inf (FloatingPointError at step 0)
    acc = sample_accounts(28, [1.0, 1e-4], legs=1, leverage=1.0, max_leverage=1.0,
                          leverage_tail=1.0, long_share=0.0, maintenance=0.0, entry_spread=1.0,
                          notional=1.0, notional_sigma=0.0, cross_margin=False, seed=0)
    sc = MultiAssetScenario(prices=(1.0, 1e-4), vols=(0.0, 1.0), corr=np.eye(2),
                            books=(Book(1.0, "linear", 0.5), Book(1.0, "exponential", 0.5)),
                            shock=0.0, shock_step=0, spillover=False, penalty=0.0, steps=1)
    res = simulate_portfolio(acc, sc, seed=1)
    assert_banded(res, sc)
    assert res.price[0, 1] == PRICE_CAP * res.fundamental[0, 1]
    assert res.total_bad_debt == pytest.approx(7.820299393659306, rel=1e-9)
    # one short across three thin linear books: before, 911 times the fundamental in asset A
    acc = sample_accounts(1, [1.0] * 3, legs=3, leverage=1.0, max_leverage=1.0, leverage_tail=1.0,
                          long_share=0.0, maintenance=0.0, entry_spread=1.0, notional=1e5,
                          notional_sigma=0.0, cross_margin=False, seed=0)
    sc = MultiAssetScenario(prices=(1.0,) * 3, vols=(0.0,) * 3, corr=np.eye(3),
                            books=(Book(1.0, "linear", 0.5),) * 3, shock=-0.5, shock_step=0,
                            spillover=False, penalty=0.0, steps=1)
    res = simulate_portfolio(acc, sc, seed=0)
    assert_banded(res, sc)
    np.testing.assert_array_equal(res.price[0] / res.fundamental[0], [PRICE_CAP, 1.0, 1.0])
    assert res.total_bad_debt == pytest.approx(72_123.18596673037, rel=1e-9)


def test_the_band_does_not_bind_in_the_default_scenario():
    sc = MultiAssetScenario()
    res = simulate_portfolio(sample_accounts(5_000, sc.prices, seed=0), sc, seed=0)
    ratio = res.price / res.fundamental
    assert 0.8 < ratio.min() and ratio.max() < 1.2


def test_a_floor_too_small_for_the_band_is_refused_by_name():
    with raises(ValueError, "books[1].floor must be in [1e-200, 1)", "got 1e-250"):
        two_assets(books=(Book(1e4), Book(1e4, floor=1e-250)))


def test_a_spillover_beyond_the_range_names_the_tiny_volatility():
    # corr 0.5 x 0.5 / 1e-300: asset B would jump 2.5e299 times A's log move
    with raises(ValueError, "with spillover, beta[1] = corr[1, 0] x vols[1] / vols[0] must be in "
                "[-10, 10]", "vols[0] = 1e-300", "raise vols[0]", "spillover=False"):
        two_assets(vols=(1e-300, 0.5), shock=0.2, shock_steps=1, shock_step=0)
    # the same volatilities without a shock, or without spillover, are fine
    assert np.isfinite(two_assets(vols=(1e-300, 0.5), shock=0.0).fundamentals()).all()
    assert np.isfinite(two_assets(vols=(1e-300, 0.5), shock=0.2, spillover=False)
                       .fundamentals()).all()


def test_a_shock_at_the_edge_of_float_still_names_the_spillover():
    # |beta| <= 10, but a shock a few ulps below 100% has a log move of -36.7: 10x that leaves
    # the fundamental range (beta 9: B jumps by e^-330), refused before the run with the cause named
    sc = two_assets(vols=(0.05, 0.5), corr=equicorrelation(2, 0.9), shock=1.0 - 2.0**-53,
                    shock_steps=1, shock_step=0)
    with raises(FloatingPointError, "fundamental of asset B", "spillover beta[1]"):
        sc.fundamentals()


def test_money_beyond_the_float_range_names_the_step_and_the_result():
    acc = Accounts(units=[[-1.5e308]], entry=[[1e-269]], cash=[0.0], collateral_units=[[0.0]],
                   maintenance=0.0)
    sc = MultiAssetScenario(prices=(1.0,), vols=(0.0,), corr=[[1.0]], books=(Book(1.0),),
                            shock=0.0, shock_step=0, steps=3)
    with raises(FloatingPointError, "left the float range at step 0",
                "liquidated_notional = inf", "use smaller accounts"):
        simulate_portfolio(acc, sc)


def test_the_band_is_bit_for_bit_without_jit():
    code = (
        "import dataclasses, pickle, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from test_portfolio_bounds import BOTH_EDGES, SQUEEZE, two_assets\n"
        "from cascadelab.portfolio import sample_accounts, simulate_portfolio\n"
        "out = []\n"
        "for accounts, scenario in (SQUEEZE, BOTH_EDGES):\n"
        "    for cross in (True, False):\n"
        "        for res in (0.0, 0.3):\n"
        "            a = sample_accounts(**{**accounts, 'n': 400, 'cross_margin': cross})\n"
        "            r = simulate_portfolio(a, two_assets(**scenario, resilience=res), seed=5)\n"
        "            out.append({f.name: getattr(r, f.name) for f in dataclasses.fields(r)})\n"
        "sys.stdout.buffer.write(pickle.dumps(out))\n"
    )
    here = os.path.dirname(os.path.abspath(__file__))
    runs = []
    for flag in ("0", "1"):
        env = dict(os.environ, NUMBA_DISABLE_JIT=flag)
        proc = subprocess.run([sys.executable, "-c", code, here], env=env, capture_output=True,
                              check=True, timeout=600)
        runs.append(pickle.loads(proc.stdout))
    jit, py = runs
    assert any((r["price"] == PRICE_CAP * r["fundamental"]).any() for r in jit)
    assert any(math.isclose((r["price"] / r["fundamental"]).min(), 1e-3) for r in jit)
    for a, b in zip(jit, py, strict=True):
        for name in a:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_result_fields_are_all_checked_by_the_band_helper():
    # every float array of the result that carries a price is finite in the squeeze
    accounts, scenario = SQUEEZE
    res = simulate_portfolio(sample_accounts(**accounts), two_assets(**scenario), seed=0)
    for f in dataclasses.fields(res):
        value = getattr(res, f.name)
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            assert np.isfinite(value).all(), f.name
