"""Chapter 04 labs, headless: every control recomputes once, redraws in place and moves the
numbers the way the theory says."""

from __future__ import annotations

import numpy as np
import pytest
from labs import artists, control_range, sweep

from cascadelab.chapters.evolution import (
    basket_scenario,
    bridge_scenario,
    clearing_scenario,
    oracle_network_scenario,
)
from cascadelab.widgets import basket_lab, bridge_lab, oracle_network_lab, waterfall_lab

FACTORIES = {"basket": basket_lab, "oracle": oracle_network_lab, "waterfall": waterfall_lab,
             "bridge": bridge_lab}


@pytest.fixture(params=list(FACTORIES))
def any_lab(request):
    lab = FACTORIES[request.param]()
    yield lab
    lab.close()


def test_each_control_across_its_range_redraws_in_place(any_lab):
    lab = any_lab
    before = artists(lab)
    for name, widget in lab.controls.items():
        home = widget.value
        seen = []
        for value in control_range(widget):
            n = lab.n_recomputes
            widget.value = value
            if widget.value != home or n != lab.n_recomputes:
                assert lab.n_recomputes == n + 1, name
            seen.append(tuple(round(v, 9) for v in lab.summary.values()))
            home = widget.value
        assert len(set(seen)) > 1, f"{name} changes nothing"
    assert artists(lab) == before


def test_update_sets_several_controls_with_one_recompute(any_lab):
    lab = any_lab
    names = list(lab.controls)[:2]
    values = {name: control_range(lab.controls[name])[-1] for name in names}
    n = lab.n_recomputes
    lab.update(**values)
    assert lab.n_recomputes == n + 1
    assert all(lab.controls[k].value == pytest.approx(v) for k, v in values.items()
               if not isinstance(v, str))
    with pytest.raises(TypeError, match="no control"):
        lab.update(nonsense=1.0)


# ----------------------------------------------------------------------------- basket


def test_basket_lab_numbers_and_pictures_follow_correlation():
    lab = basket_lab()
    assert lab.summary == basket_scenario(0.5).summary
    seen = sweep(lab, "corr", [0.0, 0.3, 0.6, 0.9])
    basket = [s["liquidated_basket"] for s in seen]
    single = [s["liquidated_single"] for s in seen]
    cash = [s["liquidated_cash"] for s in seen]
    assert np.all(np.diff(basket) > 0) and np.all(np.diff(cash) > 0)
    assert all(si >= b > c for si, b, c in zip(single, basket, cash, strict=True))
    # the share of single collateral's extra liquidations that the basket avoids shrinks
    saved = [(si - b) / (si - c) for si, b, c in zip(single, basket, cash, strict=True)]
    assert saved[0] > saved[-1]
    # plotted data: the dots sit at the current correlation and counts, the bars are drawdowns
    view, res = lab.view, lab.result[0]
    assert view.liq_dots["basket"].get_xdata()[0] == pytest.approx(0.9)
    assert view.liq_dots["basket"].get_ydata()[0] == seen[-1]["liquidated_basket"]
    heights = [b.get_height() for b in view.bars["single"]]
    np.testing.assert_allclose(heights, 100.0 * res.drawdown[1])
    lab.close()


def test_basket_lab_bigger_crash_liquidates_more():
    lab = basket_lab()
    seen = sweep(lab, "shock", [4.0, 12.0, 24.0])
    for mix in ("cash", "single", "basket"):
        assert np.all(np.diff([s[f"liquidated_{mix}"] for s in seen]) > 0), mix
    lab.close()


# ----------------------------------------------------------------------------- oracle


def test_oracle_lab_median_holds_below_half_and_breaks_at_half():
    lab = oracle_network_lab(n=7, attack=20.0)
    assert lab.summary == oracle_network_scenario(7, 2, -0.2, 2_000.0).summary
    seen, crosses = [], []
    for k in range(8):
        seen += sweep(lab, "k", [k])
        crosses.append(len(lab.view.bad.get_offsets()))
    assert crosses == list(range(8))  # one cross per bad feed
    for k, s in enumerate(seen):
        assert s["single_error"] == pytest.approx(-0.2 if k else s["single_error"])
        if k < 3.5:
            assert abs(s["median_error"]) < 0.01
        else:
            assert s["median_error"] == pytest.approx(-0.2)
    costs = [s["cost_network"] for s in seen]
    assert np.all(np.diff(costs) <= 0) and costs[4] == 0.0
    # the median line sits at the reported price
    assert lab.view.median_line.get_ydata()[0] == pytest.approx(lab.result.median)
    lab.close()


def test_oracle_lab_cost_rises_with_depth_and_feeds():
    lab = oracle_network_lab(k=0)
    by_depth = [s["cost_network"] for s in sweep(lab, "depth", [1e2, 1e3, 1e4, 1e5])]
    assert np.all(np.diff(by_depth) > 0)
    by_n = [s["cost_network"] for s in sweep(lab, "n", [1, 3, 5, 7, 9])]
    assert np.all(np.diff(by_n) > 0)
    _, y = lab.view.curve_network.get_data()
    np.testing.assert_allclose(y, lab.result.curve_network)
    lab.close()


# ----------------------------------------------------------------------------- waterfall


def test_waterfall_lab_layers_fill_in_order():
    lab = waterfall_lab()
    assert lab.summary == clearing_scenario().summary
    seen = sweep(lab, "loss", [0.0, 5.0, 20.0, 40.0, 80.0])
    mutualised = [s["mutualised"] for s in seen]
    assert mutualised[:3] == [0.0, 0.0, 0.0] and np.all(np.diff(mutualised) >= 0)
    bilateral = [s["bilateral_defaults"] for s in seen]
    assert np.all(np.diff(bilateral) >= 0) and bilateral[-1] > bilateral[0]
    heights = [b.get_height() for b in lab.view.draws]
    assert sum(heights) == pytest.approx(80.0)
    # a bigger default fund leaves less to mutualise; more capital stops the bilateral chain
    funds = [s["mutualised"] for s in sweep(lab, "default_fund", [0.0, 20.0, 60.0])]
    assert np.all(np.diff(funds) < 0)
    lab.update(loss=30.0)
    chain = [s["bilateral_defaults"] for s in sweep(lab, "capital", [1.0, 4.0, 20.0])]
    assert chain[0] > chain[-1] == 0.0
    lab.close()


# ----------------------------------------------------------------------------- bridge


def test_bridge_lab_outage_amplifies_monotonically():
    lab = bridge_lab()
    assert lab.summary == bridge_scenario(0.3, 0.02).summary
    seen = sweep(lab, "share", [0.0, 20.0, 40.0, 60.0, 80.0])
    amp = [s["amplification_outage"] for s in seen]
    assert np.all(np.diff(amp) > 0)
    assert amp[0] == pytest.approx(seen[0]["amplification_normal"])
    assert len({s["amplification_normal"] for s in seen}) == 1  # the whole book is unchanged
    assert lab.view.dot.get_xdata()[0] == pytest.approx(80.0)
    assert lab.view.dot.get_ydata()[0] == pytest.approx(amp[-1])
    y = lab.view.outage.get_ydata()
    assert y[-1] == pytest.approx(lab.result[0].outage.final_price)
    deeper = [s["amplification_outage"] for s in sweep(lab, "depth", [1e5, 3e5, 1e6])]
    assert np.all(np.diff(deeper) < 0)
    lab.close()
