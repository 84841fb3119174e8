r"""The time loop of the market engine: one small numba stage per step of the model.

One call of :func:`run` simulates one path. Everything random (the fundamental's log returns) is
drawn by the caller and passed in, so the kernel is a plain deterministic loop. The equations are
in :mod:`cascadelab.engine.simulate`; each step of :func:`run` is one stage below (a small
function compiled into the loop), and each stage calls the scalar ``@njit`` rule of its
mechanism:

1. price and impact decay: :func:`price_step`;
2. volatility and maintenance ratio: :func:`margin_step` (rules in
   :mod:`cascadelab.mechanisms.margin`);
3. oracle: :func:`oracle_step` (rule in :mod:`cascadelab.mechanisms.oracles`);
4. depth, stress index and circuit breaker: :func:`book_depth`, :func:`stress_step`,
   :func:`breaker_step` (rules in :mod:`cascadelab.mechanisms.breaker`);
5. triggers, one pointer per side: :func:`trigger`;
6. liquidation orders: :func:`liquidation_orders` (rule in
   :mod:`cascadelab.mechanisms.liquidation`);
7. dealer hedge and predator: :func:`dealer_hedge` (:mod:`cascadelab.mechanisms.hedging`),
   :func:`predator_step` (:mod:`cascadelab.mechanisms.adversary`);
8. one batch through the book: :func:`batch` (:func:`cascadelab.market.impact`);
9. settlement: :func:`settle_slices` (:func:`cascadelab.positions.settle`);
10. loss waterfall: :func:`loss_waterfall` (pro rata) or :func:`adl_waterfall` (ADL; both in
    :mod:`cascadelab.kernels.losses`, the rule in :mod:`cascadelab.mechanisms.adl`);
11. record: in :func:`run` (the rows of ``out`` are named below), and :func:`remaining` at the
    end.

The inputs travel in a few named tuples: ``prm`` (:class:`cascadelab.engine.scenario.EngineParams`:
every numeric field of ``Scenario`` under its own name), the :class:`Population` in input order,
the longs and shorts sorted by bankruptcy price (:class:`cascadelab.positions.SortedSide`, from
``Positions.by_trigger(direction, key="bankruptcy")``), the dealer's :class:`OptionBook` and the
scratch :class:`Workspace`. A stage returns the state it changes and writes its own rows of
``out``; the order of every floating-point operation is that of the equations, so the stages
give the same numbers bit for bit, compiled or as plain Python (``NUMBA_DISABLE_JIT=1``).
:func:`path_totals` reduces a path's rows to the per-path numbers that ``monte_carlo`` keeps.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange
from numba.extending import register_jitable

from cascadelab.kernels.losses import (  # the rows are part of this module's table
    ADL_CUT,
    ADL_GIVEN,  # noqa: F401
    ADL_Q_LONG,
    ADL_Q_SHORT,
    ADL_UNITS,
    BAD_DEBT,
    CLOSED_COLLATERAL,
    FUND_DRAW,
    INSURANCE_FUND,  # noqa: F401
    PENALTY_TO_FUND,  # noqa: F401
    RETURNED,
    SOCIALIZED,
    UNCOVERED,  # noqa: F401
    adl_given,
    adl_remaining,
    adl_waterfall,
    loss_waterfall,
)
from cascadelab.market import DEPTH_FLOOR, banded, impact
from cascadelab.mechanisms.adl import ADL
from cascadelab.mechanisms.adversary import IDLE, cluster_units, predator_order
from cascadelab.mechanisms.breaker import breaker_trips, stress_index, units_near
from cascadelab.mechanisms.hedging import book_delta, book_gamma
from cascadelab.mechanisms.liquidation import slice_units
from cascadelab.mechanisms.margin import ewma_variance, maintenance_ratio, phase_in
from cascadelab.mechanisms.oracles import oracle_update
from cascadelab.positions import SortedSide, settle

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
# CLOSED_COLLATERAL = 11 (defined in cascadelab.kernels.losses)
# RETURNED = 12 (defined in cascadelab.kernels.losses)
PENALTIES = 13  # liquidation penalties collected, USD
# PENALTY_TO_FUND = 14 (defined in cascadelab.kernels.losses)
PAID_TO_MARKET = 15  # collateral paid to the counterparties, USD
REALIZED_PNL = 16  # traders' P&L on the closed slices, USD
# BAD_DEBT = 17 (defined in cascadelab.kernels.losses)
# FUND_DRAW = 18 (defined in cascadelab.kernels.losses)
# SOCIALIZED = 19 (defined in cascadelab.kernels.losses)
# UNCOVERED = 20 (defined in cascadelab.kernels.losses)
# INSURANCE_FUND = 21 (defined in cascadelab.kernels.losses)
OPEN_COLLATERAL = 22  # collateral still held by open positions, USD
HALTED = 23  # 1.0 if trading was halted this step
DEALER_FLOW = 24  # units the dealer's hedge sold (negative: bought)
DEALER_GAMMA = 25  # the dealer book's gamma, units per USD
ATTACKER_POSITION = 26  # predator's position, units (negative: short)
ATTACKER_PNL = 27  # predator's P&L marked to market, USD
NET_FLOW = 28  # net units sold into the book this step
# ADL_UNITS = 29 (defined in cascadelab.kernels.losses)
STRESS = 30  # stress index S_t before the step's trades (NaN when the stress rule is off); last
N_ROWS = 31

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


class Population(NamedTuple):
    """The positions in the order of the input (arrays of length n)."""

    side: np.ndarray  # +1 long, -1 short (int8)
    size: np.ndarray  # units
    entry: np.ndarray  # entry price, USD
    collateral: np.ndarray  # collateral at the start, USD


class OptionBook(NamedTuple):
    """The dealer's options (empty arrays: no dealer); see ``DealerBook``."""

    strike: np.ndarray  # USD
    expiry: np.ndarray  # step (int64)
    units: np.ndarray  # signed units of the asset
    call: np.ndarray  # True for a call (bool)


