r"""Liquidators: close everything at once, or gradually (chapter 01).

A liquidation engine that closes everything at once against one that closes gradually
(``close_factor``, ``max_book_share``) on the same shock (:func:`liquidator_tradeoff`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_real, check_sequence
from cascadelab.chapters._course import cached, check_run, population
from cascadelab.engine import Scenario, SimulationResult, simulate

__all__ = ["DEFAULT_CLOSE_FACTORS", "LiquidatorResult", "liquidator_tradeoff"]


@dataclass(frozen=True, eq=False)
class LiquidatorResult:
    """Outcome of :func:`liquidator_tradeoff`: one shock, two liquidation engines.

    Attributes
    ----------
    scenario : Scenario
        The gradual engine's scenario (the full-close run has ``close_factor=1`` and no cap).
    full, gradual : SimulationResult
        Everything closed at once, and closed in slices.
    close_factors : ndarray
        Close factors of the sweep (with the scenario's cap).
    bad_debt_curve, slippage_curve, drawdown_curve : ndarray
        Bad debt (USD), worst one-step slippage and maximum drawdown (fractions) per close
        factor.
    """

    scenario: Scenario
    full: SimulationResult
    gradual: SimulationResult
    close_factors: np.ndarray
    bad_debt_curve: np.ndarray
    slippage_curve: np.ndarray
    drawdown_curve: np.ndarray

    @property
    def summary(self) -> dict[str, float]:
        """``bad_debt_full`` and ``bad_debt_gradual`` (USD), ``slippage_full_pct`` and
        ``slippage_gradual_pct`` (worst fill below the pre-trade price, %),
        ``drawdown_full_pct`` and ``drawdown_gradual_pct`` (%), ``n_liquidated_full`` and
        ``n_liquidated_gradual`` (positions closed in full), ``notional_full`` and
        ``notional_gradual`` (USD closed)."""
        f, g = self.full, self.gradual
        return {
            "bad_debt_full": f.total_bad_debt,
            "bad_debt_gradual": g.total_bad_debt,
            "slippage_full_pct": 100.0 * f.worst_slippage,
            "slippage_gradual_pct": 100.0 * g.worst_slippage,
            "drawdown_full_pct": 100.0 * f.max_drawdown,
            "drawdown_gradual_pct": 100.0 * g.max_drawdown,
            "n_liquidated_full": float(f.n_liquidated),
            "n_liquidated_gradual": float(g.n_liquidated),
            "notional_full": f.total_liquidated_notional,
            "notional_gradual": g.total_liquidated_notional,
        }


DEFAULT_CLOSE_FACTORS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
"""Close factors of the sweep in :func:`liquidator_tradeoff`."""


@cached
def _close_sweep(
    scenario: Scenario, n: int, seed: int, steps: int, factors: tuple[float, ...]
) -> tuple[np.ndarray, ...]:
    pos = population(n, seed=seed)
    runs = [simulate(pos, scenario.replace(close_factor=f), steps=steps, seed=seed)
            for f in factors]
    out = (np.array(factors), np.array([r.total_bad_debt for r in runs]),
           np.array([r.worst_slippage for r in runs]), np.array([r.max_drawdown for r in runs]))
    for arr in out:
        arr.flags.writeable = False
    return out


def liquidator_tradeoff(
    close_factor: float = 0.25,
    max_book_share: float | None = None,
    *,
    shock: float = 0.05,
    depth: float = 200_000.0,
    resilience: float = 0.02,
    steps: int = 300,
    n: int = 20_000,
    seed: int = 0,
    close_factors: tuple[float, ...] = DEFAULT_CLOSE_FACTORS,
) -> LiquidatorResult:
    r"""Close every triggered position at once, or gradually, on the same shock.

    The gradual engine closes at most a ``close_factor`` :math:`f` of each position's size per
    step and, with a cap, at most ``max_book_share`` :math:`\beta` times the depth per step
    (:mod:`cascadelab.mechanisms.margin`):
    :math:`q_{i,t} = \min\{\text{remaining}_i, f\,\text{size}_i, \text{budget}_t\}`,
    :math:`\sum_i q_{i,t} \le \beta D_t`. A full close is :math:`f = 1`, no cap: the engine that
    protects the protocol first, since every position leaves the book at the first price.

    Parameters
    ----------
    close_factor : float
        Share of a position's size closed per step, in (0, 1].
    max_book_share : float or None
        Cap on a step's liquidation units, multiple of the depth, in (0, 10]; None = no cap.
    shock : float
        One-step drop at step 10, fraction in [0, 0.9].
    depth : float
        Book depth, units per 1% move, in [1, 1e12].
    resilience : float
        Share of the transient impact that decays each step, in [0, 1].
    steps : int
        Steps of the run, in [20, 5000].
    n, seed : int
        Size (>= 100) and seed of the population, and seed of the price path.
    close_factors : tuple of float
        Close factors of the sweep, each in (0, 1] (at least one).

    Returns
    -------
    LiquidatorResult

    Examples
    --------
    >>> res = liquidator_tradeoff(close_factor=0.1)
    >>> res.summary["slippage_gradual_pct"] < res.summary["slippage_full_pct"]
    True
    """
    close_factor = check_real("close_factor", close_factor, lo=0.0, hi=1.0, lo_open=True)
    if max_book_share is not None:
        max_book_share = check_real("max_book_share", max_book_share, lo=0.0, hi=10.0,
                                    lo_open=True)
    shock = check_real("shock", shock, lo=0.0, hi=0.9)
    depth = check_real("depth", depth, lo=1.0, hi=1e12)
    resilience = check_real("resilience", resilience, lo=0.0, hi=1.0)
    n, seed, steps = check_run(n=n, seed=seed, steps=steps)
    factors = tuple(check_real(f"close_factors[{j}]", x, lo=0.0, hi=1.0, lo_open=True) for j, x
                    in enumerate(check_sequence("close_factors", close_factors,
                                                what="close factors")))
    full_sc = Scenario(shock=shock, depth=depth, resilience=resilience)
    sc = full_sc.replace(close_factor=close_factor, max_book_share=max_book_share)
    pos = population(n, seed=seed)
    full = simulate(pos, full_sc, steps=steps, seed=seed)
    gradual = simulate(pos, sc, steps=steps, seed=seed)
    cf, bad, slip, dd = _close_sweep(sc.replace(close_factor=1.0), n, seed, steps, factors)
    return LiquidatorResult(sc, full, gradual, cf, bad, slip, dd)
