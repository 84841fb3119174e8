"""The time loop of the market engine (see ``cascadelab.engine`` for the model in words).

One call of :func:`run` simulates one path. Everything random (the fundamental's log returns) is
drawn by the caller and passed in, so the kernel is a plain deterministic loop. The per-step
results go into the rows of ``out`` (row names below); :func:`path_totals` reduces them to the
per-path numbers that ``monte_carlo`` keeps.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from cascadelab.market import impact
from cascadelab.mechanisms.adversary import IDLE, cluster_units, predator_order
from cascadelab.mechanisms.breaker import breaker_trips, stress_index, units_near
from cascadelab.mechanisms.hedging import book_delta, book_gamma
from cascadelab.mechanisms.liquidation import slice_units
from cascadelab.mechanisms.margin import ewma_variance, maintenance_ratio, phase_in
from cascadelab.mechanisms.oracles import oracle_update
from cascadelab.positions import settle

# Rows of ``out`` (one value per step in each).
PRICE = 0  # traded price at the end of the step, USD
PRE_PRICE = 1  # price before the step's trades, USD
FUNDAMENTAL = 2  # fundamental price, USD
ORACLE = 3  # oracle price the liquidation engine used, USD
MAINTENANCE = 4  # maintenance ratio m_t
SIGMA = 5  # EWMA volatility per step
DEPTH = 6  # book depth D_t, units per 1%
LIQ_UNITS = 7  # units liquidated (sold by longs plus bought by shorts)
LIQ_NOTIONAL = 8  # USD value of them at the fill price
N_LIQ = 9  # positions with a slice closed this step
SLIPPAGE = 10  # |fill / pre-trade price - 1| on steps with liquidations, else 0
CLOSED_COLLATERAL = 11  # collateral of the closed slices (net of earlier levies), USD
RETURNED = 12  # collateral returned to the traders, USD
PENALTIES = 13  # liquidation penalties collected, USD
PENALTY_TO_FUND = 14  # part of them paid into the insurance fund, USD
PAID_TO_MARKET = 15  # collateral paid to the counterparties, USD
REALIZED_PNL = 16  # traders' P&L on the closed slices, USD
BAD_DEBT = 17  # shortfall beyond the bankruptcy price, USD
FUND_DRAW = 18  # bad debt paid by the insurance fund, USD
SOCIALIZED = 19  # bad debt levied on the open opposite side, USD
UNCOVERED = 20  # bad debt nobody was left to pay (opposite side empty), USD
INSURANCE_FUND = 21  # fund balance after the step, USD
OPEN_COLLATERAL = 22  # collateral still held by open positions, USD
HALTED = 23  # 1.0 if trading was halted this step
DEALER_FLOW = 24  # units the dealer's hedge sold (negative: bought)
DEALER_GAMMA = 25  # the dealer book's gamma, units per USD
ATTACKER_POSITION = 26  # predator's position, units (negative: short)
ATTACKER_PNL = 27  # predator's P&L marked to market, USD
NET_FLOW = 28  # net units sold into the book this step
STRESS = 29  # stress index S_t before the step's trades (NaN when the stress rule is off)
N_ROWS = 30

# Per-path totals kept by monte_carlo (indices into a row of ``totals``).
T_MAX_DRAWDOWN = 0
T_BAD_DEBT = 1
T_LIQ_NOTIONAL = 2
T_SOCIALIZED = 3
T_FUND_DRAW = 4
T_MIN_PRICE = 5
T_FINAL_PRICE = 6
T_HALTED_STEPS = 7
T_ATTACKER_PNL = 8
T_REALIZED_VOL = 9
T_WORST_SLIPPAGE = 10
T_N_LIQ = 11
N_TOTALS = 12


@njit(cache=True)
def run(
    prm: tuple,
    log_ret: np.ndarray,
    side: np.ndarray,
    size: np.ndarray,
    entry: np.ndarray,
    collateral: np.ndarray,
    long_order: np.ndarray,
    bk_long: np.ndarray,
    cum_long: np.ndarray,
    short_order: np.ndarray,
    bk_short: np.ndarray,
    cum_short: np.ndarray,
    opt_strike: np.ndarray,
    opt_expiry: np.ndarray,
    opt_units: np.ndarray,
    opt_call: np.ndarray,
    out: np.ndarray,
    final_size: np.ndarray,
    final_collateral: np.ndarray,
    work_int: np.ndarray,
    work_float: np.ndarray,
    work_steps: np.ndarray,
) -> None:
    """Simulate one path of ``log_ret.shape[0]`` steps and fill ``out[:, t]``.

    Longs are visited in ``long_order`` (bankruptcy price ``bk_long`` decreasing), shorts in
    ``short_order`` (``bk_short`` increasing); ``cum_*`` are the cumulative sizes in that order
    (length n + 1). A pointer per side marks the first position not yet triggered, so a step
    touches only the positions it triggers plus the small queue of positions in liquidation.
    If ``final_size`` has one entry per position, the remaining size and collateral of every
    position are written there at the end. ``work_*`` is scratch space from :func:`workspace`,
    reused across paths so that ``monte_carlo`` does not allocate per path.
    """
    steps = log_ret.shape[0]
    n = side.shape[0]
    n_long = long_order.shape[0]
    n_short = short_order.shape[0]
    p0 = prm.price

    # Positions in liquidation ("entries"): state kept only for the positions ever triggered.
    cap = max(n, 1)
    ent_pos = work_int[0]  # position index of each entry
    ent_next = work_int[1]  # first step at which it may be sliced again
    queue = work_int[2]  # FIFO ring of entry numbers with units left
    slice_ent = work_int[3]  # entries sliced in the current step
    ent_rem = work_float[0]  # remaining units
    ent_coll = work_float[1]  # collateral held at the last touch, USD
    ent_h0 = work_float[2]  # levy index of its side at the last touch, USD per unit
    slice_q = work_float[3]  # units of each slice of the current step
    q_head = 0
    q_len = 0
    n_ent = 0

    hist = work_steps[0]  # traded price at the end of each step; hist[0] = p0
    hist[0] = p0
    pre = work_steps[1]  # pre-trade price of each step (what the oracle reports)

    k_long = 0
    k_short = 0
    levy_long = 0.0  # cumulative per-unit levy on open longs, USD per unit
    levy_short = 0.0
    open_long = cum_long[n_long]  # open units per side (for the levy)
    open_short = cum_short[n_short]
    alive_long = n_long  # open positions per side: a levy needs somebody to pay it
    alive_short = n_short
    open_coll = 0.0
    for i in range(n):
        open_coll += collateral[i]

    fundamental = p0
    g = 1.0  # transient impact: traded price / fundamental
    fund = prm.insurance_fund
    oracle = p0
    last_update = -1
    var = prm.sigma * prm.sigma
    m = prm.maintenance  # m_{-1}: the ratio the positions opened under (for the phase-in)
    halt_left = 0
    resume = 0
    halted_prev = False
    anchor = p0
    n_opt = opt_strike.shape[0]
    delta_prev = 0.0
    if n_opt > 0:
        delta_prev = book_delta(p0, 0, opt_strike, opt_expiry, opt_units, opt_call, prm.dealer_vol)
    pred_mode = IDLE
    pred_timer = 0
    pred_pos = 0.0
    pred_cash = 0.0

    for t in range(steps):
        # 1. The price before trading: the fundamental moves, transient impact decays.
        fundamental *= math.exp(log_ret[t])
        res = prm.halt_resilience if halted_prev else prm.resilience
        g = 1.0 + (g - 1.0) * (1.0 - res)
        p = fundamental * g
        pre[t] = p

        # 2. Volatility estimate and the maintenance ratio (rises phased in by margin_step).
        r = math.log(p / hist[t])
        var = ewma_variance(var, r, prm.ewma_lambda)
        sigma = math.sqrt(var)
        m = phase_in(maintenance_ratio(prm.maintenance, prm.margin_z, sigma, prm.margin_horizon),
                     m, prm.margin_step)

        # 3. Oracle (it reads only past prices, so it can come before the breaker).
        reported = pre[t - prm.oracle_latency] if t >= prm.oracle_latency else p0
        oracle, last_update = oracle_update(
            oracle, last_update, t, reported, prm.heartbeat, prm.deviation
        )

        # 4. Stress index and circuit breaker (band rule or stress rule).
        depth = prm.depth * math.exp(-prm.depth_stress * abs(p / anchor - 1.0))
        stress = math.nan  # not computed when the rule is off: it costs nothing then
        if prm.stress_halt > 0.0:
            w = prm.stress_window
            u_long = units_near(bk_long, cum_long, k_long, oracle * (1.0 - m) - levy_long,
                                oracle * (1.0 - w) * (1.0 - m) - levy_long, -1.0)
            u_short = units_near(bk_short, cum_short, k_short, oracle * (1.0 + m) + levy_short,
                                 oracle * (1.0 + w) * (1.0 + m) + levy_short, 1.0)
            stress = stress_index(max(u_long, u_short), w, depth, sigma, prm.stress_sigma_ref)
        halted = False
        if halt_left > 0:
            halted = True
            halt_left -= 1
        elif breaker_trips(p, hist[max(t + 1 - prm.window, resume)], prm.band) or (
            prm.stress_halt > 0.0 and stress >= prm.stress_halt
        ):
            halted = True
            halt_left = prm.halt_steps - 1
        reopening = halted and halt_left == 0
        trading = not halted
        liquidating = trading or prm.liquidate_in_halt

        # 5. Triggers: a long is liquidatable iff o (1 - m) <= bankrupt + levy (shorts mirrored).
        if liquidating:
            while k_long < n_long and oracle * (1.0 - m) <= bk_long[k_long] + levy_long:
                i = long_order[k_long]
                ent_pos[n_ent] = i
                ent_rem[n_ent] = size[i]
                ent_coll[n_ent] = collateral[i]
                ent_h0[n_ent] = 0.0
                ent_next[n_ent] = t
                queue[(q_head + q_len) % cap] = n_ent
                q_len += 1
                n_ent += 1
                k_long += 1
            while k_short < n_short and oracle * (1.0 + m) >= bk_short[k_short] - levy_short:
                i = short_order[k_short]
                ent_pos[n_ent] = i
                ent_rem[n_ent] = size[i]
                ent_coll[n_ent] = collateral[i]
                ent_h0[n_ent] = 0.0
                ent_next[n_ent] = t
                queue[(q_head + q_len) % cap] = n_ent
                q_len += 1
                n_ent += 1
                k_short += 1

        # 6. Liquidation orders: slices from the queue, within the step's budget.
        n_slices = 0
        sells = 0.0
        buys = 0.0
        if liquidating and q_len > 0:
            budget = prm.max_book_share * depth
            for _ in range(q_len):
                e = queue[q_head]
                q_head = (q_head + 1) % cap
                q_len -= 1
                q = 0.0
                if t >= ent_next[e] and budget > 0.0:
                    i = ent_pos[e]
                    q = slice_units(ent_rem[e], size[i], prm.close_factor, budget)
                if q > 0.0:
                    budget -= q
                    slice_ent[n_slices] = e
                    slice_q[n_slices] = q
                    n_slices += 1
                    if side[ent_pos[e]] > 0:
                        sells += q
                    else:
                        buys += q
                    ent_next[e] = t + 1 + prm.cooldown
                if ent_rem[e] - q > 0.0:
                    queue[(q_head + q_len) % cap] = e
                    q_len += 1

        # 7. Dealer hedge and predator orders (only while the market trades).
        dealer_sell = 0.0
        gamma = 0.0
        if n_opt > 0:
            gamma = book_gamma(p, t, opt_strike, opt_expiry, opt_units, prm.dealer_vol)
            if trading:
                d = book_delta(p, t, opt_strike, opt_expiry, opt_units, opt_call, prm.dealer_vol)
                dealer_sell = d - delta_prev
                delta_prev = d
        pred_sell = 0.0
        if prm.predator_units > 0.0 and trading:
            cluster = 0.0
            if prm.levels_visible and pred_mode == IDLE:
                reach = min(prm.predator_reach, 0.5 * prm.predator_units / (100.0 * depth))
                threshold = oracle * (1.0 - reach) * (1.0 - m) - levy_long
                cluster = cluster_units(bk_long, cum_long, k_long, threshold)
            pred_sell, pred_mode, pred_timer = predator_order(
                pred_mode, pred_timer, pred_pos, prm.predator_units, prm.levels_visible,
                cluster, prm.predator_min_cluster * depth, prm.predator_rate * depth,
                prm.predator_patience, sells,
            )

        # 8. One batch through the book; everybody fills at the mean of before and after.
        net = sells - buys + dealer_sell + pred_sell
        p_post = impact(p, net, depth, prm.impact_code, prm.impact_floor)
        fill = 0.5 * (p + p_post)
        g = p_post / fundamental
        pred_pos -= pred_sell
        pred_cash += pred_sell * fill

        # 9. Settle the slices: collateral = returned + penalty + paid to market.
        closed = 0.0
        returned = 0.0
        penalties = 0.0
        paid = 0.0
        pnl_sum = 0.0
        bad_long = 0.0
        bad_short = 0.0
        notional = 0.0
        for s in range(n_slices):
            e = slice_ent[s]
            q = slice_q[s]
            i = ent_pos[e]
            levy = levy_long if side[i] > 0 else levy_short
            held = ent_coll[e] - ent_rem[e] * (levy - ent_h0[e])
            c = held * (q / ent_rem[e])
            pnl = side[i] * q * (fill - entry[i])
            r_i, pen_i, paid_i, bad_i = settle(c, pnl, prm.penalty * q * fill)
            ent_coll[e] = held - c
            ent_h0[e] = levy
            ent_rem[e] -= q
            closed += c
            returned += r_i
            penalties += pen_i
            paid += paid_i
            pnl_sum += pnl
            notional += q * fill
            if side[i] > 0:
                bad_long += bad_i
                open_long -= q
                if ent_rem[e] == 0.0:
                    alive_long -= 1
            else:
                bad_short += bad_i
                open_short -= q
                if ent_rem[e] == 0.0:
                    alive_short -= 1
        open_coll -= closed

        # 10. Loss waterfall: penalties feed the fund; bad debt draws it, then is levied
        # pro rata per open unit on the opposite side (longs' losses on shorts, and back).
        to_fund = prm.penalty_to_fund * penalties
        fund += to_fund
        bad = bad_long + bad_short
        draw = min(fund, bad)
        fund -= draw
        rest = bad - draw
        socialized = 0.0
        uncovered = 0.0
        if rest > 0.0:
            from_long = rest * (bad_long / bad)
            from_short = rest - from_long
            if from_long > 0.0:
                if alive_short > 0:
                    levy_short += from_long / open_short
                    socialized += from_long
                else:
                    uncovered += from_long
            if from_short > 0.0:
                if alive_long > 0:
                    levy_long += from_short / open_long
                    socialized += from_short
                else:
                    uncovered += from_short
        open_coll -= socialized

        # 11. Record.
        hist[t + 1] = p_post
        if reopening:
            resume = t + 1
            anchor = p_post
        halted_prev = halted
        out[t, PRICE] = p_post
        out[t, PRE_PRICE] = p
        out[t, FUNDAMENTAL] = fundamental
        out[t, ORACLE] = oracle
        out[t, MAINTENANCE] = m
        out[t, SIGMA] = sigma
        out[t, DEPTH] = depth
        out[t, LIQ_UNITS] = sells + buys
        out[t, LIQ_NOTIONAL] = notional
        out[t, N_LIQ] = n_slices
        out[t, SLIPPAGE] = abs(fill / p - 1.0) if n_slices > 0 else 0.0
        out[t, CLOSED_COLLATERAL] = closed
        out[t, RETURNED] = returned
        out[t, PENALTIES] = penalties
        out[t, PENALTY_TO_FUND] = to_fund
        out[t, PAID_TO_MARKET] = paid
        out[t, REALIZED_PNL] = pnl_sum
        out[t, BAD_DEBT] = bad
        out[t, FUND_DRAW] = draw
        out[t, SOCIALIZED] = socialized
        out[t, UNCOVERED] = uncovered
        out[t, INSURANCE_FUND] = fund
        out[t, OPEN_COLLATERAL] = open_coll
        out[t, HALTED] = 1.0 if halted else 0.0
        out[t, DEALER_FLOW] = dealer_sell
        out[t, DEALER_GAMMA] = gamma
        out[t, ATTACKER_POSITION] = pred_pos
        out[t, ATTACKER_PNL] = pred_cash + pred_pos * p_post
        out[t, NET_FLOW] = net
        out[t, STRESS] = stress

    if final_size.shape[0] == n:
        for j in range(k_long, n_long):
            i = long_order[j]
            final_size[i] = size[i]
            final_collateral[i] = collateral[i] - size[i] * levy_long
        for j in range(k_short, n_short):
            i = short_order[j]
            final_size[i] = size[i]
            final_collateral[i] = collateral[i] - size[i] * levy_short
        for e in range(n_ent):
            i = ent_pos[e]
            levy = levy_long if side[i] > 0 else levy_short
            final_size[i] = ent_rem[e]
            final_collateral[i] = ent_coll[e] - ent_rem[e] * (levy - ent_h0[e])


@njit(cache=True)
def workspace(n: int, steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scratch arrays for :func:`run` with ``n`` positions and ``steps`` steps."""
    cap = max(n, 1)
    return np.empty((4, cap), np.int64), np.empty((4, cap)), np.empty((2, steps + 1))


