"""Compile and cache the numba kernels once, so that the first lab a visitor opens is quick.

Run by Binder's ``postBuild`` (``python -m cascadelab.course.warmup``). Every kernel is
``@njit(cache=True)``: compiling it here writes the machine code next to the sources, and later
kernels load it instead of compiling. It runs a tiny cascade and a tiny multi-asset scenario,
then builds every lab of the Widget Lab headless (Agg) and moves each of its controls once.
"""

from __future__ import annotations

import os
import sys
import time


def _touch_controls(lab: object) -> int:
    """Set every control of a lab to a neighbouring value and back (one recompute each)."""
    moved = 0
    for widget in getattr(lab, "controls", {}).values():
        value = getattr(widget, "value", None)
        options = getattr(widget, "options", None)
        try:
            if isinstance(value, bool):
                widget.value = not value
            elif isinstance(value, int | float) and hasattr(widget, "max"):
                step = getattr(widget, "step", None) or (widget.max - widget.min) / 10
                widget.value = min(widget.max, value + step) if value < widget.max else (
                    max(widget.min, value - step))
            elif options:
                labels = [o[1] if isinstance(o, tuple) else o for o in options]
                widget.value = labels[-1] if value == labels[0] else labels[0]
            else:
                continue
            widget.value = value
            moved += 1
        except Exception as err:  # a warm-up never fails a build; say what went wrong
            print(f"  warm-up: could not move {widget!r}: {err}", file=sys.stderr)
    return moved


def _every_mechanism() -> str:
    """One short run with fat tails, jumps, a late oracle, dynamic margin, fees, gradual
    liquidation, a breaker, a dealer with puts and a predator, so every branch is compiled."""
    from dataclasses import replace

    from cascadelab.engine import Scenario, default_market
    from cascadelab.mechanisms.hedging import DealerBook

    positions, base = default_market(2_000)
    scenario = replace(
        base if isinstance(base, Scenario) else Scenario(), tail_index=3.0, jump_rate=0.01,
        oracle_latency=3, heartbeat=5, deviation=0.005, margin_z=3.0, fee_z=1.0,
        close_factor=0.5, max_book_share=0.2, cooldown=1, band=0.05,
        dealer=DealerBook.straddle(strike=100.0, units=-2e5, expiry=500),
        protective_puts=1e5, predator_capital=1e6)
    cl = __import__("cascadelab")
    cl.simulate(positions, scenario, steps=60)
    return ""


def warm(verbose: bool = True) -> dict[str, float]:
    """Run the kernels once; return seconds spent per step."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    timings: dict[str, float] = {}

    def step(name: str, fn) -> None:
        t0 = time.perf_counter()
        try:
            detail = fn()
        except Exception as err:
            print(f"  warm-up: {name} failed: {type(err).__name__}: {err}", file=sys.stderr)
            return
        timings[name] = time.perf_counter() - t0
        if verbose:
            extra = f" ({detail})" if detail else ""
            print(f"  {name:<28s} {timings[name]:6.1f} s{extra}")

    import cascadelab as cl

    def tiny_cascade() -> str:
        pos = cl.sample_positions(2_000, 100.0, seed=0)
        for impact in cl.IMPACT_MODELS:
            cl.cascade(pos, 100.0, 0.05, cl.Book(depth=20_000.0, impact=impact))
            cl.cascade(pos, 100.0, -0.05, cl.Book(depth=20_000.0, impact=impact))
        return f"{len(cl.IMPACT_MODELS)} impact models"

    def tiny_portfolio() -> str:
        scen = cl.MultiAssetScenario()
        accounts = cl.sample_accounts(200, scen.prices, legs=scen.prices.size, seed=0)
        cl.simulate_portfolio(accounts, scen, seed=0)
        return ""

    step("cascade", tiny_cascade)
    step("multi-asset portfolio", tiny_portfolio)
    if hasattr(cl, "simulate"):
        step("engine", lambda: cl.simulate(steps=60) and "")
        step("engine, every mechanism on", _every_mechanism)

    from cascadelab.widgets.dashboard import available_tabs

    for tab in available_tabs():
        factory = tab.resolve()

        def build_and_move(factory=factory) -> str:
            return f"{_touch_controls(factory())} controls moved"

        step(f"lab: {tab.title}", build_and_move)
    return timings


def main() -> None:
    print("Warming the numba cache (compiles each kernel once)...")
    t0 = time.perf_counter()
    warm()
    print(f"Done in {time.perf_counter() - t0:.1f} s.")


if __name__ == "__main__":
    main()
