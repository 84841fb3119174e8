"""The engine's loss rules: what covers the bad debt of a step once the insurance fund is empty.

``loss_waterfall`` is the pro-rata levy (``loss_rule="socialise"``, the default) and
``adl_waterfall`` auto-deleveraging (``"adl"``, rule and sources in
:mod:`cascadelab.mechanisms.adl`), one side at a time (``adl_side``) with its queue
(``adl_queue``, ``adl_close``), and what it leaves to the positions (``adl_remaining``).
Stages of :func:`cascadelab.kernels.engine.run` (``register_jitable``: compiled into its loop).
The rows of ``out`` and of the workspace that these stages write are defined here and
re-exported by :mod:`cascadelab.kernels.engine`. Who paid: the levy is charged lazily through
a per-side index (USD per unit), settled on a position when it is touched and at the end
(``SimulationResult.loss_share``); ADL adds the profit each position gives up to its slot
of the queue (``ADL_GIVEN``, written in queue order), handed to the positions at the end
(``adl_given``).
"""

from __future__ import annotations

import numpy as np
from numba.extending import register_jitable

from cascadelab.mechanisms.adl import adl_rank
from cascadelab.positions import SortedSide

# Rows of ``out`` written here (the full table is in cascadelab.kernels.engine).
CLOSED_COLLATERAL = 11  # collateral of the closed slices (net of earlier levies), USD
RETURNED = 12  # collateral returned to the traders, USD
PENALTY_TO_FUND = 14  # part of them paid into the insurance fund, USD
BAD_DEBT = 17  # shortfall beyond the bankruptcy price, USD
FUND_DRAW = 18  # bad debt paid by the insurance fund, USD
SOCIALIZED = 19  # bad debt levied on the open opposite side, USD
UNCOVERED = 20  # bad debt nobody was left to pay (opposite side empty), USD
INSURANCE_FUND = 21  # fund balance after the step, USD
ADL_UNITS = 29  # units force-closed by auto-deleveraging (loss_rule "adl")

# Rows of the workspace used by ADL.
ADL_Q_LONG = 4  # ints: ADL queue of the longs (indices into the sorted side), best-ranked first
ADL_Q_SHORT = 5  # ints: the same for the shorts
ADL_CUT = 4  # floats, per position (input order): units closed by ADL so far
ADL_GIVEN = 2  # floats row ADL_Q_* + 2 (6, 7), per slot of that ADL queue: profit given up, USD


@register_jitable
def adl_queue(
    direction: int, index: np.ndarray, bankrupt: np.ndarray, entry: np.ndarray, k: int,
    row: int, ints: np.ndarray, mark: float,
) -> int:
    """10a. Build one side's ADL queue (once a run, at its first use): its positions not yet in
    liquidation (sorted indices ``k`` on) ranked by :func:`cascadelab.mechanisms.adl.adl_rank`
    at ``mark``, best first, ties in sorted order; only profitable ones. Returns its length."""
    m = index.shape[0] - k
    neg = np.empty(m)
    for jj in range(m):
        neg[jj] = -adl_rank(direction, entry[index[k + jj]], bankrupt[k + jj], mark)
    order = np.argsort(neg, kind="mergesort")
    n_q = 0
    for jj in order:
        if neg[jj] >= 0.0:
            break
        ints[row, n_q] = k + jj
        n_q += 1
    return n_q


@register_jitable
def adl_close(
    direction: int, index: np.ndarray, bankrupt: np.ndarray, entry: np.ndarray, k: int,
    row: int, head: int, n_q: int, ints: np.ndarray, floats: np.ndarray, size: np.ndarray,
    collateral: np.ndarray, mark: float, need: float, gap: float, alive: int, open_units: float,
) -> tuple[float, float, int, int, float]:
    """10b. Close up to ``need`` units from the head of one side's ADL queue: each position in
    full before the next (the last one partly), passing over those liquidated since or no
    longer profitable at ``mark``; each unit closed adds ``gap`` USD (the profit it gives up) to
    its slot's ``ADL_GIVEN``. Returns ``(units closed, their collateral, head, open
    positions, open units)``; O(1) per position closed or passed over."""
    taken = 0.0
    coll = 0.0
    while taken < need and head < n_q:
        j = ints[row, head]
        i = index[j]
        avail = size[i] - floats[ADL_CUT, i]
        if j < k or avail <= 0.0 or adl_rank(direction, entry[i], bankrupt[j], mark) <= 0.0:
            head += 1
            continue
        u = min(avail, need - taken)
        if avail - u <= 1e-12 * size[i]:  # no dust positions
            u = avail
        # closed in full: exactly its size (a sum of partial closes could pass it by an ulp)
        floats[ADL_CUT, i] = size[i] if u == avail else floats[ADL_CUT, i] + u
        floats[row + ADL_GIVEN, head] += u * gap  # in queue order: no cache miss of its own
        coll += collateral[i] * (u / size[i])
        taken += u
        open_units -= u
        if u == avail:
            alive -= 1
            head += 1
    return taken, coll, head, alive, open_units


