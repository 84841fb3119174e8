r"""The labs of chapter 01: why the first designs broke, one lab per idea.

* :func:`fragmentation_lab`: one venue's thin book against the aggregate depth
  (:func:`cascadelab.chapters.origin.fragmented_liquidity`);
* :func:`fat_tail_lab`: a "z-sigma safe" buffer against Student-t returns
  (:func:`cascadelab.chapters.origin.fat_tail_breaches`);
* :func:`stale_oracle_lab`: a late price feed during a crash
  (:func:`cascadelab.chapters.origin.stale_oracle`);
* :func:`cross_margin_lab`: cross against isolated margin when one asset crashes
  (:func:`cascadelab.chapters.origin.cross_margin_contagion`);
* :func:`liquidator_lab`: close everything at once, or gradually
  (:func:`cascadelab.chapters.origin.liquidator_tradeoff`);
* :class:`ReplayView`: how much of each replayed crash the model gives to forced selling
  (:func:`cascadelab.chapters.origin.replay_events`), a static figure.

Every lab builds its artists once in ``setup`` and only moves their data in ``draw``.
Colours follow :mod:`cascadelab.plotting`: the price in blue, forced sales in vermillion, bad
debt in reddish purple, baselines (aggregate depth, Gaussian world, fresh oracle, full close)
in dashed grey, closed forms in dotted black. The oracle price is drawn as a black step line.
In the liquidation-engine lab the colour names the engine in every panel: grey dashed for
closing all at once, vermillion for the gradual engine.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullLocator

from cascadelab import plotting as cp
from cascadelab._validate import check_choice
from cascadelab.chapters.origin import (
    CrossMarginResult,
    EventReplay,
    FatTailResult,
    FragmentationResult,
    LiquidatorResult,
    StaleOracleResult,
    cross_margin_contagion,
    fat_tail_breaches,
    fragmented_liquidity,
    liquidator_tradeoff,
    stale_oracle,
)
from cascadelab.market import IMPACT_MODELS
from cascadelab.widgets._base import Lab, dropdown, log_slider, si, slider

__all__ = [
    "CrossMarginLab",
    "FatTailLab",
    "FragmentationLab",
    "LiquidatorLab",
    "ReplayView",
    "StaleOracleLab",
    "cross_margin_lab",
    "fat_tail_lab",
    "fragmentation_lab",
    "liquidator_lab",
    "stale_oracle_lab",
]


def _finite(a: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(a), a, np.nan)


def _log_label(v: float, _pos: object = None) -> str:
    """Plain tick labels on log axes ("0.001", "1e-06"): no mathtext, so redraws stay fast."""
    return f"{v:g}"


def _lean(*axes: Any) -> None:
    """Few ticks, no minor ticks, plain labels: most of a redraw is tick text."""
    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                axis.set_major_locator(LogLocator(numticks=5))
                axis.set_major_formatter(FuncFormatter(_log_label))
            else:
                axis.set_major_locator(MaxNLocator(nbins=4))
            axis.set_minor_locator(NullLocator())


# ----------------------------------------------------------------- 1. fragmented liquidity


class FragmentationLab(Lab):
    """Liquidate into one venue's book instead of the whole market's depth.

    Controls: ``venue_share`` (% of the aggregate depth on the liquidating venue), ``shock``
    (%), ``depth`` (aggregate, units per 1%), ``impact`` (model). Summary: see
    :attr:`cascadelab.chapters.origin.FragmentationResult.summary`.
    """

    title = "Send the forced sales to one venue's book"
    figsize = (9.0, 4.6)
    headline: ClassVar[dict[str, Any]] = {
        "amplification_venue": "venue <b>{:.2f}x</b>",
        "amplification_aggregate": "aggregate book <b>{:.2f}x</b>",
        "move_venue_pct": "venue fall <b>{:.1f}%</b>",
        "move_aggregate_pct": "aggregate fall <b>{:.1f}%</b>",
        "critical_share_pct": "critical share <b>{:.0f}%</b>",
        "bad_debt_venue": lambda v: f"venue bad debt <b>{si(v, 'USD')}</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__({
            "venue_share": slider(
                "Venue share (%)", 5.0, 100.0, 40.0, step=5.0, readout_format=".0f",
                tooltip="Share of the market's depth resting on the venue that liquidates: "
                        "lower is thinner"),
            "shock": slider(
                "Shock (%)", 1.0, 20.0, 5.0, step=0.5,
                tooltip="The first price drop, before any forced sale"),
            "depth": log_slider(
                "Aggregate depth (units/1%)", 5e4, 2e6, 2e5,
                tooltip="Units that move the price 1% if every venue's book is counted"),
            "impact": dropdown(
                "Impact model", list(IMPACT_MODELS), "linear",
                tooltip="How the price responds to a sell: linear, exponential or square root"),
        }, **defaults)

    def setup(self, fig: Figure) -> None:
        """Amplification against the venue's share (left); price by round (right)."""
        ax, ax2 = fig.subplots(1, 2, width_ratios=[1.3, 1.0])
        self.ax_amp, self.ax_path = ax, ax2
        self.crit = ax.axvspan(0.0, 1.0, color=cp.CRITICAL, alpha=0.08,
                               label=r"$\alpha < \alpha^*$: local gain $\geq 1$")
        (self.closed,) = ax.plot([], [], color=cp.THEORY, ls=":",
                                 label=r"$1/(1-\rho/(\alpha D))$")
        (self.curve,) = ax.plot([], [], "o-", ms=3, lw=1.2, color=cp.LIQUIDATIONS,
                                label="simulated cascade")
        (self.mark,) = ax.plot([], [], "o", ms=10, mfc="none", mew=2, color=cp.PRICE,
                               label="this venue")
        ax.set(xscale="log", yscale="log", xlim=(4.5, 105.0))
        ax.legend(loc="lower left", fontsize=8)  # the curves run high on the left
        cp.label(ax, x="venue's share of the depth", xunit="%", y="amplification", yunit="x",
                 title="Thinner venue, bigger cascade")
        (self.agg_path,) = ax2.step([], [], where="post", color=cp.BASELINE, ls="--",
                                    label="aggregate book")
        (self.venue_path,) = ax2.step([], [], where="post", color=cp.PRICE,
                                      label="venue's book")
        ax2.legend(loc="upper right", fontsize=8)
        cp.label(ax2, x="round (0 = before the shock)", y="price", yunit="USD",
                 title="Price, round by round")
        _lean(ax, ax2)
        ax.xaxis.set_major_locator(FixedLocator([5, 10, 20, 50, 100]))

    def compute(self, *, venue_share: float, shock: float, depth: float, impact: str
                ) -> FragmentationResult:
        """Run :func:`~cascadelab.chapters.origin.fragmented_liquidity` (percent -> fractions)."""
        return fragmented_liquidity(venue_share=venue_share / 100.0, shock=shock / 100.0,
                                    depth=float(depth), impact=impact)

    def summarize(self, result: FragmentationResult) -> dict[str, float]:
        """The scenario's summary."""
        return result.summary

    def draw(self, result: FragmentationResult) -> None:
        """Move the curves, the marker and the two staircases."""
        s = 100.0 * result.shares
        amp = _finite(result.amplification)
        self.curve.set_data(s, amp)
        self.closed.set_data(s, _finite(result.closed_form))
        self.mark.set_data([100.0 * result.venue_share], [result.venue.amplification])
        crit = min(max(100.0 * result.critical_share, 4.5), 105.0)
        self.crit.set_x(4.5)
        self.crit.set_width(crit - 4.5)
        top = max(float(np.nanmax(amp)), result.venue.amplification, 2.0)
        self.ax_amp.set_ylim(0.9, 1.3 * top)
        for line, res in ((self.venue_path, result.venue), (self.agg_path, result.aggregate)):
            path = np.r_[res.price, res.round_prices]
            line.set_data(np.arange(path.size + 1), np.r_[path, path[-1]])
        n = max(result.venue.rounds, result.aggregate.rounds) + 2
        lo = min(result.venue.final_price, result.aggregate.final_price)
        self.ax_path.set_xlim(0, max(n, 4))
        self.ax_path.set_ylim(0.95 * lo, 101.0)

    def takeaway_text(self, result: FragmentationResult) -> str:
        """One line."""
        s = result.summary
        return (f"The same {100 * result.shock:.0f}% shock: {s['amplification_aggregate']:.1f}x "
                f"against the whole market's depth, {s['amplification_venue']:.1f}x against a "
                f"venue holding {100 * result.venue_share:.0f}% of it")


