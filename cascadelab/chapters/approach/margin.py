r"""Chapter 03, defence 1: volatility-adjusted maintenance margin.

The static margin :math:`m_0` against a margin that follows the measured volatility,

.. math:: m^*_t = \max(m_0,\ z\,\sigma_t\sqrt h), \qquad
          \sigma_t^2 = \lambda\sigma_{t-1}^2 + (1 - \lambda)\,r_t^2,

applied at once (:math:`m_t = m^*_t`) or phased in, :math:`m_t = \min(m^*_t, m_{t-1} + \delta)`
from :math:`m_{-1} = m_0` (``Scenario`` fields ``margin_z``, ``margin_horizon``, ``ewma_lambda``,
``margin_step``; the rule is :mod:`cascadelab.mechanisms.margin`): :func:`vol_margin_scenario`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_instance, check_int, check_real
from cascadelab.chapters.approach.markets import STRESS, _market
from cascadelab.engine import Scenario, SimulationResult, simulate
from cascadelab.mechanisms.margin import M_MAX

__all__ = ["MarginComparison", "vol_margin_scenario"]


@dataclass(frozen=True, eq=False)
class MarginComparison:
    """Static against volatility-adjusted maintenance margin (applied at once, and phased in)
    over ``paths`` random paths.

    Attributes
    ----------
    static, adjusted, phased : dict of str -> ndarray
        Per path, under the static margin, the adjusted margin applied at once, and the adjusted
        margin phased in: ``bad_debt`` (USD), ``largest_step`` (units liquidated in the busiest
        step), ``busiest_at`` (index of that step), ``bankrupt_steps`` (steps in which some
        position was closed past its bankruptcy price), ``liquidated`` (USD).
    example_static, example_adjusted : SimulationResult
        The path on which the static margin left the most bad debt, under each rule.
    summary : dict of str -> float
        Means over paths: ``bad_debt``, ``bankrupt_steps``, ``largest_step``, ``liquidated``
        (adjusted at once), the same names with ``_static`` and with ``_phased``;
        ``peak_margin`` (highest :math:`m_t` on the example path, fraction) and ``margin_step``
        (:math:`\\delta`, the phase-in's largest rise per step).
    example_phased : SimulationResult
        That path under the phased-in margin.
    """

    static: dict[str, np.ndarray]
    adjusted: dict[str, np.ndarray]
    example_static: SimulationResult
    example_adjusted: SimulationResult
    summary: dict[str, float]
    phased: dict[str, np.ndarray]
    example_phased: SimulationResult


def _margin_stats(results: list[SimulationResult]) -> dict[str, np.ndarray]:
    return {
        "bad_debt": np.array([r.total_bad_debt for r in results]),
        "largest_step": np.array([r.liquidated_units.max(initial=0.0) for r in results]),
        "busiest_at": np.array([float(np.argmax(r.liquidated_units)) for r in results]),
        "bankrupt_steps": np.array([float((r.bad_debt > 0.0).sum()) for r in results]),
        "liquidated": np.array([r.total_liquidated_notional for r in results]),
    }


def vol_margin_scenario(
    margin_z: float = 3.0,
    margin_horizon: float = 10.0,
    ewma_lambda: float = 0.94,
    *,
    margin_step: float = 0.0005,
    scenario: Scenario = STRESS,
    paths: int = 20,
    n: int = 20_000,
    steps: int = 200,
    seed: int = 0,
) -> MarginComparison:
    r"""Run ``paths`` random paths with a static margin :math:`m_0`, with
    :math:`m_t = m^*_t = \max(m_0, z\,\sigma_t\sqrt h)` applied at once,
    :math:`\sigma_t^2 = \lambda\sigma_{t-1}^2 + (1-\lambda) r_t^2`, and with the same target
    phased in, :math:`m_t = \min(m^*_t, m_{t-1} + \delta)` from :math:`m_{-1} = m_0`.

    Path ``j`` uses ``seed + j`` for every rule, so all see the same fundamental moves.

    Parameters
    ----------
    margin_z : float
        :math:`z`, standard deviations the margin covers, in (0, 100].
    margin_horizon : float
        :math:`h`, steps, in (0, 10000].
    ewma_lambda : float
        :math:`\lambda` of the EWMA variance, in [0, 1).
    margin_step : float
        :math:`\delta`, the phased-in rule's largest rise of :math:`m_t` per step, fraction of
        notional, in (0, 0.5].
    scenario : Scenario
        The market (default :data:`STRESS`); its own ``margin_z`` and ``margin_step`` are
        ignored.
    paths : int
        Number of random paths, in [1, 1000].
    n, steps, seed : int
        Population size, steps per path, first seed.

    Returns
    -------
    MarginComparison
    """
    check_instance("scenario", scenario, Scenario)
    margin_z = check_real("margin_z", margin_z, 0.0, 100.0, lo_open=True)
    margin_step = check_real("margin_step", margin_step, 0.0, M_MAX, lo_open=True)
    paths = check_int("paths", paths, lo=1, hi=1000)
    steps = check_int("steps", steps, lo=scenario.shock_step + 1 if scenario.shock else 1,
                      hi=100_000)
    pos = _market(n, seed)
    static_sc = scenario.replace(margin_z=0.0, margin_step=0.0)
    adj_sc = scenario.replace(margin_z=margin_z, margin_horizon=margin_horizon,
                              ewma_lambda=ewma_lambda, margin_step=0.0)
    phased_sc = adj_sc.replace(margin_step=margin_step)
    runs = [[simulate(pos, sc, steps=steps, seed=seed + j) for j in range(paths)]
            for sc in (static_sc, adj_sc, phased_sc)]
    s, a, ph = (_margin_stats(results) for results in runs)
    worst = int(np.argmax(s["bad_debt"]))
    summary = {}
    for suffix, stats in (("", a), ("_static", s), ("_phased", ph)):
        summary.update({k + suffix: float(v.mean()) for k, v in stats.items()
                        if k != "busiest_at"})
    summary["peak_margin"] = float(runs[1][worst].maintenance.max())
    summary["margin_step"] = margin_step
    return MarginComparison(s, a, runs[0][worst], runs[1][worst], summary, ph, runs[2][worst])
