"""The labs of chapter 02 (theory): the four amplifiers, gamma hedging and front running."""

from __future__ import annotations

import html
from typing import Any, ClassVar

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from cascadelab import plotting as cp
from cascadelab.chapters.theory import (
    AMPLIFIERS,
    MAP_CAPITALS,
    MAP_DISTANCES,
    AmplifierSweep,
    FrontRunningParams,
    FrontRunningResult,
    GammaHedgingParams,
    GammaHedgingResult,
    HuntingMap,
    front_running_scenario,
    gamma_hedging_scenario,
    hunting_map,
    sweep_amplifier,
)
from cascadelab.widgets._base import Lab, dropdown, log_slider, slider, usd

__all__ = [
    "AmplifierLab",
    "FrontRunningLab",
    "GammaHedgingLab",
    "amplifier_lab",
    "front_running_lab",
    "gamma_hedging_lab",
]


_TEXT = {
    "depth": "A thinner book slips more per forced sale",
    "leverage": "More leverage puts liquidation prices closer to the price",
    "latency": "A late oracle lets the price run past the bankruptcy prices",
    "correlation": "Collateral that falls with the asset adds forced sales",
}


class AmplifierLab(Lab):
    """Sweep one amplifier of a cascade on one shock.

    Controls (name: unit): ``factor`` ("depth", "leverage", "latency", "correlation"),
    ``shock`` (%). Summary: ``low`` and ``high`` (amplification at the two ends of the sweep,
    x), ``bad_debt_low`` and ``bad_debt_high`` (USD), ``at_default`` (amplification at the
    course default, x) and, for depth, ``critical_depth`` (units per 1%, the dotted marker:
    :func:`~cascadelab.chapters.theory.critical_depth`).
    """

    title = "Sweep one amplifier"
    figsize = (9.0, 3.9)
    headline: ClassVar[dict[str, Any]] = {
        "low": "amplification <b>{:.2f}x</b>",
        "high": "&rarr; <b>{:.2f}x</b>",
        "bad_debt_low": lambda v: f"bad debt <b>{v / 1e6:.2f}M</b>",
        "bad_debt_high": lambda v: f"&rarr; <b>{v / 1e6:.2f}M USD</b> across the sweep",
        "critical_depth": lambda v: f"critical depth &rho; <b>{v / 1e3:,.0f}k units/1%</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__(
            {
                "factor": dropdown(
                    "Amplifier", list(AMPLIFIERS), "depth",
                    tooltip="Which factor to sweep; the others stay at the course defaults"),
                "shock": slider(
                    "Shock (%)", 1.0, 15.0, 5.0, step=0.5,
                    tooltip="The fall that starts it, the same at every point of the sweep"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Two panels: amplification and bad debt against the factor."""
        self.ax_amp, self.ax_bad = fig.subplots(1, 2)
        (self.amp_line,) = self.ax_amp.plot([], [], "o-", color=cp.LIQUIDATIONS, ms=4)
        (self.bad_line,) = self.ax_bad.plot([], [], "o-", color=cp.BAD_DEBT, ms=4)
        self.amp_mark = self.ax_amp.axvline(1.0, color=cp.BASELINE, ls="--", lw=1.0)
        self.bad_mark = self.ax_bad.axvline(1.0, color=cp.BASELINE, ls="--", lw=1.0)
        self.ax_amp.axhline(1.0, color=cp.THEORY, ls=":", lw=1.0)
        self.crit_mark = self.ax_amp.axvline(1.0, color=cp.THEORY, ls="-.", lw=1.2,
                                             label="critical depth $D = \\rho$")
        self.crit_legend = self.ax_amp.legend(handles=[self.crit_mark], loc="upper right",
                                              fontsize=8)
        cp.label(self.ax_amp, y="amplification", yunit="x", title="Amplification")
        cp.label(self.ax_bad, y="bad debt", yunit="M USD", title="Bad debt")
        for ax in (self.ax_amp, self.ax_bad):  # fixed: switching the x scale misplaced it
            ax.yaxis.set_label_coords(-0.11, 0.5)

    def compute(self, *, factor: str, shock: float) -> AmplifierSweep:
        """Run :func:`~cascadelab.chapters.theory.sweep_amplifier` (percent -> fraction)."""
        return sweep_amplifier(factor=factor, shock=shock / 100.0)

    def summarize(self, result: AmplifierSweep) -> dict[str, float]:
        """Ends of the sweep and the value at the default."""
        i = int(abs(result.values - result.default).argmin())
        out = {
            "low": float(result.amplification[0]), "high": float(result.amplification[-1]),
            "bad_debt_low": float(result.bad_debt[0]),
            "bad_debt_high": float(result.bad_debt[-1]),
            "at_default": float(result.amplification[i]),
        }
        if result.critical_depth is not None:
            out["critical_depth"] = float(result.critical_depth)
        return out

    def draw(self, result: AmplifierSweep) -> None:
        """Point the lines at the sweep; switch the x scale for depth."""
        x = result.values
        self.amp_line.set_data(x, result.amplification)
        self.bad_line.set_data(x, result.bad_debt / 1e6)
        scale = "log" if result.factor == "depth" else "linear"
        for ax, mark, y in ((self.ax_amp, self.amp_mark, result.amplification),
                            (self.ax_bad, self.bad_mark, result.bad_debt / 1e6)):
            mark.set_xdata([result.default, result.default])
            if ax.get_xscale() != scale:
                ax.set_xscale(scale)
            lo, hi = float(x.min()), float(x.max())
            if scale == "log":
                ax.set_xlim(lo / 1.15, hi * 1.15)
            else:
                pad = 0.05 * (hi - lo)
                ax.set_xlim(lo - pad, hi + pad)
            ax.set_ylim(0.0, 1.1 * max(float(y.max()), 1e-9))
            cp.label(ax, x=result.label, xunit=result.unit)
        self.ax_amp.set_ylim(0.0, 1.1 * max(float(result.amplification.max()), 1.5))
        crit = result.critical_depth
        self.crit_mark.set_visible(crit is not None)
        self.crit_legend.set_visible(crit is not None)
        if crit is not None:
            self.crit_mark.set_xdata([crit, crit])

    def takeaway_text(self, result: AmplifierSweep) -> str:
        """What the picture says, in one line."""
        return (f"{_TEXT[result.factor]} ({result.model}, the same {result.shock:.1%} shock "
                f"at every point)")


def amplifier_lab(**defaults: Any) -> AmplifierLab:
    """The amplifier explorer of chapter 02, with optional starting values.

    Parameters
    ----------
    **defaults
        ``factor`` ("depth", "leverage", "latency" or "correlation") and ``shock`` (%).

    Returns
    -------
    AmplifierLab

    Examples
    --------
    >>> lab = amplifier_lab(factor="leverage")
    >>> lab.summary["high"] > lab.summary["low"]
    True
    """
    return AmplifierLab(**defaults)




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
    :attr:`cascadelab.chapters.theory.GammaHedgingResult.summary`.
    """

    title = "Hedge a short option book"
    figsize = (9.0, 6.2)
    headline: ClassVar[dict[str, Any]] = {
        "gamma": lambda v: f"gamma <b>{_units(v)} units/USD</b>",
        "hedge_sales_per_pct": lambda v: f"hedge sells <b>{_units(v)} units</b> per 1% fall",
        "gain": "loop gain k<sub>&Gamma;</sub> <b>{:.2f}</b>",
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
        # Issue 13 (8): the put strike does nothing without puts, so it is greyed until it does.
        self.controls["protective_puts"].observe(self._sync_put_strike, names="value")
        self.controls["put_strike"].observe(self._sync_put_strike, names="value")
        self._sync_put_strike()

    #: Why the put strike is greyed (its tooltip and the note under it while it is).
    PUT_STRIKE_IDLE: ClassVar[str] = (
        "No effect while Protective puts is 0: buy some puts to set their strike")

    def _sync_put_strike(self, change: Any = None) -> None:
        """Enable the put strike exactly when there are protective puts for it to act on."""
        idle = self.controls["protective_puts"].value <= 0.0
        widget = self.controls["put_strike"]
        widget.disabled = idle
        widget.tooltip = self.PUT_STRIKE_IDLE if idle else "Strike of the protective puts"
        readout = self._readouts.get("put_strike")
        if readout is not None:
            readout.text.disabled = idle
            readout.text.tooltip = widget.tooltip
            if idle:
                readout.say(self.PUT_STRIKE_IDLE)
            elif readout.note.value == html.escape(self.PUT_STRIKE_IDLE):
                readout.say("")

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

        (self.delta_line,) = self.ax_delta.plot([], [], color=cp.DEALER_FLOW,
                                                label="delta (left axis)")
        (self.gamma_line,) = self.ax_gamma.plot([], [], color=cp.BAD_DEBT, ls="--",
                                                label="gamma (right axis)")
        self.ax_gamma.grid(False)
        self.ax_gamma.spines["right"].set_visible(True)
        self.ax_delta.axhline(0.0, color="black", lw=0.6)
        self.spot_delta = self.ax_delta.axvline(100.0, color=cp.PRICE, lw=1.0, ls=":")
        cp.label(self.ax_delta, x="price", xunit="USD", y="delta", yunit="M units",
                 title="Dealer book's Greeks")
        self.ax_gamma.set_ylabel("Gamma (k units per USD)")

        (self.sales_short,) = self.ax_sales.plot([], [], color=cp.BASELINE, ls="--",
                                                 label="sales: short options alone")
        (self.sales_line,) = self.ax_sales.plot([], [], color=cp.DEALER_FLOW,
                                                label="sales: with protective puts")
        (self.sales_dot,) = self.ax_sales.plot([], [], "o", color=cp.DEALER_FLOW, ms=6)
        self.ax_sales.axhline(0.0, color="black", lw=0.6)
        cp.label(self.ax_sales, x="price", xunit="USD", y="hedge sales", yunit="k units",
                 title="Units sold per 1% fall")

        (self.path_without,) = self.ax_path.plot([], [], color=cp.BASELINE, ls="--", lw=1.5,
                                                 label="price: no dealer")
        (self.path_with,) = self.ax_path.plot([], [], color=cp.PRICE, lw=1.5,
                                              label="price: dealer delta-hedging")
        cp.label(self.ax_path, x="step", y="price", yunit="USD",
                 title="Same shock, same noise, with and without the hedger")
        # one legend above the panels, off every line whatever the settings
        fig.legend(handles=[self.delta_line, self.gamma_line, self.sales_short, self.sales_line,
                            self.path_without, self.path_with],
                   loc="outside upper center", ncols=3, fontsize=8, frameon=False)
        for ax in (self.ax_delta, self.ax_gamma, self.ax_sales, self.ax_path):
            ax.locator_params(nbins=4)  # fewer tick labels: a faster redraw

    def compute(self, *, short_calls: float, short_puts: float, strike: float, expiry: float,
                implied_vol: float, protective_puts: float, put_strike: float, shock: float,
                depth: float) -> GammaHedgingResult:
        """Run :func:`~cascadelab.chapters.theory.gamma_hedging_scenario` (percent -> fractions)."""
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
        law = s["vol_multiplier_path"]
        law_text = f"{law:.2f}x" if np.isfinite(law) else "unstable: past 1/(1-kappa)"
        if s["gamma"] < 0:
            return (f"Short gamma: the hedge sells into the fall and realised volatility rises "
                    f"{s['vol_ratio']:.2f}x (the engine's law at the run's gains: {law_text})")
        if s["gamma"] > 0:
            return (f"Net long gamma: the hedge buys into the fall and damps volatility "
                    f"({s['vol_ratio']:.2f}x; law {law_text})")
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




def _edges(centers: np.ndarray, log: bool) -> np.ndarray:
    x = np.log(centers) if log else centers
    mid = 0.5 * (x[1:] + x[:-1])
    e = np.concatenate(([x[0] - (mid[0] - x[0])], mid, [x[-1] + (x[-1] - mid[-1])]))
    return np.exp(e) if log else e


class FrontRunningLab(Lab):
    """Hunt a cluster of liquidations with a given capital, and see when it pays.

    Controls (name: unit): ``capital`` (USD), ``distance`` (% below the price), ``cluster``
    (x depth), ``depth`` (units per 1%), ``resilience`` (% of impact decaying per step),
    ``levels`` ("visible" or "hidden"). Summary: see
    :attr:`cascadelab.chapters.theory.FrontRunningResult.summary` plus ``map_pays`` (grid cells
    where
    hunting pays).
    """

    title = "Hunt a cluster of stops"
    figsize = (9.0, 6.4)
    headline: ClassVar[dict[str, Any]] = {
        "pnl": lambda v: f"predator P&L <b>{usd(v)}</b>",
        "return_pct": "(<b>{:+.2f}%</b> of capital)",
        "liquidated_units": lambda v: f"forced sales <b>{v / 1e3:,.0f}k units</b>",
        "min_price": "low <b>{:.2f} USD</b>",
        "map_pays": "hunting pays in <b>{:.0f}</b> map cells",
    }

    def __init__(self, **defaults: Any) -> None:
        d = FrontRunningParams()
        super().__init__(
            {
                "capital": log_slider(
                    "Capital (USD)", 1e6, 1e8, d.capital,
                    tooltip="What the predator can sell short: more capital pushes further"),
                "distance": slider(
                    "Distance (%)", 0.25, 4.0, 100.0 * d.distance, step=0.25,
                    readout_format=".2f",
                    tooltip="How far below the price the cluster's liquidation price sits"),
                "cluster": slider(
                    "Cluster (x depth)", 0.25, 3.0, d.cluster, step=0.25, readout_format=".2f",
                    tooltip="Units of longs that liquidate together, in units of the depth D"),
                "depth": log_slider(
                    "Depth (units/1%)", 5e4, 1e6, d.depth,
                    tooltip="Book depth: a thinner book is cheaper to push"),
                "resilience": slider(
                    "Resilience (%/step)", 2.0, 50.0, 100.0 * d.resilience, step=1.0,
                    readout_format=".0f",
                    tooltip="Share of the predator's impact the book refills each step"),
                "levels": dropdown(
                    "Levels (map)", [("visible", True), ("hidden", False)], d.visible,
                    tooltip="Can the predator see where positions liquidate? Hidden = private "
                            "margin"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Three panels: price and position, P&L against capital, the hunting map."""
        gs = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.1], width_ratios=[1.0, 1.1])
        self.ax_path = fig.add_subplot(gs[0, :])
        self.ax_pos = self.ax_path.twinx()
        self.ax_pnl = fig.add_subplot(gs[1, 0])
        self.ax_map = fig.add_subplot(gs[1, 1])

        (self.quiet_line,) = self.ax_path.plot([], [], color=cp.BASELINE, ls="--", lw=1.5,
                                               label="no predator")
        (self.attack_line,) = self.ax_path.plot([], [], color=cp.PRICE, lw=1.8,
                                                label="with the predator")
        self.level_line = self.ax_path.axhline(99.0, color=cp.LIQUIDATIONS, lw=1.2, ls=":",
                                               label="cluster's liquidation price")
        (self.pos_line,) = self.ax_pos.plot([], [], color=cp.PREDATOR, lw=1.2,
                                            label="predator's position")
        self.ax_pos.grid(False)
        self.ax_pos.spines["right"].set_visible(True)
        self.ax_pos.set_ylabel("Position (k units)")
        self.ax_path.legend(handles=[self.quiet_line, self.attack_line, self.level_line,
                                     self.pos_line], loc="lower right", fontsize=8, ncol=2)
        cp.label(self.ax_path, x="step", y="price", yunit="USD",
                 title="A quiet market, pushed into its stops")

        (self.pnl_vis,) = self.ax_pnl.plot([], [], color=cp.PREDATOR, label="levels visible")
        (self.pnl_hid,) = self.ax_pnl.plot([], [], color=cp.BAD_DEBT, ls="--",
                                           label="levels hidden")
        (self.pnl_dot,) = self.ax_pnl.plot([], [], "o", color="black", ms=5)
        self.ax_pnl.axhline(0.0, color="black", lw=0.6)
        self.ax_pnl.set_xscale("log")
        self.ax_pnl.set_yscale("symlog", linthresh=10.0)  # small gains and big losses together
        self.ax_pnl.legend(loc="lower left", fontsize=8)
        cp.label(self.ax_pnl, x="capital", xunit="USD", y="final P&L", yunit="k USD, symlog",
                 title="P&L against capital")

        xe = 100.0 * _edges(MAP_DISTANCES, log=False)
        ye = _edges(MAP_CAPITALS, log=True)
        cmap = ListedColormap([cp.BAD_DEBT, cp.NEUTRAL, cp.INSURANCE_FUND])
        norm = BoundaryNorm([-1.5, -0.5, 0.5, 1.5], cmap.N)
        z = np.zeros((MAP_CAPITALS.size, MAP_DISTANCES.size))
        self.mesh = self.ax_map.pcolormesh(xe, ye, z, cmap=cmap, norm=norm,
                                           edgecolors="white", linewidth=0.5)
        (self.map_dot,) = self.ax_map.plot([], [], "o", mfc="none", mec="black", ms=9, mew=2)
        self.ax_map.set_yscale("log")
        self.ax_map.grid(False)
        self.ax_map.legend(handles=[Patch(color=cp.INSURANCE_FUND, label="pays"),
                                    Patch(color=cp.NEUTRAL, label="sits out"),
                                    Patch(color=cp.BAD_DEBT, label="loses")],
                           loc="upper right", fontsize=7, framealpha=0.8, frameon=True)
        cp.label(self.ax_map, x="distance to the cluster", xunit="%", y="capital",
                 yunit="USD", title="Where hunting pays")
        for ax in (self.ax_path, self.ax_pos):
            ax.locator_params(nbins=4)  # fewer tick labels: a faster redraw
        self.ax_map.locator_params(axis="x", nbins=4)

    def compute(self, *, capital: float, distance: float, cluster: float, depth: float,
                resilience: float, levels: bool) -> tuple[FrontRunningResult, HuntingMap]:
        """Run the scenario and fetch the (cached) map; percent -> fractions."""
        changes = {"capital": float(capital), "distance": distance / 100.0,
                   "cluster": float(cluster), "depth": float(depth),
                   "resilience": resilience / 100.0, "visible": bool(levels)}
        return front_running_scenario(**changes), hunting_map(**changes)

    def summarize(self, result: tuple[FrontRunningResult, HuntingMap]) -> dict[str, float]:
        """The scenario's summary and the number of map cells where hunting pays."""
        res, hmap = result
        return {**res.summary, "map_pays": float(hmap.pays.sum())}

    def draw(self, result: tuple[FrontRunningResult, HuntingMap]) -> None:
        """Update the lines, the map and the markers."""
        res, hmap = result
        p = res.params
        t = np.arange(res.attack.steps)
        self.quiet_line.set_data(t, res.quiet.price)
        self.attack_line.set_data(t, res.attack.price)
        level = 100.0 * (1.0 - p.distance)
        self.level_line.set_ydata([level, level])
        pos = res.attack.attacker_position / 1e3
        self.pos_line.set_data(t, pos)
        lo = min(float(res.attack.price.min()), level)
        hi = max(float(res.attack.price.max()), 100.0)
        pad = 0.1 * (hi - lo) + 0.05
        self.ax_path.set_ylim(lo - pad, hi + pad)
        self.ax_path.set_xlim(0, t.size)
        pmin = min(float(pos.min()), -1.0)
        self.ax_pos.set_ylim(1.6 * pmin, -0.6 * pmin)

        c = res.capital_grid
        self.pnl_vis.set_data(c, res.pnl_visible / 1e3)
        self.pnl_hid.set_data(c, res.pnl_hidden / 1e3)
        self.pnl_dot.set_data([p.capital], [res.attack.final_attacker_pnl / 1e3])
        ys = np.concatenate((res.pnl_visible, res.pnl_hidden)) / 1e3
        lo, hi = min(float(ys.min()), -1.0), max(float(ys.max()), 1.0)
        self.ax_pnl.set_ylim(1.5 * lo, 1.5 * hi)
        self.ax_pnl.set_xlim(c[0], c[-1])

        self.mesh.set_array(hmap.outcome.astype(float).ravel())
        self.map_dot.set_data([100.0 * p.distance], [p.capital])

    def takeaway_text(self, result: tuple[FrontRunningResult, HuntingMap]) -> str:
        """What the picture says, in one line."""
        res, _ = result
        pnl = res.attack.final_attacker_pnl
        if not res.params.visible:
            return (f"Blind, the predator pays its own impact on every push: {usd(pnl)}; "
                    f"without the map the only safe hunt is none")
        if pnl > 1.0:
            return (f"With the map, a push of {res.params.distance:.2%} set off "
                    f"{res.attack.total_liquidated_units / 1e3:,.0f}k units of forced sales "
                    f"and paid the predator {usd(pnl)}")
        if pnl < -1.0:
            return f"The book refilled faster than the predator could push: {usd(pnl)}"
        return "The cluster is out of this predator's reach: it sits out"


def front_running_lab(**defaults: Any) -> FrontRunningLab:
    """The front-running lab of chapter 02, with optional starting values.

    Parameters
    ----------
    **defaults
        Starting value per control, in the control's unit: ``capital`` (USD), ``distance``
        (%), ``cluster`` (x depth), ``depth`` (units per 1%), ``resilience`` (% per step),
        ``levels`` (True = visible, False = hidden).

    Returns
    -------
    FrontRunningLab

    Examples
    --------
    >>> lab = front_running_lab()
    >>> lab.summary["pnl"] > 0
    True
    >>> lab.update(levels=False)
    >>> lab.summary["pnl"] <= 0
    True
    """
    return FrontRunningLab(**defaults)
