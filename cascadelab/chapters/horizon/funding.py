r"""Chapter 05, idea 6: pricing cascade risk into the cost of leverage.

The fair funding charge per leverage level :math:`L` is the Monte Carlo expected bad debt per
open interest, :math:`c(L) = E[\text{bad debt}_L] / \text{OI}_L`, per run of ``steps`` steps;
the tail charge is the 99% expected shortfall of bad debt per open interest:
:func:`funding_charge`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_array, check_instance, check_int
from cascadelab.chapters._course import check_run, population
from cascadelab.engine import Scenario
from cascadelab.engine.montecarlo import monte_carlo

__all__ = ["FUNDING_MARKET", "FundingCurve", "funding_charge"]


@dataclass(frozen=True)
class FundingCurve:
    """Fair funding charge per leverage level from Monte Carlo bad debt.

    Attributes
    ----------
    leverage : ndarray
        Leverage of each bucket, x.
    charge : ndarray
        Expected bad debt over open interest, per run of ``steps`` steps (fraction).
    tail_charge : ndarray
        99% expected shortfall of bad debt over open interest (fraction): what a buffer for a
        one-in-a-hundred path costs.
    prob_bad_debt : ndarray
        Share of paths with any bad debt.
    paths, steps : int
    """

    leverage: np.ndarray
    charge: np.ndarray
    tail_charge: np.ndarray
    prob_bad_debt: np.ndarray
    paths: int
    steps: int


FUNDING_MARKET = Scenario(sigma=0.004, tail_index=3.0, shock=0.0, jump_rate=0.01,
                          jump_mean=-0.04, jump_sd=0.02, depth=25_000.0, insurance_fund=0.0)
"""The stressed market of the funding charge: fat tails, occasional down jumps, no fund."""


def funding_charge(
    leverages: np.ndarray | None = None, *, scenario: Scenario | None = None,
    n_positions: int = 2_000, paths: int = 200, steps: int = 200, seed: int = 1,
) -> FundingCurve:
    r"""Fair charge per leverage bucket: :math:`c(L) = E[\text{bad debt}_L] / \text{OI}_L`.

    Each bucket is a population of ``n_positions`` positions whose leverage sits close to
    :math:`L` (``sample_positions(..., leverage=L, max_leverage=1.2 L, leverage_tail=20)``),
    run through :func:`cascadelab.monte_carlo` on the same market and the same paths. Charged
    to each position per ``steps`` steps as a share of its notional, the charge makes the
    venue's expected bad debt zero; the tail charge is the ES99 of bad debt per notional.

    Parameters
    ----------
    leverages : array of float or None
        Buckets, x, each in [1.5, 80]; None = 2, 3, 5, 8, 12, 20, 30, 50.
    scenario : Scenario or None
        The market; None = :data:`FUNDING_MARKET`.
    n_positions, paths, steps, seed : int
        Population size per bucket, Monte Carlo paths and steps, root seed.

    Returns
    -------
    FundingCurve
    """
    lev = (np.array([2.0, 3.0, 5.0, 8.0, 12.0, 20.0, 30.0, 50.0]) if leverages is None
           else check_array("leverages", leverages, lo=1.5, hi=80.0))
    if lev.size == 0:
        raise ValueError("leverages must hold at least one leverage bucket, got an empty array")
    scenario = FUNDING_MARKET if scenario is None else scenario
    check_instance("scenario", scenario, Scenario)
    n_positions = check_int("n_positions", n_positions, 10, 1_000_000)
    paths = check_int("paths", paths, 10, 1_000_000)
    seed, steps = check_run(seed=seed, steps=steps, steps_range=(10, 100_000))
    charge, tail, prob = (np.empty(lev.size) for _ in range(3))
    for j, L in enumerate(lev):
        pos = population(n_positions, seed=3, leverage=float(L), max_leverage=1.2 * float(L),
                         leverage_tail=20.0, maintenance=0.005)
        mc = monte_carlo(pos, scenario, paths=paths, steps=steps, seed=seed, progress=False)
        oi = float(pos.notional.sum())
        charge[j] = mc.bad_debt.mean() / oi
        tail[j] = mc.es(0.99) / oi
        prob[j] = float((mc.bad_debt > 0).mean())
    return FundingCurve(lev, charge, tail, prob, paths, steps)
