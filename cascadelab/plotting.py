"""One figure style for the whole course: colours per concept, labelled axes, a takeaway line.

Every chart in cascadelab draws the same thing in the same colour, from the colour-blind-safe
Okabe-Ito palette (Okabe and Ito, *Color Universal Design*, 2008). Use the concept constants
(``PRICE``, ``LIQUIDATIONS``, ...), never raw hex codes, so a reader who has learned that
vermillion means "forced sales" in chapter 00 can rely on it in chapter 04.

Each concept has its own colour, except two deliberate pairs told apart by line style:
``FUNDAMENTAL`` (dashed) and ``THEORY`` (dotted) are both black. ``CRITICAL`` is the one colour
from outside Okabe-Ito: Paul Tol's "wine" (#882255, from his colour-blind-safe *muted* scheme),
so that a danger line never looks like forced sales (vermillion) or bad debt (reddish purple);
it is much darker than both, which keeps it apart for every common type of colour vision.

Contrast: every line colour reaches 3:1 against white and every colour also used for text 4.5:1
(:func:`contrast_ratio`; ``OKABE_ITO_ON_WHITE`` keeps each Okabe-Ito hue and darkens orange, sky
blue, reddish purple and yellow just enough). Only ``HALT`` and ``NEUTRAL`` stay light: they fill
areas behind the data (edge and label halt shading in ``HALT_EDGE``). Colour is never the only
cue: series that share a panel differ by line style or marker too.

=================  =================  =========================================================
constant           Okabe-Ito colour   what it always means
=================  =================  =========================================================
``PRICE``          blue               the traded price
``FUNDAMENTAL``    black              the price without forced flows (draw it dashed)
``LIQUIDATIONS``   vermillion         forced sales and liquidated volume
``DEALER_FLOW``    orange             option dealers' hedge trades
``INSURANCE_FUND`` bluish green       the insurance fund, buffers that absorb losses
``BAD_DEBT``       reddish purple     losses beyond collateral, bad debt
``PREDATOR``       sky blue           a front-runner or predator and its P&L
``HALT``           yellow             shading of trading halts and circuit breakers
``HALT_EDGE``      dark yellow        the edge and label of halt shading
``BASELINE``       grey               the "no mitigation" or "shock alone" baseline (dashed)
``THEORY``         black              closed-form curves overlaid on simulations (dotted)
``CRITICAL``       wine (dark red)    the critical point (rho = D) and other danger lines
``NEUTRAL``        light grey         context: positions not (yet) touched, reference bars
=================  =================  =========================================================

Functions: :func:`apply_style` (set the rcParams once, e.g. at the top of a notebook),
:func:`style_context` (the same inside a ``with`` block), :func:`new_figure` (a figure that is
an ipympl widget in JupyterLab and a plain Agg figure elsewhere), :func:`label` (axis labels with
units and a sentence-case title), :func:`sentence_case`, :func:`takeaway` (one line of
conclusion under a figure), :func:`show` (display a figure in a notebook, as a widget under
ipympl) and :func:`loop_diagram` (a feedback loop drawn as boxes on a circle).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from cascadelab import plotting as cp
>>> fig = cp.new_figure(figsize=(5, 3))
>>> ax = fig.add_subplot()
>>> line, = ax.plot([0, 1, 2], [100, 95, 90], color=cp.PRICE)
>>> cp.label(ax, x="round", y="price", yunit="USD", title="price falls round by round")
>>> ax.get_ylabel(), ax.get_title()
('Price (USD)', 'Price falls round by round')
>>> cp.takeaway(fig, "Each round of forced sales pushes the price lower.").get_text()
'Each round of forced sales pushes the price lower.'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

__all__ = [
    "ALERT_TEXT",
    "BAD_DEBT",
    "BASELINE",
    "CONCEPT_COLORS",
    "COURSE_RC",
    "CRITICAL",
    "DEALER_FLOW",
    "FILL_ONLY",
    "FOCUS_JS",
    "FUNDAMENTAL",
    "HALT",
    "HALT_EDGE",
    "INSURANCE_FUND",
    "LIQUIDATIONS",
    "NEUTRAL",
    "OKABE_ITO",
    "OKABE_ITO_ON_WHITE",
    "OUTPUT_KEY",
    "PREDATOR",
    "PRICE",
    "TEXT_COLOURS",
    "THEORY",
    "apply_style",
    "contrast_ratio",
    "figure_helper_html",
    "ipympl_active",
    "label",
    "loop_diagram",
    "new_figure",
    "sentence_case",
    "show",
    "style_context",
    "takeaway",
    "takeaway_text",
]

#: The eight Okabe-Ito colours, by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: The Okabe-Ito hues darkened (same hue and saturation, lower lightness) where the published
#: colour is too light on white: a line or marker needs 3:1 against the background (WCAG 1.4.11),
#: text 4.5:1 (WCAG 1.4.3). Orange and sky blue reach only about 2.3:1 as published.
OKABE_ITO_ON_WHITE: dict[str, str] = {
    **OKABE_ITO,
    "orange": "#BD8300",          # 3.2:1 (published #E69F00: 2.25:1)
    "sky_blue": "#1D96DB",        # 3.2:1 (published #56B4E9: 2.31:1)
    "reddish_purple": "#BC4F8B",  # 4.5:1, also used for labels (published #CC79A7: 3.06:1)
    "yellow": "#9C920C",          # 3.2:1, the outline and label of halt shading
}

PRICE = OKABE_ITO_ON_WHITE["blue"]
FUNDAMENTAL = OKABE_ITO_ON_WHITE["black"]
LIQUIDATIONS = OKABE_ITO_ON_WHITE["vermillion"]
DEALER_FLOW = OKABE_ITO_ON_WHITE["orange"]
INSURANCE_FUND = OKABE_ITO_ON_WHITE["bluish_green"]
BAD_DEBT = OKABE_ITO_ON_WHITE["reddish_purple"]
PREDATOR = OKABE_ITO_ON_WHITE["sky_blue"]
#: Halt shading is a translucent fill behind the data, so it keeps the published yellow;
#: draw its edge or any "halted" label in ``HALT_EDGE``.
HALT = OKABE_ITO["yellow"]
HALT_EDGE = OKABE_ITO_ON_WHITE["yellow"]
BASELINE = "#767676"  # 4.5:1, also used for labels (was #7F7F7F: 4.0:1)
THEORY = OKABE_ITO["black"]
CRITICAL = "#882255"  # Paul Tol's "wine": not LIQUIDATIONS, not BAD_DEBT
NEUTRAL = "#C8C8C8"
#: Error text in the labs: vermillion's hue, dark enough for text (5.1:1 on white).
ALERT_TEXT = "#B84E00"

#: Colours that only ever fill areas behind the data (shading, context bars): no contrast floor.
FILL_ONLY: frozenset[str] = frozenset({"halt", "neutral"})
#: Colours also used for text (labels drawn in the concept's colour): 4.5:1 on white.
TEXT_COLOURS: frozenset[str] = frozenset({"bad_debt", "baseline", "critical", "price",
                                          "fundamental", "theory"})


def contrast_ratio(colour: str, background: str = "#FFFFFF") -> float:
    """The WCAG 2 contrast ratio of two ``#RRGGBB`` colours (1 to 21).

    Examples
    --------
    >>> round(contrast_ratio("#000000"), 1)
    21.0
    >>> round(contrast_ratio("#767676"), 2)
    4.54
    """

    def luminance(c: str) -> float:
        if not (isinstance(c, str) and len(c) == 7 and c.startswith("#")):
            raise ValueError(f"colour must be '#RRGGBB', got {c!r}")
        rgb = [int(c[i:i + 2], 16) / 255.0 for i in (1, 3, 5)]
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = luminance(colour), luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


#: Concept name -> colour, for code that picks colours by name (e.g. ``CONCEPT_COLORS["price"]``).
CONCEPT_COLORS: dict[str, str] = {
    "price": PRICE,
    "fundamental": FUNDAMENTAL,
    "liquidations": LIQUIDATIONS,
    "dealer_flow": DEALER_FLOW,
    "insurance_fund": INSURANCE_FUND,
    "bad_debt": BAD_DEBT,
    "predator": PREDATOR,
    "halt": HALT,
    "halt_edge": HALT_EDGE,
    "baseline": BASELINE,
    "theory": THEORY,
    "critical": CRITICAL,
    "neutral": NEUTRAL,
}

#: The course's rcParams: quiet axes, readable fonts, the Okabe-Ito colour cycle.
COURSE_RC: dict[str, Any] = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "savefig.bbox": "tight",
    "font.size": 10.0,
    "axes.titlesize": 11.0,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "axes.prop_cycle": mpl.cycler(
        color=[PRICE, LIQUIDATIONS, INSURANCE_FUND, DEALER_FLOW, BAD_DEBT, PREDATOR,
               FUNDAMENTAL]
    ),
    "lines.linewidth": 2.0,
    "legend.frameon": False,
    "legend.fontsize": 9.0,
    "xtick.labelsize": 9.0,
    "ytick.labelsize": 9.0,
}

_TAKEAWAY_ATTR = "_cascadelab_takeaway"
_TAKEAWAY_HEIGHT = 0.09  # fraction of the figure height kept free for the takeaway line


def apply_style() -> None:
    """Set matplotlib's rcParams to the course style (call once, e.g. in a notebook's first cell).

    Only the keys in :data:`COURSE_RC` change; the backend is left alone.
    """
    mpl.rcParams.update(COURSE_RC)


@contextmanager
def style_context() -> Iterator[None]:
    """The course style inside a ``with`` block only (rcParams are restored afterwards)."""
    with mpl.rc_context(COURSE_RC):
        yield


def ipympl_active() -> bool:
    """True when matplotlib's backend is ipympl (``%matplotlib widget`` in JupyterLab)."""
    backend = str(mpl.rcParams._get_backend_or_none() or "").lower()
    return "ipympl" in backend or backend == "widget"


