r"""The oracle-network lab of chapter 04 (:func:`oracle_network_lab`,
:class:`OracleNetworkView`) and the figure of an AMM read as the oracle (:class:`AmmFeedView`)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from cascadelab import plotting as cp
from cascadelab.chapters.evolution import (
    AmmFeedResult,
    OracleNetworkResult,
    oracle_network_scenario,
)
from cascadelab.market import IMPACT_MODELS
from cascadelab.widgets._base import Lab, dropdown, int_slider, log_slider, si, slider

__all__ = ["AmmFeedView", "OracleNetworkLab", "OracleNetworkView", "oracle_network_lab"]


class OracleNetworkView:
    """The feeds and the price each oracle reports; the cost of moving them against depth.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        An empty figure.
    max_feeds : int
        Largest number of feeds the x axis shows.
    """

    #: Figure size (inches) the view is laid out for.
    figsize: ClassVar[tuple[float, float]] = (9.5, 4.8)

    def __init__(self, fig: Figure, max_feeds: int = 21) -> None:
        self.figure = fig
        self.ax_feeds, self.ax_cost = fig.subplots(1, 2, width_ratios=[1.0, 1.2])
        ax = self.ax_feeds
        # the median is drawn wide and the true price dashed on top of it, so both show
        # when the median sits on the true price
        self.median_line = ax.axhline(100.0, color=cp.INSURANCE_FUND, lw=4.0, alpha=0.8,
                                      label="median reports", zorder=2)
        self.single_line = ax.axhline(100.0, color=cp.CRITICAL, lw=2.0, label="one feed reports",
                                      zorder=2)
        self.true_line = ax.axhline(100.0, color=cp.FUNDAMENTAL, ls="--", lw=1.2,
                                    label="true price", zorder=4)
        self.honest = ax.scatter([], [], s=36, color=cp.PRICE, zorder=3, label="honest feed")
        self.bad = ax.scatter([], [], s=46, marker="X", color=cp.PREDATOR, zorder=3,
                              label="stale or rigged")
        ax.set_xlim(0.3, max_feeds + 0.7)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        ax.grid(False, axis="x")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=8)
        cp.label(ax, x="feed (number)", y="reading", yunit="USD",
                 title="what each oracle reports")

        ax = self.ax_cost
        (self.curve_single,) = ax.plot([], [], color=cp.CRITICAL, lw=2.0, label="one feed")
        (self.curve_network,) = ax.plot([], [], color=cp.INSURANCE_FUND, lw=2.5,
                                        label="median of N")
        self.prize_line = ax.axhline(1.0, color=cp.PREDATOR, ls="-.", lw=1.5,
                                     label="prize: penalties at the attack level")
        (self.dots,) = ax.plot([], [], "o", color=cp.THEORY, ms=6)
        self.depth_line = ax.axvline(1.0, color=cp.THEORY, ls=":", lw=1.2)
        self.free_text = ax.text(0.03, 0.95, "", transform=ax.transAxes, va="top", fontsize=9,
                                 color=cp.PREDATOR)
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(FuncFormatter(lambda v, _pos: si(v)))
        ax.legend(loc="lower right", fontsize=8)
        cp.label(ax, x="book depth of each venue", xunit="units per 1%",
                 y="cost to move the price", yunit="USD", title="what an attacker must spend")

    def update(self, result: OracleNetworkResult) -> None:
        """Point every artist at ``result``."""
        n = result.feeds.size
        x = np.arange(1, n + 1, dtype=float)
        bad = result.bad
        self.honest.set_offsets(np.c_[x[~bad], result.feeds[~bad]])
        self.bad.set_offsets(np.c_[x[bad], result.feeds[bad]])
        self.true_line.set_ydata([result.price, result.price])
        self.median_line.set_ydata([result.median, result.median])
        self.single_line.set_ydata([result.single, result.single])
        lo = min(float(result.feeds.min()), result.price)
        hi = max(float(result.feeds.max()), result.price)
        pad = 0.08 * (hi - lo) + 0.01 * result.price
        self.ax_feeds.set_ylim(lo - pad, hi + pad)
        self.ax_feeds.set_xlim(0.3, n + 0.7)

        self.curve_single.set_data(result.depths, result.curve_single)
        network = np.where(result.curve_network > 0.0, result.curve_network, np.nan)
        self.curve_network.set_data(result.depths, network)
        depth = result.cost_single / result.curve_single[0] * result.depths[0]
        costs = [result.cost_single, result.cost_network if result.cost_network > 0 else np.nan]
        self.dots.set_data([depth, depth], costs)
        self.depth_line.set_xdata([depth, depth])
        prize = result.prize if result.prize > 0 else np.nan
        self.prize_line.set_ydata([prize, prize])
        self.free_text.set_text("" if result.feeds_to_buy else
                                "bad feeds hold a majority:\nmoving the median costs nothing")
        self.ax_cost.set_xlim(result.depths[0], result.depths[-1])
        top = max(float(result.curve_network.max()), float(result.curve_single.max()))
        self.ax_cost.set_ylim(float(result.curve_single.min()) * 0.5, top * 2.0)


def _oracle_takeaway(res: OracleNetworkResult) -> str:
    n = res.feeds.size
    k = int(res.bad.sum())
    if res.feeds_to_buy == 0:
        return (f"{k} bad feeds out of {n} choose the median: it reports "
                f"{res.median_error:+.1%} like a single bad feed")
    if n == 1:
        return f"One venue sets the price: moving it costs {si(res.cost_single, 'USD')}"
    verdict = "less" if res.cost_network < res.prize else "more"
    return (f"{k} bad of {n}: the median stays within {abs(res.median_error):.2%}; moving it "
            f"costs {si(res.cost_network, 'USD')}, {res.feeds_to_buy}x one feed, {verdict} "
            f"than the {si(res.prize, 'USD')} prize")


class OracleNetworkLab(Lab):
    """A median of N price feeds with k bad ones, against a single feed.

    Controls (name: unit): ``n`` (feeds), ``k`` (bad feeds, clipped to n), ``attack``
    (% the bad feeds, or the attacker, push the price down), ``depth`` (units per 1% of each
    venue's book), ``impact`` (model). Summary: ``median_error`` and ``single_error``
    (fractions), ``feeds_to_buy``, ``cost_single`` and ``cost_network`` (USD).
    """

    title = "Read one feed or the median of many"
    figsize = OracleNetworkView.figsize
    headline: ClassVar[dict[str, Any]] = {
        "median_error": "median off by <b>{:+.1%}</b>",
        "single_error": "one feed off by <b>{:+.1%}</b>",
        "feeds_to_buy": "venues to push <b>{:.0f}</b>",
        "cost_single": lambda v: f"cost: one feed <b>{si(v, 'USD')}</b>",
        "cost_network": lambda v: f"median <b>{si(v, 'USD')}</b>",
        "prize": lambda v: f"prize <b>{si(v, 'USD')}</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__(
            {
                "n": int_slider("Feeds (N)", 1, 21, 7,
                                tooltip="Independent feeds the oracle takes the median of"),
                "k": int_slider("Bad feeds (k)", 0, 21, 2,
                                tooltip="Feeds that are stale or rigged (at most N)"),
                "attack": slider(
                    "Attack size (%)", 1.0, 50.0, 10.0, step=1.0, readout_format=".0f",
                    tooltip="How far below the true price the bad feeds report, and the "
                            "attacker wants the oracle"),
                "depth": log_slider(
                    "Venue depth (units/1%)", 1e2, 1e6, 2e3,
                    tooltip="Book depth of each venue a feed reads: low on-chain activity "
                            "means thin books"),
                "impact": dropdown(
                    "Impact model", list(IMPACT_MODELS), "linear",
                    tooltip="How a venue's price responds to the attacker's orders"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Build the two panels (see :class:`OracleNetworkView`)."""
        self.view = OracleNetworkView(fig, max_feeds=int(self.controls["n"].max))

    def compute(self, *, n: int, k: int, attack: float, depth: float,
                impact: str) -> OracleNetworkResult:
        """Run :func:`~cascadelab.chapters.evolution.oracle_network_scenario` (k clipped to n)."""
        return oracle_network_scenario(n=int(n), k=min(int(k), int(n)), deviation=-attack / 100.0,
                                       depth=float(depth), impact=impact)

    def summarize(self, result: OracleNetworkResult) -> dict[str, float]:
        """The scenario's summary."""
        return result.summary

    def draw(self, result: OracleNetworkResult) -> None:
        """Update the panels in place."""
        self.view.update(result)

    def takeaway_text(self, result: OracleNetworkResult) -> str:
        """What the current picture says."""
        return _oracle_takeaway(result)


def oracle_network_lab(**defaults: Any) -> OracleNetworkLab:
    """The oracle-network lab of chapter 04.

    Parameters
    ----------
    **defaults
        Starting values: ``n`` and ``k`` (counts), ``attack`` (%), ``depth`` (units per 1%),
        ``impact``.

    Examples
    --------
    >>> lab = oracle_network_lab(n=7, k=3)
    >>> abs(lab.summary["median_error"]) < 0.01
    True
    """
    return OracleNetworkLab(**defaults)


class AmmFeedView:
    """The cost of pushing a constant-product pool read as the oracle, against a median of
    venues of the same depth and against the prize, as the pool's reserves grow.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        An empty figure.
    """

    #: Figure size (inches) the view is laid out for.
    figsize: ClassVar[tuple[float, float]] = (8.0, 4.2)

    def __init__(self, fig: Figure) -> None:
        self.figure = fig
        ax = self.ax = fig.add_subplot()
        (self.amm,) = ax.plot([], [], color=cp.CRITICAL, lw=2.0,
                              label="one pool's spot price")
        (self.median,) = ax.plot([], [], color=cp.INSURANCE_FUND, lw=2.5,
                                 label="median of venues, each as deep as the pool")
        self.prize = ax.axhline(1.0, color=cp.PREDATOR, ls="-.", lw=1.5,
                                label="prize: penalties at the attack level")
        self.breakeven = ax.axvline(1.0, color=cp.THEORY, ls=":", lw=1.2,
                                    label="pool cheaper than the prize to the left")
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(FuncFormatter(lambda v, _pos: si(v)))
        ax.legend(loc="upper left", fontsize=8)
        cp.label(ax, x="pool's USD reserve", xunit="USD", y="cost to push the oracle",
                 yunit="USD", title="An AMM pool read as the oracle")

    def update(self, result: AmmFeedResult) -> None:
        """Point every artist at ``result``."""
        self.amm.set_data(result.reserves, result.amm_cost)
        self.median.set_data(result.reserves, np.where(result.median_cost > 0,
                                                       result.median_cost, np.nan))
        self.median.set_label(f"median of {result.n} venues, each as deep as the pool")
        self.prize.set_ydata([result.prize, result.prize])
        self.breakeven.set_xdata([result.breakeven_reserve] * 2)
        self.ax.set_xlim(result.reserves[0], result.reserves[-1])
        lo = min(float(result.amm_cost.min()), result.prize)
        hi = max(float(result.median_cost.max()), result.prize)
        self.ax.set_ylim(lo / 3.0, hi * 30.0)
        self.ax.legend(loc="upper left", fontsize=8)
