r"""Chapter 05, idea 5: self-healing markets, a backstop liquidity provider.

A backstop paid a rebate :math:`r` per USD bought adds :math:`\Delta D` to the book. Only forced
flows trade in the engine, so its quotes fill exactly in a cascade: it absorbs the share
:math:`\phi = \Delta D/(D + \Delta D)` of each step's net forced flow :math:`u_t` at the fill
price :math:`f_t`, :math:`b_t = \phi u_t` units, and at the end sells its inventory
:math:`Q = \sum_t b_t` back into the venue's own book (depth :math:`D`, linear impact). Its P&L,
USD:

.. math::
    \Pi = r \sum_t b_t f_t + \sum_t b_t (p_T - f_t) - \frac{Q^2 p_T}{200 D}.

Whether the incentive holds as the shock grows: :func:`backstop_scenario`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_real
from cascadelab.chapters._course import PRICE, check_run, population
from cascadelab.engine import Scenario, SimulationResult, simulate

__all__ = ["BackstopResult", "backstop_scenario"]


@dataclass(frozen=True, eq=False)
class BackstopResult:
    r"""The same shock with and without a paid backstop, and the backstop's P&L.

    Attributes
    ----------
    without, with_backstop : SimulationResult
    share : float
        Share of each step's net forced flow the backstop absorbs, :math:`\Delta D/(D+\Delta D)`.
    inventory : float
        Units it holds at the end, before its exit.
    rebates, mark, exit_cost : float
        Its P&L in USD: rebates earned, gain of the inventory marked at the last price
        (negative: it bought above where the price ended, adverse selection), and the impact
        of selling the inventory back into the venue's own book.
    """

    without: SimulationResult
    with_backstop: SimulationResult
    share: float
    inventory: float
    rebates: float
    mark: float
    exit_cost: float

    @property
    def pnl(self) -> float:
        """Rebates + mark - exit cost, USD."""
        return self.rebates + self.mark - self.exit_cost

    @property
    def summary(self) -> dict[str, float]:
        """Drawdown and bad debt with and without, and the backstop's P&L and its parts."""
        return {
            "drawdown_without": self.without.max_drawdown,
            "drawdown_with": self.with_backstop.max_drawdown,
            "bad_debt_without": self.without.total_bad_debt,
            "bad_debt_with": self.with_backstop.total_bad_debt,
            "inventory": self.inventory,
            "rebates": self.rebates,
            "mark": self.mark,
            "exit_cost": self.exit_cost,
            "pnl": self.pnl,
        }


def backstop_scenario(
    shock: float = 0.02, *, extra_depth: float = 30_000.0, rebate: float = 0.02,
    follow_through: float = 0.25, depth: float = 25_000.0, leverage: float = 12.0,
    steps: int = 300, seed: int = 0,
) -> BackstopResult:
    r"""A backstop that adds ``extra_depth`` to the book when forced selling arrives.

    The engine runs the same path twice, with depth :math:`D` and :math:`D + \Delta D`. Only
    forced flows trade in the engine, so extra depth matters exactly when liquidations hit the
    book: the backstop's quotes sit at the back of the book and fill only in a cascade. It
    absorbs the share :math:`\phi = \Delta D/(D + \Delta D)` of each step's net forced flow
    :math:`u_t` at the step's fill price :math:`f_t`, for :math:`b_t = \phi u_t` units, and is
    paid a rebate :math:`r` per USD bought (from liquidation penalties or a venue subsidy). At
    the end it sells its inventory :math:`Q = \sum b_t` into the venue's own book (depth
    :math:`D`, linear impact). Its P&L, USD:

    .. math::
        \Pi = r \sum_t b_t f_t + \sum_t b_t (p_T - f_t) - \frac{Q^2 p_T}{200 D}.

    Adverse selection: after the shock the fundamental keeps sliding, by ``follow_through``
    times the shock over the run (a drift from step 0, the shock at step 10), so inventory
    bought in the cascade is worth less later; bigger shocks also fill it with more units.

    Parameters
    ----------
    shock : float
        Shock at step 10, in [0, 0.3].
    extra_depth : float
        :math:`\Delta D`, units per 1%, >= 0.
    rebate : float
        :math:`r`, fraction of the USD bought, in [0, 0.1].
    follow_through : float
        Further fall of the fundamental over the run, as a multiple of the shock, in [0, 2].
    depth : float
        :math:`D`, units per 1%, > 0.
    leverage : float
        Median leverage of the 5,000 positions, x, in [2, 40].
    steps : int
        Steps, in [20, 5000].
    seed : int
        Seed of the price path.

    Returns
    -------
    BackstopResult
    """
    shock = check_real("shock", shock, 0.0, 0.3)
    extra_depth = check_real("extra_depth", extra_depth, lo=0.0)
    rebate = check_real("rebate", rebate, 0.0, 0.1)
    follow_through = check_real("follow_through", follow_through, 0.0, 2.0)
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    leverage = check_real("leverage", leverage, 2.0, 40.0)
    seed, steps = check_run(seed=seed, steps=steps)
    pos = population(5_000, seed=1, leverage=leverage, long_share=0.6)
    mu = math.log1p(-min(follow_through * shock, 0.9)) / steps
    sc = Scenario(price=PRICE, sigma=0.001, mu=mu, shock=shock, shock_step=10, depth=depth,
                  insurance_fund=0.0)
    without = simulate(pos, sc, steps=steps, seed=seed)
    with_b = simulate(pos, sc.replace(depth=depth + extra_depth), steps=steps, seed=seed)
    share = extra_depth / (depth + extra_depth)
    bought = share * with_b.net_flow
    fill = 0.5 * (with_b.pre_trade_price + with_b.price)
    p_end = float(with_b.price[-1])
    q = float(bought.sum())
    return BackstopResult(
        without, with_b, share, q, rebate * float(np.abs(bought * fill).sum()),
        float((bought * (p_end - fill)).sum()), q * q * p_end / (200.0 * depth),
    )
