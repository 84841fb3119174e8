"""The Widget Lab dashboard: one tab per lab, built lazily, and the Binder warm-up."""

from __future__ import annotations

import ipywidgets as W
import pytest

import cascadelab.widgets as labs
from cascadelab.course import warmup as _warmup
from cascadelab.widgets.dashboard import TABS, Tab, available_tabs, widget_lab


def test_tab_keys_and_titles_are_unique_and_css_safe() -> None:
    keys = [t.key for t in TABS]
    assert len(set(keys)) == len(keys)
    assert len({t.title for t in TABS}) == len(TABS)
    assert all(k.replace("_", "").isalnum() and k == k.lower() for k in keys)


def test_every_lab_of_the_course_has_a_tab() -> None:
    factories = {name for name in dir(labs) if name.endswith("_lab")}
    in_tabs = {t.factory for t in TABS if isinstance(t.factory, str)}
    missing = sorted(factories - in_tabs)
    assert not missing, f"add a line to cascadelab.widgets.dashboard.TABS for: {missing}"


def test_first_class_labs_are_the_four_headline_labs() -> None:
    assert [t.key for t in TABS if t.first_class] == [
        "feedback_loop", "gamma_hedging", "front_running", "circuit_breaker"]


def test_missing_factories_are_left_out() -> None:
    ghost = Tab("ghost", "Ghost", "no_such_lab", "not written yet")
    assert available_tabs([ghost]) == []
    note = widget_lab([ghost])
    assert isinstance(note, W.HTML) and "No lab" in note.value


def test_labs_are_built_when_their_tab_is_first_opened() -> None:
    dash = widget_lab()
    assert isinstance(dash, W.Tab)
    assert list(dash.titles) == [t.title for t in available_tabs()]
    assert list(dash.labs) == [TABS[0].key]
    dash.selected_index = 1
    key = available_tabs()[1].key
    assert key in dash.labs
    panel = dash.children[1]
    assert panel.children[1] is dash.labs[key]
    assert "cascadelab-summary" in dash.labs[key]._headline._dom_classes


def test_a_broken_lab_is_reported_in_its_tab_not_raised() -> None:
    def broken() -> None:
        raise ValueError("sigma must be positive")

    ok = Tab("feedback_loop", "Feedback loop", "feedback_loop_lab", "fine")
    bad = Tab("broken", "Broken", broken, "fails")
    with pytest.warns(RuntimeWarning, match="sigma must be positive"):
        dash = widget_lab([ok, bad], lazy=False)
    assert "sigma must be positive" in dash.errors["broken"]
    assert "Could not build this lab" in dash.children[1].children[1].value


def test_warm_up_moves_every_control_and_restores_it() -> None:
    lab = labs.feedback_loop_lab()
    before = lab.values
    assert _warmup._touch_controls(lab) == len(lab.controls)
    assert lab.values == before


@pytest.mark.parametrize("tab", available_tabs(), ids=lambda t: t.key)
def test_every_slider_starts_on_its_browser_grid(tab: Tab) -> None:
    """The browser's slider snaps to ``min + k * step`` (of exponents for a log slider) and
    sends the snapped value back, so a default off that grid is not what the learner gets
    (the insurance fund's depth of 100,000 became 100,237 and its bad debt 8.92M, not 8.96M)."""
    import math

    lab = tab.resolve()()
    try:
        off = {}
        for name, w in lab.controls.items():
            if not isinstance(w, (W.FloatSlider, W.FloatLogSlider, W.IntSlider)):
                continue
            at = math.log10(w.value) if isinstance(w, W.FloatLogSlider) else w.value
            k = (at - w.min) / w.step
            if abs(k - round(k)) > 1e-6 and not math.isclose(at, w.max):
                off[name] = (w.value, w.min, w.step)
        assert not off, f"{tab.key}: defaults off the slider grid: {off}"
    finally:
        lab.close()
