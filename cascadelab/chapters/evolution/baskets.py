r"""Scenario functions of chapter 04: collateral baskets and liquidity behind a bridge.

:func:`basket_scenario` runs the same crash in asset A through three books of cross-margin
accounts that differ only in what their margin is posted in (:func:`cascadelab.sample_accounts`'s
``collateral_mix``): USD cash, asset A alone ("single"), or an equal basket of A, B and C.
A pledged asset loses value exactly when the market falls, so its holder is hit twice; a basket
loses on average

.. math:: \bar s = \sum_j w_j \big(1 - (1 - s)^{\beta_j}\big), \qquad \beta_j = \varrho_{jA}\,
    \sigma_j / \sigma_A,

(:func:`cascadelab.basket_drawdown`), between :math:`w_A s` at correlation 0 and :math:`s` at 1.

:func:`bridge_scenario` is the static :func:`cascadelab.cascade` on the course population
twice: with the whole book, and with the share :math:`\eta` of its depth that sits on another
chain cut off by a bridge outage, :math:`D' = (1 - \eta) D` (``Book.scaled``). With :math:`\rho`
units of liquidations per 1% near the shocked price, the loop's multiplier becomes

.. math:: \frac{1}{1 - \rho / \big((1 - \eta) D\big)},

whose local estimate of the critical share is :math:`\eta^* = 1 - \rho / D`: a bridge outage
can push a market past its critical point without any change in positions. The estimate uses
the density just below the shocked price; where the density rises further down, the simulated
cascade jumps earlier (:attr:`BridgeSweep.jump`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_array, check_choice, check_real
from cascadelab.cascade import CascadeResult, cascade, cascade_multiplier, liquidation_density
from cascadelab.chapters._course import PRICE, cached, check_run, population
from cascadelab.market import Book
from cascadelab.portfolio import (
    Accounts,
    MultiAssetScenario,
    PortfolioResult,
    equicorrelation,
    sample_accounts,
    simulate_portfolio,
)

__all__ = [
    "COLLATERAL_MIXES",
    "BasketResult",
    "BridgeResult",
    "basket_scenario",
    "basket_sweep",
    "bridge_scenario",
    "bridge_sweep",
]

#: What margin is posted in: name -> ``collateral_mix`` of :func:`cascadelab.sample_accounts`.
COLLATERAL_MIXES: dict[str, tuple[float, float, float] | None] = {
    "cash": None,
    "single": (1.0, 0.0, 0.0),
    "basket": (1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0),
}

_PRICES = (PRICE, PRICE, PRICE)
_CORRS = tuple(float(x) for x in np.linspace(0.0, 1.0, 11))
_SHARES = tuple(float(x) for x in np.linspace(0.0, 0.9, 19))


# ----------------------------------------------------------------------------- baskets


@cached
def _accounts(mix: str, n: int, leverage: float, seed: int) -> Accounts:
    return sample_accounts(
        n, _PRICES, leverage=leverage, collateral_mix=COLLATERAL_MIXES[mix], seed=seed
    )


def _market(corr: float, shock: float, depth: float, steps: int) -> MultiAssetScenario:
    book = Book(depth=depth)
    return MultiAssetScenario(
        vols=(0.0, 0.0, 0.0), corr=equicorrelation(3, corr), books=(book, book, book),
        shock=shock, shock_step=2, steps=steps,
    )


def _check_basket(
    corr: float, shock: float, depth: float, n: int, leverage: float, steps: int, seed: int
):
    corr = check_real("corr", corr, lo=-0.5, hi=1.0)
    shock = check_real("shock", shock, lo=0.0, hi=1.0, hi_open=True)
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    leverage = check_real("leverage", leverage, lo=1.0, hi=20.0)
    n, seed, steps = check_run(n=n, seed=seed, steps=steps, n_range=(1, 1_000_000),
                               steps_range=(3, 100_000))
    return corr, shock, depth, n, leverage, steps, seed


@dataclass(frozen=True, eq=False)
class BasketResult:
    """What :func:`basket_scenario` returns: one crash, three kinds of collateral.

    Attributes
    ----------
    corr, shock, depth : float
        Pairwise correlation, crash of asset A (fraction), depth of each book (units per 1%).
    mixes : tuple of str
        ``("cash", "single", "basket")``, the order of every array's first axis.
    runs : tuple of PortfolioResult
        The three simulations.
    drawdown : ndarray, shape (3, 3)
        Max drawdown (fraction) per collateral mix (rows) and asset A, B, C (columns).
    liquidated : ndarray, shape (3,)
        Accounts liquidated (out of ``n``).
    bad_debt : ndarray, shape (3,)
        Bad debt, USD.
    contagion : ndarray, shape (3,)
        Accounts liquidated by a move in B or C rather than A.
    n : int
        Accounts per book.
    """

    corr: float
    shock: float
    depth: float
    mixes: tuple[str, ...]
    runs: tuple[PortfolioResult, ...]
    drawdown: np.ndarray
    liquidated: np.ndarray
    bad_debt: np.ndarray
    contagion: np.ndarray
    n: int

    @property
    def summary(self) -> dict[str, float]:
        """Headline numbers per mix: accounts liquidated, bad debt (USD), drawdown of B."""
        out: dict[str, float] = {}
        for i, mix in enumerate(self.mixes):
            out[f"liquidated_{mix}"] = float(self.liquidated[i])
            out[f"bad_debt_{mix}"] = float(self.bad_debt[i])
            out[f"drawdown_b_{mix}"] = float(self.drawdown[i, 1])
        return out


def basket_scenario(
    corr: float = 0.5,
    shock: float = 0.12,
    depth: float = 10_000.0,
    *,
    n: int = 5_000,
    leverage: float = 4.0,
    steps: int = 60,
    seed: int = 0,
) -> BasketResult:
    r"""Crash asset A and compare margin posted in cash, in A alone, and in a basket of A, B, C.

    Parameters
    ----------
    corr : float
        Pairwise correlation of the three assets, in [-0.5, 1].
    shock : float
        Crash of asset A's fundamental, fraction in [0, 1); B and C follow by their conditional
        mean (``spillover``), so correlation carries the crash across assets.
    depth : float
        Book depth of each asset, units per 1%, > 0.
    n : int
        Accounts per book (two legs each, cross margin; the same seed for all three books, so
        they hold the same positions and differ only in collateral).
    leverage : float
        Median account leverage, x, in [1, 20].
    steps : int
        Steps simulated; the crash is at step 2 and forced sales unfold over the next steps.
    seed : int
        Seed of the accounts.

    Returns
    -------
    BasketResult

    Examples
    --------
    >>> res = basket_scenario(corr=0.5)
    >>> bool(res.liquidated[1] > res.liquidated[2] > res.liquidated[0])   # single > basket > cash
    True
    """
    corr, shock, depth, n, leverage, steps, seed = _check_basket(corr, shock, depth, n,
                                                                 leverage, steps, seed)
    market = _market(corr, shock, depth, steps)
    mixes = tuple(COLLATERAL_MIXES)
    runs = tuple(simulate_portfolio(_accounts(m, n, leverage, seed), market, seed=0)
                 for m in mixes)
    return BasketResult(
        corr=corr, shock=shock, depth=depth, mixes=mixes, runs=runs,
        drawdown=np.array([r.max_drawdown for r in runs]),
        liquidated=np.array([r.n_accounts_liquidated for r in runs], dtype=float),
        bad_debt=np.array([r.total_bad_debt for r in runs]),
        contagion=np.array([r.contagion for r in runs], dtype=float),
        n=n,
    )


@dataclass(frozen=True)
class BasketSweep:
    """Liquidated accounts and bad debt against correlation, per collateral mix.

    Attributes
    ----------
    corrs : ndarray, shape (m,)
        Correlations swept.
    liquidated, bad_debt : ndarray, shape (3, m)
        Accounts liquidated and bad debt (USD) for cash, single, basket (rows).
    """

    corrs: np.ndarray
    liquidated: np.ndarray
    bad_debt: np.ndarray


@cached
def _sweep(corrs: tuple[float, ...], shock: float, depth: float, n: int, leverage: float,
           steps: int, seed: int) -> BasketSweep:
    res = [basket_scenario(corr=r, shock=shock, depth=depth, n=n, leverage=leverage, steps=steps,
                           seed=seed) for r in corrs]
    return BasketSweep(
        corrs=np.array(corrs),
        liquidated=np.array([r.liquidated for r in res]).T,
        bad_debt=np.array([r.bad_debt for r in res]).T,
    )


def basket_sweep(
    corrs: np.ndarray | tuple[float, ...] = _CORRS,
    shock: float = 0.12,
    depth: float = 10_000.0,
    *,
    n: int = 5_000,
    leverage: float = 4.0,
    steps: int = 60,
    seed: int = 0,
) -> BasketSweep:
    """:func:`basket_scenario` at each correlation in ``corrs`` (cached per argument set).

    Parameters as in :func:`basket_scenario`; ``corrs`` is an array of correlations in [-0.5, 1].

    Returns
    -------
    BasketSweep
    """
    r = check_array("corrs", corrs, lo=-0.5, hi=1.0)
    _, shock, depth, n, leverage, steps, seed = _check_basket(0.0, shock, depth, n, leverage,
                                                              steps, seed)
    return _sweep(tuple(float(x) for x in r), shock, depth, n, leverage, steps, seed)


# ----------------------------------------------------------------------------- bridge


@dataclass(frozen=True, eq=False)
class BridgeResult:
    """What :func:`bridge_scenario` returns: the same shock with and without a bridge outage.

    Attributes
    ----------
    share : float
        Share of the book's depth behind the bridge, cut off by the outage, in [0, 1).
    normal, outage : CascadeResult
        The cascade on the whole book, and on the book left on this chain.
    rho : float
        Liquidation density near the shocked price, units per 1%.
    depth : float
        Full depth, units per 1%.
    critical_share : float
        Share :math:`1 - \\rho / D` beyond which the loop runs away (0 if it already does).
    multiplier : float
        Closed-form multiplier with the outage, :math:`1 / (1 - \\rho / ((1 - \\eta) D))`, x.
    """

    share: float
    normal: CascadeResult
    outage: CascadeResult
    rho: float
    depth: float
    critical_share: float
    multiplier: float

    @property
    def summary(self) -> dict[str, float]:
        """Headline numbers: amplifications (x), liquidated volume (units), bad debt (USD)."""
        return {
            "amplification_normal": self.normal.amplification,
            "amplification_outage": self.outage.amplification,
            "liquidated_normal": self.normal.liquidated_units,
            "liquidated_outage": self.outage.liquidated_units,
            "bad_debt_outage": self.outage.bad_debt,
            "critical_share": self.critical_share,
        }


def _check_bridge(shock: float, depth: float, impact: str, n: int, leverage: float, seed: int):
    shock = check_real("shock", shock, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    impact = check_choice("impact", impact, ("linear", "exponential", "sqrt"))
    n, seed = check_run(n=n, seed=seed, n_range=(1, 10_000_000))
    leverage = check_real("leverage", leverage, lo=1.0, hi=50.0)
    return shock, depth, impact, n, leverage, seed


def bridge_scenario(
    share: float = 0.4,
    shock: float = 0.02,
    depth: float = 200_000.0,
    *,
    impact: str = "linear",
    n: int = 20_000,
    leverage: float = 10.0,
    seed: int = 0,
) -> BridgeResult:
    r"""One shock with the whole book, and with ``share`` of its depth stuck behind a bridge.

    Parameters
    ----------
    share : float
        Share :math:`\eta` of the depth that lives on another chain, in [0, 1).
    shock : float
        Price drop that starts the cascade, fraction in (0, 1).
    depth : float
        Total depth :math:`D` across chains, units per 1%, > 0.
    impact : {"linear", "exponential", "sqrt"}
        Impact model of the book.
    n, leverage, seed
        The course population (:func:`cascadelab.chapters._course.population`, at 100 USD):
        size, median leverage (x) and seed.

    Returns
    -------
    BridgeResult

    Examples
    --------
    >>> res = bridge_scenario(share=0.3)
    >>> res.outage.amplification > res.normal.amplification
    True
    """
    share = check_real("share", share, lo=0.0, hi=1.0, hi_open=True)
    shock, depth, impact, n, leverage, seed = _check_bridge(shock, depth, impact, n, leverage,
                                                            seed)
    pos = population(n, seed=seed, leverage=leverage)
    book = Book(depth=depth, impact=impact)
    normal = cascade(pos, PRICE, shock, book)
    outage = normal if share == 0.0 else cascade(pos, PRICE, shock, book.scaled(1.0 - share))
    rho = liquidation_density(pos, normal.shocked_price, window=0.05)
    return BridgeResult(
        share=share,
        normal=normal,
        outage=outage,
        rho=rho,
        depth=depth,
        critical_share=max(1.0 - rho / depth, 0.0),
        multiplier=cascade_multiplier(rho, (1.0 - share) * depth),
    )


@dataclass(frozen=True)
class BridgeSweep:
    """Amplification against the share of depth behind the bridge.

    Attributes
    ----------
    shares : ndarray
        Shares :math:`\\eta` swept.
    amplification : ndarray
        Simulated amplification at each share, x.
    closed_form : ndarray
        :math:`1 / (1 - \\rho / ((1 - \\eta) D))`, x (inf past the critical share).
    critical_share : float
        :math:`\\eta^* = 1 - \\rho / D`, the local estimate.
    """

    shares: np.ndarray
    amplification: np.ndarray
    closed_form: np.ndarray
    critical_share: float

    @property
    def jump(self) -> tuple[float, float, float, float]:
        """The largest jump of the simulated amplification between two neighbouring shares:
        ``(share_before, share_after, amplification_before, amplification_after)``, to set
        against the estimate :attr:`critical_share`."""
        order = np.argsort(self.shares)
        b, amp = self.shares[order], self.amplification[order]
        i = int(np.argmax(amp[1:] / amp[:-1]))
        return float(b[i]), float(b[i + 1]), float(amp[i]), float(amp[i + 1])


def bridge_sweep(
    shares: np.ndarray | tuple[float, ...] = _SHARES,
    shock: float = 0.02,
    depth: float = 200_000.0,
    *,
    impact: str = "linear",
    n: int = 20_000,
    leverage: float = 10.0,
    seed: int = 0,
) -> BridgeSweep:
    """:func:`bridge_scenario` at each share in ``shares`` (each in [0, 1)).

    Returns
    -------
    BridgeSweep
    """
    b = check_array("shares", shares, lo=0.0, hi=1.0, hi_open=True)
    runs = [bridge_scenario(share=s, shock=shock, depth=depth, impact=impact, n=n,
                            leverage=leverage, seed=seed) for s in b]
    rho = runs[0].rho if runs else 0.0
    return BridgeSweep(
        shares=b,
        amplification=np.array([r.outage.amplification for r in runs]),
        closed_form=np.array([r.multiplier for r in runs]),
        critical_share=max(1.0 - rho / depth, 0.0),
    )
