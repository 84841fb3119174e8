"""cascadelab: an open course on liquidation cascades, and the small package behind it.

Start with::

    from cascadelab import Book, cascade, sample_positions
    pos = sample_positions(10_000, price=100.0, seed=0)
    print(cascade(pos, price=100.0, shock=0.05, book=Book(depth=50_000.0)).describe())

Modules, one idea each: ``positions`` (who holds what, and where they break), ``market`` (the
book and price impact), ``cascade`` (the static cascade), ``kernels`` (the numba loops).
"""

from cascadelab.cascade import CascadeResult, cascade, cascade_multiplier, liquidation_density
from cascadelab.market import IMPACT_MODELS, Book, impact_price
from cascadelab.positions import Positions, bankruptcy_price, liquidation_price, sample_positions

__version__ = "0.1.0"

__all__ = [
    "IMPACT_MODELS",
    "Book",
    "CascadeResult",
    "Positions",
    "bankruptcy_price",
    "cascade",
    "cascade_multiplier",
    "impact_price",
    "liquidation_density",
    "liquidation_price",
    "sample_positions",
]
