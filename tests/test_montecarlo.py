"""monte_carlo: determinism across chunks and threads, agreement with simulate, risk measures,
and the chunked seeding (the same generators as ``SeedSequence(seed).spawn(paths)``)."""

from __future__ import annotations

import numpy as np
import pytest

from cascadelab import MonteCarloResult, Scenario, monte_carlo, sample_positions, simulate
from cascadelab.engine.montecarlo import _draw
from cascadelab.engine.seeds import MAX_PATH, path_generators, spawned_states
from cascadelab.engine.simulate import fundamental_returns

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


# ----------------------------------------------------------------------------- seeding


@pytest.mark.parametrize("seed", [0, 7, 2**32 - 1, 2**32, 2**64 + 3, 123456789012345678901234567])
def test_chunked_seeding_gives_numpys_spawned_seed_words(seed):
    seqs = np.random.SeedSequence(seed).spawn(300)
    words = spawned_states(seed, 0, 300)
    assert words.shape == (300, 4) and words.dtype == np.uint64
    want = np.array([ss.generate_state(4, np.uint64) for ss in seqs])
    np.testing.assert_array_equal(words, want)
    np.testing.assert_array_equal(spawned_states(seed, 123, 300), want[123:])  # any chunk


def test_chunked_seeding_at_the_largest_path_index():
    j = MAX_PATH
    ss = np.random.SeedSequence(3, spawn_key=(j,))  # what spawn(j + 1)[j] would be
    np.testing.assert_array_equal(spawned_states(3, j, j + 1)[0], ss.generate_state(4, np.uint64))
    with pytest.raises(ValueError, match="paths must lie in"):
        spawned_states(3, j, j + 2)


def test_path_generators_draw_what_default_rng_draws():
    seqs = np.random.SeedSequence(11).spawn(60)
    for j, rng in zip(range(40, 60), path_generators(11, 40, 60), strict=True):
        ref = np.random.default_rng(seqs[j])
        assert rng.bit_generator.state == ref.bit_generator.state
        np.testing.assert_array_equal(rng.standard_t(3.0, 7), ref.standard_t(3.0, 7))
        np.testing.assert_array_equal(rng.random(5), ref.random(5))


def test_chunk_draws_are_each_paths_fundamental_returns():
    sc = Scenario(sigma=0.003, tail_index=3.5, jump_rate=0.3, jump_mean=-0.02, jump_sd=0.03,
                  shock=0.05, shock_step=3)
    seqs = np.random.SeedSequence(5).spawn(40)
    got = _draw(sc, 25, 5, 10, 40)
    for j in range(10, 40):
        want = fundamental_returns(sc, 25, np.random.default_rng(seqs[j]))
        np.testing.assert_array_equal(got[j - 10], want)


def test_one_step_paths_are_simulate_runs(pos):
    sc = Scenario(sigma=0.02, shock=0.0, depth=30_000.0)
    mc = monte_carlo(pos, sc, paths=3_000, steps=1, seed=2, progress=False)
    seqs = np.random.SeedSequence(2).spawn(3_000)
    for j in (0, 1_234, 2_999):
        res = simulate(pos, sc, steps=1, seed=seqs[j])
        assert res.final_price == mc.final_price[j] and res.total_bad_debt == mc.bad_debt[j]
