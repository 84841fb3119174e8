"""cascadelab: an open course on liquidation cascades, and the small package behind it.

Start with::

    from cascadelab import Book, cascade, sample_positions
    pos = sample_positions(10_000, price=100.0, seed=0)
    print(cascade(pos, price=100.0, shock=0.05, book=Book(depth=50_000.0)).describe())

Modules, one idea each: ``positions`` (who holds what, and where they break), ``market`` (the
book and price impact), ``cascade`` (the static cascade), ``tails`` (fat tails against a k-sigma
buffer), ``kernels`` (the numba loops),
``engine`` (the time-stepped market: ``Scenario``, ``simulate``) with one module per mechanism
(``oracles``, ``mitigations``, ``hedging``, ``adversary``), and ``montecarlo`` (many paths).
"""

from cascadelab.cascade import CascadeResult, cascade, cascade_multiplier, liquidation_density
from cascadelab.engine import DEFAULT_STEPS, Scenario, SimulationResult, default_market, simulate
from cascadelab.hedging import DealerBook
from cascadelab.market import IMPACT_MODELS, Book, impact_price
from cascadelab.montecarlo import MonteCarloResult, monte_carlo
from cascadelab.oracles import oracle_path
from cascadelab.portfolio import (
    Accounts,
    MultiAssetScenario,
    PortfolioResult,
    basket_drawdown,
    basket_volatility,
    equicorrelation,
    sample_accounts,
    simulate_portfolio,
)
from cascadelab.positions import Positions, bankruptcy_price, liquidation_price, sample_positions
from cascadelab.tails import breaches_per_year, student_t_returns, tail_probability

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_STEPS",
    "IMPACT_MODELS",
    "Accounts",
    "Book",
    "CascadeResult",
    "DealerBook",
    "MonteCarloResult",
    "MultiAssetScenario",
    "PortfolioResult",
    "Positions",
    "Scenario",
    "SimulationResult",
    "bankruptcy_price",
    "basket_drawdown",
    "basket_volatility",
    "breaches_per_year",
    "cascade",
    "cascade_multiplier",
    "default_market",
    "equicorrelation",
    "impact_price",
    "liquidation_density",
    "liquidation_price",
    "monte_carlo",
    "oracle_path",
    "sample_accounts",
    "sample_positions",
    "simulate",
    "simulate_portfolio",
    "student_t_returns",
    "tail_probability",
]
