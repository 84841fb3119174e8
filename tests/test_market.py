"""The book: impact models, floors, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cascadelab import IMPACT_MODELS, Book, impact_price


def test_depth_units_move_the_price_one_percent() -> None:
    assert impact_price(100.0, 500.0, Book(500.0, "linear")) == pytest.approx(99.0)
    assert impact_price(100.0, 500.0, Book(500.0, "sqrt")) == pytest.approx(99.0)
    assert impact_price(100.0, 500.0, Book(500.0, "exponential")) == pytest.approx(
        100.0 * math.exp(-0.01)
    )


def test_linear_closed_form_and_buys() -> None:
    book = Book(1_000.0)
    assert impact_price(80.0, 2_500.0, book) == pytest.approx(80.0 * (1 - 0.025))
    assert impact_price(80.0, -2_500.0, book) == pytest.approx(80.0 * (1 + 0.025))


def test_sqrt_law_is_concave() -> None:
    book = Book(1_000.0, "sqrt")
    move = [100.0 - impact_price(100.0, q, book) for q in (1_000.0, 4_000.0, 16_000.0)]
    assert move == pytest.approx([1.0, 2.0, 4.0])


@pytest.mark.parametrize("model", list(IMPACT_MODELS))
def test_price_never_reaches_zero(model: str) -> None:
    book = Book(1.0, model, floor=1e-3)
    p = impact_price(100.0, 1e12, book)
    assert p >= 100.0 * 1e-3 > 0.0


def test_array_input_gives_one_price_per_order() -> None:
    book = Book(100.0)
    out = impact_price(10.0, np.array([0.0, 100.0, -100.0]), book)
    assert out == pytest.approx([10.0, 9.9, 10.1])


@given(
    model=st.sampled_from(list(IMPACT_MODELS)),
    depth=st.floats(1.0, 1e7),
    a=st.floats(-1e6, 1e6),
    b=st.floats(-1e6, 1e6),
)
def test_more_selling_never_raises_the_price(model: str, depth: float, a: float, b: float) -> None:
    book = Book(depth, model)
    lo, hi = sorted((a, b))
    assert impact_price(100.0, hi, book) <= impact_price(100.0, lo, book)
    assert impact_price(100.0, hi, book) > 0.0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(depth=0.0), "depth"),
        (dict(depth=-5.0), "depth"),
        (dict(depth=np.inf), "depth"),
        (dict(depth=1.0, impact="cubic"), "impact"),
        (dict(depth=1.0, floor=0.0), "floor"),
        (dict(depth=1.0, floor=1.0), "floor"),
    ],
)
def test_bad_books_raise(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Book(**kwargs)


def test_bad_impact_arguments_raise() -> None:
    with pytest.raises(ValueError, match="price"):
        impact_price(0.0, 1.0, Book(1.0))
    with pytest.raises(ValueError, match="units"):
        impact_price(1.0, np.nan, Book(1.0))
    with pytest.raises(ValueError, match="book"):
        impact_price(1.0, 1.0, 1_000.0)  # type: ignore[arg-type]
