r"""Scenario functions of chapter 04: an oracle network under attack, and an AMM as the feed.

The equations (median of feeds, push cost, cost of a majority, the constant-product pool) are
in :mod:`cascadelab.mechanisms.oracle_network`; this module puts them on one snapshot of feeds
(:func:`oracle_network_scenario`), prices what the attack earns on the course population
(:func:`liquidation_prize`), and compares a pool read as the oracle with a median of venues
(:func:`amm_feed_scenario`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_array, check_int, check_real, check_seed, check_sequence
from cascadelab.chapters._course import PRICE, cached, check_run, population
from cascadelab.mechanisms.oracle_network import (
    MAX_DEPTH,
    MAX_FEEDS,
    MAX_MOVE,
    MAX_PRICE,
    amm_equivalent_depth,
    amm_push_cost,
    feeds_to_capture,
    manipulation_cost,
    median_oracle,
)

__all__ = [
    "AmmFeedResult",
    "OracleNetworkResult",
    "amm_feed_scenario",
    "liquidation_prize",
    "oracle_feeds",
    "oracle_network_scenario",
]


@cached
def liquidation_prize(
    attack: float, *, penalty: float = 0.01, n: int = 20_000, seed: int = 0
) -> float:
    r"""What pushing the oracle by ``attack`` earns a liquidator on the course population, USD.

    Every long whose liquidation price lies at or above :math:`p(1 + a)` (for a push down,
    :math:`a < 0`; shorts at or below it for a push up) is liquidated at :math:`p(1 + a)` and
    pays the penalty :math:`\pi` on its notional there:
    :math:`\text{prize} = \pi \sum_i q_i\,p(1 + a)` over those positions, with
    :math:`p` = :data:`~cascadelab.chapters._course.PRICE` and the population
    ``population(n, seed=seed)`` of chapter 00.

    Parameters
    ----------
    attack : float
        Relative move of the oracle, in (-1, 1), != 0 (-0.1 = 10% down).
    penalty : float
        Liquidation penalty, fraction of the notional, in [0, 1).
    n, seed : int
        Size (>= 100) and seed of the population.

    Returns
    -------
    float
        Penalties collected, USD.

    Examples
    --------
    >>> round(liquidation_prize(-0.10))
    934503
    """
    a = check_real("attack", attack, lo=-1.0, hi=1.0, lo_open=True, hi_open=True)
    if a == 0.0:
        raise ValueError("attack must be non-zero (the move the attacker wants), got 0")
    penalty = check_real("penalty", penalty, lo=0.0, hi=1.0, hi_open=True)
    n, seed = check_run(n=n, seed=seed)
    pos = population(n, seed=seed)
    level = PRICE * (1.0 + a)
    if a < 0.0:
        hit = (pos.side > 0) & (pos.liquidation_price >= level)
    else:
        hit = (pos.side < 0) & (pos.liquidation_price <= level)
    return float(penalty * (pos.size[hit] * level).sum())


def oracle_feeds(
    price: float, n: int, k: int, deviation: float, *, dispersion: float = 0.002,
    seed: int | None = 0,
) -> np.ndarray:
    r"""A snapshot of ``n`` feed readings, USD: ``k`` bad ones first, then the honest ones.

    Honest feed :math:`i` reads :math:`p\,e^{\eta z_i}` (:math:`\eta` = ``dispersion``, the
    spread between venues; :math:`z_i \sim N(0, 1)`); a bad feed reads :math:`p(1 + \delta)`
    (:math:`\delta` = ``deviation``): stale after a move of :math:`-\delta`, or rigged.

    Parameters
    ----------
    price : float
        True price, USD, in (0, 1e12].
    n, k : int
        Feeds (in [1, 1,000,000]) and bad feeds (in [0, n]).
    deviation : float
        Relative error of the bad feeds, in (-1, 10].
    dispersion : float
        Log-sd of honest readings around ``price``, in [0, 0.5].
    seed : int or None
        Seed of the ``numpy.random.Generator``.

    Examples
    --------
    >>> f = oracle_feeds(100.0, 5, 2, -0.5, dispersion=0.0)
    >>> f.tolist(), median_oracle(f)
    ([50.0, 50.0, 100.0, 100.0, 100.0], 100.0)
    """
    price = check_real("price", price, lo=0.0, hi=MAX_PRICE, lo_open=True)
    n = check_int("n", n, lo=1, hi=MAX_FEEDS)
    k = check_int("k", k, lo=0, hi=n)
    deviation = check_real("deviation", deviation, lo=-1.0, hi=MAX_MOVE, lo_open=True)
    dispersion = check_real("dispersion", dispersion, lo=0.0, hi=0.5)
    rng = np.random.default_rng(check_seed(seed))
    honest = price * np.exp(dispersion * rng.standard_normal(n))
    return np.r_[np.full(k, price * (1.0 + deviation)), honest[k:]]


@dataclass(frozen=True, eq=False)
class OracleNetworkResult:
    """What :func:`oracle_network_scenario` returns. Prices USD, costs USD, depths units per 1%.

    Attributes
    ----------
    price : float
        True price.
    feeds : ndarray, shape (n,)
        Feed readings; ``bad`` marks the bad ones (the first ``k``).
    bad : ndarray of bool, shape (n,)
    median : float
        What the network reports.
    single : float
        What a single-feed oracle reports if it reads the first venue (a bad one when k >= 1).
    median_error, single_error : float
        Relative errors ``reported / price - 1``.
    feeds_to_buy : int
        Venues the attacker must still push to choose the median.
    cost_single, cost_network : float
        USD to move a one-feed oracle and the network by ``deviation`` at ``depth``.
    depths : ndarray
        Depth grid for the cost curves.
    curve_single, curve_network : ndarray
        The two costs along ``depths``.
    prize : float
        What the attack earns a liquidator on the course population
        (:func:`liquidation_prize` at ``deviation``).
    """

    price: float
    feeds: np.ndarray
    bad: np.ndarray
    median: float
    single: float
    median_error: float
    single_error: float
    feeds_to_buy: int
    cost_single: float
    cost_network: float
    depths: np.ndarray
    curve_single: np.ndarray
    curve_network: np.ndarray
    prize: float = 0.0

    @property
    def summary(self) -> dict[str, float]:
        """Headline numbers: errors (fractions), venues to push, costs and the prize (USD)."""
        return {
            "median_error": self.median_error,
            "single_error": self.single_error,
            "feeds_to_buy": float(self.feeds_to_buy),
            "cost_single": self.cost_single,
            "cost_network": self.cost_network,
            "prize": self.prize,
        }


def oracle_network_scenario(
    n: int = 7,
    k: int = 0,
    deviation: float = -0.10,
    depth: float = 2_000.0,
    *,
    impact: str = "linear",
    price: float = PRICE,
    dispersion: float = 0.002,
    depth_range: tuple[float, float] = (100.0, 1_000_000.0),
    seed: int | None = 0,
) -> OracleNetworkResult:
    r"""One feed against a median of ``n``: the reported price and the cost of moving it.

    Parameters
    ----------
    n : int
        Feeds in the network, in [1, 1,000,000].
    k : int
        Bad feeds (stale or rigged), in [0, n]; they count towards the attacker's majority.
    deviation : float
        Error of the bad feeds and the move the attacker wants, fraction, in (-1, 10], != 0.
    depth : float
        Book depth of every venue, units per 1%, in (0, 1e15].
    impact : {"linear", "exponential", "sqrt"}
        Impact model of the venues.
    price : float
        True price, USD, > 0.
    dispersion : float
        Spread of honest feeds (log-sd), in [0, 0.5].
    depth_range : (float, float)
        Range ``(lo, hi)`` of the cost curves' depth grid (40 points, log-spaced), units per
        1%, with ``0 < lo < hi <= 1e15``.
    seed : int or None
        Seed of the honest feeds' dispersion.

    Returns
    -------
    OracleNetworkResult

    Examples
    --------
    >>> res = oracle_network_scenario(n=7, k=3, deviation=-0.2)
    >>> abs(res.median_error) < 0.01, round(res.single_error, 6)
    (True, -0.2)
    """
    n = check_int("n", n, lo=1, hi=MAX_FEEDS)
    k = check_int("k", k, lo=0, hi=n)
    deviation = check_real("deviation", deviation, lo=-1.0, hi=MAX_MOVE, lo_open=True)
    if deviation == 0.0:
        raise ValueError("deviation must be non-zero (the move an attacker wants), got 0")
    depth = check_real("depth", depth, lo=0.0, hi=MAX_DEPTH, lo_open=True)
    span = check_sequence("depth_range", depth_range, min_len=2, what="depths (lo, hi)")
    if len(span) != 2:
        raise ValueError(f"depth_range must be a pair (lo, hi), got {len(span)} values")
    lo = check_real("depth_range[0]", span[0], lo=0.0, hi=MAX_DEPTH, lo_open=True)
    hi = check_real("depth_range[1]", span[1], lo=lo, hi=MAX_DEPTH, lo_open=True)
    feeds = oracle_feeds(price, n, k, deviation, dispersion=dispersion, seed=seed)
    med = median_oracle(feeds)
    unit = manipulation_cost(deviation, 1.0, 0, 1, impact, price=price)  # C_1 at D = 1
    need = feeds_to_capture(n, k)
    depths = np.geomspace(lo, hi, 40)
    return OracleNetworkResult(
        price=price,
        feeds=feeds,
        bad=np.arange(n) < k,
        median=med,
        single=float(feeds[0]),
        median_error=med / price - 1.0,
        single_error=float(feeds[0]) / price - 1.0,
        feeds_to_buy=need,
        cost_single=unit * depth,
        cost_network=unit * depth * need,
        depths=depths,
        curve_single=unit * depths,
        curve_network=unit * depths * need,
        prize=liquidation_prize(deviation) if -1.0 < deviation < 1.0 else 0.0,
    )


@dataclass(frozen=True, eq=False)
class AmmFeedResult:
    """What :func:`amm_feed_scenario` returns. Money USD, depths units per 1%.

    Attributes
    ----------
    attack : float
        Relative move of the oracle the attacker wants (< 0: down, to trigger longs).
    price : float
        Undisturbed price, USD per unit.
    reserves : ndarray
        USD reserve :math:`y` of the pool along the grid (the pool holds :math:`2y` in all).
    amm_cost : ndarray
        Cost of pushing the pool's spot price by ``attack``, :math:`y(1 - r)^2/r`.
    equivalent_depth : ndarray
        Depth of the linear book each pool matches for small moves, :math:`y/(200p)`.
    median_cost : ndarray
        Cost of moving a median of ``n`` feeds, each reading a venue of that equivalent depth,
        with ``k`` feeds already bad.
    n, k : int
        Feeds of the median and bad feeds among them.
    prize : float
        What the attack earns a liquidator on the course population (:func:`liquidation_prize`).
    breakeven_reserve : float
        USD reserve below which pushing the pool costs less than the prize.
    """

    attack: float
    price: float
    reserves: np.ndarray
    amm_cost: np.ndarray
    equivalent_depth: np.ndarray
    median_cost: np.ndarray
    n: int
    k: int
    prize: float
    breakeven_reserve: float

    @property
    def summary(self) -> dict[str, float]:
        """``prize`` and ``breakeven_reserve`` (USD), ``median_over_amm`` (how many times
        dearer the median is than one pool of the same depth, x)."""
        return {
            "prize": self.prize,
            "breakeven_reserve": self.breakeven_reserve,
            "median_over_amm": float(self.median_cost[0] / self.amm_cost[0]),
        }


def amm_feed_scenario(
    attack: float = -0.10,
    reserves: np.ndarray | tuple[float, ...] | None = None,
    *,
    n: int = 7,
    k: int = 0,
    price: float = PRICE,
) -> AmmFeedResult:
    r"""An AMM's spot price as the oracle, against a median of ``n`` venues of the same depth.

    For each USD reserve :math:`y` on the grid: the cost of pushing a constant-product pool's
    spot by ``attack`` (:func:`~cascadelab.mechanisms.oracle_network.amm_push_cost`), and the
    cost of moving a median of ``n`` feeds when each reads a linear book of the pool's
    equivalent depth :math:`y/(200p)`. Both are set against the prize of
    :func:`liquidation_prize`; the break-even reserve solves :math:`y(1 - r)^2/r = \text{prize}`.

    Parameters
    ----------
    attack : float
        Relative move wanted, in (-1, 1), != 0.
    reserves : array of float or None
        USD reserves of the grid, each > 0; None: 41 log-spaced values from 10^5 to 10^9 USD.
    n, k : int
        Feeds of the median (>= 1) and bad feeds among them (in [0, n]).
    price : float
        Undisturbed price, USD per unit, > 0.

    Returns
    -------
    AmmFeedResult

    Examples
    --------
    >>> res = amm_feed_scenario(-0.10, n=7)
    >>> round(res.summary["median_over_amm"], 2)  # 4 venues against one pool of their depth
    3.6
    """
    a = check_real("attack", attack, lo=-1.0, hi=1.0, lo_open=True, hi_open=True)
    if a == 0.0:
        raise ValueError("attack must be non-zero (the move the attacker wants), got 0")
    n = check_int("n", n, lo=1)
    k = check_int("k", k, lo=0, hi=n)
    price = check_real("price", price, lo=0.0, lo_open=True)
    grid = np.geomspace(1e5, 1e9, 41) if reserves is None else reserves
    ys = check_array("reserves", grid, lo=0.0, lo_open=True)
    amm = np.array([amm_push_cost(a, float(y), price) for y in ys])
    deq = np.array([amm_equivalent_depth(float(y), price) for y in ys])
    med = np.array([manipulation_cost(a, float(d), k, n, price=price) for d in deq])
    prize = liquidation_prize(a)
    unit = amm_push_cost(a, 1.0, price)  # cost per USD of reserve
    return AmmFeedResult(
        attack=a, price=price, reserves=ys, amm_cost=amm, equivalent_depth=deq,
        median_cost=med, n=n, k=k, prize=prize, breakeven_reserve=prize / unit,
    )
