r"""The feedback-loop lab of chapter 00: shock -> margin calls -> forced sales -> slippage -> ...

Left: the histogram of the longs' liquidation prices (units per 1% of price, the unit of the
book depth :math:`D`), the part the cascade closed in vermillion. Right: the price round by
round, on the same price axis, so each step down visibly eats into the histogram. Below: the
loop gain :math:`k = \rho / D` at the shocked price against the closed form's critical point 1,
and the units liquidated per round. Rounds are counted as in chapter 00: round 0 is the shock,
round :math:`j \ge 1` the :math:`j`-th batch of forced sales. The legend sits above the panels,
off the data. The numbers come from
:func:`cascadelab.chapters.essence.feedback_loop_scenario`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from cascadelab import plotting as cp
from cascadelab.chapters.essence import (
    FeedbackLoopParams,
    FeedbackLoopResult,
    feedback_loop_scenario,
)
from cascadelab.market import IMPACT_MODELS
from cascadelab.widgets._base import Lab, dropdown, log_slider, si, slider

__all__ = ["FeedbackLoopLab", "FeedbackLoopView", "feedback_loop_lab"]


class FeedbackLoopView:
    """The four panels of the feedback-loop figure, built once and updated in place.

    Usable without widgets: ``FeedbackLoopView(fig).update(result)`` draws a static figure.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        An empty figure (e.g. from :func:`cascadelab.plotting.new_figure`).
    """

    #: Figure size (inches) the view is laid out for.
    figsize = (9.0, 5.8)

    def __init__(self, fig: Figure) -> None:
        self.figure = fig
        gs = fig.add_gridspec(2, 2, width_ratios=[1.0, 2.4], height_ratios=[2.3, 1.0])
        self.ax_hist = fig.add_subplot(gs[0, 0])
        self.ax_path = fig.add_subplot(gs[0, 1], sharey=self.ax_hist)
        self.ax_gain = fig.add_subplot(gs[1, 0])
        self.ax_vol = fig.add_subplot(gs[1, 1], sharex=self.ax_path)

        empty_edges = np.array([0.0, 1.0])
        self.hist_all = self.ax_hist.stairs(
            [0.0], empty_edges, orientation="horizontal", fill=True, color=cp.NEUTRAL,
            label="liquidation prices")
        self.hist_closed = self.ax_hist.stairs(
            [0.0], empty_edges, orientation="horizontal", fill=True, color=cp.LIQUIDATIONS,
            label="liquidated")
        self.depth_line = self.ax_hist.axvline(1.0, color=cp.THEORY, ls=":", lw=1.5,
                                               label="depth $D$")
        self.ax_hist.invert_xaxis()
        cp.label(self.ax_hist, x="positions", xunit="k units per 1%", y="price", yunit="USD",
                 title="where positions break")

        (self.start_line,) = self.ax_path.plot([], [], color=cp.BASELINE, lw=1.0)
        (self.shock_line,) = self.ax_path.plot([], [], color=cp.BASELINE, ls="--", lw=1.5,
                                               label="shock alone")
        (self.path,) = self.ax_path.step([], [], where="post", color=cp.PRICE,
                                         label="with forced sales")
        # one legend for both top panels, above them: no price level or bar can run through it
        fig.legend(handles=[self.hist_all, self.hist_closed, self.depth_line, self.shock_line,
                            self.path],
                   loc="outside upper center", ncol=5, fontsize=8)
        self.ax_path.tick_params(labelleft=False, labelbottom=False)
        cp.label(self.ax_path, title="price, round by round")

        self.gain_bar = self.ax_gain.barh([0.0], [0.0], height=0.5, color=cp.BASELINE)[0]
        # the critical mark stops below the text, so the two never cross
        self.ax_gain.axvline(1.0, ymax=0.6, color=cp.CRITICAL, ls="--", lw=1.5)
        self.ax_gain.text(1.0, -0.55, " critical", color=cp.CRITICAL, fontsize=8, va="bottom")
        self.gain_text = self.ax_gain.text(0.02, 0.96, "", transform=self.ax_gain.transAxes,
                                           va="top", fontsize=9)
        self.ax_gain.set_ylim(-0.6, 1.0)
        self.ax_gain.set_yticks([])
        self.ax_gain.grid(False, axis="y")
        cp.label(self.ax_gain, x=r"loop gain $k = \rho/D$ at the shocked price",
                 title="distance to runaway")

        self.vol = self.ax_vol.stairs([0.0], empty_edges, fill=True, color=cp.LIQUIDATIONS)
        cp.label(self.ax_vol, x="round (0 = the shock, 1 = the first forced sales)",
                 y="liquidated", yunit="k units")
        for ax in (self.ax_hist, self.ax_path, self.ax_gain, self.ax_vol):
            ax.locator_params(nbins=5)

    def update(self, result: FeedbackLoopResult) -> None:
        """Point every artist at ``result``'s data and rescale the axes (no artist is created)."""
        p = result.params
        path = result.price_path  # p0, then the price after round 0 (the shock), 1, 2, ...
        n = path.size
        end = float(max(n - 1, 4))
        # round j's price holds from x = j to j + 1; the starting price from x = -1
        x = np.arange(-1.0, n)
        self.path.set_data(x, np.r_[path, path[-1]])
        self.start_line.set_data([-1.0, end], [path[0], path[0]])
        self.shock_line.set_data([0.0, end], [path[1], path[1]])

        self.hist_all.set_data(result.hist_units / 1e3, result.hist_edges)
        self.hist_closed.set_data(result.hist_liquidated / 1e3, result.hist_edges)
        self.depth_line.set_xdata([p.depth / 1e3, p.depth / 1e3])

        rounds = result.round_units.size
        if rounds:  # the bar of round j is centred on x = j, under the step it causes
            self.vol.set_data(result.round_units / 1e3, np.arange(rounds + 1) + 0.5)
        else:
            self.vol.set_data([0.0], [0.5, 1.5])

        lo, hi = float(path.min()), float(path.max())
        pad = 0.12 * (hi - lo) + 0.005 * hi
        y0, y1 = lo - pad, hi + pad
        self.ax_path.set_ylim(y0, y1)
        self.ax_path.set_xlim(-1.0, end)
        centers = 0.5 * (result.hist_edges[:-1] + result.hist_edges[1:])
        visible = (centers >= y0) & (centers <= y1)
        top = max(float(result.hist_units[visible].max(initial=0.0)), p.depth) / 1e3
        self.ax_hist.set_xlim(1.08 * top, 0.0)
        self.ax_vol.set_ylim(0.0, 1.1 * max(float(result.round_units.max(initial=0.0)) / 1e3,
                                             1e-9))

        gain = result.rho_over_depth
        self.gain_bar.set_width(gain)
        self.gain_bar.set_color(cp.CRITICAL if gain >= 1.0 else cp.BASELINE)
        self.ax_gain.set_xlim(0.0, max(1.5, 1.15 * gain))
        if np.isfinite(result.multiplier):
            mult = f"closed form $1/(1-k)$ = {result.multiplier:.2f}x"
        else:
            mult = "closed form: past the critical point"
        self.gain_text.set_text(f"$k$ = {gain:.2f}\n{mult}")


