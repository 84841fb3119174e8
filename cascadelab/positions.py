r"""Leveraged positions: who holds what, with how much margin, and where they break.

A position of ``size`` units opened at price ``entry`` with leverage :math:`L` posts collateral
(initial margin) :math:`c = \text{size}\cdot\text{entry}/L` in the quote currency (say USD).
Its equity at price :math:`p` is

.. math:: e(p) = c + s\,\text{size}\,(p - \text{entry}),

with side :math:`s = +1` for a long and :math:`s = -1` for a short. The venue liquidates the
position once equity falls to the maintenance requirement :math:`m\,\text{size}\,p`
(a fraction ``m`` of the current notional). The position is bankrupt once equity is zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np
from numba import njit

from cascadelab._validate import (
    ArgumentTypeError,
    check_array,
    check_instance,
    check_int,
    check_real,
    check_seed,
)

__all__ = [
    "SORT_KEYS",
    "Positions",
    "SortedSide",
    "bankruptcy_price",
    "check_draw_parameters",
    "liquidation_price",
    "pareto_leverage",
    "sample_positions",
]


SORT_KEYS = ("liquidation", "bankruptcy")
"""The prices :meth:`Positions.by_trigger` can sort a side by."""


class SortedSide(NamedTuple):
    """One side of the market sorted most exposed first, as contiguous arrays.

    ``index`` maps back to the original positions; ``liq``, ``size``, ``bankrupt``, ``entry``
    and ``collateral`` are those positions' liquidation price, size, bankruptcy price, entry
    price and collateral; ``collateral_cumsum[k - 1]`` is the collateral of the first ``k``
    and ``size_before[k]`` their units (length n + 1, ``size_before[0] = 0``).
    """

    index: np.ndarray
    liq: np.ndarray
    size: np.ndarray
    bankrupt: np.ndarray
    entry: np.ndarray
    collateral: np.ndarray
    collateral_cumsum: np.ndarray
    size_before: np.ndarray


MAX_POSITIONS = 10_000_000
"""Largest population :func:`sample_positions` draws (its arrays take about 0.5 GB)."""

MAX_NOTIONAL = 1e40
"""Largest notional ``size * entry`` of one position, USD: far beyond any market, small enough
that sums over millions of positions, and their squares, stay finite."""


@dataclass(frozen=True, eq=False)
class Positions:
    """A population of leveraged positions in one asset, stored as a struct of arrays.

    Parameters
    ----------
    side : array of int8
        +1 for a long, -1 for a short.
    size : array of float
        Position size in units of the asset, > 0.
    entry : array of float
        Entry price in USD per unit, > 0, with a notional ``size * entry`` of at most
        :data:`MAX_NOTIONAL` (1e40 USD, so that every sum over positions stays finite).
    leverage : array of float
        Leverage :math:`L = \\text{notional at entry} / \\text{collateral}`, >= 1.
    maintenance : array of float (or a float, broadcast)
        Maintenance-margin ratio :math:`m`, as a fraction of notional, with ``0 <= m < 1/L``
        so that a fresh position is never born liquidatable.

    The arrays are copied, made read-only and validated on construction.

    Examples
    --------
    >>> pos = Positions(side=[1, -1], size=[2.0, 1.0], entry=[100.0, 100.0],
    ...                 leverage=[10.0, 5.0], maintenance=0.01)
    >>> liquidation_price(pos).round(2)
    array([ 90.91, 118.81])
    """

    side: np.ndarray
    size: np.ndarray
    entry: np.ndarray
    leverage: np.ndarray
    maintenance: np.ndarray

    def __post_init__(self) -> None:
        side = check_array("side", self.side)
        n = side.shape[0]
        if n and not np.all(np.isin(side, (-1, 1))):
            i = int(np.argmax(~np.isin(side, (-1, 1))))
            raise ValueError(f"side must be +1 (long) or -1 (short), got {side[i]:g} at index {i}")
        side = side.astype(np.int8)
        size = check_array("size", self.size, n=n, per="position", lo=0.0, lo_open=True)
        entry = check_array("entry", self.entry, n=n, per="position", lo=0.0, lo_open=True)
        too_big = size * entry > MAX_NOTIONAL
        if too_big.any():
            i = int(np.argmax(too_big))
            raise ValueError(
                f"size * entry (the notional) must be at most {MAX_NOTIONAL:g} USD so that sums "
                f"stay finite, got {size[i] * entry[i]:g} at index {i}"
            )
        leverage = check_array("leverage", self.leverage, n=n, per="position", lo=1.0)
        maintenance = check_array("maintenance", self.maintenance, n=n, per="position", lo=0.0,
                                  broadcast=True)
        too_high = maintenance >= 1.0 / leverage
        if too_high.any():
            i = int(np.argmax(too_high))
            raise ValueError(
                f"maintenance must be in [0, 1/leverage) = [0, {1.0 / leverage[i]:g}) for each "
                f"position, got {maintenance[i]:g} at index {i} (leverage {leverage[i]:g})"
            )
        for name, arr in (
            ("side", side),
            ("size", size),
            ("entry", entry),
            ("leverage", leverage),
            ("maintenance", maintenance),
        ):
            arr = arr.copy()
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)

    def __len__(self) -> int:
        return int(self.side.shape[0])

    def __repr__(self) -> str:
        n_long = int((self.side > 0).sum())
        return (
            f"Positions(n={len(self)}, longs={n_long}, shorts={len(self) - n_long}, "
            f"open interest={self.notional.sum():,.0f} USD, "
            f"median leverage={np.median(self.leverage) if len(self) else float('nan'):.1f}x)"
        )

    @cached_property
    def collateral(self) -> np.ndarray:
        """Collateral (initial margin) posted per position, USD: size * entry / leverage."""
        return self.size * self.entry / self.leverage

    @cached_property
    def notional(self) -> np.ndarray:
        """Notional value at entry, USD: size * entry."""
        return self.size * self.entry

    @cached_property
    def liquidation_price(self) -> np.ndarray:
        """Liquidation price per position, USD (cached; see :func:`liquidation_price`)."""
        return liquidation_price(self)

    @cached_property
    def bankruptcy_price(self) -> np.ndarray:
        """Bankruptcy price per position, USD (cached; see :func:`bankruptcy_price`)."""
        return bankruptcy_price(self)

    def by_trigger(self, direction: int, key: str = "liquidation") -> SortedSide:
        r"""Longs (``direction=+1``) or shorts (``-1``) sorted most exposed first (cached).

        ``key`` names the price that orders them: ``"liquidation"`` (each position's own
        maintenance ratio; the static cascade) or ``"bankruptcy"`` (one common ratio
        :math:`m_t` for all, so the trigger :math:`o(1 - m_t) \le b_i + \ell` depends on
        :math:`b_i` alone; the market engine). Longs come highest price first, shorts lowest
        first; ties keep the input order. The one cache of the population: each order is
        sorted and copied into contiguous arrays once, which is what lets every cascade or
        engine run sweep only the positions it liquidates, reading memory in order.
        """
        if direction not in (1, -1):
            raise ValueError(f"direction must be +1 (longs) or -1 (shorts), got {direction!r}")
        if key not in SORT_KEYS:
            raise ValueError(f"key must be one of {', '.join(map(repr, SORT_KEYS))}; got {key!r}")
        cache = self.__dict__.setdefault("_sorted", {})
        side = cache.get((direction, key))
        if side is None:
            price = self.liquidation_price if key == "liquidation" else self.bankruptcy_price
            idx = np.flatnonzero(self.side == direction)
            exposed_first = -price[idx] if direction > 0 else price[idx]
            idx = idx[np.argsort(exposed_first, kind="stable")]
            size = np.ascontiguousarray(self.size[idx])
            collateral = np.ascontiguousarray(self.collateral[idx])
            side = SortedSide(
                idx,
                np.ascontiguousarray(self.liquidation_price[idx]),
                size,
                np.ascontiguousarray(self.bankruptcy_price[idx]),
                np.ascontiguousarray(self.entry[idx]),
                collateral,
                np.cumsum(collateral),
                np.concatenate(([0.0], np.cumsum(size))),
            )
            cache[(direction, key)] = side
        return side

    def subset(self, mask: np.ndarray) -> Positions:
        """The positions selected by a boolean mask or an index array."""
        sel = np.asarray(mask)
        if sel.dtype.kind == "b" and sel.shape != (len(self),):
            raise ValueError(f"mask must hold one flag per position ({len(self)}), got shape "
                             f"{sel.shape}")
        if sel.dtype.kind not in "biu" or sel.ndim != 1:
            raise ArgumentTypeError(f"mask must be a 1-D boolean mask or index array, got "
                                    f"{sel.dtype} of shape {sel.shape}")
        if sel.dtype.kind != "b" and sel.size and (sel.min() < -len(self)
                                                    or sel.max() >= len(self)):
            raise ValueError(f"mask indices must be in [-{len(self)}, {len(self) - 1}], got "
                             f"{sel.min()} to {sel.max()}")
        mask = sel
        return Positions(
            self.side[mask], self.size[mask], self.entry[mask], self.leverage[mask],
            self.maintenance[mask],
        )


def bankruptcy_price(positions: Positions) -> np.ndarray:
    r"""Price (USD) at which each position's equity is exactly zero.

    From :math:`e(p) = \text{size}\,\text{entry}/L + s\,\text{size}\,(p - \text{entry}) = 0`:

    .. math::
        p_{\text{bankrupt}} = \text{entry}\,(1 - 1/L) \ \text{(long)}, \qquad
        p_{\text{bankrupt}} = \text{entry}\,(1 + 1/L) \ \text{(short)}.

    A 1x long is bankrupt only at a price of zero.
    """
    check_instance("positions", positions, Positions)
    return positions.entry * (1.0 - positions.side / positions.leverage)


def liquidation_price(positions: Positions) -> np.ndarray:
    r"""Price (USD) at which each position reaches its maintenance margin.

    Setting equity equal to the maintenance requirement on the current notional,
    :math:`e(p) = m\,\text{size}\,p`, and dividing by size:

    .. math::
        \text{long:}\quad \text{entry}/L + p - \text{entry} = m p
        \;\Rightarrow\; p_{\text{liq}} = \frac{\text{entry}\,(1 - 1/L)}{1 - m},

    .. math::
        \text{short:}\quad \text{entry}/L + \text{entry} - p = m p
        \;\Rightarrow\; p_{\text{liq}} = \frac{\text{entry}\,(1 + 1/L)}{1 + m}.

    Because ``m < 1/L``, a long's liquidation price lies between its bankruptcy price and its
    entry; the gap to the bankruptcy price is the buffer that pays the penalty and slippage.
    """
    check_instance("positions", positions, Positions)
    return bankruptcy_price(positions) / (1.0 - positions.side * positions.maintenance)


def check_draw_parameters(
    max_leverage: float,
    leverage: float,
    leverage_tail: float,
    long_share: float,
    maintenance: float,
    entry_spread: float,
    notional: float,
    notional_sigma: float,
) -> tuple[float, float, float, float, float, float, float, float]:
    """Validate the population parameters that :func:`sample_positions` and
    :func:`cascadelab.portfolio.sample_accounts` share, and return them as floats in this order.

    Ranges: ``max_leverage`` in [1, 1000], ``leverage`` (the median) in [1, max_leverage],
    ``leverage_tail`` in (0, 100], ``long_share`` in [0, 1], ``maintenance`` in
    [0, 1/max_leverage), ``entry_spread`` in [0, 1], ``notional`` (USD) > 0 and
    ``notional_sigma`` in [0, 5]. Raises ``ValueError`` naming the first one out of range.

    Examples
    --------
    >>> check_draw_parameters(50, 10, 1.5, 0.6, 0.005, 0.04, 10_000, 1.0)[:2]
    (50.0, 10.0)
    """
    max_leverage = check_real("max_leverage", max_leverage, lo=1.0, hi=1000.0)
    leverage = check_real("leverage", leverage, lo=1.0, hi=max_leverage)
    leverage_tail = check_real("leverage_tail", leverage_tail, lo=0.0, hi=100.0, lo_open=True)
    long_share = check_real("long_share", long_share, lo=0.0, hi=1.0)
    maintenance = check_real(
        "maintenance", maintenance, lo=0.0, hi=1.0 / max_leverage, hi_open=True
    )
    entry_spread = check_real("entry_spread", entry_spread, lo=0.0, hi=1.0)
    notional = check_real("notional", notional, lo=0.0, hi=1e12, lo_open=True)
    notional_sigma = check_real("notional_sigma", notional_sigma, lo=0.0, hi=5.0)
    return (max_leverage, leverage, leverage_tail, long_share, maintenance, entry_spread,
            notional, notional_sigma)


def pareto_leverage(
    u: np.ndarray, leverage: float, leverage_tail: float, max_leverage: float
) -> np.ndarray:
    r"""Heavy-tailed leverage from uniforms ``u`` in (0, 1], one per position.

    :math:`L = \min\{1 + (\bar L - 1)\,(2U)^{-1/\alpha},\ L_{\max}\}` (at least 1), with median
    :math:`\bar L` = ``leverage`` (at :math:`U = 1/2`) and Pareto tail index :math:`\alpha` =
    ``leverage_tail``: the smaller :math:`\alpha`, the more positions near ``max_leverage``.

    Parameters
    ----------
    u : array of float
        Uniform draws in (0, 1] (e.g. ``1 - rng.random(n)``).
    leverage : float
        Median leverage, in [1, max_leverage].
    leverage_tail : float
        Pareto tail index, in (0, 100].
    max_leverage : float
        Largest leverage, in [1, 1000].

    Returns
    -------
    ndarray
        Leverage per draw, in [1, max_leverage].

    Examples
    --------
    >>> pareto_leverage([1.0, 0.5, 0.01], 10.0, 1.5, 50.0).round(2)
    array([ 6.67, 10.  , 50.  ])
    """
    max_leverage = check_real("max_leverage", max_leverage, lo=1.0, hi=1000.0)
    leverage = check_real("leverage", leverage, lo=1.0, hi=max_leverage)
    leverage_tail = check_real("leverage_tail", leverage_tail, lo=0.0, hi=100.0, lo_open=True)
    u = check_array("u", u, lo=0.0, hi=1.0, lo_open=True)
    with np.errstate(over="ignore", invalid="ignore"):  # (2U)^(-1/alpha) = inf: capped below
        lev = np.minimum(1.0 + (leverage - 1.0) * (2.0 * u) ** (-1.0 / leverage_tail),
                         max_leverage)
    return np.maximum(np.where(np.isnan(lev), 1.0, lev), 1.0)  # NaN: 0 * inf at leverage 1


def sample_positions(
    n: int,
    price: float,
    *,
    leverage: float = 10.0,
    max_leverage: float = 50.0,
    leverage_tail: float = 1.5,
    long_share: float = 0.6,
    maintenance: float = 0.005,
    entry_spread: float = 0.04,
    notional: float = 10_000.0,
    notional_sigma: float = 1.0,
    seed: int | None = 0,
) -> Positions:
    r"""Draw a realistic population of ``n`` open positions around the current ``price``.

    Distributions (all independent across positions):

    * side: long with probability ``long_share``, short otherwise;
    * leverage, heavy-tailed (Pareto with tail index ``leverage_tail``) with median ``leverage``,
      clipped to ``[1, max_leverage]``:
      :math:`L = \min\{1 + (\bar L - 1)\,(2U)^{-1/\alpha},\ L_{\max}\}`, :math:`U \sim U(0, 1]`;
    * entry price, log-normal around the price: :math:`\text{entry} = p\,e^{\delta Z}`,
      :math:`Z \sim N(0, 1)`, :math:`\delta` = ``entry_spread``; a position whose liquidation price
      is already crossed at ``price`` would have been liquidated before today, so its entry is
      redrawn (up to 50 times, then set to ``price``);
    * notional at entry, log-normal with median ``notional`` USD and log-sd ``notional_sigma``;
      size = notional / entry units.

    Parameters
    ----------
    n : int
        Number of positions, in [0, 10,000,000].
    price : float
        Current price of the asset, USD per unit, in [1e-12, 1e12].
    leverage : float
        Median leverage, in [1, max_leverage].
    max_leverage : float
        Largest leverage the venue allows, >= 1.
    leverage_tail : float
        Pareto tail index of leverage, > 0 (smaller = heavier tail).
    long_share : float
        Probability that a position is long, in [0, 1].
    maintenance : float
        Maintenance-margin ratio for every position, in [0, 1/max_leverage).
    entry_spread : float
        Log-sd of entry prices around ``price``, in [0, 1].
    notional : float
        Median notional per position, USD, in (0, 1e12].
    notional_sigma : float
        Log-sd of notionals, in [0, 5].
    seed : int or None
        Seed of the ``numpy.random.Generator``, >= 0; the same seed gives the same population.

    Within these ranges every draw is a valid :class:`Positions` (finite sizes, notionals at
    most :data:`MAX_NOTIONAL`).

    Returns
    -------
    Positions

    Examples
    --------
    >>> pos = sample_positions(1000, 100.0, seed=1)
    >>> len(pos), bool((liquidation_price(pos)[pos.side > 0] < 100).all())
    (1000, True)
    """
    n = check_int("n", n, lo=0, hi=MAX_POSITIONS)
    price = check_real("price", price, lo=1e-12, hi=1e12)
    (max_leverage, leverage, leverage_tail, long_share, maintenance, entry_spread, notional,
     notional_sigma) = check_draw_parameters(max_leverage, leverage, leverage_tail, long_share,
                                             maintenance, entry_spread, notional,
                                             notional_sigma)

    rng = np.random.default_rng(check_seed(seed))
    side = np.where(rng.random(n) < long_share, 1, -1).astype(np.int8)
    u = 1.0 - rng.random(n)  # in (0, 1]
    lev = pareto_leverage(u, leverage, leverage_tail, max_leverage)
    usd = notional * np.exp(notional_sigma * rng.standard_normal(n))

    # Entry prices; redraw those already past their liquidation price today.
    entry = price * np.exp(entry_spread * rng.standard_normal(n))
    ratio = (1.0 - side / lev) / (1.0 - side * maintenance)  # liquidation price / entry
    for _ in range(50):
        crossed = side * (price - entry * ratio) <= 0.0
        if not crossed.any():
            break
        k = int(crossed.sum())
        entry[crossed] = price * np.exp(entry_spread * rng.standard_normal(k))
    crossed = side * (price - entry * ratio) <= 0.0
    entry[crossed] = price
    return Positions(side, usd / entry, entry, lev, np.full(n, maintenance))


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
