"""Chapter 03 lab: size the insurance fund and see who pays the bad debt
(:func:`cascadelab.chapters.approach.insurance_fund_scenario`)."""

from __future__ import annotations

from typing import Any, ClassVar

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from cascadelab import plotting as cp
from cascadelab.chapters.approach import FAST_CRASH, FundResult, insurance_fund_scenario
from cascadelab.widgets._base import Lab, log_slider, si, slider
from cascadelab.widgets.approach._layout import WhoPaid, legend_above

__all__ = ["InsuranceFundLab", "InsuranceFundView", "insurance_fund_lab"]


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
        self.paid = WhoPaid(self.ax_time, winners="socialised on the other side",
                            uncovered="uncovered", balance="fund balance (dashed)",
                            balance_style={"ls": "--", "lw": 1.6})
        self.fund_area, self.soc_area = self.paid.fund_area, self.paid.win_area
        self.unc_area, self.balance = self.paid.unc_area, self.paid.balance
        self.empty_line = self.ax_time.axvline(np.nan, color=cp.CRITICAL, ls=":", lw=1.2,
                                               label="fund empty (dotted)")
        self.legend = legend_above(fig, [*self.paid.handles(), self.empty_line], ncols=3)
        names = ["fund", "socialised", "uncovered"]
        self.bars = self.ax_total.bar(names, [0.0, 0.0, 0.0],
                                      color=[cp.INSURANCE_FUND, cp.BAD_DEBT, cp.CRITICAL])
        cp.label(self.ax_total, y="paid", yunit="M USD", title="in total")
        for ax in (self.ax_time, self.ax_total):
            ax.locator_params(axis="y", nbins=5)

    def update(self, result: FundResult) -> None:
        """Point every artist at ``result`` and rescale (no artist is created)."""
        r = result.result
        fund, soc, unc = self.paid.update(result.paid_by_fund, result.socialized,
                                          result.uncovered, r.insurance_fund, view=60)
        step = result.summary["exhausted_step"]
        self.empty_line.set_xdata([step, step] if step >= 0 else [np.nan, np.nan])
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
