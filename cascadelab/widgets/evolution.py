r"""The labs of chapter 04: from brittle designs to layered ones.

* :func:`basket_lab`: one crash, margin posted in cash, in the crashing asset alone, or in a
  basket, as the correlation between assets moves
  (:func:`cascadelab.chapters.evolution.basket_scenario`);
* :func:`oracle_network_lab`: a median of N feeds with k bad ones against a single feed, and what
  moving it costs when the venues' books are thin
  (:func:`cascadelab.mechanisms.oracle_network.oracle_network_scenario`);
* :func:`waterfall_lab`: a clearing house's default waterfall against bilateral exposures
  (:func:`cascadelab.mechanisms.clearing.clearing_scenario`);
* :func:`bridge_lab`: the same shock when part of the depth sits behind a bridge that goes down
  (:func:`cascadelab.chapters.evolution.bridge_scenario`).

Each lab draws through a *view* (``BasketView``, ...) that also works without widgets:
``BasketView(new_figure()).update(basket_scenario())`` gives the static figure of the chapter.
Colours: the brittle design in vermillion (``CRITICAL``), the layered one in bluish green
(``INSURANCE_FUND``), the reference in grey (``BASELINE``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from cascadelab import plotting as cp
from cascadelab.chapters._course import cached
from cascadelab.chapters.evolution import (
    ASSESSMENT_CAP,
    AmmFeedResult,
    BasketResult,
    BasketSweep,
    BridgeResult,
    BridgeSweep,
    ClearingResult,
    OracleNetworkResult,
    basket_scenario,
    basket_sweep,
    bridge_scenario,
    bridge_sweep,
    clearing_scenario,
    oracle_network_scenario,
)
from cascadelab.market import IMPACT_MODELS
from cascadelab.widgets._base import Lab, dropdown, int_slider, log_slider, si, slider

__all__ = [
    "AmmFeedView",
    "BasketLab",
    "BasketView",
    "BridgeLab",
    "BridgeView",
    "OracleNetworkLab",
    "OracleNetworkView",
    "WaterfallLab",
    "WaterfallView",
    "basket_lab",
    "bridge_lab",
    "oracle_network_lab",
    "waterfall_lab",
]

MIX_COLORS = {"cash": cp.BASELINE, "single": cp.CRITICAL, "basket": cp.INSURANCE_FUND}
MIX_LABELS = {"cash": "cash (USD)", "single": "single: asset A", "basket": "basket A+B+C"}


# ============================================================================ baskets


class BasketView:
    """Drawdown per asset, and liquidations and bad debt against correlation, per collateral.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        An empty figure.
    """

    #: Figure size (inches) the view is laid out for.
    figsize: ClassVar[tuple[float, float]] = (9.5, 5.6)

    def __init__(self, fig: Figure) -> None:
        self.figure = fig
        gs = fig.add_gridspec(2, 2, width_ratios=[1.0, 1.2])
        self.ax_dd = fig.add_subplot(gs[:, 0])
        self.ax_liq = fig.add_subplot(gs[0, 1])
        self.ax_bad = fig.add_subplot(gs[1, 1], sharex=self.ax_liq)
        x = np.arange(3)
        self.bars: dict[str, Any] = {}
        self.liq_lines: dict[str, Any] = {}
        self.bad_lines: dict[str, Any] = {}
        self.liq_dots: dict[str, Any] = {}
        self.bad_dots: dict[str, Any] = {}
        for i, mix in enumerate(MIX_COLORS):
            color = MIX_COLORS[mix]
            self.bars[mix] = self.ax_dd.bar(x + (i - 1) * 0.27, np.zeros(3), width=0.27,
                                            color=color, label=MIX_LABELS[mix])
            (self.liq_lines[mix],) = self.ax_liq.plot([], [], color=color, lw=1.8)
            (self.bad_lines[mix],) = self.ax_bad.plot([], [], color=color, lw=1.8)
            (self.liq_dots[mix],) = self.ax_liq.plot([], [], "o", color=color, ms=6)
            (self.bad_dots[mix],) = self.ax_bad.plot([], [], "o", color=color, ms=6)
        self.ax_dd.set_xticks(x, ["A (crashed)", "B", "C"])
        self.ax_dd.legend(loc="upper right", fontsize=8, title="margin posted in",
                          title_fontsize=8)
        cp.label(self.ax_dd, y="max drawdown", yunit="%", title="how far each asset fell")
        self.rho_lines = [ax.axvline(0.0, color=cp.THEORY, ls=":", lw=1.2)
                          for ax in (self.ax_liq, self.ax_bad)]
        cp.label(self.ax_liq, y="accounts liquidated", title="liquidations against correlation")
        cp.label(self.ax_bad, x="correlation between assets", y="bad debt", yunit="k USD",
                 title="bad debt against correlation")
        self.ax_liq.tick_params(labelbottom=False)
        self.ax_liq.set_xlim(-0.02, 1.02)

    def update(self, result: BasketResult, sweep: BasketSweep) -> None:
        """Point every artist at ``result`` (current correlation) and ``sweep`` (the curves)."""
        for i, mix in enumerate(result.mixes):
            for bar, h in zip(self.bars[mix], 100.0 * result.drawdown[i], strict=True):
                bar.set_height(h)
            self.liq_lines[mix].set_data(sweep.rhos, sweep.liquidated[i])
            self.bad_lines[mix].set_data(sweep.rhos, sweep.bad_debt[i] / 1e3)
            self.liq_dots[mix].set_data([result.rho], [result.liquidated[i]])
            self.bad_dots[mix].set_data([result.rho], [result.bad_debt[i] / 1e3])
        for line in self.rho_lines:
            line.set_xdata([result.rho, result.rho])
        self.ax_dd.set_ylim(0.0, 100.0 * max(float(result.drawdown.max()), 0.01) * 1.35)
        top = max(float(sweep.liquidated.max()), float(result.liquidated.max()), 1.0)
        self.ax_liq.set_ylim(0.0, 1.1 * top)
        top = max(float(sweep.bad_debt.max()), float(result.bad_debt.max()), 1.0) / 1e3
        self.ax_bad.set_ylim(0.0, 1.1 * top)


def _basket_takeaway(res: BasketResult) -> str:
    cash, single, basket = res.liquidated
    extra_single = single - cash
    if extra_single <= 0:
        return "Collateral choice makes no difference to this crash"
    saved = (single - basket) / extra_single
    return (f"At correlation {res.rho:.2f} the basket avoids {saved:.0%} of the extra "
            f"liquidations that single collateral adds over cash")


class BasketLab(Lab):
    """Crash asset A and compare collateral in cash, in A alone, and in a basket of A, B, C.

    Controls (name: unit): ``rho`` (pairwise correlation), ``shock`` (% fall of A), ``depth``
    (units per 1% of each book), ``leverage`` (median, x). Summary: accounts liquidated, bad
    debt (USD) and drawdown of B (fraction) per collateral mix
    (:attr:`cascadelab.chapters.evolution.BasketResult.summary`).
    """

    title = "Post margin in one asset or in a basket"
    figsize = BasketView.figsize
    headline: ClassVar[dict[str, Any]] = {
        "liquidated_single": "liquidated: single <b>{:,.0f}</b>",
        "liquidated_basket": "basket <b>{:,.0f}</b>",
        "liquidated_cash": "cash <b>{:,.0f}</b>",
        "bad_debt_single": lambda v: f"bad debt: single <b>{si(v, 'USD')}</b>",
        "bad_debt_basket": lambda v: f"basket <b>{si(v, 'USD')}</b>",
        "bad_debt_cash": lambda v: f"cash <b>{si(v, 'USD')}</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__(
            {
                "rho": slider(
                    "Correlation (ρ)", 0.0, 1.0, 0.5, step=0.05, readout_format=".2f",
                    tooltip="Pairwise correlation of A, B, C: how much of A's crash B and C "
                            "share"),
                "shock": slider(
                    "Crash of A (%)", 2.0, 30.0, 12.0, step=1.0, readout_format=".0f",
                    tooltip="Fall of asset A's fundamental price at step 2"),
                "depth": log_slider(
                    "Depth (units/1%)", 2e3, 1e5, 1e4,
                    tooltip="Units that move each asset's price 1%: thinner books slip more"),
                "leverage": slider(
                    "Median leverage (x)", 2.0, 10.0, 4.0, step=0.5,
                    tooltip="Gross notional over margin of the typical account"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Build the three panels (see :class:`BasketView`)."""
        self.view = BasketView(fig)

    def compute(self, *, rho: float, shock: float, depth: float,
                leverage: float) -> tuple[BasketResult, BasketSweep]:
        """The crash at the current correlation, and the curves against correlation (cached)."""
        kw = {"shock": shock / 100.0, "depth": float(depth), "leverage": float(leverage)}
        return basket_scenario(rho=float(rho), **kw), basket_sweep(**kw)

    def summarize(self, result: tuple[BasketResult, BasketSweep]) -> dict[str, float]:
        """The scenario's summary."""
        return result[0].summary

    def draw(self, result: tuple[BasketResult, BasketSweep]) -> None:
        """Update the panels in place."""
        self.view.update(*result)

    def takeaway_text(self, result: tuple[BasketResult, BasketSweep]) -> str:
        """What the current picture says."""
        return _basket_takeaway(result[0])


def basket_lab(**defaults: Any) -> BasketLab:
    """The collateral-basket lab of chapter 04.

    Parameters
    ----------
    **defaults
        Starting values: ``rho`` (0-1), ``shock`` (%), ``depth`` (units per 1%),
        ``leverage`` (x).

    Examples
    --------
    >>> lab = basket_lab(rho=0.2)
    >>> lab.summary["liquidated_single"] > lab.summary["liquidated_basket"]
    True
    """
    return BasketLab(**defaults)


# ============================================================================ oracle network


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


# ============================================================================ waterfall

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


# ============================================================================ bridge


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
                                 label=r"$1/(1-\rho/((1-b)D))$")
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
