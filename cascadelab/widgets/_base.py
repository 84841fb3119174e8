r"""The widget-lab contract: :class:`Lab`, and helpers to build its controls.

A lab is controls on the left (above the figure when the window is narrow), one matplotlib figure
on the right, and the headline numbers in one line of text under the figure. Moving a control
recomputes a pure scenario function once and redraws by updating the artists that were built
once; nothing is ever cleared and replotted.

What a learner feels is the time from a move to the new picture, so a lab sends as little work to
the page as it can: it paints its figure with :class:`~cascadelab.widgets._render.Painter` (only
the artists that moved, over a cached background of axes and labels) into an Agg buffer and shows
it as a PNG image, sized to its container. While a slider is dragged the headline numbers follow
at once and the figure follows as fast as it can be painted; the headline is dimmed
(``cascadelab-stale``) while the picture lags behind it.
"""

from __future__ import annotations

import asyncio
import builtins
import html
import io
import math
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from cascadelab.plotting import (
    _TAKEAWAY_HEIGHT,
    ALERT_TEXT,
    FOCUS_JS,
    new_figure,
    style_context,
    takeaway,
)
from cascadelab.widgets._render import Painter

__all__ = ["LAB_CSS", "Lab", "dropdown", "int_slider", "log_slider", "parse_number", "si",
           "slider", "usd"]

_SLIDERS = (W.FloatSlider, W.FloatLogSlider, W.IntSlider)


def _control_style() -> dict[str, Any]:
    # "initial": the description keeps its natural width (never cut to "..."); the lab's CSS
    # puts it on a line of its own above the slider.
    return {"style": {"description_width": "initial"}, "layout": W.Layout(width="100%")}


def slider(
    description: str,
    min: float,
    max: float,
    value: float,
    *,
    step: float,
    tooltip: str,
    readout_format: str = ".1f",
    continuous_update: bool = True,
) -> W.FloatSlider:
    """A float slider with units in its description and a one-line tooltip.

    Parameters
    ----------
    description : str
        Name and unit, e.g. ``"Shock (%)"``.
    min, max, value, step : float
        Range, starting value and step, in the unit of the description.
    tooltip : str
        One line: what the control is and which way is riskier.
    readout_format : str
        Format of the number shown next to the slider.
    continuous_update : bool
        Send values while the slider is dragged (the lab then updates its headline numbers at
        once and its figure as fast as it can); False: only on release.

    Returns
    -------
    ipywidgets.FloatSlider
    """
    return W.FloatSlider(
        value=value, min=min, max=max, step=step, description=description, tooltip=tooltip,
        readout_format=readout_format, continuous_update=continuous_update, **_control_style(),
    )


def int_slider(description: str, min: int, max: int, value: int, *, tooltip: str,
               continuous_update: bool = True) -> W.IntSlider:
    """An integer slider styled like :func:`slider` (counts of things, steps)."""
    return W.IntSlider(
        value=value, min=min, max=max, step=1, description=description, tooltip=tooltip,
        continuous_update=continuous_update, **_control_style(),
    )


def log_slider(
    description: str,
    min: float,
    max: float,
    value: float,
    *,
    tooltip: str,
    steps_per_decade: int = 20,
    readout_format: str = ",.0f",
    continuous_update: bool = True,
) -> W.FloatLogSlider:
    """A slider on a log scale (for depths, capital and other sizes spanning decades).

    ``min``, ``max`` and ``value`` are in the unit of the description (not exponents). The
    browser snaps to the exponent grid ``min + k * step``, so the step nearest
    ``1/steps_per_decade`` that puts ``value`` on it is used (100,000 stays 100,000, not 100,237).
    """
    lo, hi, at = math.log10(min), math.log10(max), math.log10(value)
    step = 1.0 / steps_per_decade
    if lo < at:
        step = (at - lo) / builtins.max(1, round((at - lo) * steps_per_decade))
    return W.FloatLogSlider(
        value=value, base=10.0, min=lo, max=hi,
        step=step, description=description, tooltip=tooltip,
        readout_format=readout_format, continuous_update=continuous_update, **_control_style(),
    )


def dropdown(description: str, options: Any, value: Any, *, tooltip: str) -> W.Dropdown:
    """A dropdown of choices (e.g. the impact model) with a one-line tooltip."""
    return W.Dropdown(options=options, value=value, description=description, tooltip=tooltip,
                      **_control_style())


