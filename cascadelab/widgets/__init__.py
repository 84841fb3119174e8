"""Interactive labs of the course (ipywidgets + matplotlib), one module per chapter topic.

Every lab follows the contract of :class:`Lab`: ``controls``, ``figure``, ``summary`` and
``update(**values)``; the numbers come from pure scenario functions in the package
(:mod:`cascadelab.chapters.essence` for chapter 00, then :mod:`cascadelab.chapters.origin`,
:mod:`cascadelab.chapters.theory`, :mod:`cascadelab.chapters.approach`,
:mod:`cascadelab.chapters.evolution`,
:mod:`cascadelab.chapters.horizon`). See :class:`Lab` for how to write a new one.

One module per chapter: ``essence`` (00), ``origin`` (01), ``theory`` (02), ``approach`` (03),
``evolution`` (04), ``horizon`` (05); ``approach`` and ``evolution`` are packages with one module
per lab. ``_base`` holds the :class:`Lab` base and the control helpers, ``dashboard`` the Widget
Lab that puts every lab in one tabbed app.

The four first-class labs: :func:`feedback_loop_lab` (chapter 00), :func:`gamma_hedging_lab`
and :func:`front_running_lab` (chapter 02), :func:`circuit_breaker_lab` (chapter 03).

>>> from cascadelab.widgets import feedback_loop_lab
>>> lab = feedback_loop_lab(shock=5.0, depth=200_000.0)
>>> sorted(lab.controls)[:3]
['depth', 'impact', 'leverage']
"""

from cascadelab.widgets._base import Lab, dropdown, log_slider, slider
from cascadelab.widgets.approach import (
    AdlLab,
    AdlView,
    CircuitBreakerLab,
    CircuitBreakerView,
    GradualLiquidationLab,
    InsuranceFundLab,
    InsuranceFundView,
    adl_lab,
    circuit_breaker_lab,
    gradual_liquidation_lab,
    insurance_fund_lab,
)
from cascadelab.widgets.essence import FeedbackLoopLab, FeedbackLoopView, feedback_loop_lab
from cascadelab.widgets.evolution import (
    BasketLab,
    BasketView,
    BridgeLab,
    BridgeView,
    OracleNetworkLab,
    OracleNetworkView,
    WaterfallLab,
    WaterfallView,
    basket_lab,
    bridge_lab,
    oracle_network_lab,
    waterfall_lab,
)
from cascadelab.widgets.horizon import (
    BackstopLab,
    CrossVenueLab,
    WarningLab,
    backstop_lab,
    cross_venue_lab,
    warning_lab,
)
from cascadelab.widgets.origin import (
    CrossMarginLab,
    FatTailLab,
    FragmentationLab,
    LiquidatorLab,
    StaleOracleLab,
    cross_margin_lab,
    fat_tail_lab,
    fragmentation_lab,
    liquidator_lab,
    stale_oracle_lab,
)
from cascadelab.widgets.theory import (
    AmplifierLab,
    FrontRunningLab,
    GammaHedgingLab,
    amplifier_lab,
    front_running_lab,
    gamma_hedging_lab,
)

FIRST_CLASS = (
    "feedback_loop_lab",
    "gamma_hedging_lab",
    "front_running_lab",
    "circuit_breaker_lab",
)
"""The labs every chapter's teaching leans on (tested in a real browser too)."""

__all__ = [
    "FIRST_CLASS",
    "AdlLab",
    "AdlView",
    "AmplifierLab",
    "BackstopLab",
    "BasketLab",
    "BasketView",
    "BridgeLab",
    "BridgeView",
    "CircuitBreakerLab",
    "CircuitBreakerView",
    "CrossMarginLab",
    "CrossVenueLab",
    "FatTailLab",
    "FeedbackLoopLab",
    "FeedbackLoopView",
    "FragmentationLab",
    "FrontRunningLab",
    "GammaHedgingLab",
    "GradualLiquidationLab",
    "InsuranceFundLab",
    "InsuranceFundView",
    "Lab",
    "LiquidatorLab",
    "OracleNetworkLab",
    "OracleNetworkView",
    "StaleOracleLab",
    "WarningLab",
    "WaterfallLab",
    "WaterfallView",
    "adl_lab",
    "amplifier_lab",
    "backstop_lab",
    "basket_lab",
    "bridge_lab",
    "circuit_breaker_lab",
    "cross_margin_lab",
    "cross_venue_lab",
    "dropdown",
    "fat_tail_lab",
    "feedback_loop_lab",
    "fragmentation_lab",
    "front_running_lab",
    "gamma_hedging_lab",
    "gradual_liquidation_lab",
    "insurance_fund_lab",
    "liquidator_lab",
    "log_slider",
    "oracle_network_lab",
    "slider",
    "stale_oracle_lab",
    "warning_lab",
    "waterfall_lab",
]