@njit(cache=True)
def path_totals(out: np.ndarray, p0: float, totals: np.ndarray) -> None:
    """Reduce the per-step rows of one path to the per-path totals (``T_*`` indices)."""
    steps = out.shape[0]
    peak = p0
    max_dd = 0.0
    low = p0
    prev = p0
    s1 = 0.0
    s2 = 0.0
    worst = 0.0
    for k in range(N_TOTALS):
        totals[k] = 0.0
    for t in range(steps):
        p = out[t, PRICE]
        peak = max(peak, p)
        max_dd = max(max_dd, 1.0 - p / peak)
        low = min(low, p)
        r = math.log(p / prev)
        prev = p
        s1 += r
        s2 += r * r
        worst = max(worst, out[t, SLIPPAGE])
        totals[T_BAD_DEBT] += out[t, BAD_DEBT]
        totals[T_LIQ_NOTIONAL] += out[t, LIQ_NOTIONAL]
        totals[T_SOCIALIZED] += out[t, SOCIALIZED]
        totals[T_FUND_DRAW] += out[t, FUND_DRAW]
        totals[T_HALTED_STEPS] += out[t, HALTED]
        totals[T_N_LIQ] += out[t, N_LIQ]
    totals[T_MAX_DRAWDOWN] = max_dd
    totals[T_MIN_PRICE] = low
    totals[T_FINAL_PRICE] = prev
    totals[T_ATTACKER_PNL] = out[steps - 1, ATTACKER_PNL] if steps > 0 else 0.0
    mean = s1 / steps if steps > 0 else 0.0
    totals[T_REALIZED_VOL] = math.sqrt(max(s2 / steps - mean * mean, 0.0)) if steps > 0 else 0.0
    totals[T_WORST_SLIPPAGE] = worst