def si(x: float, unit: str = "") -> str:
    """Three significant digits and a k/M/B suffix: ``si(1_234_567, "USD") == '1.23M USD'``."""
    tail = f" {unit}" if unit else ""
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{suffix}{tail}"
    return f"{x:.3g}{tail}"


def usd(v: float) -> str:
    """Dollars at a fixed precision, e.g. ``usd(1_234_567) == '1.23M USD'``.

    Two decimals in millions, none in thousands (``'12k USD'``) or below.
    """
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:,.2f}M USD"
    if a >= 1e3:
        return f"{v / 1e3:,.0f}k USD"
    return f"{v:,.0f} USD"


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_SUFFIX = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9}


def parse_number(text: str) -> tuple[float | None, str]:
    """Read a number typed by a learner: ``(value, how)``, value None when it is not one.

    Accepts thousands separators (``"20,000,000"``), a decimal comma (``"7,5"`` is 7.5, and
    ``how`` says so), a unicode minus, spaces, a trailing ``%`` or ``x`` and a k/M/B suffix
    (``"2M"``). ``how`` is "" when the text was read as written.

    Examples
    --------
    >>> parse_number("7,5")
    (7.5, 'read "7,5" as 7.5')
    >>> parse_number("20,000,000")
    (20000000.0, '')
    >>> parse_number("abc")
    (None, '"abc" is not a number')
    """
    raw = text.strip()
    s = raw.replace("\u2212", "-").replace(" ", "").replace("_", "").rstrip("%xX")
    how = ""
    scale = 1.0
    if s[-1:] in _SUFFIX and len(s) > 1:
        scale, s = _SUFFIX[s[-1]], s[:-1]
    if _THOUSANDS.fullmatch(s):
        s = s.replace(",", "")
    elif s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
        how = "decimal comma"
    try:
        value = float(s) * scale
    except ValueError:
        return None, f'"{raw}" is not a number'
    if not math.isfinite(value):
        return None, f'"{raw}" is not a finite number'
    if how:
        how = f'read "{raw}" as {value:g}'
    return value, how


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _from_page(widget: Any) -> bool:
    """Whether ``widget``'s value is being set by its view in the page (not by Python code)."""
    return bool(getattr(widget, "_property_lock", None))


def _readout_text(widget: Any, value: float) -> str:
    fmt = getattr(widget, "readout_format", "") or ("d" if isinstance(widget, W.IntSlider)
                                                    else ".4g")
    try:
        return format(value, fmt)
    except (ValueError, TypeError):
        return f"{value:g}"


#: The page-side helper every lab carries (runs once per page): every control gets an accessible
#: name (its description, with its unit) and every slider announces the value shown in its
#: readout (a log slider's real value, not its exponent); each figure image gets its takeaway as
#: alt text. With it comes plotting's FOCUS_JS: Tab, Shift+Tab and Escape always leave an ipympl
#: canvas (no keyboard trap).
_A11Y_JS = r"""(function () {
if (window.cascadelabA11y) { window.cascadelabA11y(); return; }
var fix = function () {
  document.querySelectorAll('.cascadelab-lab .cascadelab-row').forEach(function (row) {
    var ctl = row.querySelector('.cascadelab-control');
    if (!ctl) return;
    var label = ctl.querySelector('.widget-label');
    var name = label ? label.textContent.trim() : '';
    var readout = row.querySelector('.cascadelab-readout input');
    var shown = readout ? readout.value : '';
    ctl.querySelectorAll('[role=slider]').forEach(function (h) {
      if (name && h.getAttribute('aria-label') !== name) h.setAttribute('aria-label', name);
      if (shown && h.getAttribute('aria-valuetext') !== shown) {
        h.setAttribute('aria-valuetext', shown);
      }
    });
    ctl.querySelectorAll('select, input, textarea').forEach(function (el) {
      if (name && el.getAttribute('aria-label') !== name) el.setAttribute('aria-label', name);
    });
    if (readout && name && readout.getAttribute('aria-label') !== name + ', typed value') {
      readout.setAttribute('aria-label', name + ', typed value');
    }
  });
  document.querySelectorAll('.cascadelab-lab').forEach(function (lab) {
    var img = lab.querySelector('img.cascadelab-figure');
    var cap = lab.querySelector('.cascadelab-takeaway');
    if (img && cap) {
      var alt = cap.textContent.trim() || 'Figure of the lab';
      if (img.getAttribute('alt') !== alt) img.setAttribute('alt', alt);
    }
  });
};
var queued = false;
var later = function () {
  if (queued) return;
  queued = true;
  setTimeout(function () { queued = false; fix(); }, 30);
};
new MutationObserver(later).observe(document.body, {subtree: true, childList: true,
  characterData: true, attributes: true, attributeFilter: ['aria-valuenow', 'class']});
document.addEventListener('input', later, true);
window.cascadelabA11y = fix;
fix();
})();"""

