r"""Chapter 05, idea 2: cross-protocol risk monitoring.

Several venues trade one asset; arbitrage passes a share :math:`c` of every venue's order flow to
a pooled book of depth :math:`\sum_w D_w`. Units :math:`Q_w` sold on venue :math:`w` move venue
:math:`v`'s price by :math:`M_{vw} Q_w` percent,

.. math:: M_{vw} = (1 - c)\,\frac{\delta_{vw}}{D_v} + \frac{c}{\sum_w D_w},

and with :math:`\rho_w` units of liquidations per 1% on venue :math:`w` one lap of the loop maps
the moves :math:`x` to :math:`G x`, :math:`G_{vw} = M_{vw}\,\rho_w`. A venue alone sees its own
gain :math:`G_{vv}`; a monitor of the whole system sees the spectral radius :math:`r(G) \ge
\max_v G_{vv}`, which crosses 1 first: :func:`monitor_gains`, :func:`gain_buildup`. The cascade
itself, round by round on every venue: :func:`cross_venue_cascade`.

Examples
--------
>>> own, system = monitor_gains([50_000.0, 50_000.0], [100_000.0, 100_000.0], 0.0)
>>> own.round(3).tolist(), round(system, 3)
([0.5, 0.5], 0.5)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_array, check_instance, check_int, check_real, check_sequence
from cascadelab.cascade import liquidation_density
from cascadelab.chapters._course import PRICE, population
from cascadelab.positions import Positions

__all__ = [
    "CrossVenueResult",
    "Venue",
    "cross_venue_cascade",
    "default_venues",
    "gain_buildup",
    "monitor_gains",
]


@dataclass(frozen=True)
class Venue:
    """One venue trading the shared asset: its own population and its own book.

    Attributes
    ----------
    name : str
    n_positions : int
        Positions on the venue, >= 1.
    leverage : float
        Median leverage, x, in [1, 50].
    depth : float
        Depth of the venue's own book, units per 1%, in [1e-3, 1e15].
    long_share : float
        Share of longs, in [0, 1].
    seed : int
        Seed of the venue's population.
    """

    name: str
    n_positions: int = 3_000
    leverage: float = 10.0
    depth: float = 60_000.0
    long_share: float = 0.6
    seed: int = 0

    def __post_init__(self) -> None:
        check_int("n_positions", self.n_positions, 1, 10_000_000)
        check_real("leverage", self.leverage, 1.0, 50.0)
        check_real("depth", self.depth, 1e-3, 1e15)
        check_real("long_share", self.long_share, 0.0, 1.0)
        check_int("seed", self.seed, lo=0)

    @property
    def positions(self) -> Positions:
        """The venue's population (cached)."""
        return population(self.n_positions, seed=self.seed, leverage=self.leverage,
                          long_share=self.long_share)


def default_venues() -> tuple[Venue, ...]:
    """Three venues of the chapter: a thin, highly levered one (A) and two calmer ones."""
    return (Venue("A", 5_000, 16.0, 30_000.0, 0.7, 11),
            Venue("B", 7_000, 12.0, 40_000.0, 0.65, 12),
            Venue("C", 7_000, 10.0, 35_000.0, 0.65, 13))


def _check_venues(venues: object) -> tuple[Venue, ...]:
    """``venues`` as a non-empty tuple of :class:`Venue` (None: :func:`default_venues`)."""
    if venues is None:
        return default_venues()
    out = check_sequence("venues", venues, what="Venues")
    for j, v in enumerate(out):
        check_instance(f"venues[{j}]", v, Venue)
    return out


def _impact_matrix(depths: np.ndarray, coupling: float) -> np.ndarray:
    """M[v, w]: percent move of venue v's price per unit sold on venue w."""
    v = depths.size
    return (1.0 - coupling) * np.diag(1.0 / depths) + coupling / depths.sum() * np.ones((v, v))


