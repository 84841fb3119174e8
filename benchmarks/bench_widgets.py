"""Widget labs: latency from a control change to a finished redraw.

For each lab, 50 round trips at the lab's defaults (a control moved to a neighbouring value
and back, one control at a time: 100 timed changes); each timing covers the observer, the scenario
recompute, the artist updates and a full Agg render of the figure (headless, ``draw_idle``
draws synchronously under Agg; ipympl then adds PNG encoding and transport in the browser).
Target (issue 4): under 100 ms at the 95th percentile on 2 cores.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import matplotlib
import numpy as np

import cascadelab.widgets as widgets
from cascadelab.widgets import Lab

TARGET_MS = 100.0
#: Labs to measure: name -> factory; every ``*_lab`` of ``cascadelab.widgets``, first-class first.
_NAMES = list(widgets.FIRST_CLASS) + sorted(
    n for n in widgets.__all__ if n.endswith("_lab") and n not in widgets.FIRST_CLASS
)
LABS: dict[str, Callable[[], Lab]] = {n.removesuffix("_lab"): getattr(widgets, n) for n in _NAMES}


def _neighbour(widget) -> object:
    """A value next to the widget's current one (for dropdowns, the next option)."""
    options = getattr(widget, "options", None)
    if options:
        labels = [o[1] if isinstance(o, tuple) else o for o in options]
        return labels[(labels.index(widget.value) + 1) % len(labels)]
    if isinstance(widget.value, bool):
        return not widget.value
    if hasattr(widget, "base"):  # log slider: value is not the exponent
        step = widget.base ** widget.step
        up = widget.value * step
        return up if up <= widget.base ** widget.max else widget.value / step
    up = widget.value + widget.step
    return up if up <= widget.max else widget.value - widget.step


def measure(lab: Lab, changes: int = 50) -> dict[str, np.ndarray]:
    """Seconds per control change, by control name, and ``"all"`` (``changes`` in total)."""
    names = list(lab.controls)
    per: dict[str, list[float]] = {name: [] for name in names}
    for j in range(changes):
        name = names[j % len(names)]
        widget = lab.controls[name]
        home = widget.value
        for value in (_neighbour(widget), home):
            t0 = time.perf_counter()
            widget.value = value
            per[name].append(time.perf_counter() - t0)
    out = {name: np.asarray(ts) for name, ts in per.items()}
    out["all"] = np.concatenate(list(out.values()))
    return out


def main() -> None:
    """Print one table per lab (build time, p50 / p95 / max per control, in ms), then a recap."""
    matplotlib.use("Agg")
    recap: list[tuple[str, float, float]] = []
    for lab_name, factory in LABS.items():
        t0 = time.perf_counter()
        lab = factory()
        build = time.perf_counter() - t0
        t0 = time.perf_counter()
        lab.compute(**lab.values)
        compute = time.perf_counter() - t0
        times = measure(lab)
        print(f"{lab_name}: build {1e3 * build:.0f} ms, scenario alone {1e3 * compute:.2f} ms "
              f"(change -> recompute -> artists -> Agg render)")
        print(f"  {'control':<14} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, ts in times.items():
            ms = 1e3 * ts
            print(f"  {name:<14} {ms.size:>4} {np.median(ms):>8.1f} "
                  f"{np.percentile(ms, 95):>8.1f} {ms.max():>8.1f}")
        p95 = 1e3 * float(np.percentile(times["all"], 95))
        verdict = "OK" if p95 < TARGET_MS else "OVER"
        print(f"  p95 over all {times['all'].size} changes: {p95:.1f} ms "
              f"(target < {TARGET_MS:.0f} ms: {verdict})")
        recap.append((lab_name, 1e3 * float(np.median(times["all"])), p95))
        lab.close()
    print(f"\n{'lab':<22} {'p50 ms':>8} {'p95 ms':>8}  (target p95 < {TARGET_MS:.0f} ms)")
    for lab_name, p50, p95 in recap:
        flag = "" if p95 < TARGET_MS else "  OVER"
        print(f"{lab_name:<22} {p50:>8.1f} {p95:>8.1f}{flag}")


if __name__ == "__main__":
    main()