#: The CSS every lab carries, scoped to ``.cascadelab-lab``.
LAB_CSS = """
.cascadelab-lab { flex-wrap: wrap; align-items: flex-start; gap: 6px 18px; max-width: 100%;
  box-sizing: border-box; container-type: inline-size; }
.cascadelab-lab > .cascadelab-controls { flex: 0 0 300px; width: 300px; min-width: 0; }
.cascadelab-lab > .cascadelab-view { flex: 1 1 720px; min-width: 0; max-width: 100%; }
.cascadelab-lab img.cascadelab-figure { display: block; max-width: 100%; height: auto;
  width: auto; align-self: flex-start; flex: 0 0 auto; }
.cascadelab-lab .cascadelab-row { width: 100%; margin: 0 0 4px 0; }
.cascadelab-lab .cascadelab-row > .widget-hbox { align-items: flex-end; width: 100%; }
.cascadelab-lab .cascadelab-control { flex-wrap: wrap; height: auto; width: 100%;
  min-width: 0; flex: 1 1 auto; margin-right: 4px; }
.cascadelab-lab .cascadelab-control > .widget-label { flex: 0 0 100%; width: 100% !important;
  max-width: 100% !important; white-space: normal; overflow: visible; text-overflow: clip;
  text-align: left; line-height: 1.3; height: auto; margin: 0 0 2px 0; }
.cascadelab-lab .cascadelab-control .slider-container { flex: 1 1 auto; min-width: 0;
  margin-left: 8px; margin-right: 8px; }
.cascadelab-lab .cascadelab-readout { flex: 0 0 7.5em; width: 7.5em; margin: 0; }
.cascadelab-lab .cascadelab-readout input { text-align: right; }
.cascadelab-lab .cascadelab-note { color: #A04000; font-size: 12px; line-height: 1.3;
  margin: 0; }
.cascadelab-lab .cascadelab-summary { transition: opacity 0.1s; }
.cascadelab-lab .cascadelab-summary.cascadelab-stale { opacity: 0.45;
  transition: opacity 0.15s 0.12s; }
.cascadelab-lab .cascadelab-takeaway { font-style: italic; color: #333333; }
.cascadelab-lab .cascadelab-title { width: 100%; }
@container (max-width: 1037px) {
  .cascadelab-lab > .cascadelab-controls { flex: 1 1 100%; width: 100%; flex-direction: row;
    flex-wrap: wrap; column-gap: 18px; }
  .cascadelab-lab > .cascadelab-controls > .cascadelab-row { width: 300px; }
}
"""


def _page_helpers() -> str:
    return (f"<style>{LAB_CSS}</style>"
            f'<img src="data:," alt="" style="display:none" '
            f'onerror="{html.escape(_A11Y_JS + FOCUS_JS, quote=True)}">')


class _Readout:
    """The typed-value box of one slider (its own readout is off) and the note under it.

    Shows the slider's value in its readout format; a typed value is read with
    :func:`parse_number`, clamped to the slider's range or refused, and the note says so.
    """

    def __init__(self, widget: Any) -> None:
        self.widget = widget
        widget.readout = False
        self.text = W.Text(value=_readout_text(widget, widget.value), continuous_update=False,
                           layout=W.Layout(width="7.5em"))
        self.text.add_class("cascadelab-readout")
        self.note = W.HTML("", layout=W.Layout(display="none"))
        self.note.add_class("cascadelab-note")
        self._typing = False
        widget.observe(self._on_value, names="value")
        self.text.observe(self._on_text, names="value")

    def say(self, message: str) -> None:
        self.note.value = html.escape(message)
        self.note.layout.display = "" if message else "none"

    def _on_value(self, change: Mapping[str, Any]) -> None:
        if self._typing:  # the value came from the box: _on_text writes the box and the note
            return
        self._typing = True
        try:
            self.text.value = _readout_text(self.widget, change["new"])
        finally:
            self._typing = False
        self.say("")

    def _on_text(self, change: Mapping[str, Any]) -> None:
        if self._typing:
            return
        w = self.widget
        value, how = parse_number(change["new"])
        shown = _readout_text(w, w.value)
        if value is None:
            self._typing = True
            try:
                self.text.value = shown
            finally:
                self._typing = False
            self.say(f"{how}: kept {shown}")
            return
        lo, hi = (w.base ** w.min, w.base ** w.max) if isinstance(w, W.FloatLogSlider) else (
            w.min, w.max)
        notes = [how] if how else []
        if value < lo or value > hi:
            bound = lo if value < lo else hi
            side = "below the minimum" if value < lo else "above the maximum"
            notes.append(f"{value:g} is {side}: set to {_readout_text(w, bound)}")
            value = bound
        if isinstance(w, W.IntSlider) and value != round(value):
            notes.append(f"rounded to {round(value)}")
            value = round(value)
        self._typing = True
        try:
            w.value = int(value) if isinstance(w, W.IntSlider) else float(value)
            self.text.value = _readout_text(w, w.value)
        finally:
            self._typing = False
        self.say("; ".join(notes))


