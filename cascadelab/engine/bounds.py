r"""The range the engine handles, and what it says when a call leaves it.

The model itself is bounded the way venues bound their markets (see :mod:`cascadelab.market`):
the book never thins below ``DEPTH_FLOOR`` (1%) of its depth :math:`D`, and every traded price
stays in the band :math:`[10^{-3} F_t,\ 2 F_t]` around the fundamental. What is left outside
the model's range is checked here, before anything is allocated or run:

* **memory**: :func:`estimate_bytes` estimates what a call of ``simulate`` (``steps`` x the
  per-step rows) or ``monte_carlo`` (``paths`` x the per-path totals and seeds, plus a chunk of
  ``steps`` per path) will allocate; :func:`check_memory` refuses more than
  :data:`MEMORY_LIMIT` (4 GiB) with a ``ValueError`` naming ``paths`` / ``steps`` and the
  estimate;
* **the fundamental**: :func:`check_fundamental` reads the drawn log returns and raises
  ``FloatingPointError`` if the fundamental leaves :data:`FUNDAMENTAL_RANGE` (USD), naming the
  knobs that drive it there (``sigma``, ``mu``, the jumps, the number of steps, ``price``);
* **money**: :func:`non_finite_message` names the cause when a money row of a run still
  overflows (position sizes times the price, the dealer's book, the predator's capital).
"""

from __future__ import annotations

import math

import numpy as np

from cascadelab.engine.scenario import Scenario
from cascadelab.kernels import engine as _k

__all__ = [
    "FUNDAMENTAL_RANGE",
    "MEMORY_LIMIT",
    "check_fundamental",
    "check_memory",
    "estimate_bytes",
    "non_finite_message",
]

MEMORY_LIMIT = 4 * 2**30
"""Largest estimated allocation of one call, bytes (4 GiB)."""

FUNDAMENTAL_RANGE = (1e-250, 1e250)
"""Range of the fundamental price the engine handles, USD (prices, notionals and their sums
stay finite inside it)."""

CHUNK_BYTES = 256 * 2**20
"""Most memory ``monte_carlo`` spends on one chunk of random log returns, bytes."""

_RESULT_ROWS = 45  # per-step arrays of SimulationResult, the draws and the kernel's price rows
_MC_RESULT = 16  # per-path arrays of MonteCarloResult and its totals' copies
_POSITION_BYTES = 8 * 16  # kernel workspace, results and sort cache per position


def estimate_bytes(n: int, steps: int, paths: int | None = None, chunk: int = 1,
                   blocks: int = 1) -> int:
    """Bytes a call will allocate: ``simulate`` if ``paths`` is None, else ``monte_carlo``.

    ``n`` positions, ``steps`` steps; for ``monte_carlo`` also the paths per chunk and the
    numba threads (``blocks``), each with its own per-step rows and workspace.
    """
    if paths is None:
        return 8 * steps * (_k.N_ROWS + _RESULT_ROWS) + _POSITION_BYTES * n
    per_path = 8 * (_k.N_TOTALS + _MC_RESULT)
    # log returns (this chunk, the next, the draws) and the chunk's generator states (seeds.py)
    per_chunk = 8 * 3 * chunk * steps + 32 * chunk
    per_block = 8 * steps * (_k.N_ROWS + 2) + 8 * 8 * n
    return paths * per_path + per_chunk + blocks * per_block + _POSITION_BYTES * n


def _gib(x: int) -> str:
    return f"{x / 2**30:,.1f} GiB"


def check_memory(n: int, steps: int, paths: int | None = None, chunk: int = 1,
                 blocks: int = 1) -> int:
    """The estimate of :func:`estimate_bytes`, or ``ValueError`` if it exceeds the limit."""
    need = estimate_bytes(n, steps, paths, chunk, blocks)
    if need > MEMORY_LIMIT:
        if paths is None:
            what = f"steps={steps:,} with {n:,} positions"
            fix = "fewer steps"
        else:
            what = f"paths={paths:,} x steps={steps:,} with {n:,} positions"
            fix = "fewer paths or steps (or split the run and merge the per-path results)"
        raise ValueError(
            f"{what} would need about {_gib(need)} of memory, more than the limit of "
            f"{_gib(MEMORY_LIMIT)}; use {fix}"
        )
    return need


