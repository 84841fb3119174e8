r"""The static liquidation cascade: shock, forced sales, slippage, more forced sales.

A shock moves the price from :math:`p_0` to :math:`p_1 = p_0 (1 - s)`. Every long whose
liquidation price is at or above the current price is closed at market; selling :math:`Q`
cumulative units through the book gives the price :math:`P(Q) = \text{impact}(p_1, Q)`, which may
cross more liquidation prices, and so on (a negative shock does the same to shorts, with buys).

With :math:`\rho` units of liquidations per 1% of price near :math:`p_1` and a linear book of
depth :math:`D`, each 1% of move forces :math:`\rho` units of sales that move the price a further
:math:`\rho / D` percent. Summing the geometric series, a small shock is amplified by

.. math:: \text{amplification} \approx \frac{1}{1 - \rho / D}, \qquad \rho < D,

and for :math:`\rho \ge D` the loop runs away through the whole cluster of liquidation prices.

The price band of :mod:`cascadelab.market` bounds every round's price: :math:`\text{floor}\,p_1
\le P_k \le \text{PRICE\_CAP}\,p_1` (``floor`` the book's, ``PRICE_CAP = 2``). Sells never went
below the floor; the cap bounds a squeeze of shorts, whose forced buys have no limit in a linear
or exponential book and would otherwise run to ``inf`` through a thin one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from cascadelab._validate import check_instance, check_real
from cascadelab.kernels.cascade import settle_prefix, sweep
from cascadelab.market import Book
from cascadelab.positions import Positions

__all__ = ["CascadeResult", "cascade", "cascade_multiplier", "liquidation_density"]


@dataclass(frozen=True, eq=False)
class CascadeResult:
    """Outcome of :func:`cascade`. Prices in USD per unit, money in USD, volumes in units.

    Attributes
    ----------
    price, shock, shocked_price : float
        Starting price :math:`p_0`, the shock :math:`s` and :math:`p_1 = p_0 (1 - s)`.
    final_price : float
        Price once no further position is crossed (the least fixed point).
    rounds : int
        Number of rounds in which at least one position was liquidated.
    round_prices : ndarray
        ``p1`` followed by the price after each round (length ``rounds + 1``).
    round_units : ndarray
        Units liquidated in each round (length ``rounds``).
    n_liquidated : int
        Number of positions closed.
    liquidated_units, liquidated_notional : float
        Units sold (or bought) and their USD value at the fill prices.
    penalties, bad_debt : float
        Penalties collected (to the liquidator or insurance fund) and collateral shortfall
        beyond the bankruptcy price, USD.
    returned, paid_to_market : float
        Collateral handed back to liquidated traders, and collateral paid to their
        counterparties for the losses, USD. For the closed positions,
        ``collateral = returned + penalties + paid_to_market``.
    amplification : float
        Total move over the shock's own move, :math:`(p_0 - p_*) / (p_0 - p_1)`; 1 means no
        cascade. For a zero shock it is 1, or ``inf`` if positions already crossed at
        :math:`p_0` move the price on their own.

    Per-position arrays (``liquidated``, ``fill_price``, ``position_returned``,
    ``position_penalty``, ``position_paid``, ``position_bad_debt``, each of length N, in the
    order of the input positions) are computed on first access, so that a cascade that closes
    few positions costs little.
    """

    price: float
    shock: float
    shocked_price: float
    final_price: float
    rounds: int
    round_prices: np.ndarray
    round_units: np.ndarray
    n_liquidated: int
    liquidated_units: float
    liquidated_notional: float
    penalties: float
    bad_debt: float
    returned: float
    paid_to_market: float
    amplification: float
    _positions: Positions = field(repr=False)
    _round_end: np.ndarray = field(repr=False)
    _penalty_rate: float = field(repr=False)

    @property
    def move(self) -> float:
        """Total relative price move, (final - p0) / p0 (negative for a fall)."""
        return self.final_price / self.price - 1.0

    @property
    def direction(self) -> int:
        """+1 when longs were hit (price fell), -1 when shorts were hit (price rose)."""
        return 1 if self.shock >= 0.0 else -1

    @cached_property
    def _per_position(self) -> dict[str, np.ndarray]:
        n = len(self._positions)
        side = self._positions.by_trigger(self.direction)
        k = self.n_liquidated
        round_fill = 0.5 * (self.round_prices[:-1] + self.round_prices[1:])
        counts = np.diff(np.r_[0, self._round_end])
        fill = np.repeat(round_fill, counts)
        parts = [np.empty(k) for _ in range(4)]
        settle_prefix(side.size, side.entry, side.collateral, self.direction, fill,
                      self._penalty_rate, *parts)
        out = {"fill_price": fill, "returned": parts[0], "penalty": parts[1],
               "paid": parts[2], "bad_debt": parts[3]}
        full = {}
        for name, values in out.items():
            arr = np.zeros(n)
            arr[side.index[:k]] = values
            full[name] = arr
        liquidated = np.zeros(n, dtype=bool)
        liquidated[side.index[:k]] = True
        full["liquidated"] = liquidated
        return full

    @property
    def liquidated(self) -> np.ndarray:
        """Boolean mask of the positions closed."""
        return self._per_position["liquidated"]

    @property
    def fill_price(self) -> np.ndarray:
        """Fill price of each closed position, USD (0 where not closed)."""
        return self._per_position["fill_price"]

    @property
    def position_returned(self) -> np.ndarray:
        """Collateral returned to each closed position's trader, USD."""
        return self._per_position["returned"]

    @property
    def position_penalty(self) -> np.ndarray:
        """Penalty taken from each closed position, USD."""
        return self._per_position["penalty"]

    @property
    def position_paid(self) -> np.ndarray:
        """Collateral paid to counterparties for each closed position's loss, USD."""
        return self._per_position["paid"]

    @property
    def position_bad_debt(self) -> np.ndarray:
        """Shortfall beyond each closed position's collateral, USD."""
        return self._per_position["bad_debt"]

    def describe(self) -> str:
        """The result in one short paragraph of words."""
        direction = "fall" if self.shock >= 0 else "rise"
        return (
            f"A {abs(self.shock):.1%} shock {direction} from {self.price:,.2f} to "
            f"{self.shocked_price:,.2f} USD liquidated {self.n_liquidated:,} positions "
            f"({self.liquidated_units:,.0f} units, {self.liquidated_notional:,.0f} USD) in "
            f"{self.rounds} rounds. The price ended at {self.final_price:,.2f} USD, a "
            f"{abs(self.move):.1%} move: {self.amplification:.2f}x the shock. Penalties "
            f"collected: {self.penalties:,.0f} USD; bad debt: {self.bad_debt:,.0f} USD."
        )


