"""Static cascade: numba sorted sweep against a NumPy full-scan reference.

Reports, for N = 1e4 ... 1e7 positions: one-off setup (sort by liquidation price), warm
``cascade`` time, its cost relative to one ``np.sum`` over the same N floats, the NumPy
reference's time and the speed-up; then cold compile time and ``import cascadelab`` time.
Targets (issue 2): at N = 1e6, >= 20x the reference and <= 3x one ``np.sum``; import < 1 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from benchmarks.reference import cascade_numpy
from cascadelab import Book, cascade, sample_positions

PRICE, SHOCK = 100.0, 0.05
DEPTH_PER_POSITION = 10.0  # the course default: 20,000 positions against a 200,000-unit book


def best_of(f, repeat: int = 5) -> float:
    """Best wall time of ``repeat`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def subprocess_time(code: str, env: dict[str, str]) -> float:
    """Seconds a fresh interpreter needs to run ``code`` (best of 3)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    """Print the table."""
    print(f"{'N':>10} {'setup ms':>9} {'cascade ms':>11} {'x np.sum':>9} "
          f"{'numpy ms':>9} {'speed-up':>9} {'liquidated':>11} {'equal':>6}")
    for exponent in (4, 5, 6, 7):
        n = 10**exponent
        pos = sample_positions(n, PRICE, seed=0)
        book = Book(DEPTH_PER_POSITION * n)
        t0 = time.perf_counter()
        pos.by_trigger(1)
        setup = time.perf_counter() - t0
        res = cascade(pos, PRICE, SHOCK, book)
        warm = best_of(lambda pos=pos, book=book: cascade(pos, PRICE, SHOCK, book))
        one_sum = best_of(lambda pos=pos: pos.size.sum())
        ref = cascade_numpy(pos, PRICE, SHOCK, book)
        ref_t = best_of(lambda pos=pos, book=book: cascade_numpy(pos, PRICE, SHOCK, book),
                        repeat=1 if n >= 10**7 else 3)
        equal = (np.array_equal(ref["liquidated"], res.liquidated)
                 and np.isclose(ref["final_price"], res.final_price, rtol=1e-12)
                 and np.isclose(ref["bad_debt"], res.bad_debt, rtol=1e-9))
        print(f"{n:>10.0e} {setup * 1e3:>9.1f} {warm * 1e3:>11.3f} {warm / one_sum:>9.1f} "
              f"{ref_t * 1e3:>9.1f} {ref_t / warm:>8.0f}x {res.n_liquidated:>11,} {equal!s:>6}")

    print("\nA milder shock (1%) touches fewer positions, so a call costs less:")
    n = 10**6
    pos = sample_positions(n, PRICE, seed=0)
    book = Book(DEPTH_PER_POSITION * n)
    res = cascade(pos, PRICE, 0.01, book)
    warm = best_of(lambda: cascade(pos, PRICE, 0.01, book))
    print(f"  N=1e6, shock 1%: {warm * 1e3:.3f} ms = {warm / best_of(lambda: pos.size.sum()):.1f}"
          f" x np.sum, {res.n_liquidated:,} liquidated")

    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        code = ("from cascadelab import Book, cascade, sample_positions;"
                "cascade(sample_positions(10, 100.0), 100.0, 0.05, Book(10.0))")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        cold = time.perf_counter() - t0
        warm_run = subprocess_time(code, env)
        imp = subprocess_time("import cascadelab", env)
    print(f"\ncold compile (fresh numba cache, whole first run): {cold:.2f} s; "
          f"the same run with a warm cache: {warm_run:.2f} s")
    print(f"import cascadelab with a warm cache: {imp:.2f} s (target < 1 s)")


if __name__ == "__main__":
    main()