# Rows of the workspace: the state of the positions in liquidation ("entries"), kept only for
# the positions ever triggered, and the path's prices.
ENT_POS = 0  # ints: position index of each entry
ENT_NEXT = 1  # ints: first step at which the entry may be sliced again
QUEUE = 2  # ints: FIFO ring of entry numbers with units left
SLICE_ENT = 3  # ints: entries sliced in the current step
# ADL_Q_LONG = 4 (defined in cascadelab.kernels.losses)
# ADL_Q_SHORT = 5 (defined in cascadelab.kernels.losses)
ENT_REM = 0  # floats: remaining units
ENT_COLL = 1  # floats: collateral held at the last touch, USD
ENT_H0 = 2  # floats: levy index of its side at the last touch, USD per unit
SLICE_Q = 3  # floats: units of each slice of the current step
# ADL_CUT = 4 (defined in cascadelab.kernels.losses)
ENT_LOSS = 5  # floats: levy charged up to the last touch, USD (set once ENT_H0 > 0)
# ADL_Q_* + ADL_GIVEN = 6, 7 (defined in cascadelab.kernels.losses)
HIST = 0  # prices: traded price at the end of each step, HIST[0] = p0
PRE = 1  # prices: pre-trade price of each step (what the oracle reports)


class Workspace(NamedTuple):
    """Scratch space of :func:`run` (from :func:`workspace`), reused across paths."""

    ints: np.ndarray  # (6, max(n, 1)) int64, rows ENT_POS, ENT_NEXT, QUEUE, SLICE_ENT, ADL_Q_*
    floats: np.ndarray  # (8, max(n, 1)), rows ENT_*, SLICE_Q, ADL_CUT, ADL_Q_* + ADL_GIVEN
    prices: np.ndarray  # (2, steps + 1), rows HIST, PRE


