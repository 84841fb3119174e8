"""The labs of chapter 03 (approach), one module per lab.

* :func:`gradual_liquidation_lab` (``gradual``): close liquidated positions in tranches
  (:func:`cascadelab.chapters.approach.gradual_scenario`);
* :func:`insurance_fund_lab` (``fund``): size the insurance fund and see who pays the bad debt
  (:func:`cascadelab.chapters.approach.insurance_fund_scenario`);
* :func:`adl_lab` (``adl``): when the fund runs dry, a pro-rata levy or auto-deleveraging, and
  who pays under each (:func:`cascadelab.chapters.approach.adl_scenario`);
* :func:`circuit_breaker_lab` (``breaker``): halt a crash with a circuit breaker
  (:func:`cascadelab.chapters.approach.circuit_breaker_scenario`).

The views (``InsuranceFundView``, ``AdlView``, ``CircuitBreakerView``) also work without
widgets: ``AdlView(new_figure(AdlView.figsize)).update(adl_scenario())`` draws the static
figure. Every lab puts one legend above its panels (``_layout``).
"""

from cascadelab.widgets.approach.adl import AdlLab, AdlView, adl_lab
from cascadelab.widgets.approach.breaker import (
    CircuitBreakerLab,
    CircuitBreakerView,
    circuit_breaker_lab,
)
from cascadelab.widgets.approach.fund import InsuranceFundLab, InsuranceFundView, insurance_fund_lab
from cascadelab.widgets.approach.gradual import GradualLiquidationLab, gradual_liquidation_lab

__all__ = [
    "AdlLab",
    "AdlView",
    "CircuitBreakerLab",
    "CircuitBreakerView",
    "GradualLiquidationLab",
    "InsuranceFundLab",
    "InsuranceFundView",
    "adl_lab",
    "circuit_breaker_lab",
    "gradual_liquidation_lab",
    "insurance_fund_lab",
]
