"""A plain NumPy reference of the market engine that re-scans every position at every step.

It covers the engine's core (price path with transient impact and depth stress, oracle latency,
heartbeat and deviation, volatility-adjusted margin, circuit breaker without liquidations during
halts, full liquidation, penalties, insurance fund and the per-unit levy on the opposite side)
and is what ``bench_engine`` measures :func:`cascadelab.simulate` against. Simple, obviously
correct, slow: every step costs O(N).
"""

from __future__ import annotations

import math

import numpy as np

from cascadelab import Positions, Scenario, impact_price
from cascadelab.engine.simulate import fundamental_returns
from cascadelab.market import Book

SUPPORTED_OFF = {
    "close_factor": 1.0, "max_book_share": None, "cooldown": 0, "fee_z": 0.0, "dealer": None,
    "predator_capital": 0.0, "liquidate_in_halt": False,
}


def simulate_numpy(
    pos: Positions, sc: Scenario, steps: int, seed: int
) -> dict[str, np.ndarray | float]:
    """The engine's core mechanisms with a full scan of the positions at every step."""
    for name, value in SUPPORTED_OFF.items():
        if getattr(sc, name) != value:
            raise ValueError(f"the reference does not model {name}={getattr(sc, name)!r}")
    log_ret = fundamental_returns(sc, steps, np.random.default_rng(seed))
    m0 = sc.maintenance if sc.maintenance is not None else float(pos.maintenance[0])
    side, size, entry = pos.side, pos.size, pos.entry
    bk = entry * (1.0 - side / pos.leverage)
    long = side > 0
    coll = pos.collateral.copy()
    open_ = np.ones(len(pos), dtype=bool)
    levy_long = levy_short = 0.0
    hist = np.empty(steps + 1)
    hist[0] = sc.price
    pre = np.empty(steps)
    f, g, fund, oracle, last, var = sc.price, 1.0, sc.insurance_fund, sc.price, -1, sc.sigma**2
    halt_left, resume, halted_prev, anchor = 0, 0, False, sc.price
    out = {k: np.zeros(steps) for k in ("price", "liquidated_units", "bad_debt", "fund_draw",
                                        "socialized_loss", "insurance_fund", "oracle_price")}
    for t in range(steps):
        f *= math.exp(log_ret[t])
        res = sc.halt_resilience if halted_prev else sc.resilience
        g = 1.0 + (g - 1.0) * (1.0 - res)
        p = f * g
        pre[t] = p
        r = math.log(p / hist[t])
        var = sc.ewma_lambda * var + (1.0 - sc.ewma_lambda) * r * r
        m = min(max(m0, sc.margin_z * math.sqrt(var) * math.sqrt(sc.margin_horizon)), 0.5)
        halted = False
        if halt_left > 0:
            halted, halt_left = True, halt_left - 1
        elif sc.band > 0 and abs(p / hist[max(t + 1 - sc.window, resume)] - 1.0) > sc.band:
            halted, halt_left = True, sc.halt_steps - 1
        reported = pre[t - sc.oracle_latency] if t >= sc.oracle_latency else sc.price
        if t - last >= sc.heartbeat or (
            sc.deviation > 0 and abs(reported / oracle - 1.0) >= sc.deviation
        ):
            oracle, last = reported, t
        # the full scan: every open position, every step
        if not halted:
            crossed = open_ & np.where(
                long, oracle * (1.0 - m) <= bk + levy_long, oracle * (1.0 + m) >= bk - levy_short
            )
        else:
            crossed = np.zeros(len(pos), dtype=bool)
        depth = sc.depth * math.exp(-sc.depth_stress * abs(p / anchor - 1.0))
        units = size[crossed]
        net = float((units * side[crossed]).sum())
        p_post = impact_price(p, net, Book(depth, sc.impact)) if net != 0.0 else p
        fill = 0.5 * (p + p_post)
        g = p_post / f
        levy_now = np.where(long, levy_long, levy_short)
        c = coll[crossed] - units * levy_now[crossed]  # collateral after the levies so far
        pnl = side[crossed] * units * (fill - entry[crossed])
        equity = c + pnl
        pen = np.minimum(sc.penalty * units * fill, np.maximum(equity, 0.0))
        bad_each = np.maximum(-equity, 0.0)
        open_ &= ~crossed
        bad_long = float(bad_each[long[crossed]].sum())
        bad_short = float(bad_each[~long[crossed]].sum())
        fund += sc.penalty_to_fund * float(pen.sum())
        bad = bad_long + bad_short
        draw = min(fund, bad)
        fund -= draw
        rest = bad - draw
        socialized = 0.0
        if rest > 0.0:
            from_long = rest * (bad_long / bad)
            from_short = rest - from_long
            shorts_open = open_ & ~long
            longs_open = open_ & long
            if from_long > 0.0 and shorts_open.any():
                levy_short += from_long / float(size[shorts_open].sum())
                socialized += from_long
            if from_short > 0.0 and longs_open.any():
                levy_long += from_short / float(size[longs_open].sum())
                socialized += from_short
        hist[t + 1] = p_post
        if halted and halt_left == 0:
            resume, anchor = t + 1, p_post
        halted_prev = halted
        out["price"][t] = p_post
        out["oracle_price"][t] = oracle
        out["liquidated_units"][t] = float(units.sum())
        out["bad_debt"][t] = bad
        out["fund_draw"][t] = draw
        out["socialized_loss"][t] = socialized
        out["insurance_fund"][t] = fund
    out["liquidated"] = ~open_
    return out
