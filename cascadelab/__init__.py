"""cascadelab: an open course on liquidation cascades, and the small package behind it.

Start with::

    from cascadelab import Book, cascade, sample_positions
    pos = sample_positions(10_000, price=100.0, seed=0)
    print(cascade(pos, price=100.0, shock=0.05, book=Book(depth=50_000.0)).describe())

The top level is the model's API. The package has one folder per layer:

* the model: ``positions`` (who holds what, and where they break), ``market`` (the book and
  price impact), ``cascade`` (the static cascade), ``tails`` (fat tails against a k-sigma buffer);
* ``mechanisms``: one venue rule per module (oracles, margin, breaker, liquidation, hedging,
  adversary, oracle_network, clearing), each with its equations and scalar numba rule;
* ``kernels``: the numba loops (cascade, engine, portfolio);
* ``engine``: the time-stepped market (``Scenario``, ``simulate``, ``monte_carlo``);
* ``portfolio``: several assets and cross-margin accounts;
* ``chapters``: the pure scenario functions behind each notebook;
* ``widgets``: the labs and the Widget Lab; ``course``: checkers, exercises, site, warm-up.

``import cascadelab`` loads the model only: not matplotlib, ipywidgets or nbformat.
"""

from cascadelab.cascade import CascadeResult, cascade, cascade_multiplier, liquidation_density
from cascadelab.engine import (
    DEFAULT_STEPS,
    MonteCarloResult,
    Scenario,
    SimulationResult,
    default_market,
    monte_carlo,
    simulate,
)
from cascadelab.market import IMPACT_MODELS, Book, impact_price
from cascadelab.mechanisms import (
    DealerBook,
    Waterfall,
    bilateral_contagion,
    feeds_to_capture,
    manipulation_cost,
    median_oracle,
    oracle_path,
    push_cost,
    waterfall,
)
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
    "Waterfall",
    "bankruptcy_price",
    "basket_drawdown",
    "basket_volatility",
    "bilateral_contagion",
    "breaches_per_year",
    "cascade",
    "cascade_multiplier",
    "default_market",
    "equicorrelation",
    "feeds_to_capture",
    "impact_price",
    "liquidation_density",
    "liquidation_price",
    "manipulation_cost",
    "median_oracle",
    "monte_carlo",
    "oracle_path",
    "push_cost",
    "sample_accounts",
    "sample_positions",
    "simulate",
    "simulate_portfolio",
    "student_t_returns",
    "tail_probability",
    "waterfall",
]
