"""Widget labs, headless: every control recomputes once, redraws in place and moves the
numbers the way the theory says."""

from __future__ import annotations

import ipywidgets as W
import numpy as np
import pytest
from labs import artists

from cascadelab.chapters.essence import feedback_loop_scenario
from cascadelab.widgets import Lab, feedback_loop_lab


@pytest.fixture
def lab():
    lab = feedback_loop_lab()
    yield lab
    lab.close()


def test_lab_has_its_controls_and_the_scenario_numbers(lab):
    # the common contract is in test_lab_contract.py
    assert set(lab.controls) == {"shock", "depth", "impact", "leverage", "max_leverage",
                                 "long_share", "maintenance"}
    assert lab.summary == feedback_loop_scenario().summary


def test_headline_line_shows_the_summary(lab):
    text = lab._headline.value
    assert f"{lab.summary['amplification']:.2f}x" in text
    assert f"{lab.summary['final_price']:,.2f} USD" in text


def test_defaults_show_a_visible_partial_cascade(lab):
    s = lab.summary
    assert 1.5 < s["amplification"] < 3.0
    assert s["rho_over_depth"] < 1.0
    assert 0 < s["n_liquidated"] < int((lab.result.positions.side > 0).sum())


def test_defaults_are_applied_and_unknown_names_refused():
    lab = feedback_loop_lab(shock=8.0, depth=100_000.0, impact="sqrt")
    assert lab.values["shock"] == 8.0
    assert lab.result.params.shock == pytest.approx(0.08)
    assert lab.result.params.impact == "sqrt"
    assert lab.n_recomputes == 1
    with pytest.raises(TypeError, match="no control named 'shok'"):
        feedback_loop_lab(shok=3.0)
    with pytest.raises(TypeError, match="controls: shock"):
        lab.update(depthh=1.0)
    lab.close()


def test_update_recomputes_once_and_redraws_in_place(lab):
    before = artists(lab)
    path = lab.view.path
    n = lab.n_recomputes
    lab.update(shock=8.0, depth=80_000.0, leverage=12.0)
    assert lab.n_recomputes == n + 1
    assert lab.result.params.shock == pytest.approx(0.08)
    assert lab.result.params.depth == pytest.approx(80_000.0)
    assert artists(lab) == before  # same artists, no rebuild
    assert lab.view.path is path
    assert len(lab.figure.axes) == 4
    np.testing.assert_array_equal(path.get_ydata()[:-1], lab.result.price_path)


@pytest.mark.parametrize("name", ["shock", "depth", "leverage", "max_leverage", "long_share",
                                  "maintenance"])
def test_each_slider_across_its_range_recomputes_once_per_change(lab, name):
    widget = lab.controls[name]
    before = artists(lab)
    seen = []
    for value in np.linspace(widget.min, widget.max, 4):
        if isinstance(widget, W.FloatLogSlider):
            value = widget.base ** value
        n = lab.n_recomputes
        widget.value = float(value)
        assert lab.n_recomputes == n + 1
        seen.append(dict(lab.summary))
        # the plotted staircase is the scenario's price path
        np.testing.assert_allclose(lab.view.path.get_ydata()[:-1], lab.result.price_path)
    assert artists(lab) == before
    assert len({round(s["final_price"], 9) for s in seen}) > 1, f"{name} changes nothing"


def test_impact_model_dropdown(lab):
    finals = {}
    for model in lab.controls["impact"].options:
        lab.controls["impact"].value = model
        assert lab.result.params.impact == model
        finals[model] = lab.summary["final_price"]
    assert len(set(finals.values())) == 3


def test_thinner_book_gives_larger_amplification(lab):
    amps, gains, depth_lines = [], [], []
    for depth in (1e6, 4e5, 2e5, 1e5, 5e4):
        lab.controls["depth"].value = depth
        amps.append(lab.summary["amplification"])
        gains.append(lab.view.gain_bar.get_width())
        depth_lines.append(lab.view.depth_line.get_xdata()[0])
    assert np.all(np.diff(amps) > 0)
    assert np.all(np.diff(gains) > 0)  # the gauge moves towards the critical point
    np.testing.assert_allclose(depth_lines, np.array([1e6, 4e5, 2e5, 1e5, 5e4]) / 1e3)
    assert gains[-1] == pytest.approx(lab.summary["rho_over_depth"])
    assert gains[-1] > 1.0  # at 50k units per 1% the default market is past its critical point


def test_larger_shock_liquidates_more(lab):
    units, closed = [], []
    for shock in (1.0, 3.0, 5.0, 8.0, 12.0):
        lab.controls["shock"].value = shock
        units.append(lab.summary["liquidated_units"])
        closed.append(lab.view.hist_closed.get_data().values.sum())
    assert np.all(np.diff(units) > 0)
    assert np.all(np.diff(closed) > 0)  # more of the histogram is painted as liquidated


def test_more_leverage_and_more_longs_make_it_worse(lab):
    lab.update(leverage=3.0)
    calm = lab.summary["amplification"]
    lab.update(leverage=20.0)
    assert lab.summary["amplification"] > calm
    lab.update(leverage=10.0, long_share=10.0)
    few = lab.summary["liquidated_units"]
    lab.update(long_share=90.0)
    assert lab.summary["liquidated_units"] > few


