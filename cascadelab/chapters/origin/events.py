r"""Three real liquidation episodes, with sourced figures, replayed by calibration (chapter 01).

:data:`EVENTS` lists three episodes. Every :class:`Fact` carries the keys of its sources in
``docs/references.md`` and quotes each source's own figure; where sources disagree the fact gives
the range. Liquidation totals come from aggregators that add up what venues publish, late and
sometimes in samples, so they are lower bounds.

:func:`replay_events` does not feed the observed fall in as the shock (the cascade would then
add its own fall on top and overshoot). It asks the inverse question: *which exogenous shock,
sent through the course's cascade, reproduces the observed fall?* For each event a model
:math:`F(s)` maps a shock :math:`s` to the fall the model ends with; :math:`F` does not decrease
in :math:`s`, so :func:`calibrate_shock` finds :math:`s^\star` with
:math:`F(s^\star) \approx v_{\text{obs}}` by bisection. The share of the fall the model gives to
forced selling is then

.. math:: \text{cascade share} = 1 - \frac{v_{\text{exo}}(s^\star)}{F(s^\star)},

where :math:`v_{\text{exo}}` is the fall of the fundamental price alone (the shock without any
forced sale). The answer depends on the model, above all on the book's depth and on the
traders' leverage, so every replay is repeated with half and twice the depth and with a lower
and a higher median leverage (:attr:`EventReplay.band`).

The model per event switches on the mechanism the reports single out, where the engine has it:

* **March 2020** (:func:`cascadelab.simulate`): MakerDAO-like vaults (long only, at least 150%
  collateral), a crash over 300 steps, an oracle 60 steps late and liquidators who absorb at most
  2% of the book's depth per step (keepers who could not get their bids through). The engine
  has no auctions, so it cannot produce the zero-bid losses that made Maker's shortfall.
* **May 2021** (:func:`cascadelab.cascade`): the course's perpetual-futures population on the
  aggregate book; the same shock on a venue holding a quarter of the depth shows the wick.
* **October 2025** (:func:`cascadelab.simulate_portfolio`): cross-margin accounts in two
  correlated assets whose margin is a dollar token priced on the venue's own thin book, against
  the same accounts with cash margin. Auto-deleveraging (ADL), which Hyperliquid ran that day, is
  in the single-asset engine (``Scenario(loss_rule="adl")``, chapter 03's ADL lab) but not in the
  multi-asset one this replay needs, so here it is described only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_int, check_real
from cascadelab.cascade import cascade
from cascadelab.chapters._course import PRICE, cached, check_run, population
from cascadelab.chapters.origin.stale_oracle import _crash_scenario
from cascadelab.engine.simulate import simulate
from cascadelab.market import Book
from cascadelab.portfolio import Accounts, MultiAssetScenario, sample_accounts, simulate_portfolio

__all__ = [
    "EVENTS",
    "Calibration",
    "Event",
    "EventReplay",
    "Fact",
    "calibrate_shock",
    "replay_events",
]


# ----------------------------------------------------------------------------- the record


@dataclass(frozen=True)
class Fact:
    """One reported figure, in the words of its sources.

    Attributes
    ----------
    text : str
        The fact, each figure attributed to the source that gives it.
    sources : tuple of str
        Keys of the sources in ``docs/references.md`` (``../docs/references.md#key``).
    """

    text: str
    sources: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.text} [{', '.join(self.sources)}]"


@dataclass(frozen=True)
class Event:
    """A real liquidation episode: its sourced facts and the fall the replay calibrates to.

    Attributes
    ----------
    key : str
        Short identifier, e.g. ``"2020-03-12"``.
    name : str
        What the episode is usually called.
    idea : str
        Which idea of the chapter the episode illustrates.
    facts : tuple of Fact
        The reported figures, each with its sources.
    asset : str
        The asset whose fall the replay matches.
    observed_fall : float
        The fall the replay calibrates to, fraction (one source's figure, see ``fall_note``).
    fall_range : tuple of float
        Lowest and highest fall across the sources, fractions.
    fall_note : str
        Where ``observed_fall`` and ``fall_range`` come from.
    mechanism : str
        What the replay switches on in the engine.
    not_modelled : str
        What mattered that day and the engine does not have.
    """

    key: str
    name: str
    idea: str
    facts: tuple[Fact, ...]
    asset: str
    observed_fall: float
    fall_range: tuple[float, float]
    fall_note: str
    mechanism: str
    not_modelled: str

    @property
    def reported(self) -> tuple[str, ...]:
        """The facts as text, each ending with its source keys in brackets."""
        return tuple(str(f) for f in self.facts)


EVENTS: tuple[Event, ...] = (
    Event(
        key="2020-03-12",
        name="Black Thursday (12-13 March 2020)",
        idea="a stale price feed and liquidators who stopped bidding under congestion",
        facts=(
            Fact("ETH fell 43%, from 194 to 111 USD, on 12 March, its largest one-day loss "
                 "(Glassnode); MakerDAO and Dragonfly describe a fall of about 50%",
                 ("glassnode-2020", "maker-black-thursday-2020", "schmidt-2020")),
            Fact("congestion and gas prices delayed oracle updates and keepers: Maker's "
                 "Medianizer failed to update, then jumped down by more than 20% (Glassnode); "
                 "keepers' scripts were 'not programmed for adjusting high gas prices' "
                 "(White Rabbit)",
                 ("glassnode-2020", "whiterabbit-2020", "maker-black-thursday-2020")),
            Fact("collateral auctions won with bids of zero DAI made up 36% of all "
                 "liquidations, 8.32M USD of ETH in all (White Rabbit)",
                 ("whiterabbit-2020",)),
            Fact("a shortfall reported at 4.5M (Glassnode), 5.67M (White Rabbit) and 6.65M DAI "
                 "(Cointelegraph, May 2020), covered by minting MKR and auctioning it in lots "
                 "of 50,000 DAI from 19 March; the first auction raised 4.3M DAI over 86 lots",
                 ("glassnode-2020", "whiterabbit-2020", "cointelegraph-2020-03-23",
                  "maker-debt-auction-2020")),
        ),
        asset="ETH",
        observed_fall=0.43,
        fall_range=(0.43, 0.50),
        fall_note="43% from 194 to 111 USD (Glassnode); about 50% (MakerDAO, Dragonfly)",
        mechanism="MakerDAO-like vaults (long only, at least 150% collateral), an oracle 60 "
                  "steps late and liquidators who absorb at most 2% of the depth per step",
        not_modelled="collateral auctions: the zero bids that made most of Maker's shortfall",
    ),
    Event(
        key="2021-05-19",
        name="The May 2021 crash (19 May 2021)",
        idea="liquidations spread over venues whose books are each a fraction of the market",
        facts=(
            Fact("BTC 'dropped as much as 31% ... to near $30,000' (Bloomberg); Blockworks "
                 "reported a 25% tumble as US trading opened",
                 ("bloomberg-2021-05-20", "blockworks-2021-05-19")),
            Fact("liquidations in 24 hours of 'over $8 billion' (BeInCrypto), 'nearly $8 "
                 "billion' (Blockworks) and 9.4B USD (Bloomberg), all from Bybt data; 10B USD "
                 "for the whole week's rout (Bloomberg via SCMP)",
                 ("beincrypto-2021-05-19", "blockworks-2021-05-19", "bloomberg-2021-05-20",
                  "scmp-2021-05-21")),
            Fact("exchanges were knocked offline during the fall (Blockworks); open interest "
                 "fell from a 28B USD peak in April to 13B USD (SCMP)",
                 ("blockworks-2021-05-19", "scmp-2021-05-21")),
        ),
        asset="BTC",
        observed_fall=0.31,
        fall_range=(0.25, 0.31),
        fall_note="31% intraday (Bloomberg); 25% at the US open (Blockworks)",
        mechanism="the course's perpetual-futures population on the aggregate book; the same "
                  "shock on a venue holding a quarter of the depth",
        not_modelled="the venues themselves: outages, and how the volume split between them",
    ),
    Event(
        key="2025-10-10",
        name="The October 2025 crash (10-11 October 2025)",
        idea="collateral priced on the venue's own book, and code that protects the venue",
        facts=(
            Fact("liquidations of 19.37B USD from more than 1.6M traders in 24 hours "
                 "(CoinGlass data; other reports give 19.1-19.3B); CoinGlass estimates the "
                 "true total may have been 30-40B USD",
                 ("coinglass-2025-10-10",)),
            Fact("BTC fell from 122,574 to 104,782 USD, about 15% (CoinGlass and Amberdata "
                 "figures as reported); one report gives a low of 102,000 USD",
                 ("coinglass-2025-10-10",)),
            Fact("Hyperliquid ran its 'first cross-margin ADL in more than 2 years'; an "
                 "on-chain reconstruction counts 2.1B USD of positions closed by ADL in 12 "
                 "minutes",
                 ("hyperliquid-2025-10-statement", "hypermultiassetedadl-2025")),
            Fact("collateral priced on Binance's own book: wBETH 'as low as $430', an 88% "
                 "discount, and USDe as low as 0.65 USD; Binance moved to conversion-ratio "
                 "pricing for wrapped assets",
                 ("coindesk-2025-10-12",)),
        ),
        asset="BTC",
        observed_fall=1.0 - 104_782.0 / 122_574.0,
        fall_range=(1.0 - 104_782.0 / 122_574.0, 1.0 - 102_000.0 / 122_574.0),
        fall_note="14.5% from 122,574 to 104,782 USD; 16.8% to the 102,000 USD low of "
                  "another report (CoinGlass data as reported)",
        mechanism="cross-margin accounts whose margin is a dollar token priced on the venue's "
                  "own thin book, against the same accounts with cash margin",
        not_modelled="auto-deleveraging (ADL): the multi-asset engine socialises bad debt pro "
                     "rata instead (chapter 03 runs ADL in the single-asset engine)",
    ),
)
"""The three episodes, each fact with its sources (see :class:`Event`)."""


# ----------------------------------------------------------------------------- calibration


def calibrate_shock(
    fall: Callable[[float], float],
    target: float,
    *,
    lo: float = 1e-3,
    hi: float = 0.9,
    tol: float = 1e-4,
) -> float:
    r"""The exogenous shock whose model fall matches ``target``: bisection on the shock.

    ``fall`` must not decrease in the shock (a bigger shock never ends higher). Starting from
    :math:`[s_{lo}, s_{hi}]` with :math:`F(s_{lo}) < v \le F(s_{hi})`, each step halves the
    interval and keeps the half whose ends straddle the target, until it is shorter than
    ``tol``; the end whose fall is closer to the target is returned. Where :math:`F` jumps over
    the target (the cascade tips over a cliff), no shock gives the target exactly and the
    shock at the jump is returned: compare ``fall(shock)`` with the target.

    Parameters
    ----------
    fall : callable
        Shock (fraction) -> the model's fall (fraction).
    target : float
        Fall to reproduce, fraction in (0, 1).
    lo, hi : float
        Bracket of shocks, fractions, 0 <= lo < hi < 1.
    tol : float
        Width of the final bracket, > 0.

    Returns
    -------
    float
        The calibrated shock; ``lo`` if even ``lo`` overshoots, ``hi`` if ``hi`` falls short.

    Examples
    --------
    >>> round(calibrate_shock(lambda s: 2 * s, 0.3), 4)   # a cascade that doubles every shock
    0.15
    """
    target = check_real("target", target, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    lo = check_real("lo", lo, lo=0.0, hi=1.0, hi_open=True)
    hi = check_real("hi", hi, lo=lo, hi=1.0, lo_open=True, hi_open=True)
    tol = check_real("tol", tol, lo=0.0, lo_open=True)
    f_lo, f_hi = fall(lo), fall(hi)
    if f_lo >= target:
        return lo
    if f_hi < target:
        return hi
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        f_mid = fall(mid)
        if f_mid < target:
            lo, f_lo = mid, f_mid
        else:
            hi, f_hi = mid, f_mid
    return lo if abs(f_lo - target) < abs(f_hi - target) else hi


@dataclass(frozen=True)
class Calibration:
    """One calibrated replay: the shock that reproduces the observed fall, and what it gives.

    Attributes
    ----------
    label : str
        Which assumptions (``"central"``, ``"half the depth"``, ...).
    target : float
        The observed fall calibrated to, fraction.
    depth_scale : float
        Depth of the books over the replay's central depth.
    leverage : float
        Median leverage of the population, x.
    shock : float
        The calibrated exogenous shock, fraction.
    exogenous_fall : float
        Fall of the fundamental price alone at that shock, fraction.
    model_fall : float
        Fall the model ends with, fraction.
    jump : tuple of float or None
        Where the model does not reproduce the target: its falls just below and just above
        the calibrated shock (the two sides of the cliff), fractions; None otherwise.
    """

    label: str
    target: float
    depth_scale: float
    leverage: float
    shock: float
    exogenous_fall: float
    model_fall: float
    jump: tuple[float, float] | None = None

    @property
    def cascade_share(self) -> float:
        """Share of the model's fall due to forced selling, :math:`1 - v_{exo}/F`."""
        return 1.0 - self.exogenous_fall / self.model_fall if self.model_fall > 0 else 0.0

    @property
    def reproduces(self) -> bool:
        """Whether the model's fall is within 10% of the observed one. It is not where the
        model's fall jumps over the target (a cliff): then no shock reproduces it."""
        return abs(self.model_fall / self.target - 1.0) < 0.1


@dataclass(frozen=True)
class EventReplay:
    """The model's answer to one episode (:func:`replay_events`).

    Attributes
    ----------
    event : Event
        The episode.
    central : Calibration
        The replay at the central depth and leverage.
    sensitivity : tuple of Calibration
        The same calibration with half and twice the depth, and with a lower and a higher
        median leverage.
    inputs : dict of str -> float
        The model's settings (fractions, steps, x, units per 1%).
    outputs : dict of str -> float
        What the calibrated model gives; each key ends with its unit (``_pct``, ``_x``,
        ``_usd``, ``_count``).
    """

    event: Event
    central: Calibration
    sensitivity: tuple[Calibration, ...]
    inputs: dict
    outputs: dict

    @property
    def observed_fall(self) -> float:
        """The fall calibrated to, fraction."""
        return self.event.observed_fall

    @property
    def calibrated_shock(self) -> float:
        """The exogenous shock that reproduces it, fraction."""
        return self.central.shock

    @property
    def model_fall(self) -> float:
        """The model's fall at that shock, fraction."""
        return self.central.model_fall

    @property
    def cascade_share(self) -> float:
        """Share of the fall the model attributes to forced selling, fraction."""
        return self.central.cascade_share

    @property
    def band(self) -> tuple[float, float]:
        """Lowest and highest cascade share over the replays (central and sensitivity) that
        reproduce the observed fall (:attr:`Calibration.reproduces`)."""
        shares = [c.cascade_share for c in (self.central, *self.sensitivity) if c.reproduces]
        return min(shares), max(shares)

    def report(self) -> str:
        """The replay in a few lines, every number with its unit."""
        e, c = self.event, self.central
        lo, hi = self.band
        fit = ", ".join(["central"] + [x.label for x in self.sensitivity if x.reproduces])
        lines = [
            e.name,
            f"  observed: {e.asset} fell {100 * e.observed_fall:.1f}% "
            f"(sources: {100 * e.fall_range[0]:.1f}% to {100 * e.fall_range[1]:.1f}%)",
            f"  model: {e.mechanism}",
            f"  calibrated shock {100 * c.shock:.1f}%, model fall {100 * c.model_fall:.1f}%: "
            f"forced selling makes {100 * c.cascade_share:.1f}% of the fall",
            f"  share of forced selling over {fit}: {100 * lo:.1f}% to {100 * hi:.1f}%",
        ]
        lines += [f"  no shock gives {100 * e.observed_fall:.1f}% with {x.label}: "
                  + _cliff(x) for x in self.sensitivity if not x.reproduces]
        lines += [f"  {_describe(k, v)}" for k, v in self.outputs.items()
                  if k not in _HEADLINE]
        lines.append(f"  not in the model: {e.not_modelled}")
        return "\n".join(lines)


_HEADLINE = ("observed_fall_pct", "calibrated_shock_pct", "model_fall_pct", "cascade_share_pct",
             "cascade_share_low_pct", "cascade_share_high_pct")

_LABELS = {
    "venue_fall_pct": ("fall on a venue with a quarter of the depth", "%"),
    "aggregate_amplification_x": ("amplification on the aggregate book", "x"),
    "bad_debt_pct": ("bad debt, share of the collateral", "%"),
    "fall_fresh_pct": ("fall of the same crash with a fresh feed and unlimited liquidators",
                       "%"),
    "bad_debt_fresh_pct": ("bad debt with a fresh feed and unlimited liquidators", "%"),
    "closed_share_pct": ("triggered vaults closed by the end", "%"),
    "token_low_usd": ("lowest price of the dollar token on the venue's book", "USD"),
    "liquidated_token_count": ("accounts liquidated, token margin", "accounts"),
    "liquidated_cash_count": ("accounts liquidated, cash margin, same shock", "accounts"),
    "fall_cash_pct": ("fall with cash margin, same shock", "%"),
}


def _cliff(c: Calibration) -> str:
    below, above = c.jump if c.jump is not None else (float("nan"), c.model_fall)
    if below != below:  # nan: even the smallest shock overshoots
        return f"even a {100 * c.shock:.1f}% shock gives {100 * above:.1f}%"
    return (f"the model jumps from {100 * below:.1f}% to {100 * above:.1f}% at a shock of "
            f"{100 * c.shock:.1f}%")


def _describe(key: str, value: float) -> str:
    label, unit = _LABELS.get(key, (key, ""))
    if unit == "%":
        return f"{label}: {value:.1f}%"
    if unit == "x":
        return f"{label}: {value:.2f}x"
    if unit == "USD":
        return f"{label}: {value:.2f} USD"
    return f"{label}: {value:,.0f} {unit}".rstrip()


# ----------------------------------------------------------------------------- the models

_DEPTH = 200_000.0  # units per 1%, the course's book
_STEPS = 300


def _vaults(n: int, seed: int, leverage: float):
    """MakerDAO-like vaults: long only, liquidated at 150% collateral (maintenance 1/3 of the
    notional, just below), leverage at most 3x."""
    return population(n, seed=seed, leverage=leverage, max_leverage=3.0, maintenance=0.33,
                      long_share=1.0)


@cached
def _march(crash: float, depth_scale: float, leverage: float, n: int, seed: int,
           mechanisms: bool = True) -> tuple[float, float, float, float]:
    pos = _vaults(n, seed, leverage)
    sc = _crash_scenario(crash, _STEPS, _DEPTH * depth_scale, 0.0)
    if mechanisms:
        sc = sc.replace(oracle_latency=60, max_book_share=0.02)
    r = simulate(pos, sc, steps=_STEPS, seed=seed)
    exo = 1.0 - float(r.fundamental.min()) / float(r.fundamental[0])
    triggered = int((pos.liquidation_price >= float(r.price.min())).sum())
    closed = r.n_liquidated / triggered if triggered else 1.0
    return r.max_drawdown, exo, r.total_bad_debt / r.initial_collateral, closed


@cached
def _may(shock: float, depth_scale: float, leverage: float, n: int, seed: int,
         venue_share: float = 1.0) -> tuple[float, float]:
    pos = population(n, seed=seed, leverage=leverage, max_leverage=max(50.0, leverage))
    res = cascade(pos, PRICE, shock, Book(_DEPTH * depth_scale * venue_share))
    return -res.move, res.amplification


_TOKEN_DEPTH_SHARE = 0.01  # the token's book: 1% of the pledged collateral moves it 1%


@cached
def _token_accounts(n: int, seed: int, leverage: float, token: bool) -> tuple[Accounts, float]:
    """Cross-margin accounts long or short A and B; margin in USD cash, or all of it pledged in
    a dollar token C (1 USD) traded on the venue's own book."""
    two = sample_accounts(n, (PRICE, PRICE), leverage=leverage, seed=seed)
    units = np.c_[two.units, np.zeros(n)]
    entry = np.c_[two.entry, np.ones(n)]
    if token:
        cash, pledged = np.zeros(n), np.c_[np.zeros((n, 2)), two.cash]
    else:
        cash, pledged = two.cash, np.zeros((n, 3))
    return Accounts(units, entry, cash, pledged, two.maintenance), float(two.cash.sum())


@cached
def _october(shock: float, depth_scale: float, leverage: float, n: int, seed: int,
             token: bool = True) -> tuple[float, float, float, int]:
    acc, margin = _token_accounts(n, seed, leverage, token)
    corr = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.0], [0.0, 0.0, 1.0]])
    depth = 10_000.0 * depth_scale
    token_depth = _TOKEN_DEPTH_SHARE * margin * depth_scale
    sc = MultiAssetScenario(prices=(PRICE, PRICE, 1.0), vols=(0.001, 0.001, 0.0), corr=corr,
                            books=(Book(depth), Book(depth), Book(token_depth)), shock=shock)
    r = simulate_portfolio(acc, sc, seed=seed)
    exo = 1.0 - float(r.fundamental[:, 0].min()) / float(r.fundamental[0, 0])
    return float(r.max_drawdown[0]), exo, float(r.price[:, 2].min()), r.n_accounts_liquidated


