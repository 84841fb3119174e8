r"""Cross margin: one margin pool per account ties assets together (chapter 01).

A crash in one asset closes legs in the others (:func:`cascadelab.simulate_portfolio`, cross
against isolated margin, equicorrelated assets): :func:`cross_margin_contagion` and
:func:`correlation_sweep`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_array, check_real, check_sequence
from cascadelab.chapters._course import PRICE, cached, check_run
from cascadelab.market import Book
from cascadelab.portfolio import (
    Accounts,
    MultiAssetScenario,
    PortfolioResult,
    equicorrelation,
    sample_accounts,
    simulate_portfolio,
)

__all__ = ["CrossMarginResult", "correlation_sweep", "cross_margin_contagion"]


@dataclass(frozen=True, eq=False)
class CrossMarginResult:
    """Outcome of :func:`cross_margin_contagion`: the same accounts under both margin modes.

    Attributes
    ----------
    scenario : MultiAssetScenario
        The market (asset 0 is shocked).
    cross, isolated : PortfolioResult
        The run with one margin pool per account, and with one per leg.
    """

    scenario: MultiAssetScenario
    cross: PortfolioResult
    isolated: PortfolioResult

    @property
    def summary(self) -> dict[str, float]:
        """Legs closed in the shocked asset (``shocked_legs_cross``, ``shocked_legs_isolated``)
        and in the other assets (``other_legs_cross``, ``other_legs_isolated``); legs of other
        assets dragged by the shocked one under cross margin (``dragged_cross``) and their
        share (``dragged_share``); ``bad_debt_cross``, ``bad_debt_isolated`` (USD);
        ``drawdown_other_cross_pct`` (largest drawdown among the other assets, %)."""
        c, i = self.cross, self.isolated
        a = self.scenario.shock_asset
        other = np.arange(self.scenario.n_assets) != a
        other_c = float(c.n_liquidated_legs_total[other].sum())
        dragged = float(c.dragged_legs[other].sum())
        return {
            "shocked_legs_cross": float(c.n_liquidated_legs_total[a]),
            "shocked_legs_isolated": float(i.n_liquidated_legs_total[a]),
            "other_legs_cross": other_c,
            "other_legs_isolated": float(i.n_liquidated_legs_total[other].sum()),
            "dragged_cross": dragged,
            "dragged_share": dragged / other_c if other_c else 0.0,
            "bad_debt_cross": c.total_bad_debt,
            "bad_debt_isolated": i.total_bad_debt,
            "drawdown_other_cross_pct": 100.0 * float(c.max_drawdown[other].max()),
        }


@cached
def _accounts(n: int, seed: int, leverage: float) -> tuple[Accounts, Accounts]:
    cross = sample_accounts(n, (PRICE, PRICE, PRICE), leverage=leverage, seed=seed)
    return cross, cross.replace(cross_margin=False)


def _market(corr: float, shock: float, depth: float) -> MultiAssetScenario:
    books = tuple(Book(depth) for _ in range(3))
    return MultiAssetScenario(corr=equicorrelation(3, corr), shock=shock, books=books)


def _check_portfolio(corr: float, shock: float, depth: float, n: int, seed: int,
                     leverage: float) -> tuple[float, float, float, int, int, float]:
    return (check_real("corr", corr, lo=-0.5, hi=1.0),
            check_real("shock", shock, lo=0.0, hi=0.9),
            check_real("depth", depth, lo=1.0, hi=1e12),
            *check_run(n=n, seed=seed, n_range=(10, 1_000_000)),
            check_real("leverage", leverage, lo=1.0, hi=20.0))


def cross_margin_contagion(
    corr: float = 0.2,
    *,
    shock: float = 0.3,
    depth: float = 10_000.0,
    n: int = 5_000,
    leverage: float = 4.0,
    seed: int = 0,
) -> CrossMarginResult:
    r"""Crash asset A and count the legs closed in B and C, under cross and isolated margin.

    Three assets at 100 USD with pairwise correlation :math:`\varrho` (the shock spills over to
    B and C by its conditional mean, :math:`\ln(1 + r_j) = \varrho \ln(1 - s)`). Accounts from
    :func:`cascadelab.sample_accounts` hold two legs each. Under cross margin an account is
    closed, every leg, once :math:`E_i \le m \sum_j |q_{ij}| p_j`; under isolated margin each
    leg has its share of the collateral and fails on its own (see
    :mod:`cascadelab.portfolio`).

    Parameters
    ----------
    corr : float
        Correlation :math:`\varrho` between every pair of assets, in [-0.5, 1].
    shock : float
        Fall of asset A's fundamental at step 20, fraction in [0, 0.9].
    depth : float
        Depth of each asset's book, units per 1% move, in [1, 1e12].
    n : int
        Number of accounts, in [10, 1,000,000].
    leverage : float
        Median account leverage, in [1, 20].
    seed : int
        Seed of the accounts and of the price paths.

    Returns
    -------
    CrossMarginResult

    Examples
    --------
    >>> res = cross_margin_contagion(corr=0.0)
    >>> res.summary["other_legs_cross"] > res.summary["other_legs_isolated"]
    True
    """
    corr, shock, depth, n, seed, leverage = _check_portfolio(corr, shock, depth, n, seed,
                                                             leverage)
    sc = _market(corr, shock, depth)
    cross, isolated = _accounts(n, seed, leverage)
    return CrossMarginResult(sc, simulate_portfolio(cross, sc, seed=seed),
                             simulate_portfolio(isolated, sc, seed=seed))


def correlation_sweep(
    corrs: np.ndarray | tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    *,
    shock: float = 0.3,
    depth: float = 10_000.0,
    n: int = 5_000,
    leverage: float = 4.0,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Sweep the correlation of :func:`cross_margin_contagion`.

    ``corrs`` is a non-empty sequence of correlations, each in [-0.5, 1]; the other arguments
    are those of :func:`cross_margin_contagion`.

    Returns
    -------
    dict of str -> ndarray
        ``corr`` (the correlations) and, per correlation, every key of
        :attr:`CrossMarginResult.summary`.

    Examples
    --------
    >>> sw = correlation_sweep(corrs=(0.0, 0.8))
    >>> bool(sw["other_legs_cross"][1] > sw["other_legs_cross"][0])
    True
    """
    corrs = check_array("corrs", check_sequence("corrs", corrs, what="correlations"), lo=-0.5,
                        hi=1.0)
    _check_portfolio(float(corrs[0]), shock, depth, n, seed, leverage)
    rows = [cross_margin_contagion(corr=float(r), shock=shock, depth=depth, n=n,
                                   leverage=leverage, seed=seed).summary for r in corrs]
    out = {"corr": corrs}
    for key in rows[0]:
        out[key] = np.array([row[key] for row in rows])
    return out
