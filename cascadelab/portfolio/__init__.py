"""Several assets: cross-margin accounts, correlated prices, collateral that falls with the asset.
The loop is :mod:`cascadelab.kernels.portfolio`.
"""

from cascadelab.portfolio.simulate import (
    Accounts,
    MultiAssetScenario,
    PortfolioResult,
    basket_drawdown,
    basket_volatility,
    equicorrelation,
    sample_accounts,
    simulate_portfolio,
)

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
