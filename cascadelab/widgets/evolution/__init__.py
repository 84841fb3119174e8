r"""The labs of chapter 04: from brittle designs to layered ones.

* :func:`basket_lab`: one crash, margin posted in cash, in the crashing asset alone, or in a
  basket, as the correlation between assets moves
  (:func:`cascadelab.chapters.evolution.basket_scenario`);
* :func:`oracle_network_lab`: a median of :math:`n_f` feeds with :math:`n_{\text{bad}}` bad ones
  against a single feed, and what moving it costs when the venues' books are thin
  (:func:`cascadelab.chapters.evolution.oracle_network_scenario`); :class:`AmmFeedView` draws
  the cost of pushing a constant-product pool read as the oracle
  (:func:`cascadelab.chapters.evolution.amm_feed_scenario`);
* :func:`waterfall_lab`: a clearing house's default waterfall, with capped assessments, against
  bilateral exposures (:func:`cascadelab.chapters.evolution.clearing_scenario`);
* :func:`bridge_lab`: the same shock when part of the depth sits behind a bridge that goes down
  (:func:`cascadelab.chapters.evolution.bridge_scenario`).

Each lab draws through a *view* (``BasketView``, ...) that also works without widgets:
``BasketView(new_figure()).update(basket_scenario())`` gives the static figure of the chapter.
Colours: the brittle design in vermillion (``CRITICAL``), the layered one in bluish green
(``INSURANCE_FUND``), the reference in grey (``BASELINE``). One module per lab: ``baskets``,
``oracles``, ``clearing``, ``bridge``.
"""


from cascadelab.widgets.evolution.baskets import BasketLab, BasketView, basket_lab
from cascadelab.widgets.evolution.bridge import BridgeLab, BridgeView, bridge_lab
from cascadelab.widgets.evolution.clearing import WaterfallLab, WaterfallView, waterfall_lab
from cascadelab.widgets.evolution.oracles import (
    AmmFeedView,
    OracleNetworkLab,
    OracleNetworkView,
    oracle_network_lab,
)

__all__ = [
    "AmmFeedView",
    "BasketLab",
    "BasketView",
    "BridgeLab",
    "BridgeView",
    "OracleNetworkLab",
    "OracleNetworkView",
    "WaterfallLab",
    "WaterfallView",
    "basket_lab",
    "bridge_lab",
    "oracle_network_lab",
    "waterfall_lab",
]
