"""The Widget Lab: every lab of the course in one tabbed dashboard (``notebooks/lab.ipynb``).

A tab is one line of :data:`TABS`: a CSS-safe key, the tab title, the lab factory (a name in
:mod:`cascadelab.widgets` or any callable returning a lab) and a short HTML intro. Tabs whose
factory does not exist yet are left out, so the dashboard always shows the labs that are
installed. :func:`widget_lab` builds the :class:`ipywidgets.Tab`; it renders in JupyterLab and
as a stand-alone Voila app (``voila notebooks/lab.ipynb``).

Every tab panel carries the CSS classes ``cascadelab-tab`` and ``cascadelab-tab-<key>``; its
intro has ``cascadelab-intro``, and, when they are widgets, the lab's figure (ipympl canvas or
image) ``cascadelab-figure``, its summary line ``cascadelab-summary`` and each control
``cascadelab-control-<name>`` (the browser tests find them by these classes).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from cascadelab.dashboard import TABS, available_tabs
>>> [t.key for t in TABS][:2]
['feedback_loop', 'gamma_hedging']
>>> all(t in TABS for t in available_tabs())
True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["TABS", "Tab", "available_tabs", "build", "lab_widget", "widget_lab"]


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


# One line per tab. Add a lab here and it appears in notebooks/lab.ipynb, in the Binder warm-up
# and in the browser tests (first_class=True) as soon as its factory exists.
TABS: list[Tab] = [
    Tab("feedback_loop", "Feedback loop", "feedback_loop_lab",
        "A shock closes the weakest longs; their market sales move the price into the next "
        "cluster of liquidation prices. Thin the book or raise leverage and watch the staircase "
        "lengthen as the loop gain <i>&rho;/D</i> approaches 1, the critical point.", True),
    Tab("gamma_hedging", "Gamma hedging", "gamma_hedging_lab",
        "Dealers who sold options must sell the asset as it falls to stay delta-neutral. Make the "
        "book shorter in gamma and compare the price path with and without hedging; then give "
        "the dealer protective puts and see the hedge sales shrink.", True),
    Tab("front_running", "Front-running", "front_running_lab",
        "A predator sells into a visible cluster of liquidation levels and buys back the forced "
        "selling. Move it closer to the cluster or give it more capital to find where hunting "
        "pays; hide the levels and its edge disappears.", True),
    Tab("circuit_breaker", "Circuit breaker", "circuit_breaker_lab",
        "A halt pauses trading when the price moves more than a band within a window, and the "
        "book refills while it waits. Tighten the band or lengthen the halt and compare the "
        "bottom of the crash and the bad debt with and without the breaker.", True),
]


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


def _tag(lab: Any) -> None:
    """Give the lab's figure, summary line and controls stable CSS classes (when widgets)."""
    import ipywidgets as w

    canvas = getattr(getattr(lab, "figure", None), "canvas", None)
    for view in (canvas, getattr(lab, "_image", None)):
        if isinstance(view, w.DOMWidget):
            view.add_class("cascadelab-figure")
    for name in ("_headline", "summary_widget", "summary_html"):
        candidate = getattr(lab, name, None)
        if isinstance(candidate, w.DOMWidget):
            candidate.add_class("cascadelab-summary")
            break
    for name, control in getattr(lab, "controls", {}).items():
        if isinstance(control, w.DOMWidget):
            control.add_class(f"cascadelab-control-{name}")


def build(tabs: Sequence[Tab] | None = None) -> dict[str, Any]:
    """Build the lab of every available tab: key -> lab (headless, nothing displayed)."""
    out = {}
    for tab in available_tabs(tabs):
        factory = tab.resolve()
        assert factory is not None
        out[tab.key] = factory()
    return out


def widget_lab(tabs: Sequence[Tab] | None = None, labs: dict[str, Any] | None = None) -> Any:
    """The Widget Lab: an :class:`ipywidgets.Tab` with one lab and its intro per tab.

    Parameters
    ----------
    tabs : sequence of Tab, optional
        Tabs to show (default :data:`TABS`); those whose factory is missing are skipped.
    labs : dict, optional
        Labs already built by :func:`build` (key -> lab); built here when missing.

    Returns
    -------
    ipywidgets.Tab or ipywidgets.HTML
        The dashboard; a short note instead when no lab is installed yet. The labs are in
        ``.labs`` (key -> lab) on the returned widget.
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
    for tab in chosen:
        if tab.key not in labs:
            factory = tab.resolve()
            assert factory is not None
            labs[tab.key] = factory()
        lab = labs[tab.key]
        _tag(lab)
        intro = w.HTML(f"<p>{tab.intro}</p>", layout=w.Layout(max_width="60em"))
        intro.add_class("cascadelab-intro")
        panel = w.VBox([intro, lab_widget(lab)])
        panel.add_class("cascadelab-tab")
        panel.add_class(f"cascadelab-tab-{tab.key}")
        panels.append(panel)
    dash = w.Tab(children=panels, titles=[t.title for t in chosen])
    dash.add_class("cascadelab-widget-lab")
    dash.labs = labs
    return dash
