r"""Several assets, cross-margin accounts and correlated collateral: how a crash spreads.

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

Fundamentals are correlated log-normal walks (Cholesky factor :math:`A`, :math:`AA^\top = \rho`)
with a scripted shock; forced orders move each asset's observed price through its own
:class:`~cascadelab.Book` (see :func:`simulate_portfolio` for the step).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cascadelab._validate import check_array, check_instance, check_int, check_real
from cascadelab.kernels import portfolio as _kernel
from cascadelab.market import Book
from cascadelab.positions import check_draw_parameters as _check_draws
from cascadelab.positions import pareto_leverage as _pareto_leverage

__all__ = [
    "Accounts",
    "MultiAssetScenario",
    "PortfolioResult",
    "basket_drawdown",
    "basket_volatility",
    "equicorrelation",
    "sample_accounts",
    "simulate_portfolio",
]


# ----------------------------------------------------------------------------- validation helpers


def _check_matrix(
    name: str, value: object, shape: tuple[int, int], *, lo: float | None = None,
    lo_open: bool = False,
) -> np.ndarray:
    """Return ``value`` as a C-contiguous float64 matrix of ``shape``, finite and ``>= lo``."""
    arr = np.ascontiguousarray(value, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (accounts x assets), got shape {arr.shape}")
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        i, k = np.unravel_index(int(np.argmax(bad)), arr.shape)
        raise ValueError(f"{name} must be finite, got {arr[i, k]} at index ({i}, {k})")
    if lo is not None:
        bad = arr <= lo if lo_open else arr < lo
        if bad.any():
            i, k = np.unravel_index(int(np.argmax(bad)), arr.shape)
            allowed = f"({lo:g}, inf)" if lo_open else f"[{lo:g}, inf)"
            raise ValueError(f"{name} must be in {allowed}, got {arr[i, k]:g} at index ({i}, {k})")
    return arr


def _correlation_factor(corr: np.ndarray) -> np.ndarray:
    """A matrix ``A`` with ``A @ A.T == corr``: Cholesky, or the eigen-factor if singular.

    Raises ``ValueError`` naming ``corr`` unless it is a valid correlation matrix.
    """
    K = corr.shape[0]
    if corr.ndim != 2 or corr.shape != (K, K):
        raise ValueError(f"corr must be a square K x K matrix, got shape {corr.shape}")
    if not np.all(np.isfinite(corr)):
        raise ValueError("corr must be finite")
    if not np.allclose(corr, corr.T, rtol=0.0, atol=1e-12):
        i, j = np.unravel_index(int(np.argmax(np.abs(corr - corr.T))), corr.shape)
        raise ValueError(
            f"corr must be symmetric, got corr[{i}, {j}] = {corr[i, j]:g} but "
            f"corr[{j}, {i}] = {corr[j, i]:g}"
        )
    diag = np.diag(corr)
    if not np.all(diag == 1.0):
        i = int(np.argmax(diag != 1.0))
        raise ValueError(f"corr must have ones on the diagonal, got corr[{i}, {i}] = {diag[i]:g}")
    if np.any(np.abs(corr) > 1.0):
        i, j = np.unravel_index(int(np.argmax(np.abs(corr))), corr.shape)
        raise ValueError(f"corr entries must be in [-1, 1], got corr[{i}, {j}] = {corr[i, j]:g}")
    try:
        return np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        lam, vec = np.linalg.eigh(corr)
        if lam[0] < -1e-9:
            raise ValueError(
                "corr must be positive semi-definite (a possible correlation matrix), got "
                f"smallest eigenvalue {lam[0]:.3g}"
            ) from None
        return vec * np.sqrt(np.clip(lam, 0.0, None))


def equicorrelation(K: int, rho: float) -> np.ndarray:
    r"""The :math:`K \times K` correlation matrix with every pair at correlation ``rho``.

    Valid (positive semi-definite) for :math:`-1/(K-1) \le \rho \le 1`; ``rho = 1`` moves all
    assets as one.

    Examples
    --------
    >>> equicorrelation(2, 0.5)
    array([[1. , 0.5],
           [0.5, 1. ]])
    """
    K = check_int("K", K, lo=1, hi=1000)
    lo = -1.0 / (K - 1) if K > 1 else -1.0
    rho = check_real("rho", rho, lo=lo, hi=1.0)
    out = np.full((K, K), rho)
    np.fill_diagonal(out, 1.0)
    return out


# ----------------------------------------------------------------------------- accounts


@dataclass(frozen=True, eq=False)
class Accounts:
    r"""Margin accounts holding positions in several assets, stored as a struct of arrays.

    Parameters
    ----------
    units : array, shape (n, K)
        Signed position in each asset, units (+ long, - short, 0 = no leg).
    entry : array, shape (n, K)
        Entry price of each leg, USD per unit, > 0 (ignored where ``units`` is 0).
    cash : array, shape (n,)
        Collateral posted in USD, >= 0.
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
        units = np.asarray(self.units, dtype=np.float64)
        if units.ndim != 2:
            raise ValueError(
                f"units must be a 2-D array (accounts x assets), got shape {units.shape}"
            )
        n, K = units.shape
        if K < 1:
            raise ValueError("units must have at least one asset column, got 0")
        units = _check_matrix("units", units, (n, K))
        entry = _check_matrix("entry", self.entry, (n, K), lo=0.0, lo_open=True)
        cash = check_array("cash", self.cash, n=n, lo=0.0)
        pledged = _check_matrix("collateral_units", self.collateral_units, (n, K), lo=0.0)
        m = np.asarray(self.maintenance, dtype=np.float64)
        if m.ndim == 0:
            m = np.full(n, float(m))
        m = check_array("maintenance", m, n=n, lo=0.0, hi=1.0, hi_open=True)
        if not isinstance(self.cross_margin, (bool, np.bool_)):
            raise ValueError(f"cross_margin must be True or False, got {self.cross_margin!r}")
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

    def collateral_value(self, prices: Sequence[float] | np.ndarray) -> np.ndarray:
        r"""Collateral value per account, USD: :math:`c_i + \sum_k h_{ik} p_k`."""
        p = check_array("prices", prices, n=self.n_assets, lo=0.0, lo_open=True)
        return self.cash + self.collateral_units @ p

    def equity(self, prices: Sequence[float] | np.ndarray) -> np.ndarray:
        r"""Account equity :math:`E_i(p)`, USD (see the module docstring)."""
        p = check_array("prices", prices, n=self.n_assets, lo=0.0, lo_open=True)
        return self.collateral_value(p) + (self.units * (p - self.entry)).sum(axis=1)

    def requirement(self, prices: Sequence[float] | np.ndarray) -> np.ndarray:
        r"""Cross-margin requirement :math:`R_i(p) = m_i \sum_k |q_{ik}| p_k`, USD."""
        p = check_array("prices", prices, n=self.n_assets, lo=0.0, lo_open=True)
        return self.maintenance * (np.abs(self.units) @ p)

    def leg_equity(self, prices: Sequence[float] | np.ndarray) -> np.ndarray:
        r"""Isolated equity of each leg, shape (n, K), USD:
        :math:`w_{ik}(c_i + \sum_j h_{ij} p_j) + q_{ik}(p_k - e_{ik})`."""
        p = check_array("prices", prices, n=self.n_assets, lo=0.0, lo_open=True)
        return self.weights * self.collateral_value(p)[:, None] + self.units * (p - self.entry)

    def at_risk(self, prices: Sequence[float] | np.ndarray) -> np.ndarray:
        """Which accounts would be liquidated at ``prices`` (any leg, under isolated margin)."""
        p = check_array("prices", prices, n=self.n_assets, lo=0.0, lo_open=True)
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
        Number of accounts, >= 0.
    prices : array of float, shape (K,)
        Current price of each asset, USD per unit, > 0.
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
        Median gross notional per account, USD, > 0; its log-sd, in [0, 5].
    collateral_mix : array of float, shape (K,), or None
        Fraction of margin pledged in each asset, each in [0, 1], summing to at most 1; the rest
        is cash. None (default) means all cash. ``[1, 0, 0]`` is single collateral in asset 0;
        ``[1/3, 1/3, 1/3]`` a basket.
    cross_margin : bool
        Margin mode of the returned :class:`Accounts`.
    seed : int or None
        Seed of the ``numpy.random.Generator``.

    Returns
    -------
    Accounts

    Examples
    --------
    >>> acc = sample_accounts(1_000, [100.0, 50.0, 20.0], seed=1)
    >>> len(acc), acc.n_assets, bool(acc.at_risk([100.0, 50.0, 20.0]).any())
    (1000, 3, False)
    """
    n = check_int("n", n, lo=0)
    p = check_array("prices", prices, lo=0.0, lo_open=True)
    K = p.shape[0]
    if K < 1:
        raise ValueError("prices must list at least one asset, got an empty array")
    legs = check_int("legs", legs, lo=1, hi=K)
    (max_leverage, leverage, leverage_tail, long_share, maintenance, entry_spread, notional,
     notional_sigma) = _check_draws(max_leverage, leverage, leverage_tail, long_share,
                                    maintenance, entry_spread, notional, notional_sigma)
    if collateral_mix is None:
        mix = np.zeros(K)
    else:
        mix = check_array("collateral_mix", collateral_mix, n=K, lo=0.0, hi=1.0)
        if mix.sum() > 1.0 + 1e-12:
            raise ValueError(f"collateral_mix must sum to at most 1, got {mix.sum():g}")
    if not isinstance(cross_margin, (bool, np.bool_)):
        raise ValueError(f"cross_margin must be True or False, got {cross_margin!r}")

    rng = np.random.default_rng(seed)
    assets = np.argsort(rng.random((n, K)), axis=1)[:, :legs]
    rows = np.arange(n)[:, None]
    side = np.where(rng.random((n, legs)) < long_share, 1.0, -1.0)
    split = rng.dirichlet(np.ones(legs), size=n) if n else np.zeros((0, legs))
    gross = notional * np.exp(notional_sigma * rng.standard_normal(n))
    u = 1.0 - rng.random(n)  # in (0, 1]
    lev = _pareto_leverage(u, leverage, leverage_tail, max_leverage)
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


# ----------------------------------------------------------------------------- scenario


def _default_books() -> tuple[Book, ...]:
    return (Book(depth=10_000.0), Book(depth=10_000.0), Book(depth=10_000.0))


@dataclass(frozen=True, eq=False)
class MultiAssetScenario:
    r"""A market of :math:`K` assets: prices, volatilities, correlation, books and a shock.

    Fundamental log-prices follow, for step :math:`t` and asset :math:`k`,

    .. math::
        \ln F_{t,k} = \ln F_{t-1,k} - \tfrac12 \sigma_k^2 + \sigma_k (A z_t)_k + J_{t,k},
        \qquad z_t \sim N(0, I_K),\ AA^\top = \rho,

    with :math:`F_{-1} = ` ``prices``. The scripted jump hits asset :math:`a` = ``shock_asset``
    with :math:`\ln(1 - s)` spread evenly over ``shock_steps`` steps from ``shock_step``; with
    ``spillover`` the other assets jump by their conditional mean given it,
    :math:`J_{t,j} = \beta_j J_{t,a}`, :math:`\beta_j = \rho_{ja}\,\sigma_j / \sigma_a`
    (:math:`\sigma_j/\sigma_a` taken as 1 when :math:`\sigma_a = 0`). That is the channel
    through which correlation carries a crash from one asset to the others.

    Parameters
    ----------
    prices : array of float, shape (K,)
        Starting prices, USD per unit, > 0.
    vols : array of float, shape (K,)
        Volatility of each fundamental per step (sd of the log return), in [0, 1].
    corr : array, shape (K, K)
        Correlation matrix of the innovations: symmetric, ones on the diagonal, positive
        semi-definite (rank-deficient matrices such as all-ones are allowed).
    books : sequence of Book, length K
        The order book of each asset.
    shock : float
        Relative drop of the shocked asset's fundamental, in (-1, 1); negative means a rise.
    shock_asset : int
        Index of the shocked asset, in [0, K).
    shock_step : int
        First step of the shock, >= 0 (must fit in the simulated steps).
    shock_steps : int
        Number of steps the shock is spread over, >= 1.
    spillover : bool
        Move the other assets by their conditional mean (above) when the shock hits.
    penalty : float
        Liquidation penalty, a fraction of the closed notional at the fill, in [0, 1).
    resilience : float
        Fraction of the impact deviation that decays each step, in [0, 1]: the observed price is
        :math:`p_{t,k} = F_{t,k}\,e^{g_{t,k}}` with :math:`g \leftarrow (1 - \text{resilience})\,g`
        before each step's orders; 0 makes impact permanent.
    steps : int
        Default number of steps, >= 1.
    names : sequence of str, length K, or None
        Asset names for printing; None names them A, B, C, ...

    The defaults (three assets at 100 USD, correlation 0.5, a 12% crash in asset A at step 20)
    give a visible contagion on 5,000 accounts from :func:`sample_accounts`.
    """

    prices: np.ndarray = (100.0, 100.0, 100.0)  # type: ignore[assignment]
    vols: np.ndarray = (0.001, 0.001, 0.001)  # type: ignore[assignment]
    corr: np.ndarray = field(default_factory=lambda: equicorrelation(3, 0.5))
    books: tuple[Book, ...] = field(default_factory=_default_books)
    shock: float = 0.12
    shock_asset: int = 0
    shock_step: int = 20
    shock_steps: int = 1
    spillover: bool = True
    penalty: float = 0.01
    resilience: float = 0.0
    steps: int = 200
    names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        prices = check_array("prices", self.prices, lo=0.0, lo_open=True)
        K = prices.shape[0]
        if K < 1:
            raise ValueError("prices must list at least one asset, got an empty array")
        vols = check_array("vols", self.vols, n=K, lo=0.0, hi=1.0)
        corr = np.array(self.corr, dtype=np.float64)
        if corr.shape != (K, K):
            raise ValueError(f"corr must have shape ({K}, {K}) for {K} assets, got {corr.shape}")
        factor = _correlation_factor(corr)
        books = tuple(self.books)
        if len(books) != K:
            raise ValueError(f"books must hold one Book per asset ({K}), got {len(books)}")
        for k, b in enumerate(books):
            check_instance(f"books[{k}]", b, Book)
        check_real("shock", self.shock, lo=-1.0, hi=1.0, lo_open=True, hi_open=True)
        check_int("shock_asset", self.shock_asset, lo=0, hi=K - 1)
        check_int("shock_step", self.shock_step, lo=0)
        check_int("shock_steps", self.shock_steps, lo=1)
        if not isinstance(self.spillover, (bool, np.bool_)):
            raise ValueError(f"spillover must be True or False, got {self.spillover!r}")
        check_real("penalty", self.penalty, lo=0.0, hi=1.0, hi_open=True)
        check_real("resilience", self.resilience, lo=0.0, hi=1.0)
        check_int("steps", self.steps, lo=1, hi=10_000_000)
        if self.names is None:
            names = tuple(chr(ord("A") + k) if k < 26 else f"asset{k}" for k in range(K))
        else:
            names = tuple(str(s) for s in self.names)
            if len(names) != K:
                raise ValueError(f"names must hold one name per asset ({K}), got {len(names)}")
        for name, arr in (("prices", prices), ("vols", vols), ("corr", corr)):
            arr = arr.copy()
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        factor.flags.writeable = False
        object.__setattr__(self, "books", books)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "_factor", factor)

    @property
    def n_assets(self) -> int:
        """Number of assets :math:`K`."""
        return int(self.prices.shape[0])

    @property
    def factor(self) -> np.ndarray:
        r"""The factor :math:`A` of the correlation matrix, :math:`AA^\top = \rho` (Cholesky)."""
        return self._factor  # type: ignore[attr-defined]

    @property
    def beta(self) -> np.ndarray:
        r"""Spillover coefficients :math:`\beta_j = \rho_{ja}\sigma_j/\sigma_a` (1 when j = a)."""
        a = self.shock_asset
        ratio = self.vols / self.vols[a] if self.vols[a] > 0 else np.ones(self.n_assets)
        return self.corr[:, a] * ratio

    def __repr__(self) -> str:
        return (
            f"MultiAssetScenario(assets={list(self.names)}, prices={self.prices.tolist()}, "
            f"vols={self.vols.tolist()}, corr={np.round(self.corr, 3).tolist()}, "
            f"shock={self.shock:g} to {self.names[self.shock_asset]} at step {self.shock_step}, "
            f"steps={self.steps})"
        )

    def replace(self, **changes: object) -> MultiAssetScenario:
        """A copy with some fields changed, e.g. ``scenario.replace(shock=0.2)``."""
        return dataclasses.replace(self, **changes)

    def fundamentals(self, steps: int | None = None, seed: int | None = 0) -> np.ndarray:
        """Fundamental price paths, shape (steps, K), USD (the equation in the class docstring).

        The draws come from ``np.random.default_rng(seed)``: ``steps x K`` standard normals.
        """
        steps = self.steps if steps is None else check_int("steps", steps, lo=1, hi=10_000_000)
        if self.shock_step + self.shock_steps > steps:
            raise ValueError(
                f"shock_step + shock_steps must be <= steps = {steps}, got "
                f"{self.shock_step} + {self.shock_steps}"
            )
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((steps, self.n_assets))
        r = -0.5 * self.vols**2 + self.vols * (z @ self.factor.T)
        jump = math.log1p(-self.shock) / self.shock_steps
        beta = self.beta if self.spillover else np.eye(self.n_assets)[self.shock_asset]
        window = slice(self.shock_step, self.shock_step + self.shock_steps)
        r[window] += jump * beta
        return self.prices * np.exp(np.cumsum(r, axis=0))


# ----------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class PortfolioResult:
    """Outcome of :func:`simulate_portfolio`. Prices USD/unit, money USD, volumes in units.

    Per step and asset, shape (steps, K)
    -------------------------------------
    price : observed price at the end of the step (after the step's forced orders).
    fundamental : fundamental price :math:`F_{t,k}`.
    fill_price : price at which the step's forced orders filled, :math:`(p^-_k + p^+_k)/2`.
    order_flow : net forced order sent to the book (> 0 sells): closed legs plus collateral sold.
    liquidated_units : units of position legs closed (absolute).
    collateral_sold : units of pledged collateral sold.
    n_liquidated_legs : int, legs closed.

    Per step, shape (steps,)
    ------------------------
    n_liquidations : int, margin units liquidated (accounts under cross, legs under isolated).
    liquidated_notional : closed notional at the fills.
    collateral_in : collateral of the liquidated units valued at the fills (cash + h * fill).
    returned, penalties, paid_to_market, bad_debt : its split (``kernels.impact.settle``):
        ``collateral_in = returned + penalties + paid_to_market`` at every step.

    Per account and leg, shape (n, K)
    ---------------------------------
    leg_step : int, step at which each leg was closed (-1: never, or no leg).
    trigger : int, asset whose move since the start cost the liquidated margin unit the most
        (-1 where not liquidated).
    collateral_left : pledged units still held at the end.

    Per account, shape (n,)
    -----------------------
    liquidated : bool, at least one leg closed.
    cash_left : USD cash still posted at the end.
    account_returned, account_penalty, account_paid_to_market, account_bad_debt : sums over
        the account's liquidations.

    Headlines
    ---------
    max_drawdown : (K,), largest fall from a running peak of the observed price, fraction.
    liquidated_units_total, n_liquidated_legs_total : (K,), per asset over the run.
    n_accounts_liquidated : int; total_bad_debt, total_penalties, total_liquidated_notional : float.
    contagion : int, accounts with a liquidation triggered by an asset other than the shocked one.
    dragged_legs : (K,) int, legs in each asset closed in a liquidation that another asset
        triggered: a crash in one leg taking the others down (cross margin; under isolated margin
        only through pledged collateral).
    shock_asset : int, names : tuple of str.
    """

    price: np.ndarray
    fundamental: np.ndarray
    fill_price: np.ndarray
    order_flow: np.ndarray
    liquidated_units: np.ndarray
    collateral_sold: np.ndarray
    n_liquidated_legs: np.ndarray
    n_liquidations: np.ndarray
    liquidated_notional: np.ndarray
    collateral_in: np.ndarray
    returned: np.ndarray
    penalties: np.ndarray
    paid_to_market: np.ndarray
    bad_debt: np.ndarray
    leg_step: np.ndarray
    trigger: np.ndarray
    collateral_left: np.ndarray
    liquidated: np.ndarray
    cash_left: np.ndarray
    account_returned: np.ndarray
    account_penalty: np.ndarray
    account_paid_to_market: np.ndarray
    account_bad_debt: np.ndarray
    max_drawdown: np.ndarray
    liquidated_units_total: np.ndarray
    n_liquidated_legs_total: np.ndarray
    n_accounts_liquidated: int
    total_bad_debt: float
    total_penalties: float
    total_liquidated_notional: float
    contagion: int
    dragged_legs: np.ndarray
    shock_asset: int
    names: tuple[str, ...]

    def __repr__(self) -> str:
        steps, K = self.price.shape
        return (
            f"PortfolioResult(steps={steps}, assets={K}, accounts liquidated="
            f"{self.n_accounts_liquidated:,}, contagion={self.contagion:,}, "
            f"bad debt={self.total_bad_debt:,.0f} USD)"
        )

    @property
    def contagion_share(self) -> float:
        """Share of liquidated accounts that the shocked asset did not trigger (0 if none)."""
        return self.contagion / self.n_accounts_liquidated if self.n_accounts_liquidated else 0.0

    def describe(self) -> str:
        """The result in a few lines of words."""
        a = self.shock_asset
        lines = [
            f"{self.n_accounts_liquidated:,} accounts liquidated; {self.contagion:,} of them "
            f"({self.contagion_share:.0%}) by an asset other than the shocked {self.names[a]}.",
        ]
        for k, name in enumerate(self.names):
            lines.append(
                f"  {name}: max drawdown {self.max_drawdown[k]:.1%}, "
                f"{self.n_liquidated_legs_total[k]:,} legs closed "
                f"({self.liquidated_units_total[k]:,.0f} units; {self.dragged_legs[k]:,} of them "
                f"by another asset's move)"
            )
        lines.append(
            f"Closed notional {self.total_liquidated_notional:,.0f} USD, penalties "
            f"{self.total_penalties:,.0f} USD, bad debt {self.total_bad_debt:,.0f} USD."
        )
        return "\n".join(lines)


# ----------------------------------------------------------------------------- simulation


def simulate_portfolio(
    accounts: Accounts,
    scenario: MultiAssetScenario | None = None,
    *,
    steps: int | None = None,
    seed: int | None = 0,
) -> PortfolioResult:
    r"""Run ``accounts`` through ``scenario``'s correlated market, step by step.

    Parameters
    ----------
    accounts : Accounts
        The margin accounts; ``accounts.n_assets`` must equal the scenario's.
    scenario : MultiAssetScenario or None
        The market; None uses ``MultiAssetScenario()``.
    steps : int or None
        Number of steps, >= 1; None uses ``scenario.steps``.
    seed : int or None
        Seed of the fundamentals' ``numpy.random.Generator`` (drawn outside the kernel, so the
        compiled and the pure-Python kernel give identical results).

    Returns
    -------
    PortfolioResult

    Notes
    -----
    Each step :math:`t`, for every asset :math:`k`:

    1. the impact deviation decays, :math:`g_k \leftarrow (1 - \text{resilience})\,g_k`, and
       the mark is :math:`p^-_k = F_{t,k}\,e^{g_k}`;
    2. every margin unit at or below its requirement at :math:`p^-` is liquidated (cross: the
       account, :math:`E_i \le R_i` with at least one open leg; isolated: the leg);
    3. the net forced order :math:`U_k = \sum q_{ik} + \sum h_{ik}` (closed legs, > 0 sells,
       plus the collateral sold; a closed leg's share :math:`w_{ik} h_{ij}` under isolated margin)
       moves the price to :math:`p^+_k = \text{impact}(p^-_k, U_k)` in asset :math:`k`'s book,
       :math:`g_k \mathrel{+}= \ln(p^+_k / p^-_k)`, and every order fills at
       :math:`f_k = (p^-_k + p^+_k)/2`;
    4. each unit settles with collateral :math:`C = c + \sum_j h_j f_j`,
       :math:`\text{pnl} = \sum q_k (f_k - e_k)`, penalty
       :math:`\min(\pi \sum |q_k| f_k, \max(C + \text{pnl}, 0))`, bad debt
       :math:`\max(-(C + \text{pnl}), 0)`; so :math:`C = \text{returned} + \text{penalty} +
       \text{paid to market}`.

    New liquidations from a step's price impact happen at the next step: the cascade unfolds
    in time. Every step scans all accounts (:math:`O(nK)` per step).

    Examples
    --------
    >>> sc = MultiAssetScenario()
    >>> res = simulate_portfolio(sample_accounts(5_000, sc.prices, seed=0), sc, seed=0)
    >>> bool(res.n_liquidated_legs_total[1] > 0)   # the crash in A liquidated legs in B
    True
    """
    check_instance("accounts", accounts, Accounts)
    if scenario is None:
        scenario = MultiAssetScenario()
    check_instance("scenario", scenario, MultiAssetScenario)
    K = scenario.n_assets
    if accounts.n_assets != K:
        raise ValueError(
            f"accounts must hold {K} assets to match the scenario, got {accounts.n_assets}"
        )
    steps = scenario.steps if steps is None else check_int("steps", steps, lo=1, hi=10_000_000)
    if seed is not None:
        check_int("seed", seed, lo=0)

    fundamental = scenario.fundamentals(steps, seed)
    n = len(accounts)
    books = scenario.books
    depth = np.array([b.depth for b in books])
    model = np.array([b.model for b in books], dtype=np.int64)
    floor = np.array([b.floor for b in books])

    price = np.zeros((steps, K))
    fill_price = np.zeros((steps, K))
    order_flow = np.zeros((steps, K))
    liq_units = np.zeros((steps, K))
    coll_sold = np.zeros((steps, K))
    n_legs = np.zeros((steps, K), dtype=np.int64)
    n_events = np.zeros(steps, dtype=np.int64)
    notional = np.zeros(steps)
    coll_in = np.zeros(steps)
    returned = np.zeros(steps)
    penalties = np.zeros(steps)
    paid = np.zeros(steps)
    bad = np.zeros(steps)
    leg_step = np.full((n, K), -1, dtype=np.int64)
    trigger = np.full((n, K), -1, dtype=np.int64)
    acc_returned = np.zeros(n)
    acc_penalty = np.zeros(n)
    acc_paid = np.zeros(n)
    acc_bad = np.zeros(n)
    cash_left = accounts.cash.copy()
    pledged_left = accounts.collateral_units.copy()
    ev_i = np.zeros(n * K, dtype=np.int64)
    ev_k = np.zeros(n * K, dtype=np.int64)

    _kernel.run(
        accounts.units, accounts.entry, accounts.cash, accounts.collateral_units,
        accounts.maintenance, np.ascontiguousarray(accounts.weights), accounts.cross_margin,
        fundamental, scenario.prices, float(scenario.resilience), depth, model, floor,
        float(scenario.penalty),
        price, fill_price, order_flow, liq_units, coll_sold, n_legs,
        n_events, notional, coll_in, returned, penalties, paid, bad,
        leg_step, trigger, acc_returned, acc_penalty, acc_paid, acc_bad,
        cash_left, pledged_left, ev_i, ev_k,
    )

    peak = np.maximum(np.maximum.accumulate(price, axis=0), scenario.prices)
    drawdown = (1.0 - price / peak).max(axis=0)
    liquidated = (leg_step >= 0).any(axis=1)
    a = scenario.shock_asset
    contagion = int(((trigger >= 0) & (trigger != a)).any(axis=1).sum())
    return PortfolioResult(
        price=price,
        fundamental=fundamental,
        fill_price=fill_price,
        order_flow=order_flow,
        liquidated_units=liq_units,
        collateral_sold=coll_sold,
        n_liquidated_legs=n_legs,
        n_liquidations=n_events,
        liquidated_notional=notional,
        collateral_in=coll_in,
        returned=returned,
        penalties=penalties,
        paid_to_market=paid,
        bad_debt=bad,
        leg_step=leg_step,
        trigger=trigger,
        collateral_left=pledged_left,
        liquidated=liquidated,
        cash_left=cash_left,
        account_returned=acc_returned,
        account_penalty=acc_penalty,
        account_paid_to_market=acc_paid,
        account_bad_debt=acc_bad,
        max_drawdown=drawdown,
        liquidated_units_total=liq_units.sum(axis=0),
        n_liquidated_legs_total=n_legs.sum(axis=0),
        n_accounts_liquidated=int(liquidated.sum()),
        total_bad_debt=float(bad.sum()),
        total_penalties=float(penalties.sum()),
        total_liquidated_notional=float(notional.sum()),
        contagion=contagion,
        dragged_legs=((trigger >= 0) & (trigger != np.arange(K))).sum(axis=0),
        shock_asset=int(a),
        names=tuple(scenario.names),
    )


# ----------------------------------------------------------------------------- baskets


def _basket_inputs(
    weights: object, vols: object, corr: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = check_array("weights", weights, lo=0.0)
    K = w.shape[0]
    if K < 1 or w.sum() <= 0.0:
        raise ValueError(f"weights must be non-negative with a positive sum, got {w.tolist()}")
    sigma = check_array("vols", vols, n=K, lo=0.0)
    rho = np.array(corr, dtype=np.float64)
    if rho.shape != (K, K):
        raise ValueError(f"corr must have shape ({K}, {K}) for {K} assets, got {rho.shape}")
    _correlation_factor(rho)
    return w / w.sum(), sigma, rho


def basket_volatility(
    weights: Sequence[float] | np.ndarray,
    vols: Sequence[float] | np.ndarray,
    corr: Sequence[Sequence[float]] | np.ndarray,
) -> float:
    r"""Volatility of a collateral basket, in the units of ``vols`` (e.g. per step).

    .. math:: \sigma_b = \sqrt{(w \circ \sigma)^\top \rho\, (w \circ \sigma)},

    with value weights :math:`w` normalised to sum to 1. At :math:`\rho = 1` it equals the
    weighted mean volatility; below 1 diversification lowers it.

    Parameters
    ----------
    weights : array of float, shape (K,)
        Value held in each asset (any scale), >= 0 with a positive sum.
    vols : array of float, shape (K,)
        Volatility of each asset, >= 0.
    corr : array, shape (K, K)
        Correlation matrix (validated as in :class:`MultiAssetScenario`).

    Examples
    --------
    >>> round(basket_volatility([1, 1], [0.1, 0.1], equicorrelation(2, 0.0)), 4)
    0.0707
    """
    w, sigma, rho = _basket_inputs(weights, vols, corr)
    x = w * sigma
    return float(math.sqrt(max(float(x @ rho @ x), 0.0)))


def basket_drawdown(
    weights: Sequence[float] | np.ndarray,
    vols: Sequence[float] | np.ndarray,
    corr: Sequence[Sequence[float]] | np.ndarray,
    shock: float,
    *,
    shock_asset: int = 0,
) -> float:
    r"""Expected relative loss of a collateral basket when one asset falls by ``shock``.

    Each asset moves by its conditional mean given the shock (the ``spillover`` of
    :class:`MultiAssetScenario`), :math:`\ln(1 + r_j) = \beta_j \ln(1 - s)`,
    :math:`\beta_j = \rho_{ja}\sigma_j/\sigma_a`, so the basket loses

    .. math:: \ell = \sum_j w_j \big(1 - (1 - s)^{\beta_j}\big), \qquad \textstyle\sum_j w_j = 1 .

    Single collateral in the shocked asset loses :math:`s`; a basket loses less the lower the
    correlation (:math:`w_a s` at :math:`\rho = 0`).

    Parameters
    ----------
    weights, vols, corr : as in :func:`basket_volatility`.
    shock : float
        Relative fall of the shocked asset, in (-1, 1).
    shock_asset : int
        Index of the shocked asset, in [0, K).

    Returns
    -------
    float
        Fraction of the basket's value lost (negative for a gain).

    Examples
    --------
    >>> basket_drawdown([1, 1], [0.1, 0.1], equicorrelation(2, 0.0), 0.2)
    0.1
    """
    w, sigma, rho = _basket_inputs(weights, vols, corr)
    shock = check_real("shock", shock, lo=-1.0, hi=1.0, lo_open=True, hi_open=True)
    a = check_int("shock_asset", shock_asset, lo=0, hi=w.shape[0] - 1)
    ratio = sigma / sigma[a] if sigma[a] > 0 else np.ones_like(sigma)
    beta = rho[:, a] * ratio
    return float((w * -np.expm1(beta * math.log1p(-shock))).sum())