def monitor_gains(
    densities: np.ndarray, depths: np.ndarray, coupling: float
) -> tuple[np.ndarray, float]:
    r"""Loop gains seen by each venue alone and by a monitor of the whole system.

    Arbitrage passes a share :math:`c` of each venue's flow to a pooled book of depth
    :math:`\sum_w D_w`, so :math:`Q_w` units sold on venue :math:`w` move venue :math:`v`'s
    price by :math:`M_{vw} Q_w` percent, :math:`M_{vw} = (1 - c)\,\delta_{vw}/D_v + c/\sum D`.
    With :math:`\rho_w` units of liquidations per 1% on venue :math:`w`, one lap of the loop maps
    the moves :math:`x` to :math:`G x`, :math:`G_{vw} = M_{vw}\,\rho_w`.

    * A venue that watches only its own positions sees :math:`g_v = G_{vv}`.
    * A system monitor that sums across venues sees the spectral radius :math:`r(G)`. Since
      :math:`G \ge 0`, :math:`r(G) \ge \max_v G_{vv}`, strictly when :math:`c > 0` and two
      venues carry liquidations: it crosses 1 first.

    Parameters
    ----------
    densities : array of float
        :math:`\rho_v`, units per 1%, in [0, 1e15] (at least one venue).
    depths : array of float
        :math:`D_v`, units per 1%, in [1e-3, 1e15], one per venue.
    coupling : float
        :math:`c` in [0, 1].

    Returns
    -------
    (ndarray, float)
        The venues' own gains and the system gain.

    Examples
    --------
    >>> own, system = monitor_gains([50_000.0, 50_000.0], [100_000.0, 100_000.0], 0.5)
    >>> own.round(3).tolist(), round(system, 3)
    ([0.375, 0.375], 0.5)
    """
    rho = check_array("densities", densities, lo=0.0, hi=1e15)
    if rho.size == 0:
        raise ValueError("densities must hold one value per venue, got an empty array")
    d = check_array("depths", depths, n=rho.size, per="venue, like densities", lo=1e-3, hi=1e15)
    coupling = check_real("coupling", coupling, 0.0, 1.0)
    G = _impact_matrix(d, coupling) * rho[None, :]
    return np.diag(G).copy(), float(np.abs(np.linalg.eigvals(G)).max())


@dataclass(frozen=True)
class CrossVenueResult:
    """A cascade across venues linked by arbitrage, and what the monitors saw beforehand.

    Attributes
    ----------
    venues : tuple of Venue
    coupling, shock : float
    round_prices : ndarray, shape (rounds + 1, V)
        Each venue's price after the dump (row 0) and after each round, USD.
    liquidated_units : ndarray, shape (V,)
        Forced sales per venue, units.
    final_move : ndarray, shape (V,)
        Each venue's fall from 100 USD, fraction.
    densities : ndarray, shape (V,)
        :math:`\rho_v` within 5% below the price before the dump, units per 1%.
    own_gain : ndarray, shape (V,)
        What each venue's own monitor saw (:func:`monitor_gains`).
    system_gain : float
        What the system monitor saw.
    """

    venues: tuple[Venue, ...]
    coupling: float
    shock: float
    round_prices: np.ndarray
    liquidated_units: np.ndarray
    final_move: np.ndarray
    densities: np.ndarray
    own_gain: np.ndarray
    system_gain: float

    @property
    def summary(self) -> dict[str, float]:
        """System gain, largest own gain, and each venue's fall (fraction)."""
        out = {"system_gain": self.system_gain, "max_own_gain": float(self.own_gain.max())}
        for v, move in zip(self.venues, self.final_move, strict=True):
            out[f"move_{v.name}"] = float(move)
        return out


