"""``SimulationResult.loss_share``: what each position paid towards the others' bad debt (the
levies charged to it under ``"socialise"``, the profit given up under ``"adl"``), exact per
position: it adds up to ``total_socialized_loss`` (to 1e-9 of the run's money scale), is never
negative, is paid only by the side opposite the bankrupt one, agrees with what the final
collateral and ADL's queue say, and is the same compiled and as pure Python."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jit_paths import jit_and_python
from test_properties_engine import STEPS, population, scenarios

from cascadelab import Scenario, default_market, simulate
from cascadelab.chapters.approach.adl import ADL_CRASH
from cascadelab.chapters.approach.markets import _market
from cascadelab.mechanisms.adl import adl_ranking

RTOL = 1e-9  # of the run's money scale: the sum of n products against the per-step totals


def scale(res, sc: Scenario) -> float:
    """The run's money scale, USD (as in the identities of test_properties_engine)."""
    return max(res.initial_collateral, float(res.bad_debt.sum()),
               float(res.liquidated_notional.sum()), sc.insurance_fund, 1.0)


def check_loss_share(res, pos, sc: Scenario) -> None:
    """The invariants of ``loss_share`` that hold on every run."""
    share = res.loss_share
    assert share.shape == (len(pos),) and np.all(np.isfinite(share))
    assert np.all(share >= 0.0)
    assert share.sum() == pytest.approx(res.total_socialized_loss, rel=0,
                                        abs=RTOL * scale(res, sc))
    if res.total_socialized_loss == 0.0:
        assert np.all(share == 0.0)
    # a side pays only for the other side's bad debt, which needs one of its slices closed
    for payer in (1, -1):
        other = pos.side == -payer
        if np.all(res.remaining_size[other] == pos.size[other]):
            assert np.all(share[pos.side == payer] == 0.0), payer
    if sc.loss_rule == "socialise":  # an untouched position paid what its collateral lost
        kept = res.remaining_size == pos.size
        np.testing.assert_allclose(share[kept], pos.collateral[kept]
                                   - res.remaining_collateral[kept], rtol=1e-12,
                                   atol=1e-12 * scale(res, sc))


@pytest.fixture(scope="module")
def crash():
    return _market(20_000, 0)


@pytest.mark.parametrize("rule", ["socialise", "adl"])
@pytest.mark.parametrize("fund", [0.0, 8e6])
def test_crash_loss_share_adds_up_and_only_shorts_pay(crash, rule, fund):
    sc = ADL_CRASH.replace(insurance_fund=fund, loss_rule=rule)
    res = simulate(crash, sc, steps=300, seed=0)
    assert res.total_socialized_loss > 1e6  # the rule covered real money
    check_loss_share(res, crash, sc)
    longs = crash.side > 0
    assert np.all(res.loss_share[longs] == 0.0) and (res.loss_share[~longs] > 0.0).sum() > 1_000


def test_levy_charges_shorts_it_drove_into_liquidation(crash):
    """At fund 0 the levy liquidates some shorts: they paid levies too, counted exactly."""
    sc = ADL_CRASH.replace(insurance_fund=0.0, loss_rule="socialise")
    res = simulate(crash, sc, steps=300, seed=0)
    shorts = crash.side < 0
    closed = shorts & (res.remaining_size < crash.size)
    assert closed.sum() > 100 and np.all(res.loss_share[closed] > 0.0)
    # each paid at least the levy per unit before the first levy step on its full size
    first = int(np.argmax(res.socialized_loss > 0.0))
    open_units = crash.size[shorts].sum()  # no short was liquidated before the levy
    assert np.all(res.loss_share[closed]
                  >= crash.size[closed] * res.socialized_loss[first] / open_units * (1 - 1e-12))


def test_adl_loss_share_is_units_closed_times_the_steps_gap(crash):
    """Under ADL the closed shorts, in queue order, take the ADL steps' units in turn: the
    haircut from that attribution equals the kernel's, and only closed shorts pay."""
    sc = ADL_CRASH.replace(insurance_fund=0.0, loss_rule="adl")
    res = simulate(crash, sc, steps=300, seed=0)
    cut = np.where(crash.side < 0, crash.size - res.remaining_size, 0.0)
    assert np.array_equal(res.loss_share > 0.0, cut > 0.0)
    steps = np.flatnonzero(res.adl_units > 0.0)
    f = 0.5 * (res.pre_trade_price[steps[0]] + res.price[steps[0]])
    idx, _ = adl_ranking(crash, -1, f)
    who = idx[cut[idx] > 0.0]
    ends = np.cumsum(cut[who])
    step_end = np.cumsum(res.adl_units[steps])
    step_end[-1] = max(step_end[-1], ends[-1])
    overlap = np.clip(np.minimum(ends[:, None], step_end[None, :]) - np.maximum(
        (ends - cut[who])[:, None], np.concatenate(([0.0], step_end[:-1]))[None, :]), 0.0, None)
    expected = overlap @ (res.socialized_loss[steps] / res.adl_units[steps])
    np.testing.assert_allclose(res.loss_share[who], expected, rtol=1e-9,
                               atol=1e-9 * res.total_socialized_loss)


@pytest.mark.parametrize("rule", ["socialise", "adl"])
def test_both_sides_go_bankrupt_each_pays_for_the_other(rule):
    pos, sc = default_market()
    sc = sc.replace(insurance_fund=0.0, sigma=0.01, loss_rule=rule, close_factor=0.5)
    for seed in range(4):
        res = simulate(pos, sc, steps=300, seed=seed)
        check_loss_share(res, pos, sc)


def test_no_bad_debt_no_loss_share():
    pos, sc = default_market()
    res = simulate(pos, sc.replace(shock=0.0, sigma=0.0), steps=50, seed=0)
    assert res.total_bad_debt == 0.0 and np.all(res.loss_share == 0.0)


SCRIPT = """
import io, json, sys
import numpy as np
from cascadelab import Scenario, sample_positions, simulate
changes = json.loads(sys.argv[1])
res = simulate(sample_positions(3000, 100.0, seed=7), Scenario(**changes), steps=150, seed=11)
np.savez(out := io.BytesIO(), share=res.loss_share, size=res.remaining_size)
sys.stdout.buffer.write(out.getvalue())
"""


@pytest.mark.parametrize("changes", [
    {"loss_rule": "socialise", "insurance_fund": 0.0, "sigma": 0.004, "depth": 30_000.0,
     "close_factor": 0.4, "cooldown": 2},
    {"loss_rule": "adl", "insurance_fund": 0.0, "sigma": 0.004, "depth": 30_000.0,
     "close_factor": 0.4},
])
def test_jit_and_pure_python_agree_bit_for_bit(changes):
    jit, py = (np.load(io.BytesIO(out)) for out in jit_and_python(SCRIPT, json.dumps(changes)))
    assert jit["share"].sum() > 0.0
    for key in jit.files:
        np.testing.assert_array_equal(jit[key], py[key], err_msg=key)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), n=st.integers(0, 200), seed=st.integers(0, 2**32 - 1))
def test_loss_share_invariants_over_any_valid_scenario(data, n, seed):
    sc = data.draw(scenarios(STEPS))
    pos = population(n, sc.price, seed % 997)
    try:
        res = simulate(pos, sc, steps=STEPS, seed=seed)
    except (ValueError, FloatingPointError):
        return
    check_loss_share(res, pos, sc)
