r"""A stale oracle: a price feed that lags during a crash (chapter 01).

A feed that lags by :math:`L` steps during a crash that unfolds over the run (the engine's
``oracle_latency``, ``heartbeat``, ``deviation``), against a fresh feed on the same path
(:func:`stale_oracle`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_int, check_real, check_sequence
from cascadelab.chapters._course import cached, check_run, population
from cascadelab.engine import Scenario, SimulationResult, simulate

__all__ = ["DEFAULT_LATENCIES", "StaleOracleResult", "stale_oracle"]


@dataclass(frozen=True, eq=False)
class StaleOracleResult:
    """Outcome of :func:`stale_oracle`. Money USD, time in steps.

    Attributes
    ----------
    scenario : Scenario
        The engine scenario of the stale run (the fresh run differs only in its oracle).
    stale, fresh : SimulationResult
        The run with the late oracle, and with a perfect one (latency 0, heartbeat 1).
    latencies : ndarray
        Latencies of the sweep, steps.
    bad_debt_curve, drawdown_curve : ndarray
        Bad debt (USD) and maximum drawdown (fraction) at each latency, with the scenario's
        heartbeat and deviation.
    """

    scenario: Scenario
    stale: SimulationResult
    fresh: SimulationResult
    latencies: np.ndarray
    bad_debt_curve: np.ndarray
    drawdown_curve: np.ndarray

    @property
    def summary(self) -> dict[str, float]:
        """``bad_debt_stale`` and ``bad_debt_fresh`` (USD), ``bad_debt_pct`` (stale bad debt, %
        of the collateral posted), ``max_lag_pct`` (largest gap of the oracle above the traded
        price, %), ``drawdown_stale_pct`` and ``drawdown_fresh_pct`` (%), ``socialized`` (USD
        levied on the other side), ``n_liquidated_stale`` and ``n_liquidated_fresh``."""
        s, f = self.stale, self.fresh
        lag = float(np.max(s.oracle_price / s.pre_trade_price - 1.0))
        return {
            "bad_debt_stale": s.total_bad_debt,
            "bad_debt_fresh": f.total_bad_debt,
            "bad_debt_pct": 100.0 * s.total_bad_debt / s.initial_collateral,
            "max_lag_pct": 100.0 * max(lag, 0.0),
            "drawdown_stale_pct": 100.0 * s.max_drawdown,
            "drawdown_fresh_pct": 100.0 * f.max_drawdown,
            "socialized": s.total_socialized_loss,
            "n_liquidated_stale": float(s.n_liquidated),
            "n_liquidated_fresh": float(f.n_liquidated),
        }


def _crash_scenario(crash: float, steps: int, depth: float, shock: float) -> Scenario:
    sigma = Scenario.sigma
    mu = math.log1p(-crash) / steps + 0.5 * sigma**2
    return Scenario(mu=mu, shock=shock, depth=depth, shock_step=10)


DEFAULT_LATENCIES = (0, 5, 10, 15, 20, 30, 40, 50, 60, 75, 90, 105, 120)
"""Latencies (steps) of the sweep in :func:`stale_oracle`."""


@cached
def _latency_sweep(
    scenario: Scenario, n: int, seed: int, steps: int, latencies: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pos = population(n, seed=seed)
    runs = [simulate(pos, scenario.replace(oracle_latency=lat), steps=steps, seed=seed)
            for lat in latencies]
    out = (np.array(latencies), np.array([r.total_bad_debt for r in runs]),
           np.array([r.max_drawdown for r in runs]))
    for arr in out:
        arr.flags.writeable = False
    return out


def stale_oracle(
    latency: int = 30,
    *,
    heartbeat: int = 1,
    deviation: float = 0.0,
    crash: float = 0.3,
    shock: float = 0.0,
    depth: float = 200_000.0,
    steps: int = 300,
    n: int = 20_000,
    seed: int = 0,
    latencies: tuple[int, ...] = DEFAULT_LATENCIES,
) -> StaleOracleResult:
    r"""Run a crash with a late oracle, against the same crash with a fresh one.

    The fundamental drifts down so that it loses ``crash`` over the run,
    :math:`\mu = \ln(1 - c)/T + \sigma^2/2` per step (:math:`T` = ``steps``), plus an optional
    one-step ``shock`` at step 10. The liquidation engine reads the oracle of
    :mod:`cascadelab.mechanisms.oracles`: the price of ``latency`` steps ago, republished every
    ``heartbeat`` steps or on a ``deviation`` move. While it lags, positions fall past their
    bankruptcy price unseen; when the feed catches up they are closed below it, and the gap is
    bad debt (paid by the insurance fund, then levied on the other side).

    Parameters
    ----------
    latency : int
        Steps of delay of the oracle, in [0, 1000].
    heartbeat : int
        The oracle republishes at least every ``heartbeat`` steps, in [1, 100000].
    deviation : float
        ...or once the reported price moved by this fraction, in [0, 1); 0 = off.
    crash : float
        Fall of the fundamental over the run, fraction in [0, 0.95].
    shock : float
        Extra one-step drop at step 10, fraction in [0, 1).
    depth : float
        Book depth, units per 1% move, > 0.
    steps : int
        Steps of the run, in [20, 5000].
    n, seed : int
        Size (>= 100) and seed of the population, and seed of the price path.
    latencies : tuple of int
        Latencies of the sweep, steps, each in [0, 1000] (at least one).

    Returns
    -------
    StaleOracleResult

    Examples
    --------
    >>> res = stale_oracle(latency=30)
    >>> res.summary["bad_debt_stale"] > res.summary["bad_debt_fresh"]
    True
    """
    latency = check_int("latency", latency, lo=0, hi=1000)
    heartbeat = check_int("heartbeat", heartbeat, lo=1, hi=100_000)
    deviation = check_real("deviation", deviation, lo=0.0, hi=1.0, hi_open=True)
    crash = check_real("crash", crash, lo=0.0, hi=0.95)
    shock = check_real("shock", shock, lo=0.0, hi=1.0, hi_open=True)
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    n, seed, steps = check_run(n=n, seed=seed, steps=steps)
    latencies = tuple(check_int(f"latencies[{j}]", x, lo=0, hi=1000) for j, x in
                      enumerate(check_sequence("latencies", latencies, what="latencies")))
    base = _crash_scenario(crash, steps, depth, shock)
    stale_sc = base.replace(oracle_latency=latency, heartbeat=heartbeat, deviation=deviation)
    pos = population(n, seed=seed)
    stale = simulate(pos, stale_sc, steps=steps, seed=seed)
    fresh = simulate(pos, base, steps=steps, seed=seed)
    lat, bad, dd = _latency_sweep(stale_sc.replace(oracle_latency=0), n, seed, steps, latencies)
    return StaleOracleResult(stale_sc, stale, fresh, lat, bad, dd)