@njit(cache=True)
def workspace(n: int, steps: int) -> Workspace:
    """Scratch space for :func:`run` with ``n`` positions and ``steps`` steps."""
    cap = max(n, 1)
    return Workspace(np.empty((6, cap), np.int64), np.empty((8, cap)), np.empty((2, steps + 1)))


# --- the stages, in the order of a step -------------------------------------------------------
# A stage is a plain function that numba compiles into run() (register_jitable: no Python
# wrapper and no cache file of its own, so the cold compile stays close to that of one loop); from
# Python, and under NUMBA_DISABLE_JIT, it runs as ordinary Python. A stage takes the arrays it
# reads, not the named tuples: numba counts references to an array taken out of a tuple, and
# doing that every step would cost atomic updates (contended between monte_carlo's threads), so
# run() unpacks the tuples once.


@register_jitable
def price_step(
    prm: tuple, fundamental: float, g: float, log_ret: float, halted_prev: bool
) -> tuple[float, float, float]:
    """1. The fundamental moves and transient impact ``g`` decays; returns ``(F, g, p)``."""
    fundamental *= math.exp(log_ret)
    res = prm.halt_resilience if halted_prev else prm.resilience
    g = 1.0 + (g - 1.0) * (1.0 - res)
    return fundamental, g, fundamental * g


@register_jitable
def margin_step(
    prm: tuple, var: float, m: float, p: float, p_prev: float
) -> tuple[float, float, float]:
    """2. EWMA variance and the maintenance ratio (rises phased in); returns ``(var, sigma, m)``."""
    r = math.log(p / p_prev)
    var = ewma_variance(var, r, prm.ewma_lambda)
    sigma = math.sqrt(var)
    m = phase_in(maintenance_ratio(prm.maintenance, prm.margin_z, sigma, prm.margin_horizon),
                 m, prm.margin_step)
    return var, sigma, m


@register_jitable
def oracle_step(
    prm: tuple, prices: np.ndarray, t: int, published: float, last: int
) -> tuple[float, int]:
    """3. The oracle reads the pre-trade price of ``oracle_latency`` steps ago (only past
    prices, so it can come before the breaker); returns ``(published, last update)``."""
    lag = prm.oracle_latency
    reported = prices[PRE, t - lag] if t >= lag else prm.price
    return oracle_update(published, last, t, reported, prm.heartbeat, prm.deviation)


@register_jitable
def book_depth(prm: tuple, p: float, anchor: float) -> float:
    r"""The step's depth :math:`D_t = D \max(e^{-k |p/p_a - 1|}, \text{DEPTH\_FLOOR})`, units per
    1% (used from step 4 on): the book thins, never below ``DEPTH_FLOOR`` of :math:`D`."""
    return prm.depth * max(math.exp(-prm.depth_stress * abs(p / anchor - 1.0)), DEPTH_FLOOR)


@register_jitable
def stress_step(
    prm: tuple, bk_long: np.ndarray, cum_long: np.ndarray, k_long: int, levy_long: float,
    bk_short: np.ndarray, cum_short: np.ndarray, k_short: int, levy_short: float,
    oracle: float, m: float, depth: float, sigma: float,
) -> float:
    """4a. Stress index :math:`S_t` of the positions not yet triggered (``bk_*`` their sorted
    bankruptcy prices, ``cum_*`` cumulative sizes); run only while the rule is on."""
    w = prm.stress_window
    u_long = units_near(bk_long, cum_long, k_long, oracle * (1.0 - m) - levy_long,
                        oracle * (1.0 - w) * (1.0 - m) - levy_long, -1.0)
    u_short = units_near(bk_short, cum_short, k_short, oracle * (1.0 + m) + levy_short,
                         oracle * (1.0 + w) * (1.0 + m) + levy_short, 1.0)
    return stress_index(max(u_long, u_short), w, depth, sigma, prm.stress_sigma_ref)


