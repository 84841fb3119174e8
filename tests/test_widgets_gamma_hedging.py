"""The gamma-hedging lab, headless: contract, every control, directions of the theory."""

from __future__ import annotations

import ipywidgets as W
import numpy as np
import pytest
from labs import artists

from cascadelab.chapters.theory import gamma_hedging_scenario
from cascadelab.widgets import Lab, gamma_hedging_lab


@pytest.fixture
def lab():
    lab = gamma_hedging_lab()
    yield lab
    lab.close()


def test_contract(lab):
    assert isinstance(lab, Lab) and isinstance(lab, W.Box)
    assert set(lab.controls) == {"short_calls", "short_puts", "strike", "expiry", "implied_vol",
                                 "protective_puts", "put_strike", "shock", "depth"}
    for name, w in lab.controls.items():
        assert w.tooltip, name
        assert "(" in w.description and ")" in w.description, name
        assert w.continuous_update is True, name  # issue 13: numbers follow a drag
    assert lab.summary == gamma_hedging_scenario().summary
    assert "units/USD" in lab._headline.value


def test_every_control_recomputes_once_and_redraws_in_place(lab):
    before = artists(lab)
    figure = lab.figure
    start_summary = dict(lab.summary)
    for name, w in lab.controls.items():
        start = w.value
        ends = (w.base ** w.max, w.base ** w.min) if hasattr(w, "base") else (w.max, w.min)
        for value in (*ends, start):
            if value == w.value:
                continue
            n = lab.n_recomputes
            w.value = value
            assert lab.n_recomputes == n + 1, name
            assert np.isfinite(lab.summary["vol_with"]), (name, lab.summary)
            assert np.all(np.isfinite(lab.path_with.get_ydata())), name
        assert w.value == pytest.approx(start)
    assert lab.summary == pytest.approx(start_summary)
    assert lab.figure is figure and artists(lab) == before


def test_protective_puts_shrink_hedge_sales_on_screen(lab):
    sales0 = lab.summary["hedge_sales_per_pct"]
    plotted0 = lab.sales_line.get_ydata().copy()
    lab.update(protective_puts=1.0)
    assert lab.summary["hedge_sales_per_pct"] < sales0
    assert lab.summary["vol_with"] < gamma_hedging_scenario().summary["vol_with"]
    i = int(np.argmin(np.abs(lab.sales_line.get_xdata() - 100.0)))
    assert lab.sales_line.get_ydata()[i] < plotted0[i]
    # the short-options-alone curve does not move
    np.testing.assert_allclose(lab.sales_short.get_ydata(), plotted0)


def test_more_short_gamma_more_volatile_path(lab):
    vols = []
    for calls in (0.0, 1.0, 2.0, 3.0):
        lab.update(short_calls=calls)
        vols.append(lab.summary["vol_with"])
    assert np.all(np.diff(vols) > 0)
    # with no options the two plotted paths coincide
    lab.update(short_calls=0.0)
    np.testing.assert_array_equal(lab.path_with.get_ydata(), lab.path_without.get_ydata())


def test_thinner_book_larger_loop_gain(lab):
    lab.update(depth=100_000.0)
    thin = lab.summary["gain"]
    lab.update(depth=400_000.0)
    assert lab.summary["gain"] < thin
    assert thin == pytest.approx(-lab.summary["gamma"] * 100.0 / (100.0 * 100_000.0))


def test_takeaway_quotes_the_engines_law_and_never_prints_inf(lab):
    s = lab.summary
    text = lab.takeaway_text(lab.result)
    assert f"{s['vol_multiplier_path']:.2f}x" in text and "inf" not in text
    lab.update(short_calls=4.0, short_puts=4.0, depth=5e4)  # far past the stability bound
    assert lab.summary["gain"] > lab.summary["stability_bound"]
    text = lab.takeaway_text(lab.result)
    assert "unstable" in text and "inf" not in text


def test_put_strike_is_greyed_until_there_are_puts(lab):
    """Issue 13 (8): the put strike does nothing at 0 puts, so it is disabled and says why."""
    puts, strike = lab.controls["protective_puts"], lab.controls["put_strike"]
    readout = lab._readouts["put_strike"]
    assert puts.value == 0.0
    assert strike.disabled and readout.text.disabled
    assert "Protective puts is 0" in strike.tooltip
    assert "Protective puts is 0" in readout.note.value and readout.note.layout.display != "none"
    # ... and indeed it does nothing there: moving it changes no number
    before = dict(lab.summary)
    lab.update(put_strike=90.0)
    assert lab.summary == before
    assert strike.disabled and "Protective puts is 0" in readout.note.value
    lab.update(protective_puts=1.0)
    assert not strike.disabled and not readout.text.disabled
    assert "Protective puts is 0" not in strike.tooltip
    assert readout.note.layout.display == "none"
    with_puts = dict(lab.summary)
    lab.update(put_strike=105.0)
    assert lab.summary["hedge_sales_per_pct"] != with_puts["hedge_sales_per_pct"]
    lab.update(protective_puts=0.0)
    assert strike.disabled and "Protective puts is 0" in strike.tooltip
