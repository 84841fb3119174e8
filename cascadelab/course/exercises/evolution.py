"""Exercises 04 · Evolution: many feeds, shared losses, baskets of collateral, an AMM as the feed.

The checkers of ``solutions/04_evolution.ipynb`` and of the exercise notebook generated from it, in
the notebook's order. Each block states the exercise's numbers once (they match the notebook),
computes the expected answer from the package where the package has the model, and lists the
typical mistakes; the tests feed every mistake back to its checker.
"""

from __future__ import annotations

import math
from functools import cache
from itertools import combinations

import numpy as np

from cascadelab.course.registry import Mistake, register
from cascadelab.engine import default_market, simulate
from cascadelab.market import Book
from cascadelab.mechanisms.oracle_network import (
    amm_equivalent_depth,
    amm_push_cost,
    feeds_to_capture,
    manipulation_cost,
    push_cost,
)
from cascadelab.portfolio import basket_drawdown, equicorrelation

E04_FEEDS = (100.4, 99.7, 100.1, 99.2, 100.9, 99.9, 100.3)  # USD, honest readings


def _oracle04() -> np.ndarray:
    honest = np.sort(np.array(E04_FEEDS))
    out = []
    for k in range(4):  # the attacker replaces the k highest readings by 0
        reports = np.concatenate([np.zeros(k), honest[: honest.size - k]])
        out.append(float(np.median(reports)))
    return np.array(out)


def _oracle04_mean() -> np.ndarray:
    honest = np.sort(np.array(E04_FEEDS))
    return np.array(
        [np.concatenate([np.zeros(k), honest[: honest.size - k]]).mean() for k in range(4)]
    )


@cache
def _medians04(k: int) -> tuple[float, ...]:
    """Every median the attacker can reach by setting some k of the feeds to 0 (sorted)."""
    feeds = np.array(E04_FEEDS)
    out = set()
    for bad in combinations(range(feeds.size), k):
        reports = feeds.copy()
        reports[list(bad)] = 0.0
        out.add(float(np.median(reports)))
    return tuple(sorted(out))


def _wrong_feeds04(x: np.ndarray) -> bool:
    """Each entry is a median some choice of k feeds reaches, and at least one is not the lowest."""
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.size != 4:
        return False
    reachable = all(
        np.any(np.isclose(x[k], _medians04(k), rtol=1e-6, atol=1e-9)) for k in range(4)
    )
    return reachable and not np.allclose(x, _oracle04(), rtol=1e-6, atol=1e-9)


register(
    "04.1", "lowest median with k bad feeds", "array", _oracle04, unit="USD", atol=1e-9,
    mistakes=[
        Mistake(
            _oracle04_mean,
            "those are means, not medians: a mean is dragged anywhere by a single bad feed.",
        ),
        Mistake(
            lambda: np.full(4, np.median(E04_FEEDS)),
            "every entry is the honest median: zeros that replace readings below the median (or "
            "no replacement at all) leave it where it was. Which readings must the attacker "
            "replace to move it?",
        ),
        Mistake(
            lambda: np.array(
                [np.median(np.sort(np.array(E04_FEEDS))[k:]) for k in range(4)]
            ),
            "you dropped the replaced feeds instead of counting the attacker's reports: the "
            "oracle still takes the median of all 7 numbers.",
        ),
        Mistake(
            None,
            "each entry is a median the attacker can reach, but not the lowest one: for some k "
            "you replaced the wrong feeds. Replacing a reading that is already below the median "
            "moves it less than replacing one above it.",
            when=_wrong_feeds04,
        ),
    ],
    hint="Sort the seven numbers the oracle sees; the median is the 4th. Which honest feeds "
    "should the attacker replace to push it down most?",
)

E04_LAYERS = (5.0, 1.0, 2.0, 15.0)  # USD millions: margin, defaulter's DF, CH capital, others' DF
E04_LOSSES = (16.0, 30.0)  # USD millions


def _waterfall(loss: float, layers: tuple[float, ...]) -> list[float]:
    out = []
    left = loss
    for cap in layers:
        take = min(cap, left)
        out.append(take)
        left -= take
    out.append(left)  # mutualised among surviving members
    return out


def _waterfall04() -> np.ndarray:
    return np.array([_waterfall(x, E04_LAYERS) for x in E04_LOSSES])


