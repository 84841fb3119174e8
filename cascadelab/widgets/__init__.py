"""Interactive labs of the course (ipywidgets + matplotlib), one per big idea.

Every lab follows the contract of :class:`Lab`: ``controls``, ``figure``, ``summary`` and
``update(**values)``; the numbers come from pure functions in :mod:`cascadelab.scenarios`.
See :class:`Lab` for how to write a new one.

>>> from cascadelab.widgets import feedback_loop_lab
>>> lab = feedback_loop_lab(shock=5.0, depth=200_000.0)
>>> sorted(lab.controls)[:3]
['depth', 'impact', 'leverage']
"""

from cascadelab.widgets._base import Lab, dropdown, log_slider, slider
from cascadelab.widgets.amplifiers import AmplifierLab, amplifier_lab
from cascadelab.widgets.approach import (
    GradualLiquidationLab,
    InsuranceFundLab,
    InsuranceFundView,
    gradual_liquidation_lab,
    insurance_fund_lab,
)
from cascadelab.widgets.circuit_breaker import (
    CircuitBreakerLab,
    CircuitBreakerView,
    circuit_breaker_lab,
)
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
from cascadelab.widgets.feedback_loop import FeedbackLoopLab, FeedbackLoopView, feedback_loop_lab
from cascadelab.widgets.front_running import FrontRunningLab, front_running_lab
from cascadelab.widgets.gamma_hedging import GammaHedgingLab, gamma_hedging_lab

__all__ = [
    "AmplifierLab",
    "BasketLab",
    "BasketView",
    "BridgeLab",
    "BridgeView",
    "CircuitBreakerLab",
    "CircuitBreakerView",
    "FeedbackLoopLab",
    "FeedbackLoopView",
    "FrontRunningLab",
    "GammaHedgingLab",
    "GradualLiquidationLab",
    "InsuranceFundLab",
    "InsuranceFundView",
    "Lab",
    "OracleNetworkLab",
    "OracleNetworkView",
    "WaterfallLab",
    "WaterfallView",
    "amplifier_lab",
    "basket_lab",
    "bridge_lab",
    "circuit_breaker_lab",
    "dropdown",
    "feedback_loop_lab",
    "front_running_lab",
    "gamma_hedging_lab",
    "gradual_liquidation_lab",
    "insurance_fund_lab",
    "log_slider",
    "oracle_network_lab",
    "slider",
    "waterfall_lab",
]

# chapter 01 (origin)
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

__all__ += [
    "CrossMarginLab",
    "FatTailLab",
    "FragmentationLab",
    "LiquidatorLab",
    "StaleOracleLab",
    "cross_margin_lab",
    "fat_tail_lab",
    "fragmentation_lab",
    "liquidator_lab",
    "stale_oracle_lab",
]

# chapter 05 (horizon)
from cascadelab.widgets.horizon import (  # noqa: E402
    BackstopLab,
    CrossVenueLab,
    WarningLab,
    backstop_lab,
    cross_venue_lab,
    warning_lab,
)

__all__ += [
    "BackstopLab",
    "CrossVenueLab",
    "WarningLab",
    "backstop_lab",
    "cross_venue_lab",
    "warning_lab",
]
