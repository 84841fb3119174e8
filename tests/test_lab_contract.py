"""The widget-lab contract (issue 4), checked once for every lab in ``cascadelab.widgets``.

Each lab's own test file checks what is particular to it (its controls, its scenario function,
the directions the theory gives); what every lab promises is checked here, so a new lab is
covered the moment it is exported.
"""

from __future__ import annotations

import asyncio
import math

import ipywidgets as W
import pytest
from labs import artists

import cascadelab.widgets as widgets
from cascadelab.widgets import Lab
from cascadelab.widgets._base import parse_number

LABS = list(widgets.FIRST_CLASS) + sorted(
    n for n in widgets.__all__ if n.endswith("_lab") and n not in widgets.FIRST_CLASS
)
SLIDERS = (W.FloatSlider, W.FloatLogSlider, W.IntSlider)


@pytest.fixture(params=LABS)
def lab(request):
    lab = getattr(widgets, request.param)()
    yield lab
    lab.close()


def test_every_exported_lab_is_listed() -> None:
    assert len(LABS) >= 19 and set(widgets.FIRST_CLASS) <= set(LABS)


def test_lab_is_a_displayable_container(lab: Lab) -> None:
    assert isinstance(lab, Lab) and isinstance(lab, W.Box)
    bundle = lab._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"]  # a static picture for front ends without widgets
    assert lab.title and lab.figure.axes
    # stable CSS classes, by which pages and the browser tests find the parts
    assert "cascadelab-summary" in lab._headline._dom_classes
    for name, widget in lab.controls.items():
        assert f"cascadelab-control-{name}" in widget._dom_classes


def test_controls_carry_units_tooltips_and_a_box_to_type_in(lab: Lab) -> None:
    assert lab.controls
    for name, widget in lab.controls.items():
        assert isinstance(widget, W.ValueWidget), name
        assert widget.tooltip, f"{name} has no tooltip"
        if isinstance(widget, SLIDERS):
            assert "(" in widget.description and ")" in widget.description, f"{name}: no unit"
            # the headline follows a drag; the slider's own readout gives way to a typed box
            assert widget.continuous_update is True, f"{name} is silent while dragged"
            readout = lab._readouts[name]
            assert widget.readout is False and "cascadelab-readout" in readout.text._dom_classes
            assert readout.text.value.replace(",", "")  # the value, as the slider formats it


def _page_sets(widget, value) -> None:
    """Set ``widget.value`` as its view in the page does (under ipywidgets' property lock)."""
    with widget._lock_property(value=value):
        widget.value = value


def _other_value(widget):
    if isinstance(widget, W.FloatLogSlider):
        return widget.value * widget.base ** (2 * widget.step) \
            if widget.value * widget.base ** (2 * widget.step) <= widget.base ** widget.max \
            else widget.value / widget.base ** (2 * widget.step)
    up = widget.value + 2 * widget.step
    return up if up <= widget.max else widget.value - 2 * widget.step


def test_a_move_in_the_page_updates_the_numbers_first_and_dims_them_until_the_figure_follows(
        lab: Lab) -> None:
    widget = next(w for w in lab.controls.values() if isinstance(w, SLIDERS))
    painted = sum(lab.painter.counts.values())
    n = lab.n_recomputes

    async def drag() -> None:
        _page_sets(widget, _other_value(widget))
        # the numbers at once, the picture not yet: the headline says it is ahead
        assert lab.n_recomputes > n
        assert sum(lab.painter.counts.values()) == painted
        assert lab.stale and "cascadelab-stale" in lab._headline._dom_classes
        for _ in range(200):
            await asyncio.sleep(0.01)
            if not lab.stale:
                break

    asyncio.run(drag())
    assert not lab.stale and "cascadelab-stale" not in lab._headline._dom_classes
    assert sum(lab.painter.counts.values()) == painted + 1
    assert lab._headline.value == lab.headline_text(lab.summary)


def test_a_change_from_python_redraws_at_once(lab: Lab) -> None:
    widget = next(w for w in lab.controls.values() if isinstance(w, SLIDERS))
    painted = sum(lab.painter.counts.values())

    async def set_from_code() -> None:
        widget.value = _other_value(widget)
        assert not lab.stale and sum(lab.painter.counts.values()) == painted + 1

    asyncio.run(set_from_code())


