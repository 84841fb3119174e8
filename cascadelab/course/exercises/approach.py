"""Exercises 03 · Approach: hedges, fees and gentler liquidations.

The checkers of ``solutions/03_approach.ipynb`` and of the exercise notebook generated from it, in
the notebook's order. Each block states the exercise's numbers once (they match the notebook),
computes the expected answer from the package where the package has the model, and lists the
typical mistakes; the tests feed every mistake back to its checker.
"""

from __future__ import annotations

import math

from cascadelab.course.registry import Mistake, register
from cascadelab.mechanisms.hedging import DealerBook, bs_gamma
from cascadelab.mechanisms.liquidation import slice_units
from cascadelab.mechanisms.margin import fee_adjusted_leverage

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