# (label, depth scale, leverage) per event: the central replay first
_SETTINGS = {
    "2020-03-12": (("central", 1.0, 2.0), ("half the depth", 0.5, 2.0),
                   ("twice the depth", 2.0, 2.0), ("median leverage 1.8x", 1.0, 1.8),
                   ("median leverage 2.5x", 1.0, 2.5)),
    "2021-05-19": (("central", 1.0, 10.0), ("half the depth", 0.5, 10.0),
                   ("twice the depth", 2.0, 10.0), ("median leverage 5x", 1.0, 5.0),
                   ("median leverage 20x", 1.0, 20.0)),
    "2025-10-10": (("central", 1.0, 4.0), ("half the depth", 0.5, 4.0),
                   ("twice the depth", 2.0, 4.0), ("median leverage 2x", 1.0, 2.0),
                   ("median leverage 8x", 1.0, 8.0)),
}


def _calibrate(event: Event, model: Callable[..., tuple], n: int, seed: int
               ) -> tuple[Calibration, ...]:
    out = []
    for label, scale, lev in _SETTINGS[event.key]:
        def fall(s: float, scale: float = scale, lev: float = lev) -> float:
            return model(s, scale, lev, n, seed)[0]

        lo, hi, tol = 0.005, 0.85, 1e-4
        s = calibrate_shock(fall, event.observed_fall, lo=lo, hi=hi, tol=tol)
        res = model(s, scale, lev, n, seed)
        cal = Calibration(label, event.observed_fall, scale, lev, s, res[1], res[0])
        if not cal.reproduces:
            below, above = max(s - tol, lo), min(s + tol, hi)
            jump = (fall(below) if below < s else float("nan"), fall(above))
            cal = Calibration(label, event.observed_fall, scale, lev, s, res[1], res[0], jump)
        out.append(cal)
    return tuple(out)