def _takeaway(result: FeedbackLoopResult) -> str:
    c = result.cascade
    shock = 100.0 * abs(c.shock)
    move = 100.0 * abs(c.move)
    if result.rho_over_depth >= 1.0:
        return (f"Past the critical point (k = {result.rho_over_depth:.2f}): the "
                f"{shock:.1f}% shock ran through the cluster to a {move:.1f}% move")
    if c.n_liquidated == 0:
        return f"The {shock:.1f}% shock crossed no liquidation price: no cascade"
    if c.amplification > 2.0 * result.multiplier:
        return (f"A {shock:.1f}% shock became a {move:.1f}% move, {c.amplification:.2f}x, "
                f"though the gauge's k = {result.rho_over_depth:.2f} promises "
                f"{result.multiplier:.2f}x: the fall reached denser liquidation prices below")
    return (f"Forced sales turned a {shock:.1f}% shock into a {move:.1f}% move: "
            f"{c.amplification:.2f}x the shock")


class FeedbackLoopLab(Lab):
    """Shock a leveraged market and watch the liquidation loop, round by round.

    Controls (name: unit): ``shock`` (% price drop), ``depth`` (units per 1% move),
    ``impact`` (model), ``leverage`` (median, x), ``max_leverage`` (x), ``long_share`` (% of
    positions long), ``maintenance`` (% of notional). Summary: see
    :attr:`cascadelab.chapters.essence.FeedbackLoopResult.summary`.
    """

    title = "Shock a leveraged market"
    figsize = FeedbackLoopView.figsize
    headline: ClassVar[dict[str, Any]] = {
        "amplification": "amplification <b>{:.2f}x</b>",
        "final_price": "final price <b>{:,.2f} USD</b>",
        "move_pct": "move <b>{:+.1f}%</b>",
        "n_liquidated": "<b>{:,.0f}</b> positions liquidated",
        "liquidated_units": lambda v: f"<b>{si(v, 'units')}</b>",
        "rounds": "in <b>{:.0f}</b> rounds",
        "rho_over_depth": "k = ρ/D <b>{:.2f}</b>",
        "penalties": lambda v: f"penalties <b>{si(v, 'USD')}</b>",
        "bad_debt": lambda v: f"bad debt <b>{si(v, 'USD')}</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        d = FeedbackLoopParams()
        super().__init__(
            {
                "shock": slider(
                    "Shock (%)", 0.5, 20.0, 100.0 * d.shock, step=0.5,
                    tooltip="The first price drop, before any forced sale"),
                "depth": log_slider(
                    "Depth (units/1%)", 2e4, 2e6, d.depth,
                    tooltip="Units a market sell must trade to move the price 1%: "
                            "thinner books slip more"),
                "impact": dropdown(
                    "Impact model", list(IMPACT_MODELS), d.impact,
                    tooltip="How the price responds to a sell: linear, exponential or "
                            "square-root law"),
                "leverage": slider(
                    "Median leverage (x)", 2.0, 20.0, d.leverage, step=0.5,
                    tooltip="Half the traders use more than this: higher means "
                            "liquidation prices closer to today's price"),
                "max_leverage": slider(
                    "Max leverage (x)", 20.0, 100.0, d.max_leverage, step=5.0,
                    readout_format=".0f",
                    tooltip="The most the venue allows: the tail of the riskiest traders"),
                "long_share": slider(
                    "Long share (%)", 5.0, 95.0, 100.0 * d.long_share, step=5.0,
                    readout_format=".0f",
                    tooltip="Share of positions that are long, and so hit by a fall"),
                "maintenance": slider(
                    "Maintenance (%)", 0.1, 1.9, 100.0 * d.maintenance, step=0.1,
                    readout_format=".1f",
                    tooltip="Margin a position must keep, % of its notional: higher "
                            "means earlier liquidation and more left to pay the 1% "
                            "penalty; below 100 / max leverage"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Build the four panels (see :class:`FeedbackLoopView`)."""
        self.view = FeedbackLoopView(fig)

    def compute(self, *, shock: float, depth: float, impact: str, leverage: float,
                max_leverage: float, long_share: float, maintenance: float
                ) -> FeedbackLoopResult:
        """Run :func:`~cascadelab.chapters.essence.feedback_loop_scenario` (% -> fractions)."""
        return feedback_loop_scenario(
            shock=shock / 100.0, depth=float(depth), impact=impact, leverage=float(leverage),
            max_leverage=float(max_leverage), long_share=long_share / 100.0,
            maintenance=maintenance / 100.0,
        )

    def summarize(self, result: FeedbackLoopResult) -> dict[str, float]:
        """The scenario's summary."""
        return result.summary

    def draw(self, result: FeedbackLoopResult) -> None:
        """Update the four panels in place."""
        self.view.update(result)

    def takeaway_text(self, result: FeedbackLoopResult) -> str:
        """What the current picture says, in one line."""
        return _takeaway(result)


def feedback_loop_lab(**defaults: Any) -> FeedbackLoopLab:
    """The feedback-loop lab of chapter 00, with optional starting values.

    Parameters
    ----------
    **defaults
        Starting value per control, in the control's unit: ``shock`` (%), ``depth`` (units per
        1%), ``impact`` ("linear", "exponential", "sqrt"), ``leverage`` and ``max_leverage``
        (x), ``long_share`` (%), ``maintenance`` (% of notional).

    Returns
    -------
    FeedbackLoopLab

    Examples
    --------
    >>> lab = feedback_loop_lab(shock=5.0)
    >>> lab.update(depth=50_000.0)          # one recompute, one redraw
    >>> lab.summary["amplification"] > 2.0
    True
    """
    return FeedbackLoopLab(**defaults)