def test_only_population_controls_resample(lab):
    pos = lab.result.positions
    lab.update(shock=7.0, depth=150_000.0, impact="exponential")
    assert lab.result.positions is pos
    lab.update(maintenance=0.8)
    assert lab.result.positions is not pos


def test_takeaway_follows_the_state(lab):
    text = lab.figure._cascadelab_takeaway
    assert "1.96x" in text.get_text() or f"{lab.summary['amplification']:.2f}x" in text.get_text()
    lab.update(depth=30_000.0)
    assert text.get_text().startswith("Past the critical point")
    assert len(lab.figure.texts) == 1


def test_invalid_combination_is_reported_and_raised(lab):
    class Broken(type(lab)):
        def compute(self, **values):
            raise ValueError("leverage must be below the maximum")

    with pytest.raises(ValueError):
        Broken()


def test_the_recipe_in_the_lab_docstring_builds_a_working_lab():
    import textwrap

    doc = Lab.__doc__
    start = doc.index("::\n") + 3
    end = doc.index("The base class wires")
    source = textwrap.dedent(doc[start:end])
    namespace: dict = {}
    exec(compile(source, "<Lab recipe>", "exec"), namespace)
    lab = namespace["price_path_lab"](shock=3.0)
    assert isinstance(lab, Lab)
    assert lab.result.params.shock == pytest.approx(0.03)
    line = lab.path
    n = lab.n_recomputes
    lab.update(shock=6.0, depth=1e5)
    assert lab.n_recomputes == n + 1 and lab.path is line
    np.testing.assert_allclose(line.get_ydata(), lab.result.price_path)
    assert "amplification" in lab._headline.value
    lab.close()


def test_rounds_are_counted_from_the_shock_as_round_zero(lab):
    # issue 14 item 14: one convention, the chapter's: round 0 is the shock, round j >= 1 the
    # j-th batch of forced sales
    res = lab.result
    x, y = lab.view.path.get_data()
    assert x[0] == -1.0 and y[0] == 100.0  # before the shock
    assert x[1] == 0.0 and y[1] == pytest.approx(95.0)  # round 0: the shock
    for j in range(1, res.cascade.rounds + 1):  # round j's price holds from x = j
        assert y[np.searchsorted(x, j)] == res.cascade.round_prices[j]
    edges = lab.view.vol.get_data().edges
    centres = 0.5 * (edges[:-1] + edges[1:])
    np.testing.assert_array_equal(centres, np.arange(1, res.cascade.rounds + 1))
    assert lab.view.shock_line.get_xdata()[0] == 0.0
    assert "0 = the shock" in lab.view.ax_vol.get_xlabel()


@pytest.mark.parametrize("changes", [{}, {"depth": 30_000.0}, {"shock": 0.5, "depth": 2e6},
                                     {"shock": 20.0}])
def test_the_legend_sits_off_the_data(lab, changes):
    # issue 14 item 14: the legend used to sit on the 100 USD line of the price panel
    lab.update(**changes)
    assert all(ax.get_legend() is None for ax in lab.figure.axes)
    (legend,) = lab.figure.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["liquidation prices", "liquidated", "depth $D$", "shock alone",
                      "with forced sales"]
    renderer = lab.figure.canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    for ax in lab.figure.axes:
        assert not box.overlaps(ax.get_window_extent(renderer))


def test_the_gauge_text_stays_clear_of_the_critical_mark(lab):
    for depth in (2e6, 2e5, 1e5, 3e4):
        lab.update(depth=depth)
        renderer = lab.figure.canvas.get_renderer()
        text_box = lab.view.gain_text.get_window_extent(renderer)
        (mark,) = [ln for ln in lab.view.ax_gain.get_lines() if ln.get_linestyle() == "--"]
        mark_box = mark.get_window_extent(renderer)
        assert mark_box.y1 < text_box.y0


def test_headline_shows_the_gain_as_k_and_the_penalties(lab):
    text = lab._headline.value
    assert f"k = ρ/D <b>{lab.summary['rho_over_depth']:.2f}</b>" in text
    assert "penalties <b>45.3k USD</b>" in text
    assert lab.view.gain_text.get_text().startswith(
        f"$k$ = {lab.summary['rho_over_depth']:.2f}")


def test_maintenance_reaches_the_rule_of_chapter_02(lab):
    # item 5: 02 derives a maintenance margin of at least about 1.5% for a 1% penalty
    assert lab.controls["maintenance"].max >= 1.5
    lab.update(maintenance=1.5)
    assert lab.result.params.maintenance == pytest.approx(0.015)


def test_takeaway_says_when_the_fall_outruns_the_gauge(lab):
    lab.update(shock=1.0, depth=89_337.0)
    text = lab.figure._cascadelab_takeaway.get_text()
    assert lab.summary["rho_over_depth"] < 1.0
    assert "denser liquidation prices below" in text
    lab.update(depth=200_000.0)
    assert lab.figure._cascadelab_takeaway.get_text().startswith("Forced sales turned")
