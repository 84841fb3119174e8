"""Chapter 03 lab: close liquidated positions in tranches
(:func:`cascadelab.chapters.approach.gradual_scenario`)."""

from __future__ import annotations

from typing import Any, ClassVar

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from cascadelab import plotting as cp
from cascadelab.chapters.approach import FAST_CRASH, PolicyPair, gradual_scenario
from cascadelab.widgets._base import Lab, int_slider, si, slider
from cascadelab.widgets.approach._layout import legend_above

__all__ = ["GradualLiquidationLab", "gradual_liquidation_lab"]


class GradualLiquidationLab(Lab):
    """Close liquidated positions in tranches and compare with one market order each.

    Controls (name: unit): ``close_factor`` (% of a position per step), ``max_book_share``
    (x the depth per step; 0 = no cap), ``cooldown`` (steps between slices), ``shock`` (%).
    Summary: :class:`cascadelab.chapters.approach.PolicyPair` (``worst_slippage``/``_base``,
    ``drawdown``/``_base``, ``bad_debt``/``_base``, ...).
    """

    title = "Sell in tranches, not in one order"
    figsize = (9.0, 5.6)
    headline: ClassVar[dict[str, Any]] = {
        "worst_slippage": "worst slippage <b>{:.2%}</b>",
        "worst_slippage_base": "(one order {:.2%})",
        "drawdown": "drawdown <b>{:.1%}</b>",
        "drawdown_base": "(one order {:.1%})",
        "bad_debt": lambda v: f"bad debt <b>{si(v, 'USD')}</b>",
        "bad_debt_base": lambda v: f"(one order {si(v, 'USD')})",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__(
            {
                "close_factor": slider(
                    "Close factor (%)", 5.0, 100.0, 25.0, step=5.0, readout_format=".0f",
                    tooltip="Largest share of a position sold per step: 100% = all at once"),
                "max_book_share": slider(
                    "Book share (x depth)", 0.0, 3.0, 0.25, step=0.05, readout_format=".2f",
                    tooltip="Cap on all forced sales of a step, in units of the depth D "
                            "(units per 1%); 0 = no cap"),
                "cooldown": int_slider(
                    "Cooldown (steps)", 0, 10, 1,
                    tooltip="Steps a position waits between two slices"),
                "shock": slider(
                    "Shock (%)", 1.0, 15.0, 100.0 * FAST_CRASH.shock, step=0.5,
                    tooltip="The first drop, at step 10"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Price, units sold per step and slippage per step, each against one big order."""
        with mpl.rc_context({"axes.titley": 1.0}):
            gs = fig.add_gridspec(3, 1, height_ratios=[1.6, 1.0, 1.0])
            self.ax_price = fig.add_subplot(gs[0])
            self.ax_liq = fig.add_subplot(gs[1], sharex=self.ax_price)
            self.ax_slip = fig.add_subplot(gs[2], sharex=self.ax_price)
        (self.base_price,) = self.ax_price.plot([], [], color=cp.BASELINE, ls="--", lw=1.5,
                                                label="one order each (dashed)")
        (self.price,) = self.ax_price.plot([], [], color=cp.PRICE, lw=1.8,
                                           label="price with tranches")
        cp.label(self.ax_price, y="price", yunit="USD", title="price")
        edges = np.array([0.0, 1.0])
        self.base_liq = self.ax_liq.stairs([0.0], edges, color=cp.BASELINE, ls="--", lw=1.2)
        self.liq = self.ax_liq.stairs([0.0], edges, fill=True, color=cp.LIQUIDATIONS, alpha=0.85,
                                      label="forced sales and slippage with tranches")
        self.cap_line = self.ax_liq.axhline(0.0, color=cp.THEORY, ls=":", lw=1.2,
                                            label=r"cap on a step's sales, $\chi D$ (dotted)")
        self.legend = legend_above(fig, [self.price, self.base_price, self.liq, self.cap_line],
                                    ncols=2)
        cp.label(self.ax_liq, y="sold", yunit="k units", title="forced sales per step")
        self.base_slip = self.ax_slip.stairs([0.0], edges, color=cp.BASELINE, ls="--", lw=1.2)
        self.slip = self.ax_slip.stairs([0.0], edges, fill=True, color=cp.LIQUIDATIONS,
                                        alpha=0.85)
        cp.label(self.ax_slip, x="step", y="slippage", yunit="%",
                 title="slippage of the step's fills")
        for ax in (self.ax_price, self.ax_liq):
            ax.tick_params(labelbottom=False)
        for ax in (self.ax_price, self.ax_liq, self.ax_slip):
            ax.locator_params(axis="y", nbins=4)

    def compute(self, *, close_factor: float, max_book_share: float, cooldown: int,
                shock: float) -> PolicyPair:
        """Run :func:`~cascadelab.chapters.approach.gradual_scenario` (percent -> fractions)."""
        return gradual_scenario(
            close_factor=close_factor / 100.0,
            max_book_share=None if max_book_share == 0.0 else float(max_book_share),  # NaN: error
            cooldown=int(cooldown), scenario=FAST_CRASH.replace(shock=shock / 100.0),
        )

    def summarize(self, result: PolicyPair) -> dict[str, float]:
        """The pair's summary."""
        return result.summary

    def draw(self, result: PolicyPair) -> None:
        """Update the three panels in place."""
        b, m = result.baseline, result.mitigated
        steps = m.steps
        t = np.arange(steps, dtype=float)
        edges = np.arange(steps + 1, dtype=float) - 0.5
        # zoom on the first 120 steps: the crash and its aftermath
        view = min(steps, 120)
        self.base_price.set_data(t, b.price)
        self.price.set_data(t, m.price)
        lo = min(float(b.price[:view].min()), float(m.price[:view].min()))
        self.ax_price.set_ylim(lo - 1.0, m.scenario.price + 1.0)
        self.ax_price.set_xlim(-0.5, view - 0.5)
        self.base_liq.set_data(b.liquidated_units / 1e3, edges)
        self.liq.set_data(m.liquidated_units / 1e3, edges)
        top = max(float(b.liquidated_units.max()), float(m.liquidated_units.max()), 1.0) / 1e3
        self.ax_liq.set_ylim(0.0, 1.1 * top)
        share = m.scenario.max_book_share
        self.cap_line.set_ydata([share * m.scenario.depth / 1e3] * 2 if share else [np.nan] * 2)
        self.base_slip.set_data(100 * b.slippage, edges)
        self.slip.set_data(100 * m.slippage, edges)
        self.ax_slip.set_ylim(0.0, 110 * max(float(b.slippage.max()), float(m.slippage.max()),
                                             1e-4))

    def takeaway_text(self, result: PolicyPair) -> str:
        """What the current picture says, in one line."""
        s = result.summary
        return (f"Tranches: worst fill {100 * s['worst_slippage_base']:.2f}% -> "
                f"{100 * s['worst_slippage']:.2f}% from the pre-trade price, drawdown "
                f"{100 * s['drawdown_base']:.1f}% -> {100 * s['drawdown']:.1f}%")


def gradual_liquidation_lab(**defaults: Any) -> GradualLiquidationLab:
    """The gradual-liquidation lab of chapter 03, with optional starting values.

    Parameters
    ----------
    **defaults
        ``close_factor`` (%), ``max_book_share`` (x depth, 0 = no cap), ``cooldown`` (steps),
        ``shock`` (%).

    Examples
    --------
    >>> lab = gradual_liquidation_lab()
    >>> lab.summary["worst_slippage"] < lab.summary["worst_slippage_base"]
    True
    """
    return GradualLiquidationLab(**defaults)
