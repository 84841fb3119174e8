"""Straightforward NumPy references that the numba kernels are measured against.

They re-scan every position at every round (or step): simple, obviously correct, slow.
"""

from __future__ import annotations

import numpy as np

from cascadelab import Book, Positions, impact_price, liquidation_price


def cascade_numpy(
    pos: Positions, price: float, shock: float, book: Book, penalty: float = 0.01
) -> dict[str, float | np.ndarray]:
    """The static cascade of :func:`cascadelab.cascade`, with a full scan per round."""
    p1 = price * (1.0 - shock)
    direction = 1 if shock >= 0 else -1
    liq = liquidation_price(pos)
    candidates = pos.side == direction
    closed = np.zeros(len(pos), dtype=bool)
    fill = np.zeros(len(pos))
    q, p = 0.0, p1
    while True:
        new = candidates & ~closed & (direction * (liq - p) >= 0.0)
        if not new.any():
            break
        q += pos.size[new].sum()
        p_before, p = p, impact_price(p1, direction * q, book)
        fill[new] = 0.5 * (p_before + p)
        closed |= new
    c = pos.collateral[closed]
    pnl = direction * pos.size[closed] * (fill[closed] - pos.entry[closed])
    equity = c + pnl
    pen = np.minimum(penalty * pos.size[closed] * fill[closed], np.maximum(equity, 0.0))
    return {
        "final_price": p,
        "liquidated": closed,
        "bad_debt": float(np.maximum(-equity, 0.0).sum()),
        "penalties": float(pen.sum()),
    }
