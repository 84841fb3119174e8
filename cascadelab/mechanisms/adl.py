r"""Auto-deleveraging (ADL): bad debt the insurance fund cannot cover is covered by force-closing
profitable positions on the opposite side, in ranked order. The engine (:func:`cascadelab.simulate`
with ``Scenario(loss_rule="adl")``) calls the scalar rule :func:`adl_rank` when it builds a
side's queue.

**What venues document** (docs/references.md ``bitmex-adl``, ``hyperliquid-adl``):

* BitMEX: "Ranking = PNL Percentage * Effective Leverage (if PNL percentage > 0)", with
  "Effective Leverage = abs(Mark Value) / (Mark Value - Bankrupt Value)" and "PNL percentage =
  (Mark Value - Avg Entry Value) / abs(Avg Entry Value)"; longs and shorts are ranked separately
  "from highest to lowest", and "The price at which a traders' positions are closed out is the
  bankruptcy price of the initial liquidated order."
* Hyperliquid: the users on the opposite side "are ranked by unrealized pnl and leverage used",
  by the index ``(mark_price / entry_price) * (notional_position / account_value)``; they are
  closed "at the previous mark price".

**The engine's rule.** For a position of side :math:`s` (+1 long, -1 short), entry :math:`E`,
bankruptcy price :math:`b` and the mark :math:`f`, BitMEX's ranking is

.. math:: R = \underbrace{\frac{s (f - E)}{E}}_{\text{PnL\%}} \cdot
          \underbrace{\frac{f}{s (f - b)}}_{\text{effective leverage}}, \qquad
          \text{only positions with } \text{PnL\%} > 0 \text{ (and equity } s(f - b) > 0),

since a position's mark value over its equity is :math:`q f / (q s (f - b))`. The engine uses
BitMEX's ranking because its positions are isolated: Hyperliquid's index divides by the
*account* value of a cross-margined account, which the engine does not model (for an isolated
position it is the same product with the price ratio :math:`f/E` in place of the PnL
percentage :math:`f/E - 1`, so it also ranks losing positions). The mark is the step's fill
price :math:`f` (what the liquidations traded at).

**The waterfall under ADL.** The bankrupt slices of a step (longs, say) filled at :math:`f`
below their bankruptcy prices; their deficit is :math:`B = \sum_i q_i (b_i - f) = Q(\bar b - f)`
with :math:`\bar b` their units-weighted bankruptcy price. The fund pays first; the rest
:math:`S` is covered by closing :math:`U = S / (\bar b - f)` units of the highest-ranked
profitable shorts at the bankrupt positions' bankruptcy price :math:`\bar b` instead of at
:math:`f`: each unit closed gives up :math:`\bar b - f`, so the closed traders give up exactly
:math:`S` of their profit (with no fund at all, :math:`U = Q`: the bankrupt units are taken over
in full, as BitMEX describes). That profit given up is the engine's ``socialized_loss`` under
ADL; the closed units are ``adl_units``, and the closed traders get their collateral back
(``returned``). When nobody profitable is left to close, the rest is ``uncovered_loss``.

**Queue and cost.** A side's queue is built once, at the first step that side is needed: its
open positions not yet in liquidation are ranked at that step's mark (one O(N log N) sort,
stable, so the JIT and pure-Python paths agree), and then consumed from the head: a position is
closed in full before the next is touched (the last one partly), positions liquidated in the
meantime or no longer profitable when the queue reaches them are passed over. Every later step
costs O(1) per position closed or passed over, never a scan of all positions. The queue keeps
the order of its first step, as a venue's published ADL queue does between updates; a live
ranking would reorder it as the price moves.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from cascadelab._validate import check_instance, check_real
from cascadelab.positions import Positions

__all__ = ["LOSS_RULES", "adl_rank", "adl_ranking"]

LOSS_RULES = {"socialise": 0, "adl": 1}
"""The loss rules of the engine and their codes in the kernel."""

SOCIALISE = 0
ADL = 1


@njit(cache=True)
def adl_rank(side: int, entry: float, bankrupt: float, mark: float) -> float:
    """BitMEX's ADL ranking ``PnL% x effective leverage`` of one position at ``mark``; 0 for a
    position that is not profitable (or has no equity) at ``mark``, which ADL never closes."""
    pnl_pct = side * (mark - entry) / entry
    equity_per_unit = side * (mark - bankrupt)
    if pnl_pct <= 0.0 or equity_per_unit <= 0.0:
        return 0.0
    return pnl_pct * (mark / equity_per_unit)


def adl_ranking(positions: Positions, side: int, mark: float) -> tuple[np.ndarray, np.ndarray]:
    """The ADL queue of one side at ``mark`` (USD): ``(index, rank)``, highest rank first.

    ``index`` holds the positions (in the input's numbering) of side ``side`` (+1 longs, -1
    shorts) that are profitable at ``mark``, ``rank`` their :func:`adl_rank`; ties keep the
    input order.
    """
    check_instance("positions", positions, Positions)
    if side not in (1, -1):
        raise ValueError(f"side must be +1 (longs) or -1 (shorts), got {side!r}")
    mark = check_real("mark", mark, lo=0.0, lo_open=True)
    idx = np.flatnonzero(positions.side == side)
    bankrupt = positions.bankruptcy_price[idx]
    entry = positions.entry[idx]
    rank = np.array([adl_rank(side, float(e), float(b), mark)
                     for e, b in zip(entry, bankrupt, strict=True)])
    keep = rank > 0.0
    idx, rank = idx[keep], rank[keep]
    order = np.argsort(-rank, kind="mergesort")
    return idx[order], rank[order]
