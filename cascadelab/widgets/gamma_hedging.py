r"""The gamma-hedging lab of chapter 02: a dealer short options hedges through the same book.

Top left: the dealer book's delta (units) and gamma (units per USD) against the price. Top right:
the units its hedge sells when the price falls 1% from each price, with the protective puts
(orange) and for the short options alone (grey). Bottom: the price path on the same shock and
noise without a dealer (grey, dashed) and with the hedging dealer (blue). Numbers from
:func:`cascadelab.theory.gamma_hedging_scenario`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from cascadelab import plotting as cp
from cascadelab.theory import GammaHedgingParams, GammaHedgingResult, gamma_hedging_scenario
from cascadelab.widgets._base import Lab, log_slider, slider

__all__ = ["GammaHedgingLab", "gamma_hedging_lab"]


def _units(v: float) -> str:
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.2f}M"
    if a >= 1e3:
        return f"{v / 1e3:.0f}k"
    return f"{v:.0f}"


class GammaHedgingLab(Lab):
    """Sell options, hedge them, and watch the hedge push the price the way it was going.

    Controls (name: unit): ``short_calls`` and ``short_puts`` (units sold), ``strike`` (% of
    spot), ``expiry`` (steps), ``implied_vol`` (% per step), ``protective_puts`` (units bought,
    strike ``put_strike`` % of spot), ``shock`` (%). Summary: see
    :attr:`cascadelab.theory.GammaHedgingResult.summary`.
    """

    title = "Hedge a short option book"
    figsize = (9.0, 6.2)
    headline: ClassVar[dict[str, Any]] = {
        "gamma": lambda v: f"gamma <b>{_units(v)} units/USD</b>",
        "hedge_sales_per_pct": lambda v: f"hedge sells <b>{_units(v)} units</b> per 1% fall",
        "gain": "loop gain <b>{:.2f}</b>",
        "vol_without": "realised vol <b>{:.3f}%</b>",
        "vol_with": "&rarr; <b>{:.3f}%</b> per step",
        "drawdown_with": "drawdown <b>{:.1f}%</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        d = GammaHedgingParams()
        super().__init__(
            {
                "short_calls": slider(
                    "Short calls (M units)", 0.0, 4.0, d.short_calls / 1e6, step=0.25,
                    readout_format=".2f",
                    tooltip="Calls the dealer sold and delta-hedges: more means more short "
                            "gamma"),
                "short_puts": slider(
                    "Short puts (M units)", 0.0, 4.0, d.short_puts / 1e6, step=0.25,
                    readout_format=".2f",
                    tooltip="Puts the dealer sold: short gamma too, the same as short calls"),
                "strike": slider(
                    "Strike (% of spot)", 80.0, 120.0, 100.0 * d.strike, step=1.0,
                    readout_format=".0f",
                    tooltip="Gamma peaks at the strike: the hedge sells most near it"),
                "expiry": slider(
                    "Expiry (steps)", 20.0, 1000.0, float(d.expiry), step=20.0,
                    readout_format=".0f",
                    tooltip="Closer expiry concentrates gamma near the strike (and expires "
                            "mid-run below 300)"),
                "implied_vol": slider(
                    "Implied vol (%/step)", 0.1, 2.0, 100.0 * d.implied_vol, step=0.1,
                    readout_format=".1f",
                    tooltip="Volatility in the hedge ratios: lower means sharper gamma at "
                            "the strike"),
                "protective_puts": slider(
                    "Protective puts (M units)", 0.0, 4.0, d.protective_puts / 1e6, step=0.25,
                    readout_format=".2f",
                    tooltip="Puts the dealer buys (long gamma): they cut its net short gamma"),
                "put_strike": slider(
                    "Put strike (% of spot)", 80.0, 110.0, 100.0 * d.put_strike, step=1.0,
                    readout_format=".0f",
                    tooltip="Strike of the protective puts"),
                "shock": slider(
                    "Shock (%)", 0.0, 10.0, 100.0 * d.shock, step=0.5,
                    tooltip="The fall of the fundamental at step 10 (the same in both runs)"),
                "depth": log_slider(
                    "Depth (units/1%)", 5e4, 1e6, d.depth,
                    tooltip="Book depth: the same hedge sale moves a thin book more"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Three panels: Greeks, hedge sales per 1%, price paths."""
        gs = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.15])
        engine = fig.get_layout_engine()
        if engine is not None:  # room for the gamma axis's labels, which widen as gamma grows
            engine.set(wspace=0.12)
        self.ax_delta = fig.add_subplot(gs[0, 0])
        self.ax_gamma = self.ax_delta.twinx()
        self.ax_sales = fig.add_subplot(gs[0, 1])
        self.ax_path = fig.add_subplot(gs[1, :])

        (self.delta_line,) = self.ax_delta.plot([], [], color=cp.DEALER_FLOW, label="delta")
        (self.gamma_line,) = self.ax_gamma.plot([], [], color=cp.BAD_DEBT, ls="--",
                                                label="gamma")
        self.ax_gamma.grid(False)
        self.ax_gamma.spines["right"].set_visible(True)
        self.ax_delta.axhline(0.0, color="black", lw=0.6)
        self.spot_delta = self.ax_delta.axvline(100.0, color=cp.PRICE, lw=1.0, ls=":")
        self.ax_delta.legend(handles=[self.delta_line, self.gamma_line], loc="lower right",
                             fontsize=8)
        cp.label(self.ax_delta, x="price", xunit="USD", y="delta", yunit="M units",
                 title="Dealer book's Greeks")
        self.ax_gamma.set_ylabel("Gamma (k units per USD)")

        (self.sales_short,) = self.ax_sales.plot([], [], color=cp.BASELINE, ls="--",
                                                 label="short options alone")
        (self.sales_line,) = self.ax_sales.plot([], [], color=cp.DEALER_FLOW,
                                                label="with protective puts")
        (self.sales_dot,) = self.ax_sales.plot([], [], "o", color=cp.DEALER_FLOW, ms=6)
        self.ax_sales.axhline(0.0, color="black", lw=0.6)
        self.ax_sales.legend(loc="lower center", fontsize=8)
        cp.label(self.ax_sales, x="price", xunit="USD", y="hedge sales", yunit="k units",
                 title="Units sold per 1% fall")

        (self.path_without,) = self.ax_path.plot([], [], color=cp.BASELINE, ls="--", lw=1.5,
                                                 label="no dealer")
        (self.path_with,) = self.ax_path.plot([], [], color=cp.PRICE, lw=1.5,
                                              label="dealer delta-hedging")
        self.ax_path.legend(loc="upper left", fontsize=8)
        cp.label(self.ax_path, x="step", y="price", yunit="USD",
                 title="Same shock, same noise, with and without the hedger")
        for ax in (self.ax_delta, self.ax_gamma, self.ax_sales, self.ax_path):
            ax.locator_params(nbins=4)  # fewer tick labels: a faster redraw

    def compute(self, *, short_calls: float, short_puts: float, strike: float, expiry: float,
                implied_vol: float, protective_puts: float, put_strike: float, shock: float,
                depth: float) -> GammaHedgingResult:
        """Run :func:`~cascadelab.theory.gamma_hedging_scenario` (percent -> fractions)."""
        return gamma_hedging_scenario(
            short_calls=1e6 * short_calls, short_puts=1e6 * short_puts, strike=strike / 100.0,
            expiry=round(expiry), implied_vol=implied_vol / 100.0,
            protective_puts=1e6 * protective_puts, put_strike=put_strike / 100.0,
            shock=shock / 100.0, depth=float(depth),
        )

    def summarize(self, result: GammaHedgingResult) -> dict[str, float]:
        """The scenario's summary."""
        return result.summary

    def draw(self, result: GammaHedgingResult) -> None:
        """Update the lines and rescale."""
        s = result.spot_grid
        self.delta_line.set_data(s, result.delta / 1e6)
        self.gamma_line.set_data(s, result.gamma / 1e3)
        self.sales_line.set_data(s, result.hedge_sales / 1e3)
        self.sales_short.set_data(s, result.hedge_sales_unhedged / 1e3)
        i = int(np.argmin(np.abs(s - 100.0)))
        self.sales_dot.set_data([s[i]], [result.hedge_sales[i] / 1e3])
        for ax, ys in ((self.ax_delta, [result.delta / 1e6]),
                       (self.ax_gamma, [result.gamma / 1e3]),
                       (self.ax_sales, [result.hedge_sales / 1e3,
                                        result.hedge_sales_unhedged / 1e3])):
            lo = min(float(y.min()) for y in ys)
            hi = max(float(y.max()) for y in ys)
            pad = 0.1 * (hi - lo) + 1e-3
            ax.set_ylim(min(lo, 0.0) - pad, max(hi, 0.0) + pad)
            ax.set_xlim(s[0], s[-1])
        a, b = result.without.price, result.with_dealer.price
        t = np.arange(a.size)
        self.path_without.set_data(t, a)
        self.path_with.set_data(t, b)
        lo, hi = min(a.min(), b.min()), max(a.max(), b.max())
        pad = 0.08 * (hi - lo) + 0.1
        self.ax_path.set_ylim(lo - pad, hi + pad)
        self.ax_path.set_xlim(0, a.size)

    def takeaway_text(self, result: GammaHedgingResult) -> str:
        """What the picture says, in one line."""
        s = result.summary
        if s["gamma"] < 0:
            return (f"Short gamma: the hedge sells into the fall and realised volatility rises "
                    f"{s['vol_ratio']:.2f}x (theory {s['vol_multiplier_theory']:.2f}x)")
        if s["gamma"] > 0:
            return (f"Net long gamma: the hedge buys into the fall and damps volatility "
                    f"({s['vol_ratio']:.2f}x)")
        return "No net gamma: the hedge does not trade on price moves"


def gamma_hedging_lab(**defaults: Any) -> GammaHedgingLab:
    """The gamma-hedging lab of chapter 02, with optional starting values.

    Parameters
    ----------
    **defaults
        Starting value per control, in the control's unit: ``short_calls``, ``short_puts``,
        ``protective_puts`` (million units), ``strike``, ``put_strike`` (% of spot),
        ``expiry`` (steps), ``implied_vol`` (% per step), ``shock`` (%), ``depth`` (units
        per 1%).

    Returns
    -------
    GammaHedgingLab

    Examples
    --------
    >>> lab = gamma_hedging_lab()
    >>> before = lab.summary["hedge_sales_per_pct"]
    >>> lab.update(protective_puts=1.0)
    >>> lab.summary["hedge_sales_per_pct"] < before
    True
    """
    return GammaHedgingLab(**defaults)