def _causes(scenario: Scenario, steps: int) -> str:
    sc = scenario
    named = []
    if sc.sigma > 0.0:
        named.append(f"sigma={sc.sigma:g}")
    if sc.mu != 0.0:
        named.append(f"mu={sc.mu:g}")
    if sc.jump_rate > 0.0:
        named.append(f"the jumps (jump_rate={sc.jump_rate:g}, jump_mean={sc.jump_mean:g}, "
                     f"jump_sd={sc.jump_sd:g})")
    if sc.shock != 0.0:
        named.append(f"shock={sc.shock:g}")
    named.append(f"the number of steps ({steps:,})")
    return ", ".join(named)


def check_fundamental(log_ret: np.ndarray, scenario: Scenario, first_path: int = 0) -> None:
    """``FloatingPointError`` if the fundamental drawn as ``log_ret`` (one path per row) leaves
    :data:`FUNDAMENTAL_RANGE`; the message names the step, the path and the knobs to lower."""
    lo, hi = (math.log(x) for x in FUNDAMENTAL_RANGE)
    p0 = scenario.price
    if not lo <= math.log(p0) <= hi:
        raise FloatingPointError(
            f"price={p0:g} USD is outside the range the engine handles "
            f"[{FUNDAMENTAL_RANGE[0]:g}, {FUNDAMENTAL_RANGE[1]:g}] USD; choose a price inside it"
        )
    paths = np.atleast_2d(log_ret)
    with np.errstate(all="ignore"):
        log_f = math.log(p0) + np.cumsum(paths, axis=1)
    bad = ~((log_f >= lo) & (log_f <= hi))  # NaN counts as outside
    if not bad.any():
        return
    j, t = (int(x[0]) for x in np.nonzero(bad))
    where = f"path {first_path + j}, step {t}" if log_ret.ndim == 2 else f"step {t}"
    raise FloatingPointError(
        f"the fundamental price leaves the range the engine handles "
        f"[{FUNDAMENTAL_RANGE[0]:g}, {FUNDAMENTAL_RANGE[1]:g}] USD at {where} "
        f"(log price {log_f[j, t]:.4g}); the scenario is outside the model's range: lower "
        f"{_causes(scenario, paths.shape[1])}"
    )


_ROW_CAUSE = {
    **dict.fromkeys(
        (_k.LIQ_NOTIONAL, _k.CLOSED_COLLATERAL, _k.RETURNED, _k.PENALTIES, _k.PENALTY_TO_FUND,
         _k.PAID_TO_MARKET, _k.REALIZED_PNL, _k.BAD_DEBT, _k.FUND_DRAW, _k.SOCIALIZED,
         _k.UNCOVERED, _k.INSURANCE_FUND, _k.OPEN_COLLATERAL, _k.LIQ_UNITS, _k.NET_FLOW),
        "the positions' sizes or collateral times the price overflow a float: use smaller "
        "positions (size, collateral), a smaller price or a smaller insurance_fund"),
    **dict.fromkeys(
        (_k.DEALER_FLOW, _k.DEALER_GAMMA),
        "the dealer's book overflows: use fewer option units (dealer, protective_puts) or a "
        "larger dealer vol"),
    **dict.fromkeys(
        (_k.ATTACKER_POSITION, _k.ATTACKER_PNL),
        "the predator's position overflows: use a smaller predator_capital"),
}


def non_finite_message(out: np.ndarray, where: str = "") -> str:
    """What to change when the rows ``out`` (steps x rows, without the stress row) of a run
    hold a non-finite value: the first such step, its row and the knobs that cause it."""
    finite = np.isfinite(out)
    t = int(np.argmax(~finite.all(axis=1)))
    row = int(np.argmax(~finite[t]))
    cause = _ROW_CAUSE.get(
        row, "a price or depth left the float range: lower sigma, mu, the jumps or the shock, or "
             "use a deeper book (depth) or smaller positions")
    return (f"the engine produced a non-finite value at {where}step {t} (row {row} of the kernel's "
            f"output); the scenario is outside the range the model handles: {cause}")