def _waterfall04_ch_last() -> np.ndarray:
    m, d, ch, others = E04_LAYERS
    out = []
    for x in E04_LOSSES:
        a, b, c, e, rest = _waterfall(x, (m, d, others, ch))
        out.append([a, b, e, c, rest])
    return np.array(out)


def _share_of_loss04(scale: float) -> np.ndarray:
    """Each layer's payment as a share of its row's loss, times ``scale`` (100: percent)."""
    return scale * _waterfall04() / np.array(E04_LOSSES)[:, None]


register(
    "04.2", "default waterfall split", "array", _waterfall04, unit="USD millions", atol=1e-6,
    mistakes=[
        Mistake(
            lambda: 1e6 * _waterfall04(),
            "the split is right, but in USD: the table's sizes and the losses are in USD "
            "millions, and so is the answer (a loss of 16 is 16, not 16,000,000).",
        ),
        Mistake(
            lambda: _waterfall04()[::-1],
            "the rows are swapped: row 1 is the loss of 16, row 2 the loss of 30, in the order "
            "of `losses`.",
        ),
        Mistake(
            lambda: _share_of_loss04(100.0),
            "those are each layer's percent of its row's loss; the task asks for the amounts, "
            "in USD millions.",
        ),
        Mistake(
            lambda: _share_of_loss04(1.0),
            "those are each layer's share of its row's loss (fractions); the task asks for the "
            "amounts, in USD millions.",
        ),
        Mistake(
            None,
            "the layers of each row must add up to that row's loss.",
            when=lambda x: not np.allclose(np.asarray(x, dtype=float).sum(axis=1), E04_LOSSES),
        ),
        Mistake(
            _waterfall04_ch_last,
            "the order of two layers is swapped: the clearing house puts its own capital at risk "
            "before it touches the surviving members' contributions.",
        ),
    ],
    hint="Fill the layers in order, each up to its size, and pass what is left to the next.",
)

E04_WEIGHTS, E04_SHOCK, E04_RHO = (1.0, 1.0, 1.0), 0.30, 0.5


def _basket04() -> float:
    return basket_drawdown(
        E04_WEIGHTS, (0.02, 0.02, 0.02), equicorrelation(3, E04_RHO), E04_SHOCK
    )


register(
    "04.3", "basket collateral after a crash", "number", _basket04, unit="fraction", atol=1e-5,
    mistakes=[
        Mistake(
            lambda: E04_SHOCK,
            "that is the loss of single collateral in the crashed asset; the basket holds three.",
        ),
        Mistake(
            lambda: E04_SHOCK / 3.0,
            "that assumes the other two assets do not move; with correlation 0.5 they fall too.",
        ),
        Mistake(
            lambda: E04_SHOCK / 3.0 + 2.0 / 3.0 * E04_RHO * E04_SHOCK,
            "close: beta * s approximates the other assets' fall; the model moves log-prices, "
            "ln(1 + r) = beta ln(1 - s).",
        ),
    ],
)

E04_LATENCY = 5


@cache
def _stale04() -> tuple[float, float]:
    pos, sc = default_market()
    sc = sc.replace(resilience=0.0)
    fresh = simulate(pos, sc).total_bad_debt
    stale = simulate(pos, sc.replace(oracle_latency=E04_LATENCY)).total_bad_debt
    return fresh, stale


@cache
def _stale04_resilient() -> float:
    """The same difference with the default resilience (impact that decays)."""
    pos, sc = default_market()
    return (
        simulate(pos, sc.replace(oracle_latency=E04_LATENCY)).total_bad_debt
        - simulate(pos, sc).total_bad_debt
    )


def _extra04() -> float:
    fresh, stale = _stale04()
    return stale - fresh


def _near(x: float, target: float, rel: float = 0.02) -> bool:
    """``x`` within ``rel`` of ``target``: a value rounded to two or three figures."""
    return abs(x - target) <= rel * abs(target)


def _ratio04(x: float) -> bool:
    fresh, stale = _stale04()
    return _near(x, stale / fresh) or _near(x, stale / fresh - 1.0) or _near(
        x, 100.0 * (stale / fresh - 1.0)
    )


