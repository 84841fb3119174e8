"""Exercises 00 · Essence: margin, thin books and the loop between them.

The checkers of ``solutions/00_essence.ipynb`` and of the exercise notebook generated from it, in
the notebook's order. Each block states the exercise's numbers once (they match the notebook),
computes the expected answer from the package where the package has the model, and lists the
typical mistakes; the tests feed every mistake back to its checker.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from cascadelab.cascade import cascade, cascade_multiplier
from cascadelab.course.registry import Mistake, register
from cascadelab.market import Book
from cascadelab.positions import Positions, bankruptcy_price, liquidation_price, sample_positions


def one_position(side: int, entry: float, leverage: float, maintenance: float) -> Positions:
    """One position of one unit (``side`` +1 long, -1 short), as the exercises state them."""
    return Positions([side], [1.0], [entry], [leverage], maintenance)


E00_ENTRY, E00_LEVERAGE, E00_M, E00_PRICE = 2_000.0, 20.0, 0.005, 1_950.0


def _liq00() -> float:
    return float(liquidation_price(one_position(1, E00_ENTRY, E00_LEVERAGE, E00_M))[0])


register(
    "00.1", "liquidation price of a long", "number", _liq00, unit="USD", atol=0.01,
    mistakes=[
        Mistake(
            lambda: float(bankruptcy_price(one_position(1, E00_ENTRY, E00_LEVERAGE, E00_M))[0]),
            "that is where the equity reaches zero (the bankruptcy price). The venue steps in "
            "earlier, when the equity falls to the maintenance margin.",
        ),
        Mistake(
            lambda: float(liquidation_price(one_position(1, E00_PRICE, E00_LEVERAGE, E00_M))[0]),
            "you used today's price where the formula needs the entry price: the collateral and "
            "the loss are both measured from where the position was opened.",
        ),
        Mistake(
            lambda: float(liquidation_price(one_position(-1, E00_ENTRY, E00_LEVERAGE, E00_M))[0]),
            "that is the short's formula: a price above entry. A long loses money when the "
            "price falls, so its liquidation price is below entry.",
        ),
        Mistake(
            lambda: E00_ENTRY * (1 - 1 / E00_LEVERAGE) * (1 + E00_M),
            "close, but not exact: multiplying by (1 + m) only approximates the exact step. "
            "Solve equity = m * size * p for p.",
        ),
        Mistake(
            lambda: E00_ENTRY * (1 - 1 / E00_LEVERAGE) / (1 - 100 * E00_M),
            "the maintenance ratio entered as a percent: 0.5% is 0.005 as a fraction.",
        ),
    ],
    hint="Write the equity at price p, set it equal to the maintenance requirement, solve for p.",
)


def _dist00() -> float:
    return 1.0 - _liq00() / E00_PRICE


register(
    "00.2", "distance to liquidation", "number", _dist00, unit="fraction", atol=1e-4,
    mistakes=[
        Mistake(
            lambda: 1.0 - _liq00() / E00_ENTRY,
            "that distance is measured from the entry price; the question is how far the "
            "price must fall from where it is today.",
        ),
        Mistake(
            lambda: E00_PRICE / _liq00() - 1.0,
            "you divided by the liquidation price; a fall is measured relative to the price "
            "it starts from.",
        ),
        Mistake(
            lambda: 1.0
            - float(bankruptcy_price(one_position(1, E00_ENTRY, E00_LEVERAGE, E00_M))[0])
            / E00_PRICE,
            "that is the distance to the bankruptcy price; the position is closed earlier.",
        ),
    ],
    hint="Give a positive fraction of today's price (0.1 means 10%).",
)

E00_RHO, E00_DEPTH, E00_SHOCK = 30_000.0, 50_000.0, 0.02


def _move00() -> float:
    return E00_SHOCK * cascade_multiplier(E00_RHO, E00_DEPTH)


register(
    "00.3", "total fall with feedback", "number", _move00, unit="fraction", atol=1e-6,
    mistakes=[
        Mistake(
            lambda: E00_SHOCK * (1 + E00_RHO / E00_DEPTH),
            "that counts only the first round of forced selling. Those sales push the price "
            "further and trigger another round, and so on: sum all the rounds.",
        ),
        Mistake(
            lambda: _move00() - E00_SHOCK,
            "that is the extra fall caused by liquidations alone; the total fall includes the "
            "shock itself.",
        ),
        Mistake(
            lambda: cascade_multiplier(E00_RHO, E00_DEPTH),
            "that is the amplification factor (a pure number), not the fall of the price.",
        ),
        Mistake(
            lambda: E00_SHOCK / (1 - E00_DEPTH / E00_RHO),
            "the ratio is upside down: the loop gain is liquidations per 1% divided by the "
            "depth per 1%.",
        ),
    ],
    hint="Each 1% of fall forces rho units of sales, which move the price rho/D percent more.",
)


def _crossed_units_ref(liq: np.ndarray, side: np.ndarray, size: np.ndarray, price: float) -> float:
    return float(size[(side > 0) & (liq >= price)].sum())


@cache
def _crossed_cases() -> list[tuple]:
    cases = []
    for seed, price in ((1, 97.0), (2, 92.5), (3, 100.0), (4, 60.0)):
        pos = sample_positions(500, 100.0, seed=seed)
        cases.append((pos.liquidation_price.copy(), pos.side.copy(), pos.size.copy(), price))
    return cases


register(
    "00.4", "units crossed at a price", "function", _crossed_units_ref, unit="units",
    rtol=1e-9, cases=_crossed_cases,
    mistakes=[
        Mistake(
            lambda liq, side, size, price: float(size[liq >= price].sum()),
            "you counted shorts too. A falling price liquidates longs only; a short whose "
            "liquidation price is above today's price is safe from a fall.",
        ),
        Mistake(
            lambda liq, side, size, price: float(size[(side > 0) & (liq <= price)].sum()),
            "the inequality points the wrong way: a long is liquidated once the price has "
            "fallen to or below its liquidation price.",
        ),
        Mistake(
            lambda liq, side, size, price: float(((side > 0) & (liq >= price)).sum()),
            "that counts positions; the question asks for units of the asset (sum the sizes).",
        ),
        Mistake(
            lambda liq, side, size, price: float((size * liq)[(side > 0) & (liq >= price)].sum()),
            "that is a USD value; the question asks for units of the asset.",
        ),
    ],
)

E00_N, E00_P0, E00_SHOCK5 = 20_000, 100.0, 0.05
E00_DEPTHS = (400_000.0, 200_000.0, 100_000.0, 50_000.0)


@cache
def _pop00() -> Positions:
    return sample_positions(E00_N, E00_P0, seed=0)


def _finals00(attr: str = "final_price") -> np.ndarray:
    pos = _pop00()
    return np.array(
        [getattr(cascade(pos, E00_P0, E00_SHOCK5, Book(d)), attr) for d in E00_DEPTHS]
    )


register(
    "00.5", "final price as the book thins", "array", _finals00, unit="USD", rtol=1e-6,
    mistakes=[
        Mistake(
            lambda: np.full(len(E00_DEPTHS), E00_P0 * (1 - E00_SHOCK5)),
            "those are the prices just after the shock, before any liquidation: run the "
            "cascade for each depth.",
        ),
        Mistake(
            lambda: _finals00("amplification"),
            "those are amplification factors (pure numbers); the question asks for final prices "
            "in USD.",
        ),
        Mistake(
            lambda: _finals00("final_price") / E00_P0 - 1.0,
            "those are relative moves; the question asks for final prices in USD.",
        ),
    ],
)
