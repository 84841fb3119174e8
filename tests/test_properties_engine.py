"""Property tests over every documented range (issue 11): random valid ``Scenario``s with every
mechanism switched on at random, for ``simulate``, ``monte_carlo`` and the static ``cascade``.

Only ``ValueError`` or ``FloatingPointError`` may escape; every result is finite (the stress row
is NaN when its rule is off, as documented); every traded price stays inside the price band of
:mod:`cascadelab.market`; the accounting identities hold at every step.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cascadelab import (
    IMPACT_MODELS,
    Book,
    DealerBook,
    Scenario,
    cascade,
    monte_carlo,
    sample_positions,
    simulate,
)
from cascadelab.market import DEPTH_FLOOR, PRICE_CAP

FLOOR = 1e-3  # the engine's impact floor: the band's lower edge, a fraction of the fundamental

# Spans drawn for the fields without an upper bound (log-uniform), by name.
OPEN_ENDED = {
    "price": (1e-3, 1e7), "depth": (1e-9, 1e12), "insurance_fund": (0.0, 1e12),
    "max_book_share": (1e-3, 1e3), "protective_puts": (0.0, 1e7), "predator_capital": (0.0, 1e10),
    "predator_rate": (1e-3, 1e3), "predator_min_cluster": (0.0, 1e3), "put_expiry": (1, 10_000),
    "shock_step": (0, 5),
}
# Ranges narrowed so a run stays short (the documented range is larger, the physics the same).
SHORT = {"oracle_latency": (0, 20), "window": (1, 50), "halt_steps": (1, 30), "cooldown": (0, 10),
         "heartbeat": (1, 50), "predator_patience": (1, 50), "margin_horizon": (1e-3, 1e4)}


def _float(lo: float, hi: float, lo_open: bool, hi_open: bool) -> st.SearchStrategy[float]:
    if lo >= 0.0 and hi / max(lo, 1e-300) > 1e4:  # wide: log-uniform, plus the edges
        a, b = max(lo, 1e-12), hi
        inner = st.floats(math.log(a), math.log(b)).map(math.exp)
        edges = [x for x, is_open in ((lo, lo_open), (hi, hi_open)) if not is_open]
        inner = st.one_of(inner, st.sampled_from(edges)) if edges else inner
    else:
        inner = st.floats(lo, hi, exclude_min=lo_open, exclude_max=hi_open)
    return inner.filter(
        lambda x: (x > lo if lo_open else x >= lo) and (x < hi if hi_open else x <= hi))


def _field(f: dataclasses.Field) -> st.SearchStrategy | None:
    """A strategy over the documented range of one numeric field (None for the others)."""
    m = f.metadata
    lo, hi = m["lo"], m["hi"]
    if f.name in OPEN_ENDED:
        lo, hi = OPEN_ENDED[f.name]
    if f.name in SHORT:
        lo, hi = SHORT[f.name]
    if f.type == "int":
        return st.integers(int(lo), int(hi))
    if f.type in ("float", "float | None"):
        s = _float(float(lo), float(hi), m["lo_open"], m["hi_open"])
        return st.one_of(st.none(), s) if f.type == "float | None" else s
    if f.type == "bool":
        return st.booleans()
    return None


FIELDS = {f.name: _field(f) for f in dataclasses.fields(Scenario)}


@st.composite
def scenarios(draw, steps: int) -> Scenario:
    """A valid Scenario: each knob at its default or (each with probability 1/2) anywhere in
    its documented range; a dealer, a predator and the impact model at random."""
    changes = {}
    for name, strategy in FIELDS.items():
        if strategy is not None and draw(st.booleans()):
            changes[name] = draw(strategy)
    changes["impact"] = draw(st.sampled_from(list(IMPACT_MODELS)))
    changes["loss_rule"] = draw(st.sampled_from(["socialise", "adl"]))
    price = changes.get("price", Scenario.price)
    if draw(st.booleans()):
        units = draw(st.floats(-1e6, 1e6))
        changes["dealer"] = DealerBook.straddle(price * draw(st.floats(0.5, 1.5)), units,
                                                expiry=draw(st.integers(1, 2 * steps)),
                                                vol=draw(st.floats(1e-4, 0.1)))
    else:
        changes["protective_puts"] = 0.0
    if changes.get("shock", Scenario.shock) != 0.0:
        changes["shock_step"] = min(changes.get("shock_step", 0), steps - 1)
    return Scenario(**changes)


def population(n: int, price: float, seed: int):
    return sample_positions(n, price, seed=seed, maintenance=0.005)


def check_step_identities(res, sc: Scenario) -> None:
    """The accounting identities of ``SimulationResult`` at every step."""
    scale = max(res.initial_collateral, float(np.abs(res.bad_debt).sum()),
                float(res.liquidated_notional.sum()), sc.insurance_fund, 1.0)
    tol = 1e-9 * scale
    np.testing.assert_allclose(
        res.bad_debt, res.fund_draw + res.socialized_loss + res.uncovered_loss, rtol=0, atol=tol)
    np.testing.assert_allclose(
        res.closed_collateral, res.returned + res.penalties + res.paid_to_market, rtol=0, atol=tol)
    np.testing.assert_allclose(res.paid_to_market + res.bad_debt, -res.realized_pnl, rtol=0,
                               atol=tol)
    fund_before = np.concatenate(([sc.insurance_fund + res.opening_fees], res.insurance_fund[:-1]))
    np.testing.assert_allclose(res.insurance_fund, fund_before + res.penalties_to_fund
                               - res.fund_draw, rtol=0, atol=tol)
    levies = res.socialized_loss if sc.loss_rule == "socialise" else 0.0  # ADL: out of profit
    gone = np.cumsum(res.closed_collateral + levies)
    np.testing.assert_allclose(res.initial_collateral - gone, res.open_collateral, rtol=0,
                               atol=tol)
    assert np.all(res.bad_debt >= 0.0) and np.all(res.insurance_fund >= 0.0)
    assert res.remaining_collateral.sum() == pytest.approx(res.open_collateral[-1], abs=tol)
    if sc.loss_rule == "socialise":
        assert np.all(res.adl_units == 0.0)
    assert np.all(res.adl_units >= 0.0)


def check_bounded(res, sc: Scenario) -> None:
    """Finite results, the price band around the fundamental and the depth floor."""
    for name, value in vars(res).items():
        if isinstance(value, np.ndarray) and name != "stress":
            assert np.all(np.isfinite(value)), name
    if sc.stress_halt > 0.0:
        assert np.all(np.isfinite(res.stress))
    else:
        assert np.all(np.isnan(res.stress))  # documented: not computed when the rule is off
    f = res.fundamental
    assert np.all(res.price >= FLOOR * f) and np.all(res.price <= PRICE_CAP * f)
    assert np.all(res.pre_trade_price >= FLOOR * f * (1 - 1e-12))
    assert np.all(res.pre_trade_price <= PRICE_CAP * f * (1 + 1e-12))
    assert np.all(res.depth >= DEPTH_FLOOR * sc.depth) and np.all(res.depth <= sc.depth)
    assert np.all(res.price > 0.0)


STEPS = 25


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), n=st.integers(0, 200), seed=st.integers(0, 2**32 - 1))
def test_simulate_any_valid_scenario_is_finite_bounded_and_balanced(data, n, seed):
    sc = data.draw(scenarios(STEPS))
    pos = population(n, sc.price, seed % 997)
    try:
        res = simulate(pos, sc, steps=STEPS, seed=seed)
    except (ValueError, FloatingPointError) as exc:
        assert str(exc)  # a clean, explained refusal
        return
    check_bounded(res, sc)
    check_step_identities(res, sc)
    assert np.all(res.remaining_size >= 0.0) and np.all(res.remaining_size <= pos.size)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), n=st.integers(0, 150), seed=st.integers(0, 2**32 - 1),
       parallel=st.booleans())
def test_monte_carlo_any_valid_scenario_is_finite(data, n, seed, parallel):
    sc = data.draw(scenarios(STEPS))
    pos = population(n, sc.price, seed % 997)
    try:
        mc = monte_carlo(pos, sc, paths=4, steps=STEPS, seed=seed, parallel=parallel,
                         progress=False)
    except (ValueError, FloatingPointError) as exc:
        assert str(exc)
        return
    for name, value in vars(mc).items():
        if isinstance(value, np.ndarray):
            assert np.all(np.isfinite(value)), name
    assert np.all(mc.min_price > 0.0) and np.all(mc.bad_debt >= 0.0)
    tol = 1e-9 * max(float(mc.bad_debt.max()), 1.0)
    assert np.all(mc.fund_draw + mc.socialized_loss <= mc.bad_debt + tol)
    # path 0 is exactly the simulate run of its seed
    one = simulate(pos, sc, steps=STEPS, seed=np.random.SeedSequence(seed).spawn(4)[0])
    assert mc.bad_debt[0] == one.total_bad_debt and mc.final_price[0] == one.final_price


@settings(max_examples=120, deadline=None)
@given(
    model=st.sampled_from(list(IMPACT_MODELS)),
    depth=st.floats(-9.0, 9.0).map(lambda x: 10.0**x),
    floor=st.floats(1e-6, 0.99),
    shock=st.floats(-0.999, 0.999),
    penalty=st.floats(0.0, 0.5),
    n=st.integers(0, 500),
    seed=st.integers(0, 1000),
)
def test_cascade_any_book_either_direction_is_finite_and_banded(model, depth, floor, shock,
                                                                penalty, n, seed):
    pos = sample_positions(n, 100.0, seed=seed)
    res = cascade(pos, 100.0, shock, Book(depth, model, floor), penalty=penalty)
    p1 = res.shocked_price
    values = [res.final_price, res.liquidated_units, res.liquidated_notional, res.penalties,
              res.bad_debt, res.returned, res.paid_to_market, res.amplification]
    assert all(math.isfinite(v) for v in values), values
    assert np.all(np.isfinite(res.round_prices))
    assert np.all(res.round_prices >= floor * p1) and np.all(res.round_prices <= PRICE_CAP * p1)
    assert res.bad_debt >= 0.0 and res.penalties >= 0.0 and res.returned >= 0.0
    closed = float(pos.collateral[res.liquidated].sum())
    assert res.returned + res.penalties + res.paid_to_market == pytest.approx(
        closed, rel=1e-9, abs=1e-6)
    # a fall never raises the price, a rise never lowers it
    if shock >= 0.0:
        assert res.final_price <= p1
    else:
        assert res.final_price >= p1
