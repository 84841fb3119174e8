"""The static cascade: closed forms, fixed point, monotonicity, accounting, JIT equality."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jit_paths import jit_and_python
from markets import uniform_cluster

from cascadelab import (
    IMPACT_MODELS,
    Book,
    Positions,
    cascade,
    cascade_multiplier,
    liquidation_density,
    liquidation_price,
    sample_positions,
)
from cascadelab.kernels.cascade import sweep


@pytest.mark.parametrize("ratio", [0.2, 0.5, 0.8])
def test_subcritical_amplification_matches_closed_form(ratio: float) -> None:
    rho, s = 1_000.0, 0.01
    pos = uniform_cluster(rho, per_position=1.0)
    res = cascade(pos, 100.0, s, Book(rho / ratio), penalty=0.0)
    # exact fixed point of y = s + (1 - s) * (rho / D) * y for a linear book
    exact = 1.0 / (1.0 - (1.0 - s) * ratio)
    assert res.amplification == pytest.approx(exact, rel=0.02)
    assert res.amplification == pytest.approx(cascade_multiplier(rho, rho / ratio), rel=0.05)
    assert res.n_liquidated < len(pos)


@pytest.mark.parametrize("ratio", [1.0, 1.5, 3.0])
def test_supercritical_cascade_runs_through_the_whole_cluster(ratio: float) -> None:
    rho = 1_000.0
    pos = uniform_cluster(rho, width=0.2, per_position=1.0)
    res = cascade(pos, 100.0, 0.005, Book(rho / ratio), penalty=0.0)
    assert res.n_liquidated == len(pos)
    assert res.final_price < 80.0 + 1e-9
    assert cascade_multiplier(rho, rho / ratio) == float("inf")


def test_shorts_mirror_longs_on_an_up_shock() -> None:
    rho = 1_000.0
    longs = cascade(uniform_cluster(rho, per_position=1.0), 100.0, 0.01, Book(2 * rho))
    shorts = cascade(uniform_cluster(rho, per_position=1.0, side=-1), 100.0, -0.01, Book(2 * rho))
    assert shorts.n_liquidated > 0
    assert shorts.final_price > 101.0
    assert shorts.amplification == pytest.approx(longs.amplification, rel=0.05)


def test_zero_shock_on_a_healthy_market_changes_nothing(market: Positions) -> None:
    res = cascade(market, 100.0, 0.0, Book(1e5))
    assert res.n_liquidated == 0 and res.final_price == 100.0 and res.rounds == 0
    assert res.amplification == 1.0 and res.bad_debt == 0.0


def test_final_price_is_the_least_fixed_point(market: Positions) -> None:
    res = cascade(market, 100.0, 0.05, Book(200_000.0))
    liq = liquidation_price(market)
    crossed = (market.side > 0) & (liq >= res.final_price)
    assert np.array_equal(res.liquidated, crossed)
    # and the final price is what the book gives for exactly those sales
    p = Book(200_000.0)
    units = market.size[crossed].sum()
    assert res.final_price == pytest.approx(100.0 * 0.95 * (1 - units / (100 * p.depth)))
    assert res.liquidated_units == pytest.approx(units)
    assert res.round_units.sum() == pytest.approx(units)
    assert np.all(np.diff(res.round_prices) < 0)
    assert len(res.round_prices) == res.rounds + 1


def test_default_market_shows_a_visible_but_not_total_cascade(market: Positions) -> None:
    res = cascade(market, 100.0, 0.05, Book(200_000.0))
    assert 1.5 < res.amplification < 3.0
    assert 0 < res.n_liquidated < (market.side > 0).sum()


def test_accounting_adds_up_per_position(market: Positions) -> None:
    res = cascade(market, 100.0, 0.08, Book(150_000.0), penalty=0.02)
    closed = res.liquidated
    c = market.collateral[closed]
    side, size, entry = market.side[closed], market.size[closed], market.entry[closed]
    pnl = side * size * (res.fill_price[closed] - entry)
    np.testing.assert_allclose(
        res.position_returned[closed] + res.position_penalty[closed] + res.position_paid[closed],
        c, rtol=1e-12, atol=1e-9,
    )
    bad = np.maximum(-(c + pnl), 0.0)
    np.testing.assert_allclose(res.position_bad_debt[closed], bad, atol=1e-9)
    # penalty never exceeds 2% of fill notional and never comes out of negative equity
    assert np.all(res.position_penalty <= 0.02 * market.size * res.fill_price + 1e-9)
    assert np.all(res.position_penalty[res.position_bad_debt > 0] == 0.0)
    # totals agree with the per-position arrays
    assert res.penalties == pytest.approx(res.position_penalty.sum())
    assert res.bad_debt == pytest.approx(res.position_bad_debt.sum())
    assert res.returned + res.penalties + res.paid_to_market == pytest.approx(c.sum())
    assert res.liquidated_notional == pytest.approx(
        (market.size[closed] * res.fill_price[closed]).sum()
    )
    assert res.bad_debt > 0.0 and res.penalties > 0.0
    assert np.all(res.fill_price[~closed] == 0.0)


def test_fill_lies_between_the_round_prices(market: Positions) -> None:
    res = cascade(market, 100.0, 0.05, Book(200_000.0))
    fills = res.fill_price[res.liquidated]
    assert np.all(fills <= res.shocked_price) and np.all(fills >= res.final_price)


def test_describe_reports_the_numbers_in_words(market: Positions) -> None:
    text = cascade(market, 100.0, 0.05, Book(200_000.0)).describe()
    assert "5.0% shock" in text and "USD" in text and "rounds" in text


populations = st.builds(
    sample_positions,
    n=st.integers(0, 400),
    price=st.just(100.0),
    leverage=st.floats(1.0, 40.0),
    long_share=st.floats(0.0, 1.0),
    entry_spread=st.floats(0.0, 0.2),
    seed=st.integers(0, 2**32 - 1),
)


@settings(max_examples=60, deadline=None)
@given(
    pos=populations,
    s1=st.floats(-0.5, 0.5),
    s2=st.floats(-0.5, 0.5),
    d1=st.floats(1e2, 1e6),
    d2=st.floats(1e2, 1e6),
    model=st.sampled_from(list(IMPACT_MODELS)),
)
def test_bigger_shock_or_thinner_book_never_gives_a_smaller_cascade(
    pos: Positions, s1: float, s2: float, d1: float, d2: float, model: str
) -> None:
    # same direction only: compare two down shocks (or two up shocks)
    s_small, s_big = sorted((abs(s1), abs(s2)))
    sign = 1.0 if s1 >= 0 else -1.0
    thin, deep = sorted((d1, d2))
    base = cascade(pos, 100.0, sign * s_small, Book(deep, model))
    bigger = cascade(pos, 100.0, sign * s_big, Book(deep, model))
    thinner = cascade(pos, 100.0, sign * s_small, Book(thin, model))
    for other in (bigger, thinner):
        assert other.n_liquidated >= base.n_liquidated
        assert np.all(other.liquidated[base.liquidated])
        assert sign * other.final_price <= sign * base.final_price + 1e-9
    for res in (base, bigger, thinner):
        assert np.isfinite(res.final_price) and res.final_price > 0.0
        assert np.all(np.isfinite(res.fill_price))
        closed = res.liquidated
        crossed = pos.side * (liquidation_price(pos) - res.final_price) >= 0.0
        crossed &= pos.side == (1 if sign > 0 else -1)
        assert np.array_equal(closed, crossed)


def _sweep_args(pos: Positions, p1: float, book: Book) -> tuple:
    side = pos.by_trigger(1)
    m = len(side.liq)
    return (
        side.liq, side.size, side.bankrupt, 1, p1, book.depth, book.model,
        book.floor, 0.01, np.empty(m + 1), np.empty(m), np.empty(m, dtype=np.int64),
    )


@settings(max_examples=25, deadline=None)
@given(pos=populations, shock=st.floats(0.0, 0.4), model=st.sampled_from(list(IMPACT_MODELS)))
def test_jit_and_pure_python_agree(pos: Positions, shock: float, model: str) -> None:
    book = Book(20_000.0, model)
    a, b = _sweep_args(pos, 100.0 * (1 - shock), book), _sweep_args(pos, 100.0 * (1 - shock), book)
    out_jit = sweep(*a)
    out_py = sweep.py_func(*b)
    assert out_jit[:2] == out_py[:2]
    np.testing.assert_allclose(out_jit[2:], out_py[2:], rtol=1e-12)
    r = out_jit[0]
    np.testing.assert_array_equal(a[9][: r + 1], b[9][: r + 1])


SCRIPT = """
import json
from cascadelab import Book, cascade, sample_positions
pos = sample_positions(3000, 100.0, seed=11)
res = cascade(pos, 100.0, 0.06, Book(30000.0, "sqrt"))
print(json.dumps([res.final_price, res.n_liquidated, res.bad_debt, res.penalties,
                  list(res.round_prices)]))
