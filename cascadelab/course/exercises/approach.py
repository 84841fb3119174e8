"""Exercises 03 · Approach: hedges, fees, gentler liquidations and auto-deleveraging.

The checkers of ``solutions/03_approach.ipynb`` and of the exercise notebook generated from it, in
the notebook's order. Each block states the exercise's numbers once (they match the notebook),
computes the expected answer from the package where the package has the model, and lists the
typical mistakes; the tests feed every mistake back to its checker.
"""

from __future__ import annotations

import math

import numpy as np

from cascadelab.course.registry import Mistake, register
from cascadelab.mechanisms.adl import adl_ranking
from cascadelab.mechanisms.hedging import DealerBook, bs_gamma
from cascadelab.mechanisms.liquidation import slice_units
from cascadelab.mechanisms.margin import fee_adjusted_leverage
from cascadelab.positions import Positions

E03_STRIKE, E03_UNITS, E03_EXPIRY, E03_VOL = 100.0, -2e6, 500, 0.005
E03_PUT_STRIKE = 95.0


def _dealer03() -> DealerBook:
    return DealerBook.straddle(E03_STRIKE, E03_UNITS, E03_EXPIRY, vol=E03_VOL)


def _flow03() -> float:
    return -_dealer03().gamma(100.0) * 1.0  # units sold when the price falls 1 USD


register(
    "03.1", "dealer selling after a 1 USD fall", "number", _flow03, unit="units", rtol=0.01,
    mistakes=[
        Mistake(
            lambda: -_flow03(),
            "the sign says the dealer buys. A dealer who sold options is short gamma: its delta "
            "rises as the price falls, so the hedge must sell into the fall.",
        ),
        Mistake(
            lambda: _flow03() * 100.0,
            "that looks like USD (units times a price of 100): the question asks for units of "
            "the asset.",
        ),
        Mistake(
            lambda: _flow03() / 2.0,
            "half the answer: the straddle holds calls *and* puts, and both have gamma.",
        ),
    ],
    hint="Over a small move the delta changes by Gamma * Delta p; the hedge trades the "
    "opposite, -Gamma * Delta p units (buys positive), so it sells Gamma * Delta p.",
)


def _puts03() -> float:
    return -_dealer03().gamma(100.0) / bs_gamma(100.0, E03_PUT_STRIKE, float(E03_EXPIRY), E03_VOL)


register(
    "03.2", "puts that neutralise dealer gamma", "number", _puts03, unit="units", rtol=1e-3,
    mistakes=[
        Mistake(
            lambda: 2.0 * -E03_UNITS,
            "that is as many options as the dealer sold (2M calls and 2M puts), which is also "
            "what puts struck at the money (100) would need. That works only at the same "
            "strike: puts struck at 95 have less gamma at 100 per unit, so the count differs.",
        ),
        Mistake(
            lambda: -E03_UNITS,
            "that offsets only one leg of the straddle: the dealer sold calls *and* puts, and "
            "both have gamma. The puts bought must cancel the gamma of the whole book.",
        ),
        Mistake(
            lambda: -_puts03(),
            "the sign is wrong: a negative number of puts means selling them, which adds short "
            "gamma. The dealer must buy puts.",
        ),
        Mistake(
            lambda: -_dealer03().gamma(100.0)
            / bs_gamma(100.0, E03_PUT_STRIKE, float(E03_EXPIRY), 100.0 * E03_VOL),
            "the put's volatility entered as a percent: 0.5% per step is vol=0.005.",
        ),
    ],
    hint="Long puts add gamma; find how many units bring the book's gamma at 100 USD to zero.",
)

E03_LEVERAGE, E03_FEE_Z, E03_SIGMA, E03_HORIZON = 20.0, 3.0, 0.005, 10.0


def _fee_rate03() -> float:
    return E03_FEE_Z * E03_SIGMA * math.sqrt(E03_HORIZON)


