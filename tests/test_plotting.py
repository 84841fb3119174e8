"""The course's figure style: palette, labels, takeaway line."""

from __future__ import annotations

import colorsys

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest

from cascadelab import plotting as cp


def _hls(colour):
    return colorsys.rgb_to_hls(*(int(colour[i:i + 2], 16) / 255.0 for i in (1, 3, 5)))


CORE = ["PRICE", "LIQUIDATIONS", "INSURANCE_FUND", "BAD_DEBT", "DEALER_FLOW", "PREDATOR",
        "HALT", "BASELINE"]


def test_palette_is_okabe_ito_and_core_concepts_are_distinct():
    assert set(cp.OKABE_ITO.values()) == {"#000000", "#E69F00", "#56B4E9", "#009E73",
                                          "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    colours = [getattr(cp, name) for name in CORE]
    assert len(set(colours)) == len(colours)
    # Issue 13 (6): each concept keeps its Okabe-Ito hue; only the lightness may be lower.
    for name in CORE[:-1]:
        colour = getattr(cp, name)
        keys = [k for k in cp.OKABE_ITO
                if colour in (cp.OKABE_ITO[k], cp.OKABE_ITO_ON_WHITE[k])]
        assert len(keys) == 1, name
        key = keys[0]
        h0, l0, s0 = _hls(cp.OKABE_ITO[key])
        h1, l1, s1 = _hls(colour)
        assert abs(h1 - h0) < 0.01 and abs(s1 - s0) < 0.02 and l1 <= l0 + 1e-9, name
    assert cp.CONCEPT_COLORS["price"] == cp.PRICE
    assert cp.CONCEPT_COLORS["liquidations"] == cp.LIQUIDATIONS


def test_style_context_restores_and_apply_style_sets():
    old = mpl.rcParams["axes.spines.top"]
    with cp.style_context():
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"][0] == cp.PRICE
    assert mpl.rcParams["axes.spines.top"] == old
    with mpl.rc_context():
        cp.apply_style()
        assert mpl.rcParams["legend.frameon"] is False


def test_new_figure_is_headless_and_untracked_under_agg():
    n = len(plt.get_fignums())
    fig = cp.new_figure(figsize=(4, 3))
    assert len(plt.get_fignums()) == n
    assert not cp.ipympl_active()
    assert tuple(fig.get_size_inches()) == (4, 3)


def test_label_and_sentence_case():
    fig = cp.new_figure()
    ax = fig.add_subplot()
    cp.label(ax, x="book depth", xunit="units per 1%", y="amplification", yunit="x",
             title="amplification against depth.")
    assert ax.get_xlabel() == "Book depth (units per 1%)"
    assert ax.get_ylabel() == "Amplification (x)"
    assert ax.get_title() == "Amplification against depth"
    assert cp.sentence_case("rho/D near 1") == "Rho/D near 1"
    assert cp.sentence_case("USD per unit") == "USD per unit"


@pytest.mark.parametrize("constrained", [True, False])
def test_takeaway_sits_under_the_axes_and_is_replaced_not_added(constrained):
    fig = cp.new_figure(figsize=(6, 4))
    if not constrained:
        fig.set_layout_engine("none")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    cp.label(ax, x="round", y="price", yunit="USD")
    text = cp.takeaway(ax, "the price falls")
    assert text.get_text() == "The price falls."
    assert cp.takeaway(fig, "Now it rises!") is text
    assert text.get_text() == "Now it rises!"
    assert len(fig.texts) == 1
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    label_box = ax.xaxis.label.get_window_extent(renderer)
    text_box = text.get_window_extent(renderer)
    assert text_box.y1 <= label_box.y0 + 1.0  # under the x label, not on top of it
    assert text_box.y0 >= 0.0  # inside the figure


def test_takeaway_rejects_other_objects():
    with pytest.raises(TypeError):
        cp.takeaway("not a figure", "text")


def test_every_palette_colour_has_wcag_contrast_on_white():
    """Issue 13 (6): lines and markers 3:1 against white (WCAG 1.4.11), text colours 4.5:1."""
    assert cp.contrast_ratio("#FFFFFF") == pytest.approx(1.0)
    assert cp.contrast_ratio("#000000") == pytest.approx(21.0)
    assert cp.contrast_ratio("#E69F00") < 3.0  # the published orange: why it is darkened
    checked = []
    for concept, colour in cp.CONCEPT_COLORS.items():
        if concept in cp.FILL_ONLY:
            continue
        floor = 4.5 if concept in cp.TEXT_COLOURS else 3.0
        assert cp.contrast_ratio(colour) >= floor, (concept, colour, cp.contrast_ratio(colour))
        checked.append(concept)
    assert set(cp.CONCEPT_COLORS) - set(checked) == set(cp.FILL_ONLY)
    with cp.style_context():
        for colour in mpl.rcParams["axes.prop_cycle"].by_key()["color"]:
            assert cp.contrast_ratio(colour) >= 3.0, colour
    with pytest.raises(ValueError, match="RRGGBB"):
        cp.contrast_ratio("orange")
