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
Chapter 04's layered designs: ``oracle_network`` (median of feeds, cost of moving it),
``clearing`` (default waterfall, bilateral contagion), ``evolution`` (baskets, bridges).
"""

from cascadelab.approach import (
    circuit_breaker_scenario,
    mitigation_comparison,
    mitigation_monte_carlo,
)
from cascadelab.cascade import CascadeResult, cascade, cascade_multiplier, liquidation_density
from cascadelab.clearing import Waterfall, bilateral_contagion, clearing_scenario, waterfall
from cascadelab.engine import DEFAULT_STEPS, Scenario, SimulationResult, default_market, simulate
from cascadelab.evolution import basket_scenario, bridge_scenario
from cascadelab.hedging import DealerBook
from cascadelab.market import IMPACT_MODELS, Book, impact_price
from cascadelab.montecarlo import MonteCarloResult, monte_carlo
from cascadelab.oracle_network import (
    feeds_to_capture,
    manipulation_cost,
    median_oracle,
    oracle_network_scenario,
    push_cost,
)
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
from cascadelab.theory import (
    equity_left,
    front_running_scenario,
    gamma_hedging_scenario,
    insolvency_price,
    max_safe_leverage,
    sweep_amplifier,
)

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
    "basket_scenario",
    "basket_volatility",
    "bilateral_contagion",
    "breaches_per_year",
    "bridge_scenario",
    "cascade",
    "cascade_multiplier",
    "circuit_breaker_scenario",
    "clearing_scenario",
    "default_market",
    "equicorrelation",
    "equity_left",
    "feeds_to_capture",
    "front_running_scenario",
    "gamma_hedging_scenario",
    "impact_price",
    "insolvency_price",
    "liquidation_density",
    "liquidation_price",
    "manipulation_cost",
    "max_safe_leverage",
    "median_oracle",
    "mitigation_comparison",
    "mitigation_monte_carlo",
    "monte_carlo",
    "oracle_network_scenario",
    "oracle_path",
    "push_cost",
    "sample_accounts",
    "sample_positions",
    "simulate",
    "simulate_portfolio",
    "student_t_returns",
    "sweep_amplifier",
    "tail_probability",
    "waterfall",
]

# chapter 01 (origin): why the first designs broke
from cascadelab.origin import (
    EVENTS,
    correlation_sweep,
    cross_margin_contagion,
    fat_tail_breaches,
    fragmented_liquidity,
    liquidator_tradeoff,
    replay_events,
    stale_oracle,
)

__all__ += [
    "EVENTS",
    "correlation_sweep",
    "cross_margin_contagion",
    "fat_tail_breaches",
    "fragmented_liquidity",
    "liquidator_tradeoff",
    "replay_events",
    "stale_oracle",
]

# chapter 05 (horizon): where it is going
from cascadelab.horizon import (  # noqa: E402
    backstop_scenario,
    breaker_tradeoff,
    cross_venue_cascade,
    draw_episodes,
    fit_logistic,
    funding_charge,
    monitor_gains,
    predictive_engine,
    private_margin_scenario,
    roc_curve,
    warning_policy,
)

__all__ += [
    "backstop_scenario",
    "breaker_tradeoff",
    "cross_venue_cascade",
    "draw_episodes",
    "fit_logistic",
    "funding_charge",
    "monitor_gains",
    "predictive_engine",
    "private_margin_scenario",
    "roc_curve",
    "warning_policy",
]
