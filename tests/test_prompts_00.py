"""Chapter 00: every "Try this" prompt, set up as it says, shows what it tells the learner to
notice; and every sentence of the chapter that compares numbers is true of them.

The prompts are in ``notebooks/00_essence.ipynb`` (the "Try this" cell); each test below sets
the feedback-loop lab the way its prompt says, through ``lab.update(...)`` and, for the depth,
on values the slider can show.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from cascadelab import Book, cascade, cascade_multiplier, liquidation_density
from cascadelab.chapters._course import PRICE
from cascadelab.chapters.essence import (
    FeedbackLoopParams,
    depth_sweep,
    feedback_loop_scenario,
    population,
    runaway_depth,
    static_cascade_move,
)
from cascadelab.widgets import feedback_loop_lab


@pytest.fixture
def lab():
    lab = feedback_loop_lab()
    yield lab
    lab.close()


def notch(lab, name: str, target: float, offset: int = 0) -> float:
    """The value nearest ``target`` that the log slider ``name`` can show, ``offset`` notches on."""
    w = lab.controls[name]
    k = round((math.log(target, w.base) - w.min) / w.step) + offset
    return float(w.base ** (w.min + k * w.step))


def n_longs(lab) -> int:
    return int((lab.result.positions.side > 0).sum())


def bars_between(result, lo: float, hi: float) -> np.ndarray:
    """Histogram bars (units per 1%) whose bin lies in [lo, hi] USD."""
    e = result.hist_edges
    inside = (e[:-1] >= lo - 1e-9) & (e[1:] <= hi + 1e-9)
    return result.hist_units[inside]


# --------------------------------------------------------------------------- the prompts


def test_prompt_1_thin_the_book(lab):
    d = notch(lab, "depth", 100_000.0)
    assert f"{d:,.0f}" == "100,237"  # what the slider shows
    before = lab.result
    lab.update(depth=d)
    res = lab.result
    # the bars just below the shocked price (95 USD) stick out beyond the depth line ...
    assert bars_between(res, 94.0, 95.0).max() > d
    assert bars_between(before, 94.0, 95.0).max() < before.params.depth
    # ... the gauge passes the critical mark ...
    assert lab.summary["rho_over_depth"] > 1.0 > before.rho_over_depth
    assert lab.view.gain_bar.get_width() > 1.0
    # ... the staircase drops through the cluster in a few big rounds, the first ones growing
    units = res.round_units
    assert res.cascade.rounds <= 8 < before.cascade.rounds
    assert units[0] < units[1] < units[2]
    assert np.all(np.diff(before.round_units[:3]) < 0)  # at 200,000 they shrink
    # ... and nearly every long is closed
    assert lab.summary["n_liquidated"] >= 0.99 * n_longs(lab)


def test_prompt_2_add_leverage(lab):
    base = lab.result
    lab.update(depth=200_000.0, leverage=20.0)
    res = lab.result
    # the histogram piles up just under 100 USD: the bars above 95 USD more than double
    assert bars_between(res, 95.0, 100.0).sum() > 2.0 * bars_between(base, 95.0, 100.0).sum()
    assert lab.summary["rho_over_depth"] == pytest.approx(1.0, abs=0.1)  # "about 1"
    # the same 5% shock closes nearly every long
    assert lab.summary["n_liquidated"] > 0.95 * n_longs(lab)
    assert lab.summary["n_liquidated"] > 1.5 * base.cascade.n_liquidated


def test_prompt_3_follow_the_margin_rule_of_chapter_02(lab):
    base = dict(lab.summary)
    lab.update(leverage=10.0, maintenance=1.5)
    assert lab.result.params.maintenance == pytest.approx(0.015)
    # 1.5% is chapter 02's least margin for a 1% penalty (and 0.5% slippage)
    assert 1 - (1 - 0.005) * (1 - 0.01) == pytest.approx(0.015, abs=0.001)
    # the penalties grow about tenfold, the bad debt falls by less than a fifth
    assert 7.0 < lab.summary["penalties"] / base["penalties"] < 13.0
    assert 0.8 < lab.summary["bad_debt"] / base["bad_debt"] < 1.0
    assert "penalties <b>" in lab._headline.value


def test_prompt_4_find_the_cliff_the_gauge_does_not_show(lab):
    d_hi = notch(lab, "depth", 100_237.0)
    d_lo = notch(lab, "depth", 100_237.0, offset=-1)
    assert (f"{d_hi:,.0f}", f"{d_lo:,.0f}") == ("100,237", "89,337")
    lab.update(maintenance=0.5, shock=1.0, depth=d_hi)
    before = dict(lab.summary)
    lab.update(depth=d_lo)
    after = dict(lab.summary)
    # the gauge hardly moves and stays below 0.7 ...
    assert before["rho_over_depth"] < after["rho_over_depth"] < 0.7
    assert after["rho_over_depth"] - before["rho_over_depth"] < 0.1
    # ... while the amplification jumps from under 2.5x to over 20x
    assert before["amplification"] < 2.5
    assert after["amplification"] > 20.0
    # ... and the cascade closes nearly every long instead of under a thousand
    assert before["n_liquidated"] < 1_000
    assert after["n_liquidated"] > 0.99 * n_longs(lab)
    # the book crossed the exact runaway depth computed in the chapter
    edge = runaway_depth(lab.result.positions, PRICE, 0.01, floor_price=90.0)
    assert d_lo < edge < d_hi


def test_prompt_5_change_the_impact_law(lab):
    amp = {}
    for shock in (1.0, 15.0):
        for impact in ("linear", "sqrt"):
            lab.update(depth=200_000.0, shock=shock, impact=impact)
            amp[shock, impact] = lab.summary["amplification"]
    assert amp[1.0, "sqrt"] > amp[1.0, "linear"]  # the small shock: more
    assert amp[15.0, "sqrt"] < amp[15.0, "linear"]  # the large shock: less


# ------------------------------------------------------------- the chapter's own sentences


def test_the_default_market_is_the_one_the_chapter_describes():
    p = FeedbackLoopParams()
    assert (p.n, p.leverage, p.maintenance, p.penalty, p.depth, p.shock, p.impact) == (
        20_000, 10.0, 0.005, 0.01, 200_000.0, 0.05, "linear")


def test_a_three_percent_move_changes_the_equity_by_l_times_three_percent():
    from cascadelab import Positions

    pair = Positions(side=[1, -1], size=[50.0, 50.0], entry=[100.0, 100.0],
                     leverage=[10.0, 10.0], maintenance=0.005)
    equity = pair.collateral + pair.side * pair.size * (97.0 - pair.entry)
    np.testing.assert_allclose(equity / pair.collateral - 1, [-0.30, 0.30])


def test_the_staircase_shrinks_down_to_a_tail_of_single_positions():
    res = feedback_loop_scenario()
    units = res.round_units
    shrinking = np.diff(units) < 0
    n_dec = int(np.argmin(shrinking)) + 1
    assert n_dec >= 10 and np.all(shrinking[: n_dec - 1])
    assert units[n_dec:].max() < 0.01 * units[0]  # the tail: under 1% of round 1 each
    assert res.hist_units.max() < res.params.depth  # even the tallest bar is thinner than D


def test_a_margin_below_the_penalty_pays_no_penalty_in_full():
    res = feedback_loop_scenario()
    c = res.cascade
    closed = c.liquidated
    due = 0.01 * c.liquidated_notional
    full = closed & np.isclose(c.position_penalty, 0.01 * res.positions.size * c.fill_price)
    jumped = closed & (res.positions.liquidation_price >= c.shocked_price)
    assert full.sum() == 0  # not one close paid its whole penalty
    assert c.penalties < 0.05 * due  # under 5% of what the venue charges
    assert c.penalties < 0.05 * c.bad_debt  # small next to the bad debt
    assert (c.position_bad_debt > 0).sum() > 0.5 * closed.sum()  # most closes left bad debt
    assert c.position_bad_debt[jumped].sum() > 0.5 * c.bad_debt  # most of it: the jump


def test_the_law_is_exact_for_the_band_crossed_and_the_forecast_a_little_too_dense():
    pos = population(FeedbackLoopParams())
    s, depth = 0.01, 200_000.0
    p1 = PRICE * (1 - s)
    small = cascade(pos, PRICE, s, Book(depth))
    rho_1 = liquidation_density(pos, p1)
    rho_crossed = liquidation_density(pos, PRICE, window=-small.move)
    rho_5 = liquidation_density(pos, p1, window=0.05)
    exact = static_cascade_move(s, rho_crossed, depth) / s
    assert f"{exact:.4f}" == f"{small.amplification:.4f}"  # to the fourth decimal
    eps = rho_1 / ((1 - s) * rho_crossed) - 1
    assert 0.05 < eps < 0.2  # "a little too dense"
    forecast = cascade_multiplier(rho_1, depth)
    err = forecast / small.amplification - 1
    assert 0.0 < err < 0.1  # "a few percent above the simulation"
    assert err == pytest.approx((small.amplification - 1) * eps, abs=0.015)  # (A - 1) eps
    assert cascade_multiplier(rho_5, depth) > forecast + 0.2  # the 5% average: far more
    assert p1 * 0.95 == pytest.approx(94.05)  # it reaches down to 94 USD
    assert feedback_loop_scenario(shock=s).rho_over_depth == pytest.approx(rho_1 / depth)


def test_the_forecast_table_of_the_chapter():
    pos = population(FeedbackLoopParams())
    ratios = (2.0, 3.0, 5.0, 10.0)
    for shock in (0.001, 0.003, 0.005, 0.01):
        rho_s = liquidation_density(pos, PRICE * (1 - shock))
        runs = [cascade(pos, PRICE, shock, Book(r * rho_s)) for r in ratios]
        off = np.array([cascade_multiplier(rho_s, r * rho_s) / run.amplification - 1
                        for r, run in zip(ratios, runs, strict=True)])
        if shock >= 0.003:
            assert np.all(np.abs(off) <= 0.10)  # within 10%
            continue
        assert 0.2 < np.abs(off).max() < 0.3  # "misses by up to a quarter"
        jumped = int(((pos.side > 0) & (pos.liquidation_price >= PRICE * (1 - shock))).sum())
        assert 20 <= jumped <= 60  # a few dozen positions crossed by the shock itself
        assert 80 <= runs[0].n_liquidated <= 130  # about a hundred in all
        sizes = pos.size[runs[0].liquidated]
        assert sizes.max() > 0.1 * sizes.sum()  # one carries more than a tenth of the units


def test_the_runaway_depth_and_the_cliff_of_the_sweep():
    pos = population(FeedbackLoopParams())
    rho_1 = depth_sweep([2e5], shock=0.01).critical_depth
    edge = runaway_depth(pos, PRICE, 0.01, floor_price=90.0)
    assert 1.4 < edge / rho_1 < 1.6  # "half as deep again"
    assert 0.6 < rho_1 / edge < 0.72  # where the gauge reads about two thirds
    assert liquidation_density(pos, 96.0) > edge  # a few percent deeper the local gain is > 1
    below = cascade(pos, PRICE, 0.01, Book(0.99 * edge))
    assert below.amplification > 20.0 and below.final_price < 80.0  # through the whole cluster
    assert cascade_multiplier(rho_1, 0.99 * edge) < 3.5
    deep = depth_sweep([1e6, 2e6], shock=0.01).amplification
    assert deep[0] - deep[1] < 0.05  # halving a deep book barely matters
    for factor, lo, hi in ((4.0, 1.2, 1.4), (2.0, 1.7, 2.0), (1.25, 20.0, 40.0)):
        a = depth_sweep([factor * rho_1], shock=0.01).amplification[0]
        assert lo < a < hi
