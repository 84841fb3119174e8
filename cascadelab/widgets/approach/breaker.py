"""Chapter 03 lab: halt a crash with a circuit breaker
(:func:`cascadelab.chapters.approach.circuit_breaker_scenario`)."""

from __future__ import annotations

from typing import Any, ClassVar

import ipywidgets as W
import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from cascadelab import plotting as cp
from cascadelab.chapters.approach import (
    FAST_CRASH,
    CircuitBreakerResult,
    circuit_breaker_scenario,
    drawdown_path,
)
from cascadelab.widgets._base import Lab, int_slider, log_slider, si, slider
from cascadelab.widgets.approach._layout import legend_above

__all__ = ["CircuitBreakerLab", "CircuitBreakerView", "circuit_breaker_lab"]


class CircuitBreakerView:
    """The four panels of the circuit-breaker figure, built once and updated in place.

    Usable without widgets: ``CircuitBreakerView(fig).update(result)`` draws a static figure.
    """

    #: Figure size (inches) the view is laid out for.
    figsize = (9.0, 6.6)

    def __init__(self, fig: Figure) -> None:
        self.figure = fig
        gs = fig.add_gridspec(3, 2, height_ratios=[2.0, 1.2, 1.2])
        # A fixed title height spares matplotlib a layout pass over the ticks at every redraw.
        with mpl.rc_context({"axes.titley": 1.0}):
            self.ax_price = fig.add_subplot(gs[0, :])
            self.ax_liq = fig.add_subplot(gs[1, :], sharex=self.ax_price)
            self.ax_dd = fig.add_subplot(gs[2, 0], sharex=self.ax_price)
            self.ax_loss = fig.add_subplot(gs[2, 1], sharex=self.ax_price)
        edges = np.array([0.0, 1.0])

        # Halts: a filled step curve from 0 to 1 in axes height, so it shades the full panel.
        self.halt_price = self.ax_price.stairs(
            [0.0], edges, fill=True, facecolor=cp.HALT, edgecolor=cp.HALT_EDGE, hatch="//",
            alpha=0.45, lw=0, transform=self.ax_price.get_xaxis_transform(), label="halted")
        self.halt_liq = self.ax_liq.stairs(
            [0.0], edges, fill=True, facecolor=cp.HALT, edgecolor=cp.HALT_EDGE, hatch="//",
            alpha=0.45, lw=0, transform=self.ax_liq.get_xaxis_transform())
        (self.base_price,) = self.ax_price.plot([], [], color=cp.BASELINE, ls="--", lw=1.5,
                                                label="no breaker (grey)")
        (self.price,) = self.ax_price.plot([], [], color=cp.PRICE, lw=1.8,
                                           label="price, fall with breaker")
        cp.label(self.ax_price, y="price", yunit="USD", title="price with and without a breaker")
        self.ax_price.tick_params(labelbottom=False)

        self.base_liq = self.ax_liq.stairs([0.0], edges, color=cp.BASELINE, ls="--", lw=1.2)
        self.liq = self.ax_liq.stairs([0.0], edges, fill=True, color=cp.LIQUIDATIONS, alpha=0.85,
                                      label="forced sales")
        cp.label(self.ax_liq, y="liquidated", yunit="k units", title="forced sales per step")
        self.ax_liq.tick_params(labelbottom=False)

        (self.base_dd,) = self.ax_dd.plot([], [], color=cp.BASELINE, ls="--", lw=1.2)
        (self.dd,) = self.ax_dd.plot([], [], color=cp.PRICE, lw=1.5)
        cp.label(self.ax_dd, x="step", y="drawdown", yunit="%", title="fall from the peak")

        (self.base_bad,) = self.ax_loss.plot([], [], color=cp.BASELINE, ls="--", lw=1.2)
        (self.base_fund,) = self.ax_loss.plot([], [], color=cp.BASELINE, ls=":", lw=1.2)
        (self.bad,) = self.ax_loss.plot([], [], color=cp.BAD_DEBT, lw=1.6,
                                        label="bad debt so far")
        (self.fund,) = self.ax_loss.plot([], [], color=cp.INSURANCE_FUND, lw=1.6,
                                         label="insurance fund")
        self.legend = legend_above(fig, [self.price, self.base_price, self.halt_price, self.liq,
                                          self.bad, self.fund], ncols=3)
        cp.label(self.ax_loss, x="step", y="amount", yunit="M USD",
                 title="bad debt and fund")
        for ax in (self.ax_price, self.ax_liq, self.ax_dd, self.ax_loss):
            ax.locator_params(axis="y", nbins=4)

    def update(self, result: CircuitBreakerResult) -> None:
        """Point every artist at ``result``'s data and rescale the axes (no artist is created)."""
        b, m = result.baseline, result.mitigated
        steps = m.steps
        t = np.arange(steps, dtype=float)
        edges = np.arange(steps + 1, dtype=float) - 0.5
        halted = m.halted.astype(float)
        self.halt_price.set_data(halted, edges)
        self.halt_liq.set_data(halted, edges)
        self.base_price.set_data(t, b.price)
        self.price.set_data(t, m.price)
        lo = min(float(b.price.min()), float(m.price.min()))
        hi = max(float(b.price.max()), float(m.price.max()), m.scenario.price)
        pad = 0.08 * (hi - lo) + 0.1
        self.ax_price.set_ylim(lo - pad, hi + pad)
        self.ax_price.set_xlim(-0.5, steps - 0.5)

        self.base_liq.set_data(b.liquidated_units / 1e3, edges)
        self.liq.set_data(m.liquidated_units / 1e3, edges)
        top = max(float(b.liquidated_units.max()), float(m.liquidated_units.max()), 1.0) / 1e3
        self.ax_liq.set_ylim(0.0, 1.1 * top)

        p0 = m.scenario.price
        dd_b, dd_m = 100 * drawdown_path(b.price, p0), 100 * drawdown_path(m.price, p0)
        self.base_dd.set_data(t, dd_b)
        self.dd.set_data(t, dd_m)
        self.ax_dd.set_ylim(0.0, 1.1 * max(float(dd_b.max()), float(dd_m.max()), 0.5))

        bad_b, bad_m = np.cumsum(b.bad_debt) / 1e6, np.cumsum(m.bad_debt) / 1e6
        self.base_bad.set_data(t, bad_b)
        self.bad.set_data(t, bad_m)
        self.base_fund.set_data(t, b.insurance_fund / 1e6)
        self.fund.set_data(t, m.insurance_fund / 1e6)
        top = max(float(bad_b[-1]), float(bad_m[-1]), float(b.insurance_fund.max() / 1e6),
                  float(m.insurance_fund.max() / 1e6), 0.1)
        self.ax_loss.set_ylim(0.0, 1.1 * top)


