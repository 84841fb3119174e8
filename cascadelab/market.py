r"""The order book that forced sales hit: depth and three price-impact models.

``depth`` :math:`D` is the number of units of the asset a market order must trade to move the
price by 1%. A market order of :math:`u` units (:math:`u > 0` sells, :math:`u < 0` buys) moves
the price from :math:`p` to :math:`p' = p\,r(u)` with, for :math:`x = u / (100 D)`:

* ``"linear"``: :math:`r = 1 - x`; every unit costs the same slippage (a flat book);
* ``"exponential"``: :math:`r = e^{-x}`; the same *relative* slippage per unit, so the price can
  never reach zero;
* ``"sqrt"``: :math:`r = 1 - \operatorname{sign}(u)\sqrt{|u|/D}\,/\,100`; the empirical
  square-root law of metaorders, under which impact grows like the square root of size: small
  orders move the price more than a linear book says, very large ones less. The linear and
  square-root models move the price exactly 1% for :math:`D` units, the exponential one
  :math:`1 - e^{-0.01} \approx 0.995\%`.

Every model is floored: :math:`r \ge` ``floor`` (a fraction of the pre-trade price, default
0.001), so a price is never zero or negative.

**The price band of the cascades.** Venues bound how far a trade may print from a reference
price (exchanges' price bands around the index or mark price; the US limit-up-limit-down bands
around a recent average price, docs/references.md ``sec-luld-2011``). The static cascade
(:func:`cascadelab.cascade`), the market engine (:func:`cascadelab.simulate`) and the
multi-asset kernel (:func:`cascadelab.portfolio.simulate_portfolio`, per asset, with its book's
floor) do the same: every traded price stays within

.. math:: \text{floor}\cdot p_{\text{ref}} \;\le\; p \;\le\; \text{PRICE\_CAP}\cdot p_{\text{ref}},
          \qquad \text{PRICE\_CAP} = 2,

with :math:`p_{\text{ref}}` the shocked price :math:`p_1` in the static cascade and the
fundamental :math:`F_t` (:math:`F_{t,k}` of each asset) in the engines (:func:`banded`). The
lower edge is the book's own floor (sells never went below it); the upper edge bounds buys,
under which the linear and exponential books have no limit: without it, forced buys of shorts
through a thin book ran to thousands of times the fundamental (and to ``inf``). The engine also
never thins its book below ``DEPTH_FLOOR`` :math:`= 1\%` of its depth :math:`D` (see
:mod:`cascadelab.engine.simulate`; the multi-asset books never thin).
Neither edge binds in the course's scenarios (in the chapters' runs the traded price stays
between 0.6 and 1.4 times the fundamental, and no chapter thins the book): the band changes no
figure of the course and only keeps extreme scenarios finite and meaningful. :func:`impact_price`
itself is not banded: it is the book alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from cascadelab._validate import check_choice, check_instance, check_real

__all__ = ["DEPTH_FLOOR", "IMPACT_MODELS", "PRICE_CAP", "Book", "banded", "impact_price"]

# Impact-model codes used inside kernels (the public API uses the names).
LINEAR = 0
EXPONENTIAL = 1
SQRT = 2
_EXP_MAX = 709.782712893384  # largest x with a finite exp(x) (math.exp raises above it)


@njit(cache=True)
def impact(price: float, units: float, depth: float, model: int, floor: float) -> float:
    """Price after a market order of ``units`` (> 0 sells, < 0 buys); see ``cascadelab.market``."""
    if units == 0.0:
        return price
    x = units / (100.0 * depth)
    if model == LINEAR:
        r = 1.0 - x
    elif model == EXPONENTIAL:
        # past _EXP_MAX numba's exp gives math.inf and Python's raises: both give math.inf here
        r = math.exp(-x) if -x <= _EXP_MAX else math.inf
    else:  # SQRT
        r = 1.0 - math.copysign(math.sqrt(abs(units) / depth), units) / 100.0
    if r < floor:
        r = floor
    return price * r


PRICE_CAP = 2.0
"""Upper edge of the cascades' price band, a multiple of the reference price (module docstring)."""

DEPTH_FLOOR = 0.01
"""Share of the depth :math:`D` below which the engine's book never thins (``depth_stress``)."""


@njit(cache=True)
def banded(price: float, reference: float, floor: float) -> float:
    """``price`` clipped to the band ``[floor * reference, PRICE_CAP * reference]``."""
    return min(max(price, floor * reference), PRICE_CAP * reference)


IMPACT_MODELS: dict[str, int] = {"linear": LINEAR, "exponential": EXPONENTIAL, "sqrt": SQRT}


@dataclass(frozen=True)
class Book:
    """Resting liquidity that liquidation orders trade against.

    Parameters
    ----------
    depth : float
        Units of the asset it takes to move the price by 1%, > 0.
    impact : {"linear", "exponential", "sqrt"}
        The impact model (see the module docstring for the equations).
    floor : float
        Lowest price a single order can reach, as a fraction of the pre-trade price, in (0, 1).

    Examples
    --------
    >>> book = Book(depth=1_000.0)
    >>> impact_price(100.0, 1_000.0, book)   # 1,000 units sold move the price 1%
    99.0
    """

    depth: float
    impact: str = "linear"
    floor: float = 1e-3

    def __post_init__(self) -> None:
        object.__setattr__(self, "depth", check_real("depth", self.depth, lo=0.0, lo_open=True))
        check_choice("impact", self.impact, tuple(IMPACT_MODELS))
        floor = check_real("floor", self.floor, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
        object.__setattr__(self, "floor", floor)

    @property
    def model(self) -> int:
        """Integer code of the impact model, as the kernels use it."""
        return IMPACT_MODELS[self.impact]

    def scaled(self, factor: float) -> Book:
        """The same book with its depth multiplied by ``factor`` (> 0)."""
        factor = check_real("factor", factor, lo=0.0, lo_open=True)
        return Book(self.depth * factor, self.impact, self.floor)


def impact_price(price: float, units: float | np.ndarray, book: Book) -> float | np.ndarray:
    """Price (USD) after a market order of ``units`` (> 0 sells, < 0 buys) hits ``book``.

    ``units`` may be a number or an array (one price per entry). See the module docstring for
    the equations of each impact model.
    """
    price = check_real("price", price, lo=0.0, lo_open=True)
    check_instance("book", book, Book)
    u = np.asarray(units, dtype=np.float64)
    if not np.all(np.isfinite(u)):
        raise ValueError(f"units must be finite, got {units!r}")
    if u.ndim == 0:
        return float(impact(price, float(u), book.depth, book.model, book.floor))
    out = np.empty(u.shape)
    flat = u.ravel()
    for j in range(flat.size):
        out.flat[j] = impact(price, float(flat[j]), book.depth, book.model, book.floor)
    return out
