r"""Several assets, cross-margin accounts and correlated collateral: how a crash spreads.

The accounts (:class:`~cascadelab.portfolio.accounts.Accounts`: equity, requirement, cross or
isolated margin, collateral pledged in the traded assets) trade in a market of :math:`K` assets,
:class:`MultiAssetScenario`. Its fundamentals are correlated log-normal walks (Cholesky factor
:math:`A`, :math:`AA^\top = \rho`) with a scripted shock; forced orders move each asset's observed
price through its own :class:`~cascadelab.Book` (see :func:`simulate_portfolio` for the step).

**Bounds, as in the single-asset engine** (:mod:`cascadelab.market`): every traded price of asset
:math:`k` stays in the price band :math:`[\text{floor}_k F_{t,k},\ 2 F_{t,k}]` around its
fundamental (``floor_k`` its book's floor, 0.001 by default; ``PRICE_CAP = 2``), the way venues
bound how far a trade may print from the index price; the books never thin (their depth is
constant), so the engine's depth floor (``DEPTH_FLOOR``, 1% of the depth) holds trivially.
Without the band, forced buy-backs of shorts through a thin linear or exponential book ran to
more than 1e100 times the fundamental, or overflowed to ``inf``
(``tests/test_portfolio_bounds.py``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from cascadelab._validate import (
    check_array,
    check_bool,
    check_instance,
    check_int,
    check_real,
    check_seed,
    check_sequence,
)
from cascadelab.kernels import portfolio as _kernel
from cascadelab.market import Book
from cascadelab.portfolio.accounts import Accounts
from cascadelab.portfolio.baskets import _correlation_factor, equicorrelation

__all__ = ["MultiAssetScenario", "PortfolioResult", "simulate_portfolio"]


MIN_PRICE, MAX_PRICE = 1e-12, 1e12
"""Range of a scenario's starting prices, USD per unit."""
MAX_ASSETS = 1000
"""Largest number of assets."""
MAX_STEPS = 10_000_000
"""Largest number of steps."""
FUNDAMENTAL_RANGE = (1e-100, 1e100)
"""Range a fundamental price path must stay within, USD per unit."""
MAX_BYTES = 2e9
"""Largest memory :func:`simulate_portfolio` allocates for one run, bytes."""
MAX_BETA = 10.0
"""Largest spillover coefficient :math:`|\\beta_j|`: with ``spillover`` no asset jumps by more
than ten times the shocked asset's log move (a smaller ``vols[shock_asset]`` would make the
conditional mean of a tiny-volatility crash an absurd jump elsewhere)."""
MIN_FLOOR = 1e-200
"""Smallest book floor (fraction of the fundamental): the band's lower edge ``floor * F`` stays a
positive float for every fundamental in :data:`FUNDAMENTAL_RANGE`."""


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
        Starting prices, USD per unit, in [1e-12, 1e12]; 1 <= K <= 1000.
    vols : array of float, shape (K,)
        Volatility of each fundamental per step (sd of the log return), in [0, 1].
    corr : array, shape (K, K)
        Correlation matrix of the innovations: symmetric, ones on the diagonal, positive
        semi-definite (rank-deficient matrices such as all-ones are allowed).
    books : sequence of Book, length K
        The order book of each asset; each ``floor`` at least 1e-200 (:data:`MIN_FLOOR`). The
        traded price of asset :math:`k` stays in the band :math:`[\text{floor}_k, 2]\,F_{t,k}`
        (module docstring).
    shock : float
        Relative drop of the shocked asset's fundamental, in (-1, 1); negative means a rise.
    shock_asset : int
        Index of the shocked asset, in [0, K).
    shock_step : int
        First step of the shock, >= 0 (must fit in the simulated steps).
    shock_steps : int
        Number of steps the shock is spread over, >= 1 (``shock_step + shock_steps <=
        steps``).
    spillover : bool
        Move the other assets by their conditional mean (above) when the shock hits; then every
        :math:`|\beta_j| \le 10` (:data:`MAX_BETA`), so a tiny ``vols[shock_asset]`` next to
        larger ones is refused with a ``ValueError`` naming the pair.
    penalty : float
        Liquidation penalty, a fraction of the closed notional at the fill, in [0, 1).
    resilience : float
        Fraction of the impact deviation that decays each step, in [0, 1]: the observed price is
        :math:`p_{t,k} = F_{t,k}\,e^{g_{t,k}}` with :math:`g \leftarrow (1 - \text{resilience})\,g`
        before each step's orders; 0 makes impact permanent.
    steps : int
        Default number of steps, in [1, 10,000,000].
    names : sequence of str, length K, or None
        Asset names for printing; None names them A, B, C, ...

    A fundamental path must stay within [1e-100, 1e100] USD (:data:`FUNDAMENTAL_RANGE`):
    :meth:`fundamentals` raises ``FloatingPointError`` naming ``vols``, ``steps`` and the shock
    when high volatilities over many steps would carry it out.

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
        prices = check_array("prices", self.prices, lo=MIN_PRICE, hi=MAX_PRICE)
        K = prices.shape[0]
        if not 1 <= K <= MAX_ASSETS:
            raise ValueError(f"prices must list between 1 and {MAX_ASSETS} assets, got {K}")
        vols = check_array("vols", self.vols, n=K, per="asset", lo=0.0, hi=1.0)
        corr = check_array("corr", self.corr, shape=(K, K), per=f"K x K for {K} assets")
        factor = _correlation_factor(corr)
        books = check_sequence("books", self.books, min_len=0, what="Books")
        if len(books) != K:
            raise ValueError(f"books must hold one Book per asset ({K}), got {len(books)}")
        for k, b in enumerate(books):
            check_instance(f"books[{k}]", b, Book)
            if b.floor < MIN_FLOOR:
                raise ValueError(
                    f"books[{k}].floor must be in [{MIN_FLOOR:g}, 1) in a MultiAssetScenario (the "
                    f"price band's lower edge floor x fundamental must stay a positive float), "
                    f"got {b.floor:g}"
                )
        check_real("shock", self.shock, lo=-1.0, hi=1.0, lo_open=True, hi_open=True)
        check_int("shock_asset", self.shock_asset, lo=0, hi=K - 1)
        check_int("shock_step", self.shock_step, lo=0, hi=MAX_STEPS - 1)
        check_int("shock_steps", self.shock_steps, lo=1, hi=MAX_STEPS)
        check_bool("spillover", self.spillover)
        check_real("penalty", self.penalty, lo=0.0, hi=1.0, hi_open=True)
        check_real("resilience", self.resilience, lo=0.0, hi=1.0)
        check_int("steps", self.steps, lo=1, hi=MAX_STEPS)
        if self.names is None:
            names = tuple(chr(ord("A") + k) if k < 26 else f"asset{k}" for k in range(K))
        else:
            names = tuple(str(s) for s in check_sequence("names", self.names, min_len=0,
                                                         what="names"))
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
        if self.spillover and self.shock != 0.0:
            beta, a = self.beta, self.shock_asset
            j = int(np.argmax(np.abs(beta)))
            if not abs(beta[j]) <= MAX_BETA:
                raise ValueError(
                    f"with spillover, beta[{j}] = corr[{j}, {a}] x vols[{j}] / vols[{a}] must be "
                    f"in [-{MAX_BETA:g}, {MAX_BETA:g}] (asset {names[j]} would jump {beta[j]:.3g} "
                    f"times the shock's log move), got corr[{j}, {a}] = {corr[j, a]:g}, vols[{j}] "
                    f"= {vols[j]:g}, vols[{a}] = {vols[a]:g}: raise vols[{a}], lower "
                    f"corr[{j}, {a}] or set spillover=False"
                )

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
        with np.errstate(over="ignore"):  # a vanishing vols[a]: the fundamentals refuse it
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
        steps = self.steps if steps is None else check_int("steps", steps, lo=1, hi=MAX_STEPS)
        if self.shock_step + self.shock_steps > steps:
            raise ValueError(
                f"shock_step + shock_steps must be <= steps = {steps}, got "
                f"{self.shock_step} + {self.shock_steps}"
            )
        rng = np.random.default_rng(check_seed(seed))
        z = rng.standard_normal((steps, self.n_assets))
        r = -0.5 * self.vols**2 + self.vols * (z @ self.factor.T)
        jump = math.log1p(-self.shock) / self.shock_steps
        beta = self.beta if self.spillover else np.eye(self.n_assets)[self.shock_asset]
        window = slice(self.shock_step, self.shock_step + self.shock_steps)
        if jump != 0.0:
            with np.errstate(over="ignore", invalid="ignore"):
                r[window] += jump * beta
        with np.errstate(over="ignore", invalid="ignore"):
            cum = np.cumsum(r, axis=0)
            log_f = np.log(self.prices) + cum
        lo, hi = (math.log(x) for x in FUNDAMENTAL_RANGE)
        out = ~((log_f >= lo) & (log_f <= hi))  # NaN (inf - inf) is out too
        if out.any():
            t, k = np.unravel_index(int(np.argmax(out)), out.shape)
            a = self.shock_asset
            if k != a and not abs(beta[k] * jump * self.shock_steps) < 0.5 * (hi - lo):
                raise FloatingPointError(
                    f"the fundamental of asset {self.names[k]} leaves [1e-100, 1e100] USD at "
                    f"step {t} (log-price {log_f[t, k]:.4g}): the spillover beta[{k}] = "
                    f"{beta[k]:g} (corr[{k}, {a}] x vols[{k}] / vols[{a}]) multiplies the "
                    f"shock's log move ({jump * self.shock_steps:.4g}) of asset "
                    f"{self.names[a]}, whose vols[{a}] = {self.vols[a]:g} is tiny; raise "
                    f"vols[{a}], lower corr[{k}, {a}] or set spillover=False"
                )
            raise FloatingPointError(
                f"the fundamental of asset {self.names[k]} leaves [1e-100, 1e100] USD at step "
                f"{t} (log-price {log_f[t, k]:.4g}): lower vols (vols[{k}] = "
                f"{self.vols[k]:g} per step), steps (= {steps}) or the shock "
                f"(= {self.shock:g}, spillover beta[{k}] = {beta[k]:g})"
            )
        return self.prices * np.exp(cum)


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
    returned, penalties, paid_to_market, bad_debt : its split (``positions.settle``):
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


