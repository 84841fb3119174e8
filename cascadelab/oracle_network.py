r"""Oracle networks: the median of several price feeds, and what it costs to move it.

A protocol that reads one feed trusts one venue. An oracle *network* reads :math:`N` feeds
:math:`f_1, \dots, f_N` (USD) and reports their median,

.. math::
    \hat p = \operatorname{median}(f_1, \dots, f_N) =
    \begin{cases} f_{(m+1)} & N = 2m + 1, \\ \tfrac12\big(f_{(m)} + f_{(m+1)}\big) & N = 2m,
    \end{cases}

where :math:`f_{(j)}` is the :math:`j`-th smallest reading. If :math:`k` feeds are bad (stale, or
pushed by a manipulator) and :math:`k < N/2`, the median still lies between two honest readings,
whatever the bad ones say. From :math:`k \ge N/2` on, the bad feeds choose the median.

Each feed reads the price of one venue. To make a venue print a price :math:`p(1 + m)`, an
attacker trades through its :class:`~cascadelab.Book` of depth :math:`D` (units per 1%) and pays a
premium over the undisturbed price :math:`p`, the *push cost*:

.. math::
    C_1(m, D) = \int_0^{u} \lvert P(x) - p \rvert \, dx, \qquad P(u) = p(1 + m),

which is what the attacker loses if the price returns to :math:`p` afterwards. For the three
impact models of :mod:`cascadelab.market` (:math:`\mu = \lvert m \rvert`):

* linear: :math:`u = 100 D \mu`, :math:`C_1 = 50\, p D m^2`;
* exponential: :math:`u = 100 D\, \lvert\ln(1 + m)\rvert`,
  :math:`C_1 = 100\, p D\,(m - \ln(1 + m))`;
* square root: :math:`u = D (100 \mu)^2`, :math:`C_1 = \tfrac{2}{3}\, p D\, (100 \mu)^3 / 100`.

To move the *median* the attacker must control a majority: :math:`\lfloor N/2 \rfloor + 1`
feeds, of which :math:`k` may already be on its side (stale in its favour, or compromised), so

.. math::
    C_N = \big(\lfloor N/2 \rfloor + 1 - k\big)^+ \; C_1(m, D).

The cost grows linearly with depth: when on-chain activity is low and the venues' books are thin,
the price an oracle reports becomes cheap to buy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_array, check_choice, check_int, check_real
from cascadelab.market import IMPACT_MODELS, Book

__all__ = [
    "OracleNetworkResult",
    "feeds_to_capture",
    "manipulation_cost",
    "median_oracle",
    "oracle_feeds",
    "oracle_network_scenario",
    "push_cost",
    "push_units",
]


def median_oracle(feeds: Sequence[float] | np.ndarray) -> float | np.ndarray:
    r"""The price an oracle network reports: the median of its feeds, USD.

    Parameters
    ----------
    feeds : array of float, shape (..., N)
        Feed readings, USD, > 0; the last axis runs over the :math:`N \ge 1` feeds (several
        snapshots can be stacked along the leading axes).

    Returns
    -------
    float or ndarray
        :math:`\operatorname{median}(f_1, \dots, f_N)` (the mean of the two middle readings for
        even :math:`N`); a float for one snapshot, an array of shape ``(...)`` otherwise.

    Examples
    --------
    >>> median_oracle([100.0, 101.0, 0.01])   # one rigged feed out of three changes nothing
    100.0
    """
    f = np.asarray(feeds, dtype=np.float64)
    if f.ndim == 0 or f.shape[-1] < 1:
        raise ValueError(f"feeds must hold at least one reading, got shape {f.shape}")
    if not np.all(np.isfinite(f)) or np.any(f <= 0.0):
        bad = f[~(np.isfinite(f) & (f > 0.0))].ravel()[0]
        raise ValueError(f"feeds must be finite prices > 0 USD, got {bad!r}")
    out = np.median(f, axis=-1)
    return float(out) if out.ndim == 0 else out


def feeds_to_capture(n: int, k: int = 0) -> int:
    r"""Feeds an attacker must still move to choose the median.

    :math:`(\lfloor n/2 \rfloor + 1 - k)^+`: a majority, less the bad feeds it already has.

    Parameters
    ----------
    n : int
        Number of feeds in the network, >= 1.
    k : int
        Bad feeds already on the attacker's side, in [0, n].

    Examples
    --------
    >>> feeds_to_capture(1), feeds_to_capture(7), feeds_to_capture(7, k=3)
    (1, 4, 1)
    """
    n = check_int("n", n, lo=1)
    k = check_int("k", k, lo=0, hi=n)
    return max(n // 2 + 1 - k, 0)


def _check_move(move: float, impact: str, floor: float = 1e-3) -> float:
    m = check_real("target_move", move, lo=-1.0, lo_open=True)
    if m <= -(1.0 - floor) and impact != "exponential":
        raise ValueError(
            f"target_move must be above {-(1.0 - floor):g} (the book's floor), got {m:g}"
        )
    return m


def push_units(target_move: float, book: Book) -> float:
    r"""Units an attacker must trade through ``book`` to move its price by ``target_move``.

    Buys push the price up (``target_move > 0``), sells push it down. Inverts the impact model of
    :func:`cascadelab.impact_price` (equations in the module docstring).

    Parameters
    ----------
    target_move : float
        Relative price move wanted, > -1 (0.1 = 10% up, -0.1 = 10% down).
    book : Book
        The venue's book.

    Returns
    -------
    float
        Units traded, >= 0.

    Examples
    --------
    >>> push_units(0.01, Book(depth=1_000.0))   # 1% costs D units on a linear book
    1000.0
    """
    if not isinstance(book, Book):
        raise ValueError(f"book must be a cascadelab.Book, got {type(book).__name__}")
    m = _check_move(target_move, book.impact, book.floor)
    mu = abs(m)
    if book.impact == "linear":
        return 100.0 * book.depth * mu
    if book.impact == "exponential":
        return 100.0 * book.depth * abs(math.log1p(m))
    return book.depth * (100.0 * mu) ** 2


def push_cost(target_move: float, book: Book, price: float = 100.0) -> float:
    r"""USD an attacker loses to move one venue's price by ``target_move``: :math:`C_1(m, D)`.

    The premium paid over the undisturbed price ``price`` on the way (see the module
    docstring); it is the loss on the position if the price later returns to ``price``.

    Parameters
    ----------
    target_move : float
        Relative price move wanted, > -1.
    book : Book
        The venue's book (depth in units per 1%, impact model).
    price : float
        Undisturbed price, USD per unit, > 0.

    Returns
    -------
    float
        Cost, USD.

    Examples
    --------
    >>> push_cost(0.10, Book(depth=1_000.0), price=100.0)   # 50 p D m^2
    50000.0
    """
    if not isinstance(book, Book):
        raise ValueError(f"book must be a cascadelab.Book, got {type(book).__name__}")
    m = _check_move(target_move, book.impact, book.floor)
    price = check_real("price", price, lo=0.0, lo_open=True)
    if book.impact == "linear":
        return 50.0 * price * book.depth * m * m
    if book.impact == "exponential":
        return 100.0 * price * book.depth * (m - math.log1p(m))
    return (2.0 / 3.0) * price * book.depth * (100.0 * abs(m)) ** 3 / 100.0


def manipulation_cost(
    target_move: float,
    depth_per_feed: float | Sequence[float] | np.ndarray,
    k: int = 0,
    n: int = 1,
    impact: str = "linear",
    *,
    price: float = 100.0,
) -> float:
    r"""USD needed to move a median-of-``n`` oracle by ``target_move`` when ``k`` feeds are bad.

    The attacker pushes the :math:`(\lfloor n/2 \rfloor + 1 - k)^+` cheapest venues (the
    thinnest books) by ``target_move`` each: :math:`C_N = \sum` of their push costs, equal to
    :math:`(\lfloor n/2 \rfloor + 1 - k)^+ C_1(m, D)` when every venue has depth :math:`D`.

    Parameters
    ----------
    target_move : float
        Relative move of the reported price wanted, > -1.
    depth_per_feed : float or array of float, shape (n - k,)
        Book depth of each venue the honest feeds read, units per 1%, > 0 (one number: every
        venue alike). Low on-chain activity means thin books.
    k : int
        Feeds already on the attacker's side (stale in its favour or compromised), in [0, n].
    n : int
        Number of feeds, >= 1 (1 is a single-feed oracle).
    impact : {"linear", "exponential", "sqrt"}
        Impact model of the venues' books.
    price : float
        Undisturbed price, USD per unit, > 0.

    Returns
    -------
    float
        Cost, USD (0 if the bad feeds already hold a majority).

    Examples
    --------
    >>> manipulation_cost(0.10, 1_000.0, n=1)       # one feed: one venue to push
    50000.0
    >>> manipulation_cost(0.10, 1_000.0, n=7)       # median of 7: four venues
    200000.0
    """
    n = check_int("n", n, lo=1)
    k = check_int("k", k, lo=0, hi=n)
    impact = check_choice("impact", impact, tuple(IMPACT_MODELS))
    need = feeds_to_capture(n, k)
    d = np.atleast_1d(np.asarray(depth_per_feed, dtype=np.float64))
    if d.size == 1:
        d = np.full(n - k, float(d[0]))
    d = check_array("depth_per_feed", d, n=n - k, lo=0.0, lo_open=True)
    _check_move(target_move, impact)
    price = check_real("price", price, lo=0.0, lo_open=True)
    if need == 0:
        return 0.0
    cheapest = np.sort(d)[:need]
    unit = push_cost(target_move, Book(1.0, impact), price)  # C_1 is linear in D
    return float(unit * cheapest.sum())


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
        True price, USD, > 0.
    n, k : int
        Feeds (>= 1) and bad feeds (in [0, n]).
    deviation : float
        Relative error of the bad feeds, > -1.
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
    price = check_real("price", price, lo=0.0, lo_open=True)
    n = check_int("n", n, lo=1)
    k = check_int("k", k, lo=0, hi=n)
    deviation = check_real("deviation", deviation, lo=-1.0, lo_open=True)
    dispersion = check_real("dispersion", dispersion, lo=0.0, hi=0.5)
    rng = np.random.default_rng(seed)
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
    price: float = 100.0,
    dispersion: float = 0.002,
    depth_range: tuple[float, float] = (100.0, 1_000_000.0),
    seed: int | None = 0,
) -> OracleNetworkResult:
    r"""One feed against a median of ``n``: the reported price and the cost of moving it.

    Parameters
    ----------
    n : int
        Feeds in the network, >= 1.
    k : int
        Bad feeds (stale or rigged), in [0, n]; they count towards the attacker's majority.
    deviation : float
        Error of the bad feeds and the move the attacker wants, fraction, > -1, != 0.
    depth : float
        Book depth of every venue, units per 1%, > 0.
    impact : {"linear", "exponential", "sqrt"}
        Impact model of the venues.
    price : float
        True price, USD, > 0.
    dispersion : float
        Spread of honest feeds (log-sd), in [0, 0.5].
    depth_range : (float, float)
        Range of the cost curves' depth grid (40 points, log-spaced), units per 1%.
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
    n = check_int("n", n, lo=1)
    k = check_int("k", k, lo=0, hi=n)
    deviation = check_real("deviation", deviation, lo=-1.0, lo_open=True)
    if deviation == 0.0:
        raise ValueError("deviation must be non-zero (the move an attacker wants), got 0")
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    lo = check_real("depth_range[0]", depth_range[0], lo=0.0, lo_open=True)
    hi = check_real("depth_range[1]", depth_range[1], lo=lo, lo_open=True)
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
