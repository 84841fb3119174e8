r"""Front-runners: a predator hunts a planted cluster of liquidations (chapter 02).

A predator with capital pushes the price into a planted cluster of long liquidations
(:func:`planted_cluster`) and buys back the forced selling (:mod:`cascadelab.mechanisms.adversary`).
The market is quiet (no noise, no shock), so every cent of the predator's P&L comes from the hunt,
not from luck. :func:`front_running_scenario` runs one hunt; :func:`hunting_map` maps where
hunting pays over capital and distance.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_bool, check_int, check_real
from cascadelab.chapters._course import PRICE, cached
from cascadelab.engine import Scenario, SimulationResult, simulate
from cascadelab.positions import Positions

__all__ = ["CURVE_CAPITALS", "MAP_CAPITALS", "MAP_DISTANCES", "FrontRunningParams",
           "FrontRunningResult", "HuntingMap", "front_running_scenario", "hunting_map",
           "planted_cluster"]


def planted_cluster(
    distance: float,
    units: float,
    *,
    price: float = PRICE,
    n: int = 200,
    maintenance: float = 0.005,
) -> Positions:
    r"""``n`` identical longs opened at ``price`` whose liquidation price sits ``distance`` below.

    Leverage :math:`L` solves :math:`(1 - 1/L)/(1 - m) = 1 - d`:
    :math:`L = 1 / (1 - (1 - d)(1 - m))`.

    Parameters
    ----------
    distance : float
        Distance :math:`d` of the liquidation price below ``price``, fraction in (0, 0.5].
    units : float
        Total size of the cluster, units, in (0, 1e15].
    price : float
        Entry price, USD, in (0, 1e12].
    n : int
        Number of positions, in [1, 100000].
    maintenance : float
        Maintenance ratio :math:`m`, in [0, 0.1].

    Examples
    --------
    >>> from cascadelab import liquidation_price
    >>> round(float(liquidation_price(planted_cluster(0.02, 1e5))[0]), 6)
    98.0
    """
    distance = check_real("distance", distance, 0.0, 0.5, lo_open=True)
    units = check_real("units", units, 0.0, 1e15, lo_open=True)
    price = check_real("price", price, 0.0, 1e12, lo_open=True)
    n = check_int("n", n, 1, 100_000)
    maintenance = check_real("maintenance", maintenance, 0.0, 0.1)
    lev = 1.0 / (1.0 - (1.0 - distance) * (1.0 - maintenance))
    return Positions(np.ones(n, np.int8), np.full(n, units / n), np.full(n, price),
                     np.full(n, lev), maintenance)


@dataclass(frozen=True)
class FrontRunningParams:
    """Inputs of :func:`front_running_scenario`.

    Attributes
    ----------
    capital : float
        Predator's capital, USD, in [0, 1e12] (it may short up to ``capital / 100`` units).
    distance : float
        Distance of the cluster's liquidation price below the price, fraction in (0, 0.5].
    cluster : float
        Size of the cluster, in units of the book depth :math:`D`, in (0, 100].
    depth : float
        Book depth :math:`D`, units per 1%, in [1, 1e12].
    resilience : float
        Share of the transient impact that decays each step, in [0, 1].
    visible : bool
        Whether the predator sees the liquidation levels.
    steps : int
        Length of the run, in [2, 100000].
    patience : int
        Steps the predator pushes before it gives up, in [1, 100000].
    rate : float
        Units the predator sells per step, in units of :math:`D`, in (0, 100].
    """

    capital: float = 2e7
    distance: float = 0.005
    cluster: float = 1.5
    depth: float = 200_000.0
    resilience: float = 0.1
    visible: bool = True
    steps: int = 80
    patience: int = 10
    rate: float = 0.5

    def __post_init__(self) -> None:
        check_real("capital", self.capital, 0.0, 1e12)
        check_real("distance", self.distance, 0.0, 0.5, lo_open=True)
        check_real("cluster", self.cluster, 0.0, 100.0, lo_open=True)
        check_real("depth", self.depth, 1.0, 1e12)
        check_real("resilience", self.resilience, 0.0, 1.0)
        check_bool("visible", self.visible)
        check_int("steps", self.steps, 2, 100_000)
        check_int("patience", self.patience, 1, 100_000)
        check_real("rate", self.rate, 0.0, 100.0, lo_open=True)

    def replace(self, **changes: object) -> FrontRunningParams:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def scenario(self) -> Scenario:
        """The engine scenario: a quiet market (no noise, no shock) with the predator."""
        return Scenario(
            shock=0.0, sigma=0.0, depth=self.depth, resilience=self.resilience,
            maintenance=0.005, predator_capital=self.capital, levels_visible=bool(self.visible),
            predator_reach=0.5, predator_rate=self.rate, predator_patience=self.patience,
            predator_min_cluster=0.05,
        )


@cached
def _cluster(distance: float, units: float) -> Positions:
    return planted_cluster(distance, units)


@cached
def _hunt(params: FrontRunningParams) -> SimulationResult:
    pos = _cluster(params.distance, params.cluster * params.depth)
    return simulate(pos, params.scenario(), steps=params.steps, seed=0)


@dataclass(frozen=True, eq=False)
class HuntingMap:
    """Predator P&L over a grid of capital x distance (see :func:`hunting_map`).

    Attributes
    ----------
    capitals : ndarray
        Capital, USD (rows).
    distances : ndarray
        Distance of the cluster below the price, fraction (columns).
    pnl : ndarray, shape (capitals, distances)
        Final P&L, USD.
    visible : bool
        Whether the levels were visible.
    """

    capitals: np.ndarray
    distances: np.ndarray
    pnl: np.ndarray
    visible: bool

    @property
    def pays(self) -> np.ndarray:
        """Where hunting pays: P&L above 1 USD (bool, same shape as ``pnl``)."""
        return self.pnl > 1.0

    @property
    def outcome(self) -> np.ndarray:
        """-1 where the predator loses (below -1 USD), 0 where it sits out, +1 where it wins."""
        return np.where(self.pnl > 1.0, 1, np.where(self.pnl < -1.0, -1, 0))


#: The grid of :func:`hunting_map` by default: capital (USD) and distance (fraction).
MAP_CAPITALS = np.geomspace(1e6, 1e8, 9)
MAP_DISTANCES = np.array([0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04])


@cached
def _map(base: FrontRunningParams) -> np.ndarray:
    out = np.empty((MAP_CAPITALS.size, MAP_DISTANCES.size))
    for i, c in enumerate(MAP_CAPITALS):
        for j, d in enumerate(MAP_DISTANCES):
            out[i, j] = _hunt(base.replace(capital=float(c), distance=float(d))).final_attacker_pnl
    out.flags.writeable = False
    return out


def hunting_map(**changes: object) -> HuntingMap:
    """The predator's final P&L on the grid :data:`MAP_CAPITALS` x :data:`MAP_DISTANCES`.

    ``changes`` are fields of :class:`FrontRunningParams`, as in :func:`front_running_scenario`.
    Only ``cluster``, ``depth``, ``resilience``, ``visible`` (and the predator's ``steps``,
    ``patience``, ``rate``) matter; the map is computed once per such setting and cached.

    Examples
    --------
    >>> m = hunting_map()
    >>> bool(m.pays.any()), bool(hunting_map(visible=False).pays.any())
    (True, False)
    """
    params = FrontRunningParams(**changes)
    base = params.replace(capital=0.0, distance=0.01)
    return HuntingMap(MAP_CAPITALS, MAP_DISTANCES, _map(base), bool(params.visible))


@dataclass(frozen=True, eq=False)
class FrontRunningResult:
    """What :func:`front_running_scenario` returns.

    Attributes
    ----------
    params : FrontRunningParams
    quiet, attack : SimulationResult
        The same market without the predator and with it.
    capital_grid : ndarray
        Capitals of the P&L curves, USD.
    pnl_visible, pnl_hidden : ndarray
        Final P&L at each capital with levels visible and hidden, at this distance, USD.
    """

    params: FrontRunningParams
    quiet: SimulationResult
    attack: SimulationResult
    capital_grid: np.ndarray
    pnl_visible: np.ndarray
    pnl_hidden: np.ndarray

    @property
    def summary(self) -> dict[str, float]:
        """``pnl`` (USD), ``return_pct`` (P&L over capital, %), ``liquidated_units``,
        ``min_price`` (USD), ``max_drawdown`` (%), ``quiet_min_price`` (USD) and
        ``bad_debt`` (USD) of the attack run."""
        a, p = self.attack, self.params
        return {
            "pnl": a.final_attacker_pnl,
            "return_pct": 100.0 * a.final_attacker_pnl / p.capital if p.capital > 0 else 0.0,
            "liquidated_units": a.total_liquidated_units,
            "min_price": a.min_price,
            "max_drawdown": 100.0 * a.max_drawdown,
            "quiet_min_price": self.quiet.min_price,
            "bad_debt": a.total_bad_debt,
        }


CURVE_CAPITALS = np.geomspace(1e6, 1e8, 13)


@cached
def _curves(base: FrontRunningParams) -> tuple[np.ndarray, np.ndarray]:
    # final P&L at each of CURVE_CAPITALS, levels visible and hidden (base: capital 0, visible)
    out = tuple(np.array([_hunt(base.replace(capital=float(c), visible=v)).final_attacker_pnl
                          for c in CURVE_CAPITALS]) for v in (True, False))
    for arr in out:
        arr.flags.writeable = False
    return out


def front_running_scenario(**changes: object) -> FrontRunningResult:
    r"""A predator hunts a planted cluster of long liquidations in a quiet market.

    The market is :func:`planted_cluster` (``cluster`` x ``depth`` units whose liquidation
    price sits ``distance`` below 100 USD) on a book of depth ``depth``, with no noise and no
    shock; the predator is the engine's (:mod:`cascadelab.mechanisms.adversary`). Runs are cached.

    Parameters
    ----------
    **changes
        Fields of :class:`FrontRunningParams` that differ from the defaults (20 million USD, a
        1.5 D cluster 0.5% below, levels visible), e.g. ``visible=False``; each is validated
        there, and an unknown name raises TypeError. The result keeps the full set as
        ``.params``.

    Returns
    -------
    FrontRunningResult

    Examples
    --------
    >>> res = front_running_scenario()
    >>> bool(res.summary["pnl"] > 0), bool(front_running_scenario(visible=False).summary["pnl"] < 0)
    (True, True)
    """
    params = FrontRunningParams(**changes)
    attack = _hunt(params)
    quiet = _hunt(params.replace(capital=0.0))
    pv, ph = _curves(params.replace(capital=0.0, visible=True))
    return FrontRunningResult(params, quiet, attack, CURVE_CAPITALS, pv, ph)