class Lab(W.HBox):
    r"""An interactive lab: controls left, figure right, headline numbers under the figure.

    A ``Lab`` is an ipywidgets ``HBox``, so it displays itself in JupyterLab and Voila and can be
    nested in other layouts. It works headless too (tests drive it without a browser).

    Attributes
    ----------
    controls : dict of str -> ipywidgets value widget
        One widget per input, units in its description and a tooltip. Setting any control's
        ``.value`` from Python recomputes synchronously and redraws.
    figure : matplotlib.figure.Figure
        The figure the lab draws into, built once, on an Agg canvas (also under ipympl): inside
        a kernel the lab shows it as a PNG image (``cascadelab-figure``) sized to its container,
        and the takeaway line as HTML next to it (``cascadelab-takeaway``, also the image's alt
        text); headless (no kernel, e.g. in tests) it is only painted.
    summary : dict of str -> float
        The headline numbers of the last recompute (also rendered as one line of text).
    result : object
        What :meth:`compute` returned last.
    n_recomputes : int
        How many times the lab has recomputed (one per control change or :meth:`update`).
    painter : cascadelab.widgets._render.Painter
        Paints the figure, re-rendering only what changed (``painter.counts``).

    Notes
    -----
    **How to write a new lab** (about 40 lines): subclass ``Lab``, build the controls in
    ``__init__`` and implement four methods. Keep the numbers in a pure scenario function of
    :mod:`cascadelab.chapters.essence` so tests can call it without widgets::

        import numpy as np
        from cascadelab import plotting as cp
        from cascadelab.chapters.essence import feedback_loop_scenario
        from cascadelab.widgets import Lab, log_slider, slider

        class PricePathLab(Lab):
            title = "Watch one shock travel through the book"
            headline = {"amplification": "amplification {:.2f}x",
                        "final_price": "final price {:,.2f} USD"}

            def __init__(self, **defaults):
                super().__init__({
                    "shock": slider("Shock (%)", 0.5, 20.0, 5.0, step=0.5,
                                    tooltip="The first price drop, before any forced sale"),
                    "depth": log_slider("Depth (units/1%)", 2e4, 2e6, 2e5,
                                        tooltip="Units it takes to move the price 1%"),
                }, **defaults)

            def setup(self, fig):                   # build axes and artists ONCE
                ax = fig.add_subplot()
                (self.path,) = ax.step([], [], where="post", color=cp.PRICE)
                cp.label(ax, x="round", y="price", yunit="USD", title="price by round")

            def compute(self, shock, depth):        # pure: control values -> result
                return feedback_loop_scenario(shock=shock / 100.0, depth=depth)

            def summarize(self, result):            # result -> {name: float}
                return result.summary

            def draw(self, result):                 # update artists, never replot
                path = result.price_path
                self.path.set_data(np.arange(path.size), path)
                ax = self.path.axes
                ax.set_xlim(0, path.size)
                ax.set_ylim(path.min() - 1.0, path.max() + 1.0)

        def price_path_lab(**defaults):
            return PricePathLab(**defaults)

    The base class wires every control to one recompute (``compute`` -> ``summarize`` ->
    ``draw`` -> paint -> headline), provides :meth:`update` and the layout, and applies
    ``**defaults`` (control name -> value, in the control's unit) before the first recompute.
    A slider moved in the page updates the summary and the headline at once and the figure
    right after (while a drag goes on, as often as the figure can be painted), dimming the
    headline until the figure has caught up. Each slider gets a box to type a value in (the
    slider's own readout is turned off): the typed text is read with :func:`parse_number`,
    clamped to the range or refused, with a short note under the control.

    Class attributes: ``title`` (a verb phrase shown above the controls), ``headline`` (summary
    name -> format string or callable, in display order; names left out are not shown),
    ``figsize`` (inches), ``freeze_layout`` (True: the constrained layout runs once at build
    time and the axes stay put, which halves the redraw time; leave room for tick labels that
    change width), ``sticky_limits`` (see :class:`~cascadelab.widgets._render.Painter`: axis
    limits that shrink by less than this fraction are kept, so that small moves repaint only
    the data; 0 turns it off). Override :meth:`headline_text` for a custom line and
    :meth:`takeaway_text` for the takeaway written under the figure.
    """

    title: ClassVar[str] = ""
    headline: ClassVar[Mapping[str, str | Callable[[float], str]]] = {}
    figsize: ClassVar[tuple[float, float]] = (8.5, 5.5)
    freeze_layout: ClassVar[bool] = True
    sticky_limits: ClassVar[float] = 0.75

    def __init__(self, controls: Mapping[str, W.ValueWidget], **defaults: Any) -> None:
        super().__init__()
        unknown = sorted(set(defaults) - set(controls))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} has no control named {', '.join(map(repr, unknown))}; "
                f"controls: {', '.join(controls)}"
            )
        self.controls: dict[str, W.ValueWidget] = dict(controls)
        self.summary: dict[str, float] = {}
        self.result: Any = None
        self.n_recomputes = 0
        self._holding = False
        self._stale = False
        self._pending: asyncio.TimerHandle | None = None
        self._next_paint = 0.0  # time.monotonic() before which a live repaint waits
        self._closed = False
        for name, value in defaults.items():
            self.controls[name].value = value
        self.figure: Figure = new_figure(self.figsize, widget=False)
        with style_context():
            self.setup(self.figure)
        self.painter = Painter(self.figure, sticky=self.sticky_limits)

        self._image = W.Image(format="png")
        self._headline = W.HTML()
        self._takeaway = W.HTML()
        # Stable CSS classes, so a page (the Widget Lab, the browser tests) can find the parts.
        self.add_class("cascadelab-lab")
        self._image.add_class("cascadelab-figure")
        self._headline.add_class("cascadelab-summary")
        self._takeaway.add_class("cascadelab-takeaway")
        self._readouts: dict[str, _Readout] = {}
        rows = []
        for name, widget in self.controls.items():
            widget.observe(self._on_change, names="value")
            widget.add_class(f"cascadelab-control-{name}")
            widget.add_class("cascadelab-control")
            if isinstance(widget, _SLIDERS):
                readout = self._readouts[name] = _Readout(widget)
                row = W.VBox([W.HBox([widget, readout.text]), readout.note])
            else:
                row = W.VBox([widget])
            row.add_class("cascadelab-row")
            rows.append(row)
        helpers = W.HTML(_page_helpers(), layout=W.Layout(display="none"))
        header = []
        if self.title:
            header = [W.HTML(f"<b>{html.escape(self.title)}</b>")]
            header[0].add_class("cascadelab-title")
        left = W.VBox([helpers, *header, *rows])
        left.add_class("cascadelab-controls")
        right = W.VBox([self._image, self._headline, self._takeaway])
        right.add_class("cascadelab-view")
        self.children = (left, right)
        self.recompute()
        if self.freeze_layout:
            # Lay the figure out once, then keep the axes where they are: the constrained
            # layout would otherwise cost about half of every redraw.
            self.figure.draw_without_rendering()
            self.figure.set_layout_engine("none")

    # ----------------------------------------------------------------- to implement in a lab
    def setup(self, fig: Figure) -> None:
        """Build the axes and every artist the lab will ever update (called once)."""
        raise NotImplementedError

    def compute(self, **values: Any) -> Any:
        """The scenario's result for the control values (keyword per control, in its unit)."""
        raise NotImplementedError

    def summarize(self, result: Any) -> dict[str, float]:
        """The headline numbers of ``result``, name -> float."""
        raise NotImplementedError

    def draw(self, result: Any) -> None:
        """Update the artists built in :meth:`setup` (``set_data``, ``set_height``, limits)."""
        raise NotImplementedError

    def takeaway_text(self, result: Any) -> str | None:
        """One line written under the figure after each redraw (None: no line)."""
        return None

    # ---------------------------------------------------------------------------- machinery
    @property
    def values(self) -> dict[str, Any]:
        """Current value of every control, name -> value (in the control's unit)."""
        return {name: w.value for name, w in self.controls.items()}

    @property
    def stale(self) -> bool:
        """True while the figure still shows an older setting than the headline numbers."""
        return self._stale

    def headline_text(self, summary: Mapping[str, float]) -> str:
        """The one line of headline numbers (HTML) shown under the figure."""
        parts = []
        for name, fmt in self.headline.items():
            if name in summary:
                value = summary[name]
                parts.append(fmt(value) if callable(fmt) else fmt.format(value))
        return " &middot; ".join(parts)

    def _on_change(self, change: Mapping[str, Any]) -> None:
        if self._holding:
            return
        loop = _running_loop()
        if loop is not None and _from_page(change.get("owner")):
            self._recompute_live(loop)
        else:
            self.recompute()

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls inside this block; the lab recomputes once at the end."""
        if self._holding:  # nested: the outer block recomputes
            yield
            return
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        self.recompute()

    def update(self, **values: Any) -> None:
        """Set several controls (name=value, in each control's unit) with one recompute.

        Raises
        ------
        TypeError
            For a name that is not a control.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} has no control named {', '.join(map(repr, unknown))}; "
                f"controls: {', '.join(self.controls)}"
            )
        with self.hold():
            for name, value in values.items():
                self.controls[name].value = value

    def _compute(self) -> bool:
        try:
            result = self.compute(**self.values)
        except ValueError as err:  # an impossible combination: say so under the figure
            self._headline.value = (
                f"<span style='color:{ALERT_TEXT}'>{html.escape(str(err))}</span>"
            )
            raise
        self.result = result
        self.summary = {k: float(v) for k, v in self.summarize(result).items()}
        self.n_recomputes += 1
        return True

    def recompute(self) -> None:
        """Run the scenario for the current controls, then redraw (one of each)."""
        self._compute()
        self._cancel_pending()
        self.redraw()

    def _recompute_live(self, loop: asyncio.AbstractEventLoop) -> None:
        """A move in the page: the numbers now, the figure as soon as it may be painted."""
        self._compute()
        self._set_stale(True)
        self._headline.value = self.headline_text(self.summary)
        if self._pending is None:
            delay = max(0.0, self._next_paint - time.monotonic())
            self._pending = loop.call_later(delay, self._paint_pending)

    def _paint_pending(self) -> None:
        self._pending = None
        if not self._closed:
            self.redraw()

    def _cancel_pending(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _set_stale(self, stale: bool) -> None:
        if stale != self._stale:
            self._stale = stale
            if stale:
                self._headline.add_class("cascadelab-stale")
            else:
                self._headline.remove_class("cascadelab-stale")

    def redraw(self) -> None:
        """Update the artists, the takeaway and the headline from :attr:`result`."""
        t0 = time.monotonic()
        self.draw(self.result)
        text = self.takeaway_text(self.result)
        if text is not None:
            artist = takeaway(self.figure, text)
            self._takeaway.value = html.escape(artist.get_text())
        self.painter.paint()
        if _in_kernel():
            self._image.value = self._png(cropped=text is not None)
        self._headline.value = self.headline_text(self.summary)
        self._set_stale(False)
        # While a drag goes on, leave the kernel as much time for the numbers as for painting.
        self._next_paint = time.monotonic() + max(0.03, time.monotonic() - t0)

    def _png(self, cropped: bool) -> bytes:
        """The painted buffer as a PNG; ``cropped``: without the strip of the takeaway line,
        which the page shows as HTML."""
        pixels = np.asarray(self.figure.canvas.buffer_rgba())
        if cropped:
            pixels = pixels[: pixels.shape[0] - int(_TAKEAWAY_HEIGHT * pixels.shape[0])]
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(pixels[..., :3]).save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """The widget view, plus a PNG of the figure for front ends without widgets
        (static HTML, GitHub); JupyterLab and Voila prefer the live widget."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            import base64

            buf = io.BytesIO()
            self.figure.savefig(buf, format="png")
            bundle["image/png"] = base64.b64encode(buf.getvalue()).decode("ascii")
        return bundle

    def close(self) -> None:
        """Close the widgets and release the figure."""
        self._closed = True
        self._cancel_pending()
        for widget in self.controls.values():
            widget.close()
        for readout in self._readouts.values():
            readout.text.close()
            readout.note.close()
        super().close()
