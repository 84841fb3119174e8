r"""The widget-lab contract: :class:`Lab`, and helpers to build its controls.

A lab is controls on the left, one matplotlib figure on the right, and the headline numbers in
one line of text under the figure. Moving a control recomputes a pure scenario function once and
redraws by updating the artists that were built once; nothing is ever cleared and replotted.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

import ipywidgets as W
from matplotlib.figure import Figure

from cascadelab.plotting import new_figure, style_context, takeaway

__all__ = ["Lab", "dropdown", "int_slider", "log_slider", "si", "slider", "usd"]

_DESCRIPTION_WIDTH = "150px"
_CONTROL_WIDTH = "340px"


def _control_style() -> dict[str, Any]:
    return {"style": {"description_width": _DESCRIPTION_WIDTH},
            "layout": W.Layout(width=_CONTROL_WIDTH)}


def slider(
    description: str,
    min: float,
    max: float,
    value: float,
    *,
    step: float,
    tooltip: str,
    readout_format: str = ".1f",
    continuous_update: bool = False,
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
        Recompute while dragging (only for controls whose recompute and redraw are cheap).

    Returns
    -------
    ipywidgets.FloatSlider
    """
    return W.FloatSlider(
        value=value, min=min, max=max, step=step, description=description, tooltip=tooltip,
        readout_format=readout_format, continuous_update=continuous_update, **_control_style(),
    )


def int_slider(description: str, min: int, max: int, value: int, *, tooltip: str) -> W.IntSlider:
    """An integer slider styled like :func:`slider` (counts of things, steps)."""
    return W.IntSlider(
        value=value, min=min, max=max, step=1, description=description, tooltip=tooltip,
        continuous_update=False, **_control_style(),
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
    continuous_update: bool = False,
) -> W.FloatLogSlider:
    """A slider on a log scale (for depths, capital and other sizes spanning decades).

    ``min``, ``max`` and ``value`` are in the unit of the description (not exponents).
    """
    import math

    return W.FloatLogSlider(
        value=value, base=10.0, min=math.log10(min), max=math.log10(max),
        step=1.0 / steps_per_decade, description=description, tooltip=tooltip,
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


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Lab(W.HBox):
    r"""An interactive lab: controls left, figure right, headline numbers under the figure.

    A ``Lab`` is an ipywidgets ``HBox``, so it displays itself in JupyterLab and Voila and can be
    nested in other layouts. It works headless too (tests drive it without a browser).

    Attributes
    ----------
    controls : dict of str -> ipywidgets value widget
        One widget per input, units in its description and a tooltip. Setting any control's
        ``.value`` recomputes synchronously and redraws.
    figure : matplotlib.figure.Figure
        The figure the lab draws into, built once. Under ipympl (``%matplotlib widget``) its
        canvas is the widget shown; otherwise the lab shows a PNG of it (inside a kernel) or
        stays headless (no kernel, e.g. in tests).
    summary : dict of str -> float
        The headline numbers of the last recompute (also rendered as one line of text).
    result : object
        What :meth:`compute` returned last.
    n_recomputes : int
        How many times the lab has recomputed (one per control change or :meth:`update`).

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
    ``draw`` -> headline -> ``canvas.draw_idle()``), provides :meth:`update` and the layout,
    and applies ``**defaults`` (control name -> value, in the control's unit) before the first
    recompute. Class attributes: ``title`` (a verb phrase shown above the controls),
    ``headline`` (summary name -> format string or callable, in display order; names left out
    are not shown), ``figsize`` (inches), ``freeze_layout`` (True: the constrained layout runs
    once at build time and the axes stay put, which halves the redraw time; leave room for
    tick labels that change width). Override :meth:`headline_text` for a custom line and
    :meth:`takeaway_text` for the takeaway written under the figure.
    """

    title: ClassVar[str] = ""
    headline: ClassVar[Mapping[str, str | Callable[[float], str]]] = {}
    figsize: ClassVar[tuple[float, float]] = (8.5, 5.5)
    freeze_layout: ClassVar[bool] = True

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
        for name, value in defaults.items():
            self.controls[name].value = value
        self.figure: Figure = new_figure(self.figsize)
        with style_context():
            self.setup(self.figure)

        canvas = self.figure.canvas
        if isinstance(canvas, W.DOMWidget):  # ipympl: the canvas is the widget
            self._image: W.Image | None = None
            view: W.Widget = canvas
        else:  # any other backend: a PNG of the figure, refreshed on each redraw in a kernel
            self._image = W.Image(format="png")
            view = self._image
        self._headline = W.HTML(layout=W.Layout(margin="0 0 0 8px"))
        # Stable CSS classes, so a page (the Widget Lab, the browser tests) can find the parts.
        view.add_class("cascadelab-figure")
        self._headline.add_class("cascadelab-summary")
        for name, widget in self.controls.items():
            widget.observe(self._on_change, names="value")
            widget.add_class(f"cascadelab-control-{name}")
        header = [W.HTML(f"<b>{html.escape(self.title)}</b>")] if self.title else []
        left = W.VBox([*header, *self.controls.values()],
                      layout=W.Layout(min_width=_CONTROL_WIDTH, padding="4px"))
        right = W.VBox([view, self._headline])
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

    def headline_text(self, summary: Mapping[str, float]) -> str:
        """The one line of headline numbers (HTML) shown under the figure."""
        parts = []
        for name, fmt in self.headline.items():
            if name in summary:
                value = summary[name]
                parts.append(fmt(value) if callable(fmt) else fmt.format(value))
        return " &middot; ".join(parts)

    def _on_change(self, change: Mapping[str, Any]) -> None:
        if not self._holding:
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

    def recompute(self) -> None:
        """Run the scenario for the current controls, then redraw (one of each)."""
        try:
            result = self.compute(**self.values)
        except ValueError as err:  # an impossible combination: say so under the figure
            self._headline.value = f"<span style='color:#D55E00'>{html.escape(str(err))}</span>"
            raise
        self.result = result
        self.summary = {k: float(v) for k, v in self.summarize(result).items()}
        self.n_recomputes += 1
        self.redraw()

    def redraw(self) -> None:
        """Update the artists, the takeaway and the headline from :attr:`result`."""
        self.draw(self.result)
        text = self.takeaway_text(self.result)
        if text is not None:
            takeaway(self.figure, text)
        self._headline.value = self.headline_text(self.summary)
        if self._image is not None and _in_kernel():
            buf = io.BytesIO()
            self.figure.savefig(buf, format="png")
            self._image.value = buf.getvalue()
        else:
            self.figure.canvas.draw_idle()

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
        if self._image is None:
            import matplotlib.pyplot as plt

            plt.close(self.figure)
        for widget in self.controls.values():
            widget.close()
        super().close()
