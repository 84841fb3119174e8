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

**An automated market maker as the feed.** A constant-product pool (Uniswap v2) holds
:math:`x` units of the asset and :math:`y` USD and trades so that the product :math:`x\,y` stays
constant (fees aside); its spot price is :math:`p = y/x`. A protocol that reads that spot price
as its oracle can be moved by anyone who trades against the pool. To move the spot to
:math:`p' = p(1 + m)` the reserves must become, from :math:`x'y' = xy` and :math:`y'/x' = p'`,

.. math::
    x' = \frac{x}{r}, \qquad y' = y\,r, \qquad r = \sqrt{1 + m},

so the attacker trades :math:`|x' - x| = x\,|1/r - 1|` units (sells for :math:`m < 0`, buys for
:math:`m > 0`) and receives (or pays) :math:`|y - y'|` USD. Its *push cost*, what it loses
against the undisturbed price if the price returns to :math:`p`, is the value at :math:`p` of
the units given up less the USD received (for a sale; the mirror image for a purchase):

.. math::
    C_{\text{AMM}}(m, y) = p\,(x' - x) - (y - y') = y\Big(\frac1r - 1\Big) - y(1 - r)
    = y\,\frac{(1 - r)^2}{r}.

For small moves :math:`r \approx 1 + m/2`, so :math:`C_{\text{AMM}} \approx y\,m^2/4`: the same
as a linear book of depth :math:`D_{\text{eq}} = y/(200\,p)` units per 1%
(:func:`amm_equivalent_depth`), since :math:`50\,p\,D_{\text{eq}}\,m^2 = y\,m^2/4`. The cost is
linear in the pool's reserves, like a book's in its depth, and one pool is one feed: an oracle
that reads a single pool's spot price has no majority to buy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from cascadelab._validate import check_array, check_choice, check_instance, check_int, check_real
from cascadelab.market import IMPACT_MODELS, Book

__all__ = [
    "amm_equivalent_depth",
    "amm_push_cost",
    "amm_push_units",
    "feeds_to_capture",
    "manipulation_cost",
    "median_oracle",
    "push_cost",
    "push_units",
]

# The ranges within which every cost is finite (see the functions' docstrings).
MAX_FEEDS = 1_000_000  # feeds in a network
MAX_MOVE = 10.0  # relative price move an attacker targets (+1000%)
MAX_DEPTH = 1e15  # book depth, units per 1%
MAX_PRICE = 1e12  # USD per unit


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
    f = check_array("feeds", feeds, ndim=None, lo=0.0, lo_open=True)
    if f.shape[-1] < 1:
        raise ValueError(f"feeds must hold at least one reading, got shape {f.shape}")
    out = np.median(f, axis=-1)
    return float(out) if out.ndim == 0 else out


