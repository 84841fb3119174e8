"""Chapter 04's "Try this" prompts, one test each: the lab is set as the prompt says, and what the
prompt tells the learner to notice is asserted (issue 14). Also the numbers the prose quotes, the
figures' fixes, the chapter's links and its citations."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from labs import notebook_markdown

from cascadelab.widgets import basket_lab, bridge_lab, oracle_network_lab, waterfall_lab

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04_evolution.ipynb"


def _steepest(x, y):
    """Where a sweep rises most steeply: the midpoint of the step with the largest ratio."""
    y = np.asarray(y, dtype=float)
    i = int(np.argmax(y[1:] / y[:-1]))
    return 0.5 * (x[i] + x[i + 1])


# ----------------------------------------------------------------------------- baskets


def test_basket_1_high_correlation_sends_the_basket_up_to_single_collateral(lab):
    bl = lab(basket_lab, corr=0.5)
    low = bl.result[0]
    bl.update(corr=0.9)
    high = bl.result[0]
    _cash, single, basket = high.liquidated
    assert basket > 0.95 * single                    # green dots up to the vermillion ones
    assert low.liquidated[2] < 0.6 * low.liquidated[1]
    assert np.all(high.drawdown[:, 1:] > low.drawdown[:, 1:])  # B and C bars grow


def test_basket_2_a_bigger_crash_moves_the_jumps_to_lower_correlations(lab):
    bl = lab(basket_lab, corr=0.5)
    sw12 = bl.result[1]
    bl.update(shock=25.0)
    sw25 = bl.result[1]
    for mix in (1, 2):  # single, basket
        assert (_steepest(sw25.corrs, sw25.liquidated[mix])
                < _steepest(sw12.corrs, sw12.liquidated[mix]) - 0.2)


def test_basket_3_thin_books_move_b_and_c_even_with_cash_margin(lab):
    bl = lab(basket_lab)
    deep = bl.result[0].drawdown[0, 1:]
    bl.update(depth=3_000.0)
    thin = bl.result[0].drawdown[0, 1:]  # cash collateral, assets B and C
    assert np.all(thin > 0.3) and np.all(thin > 4 * deep)


# ----------------------------------------------------------------------------- oracle network


def test_oracle_1_robustness_ends_abruptly_at_half(lab):
    ol = lab(oracle_network_lab, n=7, k=2)
    ol.update(k=3)
    assert abs(ol.summary["median_error"]) < 0.01 and ol.summary["cost_network"] > 0
    ol.update(k=4)
    assert ol.summary["median_error"] == pytest.approx(-0.10)
    assert ol.summary["cost_network"] == 0.0
    assert ol.view.median_line.get_ydata()[0] == pytest.approx(90.0)  # onto the crosses


def test_oracle_2_six_feeds_cost_as_much_as_seven_one_venue_more_than_five(lab):
    ol = lab(oracle_network_lab, k=0)
    cost = {}
    for n in (5, 6, 7):
        ol.update(n=n)
        cost[n] = ol.summary["cost_network"]
        # the feed axis shows whole feeds only, and no more of them than there are
        ticks = ol.view.ax_feeds.get_xticks()
        assert np.allclose(ticks, np.round(ticks))
        assert ol.view.ax_feeds.get_xlim()[1] < n + 1
    assert cost[6] == cost[7] == pytest.approx(4 / 3 * cost[5])
    assert (cost[5], cost[7]) == (pytest.approx(300_000.0), pytest.approx(400_000.0))


def test_oracle_3_quiet_venues_stay_below_the_prize_even_on_sqrt_books(lab):
    ol = lab(oracle_network_lab, n=7, k=2)
    busy = ol.summary["cost_network"]
    prize = ol.summary["prize"]
    ol.update(depth=200.0)
    quiet = ol.summary["cost_network"]
    assert quiet == pytest.approx(busy / 10)
    assert quiet < 0.1 * prize
    assert ol.view.prize_line.get_ydata()[0] == pytest.approx(prize)
    ol.update(impact="sqrt")
    root = ol.summary["cost_network"]
    assert round(root / quiet) == 13 and root < prize
    assert ol.summary["prize"] == prize  # the prize is for the lab's own attack size
    from cascadelab.chapters.evolution import liquidation_prize

    assert prize == liquidation_prize(-ol.controls["attack"].value / 100.0)


def test_oracle_figure_shows_the_true_price_on_top_of_the_median(lab):
    ol = lab(oracle_network_lab, k=0)
    v = ol.view
    assert v.true_line.get_zorder() > v.median_line.get_zorder()
    assert v.true_line.get_linestyle() == "--"
    assert v.median_line.get_linewidth() > v.true_line.get_linewidth()


# ----------------------------------------------------------------------------- waterfall


def test_waterfall_1_a_big_loss_topples_the_members_through_the_ccp_too(lab):
    wl = lab(waterfall_lab)
    assert wl.summary["per_survivor"] == pytest.approx(1.4667, abs=1e-4)
    wl.update(loss=80.0)
    s = wl.summary
    draws = [b.get_height() for b in wl.view.draws][:5]
    caps = wl.result.waterfall.capacities
    for j in range(1, 5):  # strictly left to right
        if draws[j] > 0:
            assert np.allclose(draws[:j], caps[:j])
    assert s["per_survivor"] == pytest.approx(4.80)
    assert s["per_survivor"] > wl.result.capital == 4.0
    assert wl.view.ccp.get_data()[0][0] == pytest.approx(4.80)  # the green line
    assert s["ccp_defaults"] == s["bilateral_defaults"] == 15.0


def test_waterfall_2_a_tighter_cap_protects_members_and_leaves_an_unfunded_loss(lab):
    wl = lab(waterfall_lab, loss=80.0)
    wl.update(assessment_cap=2.5)
    s = wl.summary
    assert s["per_survivor"] == pytest.approx(3.50) and s["ccp_defaults"] == 0.0
    assert s["unfunded"] == pytest.approx(19.5)
    assert wl.view.draws[-1].get_height() == pytest.approx(19.5)  # the purple bar


def test_waterfall_3_without_a_fund_survivors_pay_one_more_as_an_assessment(lab):
    wl = lab(waterfall_lab)
    with_fund = dict(wl.summary)
    wl.update(default_fund=0.0)
    s = wl.summary
    assert with_fund["mutualised"] == pytest.approx(7.0) and s["mutualised"] == pytest.approx(23.0)
    assert s["survivors_fund"] == 0.0
    paid = lambda x: x["survivors_fund"] + x["mutualised"]  # noqa: E731
    assert (paid(with_fund), paid(s)) == (pytest.approx(22.0), pytest.approx(23.0))


def test_waterfall_4_concentration_topples_more_bilaterally(lab):
    wl = lab(waterfall_lab)
    wl.update(concentration=2.5)
    high = wl.summary["bilateral_defaults"]
    wl.update(concentration=0.0)
    assert high > 2.0 and wl.summary["bilateral_defaults"] == 0.0
    assert wl.summary["ccp_defaults"] == 0.0


def test_waterfall_figure_one_colour_per_payer(lab):
    from cascadelab import plotting as cp

    wl = lab(waterfall_lab)
    colors = [matplotlib.colors.to_hex(b.get_facecolor()) for b in wl.view.draws]
    # CCP capital is no longer the survivors' green, and purple means only the unfunded loss
    assert colors[2] != colors[3] == colors[4] == cp.INSURANCE_FUND.lower()
    assert colors.count(cp.BAD_DEBT.lower()) == 1 and colors[5] == cp.BAD_DEBT.lower()
    assert matplotlib.colors.to_hex(wl.view.defaults.get_facecolor()[0]) != cp.BAD_DEBT.lower()


# ----------------------------------------------------------------------------- bridge


def test_bridge_1_the_dot_jumps_before_the_estimate(lab):
    bl = lab(bridge_lab, share=30.0)
    amps = {}
    for share in (30.0, 35.0, 40.0, 45.0):
        bl.update(share=share)
        amps[share] = bl.summary["amplification_outage"]
    assert amps[40.0] / amps[35.0] > 3.0                 # the jump
    assert amps[35.0] / amps[30.0] < 1.3 and amps[45.0] / amps[40.0] < 1.3
    assert bl.summary["critical_share"] == pytest.approx(0.50, abs=0.01)  # the dashed line


def test_bridge_2_a_big_shock_makes_the_curve_smooth(lab):
    bl = lab(bridge_lab, share=30.0, shock=8.0)
    sweep = bl.result[1]
    steps = sweep.amplification[1:] / sweep.amplification[:-1]
    assert steps.max() < 1.5


def test_bridge_3_more_depth_moves_the_critical_line_right(lab):
    bl = lab(bridge_lab)
    before = bl.summary["critical_share"]
    bl.update(depth=600_000.0)
    assert bl.summary["critical_share"] > before + 0.2
    assert bl.view.critical.get_xdata()[0] == pytest.approx(100 * bl.summary["critical_share"])


# ----------------------------------------------------------------------------- the chapter


def test_the_numbers_the_prose_quotes():
    from cascadelab.chapters.evolution import (
        amm_feed_scenario,
        bridge_sweep,
        clearing_scenario,
        liquidation_prize,
    )
    from cascadelab.mechanisms.oracle_network import manipulation_cost

    text = notebook_markdown(NOTEBOOK)
    big = clearing_scenario(loss=80.0)
    assert round(big.summary["mutualised"]) == 57 and round(big.unpaid, 1) == 12.0
    assert "all 15 default with the CCP" in text and "12.0 of their shares" in text
    b0, b1, a0, a1 = bridge_sweep(np.linspace(0.0, 0.9, 19), shock=0.02).jump
    assert (round(100 * b0), round(100 * b1), round(a0, 2), round(a1, 2)) == (35, 40, 2.18, 8.50)
    assert "2.18x to 8.50x" in text
    quiet = {m: manipulation_cost(-0.10, 200.0, k=2, n=7, impact=m) for m in ("linear", "sqrt")}
    assert round(quiet["sqrt"] / quiet["linear"]) == 13 and quiet["sqrt"] < liquidation_prize(-0.1)
    amm = amm_feed_scenario(-0.10)
    assert round(amm.summary["median_over_amm"], 1) == 3.6


def test_chapter_links_resolve_and_cite_at_least_three_sources():
    text = notebook_markdown(NOTEBOOK)
    docs = ROOT / "docs"
    anchors = {name: set(re.findall(r'<a id="([^"]+)"></a>', (docs / name).read_text()))
              | set(re.findall(r"^### (\S+)$", (docs / name).read_text(), flags=re.M))
              for name in ("glossary.md", "references.md")}
    links = re.findall(r"\]\(\.\./docs/(glossary|references)\.md#([^)]+)\)", text)
    for doc, key in links:
        assert key in anchors[f"{doc}.md"], (doc, key)
    cited = {key for doc, key in links if doc == "references"}
    assert len(cited) >= 3 and "cme-waterfall" in cited, cited
    assert "../docs/notation.md" in text and "01_origin.ipynb" in text.split("**What you will")[2]
    for term in ("bridge", "square-root-impact", "amm", "assessment"):
        assert f"glossary.md#{term})" in text, term
    assert "about 75 minutes" in text.lower()
    assert "loses nothing" not in text and "survivors pay the same total" not in text
