"""The front-running lab, headless: contract, every control, visible levels pay, hidden do not."""

from __future__ import annotations

import ipywidgets as W
import numpy as np
import pytest
from labs import artists

from cascadelab.chapters.theory import MAP_CAPITALS, MAP_DISTANCES, front_running_scenario
from cascadelab.widgets import Lab, front_running_lab


@pytest.fixture
def lab():
    lab = front_running_lab()
    yield lab
    lab.close()


def test_contract(lab):
    assert isinstance(lab, Lab) and isinstance(lab, W.Box)
    assert set(lab.controls) == {"capital", "distance", "cluster", "depth", "resilience",
                                 "levels"}
    for name, w in lab.controls.items():
        assert w.tooltip, name
        assert "(" in w.description and ")" in w.description, name
    s = dict(lab.summary)
    assert s.pop("map_pays") > 0
    assert s == front_running_scenario().summary
    assert "predator P&amp;L" in lab._headline.value or "predator P&L" in lab._headline.value


def test_every_control_recomputes_once_and_redraws_in_place(lab):
    before = artists(lab)
    for name, w in lab.controls.items():
        start = w.value
        values = [o[1] for o in w.options] if hasattr(w, "options") else [w.min, w.max]
        if hasattr(w, "base"):
            values = [w.base ** w.min, w.base ** w.max]
        for value in [*values, start]:
            if value == w.value:
                continue
            n = lab.n_recomputes
            w.value = value
            assert lab.n_recomputes == n + 1, name
            assert all(np.isfinite(v) for v in lab.summary.values()), (name, lab.summary)
    assert artists(lab) == before
    assert lab.summary["pnl"] == pytest.approx(front_running_scenario().summary["pnl"])


def test_hidden_levels_predator_pnl_not_positive(lab):
    assert lab.summary["pnl"] > 0.0
    assert lab.summary["map_pays"] > 0
    lab.update(levels=False)
    assert lab.summary["pnl"] <= 0.0
    assert lab.summary["map_pays"] == 0
    # the map on screen shows no winning cell, and the hidden P&L curve never rises above 0
    assert not (np.asarray(lab.mesh.get_array()) > 0).any()
    assert np.all(lab.pnl_hid.get_ydata() <= 0.0)
    # at every capital the blind predator does no better than the one with the map
    assert np.all(lab.pnl_hid.get_ydata() <= lab.pnl_vis.get_ydata())


def test_the_predator_manufactures_the_cascade(lab):
    np.testing.assert_array_equal(lab.quiet_line.get_ydata(), 100.0)
    assert lab.attack_line.get_ydata().min() < 100.0 * (1 - 0.005)
    assert lab.summary["liquidated_units"] > 0


def test_more_capital_reaches_farther_and_deep_books_defend(lab):
    lab.update(distance=1.5, capital=2e6)
    assert lab.summary["pnl"] == 0.0  # out of reach: it sits out
    lab.update(capital=1e8)
    assert lab.summary["pnl"] > 0.0
    lab.update(depth=1e6)
    deep = lab.summary["map_pays"]
    lab.update(depth=1e5)
    assert lab.summary["map_pays"] > deep
    assert lab.mesh.get_array().size == MAP_CAPITALS.size * MAP_DISTANCES.size