_PER_STEP = ("price", "fill_price", "order_flow", "liquidated_units", "collateral_sold",
             "liquidated_notional", "collateral_in", "returned", "penalties", "paid_to_market",
             "bad_debt")


def _check_finite(scenario: MultiAssetScenario, per_step: tuple[np.ndarray, ...]) -> None:
    """Raise ``FloatingPointError`` at the first step where a result left the float range.

    Prices cannot: the fundamentals are within :data:`FUNDAMENTAL_RANGE` and every traded price
    within the band around them. What can still overflow is money, units times a price, for
    accounts built by hand with positions near the float range; the message names the step, the
    result, the asset where it has one, and what to change.
    """
    ok = [np.isfinite(a).reshape(a.shape[0], -1) for a in per_step]
    bad = ~np.logical_and.reduce([o.all(axis=1) for o in ok])
    if not bad.any():
        return
    t = int(np.argmax(bad))
    j = next(j for j, o in enumerate(ok) if not o[t].all())
    k = int(np.argmin(ok[j][t]))
    arr = per_step[j]
    what = (f"{_PER_STEP[j]} = {arr[t]:g}" if arr.ndim == 1 else
            f"{_PER_STEP[j]} of asset {scenario.names[k]} = {arr[t, k]:g}")
    raise FloatingPointError(
        f"simulate_portfolio left the float range at step {t} ({what}): the accounts' positions "
        f"times the price overflow a float; use smaller accounts (units, collateral_units, cash)"
    )


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
        Number of steps, in [1, 10,000,000]; None uses ``scenario.steps``. The run's arrays
        must fit in 2 GB (:data:`MAX_BYTES`), about ``8 * ((9 K + 7) steps + (8 K + 6) n)``
        bytes for ``n`` accounts.
    seed : int or None
        Seed (>= 0) of the fundamentals' ``numpy.random.Generator`` (drawn outside the kernel,
        so the compiled and the pure-Python kernel give identical results).

    Returns
    -------
    PortfolioResult
        Every array is finite and every price is inside the band of the module docstring:
        ``floor_k * fundamental <= price <= 2 * fundamental`` (USD per unit, ``floor_k`` the
        book's). ``FloatingPointError`` is left only for a fundamental outside
        :data:`FUNDAMENTAL_RANGE` (raised before the run, naming ``vols``, ``steps`` and the
        shock) and for accounts built by hand whose money (units times a price) overflows a
        float (naming the step and the result).

    Notes
    -----
    Each step :math:`t`, for every asset :math:`k`:

    1. the impact deviation decays, :math:`g_k \leftarrow (1 - \text{resilience})\,g_k`, and
       the mark is :math:`p^-_k = F_{t,k}\,e^{g_k}`;
    2. every margin unit at or below its requirement at :math:`p^-` is liquidated (cross: the
       account, :math:`E_i \le R_i` with at least one open leg; isolated: the leg);
    3. the net forced order :math:`U_k = \sum q_{ik} + \sum h_{ik}` (closed legs, > 0 sells,
       plus the collateral sold; a closed leg's share :math:`w_{ik} h_{ij}` under isolated margin)
       moves the price through asset :math:`k`'s book, inside the price band around the
       fundamental: :math:`p^+_k = \min\{\max[\text{impact}(p^-_k, U_k),\
       \text{floor}_k F_{t,k}],\ 2 F_{t,k}\}` (USD per unit;
       :func:`cascadelab.market.banded`), :math:`g_k \mathrel{+}= \ln(p^+_k / p^-_k)`, and
       every order fills at :math:`f_k = (p^-_k + p^+_k)/2`;
    4. each unit settles with collateral :math:`C = c + \sum_j h_j f_j`,
       :math:`\text{pnl} = \sum q_k (f_k - e_k)`, penalty
       :math:`\min(\pi \sum |q_k| f_k, \max(C + \text{pnl}, 0))`, bad debt
       :math:`\max(-(C + \text{pnl}), 0)`; so :math:`C = \text{returned} + \text{penalty} +
       \text{paid to market}`.

    New liquidations from a step's price impact happen at the next step: the cascade unfolds
    in time. Every step scans all accounts (:math:`O(nK)` per step).

    Examples
    --------
    >>> from cascadelab.portfolio import sample_accounts
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
    steps = scenario.steps if steps is None else check_int("steps", steps, lo=1, hi=MAX_STEPS)
    seed = check_seed(seed)
    n = len(accounts)
    need = 8.0 * ((9 * K + 7) * steps + (8 * K + 6) * n)
    if need > MAX_BYTES:
        raise ValueError(
            f"steps = {steps:,} and {n:,} accounts x {K} assets need about {need / 1e9:.2f} GB, "
            f"more than the {MAX_BYTES / 1e9:g} GB allowed: use fewer steps or accounts"
        )

    fundamental = scenario.fundamentals(steps, seed)
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

    _check_finite(scenario, (price, fill_price, order_flow, liq_units, coll_sold, notional,
                             coll_in, returned, penalties, paid, bad))
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
