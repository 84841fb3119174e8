"""Chapter 02 (theory): what amplifies a cascade, the arithmetic of insolvency, dealers' gamma
and front-runners, one module per idea. Pure scenario functions, parameters in and result
dataclasses out; every mechanism runs in the package's own models (:func:`cascadelab.cascade`,
:func:`cascadelab.simulate`, :func:`cascadelab.simulate_portfolio`), nothing is re-implemented.

* :mod:`~cascadelab.chapters.theory.amplifiers`: :func:`sweep_amplifier`, one shock and one
  factor (depth, leverage, oracle latency, collateral correlation) swept at a time;
* :mod:`~cascadelab.chapters.theory.insolvency`: :func:`insolvency_price`, :func:`equity_left`,
  :func:`max_safe_leverage`, :func:`gap_tolerance`, when a forced sale cannot pay its penalty;
* :mod:`~cascadelab.chapters.theory.gamma`: :func:`gamma_hedging_scenario`,
  :func:`gamma_feedback_gain`, the engine's law :func:`gamma_vol_multiplier` with
  :func:`hedging_stability_bound` and :func:`hedging_law_check`, and
  :func:`feedback_sign_scenario` (the same flow with either sign), a dealer delta-hedging a
  short option book;
* :mod:`~cascadelab.chapters.theory.front_running`: :func:`front_running_scenario`,
  :func:`hunting_map` and :func:`planted_cluster`, a predator hunting liquidations.

Examples
--------
>>> from cascadelab.chapters import theory as th
>>> round(th.max_safe_leverage(0.01, 0.0, 0.10), 2)
9.17
"""

from cascadelab.chapters.theory.amplifiers import (
    AMPLIFIERS,
    LATENCY_SLIDE,
    LATENCY_STEPS,
    AmplifierSweep,
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
    FeedbackSignResult,
    GammaHedgingParams,
    GammaHedgingResult,
    HedgingLawCheck,
    feedback_sign_scenario,
    gamma_feedback_gain,
    gamma_hedging_scenario,
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

__all__ = [
    "AMPLIFIERS",
    "CURVE_CAPITALS",
    "LATENCY_SLIDE",
    "LATENCY_STEPS",
    "MAP_CAPITALS",
    "MAP_DISTANCES",
    "AmplifierSweep",
    "FeedbackSignResult",
    "FrontRunningParams",
    "FrontRunningResult",
    "GammaHedgingParams",
    "GammaHedgingResult",
    "HedgingLawCheck",
    "HuntingMap",
    "equity_left",
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
    "max_safe_leverage",
    "planted_cluster",
    "sweep_amplifier",
]
