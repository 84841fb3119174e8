"""Chapter 03 lab: when the fund runs dry, who pays, a pro-rata levy or auto-deleveraging
(:func:`cascadelab.chapters.approach.adl_scenario`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as W
import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from cascadelab import plotting as cp
from cascadelab.chapters.approach import ADL_CRASH, AdlResult, adl_scenario
from cascadelab.widgets._base import Lab, log_slider, si, slider
from cascadelab.widgets.approach._layout import WhoPaid, legend_above

__all__ = ["AdlLab", "AdlView", "adl_lab"]

#: Line style of each rule in the haircut panel (told apart by style, not colour alone).
STYLE = {"adl": {"color": cp.LIQUIDATIONS, "ls": "-", "lw": 2.0},
         "socialise": {"color": cp.BAD_DEBT, "ls": "--", "lw": 1.8}}


def _count(v: float) -> str:
    return f"{v:,.0f}"


class AdlView:
    """Who pays, over time (the chosen rule, stacked) and per trader (both rules), built once
    and updated in place.

    Usable without widgets: ``AdlView(fig).update(result)``.
    """

    figsize = (9.0, 4.8)

    def __init__(self, fig: Figure) -> None:
        self.figure = fig
        with mpl.rc_context({"axes.titley": 1.0}):
            gs = fig.add_gridspec(1, 2, width_ratios=[1.25, 1.0])
            self.ax_time = fig.add_subplot(gs[0])
            self.ax_cut = fig.add_subplot(gs[1])
        self.paid = WhoPaid(self.ax_time, winners="paid by the winners (levy or ADL)",
                            uncovered="uncovered (hatched)", balance="fund balance (dotted)",
                            balance_style={"ls": ":", "lw": 1.8}, hatch="xx")
        self.fund_area, self.win_area = self.paid.fund_area, self.paid.win_area
        self.unc_area, self.balance = self.paid.unc_area, self.paid.balance
        self._rule_shown = ""
        (self.adl_line,) = self.ax_cut.step([], [], where="post", **STYLE["adl"],
                                            label="haircuts under ADL (solid)")
        (self.levy_line,) = self.ax_cut.step([], [], where="post", **STYLE["socialise"],
                                             label="haircuts under the levy (dashed)")
        self.ax_cut.set_xscale("log")
        self.ax_cut.set_yscale("log")
        cp.label(self.ax_cut, x="traders who paid, largest first", xunit="rank, log",
                 y="haircut", yunit="USD, log", title="what each winner paid")
        self.legend = legend_above(fig, [*self.paid.handles(), self.adl_line, self.levy_line],
                                   ncols=3)
        self.ax_time.locator_params(axis="y", nbins=5)

    def update(self, result: AdlResult) -> None:
        """Point every artist at ``result`` and rescale (no artist is created)."""
        c = result.chosen
        r = c.result
        self.paid.update(c.paid_by_fund, c.covered, c.uncovered, r.insurance_fund, view=40)
        if c.name != self._rule_shown:  # in the figure's style, as built in setup
            with cp.style_context():
                cp.label(self.ax_time, title=f"who has paid the bad debt so far, under {c.name}")
            self._rule_shown = c.name
        hi, lo = 1.0, np.inf
        for line, out in ((self.adl_line, result.adl), (self.levy_line, result.levy)):
            h = np.asarray(out.haircut)
            h = h[h > 0.0]
            if h.size:
                # a step curve: trader k (k = 1, 2, ...) paid h[k-1]; the last step ends at n + 1
                line.set_data(np.arange(1, h.size + 2, dtype=float), np.append(h, h[-1]))
                hi, lo = max(hi, float(h[0])), min(lo, float(h[-1]))
            else:
                line.set_data([], [])
        n = max(result.summary["traders_levy"], result.summary["traders_adl"], 1.0)
        self.ax_cut.set_xlim(0.8, 1.5 * (n + 1))
        lo = min(lo, hi / 10.0) if np.isfinite(lo) else hi / 100.0
        self.ax_cut.set_ylim(0.5 * lo, 2.0 * hi)


class AdlLab(Lab):
    """Cover the bad debt the fund leaves with a pro-rata levy or with ADL, and see who pays.

    Controls (name: unit): ``fund`` (M USD at the start), ``loss_rule`` ("adl" or
    "socialise"), ``shock`` (%), ``depth`` (units per 1%). Summary: see
    :class:`cascadelab.chapters.approach.AdlResult` (``traders_adl``, ``traders_levy``,
    ``largest_adl``, ``largest_levy``, ``bad_debt``, ``uncovered``, ...).
    """

    title = "Who pays when the fund runs dry: a levy or ADL"
    figsize = AdlView.figsize

    def __init__(self, **defaults: Any) -> None:
        super().__init__(
            {
                "fund": slider(
                    "Fund (M USD)", 0.0, 12.0, 8.0, step=0.25, readout_format=".2f",
                    tooltip="Insurance fund before the crash: the winners pay only what it "
                            "cannot"),
                "loss_rule": W.ToggleButtons(
                    options=[("ADL", "adl"), ("Levy", "socialise")], value="adl",
                    description="Loss rule", tooltips=[
                        "Auto-deleveraging: close the top-ranked profitable shorts at the "
                        "bankrupt longs' bankruptcy price",
                        "Pro-rata levy: every open short pays the same per unit held"],
                    style={"description_width": "initial", "button_width": "110px"},
                    tooltip="Which rule covers the bad debt the fund cannot pay",
                    layout=W.Layout(width="100%")),
                "shock": slider(
                    "Shock (%)", 1.0, 15.0, 100.0 * ADL_CRASH.shock, step=0.5,
                    tooltip="The drop at step 10: larger means more bad debt"),
                "depth": log_slider(  # from 1e4: 100,000 is on the slider's grid
                    "Depth (units/1%)", 1e4, 1e6, ADL_CRASH.depth,
                    tooltip="Units a market sell must trade to move the price 1%"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Build the two panels (see :class:`AdlView`)."""
        self.view = AdlView(fig)

    def compute(self, *, fund: float, loss_rule: str, shock: float, depth: float) -> AdlResult:
        """Run :func:`~cascadelab.chapters.approach.adl_scenario` (M USD, percent)."""
        return adl_scenario(fund * 1e6, loss_rule=loss_rule, shock=shock / 100.0,
                            depth=float(depth))

    def summarize(self, result: AdlResult) -> dict[str, float]:
        """The scenario's summary."""
        return result.summary

    def draw(self, result: AdlResult) -> None:
        """Update both panels in place."""
        self.view.update(result)

    def headline_text(self, summary: Mapping[str, float]) -> str:
        """Traders who paid under each rule, the largest haircuts, the bad debt and what was
        left uncovered (the chosen rule first)."""
        s = summary
        if not s:
            return ""
        if s["traders_levy"] == 0.0:
            return (f"the fund paid all <b>{si(s['bad_debt'], 'USD')}</b> of bad debt: "
                    "no winner pays under either rule")
        rule = "ADL" if s["is_adl"] else "levy"
        return " &middot; ".join([
            f"ADL closes <b>{_count(s['traders_adl'])}</b> of {_count(s['winners'])} winners, "
            f"the levy charges <b>{_count(s['traders_levy'])}</b>",
            f"largest haircut ADL <b>{si(s['largest_adl'], 'USD')}</b>, levy "
            f"<b>{si(s['largest_levy'], 'USD')}</b>",
            f"bad debt <b>{si(s['bad_debt'], 'USD')}</b>",
            f"uncovered under {rule} <b>{si(s['uncovered'], 'USD')}</b>",
        ])

    def takeaway_text(self, result: AdlResult) -> str:
        """What the current picture says, in one line."""
        return takeaway_line(result.summary)