@register_jitable
def breaker_step(
    prm: tuple, p: float, prices: np.ndarray, t: int, resume: int, halt_left: int,
    stress: float,
) -> tuple[bool, int]:
    """4b. Circuit breaker: a halt goes on, or the band or the stress rule trips one; returns
    ``(halted, steps of the halt left after this one)``."""
    if halt_left > 0:
        return True, halt_left - 1
    if breaker_trips(p, prices[HIST, max(t + 1 - prm.window, resume)], prm.band) or (
        prm.stress_halt > 0.0 and stress >= prm.stress_halt
    ):
        return True, prm.halt_steps - 1
    return False, halt_left


@register_jitable
def crossed(direction: int, limit: float, bankrupt: float, levy: float) -> bool:
    """Whether a position is liquidatable: a long iff ``limit = o (1 - m) <= bankrupt + levy``,
    a short iff ``limit = o (1 + m) >= bankrupt - levy``."""
    if direction > 0:
        return limit <= bankrupt + levy
    return limit >= bankrupt - levy


@register_jitable
def trigger(
    index: np.ndarray, bankrupt: np.ndarray, k: int, direction: int, limit: float, levy: float,
    size: np.ndarray, collateral: np.ndarray, ints: np.ndarray, floats: np.ndarray, t: int,
    q_head: int, q_len: int, n_ent: int,
) -> tuple[int, int, int]:
    """5. Queue the positions of one side that the oracle now triggers, from pointer ``k`` on.

    ``index`` and ``bankrupt`` are the side sorted most exposed first (see :func:`crossed`).
    Returns ``(k, q_len, n_ent)``.
    """
    n_side = index.shape[0]
    cap = max(ints.shape[1], 1)  # >= 1: lets the compiler drop the check of "% cap" by 0
    while k < n_side and crossed(direction, limit, bankrupt[k], levy):
        i = index[k]
        ints[ENT_POS, n_ent] = i
        cut = floats[ADL_CUT, i]  # units ADL closed before (0 under the pro-rata rule)
        if cut > 0.0:
            floats[ENT_REM, n_ent] = size[i] - cut
            floats[ENT_COLL, n_ent] = collateral[i] * ((size[i] - cut) / size[i])
        else:
            floats[ENT_REM, n_ent] = size[i]
            floats[ENT_COLL, n_ent] = collateral[i]
        floats[ENT_H0, n_ent] = 0.0
        ints[ENT_NEXT, n_ent] = t
        ints[QUEUE, (q_head + q_len) % cap] = n_ent
        q_len += 1
        n_ent += 1
        k += 1
    return k, q_len, n_ent


@register_jitable
def liquidation_orders(
    prm: tuple, side: np.ndarray, size: np.ndarray, ints: np.ndarray, floats: np.ndarray,
    t: int, depth: float, liquidating: bool, q_head: int, q_len: int,
) -> tuple[int, float, float, int, int]:
    """6. Slices from the queue within the step's budget ``max_book_share * D_t``; returns
    ``(slices, units sold by longs, units bought by shorts, q_head, q_len)``."""
    n_slices = 0
    sells = 0.0
    buys = 0.0
    if not (liquidating and q_len > 0):
        return n_slices, sells, buys, q_head, q_len
    cap = max(ints.shape[1], 1)  # >= 1: lets the compiler drop the check of "% cap" by 0
    budget = prm.max_book_share * depth
    for _ in range(q_len):
        e = ints[QUEUE, q_head]
        q_head = (q_head + 1) % cap
        q_len -= 1
        q = 0.0
        if t >= ints[ENT_NEXT, e] and budget > 0.0:
            i = ints[ENT_POS, e]
            q = slice_units(floats[ENT_REM, e], size[i], prm.close_factor, budget)
        if q > 0.0:
            budget -= q
            ints[SLICE_ENT, n_slices] = e
            floats[SLICE_Q, n_slices] = q
            n_slices += 1
            if side[ints[ENT_POS, e]] > 0:
                sells += q
            else:
                buys += q
            ints[ENT_NEXT, e] = t + 1 + prm.cooldown
        if floats[ENT_REM, e] - q > 0.0:
            ints[QUEUE, (q_head + q_len) % cap] = e
            q_len += 1
    return n_slices, sells, buys, q_head, q_len


