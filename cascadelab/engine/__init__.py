"""The time-stepped market: ``Scenario`` (every mechanism's parameters), ``simulate`` (one path)
and ``monte_carlo`` (many paths in parallel). The loop itself is :mod:`cascadelab.kernels.engine`.
"""

from cascadelab.engine.montecarlo import MonteCarloResult, monte_carlo
from cascadelab.engine.scenario import Scenario
from cascadelab.engine.simulate import DEFAULT_STEPS, SimulationResult, default_market, simulate

__all__ = [
    "DEFAULT_STEPS",
    "MonteCarloResult",
    "Scenario",
    "SimulationResult",
    "default_market",
    "monte_carlo",
    "simulate",
]