"""


def test_numba_disable_jit_gives_the_same_result_bit_for_bit() -> None:
    jit, py = (json.loads(out) for out in jit_and_python(SCRIPT))
    assert jit == py


def test_liquidation_density_counts_units_per_percent() -> None:
    pos = uniform_cluster(1_000.0, width=0.3, per_position=1.0)
    assert liquidation_density(pos, 100.0, window=0.1) == pytest.approx(1_000.0, rel=0.01)
    assert liquidation_density(pos, 100.0, window=0.1, side=-1) == 0.0


def test_liquidation_density_defaults_to_the_one_percent_just_beyond_the_price(
    market: Positions,
) -> None:
    liq, size = market.liquidation_price, market.size
    longs, shorts = market.side > 0, market.side < 0
    for p in (99.0, 95.0):
        band = longs & (liq <= p) & (liq >= 0.99 * p)
        assert liquidation_density(market, p) == pytest.approx(size[band].sum())
        # the old 5% average is still one keyword away
        wide = longs & (liq <= p) & (liq >= 0.95 * p)
        assert liquidation_density(market, p, window=0.05) == pytest.approx(size[wide].sum() / 5)
    band = shorts & (liq >= 101.0) & (liq <= 101.0 * 1.01)
    assert liquidation_density(market, 101.0, side=-1) == pytest.approx(size[band].sum())
    # on the course market the density grows below the price, so the 5% window, which reaches
    # 5% further down, overstates the density the forced sales at 99 USD run into (issue 14)
    assert liquidation_density(market, 99.0, window=0.05) > 1.3 * liquidation_density(market, 99.0)


def test_liquidation_density_from_p0_over_the_move_makes_the_static_law_exact(
    market: Positions,
) -> None:
    # the mean density over the band a cascade crossed, fed to s / (1 - k (1 - s)), gives back
    # the simulated move: the law is exact, only the density has to be known
    for shock, depth in ((0.01, 2e5), (0.005, 1e5), (0.02, 4e5), (-0.01, 1.5e5)):
        res = cascade(market, 100.0, shock, Book(depth))
        y = -res.move
        rho = liquidation_density(market, 100.0, window=abs(y), side=res.direction)
        k = rho / depth
        assert shock / (1.0 - k * (1.0 - shock)) == pytest.approx(y, rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(price=0.0), "price"),
        (dict(price=np.nan), "price"),
        (dict(shock=1.0), "shock"),
        (dict(shock=-1.0), "shock"),
        (dict(shock=np.inf), "shock"),
        (dict(penalty=-0.1), "penalty"),
        (dict(penalty=1.0), "penalty"),
        (dict(book=5.0), "book"),
        (dict(positions=[1, 2]), "positions"),
    ],
)
def test_bad_cascade_arguments_raise(kwargs: dict, name: str, market: Positions) -> None:
    args = dict(positions=market, price=100.0, shock=0.05, book=Book(1e5))
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        cascade(**args)


def test_bad_multiplier_and_density_arguments_raise(market: Positions) -> None:
    with pytest.raises(ValueError, match="rho"):
        cascade_multiplier(-1.0, 10.0)
    with pytest.raises(ValueError, match="depth"):
        cascade_multiplier(1.0, 0.0)
    with pytest.raises(ValueError, match="window"):
        liquidation_density(market, 100.0, window=0.0)
    with pytest.raises(ValueError, match="side"):
        liquidation_density(market, 100.0, side=0)