@register_jitable
def dealer_hedge(
    prm: tuple, strike: np.ndarray, expiry: np.ndarray, units: np.ndarray, call: np.ndarray,
    p: float, t: int, trading: bool, delta_prev: float,
) -> tuple[float, float, float]:
    """7a. The dealer's book gamma, and its re-hedge of the book's delta while the market
    trades; returns ``(units it sells, book gamma, delta now hedged)``. Run only with a dealer."""
    dealer_sell = 0.0
    gamma = book_gamma(p, t, strike, expiry, units, prm.dealer_vol)
    if trading:
        d = book_delta(p, t, strike, expiry, units, call, prm.dealer_vol)
        dealer_sell = d - delta_prev
        delta_prev = d
    return dealer_sell, gamma, delta_prev


@register_jitable
def predator_step(
    prm: tuple, bk_long: np.ndarray, cum_long: np.ndarray, k_long: int, levy_long: float,
    oracle: float, m: float, depth: float, sells: float, mode: int, timer: int,
    position: float,
) -> tuple[float, int, int]:
    """7b. The predator's order (it reads the longs' map if visible); returns ``(units it
    sells, mode, timer)``. Run only with a predator, while the market trades."""
    cluster = 0.0
    if prm.levels_visible and mode == IDLE:
        reach = min(prm.predator_reach, 0.5 * prm.predator_units / (100.0 * depth))
        threshold = oracle * (1.0 - reach) * (1.0 - m) - levy_long
        cluster = cluster_units(bk_long, cum_long, k_long, threshold)
    return predator_order(
        mode, timer, position, prm.predator_units, prm.levels_visible, cluster,
        prm.predator_min_cluster * depth, prm.predator_rate * depth, prm.predator_patience, sells,
    )


@register_jitable
def batch(
    prm: tuple, p: float, net: float, depth: float, fundamental: float
) -> tuple[float, float]:
    """8. One batch of ``net`` units (> 0 sells) through the book, within the price band
    ``[impact_floor, PRICE_CAP] * fundamental`` (:func:`cascadelab.market.banded`); everybody
    fills at the mean of the prices before and after. Returns ``(post-trade price, fill)``."""
    p_post = banded(impact(p, net, depth, prm.impact_code, prm.impact_floor), fundamental,
                    prm.impact_floor)
    return p_post, 0.5 * (p + p_post)


@register_jitable
def settle_slices(
    prm: tuple, side: np.ndarray, entry: np.ndarray, ints: np.ndarray, floats: np.ndarray,
    n_slices: int, fill: float, levy_long: float, levy_short: float, open_long: float,
    open_short: float, alive_long: int, alive_short: int, out: np.ndarray, t: int,
) -> tuple[float, float, float, float, float, float, float, float, int, int]:
    """9. Settle the step's slices: collateral = returned + penalty + paid to market.

    Writes the settlement rows of ``out[t]``; returns ``(closed collateral, penalties, bad debt
    of longs, of shorts, units of the bankrupt slices of longs, of shorts, open units of longs,
    of shorts, open longs, open shorts)``.
    """
    closed = 0.0
    returned = 0.0
    penalties = 0.0
    paid = 0.0
    pnl_sum = 0.0
    bad_long = 0.0
    bad_short = 0.0
    bq_long = 0.0  # units of the bankrupt slices (for ADL)
    bq_short = 0.0
    notional = 0.0
    for s in range(n_slices):
        e = ints[SLICE_ENT, s]
        q = floats[SLICE_Q, s]
        i = ints[ENT_POS, e]
        levy = levy_long if side[i] > 0 else levy_short
        charge = floats[ENT_REM, e] * (levy - floats[ENT_H0, e])  # levy since the last touch
        held = floats[ENT_COLL, e] - charge
        if levy > 0.0:  # ENT_LOSS is set at the first touch under a levy (ENT_H0 still 0)
            before = floats[ENT_LOSS, e] if floats[ENT_H0, e] > 0.0 else 0.0
            floats[ENT_LOSS, e] = charge + before
        c = held * (q / floats[ENT_REM, e])
        pnl = side[i] * q * (fill - entry[i])
        r_i, pen_i, paid_i, bad_i = settle(c, pnl, prm.penalty * q * fill)
        floats[ENT_COLL, e] = held - c
        floats[ENT_H0, e] = levy
        floats[ENT_REM, e] -= q
        closed += c
        returned += r_i
        penalties += pen_i
        paid += paid_i
        pnl_sum += pnl
        notional += q * fill
        if side[i] > 0:
            bad_long += bad_i
            if bad_i > 0.0:
                bq_long += q
            open_long -= q
            if floats[ENT_REM, e] == 0.0:
                alive_long -= 1
        else:
            bad_short += bad_i
            if bad_i > 0.0:
                bq_short += q
            open_short -= q
            if floats[ENT_REM, e] == 0.0:
                alive_short -= 1
    out[t, LIQ_NOTIONAL] = notional
    out[t, CLOSED_COLLATERAL] = closed
    out[t, RETURNED] = returned
    out[t, PENALTIES] = penalties
    out[t, PAID_TO_MARKET] = paid
    out[t, REALIZED_PNL] = pnl_sum
    return (closed, penalties, bad_long, bad_short, bq_long, bq_short, open_long, open_short,
            alive_long, alive_short)


