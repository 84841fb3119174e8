"""Chapter 03: every "Try this" prompt is true at the settings it names (issue 14 item 3).

One test per prompt: it sets the lab (or the scenario function) as the prompt says and asserts
what the prompt tells the learner to notice. The last tests check the sentences of the chapter
that quote or compare numbers (issue 14 item 4).
"""

from __future__ import annotations

from itertools import pairwise

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from cascadelab import default_market, simulate
from cascadelab.chapters import approach as ap
from cascadelab.chapters._course import population
from cascadelab.mechanisms.adl import adl_ranking
from cascadelab.widgets import (
    adl_lab,
    circuit_breaker_lab,
    gradual_liquidation_lab,
    insurance_fund_lab,
)


@pytest.fixture
def gradual():
    lab = gradual_liquidation_lab()
    yield lab
    lab.close()


@pytest.fixture
def fund():
    lab = insurance_fund_lab()
    yield lab
    lab.close()


@pytest.fixture
def breaker():
    lab = circuit_breaker_lab()
    yield lab
    lab.close()


# --- margin: the phase-in speed ------------------------------------------------------------------
def test_prompt_margin_step_moves_the_bad_debt_not_the_busiest_step():
    """c12: margin_step 0.002 and 0.0001. The busiest step stays near the static margin's and far
    below the instant rule's; the fast phase-in keeps about three quarters of the instant rule's
    cut in bad debt, the slow one gives most of it back."""
    kept = {}
    for step in (0.002, 0.0001):
        s = ap.vol_margin_scenario(margin_step=step).summary
        static, instant, phased = (s["largest_step_static"], s["largest_step"],
                                   s["largest_step_phased"])
        assert phased - static < 0.25 * (instant - static), step
        kept[step] = ((s["bad_debt_static"] - s["bad_debt_phased"])
                      / (s["bad_debt_static"] - s["bad_debt"]))
    assert 0.65 <= kept[0.002] <= 0.85  # about three quarters
    assert kept[0.0001] < 0.35           # most of it given back


# --- gradual liquidation lab ---------------------------------------------------------------------
def test_prompt_gradual_1_tranches_off_is_one_order_each(gradual):
    """c18.1: close factor 100%, book share 0: the orange bars are the grey dashed spike."""
    gradual.update(close_factor=100.0, max_book_share=0.0)
    s = gradual.summary
    for key in ("worst_slippage", "drawdown", "bad_debt", "largest_step"):
        assert s[key] == pytest.approx(s[key + "_base"]), key
    np.testing.assert_allclose(gradual.liq.get_data().values,
                               gradual.base_liq.get_data().values)


def test_prompt_gradual_2_close_factor_alone_shrinks_every_step(gradual):
    """c18.2: book share 0, close factor stepped down to 10%: the spike and the slippage shrink
    with each step of the slider (its step is 5 points)."""
    gradual.update(max_book_share=0.0)
    step = gradual.controls["close_factor"].step
    spikes, slips = [], []
    for cf in np.arange(100.0, 10.0 - 1e-9, -step):
        gradual.update(close_factor=float(cf))
        spikes.append(gradual.summary["largest_step"])
        slips.append(gradual.summary["worst_slippage"])
    assert len(spikes) == 19
    assert (np.diff(spikes) < 0).all() and (np.diff(slips) < 0).all()


def test_prompt_gradual_3_a_very_slow_queue_is_still_selling_at_the_end(gradual):
    """c18.3: close factor 25%, book share 0.05, shock 12%: sales over the whole run, the price's
    low at the very end, the queue not empty (some waiting positions below their bankruptcy
    price); at 0.25 the selling is over before step 100 and the price recovers; the bad debt
    counted at 0.05 is lower."""
    gradual.update(close_factor=25.0, max_book_share=0.05, shock=12.0)
    slow = gradual.result.mitigated
    steps = slow.steps
    sold = np.nonzero(slow.liquidated_units > 0)[0]
    assert sold.max() == steps - 1 and (slow.liquidated_units[20:] > 0).all()
    assert int(np.argmin(slow.price)) >= steps - 5
    assert slow.liquidated_units.max() == pytest.approx(0.05 * slow.scenario.depth)
    pos = population(20_000, seed=0)
    left = slow.remaining_size > 0
    equity = slow.remaining_collateral + pos.side * slow.remaining_size * (
        slow.final_price - pos.entry)
    waiting = left & (pos.side > 0) & (slow.final_price <= pos.liquidation_price)
    assert waiting.sum() > 0 and (equity[waiting] < 0).sum() > 0
    bad_slow = gradual.summary["bad_debt"]

    gradual.update(max_book_share=0.25)
    fast = gradual.result.mitigated
    assert np.nonzero(fast.liquidated_units > 0)[0].max() < 100
    assert fast.final_price > fast.min_price + 3.0
    assert bad_slow < gradual.summary["bad_debt"]


