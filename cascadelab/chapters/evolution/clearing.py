r"""Scenario functions of chapter 04: one member default, with and without a clearing house.

The waterfall and the bilateral web are in :mod:`cascadelab.mechanisms.clearing`. Here the CCP's
assessments are capped (:data:`ASSESSMENT_CAP` USD per surviving member by default), so a loss
larger than the waterfall leaves a part *unfunded*; and a survivor whose share (its fund
contribution plus its assessment) exceeds its capital defaults too, leaving the difference
*unpaid*.
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
    "ASSESSMENT_CAP",
    "ClearingResult",
    "clearing_scenario",
]

ASSESSMENT_CAP = 5.5
"""Default cap on the assessment per surviving member, USD (millions in the chapter): 5.5 times
the default fund contribution of 1 (16 members, a fund of 16), after CME's cap of "up to 550%"
of a member's guaranty-fund contribution for multiple defaults (Rule 802.G)."""


@dataclass(frozen=True, eq=False)
class ClearingResult:
    """What :func:`clearing_scenario` returns: one default, with and without a clearing house.

    Attributes
    ----------
    waterfall : Waterfall
        How the CCP covers the loss (its ``unfunded`` part is beyond the capped assessments).
    ccp_hit : ndarray, shape (members,)
        What each member owes with the CCP: 0 for the defaulter, its fund contribution drawn
        plus its assessment for each survivor (all equal), USD.
    ccp_defaulted : ndarray of bool
        Members whose share with the CCP exceeds their capital (member 0 is the defaulter).
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
    def unpaid(self) -> float:
        """What survivors that default with the CCP owe beyond their capital, USD."""
        return float(np.maximum(self.ccp_hit[1:] - self.capital, 0.0).sum())

    @property
    def summary(self) -> dict[str, float]:
        """Headline numbers: USD amounts and counts of secondary defaults.

        ``defaulter_pays``, ``ch_capital``, ``survivors_fund``, ``mutualised`` (the capped
        assessments), ``unfunded`` (beyond the waterfall), ``per_survivor`` (fund share plus
        assessment), ``unpaid`` (what defaulting survivors cannot pay), ``ccp_defaults``,
        ``bilateral_defaults`` (counts), ``bilateral_max_hit`` and ``bilateral_unpaid`` (USD).
        """
        w = self.waterfall
        return {
            "defaulter_pays": w.defaulter_pays,
            "ch_capital": w.ch_capital,
            "survivors_fund": w.survivors_fund,
            "mutualised": w.mutualised,
            "unfunded": w.unfunded,
            "per_survivor": w.per_survivor,
            "unpaid": self.unpaid,
            "ccp_defaults": float(self.ccp_defaulted[1:].sum()),
            "bilateral_defaults": float(self.bilateral.n_secondary),
            "bilateral_max_hit": float(self.bilateral.hit[1:].max()),
            "bilateral_unpaid": float(self.bilateral.unpaid),
        }


def clearing_scenario(
    loss: float = 30.0,
    margin: float = 5.0,
    default_fund: float = 16.0,
    ch_capital: float = 2.0,
    members: int = 16,
    capital: float = 4.0,
    *,
    assessment_cap: float = ASSESSMENT_CAP,
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
    assessment_cap : float
        Largest assessment per surviving member, USD, >= 0 (``inf``: uncapped); see
        :data:`ASSESSMENT_CAP`.
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
    >>> big = clearing_scenario(loss=80.0)          # each survivor owes 4.8 > 4.0 of capital
    >>> big.summary["ccp_defaults"], round(big.summary["unpaid"], 9)
    (15.0, 12.0)
    """
    w = waterfall(loss, margin, default_fund, ch_capital, members,
                  assessment_cap=assessment_cap)
    capital = check_real("capital", capital, lo=0.0)
    ccp_hit = np.r_[0.0, np.full(members - 1, w.per_survivor)]
    ccp_defaulted = ccp_hit > capital
    ccp_defaulted[0] = True
    bil = bilateral_contagion(loss, margin, members, capital, concentration=concentration)
    return ClearingResult(w, ccp_hit, ccp_defaulted, bil, capital)
