r"""The bridge-outage lab of chapter 04 (:func:`bridge_lab`, :class:`BridgeView`)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from cascadelab import plotting as cp
from cascadelab.chapters._course import cached
from cascadelab.chapters.evolution import BridgeResult, BridgeSweep, bridge_scenario, bridge_sweep
from cascadelab.market import IMPACT_MODELS
from cascadelab.widgets._base import Lab, dropdown, log_slider, si, slider

__all__ = ["BridgeLab", "BridgeView", "bridge_lab"]


@cached
def _bridge_curve(shock: float, depth: float, impact: str) -> BridgeSweep:
    return bridge_sweep(shock=shock, depth=depth, impact=impact)


class BridgeView:
    """The price round by round with and without the outage; amplification against the share.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        An empty figure.
    """

    #: Figure size (inches) the view is laid out for.
    figsize: ClassVar[tuple[float, float]] = (9.5, 4.6)

    def __init__(self, fig: Figure) -> None:
        self.figure = fig
        self.ax_path, self.ax_amp = fig.subplots(1, 2, width_ratios=[1.0, 1.1])
        ax = self.ax_path
        (self.normal,) = ax.step([], [], where="post", color=cp.BASELINE, ls="--", lw=1.8,
                                 label="whole book")
        (self.outage,) = ax.step([], [], where="post", color=cp.PRICE, lw=2.0,
                                 label="bridge down")
        ax.legend(loc="upper right", fontsize=8)
        cp.label(ax, x="round (1 = the shock)", y="price", yunit="USD",
                 title="the same shock, less depth")

        ax = self.ax_amp
        (self.sim,) = ax.plot([], [], color=cp.PRICE, lw=2.0, label="simulated")
        (self.theory,) = ax.plot([], [], color=cp.THEORY, ls=":", lw=1.8,
                                 label=r"$1/(1-\rho/((1-\eta)D))$")
        self.critical = ax.axvline(0.0, color=cp.CRITICAL, ls="--", lw=1.5,
                                   label="critical share (estimate)")
        (self.dot,) = ax.plot([], [], "o", color=cp.PRICE, ms=7)
        ax.legend(loc="upper left", fontsize=8)
        cp.label(ax, x="share of depth behind the bridge", xunit="%", y="amplification",
                 yunit="x", title="amplification against bridged depth")

    def update(self, result: BridgeResult, sweep: BridgeSweep) -> None:
        """Point every artist at ``result`` and ``sweep``."""
        for line, res in ((self.normal, result.normal), (self.outage, result.outage)):
            path = np.r_[res.price, res.round_prices]
            line.set_data(np.arange(path.size + 1, dtype=float), np.r_[path, path[-1]])
        lo = min(result.normal.final_price, result.outage.final_price)
        pad = 0.06 * (result.normal.price - lo) + 0.5
        self.ax_path.set_ylim(lo - pad, result.normal.price + pad)
        n = max(result.normal.rounds, result.outage.rounds) + 2
        self.ax_path.set_xlim(0.0, max(n, 4))

        x = 100.0 * sweep.shares
        self.sim.set_data(x, sweep.amplification)
        top = 1.25 * max(float(sweep.amplification.max()), result.outage.amplification)
        self.theory.set_data(x, np.where(sweep.closed_form <= top, sweep.closed_form, np.nan))
        self.critical.set_xdata([100.0 * sweep.critical_share] * 2)
        self.dot.set_data([100.0 * result.share], [result.outage.amplification])
        self.ax_amp.set_xlim(0.0, 100.0 * max(float(sweep.shares.max()), result.share))
        self.ax_amp.set_ylim(0.0, top)


def _bridge_takeaway(res: BridgeResult) -> str:
    a0, a1 = res.normal.amplification, res.outage.amplification
    return (f"With {res.share:.0%} of the depth cut off, the same shock is amplified "
            f"{a1:.2f}x instead of {a0:.2f}x")


class BridgeLab(Lab):
    """A bridge outage removes part of the book: the same shock cascades further.

    Controls (name: unit): ``share`` (% of depth behind the bridge), ``shock`` (% price drop),
    ``depth`` (total units per 1%), ``impact`` (model). Summary:
    :attr:`cascadelab.chapters.evolution.BridgeResult.summary`.
    """

    title = "Cut a bridge and shock the market"
    figsize = BridgeView.figsize
    headline: ClassVar[dict[str, Any]] = {
        "amplification_normal": "amplification: whole book <b>{:.2f}x</b>",
        "amplification_outage": "bridge down <b>{:.2f}x</b>",
        "liquidated_outage": lambda v: f"liquidated <b>{si(v, 'units')}</b>",
        "bad_debt_outage": lambda v: f"bad debt <b>{si(v, 'USD')}</b>",
        "critical_share": "critical share <b>{:.0%}</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__(
            {
                "share": slider(
                    "Bridged depth (%)", 0.0, 90.0, 30.0, step=5.0, readout_format=".0f",
                    tooltip="Share of the book's depth that sits on another chain and "
                            "vanishes when the bridge is down"),
                "shock": slider("Shock (%)", 1.0, 15.0, 2.0, step=0.5,
                                tooltip="The first price drop, before any forced sale"),
                "depth": log_slider(
                    "Total depth (units/1%)", 5e4, 1e6, 2e5,
                    tooltip="Units that move the price 1% with every chain connected"),
                "impact": dropdown("Impact model", list(IMPACT_MODELS), "linear",
                                   tooltip="How the price responds to a sell"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Build the two panels (see :class:`BridgeView`)."""
        self.view = BridgeView(fig)

    def compute(self, *, share: float, shock: float, depth: float,
                impact: str) -> tuple[BridgeResult, BridgeSweep]:
        """The shock at the current share, and the curve against the share (cached)."""
        s, d = shock / 100.0, float(depth)
        res = bridge_scenario(share=share / 100.0, shock=s, depth=d, impact=impact)
        return res, _bridge_curve(s, d, impact)

    def summarize(self, result: tuple[BridgeResult, BridgeSweep]) -> dict[str, float]:
        """The scenario's summary."""
        return result[0].summary

    def draw(self, result: tuple[BridgeResult, BridgeSweep]) -> None:
        """Update the panels in place."""
        self.view.update(*result)

    def takeaway_text(self, result: tuple[BridgeResult, BridgeSweep]) -> str:
        """What the current picture says."""
        return _bridge_takeaway(result[0])


def bridge_lab(**defaults: Any) -> BridgeLab:
    """The bridge-outage lab of chapter 04.

    Parameters
    ----------
    **defaults
        Starting values: ``share`` and ``shock`` (%), ``depth`` (units per 1%), ``impact``.

    Examples
    --------
    >>> lab = bridge_lab(share=0.0)
    >>> lab.update(share=60.0)
    >>> lab.summary["amplification_outage"] > lab.summary["amplification_normal"]
    True
    """
    return BridgeLab(**defaults)
