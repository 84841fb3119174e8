r"""Three real liquidation episodes and the chapter's model run on them (chapter 01).

:data:`EVENTS` lists three real episodes with their *reported* figures (rounded, with the type of
source), and :func:`replay_events` runs the chapter's scenario functions with parameters set from
them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cascadelab.chapters.origin.cross_margin import cross_margin_contagion
from cascadelab.chapters.origin.fragmentation import fragmented_liquidity
from cascadelab.chapters.origin.liquidators import liquidator_tradeoff
from cascadelab.chapters.origin.stale_oracle import stale_oracle

__all__ = ["EVENTS", "Event", "EventReplay", "replay_events"]


@dataclass(frozen=True)
class Event:
    """A real liquidation episode with its *reported* figures (rounded) and their sources.

    Attributes
    ----------
    key : str
        Short identifier, e.g. ``"2020-03-12"``.
    name : str
        What the episode is usually called.
    reported : tuple of str
        The figures, as reported, each ending with the type of source in brackets.
    idea : str
        Which idea of the chapter the episode illustrates.
    """

    key: str
    name: str
    reported: tuple[str, ...]
    idea: str


EVENTS: tuple[Event, ...] = (
    Event(
        "2020-03-12", "Black Thursday (12-13 March 2020)",
        ("ETH lost roughly half its value within a day [market data, widely reported]",
         "Ethereum congestion and gas spikes stalled oracle updates and keepers; many MakerDAO "
         "collateral auctions cleared at a bid of zero DAI, about $8M of ETH in all "
         "[post-event analyses]",
         "a shortfall of several million DAI (about 5.4M by MakerDAO's accounting; other reports "
         "range from 4.5M to 6.7M), covered by minting and auctioning new MKR "
         "[MakerDAO post-mortem and governance, press]"),
        "a stale price feed and stalled liquidators under congestion",
    ),
    Event(
        "2021-05-19", "The May 2021 crash",
        ("BTC fell about 30% intraday, from the low 40,000s to near 30,000 USD [market data]",
         "about $8-9B of positions liquidated across venues in 24 hours "
         "[aggregator data, Bybt, now CoinGlass]",
         "several large exchanges reported outages or paused withdrawals [press]"),
        "liquidations spread over venues whose books are each a fraction of the market",
    ),
    Event(
        "2025-10-10", "The October 2025 tariff crash (10-11 October 2025)",
        ("about $19B liquidated across some 1.6M accounts in a day, the largest on record "
         "[aggregator data, CoinGlass]",
         "BTC fell by roughly 12-15% within hours; many smaller tokens fell far more on "
         "single venues [market data, press]",
         "Hyperliquid ran auto-deleveraging (ADL), closing profitable positions against "
         "bankrupt ones [venue statements, press]",
         "a dollar token used as collateral was priced near 0.65 USD on one large exchange's "
         "own book while near 1 USD elsewhere; the venue later moved to external price "
         "references [exchange statement, press]"),
        "correlated assets in shared margin, thin single-venue books and code that protects "
        "the venue",
    ),
)
"""Three episodes with their reported figures, rounded (see :class:`Event`)."""


@dataclass(frozen=True)
class EventReplay:
    """The model's answer to one episode (:func:`replay_events`).

    Attributes
    ----------
    event : Event
        The episode.
    inputs : dict of str -> float
        The model parameters set from the reported facts.
    outputs : dict of str -> float
        What the model gives (a selection of the scenario's summary).
    """

    event: Event
    inputs: dict
    outputs: dict


def replay_events(*, n: int = 20_000, seed: int = 0) -> tuple[EventReplay, ...]:
    """Run the chapter's scenario functions with parameters set from :data:`EVENTS`.

    * 2020-03-12: a 45% fall over 300 steps (read one step as a minute: five hours) with an
      oracle 60 steps (an hour) late, against a fresh oracle (:func:`stale_oracle`).
    * 2021-05-19: a 30% shock whose forced sales hit a venue holding a quarter of the depth,
      against the aggregate book (:func:`fragmented_liquidity`).
    * 2025-10-10: a 15% crash in one asset with correlations near one (0.9), under cross and
      isolated margin (:func:`cross_margin_contagion`), and the liquidation engine's
      trade-off on a thin book (:func:`liquidator_tradeoff`, 10% close factor).

    These are illustrations on the course's synthetic market, not fits: the model's dollar
    figures are in its own units (a 20,000-position market at 100 USD).

    Returns
    -------
    tuple of EventReplay
    """
    march = stale_oracle(latency=60, crash=0.45, n=n, seed=seed).summary
    may = fragmented_liquidity(venue_share=0.25, shock=0.30, n=n, seed=seed).summary
    october = cross_margin_contagion(corr=0.9, shock=0.15, seed=seed).summary
    liq = liquidator_tradeoff(close_factor=0.1, shock=0.15, depth=100_000.0, n=n,
                              seed=seed).summary
    return (
        EventReplay(EVENTS[0], {"crash": 0.45, "latency_steps": 60.0},
                    {k: march[k] for k in ("bad_debt_fresh", "bad_debt_stale", "bad_debt_pct",
                                           "max_lag_pct", "socialized")}),
        EventReplay(EVENTS[1], {"shock": 0.30, "venue_share": 0.25},
                    {k: may[k] for k in ("move_aggregate_pct", "move_venue_pct",
                                         "n_liquidated_aggregate", "bad_debt_aggregate",
                                         "bad_debt_venue")}),
        EventReplay(EVENTS[2], {"shock": 0.15, "corr": 0.9, "close_factor": 0.1},
                    {**{k: october[k] for k in ("other_legs_cross", "other_legs_isolated",
                                                "dragged_share", "drawdown_other_cross_pct")},
                     **{k: liq[k] for k in ("bad_debt_full", "bad_debt_gradual",
                                            "slippage_full_pct", "slippage_gradual_pct")}}),
    )