@register_jitable
def adl_side(
    direction: int, side: SortedSide, k: int, row: int, slot: int, adl: np.ndarray, loss: float,
    gap: float, fill: float, entry: np.ndarray, size: np.ndarray, collateral: np.ndarray,
    ints: np.ndarray, floats: np.ndarray, alive: int, open_units: float,
) -> tuple[float, float, float, int, float]:
    """10c. Cover ``loss`` (the other side's bad debt left after the fund, ``gap`` USD per unit
    closed) from one side (``direction``; queue in ``ints[row]``, its head and length at
    ``adl[slot]``, ``adl[slot + 1]``): build the queue at its first use (:func:`adl_queue`),
    then close from its head (:func:`adl_close`). Returns ``(loss covered, units closed, their
    collateral, open positions, open units)``."""
    if adl[slot + 1] < 0:
        adl[slot + 1] = adl_queue(direction, side.index, side.bankrupt, entry, k, row, ints, fill)
        for q in range(adl[slot + 1]):
            floats[row + ADL_GIVEN, q] = 0.0
    u, c, head, alive, open_units = adl_close(
        direction, side.index, side.bankrupt, entry, k, row, adl[slot], adl[slot + 1], ints,
        floats, size, collateral, fill, loss / gap, gap, alive, open_units)
    adl[slot] = head
    return min(u * gap, loss), u, c, alive, open_units


@register_jitable
def fund_draw(
    prm: tuple, fund: float, penalties: float, bad_long: float, bad_short: float
) -> tuple[float, float, float, float, float]:
    """The first layers of either loss rule: a share ``penalty_to_fund`` of the penalties feeds
    the fund, then the step's bad debt draws it. Returns ``(paid into the fund, fund after,
    bad debt, fund draw, bad debt left for the loss rule)``."""
    to_fund = prm.penalty_to_fund * penalties
    fund += to_fund
    bad = bad_long + bad_short
    draw = min(fund, bad)
    fund -= draw
    return to_fund, fund, bad, draw, bad - draw


@register_jitable
def record_waterfall(
    out: np.ndarray, t: int, to_fund: float, bad: float, draw: float, socialized: float,
    uncovered: float, fund: float,
) -> None:
    """Write the waterfall rows of ``out[t]`` (the same for both loss rules)."""
    out[t, PENALTY_TO_FUND] = to_fund
    out[t, BAD_DEBT] = bad
    out[t, FUND_DRAW] = draw
    out[t, SOCIALIZED] = socialized
    out[t, UNCOVERED] = uncovered
    out[t, INSURANCE_FUND] = fund


@register_jitable
def loss_waterfall(
    prm: tuple, fund: float, penalties: float, bad_long: float, bad_short: float,
    levy_long: float, levy_short: float, open_long: float, open_short: float,
    alive_long: int, alive_short: int, out: np.ndarray, t: int,
) -> tuple[float, float, float, float]:
    """10. Penalties feed the fund; bad debt draws it, then is levied pro rata per open unit on
    the opposite side (longs' losses on shorts, and back), or is uncovered if nobody is left
    (``loss_rule="socialise"``; :func:`adl_waterfall` is the ``"adl"`` rule).

    Writes the waterfall rows of ``out[t]``; returns ``(fund, levy_long, levy_short,
    socialised)``.
    """
    to_fund, fund, bad, draw, rest = fund_draw(prm, fund, penalties, bad_long, bad_short)
    socialized = 0.0
    uncovered = 0.0
    if rest > 0.0:
        from_long = rest * (bad_long / bad)
        from_short = rest - from_long
        if from_long > 0.0:
            if alive_short > 0 and open_short > 0.0:
                levy_short += from_long / open_short
                socialized += from_long
            else:
                uncovered += from_long
        if from_short > 0.0:
            if alive_long > 0 and open_long > 0.0:
                levy_long += from_short / open_long
                socialized += from_short
            else:
                uncovered += from_short
    record_waterfall(out, t, to_fund, bad, draw, socialized, uncovered, fund)
    return fund, levy_long, levy_short, socialized


