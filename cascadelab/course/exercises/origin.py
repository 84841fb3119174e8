"""Exercises 01 · Origin: thresholds built for calm markets, and a crash replayed by calibration.

The checkers of ``solutions/01_origin.ipynb`` and of the exercise notebook generated from it, in
the notebook's order. Each block states the exercise's numbers once (they match the notebook),
computes the expected answer from the package where the package has the model, and lists the
typical mistakes; the tests feed every mistake back to its checker.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from cascadelab.cascade import cascade
from cascadelab.chapters._course import population
from cascadelab.chapters.origin.events import calibrate_shock
from cascadelab.course.registry import Mistake, register
from cascadelab.market import Book
from cascadelab.portfolio import MultiAssetScenario, sample_accounts, simulate_portfolio
from cascadelab.tails import breaches_per_year, tail_probability

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


E01_DRAWS = 1_000_000  # the exercise's n


def _mc_atol(p: float) -> float:
    """Four standard errors of a Monte Carlo estimate of ``p`` from the exercise's draws."""
    return 4.0 * math.sqrt(p * (1.0 - p) / E01_DRAWS)


def _mc_mistake(p: float, message: str) -> Mistake:
    """A mistaken probability ``p``, matched within the noise of its own estimate."""
    return Mistake(lambda: p, message, rtol=0.0, atol=_mc_atol(p))


def _draws_advice(n: object = None) -> str:
    """What to say about the number of draws ``n`` the learner passed to check()."""
    if isinstance(n, bool) or not isinstance(n, (int, float)) or not n >= 1:
        return (
            f"(check() got n={n!r}; pass n, the number of draws you made: the exercise asks for "
            f"n = {E01_DRAWS:,}.)"
        )
    if n < E01_DRAWS:
        factor = math.sqrt(E01_DRAWS / n)
        return (
            f"You passed n = {n:,.0f}: the exercise asks for n = {E01_DRAWS:,} draws. With "
            f"{n:,.0f} the estimate's noise is about {factor:,.0f} times what this tolerance "
            "allows, and an event this rare may not show up at all."
        )
    return ""


