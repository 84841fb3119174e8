"""monte_carlo: determinism across chunks and threads, agreement with simulate, risk measures."""

from __future__ import annotations

import numpy as np
import pytest

from cascadelab import MonteCarloResult, Scenario, monte_carlo, sample_positions, simulate

STEPS = 80


@pytest.fixture(scope="module")
def pos():
    return sample_positions(3_000, 100.0, seed=4)


@pytest.fixture(scope="module")
def scenario():
    return Scenario(sigma=0.006, shock=0.0, depth=30_000.0, insurance_fund=2e4)


@pytest.fixture(scope="module")
def result(pos, scenario) -> MonteCarloResult:
    return monte_carlo(pos, scenario, paths=96, steps=STEPS, seed=7, progress=False)


def test_deterministic_whatever_the_chunking_and_threads(pos, scenario, result):
    serial = monte_carlo(pos, scenario, paths=96, steps=STEPS, seed=7, parallel=False,
                         chunk=5, progress=False)
    for name in ("bad_debt", "max_drawdown", "liquidated_notional", "realized_vol",
                 "n_liquidations", "final_price"):
        np.testing.assert_array_equal(getattr(serial, name), getattr(result, name), err_msg=name)
    other = monte_carlo(pos, scenario, paths=96, steps=STEPS, seed=8, progress=False)
    assert not np.array_equal(other.max_drawdown, result.max_drawdown)


def test_each_path_is_a_simulate_run(pos, scenario, result):
    seqs = np.random.SeedSequence(7).spawn(96)
    for j in (0, 41, 95):
        res = simulate(pos, scenario, steps=STEPS, seed=seqs[j])
        assert res.total_bad_debt == result.bad_debt[j]
        assert res.max_drawdown == result.max_drawdown[j]
        assert res.total_liquidated_notional == result.liquidated_notional[j]
        assert res.realized_vol == result.realized_vol[j]
        assert res.final_price == result.final_price[j]


def test_paths_differ_and_risk_measures_are_ordered(result):
    assert np.unique(result.max_drawdown).size > 90
    assert result.bad_debt.max() > 0.0
    for level in (0.9, 0.95, 0.99):
        assert result.var(level) <= result.es(level) <= result.bad_debt.max()
    assert result.var(0.5) <= result.var(0.95) <= result.var(0.99)
    assert result.var(0.95) == np.sort(result.bad_debt)[int(np.ceil(0.95 * 96)) - 1]
    summary = result.summary()
    assert summary["var99"] == result.var(0.99) and summary["es95"] == result.es(0.95)


def test_probabilities(result):
    assert result.prob_cascade(0.0) == np.mean(result.liquidated_notional > 0)
    xs = np.quantile(result.liquidated_notional, [0.1, 0.5, 0.9])
    probs = [result.prob_cascade(x) for x in xs]
    assert probs == sorted(probs, reverse=True) and probs[0] > probs[-1]
    assert result.prob_drawdown(0.0) >= result.prob_drawdown(0.05) >= result.prob_drawdown(1.0)
    assert result.prob_drawdown(1.0) == 0.0
    q = result.drawdown_quantiles((0.5, 0.9))
    assert q[0.5] <= q[0.9]


def test_more_volatility_more_bad_debt(pos, scenario, result):
    wild = monte_carlo(pos, scenario.replace(sigma=0.012), paths=96, steps=STEPS, seed=7,
                       progress=False)
    assert wild.bad_debt.mean() > result.bad_debt.mean()
    assert np.median(wild.max_drawdown) > np.median(result.max_drawdown)


def test_progress_bar_can_be_forced(pos, scenario, capsys):
    monte_carlo(pos, scenario, paths=8, steps=10, seed=1, chunk=2, progress=True)
    assert "monte_carlo" in capsys.readouterr().err
    monte_carlo(pos, scenario, paths=8, steps=10, seed=1, chunk=2, progress=False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"paths": 0}, "paths"), ({"steps": 0}, "steps"), ({"seed": -1}, "seed"),
    ({"chunk": 0}, "chunk"), ({"parallel": "yes"}, "parallel"), ({"progress": 1}, "progress"),
])
def test_bad_arguments(pos, scenario, kwargs, name):
    args = {"paths": 4, "steps": 10, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=name):
        monte_carlo(pos, scenario, **args)


def test_bad_levels(result):
    with pytest.raises(ValueError, match="level"):
        result.var(1.0)
    with pytest.raises(ValueError, match="notional"):
        result.prob_cascade(-1.0)
    with pytest.raises(ValueError, match="x"):
        result.prob_drawdown(2.0)