def fragmentation_lab(**defaults: Any) -> FragmentationLab:
    """The fragmented-liquidity lab of chapter 01.

    ``**defaults``: ``venue_share`` (%), ``shock`` (%), ``depth`` (units per 1%), ``impact``.

    Examples
    --------
    >>> lab = fragmentation_lab(venue_share=100.0)
    >>> lab.update(venue_share=20.0)
    >>> lab.summary["amplification_venue"] > lab.summary["amplification_aggregate"]
    True
    """
    return FragmentationLab(**defaults)


# ----------------------------------------------------------------------------- 2. fat tails

HORIZONS = [("1 day (365 a year)", 365.0), ("8 hours (1,095 a year)", 1095.0),
            ("1 hour (8,760 a year)", 8760.0)]


class FatTailLab(Lab):
    """Size a buffer in standard deviations, then meet fat-tailed returns.

    Controls: ``z`` (buffer, standard deviations), ``nu`` (tail index), ``horizon``
    (liquidation horizons a year). Summary:
    :attr:`cascadelab.chapters.origin.FatTailResult.summary`.
    """

    title = "Test a 'z-sigma safe' margin against fat tails"
    figsize = (9.0, 4.4)
    headline: ClassVar[dict[str, Any]] = {
        "breaches_t": "Student-t: <b>{:.2f}</b> breaches a year",
        "breaches_gauss": "Gaussian: <b>{:.2g}</b> a year",
        "ratio": "<b>{:,.0f}x</b> more often",
        "breaches_sim": "simulated: <b>{:.2f}</b> a year",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__({
            "z": slider("Buffer z (sigma)", 1.0, 8.0, 4.0, step=0.25, readout_format=".2f",
                        tooltip="Margin buffer in standard deviations of the horizon's return"),
            "nu": slider("Tail index nu (-)", 2.5, 30.0, 3.0, step=0.5,
                         tooltip="Student-t degrees of freedom: lower is fatter tails "
                                 "(crypto: about 3 to 5)"),
            "horizon": dropdown("Horizon (per year)", HORIZONS, 365.0,
                                tooltip="Length of one liquidation horizon, i.e. how many "
                                        "chances a year the buffer has to fail"),
        }, **defaults)

    def setup(self, fig: Figure) -> None:
        """Tail probability against z (left); breaches a year against nu (right)."""
        ax, ax2 = fig.subplots(1, 2)
        self.ax_z, self.ax_nu = ax, ax2
        (self.gauss,) = ax.plot([], [], color=cp.BASELINE, ls="--", label="Gaussian")
        # the simulated points are hollow and drawn under the closed form, so both show
        (self.sim,) = ax.plot([], [], "o", ms=5, mfc="none", mew=1.0, color=cp.LIQUIDATIONS,
                              label="Student-t, simulated", zorder=2)
        (self.t,) = ax.plot([], [], color=cp.PRICE, lw=1.6, label="Student-t, closed form",
                            zorder=3)
        self.zline = ax.axvline(4.0, color=cp.CRITICAL, lw=1.2)
        ax.set(yscale="log", xlim=(0.0, 8.0), ylim=(1e-12, 1.5))
        ax.legend(loc="lower left", fontsize=8)
        cp.label(ax, x="buffer z", xunit="sigma", y="P(|return| > z sigma)",
                 yunit="per horizon", title="How often the buffer is breached")
        (self.by_nu,) = ax2.plot([], [], color=cp.PRICE, label="Student-t")
        self.gauss_nu = ax2.axhline(1.0, color=cp.BASELINE, ls="--", label="Gaussian")
        (self.mark,) = ax2.plot([], [], "o", ms=9, mfc="none", mew=2, color=cp.CRITICAL)
        ax2.set(yscale="log", xlim=(2.0, 30.5))
        ax2.legend(loc="upper right", fontsize=8)
        cp.label(ax2, x=r"tail index $\nu$", y="breaches", yunit="per year",
                 title="Fatter tails, more breaches")
        _lean(ax, ax2)

    def compute(self, *, z: float, nu: float, horizon: float) -> FatTailResult:
        """Run :func:`~cascadelab.chapters.origin.fat_tail_breaches`."""
        horizon = check_choice("horizon", horizon, tuple(v for _, v in HORIZONS))
        return fat_tail_breaches(z=float(z), nu=float(nu), periods_per_year=float(horizon))

    def summarize(self, result: FatTailResult) -> dict[str, float]:
        """The scenario's summary."""
        return result.summary

    def draw(self, result: FatTailResult) -> None:
        """Move the three curves, the z line and the nu marker."""
        self.gauss.set_data(result.zs, result.curve_gauss)
        self.t.set_data(result.zs, result.curve_t)
        self.sim.set_data(result.zs, result.curve_sim)
        self.zline.set_xdata([result.z, result.z])
        ppy = result.periods_per_year
        self.by_nu.set_data(result.nus, result.breaches_vs_nu)
        bg = max(ppy * result.p_gauss, 1e-300)
        self.gauss_nu.set_ydata([bg, bg])
        self.mark.set_data([result.nu], [ppy * result.p_t])
        lo = max(min(bg, float(result.breaches_vs_nu.min())) / 3.0, 1e-12)
        hi = max(float(result.breaches_vs_nu.max()), bg) * 3.0
        self.ax_nu.set_ylim(lo, hi)

    def takeaway_text(self, result: FatTailResult) -> str:
        """One line."""
        s = result.summary
        gap = s["years_between_gauss"]
        calm = f"once every {gap:,.0f} years" if gap >= 1 else f"{s['breaches_gauss']:.1f}x a year"
        return (f"A {result.z:g}-sigma buffer: {calm} in a Gaussian world, "
                f"{s['breaches_t']:.2g} times a year with tail index {result.nu:g}")


def fat_tail_lab(**defaults: Any) -> FatTailLab:
    """The fat-tail lab of chapter 01.

    ``**defaults``: ``z`` (sigma), ``nu`` (tail index), ``horizon`` (periods a year: 365,
    1095 or 8760).

    Examples
    --------
    >>> lab = fat_tail_lab()
    >>> lab.summary["breaches_t"] > 10 * lab.summary["breaches_gauss"]
    True
    """
    return FatTailLab(**defaults)


# --------------------------------------------------------------------------- 3. stale oracle


class StaleOracleLab(Lab):
    """Liquidate on a price feed that lags a crash.

    Controls: ``latency`` (steps), ``heartbeat`` (steps), ``deviation`` (%), ``crash`` (% fall
    over the run). Summary: :attr:`cascadelab.chapters.origin.StaleOracleResult.summary`.
    """

    title = "Let the price feed fall behind a crash"
    figsize = (9.0, 5.2)
    headline: ClassVar[dict[str, Any]] = {
        "bad_debt_stale": lambda v: f"bad debt <b>{si(v, 'USD')}</b>",
        "bad_debt_fresh": lambda v: f"with a fresh feed <b>{si(v, 'USD')}</b>",
        "bad_debt_pct": "<b>{:.1f}%</b> of all collateral",
        "max_lag_pct": "feed up to <b>{:.1f}%</b> too high",
        "drawdown_stale_pct": "drawdown <b>{:.1f}%</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__({
            "latency": slider("Latency (steps)", 0.0, 120.0, 30.0, step=5.0,
                              readout_format=".0f",
                              tooltip="The feed reports the price of this many steps ago: "
                                      "congestion makes it larger"),
            "heartbeat": slider("Heartbeat (steps)", 1.0, 120.0, 1.0, step=1.0,
                                readout_format=".0f",
                                tooltip="The feed republishes at least this often: longer "
                                        "is staler"),
            "deviation": slider("Deviation trigger (%)", 0.0, 10.0, 0.0, step=0.5,
                                tooltip="Republish early once the price moved this much "
                                        "(0 = off); only matters with a long heartbeat"),
            "crash": slider("Crash (%)", 5.0, 60.0, 30.0, step=5.0, readout_format=".0f",
                            tooltip="How far the price falls over the 300 steps"),
        }, **defaults)

    def setup(self, fig: Figure) -> None:
        """Price and oracle (top left), cumulative bad debt (bottom left), the sweep (right)."""
        gs = fig.add_gridspec(2, 2, width_ratios=[1.5, 1.0], height_ratios=[1.4, 1.0])
        ax = fig.add_subplot(gs[0, 0])
        axb = fig.add_subplot(gs[1, 0], sharex=ax)
        axs = fig.add_subplot(gs[:, 1])
        self.ax_price, self.ax_bad, self.ax_sweep = ax, axb, axs
        (self.price,) = ax.plot([], [], color=cp.PRICE, label="traded price")
        (self.oracle,) = ax.step([], [], where="post", color=cp.THEORY, lw=1.3,
                                 label="oracle (what liquidations see)")
        ax.legend(loc="lower left", fontsize=8)
        ax.tick_params(labelbottom=False)
        cp.label(ax, y="price", yunit="USD", title="The feed lags the crash")
        (self.bad_fresh,) = axb.plot([], [], color=cp.BASELINE, ls="--", label="fresh feed")
        (self.bad_stale,) = axb.plot([], [], color=cp.BAD_DEBT, label="late feed")
        axb.legend(loc="upper left", fontsize=8)
        cp.label(axb, x="step", y="bad debt", yunit="M USD")
        (self.sweep,) = axs.plot([], [], "o-", ms=3, color=cp.BAD_DEBT)
        (self.mark,) = axs.plot([], [], "o", ms=10, mfc="none", mew=2, color=cp.CRITICAL)
        cp.label(axs, x="oracle latency", xunit="steps", y="bad debt", yunit="M USD",
                 title="Later feed, more bad debt")
        _lean(ax, axb, axs)

    def compute(self, *, latency: float, heartbeat: float, deviation: float, crash: float
                ) -> StaleOracleResult:
        """Run :func:`~cascadelab.chapters.origin.stale_oracle` (percent -> fractions)."""
        return stale_oracle(latency=round(latency), heartbeat=round(heartbeat),
                            deviation=deviation / 100.0, crash=crash / 100.0)

    def summarize(self, result: StaleOracleResult) -> dict[str, float]:
        """The scenario's summary."""
        return result.summary

    def draw(self, result: StaleOracleResult) -> None:
        """Move the paths, the bad-debt curves and the sweep marker."""
        s, f = result.stale, result.fresh
        t = np.arange(s.steps)
        self.price.set_data(t, s.price)
        self.oracle.set_data(t, s.oracle_price)
        self.ax_price.set_xlim(0, s.steps)
        lo = min(float(s.price.min()), float(s.oracle_price.min()))
        self.ax_price.set_ylim(0.95 * lo, 1.03 * max(float(s.price.max()), 100.0))
        cum_s, cum_f = np.cumsum(s.bad_debt) / 1e6, np.cumsum(f.bad_debt) / 1e6
        self.bad_stale.set_data(t, cum_s)
        self.bad_fresh.set_data(t, cum_f)
        self.ax_bad.set_ylim(0.0, 1.1 * max(float(cum_s[-1]), float(cum_f[-1]), 0.01))
        self.sweep.set_data(result.latencies, result.bad_debt_curve / 1e6)
        lat = result.scenario.oracle_latency
        self.mark.set_data([lat], [s.total_bad_debt / 1e6])
        self.ax_sweep.set_xlim(-3, max(float(result.latencies.max()), lat) + 3)
        top = max(float(result.bad_debt_curve.max()), s.total_bad_debt) / 1e6
        self.ax_sweep.set_ylim(0.0, 1.1 * max(top, 0.01))

    def takeaway_text(self, result: StaleOracleResult) -> str:
        """One line."""
        s = result.summary
        return (f"Same crash, same drawdown ({s['drawdown_stale_pct']:.0f}%): a late feed turns "
                f"{si(s['bad_debt_fresh'], 'USD')} of bad debt into "
                f"{si(s['bad_debt_stale'], 'USD')}")


