r"""Many random paths of the market engine: the distribution of losses, not one story.

:func:`monte_carlo` runs :func:`cascadelab.simulate`'s kernel over ``paths`` independent paths and
keeps per-path totals. Path :math:`j` draws its fundamental from its own generator,
``default_rng(SeedSequence(seed).spawn(paths)[j])``, so results do not depend on how the paths are
split into chunks or threads, and path :math:`j` is exactly
``simulate(positions, scenario, steps=steps, seed=SeedSequence(seed).spawn(paths)[j])``. Those
generators' states are computed for a chunk of paths at once by array arithmetic
(:mod:`cascadelab.engine.seeds`, NumPy's SeedSequence and PCG64 seeding step for step) instead of
building one SeedSequence and one generator per path: the same numbers, several times faster
(``python -m benchmarks engine``, row "path seeding"), which is what a run of many short paths
costs.

Risk measures of the bad debt :math:`X` (USD) at level :math:`\alpha` (default levels 95% and 99%):

.. math::
    \operatorname{VaR}_\alpha = \inf\{x : P(X \le x) \ge \alpha\}, \qquad
    \operatorname{ES}_\alpha = E[X \mid X \ge \operatorname{VaR}_\alpha],

both estimated from the sample (the empirical quantile by the inverted CDF, and the mean of the
paths at or beyond it).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np

from cascadelab._validate import check_int, check_real
from cascadelab.engine.bounds import CHUNK_BYTES, check_fundamental, check_memory
from cascadelab.engine.scenario import Scenario
from cascadelab.engine.seeds import path_generators
from cascadelab.engine.simulate import draw_innovations, log_returns, prepare
from cascadelab.kernels import engine as _k
from cascadelab.positions import Positions

__all__ = ["LEVELS", "MonteCarloResult", "monte_carlo"]

LEVELS = (0.95, 0.99)
"""Default confidence levels of VaR and ES."""


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """Per-path totals of :func:`monte_carlo` (arrays of length ``paths``) and their summaries.

    Attributes
    ----------
    paths, steps, seed : int
    max_drawdown : ndarray
        Largest fall of the traded price from a running peak, fraction.
    bad_debt, liquidated_notional, socialized_loss, fund_draw : ndarray
        Totals per path, USD.
    min_price, final_price : ndarray
        USD.
    halted_steps, n_liquidations : ndarray of int64
        Steps halted; position slices closed.
    attacker_pnl : ndarray
        Predator's final P&L, USD.
    realized_vol : ndarray
        Standard deviation of the one-step log returns of the traded price.
    worst_slippage : ndarray
        Worst liquidation fill relative to the pre-trade price, fraction.
    """

    paths: int
    steps: int
    seed: int
    max_drawdown: np.ndarray
    bad_debt: np.ndarray
    liquidated_notional: np.ndarray
    socialized_loss: np.ndarray
    fund_draw: np.ndarray
    min_price: np.ndarray
    final_price: np.ndarray
    halted_steps: np.ndarray
    attacker_pnl: np.ndarray
    realized_vol: np.ndarray
    worst_slippage: np.ndarray
    n_liquidations: np.ndarray

    def var(self, level: float = 0.99) -> float:
        """Value at risk of bad debt (USD): the empirical ``level``-quantile, ``level`` in (0,1)."""
        level = check_real("level", level, 0.0, 1.0, lo_open=True, hi_open=True)
        return float(np.quantile(self.bad_debt, level, method="inverted_cdf"))

    def es(self, level: float = 0.99) -> float:
        r"""Expected shortfall of bad debt (USD): mean of the paths with :math:`X \ge` VaR."""
        v = self.var(level)
        return float(self.bad_debt[self.bad_debt >= v].mean())

    def prob_cascade(self, notional: float) -> float:
        """Probability that more than ``notional`` USD (>= 0) of positions is liquidated."""
        notional = check_real("notional", notional, lo=0.0)
        return float((self.liquidated_notional > notional).mean())

    def prob_drawdown(self, x: float) -> float:
        """Probability that the maximum drawdown exceeds the fraction ``x`` in [0, 1]."""
        x = check_real("x", x, 0.0, 1.0)
        return float((self.max_drawdown > x).mean())

    def drawdown_quantiles(self, qs: tuple[float, ...] = (0.5, 0.9, 0.99)) -> dict[float, float]:
        """Quantiles of the maximum drawdown, ``{q: value}``."""
        return {q: float(np.quantile(self.max_drawdown, q)) for q in qs}

    def summary(self) -> dict[str, float]:
        """Headline numbers: mean bad debt, VaR/ES at :data:`LEVELS`, drawdown median and 99%."""
        out = {"mean_bad_debt": float(self.bad_debt.mean())}
        for level in LEVELS:
            pct = round(level * 100)
            out[f"var{pct}"] = self.var(level)
            out[f"es{pct}"] = self.es(level)
        out["median_drawdown"] = float(np.median(self.max_drawdown))
        out["drawdown99"] = float(np.quantile(self.max_drawdown, 0.99))
        return out


_BLOCK_VALUES = 1 << 16  # draws combined into log returns at a time (a small buffer)


def _draw(scenario: Scenario, steps: int, seed: int, first: int, last: int) -> np.ndarray:
    """Log returns of paths ``first`` to ``last - 1``, one per row: each path's draws from its
    own generator (:func:`~cascadelab.engine.seeds.path_generators`), combined by
    :func:`~cascadelab.engine.simulate.log_returns` a block of rows at a time."""
    log_ret = np.empty((last - first, steps))
    rows = max(1, _BLOCK_VALUES // steps)
    gens = path_generators(seed, first, last)
    for a in range(0, last - first, rows):
        m = min(rows, last - first - a)
        draws = [draw_innovations(scenario, steps, next(gens)) for _ in range(m)]
        z = np.array([d[0] for d in draws])
        u = np.array([d[1] for d in draws]) if draws[0][1] is not None else None
        jump = np.array([d[2] for d in draws]) if draws[0][2] is not None else None
        log_ret[a:a + m] = log_returns(scenario, z, u, jump)
    return log_ret


def monte_carlo(
    positions: Positions,
    scenario: Scenario,
    *,
    paths: int,
    steps: int,
    seed: int,
    parallel: bool = True,
    progress: bool | None = None,
    chunk: int | None = None,
) -> MonteCarloResult:
    """Run the market engine over ``paths`` random paths and summarise the losses.

    Parameters
    ----------
    positions : Positions
        The population, shared by every path.
    scenario : Scenario
        Parameters (see :class:`cascadelab.Scenario`); randomness comes from its ``sigma``,
        ``tail_index`` and jumps.
    paths : int
        Number of paths, >= 1.
    steps : int
        Steps per path, >= 1.
    seed : int
        Root seed (>= 0); path ``j`` uses ``SeedSequence(seed).spawn(paths)[j]`` (its state
        computed without building the object: :mod:`cascadelab.engine.seeds`).
    parallel : bool
        Spread the paths over numba's threads (``prange``); the results are identical.
    progress : bool or None
        Show a ``tqdm`` bar; None = only if the run is expected to take more than a second.
    chunk : int or None
        Paths per chunk (the bar advances per chunk); None = automatic (chunks grow to about a
        quarter of a second each). Does not change the results.

    Returns
    -------
    MonteCarloResult

    Examples
    --------
    >>> from cascadelab import default_market
    >>> pos, sc = default_market(2_000)
    >>> mc = monte_carlo(pos, sc.replace(sigma=0.003), paths=64, steps=100, seed=1)
    >>> mc.bad_debt.shape, bool(mc.var(0.95) <= mc.es(0.95))
    ((64,), True)
    """
    paths = check_int("paths", paths, lo=1)
    seed = check_int("seed", seed, lo=0)
    if not isinstance(parallel, (bool, np.bool_)):
        raise ValueError(f"parallel must be True or False, got {parallel!r}")
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise ValueError(f"progress must be True, False or None, got {progress!r}")
    prm, _, arrays = prepare(positions, scenario, steps)
    kernel = _k.paths_parallel if parallel else _k.paths_serial
    blocks = numba.get_num_threads() if parallel else 1
    adaptive = chunk is None
    # chunks hold at most CHUNK_BYTES of log returns (the chunking never changes the results)
    max_chunk = max(1, CHUNK_BYTES // (8 * steps))
    if chunk is None:
        chunk = min(max(4 * numba.get_num_threads(), -(-paths // 50)), max_chunk)
    chunk = check_int("chunk", chunk, lo=1)
    check_memory(len(positions), steps, paths, min(paths, max_chunk if adaptive else chunk),
                 blocks)
    totals = np.empty((paths, _k.N_TOTALS))

    def draw(a: int, b: int) -> np.ndarray:
        log_ret = _draw(scenario, steps, seed, a, b)
        check_fundamental(log_ret, scenario, first_path=a)
        return log_ret

    # With parallel=True the next chunk's random numbers are drawn in a helper thread while the
    # kernel (which releases the GIL) runs the current one. Each path has its own generator, so
    # the order in which chunks are drawn does not matter.
    helper = ThreadPoolExecutor(max_workers=1) if parallel else None
    # The first call of a kernel compiles it: only chunks run after that predict the rest.
    compiled = bool(getattr(kernel, "signatures", True))
    bar = None
    a, b = 0, min(chunk, paths)
    log_ret = draw(a, b)
    try:
        while a < paths:
            start = time.perf_counter()
            c = min(b + chunk, paths)
            ahead = helper.submit(draw, b, c) if helper is not None and b < paths else None
            kernel(prm, log_ret, *arrays, totals[a:b], min(blocks, b - a))
            if b < paths:
                log_ret = ahead.result() if ahead is not None else draw(b, c)
            elapsed = time.perf_counter() - start
            if bar is None and progress is not False and b < paths and (progress or compiled):
                if progress or elapsed * (paths - b) / (b - a) > 1.0:
                    from tqdm.auto import tqdm

                    bar = tqdm(total=paths, initial=b, unit="path", desc="monte_carlo")
            elif bar is not None:
                bar.update(b - a)
            if adaptive and compiled:
                # grow chunks to about a quarter of a second each: fewer calls, same results
                grown = min(int(0.25 * (b - a) / max(elapsed, 1e-9)), 100_000, max_chunk)
                chunk = max(chunk, grown)
            compiled = True
            a, b = b, c
    finally:
        if helper is not None:
            helper.shutdown()
        if bar is not None:
            bar.close()
    if not np.isfinite(totals).all():
        bad = int(np.argmax(~np.isfinite(totals).all(axis=1)))
        raise FloatingPointError(
            f"path {bad} produced a non-finite total; the scenario is outside the range the "
            f"model handles (run simulate(positions, scenario, steps=steps, "
            f"seed=SeedSequence(seed).spawn(paths)[{bad}]) to see which step and row)"
        )
    col = totals.T
    return MonteCarloResult(
        paths=paths,
        steps=steps,
        seed=seed,
        max_drawdown=col[_k.T_MAX_DRAWDOWN].copy(),
        bad_debt=col[_k.T_BAD_DEBT].copy(),
        liquidated_notional=col[_k.T_LIQ_NOTIONAL].copy(),
        socialized_loss=col[_k.T_SOCIALIZED].copy(),
        fund_draw=col[_k.T_FUND_DRAW].copy(),
        min_price=col[_k.T_MIN_PRICE].copy(),
        final_price=col[_k.T_FINAL_PRICE].copy(),
        halted_steps=np.rint(col[_k.T_HALTED_STEPS]).astype(np.int64),
        attacker_pnl=col[_k.T_ATTACKER_PNL].copy(),
        realized_vol=col[_k.T_REALIZED_VOL].copy(),
        worst_slippage=col[_k.T_WORST_SLIPPAGE].copy(),
        n_liquidations=np.rint(col[_k.T_N_LIQ]).astype(np.int64),
    )
