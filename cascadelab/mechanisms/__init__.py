"""Venue rules, one per module: its equations (in the module docstring), its scalar numba rule
that the engine's loop calls once per step, and the validating wrapper a learner calls.

``oracles`` (late and lazy price feeds), ``margin`` (volatility-adjusted and phased-in margin,
opening fees), ``breaker`` (price band and stress rule), ``liquidation`` (gradual liquidation),
``hedging`` (dealers' Black-Scholes hedge), ``adversary`` (the front-running predator),
``oracle_network`` (median of feeds and the cost of moving it), ``clearing`` (a clearing house's
default waterfall against bilateral exposures), ``adl`` (auto-deleveraging: BitMEX's ranking
and the engine's rule for bad debt the fund cannot cover).
"""

from cascadelab.mechanisms.adl import adl_ranking
from cascadelab.mechanisms.clearing import Waterfall, bilateral_contagion, waterfall
from cascadelab.mechanisms.hedging import DealerBook
from cascadelab.mechanisms.oracle_network import (
    feeds_to_capture,
    manipulation_cost,
    median_oracle,
    push_cost,
)
from cascadelab.mechanisms.oracles import oracle_path

__all__ = [
    "DealerBook",
    "Waterfall",
    "adl_ranking",
    "bilateral_contagion",
    "feeds_to_capture",
    "manipulation_cost",
    "median_oracle",
    "oracle_path",
    "push_cost",
    "waterfall",
]
