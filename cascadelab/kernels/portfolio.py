"""The multi-asset, cross-margin simulator: one loop over steps, accounts and legs.

Reached only through :func:`cascadelab.portfolio.simulate_portfolio`, which validates the inputs,
draws the correlated fundamentals outside the kernel and allocates every output array.

Bounded as the single-asset engine is (:mod:`cascadelab.market`): each asset's traded price stays
in the band ``[floor_k, PRICE_CAP] * F_{t,k}`` (:func:`cascadelab.market.banded`, ``floor_k`` its
book's floor, ``PRICE_CAP = 2``), and the books never thin (constant depth ``D_k``), so the depth
floor ``DEPTH_FLOOR`` of the engine holds trivially.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from cascadelab.market import banded, impact
from cascadelab.positions import settle


@njit(cache=True)
def _trigger(
    units: np.ndarray,
    pledged: np.ndarray,
    leg_step: np.ndarray,
    i: int,
    leg: int,
    w: float,
    pre: np.ndarray,
    p0: np.ndarray,
) -> int:
    """Asset whose move since the start cost margin unit ``(i, leg)`` the most.

    ``leg = -1`` is the whole account (cross margin): open legs plus all pledged collateral;
    otherwise the one leg plus its share ``w`` of the collateral. The loss from asset ``j`` is
    ``-(q_j + w h_j) (pre_j - p0_j)`` with ``q_j`` counted only for the legs of the unit.
    """
    best = -1
    best_loss = -np.inf
    for j in range(units.shape[1]):
        q = 0.0
        if (leg < 0 and units[i, j] != 0.0 and leg_step[i, j] < 0) or leg == j:
            q = units[i, j]
        loss = -(q + w * pledged[i, j]) * (pre[j] - p0[j])
        if loss > best_loss:
            best_loss = loss
            best = j
    return best


@njit(cache=True)
def run(
    units: np.ndarray,
    entry: np.ndarray,
    cash: np.ndarray,
    pledged: np.ndarray,
    maintenance: np.ndarray,
    weight: np.ndarray,
    cross: bool,
    fundamental: np.ndarray,
    p0: np.ndarray,
    resilience: float,
    depth: np.ndarray,
    model: np.ndarray,
    floor: np.ndarray,
    penalty: float,
    price: np.ndarray,
    fill_price: np.ndarray,
    order_flow: np.ndarray,
    liq_units: np.ndarray,
    coll_sold: np.ndarray,
    n_legs: np.ndarray,
    n_events: np.ndarray,
    notional: np.ndarray,
    coll_in: np.ndarray,
    returned: np.ndarray,
    penalties: np.ndarray,
    paid: np.ndarray,
    bad: np.ndarray,
    leg_step: np.ndarray,
    trigger: np.ndarray,
    acc_returned: np.ndarray,
    acc_penalty: np.ndarray,
    acc_paid: np.ndarray,
    acc_bad: np.ndarray,
    cash_left: np.ndarray,
    pledged_left: np.ndarray,
    ev_i: np.ndarray,
    ev_k: np.ndarray,
) -> None:
    """Run every step and fill the output arrays in place.

    Step ``t``: decay the impact deviation ``g_k <- (1 - resilience) g_k``; mark at
    ``pre_k = fundamental[t, k] exp(g_k)``; collect every margin unit (account under cross
    margin, leg under isolated margin) whose equity is at or below its requirement; send the net
    forced order of each asset (closed legs, > 0 sells, plus the pledged collateral sold) through
    its book inside the price band around the fundamental, ``post_k = banded(impact(pre_k, U_k),
    F_{t,k}, floor_k)`` in ``[floor_k F_{t,k}, 2 F_{t,k}]`` USD per unit; fill everyone at
    ``(pre_k + post_k) / 2``; settle. Since ``g_k = ln(post_k / F_{t,k})`` then lies in
    ``[ln floor_k, ln 2]`` and the decay only shrinks it, every mark ``pre_k`` is in the band too
    (up to rounding).
    ``leg_step`` and ``trigger`` must start at -1, ``cash_left`` / ``pledged_left`` as copies of
    ``cash`` / ``pledged``; ``ev_i`` and ``ev_k`` are scratch buffers of length ``n * K``.
    """
    n, K = units.shape
    steps = fundamental.shape[0]
    g = np.zeros(K)
    pre = np.empty(K)
    fill = np.empty(K)
    flow = np.empty(K)
    for t in range(steps):
        for k in range(K):
            g[k] *= 1.0 - resilience
            pre[k] = fundamental[t, k] * math.exp(g[k])
            flow[k] = 0.0

        # Pass 1: who is liquidated at the marks, and the orders that sends to each book.
        m = 0
        for i in range(n):
            if cross:
                has_open = False
                eq = cash_left[i]
                req = 0.0
                for k in range(K):
                    eq += pledged_left[i, k] * pre[k]
                    if units[i, k] != 0.0 and leg_step[i, k] < 0:
                        has_open = True
                        eq += units[i, k] * (pre[k] - entry[i, k])
                        req += maintenance[i] * abs(units[i, k]) * pre[k]
                if has_open and eq <= req:
                    ev_i[m] = i
                    ev_k[m] = -1
                    m += 1
                    for k in range(K):
                        if units[i, k] != 0.0 and leg_step[i, k] < 0:
                            flow[k] += units[i, k]
                        flow[k] += pledged_left[i, k]
            else:
                base = cash[i]
                for j in range(K):
                    base += pledged[i, j] * pre[j]
                for k in range(K):
                    if units[i, k] == 0.0 or leg_step[i, k] >= 0:
                        continue
                    eq = weight[i, k] * base + units[i, k] * (pre[k] - entry[i, k])
                    req = maintenance[i] * abs(units[i, k]) * pre[k]
                    if eq <= req:
                        ev_i[m] = i
                        ev_k[m] = k
                        m += 1
                        flow[k] += units[i, k]
                        for j in range(K):
                            flow[j] += weight[i, k] * pledged[i, j]

        # The batch of each asset hits its book; everyone fills at the mean price.
        for k in range(K):
            post = banded(impact(pre[k], flow[k], depth[k], model[k], floor[k]),
                          fundamental[t, k], floor[k])
            fill[k] = 0.5 * (pre[k] + post)
            g[k] += math.log(post / pre[k])
            price[t, k] = post
            fill_price[t, k] = fill[k]
            order_flow[t, k] = flow[k]
        n_events[t] = m

        # Pass 2: settle each margin unit at the fills.
        for e in range(m):
            i = ev_i[e]
            leg = ev_k[e]
            coll = 0.0
            pnl = 0.0
            due = 0.0
            if leg < 0:
                trig = _trigger(units, pledged_left, leg_step, i, -1, 1.0, pre, p0)
                coll = cash_left[i]
                for j in range(K):
                    coll += pledged_left[i, j] * fill[j]
                    coll_sold[t, j] += pledged_left[i, j]
                    pledged_left[i, j] = 0.0
                    if units[i, j] != 0.0 and leg_step[i, j] < 0:
                        q = units[i, j]
                        pnl += q * (fill[j] - entry[i, j])
                        due += penalty * abs(q) * fill[j]
                        liq_units[t, j] += abs(q)
                        n_legs[t, j] += 1
                        notional[t] += abs(q) * fill[j]
                        leg_step[i, j] = t
                        trigger[i, j] = trig
                cash_left[i] = 0.0
            else:
                w = weight[i, leg]
                trig = _trigger(units, pledged, leg_step, i, leg, w, pre, p0)
                coll = w * cash[i]
                cash_left[i] -= w * cash[i]
                for j in range(K):
                    h = w * pledged[i, j]
                    coll += h * fill[j]
                    coll_sold[t, j] += h
                    pledged_left[i, j] -= h
                q = units[i, leg]
                pnl = q * (fill[leg] - entry[i, leg])
                due = penalty * abs(q) * fill[leg]
                liq_units[t, leg] += abs(q)
                n_legs[t, leg] += 1
                notional[t] += abs(q) * fill[leg]
                leg_step[i, leg] = t
                trigger[i, leg] = trig
            r, pen, pd, bd = settle(coll, pnl, due)
            coll_in[t] += coll
            returned[t] += r
            penalties[t] += pen
            paid[t] += pd
            bad[t] += bd
            acc_returned[i] += r
            acc_penalty[i] += pen
            acc_paid[i] += pd
            acc_bad[i] += bd
