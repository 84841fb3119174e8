"""Chapter 03 labs, headless: the circuit-breaker lab, the gradual-liquidation lab, the
insurance-fund lab and the ADL lab follow the lab contract, redraw in place and move as the theory
says."""

from __future__ import annotations

import numpy as np
import pytest
from labs import artists, control_range, sweep

from cascadelab.chapters.approach import adl_scenario, circuit_breaker_scenario
from cascadelab.widgets import (
    adl_lab,
    circuit_breaker_lab,
    gradual_liquidation_lab,
    insurance_fund_lab,
)

FACTORIES = {"breaker": circuit_breaker_lab, "gradual": gradual_liquidation_lab,
             "fund": insurance_fund_lab, "adl": adl_lab}


@pytest.fixture(params=list(FACTORIES))
def any_lab(request):
    lab = FACTORIES[request.param]()
    yield lab
    lab.close()


def test_every_control_across_its_range_recomputes_once_and_redraws_in_place(any_lab):
    lab = any_lab
    kept = artists(lab)
    for name, widget in lab.controls.items():
        home = widget.value
        for value in control_range(widget):
            if value == widget.value:
                continue
            n = lab.n_recomputes
            widget.value = value
            assert lab.n_recomputes == n + 1, name
            assert all(np.isfinite(v) for v in lab.summary.values()), (name, value)
        widget.value = home
    assert artists(lab) == kept  # the same artists, never rebuilt
    n = lab.n_recomputes
    lab.update(**{name: w.value for name, w in lab.controls.items()})
    assert lab.n_recomputes == n + 1
    with pytest.raises(TypeError, match="no control"):
        lab.update(nonsense=1)


# --- circuit breaker ---------------------------------------------------------------------------
def test_breaker_lab_matches_its_scenario_and_plots_it():
    lab = circuit_breaker_lab()
    ref = circuit_breaker_scenario()
    assert lab.summary == pytest.approx(ref.summary)
    v = lab.view
    np.testing.assert_array_equal(v.price.get_ydata(), ref.mitigated.price)
    np.testing.assert_array_equal(v.base_price.get_ydata(), ref.baseline.price)
    assert v.base_price.get_linestyle() == "--"
    shaded = v.halt_price.get_data().values
    np.testing.assert_array_equal(shaded, ref.mitigated.halted.astype(float))
    assert lab.summary["drawdown"] < lab.summary["drawdown_base"]
    assert lab.summary["bad_debt"] < lab.summary["bad_debt_base"]


def test_breaker_lab_directions():
    lab = circuit_breaker_lab()
    bands = sweep(lab, "band", [1.0, 3.0, 30.0])
    assert bands[0]["halted_steps"] >= bands[1]["halted_steps"] > bands[2]["halted_steps"] == 0
    assert bands[2]["drawdown"] == pytest.approx(bands[2]["drawdown_base"])
    assert lab.view.halt_price.get_data().values.sum() == 0  # nothing shaded
    lab.controls["band"].value = 3.0
    paused = dict(lab.summary)
    lab.controls["liquidate_in_halt"].value = True
    assert lab.summary["drawdown"] > paused["drawdown"]
    assert lab.view.liq.get_data().values[lab.result.mitigated.halted].sum() > 0
    lab.controls["liquidate_in_halt"].value = False
    refill = sweep(lab, "halt_resilience", [0.0, 50.0])
    assert refill[1]["drawdown"] < refill[0]["drawdown"]
    halts = sweep(lab, "halt_steps", [1, 20])
    assert halts[0]["halted_steps"] < halts[1]["halted_steps"]
    deep = sweep(lab, "depth", [50_000.0, 500_000.0])
    assert deep[1]["drawdown_base"] < deep[0]["drawdown_base"]
    shocks = sweep(lab, "shock", [2.0, 10.0])
    assert shocks[0]["drawdown_base"] < shocks[1]["drawdown_base"]
    windows = sweep(lab, "window", [1, 30])
    assert windows[0]["halted_steps"] <= windows[1]["halted_steps"]
    # the stress rule alone (a band too wide to trip): a lower threshold halts more
    lab.controls["band"].value = 30.0
    stress = sweep(lab, "stress_halt", [0.0, 3.0, 1.0])
    assert stress[0]["halted_steps"] == 0 < stress[1]["halted_steps"] < stress[2]["halted_steps"]
    assert stress[2]["drawdown"] < stress[2]["drawdown_base"]


# --- gradual and fund --------------------------------------------------------------------------
def test_gradual_lab_directions():
    lab = gradual_liquidation_lab()
    assert lab.summary["worst_slippage"] < lab.summary["worst_slippage_base"]
    lab.controls["max_book_share"].value = 0.0  # no cap: only the close factor slows it
    cf = sweep(lab, "close_factor", [100.0, 50.0, 10.0])
    assert cf[0]["worst_slippage"] == pytest.approx(cf[0]["worst_slippage_base"])
    assert cf[0]["worst_slippage"] > cf[1]["worst_slippage"] > cf[2]["worst_slippage"]
    assert np.isnan(lab.cap_line.get_ydata()).all()
    caps = sweep(lab, "max_book_share", [2.0, 0.1])
    assert caps[1]["largest_step"] < caps[0]["largest_step"]
    assert lab.cap_line.get_ydata()[0] == pytest.approx(0.1 * 100_000 / 1e3)
    np.testing.assert_allclose(lab.liq.get_data().values * 1e3,
                                  lab.result.mitigated.liquidated_units)
    cd = sweep(lab, "cooldown", [0, 10])
    assert cd[1]["largest_step"] <= cd[0]["largest_step"]
    sh = sweep(lab, "shock", [2.0, 10.0])
    assert sh[0]["drawdown_base"] < sh[1]["drawdown_base"]