def cascade(
    positions: Positions,
    price: float,
    shock: float,
    book: Book,
    *,
    penalty: float = 0.01,
) -> CascadeResult:
    r"""Run the static cascade that a one-off ``shock`` sets off in ``positions``.

    Parameters
    ----------
    positions : Positions
        The open positions.
    price : float
        Price before the shock, USD per unit, > 0.
    shock : float
        Relative price drop in (-1, 1): 0.05 moves the price 5% down (longs are hit);
        a negative shock moves it up (shorts are hit).
    book : Book
        Liquidity the forced orders trade against.
    penalty : float
        Liquidation penalty as a fraction of the closed notional at the fill price, in [0, 1);
        it is taken only out of equity that is left.

    Returns
    -------
    CascadeResult

    Notes
    -----
    Round :math:`k` closes every position not yet closed whose liquidation price is crossed at
    :math:`P_{k-1}` (with :math:`P_0 = p_1`); with :math:`Q_k` cumulative units closed,
    :math:`P_k = \text{impact}(p_1, \pm Q_k)`, within the price band
    :math:`[\text{floor}, \text{PRICE\_CAP}]\,p_1` (module docstring). The batch of round
    :math:`k` fills at :math:`(P_{k-1} + P_k) / 2` (exact for a linear book). Each closed
    position has
    :math:`\text{pnl} = s\,\text{size}\,(\text{fill} - \text{entry})`, equity
    :math:`e = c + \text{pnl}`, penalty :math:`\min(\pi\,\text{size}\,\text{fill}, \max(e, 0))`
    and bad debt :math:`\max(-e, 0)`. The rounds stop at the least fixed point: at the final
    price, exactly the crossed positions are closed. Positions are sorted by liquidation price
    once (cached on ``positions``); each call then reads only the positions it closes.

    Examples
    --------
    >>> from cascadelab import Book, sample_positions
    >>> res = cascade(sample_positions(10_000, 100.0, seed=0), 100.0, 0.05, Book(50_000.0))
    >>> res.final_price < 95.0
    True
    """
    check_instance("positions", positions, Positions)
    check_instance("book", book, Book)
    price = check_real("price", price, lo=0.0, lo_open=True)
    shock = check_real("shock", shock, lo=-1.0, hi=1.0, lo_open=True, hi_open=True)
    penalty = check_real("penalty", penalty, lo=0.0, hi=1.0, hi_open=True)

    p1 = price * (1.0 - shock)
    direction = 1 if shock >= 0.0 else -1
    side = positions.by_trigger(direction)
    m = side.liq.shape[0]
    round_prices = np.empty(m + 1)
    round_units = np.empty(m)
    round_end = np.empty(m, dtype=np.int64)
    rounds, k, notional, penalties, bad_debt, returned = sweep(
        side.liq, side.size, side.bankrupt, direction, p1,
        book.depth, book.model, book.floor, penalty, round_prices, round_units, round_end,
    )
    # every unit of collateral of the closed positions ends somewhere named
    collateral = float(side.collateral_cumsum[k - 1]) if k else 0.0
    paid = collateral - returned - penalties
    round_prices = round_prices[: rounds + 1].copy()
    final = float(round_prices[-1])
    if p1 != price:
        amplification = (price - final) / (price - p1)
    else:  # no shock move: nothing to amplify, unless positions were already crossed at p0
        amplification = 1.0 if final == price else float("inf")
    return CascadeResult(
        price=price,
        shock=shock,
        shocked_price=p1,
        final_price=final,
        rounds=int(rounds),
        round_prices=round_prices,
        round_units=round_units[:rounds].copy(),
        n_liquidated=int(k),
        liquidated_units=float(round_units[:rounds].sum()),
        liquidated_notional=float(notional),
        penalties=float(penalties),
        bad_debt=float(bad_debt),
        returned=float(returned),
        paid_to_market=float(paid),
        amplification=float(amplification),
        _positions=positions,
        _round_end=round_end[:rounds].copy(),
        _penalty_rate=penalty,
    )