def feeds_to_capture(n: int, k: int = 0) -> int:
    r"""Feeds an attacker must still move to choose the median.

    :math:`(\lfloor n/2 \rfloor + 1 - k)^+`: a majority, less the bad feeds it already has.

    Parameters
    ----------
    n : int
        Number of feeds in the network, in [1, 1,000,000].
    k : int
        Bad feeds already on the attacker's side, in [0, n].

    Examples
    --------
    >>> feeds_to_capture(1), feeds_to_capture(7), feeds_to_capture(7, k=3)
    (1, 4, 1)
    """
    n = check_int("n", n, lo=1, hi=MAX_FEEDS)
    k = check_int("k", k, lo=0, hi=n)
    return max(n // 2 + 1 - k, 0)


def _check_move(move: float, impact: str, floor: float = 1e-3) -> float:
    m = check_real("target_move", move, lo=-1.0, hi=MAX_MOVE, lo_open=True)
    if m <= -(1.0 - floor) and impact != "exponential":
        raise ValueError(
            f"target_move must be above {-(1.0 - floor):g} (the book's floor), got {m:g}"
        )
    return m


def _check_book(book: object) -> Book:
    check_instance("book", book, Book)
    assert isinstance(book, Book)
    if book.depth > MAX_DEPTH:
        raise ValueError(f"book.depth must be at most {MAX_DEPTH:g} units per 1% here (so that "
                         f"costs stay finite), got {book.depth:g}")
    return book


def push_units(target_move: float, book: Book) -> float:
    r"""Units an attacker must trade through ``book`` to move its price by ``target_move``.

    Buys push the price up (``target_move > 0``), sells push it down. Inverts the impact model of
    :func:`cascadelab.impact_price` (equations in the module docstring).

    Parameters
    ----------
    target_move : float
        Relative price move wanted, in (-1, 10] (0.1 = 10% up, -0.1 = 10% down); above
        -0.999 (the book's floor) unless the book is exponential.
    book : Book
        The venue's book, depth at most 1e15 units per 1%.

    Returns
    -------
    float
        Units traded, >= 0.

    Examples
    --------
    >>> push_units(0.01, Book(depth=1_000.0))   # 1% costs D units on a linear book
    1000.0
    """
    book = _check_book(book)
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
        Relative price move wanted, in (-1, 10], as in :func:`push_units`.
    book : Book
        The venue's book (depth in units per 1%, at most 1e15; impact model).
    price : float
        Undisturbed price, USD per unit, in (0, 1e12].

    Within these ranges the cost is finite.

    Returns
    -------
    float
        Cost, USD.

    Examples
    --------
    >>> push_cost(0.10, Book(depth=1_000.0), price=100.0)   # 50 p D m^2
    50000.0
    """
    book = _check_book(book)
    m = _check_move(target_move, book.impact, book.floor)
    price = check_real("price", price, lo=0.0, hi=MAX_PRICE, lo_open=True)
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
        Relative move of the reported price wanted, in (-1, 10], as in :func:`push_units`.
    depth_per_feed : float or array of float, shape (n - k,)
        Book depth of each venue the honest feeds read, units per 1%, in (0, 1e15] (one
        number: every venue alike). Low on-chain activity means thin books.
    k : int
        Feeds already on the attacker's side (stale in its favour or compromised), in [0, n].
    n : int
        Number of feeds, in [1, 1,000,000] (1 is a single-feed oracle).
    impact : {"linear", "exponential", "sqrt"}
        Impact model of the venues' books.
    price : float
        Undisturbed price, USD per unit, in (0, 1e12].

    Within these ranges the cost is finite.

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
    n = check_int("n", n, lo=1, hi=MAX_FEEDS)
    k = check_int("k", k, lo=0, hi=n)
    impact = check_choice("impact", impact, tuple(IMPACT_MODELS))
    need = feeds_to_capture(n, k)
    d = check_array("depth_per_feed", depth_per_feed, lo=0.0, hi=MAX_DEPTH, lo_open=True)
    if d.size == 1:
        d = np.full(n - k, float(d[0]))
    d = check_array("depth_per_feed", d, n=n - k, per="honest feed, n - k", lo=0.0,
                    hi=MAX_DEPTH, lo_open=True)
    _check_move(target_move, impact)
    price = check_real("price", price, lo=0.0, hi=MAX_PRICE, lo_open=True)
    if need == 0:
        return 0.0
    cheapest = np.sort(d)[:need]
    unit = push_cost(target_move, Book(1.0, impact), price)  # C_1 is linear in D
    return float(unit * cheapest.sum())


# ----------------------------------------------------------------------------- AMM as a feed


def _check_amm(target_move: float, reserve_usd: float, price: float) -> tuple[float, float, float]:
    m = check_real("target_move", target_move, lo=-1.0, lo_open=True)
    y = check_real("reserve_usd", reserve_usd, lo=0.0, lo_open=True)
    p = check_real("price", price, lo=0.0, lo_open=True)
    return m, y, p


def amm_push_units(target_move: float, reserve_usd: float, price: float = 100.0) -> float:
    r"""Units of the asset to trade against a constant-product pool to move its spot price.

    :math:`|x' - x| = x\,|1/r - 1|` with :math:`x = y/p` and :math:`r = \sqrt{1 + m}` (module
    docstring): sold into the pool for :math:`m < 0`, bought from it for :math:`m > 0`.

    Parameters
    ----------
    target_move : float
        Relative move of the pool's spot price wanted, > -1 (-0.1 = 10% down).
    reserve_usd : float
        The pool's USD reserve :math:`y`, USD, > 0 (its asset reserve is :math:`y/p` units, so
        the pool holds :math:`2y` of value).
    price : float
        The pool's spot price before the trade, USD per unit, > 0.

    Returns
    -------
    float
        Units of the asset traded, >= 0.

    Examples
    --------
    >>> round(amm_push_units(-0.19, 1_000_000.0, price=100.0), 6)   # r = 0.9: x (1/0.9 - 1)
    1111.111111
    """
    m, y, p = _check_amm(target_move, reserve_usd, price)
    r = math.sqrt(1.0 + m)
    return (y / p) * abs(1.0 / r - 1.0)


def amm_push_cost(target_move: float, reserve_usd: float, price: float = 100.0) -> float:
    r"""USD an attacker loses to move a constant-product pool's spot price by ``target_move``.

    :math:`C_{\text{AMM}}(m, y) = y\,(1 - r)^2 / r`, :math:`r = \sqrt{1 + m}` (derivation in the
    module docstring): the premium paid over the undisturbed price ``price`` along the trade,
    i.e. the attacker's loss if the price later returns to ``price``. Fees (0.3% of the input
    on Uniswap v2) would add to it and are left out.

    Parameters
    ----------
    target_move : float
        Relative move of the pool's spot price wanted, > -1.
    reserve_usd : float
        The pool's USD reserve :math:`y`, USD, > 0.
    price : float
        Spot price before the trade, USD per unit, > 0 (the cost does not depend on it once
        the USD reserve is given).

    Returns
    -------
    float
        Cost, USD.

    Examples
    --------
    >>> round(amm_push_cost(-0.19, 1_000_000.0), 6)   # y (1 - 0.9)^2 / 0.9
    11111.111111
    >>> round(amm_push_cost(-0.001, 1e6) / (1e6 * 0.001**2 / 4), 3)   # small moves: y m^2 / 4
    1.001
    """
    m, y, _ = _check_amm(target_move, reserve_usd, price)
    r = math.sqrt(1.0 + m)
    return y * (1.0 - r) ** 2 / r


def amm_equivalent_depth(reserve_usd: float, price: float = 100.0) -> float:
    r"""Depth of the linear book that a constant-product pool matches for small moves.

    :math:`D_{\text{eq}} = y / (200\,p)` units per 1%: selling :math:`D_{\text{eq}}` units moves
    the pool's spot price by about 1%, and small pushes cost the same as on that book.

    Parameters
    ----------
    reserve_usd : float
        The pool's USD reserve :math:`y`, USD, > 0.
    price : float
        Spot price, USD per unit, > 0.

    Returns
    -------
    float
        Units per 1% move.

    Examples
    --------
    >>> amm_equivalent_depth(4_000_000.0, price=100.0)
    200.0
    """
    _, y, p = _check_amm(0.0, reserve_usd, price)
    return y / (200.0 * p)
