"""The programmable stress rule of the engine's circuit breaker: off by default, the recorded
stress index against a NumPy brute force, its directions, validation and accounting."""

from __future__ import annotations

import numpy as np
import pytest
from test_engine import check_accounting

import cascadelab as cl
from cascadelab import Positions, Scenario, sample_positions, simulate


@pytest.fixture(scope="module")
def pos() -> Positions:
    return cl.default_market()[0]


def brute_force_stress(positions: Positions, res: cl.SimulationResult) -> np.ndarray:
    """S_t by scanning every position each step (no levies: the fund must cover all bad debt)."""
    sc = res.scenario
    w, ref = sc.stress_window, sc.stress_sigma_ref
    bk = positions.entry * (1.0 - positions.side / positions.leverage)
    long, short = positions.side > 0, positions.side < 0
    o, m = res.oracle_price, res.maintenance
    liquidating = ~res.halted | sc.liquidate_in_halt
    out = np.empty(res.steps)
    low_long, high_short = np.inf, -np.inf  # lowest o(1-m) / highest o(1+m) seen so far
    for t in range(res.steps):
        open_long = long & (bk < low_long)  # never crossed by an earlier liquidating step
        open_short = short & (bk > high_short)
        up, lo = o[t] * (1 - m[t]), o[t] * (1 - w) * (1 - m[t])
        u_long = positions.size[open_long & (bk <= up) & (bk >= lo)].sum()
        lo, up = o[t] * (1 + m[t]), o[t] * (1 + w) * (1 + m[t])
        u_short = positions.size[open_short & (bk >= lo) & (bk <= up)].sum()
        rho = max(u_long, u_short) / (100 * w)
        out[t] = rho / res.depth[t] * res.sigma[t] / ref
        if liquidating[t]:
            low_long = min(low_long, o[t] * (1 - m[t]))
            high_short = max(high_short, o[t] * (1 + m[t]))
    return out


@pytest.mark.parametrize("changes", [
    {"stress_halt": 1e6},
    {"shock": -0.06, "stress_window": 0.05, "stress_halt": 1.0, "halt_steps": 5},
    {"sigma": 0.004, "stress_halt": 2.0, "oracle_latency": 2, "margin_z": 3.0,
     "stress_window": 0.01, "depth_stress": 2.0},
    {"stress_halt": 0.8, "liquidate_in_halt": True, "close_factor": 0.3, "band": 0.03},
])
def test_stress_index_matches_brute_force_every_step(changes):
    positions = sample_positions(1_500, 100.0, long_share=0.6, seed=4)
    sc = Scenario(depth=15_000.0, insurance_fund=1e9, **changes)
    res = simulate(positions, sc, steps=120, seed=5)
    assert res.socialized_loss.sum() == 0.0
    assert res.liquidated_units.sum() > 0
    np.testing.assert_allclose(res.stress, brute_force_stress(positions, res), rtol=1e-12,
                               atol=1e-12)
    if sc.stress_halt < 1e6:
        assert res.halted.any()


def test_off_by_default_changes_nothing(pos):
    base = simulate(pos, Scenario(band=0.03), steps=300, seed=3)
    assert Scenario().stress_halt == 0.0
    assert np.isnan(base.stress).all()  # off: not even computed
    watched = simulate(pos, Scenario(band=0.03, stress_halt=1e6), steps=300, seed=3)
    assert watched.stress.min() >= 0.0 and 0.0 < watched.stress.max() < 1e6
    # other stress settings, or a threshold never reached, leave every array bit for bit equal
    for changes in ({"stress_window": 0.1, "stress_sigma_ref": 0.01},
                    {"stress_halt": 1.01 * watched.stress.max()}):
        other = simulate(pos, Scenario(band=0.03, **changes), steps=300, seed=3)
        for name, value in vars(base).items():
            if isinstance(value, np.ndarray) and name != "stress":
                np.testing.assert_array_equal(value, getattr(other, name), err_msg=name)


def test_lower_threshold_halts_more(pos):
    halted = [simulate(pos, Scenario(stress_halt=s), seed=0).halted_steps
              for s in (0.5, 1.0, 2.0, 5.0)]
    assert halted[0] >= halted[1] >= halted[2] >= halted[3]
    assert halted[0] > halted[3]


def test_crash_halted_earlier_than_by_the_band_and_shallower_than_without(pos):
    # a crash over many steps: the rule sees liquidations come within reach and volatility rise,
    # and trips before the price has moved by the band
    drift = Scenario(shock=0.0, mu=-0.003, sigma=0.002, halt_steps=30)
    band = simulate(pos, drift.replace(band=0.05), steps=150, seed=1)
    rule = simulate(pos, drift.replace(stress_halt=0.5), steps=150, seed=1)
    assert rule.halted.any() and band.halted.any()
    assert rule.halted.argmax() < band.halted.argmax()
    # a fast crash (the default 5% shock): halting on stress cuts the drawdown
    none = simulate(pos, Scenario(), seed=0)
    assert simulate(pos, Scenario(stress_halt=1.0), seed=0).max_drawdown < none.max_drawdown


def test_quiet_market_does_not_halt_with_the_same_threshold(pos):
    quiet = Scenario(shock=0.0, sigma=0.002, stress_halt=0.5)
    for seed in range(3):
        res = simulate(pos, quiet, steps=150, seed=seed)
        assert res.halted_steps == 0 and res.stress.max() < 0.5
    assert simulate(pos, quiet.replace(mu=-0.003), steps=150, seed=0).halted_steps > 0


@pytest.mark.parametrize("changes", [
    {"stress_halt": 0.5}, {"stress_halt": 1.0, "liquidate_in_halt": True},
    {"stress_halt": 0.3, "band": 0.02, "insurance_fund": 0.0, "close_factor": 0.5},
])
def test_accounting_holds_with_stress_halts(pos, changes):
    sc = Scenario(**changes)
    res = simulate(pos, sc, seed=2)
    assert res.halted.any()
    check_accounting(res, sc)


@pytest.mark.parametrize(("name", "value"), [
    ("stress_halt", -1.0), ("stress_halt", float("nan")), ("stress_window", 0.0),
    ("stress_window", 1.0), ("stress_sigma_ref", 0.0), ("stress_sigma_ref", 2.0),
])
def test_bad_stress_parameters_name_the_field(name, value):
    with pytest.raises(ValueError, match=name):
        Scenario(**{name: value})