def stale_oracle_lab(**defaults: Any) -> StaleOracleLab:
    """The stale-oracle lab of chapter 01.

    ``**defaults``: ``latency`` and ``heartbeat`` (steps), ``deviation`` (%), ``crash`` (%).

    Examples
    --------
    >>> lab = stale_oracle_lab(latency=0.0)
    >>> fresh = lab.summary["bad_debt_stale"]
    >>> lab.update(latency=60.0)
    >>> lab.summary["bad_debt_stale"] > fresh
    True
    """
    return StaleOracleLab(**defaults)


# --------------------------------------------------------------------------- 4. cross margin


class CrossMarginLab(Lab):
    """Crash asset A and watch legs in B and C close, under cross and isolated margin.

    Controls: ``corr`` (correlation), ``shock`` (% fall of A), ``leverage`` (median, x),
    ``depth`` (units per 1% of each book). Summary:
    :attr:`cascadelab.chapters.origin.CrossMarginResult.summary`.
    """

    title = "Crash one asset in a shared margin pool"
    figsize = (9.0, 4.6)
    headline: ClassVar[dict[str, Any]] = {
        "other_legs_cross": "legs closed in B and C: cross <b>{:,.0f}</b>",
        "other_legs_isolated": "isolated <b>{:,.0f}</b>",
        "dragged_share": lambda v: f"<b>{100 * v:.0f}%</b> of the cross ones dragged by A",
        "shocked_legs_cross": "legs in A: cross <b>{:,.0f}</b>",
        "shocked_legs_isolated": "isolated <b>{:,.0f}</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__({
            "corr": slider("Correlation (ϱ)", 0.0, 0.95, 0.2, step=0.05, readout_format=".2f",
                          tooltip="Correlation between every pair of assets: how much of A's "
                                  "crash B and C share"),
            "shock": slider("Crash of A (%)", 5.0, 60.0, 30.0, step=5.0, readout_format=".0f",
                            tooltip="Fall of asset A at step 20"),
            "leverage": slider("Median leverage (x)", 2.0, 10.0, 4.0, step=0.5,
                               tooltip="Account leverage (gross notional / margin): higher "
                                       "is closer to liquidation"),
            "depth": log_slider("Depth (units/1%)", 2e3, 1e5, 1e4,
                                tooltip="Units that move each asset's price 1%"),
        }, **defaults)

    def setup(self, fig: Figure) -> None:
        """Legs closed per asset (left); prices under cross margin (right)."""
        ax, ax2 = fig.subplots(1, 2, width_ratios=[1.2, 1.0])
        self.ax_legs, self.ax_price = ax, ax2
        x = np.arange(3)
        w = 0.38
        self.cross_bars = ax.bar(x - w / 2, np.zeros(3), w, color=cp.LIQUIDATIONS,
                                 label="cross: own trigger")
        self.dragged_bars = ax.bar(x - w / 2, np.zeros(3), w, color=cp.LIQUIDATIONS,
                                   alpha=0.45, hatch="///", edgecolor="white",
                                   label="cross: dragged by another asset")
        self.iso_bars = ax.bar(x + w / 2, np.zeros(3), w, color=cp.BASELINE, label="isolated")
        ax.set_xticks(x, ["A (crashed)", "B", "C"])
        ax.grid(False, axis="x")
        ax.legend(loc="upper right", fontsize=8)
        cp.label(ax, y="legs liquidated", title="Where the legs were closed")
        self.lines = [ax2.plot([], [], color=cp.PRICE, ls=ls, label=name)[0]
                      for ls, name in (("-", "A"), ("--", "B"), (":", "C"))]
        ax2.legend(loc="lower left", fontsize=8)
        cp.label(ax2, x="step", y="price", yunit="USD", title="Prices under cross margin")
        _lean(ax2)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))

    def compute(self, *, corr: float, shock: float, leverage: float, depth: float
                ) -> CrossMarginResult:
        """Run :func:`~cascadelab.chapters.origin.cross_margin_contagion` (percent -> fraction)."""
        return cross_margin_contagion(corr=float(corr), shock=shock / 100.0,
                                      leverage=float(leverage), depth=float(depth))

    def summarize(self, result: CrossMarginResult) -> dict[str, float]:
        """The scenario's summary."""
        return result.summary

    def draw(self, result: CrossMarginResult) -> None:
        """Set the bar heights and the price paths."""
        c, i = result.cross, result.isolated
        legs = c.n_liquidated_legs_total.astype(float)
        dragged = c.dragged_legs.astype(float)
        for k in range(3):
            self.cross_bars[k].set_height(legs[k] - dragged[k])
            self.dragged_bars[k].set_y(legs[k] - dragged[k])
            self.dragged_bars[k].set_height(dragged[k])
            self.iso_bars[k].set_height(float(i.n_liquidated_legs_total[k]))
        top = max(float(legs.max()), float(i.n_liquidated_legs_total.max()), 1.0)
        self.ax_legs.set_ylim(0.0, 1.25 * top)
        t = np.arange(c.price.shape[0])
        for k, line in enumerate(self.lines):
            line.set_data(t, c.price[:, k])
        self.ax_price.set_xlim(0, t.size)
        self.ax_price.set_ylim(0.95 * float(c.price.min()), 1.03 * float(c.price.max()))

    def takeaway_text(self, result: CrossMarginResult) -> str:
        """One line."""
        s = result.summary
        if s["other_legs_cross"] > s["other_legs_isolated"]:
            return (f"Shared margin closed {s['other_legs_cross']:,.0f} legs in B and C against "
                    f"{s['other_legs_isolated']:,.0f} when each leg stands alone")
        return (f"At this correlation B and C crash too: isolated legs fail on their own "
                f"({s['other_legs_isolated']:,.0f} against {s['other_legs_cross']:,.0f})")


