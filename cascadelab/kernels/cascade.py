"""The static cascade: one sorted sweep over the positions at risk."""

from __future__ import annotations

import numpy as np
from numba import njit

from cascadelab.kernels.impact import impact, settle


@njit(cache=True)
def sweep(
    order: np.ndarray,
    liq: np.ndarray,
    size: np.ndarray,
    p1: float,
    direction: int,
    depth: float,
    model: int,
    floor: float,
    round_prices: np.ndarray,
    round_units: np.ndarray,
    fill: np.ndarray,
) -> tuple[int, int]:
    """Run the cascade rounds; return ``(rounds, k)``.

    ``order`` lists the candidate positions most exposed first (``direction = +1``: longs by
    liquidation price high to low; ``-1``: shorts low to high). A position is crossed at price
    ``p`` when ``direction * (liq - p) >= 0``. Each round closes every newly crossed position;
    the price after ``Q`` cumulative units is ``impact(p1, direction * Q)``; the round's batch
    fills at the mean of the prices before and after it. The first ``k`` entries of ``order``
    end up liquidated; ``round_prices[: rounds + 1]`` holds ``p1`` and the price after each
    round; ``round_units[: rounds]`` the units closed in each round; ``fill`` receives the
    fill price of each liquidated position.
    """
    n = order.shape[0]
    k = 0
    q = 0.0
    p = p1
    rounds = 0
    round_prices[0] = p1
    while k < n:
        start = k
        q_start = q
        while k < n and direction * (liq[order[k]] - p) >= 0.0:
            q += size[order[k]]
            k += 1
        if k == start:
            break
        p_before = p
        round_units[rounds] = q - q_start
        p = impact(p1, direction * q, depth, model, floor)
        batch_fill = 0.5 * (p_before + p)
        for j in range(start, k):
            fill[order[j]] = batch_fill
        rounds += 1
        round_prices[rounds] = p
    return rounds, k


@njit(cache=True)
def settle_all(
    index: np.ndarray,
    side: np.ndarray,
    size: np.ndarray,
    entry: np.ndarray,
    collateral: np.ndarray,
    fill: np.ndarray,
    penalty_rate: float,
    returned: np.ndarray,
    penalty: np.ndarray,
    paid_to_market: np.ndarray,
    bad_debt: np.ndarray,
) -> None:
    """Settle each closed position ``index[j]`` at its fill price (see ``impact.settle``)."""
    for j in range(index.shape[0]):
        i = index[j]
        pnl = side[i] * size[i] * (fill[i] - entry[i])
        r, pen, paid, bad = settle(collateral[i], pnl, penalty_rate * size[i] * fill[i])
        returned[i] = r
        penalty[i] = pen
        paid_to_market[i] = paid
        bad_debt[i] = bad