@register_jitable
def adl_waterfall(
    prm: tuple, fund: float, penalties: float, bad_long: float, bad_short: float,
    bq_long: float, bq_short: float, fill: float, longs: SortedSide, shorts: SortedSide,
    k_long: int, k_short: int, entry: np.ndarray, size: np.ndarray, collateral: np.ndarray,
    ints: np.ndarray, floats: np.ndarray, adl: np.ndarray, open_long: float,
    open_short: float, alive_long: int, alive_short: int, out: np.ndarray, t: int,
) -> tuple[float, float, float, float, int, int]:
    """10'. The loss waterfall under ``loss_rule="adl"`` (:mod:`cascadelab.mechanisms.adl`):
    penalties feed the fund, bad debt draws it; the rest :math:`S` of the longs' (shorts')
    bad debt closes :math:`S / (\bar b - f)` units of the best-ranked profitable shorts
    (longs) at the bankrupt slices' bankruptcy price :math:`\bar b` instead of the fill
    :math:`f` (:func:`adl_side`, one side at a time); what nobody is left to cover is
    uncovered. ``adl`` holds the queues' state ``[head_long, length_long, head_short,
    length_short]`` (length -1: not built yet). Writes the waterfall rows and ``ADL_UNITS`` of
    ``out[t]`` and adds the closed positions' collateral to ``CLOSED_COLLATERAL`` and
    ``RETURNED``; returns ``(fund, collateral released, open units of longs, of shorts, open
    longs, open shorts)``."""
    to_fund, fund, bad, draw, rest = fund_draw(prm, fund, penalties, bad_long, bad_short)
    socialized = 0.0
    uncovered = 0.0
    units = 0.0
    coll = 0.0
    if rest > 0.0:
        from_long = rest * (bad_long / bad)
        from_short = rest - from_long
        if from_long > 0.0:  # longs went bankrupt: shorts are closed
            covered, u, c, alive_short, open_short = adl_side(
                -1, shorts, k_short, ADL_Q_SHORT, 2, adl, from_long, bad_long / bq_long, fill,
                entry, size, collateral, ints, floats, alive_short, open_short)
            socialized += covered
            uncovered += from_long - covered
            units += u
            coll += c
        if from_short > 0.0:  # shorts went bankrupt: longs are closed
            covered, u, c, alive_long, open_long = adl_side(
                1, longs, k_long, ADL_Q_LONG, 0, adl, from_short, bad_short / bq_short, fill,
                entry, size, collateral, ints, floats, alive_long, open_long)
            socialized += covered
            uncovered += from_short - covered
            units += u
            coll += c
    record_waterfall(out, t, to_fund, bad, draw, socialized, uncovered, fund)
    out[t, ADL_UNITS] = units
    out[t, CLOSED_COLLATERAL] += coll
    out[t, RETURNED] += coll
    return fund, coll, open_long, open_short, alive_long, alive_short


@register_jitable
def adl_remaining(
    pop: tuple, index: np.ndarray, k: int, floats: np.ndarray, final_size: np.ndarray,
    final_collateral: np.ndarray,
) -> None:
    """What ADL left to the positions of one side not yet in liquidation (no levy under ADL)."""
    for j in range(k, index.shape[0]):
        i = index[j]
        cut = floats[ADL_CUT, i]
        if cut > 0.0:
            final_size[i] = pop.size[i] - cut
            final_collateral[i] = pop.collateral[i] * ((pop.size[i] - cut) / pop.size[i])


@register_jitable
def adl_given(
    index: np.ndarray, ints: np.ndarray, floats: np.ndarray, row: int, head: int, n_q: int,
    final_loss: np.ndarray,
) -> None:
    """Add the profit given up to ADL (``ADL_GIVEN``) to the positions of one side's queue up
    to its head (none if the queue was never built, ``n_q = -1``), in liquidation or not."""
    for q in range(min(head + 1, n_q)):
        final_loss[index[ints[row, q]]] += floats[row + ADL_GIVEN, q]
