r"""The default-waterfall lab of chapter 04 (:func:`waterfall_lab`, :class:`WaterfallView`)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from cascadelab import plotting as cp
from cascadelab.chapters.evolution import ASSESSMENT_CAP, ClearingResult, clearing_scenario
from cascadelab.widgets._base import Lab, int_slider, slider

__all__ = ["WaterfallLab", "WaterfallView", "waterfall_lab"]


#: Who pays each layer of the waterfall, and its colour: the defaulter in grey, the CCP's own
#: capital in hatched grey, the survivors (fund and assessments) in bluish green, as in the
#: right-hand panel, and the loss nobody funds in reddish purple (bad debt).
_LAYER_STYLE = (
    ("margin", cp.BASELINE, ""),
    ("own fund\nshare", cp.BASELINE, ""),
    ("CCP\ncapital", cp.NEUTRAL, "///"),
    ("survivors'\nfund", cp.INSURANCE_FUND, ""),
    ("assess-\nments", cp.INSURANCE_FUND, "///"),
    ("unfunded", cp.BAD_DEBT, ""),
)


class WaterfallView:
    """Each layer's size and draw; each member's loss with and without the clearing house.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        An empty figure.
    """

    #: Figure size (inches) the view is laid out for.
    figsize: ClassVar[tuple[float, float]] = (9.5, 5.2)

    def __init__(self, fig: Figure) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        self.figure = fig
        self.ax_fall, self.ax_members = fig.subplots(1, 2, width_ratios=[1.0, 1.2])
        ax = self.ax_fall
        n = len(_LAYER_STYLE)
        x = np.arange(n)
        self.capacity = ax.bar(x[:-1], np.zeros(n - 1), width=0.7, color="none",
                               edgecolor=cp.BASELINE, lw=1.2, ls="--")
        self.draws = ax.bar(x, np.zeros(n), width=0.7,
                            color=[c for _, c, _ in _LAYER_STYLE],
                            hatch=None, edgecolor="white")
        for bar, (_, _, hatch) in zip(self.draws, _LAYER_STYLE, strict=True):
            bar.set_hatch(hatch)
        self.draw_text = [ax.text(i, 0.0, "", ha="center", va="bottom", fontsize=8) for i in x]
        ax.set_xticks(x, [t for t, _, _ in _LAYER_STYLE], fontsize=8)
        ax.grid(False, axis="x")
        cp.label(ax, y="paid", yunit="USD m", title="the waterfall, in order")

        ax = self.ax_members
        self.bilateral = ax.stairs([0.0], [0.5, 1.5], fill=True, color=cp.LIQUIDATIONS,
                                   alpha=0.8)
        self.ccp = ax.stairs([0.0], [0.5, 1.5], color=cp.INSURANCE_FUND, lw=2.5)
        self.capital_line = ax.axhline(1.0, color=cp.FUNDAMENTAL, ls="--", lw=1.2)
        self.defaults = ax.scatter([], [], marker="x", s=36, color=cp.FUNDAMENTAL, zorder=3)
        cp.label(ax, x="surviving member (largest exposure first)", y="loss", yunit="USD m",
                 title="who pays for one default")
        ax.xaxis.get_major_locator().set_params(integer=True)
        handles = [
            Patch(facecolor=cp.BASELINE, label="paid by the defaulter"),
            Patch(facecolor=cp.NEUTRAL, hatch="///", edgecolor="white", label="CCP capital"),
            Patch(facecolor=cp.INSURANCE_FUND, label="survivors: fund"),
            Patch(facecolor=cp.INSURANCE_FUND, hatch="///", edgecolor="white",
                  label="survivors: assessments (capped)"),
            Patch(facecolor=cp.BAD_DEBT, label="unfunded"),
            Patch(facecolor="none", edgecolor=cp.BASELINE, ls="--", label="layer size"),
            Line2D([], [], color=cp.INSURANCE_FUND, lw=2.5,
                   label="each survivor with the CCP"),
            Patch(facecolor=cp.LIQUIDATIONS, alpha=0.8, label="each member, bilateral"),
            Line2D([], [], color=cp.FUNDAMENTAL, ls="--", lw=1.2, label="member capital"),
            Line2D([], [], color=cp.FUNDAMENTAL, marker="x", ls="", label="defaults (bilateral)"),
        ]
        fig.legend(handles=handles, loc="outside upper center", ncol=5, fontsize=8)

    def update(self, result: ClearingResult) -> None:
        """Point every artist at ``result``."""
        w = result.waterfall
        caps = np.array((*w.capacities[:-1],
                         w.capacities[-1] if np.isfinite(w.capacities[-1]) else w.mutualised))
        for bar, cap in zip(self.capacity, caps, strict=True):
            bar.set_height(cap)
        paid = (*w.draws, w.unfunded)
        tops = (*caps, w.unfunded)
        # the assessments' capacity can dwarf the loss: let its outline run off the top
        high = max(max(paid), float(caps[:-1].max()), w.loss * 0.2, 1e-6)
        for bar, text, d, cap in zip(self.draws, self.draw_text, paid, tops, strict=True):
            bar.set_height(d)
            text.set_text(f"{d:.1f}" if d > 0 else "")
            text.set_y(max(d, cap) if max(d, cap) <= high else d)
        self.ax_fall.set_ylim(0.0, 1.18 * high)

        hit = result.bilateral.hit[1:]
        m = hit.size
        edges = np.arange(m + 1) + 0.5
        self.bilateral.set_data(hit, edges)
        self.ccp.set_data(result.ccp_hit[1:], edges)
        self.capital_line.set_ydata([result.capital, result.capital])
        down = np.flatnonzero(result.bilateral.defaulted[1:])
        self.defaults.set_offsets(np.c_[down + 1.0, hit[down]] if down.size else
                                  np.empty((0, 2)))
        self.ax_members.set_xlim(0.5, m + 0.5)
        top = max(float(hit.max(initial=0.0)), result.capital, float(result.ccp_hit.max()))
        self.ax_members.set_ylim(0.0, 1.15 * max(top, 1e-6))


def _waterfall_takeaway(res: ClearingResult) -> str:
    s = res.summary
    ccp, bil = int(s["ccp_defaults"]), int(s["bilateral_defaults"])
    n = res.ccp_hit.size - 1
    if ccp:
        head = (f"With the CCP each survivor owes {s['per_survivor']:.2f}m against "
                f"{res.capital:.1f}m of capital: all {ccp} default")
    else:
        head = (f"With the CCP each of the {n} survivors loses {s['per_survivor']:.2f}m, "
                "none defaults")
    if s["unfunded"] > 0:
        head += f", {s['unfunded']:.1f}m unfunded"
    return f"{head}; bilaterally {bil} counterparties default in a chain"


class WaterfallLab(Lab):
    """One member defaults: a clearing house's waterfall against bilateral exposures.

    Controls (name: unit): ``loss``, ``margin``, ``default_fund``, ``ch_capital``,
    ``assessment_cap`` (per surviving member), ``capital`` (USD millions), ``members`` (count,
    the defaulter included), ``concentration`` (exponent of bilateral exposure shares). Summary:
    :attr:`cascadelab.chapters.evolution.ClearingResult.summary` (USD millions and counts).
    """

    title = "Share a default through a clearing house"
    figsize = WaterfallView.figsize
    headline: ClassVar[dict[str, Any]] = {
        "defaulter_pays": "defaulter pays <b>{:.1f}m</b>",
        "ch_capital": "CCP <b>{:.1f}m</b>",
        "survivors_fund": "fund <b>{:.1f}m</b>",
        "mutualised": "assessed <b>{:.1f}m</b>",
        "unfunded": "unfunded <b>{:.1f}m</b>",
        "per_survivor": "each survivor <b>{:.2f}m</b>",
        "ccp_defaults": "more defaults: CCP <b>{:.0f}</b>",
        "bilateral_defaults": "bilateral <b>{:.0f}</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__(
            {
                "loss": slider("Default loss (USD m)", 0.0, 150.0, 30.0, step=1.0,
                               readout_format=".0f",
                               tooltip="Loss from closing out the defaulter's portfolio"),
                "margin": slider("Defaulter margin (USD m)", 0.0, 40.0, 5.0, step=0.5,
                                 tooltip="Collateral the defaulter posted: the first layer"),
                "default_fund": slider(
                    "Default fund (USD m)", 0.0, 80.0, 16.0, step=1.0, readout_format=".0f",
                    tooltip="Fund all members pay into equally; the defaulter's share goes "
                            "first, the survivors' after the CCP's capital"),
                "ch_capital": slider(
                    "CCP capital (USD m)", 0.0, 20.0, 2.0, step=0.5,
                    tooltip="The clearing house's own money at risk ('skin in the game')"),
                "assessment_cap": slider(
                    "Assessment cap (USD m/member)", 0.0, 20.0, ASSESSMENT_CAP, step=0.5,
                    tooltip="Most the CCP can call from each survivor beyond its fund share; "
                            "real rulebooks cap it (CME: up to 550% of a contribution)"),
                "members": int_slider("Members (count)", 3, 40, 16,
                                      tooltip="Clearing members, the defaulter included"),
                "capital": slider(
                    "Member capital (USD m)", 0.5, 20.0, 4.0, step=0.5,
                    tooltip="Loss a member can absorb before it defaults too"),
                "concentration": slider(
                    "Concentration (γ)", 0.0, 3.0, 1.0, step=0.1,
                    tooltip="Bilateral only: 0 spreads the loss evenly, higher piles it on a "
                            "few big counterparties"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Build the two panels (see :class:`WaterfallView`)."""
        self.view = WaterfallView(fig)

    def compute(self, *, loss: float, margin: float, default_fund: float, ch_capital: float,
                assessment_cap: float, members: int, capital: float,
                concentration: float) -> ClearingResult:
        """Run :func:`~cascadelab.chapters.evolution.clearing_scenario`."""
        return clearing_scenario(loss=float(loss), margin=float(margin),
                                 default_fund=float(default_fund), ch_capital=float(ch_capital),
                                 members=int(members), capital=float(capital),
                                 assessment_cap=float(assessment_cap),
                                 concentration=float(concentration))

    def summarize(self, result: ClearingResult) -> dict[str, float]:
        """The scenario's summary."""
        return result.summary

    def draw(self, result: ClearingResult) -> None:
        """Update the panels in place."""
        self.view.update(result)

    def takeaway_text(self, result: ClearingResult) -> str:
        """What the current picture says."""
        return _waterfall_takeaway(result)


def waterfall_lab(**defaults: Any) -> WaterfallLab:
    """The default-waterfall lab of chapter 04.

    Parameters
    ----------
    **defaults
        Starting values: ``loss``, ``margin``, ``default_fund``, ``ch_capital``,
        ``assessment_cap``, ``capital`` (USD m), ``members`` (count), ``concentration``.

    Examples
    --------
    >>> lab = waterfall_lab(loss=10.0)
    >>> lab.summary["mutualised"]
    0.0
    """
    return WaterfallLab(**defaults)