def cross_margin_lab(**defaults: Any) -> CrossMarginLab:
    """The cross-margin lab of chapter 01.

    ``**defaults``: ``corr`` (correlation), ``shock`` (%), ``leverage`` (x), ``depth``
    (units per 1%).

    Examples
    --------
    >>> lab = cross_margin_lab(corr=0.0)
    >>> lab.summary["other_legs_cross"] > lab.summary["other_legs_isolated"]
    True
    """
    return CrossMarginLab(**defaults)


# --------------------------------------------------------------------------- 5. liquidators

CAPS = [("no cap", 0.0), ("2 x depth", 2.0), ("1 x depth", 1.0), ("0.5 x depth", 0.5),
        ("0.2 x depth", 0.2), ("0.1 x depth", 0.1)]


class LiquidatorLab(Lab):
    """Close every triggered position at once, or in slices, on the same shock.

    Controls: ``close_factor`` (% of a position per step), ``cap`` (units per step as a
    multiple of the depth; 0 = no cap), ``shock`` (%), ``resilience`` (% of impact that
    decays per step), ``depth`` (units per 1%). Summary:
    :attr:`cascadelab.chapters.origin.LiquidatorResult.summary`.
    """

    title = "Choose how the liquidation engine sells"
    figsize = (9.0, 5.2)
    headline: ClassVar[dict[str, Any]] = {
        "slippage_full_pct": "worst slippage: at once <b>{:.2f}%</b>",
        "slippage_gradual_pct": "gradual <b>{:.2f}%</b>",
        "bad_debt_full": lambda v: f"bad debt: at once <b>{si(v, 'USD')}</b>",
        "bad_debt_gradual": lambda v: f"gradual <b>{si(v, 'USD')}</b>",
        "drawdown_full_pct": "drawdown <b>{:.1f}%</b>",
        "drawdown_gradual_pct": "vs <b>{:.1f}%</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__({
            "close_factor": slider("Close factor (%)", 5.0, 100.0, 25.0, step=5.0,
                                   readout_format=".0f",
                                   tooltip="Share of a position closed per step: 100 = all "
                                           "at once"),
            "cap": dropdown("Cap per step (x depth)", CAPS, 0.0,
                            tooltip="Most liquidation units sold in one step, as a multiple "
                                    "of the depth"),
            "shock": slider("Shock (%)", 1.0, 20.0, 5.0, step=0.5,
                            tooltip="One-step price drop at step 10"),
            "resilience": slider("Book refill (%/step)", 1.0, 100.0, 2.0, step=1.0,
                                 readout_format=".0f",
                                 tooltip="Share of the price impact that fades each step: "
                                         "how fast the book refills"),
            "depth": log_slider("Depth (units/1%)", 5e4, 1e6, 2e5,
                                tooltip="Units that move the price 1%"),
        }, **defaults)

    def setup(self, fig: Figure) -> None:
        """Price and liquidations per step (left); the bad debt / slippage frontier (right)."""
        gs = fig.add_gridspec(2, 2, width_ratios=[1.3, 1.0])
        ax = fig.add_subplot(gs[0, 0])
        axv = fig.add_subplot(gs[1, 0], sharex=ax)
        axf = fig.add_subplot(gs[:, 1])
        self.ax_price, self.ax_vol, self.ax_front = ax, axv, axf
        # one colour per engine in every panel: grey dashed = all at once, vermillion = gradual
        (self.p_full,) = ax.plot([], [], color=cp.BASELINE, ls="--", label="all at once")
        (self.p_grad,) = ax.plot([], [], color=cp.LIQUIDATIONS, label="gradual")
        ax.legend(loc="lower right", fontsize=8)
        ax.tick_params(labelbottom=False)
        cp.label(ax, y="price", yunit="USD", title="Price")
        (self.v_full,) = axv.step([], [], where="mid", color=cp.BASELINE, ls="--")
        (self.v_grad,) = axv.step([], [], where="mid", color=cp.LIQUIDATIONS)
        cp.label(axv, x="step", y="liquidated", yunit="k units")
        (self.front,) = axf.plot([], [], "o-", ms=4, lw=1.2, color=cp.LIQUIDATIONS, alpha=0.6,
                                 label="gradual, close factor 5% ... 100%")
        (self.full_mark,) = axf.plot([], [], "s", ms=9, color=cp.BASELINE, label="all at once")
        (self.here,) = axf.plot([], [], "o", ms=11, mfc="none", mew=2, color=cp.LIQUIDATIONS,
                                label="this gradual engine")
        axf.legend(loc="upper right", fontsize=8)
        cp.label(axf, x="worst slippage", xunit="%", y="bad debt", yunit="M USD",
                 title="Market damage vs protocol loss")
        _lean(ax, axv, axf)

    def compute(self, *, close_factor: float, cap: float, shock: float, resilience: float,
                depth: float) -> LiquidatorResult:
        """Run :func:`~cascadelab.chapters.origin.liquidator_tradeoff` (percent -> fractions)."""
        return liquidator_tradeoff(close_factor=close_factor / 100.0,
                                   max_book_share=float(cap) if cap > 0 else None,
                                   shock=shock / 100.0, resilience=resilience / 100.0,
                                   depth=float(depth))

    def summarize(self, result: LiquidatorResult) -> dict[str, float]:
        """The scenario's summary."""
        return result.summary

    def draw(self, result: LiquidatorResult) -> None:
        """Move the paths, the volumes, the two sweeps and their markers."""
        f, g = result.full, result.gradual
        window = slice(0, min(f.steps, 80))
        t = np.arange(f.steps)[window]
        self.p_full.set_data(t, f.price[window])
        self.p_grad.set_data(t, g.price[window])
        self.ax_price.set_xlim(0, t[-1])
        lo = min(float(f.price[window].min()), float(g.price[window].min()))
        self.ax_price.set_ylim(0.98 * lo, 101.5)
        self.v_full.set_data(t, f.liquidated_units[window] / 1e3)
        self.v_grad.set_data(t, g.liquidated_units[window] / 1e3)
        top = max(float(f.liquidated_units.max()), float(g.liquidated_units.max()), 1.0)
        self.ax_vol.set_ylim(0.0, 1.1 * top / 1e3)
        slip = 100.0 * np.r_[result.slippage_curve, g.worst_slippage, f.worst_slippage]
        bad = np.r_[result.bad_debt_curve, g.total_bad_debt, f.total_bad_debt] / 1e6
        self.front.set_data(slip[:-2], bad[:-2])
        self.here.set_data([slip[-2]], [bad[-2]])
        self.full_mark.set_data([slip[-1]], [bad[-1]])
        self.ax_front.set_xlim(0.0, 1.15 * max(float(slip.max()), 1e-6))
        pad = 0.15 * (bad.max() - bad.min()) + 0.02 * bad.max() + 1e-9
        self.ax_front.set_ylim(max(bad.min() - pad, 0.0), bad.max() + 2 * pad)

    def takeaway_text(self, result: LiquidatorResult) -> str:
        """One line."""
        s = result.summary
        more = "more" if s["bad_debt_gradual"] > s["bad_debt_full"] else "less"
        return (f"Gradual selling cut the worst slippage from {s['slippage_full_pct']:.2f}% to "
                f"{s['slippage_gradual_pct']:.2f}% and left {more} bad debt "
                f"({si(s['bad_debt_gradual'], 'USD')} vs {si(s['bad_debt_full'], 'USD')})")