def _headline(event: Event, c: Calibration) -> dict[str, float]:
    return {
        "observed_fall_pct": 100.0 * event.observed_fall,
        "calibrated_shock_pct": 100.0 * c.shock,
        "model_fall_pct": 100.0 * c.model_fall,
        "cascade_share_pct": 100.0 * c.cascade_share,
    }


def _with_band(replay: EventReplay) -> EventReplay:
    lo, hi = replay.band
    replay.outputs.update(cascade_share_low_pct=100.0 * lo, cascade_share_high_pct=100.0 * hi)
    return replay


def _march_replay(n: int, seed: int) -> EventReplay:
    e = EVENTS[0]
    cal = _calibrate(e, _march, n, seed)
    c = cal[0]
    _, _, bad, closed = _march(c.shock, c.depth_scale, c.leverage, n, seed)
    fall_fresh, _, bad_fresh, _ = _march(c.shock, c.depth_scale, c.leverage, n, seed, False)
    outputs = _headline(e, c) | {"fall_fresh_pct": 100.0 * fall_fresh,
                                 "bad_debt_pct": 100.0 * bad,
                                 "bad_debt_fresh_pct": 100.0 * bad_fresh,
                                 "closed_share_pct": 100.0 * closed}
    inputs = {"steps": float(_STEPS), "latency_steps": 60.0, "max_book_share": 0.02,
              "depth": _DEPTH, "leverage": c.leverage}
    return EventReplay(e, c, cal[1:], inputs, outputs)


