r"""Scenario functions of chapter 04: one member default, with and without a clearing house.

The waterfall and the bilateral web are in :mod:`cascadelab.mechanisms.clearing`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_real
from cascadelab.mechanisms.clearing import (
    BilateralContagion,
    Waterfall,
    bilateral_contagion,
    waterfall,
)

__all__ = [
    "ClearingResult",
    "clearing_scenario",
]


@dataclass(frozen=True, eq=False)
class ClearingResult:
    """What :func:`clearing_scenario` returns: one default, with and without a clearing house.

    Attributes
    ----------
    waterfall : Waterfall
        How the CCP covers the loss.
    ccp_hit : ndarray, shape (members,)
        Loss of each member with the CCP (0 for the defaulter, equal for the survivors), USD.
    ccp_defaulted : ndarray of bool
        Members whose loss with the CCP exceeds their capital (member 0 is the defaulter).
    bilateral : BilateralContagion
        The same default without a CCP.
    capital : float
        Capital of each member, USD.
    """

    waterfall: Waterfall
    ccp_hit: np.ndarray
    ccp_defaulted: np.ndarray
    bilateral: BilateralContagion
    capital: float

    @property
    def summary(self) -> dict[str, float]:
        """Headline numbers: USD amounts and counts of secondary defaults."""
        w = self.waterfall
        return {
            "defaulter_pays": w.defaulter_pays,
            "ch_capital": w.ch_capital,
            "survivors_fund": w.survivors_fund,
            "mutualised": w.mutualised,
            "per_survivor": w.per_survivor,
            "ccp_defaults": float(self.ccp_defaulted[1:].sum()),
            "bilateral_defaults": float(self.bilateral.n_secondary),
            "bilateral_max_hit": float(self.bilateral.hit[1:].max()),
        }


def clearing_scenario(
    loss: float = 30.0,
    margin: float = 5.0,
    default_fund: float = 16.0,
    ch_capital: float = 2.0,
    members: int = 16,
    capital: float = 4.0,
    *,
    concentration: float = 1.0,
) -> ClearingResult:
    """One member's default through a CCP's waterfall and through bilateral exposures.

    Parameters
    ----------
    loss, margin, default_fund, ch_capital : float
        As in :func:`waterfall`, USD (any scale: the defaults read as USD millions).
    members : int
        Clearing members including the defaulter, >= 2.
    capital : float
        Loss-absorbing capital of each member, USD, >= 0 (its default-fund contribution
        included).
    concentration : float
        How concentrated bilateral exposures are (:func:`exposure_weights`).

    Returns
    -------
    ClearingResult

    Examples
    --------
    >>> res = clearing_scenario()
    >>> res.summary["ccp_defaults"], res.summary["bilateral_defaults"] > 0
    (0.0, True)
    """
    w = waterfall(loss, margin, default_fund, ch_capital, members)
    capital = check_real("capital", capital, lo=0.0)
    ccp_hit = np.r_[0.0, np.full(members - 1, w.per_survivor)]
    ccp_defaulted = ccp_hit > capital
    ccp_defaulted[0] = True
    bil = bilateral_contagion(loss, margin, members, capital, concentration=concentration)
    return ClearingResult(w, ccp_hit, ccp_defaulted, bil, capital)
