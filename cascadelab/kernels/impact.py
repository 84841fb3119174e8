"""Price-impact and settlement kernels shared by the static cascade and the engine."""

from __future__ import annotations

import math

from numba import njit

# Impact-model codes used inside kernels (the public API uses the names).
LINEAR = 0
EXPONENTIAL = 1
SQRT = 2


@njit(cache=True)
def impact(price: float, units: float, depth: float, model: int, floor: float) -> float:
    """Price after a market order of ``units`` (> 0 sells, < 0 buys); see ``cascadelab.market``."""
    if units == 0.0:
        return price
    x = units / (100.0 * depth)
    if model == LINEAR:
        r = 1.0 - x
    elif model == EXPONENTIAL:
        r = math.exp(-x)
    else:  # SQRT
        r = 1.0 - math.copysign(math.sqrt(abs(units) / depth), units) / 100.0
    if r < floor:
        r = floor
    return price * r


@njit(cache=True)
def settle(collateral: float, pnl: float, penalty_due: float) -> tuple[float, float, float, float]:
    """Split a closed position's collateral between the trader, the penalty and the market.

    Returns ``(returned, penalty, paid_to_market, bad_debt)`` in USD with

    ``collateral = returned + penalty + paid_to_market`` and
    ``bad_debt = max(-(collateral + pnl), 0)``.

    The penalty is taken only out of equity that is left; ``paid_to_market = -pnl - bad_debt`` is
    what the trader's counterparties receive from the collateral (negative if the trader gained).
    """
    equity = collateral + pnl
    if equity >= 0.0:
        penalty = min(penalty_due, equity)
        returned = equity - penalty
        bad_debt = 0.0
    else:
        penalty = 0.0
        returned = 0.0
        bad_debt = -equity
    paid_to_market = collateral - returned - penalty
    return returned, penalty, paid_to_market, bad_debt