@register_jitable
def remaining(
    pop: Population, longs: SortedSide, shorts: SortedSide, work: Workspace, k_long: int,
    k_short: int, n_ent: int, levy_long: float, levy_short: float, final_size: np.ndarray,
    final_collateral: np.ndarray, final_loss: np.ndarray, adl: np.ndarray,
) -> None:
    """Size, collateral (after levies) and loss share (levies charged: units held times the rise
    of the side's levy index; plus profit given up to ADL, ``ADL_GIVEN``; USD) at the end."""
    ints, floats = work.ints, work.floats
    levied = levy_long > 0.0 or levy_short > 0.0
    if levied:  # final_loss comes zeroed; in input order the writes are cheap
        for i in range(pop.side.shape[0]):
            final_loss[i] = pop.size[i] * (levy_long if pop.side[i] > 0 else levy_short)
    for j in range(k_long, longs.index.shape[0]):
        i = longs.index[j]
        final_size[i] = pop.size[i]
        final_collateral[i] = pop.collateral[i] - pop.size[i] * levy_long
    for j in range(k_short, shorts.index.shape[0]):
        i = shorts.index[j]
        final_size[i] = pop.size[i]
        final_collateral[i] = pop.collateral[i] - pop.size[i] * levy_short
    adl_remaining(pop, longs.index, k_long, floats, final_size, final_collateral)
    adl_remaining(pop, shorts.index, k_short, floats, final_size, final_collateral)
    for e in range(n_ent):
        i = ints[ENT_POS, e]
        levy = levy_long if pop.side[i] > 0 else levy_short
        charge = floats[ENT_REM, e] * (levy - floats[ENT_H0, e])
        final_size[i] = floats[ENT_REM, e]
        final_collateral[i] = floats[ENT_COLL, e] - charge
        loss = charge + floats[ENT_LOSS, e] if floats[ENT_H0, e] > 0.0 else charge
        if levied or loss != 0.0:  # a write at random costs a cache miss: only if it may matter
            final_loss[i] = loss
    adl_given(longs.index, ints, floats, ADL_Q_LONG, adl[0], adl[1], final_loss)
    adl_given(shorts.index, ints, floats, ADL_Q_SHORT, adl[2], adl[3], final_loss)


# --- the loop ------------------------------------------------------------------------------------


