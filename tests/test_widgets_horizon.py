"""Headless tests of the chapter 05 labs: contract, every control across its range, directions."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

from cascadelab.widgets import backstop_lab, cross_venue_lab, warning_lab


def _artists(lab):
    return [id(a) for ax in lab.figure.axes for a in (*ax.lines, *ax.patches)]


def _sweep(lab):
    """Move every control to its ends; the artists must stay the same objects."""
    before = _artists(lab)
    for w in lab.controls.values():
        start = w.value
        values = [w.min, w.max] if hasattr(w, "min") else [
            o[1] if isinstance(o, tuple) else o for o in w.options]
        for v in values:
            n = lab.n_recomputes
            w.value = v
            assert lab.n_recomputes >= n
            assert all(isinstance(x, float) for x in lab.summary.values())
        w.value = start
        assert w.description and w.tooltip
    assert _artists(lab) == before


def test_warning_lab_threshold_and_policy():
    lab = warning_lab()
    _sweep(lab)
    assert lab.summary["auc"] > 0.6
    lab.update(threshold=80.0)
    strict = dict(lab.summary)
    point = lab.point.get_data()
    lab.update(threshold=20.0)
    loose = dict(lab.summary)
    assert loose["warned_share"] > strict["warned_share"]
    assert loose["tpr"] >= strict["tpr"] and loose["fpr"] >= strict["fpr"]
    assert loose["bad_debt_with"] < strict["bad_debt_with"]
    assert lab.point.get_data() != point
    lab.update(policy="pause")
    assert lab.summary["halted_steps"] > 0 and lab.summary["collateral_added"] == 0


def test_cross_venue_lab_link_and_leverage():
    lab = cross_venue_lab()
    _sweep(lab)
    lab.update(coupling=60.0, scale=1.0)
    assert lab.summary["system_gain"] > 1.0 > lab.summary["max_own_gain"]
    assert lab.summary["move_C"] > 0.1
    heights = [b.get_height() for b in lab.gain_bars]
    lab.update(coupling=0.0)
    assert lab.summary["move_C"] == 0.0
    assert lab.summary["system_gain"] == pytest.approx(lab.summary["max_own_gain"])
    assert [b.get_height() for b in lab.gain_bars] != heights
    lab.update(coupling=60.0, scale=0.5)
    assert lab.summary["system_gain"] < 1.0


def test_backstop_lab_shock_rebate_follow_through():
    lab = backstop_lab()
    _sweep(lab)
    lab.update(shock=2.0, rebate=2.0, follow_through=0.25)
    assert lab.summary["drawdown_with"] < lab.summary["drawdown_without"]
    assert lab.summary["pnl"] > 0
    y = lab.with_.get_ydata().copy()
    lab.update(shock=8.0)
    assert lab.summary["pnl"] < 0
    assert (lab.with_.get_ydata() != y).any()
    low = lab.summary["pnl"]
    lab.update(rebate=5.0)
    assert lab.summary["pnl"] > low
    lab.update(follow_through=1.5)
    assert lab.summary["mark"] < 0


@pytest.mark.parametrize("factory", [warning_lab, cross_venue_lab, backstop_lab])
def test_lab_legends_sit_off_the_data(factory):
    from test_widgets_approach import legends_clear_of_axes

    lab = factory()
    legends_clear_of_axes(lab.figure)
    lab.close()


def test_warning_lab_gives_each_unit_its_own_axis():
    lab = warning_lab()
    assert lab.ax_bad.get_ylabel() == "Bad debt (M USD)"
    assert lab.ax_dd.get_ylabel() == "Mean drawdown (%)"
    assert lab.bars_with[0].get_height() == pytest.approx(lab.summary["bad_debt_with"] / 1e6)
    assert lab.bars_with[1].get_height() == pytest.approx(100 * lab.summary["drawdown_with"])
    lab.close()
