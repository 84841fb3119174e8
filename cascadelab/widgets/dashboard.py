"""The Widget Lab: every lab of the course in one tabbed dashboard (``notebooks/lab.ipynb``).

A tab is one line of :data:`TABS`: a CSS-safe key, the tab title, the lab factory (a name in
:mod:`cascadelab.widgets` or any callable returning a lab) and a short HTML intro. Tabs whose
factory does not exist yet are left out, so the dashboard always shows the labs that are
installed. :func:`widget_lab` builds the :class:`ipywidgets.Tab`; it renders in JupyterLab and
as a stand-alone Voila app (``voila notebooks/lab.ipynb``).

Every tab panel carries the CSS classes ``cascadelab-tab`` and ``cascadelab-tab-<key>``; its
intro has ``cascadelab-intro``. Every :class:`~cascadelab.widgets.Lab` tags its own figure view
(ipympl canvas or image) ``cascadelab-figure``, its summary line ``cascadelab-summary`` and each
control ``cascadelab-control-<name>`` (the browser tests find them by these classes).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from cascadelab.widgets.dashboard import TABS, available_tabs
>>> [t.key for t in TABS][:2]
['feedback_loop', 'fragmentation']
>>> all(t in TABS for t in available_tabs())
True
"""

from __future__ import annotations

import html
import importlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["TABS", "TAB_CSS", "Tab", "available_tabs", "build", "lab_widget", "widget_lab"]


@dataclass(frozen=True)
class Tab:
    """One tab of the Widget Lab.

    Attributes
    ----------
    key : str
        CSS-safe identifier (``cascadelab-tab-<key>``), also the key of :func:`build`'s result.
    title : str
        Tab title.
    factory : str or callable
        Name of a lab factory in :mod:`cascadelab.widgets`, or a callable returning a lab.
    intro : str
        Two or three sentences of HTML shown above the lab: what to move, what to notice.
    first_class : bool
        One of the course's headline labs (the browser tests move a slider of each).
    """

    key: str
    title: str
    factory: str | Callable[[], Any]
    intro: str
    first_class: bool = False

    def resolve(self) -> Callable[[], Any] | None:
        """The factory, or None when it is not (yet) part of :mod:`cascadelab.widgets`."""
        if callable(self.factory):
            return self.factory
        try:
            widgets = importlib.import_module("cascadelab.widgets")
        except ModuleNotFoundError as err:  # the widgets package itself is missing
            if err.name in ("cascadelab.widgets", "cascadelab"):
                return None
            raise
        return getattr(widgets, self.factory, None)


