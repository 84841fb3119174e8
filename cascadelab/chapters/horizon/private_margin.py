r"""Chapter 05, idea 3: private margin.

The front-running predator of :mod:`cascadelab.mechanisms.adversary` hunts clusters of long
liquidation levels within reach when the venue publishes them (``levels_visible=True``). With
zero-knowledge margin the venue proves every account solvent without revealing its level
(``levels_visible=False``): the predator pushes blind and pays the round trip of its own impact.
Its P&L is :math:`\text{cash} + x\,p` at the end, USD: :func:`private_margin_scenario`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cascadelab._validate import check_real
from cascadelab.chapters._course import PRICE, check_run, population
from cascadelab.engine import Scenario, SimulationResult, simulate

__all__ = ["PrivateMarginResult", "private_margin_scenario"]


@dataclass(frozen=True)
class PrivateMarginResult:
    """The predator's hunt with the liquidation map public and private, on one path.

    Attributes
    ----------
    visible, hidden, quiet : SimulationResult
        Engine runs with levels visible, levels hidden, and no predator (same seed).
    capital : float
        Predator capital, USD.
    """

    visible: SimulationResult
    hidden: SimulationResult
    quiet: SimulationResult
    capital: float

    @property
    def summary(self) -> dict[str, float]:
        """Predator P&L (USD) and market drawdown (fraction) with visible and hidden levels."""
        return {
            "pnl_visible": self.visible.final_attacker_pnl,
            "pnl_hidden": self.hidden.final_attacker_pnl,
            "drawdown_visible": self.visible.max_drawdown,
            "drawdown_hidden": self.hidden.max_drawdown,
            "drawdown_quiet": self.quiet.max_drawdown,
            "liquidated_visible": self.visible.total_liquidated_notional,
            "liquidated_hidden": self.hidden.total_liquidated_notional,
        }


def private_margin_scenario(
    capital: float = 2e6, *, depth: float = 20_000.0, leverage: float = 12.0,
    reach: float = 0.03, sigma: float = 0.0005, steps: int = 200, seed: int = 0,
) -> PrivateMarginResult:
    r"""The front-running predator (:mod:`cascadelab.mechanisms.adversary`) on a calm market, twice.

    With the map public (``levels_visible=True``) it attacks only when a cluster of long
    liquidation levels within reach is large enough; with zero-knowledge margin the venue
    proves each account is solvent without revealing its level (``levels_visible=False``), so
    the predator pushes blind and pays the round trip of its own impact. Its P&L is
    :math:`\text{cash} + x\,p` at the end (USD). The market: ``sample_positions(5000, 100,
    leverage=leverage, seed=1)``, no scripted shock, volatility ``sigma`` per step.

    Parameters
    ----------
    capital : float
        Predator capital, USD, >= 0.
    depth : float
        Book depth, units per 1%, > 0.
    leverage : float
        Median leverage of the population, x, in [2, 40].
    reach : float
        How far below the price it looks for clusters, fraction, in (0, 0.5).
    sigma : float
        Volatility per step, in [0, 0.05].
    steps : int
        Steps, in [20, 5000].
    seed : int
        Seed of the price path, >= 0.

    Returns
    -------
    PrivateMarginResult
    """
    capital = check_real("capital", capital, lo=0.0)
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    leverage = check_real("leverage", leverage, 2.0, 40.0)
    reach = check_real("reach", reach, 0.0, 0.5, lo_open=True, hi_open=True)
    sigma = check_real("sigma", sigma, 0.0, 0.05)
    seed, steps = check_run(seed=seed, steps=steps)
    pos = population(5_000, seed=1, leverage=leverage, long_share=0.6)
    sc = Scenario(price=PRICE, sigma=sigma, shock=0.0, depth=depth, predator_capital=capital,
                  predator_reach=reach, predator_min_cluster=0.3)
    vis = simulate(pos, sc, steps=steps, seed=seed)
    hid = simulate(pos, sc.replace(levels_visible=False), steps=steps, seed=seed)
    quiet = simulate(pos, sc.replace(predator_capital=0.0), steps=steps, seed=seed)
    return PrivateMarginResult(vis, hid, quiet, capital)
