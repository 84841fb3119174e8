"""Positions: margin arithmetic, sampling, validation."""

from __future__ import annotations

import numpy as np
import pytest

from cascadelab import Positions, bankruptcy_price, liquidation_price, sample_positions
from cascadelab.positions import check_draw_parameters, pareto_leverage


def one(side: int, leverage: float, m: float, entry: float = 100.0) -> Positions:
    return Positions([side], [2.0], [entry], [leverage], m)


def test_long_prices_closed_form() -> None:
    pos = one(1, 10.0, 0.01)
    assert bankruptcy_price(pos)[0] == pytest.approx(90.0)
    assert liquidation_price(pos)[0] == pytest.approx(90.0 / 0.99)


def test_short_prices_closed_form() -> None:
    pos = one(-1, 5.0, 0.02)
    assert bankruptcy_price(pos)[0] == pytest.approx(120.0)
    assert liquidation_price(pos)[0] == pytest.approx(120.0 / 1.02)


@pytest.mark.parametrize("side", [1, -1])
def test_equity_equals_maintenance_at_liquidation_price(side: int) -> None:
    pos = one(side, 20.0, 0.004)
    p = liquidation_price(pos)[0]
    equity = pos.collateral[0] + side * pos.size[0] * (p - pos.entry[0])
    assert equity == pytest.approx(0.004 * pos.size[0] * p)
    pb = bankruptcy_price(pos)[0]
    assert pos.collateral[0] + side * pos.size[0] * (pb - pos.entry[0]) == pytest.approx(0.0)


def test_liquidation_lies_between_bankruptcy_and_entry() -> None:
    pos = sample_positions(5_000, 100.0, seed=3)
    liq, bank = liquidation_price(pos), bankruptcy_price(pos)
    longs, shorts = pos.side > 0, pos.side < 0
    assert np.all(bank[longs] <= liq[longs]) and np.all(liq[longs] < pos.entry[longs])
    assert np.all(bank[shorts] >= liq[shorts]) and np.all(liq[shorts] > pos.entry[shorts])


def test_one_x_long_is_never_liquidated() -> None:
    pos = one(1, 1.0, 0.0)
    assert liquidation_price(pos)[0] == 0.0


def test_sample_is_deterministic_bit_for_bit() -> None:
    a = sample_positions(1_000, 50.0, seed=7)
    b = sample_positions(1_000, 50.0, seed=7)
    c = sample_positions(1_000, 50.0, seed=8)
    for name in ("side", "size", "entry", "leverage", "maintenance"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.entry, c.entry)


def test_sample_matches_its_documented_distributions() -> None:
    pos = sample_positions(50_000, 100.0, leverage=8.0, max_leverage=40.0, long_share=0.7, seed=1)
    assert (pos.side > 0).mean() == pytest.approx(0.7, abs=0.01)
    assert np.median(pos.leverage) == pytest.approx(8.0, rel=0.05)
    assert pos.leverage.max() <= 40.0 and pos.leverage.min() >= 1.0
    assert np.median(pos.notional) == pytest.approx(10_000.0, rel=0.05)


def test_sampled_positions_are_not_already_liquidatable() -> None:
    pos = sample_positions(20_000, 100.0, entry_spread=0.2, seed=2)
    liq = liquidation_price(pos)
    assert np.all(liq[pos.side > 0] < 100.0)
    assert np.all(liq[pos.side < 0] > 100.0)


def test_arrays_are_read_only_copies() -> None:
    size = np.array([1.0, 2.0])
    pos = Positions([1, -1], size, [10.0, 10.0], [2.0, 2.0], 0.1)
    size[0] = 99.0
    assert pos.size[0] == 1.0
    with pytest.raises(ValueError):
        pos.size[0] = 5.0


def test_by_trigger_sorts_most_exposed_first() -> None:
    pos = sample_positions(2_000, 100.0, seed=4)
    longs, shorts = pos.by_trigger(1), pos.by_trigger(-1)
    assert np.all(np.diff(longs.liq) <= 0) and np.all(np.diff(shorts.liq) >= 0)
    assert len(longs.index) + len(shorts.index) == len(pos)
    assert np.array_equal(longs.size, pos.size[longs.index])


