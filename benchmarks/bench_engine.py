"""Benchmarks of the market engine (issue 3); ``main()`` prints a small table of ratios.

* ``simulate`` at N = 1e6 positions x 1e4 steps against ``reference_engine.simulate_numpy``, which
  scans every position every step (the two agree on a small case first). The reference's cost is
  the same at every step, so by default it is timed on ``REF_STEPS`` steps and scaled up; set
  ``CASCADELAB_BENCH_FULL=1`` to time it on all 1e4 steps (about a minute).
* ``monte_carlo`` with ``parallel=True`` against ``parallel=False`` on this machine's threads.
* ``monte_carlo`` over 1e6 one-step paths on 100 positions (issue 11: 44 s before), where the
  per-path generators are the cost: their states for a chunk at once
  (:mod:`cascadelab.engine.seeds`) against one ``SeedSequence`` and one ``default_rng`` per path
  (timed on ``SEED_REF_PATHS`` paths and scaled; the two give the same draws, checked first).
* ADL at N = 1e6 positions: ``loss_rule="adl"`` against the pro-rata levy on the same scenario
  with an empty insurance fund (both rules cover the same bad debt); the time per position closed
  by ADL, whose queue is sorted once per side and then consumed from its head.
* Cold compile: a fresh numba cache in a subprocess, import plus the first ``simulate`` and the
  first ``monte_carlo``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

from benchmarks.reference_engine import simulate_numpy
from cascadelab import Scenario, default_market, monte_carlo, sample_positions, simulate

N_BIG = 1_000_000
STEPS_BIG = 10_000
REF_STEPS = 1_000
BIG = Scenario(depth=10_000_000.0, sigma=0.001, insurance_fund=5e7)
"""The default scenario scaled to 1e6 positions (depth x 50, like the population)."""

COLD = """
import time
t0 = time.perf_counter()
import cascadelab as cl
t1 = time.perf_counter()
pos = cl.sample_positions(500, 100.0, seed=0)
cl.simulate(pos, cl.Scenario(), steps=50, seed=0)
t2 = time.perf_counter()
cl.monte_carlo(pos, cl.Scenario(), paths=4, steps=20, seed=0, progress=False)
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def best_of(fn, repeat: int = 3) -> float:
    """Smallest wall time of ``repeat`` calls, seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def check_reference() -> str:
    """Engine and reference agree on small cases (raises if not)."""
    pos = sample_positions(2_000, 100.0, seed=3)
    cases = [
        Scenario(depth=20_000.0, insurance_fund=0.0, sigma=0.004, shock=-0.05),
        Scenario(depth=20_000.0, oracle_latency=2, heartbeat=3, deviation=0.01, margin_z=3.0,
                 band=0.04, window=5, halt_steps=5, depth_stress=2.0, sigma=0.003),
    ]
    for sc in cases:
        ref = simulate_numpy(pos, sc, 300, 1)
        res = simulate(pos, sc, steps=300, seed=1)
        if not np.array_equal(ref["liquidated"], res.remaining_size == 0.0):
            raise AssertionError("engine and reference liquidate different positions")
        for key in ("price", "oracle_price", "liquidated_units", "bad_debt", "fund_draw",
                    "socialized_loss", "insurance_fund"):
            np.testing.assert_allclose(getattr(res, key), ref[key], rtol=1e-9, atol=1e-6,
                                       err_msg=key)
    return f"engine == NumPy reference on {len(cases)} small cases (2,000 positions x 300 steps)"


def bench_big() -> list[tuple[str, str]]:
    rows = []
    t0 = time.perf_counter()
    pos = sample_positions(N_BIG, 100.0, seed=1)
    t_sample = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = simulate(pos, BIG, steps=STEPS_BIG, seed=0)  # first call also sorts (cached)
    t_first = time.perf_counter() - t0
    t_engine = best_of(lambda: simulate(pos, BIG, steps=STEPS_BIG, seed=0))
    full = os.environ.get("CASCADELAB_BENCH_FULL") == "1"
    ref_steps = STEPS_BIG if full else REF_STEPS
    t0 = time.perf_counter()
    simulate_numpy(pos, BIG, ref_steps, 0)
    t_ref = (time.perf_counter() - t0) * STEPS_BIG / ref_steps
    how = "measured" if full else f"timed on {ref_steps:,} steps, scaled x{STEPS_BIG // ref_steps}"
    rows.append(("population", f"{N_BIG:,} positions sampled in {t_sample:.2f} s; "
                               f"{res.n_liquidated:,} liquidated over {STEPS_BIG:,} steps"))
    rows.append(("simulate 1e6 x 1e4", f"{t_engine:.3f} s (first call incl. sort {t_first:.2f} s)"))
    rows.append(("NumPy full scan", f"{t_ref:.1f} s ({how})"))
    rows.append(("speed-up", f"{t_ref / t_engine:,.0f}x (target >= 20x)"))
    return rows


ADL_STEPS = 1_000


def bench_adl() -> list[tuple[str, str]]:
    """ADL against the pro-rata levy at 1e6 positions (empty fund, so both rules act)."""
    pos = sample_positions(N_BIG, 100.0, seed=1)
    rows = []
    runs = {}
    for rule in ("socialise", "adl"):
        sc = BIG.replace(insurance_fund=0.0, loss_rule=rule)
        runs[rule] = simulate(pos, sc, steps=ADL_STEPS, seed=0)  # compiles, sorts (cached)
        t = best_of(lambda sc=sc: simulate(pos, sc, steps=ADL_STEPS, seed=0))
        rows.append((f"{rule} 1e6 x {ADL_STEPS:,}", f"{t:.3f} s"))
        runs[rule + "_t"] = t
    levy, adl = runs["socialise"], runs["adl"]
    shorts = pos.side < 0
    closed = int((shorts & (adl.remaining_size < pos.size)
                  & (levy.remaining_size == pos.size)).sum())
    extra = runs["adl_t"] - runs["socialise_t"]
    rows.append(("ADL closed", f"{closed:,} positions ({adl.adl_units.sum():,.0f} units) to "
                               f"cover {adl.total_socialized_loss:,.0f} USD; the levy charged "
                               f"{int(shorts.sum()):,} shorts "
                               f"{levy.total_socialized_loss:,.0f} USD"))
    rows.append(("ADL cost", f"{extra:+.3f} s against the levy "
                             f"({extra / max(closed, 1) * 1e6:+.2f} us per position closed, "
                             f"incl. one sort of the queue)"))
    return rows


def bench_default() -> list[tuple[str, str]]:
    pos, sc = default_market()
    simulate(pos, sc, steps=300, seed=0)
    t = best_of(lambda: simulate(pos, sc, steps=300, seed=0), 5)
    return [("default simulate", f"{t * 1e3:.1f} ms (20,000 positions x 300 steps)")]


@numba.njit(parallel=True)
def _busy_parallel(x: np.ndarray, out: np.ndarray) -> None:
    for j in numba.prange(out.shape[0]):
        s = 0.0
        for i in range(x.shape[0]):
            s += np.sin(x[i] + j)
        out[j] = s


@numba.njit
def _busy_serial(x: np.ndarray, out: np.ndarray) -> None:
    for j in range(out.shape[0]):
        s = 0.0
        for i in range(x.shape[0]):
            s += np.sin(x[i] + j)
        out[j] = s


def machine_scaling() -> float:
    """Speed-up of a trivially parallel loop right now: the ceiling other load leaves us."""
    x = np.linspace(0.0, 1.0, 200_000)
    out = np.empty(64)
    _busy_parallel(x, out)
    _busy_serial(x, out)
    return best_of(lambda: _busy_serial(x, out)) / best_of(lambda: _busy_parallel(x, out))


def bench_parallel() -> list[tuple[str, str]]:
    pos, sc = default_market()
    sc = sc.replace(sigma=0.003)
    kw = {"paths": 512, "steps": 5_000, "seed": 0, "progress": False}
    monte_carlo(pos, sc, **{**kw, "paths": 4}, parallel=True)
    monte_carlo(pos, sc, **{**kw, "paths": 4}, parallel=False)
    before = machine_scaling()
    t_serial = best_of(lambda: monte_carlo(pos, sc, **kw, parallel=False), 3)
    t_par = best_of(lambda: monte_carlo(pos, sc, **kw, parallel=True), 3)
    after = machine_scaling()
    threads = numba.get_num_threads()
    return [
        ("monte_carlo serial", f"{t_serial:.2f} s (512 paths x 5,000 steps x 20,000 positions)"),
        ("monte_carlo parallel", f"{t_par:.2f} s on {threads} threads"),
        ("parallel scaling", f"{t_serial / t_par:.2f}x (target >= 1.6x on 2 cores)"),
        ("machine ceiling", f"{before:.2f}x before, {after:.2f}x after (a trivially parallel "
                            f"loop; below ~1.9x other processes hold the cores)"),
    ]


MANY_PATHS = 1_000_000
SEED_REF_PATHS = 100_000


def bench_many_paths() -> list[tuple[str, str]]:
    from cascadelab.engine.seeds import path_generators

    pos = sample_positions(100, 100.0, seed=0)
    sc = Scenario(shock=0.0)
    kw = {"steps": 1, "seed": 0, "progress": False}
    monte_carlo(pos, sc, paths=100, **kw)
    t_mc = best_of(lambda: monte_carlo(pos, sc, paths=MANY_PATHS, **kw), 1)
    seqs = np.random.SeedSequence(0).spawn(SEED_REF_PATHS)
    for j, rng in enumerate(path_generators(0, 0, SEED_REF_PATHS)):
        ref = np.random.default_rng(seqs[j]) if j % 997 == 0 else None
        if ref is not None and rng.standard_normal() != ref.standard_normal():
            raise AssertionError("the chunked seeding draws other numbers than SeedSequence")

    def per_path() -> None:
        for ss in np.random.SeedSequence(0).spawn(SEED_REF_PATHS):
            np.random.default_rng(ss).standard_normal(1)

    def chunked() -> None:
        for rng in path_generators(0, 0, SEED_REF_PATHS):
            rng.standard_normal(1)

    t_old = best_of(per_path, 1) / SEED_REF_PATHS
    t_new = best_of(chunked, 3) / SEED_REF_PATHS
    return [
        ("monte_carlo 1e6 x 1", f"{t_mc:.2f} s ({t_mc / MANY_PATHS * 1e6:.1f} us per path, "
                                f"{MANY_PATHS:,} one-step paths x 100 positions)"),
        ("path seeding", f"{t_new * 1e6:.2f} us per path (generator + one draw) against "
                         f"{t_old * 1e6:.2f} us with SeedSequence.spawn + default_rng per path: "
                         f"{t_old / t_new:.1f}x"),
    ]


def bench_cold() -> list[tuple[str, str]]:
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        cold = subprocess.run([sys.executable, "-c", COLD], env=env, cwd=root, check=True,
                              capture_output=True, text=True).stdout.split()
        warm = subprocess.run([sys.executable, "-c", COLD], env=env, cwd=root, check=True,
                              capture_output=True, text=True).stdout.split()
    c = [float(x) for x in cold]
    w = [float(x) for x in warm]
    return [
        ("import cascadelab", f"{c[0]:.2f} s cold, {w[0]:.2f} s cached"),
        ("first simulate", f"{c[1]:.2f} s cold compile, {w[1]:.2f} s from the cache"),
        ("first monte_carlo", f"{c[2]:.2f} s cold compile, {w[2]:.2f} s from the cache"),
    ]


def main() -> None:
    """Print the engine's benchmark table."""
    print(check_reference())
    rows = (bench_default() + bench_big() + bench_adl() + bench_parallel() + bench_many_paths()
            + bench_cold())
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


if __name__ == "__main__":
    main()
