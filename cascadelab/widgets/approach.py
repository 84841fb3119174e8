r"""Chapter 03's other labs: liquidating in tranches, and the insurance fund's waterfall.

:func:`gradual_liquidation_lab` puts one market order per position (grey, dashed) against
tranches limited by a close factor, a share of the book per step and a cooldown; it shows the
price, the units sold per step and the slippage of each step's fills.
:func:`insurance_fund_lab` follows who pays the bad debt of a crash, step by step: the fund first,
then the open positions on the other side (socialised loss). The numbers come from
:func:`cascadelab.approach.gradual_scenario` and
:func:`cascadelab.approach.insurance_fund_scenario`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from cascadelab import plotting as cp
from cascadelab.approach import (
    FAST_CRASH,
    FundResult,
    PolicyPair,
    gradual_scenario,
    insurance_fund_scenario,
)
from cascadelab.widgets._base import Lab, int_slider, log_slider, si, slider

__all__ = [
    "GradualLiquidationLab",
    "InsuranceFundLab",
    "InsuranceFundView",
    "gradual_liquidation_lab",
    "insurance_fund_lab",
]



def _legend(ax: Any, items: tuple[tuple[str, str], ...], *, x: float, y: float,
            ha: str = "left") -> None:
    """Coloured words in a corner (cheaper to redraw than a legend)."""
    for k, (text, color) in enumerate(items):
        ax.text(x, y - 0.09 * k, text, color=color, ha=ha, va="top", fontsize=8,
                transform=ax.transAxes, fontweight="bold",
                bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1.0})


# ------------------------------------------------------------------------ gradual liquidation
class GradualLiquidationLab(Lab):
    """Close liquidated positions in tranches and compare with one market order each.

    Controls (name: unit): ``close_factor`` (% of a position per step), ``max_book_share``
    (x the depth per step; 0 = no cap), ``cooldown`` (steps between slices), ``shock`` (%).
    Summary: :class:`cascadelab.approach.PolicyPair` (``worst_slippage``/``_base``,
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
        (self.base_price,) = self.ax_price.plot([], [], color=cp.BASELINE, ls="--", lw=1.5)
        (self.price,) = self.ax_price.plot([], [], color=cp.PRICE, lw=1.8)
        _legend(self.ax_price, (("tranches", cp.PRICE), ("one order each (dashed)",
                                                         cp.BASELINE)), x=0.99, y=0.3, ha="right")
        cp.label(self.ax_price, y="price", yunit="USD", title="price")
        edges = np.array([0.0, 1.0])
        self.base_liq = self.ax_liq.stairs([0.0], edges, color=cp.BASELINE, ls="--", lw=1.2)
        self.liq = self.ax_liq.stairs([0.0], edges, fill=True, color=cp.LIQUIDATIONS, alpha=0.85)
        self.cap_line = self.ax_liq.axhline(0.0, color=cp.THEORY, ls=":", lw=1.2)
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
        """Run :func:`~cascadelab.approach.gradual_scenario` (percent -> fractions)."""
        return gradual_scenario(
            close_factor=close_factor / 100.0,
            max_book_share=float(max_book_share) if max_book_share > 0.0 else None,
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
                                             color=cp.INSURANCE_FUND, alpha=0.8)
        self.soc_area = self.ax_time.stairs([0.0], edges, baseline=0.0, fill=True,
                                            color=cp.BAD_DEBT, alpha=0.8)
        self.unc_area = self.ax_time.stairs([0.0], edges, baseline=0.0, fill=True,
                                            color=cp.CRITICAL, alpha=0.8)
        (self.balance,) = self.ax_time.plot([], [], color=cp.INSURANCE_FUND, ls="--", lw=1.6)
        self.empty_line = self.ax_time.axvline(np.nan, color=cp.CRITICAL, ls=":", lw=1.2)
        _legend(self.ax_time, (("paid by the fund", cp.INSURANCE_FUND),
                               ("socialised on the other side", cp.BAD_DEBT),
                               ("uncovered", cp.CRITICAL),
                               ("fund balance (dashed)", cp.INSURANCE_FUND)), x=0.98, y=0.97,
                ha="right")
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
    :class:`cascadelab.approach.FundResult`.
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
        """Run :func:`~cascadelab.approach.insurance_fund_scenario` (M USD, percent)."""
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