# --- insurance fund lab --------------------------------------------------------------------------
def test_prompt_fund_1_the_fund_that_suffices_is_nearly_the_whole_bad_debt(fund):
    """c22.1: the smallest fund on the slider with nothing socialised is 9M USD, close to the
    crash's bad debt and far above the few thousand USD of penalties it collects."""
    w = fund.controls["fund"]
    first = None
    for f in np.arange(w.min, w.max + 1e-9, w.step):
        fund.update(fund=float(f))
        if fund.summary["socialized"] <= 0.0:
            first = float(f)
            break
    assert first == 9.0
    bad = fund.summary["bad_debt"]
    assert bad <= 9e6 <= 1.05 * bad
    penalties = fund.result.result.penalties_to_fund.sum()
    assert 1e3 < penalties < 1e4 and penalties < 1e-3 * bad


def test_prompt_fund_2_no_penalties_means_the_fund_pays_its_balance(fund):
    """c22.2: penalties to fund 0%: the fund pays exactly its 3.00M USD; at 100% a few thousand
    USD more, collected during the crash."""
    fund.update(penalty_to_fund=0.0)
    assert fund.summary["paid_by_fund"] == pytest.approx(3e6, abs=1e-6)
    fund.update(penalty_to_fund=100.0)
    extra = fund.summary["paid_by_fund"] - 3e6
    assert 1e3 < extra < 1e4
    collected = fund.result.result.penalties_to_fund
    assert collected[fund.result.result.scenario.shock_step:].sum() > 0  # during the crash


def test_prompt_fund_3_a_deeper_book_cuts_bad_debt_by_far_more_than_half(fund):
    """c22.3: depth 100,000 -> 200,000: bad debt falls by far more than half, and the 3M USD fund
    covers all of it."""
    before = fund.summary["bad_debt"]
    fund.update(depth=200_000.0)
    assert fund.summary["bad_debt"] < 0.3 * before
    assert fund.summary["socialized"] == 0.0 and fund.summary["fund_share"] == 1.0


# --- ADL lab ------------------------------------------------------------------------------------
@pytest.fixture
def adl():
    lab = adl_lab()
    yield lab
    lab.close()


def test_prompt_adl_1_a_fuller_fund_leaves_a_short_stub(adl):
    """03-adl-try.1: fund 8 -> 9M USD: ADL closes only 239 traders, 3% of the winners, at most
    7.7k USD from one; the levy still charges all 8,056, at most 471 USD each."""
    before = adl.view.adl_line.get_xdata().max()
    adl.update(fund=9.0)
    s = adl.summary
    assert s["traders_adl"] == 239 and round(s["share_closed"], 2) == 0.03
    assert round(s["largest_adl"] / 1e3, 1) == 7.7
    assert s["traders_levy"] == s["winners"] == 8056
    assert round(s["largest_levy"]) == 471 and "471 USD" in adl._headline.value
    assert adl.view.adl_line.get_xdata().max() < before / 5  # the solid curve shrinks


def test_prompt_adl_2_a_thinner_fund_closes_nearly_every_winner(adl):
    """03-adl-try.2: fund 3M USD: ADL closes 7,663 of the 8,056 winners (95%); the largest
    haircut about the same under both rules (21.9k and 21.8k USD)."""
    adl.update(fund=3.0)
    s = adl.summary
    assert s["traders_adl"] == 7663 and s["winners"] == 8056
    assert round(s["share_closed"], 2) == 0.95
    assert round(s["largest_adl"] / 1e3, 1) == 21.9 and round(s["largest_levy"] / 1e3, 1) == 21.8
    x_adl, x_levy = adl.view.adl_line.get_xdata().max(), adl.view.levy_line.get_xdata().max()
    assert x_adl > 0.9 * x_levy  # almost as far as the dashed one


def test_prompt_adl_3_an_empty_fund_leaves_a_hatched_band_under_adl_only(adl):
    """03-adl-try.3: fund 0, ADL then levy: under ADL about 3M USD uncovered (the headline); under
    the levy the band disappears."""
    adl.update(fund=0.0, loss_rule="adl")
    s = adl.summary
    assert round(s["uncovered"] / 1e6) == 3 and "uncovered under ADL <b>3M USD</b>" in (
        adl._headline.value)
    band = adl.view.unc_area.get_data()
    assert (band.values - band.baseline)[-1] * 1e6 == pytest.approx(s["uncovered"])
    adl.update(loss_rule="socialise")
    assert adl.summary["uncovered"] == 0.0
    band = adl.view.unc_area.get_data()
    np.testing.assert_allclose(band.values, band.baseline)


