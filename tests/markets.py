"""Hand-built markets with known answers, shared by the tests."""

from __future__ import annotations

import numpy as np

from cascadelab import Positions


def uniform_cluster(
    rho: float, price: float = 100.0, width: float = 0.3, per_position: float = 10.0, side: int = 1
) -> Positions:
    """Longs (or shorts) whose liquidation prices are spread evenly below (above) ``price``.

    ``rho`` units of liquidations sit in every 1% of ``price``, over a band ``width`` (a fraction
    of the price) wide. Leverage 10x, no maintenance margin, so liq = entry * (1 - side/10).
    """
    n = round(rho * 100.0 * width / per_position)
    # evenly spaced liquidation prices, starting just beyond the price
    frac = (np.arange(n) + 0.5) / n * width
    liq = price * (1.0 - side * frac)
    entry = liq / (1.0 - side / 10.0)
    return Positions(
        side=np.full(n, side, dtype=np.int8),
        size=np.full(n, per_position),
        entry=entry,
        leverage=np.full(n, 10.0),
        maintenance=0.0,
    )