def _paths(
    prm, log_ret, side, size, entry, collateral, long_order, bk_long, cum_long, short_order,
    bk_short, cum_short, opt_strike, opt_expiry, opt_units, opt_call, totals, blocks,
):  # pragma: no cover - compiled twice below
    # Paths j = b, b + blocks, b + 2 blocks, ... run one after the other in block b, which
    # allocates its scratch space once: allocating per path serialises the threads on the OS.
    n_paths, steps = log_ret.shape
    empty = np.empty(0)
    for b in prange(blocks):
        out = np.empty((steps, N_ROWS))
        work_int, work_float, work_steps = workspace(side.shape[0], steps)
        for j in range(b, n_paths, blocks):
            run(
                prm, log_ret[j], side, size, entry, collateral, long_order, bk_long, cum_long,
                short_order, bk_short, cum_short, opt_strike, opt_expiry, opt_units, opt_call,
                out, empty, empty, work_int, work_float, work_steps,
            )
            path_totals(out, prm.price, totals[j])


paths_serial = njit(cache=True, nogil=True)(_paths)
"""Run many paths one after the other (row ``j`` of ``log_ret`` -> row ``j`` of ``totals``)."""
paths_parallel = njit(cache=True, nogil=True, parallel=True)(_paths)
"""The same, with blocks of paths spread over numba's threads (``prange``)."""