def new_figure(figsize: tuple[float, float] | None = None, *, widget: bool | None = None,
               **kwargs: Any) -> Figure:
    """A figure in the course style that does not show itself until asked.

    Under ipympl the figure comes from pyplot with interactive mode off, so ``fig.canvas`` is an
    ipywidgets ``Canvas`` that a lab places in its layout (its toolbar and header hidden). Under
    any other backend (Agg in tests, inline in a static notebook) it is a plain
    :class:`~matplotlib.figure.Figure` with an Agg canvas that pyplot does not track: nothing
    leaks and nothing is shown twice.

    Parameters
    ----------
    figsize : (float, float) or None
        Width and height in inches; None uses the course default.
    widget : bool or None
        True: an ipympl canvas (needs ipympl); False: a plain Agg figure even under ipympl (the
        labs draw into one and show it as an image); None: ipympl when it is the backend.
    **kwargs
        Passed to :class:`~matplotlib.figure.Figure` (e.g. ``dpi``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    with style_context():
        if ipympl_active() if widget is None else widget:
            import matplotlib.pyplot as plt

            with plt.ioff():
                fig = plt.figure(figsize=figsize, **kwargs)
            canvas = fig.canvas
            for name, value in (("header_visible", False), ("footer_visible", False),
                                ("toolbar_visible", False), ("resizable", False)):
                if hasattr(canvas, name):
                    setattr(canvas, name, value)
        else:
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            fig = Figure(figsize=figsize, **kwargs)
            FigureCanvasAgg(fig)
        fig.set_layout_engine("constrained")
    return fig


def sentence_case(text: str) -> str:
    """``text`` with its first letter upper case and no final full stop.

    The rest is left alone, so acronyms and symbols survive ("rho/D near 1", "USD").

    Examples
    --------
    >>> sentence_case("amplification against depth.")
    'Amplification against depth'
    """
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def _with_unit(name: str, unit: str | None) -> str:
    name = sentence_case(name)
    return f"{name} ({unit})" if unit else name


def label(
    ax: Axes,
    *,
    x: str | None = None,
    y: str | None = None,
    xunit: str | None = None,
    yunit: str | None = None,
    title: str | None = None,
) -> None:
    """Label ``ax``'s axes as "Quantity (unit)" and give it a short sentence-case title.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to label.
    x, y : str or None
        What each axis measures ("price", "units liquidated"); None leaves the label alone.
    xunit, yunit : str or None
        Units shown in parentheses ("USD", "units per 1%", "x"); None for dimensionless.
    title : str or None
        A short title; it is put in sentence case.
    """
    if x is not None:
        ax.set_xlabel(_with_unit(x, xunit))
    if y is not None:
        ax.set_ylabel(_with_unit(y, yunit))
    if title is not None:
        ax.set_title(sentence_case(title))


def _figure_of(fig_or_ax: Figure | Axes) -> Figure:
    if isinstance(fig_or_ax, Figure):
        return fig_or_ax
    fig = fig_or_ax.get_figure(root=True) if hasattr(fig_or_ax, "get_figure") else None
    if fig is None:
        raise TypeError(f"expected a matplotlib Figure or Axes, got {type(fig_or_ax).__name__}")
    return fig


def takeaway(fig_or_ax: Figure | Axes, text: str) -> Text:
    """Write one line of takeaway under a figure; calling it again replaces the line.

    A strip at the bottom of the figure is kept free for the line (through the constrained
    layout engine when the figure uses it, else by squeezing the axes up), so the line shows
    in JupyterLab, in ipympl widgets and in saved images alike.

    Parameters
    ----------
    fig_or_ax : Figure or Axes
        The figure, or any axes of it.
    text : str
        One sentence: what the reader should see in the figure.

    Returns
    -------
    matplotlib.text.Text
        The takeaway artist (update it with ``set_text``).
    """
    fig = _figure_of(fig_or_ax)
    artist = getattr(fig, _TAKEAWAY_ATTR, None)
    text = sentence_case(text)
    if text and text[-1] not in "!?":
        text += "."
    if artist is not None:
        artist.set_text(text)
        return artist
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
        engine.set(rect=(0.0, _TAKEAWAY_HEIGHT, 1.0, 1.0 - _TAKEAWAY_HEIGHT))
    else:  # no layout engine: squeeze every axes into the part of the figure above the line
        h = _TAKEAWAY_HEIGHT + 0.06
        for ax in fig.axes:
            x0, y0, w, hgt = ax.get_position().bounds
            ax.set_position((x0, h + y0 * (1.0 - h), w, hgt * (1.0 - h)))
    artist = fig.text(
        0.01, _TAKEAWAY_HEIGHT / 2, text, ha="left", va="center", fontsize=10,
        fontstyle="italic", color="#333333", wrap=True,
    )
    setattr(fig, _TAKEAWAY_ATTR, artist)
    return artist


#: The page-side script that keeps a figure from trapping the keyboard (WCAG 2.1.2): Tab and
#: Shift+Tab move on past an ipympl canvas instead of being swallowed by it, Escape leaves it.
#: It is installed once per page, by :func:`show` and by every lab.
FOCUS_JS = r"""(function () {
if (window.cascadelabFocus) return;
window.cascadelabFocus = true;
document.addEventListener('keydown', function (e) {
  var t = e.target;
  if (!t || !t.classList || !t.classList.contains('jupyter-matplotlib-canvas-div')) return;
  if (e.key === 'Tab') { e.stopImmediatePropagation(); }
  else if (e.key === 'Escape') { e.stopImmediatePropagation(); t.blur(); }
}, true);
})();"""

#: Output metadata key of what :func:`show` displays: ``{"alt": takeaway}`` on a figure,
#: ``{"helper": True}`` on the page helper (the static site uses both, see course/site.py).
OUTPUT_KEY = "cascadelab"

_SR_ONLY = ("position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
            "clip-path:inset(50%);white-space:nowrap")


def takeaway_text(fig: Figure) -> str:
    """The figure's takeaway line (:func:`takeaway`), or ``""`` when it has none."""
    artist = getattr(fig, _TAKEAWAY_ATTR, None)
    return artist.get_text() if artist is not None else ""


