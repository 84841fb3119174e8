"""The exercises of the course, registered with :mod:`cascadelab.course.checks`.

Each block states the exercise's numbers once (they match the notebook in ``solutions/``), the
expected answer computed from the package where the package has the model, and the typical
mistakes. The tests feed every mistake back to its checker.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from cascadelab.cascade import cascade, cascade_multiplier
from cascadelab.course.checks import Mistake, register
from cascadelab.engine import Scenario, default_market, simulate
from cascadelab.engine.montecarlo import monte_carlo
from cascadelab.market import Book, impact_price
from cascadelab.mechanisms.hedging import DealerBook, bs_gamma
from cascadelab.mechanisms.liquidation import slice_units
from cascadelab.mechanisms.margin import fee_adjusted_leverage
from cascadelab.portfolio import (
    MultiAssetScenario,
    basket_drawdown,
    equicorrelation,
    sample_accounts,
    simulate_portfolio,
)
from cascadelab.positions import Positions, bankruptcy_price, liquidation_price, sample_positions
from cascadelab.tails import breaches_per_year, tail_probability


def _one(side: int, entry: float, leverage: float, maintenance: float) -> Positions:
    return Positions([side], [1.0], [entry], [leverage], maintenance)


# =============================================================================================
# 00 essence

E00_ENTRY, E00_LEVERAGE, E00_M, E00_PRICE = 2_000.0, 20.0, 0.005, 1_950.0


def _liq00() -> float:
    return float(liquidation_price(_one(1, E00_ENTRY, E00_LEVERAGE, E00_M))[0])


register(
    "00.1", "liquidation price of a long", "number", _liq00, unit="USD", atol=0.01,
    mistakes=[
        Mistake(
            lambda: float(bankruptcy_price(_one(1, E00_ENTRY, E00_LEVERAGE, E00_M))[0]),
            "that is where the equity reaches zero (the bankruptcy price). The venue steps in "
            "earlier, when the equity falls to the maintenance margin.",
        ),
        Mistake(
            lambda: float(liquidation_price(_one(1, E00_PRICE, E00_LEVERAGE, E00_M))[0]),
            "you used today's price where the formula needs the entry price: the collateral and "
            "the loss are both measured from where the position was opened.",
        ),
        Mistake(
            lambda: float(liquidation_price(_one(-1, E00_ENTRY, E00_LEVERAGE, E00_M))[0]),
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
            lambda: 1.0 - float(bankruptcy_price(_one(1, E00_ENTRY, E00_LEVERAGE, E00_M))[0])
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


# =============================================================================================
# 02 theory

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
    return float(bankruptcy_price(_one(1, E02_ENTRY, E02_LEVERAGE, E02_M))[0])


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
            lambda: float(liquidation_price(_one(1, E02_ENTRY, E02_LEVERAGE, E02_M))[0]),
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
            "equity(f) = penalty * f exactly.",
        ),
    ],
    hint="Equity at fill price f, per unit: collateral + (f - entry). Set it equal to the penalty.",
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
            "close: the penalty is charged on the notional at the fill price, not at entry.",
        ),
        Mistake(
            lambda: 1.0 / (E02_DROP - E02_PENALTY),
            "the penalty makes the venue need *more* equity at the fill, so the leverage must "
            "be lower than without it, not higher.",
        ),
    ],
    hint="Require equity at the fill price >= penalty on the notional at the fill price.",
)

E02_DELTA_FLOOR = 1e-3


def _power_impact_ref(price: float, units: float, depth: float, delta: float) -> float:
    if units == 0.0:
        return price
    r = 1.0 - math.copysign((abs(units) / depth) ** delta, units) / 100.0
    return price * max(r, E02_DELTA_FLOOR)


def _power_cases() -> list[tuple]:
    out = []
    for delta in (1.0, 0.5, 0.7):
        for units in (0.0, 1_000.0, -1_000.0, 25_000.0, -250_000.0, 5e9):
            out.append((100.0, units, 10_000.0, delta))
    return out


def _no_floor(price: float, units: float, depth: float, delta: float) -> float:
    if units == 0.0:
        return price
    return price * (1.0 - math.copysign((abs(units) / depth) ** delta, units) / 100.0)


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
            lambda price, units, depth, delta: _power_impact_ref(price, abs(units), depth, delta),
            "a buy (units < 0) should push the price up, not down: keep the sign of the order.",
        ),
        Mistake(
            lambda price, units, depth, delta: price * max(
                1.0 - math.copysign((abs(units) / depth) ** delta, units), E02_DELTA_FLOOR
            ),
            "off by a factor of 100 in the move: depth is the order size that moves the price "
            "by 1%, not by 100%.",
        ),
    ],
    hint="Check delta = 1 against the package's linear book and delta = 0.5 against its sqrt book.",
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
            "the shocked price moved by the cumulative units sold, P = p1 (1 - Q / (100 D)).",
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


# =============================================================================================
# 01 origin

E01_K, E01_NU = 4.0, 3.0


def _t3_tail(k: float) -> float:
    return tail_probability(k, nu=E01_NU)


register(
    "01.1", "fat-tail breach of a 4-sigma buffer", "number", lambda: _t3_tail(E01_K),
    unit="fraction", rtol=1e-6,
    mistakes=[
        Mistake(
            lambda: tail_probability(E01_K),
            "that is the Gaussian answer; the exercise asks for a Student-t with tail index 3.",
        ),
        Mistake(
            lambda: tail_probability(E01_K / math.sqrt(E01_NU / (E01_NU - 2.0)), nu=E01_NU),
            "a raw Student-t with 3 degrees of freedom has variance 3, not 1: rescale it to unit "
            "variance before asking how often it exceeds 4 standard deviations.",
        ),
        Mistake(
            lambda: _t3_tail(E01_K) / 2.0,
            "that is one tail only; the buffer counts moves beyond 4 standard deviations either "
            "way.",
        ),
    ],
    hint="With x = t / sqrt(3), P(|T| > t) = 1 - (2/pi) (arctan x + x / (1 + x^2)) for 3 degrees "
    "of freedom.",
)


def _mc_tol(n: int | None = None) -> tuple[float, float]:
    if n is None or n <= 0:
        return 0.05, 0.0
    p = _t3_tail(E01_K)
    return 0.0, 4.0 * math.sqrt(p * (1.0 - p) / n)


register(
    "01.2", "Monte Carlo estimate of the breach", "number", lambda n=None: _t3_tail(E01_K),
    unit="fraction", tolerance=_mc_tol,
    mistakes=[
        Mistake(
            lambda: tail_probability(E01_K / math.sqrt(3.0), nu=E01_NU),
            "did you rescale the draws to unit variance? A raw t with 3 degrees of freedom has "
            "standard deviation sqrt(3).",
        ),
        Mistake(
            lambda: _t3_tail(E01_K) / 2.0,
            "that looks like one tail only: count moves beyond 4 standard deviations either way.",
        ),
    ],
    hint="Pass n=<number of draws> to check() so it can size the Monte Carlo tolerance "
    "(4 standard errors).",
)

E01_BUFFER, E01_SIGMA_CALM, E01_SIGMA_STRESS = 0.06, 0.015, 0.03


def _breaches01() -> float:
    return breaches_per_year(E01_BUFFER / E01_SIGMA_STRESS, nu=E01_NU)


register(
    "01.3", "breaches a year after the regime shifts", "number", _breaches01,
    unit="days per year", rtol=1e-4,
    mistakes=[
        Mistake(
            lambda: breaches_per_year(E01_BUFFER / E01_SIGMA_CALM, nu=E01_NU),
            "that uses the calm volatility the buffer was calibrated on; the question is about "
            "the stressed market.",
        ),
        Mistake(
            lambda: breaches_per_year(E01_BUFFER / E01_SIGMA_STRESS),
            "that assumes Gaussian returns; the exercise has fat tails (tail index 3).",
        ),
        Mistake(
            lambda: tail_probability(E01_BUFFER / E01_SIGMA_STRESS, nu=E01_NU),
            "that is the probability for one day; the question asks for a count per year of "
            "365 days.",
        ),
        Mistake(
            lambda: _breaches01() / 2.0,
            "that counts one direction only; a buffer can be breached by a move either way.",
        ),
    ],
)


@cache
def _portfolio01() -> tuple:
    sc = MultiAssetScenario()
    res = simulate_portfolio(sample_accounts(5_000, sc.prices, seed=0), sc, seed=0)
    return res.dragged_legs.astype(float), res.n_liquidated_legs_total.astype(float)


def _dragged01() -> float:
    dragged, closed = _portfolio01()
    return float(dragged[1:].sum() / closed[1:].sum())


register(
    "01.4", "legs dragged down by cross margin", "number", _dragged01, unit="fraction",
    atol=1e-6,
    mistakes=[
        Mistake(
            lambda: float(_portfolio01()[0].sum() / _portfolio01()[1].sum()),
            "you included asset A, the one that crashed; the question is about the other assets.",
        ),
        Mistake(
            lambda: 1.0 - _dragged01(),
            "that is the share of legs closed for their own asset's move; the question asks for "
            "the share dragged down by another asset.",
        ),
    ],
)


# =============================================================================================
# 04 evolution

E04_FEEDS = (100.4, 99.7, 100.1, 99.2, 100.9, 99.9, 100.3)  # USD, honest readings


def _oracle04() -> np.ndarray:
    honest = np.sort(np.array(E04_FEEDS))
    out = []
    for k in range(4):  # the attacker replaces the k highest readings by 0
        reports = np.concatenate([np.zeros(k), honest[: honest.size - k]])
        out.append(float(np.median(reports)))
    return np.array(out)


def _oracle04_mean() -> np.ndarray:
    honest = np.sort(np.array(E04_FEEDS))
    return np.array(
        [np.concatenate([np.zeros(k), honest[: honest.size - k]]).mean() for k in range(4)]
    )


register(
    "04.1", "lowest median with k bad feeds", "array", _oracle04, unit="USD", atol=1e-9,
    mistakes=[
        Mistake(
            _oracle04_mean,
            "those are means, not medians: a mean is dragged anywhere by a single bad feed.",
        ),
        Mistake(
            lambda: np.full(4, np.median(E04_FEEDS)),
            "every entry is the honest median: the attacker's reports must replace honest ones.",
        ),
        Mistake(
            lambda: np.array(
                [np.median(np.sort(np.array(E04_FEEDS))[k:]) for k in range(4)]
            ),
            "you dropped the replaced feeds instead of counting the attacker's reports: the "
            "oracle still takes the median of all 7 numbers.",
        ),
    ],
    hint="Sort the seven numbers the oracle sees; the median is the 4th. Which honest feeds "
    "should the attacker replace to push it down most?",
)

E04_LAYERS = (5.0, 1.0, 2.0, 15.0)  # USD millions: margin, defaulter's DF, CH capital, others' DF
E04_LOSSES = (16.0, 30.0)  # USD millions


def _waterfall(loss: float, layers: tuple[float, ...]) -> list[float]:
    out = []
    left = loss
    for cap in layers:
        take = min(cap, left)
        out.append(take)
        left -= take
    out.append(left)  # mutualised among surviving members
    return out


def _waterfall04() -> np.ndarray:
    return np.array([_waterfall(x, E04_LAYERS) for x in E04_LOSSES])


def _waterfall04_ch_last() -> np.ndarray:
    m, d, ch, others = E04_LAYERS
    out = []
    for x in E04_LOSSES:
        a, b, c, e, rest = _waterfall(x, (m, d, others, ch))
        out.append([a, b, e, c, rest])
    return np.array(out)


register(
    "04.2", "default waterfall split", "array", _waterfall04, unit="USD millions", atol=1e-6,
    mistakes=[
        Mistake(
            None,
            "the layers of each row must add up to that row's loss.",
            when=lambda x: not np.allclose(np.asarray(x, dtype=float).sum(axis=1), E04_LOSSES),
        ),
        Mistake(
            _waterfall04_ch_last,
            "the order of two layers is swapped: the clearing house puts its own capital at risk "
            "before it touches the surviving members' contributions.",
        ),
    ],
    hint="Fill the layers in order, each up to its size, and pass what is left to the next.",
)

E04_WEIGHTS, E04_SHOCK, E04_RHO = (1.0, 1.0, 1.0), 0.30, 0.5


def _basket04() -> float:
    return basket_drawdown(
        E04_WEIGHTS, (0.02, 0.02, 0.02), equicorrelation(3, E04_RHO), E04_SHOCK
    )


register(
    "04.3", "basket collateral after a crash", "number", _basket04, unit="fraction", atol=1e-5,
    mistakes=[
        Mistake(
            lambda: E04_SHOCK,
            "that is the loss of single collateral in the crashed asset; the basket holds three.",
        ),
        Mistake(
            lambda: E04_SHOCK / 3.0,
            "that assumes the other two assets do not move; with correlation 0.5 they fall too.",
        ),
        Mistake(
            lambda: E04_SHOCK / 3.0 + 2.0 / 3.0 * E04_RHO * E04_SHOCK,
            "close: beta * s approximates the other assets' fall; the model moves log-prices, "
            "ln(1 + r) = beta ln(1 - s).",
        ),
    ],
)

E04_LATENCY = 5


@cache
def _stale04() -> tuple[float, float]:
    pos, sc = default_market()
    sc = sc.replace(resilience=0.0)
    fresh = simulate(pos, sc).total_bad_debt
    stale = simulate(pos, sc.replace(oracle_latency=E04_LATENCY)).total_bad_debt
    return fresh, stale


register(
    "04.4", "extra bad debt from a late oracle", "number",
    lambda: _stale04()[1] - _stale04()[0], unit="USD", atol=1.0,
    mistakes=[
        Mistake(
            lambda: _stale04()[1],
            "that is the total bad debt with the late oracle; the question asks how much it adds "
            "to the bad debt with a prompt one.",
        ),
        Mistake(
            None,
            "that looks like a ratio or a relative change (a pure number); the question asks "
            "for the extra bad debt in USD.",
            when=lambda x: abs(x) < 10.0,
        ),
    ],
    hint="Run the same scenario twice, changing only the oracle's latency.",
)


# =============================================================================================
# 03 approach

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
    hint="Over a small move the delta changes by gamma times the move.",
)


def _puts03() -> float:
    return -_dealer03().gamma(100.0) / bs_gamma(100.0, E03_PUT_STRIKE, float(E03_EXPIRY), E03_VOL)


register(
    "03.2", "puts that neutralise dealer gamma", "number", _puts03, unit="units", rtol=1e-3,
    mistakes=[
        Mistake(
            lambda: -_dealer03().gamma(100.0) / bs_gamma(100.0, 100.0, float(E03_EXPIRY), E03_VOL),
            "that uses the gamma of an at-the-money put; the protective puts are struck at 95.",
        ),
        Mistake(
            lambda: -_puts03(),
            "the sign is wrong: a negative number of puts means selling them, which adds short "
            "gamma. The dealer must buy puts.",
        ),
        Mistake(
            lambda: -E03_UNITS,
            "buying back as many options as were sold would work only at the same strike and "
            "expiry; puts struck at 95 have less gamma at 100 per unit.",
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


# =============================================================================================
# 05 horizon

E05_BANDS = tuple(round(0.01 + 0.005 * i, 3) for i in range(19))  # 0.010, 0.015, ..., 0.100
E05_NORMAL_SIGMA, E05_NORMAL_SEEDS = 0.004, 20


@cache
def _band05() -> float:
    pos, sc = default_market()
    normal = sc.replace(shock=0.0, sigma=E05_NORMAL_SIGMA)
    for band in E05_BANDS:
        quiet = all(
            simulate(pos, normal.replace(band=band), seed=s).halted_steps == 0
            for s in range(E05_NORMAL_SEEDS)
        )
        if quiet:
            return band
    return float("nan")


register(
    "05.1", "narrowest band that spares normal days", "number", _band05, unit="fraction",
    atol=1e-9,
    mistakes=[
        Mistake(
            None,
            "a band that narrow halts trading on at least one of the normal days: widen it.",
            when=lambda x: 0.0 < x < _band05() and x < 1.0,
        ),
        Mistake(
            None,
            "that band never halts a normal day, but a narrower one on the grid does not either.",
            when=lambda x: _band05() < x < 1.0,
        ),
    ],
)

E05_LEVERAGES = (5.0, 10.0, 20.0)
E05_PATHS, E05_STEPS, E05_SEED = 200, 300, 1


def _scenario05() -> Scenario:
    return Scenario(
        sigma=0.004, tail_index=3.0, shock=0.0, jump_rate=0.01, jump_mean=-0.04, jump_sd=0.02,
        depth=50_000.0, insurance_fund=0.0,
    )


@cache
def _mc05(leverage: float) -> tuple[object, float]:
    pos = sample_positions(5_000, 100.0, leverage=leverage, seed=0)
    mc = monte_carlo(
        pos, _scenario05(), paths=E05_PATHS, steps=E05_STEPS, seed=E05_SEED, progress=False
    )
    return mc, float(pos.notional.sum())


def _charge05() -> np.ndarray:
    out = []
    for lev in E05_LEVERAGES:
        mc, oi = _mc05(lev)
        out.append(float(mc.bad_debt.mean()) / oi)
    return np.array(out)


register(
    "05.2", "fair charge for the risk of bad debt", "array", _charge05, unit="fraction",
    rtol=1e-6,
    mistakes=[
        Mistake(
            lambda: np.array([float(_mc05(lev)[0].bad_debt.mean()) for lev in E05_LEVERAGES]),
            "those are USD amounts; the charge is a fraction of the open notional.",
        ),
        Mistake(
            lambda: np.array(
                [_mc05(lev)[0].var(0.99) / _mc05(lev)[1] for lev in E05_LEVERAGES]
            ),
            "those are tail quantiles; a fair (break-even) charge covers the *average* bad debt.",
        ),
        Mistake(
            lambda: np.array(
                [float(np.median(_mc05(lev)[0].bad_debt)) / _mc05(lev)[1]
                 for lev in E05_LEVERAGES]
            ),
            "the median ignores how large the bad paths are; break-even needs the mean.",
        ),
    ],
)


def _fund05() -> float:
    return _mc05(20.0)[0].var(0.99)


register(
    "05.3", "insurance fund for a 1-in-100 path", "number", _fund05, unit="USD", rtol=1e-6,
    mistakes=[
        Mistake(
            lambda: float(_mc05(20.0)[0].bad_debt.mean()),
            "that is the average bad debt; a fund sized to the average is exhausted on about "
            "half the bad paths.",
        ),
        Mistake(
            lambda: _mc05(20.0)[0].var(0.95),
            "that covers 95% of the paths; the venue asked for 99%.",
        ),
        Mistake(
            lambda: _mc05(20.0)[0].es(0.99),
            "that is the expected shortfall (the mean beyond the quantile); the question asks "
            "for the quantile itself.",
        ),
        Mistake(
            lambda: _mc05(20.0)[0].var(0.99) / _mc05(20.0)[1],
            "that is a fraction of notional; the question asks for USD.",
        ),
    ],
)
