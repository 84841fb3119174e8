r"""Chapter 03, defence 5: protective puts for a short-gamma dealer.

A dealer short a straddle at the starting price delta-hedges every step, so it sells into a fall
(negative gamma, :mod:`cascadelab.mechanisms.hedging`). Long puts struck at ``put_strike`` times
the price make its gamma less negative, so it sells less: no dealer, the dealer, and the dealer
holding puts, on one shock (``Scenario`` fields ``dealer``, ``protective_puts``, ``put_strike``,
``put_expiry``): :func:`protective_puts_scenario`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cascadelab._validate import check_instance, check_int, check_real
from cascadelab.chapters.approach.markets import PUTS_MARKET, _market
from cascadelab.engine import DEFAULT_STEPS, Scenario, SimulationResult, simulate
from cascadelab.mechanisms.hedging import DealerBook

__all__ = ["PutsResult", "protective_puts_scenario"]


@dataclass(frozen=True, eq=False)
class PutsResult:
    """No dealer, a short-gamma dealer, and the same dealer holding protective puts.

    Attributes
    ----------
    no_dealer, dealer, hedged : SimulationResult
    summary : dict of str -> float
        ``hedge_sales`` and ``hedge_sales_hedged`` (units the dealer sold over the run, net of
        buys, >= 0 means selling), ``drawdown_*`` and ``bad_debt_*`` for the three runs
        (suffixes ``none``, ``dealer``, ``hedged``), ``gamma_dealer`` and ``gamma_hedged`` (book
        gamma at the start, units per USD).
    """

    no_dealer: SimulationResult
    dealer: SimulationResult
    hedged: SimulationResult
    summary: dict[str, float]


def protective_puts_scenario(
    puts: float = 2_000_000.0,
    *,
    put_strike: float = 0.95,
    dealer_units: float = -2_000_000.0,
    dealer_vol: float = 0.005,
    scenario: Scenario = PUTS_MARKET,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> PutsResult:
    """A dealer short a straddle at the starting price delta-hedges every step; with ``puts``
    long puts struck at ``put_strike`` times the price its gamma is less negative, so it sells
    less into a fall.

    Parameters
    ----------
    puts : float
        Units of protective puts, in [0, 1e9].
    put_strike : float
        Strike as a fraction of the starting price, in (0, 10].
    dealer_units : float
        Signed size of each leg of the straddle (negative: sold), units, in [-1e9, 1e9].
    dealer_vol : float
        Implied volatility per step the dealer prices with, in [1e-4, 1].
    scenario, n, steps, seed
        As in :func:`gradual_scenario` (default :data:`PUTS_MARKET`).

    Returns
    -------
    PutsResult
    """
    check_instance("scenario", scenario, Scenario)
    puts = check_real("puts", puts, lo=0.0, hi=1e9)
    dealer_units = check_real("dealer_units", dealer_units, lo=-1e9, hi=1e9)
    dealer_vol = check_real("dealer_vol", dealer_vol, lo=1e-4, hi=1.0)
    steps = check_int("steps", steps, lo=scenario.shock_step + 1 if scenario.shock else 1,
                      hi=100_000)
    book = DealerBook.straddle(scenario.price, dealer_units, expiry=10 * steps, vol=dealer_vol)
    pos = _market(n, seed)
    runs = [simulate(pos, sc, steps=steps, seed=seed) for sc in (
        scenario,
        scenario.replace(dealer=book),
        scenario.replace(dealer=book, protective_puts=puts, put_strike=put_strike,
                         put_expiry=10 * steps),
    )]
    hedged_book = book.with_puts(put_strike * scenario.price, puts, 10 * steps) if puts else book
    summary = {"hedge_sales": float(runs[1].dealer_flow.sum()),
               "hedge_sales_hedged": float(runs[2].dealer_flow.sum()),
               "gamma_dealer": book.gamma(scenario.price),
               "gamma_hedged": hedged_book.gamma(scenario.price)}
    for name, r in zip(("none", "dealer", "hedged"), runs, strict=True):
        summary[f"drawdown_{name}"] = r.max_drawdown
        summary[f"bad_debt_{name}"] = r.total_bad_debt
    return PutsResult(*runs, summary)