register(
    "01.2", "Monte Carlo estimate of the breach", "number", lambda: _t3_tail(E01_K),
    unit="fraction", rtol=0.0, atol=_mc_atol(_t3_tail(E01_K)), extras=("n",),
    advice=_draws_advice,
    mistakes=[
        _mc_mistake(
            tail_probability(E01_K),
            "that is the Gaussian tail probability: draw Student-t returns with tail index 3 "
            "(nu=3.0), not normal ones.",
        ),
        _mc_mistake(
            tail_probability(E01_K / math.sqrt(E01_NU / (E01_NU - 2.0)), nu=E01_NU),
            "did you rescale the draws to unit variance? A raw t with 3 degrees of freedom has "
            "standard deviation sqrt(3).",
        ),
        _mc_mistake(
            _t3_tail(E01_K) / 2.0,
            "that looks like one tail only: count moves beyond 4 standard deviations either way.",
        ),
        Mistake(
            lambda: 0.0,
            "no draw at all lies beyond 4 standard deviations, yet fat tails put thousands of a "
            "million draws there: compare the absolute value of each draw with k = 4, and make "
            "the n = 1,000,000 draws the exercise asks for.",
            rtol=0.0, atol=0.0,
        ),
    ],
    hint="Count the draws with |r| > 4 and divide by the number of draws.",
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

# The May 2021 replay of chapter 01 (cascadelab.chapters.origin.events, its central setting):
# the course's 20,000 positions at median leverage 10x on the aggregate book, BTC's 31% fall.
E01_OBSERVED, E01_N, E01_LEVERAGE, E01_MAX_LEVERAGE, E01_DEPTH = 0.31, 20_000, 10.0, 50.0, 2e5
E01_PRICE = 100.0
E01_NEAR = 0.005  # a shock whose model fall is this close to the observed one "reproduces" it


def _fall01(shock: float) -> float:
    """The fall (fraction) the cascade ends with after an exogenous shock (fraction)."""
    pos = population(E01_N, seed=0, leverage=E01_LEVERAGE, max_leverage=E01_MAX_LEVERAGE)
    return -cascade(pos, E01_PRICE, shock, Book(E01_DEPTH)).move


@cache
def _shock01() -> float:
    return calibrate_shock(_fall01, E01_OBSERVED, lo=0.005, hi=0.85, tol=1e-4)


def _split01(shock: float) -> np.ndarray:
    """``[shock, cascade share]``: on a static book the exogenous fall is the shock itself."""
    return np.array([shock, 1.0 - shock / _fall01(shock)])


def _with_share01(share) -> np.ndarray:
    s = _shock01()
    return np.array([s, share(s, _fall01(s))])


def _fraction_shock(x: np.ndarray) -> bool:
    return 0.0 < x[0] < 1.0


def _misses_target(x: np.ndarray) -> bool:
    return _fraction_shock(x) and abs(_fall01(float(x[0])) - E01_OBSERVED) > E01_NEAR


def _near_target(x: np.ndarray) -> bool:
    return (_fraction_shock(x) and abs(x[0] - _shock01()) > 1e-3
            and abs(_fall01(float(x[0])) - E01_OBSERVED) <= E01_NEAR)


def _share_not_from_shock(x: np.ndarray) -> bool:
    return _fraction_shock(x) and abs(x[1] - _split01(float(x[0]))[1]) > 1e-3


register(
    "01.5", "a crash replayed by calibration", "array", lambda: _split01(_shock01()),
    unit="fraction", atol=1e-3,
    mistakes=[
        Mistake(
            lambda: _split01(E01_OBSERVED),
            "you fed the observed fall in as the shock: the cascade then adds its own fall on "
            "top, and the model falls further than BTC did. Find the shock whose *model fall* "
            "is 31%.",
        ),
        Mistake(
            lambda: _with_share01(lambda s, f: s / f),
            "the shock is right, but the second number is the share of the fall the shock "
            "explains on its own (v_exo / F), not the share left to forced selling.",
        ),
        Mistake(
            lambda: _with_share01(lambda s, f: f / s - 1.0),
            "the shock is right, but the second number divides the forced selling's part of "
            "the fall by the shock; the share is of the model's whole fall, F(s).",
        ),
        Mistake(
            lambda: _with_share01(lambda s, f: 1.0 - f / s),
            "the shock is right, but the ratio in the share is upside down (and the share "
            "negative): it is 1 - v_exo / F(s), the exogenous fall over the model's fall.",
        ),
        Mistake(
            lambda: _with_share01(lambda s, f: f - s),
            "the shock is right, but the second number is the forced selling's part of the "
            "fall in percentage points of the price, F(s) - v_exo; the share divides it by "
            "the model's fall F(s).",
        ),
        Mistake(
            None,
            "the calibrated shock is a fraction between 0 and 1 (0.1 for a 10% shock), as "
            "model_fall expects.",
            when=lambda x: not _fraction_shock(x),
        ),
        Mistake(
            None,
            "your shock does not reproduce the observed fall: model_fall(shock) is more than "
            "half a point away from 31%. Check that the bracket straddles the target "
            "(model_fall(lo) < 0.31 <= model_fall(hi)) before you bisect, and keep the half "
            "whose ends still straddle it: lo moves up when the midpoint falls short.",
            when=_misses_target,
        ),
        Mistake(
            None,
            "close: your shock gives nearly the observed fall, but it is not pinned down "
            "tightly enough. Bisect until the bracket is narrower than 1e-4.",
            when=_near_target,
        ),
        Mistake(
            None,
            "your shock is right, but the share does not follow from it: the share is "
            "1 - v_exo / F(s), and on this book the exogenous fall v_exo is the shock itself.",
            when=_share_not_from_shock,
        ),
    ],
    hint="Store [calibrated shock, cascade share], both fractions.",
)