@njit(cache=True)
def run(
    prm: tuple,
    log_ret: np.ndarray,
    pop: Population,
    longs: SortedSide,
    shorts: SortedSide,
    options: OptionBook,
    out: np.ndarray,
    final_size: np.ndarray,
    final_collateral: np.ndarray,
    final_loss: np.ndarray,
    work: Workspace,
) -> None:
    """Simulate one path of ``log_ret.shape[0]`` steps and fill ``out[t, :]``.

    ``longs`` are sorted by bankruptcy price decreasing, ``shorts`` increasing. A pointer per
    side marks the first position not yet triggered, so a step touches only the positions it
    triggers plus the small queue of positions in liquidation. If ``final_size`` has one entry
    per position, the remaining size, collateral and loss share of every position are written
    there and in ``final_collateral``, ``final_loss`` (zeroed by the caller) at the end (see
    :func:`remaining`).
    ``work`` is scratch space from :func:`workspace`, reused across paths so that
    ``monte_carlo`` does not allocate per path.
    """
    steps = log_ret.shape[0]
    side, size, entry, collateral = pop.side, pop.size, pop.entry, pop.collateral
    long_index, bk_long, cum_long = longs.index, longs.bankrupt, longs.size_before
    short_index, bk_short, cum_short = shorts.index, shorts.bankrupt, shorts.size_before
    ints, floats, prices = work.ints, work.floats, work.prices
    n_long = long_index.shape[0]
    n_short = short_index.shape[0]
    p0 = prm.price
    prices[HIST, 0] = p0

    q_head = 0  # the queue of positions in liquidation
    q_len = 0
    n_ent = 0
    k_long = 0  # first position of each side not yet triggered
    k_short = 0
    levy_long = 0.0  # cumulative per-unit levy on open longs, USD per unit
    levy_short = 0.0
    open_long = cum_long[n_long]  # open units per side (for the levy)
    open_short = cum_short[n_short]
    alive_long = n_long  # open positions per side: a levy needs somebody to pay it
    alive_short = n_short
    open_coll = 0.0
    for i in range(side.shape[0]):
        open_coll += collateral[i]
        floats[ADL_CUT, i] = 0.0
    adl = np.full(4, -1, np.int64)  # ADL queues: head and length per side (-1: not built)
    adl[0] = 0
    adl[2] = 0

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
    strike, expiry, units, call = options.strike, options.expiry, options.units, options.call
    n_opt = strike.shape[0]
    delta_prev = 0.0
    if n_opt > 0:
        delta_prev = book_delta(p0, 0, strike, expiry, units, call, prm.dealer_vol)
    pred_mode = IDLE
    pred_timer = 0
    pred_pos = 0.0
    pred_cash = 0.0

    for t in range(steps):
        # 1. Price before trading.
        fundamental, g, p = price_step(prm, fundamental, g, log_ret[t], halted_prev)
        prices[PRE, t] = p
        # 2. Volatility and maintenance ratio.
        var, sigma, m = margin_step(prm, var, m, p, prices[HIST, t])
        # 3. Oracle.
        oracle, last_update = oracle_step(prm, prices, t, oracle, last_update)
        # 4. Depth, stress index and circuit breaker.
        depth = book_depth(prm, p, anchor)
        stress = math.nan  # not computed when the rule is off: it costs nothing then
        if prm.stress_halt > 0.0:
            stress = stress_step(prm, bk_long, cum_long, k_long, levy_long, bk_short,
                                 cum_short, k_short, levy_short, oracle, m, depth, sigma)
        halted, halt_left = breaker_step(prm, p, prices, t, resume, halt_left, stress)
        reopening = halted and halt_left == 0
        trading = not halted
        liquidating = trading or prm.liquidate_in_halt
        # 5. Triggers.
        if liquidating:
            k_long, q_len, n_ent = trigger(long_index, bk_long, k_long, 1, oracle * (1.0 - m),
                                           levy_long, size, collateral, ints, floats, t, q_head,
                                           q_len, n_ent)
            k_short, q_len, n_ent = trigger(short_index, bk_short, k_short, -1,
                                            oracle * (1.0 + m), levy_short, size, collateral,
                                            ints, floats, t, q_head, q_len, n_ent)
        # 6. Liquidation orders.
        n_slices, sells, buys, q_head, q_len = liquidation_orders(
            prm, side, size, ints, floats, t, depth, liquidating, q_head, q_len)
        # 7. Dealer hedge and predator (only while the market trades).
        dealer_sell = 0.0
        gamma = 0.0
        if n_opt > 0:
            dealer_sell, gamma, delta_prev = dealer_hedge(prm, strike, expiry, units, call, p,
                                                          t, trading, delta_prev)
        pred_sell = 0.0
        if prm.predator_units > 0.0 and trading:
            pred_sell, pred_mode, pred_timer = predator_step(
                prm, bk_long, cum_long, k_long, levy_long, oracle, m, depth, sells, pred_mode,
                pred_timer, pred_pos)
        # 8. One batch through the book.
        net = sells - buys + dealer_sell + pred_sell
        p_post, fill = batch(prm, p, net, depth, fundamental)
        g = p_post / fundamental
        pred_pos -= pred_sell
        pred_cash += pred_sell * fill
        # 9. Settlement.
        (closed, penalties, bad_long, bad_short, bq_long, bq_short, open_long, open_short,
         alive_long, alive_short) = settle_slices(
            prm, side, entry, ints, floats, n_slices, fill, levy_long, levy_short, open_long,
            open_short, alive_long, alive_short, out, t)
        open_coll -= closed
        # 10. Loss waterfall.
        if prm.loss_rule_code == ADL:
            fund, released, open_long, open_short, alive_long, alive_short = adl_waterfall(
                prm, fund, penalties, bad_long, bad_short, bq_long, bq_short, fill, longs,
                shorts, k_long, k_short, entry, size, collateral, ints, floats, adl, open_long,
                open_short, alive_long, alive_short, out, t)
        else:
            fund, levy_long, levy_short, released = loss_waterfall(
                prm, fund, penalties, bad_long, bad_short, levy_long, levy_short, open_long,
                open_short, alive_long, alive_short, out, t)
            out[t, ADL_UNITS] = 0.0
        open_coll -= released  # the levy (pro rata) or the closed positions' collateral (ADL)

        # 11. Record.
        prices[HIST, t + 1] = p_post
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
        out[t, N_LIQ] = n_slices
        out[t, SLIPPAGE] = abs(fill / p - 1.0) if n_slices > 0 else 0.0
        out[t, OPEN_COLLATERAL] = open_coll
        out[t, HALTED] = 1.0 if halted else 0.0
        out[t, DEALER_FLOW] = dealer_sell
        out[t, DEALER_GAMMA] = gamma
        out[t, ATTACKER_POSITION] = pred_pos
        out[t, ATTACKER_PNL] = pred_cash + pred_pos * p_post
        out[t, NET_FLOW] = net
        out[t, STRESS] = stress

    if final_size.shape[0] == side.shape[0]:
        remaining(pop, longs, shorts, work, k_long, k_short, n_ent, levy_long, levy_short,
                  final_size, final_collateral, final_loss, adl)


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
    prm, log_ret, pop, longs, shorts, options, totals, blocks,
):  # pragma: no cover - compiled twice below
    # Paths j = b, b + blocks, b + 2 blocks, ... run one after the other in block b, which
    # allocates its scratch space once: allocating per path serialises the threads on the OS.
    n_paths, steps = log_ret.shape
    empty = np.empty(0)
    for b in prange(blocks):
        out = np.empty((steps, N_ROWS))
        work = workspace(pop.side.shape[0], steps)
        for j in range(b, n_paths, blocks):
            run(prm, log_ret[j], pop, longs, shorts, options, out, empty, empty, empty, work)
            path_totals(out, prm.price, totals[j])


paths_serial = njit(cache=True, nogil=True)(_paths)
"""Run many paths one after the other (row ``j`` of ``log_ret`` -> row ``j`` of ``totals``)."""
paths_parallel = njit(cache=True, nogil=True, parallel=True)(_paths)
"""The same, with blocks of paths spread over numba's threads (``prange``)."""