def takeaway_line(s: Mapping[str, float]) -> str:
    """The lab's one-line takeaway for the summary ``s`` of an :class:`AdlResult`."""
    if s["traders_levy"] == 0.0:
        return "The fund covered the whole loss: neither rule was needed"
    a, lv = s["uncovered_adl"] >= 1.0, s["uncovered_levy"] >= 1.0  # USD: rounding is not a loss
    closed = f"ADL closes {s['share_closed']:.0%} of the winners"
    if a and lv:
        return (f"Both rules ran out of winners: ADL left {si(s['uncovered_adl'], 'USD')} "
                f"uncovered, the levy {si(s['uncovered_levy'], 'USD')} once every short it "
                "charged had been liquidated")
    if a:
        return (f"ADL ran out of profitable shorts after closing {s['share_closed']:.0%} of them "
                f"and left {si(s['uncovered_adl'], 'USD')} uncovered; the levy covered it all")
    if lv:
        return (f"{closed} and covers the loss; the levy left {si(s['uncovered_levy'], 'USD')} "
                "uncovered once every short it charged had been liquidated")
    ratio = s["largest_adl"] / s["largest_levy"]
    return f"{closed}; its largest haircut is {ratio:.1f} times the levy's"


def adl_lab(**defaults: Any) -> AdlLab:
    """The auto-deleveraging lab of chapter 03, with optional starting values.

    Parameters
    ----------
    **defaults
        ``fund`` (M USD), ``loss_rule`` ("adl" or "socialise"), ``shock`` (%), ``depth``
        (units per 1%).

    Examples
    --------
    >>> lab = adl_lab()
    >>> lab.summary["traders_adl"] < lab.summary["traders_levy"]
    True
    >>> lab.update(fund=0.0)
    >>> lab.summary["uncovered"] > 0.0
    True
    """
    return AdlLab(**defaults)
