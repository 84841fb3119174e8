r"""The labs of chapter 05 (where it is going): early warning, cross-venue monitoring, backstop.

* :func:`warning_lab`: the fitted cascade predictor on held-out episodes. Left: its ROC curve
  with the operating point of the warning threshold. Right: bad debt and mean drawdown after the
  warning, with and without acting on warnings (raise margins or pause), out of sample.
* :func:`cross_venue_lab`: three venues linked by arbitrage. Left: each venue's price, round by
  round, after a dump on venue A. Right: the loop gain each venue sees alone against the one a
  system monitor sees.
* :func:`backstop_lab`: a paid backstop liquidity provider. Left: the price with and without it.
  Right: the backstop's P&L in parts (rebates, mark, exit cost) and in total.

Numbers from :mod:`cascadelab.chapters.horizon`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from cascadelab import plotting as cp
from cascadelab._validate import check_real
from cascadelab.chapters.horizon import (
    BackstopResult,
    CrossVenueResult,
    PolicyOutcome,
    backstop_scenario,
    cross_venue_cascade,
    predictive_engine,
    warning_policy,
)
from cascadelab.widgets._base import Lab, dropdown, log_slider, slider, usd

__all__ = ["BackstopLab", "CrossVenueLab", "WarningLab", "backstop_lab", "cross_venue_lab",
           "warning_lab"]


def _legend_above(fig: Figure, handles: list[Any], ncols: int) -> Any:
    """One legend for the whole figure, above the panels: never on the data."""
    return fig.legend(handles=handles, loc="outside upper right", ncols=ncols, fontsize=8,
                      frameon=False, handlelength=1.8, columnspacing=1.2)


class WarningLab(Lab):
    """Act on the cascade predictor's warnings and see what it buys on held-out episodes.

    Controls: ``threshold`` (% predicted probability that raises a warning), ``policy``
    ("margin" or "pause"), ``cap`` (leverage cap of the margin policy, x), ``band`` (breaker
    band of the pause policy, %). Summary: ``auc``, ``fpr``, ``tpr``, ``warned_share``,
    ``bad_debt_without``/``_with`` (USD), ``drawdown_without``/``_with`` (fraction),
    ``collateral_added`` (USD).
    """

    title = "Act on an early warning"
    figsize = (9.0, 4.6)
    headline: ClassVar[dict[str, Any]] = {
        "auc": "held-out AUC <b>{:.2f}</b>",
        "warned_share": lambda v: f"warned <b>{v:.0%}</b> of episodes",
        "tpr": lambda v: f"caught <b>{v:.0%}</b> of cascades",
        "bad_debt_without": lambda v: f"bad debt <b>{usd(v)}</b>",
        "bad_debt_with": lambda v: f"→ <b>{usd(v)}</b>",
        "collateral_added": lambda v: f"collateral added <b>{usd(v)}</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        self.predictor = predictive_engine()
        everyone = np.ones(len(self.predictor.test), dtype=bool)
        for policy, level in (("margin", 5.0), ("pause", 0.02)):  # cache the default replays
            warning_policy(self.predictor.test, everyone, policy=policy, level=level)
        super().__init__(
            {
                "threshold": slider(
                    "Warn at P (%)", 5.0, 95.0, 50.0, step=5.0, readout_format=".0f",
                    tooltip="Predicted cascade probability that raises a warning: lower "
                            "warns more often"),
                "policy": dropdown(
                    "On a warning", [("raise margins", "margin"), ("pause (breaker)", "pause")],
                    "margin", tooltip="What the venue does on a warning"),
                "cap": slider(
                    "Leverage cap (x)", 2.0, 20.0, 5.0, step=1.0, readout_format=".0f",
                    tooltip="Raise margins: positions above this leverage must top up"),
                "band": slider(
                    "Breaker band (%)", 1.0, 10.0, 2.0, step=1.0, readout_format=".0f",
                    tooltip="Pause: halt 20 steps when the price moves this much in 5 steps"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """ROC curve (left); bad debt and mean drawdown out of sample, each on its own axis."""
        ax_roc, ax_bad, ax_dd = fig.subplots(1, 3, width_ratios=[1.3, 0.75, 0.75])
        roc = self.predictor.roc_test
        (curve,) = ax_roc.plot(roc.fpr, roc.tpr, color=cp.PRICE, lw=2, label="logistic model")
        (chance,) = ax_roc.plot([0, 1], [0, 1], color=cp.BASELINE, ls="--", lw=1,
                                label="chance")
        (self.point,) = ax_roc.plot([], [], "o", color=cp.CRITICAL, ms=9, label="warning rule")
        ax_roc.set_xlim(0, 1)
        ax_roc.set_ylim(0, 1.02)
        cp.label(ax_roc, x="false alarms", xunit="share of calm episodes",
                 y="cascades caught", yunit="share", title="ROC on held-out episodes")
        self.bars_without, self.bars_with, containers = [], [], []
        for ax, name, unit in ((ax_bad, "bad debt", "M USD"), (ax_dd, "mean drawdown", "%")):
            without = ax.bar([0.0], [0.0], 0.7, color=cp.BASELINE, label="no policy")
            with_ = ax.bar([1.0], [0.0], 0.7, color=cp.INSURANCE_FUND,
                           label="policy on warnings")
            ax.set_xticks([0.0, 1.0], ["none", "policy"])
            ax.set_xlim(-0.6, 1.6)
            cp.label(ax, y=name, yunit=unit, title=name)
            self.bars_without.append(without[0])
            self.bars_with.append(with_[0])
            containers = [without, with_]
        self.ax_bad, self.ax_dd = ax_bad, ax_dd
        self.legend = _legend_above(fig, [curve, chance, self.point, *containers], ncols=3)

    def compute(self, *, threshold: float, policy: str, cap: float, band: float
                ) -> tuple[float, PolicyOutcome]:
        """Warn where the predicted probability is at least the threshold; replay the policy."""
        threshold = check_real("threshold", threshold, 0.0, 100.0)  # NaN would warn on nothing
        cap = check_real("cap", cap, 1.0, 100.0)
        band = check_real("band", band, 0.0, 50.0, lo_open=True, hi_open=True)
        warned = self.predictor.p_test >= threshold / 100.0
        level = cap if policy == "margin" else band / 100.0
        return threshold / 100.0, warning_policy(self.predictor.test, warned, policy=policy,
                                                 level=float(level))

    def summarize(self, result: tuple[float, PolicyOutcome]) -> dict[str, float]:
        """AUC, operating point and the policy's totals."""
        th, out = result
        roc = self.predictor.roc_test
        fpr, tpr = roc.at(th)
        return {"auc": roc.auc, "fpr": fpr, "tpr": tpr, **out.summary}

    def draw(self, result: tuple[float, PolicyOutcome]) -> None:
        """Move the operating point and set the bar heights."""
        s = self.summary
        self.point.set_data([s["fpr"]], [s["tpr"]])
        without = [s["bad_debt_without"] / 1e6, 100 * s["drawdown_without"]]
        with_ = [s["bad_debt_with"] / 1e6, 100 * s["drawdown_with"]]
        for ax, b0, b1, h0, h1 in zip((self.ax_bad, self.ax_dd), self.bars_without,
                                      self.bars_with, without, with_, strict=True):
            b0.set_height(h0)
            b1.set_height(h1)
            ax.set_ylim(0, 1.15 * max(h0, h1, 1e-9))

    def takeaway_text(self, result: tuple[float, PolicyOutcome]) -> str:
        """What the warning rule bought."""
        s = self.summary
        saved = 1.0 - s["bad_debt_with"] / max(s["bad_debt_without"], 1e-9)
        return (f"Acting on {s['warned_share']:.0%} of episodes cut held-out bad debt by "
                f"{saved:.0%}")