def test_no_cell_calls_adl_the_forced_version_of_the_levy():
    """Issue 12: ADL is its own rule (a ranked queue), not "the forced version" of the levy."""
    from pathlib import Path

    nb = (Path(__file__).parents[1] / "notebooks" / "03_approach.ipynb").read_text()
    assert "forced version" not in nb


def test_prose_adl_queue_and_comparison():
    """03-adl-queue-md and 03-adl-tradeoff: the numbers quoted from the two cells above them."""
    pos = population(20_000, seed=0)
    res = ap.adl_scenario(8e6)
    idx, rank = adl_ranking(pos, -1, res.mark)
    first = idx[0]
    assert pos.leverage[first] == pytest.approx(50.0) and round(pos.entry[first], 1) == 98.6
    assert round((pos.entry[first] - res.mark) / pos.entry[first], 3) == 0.176
    assert round(res.mark / (pos.bankruptcy_price[first] - res.mark), 1) == 4.2
    assert round(rank[0], 2) == 0.74
    m = len(res.adl.trader)
    assert m == 1591
    last = idx[m - 1]
    assert round(pos.size[last] - res.adl.result.remaining_size[last]) == 185
    assert 0.0 < res.adl.result.remaining_size[last]  # closed only in part
    assert res.adl.result.remaining_size[idx[m]] == pos.size[idx[m]]  # the 1,592nd keeps it
    s = res.summary
    assert round(res.levy.summary["median_haircut"]) == 84
    assert round(s["share_closed"], 2) == 0.20  # a fifth
    assert round(res.adl.summary["median_haircut"]) == 396
    assert round(s["largest_adl"] / 1e3) == 20
    assert 4.5 < s["largest_adl"] / s["largest_levy"] < 5.5  # five times
    assert ap.adl_scenario(9e6).summary["covered"] < 0.15 * s["bad_debt"]  # "covers most"
    assert s["covered"] < 0.15 * s["bad_debt"]
    assert round(ap.adl_scenario(3e6).summary["share_closed"], 2) == 0.95
    s0 = ap.adl_scenario(0.0).summary
    assert round(s0["share_closed"], 2) == 0.99
    assert round(s0["uncovered"] / 1e6, 2) == 3.00 and s0["uncovered_levy"] == 0.0
    assert s0["units_closed"] > 0.95 * pos.size[pos.side < 0].sum()  # nearly all the units
    assert round(s0["largest_share_other"], 2) == 3.47
    longs, shorts = pos.size[pos.side > 0].sum(), pos.size[pos.side < 0].sum()
    assert 1.4 < longs / shorts < 1.6  # about half as many units again


# --- circuit-breaker lab -------------------------------------------------------------------------
def test_prompt_breaker_1_wider_bands_halt_less_and_later(breaker):
    """c36.1: band 3% -> 10% -> 30%: fewer halts that start later, a deeper fall towards the grey
    line, and at 30% no halt at all."""
    out = []
    for band in (3.0, 10.0, 30.0):
        breaker.update(band=band)
        out.append((list(breaker.result.halts), dict(breaker.summary)))
    (h3, s3), (h10, s10), (h30, s30) = out
    assert len(h3) > len(h10) > len(h30) == 0
    assert h10[0][0] > h3[0][0]
    assert s3["drawdown"] < s10["drawdown"] < s30["drawdown"] == pytest.approx(s30["drawdown_base"])


def test_prompt_breaker_2_liquidating_into_the_halt(breaker):
    """c36.2: liquidate during halts: forced sales inside the halts; the fall and the bad debt
    grow."""
    paused = dict(breaker.summary)
    breaker.update(liquidate_in_halt=True)
    run = breaker.result.mitigated
    assert run.liquidated_units[run.halted].sum() > 0
    assert breaker.view.liq.get_data().values[run.halted].sum() > 0
    assert breaker.summary["drawdown"] > paused["drawdown"]
    assert breaker.summary["bad_debt"] > paused["bad_debt"]


def test_prompt_breaker_3_no_refill_and_the_fragile_end(breaker):
    """c36.3: refill 0: each reopening trips the breaker again and the fall ends almost as deep as
    without it. At the defaults, the positions the halt saved are liquidated by a later dip."""
    run = breaker.result
    late = slice(run.mitigated.steps - 30, None)
    assert run.mitigated.liquidated_units[late].sum() > 0
    assert run.baseline.liquidated_units[late].sum() == 0
    default_halts = len(run.halts)
    breaker.update(halt_resilience=0.0)
    halts = breaker.result.halts
    assert len(halts) > default_halts
    for (_, end), (start, _) in pairwise(halts):
        assert start - end <= 1  # it trips again right at the reopening
    s = breaker.summary
    assert 0.9 * s["drawdown_base"] < s["drawdown"] < s["drawdown_base"]


