r"""Chapter 03, defence 3b: who pays the bad debt the fund cannot cover, a levy or ADL.

The market is :data:`ADL_CRASH`, the chapter's fast crash without its light noise, so that in
the fall only longs are liquidated and every short that pays does so through the loss rule.
Once the insurance fund is empty, the rest :math:`S_t` of a step's bad debt (USD) is covered
either by a **pro-rata levy** (``loss_rule="socialise"``): every open short pays
:math:`\lambda_t = S_t / U_t` USD per unit out of its collateral (:math:`U_t` the open short
units), or by **auto-deleveraging** (``loss_rule="adl"``, :mod:`cascadelab.mechanisms.adl`):
the profitable shorts, ranked by BitMEX's score

.. math:: R_i = \underbrace{\frac{s_i (f - E_i)}{E_i}}_{\text{PnL\% (fraction)}} \cdot
          \underbrace{\frac{f}{s_i (f - b_i)}}_{\text{effective leverage (x)}}
          \qquad (\text{only } s_i (f - E_i) > 0),

(:math:`s_i = -1` for a short, entry :math:`E_i`, bankruptcy price :math:`b_i` and the mark
:math:`f`, all USD; the ranking is fixed at the first ADL step's fill price), are closed from
the top of the queue at the bankrupt longs' bankruptcy price :math:`\bar b_t` instead of the
fill :math:`f_t`, :math:`U^{\text{ADL}}_t = S_t / (\bar b_t - f_t)` units in a step: each unit
closed gives up :math:`g_t = \bar b_t - f_t` USD of profit. What nobody is left to pay is
uncovered. :func:`adl_scenario` runs both rules on the same market and says who paid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cascadelab._validate import check_choice, check_int, check_real
from cascadelab.chapters._course import cached
from cascadelab.chapters.approach.markets import FAST_CRASH, _market
from cascadelab.engine import DEFAULT_STEPS, SimulationResult, simulate
from cascadelab.mechanisms.adl import LOSS_RULES

__all__ = ["ADL_CRASH", "AdlResult", "RuleOutcome", "adl_scenario"]

ADL_CRASH = FAST_CRASH.replace(sigma=0.0)
"""The chapter's fast crash (6% at step 10, 100,000 units per 1%) without noise: in the fall
only longs are liquidated, so the shorts pay only through the loss rule."""

RULE_NAMES = {"socialise": "levy", "adl": "ADL"}
"""Short names of the loss rules, as the lab and the chapter print them."""


@dataclass(frozen=True, eq=False)
class RuleOutcome:
    """Who paid the bad debt of one run under one loss rule.

    Attributes
    ----------
    rule : str
        ``"socialise"`` (the pro-rata levy) or ``"adl"``.
    result : SimulationResult
        The engine's run.
    paid_by_fund, covered, uncovered : ndarray
        Cumulative USD per step: bad debt the fund paid, covered by the winners (the levy, or
        under ADL the profit the closed traders gave up), and left uncovered. They add up to
        the cumulative bad debt.
    trader : ndarray of int
        The traders who paid (index into the population), largest haircut first: under the
        levy every short open when the levy struck, under ADL every short closed by ADL.
    haircut : ndarray
        What each of them paid, USD (see :func:`adl_scenario`); sums to ``covered[-1]``.
    share_of_collateral : ndarray
        ``haircut`` over the trader's collateral at the start (fraction; above 1 when a levy
        took more than the whole margin, the trader's profit paying the rest).
    share_of_profit : ndarray
        ``haircut`` over the trader's paper profit at the first loss step's fill price
        (fraction; NaN for a trader not in profit there, which ADL never closes).
    units_closed : ndarray
        Units of each trader's position closed by ADL (0 under the levy).
    """

    rule: str
    result: SimulationResult
    paid_by_fund: np.ndarray
    covered: np.ndarray
    uncovered: np.ndarray
    trader: np.ndarray
    haircut: np.ndarray
    share_of_collateral: np.ndarray
    share_of_profit: np.ndarray
    units_closed: np.ndarray
    summary: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """``"levy"`` or ``"ADL"``."""
        return RULE_NAMES[self.rule]


@dataclass(frozen=True, eq=False)
class AdlResult:
    """The same crash under the chosen loss rule and under the other one.

    Attributes
    ----------
    chosen, other : RuleOutcome
        The chosen rule's run and the other rule's on the same market.
    winners : int
        Shorts still open at the first step the fund could not cover (the traders either rule
        can make pay).
    first_loss_step : int
        That step (-1: the fund covered everything, neither rule was used).
    mark : float
        The fill price of that step, USD: the ADL queue's ranking mark and the reference of
        ``share_of_profit`` (NaN when no rule was used).
    summary : dict of str -> float
        The chosen rule's headline numbers: ``bad_debt``, ``paid_by_fund``, ``covered``,
        ``uncovered``, ``fund_start``, ``fund_left`` (USD), ``exhausted_step`` (first step the
        fund was empty after a draw, -1 if never), ``traders`` (who paid), ``largest_haircut``,
        ``median_haircut`` (USD), ``largest_share`` (largest ``share_of_collateral``); the same
        for the other rule with the suffix ``_other``; and by rule: ``traders_adl``,
        ``traders_levy``, ``largest_adl``, ``largest_levy``, ``uncovered_adl``,
        ``uncovered_levy`` (USD), ``share_closed`` (ADL's
        traders over ``winners``), ``units_closed`` (ADL, units), ``winners``, ``is_adl``
        (1.0 when the chosen rule is ADL).
    """

    chosen: RuleOutcome
    other: RuleOutcome
    winners: int
    first_loss_step: int
    mark: float
    summary: dict[str, float]

    @property
    def adl(self) -> RuleOutcome:
        """The run under ADL (whichever was chosen)."""
        return self.chosen if self.chosen.rule == "adl" else self.other

    @property
    def levy(self) -> RuleOutcome:
        """The run under the pro-rata levy."""
        return self.chosen if self.chosen.rule == "socialise" else self.other


def adl_scenario(
    fund: float = 8_000_000.0,
    *,
    loss_rule: str = "adl",
    shock: float = 0.06,
    depth: float = 100_000.0,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> AdlResult:
    r"""Run the crash :data:`ADL_CRASH` with a fund of ``fund`` USD under both loss rules.

    The waterfall of a step (USD): the fund pays the bad debt :math:`B_t` while it lasts; the
    rest :math:`S_t` is paid by the shorts. Under the **levy** each open short pays
    :math:`\lambda_t = S_t / U_t` per unit it holds (:math:`U_t` the open short units), out of
    its collateral. Under **ADL** the profitable shorts are ranked by
    :math:`R_i = \text{PnL\%}_i \times \text{effective leverage}_i =
    \frac{s_i(f - E_i)}{E_i}\cdot\frac{f}{s_i(f - b_i)}` (dimensionless; the mark :math:`f` is
    the first ADL step's fill price, USD) and closed from the top of the queue, each in full
    before the next, at the bankrupt longs' units-weighted bankruptcy price :math:`\bar b_t`
    instead of the fill :math:`f_t`: :math:`U^{\text{ADL}}_t = S_t / (\bar b_t - f_t)` units,
    each giving up :math:`g_t = \bar b_t - f_t` USD of profit, so that the closed traders give
    up exactly :math:`S_t`. What nobody profitable is left to pay is uncovered.

    **Haircut** of a trader :math:`i` (USD), what the rule took from it, as the engine
    accounts it per position (``SimulationResult.loss_share``):

    * levy: :math:`h_i = \sum_t \lambda_t q_i(t)` (:math:`q_i(t)` its open units), which for a
      short open at the end is its collateral at the start minus its collateral at the end,
      and for a short the levy drove into liquidation the levies charged while it was open;
    * ADL: :math:`h_i = \sum_t u_i(t)\,g_t` (:math:`u_i(t)` its units closed in step
      :math:`t`).

    Both sum to the rule's total (``covered``), to rounding. ``share_of_collateral`` is
    :math:`h_i / c_i` (:math:`c_i` the collateral at the start, USD) and ``share_of_profit``
    :math:`h_i / (q_i s_i (f_0 - E_i))` (:math:`f_0` the fill price of the first step the
    fund could not cover), both fractions.

    Parameters
    ----------
    fund : float
        Insurance fund at the start, USD, in [0, 1e9].
    loss_rule : {"adl", "socialise"}
        The chosen rule; the other one is run too, on the same market.
    shock : float
        The drop at step 10, a fraction in (0, 0.5]; the longs go bankrupt, the shorts pay.
    depth : float
        Book depth, units per 1% move, in [1e3, 1e8].
    n : int
        Positions in the population, in [100, 1,000,000].
    steps, seed : int
        Steps of the run (in [20, 100,000]) and seed of the population.

    Returns
    -------
    AdlResult

    Examples
    --------
    >>> res = adl_scenario(8e6)
    >>> res.summary["traders_adl"] < res.summary["traders_levy"]
    True
    """
    fund = check_real("fund", fund, lo=0.0, hi=1e9)
    loss_rule = check_choice("loss_rule", loss_rule, tuple(LOSS_RULES))
    shock = check_real("shock", shock, lo=0.0, hi=0.5, lo_open=True)
    depth = check_real("depth", depth, lo=1e3, hi=1e8)
    n = check_int("n", n, lo=100, hi=1_000_000)
    steps = check_int("steps", steps, lo=20, hi=100_000)
    seed = check_int("seed", seed, lo=0)
    return _adl_scenario(fund, loss_rule, shock, depth, n, steps, seed)


@cached
def _adl_scenario(fund: float, loss_rule: str, shock: float, depth: float, n: int, steps: int,
                  seed: int) -> AdlResult:
    pos = _market(n, seed)
    market = ADL_CRASH.replace(insurance_fund=fund, shock=shock, depth=depth)
    runs = {rule: simulate(pos, market.replace(loss_rule=rule), steps=steps, seed=seed)
            for rule in LOSS_RULES}
    # The two runs are the same up to the first step the fund cannot cover.
    used = runs["socialise"].socialized_loss + runs["socialise"].uncovered_loss > 0.0
    t0 = int(np.argmax(used)) if used.any() else -1
    ref = runs["socialise"]
    mark = 0.5 * (ref.pre_trade_price[t0] + ref.price[t0]) if t0 >= 0 else float("nan")
    shorts = pos.side < 0
    outcomes = {
        "socialise": _levy(pos, runs["socialise"], mark),
        "adl": _adl(pos, runs["adl"], shorts, mark),
    }
    chosen = outcomes[loss_rule]
    other = outcomes["adl" if loss_rule == "socialise" else "socialise"]
    adl, levy = outcomes["adl"], outcomes["socialise"]
    # the levy reaches every short open when it first strikes: they are the winners
    winners = int(levy.summary["traders"]) if t0 >= 0 else int(shorts.sum())
    summary = dict(chosen.summary)
    summary.update({f"{k}_other": v for k, v in other.summary.items()})
    summary.update({
        "traders_adl": adl.summary["traders"],
        "traders_levy": levy.summary["traders"],
        "largest_adl": adl.summary["largest_haircut"],
        "largest_levy": levy.summary["largest_haircut"],
        "uncovered_adl": adl.summary["uncovered"],
        "uncovered_levy": levy.summary["uncovered"],
        "units_closed": float(adl.units_closed.sum()),
        "winners": float(winners),
        "share_closed": adl.summary["traders"] / winners if winners else 0.0,
        "is_adl": 1.0 if loss_rule == "adl" else 0.0,
    })
    return AdlResult(chosen, other, winners, t0, float(mark), summary)


def _frozen(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.flags.writeable = False


def _outcome(rule: str, pos, res: SimulationResult, trader: np.ndarray, haircut: np.ndarray,
             units: np.ndarray, mark: float) -> RuleOutcome:
    order = np.argsort(-haircut, kind="mergesort")
    trader, haircut, units = trader[order], haircut[order], units[order]
    coll = pos.collateral[trader]
    share_c = haircut / coll
    profit = pos.size[trader] * pos.side[trader] * (mark - pos.entry[trader])
    with np.errstate(divide="ignore", invalid="ignore"):
        share_p = np.where(profit > 0.0, haircut / np.where(profit > 0.0, profit, 1.0), np.nan)
    paid, cov, unc = (np.cumsum(res.fund_draw), np.cumsum(res.socialized_loss),
                      np.cumsum(res.uncovered_loss))
    empty = np.flatnonzero((res.fund_draw > 0.0) & (res.insurance_fund <= 1e-9))
    summary = {
        "bad_debt": res.total_bad_debt,
        "paid_by_fund": res.total_fund_draw,
        "covered": res.total_socialized_loss,
        "uncovered": float(res.uncovered_loss.sum()),
        "fund_start": res.scenario.insurance_fund + res.opening_fees,
        "fund_left": float(res.insurance_fund[-1]),
        "exhausted_step": float(empty[0]) if empty.size else -1.0,
        "traders": float(trader.size),
        "largest_haircut": float(haircut[0]) if haircut.size else 0.0,
        "median_haircut": float(np.median(haircut)) if haircut.size else 0.0,
        "largest_share": float(share_c.max()) if share_c.size else 0.0,
    }
    _frozen(paid, cov, unc, trader, haircut, share_c, share_p, units)
    return RuleOutcome(rule, res, paid, cov, unc, trader, haircut, share_c, share_p, units,
                       summary)


def _levy(pos, res: SimulationResult, mark: float) -> RuleOutcome:
    """Haircuts under the pro-rata levy: the levies the engine charged to each position."""
    who = np.flatnonzero(res.loss_share > 0.0)
    return _outcome("socialise", pos, res, who, res.loss_share[who], np.zeros(who.size), mark)


def _adl(pos, res: SimulationResult, shorts: np.ndarray, mark: float) -> RuleOutcome:
    """Haircuts under ADL: the profit the engine recorded each closed position giving up."""
    who = np.flatnonzero(res.loss_share > 0.0)
    units = np.where(shorts, pos.size - res.remaining_size, 0.0)[who]
    return _outcome("adl", pos, res, who, res.loss_share[who], units, mark)
