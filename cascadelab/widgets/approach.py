"""The labs of chapter 03 (approach): circuit breaker, gradual liquidation, insurance fund."""

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
    FundResult,
    PolicyPair,
    circuit_breaker_scenario,
    drawdown_path,
    gradual_scenario,
    insurance_fund_scenario,
)
from cascadelab.widgets._base import Lab, int_slider, log_slider, si, slider

__all__ = [
    "CircuitBreakerLab",
    "CircuitBreakerView",
    "GradualLiquidationLab",
    "InsuranceFundLab",
    "InsuranceFundView",
    "circuit_breaker_lab",
    "gradual_liquidation_lab",
    "insurance_fund_lab",
]


def _legend_above(fig: Figure, handles: list[Any], ncols: int) -> Any:
    """One legend for the whole figure, above the panels: never on the data.

    The constrained layout makes room for it; it is built once and never redrawn.
    """
    return fig.legend(handles=handles, loc="outside upper right", ncols=ncols, fontsize=8,
                      frameon=False, handlelength=1.8, columnspacing=1.2)


# ------------------------------------------------------------------------ gradual liquidation
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
        self.legend = _legend_above(fig, [self.price, self.base_price, self.liq, self.cap_line],
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


# ----------------------------------------------------------------------------- insurance fund
class InsuranceFundView:
    """Who paid the bad debt, over time (stacked) and in total, built once and updated in place.

    Usable without widgets: ``InsuranceFundView(fig).update(result)``.
    """

    figsize = (9.0, 4.6)

    def __init__(self, fig: Figure) -> None:
        self.figure = fig
        with mpl.rc_context({"axes.titley": 1.0}):
            gs = fig.add_gridspec(1, 2, width_ratios=[2.4, 1.0])
            self.ax_time = fig.add_subplot(gs[0])
            self.ax_total = fig.add_subplot(gs[1])
        edges = np.array([0.0, 1.0])
        self.fund_area = self.ax_time.stairs([0.0], edges, baseline=0.0, fill=True,
                                             color=cp.INSURANCE_FUND, alpha=0.8,
                                             label="paid by the fund")
        self.soc_area = self.ax_time.stairs([0.0], edges, baseline=0.0, fill=True,
                                            color=cp.BAD_DEBT, alpha=0.8,
                                            label="socialised on the other side")
        self.unc_area = self.ax_time.stairs([0.0], edges, baseline=0.0, fill=True,
                                            color=cp.CRITICAL, alpha=0.8, label="uncovered")
        (self.balance,) = self.ax_time.plot([], [], color=cp.INSURANCE_FUND, ls="--", lw=1.6,
                                            label="fund balance (dashed)")
        self.empty_line = self.ax_time.axvline(np.nan, color=cp.CRITICAL, ls=":", lw=1.2,
                                               label="fund empty (dotted)")
        self.legend = _legend_above(fig, [self.fund_area, self.soc_area, self.unc_area,
                                          self.balance, self.empty_line], ncols=3)
        cp.label(self.ax_time, x="step", y="cumulative", yunit="M USD",
                 title="who has paid the bad debt so far")
        names = ["fund", "socialised", "uncovered"]
        self.bars = self.ax_total.bar(names, [0.0, 0.0, 0.0],
                                      color=[cp.INSURANCE_FUND, cp.BAD_DEBT, cp.CRITICAL])
        cp.label(self.ax_total, y="paid", yunit="M USD", title="in total")
        for ax in (self.ax_time, self.ax_total):
            ax.locator_params(axis="y", nbins=5)

    def update(self, result: FundResult) -> None:
        """Point every artist at ``result`` and rescale (no artist is created)."""
        r = result.result
        steps = r.steps
        edges = np.arange(steps + 1, dtype=float) - 0.5
        fund, soc, unc = result.paid_by_fund / 1e6, result.socialized / 1e6, result.uncovered / 1e6
        self.fund_area.set_data(fund, edges, baseline=0.0)
        self.soc_area.set_data(fund + soc, edges, baseline=fund)
        self.unc_area.set_data(fund + soc + unc, edges, baseline=fund + soc)
        self.balance.set_data(np.arange(steps, dtype=float), r.insurance_fund / 1e6)
        step = result.summary["exhausted_step"]
        self.empty_line.set_xdata([step, step] if step >= 0 else [np.nan, np.nan])
        view = min(steps, 60)
        self.ax_time.set_xlim(-0.5, view - 0.5)
        top = max(float((fund + soc + unc)[-1]), float(r.insurance_fund.max()) / 1e6, 0.1)
        self.ax_time.set_ylim(0.0, 1.1 * top)
        totals = (fund[-1], soc[-1], unc[-1])
        for bar, h in zip(self.bars, totals, strict=True):
            bar.set_height(h)
        self.ax_total.set_ylim(0.0, 1.15 * max(max(totals), 0.1))


class InsuranceFundLab(Lab):
    """Size the insurance fund and see who pays the bad debt of a crash.

    Controls (name: unit): ``fund`` (M USD at the start), ``penalty_to_fund`` (% of penalties
    paid into the fund), ``shock`` (%), ``depth`` (units per 1%). Summary: see
    :class:`cascadelab.chapters.approach.FundResult`.
    """

    title = "Fill an insurance fund and watch it drain"
    figsize = InsuranceFundView.figsize
    headline: ClassVar[dict[str, Any]] = {
        "bad_debt": lambda v: f"bad debt <b>{si(v, 'USD')}</b>",
        "paid_by_fund": lambda v: f"fund paid <b>{si(v, 'USD')}</b>",
        "socialized": lambda v: f"socialised <b>{si(v, 'USD')}</b>",
        "fund_left": lambda v: f"fund left <b>{si(v, 'USD')}</b>",
        "exhausted_step": lambda v: ("fund never ran dry" if v < 0
                                     else f"fund empty at step <b>{v:.0f}</b>"),
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__(
            {
                "fund": slider(
                    "Fund (M USD)", 0.0, 15.0, 3.0, step=0.25, readout_format=".2f",
                    tooltip="Balance of the insurance fund before the crash: what absorbs "
                            "bad debt before the other traders do"),
                "penalty_to_fund": slider(
                    "Penalties to fund (%)", 0.0, 100.0, 100.0, step=5.0, readout_format=".0f",
                    tooltip="Share of liquidation penalties paid into the fund (the rest to "
                            "liquidators)"),
                "shock": slider(
                    "Shock (%)", 1.0, 15.0, 100.0 * FAST_CRASH.shock, step=0.5,
                    tooltip="The first drop, at step 10: larger means more bad debt"),
                "depth": log_slider(
                    "Depth (units/1%)", 2e4, 1e6, FAST_CRASH.depth,
                    tooltip="Units a market sell must trade to move the price 1%"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Build the two panels (see :class:`InsuranceFundView`)."""
        self.view = InsuranceFundView(fig)

    def compute(self, *, fund: float, penalty_to_fund: float, shock: float,
                depth: float) -> FundResult:
        """Run :func:`~cascadelab.chapters.approach.insurance_fund_scenario` (M USD, percent)."""
        return insurance_fund_scenario(
            fund * 1e6, penalty_to_fund=penalty_to_fund / 100.0,
            scenario=FAST_CRASH.replace(shock=shock / 100.0, depth=float(depth)),
        )

    def summarize(self, result: FundResult) -> dict[str, float]:
        """The scenario's summary."""
        return result.summary

    def draw(self, result: FundResult) -> None:
        """Update both panels in place."""
        self.view.update(result)

    def takeaway_text(self, result: FundResult) -> str:
        """What the current picture says, in one line."""
        s = result.summary
        if s["bad_debt"] <= 0.0:
            return "No bad debt: the fund only collected penalties"
        if s["socialized"] + s["uncovered"] <= 0.0:
            return (f"The fund absorbed all {si(s['bad_debt'], 'USD')} of bad debt and kept "
                    f"{si(s['fund_left'], 'USD')}")
        return (f"The fund covered {s['fund_share']:.0%} of {si(s['bad_debt'], 'USD')} of "
                f"bad debt; {si(s['socialized'], 'USD')} was taken from traders on the other side")


def insurance_fund_lab(**defaults: Any) -> InsuranceFundLab:
    """The insurance-fund lab of chapter 03, with optional starting values.

    Parameters
    ----------
    **defaults
        ``fund`` (M USD), ``penalty_to_fund`` (%), ``shock`` (%), ``depth`` (units per 1%).

    Examples
    --------
    >>> lab = insurance_fund_lab(fund=1.0)
    >>> small = lab.summary["socialized"]
    >>> lab.update(fund=10.0)
    >>> lab.summary["socialized"] < small
    True
    """
    return InsuranceFundLab(**defaults)




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
        self.legend = _legend_above(fig, [self.price, self.base_price, self.halt_price, self.liq,
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
