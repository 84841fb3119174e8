"""The amplifier explorer, headless: every factor, the shock, directions of the theory."""

from __future__ import annotations

import numpy as np
import pytest

from cascadelab.chapters.theory import AMPLIFIERS, sweep_amplifier
from cascadelab.widgets import amplifier_lab


@pytest.fixture
def lab():
    lab = amplifier_lab()
    yield lab
    lab.close()


def test_contract_and_every_factor(lab):
    before = [id(a) for ax in lab.figure.axes for a in ax.get_children()]
    for w in lab.controls.values():
        assert w.tooltip
    assert lab.controls["shock"].continuous_update is True  # issue 13: numbers follow a drag
    for factor in [*list(AMPLIFIERS)[1:], "depth"]:
        n = lab.n_recomputes
        lab.controls["factor"].value = factor
        assert lab.n_recomputes == n + 1
        sw = sweep_amplifier(factor)
        np.testing.assert_allclose(lab.amp_line.get_ydata(), sw.amplification)
        np.testing.assert_allclose(lab.bad_line.get_ydata(), sw.bad_debt / 1e6)
    assert [id(a) for ax in lab.figure.axes for a in ax.get_children()] == before


@pytest.mark.parametrize("factor", ["leverage", "latency", "correlation"])
def test_each_amplifier_raises_the_damage(lab, factor):
    lab.update(factor=factor)
    assert lab.summary["bad_debt_high"] > lab.summary["bad_debt_low"]
    if factor != "latency":
        assert lab.summary["high"] > lab.summary["low"]


def test_depth_is_on_a_log_axis_and_thinner_books_amplify(lab):
    assert lab.ax_amp.get_xscale() == "log"
    assert lab.summary["low"] > lab.summary["high"]
    lab.update(factor="leverage")
    assert lab.ax_amp.get_xscale() == "linear"


def test_bigger_shock_changes_the_sweep(lab):
    small = lab.summary["bad_debt_low"]
    lab.controls["shock"].value = 10.0
    assert lab.summary["bad_debt_low"] > small


def test_critical_depth_marker_only_on_the_depth_sweep(lab):
    from cascadelab.chapters.theory import critical_depth

    assert lab.crit_mark.get_visible()
    assert lab.crit_mark.get_xdata()[0] == pytest.approx(critical_depth(0.05))
    assert lab.summary["critical_depth"] == pytest.approx(critical_depth(0.05))
    assert "critical depth" in lab._headline.value
    lab.update(factor="latency")
    assert not lab.crit_mark.get_visible() and "critical_depth" not in lab.summary
    lab.update(factor="depth")
    assert lab.crit_mark.get_visible()
