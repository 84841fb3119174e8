r"""Scenario functions of chapter 04: an oracle network under attack.

The equations (median of feeds, push cost, cost of a majority) are in
:mod:`cascadelab.mechanisms.oracle_network`; this module puts them on one snapshot of feeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_int, check_real, check_seed, check_sequence
from cascadelab.chapters._course import PRICE
from cascadelab.mechanisms.oracle_network import (
    MAX_DEPTH,
    MAX_FEEDS,
    MAX_MOVE,
    MAX_PRICE,
    feeds_to_capture,
    manipulation_cost,
    median_oracle,
)

__all__ = [
    "OracleNetworkResult",
    "oracle_feeds",
    "oracle_network_scenario",
]


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

    @property
    def summary(self) -> dict[str, float]:
        """Headline numbers: errors (fractions), venues to push, costs (USD)."""
        return {
            "median_error": self.median_error,
            "single_error": self.single_error,
            "feeds_to_buy": float(self.feeds_to_buy),
            "cost_single": self.cost_single,
            "cost_network": self.cost_network,
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
    )