# One line per tab, in course order. Add a lab here and it appears in notebooks/lab.ipynb, in the
# Binder warm-up and (first_class=True) in the browser tests, as soon as its factory exists.
TABS: list[Tab] = [
    Tab("feedback_loop", "Feedback loop", "feedback_loop_lab",
        "<b>Chapter 00.</b> A shock closes the weakest longs; their market sales move the price "
        "into the next cluster of liquidation prices. Thin the book or raise leverage and watch "
        "the staircase lengthen as the loop gain <i>&rho;/D</i> approaches 1, the critical "
        "point.", True),
    Tab("fragmentation", "One venue's book", "fragmentation_lab",
        "<b>Chapter 01.</b> The forced sales hit the book of the venue that liquidates, not the "
        "depth of the whole market. Shrink that venue's share and compare the two cascades."),
    Tab("fat_tails", "Fat tails", "fat_tail_lab",
        "<b>Chapter 01.</b> A margin buffer of <i>k</i> standard deviations, sized for normal "
        "returns, against Student-t returns. Lower the tail index <i>&nu;</i> and count the "
        "extra breaches per year."),
    Tab("stale_oracle", "Stale oracle", "stale_oracle_lab",
        "<b>Chapter 01.</b> The venue liquidates on a price feed that lags a crash. Add latency "
        "and watch positions close too late, below their bankruptcy price: bad debt."),
    Tab("cross_margin", "Cross-margin", "cross_margin_lab",
        "<b>Chapter 01.</b> One margin pool for three assets: crash asset A and see positions in "
        "B and C closed too. Raise the correlation and compare with isolated margin."),
    Tab("liquidator", "Liquidator", "liquidator_lab",
        "<b>Chapter 01.</b> The liquidation engine closes everything at once or in slices. "
        "Compare slippage, the depth of the fall and bad debt for the same shock."),
    Tab("amplifiers", "Four amplifiers", "amplifier_lab",
        "<b>Chapter 02.</b> Depth, leverage, oracle latency and collateral correlation, each "
        "swept on the same shock. Which one turns a small shock into a large fall fastest?"),
    Tab("gamma_hedging", "Gamma hedging", "gamma_hedging_lab",
        "<b>Chapter 02.</b> Dealers who sold options must sell the asset as it falls to stay "
        "delta-neutral. Make the book shorter in gamma and compare the price path with and "
        "without hedging; then give the dealer protective puts and see the hedge sales shrink.",
        True),
    Tab("front_running", "Front-running", "front_running_lab",
        "<b>Chapter 02.</b> A predator sells into a visible cluster of liquidation levels and "
        "buys back the forced selling. Move it closer to the cluster or give it more capital to "
        "find where hunting pays; hide the levels and its edge disappears.", True),
    Tab("circuit_breaker", "Circuit breaker", "circuit_breaker_lab",
        "<b>Chapter 03.</b> A halt pauses trading when the price moves more than a band within a "
        "window, or (stress threshold above 0) when the liquidations within reach, over the "
        "depth and scaled by volatility, reach a threshold; the book refills while it waits. "
        "Tighten the band or lengthen the halt and compare the bottom of the crash and the bad "
        "debt with and without the breaker.", True),
    Tab("gradual_liquidation", "Gradual liquidation", "gradual_liquidation_lab",
        "<b>Chapter 03.</b> Close liquidated positions in tranches, capped at a share of the "
        "book, instead of one market order each. What does waiting cost?"),
    Tab("insurance_fund", "Insurance fund", "insurance_fund_lab",
        "<b>Chapter 03.</b> Bad debt is paid by the insurance fund until it runs dry, then "
        "shared among the winners. Size the fund and find the crash that empties it."),
    Tab("adl", "Auto-deleveraging", "adl_lab",
        "<b>Chapter 03.</b> When the fund runs dry, the winners pay: a levy charges every "
        "open short the same per unit, ADL closes the top of a queue ranked by profit times "
        "leverage. Move the fund and count who pays, and how much the hardest hit lose."),
    Tab("oracle_network", "Oracle network", "oracle_network_lab",
        "<b>Chapter 04.</b> The median of <i>n</i> feeds with <i>k</i> bad ones, against a "
        "single feed: how far the price is pushed, and what an attack costs."),
    Tab("waterfall", "Clearing waterfall", "waterfall_lab",
        "<b>Chapter 04.</b> A member defaults. Follow its loss down a clearing house's "
        "waterfall, and compare with a web of bilateral exposures."),
    Tab("basket", "Collateral basket", "basket_lab",
        "<b>Chapter 04.</b> Margin posted in cash, in the crashing asset alone, or in a basket. "
        "Raise the correlation and watch the basket's protection fade."),
    Tab("bridge", "Bridge outage", "bridge_lab",
        "<b>Chapter 04.</b> A bridge outage cuts off the liquidity that lives on another chain; "
        "the same shock now meets a thinner book."),
    Tab("warning", "Early warning", "warning_lab",
        "<b>Chapter 05.</b> A cascade predictor raises warnings; the venue acts on them. Trade "
        "false alarms against the bad debt the warnings avoid."),
    Tab("cross_venue", "Cross-venue monitor", "cross_venue_lab",
        "<b>Chapter 05.</b> Three venues share one asset through arbitrage. Each venue's own loop "
        "gain looks safe; the system's may not."),
    Tab("backstop", "Backstop", "backstop_lab",
        "<b>Chapter 05.</b> Pay a backstop to add depth when forced selling arrives: the fall, "
        "the bad debt, and whether the backstop makes money."),
]

#: Keeps the tab bar compact and readable with many tabs: the titles wrap onto as few rows as
#: fit (two at 1400 px), each title is whole, and the current tab is obvious (white bold text on
#: the course's blue, against grey tabs), so the first lab's figure and headline fit a 900 px
#: screen.
TAB_CSS = """<style>
.cascadelab-widget-lab > .widget-tab-bar { height: auto; min-height: auto; max-height: none;
  overflow: visible; }
.cascadelab-widget-lab > .widget-tab-bar .lm-TabBar-content { flex-wrap: wrap; }
.cascadelab-widget-lab > .widget-tab-bar .lm-TabBar-tab { flex: 0 0 auto !important;
  max-width: none !important; min-width: 0 !important; width: auto !important;
  padding: 0 9px !important; font-size: 13px; line-height: 26px !important;
  min-height: 26px !important; max-height: 26px !important; color: #3d3d3d !important;
  background: #ececec !important; }
.cascadelab-widget-lab > .widget-tab-bar .lm-TabBar-tabLabel { overflow: visible;
  text-overflow: clip; white-space: nowrap; }
.cascadelab-widget-lab > .widget-tab-bar .lm-TabBar-tab.lm-mod-current {
  color: #ffffff !important; font-weight: 700; background: #0072B2 !important;
  border-color: #0072B2 !important; }
.cascadelab-widget-lab > .widget-tab-bar .lm-TabBar-tab:hover:not(.lm-mod-current) {
  background: #dcdcdc !important; }
.cascadelab-widget-lab > .widget-tab-contents { padding: 8px 10px; }
.cascadelab-intro p { line-height: 1.35; margin: 0 0 0.4em 0; }
</style>"""


