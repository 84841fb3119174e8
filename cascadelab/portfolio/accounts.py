r"""Margin accounts holding positions in several assets, under cross or isolated margin.

An account :math:`i` holds signed positions :math:`q_{ik}` (units, + long) in :math:`K` assets
opened at prices :math:`e_{ik}`, USD cash :math:`c_i` and :math:`h_{ik} \ge 0` units of asset
:math:`k` pledged as collateral. At prices :math:`p` its equity and maintenance requirement are

.. math::
    E_i(p) = c_i + \sum_k h_{ik}\,p_k + \sum_k q_{ik}\,(p_k - e_{ik}), \qquad
    R_i(p) = m_i \sum_k |q_{ik}|\,p_k .

**Cross margin** liquidates the whole account once :math:`E_i \le R_i`: every leg is closed and
all pledged collateral is sold, so a crash in one asset forces sales in every other asset the
account holds. **Isolated margin** gives each leg a fixed share
:math:`w_{ik} = |q_{ik}|\,e_{ik} / \sum_j |q_{ij}|\,e_{ij}` of the collateral and liquidates leg
:math:`k` alone once

.. math:: w_{ik}\Big(c_i + \sum_j h_{ij} p_j\Big) + q_{ik}(p_k - e_{ik}) \le m_i |q_{ik}| p_k .

Collateral pledged in a traded asset (:math:`h_{ik} > 0`) loses value exactly when a long in that
asset does: the *collateral correlation* that turns a 1x hedge into 2x wrong-way risk.

:func:`sample_accounts` draws a realistic book of them; :mod:`cascadelab.portfolio.simulate` runs
them through a correlated market.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_array, check_bool, check_int, check_seed
from cascadelab.positions import MAX_NOTIONAL, check_draw_parameters, pareto_leverage

__all__ = ["Accounts", "sample_accounts"]

# The ranges of sample_accounts (its docstring); MAX_NOTIONAL bounds every leg of Accounts.
MIN_PRICE, MAX_PRICE = 1e-12, 1e12  # USD per unit
MAX_ASSETS = 1000
MAX_CELLS = 10_000_000  # accounts x assets


def _check_matrix(
    name: str, value: object, shape: tuple[int, int], *, lo: float | None = None,
    lo_open: bool = False,
) -> np.ndarray:
    """Return ``value`` as a C-contiguous float64 matrix of ``shape``, finite and ``>= lo``."""
    return check_array(name, value, shape=shape, per="accounts x assets", lo=lo, lo_open=lo_open)


@dataclass(frozen=True, eq=False)
class Accounts:
    r"""Margin accounts holding positions in several assets, stored as a struct of arrays.

    Parameters
    ----------
    units : array, shape (n, K)
        Signed position in each asset, units (+ long, - short, 0 = no leg).
    entry : array, shape (n, K)
        Entry price of each leg, USD per unit, > 0 (ignored where ``units`` is 0); a leg's
        notional ``|units| * entry`` is at most 1e40 USD (so that every sum stays finite).
    cash : array, shape (n,)
        Collateral posted in USD, in [0, 1e40].
    collateral_units : array, shape (n, K)
        Units of each asset pledged as collateral, >= 0. Its value :math:`h_{ik} p_k` moves
        with the asset; on liquidation it is sold through that asset's book.
    maintenance : float or array, shape (n,)
        Maintenance-margin ratio :math:`m_i` on the current gross notional
        :math:`\sum_k |q_{ik}| p_k`, in [0, 1).
    cross_margin : bool
        True: one margin pool per account (liquidate every leg together). False: isolated
        margin, each leg with its entry-notional share of the collateral (module docstring).

    Arrays are copied, made read-only and validated. An account already at or below its
    requirement at the starting prices is liquidated at the first step.

    Examples
    --------
    >>> acc = Accounts(units=[[1.0, -2.0]], entry=[[100.0, 50.0]], cash=[40.0],
    ...                collateral_units=[[0.0, 0.0]], maintenance=0.05)
    >>> acc.equity([90.0, 50.0]).round(2), acc.requirement([90.0, 50.0]).round(2)
    (array([30.]), array([9.5]))
    """

    units: np.ndarray
    entry: np.ndarray
    cash: np.ndarray
    collateral_units: np.ndarray
    maintenance: np.ndarray
    cross_margin: bool = True

    def __post_init__(self) -> None:
        units = check_array("units", self.units, ndim=2)
        n, K = units.shape
        if K < 1:
            raise ValueError("units must have at least one asset column, got 0")
        entry = _check_matrix("entry", self.entry, (n, K), lo=0.0, lo_open=True)
        big = np.abs(units) * entry > MAX_NOTIONAL
        if big.any():
            i, k = np.unravel_index(int(np.argmax(big)), big.shape)
            raise ValueError(
                f"|units| * entry (a leg's notional) must be at most {MAX_NOTIONAL:g} USD so "
                f"that sums stay finite, got {abs(units[i, k]) * entry[i, k]:g} at index "
                f"({i}, {k})"
            )
        cash = check_array("cash", self.cash, n=n, per="account", lo=0.0, hi=MAX_NOTIONAL)
        pledged = _check_matrix("collateral_units", self.collateral_units, (n, K), lo=0.0)
        m = check_array("maintenance", self.maintenance, n=n, per="account", lo=0.0, hi=1.0,
                        hi_open=True, broadcast=True)
        check_bool("cross_margin", self.cross_margin)
        for name, arr in (
            ("units", units), ("entry", entry), ("cash", cash),
            ("collateral_units", pledged), ("maintenance", m),
        ):
            arr = arr.copy()
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "cross_margin", bool(self.cross_margin))

    def __len__(self) -> int:
        return int(self.units.shape[0])

    @property
    def n_assets(self) -> int:
        """Number of assets :math:`K`."""
        return int(self.units.shape[1])

    def __repr__(self) -> str:
        legs = (self.units != 0).sum(axis=1)
        mode = "cross" if self.cross_margin else "isolated"
        return (
            f"Accounts(n={len(self)}, assets={self.n_assets}, {mode} margin, "
            f"mean legs={legs.mean() if len(self) else 0.0:.2f}, "
            f"gross notional={np.abs(self.units * self.entry).sum():,.0f} USD)"
        )

    @property
    def weights(self) -> np.ndarray:
        r"""Isolated-margin collateral shares :math:`w_{ik}`, shape (n, K); rows sum to 1 (or 0)."""
        gross = np.abs(self.units) * self.entry
        tot = gross.sum(axis=1, keepdims=True)
        return np.divide(gross, tot, out=np.zeros_like(gross), where=tot > 0)

    def _prices(self, prices: object) -> np.ndarray:
        """``prices`` checked: one per asset, USD per unit, in (0, 1e12]."""
        return check_array("prices", prices, n=self.n_assets, per="asset", lo=0.0,
                           hi=MAX_PRICE, lo_open=True)

    def collateral_value(self, prices: Sequence[float] | np.ndarray) -> np.ndarray:
        r"""Collateral value per account, USD: :math:`c_i + \sum_k h_{ik} p_k`."""
        p = self._prices(prices)
        return self.cash + self.collateral_units @ p

    def equity(self, prices: Sequence[float] | np.ndarray) -> np.ndarray:
        r"""Account equity :math:`E_i(p)`, USD (see the module docstring)."""
        p = self._prices(prices)
        return self.collateral_value(p) + (self.units * (p - self.entry)).sum(axis=1)

    def requirement(self, prices: Sequence[float] | np.ndarray) -> np.ndarray:
        r"""Cross-margin requirement :math:`R_i(p) = m_i \sum_k |q_{ik}| p_k`, USD."""
        p = self._prices(prices)
        return self.maintenance * (np.abs(self.units) @ p)

    def leg_equity(self, prices: Sequence[float] | np.ndarray) -> np.ndarray:
        r"""Isolated equity of each leg, shape (n, K), USD:
        :math:`w_{ik}(c_i + \sum_j h_{ij} p_j) + q_{ik}(p_k - e_{ik})`."""
        p = self._prices(prices)
        return self.weights * self.collateral_value(p)[:, None] + self.units * (p - self.entry)

    def at_risk(self, prices: Sequence[float] | np.ndarray) -> np.ndarray:
        """Which accounts would be liquidated at ``prices`` (any leg, under isolated margin)."""
        p = self._prices(prices)
        has = self.units != 0
        if self.cross_margin:
            return has.any(axis=1) & (self.equity(p) <= self.requirement(p))
        leg_req = self.maintenance[:, None] * np.abs(self.units) * p
        return (has & (self.leg_equity(p) <= leg_req)).any(axis=1)

    def replace(self, **changes: object) -> Accounts:
        """A copy with some fields changed, e.g. ``accounts.replace(cross_margin=False)``."""
        return dataclasses.replace(self, **changes)


def sample_accounts(
    n: int,
    prices: Sequence[float] | np.ndarray,
    *,
    legs: int = 2,
    leverage: float = 4.0,
    max_leverage: float = 20.0,
    leverage_tail: float = 1.5,
    long_share: float = 0.7,
    maintenance: float = 0.03,
    entry_spread: float = 0.03,
    notional: float = 10_000.0,
    notional_sigma: float = 1.0,
    collateral_mix: Sequence[float] | np.ndarray | None = None,
    cross_margin: bool = True,
    seed: int | None = 0,
) -> Accounts:
    r"""Draw ``n`` realistic multi-asset margin accounts around the current ``prices``.

    Each account (independently):

    * trades ``legs`` distinct assets chosen uniformly among the :math:`K`, each leg long with
      probability ``long_share``;
    * has gross notional :math:`G` at entry, log-normal with median ``notional`` USD and log-sd
      ``notional_sigma``, split across its legs with Dirichlet(1, ..., 1) weights;
    * enters each leg at :math:`e = p\,e^{\delta Z}` (:math:`\delta` = ``entry_spread``) and
      holds :math:`q = \pm\,\text{leg notional} / e` units;
    * posts margin :math:`M = G / L`, with account leverage
      :math:`L = \min\{1 + (\bar L - 1)(2U)^{-1/\alpha}, L_{\max}\}` (median ``leverage``,
      Pareto tail ``leverage_tail``); a fraction ``collateral_mix[k]`` of :math:`M` is pledged as
      :math:`h_k = \text{mix}_k M / p_k` units of asset :math:`k` and the rest is USD cash.

    Accounts already liquidatable at ``prices`` under either cross or isolated margin would have
    been closed before today: their entries are redrawn (up to 50 times, then set to ``prices``,
    where every account is healthy because :math:`1/L > m`).

    Parameters
    ----------
    n : int
        Number of accounts, >= 0, with ``n * K`` at most 10,000,000.
    prices : array of float, shape (K,)
        Current price of each asset, USD per unit, in [1e-12, 1e12]; 1 <= K <= 1000.
    legs : int
        Assets traded per account, in [1, K].
    leverage, max_leverage, leverage_tail : float
        Median account leverage (gross notional / margin) in [1, max_leverage]; the largest
        allowed, in [1, 1000]; Pareto tail index, > 0.
    long_share : float
        Probability that a leg is long, in [0, 1].
    maintenance : float
        Maintenance-margin ratio, in [0, 1/max_leverage).
    entry_spread : float
        Log-sd of entry prices around ``prices``, in [0, 1].
    notional, notional_sigma : float
        Median gross notional per account, USD, in (0, 1e12]; its log-sd, in [0, 5].
    collateral_mix : array of float, shape (K,), or None
        Fraction of margin pledged in each asset, each in [0, 1], summing to at most 1; the rest
        is cash. None (default) means all cash. ``[1, 0, 0]`` is single collateral in asset 0;
        ``[1/3, 1/3, 1/3]`` a basket.
    cross_margin : bool
        Margin mode of the returned :class:`Accounts`.
    seed : int or None
        Seed of the ``numpy.random.Generator``, >= 0.

    Returns
    -------
    Accounts

    Examples
    --------
    >>> acc = sample_accounts(1_000, [100.0, 50.0, 20.0], seed=1)
    >>> len(acc), acc.n_assets, bool(acc.at_risk([100.0, 50.0, 20.0]).any())
    (1000, 3, False)
    """
    n = check_int("n", n, lo=0, hi=MAX_CELLS)
    p = check_array("prices", prices, lo=MIN_PRICE, hi=MAX_PRICE)
    K = p.shape[0]
    if not 1 <= K <= MAX_ASSETS:
        raise ValueError(f"prices must list between 1 and {MAX_ASSETS} assets, got {K}")
    if n * K > MAX_CELLS:
        raise ValueError(f"n * K (accounts x assets) must be at most {MAX_CELLS:,}, got "
                         f"{n:,} x {K:,} = {n * K:,}")
    legs = check_int("legs", legs, lo=1, hi=K)
    (max_leverage, leverage, leverage_tail, long_share, maintenance, entry_spread, notional,
     notional_sigma) = check_draw_parameters(max_leverage, leverage, leverage_tail, long_share,
                                    maintenance, entry_spread, notional, notional_sigma)
    if collateral_mix is None:
        mix = np.zeros(K)
    else:
        mix = check_array("collateral_mix", collateral_mix, n=K, per="asset", lo=0.0, hi=1.0)
        if mix.sum() > 1.0 + 1e-12:
            raise ValueError(f"collateral_mix must sum to at most 1, got {mix.sum():g}")
    check_bool("cross_margin", cross_margin)

    rng = np.random.default_rng(check_seed(seed))
    assets = np.argsort(rng.random((n, K)), axis=1)[:, :legs]
    rows = np.arange(n)[:, None]
    side = np.where(rng.random((n, legs)) < long_share, 1.0, -1.0)
    split = rng.dirichlet(np.ones(legs), size=n) if n else np.zeros((0, legs))
    gross = notional * np.exp(notional_sigma * rng.standard_normal(n))
    u = 1.0 - rng.random(n)  # in (0, 1]
    lev = pareto_leverage(u, leverage, leverage_tail, max_leverage)
    margin = gross / lev

    leg_usd = np.zeros((n, K))
    leg_usd[rows, assets] = side * split * gross[:, None]  # signed notional at entry
    held = leg_usd != 0.0
    cash = max(1.0 - float(mix.sum()), 0.0) * margin
    pledged = margin[:, None] * mix[None, :] / p[None, :]

    entry = np.broadcast_to(p, (n, K)).copy()
    draw = np.zeros((n, K), dtype=bool)
    draw[held] = True
    for _ in range(51):
        if not draw.any():
            break
        entry[draw] = (p * np.exp(entry_spread * rng.standard_normal((n, K))))[draw]
        acc = Accounts(leg_usd / entry, entry, cash, pledged, maintenance, True)
        bad = acc.at_risk(p) | acc.replace(cross_margin=False).at_risk(p)
        draw = held & bad[:, None]
    entry[draw] = np.broadcast_to(p, (n, K))[draw]
    return Accounts(leg_usd / entry, entry, cash, pledged, maintenance, bool(cross_margin))
