r"""Chapter 03's markets, and the pair of runs every experiment makes on them.

Two markets are used throughout. :data:`FAST_CRASH` is a scripted 6% drop at step 10 into a
book of 100,000 units per 1% (half the course default): without a defence the forced sales more
than triple the drop. :data:`STRESS` has no scripted drop but fat-tailed noise and rare downward
jumps, so each random path has its own crash (or none). :data:`PUTS_MARKET` is a 4% shock on
the course's default book. The population is always the course's
``population(n, seed=seed)`` (:func:`cascadelab.chapters._course.population`).

An experiment runs the engine twice on the same population and the same random path, without
and with a defence (:class:`PolicyPair`); :func:`drawdown_path` is the fall from the running
peak, :math:`1 - p_t / \max(p_0, \max_{s \le t} p_s)`, whose maximum is the engine's
``max_drawdown``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cascadelab._validate import check_array, check_instance, check_int, check_real
from cascadelab.chapters._course import check_run, population
from cascadelab.engine import Scenario, SimulationResult, simulate
from cascadelab.positions import Positions

__all__ = ["FAST_CRASH", "PUTS_MARKET", "STRESS", "PolicyPair", "drawdown_path"]

FAST_CRASH = Scenario(shock=0.06, depth=100_000.0)
"""The chapter's shock: 6% at step 10 into a book of 100,000 units per 1%, light noise."""

STRESS = Scenario(shock=0.0, depth=100_000.0, sigma=0.003, tail_index=3.0, jump_rate=0.01,
                  jump_mean=-0.04, jump_sd=0.02)
"""A stressed market with no scripted shock: Student-t noise (3 degrees of freedom, 0.3% per
step) and downward jumps (1% chance per step, mean -4%, sd 2%)."""

PUTS_MARKET = Scenario(shock=0.04, sigma=0.002)
"""A 4% shock on the course's default book with some noise, for the protective-puts run."""


def _market(n: int, seed: int) -> Positions:
    n, seed = check_run(n=n, seed=seed, n_range=(1, 1_000_000))
    return population(n, seed=seed)


def drawdown_path(price: np.ndarray, start: float) -> np.ndarray:
    r"""Fall from the running peak at each step, :math:`1 - p_t / \max(p_0, \max_{s\le t} p_s)`.

    Parameters
    ----------
    price : ndarray
        Prices, USD.
    start : float
        Price before the first step (the first peak), USD, > 0.

    Returns
    -------
    ndarray
        Drawdown per step, a fraction in [0, 1); its maximum is ``max_drawdown`` of the engine.
    """
    start = check_real("start", start, lo=0.0, lo_open=True)
    p = check_array("price", price, lo=0.0, lo_open=True)
    peak = np.maximum.accumulate(np.concatenate(([start], p)))[1:]
    return 1.0 - p / peak


def _headline(res: SimulationResult) -> dict[str, float]:
    return {
        "drawdown": res.max_drawdown,
        "bad_debt": res.total_bad_debt,
        "socialized": res.total_socialized_loss,
        "fund_left": float(res.insurance_fund[-1]),
        "liquidated": res.total_liquidated_notional,
        "worst_slippage": res.worst_slippage,
        "largest_step": float(res.liquidated_units.max(initial=0.0)),
        "halted_steps": float(res.halted_steps),
    }


@dataclass(frozen=True, eq=False)
class PolicyPair:
    """The same market run without (``baseline``) and with (``mitigated``) a defence.

    Attributes
    ----------
    baseline, mitigated : SimulationResult
    summary : dict of str -> float
        For each headline ``x`` (``drawdown`` fraction, ``bad_debt``, ``socialized``,
        ``fund_left``, ``liquidated`` USD, ``worst_slippage`` fraction, ``largest_step`` units
        liquidated in one step, ``halted_steps``): ``x`` (with the defence) and ``x_base``.
    """

    baseline: SimulationResult
    mitigated: SimulationResult
    summary: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        with_, base = _headline(self.mitigated), _headline(self.baseline)
        summary = dict(with_)
        summary.update({f"{k}_base": v for k, v in base.items()})
        object.__setattr__(self, "summary", summary)


def _pair(base: Scenario, changes: Mapping[str, Any], n: int, steps: int,
          seed: int) -> tuple[SimulationResult, SimulationResult]:
    check_instance("scenario", base, Scenario)
    steps = check_int("steps", steps, lo=base.shock_step + 1 if base.shock else 1, hi=100_000)
    pos = _market(n, seed)
    return (simulate(pos, base, steps=steps, seed=seed),
            simulate(pos, base.replace(**changes), steps=steps, seed=seed))
