r"""The collateral-basket lab of chapter 04 (:func:`basket_lab`, :class:`BasketView`)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from cascadelab import plotting as cp
from cascadelab.chapters.evolution import BasketResult, BasketSweep, basket_scenario, basket_sweep
from cascadelab.widgets._base import Lab, log_slider, si, slider

__all__ = ["MIX_COLORS", "MIX_LABELS", "MIX_STYLES", "BasketLab", "BasketView", "basket_lab"]

MIX_COLORS = {"cash": cp.BASELINE, "single": cp.CRITICAL, "basket": cp.INSURANCE_FUND}
MIX_LABELS = {"cash": "cash (USD)", "single": "single: asset A", "basket": "basket A+B+C"}
#: Line style, marker and bar hatch per mix: grey "cash" and green "basket" look alike under
#: deuteranopia, so colour is never the only cue (issue 13).
MIX_STYLES = {"cash": ("--", "s", "//"), "single": ("-", "o", ""), "basket": ("-.", "^", "..")}


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
            ls, marker, hatch = MIX_STYLES[mix]
            self.bars[mix] = self.ax_dd.bar(x + (i - 1) * 0.27, np.zeros(3), width=0.27,
                                            color=color, label=MIX_LABELS[mix], hatch=hatch,
                                            edgecolor="white", linewidth=0.0)
            (self.liq_lines[mix],) = self.ax_liq.plot([], [], color=color, lw=1.8, ls=ls)
            (self.bad_lines[mix],) = self.ax_bad.plot([], [], color=color, lw=1.8, ls=ls)
            (self.liq_dots[mix],) = self.ax_liq.plot([], [], marker, color=color, ms=6)
            (self.bad_dots[mix],) = self.ax_bad.plot([], [], marker, color=color, ms=6)
        self.ax_dd.set_xticks(x, ["A (crashed)", "B", "C"])
        self.ax_dd.legend(loc="upper right", fontsize=8, title="margin posted in",
                          title_fontsize=8)
        cp.label(self.ax_dd, y="max drawdown", yunit="%", title="how far each asset fell")
        self.corr_lines = [ax.axvline(0.0, color=cp.THEORY, ls=":", lw=1.2)
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
            self.liq_lines[mix].set_data(sweep.corrs, sweep.liquidated[i])
            self.bad_lines[mix].set_data(sweep.corrs, sweep.bad_debt[i] / 1e3)
            self.liq_dots[mix].set_data([result.corr], [result.liquidated[i]])
            self.bad_dots[mix].set_data([result.corr], [result.bad_debt[i] / 1e3])
        for line in self.corr_lines:
            line.set_xdata([result.corr, result.corr])
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
    return (f"At correlation {res.corr:.2f} the basket avoids {saved:.0%} of the extra "
            f"liquidations that single collateral adds over cash")


class BasketLab(Lab):
    """Crash asset A and compare collateral in cash, in A alone, and in a basket of A, B, C.

    Controls (name: unit): ``corr`` (pairwise correlation), ``shock`` (% fall of A), ``depth``
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
                "corr": slider(
                    "Correlation (ϱ)", 0.0, 1.0, 0.5, step=0.05, readout_format=".2f",
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

    def compute(self, *, corr: float, shock: float, depth: float,
                leverage: float) -> tuple[BasketResult, BasketSweep]:
        """The crash at the current correlation, and the curves against correlation (cached)."""
        kw = {"shock": shock / 100.0, "depth": float(depth), "leverage": float(leverage)}
        return basket_scenario(corr=float(corr), **kw), basket_sweep(**kw)

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
        Starting values: ``corr`` (0-1), ``shock`` (%), ``depth`` (units per 1%),
        ``leverage`` (x).

    Examples
    --------
    >>> lab = basket_lab(corr=0.2)
    >>> lab.summary["liquidated_single"] > lab.summary["liquidated_basket"]
    True
    """
    return BasketLab(**defaults)
