"""The static cascade: one sorted sweep over the positions at risk."""

from __future__ import annotations

import numpy as np
from numba import njit

from cascadelab.market import banded, impact
from cascadelab.positions import settle


@njit(cache=True)
def sweep(
    liq: np.ndarray,
    size: np.ndarray,
    bankrupt: np.ndarray,
    direction: int,
    p1: float,
    depth: float,
    model: int,
    floor: float,
    penalty_rate: float,
    round_prices: np.ndarray,
    round_units: np.ndarray,
    round_end: np.ndarray,
) -> tuple[int, int, float, float, float, float]:
    """Run the cascade rounds over positions sorted most exposed first, settling as it goes.

    The arrays ``liq, size, bankrupt`` hold one side of the market (longs if ``direction = +1``,
    shorts if ``-1``) sorted by liquidation price, most exposed first. A position is crossed at
    price ``p`` when ``direction * (liq - p) >= 0``. Each round closes every newly crossed
    position; with ``Q`` cumulative units closed the price is ``impact(p1, direction * Q)``
    within the price band ``[floor, PRICE_CAP] * p1`` (:func:`cascadelab.market.banded`), and
    the round's batch fills at the mean of the prices before and after it.

    A closed position's equity at fill price ``f`` is
    ``e = c + direction * size * (f - entry) = direction * size * (f - bankrupt)``;
    it pays the penalty ``min(penalty_rate * size * f, e)`` if ``e >= 0`` and leaves bad
    debt ``-e`` otherwise (the rule of ``impact.settle``).

    Fills ``round_prices[: rounds + 1]`` (``p1``, then the price after each round),
    ``round_units[: rounds]`` and ``round_end[: rounds]`` (one past the last position of each
    round). Returns ``(rounds, k, notional, penalties, bad_debt, returned)``: the first ``k``
    positions are liquidated; money totals in USD.
    """
    n = liq.shape[0]
    k = 0
    q = 0.0
    p = p1
    rounds = 0
    notional = 0.0
    penalties = 0.0
    bad_debt = 0.0
    returned = 0.0
    round_prices[0] = p1
    while k < n:
        start = k
        q_start = q
        while k < n and direction * (liq[k] - p) >= 0.0:
            q += size[k]
            k += 1
        if k == start:
            break
        p_before = p
        p = banded(impact(p1, direction * q, depth, model, floor), p1, floor)
        fill = 0.5 * (p_before + p)
        notional += fill * (q - q_start)
        for j in range(start, k):
            equity = direction * size[j] * (fill - bankrupt[j])
            if equity >= 0.0:
                pen = min(penalty_rate * size[j] * fill, equity)
                penalties += pen
                returned += equity - pen
            else:
                bad_debt -= equity
        round_units[rounds] = q - q_start
        round_end[rounds] = k
        rounds += 1
        round_prices[rounds] = p
    return rounds, k, notional, penalties, bad_debt, returned


@njit(cache=True)
def settle_prefix(
    size: np.ndarray,
    entry: np.ndarray,
    collateral: np.ndarray,
    direction: int,
    fill: np.ndarray,
    penalty_rate: float,
    returned: np.ndarray,
    penalty: np.ndarray,
    paid_to_market: np.ndarray,
    bad_debt: np.ndarray,
) -> None:
    """Per-position settlement of the first ``fill.shape[0]`` sorted positions at ``fill``."""
    for j in range(fill.shape[0]):
        pnl = direction * size[j] * (fill[j] - entry[j])
        r, pen, pay, bad = settle(collateral[j], pnl, penalty_rate * size[j] * fill[j])
        returned[j] = r
        penalty[j] = pen
        paid_to_market[j] = pay
        bad_debt[j] = bad