register(
    "04.4", "extra bad debt from a late oracle", "number", _extra04, unit="USD", atol=1.0,
    mistakes=[
        Mistake(
            lambda: _stale04()[1],
            "that is the total bad debt with the late oracle; the question asks how much it adds "
            "to the bad debt with a prompt one.",
        ),
        Mistake(
            lambda: -_stale04()[1],
            "that is minus the late oracle's total bad debt: subtract the prompt oracle's bad "
            "debt from the late one's.",
        ),
        Mistake(
            _stale04_resilient,
            "that is the difference with the default resilience; the exercise makes impact "
            "permanent first (`resilience=0.0`), in both runs.",
        ),
        Mistake(
            None,
            "0 USD: the two runs gave the same bad debt, or the difference was never computed. "
            "Check that the second run really has `oracle_latency=5` (and both "
            "`resilience=0.0`), and that you subtract the two `total_bad_debt`s.",
            when=lambda x: x == 0.0,
        ),
        Mistake(
            None,
            "that looks like the answer in USD millions; the question asks for USD (2 million "
            "USD is 2_000_000, not 2.0).",
            when=lambda x: _near(1e6 * x, _extra04()),
        ),
        Mistake(
            None,
            "that looks like the answer in thousands of USD; the question asks for USD.",
            when=lambda x: _near(1e3 * x, _extra04()),
        ),
        Mistake(
            None,
            "that is a ratio or a relative change (late over prompt); the question asks for the "
            "extra bad debt itself, in USD.",
            when=_ratio04,
        ),
        Mistake(
            None,
            "that is a small pure number; the question asks for the extra bad debt in USD, "
            "the difference of the two runs' `total_bad_debt`.",
            when=lambda x: abs(x) < 10.0,
        ),
    ],
    hint="Run the same scenario twice, changing only the oracle's latency.",
)

# An AMM pool's spot price as the oracle (cascadelab.mechanisms.oracle_network).
E04_PUSH, E04_POOL_PRICE = -0.10, 100.0  # the attack: 10% down from 100 USD
E04_RESERVES = (1e6, 1e7, 1e8)  # USD reserve y of the pools
E04_VENUES = 7  # feeds of the median compared with the pool


def _amm04(cost) -> np.ndarray:
    """``cost(y, m, r)`` over the pools of the exercise, USD."""
    m = E04_PUSH
    return np.array([cost(y, m, math.sqrt(1.0 + m)) for y in E04_RESERVES])


register(
    "04.5", "cost of pushing an AMM pool's price", "array",
    lambda: np.array([amm_push_cost(E04_PUSH, y, E04_POOL_PRICE) for y in E04_RESERVES]),
    unit="USD", rtol=1e-6,
    mistakes=[
        Mistake(
            lambda: _amm04(lambda y, m, r: y * (1.0 / r - 1.0)),
            "that is what the units sold into the pool are worth at the old price, y (1/r - 1): "
            "the attacker also receives USD from the pool, y (1 - r). Its cost is the "
            "difference, y (1 - r)^2 / r (the square is what is left of it).",
        ),
        Mistake(
            lambda: _amm04(lambda y, m, r: y * (1.0 - r)),
            "that is the USD the pool pays the attacker, y - y' = y (1 - r): it is received, "
            "not lost. The cost is the value of the units given up less this.",
        ),
        Mistake(
            lambda: _amm04(lambda y, m, r: y * m * m / (1.0 + m)),
            "you set r = 1 + m: the reserves move by the *square root* of the price ratio, "
            "r = sqrt(1 + m), since the price is y'/x' = (y r) / (x / r) = p r^2.",
        ),
        Mistake(
            lambda: _amm04(lambda y, m, r: y * m * m / 4.0),
            "close: y m^2 / 4 is the small-move approximation (a linear book of the pool's "
            "equivalent depth). A 10% push is not small: use the exact y (1 - r)^2 / r.",
        ),
        Mistake(
            lambda: _amm04(lambda y, m, r: y * abs(m)),
            "a cost linear in the move, a share |m| of the reserve, is far too high: the "
            "attacker gets USD back for what it sells, and only the premium over the old "
            "price is lost, which grows with the *square* of the move.",
        ),
        Mistake(
            lambda: _amm04(lambda y, m, r: y * abs(m) / 2.0),
            "linear in the move: y |m| / 2 is about the USD the pool pays out (to first "
            "order), not what the attacker loses. The loss is the premium over the old price, "
            "which grows with the *square* of the move.",
        ),
        Mistake(
            lambda: _amm04(lambda y, m, r: y * m * m),
            "quadratic in the move, as it should be, but four times too large even before the "
            "exact formula: for small moves the cost is y m^2 / 4. Use y (1 - r)^2 / r.",
        ),
        Mistake(
            lambda: _amm04(lambda y, m, r: y * (1.0 - r) ** 2),
            "close, but the division by r is missing: y (1/r - 1) - y (1 - r) = y (1 - r)^2 / r.",
        ),
        Mistake(
            lambda: _amm04(lambda y, m, r: y * r),
            "r in place of 1 - r: the cost is y (1 - r)^2 / r, small for a small push, not a "
            "share r of the whole reserve.",
        ),
        Mistake(
            lambda: _amm04(lambda y, m, r: y / E04_POOL_PRICE * (1.0 - r) ** 2 / r),
            "a factor of 100 (the price) too small: you used the asset reserve x = y / p (units) "
            "where the formula has the USD reserve y.",
        ),
        Mistake(
            lambda: _amm04(lambda y, m, r: 2.0 * y * (1.0 - r) ** 2 / r),
            "twice the cost: y is the pool's USD reserve, half of the pool's value (x p = y); "
            "do not count the asset side as well.",
        ),
        Mistake(
            lambda: _amm04(lambda y, m, r: y * (1.0 - math.sqrt(1.0 - m)) ** 2
                           / math.sqrt(1.0 - m)),
            "that is the cost of pushing the price *up* by 10%; the attacker wants it down to "
            "90 USD, m = -0.10.",
        ),
    ],
    hint="From x' y' = x y and y' / x' = p (1 + m): x' = x / r and y' = y r with "
    "r = sqrt(1 + m). Cost = p (x' - x) - (y - y').",
)