def _may_replay(n: int, seed: int) -> EventReplay:
    e = EVENTS[1]
    cal = _calibrate(e, lambda s, d, lev, n_, sd: (_may(s, d, lev, n_, sd)[0], s), n, seed)
    c = cal[0]
    venue_fall, _ = _may(c.shock, c.depth_scale, c.leverage, n, seed, 0.25)
    outputs = _headline(e, c) | {"venue_fall_pct": 100.0 * venue_fall,
                                 "aggregate_amplification_x": c.model_fall / c.shock}
    inputs = {"depth": _DEPTH, "leverage": c.leverage, "venue_share": 0.25}
    return EventReplay(e, c, cal[1:], inputs, outputs)


def _october_replay(n: int, seed: int) -> EventReplay:
    e = EVENTS[2]
    cal = _calibrate(e, _october, n, seed)
    c = cal[0]
    _, _, token_low, liq_token = _october(c.shock, c.depth_scale, c.leverage, n, seed)
    fall_cash, _, _, liq_cash = _october(c.shock, c.depth_scale, c.leverage, n, seed, False)
    outputs = _headline(e, c) | {"token_low_usd": token_low,
                                 "liquidated_token_count": float(liq_token),
                                 "liquidated_cash_count": float(liq_cash),
                                 "fall_cash_pct": 100.0 * fall_cash}
    inputs = {"corr": 0.9, "depth": 10_000.0, "token_depth_share": _TOKEN_DEPTH_SHARE,
              "leverage": c.leverage}
    return EventReplay(e, c, cal[1:], inputs, outputs)