def cross_venue_cascade(
    venues: tuple[Venue, ...] | None = None, *, coupling: float = 0.6, shock: float = 0.03,
    scale: float = 1.0, max_rounds: int = 2_000,
) -> CrossVenueResult:
    r"""A dump on the first venue, and the cascade it sets off on every venue through arbitrage.

    A seller dumps :math:`U_0 = 100\,s\,D_1` units on venue 1 (enough to move its own book by
    :math:`s` with no arbitrage). With :math:`Q` the cumulative units sold per venue (the dump
    plus forced sales), venue :math:`v`'s price is the linear-book price
    :math:`p_v = 100\,(1 - (MQ)_v / 100)` USD, :math:`M` as in :func:`monitor_gains`. Each round
    liquidates, on every venue, the longs whose liquidation price the venue's price has crossed,
    until no venue crosses another one (the static cascade of :func:`cascadelab.cascade`, venue
    by venue, with the prices linked by :math:`M`).

    Parameters
    ----------
    venues : tuple of Venue or None
        None = :func:`default_venues`.
    coupling : float
        Share :math:`c` of each venue's flow that arbitrage passes to the pooled book, in [0, 1].
    shock : float
        :math:`s`, in [0, 0.5).
    scale : float
        Multiplies every position's size (open interest grows with it), in (0, 100].
    max_rounds : int
        Safety cap on rounds, in [1, 1,000,000].

    Returns
    -------
    CrossVenueResult
    """
    venues = _check_venues(venues)
    coupling = check_real("coupling", coupling, 0.0, 1.0)
    shock = check_real("shock", shock, 0.0, 0.5, hi_open=True)
    scale = check_real("scale", scale, 0.0, 100.0, lo_open=True)
    max_rounds = check_int("max_rounds", max_rounds, lo=1, hi=1_000_000)
    depths = np.array([v.depth for v in venues])
    M = _impact_matrix(depths, coupling)
    sides = [v.positions.by_trigger(1) for v in venues]
    liq = [s.liq for s in sides]  # decreasing
    cum = [np.r_[0.0, np.cumsum(s.size) * scale] for s in sides]
    rho = np.array([scale * liquidation_density(v.positions, PRICE, window=0.05)
                    for v in venues])
    own, system = monitor_gains(rho, depths, coupling)
    dump = np.zeros(len(venues))
    dump[0] = 100.0 * shock * depths[0]
    k = np.zeros(len(venues), dtype=np.int64)
    forced = np.zeros(len(venues))
    prices = [np.maximum(PRICE * (1.0 - M @ dump / 100.0), 1e-3 * PRICE)]
    for _ in range(max_rounds):
        p = prices[-1]
        new_k = np.array([int(np.searchsorted(-liq[j], -p[j], side="right"))
                          for j in range(len(venues))])
        if (new_k == k).all():
            break
        k = new_k
        forced = np.array([cum[j][k[j]] for j in range(len(venues))])
        prices.append(np.maximum(PRICE * (1.0 - M @ (dump + forced) / 100.0), 1e-3 * PRICE))
    round_prices = np.array(prices)
    return CrossVenueResult(venues, coupling, shock, round_prices, forced,
                            1.0 - round_prices[-1] / PRICE, rho, own, system)


def gain_buildup(
    venues: tuple[Venue, ...] | None = None, *, coupling: float = 0.6,
    scales: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Own and system loop gains as open interest grows on every venue by ``scales``.

    Both are linear in the scale: the system monitor crosses 1 at :math:`1/r(G)`, each venue at
    :math:`1/G_{vv}`, so the system warns first.

    ``venues`` as in :func:`cross_venue_cascade`; ``coupling`` in [0, 1]; ``scales`` a 1-D
    array of multiples of today's open interest, each in (0, 100] (default 0.2 to 3).

    Returns
    -------
    (scales, own, system)
        ``own`` has shape (len(scales), V).
    """
    venues = _check_venues(venues)
    scales = np.linspace(0.2, 3.0, 57) if scales is None else check_array(
        "scales", scales, lo=0.0, hi=100.0, lo_open=True)
    rho = np.array([liquidation_density(v.positions, PRICE, window=0.05) for v in venues])
    depths = np.array([v.depth for v in venues])
    own, system = monitor_gains(rho, depths, coupling)
    return scales, scales[:, None] * own[None, :], scales * system