def figure_helper_html(text: str) -> str:
    """HTML shown with a live figure: its takeaway as text for screen readers (the line drawn in
    the canvas is pixels to them) and the :data:`FOCUS_JS` loader."""
    import html

    alt = f"Figure: {text}" if text else "Figure"
    return (f'<span class="cascadelab-figure-text" style="{_SR_ONLY}">{html.escape(alt)}</span>'
            f'<img src="data:," alt="" style="display:none" '
            f'onerror="{html.escape(FOCUS_JS, quote=True)}">')


def show(fig: Figure) -> None:
    """Display ``fig`` in a notebook: its ipympl canvas widget, or a static image otherwise.

    The figure's takeaway goes with it as its text alternative: in the output's metadata
    (``{"cascadelab": {"alt": ...}}``, the static site's alt text) and, next to a live canvas, as
    screen-reader text in a hidden helper widget, which also makes sure Tab and Escape leave the
    canvas (:data:`FOCUS_JS`). Outside IPython it does nothing, so scripts and tests can call it
    freely.
    """
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return
    if get_ipython() is None:
        return
    canvas = fig.canvas
    try:
        import ipywidgets

        is_widget = isinstance(canvas, ipywidgets.DOMWidget)
    except ImportError:  # pragma: no cover
        is_widget = False
    text = takeaway_text(fig)
    display(canvas if is_widget else fig, metadata={OUTPUT_KEY: {"alt": text or "Figure"}})
    if is_widget:
        helper = ipywidgets.HTML(figure_helper_html(text),
                                 layout=ipywidgets.Layout(height="0px", margin="0px",
                                                          overflow="hidden"))
        display(helper, metadata={OUTPUT_KEY: {"helper": True}})


