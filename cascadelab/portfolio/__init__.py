"""Several assets: cross-margin accounts, correlated prices, collateral that falls with the asset.

``accounts`` (:class:`Accounts`, :func:`sample_accounts`), ``baskets`` (correlation matrices and
collateral baskets) and ``simulate`` (:class:`MultiAssetScenario`, :func:`simulate_portfolio`).
The loop is :mod:`cascadelab.kernels.portfolio`.
"""

from cascadelab.portfolio.accounts import Accounts, sample_accounts
from cascadelab.portfolio.baskets import basket_drawdown, basket_volatility, equicorrelation
from cascadelab.portfolio.simulate import MultiAssetScenario, PortfolioResult, simulate_portfolio

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