def test_typed_values_are_read_clamped_or_refused_with_a_note(lab: Lab) -> None:
    name, widget = next((n, w) for n, w in lab.controls.items() if isinstance(w, SLIDERS))
    readout = lab._readouts[name]
    lo, hi = ((widget.base ** widget.min, widget.base ** widget.max)
              if isinstance(widget, W.FloatLogSlider) else (widget.min, widget.max))
    _page_sets(readout.text, "abc")  # refused: value kept, box restored, a note says why
    before = widget.value
    assert widget.value == before and "not a number" in readout.note.value
    assert readout.note.layout.display != "none"
    _page_sets(readout.text, f"{10 * abs(hi) + 100:g}")
    assert widget.value == pytest.approx(hi) and "above the maximum" in readout.note.value
    _page_sets(readout.text, f"{lo - 10 * abs(lo) - 3:g}")
    assert widget.value == pytest.approx(lo) and "below the minimum" in readout.note.value
    widget.value = before  # a move of the slider clears the note
    assert readout.note.value == "" and readout.note.layout.display == "none"


@pytest.mark.parametrize(("text", "value", "noted"), [
    ("7,5", 7.5, True), ("7.5", 7.5, False), ("-3", -3.0, False), ("−3", -3.0, False),
    ("50", 50.0, False), ("20,000,000", 2e7, False), ("200 000", 2e5, False),
    ("2M", 2e6, False), ("5%", 5.0, False), ("abc", None, True), ("", None, True),
    ("nan", None, True), ("1e400", None, True),
])
def test_parse_number(text: str, value: float | None, noted: bool) -> None:
    got, how = parse_number(text)
    assert got == value
    assert bool(how) is noted


def test_summary_is_numbers_shown_under_the_figure(lab: Lab) -> None:
    assert isinstance(lab.summary, dict) and lab.summary
    for name, value in lab.summary.items():
        assert isinstance(value, float), name
        assert not math.isnan(value), f"{name} is NaN"
    assert lab._headline.value  # the headline line under the figure
    assert lab.figure.texts and lab.figure.texts[-1].get_text()  # the one-line takeaway


def test_update_recomputes_once_and_keeps_the_artists(lab: Lab) -> None:
    before = artists(lab)
    figure = lab.figure
    name, widget = next(iter(lab.controls.items()))
    n = lab.n_recomputes
    lab.update(**{name: widget.value})
    assert lab.n_recomputes == n + 1
    assert lab.figure is figure and artists(lab) == before
    with pytest.raises(TypeError):
        lab.update(no_such_control=1.0)


def test_painting_only_what_changed_gives_the_picture_of_a_full_draw(lab: Lab) -> None:
    import numpy as np

    canvas = lab.figure.canvas
    for widget in [w for w in lab.controls.values() if isinstance(w, SLIDERS)][:2]:
        for _ in range(2):
            widget.value = _other_value(widget)  # paints: blit, partial or full
            painted = np.asarray(canvas.buffer_rgba()).astype(int)
            canvas.draw()  # everything, the ordinary way
            full = np.asarray(canvas.buffer_rgba()).astype(int)
            off = (np.abs(painted - full).max(axis=2) > 40).mean()
            assert off < 1e-3, f"{lab.painter.last} paint differs from a full draw at {off:.2%}"


def test_sticky_limits_keep_everything_asked_for_in_view() -> None:
    from cascadelab.widgets._render import _kept

    assert _kept((1.0, 9.0), (0.0, 10.0), "linear", 0.75) == (0.0, 10.0)  # inside: kept
    assert _kept((2.0, 11.0), (0.0, 10.0), "linear", 0.75) == (0.0, 11.0)  # union
    assert _kept((4.0, 6.0), (0.0, 10.0), "linear", 0.75) is None  # shrank a lot: as asked
    assert _kept((9.0, 1.0), (0.0, 10.0), "linear", 0.75) is None  # flipped: as asked
    assert _kept((10.0, 1e3), (1.0, 1e3), "log", 0.6) == (1.0, 1e3)  # log: 2 of 3 decades
    assert _kept((10.0, 1e3), (1.0, 1e3), "symlog", 0.5) is None