def loop_diagram(
    ax: Axes, steps: list[str], *, colors: list[str] | None = None, center: str = ""
) -> None:
    """Draw a feedback loop: ``steps`` in boxes round a circle, clockwise, joined by arrows.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw in (its frame and ticks are hidden).
    steps : list of str
        The stages of the loop in order, starting at the top; the last one feeds the first.
    colors : list of str or None
        Edge colour per box (default: :data:`PRICE` for all).
    center : str
        Text written in the middle of the loop.
    """
    import numpy as np

    n = len(steps)
    colors = colors or [PRICE] * n
    angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    xy = np.c_[np.cos(angles), 0.78 * np.sin(angles)]
    for (x, y), text, color in zip(xy, steps, colors, strict=True):
        ax.text(x, y, text, ha="center", va="center", fontsize=9.5, wrap=True,
                bbox={"boxstyle": "round,pad=0.5", "fc": "white", "ec": color, "lw": 2})
    for k in range(n):
        a, b = xy[k], xy[(k + 1) % n]
        ax.annotate("", xy=a + 0.72 * (b - a), xytext=a + 0.28 * (b - a),
                    arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 1.8,
                                "connectionstyle": "arc3,rad=-0.25"})
    if center:
        ax.text(0.0, 0.0, center, ha="center", va="center", fontsize=10, fontstyle="italic",
                color=LIQUIDATIONS)
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.05, 1.05)
    ax.set_aspect("equal")
    ax.axis("off")
