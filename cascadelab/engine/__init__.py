"""The time-stepped market: ``scenario`` (``Scenario``, every mechanism's parameters, each field
with its unit and range), ``simulate`` (one path: the step's equations, ``SimulationResult``) and
``montecarlo`` (many paths in parallel). The loop itself is :mod:`cascadelab.kernels.engine`,
one stage per step, reading ``Scenario``'s fields by their own names.
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
