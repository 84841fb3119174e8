"""Chapter 02 (theory): what amplifies a cascade, the arithmetic of insolvency, dealers' gamma
and front-runners, one module per idea. Pure scenario functions, parameters in and result
dataclasses out; every mechanism runs in the package's own models (:func:`cascadelab.cascade`,
:func:`cascadelab.simulate`, :func:`cascadelab.simulate_portfolio`), nothing is re-implemented.

* :mod:`~cascadelab.chapters.theory.amplifiers`: :func:`sweep_amplifier`, one shock and one
  factor (depth, leverage, oracle latency, collateral correlation) swept at a time, and
  :func:`critical_depth`, the depth at which the loop gain reaches 1 after a shock;
* :mod:`~cascadelab.chapters.theory.insolvency`: :func:`insolvency_price`, :func:`equity_left`,
  :func:`max_safe_leverage`, :func:`gap_tolerance`, when a forced sale cannot pay its penalty;
* :mod:`~cascadelab.chapters.theory.toxic`: :func:`toxic_frontier`,
  :func:`ltv_after_liquidation` and :func:`liquidation_spiral`, when liquidating a loan makes
  its loan-to-value worse;
* :mod:`~cascadelab.chapters.theory.gamma`: :func:`gamma_hedging_scenario` and
  :func:`gamma_feedback_gain`, a dealer delta-hedging a short option book;
* :mod:`~cascadelab.chapters.theory.hedging_law`: the engine's law of that loop,
  :func:`gamma_vol_multiplier` and :func:`hedging_stability_bound`, checked in long runs by
  :func:`hedging_law_check`; :func:`feedback_sign_scenario`, the same flow with either sign;
* :mod:`~cascadelab.chapters.theory.front_running`: :func:`front_running_scenario`,
  :func:`hunting_map` and :func:`planted_cluster`, a predator hunting liquidations;
* :func:`excerpt` (from :mod:`cascadelab.chapters._source`): the lines of the package that
  run each of these mechanisms, to show next to the text.

Examples
--------
>>> from cascadelab.chapters import theory as th
>>> round(th.max_safe_leverage(0.01, 0.0, 0.10), 2)
9.17
"""

from cascadelab.chapters._source import RULES, excerpt
from cascadelab.chapters.theory.amplifiers import (
    AMPLIFIERS,
    CRITICAL_WINDOW,
    LATENCY_SLIDE,
    LATENCY_STEPS,
    AmplifierSweep,
    critical_depth,
    sweep_amplifier,
)
from cascadelab.chapters.theory.front_running import (
    CURVE_CAPITALS,
    MAP_CAPITALS,
    MAP_DISTANCES,
    FrontRunningParams,
    FrontRunningResult,
    HuntingMap,
    front_running_scenario,
    hunting_map,
    planted_cluster,
)
from cascadelab.chapters.theory.gamma import (
    GammaHedgingParams,
    GammaHedgingResult,
    gamma_feedback_gain,
    gamma_hedging_scenario,
)
from cascadelab.chapters.theory.hedging_law import (
    FeedbackSignResult,
    HedgingLawCheck,
    feedback_sign_scenario,
    gamma_vol_multiplier,
    hedging_law_check,
    hedging_stability_bound,
)
from cascadelab.chapters.theory.insolvency import (
    equity_left,
    gap_tolerance,
    insolvency_price,
    max_safe_leverage,
)
from cascadelab.chapters.theory.toxic import (
    LiquidationSpiral,
    liquidation_spiral,
    ltv_after_liquidation,
    toxic_frontier,
)

__all__ = [
    "AMPLIFIERS",
    "CRITICAL_WINDOW",
    "CURVE_CAPITALS",
    "LATENCY_SLIDE",
    "LATENCY_STEPS",
    "MAP_CAPITALS",
    "MAP_DISTANCES",
    "RULES",
    "AmplifierSweep",
    "FeedbackSignResult",
    "FrontRunningParams",
    "FrontRunningResult",
    "GammaHedgingParams",
    "GammaHedgingResult",
    "HedgingLawCheck",
    "HuntingMap",
    "LiquidationSpiral",
    "critical_depth",
    "equity_left",
    "excerpt",
    "feedback_sign_scenario",
    "front_running_scenario",
    "gamma_feedback_gain",
    "gamma_hedging_scenario",
    "gamma_vol_multiplier",
    "gap_tolerance",
    "hedging_law_check",
    "hedging_stability_bound",
    "hunting_map",
    "insolvency_price",
    "liquidation_spiral",
    "ltv_after_liquidation",
    "max_safe_leverage",
    "planted_cluster",
    "sweep_amplifier",
    "toxic_frontier",
]
