r"""The front-running lab of chapter 02: a predator pushes the price into a cluster of stops.

Top: the price without the predator (grey, dashed: a quiet market stays put) and with it (blue),
the cluster's liquidation price (vermillion) and the predator's short position (sky blue, right
axis). Bottom left: the predator's final P&L against its capital at this distance, with levels
visible (solid) and hidden (dashed). Bottom right: where hunting pays, over capital x distance
(computed once per cluster, depth, resilience and visibility, then cached). Numbers from
:func:`cascadelab.theory.front_running_scenario` and :func:`cascadelab.theory.hunting_map`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from cascadelab import plotting as cp
from cascadelab.theory import (
    MAP_CAPITALS,
    MAP_DISTANCES,
    FrontRunningParams,
    FrontRunningResult,
    HuntingMap,
    front_running_scenario,
    hunting_map,
)
from cascadelab.widgets._base import Lab, dropdown, log_slider, slider, usd

__all__ = ["FrontRunningLab", "front_running_lab"]


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
    :attr:`cascadelab.theory.FrontRunningResult.summary` plus ``map_pays`` (grid cells where
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
        params = FrontRunningParams(
            capital=float(capital), distance=distance / 100.0, cluster=float(cluster),
            depth=float(depth), resilience=resilience / 100.0, visible=bool(levels),
        )
        return front_running_scenario(params), hunting_map(params)

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