def _takeaway(result: CircuitBreakerResult) -> str:
    s = result.summary
    if s["halted_steps"] == 0:
        return "The breaker never tripped: no halt, the same crash as without a breaker"
    dd, dd0 = 100 * s["drawdown"], 100 * s["drawdown_base"]
    verb = "cut" if dd < dd0 else "did not cut"
    return (f"{s['halts']:.0f} halt(s), {s['halted_steps']:.0f} steps: the breaker {verb} the "
            f"fall ({dd0:.1f}% -> {dd:.1f}%), bad debt {si(s['bad_debt_base'], 'USD')} -> "
            f"{si(s['bad_debt'], 'USD')}")


class CircuitBreakerLab(Lab):
    """Halt the market when the price moves too far too fast, and compare with no breaker.

    Controls (name: unit): ``band`` (% move that trips the breaker), ``window`` (steps looked
    back), ``halt_steps`` (steps), ``halt_resilience`` (% of the transient impact that decays
    per halted step), ``liquidate_in_halt`` (liquidations keep going in a halt),
    ``stress_halt`` (threshold :math:`S^*` of the per-step stress rule, 0 = off), ``shock``
    (% drop at step 10), ``depth`` (units per 1%). Summary: see
    :class:`cascadelab.chapters.approach.CircuitBreakerResult` (``drawdown``/``drawdown_base``,
    ``bad_debt``/``bad_debt_base``, ``halted_steps``, ``halts``, ...).
    """

    title = "Halt a crash with a circuit breaker"
    figsize = CircuitBreakerView.figsize
    headline: ClassVar[dict[str, Any]] = {
        "drawdown": "drawdown <b>{:.1%}</b>",
        "drawdown_base": "(no breaker {:.1%})",
        "bad_debt": lambda v: f"bad debt <b>{si(v, 'USD')}</b>",
        "bad_debt_base": lambda v: f"(no breaker {si(v, 'USD')})",
        "socialized": lambda v: f"socialised <b>{si(v, 'USD')}</b>",
        "halted_steps": "halted <b>{:.0f}</b> steps",
        "halts": "in <b>{:.0f}</b> halt(s)",
    }

    def __init__(self, **defaults: Any) -> None:
        d = FAST_CRASH
        super().__init__(
            {
                "band": slider(
                    "Band (%)", 0.5, 30.0, 3.0, step=0.5,
                    tooltip="Halt when the price moved more than this within the window: "
                            "narrower halts sooner and more often"),
                "window": int_slider(
                    "Window (steps)", 1, 50, 5,
                    tooltip="How far back the breaker compares the price"),
                "halt_steps": int_slider(
                    "Halt length (steps)", 1, 100, 20,
                    tooltip="How long trading stops once the breaker trips"),
                "halt_resilience": slider(
                    "Refill in halt (%/step)", 0.0, 100.0, 20.0, step=1.0, readout_format=".0f",
                    tooltip="Share of the price impact of earlier sales that fades per halted "
                            "step: market makers refill the book while nobody trades"),
                "liquidate_in_halt": W.Checkbox(
                    value=False, description="Liquidate during halts", indent=False,
                    tooltip="If ticked, forced sales continue into the halted (thin) market",
                    layout=W.Layout(width="340px")),
                "stress_halt": slider(
                    "Stress threshold (0 = off)", 0.0, 5.0, 0.0, step=0.1,
                    tooltip="Also halt when the stress index S = (liquidations within 2% of "
                            "the price per 1% / depth) x (volatility / 0.2%) reaches this: "
                            "set the band to 30% to watch this rule alone"),
                "shock": slider(
                    "Shock (%)", 1.0, 15.0, 100.0 * d.shock, step=0.5,
                    tooltip="The first drop, at step 10: larger means a faster crash"),
                "depth": log_slider(
                    "Depth (units/1%)", 2e4, 1e6, d.depth,
                    tooltip="Units a market sell must trade to move the price 1%: "
                            "thinner books slip more"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Build the four panels (see :class:`CircuitBreakerView`)."""
        self.view = CircuitBreakerView(fig)

    def compute(self, *, band: float, window: int, halt_steps: int, halt_resilience: float,
                liquidate_in_halt: bool, stress_halt: float, shock: float,
                depth: float) -> CircuitBreakerResult:
        """Run :func:`~cascadelab.chapters.approach.circuit_breaker_scenario` (% -> fractions)."""
        scenario = FAST_CRASH.replace(shock=shock / 100.0, depth=float(depth))
        return circuit_breaker_scenario(
            band=band / 100.0, window=int(window), halt_steps=int(halt_steps),
            halt_resilience=halt_resilience / 100.0, liquidate_in_halt=bool(liquidate_in_halt),
            stress_halt=float(stress_halt), scenario=scenario,
        )

    def summarize(self, result: CircuitBreakerResult) -> dict[str, float]:
        """The scenario's summary."""
        return result.summary

    def draw(self, result: CircuitBreakerResult) -> None:
        """Update the four panels in place."""
        self.view.update(result)

    def takeaway_text(self, result: CircuitBreakerResult) -> str:
        """What the current picture says, in one line."""
        return _takeaway(result)


def circuit_breaker_lab(**defaults: Any) -> CircuitBreakerLab:
    """The circuit-breaker lab of chapter 03, with optional starting values.

    Parameters
    ----------
    **defaults
        Starting value per control, in the control's unit: ``band`` (%), ``window`` and
        ``halt_steps`` (steps), ``halt_resilience`` (% per step), ``liquidate_in_halt`` (bool),
        ``stress_halt`` (stress threshold, 0 = off), ``shock`` (%), ``depth`` (units per 1%).

    Returns
    -------
    CircuitBreakerLab

    Examples
    --------
    >>> lab = circuit_breaker_lab()
    >>> lab.summary["drawdown"] < lab.summary["drawdown_base"]
    True
    >>> lab.update(band=30.0)        # wider than the crash: never trips
    >>> lab.summary["halted_steps"]
    0.0
    """
    return CircuitBreakerLab(**defaults)
