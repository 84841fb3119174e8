"""Exercises 02 · Theory: the loop gain, the arithmetic of insolvency, the critical book, the
toxic liquidation spiral.

The checkers of ``solutions/02_theory.ipynb`` and of the exercise notebook generated from it, in
the notebook's order. Each block states the exercise's numbers once (they match the notebook),
computes the expected answer from the package where the package has the model, and lists the
typical mistakes; the tests feed every mistake back to its checker.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from cascadelab.cascade import cascade
from cascadelab.chapters.theory.toxic import toxic_frontier
from cascadelab.course.exercises.essence import one_position
from cascadelab.course.registry import Mistake, register
from cascadelab.market import Book, impact_price
from cascadelab.positions import Positions, bankruptcy_price, liquidation_price, sample_positions

E02_RHO, E02_TARGET, E02_PRICE = 120_000.0, 3.0, 100.0


def _depth02() -> float:
    return E02_RHO / (1.0 - 1.0 / E02_TARGET)


register(
    "02.1", "depth for a given amplification", "number", _depth02, unit="units per 1%",
    rtol=1e-4,
    mistakes=[
        Mistake(
            lambda: E02_RHO,
            "at that depth the loop gain is exactly 1: the critical depth, where the small-shock "
            "multiplier is infinite. The book must be deeper.",
        ),
        Mistake(
            lambda: E02_RHO * (1.0 - 1.0 / E02_TARGET),
            "the relation is inverted: with this depth rho/D is above 1 and the loop runs away.",
        ),
        Mistake(lambda: E02_RHO / E02_TARGET, "with so thin a book rho/D > 1: a runaway."),
        Mistake(
            lambda: E02_RHO * E02_TARGET,
            "too deep: at that depth the multiplier is well below the target. Solve "
            "1 / (1 - rho/D) = target for D.",
        ),
        Mistake(
            lambda: _depth02() * E02_PRICE,
            "that looks like a USD amount (a factor of 100, the price, too large): depth is in "
            "units of the asset per 1% move.",
        ),
    ],
)

E02_ENTRY, E02_LEVERAGE, E02_M, E02_PENALTY = 100.0, 25.0, 0.02, 0.01


def _bk02() -> float:
    return float(bankruptcy_price(one_position(1, E02_ENTRY, E02_LEVERAGE, E02_M))[0])


def _fill02() -> float:
    # equity at fill f (one unit): entry/L + f - entry; the penalty is PENALTY * f.
    return _bk02() / (1.0 - E02_PENALTY)


register(
    "02.2", "fill price that exhausts the penalty", "number", _fill02, unit="USD", atol=1e-3,
    mistakes=[
        Mistake(
            _bk02,
            "that is the bankruptcy price, where the equity is zero. The penalty stops being "
            "paid in full before that, while some equity is still left.",
        ),
        Mistake(
            lambda: float(liquidation_price(one_position(1, E02_ENTRY, E02_LEVERAGE, E02_M))[0]),
            "that is the liquidation price, where the sale is triggered; the question is how "
            "low the fill can be before equity no longer covers the penalty.",
        ),
        Mistake(
            lambda: _bk02() + E02_PENALTY * E02_ENTRY,
            "you charged the penalty on the notional at entry; it is charged on the notional at "
            "the fill price.",
        ),
        Mistake(
            lambda: _bk02() * (1.0 + E02_PENALTY),
            "close, but multiplying by (1 + penalty) is only an approximation. Solve "
            "equity(p_fill) = penalty * p_fill exactly.",
        ),
    ],
    hint="Equity at the fill price p_fill, per unit: collateral + (p_fill - entry). Set it equal "
    "to the penalty on the notional at p_fill.",
)

E02_DROP = 0.10  # the fill may land this far below entry


def _lev02() -> float:
    return 1.0 / (1.0 - (1.0 - E02_DROP) * (1.0 - E02_PENALTY))


register(
    "02.3", "largest safe leverage", "number", _lev02, unit="x", rtol=1e-3,
    mistakes=[
        Mistake(
            lambda: 1.0 / E02_DROP,
            "that leverage avoids bad debt but leaves nothing to pay the penalty with.",
        ),
        Mistake(
            lambda: 1.0 / (E02_DROP + E02_PENALTY),
            "close: 1/(J + pi) is the chapter's first-order approximation (and what charging the "
            "penalty on the notional at entry gives). It misses the product term J * pi: the "
            "penalty is charged on the notional at the fill, (1 - J) times the notional at "
            "entry, so the exact bound is a little higher. Solve 1/L - J >= pi (1 - J) exactly.",
        ),
        Mistake(
            lambda: 1.0 / (E02_DROP - E02_PENALTY),
            "the penalty makes the venue need *more* equity at the fill, so the leverage must "
            "be lower than without it, not higher.",
        ),
    ],
    hint="Require equity at the fill price >= penalty on the notional at the fill price.",
)

E02_FLOOR = 1e-3  # the price floor: no order takes the price below 0.1% of where it was


def _power_impact_ref(price: float, units: float, depth: float, g: float) -> float:
    # units counts units sold (a buy is negative); g is the impact exponent.
    if units == 0.0:
        return price
    r = 1.0 - math.copysign((abs(units) / depth) ** g, units) / 100.0
    return price * max(r, E02_FLOOR)


def _power_cases() -> list[tuple]:
    out = []
    for g in (1.0, 0.5, 0.7):
        for units in (0.0, 1_000.0, -1_000.0, 25_000.0, -250_000.0, 5e9):
            out.append((100.0, units, 10_000.0, g))
    return out


def _no_floor(price: float, units: float, depth: float, g: float) -> float:
    if units == 0.0:
        return price
    return price * (1.0 - math.copysign((abs(units) / depth) ** g, units) / 100.0)


register(
    "02.4", "a power-law impact model", "function", _power_impact_ref, unit="USD", rtol=1e-9,
    numba=True,
    cases=_power_cases,
    mistakes=[
        Mistake(
            _no_floor,
            "right for ordinary orders, but a huge sell drives your price to zero or below: "
            "apply the floor.",
        ),
        Mistake(
            lambda price, units, depth, g: _power_impact_ref(price, abs(units), depth, g),
            "a buy (units < 0) should push the price up, not down: keep the sign of the order.",
        ),
        Mistake(
            lambda price, units, depth, g: price * max(
                1.0 - math.copysign((abs(units) / depth) ** g, units), E02_FLOOR
            ),
            "off by a factor of 100 in the move: depth is the order size that moves the price "
            "by 1%, not by 100%.",
        ),
    ],
    hint="Check g = 1 against the package's linear book and g = 0.5 against its sqrt book.",
)


def _sweep_ref(liq: np.ndarray, size: np.ndarray, p1: float, depth: float) -> float:
    # Longs at 2x with zero maintenance have liquidation price entry / 2 = liq exactly, and a
    # zero shock from p1 starts the package's cascade right at p1.
    liq = np.asarray(liq, dtype=np.float64)
    pos = Positions(np.ones(liq.size, dtype=np.int8), size, 2.0 * liq, np.full(liq.size, 2.0), 0.0)
    return cascade(pos, p1, 0.0, Book(depth)).final_price


@cache
def _sweep_cases() -> list[tuple]:
    cases = []
    for seed, shock, depth in ((0, 0.02, 60_000.0), (1, 0.05, 30_000.0), (2, 0.01, 200_000.0)):
        pos = sample_positions(4_000, 100.0, long_share=1.0, seed=seed)
        p1 = 100.0 * (1.0 - shock)
        cases.append((pos.liquidation_price.copy(), pos.size.copy(), p1, depth))
    return cases


def _sweep_one_round(liq: np.ndarray, size: np.ndarray, p1: float, depth: float) -> float:
    return impact_price(p1, float(size[liq >= p1].sum()), Book(depth))


def _sweep_compound(liq: np.ndarray, size: np.ndarray, p1: float, depth: float) -> float:
    done = np.zeros(liq.size, dtype=bool)
    p = p1
    while True:
        new = (~done) & (liq >= p)
        if not new.any():
            return p
        done |= new
        p = impact_price(p, float(size[new].sum()), Book(depth))


register(
    "02.5", "a cascade sweep kernel", "function", _sweep_ref, unit="USD", rtol=1e-9,
    numba=True,
    cases=_sweep_cases,
    mistakes=[
        Mistake(
            _sweep_one_round,
            "your sweep stops after the first round: the sales of one round can cross more "
            "liquidation prices, so repeat until a round closes nobody.",
        ),
        Mistake(
            _sweep_compound,
            "each round's impact is applied to the latest price; in this model the price is "
            "the shocked price moved by the cumulative units sold u, p(u) = p1 (1 - u / (100 D)).",
        ),
    ],
    hint="Sort once, walk down the sorted liquidation prices, stop when none is crossed.",
)

E02_SHOCK, E02_RUN_PRICE, E02_N = 0.02, 90.0, 20_000


@cache
def _pop02() -> Positions:
    return sample_positions(E02_N, E02_PRICE, seed=0)


def _runs_away(depth: float) -> bool:
    return cascade(_pop02(), E02_PRICE, E02_SHOCK, Book(depth)).final_price < E02_RUN_PRICE


def _critical02() -> float:
    lo, hi = 1e4, 1e7  # lo runs away, hi does not
    while hi / lo > 1 + 1e-7:
        mid = math.sqrt(lo * hi)
        if _runs_away(mid):
            lo = mid
        else:
            hi = mid
    return hi


register(
    "02.6", "critical depth by bisection", "number", _critical02, unit="units per 1%",
    rtol=0.01,
    mistakes=[
        Mistake(
            lambda: _critical02() * E02_PRICE,
            "that looks like a USD amount (a factor of 100, the price, too large): depth is in "
            "units of the asset per 1% move.",
        ),
    ],
    hint="Keep a depth that runs away and one that does not, and halve the gap until it is "
    "below 1%.",
)

E02_BONUS_PCT = 7.5  # the liquidation bonus as the protocol quotes it, percent of the debt repaid
E02_BONUS = E02_BONUS_PCT / 100.0


register(
    "02.7", "toxicity frontier of a loan", "number", lambda: toxic_frontier(E02_BONUS),
    unit="fraction (debt over collateral)", rtol=1e-4,
    mistakes=[
        Mistake(
            lambda: 1.0 / (1.0 - E02_BONUS),
            "that is 1/(1 - pi): the sign in front of the bonus is flipped. The liquidator "
            "seizes *more* collateral than the debt it repays, (1 + pi) x for x, so redo the "
            "inequality LTV' > LTV with collateral - (1 + pi) x in the denominator. (An LTV above "
            "1 would mean the loan is insolvent already.)",
        ),
        Mistake(
            lambda: 1.0 / (1.0 + E02_BONUS_PCT),
            "you put the bonus in as quoted, in percent (7.5): the formula needs pi as a "
            "fraction of the debt repaid.",
        ),
        Mistake(
            lambda: 1.0 / (1.0 - E02_BONUS_PCT),
            "two slips: the bonus went in as a percent (7.5) instead of a fraction, and the sign "
            "in front of it is flipped (the liquidator seizes (1 + pi) x, more than it repays).",
        ),
        Mistake(
            lambda: 1.0 + E02_BONUS,
            "that is collateral over debt at the frontier, the inverse of what is asked: the "
            "LTV is debt over collateral.",
        ),
        Mistake(
            lambda: 1.0 + E02_BONUS_PCT,
            "that is collateral over debt (the LTV is debt over collateral), with the bonus in "
            "percent instead of a fraction.",
        ),
        Mistake(
            lambda: 1.0 - E02_BONUS,
            "close: 1 - pi is the first-order approximation of the frontier, a little too low. "
            "Solve debt (1 + pi) = collateral exactly.",
        ),
        Mistake(
            lambda: E02_BONUS / (1.0 + E02_BONUS),
            "that is 1 - LTV at the frontier, the share of the collateral not owed; the "
            "question asks for the LTV itself, debt over collateral.",
        ),
    ],
    hint="Write LTV' = (debt - x) / (collateral - (1 + pi) x) > debt / collateral and "
    "cross-multiply: x drops out. Convert the quoted bonus to a fraction first.",
)
