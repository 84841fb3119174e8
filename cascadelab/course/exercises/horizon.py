"""Exercises 05 · Horizon: breakers that spare normal days, and leverage priced by its risk.

The checkers of ``solutions/05_horizon.ipynb`` and of the exercise notebook generated from it, in
the notebook's order. Each block states the exercise's numbers once (they match the notebook),
computes the expected answer from the package where the package has the model, and lists the
typical mistakes; the tests feed every mistake back to its checker.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from cascadelab.course.registry import Mistake, register
from cascadelab.engine import Scenario, default_market, simulate
from cascadelab.engine.montecarlo import monte_carlo
from cascadelab.positions import sample_positions

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