def test_by_trigger_is_one_cache_for_both_orders() -> None:
    # per-position ratios make the liquidation and the bankruptcy order differ
    base = sample_positions(3_000, 100.0, seed=5)
    m = np.where(np.arange(len(base)) % 3 == 0, 0.001, 0.015)
    pos = Positions(base.side, base.size, base.entry, base.leverage, m)
    for direction in (1, -1):
        by_liq = pos.by_trigger(direction)
        by_bk = pos.by_trigger(direction, key="bankruptcy")
        assert pos.by_trigger(direction, "liquidation") is by_liq  # cached
        assert pos.by_trigger(direction, key="bankruptcy") is by_bk
        assert np.all(np.diff(direction * by_bk.bankrupt) <= 0)
        assert not np.array_equal(by_liq.index, by_bk.index)
        assert sorted(by_liq.index) == sorted(by_bk.index)
        for side in (by_liq, by_bk):
            assert np.all(pos.side[side.index] == direction)
            np.testing.assert_array_equal(side.bankrupt, pos.bankruptcy_price[side.index])
            np.testing.assert_array_equal(side.liq, pos.liquidation_price[side.index])
            assert side.size_before[0] == 0.0 and side.size_before.shape == (len(side.index) + 1,)
            np.testing.assert_allclose(np.diff(side.size_before), side.size)
            np.testing.assert_allclose(side.collateral_cumsum, np.cumsum(side.collateral))
    with pytest.raises(ValueError, match="direction"):
        pos.by_trigger(0)
    with pytest.raises(ValueError, match="key"):
        pos.by_trigger(1, key="entry")


def test_pareto_leverage_has_the_median_and_the_cap() -> None:
    lev = pareto_leverage(1.0 - np.random.default_rng(0).random(100_000), 10.0, 1.5, 50.0)
    assert np.median(lev) == pytest.approx(10.0, rel=0.03)
    assert lev.min() >= 1.0 and lev.max() == 50.0
    assert pareto_leverage([0.5], 10.0, 1.5, 50.0)[0] == 10.0  # U = 1/2 is the median
    with pytest.raises(ValueError, match="u must be in"):
        pareto_leverage([0.0], 10.0, 1.5, 50.0)
    with pytest.raises(ValueError, match="leverage_tail"):
        pareto_leverage([0.5], 10.0, 0.0, 50.0)


def test_check_draw_parameters_returns_floats_and_names_the_bad_one() -> None:
    out = check_draw_parameters(50, 10, 1.5, 0.6, 0.005, 0.04, 10_000, 1)
    assert out == (50.0, 10.0, 1.5, 0.6, 0.005, 0.04, 10_000.0, 1.0)
    assert all(type(x) is float for x in out)
    with pytest.raises(ValueError, match=r"maintenance must be in \[0, 0.02\)"):
        check_draw_parameters(50, 10, 1.5, 0.6, 0.02, 0.04, 10_000, 1)


BAD_POSITIONS = [
    (dict(side=[2]), "side"),
    (dict(size=[0.0]), "size"),
    (dict(size=[np.nan]), "size"),
    (dict(entry=[-1.0]), "entry"),
    (dict(entry=[np.inf]), "entry"),
    (dict(leverage=[0.5]), "leverage"),
    (dict(maintenance=0.2), "maintenance"),  # >= 1/leverage = 0.1
    (dict(maintenance=-0.01), "maintenance"),
    (dict(size=[1.0, 2.0]), "size"),  # wrong length
    (dict(side=[[1]]), "side"),  # wrong shape
]


@pytest.mark.parametrize(("change", "name"), BAD_POSITIONS)
def test_bad_positions_raise_naming_the_parameter(change: dict, name: str) -> None:
    args = dict(side=[1], size=[1.0], entry=[100.0], leverage=[10.0], maintenance=0.01)
    args.update(change)
    with pytest.raises(ValueError, match=name):
        Positions(**args)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(n=-1), "n"),
        (dict(n=2.5), "n"),
        (dict(price=0.0), "price"),
        (dict(price=np.nan), "price"),
        (dict(leverage=0.5), "leverage"),
        (dict(leverage=80.0), "leverage"),  # above max_leverage
        (dict(long_share=1.5), "long_share"),
        (dict(maintenance=0.05), "maintenance"),  # >= 1/max_leverage
        (dict(entry_spread=-0.1), "entry_spread"),
        (dict(notional=0.0), "notional"),
        (dict(leverage_tail=0.0), "leverage_tail"),
    ],
)
def test_bad_sampling_arguments_raise(kwargs: dict, name: str) -> None:
    args = dict(n=10, price=100.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name) as err:
        sample_positions(**args)
    assert "got" in str(err.value)


def test_error_message_states_the_allowed_range() -> None:
    with pytest.raises(ValueError, match=r"long_share must be in \[0, 1\], got 1.5"):
        sample_positions(10, 100.0, long_share=1.5)


def test_empty_population_is_allowed() -> None:
    pos = sample_positions(0, 100.0)
    assert len(pos) == 0 and liquidation_price(pos).shape == (0,)