def test_fund_lab_directions_and_stacking():
    lab = insurance_fund_lab()
    funds = sweep(lab, "fund", [0.0, 3.0, 15.0])
    assert funds[0]["socialized"] > funds[1]["socialized"] > funds[2]["socialized"] == 0.0
    assert funds[2]["exhausted_step"] == -1.0 and funds[1]["exhausted_step"] > 0
    heights = [b.get_height() for b in lab.view.bars]
    assert heights[0] == pytest.approx(lab.summary["paid_by_fund"] / 1e6)
    assert heights[1] == pytest.approx(0.0)
    lab.controls["fund"].value = 1.0
    top = lab.view.soc_area.get_data()
    assert top.values[-1] == pytest.approx(
        (lab.summary["paid_by_fund"] + lab.summary["socialized"]) / 1e6)
    ptf = sweep(lab, "penalty_to_fund", [0.0, 100.0])
    assert ptf[0]["paid_by_fund"] < ptf[1]["paid_by_fund"]
    depth = sweep(lab, "depth", [50_000.0, 1_000_000.0])
    assert depth[1]["bad_debt"] < depth[0]["bad_debt"]
    shock = sweep(lab, "shock", [2.0, 10.0])
    assert shock[0]["bad_debt"] < shock[1]["bad_debt"]


# --- ADL ----------------------------------------------------------------------------------------
def titles(ax):
    return " ".join(ax.get_title(loc) for loc in ("left", "center", "right"))


def test_adl_lab_matches_its_scenario_and_plots_it():
    lab = adl_lab()
    ref = adl_scenario(8e6, loss_rule="adl", shock=0.06, depth=100_000.0)
    assert lab.summary == pytest.approx(ref.summary)
    v = lab.view
    x, y = v.adl_line.get_data()
    np.testing.assert_array_equal(y[:-1], ref.adl.haircut)
    assert x[0] == 1.0 and x[-2] == ref.adl.trader.size
    np.testing.assert_array_equal(v.levy_line.get_data()[1][:-1], ref.levy.haircut)
    assert v.adl_line.get_linestyle() == "-" and v.levy_line.get_linestyle() == "--"
    top = v.win_area.get_data().values
    assert top[-1] == pytest.approx((ref.adl.paid_by_fund[-1] + ref.adl.covered[-1]) / 1e6)
    np.testing.assert_allclose(v.balance.get_ydata(), ref.adl.result.insurance_fund / 1e6)
    assert "under ADL" in titles(v.ax_time)
    assert sum(bool(v.ax_time.get_title(loc)) for loc in ("left", "center", "right")) == 1
    head = lab._headline.value
    for text in ("1,591", "8,056", "20k USD", "4.02k USD", "9.13M USD", "uncovered under ADL"):
        assert text in head, text
    lab.close()


def test_adl_lab_directions():
    lab = adl_lab()
    funds = sweep(lab, "fund", [0.0, 3.0, 8.0, 12.0])
    closed = [f["traders_adl"] for f in funds]
    assert closed[0] > closed[1] > closed[2] > closed[3] == 0.0
    assert funds[0]["uncovered"] > 0.0 and funds[2]["uncovered"] == 0.0
    assert all(f["traders_levy"] in (0.0, f["winners"]) for f in funds)
    lab.controls["fund"].value = 8.0
    adl_view = dict(lab.summary)
    lab.controls["loss_rule"].value = "socialise"
    assert lab.summary["is_adl"] == 0.0 and "under levy" in titles(lab.view.ax_time)
    for key in ("traders_adl", "traders_levy", "largest_adl", "largest_levy"):
        assert lab.summary[key] == adl_view[key]
    lab.controls["loss_rule"].value = "adl"
    depth = sweep(lab, "depth", [50_000.0, 1_000_000.0])
    assert depth[1]["bad_debt"] < depth[0]["bad_debt"]
    shock = sweep(lab, "shock", [2.0, 10.0])
    assert shock[0]["bad_debt"] < shock[1]["bad_debt"]
    lab.close()


def test_adl_lab_headline_without_a_loss_and_its_takeaways():
    lab = adl_lab(fund=12.0)
    assert "no winner pays" in lab._headline.value
    assert "neither rule was needed" in lab._takeaway.value
    lab.update(fund=0.0)
    assert "ran out of profitable shorts" in lab._takeaway.value
    lab.update(fund=8.0, depth=20_000.0)
    assert "Both rules ran out of winners" in lab._takeaway.value
    lab.close()


# --- figures: legends off the data -------------------------------------------------------------
def legends_clear_of_axes(fig):
    """Every legend of ``fig`` lies outside every axes' data area; no axes holds a legend or
    free text that the data could run under (issue 14: legends on the data)."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    legends = list(fig.legends)
    assert legends, "the figure has no legend"
    for ax in fig.axes:
        assert ax.get_legend() is None, ax.get_title()
        assert not ax.texts, [t.get_text() for t in ax.texts]
        box = ax.get_window_extent(renderer)
        for leg in legends:
            assert not leg.get_window_extent(renderer).overlaps(box), ax.get_title()


@pytest.mark.parametrize("name", list(FACTORIES))
def test_lab_legends_sit_off_the_data(name):
    lab = FACTORIES[name]()
    legends_clear_of_axes(lab.figure)
    labels = [t.get_text() for leg in lab.figure.legends for t in leg.get_texts()]
    assert all(label and not label.startswith("_") for label in labels), labels
    lab.close()


def test_breaker_legend_names_every_concept_drawn():
    lab = circuit_breaker_lab()
    labels = " ".join(t.get_text() for t in lab.figure.legends[0].get_texts())
    for word in ("breaker", "no breaker", "halted", "forced sales", "bad debt", "insurance fund"):
        assert word in labels
    lab.close()