def _median_over_amm04(venues: int, venue_depth=amm_equivalent_depth) -> float:
    y = E04_RESERVES[1]
    d = venue_depth(y, E04_POOL_PRICE)
    one = push_cost(E04_PUSH, Book(d), E04_POOL_PRICE)
    return venues * one / amm_push_cost(E04_PUSH, y, E04_POOL_PRICE)


def _median04() -> float:
    y = E04_RESERVES[1]
    d = amm_equivalent_depth(y, E04_POOL_PRICE)
    return (manipulation_cost(E04_PUSH, d, n=E04_VENUES, price=E04_POOL_PRICE)
            / amm_push_cost(E04_PUSH, y, E04_POOL_PRICE))


register(
    "04.6", "a median of venues against one pool", "number", _median04, unit="x", rtol=1e-4,
    mistakes=[
        Mistake(
            lambda: _median_over_amm04(E04_VENUES),
            "you pushed all seven venues; moving a median of seven takes a majority, four.",
        ),
        Mistake(
            lambda: _median_over_amm04(E04_VENUES // 2),
            "three of seven venues are not a majority: the other four still hold the median "
            "where it was.",
        ),
        Mistake(
            lambda: _median_over_amm04(E04_VENUES) / 2.0,
            "half of seven venues is not a whole number of venues: a majority of seven is four.",
        ),
        Mistake(
            lambda: float(feeds_to_capture(E04_VENUES)),
            "exactly the number of venues to push: that ratio holds only if a venue and the pool "
            "cost the same. The venues are linear books of the pool's equivalent depth, and a "
            "10% push costs the pool a little more than y m^2 / 4.",
        ),
        Mistake(
            lambda: 1.0 / _median04(),
            "the ratio is upside down: the pool over the median. The question asks how many "
            "times the pool's cost the median costs.",
        ),
        Mistake(
            lambda: _median_over_amm04(feeds_to_capture(E04_VENUES), lambda y, p: y / p),
            "the depth of a venue is in units per 1% move: the pool's equivalent depth is "
            "y / (200 p), not its asset reserve y / p.",
        ),
        Mistake(
            lambda: _median_over_amm04(feeds_to_capture(E04_VENUES), lambda y, p: y / (100 * p)),
            "twice the equivalent depth: selling y / (200 p) units moves the pool's price by "
            "about 1%, so that is the depth of the venue that matches it.",
        ),
    ],
    hint="manipulation_cost(move, depth, n=7) prices the median; amm_equivalent_depth(y) is the "
    "depth of each venue; amm_push_cost(move, y) is the pool.",
)
