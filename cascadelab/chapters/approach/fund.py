r"""Chapter 03, defence 3: the insurance fund, then socialised loss.

Each step the fund :math:`F_t` receives the share ``penalty_to_fund`` of the liquidation
penalties and pays bad debt :math:`B_t` while it lasts; the rest,
:math:`S_t = B_t - \min(F_{t-1} + \text{penalties}_t, B_t)`, is socialised over the open
positions on the other side (pro rata per unit, out of their collateral):

.. math:: F_t = F_{t-1} + \text{penalties}_t - \min(F_{t-1} + \text{penalties}_t,\ B_t).

Who paid, step by step: :func:`insurance_fund_scenario`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_instance, check_int, check_real
from cascadelab.chapters.approach.markets import FAST_CRASH, _market
from cascadelab.engine import DEFAULT_STEPS, Scenario, SimulationResult, simulate

__all__ = ["FundResult", "insurance_fund_scenario"]


@dataclass(frozen=True, eq=False)
class FundResult:
    """Who paid the bad debt of one run, step by step.

    Attributes
    ----------
    result : SimulationResult
    paid_by_fund, socialized, uncovered : ndarray
        Cumulative USD per step: bad debt the fund paid, levied on the opposite side's open
        positions, and left uncovered (nobody left to levy). They add up to the cumulative bad
        debt.
    summary : dict of str -> float
        ``fund_start`` (USD, including opening fees), ``bad_debt``, ``paid_by_fund``,
        ``socialized``, ``uncovered``, ``fund_left`` (USD), ``fund_share`` (fraction of the bad
        debt the fund paid; 1 when there was none), ``exhausted_step`` (first step the fund was
        empty after a draw, -1 if never).
    """

    result: SimulationResult
    paid_by_fund: np.ndarray
    socialized: np.ndarray
    uncovered: np.ndarray
    summary: dict[str, float]


def insurance_fund_scenario(
    fund: float = 3_000_000.0,
    *,
    penalty_to_fund: float = 1.0,
    scenario: Scenario = FAST_CRASH,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> FundResult:
    r"""Run the market with an insurance fund of ``fund`` USD and follow the loss waterfall.

    Each step the fund receives the share ``penalty_to_fund`` of the liquidation penalties and
    pays bad debt :math:`B_t` while it lasts; the rest, :math:`S_t = B_t - \min(F_t, B_t)`, is
    socialised over the open positions on the other side (pro rata per unit, out of their
    collateral): :math:`F_t = F_{t-1} + \text{penalties}_t - \min(F_{t-1} + \text{penalties}_t,
    B_t)`.

    Parameters
    ----------
    fund : float
        Starting balance, USD, >= 0.
    penalty_to_fund : float
        Share of penalties paid into the fund, in [0, 1].
    scenario, n, steps, seed
        As in :func:`gradual_scenario`.

    Returns
    -------
    FundResult
    """
    check_instance("scenario", scenario, Scenario)
    fund = check_real("fund", fund, lo=0.0)
    steps = check_int("steps", steps, lo=scenario.shock_step + 1 if scenario.shock else 1,
                      hi=100_000)
    res = simulate(_market(n, seed), scenario.replace(insurance_fund=fund,
                                                      penalty_to_fund=penalty_to_fund),
                   steps=steps, seed=seed)
    paid = np.cumsum(res.fund_draw)
    soc = np.cumsum(res.socialized_loss)
    unc = np.cumsum(res.uncovered_loss)
    empty = np.flatnonzero((res.fund_draw > 0.0) & (res.insurance_fund <= 1e-9))
    bad = res.total_bad_debt
    summary = {
        "fund_start": fund + res.opening_fees,
        "bad_debt": bad,
        "paid_by_fund": res.total_fund_draw,
        "socialized": res.total_socialized_loss,
        "uncovered": float(res.uncovered_loss.sum()),
        "fund_left": float(res.insurance_fund[-1]),
        "fund_share": res.total_fund_draw / bad if bad > 0.0 else 1.0,
        "exhausted_step": float(empty[0]) if empty.size else -1.0,
    }
    return FundResult(res, paid, soc, unc, summary)