def liquidator_lab(**defaults: Any) -> LiquidatorLab:
    """The liquidation-engine lab of chapter 01.

    ``**defaults``: ``close_factor`` (%), ``cap`` (multiple of depth, 0 = none), ``shock``
    (%), ``resilience`` (%/step), ``depth`` (units per 1%).

    Examples
    --------
    >>> lab = liquidator_lab(close_factor=10.0)
    >>> lab.summary["slippage_gradual_pct"] < lab.summary["slippage_full_pct"]
    True
    """
    return LiquidatorLab(**defaults)


# --------------------------------------------------------------------------- 6. replays


def _pct(x: float) -> str:
    """A share in percent: one decimal below 10%, none above."""
    return f"{100 * x:.1f}%" if abs(x) < 0.1 else f"{100 * x:.0f}%"


class ReplayView:
    """Each replayed crash split into the shock alone and the forced selling the model adds,
    against the observed fall and the range of the sources. ``fig``: an empty figure."""

    #: Figure size (inches) the view is laid out for.
    figsize: ClassVar[tuple[float, float]] = (8.5, 3.9)

    def __init__(self, fig: Figure) -> None:
        self.figure = fig
        self.ax = fig.add_subplot()

    def update(self, replays: tuple[EventReplay, ...]) -> None:
        """Draw ``replays`` (top to bottom in the order given)."""
        ax = self.ax
        ax.clear()
        y = np.arange(len(replays))[::-1].astype(float)
        for yi, r in zip(y, replays, strict=True):
            c, (lo, hi), first = r.central, r.band, yi == y[0]
            exo = 100.0 * c.model_fall * (1.0 - c.cascade_share)
            ax.barh(yi, exo, height=0.5, color=cp.BASELINE,
                    label="the shock alone (calibrated)" if first else None)
            ax.barh(yi, 100.0 * c.model_fall - exo, left=exo, height=0.5,
                    color=cp.LIQUIDATIONS, label="forced selling" if first else None)
            # how the split moves over depth and leverage
            left, right = (100.0 * c.model_fall * (1.0 - s) for s in (hi, lo))
            ax.errorbar([exo], [yi], xerr=[[exo - left], [right - exo]], fmt="none",
                        ecolor=cp.FUNDAMENTAL, capsize=4, lw=1.2,
                        label="split over depth and leverage" if first else None)
            ax.plot([100.0 * v for v in r.event.fall_range], [yi + 0.38] * 2, lw=3.0,
                    color=cp.FUNDAMENTAL, solid_capstyle="butt",
                    label="observed fall, range of sources" if first else None)
            ax.plot([100.0 * r.observed_fall], [yi + 0.38], "D", color=cp.FUNDAMENTAL, ms=6)
            ax.text(100.0 * c.model_fall + 1.0, yi, f"{_pct(c.cascade_share)} cascade "
                    f"({_pct(lo)} to {_pct(hi)})", va="center", fontsize=8)
        ax.set_yticks(y, [f"{r.event.name.split(' (')[0]}\n{r.event.asset}, {r.event.key}"
                          for r in replays], fontsize=9)
        top = max(max(r.event.fall_range[1], r.model_fall) for r in replays)
        ax.set(xlim=(0.0, 100.0 * top + 22.0), ylim=(-0.6, len(replays) - 0.2))
        cp.label(ax, x="fall", xunit="%", title="How much of each crash was the cascade?")
        ax.grid(False, axis="y")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8)