def warning_lab(**defaults: Any) -> WarningLab:
    """The early-warning lab: ``threshold`` (%), ``policy``, ``cap`` (x), ``band`` (%).

    Examples
    --------
    >>> lab = warning_lab(threshold=30.0)
    >>> lab.summary["bad_debt_with"] < lab.summary["bad_debt_without"]
    True
    """
    return WarningLab(**defaults)


class CrossVenueLab(Lab):
    """Three venues, one asset: a dump on venue A, arbitrage, and the monitors' loop gains.

    Controls: ``coupling`` (% of each venue's flow arbitrage passes to the pooled book),
    ``shock`` (% move of the dump on A's own book), ``scale`` (open interest, x today's).
    Summary: ``system_gain``, ``max_own_gain``, ``move_A``, ``move_B``, ``move_C`` (fractions).
    """

    title = "Watch three venues share one cascade"
    figsize = (9.0, 4.6)
    headline: ClassVar[dict[str, Any]] = {
        "max_own_gain": "largest single-venue gain <b>{:.2f}</b>",
        "system_gain": "system gain <b>{:.2f}</b>",
        "move_A": lambda v: f"falls: A <b>{v:.1%}</b>",
        "move_B": lambda v: f"B <b>{v:.1%}</b>",
        "move_C": lambda v: f"C <b>{v:.1%}</b>",
    }
    colors = (cp.PRICE, cp.DEALER_FLOW, cp.BAD_DEBT)

    def __init__(self, **defaults: Any) -> None:
        super().__init__(
            {
                "coupling": slider(
                    "Arbitrage link (%)", 0.0, 100.0, 60.0, step=5.0, readout_format=".0f",
                    tooltip="Share of each venue's flow that arbitrage spreads over all venues"),
                "shock": slider(
                    "Dump on A (%)", 0.5, 10.0, 2.0, step=0.5,
                    tooltip="A sell on venue A that would move A's own book by this much"),
                "scale": slider(
                    "Open interest (x)", 0.3, 2.0, 1.0, step=0.05, readout_format=".2f",
                    tooltip="Every venue's positions scaled: more leverage in the system"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Prices by round (left), loop gains (right)."""
        ax_p, ax_g = fig.subplots(1, 2, width_ratios=[1.5, 1.0])
        self.lines = [ax_p.step([], [], where="post", color=c, lw=2, label=f"venue {n}")[0]
                      for c, n in zip(self.colors, "ABC", strict=True)]
        cp.label(ax_p, x="round", y="price", yunit="USD", title="price on each venue")
        self.ax_p = ax_p
        self.gain_bars = ax_g.bar(np.arange(4), np.zeros(4),
                                  color=[*self.colors, cp.CRITICAL])
        crit = ax_g.axhline(1.0, color=cp.THEORY, ls="--", lw=1.2,
                            label="critical gain 1 (dashed)")
        ax_g.set_xticks(np.arange(4), ["$k_A$", "$k_B$", "$k_C$", r"$k_{\mathrm{sys}}$"])
        cp.label(ax_g, x="venue's own gain, or the system's", y="loop gain",
                 title="what each monitor sees")
        self.ax_g = ax_g
        self.legend = _legend_above(fig, [*self.lines, crit], ncols=4)

    def compute(self, *, coupling: float, shock: float, scale: float) -> CrossVenueResult:
        """Run :func:`~cascadelab.chapters.horizon.cross_venue_cascade` (percent -> fractions)."""
        return cross_venue_cascade(coupling=coupling / 100.0, shock=shock / 100.0,
                                   scale=float(scale))

    def summarize(self, result: CrossVenueResult) -> dict[str, float]:
        """The result's summary."""
        return result.summary

    def draw(self, result: CrossVenueResult) -> None:
        """Update the three price staircases and the four gain bars."""
        rp = result.round_prices
        x = np.arange(rp.shape[0] + 1, dtype=float)
        for j, line in enumerate(self.lines):
            line.set_data(x, np.r_[rp[:, j], rp[-1, j]])
        self.ax_p.set_xlim(0, max(x[-1], 3))
        lo = float(rp.min())
        self.ax_p.set_ylim(min(lo - 1.0, 95.0), 100.5)
        gains = [*result.own_gain, result.system_gain]
        for bar, g in zip(self.gain_bars, gains, strict=True):
            bar.set_height(g)
        self.ax_g.set_ylim(0, max(1.3, 1.15 * max(gains)))

    def takeaway_text(self, result: CrossVenueResult) -> str:
        """Who warned, and what happened."""
        s = result.summary
        if s["system_gain"] >= 1.0 > s["max_own_gain"]:
            return ("No venue's own gain reaches 1, but the system's does: "
                    f"the dump on A drags C down {s['move_C']:.1%}")
        return (f"System gain {s['system_gain']:.2f}, largest single venue "
                f"{s['max_own_gain']:.2f}: C falls {s['move_C']:.1%}")


def cross_venue_lab(**defaults: Any) -> CrossVenueLab:
    """The cross-venue lab: ``coupling`` (%), ``shock`` (%), ``scale`` (x).

    Examples
    --------
    >>> lab = cross_venue_lab()
    >>> lab.summary["system_gain"] >= lab.summary["max_own_gain"]
    True
    """
    return CrossVenueLab(**defaults)


class BackstopLab(Lab):
    """A backstop paid to add depth when forced selling comes: the market and its P&L.

    Controls: ``shock`` (%), ``extra_depth`` (units per 1%), ``rebate`` (% of USD bought),
    ``follow_through`` (further fall, x the shock). Summary: see
    :attr:`cascadelab.chapters.horizon.BackstopResult.summary`.
    """

    title = "Pay a backstop to heal the book"
    figsize = (9.0, 4.6)
    headline: ClassVar[dict[str, Any]] = {
        "drawdown_without": lambda v: f"drawdown <b>{v:.1%}</b>",
        "drawdown_with": lambda v: f"→ <b>{v:.1%}</b> with backstop",
        "bad_debt_with": lambda v: f"bad debt left <b>{usd(v)}</b>",
        "pnl": lambda v: f"backstop P&L <b>{usd(v)}</b>",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__(
            {
                "shock": slider("Shock (%)", 0.5, 15.0, 2.0, step=0.5,
                                tooltip="The first drop; bigger shocks fill the backstop more"),
                "extra_depth": log_slider(
                    "Backstop depth (units/1%)", 1e3, 2e5, 3e4,
                    tooltip="Depth the backstop adds when forced selling hits the book"),
                "rebate": slider(
                    "Rebate (% of USD)", 0.0, 5.0, 2.0, step=0.25, readout_format=".2f",
                    tooltip="What the venue pays the backstop per USD it buys"),
                "follow_through": slider(
                    "Follow-through (x shock)", 0.0, 2.0, 0.25, step=0.25,
                    readout_format=".2f",
                    tooltip="How much further the fundamental slides after the shock: "
                            "adverse selection"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Price paths (left) and P&L parts (right)."""
        ax_p, ax_b = fig.subplots(1, 2, width_ratios=[1.5, 1.0])
        (self.base,) = ax_p.plot([], [], color=cp.BASELINE, ls="--", label="no backstop")
        (self.with_,) = ax_p.plot([], [], color=cp.PRICE, label="with backstop")
        (self.fund,) = ax_p.plot([], [], color=cp.FUNDAMENTAL, ls=":", lw=1,
                                 label="fundamental (dotted)")
        self.legend = _legend_above(fig, [self.with_, self.base, self.fund], ncols=3)
        cp.label(ax_p, x="step", y="price", yunit="USD", title="the same shock")
        self.ax_p = ax_p
        self.pnl_bars = ax_b.bar(np.arange(4), np.zeros(4),
                                 color=[cp.INSURANCE_FUND, cp.PREDATOR, cp.LIQUIDATIONS,
                                        cp.THEORY])
        ax_b.axhline(0.0, color="black", lw=0.8)
        ax_b.set_xticks(np.arange(4), ["rebates", "mark", "−exit", "P&L"])
        cp.label(ax_b, y="backstop", yunit="k USD", title="is it worth it?")
        self.ax_b = ax_b

    def compute(self, *, shock: float, extra_depth: float, rebate: float,
                follow_through: float) -> BackstopResult:
        """Run :func:`~cascadelab.chapters.horizon.backstop_scenario` (percent -> fractions)."""
        return backstop_scenario(shock / 100.0, extra_depth=float(extra_depth),
                                 rebate=rebate / 100.0, follow_through=float(follow_through))

    def summarize(self, result: BackstopResult) -> dict[str, float]:
        """The result's summary."""
        return result.summary

    def draw(self, result: BackstopResult) -> None:
        """Update the two price paths and the four P&L bars."""
        t = np.arange(result.without.steps)
        self.base.set_data(t, result.without.price)
        self.with_.set_data(t, result.with_backstop.price)
        self.fund.set_data(t, result.with_backstop.fundamental)
        self.ax_p.set_xlim(0, t[-1])
        lo = min(result.without.price.min(), result.with_backstop.fundamental.min())
        self.ax_p.set_ylim(lo - 1.0, 101.0)
        parts = np.array([result.rebates, result.mark, -result.exit_cost, result.pnl]) / 1e3
        for bar, h in zip(self.pnl_bars, parts, strict=True):
            bar.set_height(h)
        top = max(float(np.abs(parts).max()), 1e-6)
        self.ax_b.set_ylim(-1.15 * top, 1.15 * top)

    def takeaway_text(self, result: BackstopResult) -> str:
        """Does the incentive hold?"""
        verdict = "its incentive holds" if result.pnl > 0 else "it loses money: the incentive fails"
        return (f"The backstop cut the drawdown from {result.without.max_drawdown:.1%} to "
                f"{result.with_backstop.max_drawdown:.1%}, and {verdict}")


def backstop_lab(**defaults: Any) -> BackstopLab:
    """The backstop lab: ``shock`` (%), ``extra_depth``, ``rebate`` (%), ``follow_through``.

    Examples
    --------
    >>> lab = backstop_lab()
    >>> lab.summary["drawdown_with"] < lab.summary["drawdown_without"]
    True
    """
    return BackstopLab(**defaults)