@cached
def _replays(n: int, n_accounts: int, seed: int) -> tuple[EventReplay, ...]:
    return tuple(_with_band(r) for r in (_march_replay(n, seed), _may_replay(n, seed),
                                         _october_replay(n_accounts, seed)))


def replay_events(*, n: int = 20_000, n_accounts: int = 5_000, seed: int = 0
                  ) -> tuple[EventReplay, ...]:
    """Replay :data:`EVENTS` by calibration: the shock that reproduces each observed fall.

    See the module docstring for the model of each event. Each replay calibrates the central
    setting and four variations (half and twice the depth, a lower and a higher median
    leverage) with :func:`calibrate_shock`; results are cached per argument.

    Parameters
    ----------
    n : int
        Positions of the single-asset populations (March, May), >= 100.
    n_accounts : int
        Accounts of the October market, >= 100.
    seed : int
        Seed of the populations and price paths, >= 0.

    Returns
    -------
    tuple of EventReplay
        In the order of :data:`EVENTS`.

    Examples
    --------
    >>> march, may, october = replay_events()
    >>> all(abs(r.model_fall / r.observed_fall - 1) < 0.1 for r in (march, may, october))
    True
    """
    n, seed = check_run(n=n, seed=seed)
    n_accounts = check_int("n_accounts", n_accounts, lo=100)
    return _replays(n, n_accounts, seed)