# --- sentences that quote numbers ----------------------------------------------------------------
def test_prose_the_crash_fund_and_example_path():
    """c6: 'almost four times as deep', the fund empty in the shock step, two steps before the
    peak, most of the bad debt socialised; c10: the example path's 7.0M, 11.4M and 1.6M."""
    pos, _ = default_market()
    crash = simulate(pos, ap.FAST_CRASH)
    assert 3.5 < crash.max_drawdown / ap.FAST_CRASH.shock < 4.0
    empty = int(np.argmax(crash.insurance_fund <= 0.0))
    assert empty == ap.FAST_CRASH.shock_step == int(np.argmax(crash.liquidated_units)) - 2
    assert crash.total_socialized_loss > 0.5 * crash.total_bad_debt
    vm = ap.vol_margin_scenario()
    a, b = vm.example_static, vm.example_adjusted
    assert round(b.total_bad_debt / 1e6, 1) == 7.0 == round(b.bad_debt.max() / 1e6, 1)
    assert b.bad_debt[100:].sum() == 0.0 and int(np.count_nonzero(b.bad_debt)) == 1
    assert round(a.bad_debt[:100].sum() / 1e6, 1) == 11.4
    assert round(a.bad_debt[100:].sum() / 1e6, 1) == 1.6
    assert round(a.total_bad_debt / 1e6, 1) == 13.0
    assert int(np.count_nonzero(a.bad_debt[:100])) == 4
    s = vm.summary
    removed = ((s["largest_step"] - s["largest_step_phased"])
               / (s["largest_step"] - s["largest_step_static"]))
    assert removed > 0.5  # "removes most of the extra wave"


def test_prose_puts_and_fund_timing():
    """c29: the puts 'halve' the hedge sales and take back 'more than half' of the extra fall;
    c20: the fund empties before the forced sales peak."""
    pp = ap.protective_puts_scenario(puts=2e6, put_strike=0.95, dealer_units=-2e6).summary
    assert 0.45 < 1.0 - pp["hedge_sales_hedged"] / pp["hedge_sales"] < 0.55
    back = ((pp["drawdown_dealer"] - pp["drawdown_hedged"])
            / (pp["drawdown_dealer"] - pp["drawdown_none"]))
    assert back > 0.5
    for size in (0.0, 1e6, 3e6):
        f = ap.insurance_fund_scenario(size)
        assert 0 <= f.summary["exhausted_step"] < np.argmax(f.result.liquidated_units)


def test_prose_monte_carlo_tail():
    """c44, c46: tranches and halts no better than nothing in the tail; all layers the lowest mean
    and VaR, the fee alone better in the expected shortfall."""
    risk = ap.mitigation_monte_carlo(paths=200, steps=200, seed=0).risk()
    for name in ("gradual", "breaker"):
        assert risk[name]["es"] >= risk["none"]["es"], name
    for key in ("mean", "var"):
        assert min(risk, key=lambda n: risk[n][key]) == "all", key
    assert risk["fees"]["es"] < risk["all"]["es"]


# --- links: notation, glossary and references ----------------------------------------------------
def chapter_links(name):
    """(doc, anchor) of every ../docs/*.md link in notebooks/<name>.ipynb, and the anchors each
    doc defines (glossary: <a id=...>; references: ### key headings; notation: ## headings)."""
    import json
    import re
    from pathlib import Path

    root = Path(__file__).parents[1]
    nb = json.loads((root / "notebooks" / f"{name}.ipynb").read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    links = re.findall(r"\]\(\.\./docs/(\w+)\.md(?:#([\w-]+))?\)", text)
    anchors = {}
    for doc in ("glossary", "references", "notation"):
        src = (root / "docs" / f"{doc}.md").read_text()
        ids = set(re.findall(r'<a id="([\w-]+)"', src))
        ids |= {h.strip().lower().replace(" ", "-") for h in re.findall(r"^#+ (.+)$", src, re.M)}
        anchors[doc] = ids
    return links, anchors


def check_links(name, min_references=3):
    links, anchors = chapter_links(name)
    docs = {doc for doc, _ in links}
    assert {"notation", "glossary", "references"} <= docs
    for doc, anchor in links:
        assert doc in anchors, doc
        assert not anchor or anchor in anchors[doc], (doc, anchor)
    cited = {anchor for doc, anchor in links if doc == "references" and anchor}
    assert len(cited) >= min_references, cited
    return cited


def test_chapter_03_links_resolve_and_cite_its_sources():
    cited = check_links("03_approach")
    for key in ("riskmetrics-1996", "sec-luld-2011", "aave-v3-liquidations",
                "bitmex-insurance-fund-2020", "hyperliquid-adl", "bitmex-adl", "chitra-2025",
                "hyperliquid-2025-10-statement", "hypermultiassetedadl-2025"):
        assert key in cited
