"""The widget-lab contract (issue 4), checked once for every lab in ``cascadelab.widgets``.

Each lab's own test file checks what is particular to it (its controls, its scenario function,
the directions the theory gives); what every lab promises is checked here, so a new lab is
covered the moment it is exported.
"""

from __future__ import annotations

import math

import ipywidgets as W
import pytest
from labs import artists

import cascadelab.widgets as widgets
from cascadelab.widgets import Lab

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


def test_controls_carry_units_tooltips_and_settle_before_recomputing(lab: Lab) -> None:
    assert lab.controls
    for name, widget in lab.controls.items():
        assert isinstance(widget, W.ValueWidget), name
        assert widget.tooltip, f"{name} has no tooltip"
        if isinstance(widget, SLIDERS):
            assert "(" in widget.description and ")" in widget.description, f"{name}: no unit"
            assert widget.continuous_update is False, f"{name} recomputes while dragging"


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