register(
    "03.3", "leverage under a volatility fee", "number",
    lambda: float(fee_adjusted_leverage(E03_LEVERAGE, _fee_rate03())), unit="x", rtol=1e-4,
    mistakes=[
        Mistake(
            lambda: E03_LEVERAGE / (1.0 + _fee_rate03()),
            "the fee is charged on notional, and notional is L times the collateral: it grows "
            "with leverage.",
        ),
        Mistake(
            lambda: E03_LEVERAGE * (1.0 - _fee_rate03()),
            "the fee is charged on notional, and notional is L times the collateral: it grows "
            "with leverage.",
        ),
        Mistake(
            lambda: float(fee_adjusted_leverage(E03_LEVERAGE, E03_FEE_Z * E03_SIGMA * E03_HORIZON)),
            "volatility grows with the square root of the horizon, not the horizon itself.",
        ),
        Mistake(
            lambda: 1.0 / (1.0 / E03_LEVERAGE + _fee_rate03() * 100.0),
            "off by a factor of 100 in the fee: sigma = 0.5% per step is 0.005 as a fraction, "
            "not 0.5. With 0.5 the fee is several times the notional and the leverage falls "
            "below 1.",
        ),
        Mistake(
            lambda: float(fee_adjusted_leverage(E03_LEVERAGE, _fee_rate03() * 100.0)),
            "off by a factor of 100 in the fee: sigma = 0.5% per step is 0.005 as a fraction, "
            "not 0.5. With 0.5 the fee exceeds the notional and fee_adjusted_leverage floors "
            "the result at 1x.",
        ),
        Mistake(
            None,
            "a leverage below 1x needs a fee of nearly the whole notional: check the fee's "
            "inputs for a percent where a fraction belongs (sigma = 0.5% is 0.005).",
            when=lambda x: 0.0 < x < 1.0,
        ),
    ],
    hint="Budget: N (1/L + fee) = collateral. Solve for the new N / collateral.",
)


def _slice_ref(remaining: float, size: float, close_factor: float, budget: float) -> float:
    return float(slice_units.py_func(remaining, size, close_factor, budget))


def _slice_cases() -> list[tuple]:
    return [
        (10.0, 10.0, 1.0, 1e9),
        (10.0, 10.0, 0.25, 100.0),
        (6.0, 10.0, 0.25, 100.0),
        (1.5, 10.0, 0.25, 100.0),
        (10.0, 10.0, 0.5, 1.0),
        (4.0, 8.0, 0.5, 0.0),
        (10.0, 10.0, 0.5, -2.0),
    ]


register(
    "03.4", "gradual liquidation slice rule", "function", _slice_ref, unit="units",
    rtol=1e-12, atol=1e-12, cases=_slice_cases, numba=True,
    mistakes=[
        Mistake(
            lambda remaining, size, cf, budget: max(min(remaining, cf * remaining, budget), 0.0),
            "the slice is a share of the position's *original* size; a share of what remains "
            "would shrink forever and never close the position.",
        ),
        Mistake(
            lambda remaining, size, cf, budget: max(min(remaining, cf * size), 0.0),
            "the step's book budget is ignored: all liquidation orders of a step share it.",
        ),
        Mistake(
            lambda remaining, size, cf, budget: min(remaining, cf * size, budget),
            "when the budget is exhausted (or negative) the slice must be 0, never negative.",
        ),
    ],
    hint="Three limits and a floor at zero.",
)

# Auto-deleveraging (cascadelab.mechanisms.adl): six shorts at a mark of 80 USD after a crash.
E03_MARK = 80.0
E03_ENTRY = (108.0, 88.0, 78.0, 82.0, 122.0, 102.0)  # USD
E03_LEV = (4.0, 6.0, 12.0, 5.0, 2.0, 8.0)  # x, at entry
E03_SIZE = (15.0, 45.0, 35.0, 45.0, 50.0, 15.0)  # units


def _shorts03() -> Positions:
    n = len(E03_ENTRY)
    return Positions(np.full(n, -1, dtype=np.int8), np.array(E03_SIZE), np.array(E03_ENTRY),
                     np.array(E03_LEV), 0.005)


def _scores03() -> tuple[np.ndarray, np.ndarray]:
    """Each short's PnL% and effective leverage at the mark."""
    pos = _shorts03()
    pnl = (pos.entry - E03_MARK) / pos.entry
    eff = E03_MARK / (pos.bankruptcy_price - E03_MARK)
    return pnl, eff


def _order03(score, everyone: bool = False) -> np.ndarray:
    """Positions sorted by ``score`` (highest first, ties in input order): the profitable ones,
    or ``everyone``."""
    pnl, eff = _scores03()
    s = np.asarray(score(pnl, eff), dtype=float)
    idx = np.arange(pnl.size) if everyone else np.flatnonzero(pnl > 0.0)
    return idx[np.argsort(-s[idx], kind="mergesort")]


def _queue03() -> np.ndarray:
    return adl_ranking(_shorts03(), -1, E03_MARK)[0].astype(float)