def cascade_multiplier(rho: float, depth: float) -> float:
    r"""Closed-form amplification :math:`1 / (1 - \rho / D)` of a small shock.

    ``rho``: units liquidated per 1% of price near the shocked price (>= 0); ``depth``: units
    per 1% of the book (> 0). Returns ``inf`` at or past the critical point :math:`\rho \ge D`,
    where the loop runs away through the whole cluster.
    """
    rho = check_real("rho", rho, lo=0.0)
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    return float("inf") if rho >= depth else 1.0 / (1.0 - rho / depth)


def liquidation_density(
    positions: Positions, price: float, *, window: float = 0.01, side: int = 1
) -> float:
    r"""Units of liquidations per 1% of price in the band a fall from ``price`` crosses next.

    This is the :math:`\rho` of the loop gain :math:`k = \rho / D`. It counts the units of
    longs (``side=+1``) whose liquidation price lies in :math:`[p (1 - w), p]`, or of shorts
    (``side=-1``) in :math:`[p, p (1 + w)]`, and divides by :math:`100 w`: units per 1% of
    :math:`p` (``w`` = ``window``, a fraction in (0, 1)).

    The default window is the 1% of price just beyond ``price``: where the forced sales of a
    small cascade go. Called at the shocked price :math:`p_1 = p_0 (1 - s)` of :func:`cascade`,
    where the forced selling starts and the book's depth :math:`D` is counted, it is the density
    those sales run into, per 1% of :math:`p_1`, and :func:`cascade_multiplier` of it forecasts
    the static cascade's amplification (chapter 00 derives the exact law,
    :func:`cascadelab.chapters.essence.static_cascade_move`, and measures the forecast's error).
    A wider window averages over liquidation prices a small cascade never reaches:
    ``window=0.05`` is the 5% average that chapters 01, 04 and 05 use as a coarse gauge of a
    whole market. Called at the starting price :math:`p_0` with the window equal to a cascade's
    total move, it gives the mean density of the band that cascade actually crossed, per 1% of
    :math:`p_0`, with which the exact law reproduces the simulation.

    Compare the result with the book's depth: :math:`\rho / D` close to 1 means the market sits
    near its critical point.

    Examples
    --------
    >>> from cascadelab import sample_positions
    >>> pos = sample_positions(20_000, 100.0, seed=0)
    >>> near, coarse = liquidation_density(pos, 99.0), liquidation_density(pos, 99.0, window=0.05)
    >>> bool(near < coarse)  # the density rises further below the price
    True
    """
    check_instance("positions", positions, Positions)
    price = check_real("price", price, lo=0.0, lo_open=True)
    window = check_real("window", window, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    if side not in (1, -1):
        raise ValueError(f"side must be +1 (longs) or -1 (shorts), got {side!r}")
    liq = positions.liquidation_price
    if side == 1:
        near = (positions.side > 0) & (liq <= price) & (liq >= price * (1.0 - window))
    else:
        near = (positions.side < 0) & (liq >= price) & (liq <= price * (1.0 + window))
    return float(positions.size[near].sum() / (100.0 * window))