def available_tabs(tabs: Sequence[Tab] | None = None) -> list[Tab]:
    """The tabs whose lab factory exists, in order."""
    return [t for t in (TABS if tabs is None else tabs) if t.resolve() is not None]


def lab_widget(lab: Any) -> Any:
    """The ipywidgets widget that displays ``lab``.

    A lab is (or holds) an ipywidgets container; anything else is wrapped in an ``Output``
    widget that displays it.
    """
    import ipywidgets as w

    if isinstance(lab, w.Widget):
        return lab
    for name in ("widget", "container", "ui", "box"):
        inner = getattr(lab, name, None)
        if isinstance(inner, w.Widget):
            return inner
    out = w.Output()
    with out:
        from IPython.display import display

        display(lab)
    return out


def build(tabs: Sequence[Tab] | None = None) -> dict[str, Any]:
    """Build the lab of every available tab: key -> lab (headless, nothing displayed)."""
    out = {}
    for tab in available_tabs(tabs):
        factory = tab.resolve()
        assert factory is not None
        out[tab.key] = factory()
    return out


def widget_lab(tabs: Sequence[Tab] | None = None, labs: dict[str, Any] | None = None,
               lazy: bool = True) -> Any:
    """The Widget Lab: an :class:`ipywidgets.Tab` with one lab and its intro per tab.

    Parameters
    ----------
    tabs : sequence of Tab, optional
        Tabs to show (default :data:`TABS`); those whose factory is missing are skipped.
    labs : dict, optional
        Labs already built by :func:`build` (key -> lab).
    lazy : bool
        Build a tab's lab the first time the tab is selected (the first tab at once), so that
        the app starts quickly; False builds every lab now.

    Returns
    -------
    ipywidgets.Tab or ipywidgets.HTML
        The dashboard; a short note instead when no lab is installed yet. The labs built so far
        are in ``.labs`` (key -> lab) on the returned widget, and the error message of any
        lab that failed to build in ``.errors`` (key -> message; the tab shows it too).
    """
    import ipywidgets as w

    chosen = available_tabs(tabs)
    labs = dict(labs or {})
    if not chosen:
        note = w.HTML("<p class='cascadelab-empty'>No lab is installed yet: the labs of "
                      "<code>cascadelab.widgets</code> appear here as they land.</p>")
        note.labs = labs
        return note
    panels = []
    for i, tab in enumerate(chosen):
        style = TAB_CSS if i == 0 else ""
        intro = w.HTML(f"{style}<p>{tab.intro}</p>", layout=w.Layout(max_width="105em"))
        intro.add_class("cascadelab-intro")
        loading = w.HTML(f"<p><i>Building the {tab.title.lower()} lab...</i></p>")
        panel = w.VBox([intro, loading])
        panel.add_class("cascadelab-tab")
        panel.add_class(f"cascadelab-tab-{tab.key}")
        panels.append(panel)
    dash = w.Tab(children=panels, titles=[t.title for t in chosen], selected_index=0)
    dash.add_class("cascadelab-widget-lab")
    dash.labs = labs
    dash.errors = {}

    def fill(index: int | None) -> None:
        if index is None:
            return
        tab, panel = chosen[index], panels[index]
        if getattr(panel, "_cascadelab_filled", False):
            return
        panel._cascadelab_filled = True
        try:
            if tab.key not in labs:
                factory = tab.resolve()
                assert factory is not None
                labs[tab.key] = factory()
            panel.children = (panel.children[0], lab_widget(labs[tab.key]))
        except Exception as err:  # say so in the tab; the other tabs keep working
            message = f"{type(err).__name__}: {err}"
            dash.errors[tab.key] = message
            panel.children = (panel.children[0], w.HTML(
                f"<p style='color:#B84E00'>Could not build this lab: "  # plotting.ALERT_TEXT
                f"{html.escape(message)}</p>"))
            warnings.warn(f"{tab.title} lab: {message}", RuntimeWarning, stacklevel=2)

    dash.observe(lambda change: fill(change["new"]), names="selected_index")
    for index in (range(len(chosen)) if not lazy else [0]):
        fill(index)
    return dash
