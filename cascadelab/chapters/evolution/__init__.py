"""Chapter 04 (evolution): collateral baskets, bridges, oracle networks and clearing houses."""

from cascadelab.chapters.evolution.baskets import (
    COLLATERAL_MIXES,
    BasketResult,
    BasketSweep,
    BridgeResult,
    BridgeSweep,
    basket_scenario,
    basket_sweep,
    bridge_scenario,
    bridge_sweep,
)
from cascadelab.chapters.evolution.clearing import (
    ASSESSMENT_CAP,
    ClearingResult,
    clearing_scenario,
)
from cascadelab.chapters.evolution.oracle_network import (
    AmmFeedResult,
    OracleNetworkResult,
    amm_feed_scenario,
    liquidation_prize,
    oracle_feeds,
    oracle_network_scenario,
)

__all__ = [
    "ASSESSMENT_CAP",
    "COLLATERAL_MIXES",
    "AmmFeedResult",
    "BasketResult",
    "BasketSweep",
    "BridgeResult",
    "BridgeSweep",
    "ClearingResult",
    "OracleNetworkResult",
    "amm_feed_scenario",
    "basket_scenario",
    "basket_sweep",
    "bridge_scenario",
    "bridge_sweep",
    "clearing_scenario",
    "liquidation_prize",
    "oracle_feeds",
    "oracle_network_scenario",
]
