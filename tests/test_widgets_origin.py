"""Chapter 01 labs, headless: the contract, every control across its range with one recompute
per change, artists kept, and the numbers and plotted data moving the way the chapter says."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from labs import artists

from cascadelab.widgets import (
    cross_margin_lab,
    fat_tail_lab,
    fragmentation_lab,
    liquidator_lab,
    stale_oracle_lab,
)

matplotlib.use("Agg")

FACTORIES = {
    "fragmentation": fragmentation_lab,
    "fat_tail": fat_tail_lab,
    "stale_oracle": stale_oracle_lab,
    "cross_margin": cross_margin_lab,
    "liquidator": liquidator_lab,
}


@pytest.fixture(params=list(FACTORIES))
def lab(request):
    lab = FACTORIES[request.param]()
    yield lab
    lab.close()


def _plotted(lab):
    """All line data of the figure, concatenated (to see that a redraw moved something)."""
    parts = [np.asarray(line.get_ydata(), dtype=float).ravel()
             for ax in lab.figure.axes for line in ax.get_lines()]
    parts += [np.array([p.get_height() for p in ax.patches], dtype=float)
              for ax in lab.figure.axes]
    return np.concatenate([p for p in parts if p.size])


def _values(widget):
    options = getattr(widget, "options", None)
    if options:
        return [o[1] if isinstance(o, tuple) else o for o in options]
    if hasattr(widget, "base"):
        return list(np.geomspace(widget.base ** widget.min, widget.base ** widget.max, 4))
    return list(np.linspace(widget.min, widget.max, 4))


def test_summary_numbers_are_finite(lab):
    # the common contract is in test_lab_contract.py; here no number may be infinite either,
    # except a waiting time in years, which is infinite for a buffer never breached
    assert all(np.isfinite(v) for k, v in lab.summary.items() if "years" not in k)


#: A state in which every control of the lab matters (deviation acts only between heartbeats).
SETUP = {"StaleOracleLab": {"heartbeat": 60.0}}


def test_every_control_across_its_range(lab):
    lab.update(**SETUP.get(type(lab).__name__, {}))
    kept = artists(lab)
    for name, widget in lab.controls.items():
        home = widget.value
        before = lab.n_recomputes
        seen = []
        for value in _values(widget):
            if value == widget.value:
                continue
            widget.value = value
            seen.append(_plotted(lab))
        assert lab.n_recomputes - before == len(seen), name
        assert any(a.shape != seen[0].shape or not np.allclose(a, seen[0], equal_nan=True)
                   for a in seen[1:]), f"moving {name} changed nothing on the figure"
        widget.value = home
    assert artists(lab) == kept  # redrawn in place


def test_update_is_one_recompute(lab):
    n = lab.n_recomputes
    name, widget = next(iter(lab.controls.items()))
    lab.update(**{name: _values(widget)[1]})
    assert lab.n_recomputes == n + 1
    with pytest.raises(TypeError, match="no control"):
        lab.update(nonsense=1.0)


def test_fragmentation_thinner_venue_larger_amplification():
    lab = fragmentation_lab(venue_share=100.0)
    s100 = dict(lab.summary)
    assert s100["amplification_venue"] == pytest.approx(s100["amplification_aggregate"])
    lab.update(venue_share=30.0)
    assert lab.summary["amplification_venue"] > 2 * s100["amplification_venue"]
    assert lab.mark.get_xdata()[0] == 30.0
    assert lab.venue_path.get_ydata().min() < lab.agg_path.get_ydata().min()


def test_fat_tail_lower_index_more_breaches():
    lab = fat_tail_lab(nu=10.0)
    thin = lab.summary["breaches_t"]
    lab.update(nu=3.0)
    assert lab.summary["breaches_t"] > 3 * thin
    assert lab.mark.get_xdata()[0] == 3.0
    lab.update(z=6.0)
    assert lab.summary["breaches_t"] < thin * 3
    assert lab.zline.get_xdata()[0] == 6.0
    # the closed form is drawn on top of the (hollow) simulated points, so it stays visible
    assert lab.t.get_zorder() > lab.sim.get_zorder() and lab.sim.get_markerfacecolor() == "none"
    lab.update(horizon=8760.0)
    assert lab.summary["breaches_t"] == pytest.approx(24 * lab.result.p_t * 365.0)


def test_stale_oracle_latency_more_bad_debt():
    lab = stale_oracle_lab(latency=0.0)
    fresh = lab.summary["bad_debt_stale"]
    assert np.allclose(lab.oracle.get_ydata(), lab.result.stale.oracle_price)
    lab.update(latency=60.0)
    assert lab.summary["bad_debt_stale"] > 100 * max(fresh, 1.0)
    assert lab.mark.get_xdata()[0] == 60
    # the plotted oracle sits above the traded price while it lags
    assert np.mean(lab.oracle.get_ydata() > lab.price.get_ydata()) > 0.5


def test_cross_margin_correlation_spreads_the_crash():
    lab = cross_margin_lab(corr=0.0)
    low = dict(lab.summary)
    assert low["other_legs_cross"] > low["other_legs_isolated"]
    assert lab.dragged_bars[1].get_height() > 0.8 * (lab.cross_bars[1].get_height()
                                                     + lab.dragged_bars[1].get_height())
    lab.update(corr=0.8)
    assert lab.summary["other_legs_cross"] > low["other_legs_cross"]
    assert lab.summary["other_legs_isolated"] > lab.summary["other_legs_cross"]
    iso_bc = lab.iso_bars[1].get_height() + lab.iso_bars[2].get_height()
    assert iso_bc == lab.summary["other_legs_isolated"]


def test_liquidator_gradual_lower_slippage_bad_debt_depends_on_refill():
    lab = liquidator_lab(close_factor=100.0)
    s = dict(lab.summary)
    assert s["slippage_gradual_pct"] == s["slippage_full_pct"]
    lab.update(close_factor=20.0)
    assert lab.summary["slippage_gradual_pct"] < 0.5 * s["slippage_full_pct"]
    assert lab.summary["bad_debt_gradual"] > lab.summary["bad_debt_full"]  # slow refill
    lab.update(resilience=100.0)
    assert lab.summary["bad_debt_gradual"] < lab.summary["bad_debt_full"]  # fast refill
    x, y = lab.here.get_data()
    assert x[0] == pytest.approx(lab.summary["slippage_gradual_pct"])
    assert y[0] == pytest.approx(lab.summary["bad_debt_gradual"] / 1e6)
    # one colour per engine in every panel (issue 14: "gradual" was blue, then vermillion)
    assert lab.p_grad.get_color() == lab.v_grad.get_color() == lab.here.get_color()
    assert lab.p_full.get_color() == lab.v_full.get_color() == lab.full_mark.get_color()
    lab.update(cap=0.1, close_factor=100.0)
    assert lab.summary["slippage_gradual_pct"] < lab.summary["slippage_full_pct"]


def test_replay_view_draws_the_split_of_each_calibrated_fall():
    from cascadelab.chapters.origin import replay_events
    from cascadelab.plotting import new_figure
    from cascadelab.widgets.origin import ReplayView

    replays = replay_events()
    fig = new_figure(ReplayView.figsize)
    view = ReplayView(fig)
    view.update(replays)
    bars = [p for p in view.ax.patches]
    assert len(bars) == 2 * len(replays)
    for i, r in enumerate(replays):
        shock_alone, forced = bars[2 * i], bars[2 * i + 1]
        assert shock_alone.get_width() + forced.get_width() == pytest.approx(100 * r.model_fall)
        assert forced.get_width() == pytest.approx(100 * r.model_fall * r.cascade_share)
    labels = [t.get_text() for t in view.ax.get_yticklabels()]
    assert all(r.event.key in lab for r, lab in zip(replays, labels, strict=True))
    view.update(replays)  # redrawing replaces, does not stack
    assert len(view.ax.patches) == 2 * len(replays)
