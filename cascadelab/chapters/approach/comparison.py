r"""Chapter 03, all defences compared: on one shock, and over many random paths.

Each defence is the ``Scenario`` fields it changes (:data:`POLICIES`; ``"all"`` adds every change
at once). :func:`mitigation_comparison` runs one shock once per policy;
:func:`mitigation_monte_carlo` runs :func:`cascadelab.monte_carlo` per policy on the same paths
and reports the bad debt's mean, value at risk :math:`\text{VaR}_\alpha` (its
:math:`\alpha`-quantile over paths) and expected shortfall
:math:`\text{ES}_\alpha = E[\text{bad debt} \mid \text{bad debt} \ge \text{VaR}_\alpha]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from cascadelab._validate import (
    ArgumentTypeError,
    check_instance,
    check_int,
    check_mapping,
    check_real,
)
from cascadelab.chapters.approach.markets import FAST_CRASH, STRESS, _headline, _market
from cascadelab.engine import DEFAULT_STEPS, Scenario, SimulationResult, simulate
from cascadelab.engine.montecarlo import MonteCarloResult, monte_carlo

__all__ = ["POLICIES", "MitigationComparison", "MitigationMonteCarlo", "mitigation_comparison",
           "mitigation_monte_carlo"]


POLICIES: dict[str, dict[str, Any]] = {
    "none": {},
    "vol margin": {"margin_z": 3.0},
    "gradual": {"close_factor": 0.25, "max_book_share": 0.25, "cooldown": 1},
    "bigger fund": {"insurance_fund": 10_000_000.0},
    "fees": {"fee_z": 3.0},
    "breaker": {"band": 0.03, "window": 5, "halt_steps": 20},
}
"""Each defence as the ``Scenario`` fields it changes (``"all"`` is added by the functions that
compare them: every change at once)."""


def _all_policies(policies: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    check_mapping("policies", policies, "a dict of policy name -> dict of Scenario fields")
    if not policies:
        raise ValueError("policies must name at least one policy, got an empty dict")
    for name, changes in policies.items():
        if not isinstance(name, str):
            raise ArgumentTypeError(f"policies must be keyed by policy names (str), got "
                                    f"{name!r}")
        check_mapping(f"policies[{name!r}]", changes, "a dict of Scenario fields")
    out = {name: dict(changes) for name, changes in policies.items()}
    if "all" not in out:
        combined: dict[str, Any] = {}
        for changes in out.values():
            combined.update(changes)
        out["all"] = combined
    return out


_METRICS = ("drawdown", "liquidated", "bad_debt", "fund_left", "socialized")
_LABELS = {"drawdown": "drawdown", "liquidated": "liquidated (USD)",
           "bad_debt": "bad debt (USD)", "fund_left": "fund left (USD)",
           "socialized": "socialised (USD)"}


def _money(x: float) -> str:
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:,.2f}{suffix}"
    return f"{x:,.0f}"


@dataclass(frozen=True, eq=False)
class MitigationComparison:
    """One shock, one run per policy.

    Attributes
    ----------
    results : dict of str -> SimulationResult
        Policy name -> run (in the order given; ``"none"`` is the baseline).
    metrics : dict of str -> ndarray
        ``drawdown`` (fraction), ``liquidated``, ``bad_debt``, ``fund_left``, ``socialized``
        (USD): one value per policy, in the order of ``results``.
    """

    results: dict[str, SimulationResult]
    metrics: dict[str, np.ndarray]

    @property
    def names(self) -> list[str]:
        """Policy names, in order."""
        return list(self.results)

    def table(self) -> str:
        """The metrics as a plain-text table, one row per policy."""
        head = f"{'policy':<12}" + "".join(f"{_LABELS[m]:>18}" for m in _METRICS)
        lines = [head, "-" * len(head)]
        for k, name in enumerate(self.names):
            cells = [f"{self.metrics['drawdown'][k]:>18.1%}"]
            cells += [f"{_money(self.metrics[m][k]):>18}" for m in _METRICS[1:]]
            lines.append(f"{name:<12}" + "".join(cells))
        return "\n".join(lines)


def mitigation_comparison(
    policies: Mapping[str, Mapping[str, Any]] = POLICIES,
    *,
    scenario: Scenario = FAST_CRASH,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> MitigationComparison:
    """Run ``scenario`` once per policy (``Scenario`` changes), plus ``"all"`` of them at once.

    Parameters
    ----------
    policies : mapping of str -> mapping
        Policy name -> ``Scenario`` fields it changes (default :data:`POLICIES`).
    scenario, n, steps, seed
        As in :func:`gradual_scenario`.

    Returns
    -------
    MitigationComparison
    """
    check_instance("scenario", scenario, Scenario)
    steps = check_int("steps", steps, lo=scenario.shock_step + 1 if scenario.shock else 1,
                      hi=100_000)
    pos = _market(n, seed)
    results = {name: simulate(pos, scenario.replace(**changes), steps=steps, seed=seed)
               for name, changes in _all_policies(policies).items()}
    heads = [_headline(r) for r in results.values()]
    metrics = {m: np.array([h[m] for h in heads]) for m in _METRICS}
    return MitigationComparison(results, metrics)


@dataclass(frozen=True, eq=False)
class MitigationMonteCarlo:
    """Many random paths per policy.

    Attributes
    ----------
    results : dict of str -> MonteCarloResult
        Policy name -> the per-path totals.
    level : float
        Confidence level of VaR and ES in :meth:`table` and :meth:`risk`.
    """

    results: dict[str, MonteCarloResult]
    level: float

    def risk(self) -> dict[str, dict[str, float]]:
        """Per policy: ``mean``, ``var`` and ``es`` of bad debt, ``mean_socialized`` and
        ``es_socialized`` (mean of the socialised loss on the paths at or beyond the bad-debt
        VaR), ``p_zero`` (share of paths without bad debt). USD except ``p_zero``."""
        out = {}
        for name, mc in self.results.items():
            var = mc.var(self.level)
            tail = mc.bad_debt >= var
            out[name] = {"mean": float(mc.bad_debt.mean()), "var": var, "es": mc.es(self.level),
                         "mean_socialized": float(mc.socialized_loss.mean()),
                         "es_socialized": float(mc.socialized_loss[tail].mean()),
                         "p_zero": float((mc.bad_debt == 0.0).mean())}
        return out

    def table(self) -> str:
        """Bad debt per policy (mean, VaR, ES) and socialised loss, as a plain-text table."""
        pct = f"{100 * self.level:g}%"
        cols = ("mean", "var", "es", "mean_socialized", "p_zero")
        names = ("mean bad debt", f"VaR {pct}", f"ES {pct}", "mean socialised", "no bad debt")
        head = f"{'policy':<12}" + "".join(f"{c:>17}" for c in names)
        lines = [head, "-" * len(head)]
        for name, r in self.risk().items():
            cells = [f"{_money(r[c]):>17}" for c in cols[:-1]] + [f"{r['p_zero']:>17.0%}"]
            lines.append(f"{name:<12}" + "".join(cells))
        return "\n".join(lines)


def mitigation_monte_carlo(
    policies: Mapping[str, Mapping[str, Any]] = POLICIES,
    *,
    scenario: Scenario = STRESS,
    paths: int = 200,
    steps: int = 200,
    n: int = 20_000,
    seed: int = 0,
    level: float = 0.95,
    progress: bool = False,
) -> MitigationMonteCarlo:
    """:func:`cascadelab.monte_carlo` of ``scenario`` under each policy, on the same paths.

    Every policy sees the same ``paths`` fundamental paths (same root ``seed``), so differences
    come from the defence, not from luck.

    Parameters
    ----------
    policies : mapping of str -> mapping
        As in :func:`mitigation_comparison` (``"all"`` is added).
    scenario : Scenario
        The random market (default :data:`STRESS`).
    paths, steps : int
        Paths per policy (>= 1) and steps per path.
    n, seed : int
        Population size and seed (of the population and the root of the paths).
    level : float
        Confidence level of VaR and ES, in (0, 1).
    progress : bool
        Show one progress bar over the policies.

    Returns
    -------
    MitigationMonteCarlo
    """
    check_instance("scenario", scenario, Scenario)
    paths = check_int("paths", paths, lo=1, hi=10_000_000)
    level = check_real("level", level, 0.0, 1.0, lo_open=True, hi_open=True)
    pos = _market(n, seed)
    runs = _all_policies(policies).items()
    if progress:
        from tqdm.auto import tqdm

        runs = tqdm(runs, desc="policies", unit="policy")
    results = {}
    for name, changes in runs:
        results[name] = monte_carlo(pos, scenario.replace(**changes), paths=paths, steps=steps,
                                    seed=seed, progress=False)
    return MitigationMonteCarlo(results, level)
