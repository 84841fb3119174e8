"""Exercises 01 · Origin: thresholds built for calm markets.

The checkers of ``solutions/01_origin.ipynb`` and of the exercise notebook generated from it, in
the notebook's order. Each block states the exercise's numbers once (they match the notebook),
computes the expected answer from the package where the package has the model, and lists the
typical mistakes; the tests feed every mistake back to its checker.
"""

from __future__ import annotations

import math
from functools import cache

from cascadelab.course.registry import Mistake, register
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
