"""``python -m benchmarks``: run every ``benchmarks/bench_*.py`` module's ``main()`` in turn."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    """Run the benchmark modules named in ``argv`` (default: all of them); ``adl`` prints only
    the cost of auto-deleveraging at 1e6 positions next to the pro-rata rule."""
    if argv == ["adl"]:
        from benchmarks.bench_engine import bench_adl

        for name, value in bench_adl():
            print(f"  {name:<22}  {value}")
        return
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = [n for n in names if not argv or any(a in n for a in argv)]
    for name in wanted:
        print(f"\n=== {name} ===", flush=True)
        t0 = time.perf_counter()
        importlib.import_module(f"benchmarks.{name}").main()
        print(f"({name} took {time.perf_counter() - t0:.1f} s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
