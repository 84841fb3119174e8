r"""Chapter 03 (approach): what venues do today against liquidation cascades.

Every function here runs the market engine (:func:`cascadelab.simulate`, or
:func:`cascadelab.monte_carlo` for many paths) twice or more on the same population and the same
random path, once without and once with a defence, and returns both runs with a few headline
numbers. Nothing is re-implemented: each defence is a field of :class:`cascadelab.Scenario`
(see :mod:`cascadelab.mechanisms.margin` for the rules and :mod:`cascadelab.engine` for the loss
waterfall).

=====================================  ===================================================
function                               defence (``Scenario`` fields)
=====================================  ===================================================
:func:`vol_margin_scenario`            :math:`m_t = \max(m_0, z\sigma_t\sqrt h)`, at once or
                                       phased in (``margin_z``, ``margin_horizon``,
                                       ``ewma_lambda``, ``margin_step``)
:func:`gradual_scenario`               tranches (``close_factor``, ``max_book_share``,
                                       ``cooldown``)
:func:`insurance_fund_scenario`        the fund, then socialised loss (``insurance_fund``)
:func:`adl_scenario`                   the fund, then a levy or auto-deleveraging
                                       (``loss_rule``), who pays under each
:func:`fee_scenario`                   opening fee :math:`z_f\sigma\sqrt h` (``fee_z``)
:func:`protective_puts_scenario`       a short-gamma dealer buys puts (``protective_puts``)
:func:`circuit_breaker_scenario`       halts (``band``, ``window``, ``halt_steps``,
                                       ``halt_resilience``, ``liquidate_in_halt``)
:func:`mitigation_comparison`          every defence in turn on one shock
:func:`mitigation_monte_carlo`         every defence over many random paths (VaR, ES)
:func:`engine_rule`                    the engine's own code for a stage of its loop, to print
:func:`function_source`                the source of one rule the loop calls, to print
=====================================  ===================================================

One module per defence (:mod:`~.margin`, :mod:`~.gradual`, :mod:`~.fund`, :mod:`~.adl`,
:mod:`~.fees`, :mod:`~.puts`, :mod:`~.breaker`), the comparison of them all (:mod:`~.comparison`)
and the chapter's markets (:mod:`~.markets`). Two markets are used throughout (and
:data:`ADL_CRASH`, the fast crash without noise, for the loss rules). :data:`FAST_CRASH` is a
scripted 6% drop at step 10 into a book of 100,000 units per 1% (half the course default): without
a defence the forced sales more than triple the drop. :data:`STRESS` has no scripted drop but
fat-tailed noise and rare downward jumps, so each random path has its own crash (or none). The
population is always the course's ``population(n, seed=seed)``
(:func:`cascadelab.chapters._course.population`).
"""

from cascadelab.chapters._source import engine_rule, function_source
from cascadelab.chapters.approach.adl import ADL_CRASH, AdlResult, RuleOutcome, adl_scenario
from cascadelab.chapters.approach.breaker import (
    CircuitBreakerResult,
    circuit_breaker_scenario,
    halt_intervals,
)
from cascadelab.chapters.approach.comparison import (
    POLICIES,
    MitigationComparison,
    MitigationMonteCarlo,
    mitigation_comparison,
    mitigation_monte_carlo,
)
from cascadelab.chapters.approach.fees import FeeResult, fee_scenario
from cascadelab.chapters.approach.fund import FundResult, insurance_fund_scenario
from cascadelab.chapters.approach.gradual import gradual_scenario
from cascadelab.chapters.approach.margin import MarginComparison, vol_margin_scenario
from cascadelab.chapters.approach.markets import (
    FAST_CRASH,
    PUTS_MARKET,
    STRESS,
    PolicyPair,
    drawdown_path,
)
from cascadelab.chapters.approach.puts import PutsResult, protective_puts_scenario

__all__ = [
    "ADL_CRASH",
    "FAST_CRASH",
    "POLICIES",
    "PUTS_MARKET",
    "STRESS",
    "AdlResult",
    "CircuitBreakerResult",
    "FeeResult",
    "FundResult",
    "MarginComparison",
    "MitigationComparison",
    "MitigationMonteCarlo",
    "PolicyPair",
    "PutsResult",
    "RuleOutcome",
    "adl_scenario",
    "circuit_breaker_scenario",
    "drawdown_path",
    "engine_rule",
    "fee_scenario",
    "function_source",
    "gradual_scenario",
    "halt_intervals",
    "insurance_fund_scenario",
    "mitigation_comparison",
    "mitigation_monte_carlo",
    "protective_puts_scenario",
    "vol_margin_scenario",
]