register(
    "03.5", "the ADL queue", "array", _queue03, unit="position numbers",
    mistakes=[
        Mistake(
            lambda: _order03(lambda pnl, eff: pnl),
            "that is the order of PnL% alone. BitMEX ranks by PnL% *times* effective "
            "leverage: a profitable position held at high leverage is closed first.",
        ),
        Mistake(
            lambda: _order03(lambda pnl, eff: eff),
            "that is the order of effective leverage alone; the ranking multiplies it by the "
            "PnL%, so a barely profitable position at high leverage can rank below a very "
            "profitable one at low leverage.",
        ),
        Mistake(
            lambda: _order03(lambda pnl, eff: np.array(E03_LEV)),
            "that is the order of the leverage chosen at entry alone. The ranking multiplies "
            "the PnL% by the *effective* leverage at the mark, notional over equity today.",
        ),
        Mistake(
            lambda: _order03(lambda pnl, eff: pnl * np.array(E03_LEV)),
            "close: PnL% times leverage is the rule, but the leverage is the *effective* one at "
            "the mark, |mark value| / (mark value - bankrupt value), not the one chosen at "
            "entry. A short that has gained has more equity, so less effective leverage.",
        ),
        Mistake(
            lambda: _order03(lambda pnl, eff: pnl * np.array(E03_SIZE) * np.array(E03_ENTRY)),
            "that ranks by profit in USD; BitMEX ranks by profit in percent of the entry value "
            "(times effective leverage), so the size of a position does not count.",
        ),
        Mistake(
            lambda: _order03(lambda pnl, eff: pnl * eff, everyone=True),
            "ADL closes only profitable positions: a short that is losing at the mark (its "
            "entry is below it) is never in the queue.",
        ),
        Mistake(
            lambda: _order03(lambda pnl, eff: pnl, everyone=True),
            "two slips: this is the order of PnL% alone (the ranking multiplies it by effective "
            "leverage), and it includes a losing short, which ADL never closes.",
        ),
        Mistake(
            lambda: _order03(lambda pnl, eff: eff, everyone=True),
            "that is the order of effective leverage alone, and it puts a losing short first: "
            "ADL closes only profitable positions, ranked by PnL% times effective leverage.",
        ),
        Mistake(
            lambda: _queue03() + 1.0,
            "the right order, numbered from 1: number the positions from 0, as in the table "
            "and in Python.",
        ),
    ],
    hint="For each short: PnL% = (entry - mark) / entry and effective leverage = mark / "
    "(bankruptcy price - mark); keep the profitable ones and sort by the product, highest "
    "first.",
)

# The deficit the queue above covers: bankrupt longs filled below their bankruptcy price.
E03_BANKRUPT_UNITS, E03_BANKRUPT_PRICE, E03_FILL, E03_FUND = 100.0, 83.0, 80.0, 120.0


def _deficit03() -> float:
    return E03_BANKRUPT_UNITS * (E03_BANKRUPT_PRICE - E03_FILL)  # USD of bad debt


def _adl_units03() -> float:
    return (_deficit03() - E03_FUND) / (E03_BANKRUPT_PRICE - E03_FILL)


register(
    "03.6", "units closed by ADL", "number", _adl_units03, unit="units", rtol=1e-6,
    mistakes=[
        Mistake(
            lambda: E03_BANKRUPT_UNITS,
            "that takes over every bankrupt unit, which is what ADL does with no insurance "
            "fund. The fund pays first: ADL covers only what it cannot.",
        ),
        Mistake(
            lambda: (_deficit03() - E03_FUND) / E03_FILL,
            "that is how many units the rest of the deficit would buy at the fill price. ADL "
            "does not sell units for cash: it closes them at the bankruptcy price instead of "
            "the fill, so each unit closed covers only the gap between the two.",
        ),
        Mistake(
            lambda: (_deficit03() - E03_FUND) / E03_BANKRUPT_PRICE,
            "that is how many units the rest of the deficit is worth at the bankruptcy price. "
            "Each unit ADL closes at the bankruptcy price instead of the fill covers only the "
            "gap between the two.",
        ),
        Mistake(
            lambda: _deficit03() / E03_FILL,
            "two slips: the fund pays first, and each unit closed covers the gap between the "
            "bankruptcy price and the fill, not the fill price itself.",
        ),
        Mistake(
            lambda: (_deficit03() + E03_FUND) / (E03_BANKRUPT_PRICE - E03_FILL),
            "the fund pays part of the deficit before ADL: subtract it, do not add it.",
        ),
        Mistake(
            lambda: E03_FUND / (E03_BANKRUPT_PRICE - E03_FILL),
            "that covers the fund's part of the deficit; ADL covers the rest.",
        ),
    ],
    hint="The deficit is units x (bankruptcy price - fill); the fund pays first; each unit ADL "
    "closes covers (bankruptcy price - fill).",
)
