r"""The toxic liquidation spiral: when liquidating a loan makes it worse (chapter 02).

A lending protocol liquidates a loan by letting a liquidator repay :math:`x` (USD) of its debt
and seize :math:`(1+\pi)\,x` of its collateral, :math:`\pi` the liquidation bonus (the course's
penalty, paid to the liquidator; often written :math:`i`). With
:math:`\mathrm{LTV} = \mathrm{debt}/\mathrm{collateral}` (collateral at market value, USD),

.. math::
    \mathrm{LTV}' = \frac{\mathrm{debt} - x}{\mathrm{collateral} - (1+\pi)\,x}, \qquad
    \mathrm{LTV}' > \mathrm{LTV} \iff \mathrm{debt}\,(1+\pi) > \mathrm{collateral}
    \iff \mathrm{LTV} > \frac{1}{1+\pi}.

So a liquidation lowers the LTV only below the **toxicity frontier** :math:`1/(1+\pi)`; above it,
every partial liquidation raises the LTV, the next one raises it further, and the spiral ends
when the collateral is gone and debt is left over (Warmuz, Chaudhary & Pinna, 2022, on Aave
v2; the frontier in this form is stated in McFarlane, 2025). With a close factor :math:`f`
(the share of the debt repaid per call),
:math:`\mathrm{LTV}' = \mathrm{LTV}\,(1-f)/(1 - f(1+\pi)\,\mathrm{LTV})`, and the frontier is the
map's unstable fixed point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_int, check_real

__all__ = ["LiquidationSpiral", "liquidation_spiral", "ltv_after_liquidation", "toxic_frontier"]


def _bonus(bonus: float) -> float:
    return check_real("bonus", bonus, 0.0, 1.0)


def toxic_frontier(bonus: float) -> float:
    r"""The LTV above which a liquidation raises the LTV, :math:`1/(1+\pi)` (fraction).

    Parameters
    ----------
    bonus : float
        Liquidation bonus :math:`\pi`: the liquidator seizes :math:`(1+\pi)` USD of collateral
        per USD of debt repaid; fraction in [0, 1].

    Returns
    -------
    float
        The frontier, debt over collateral value.

    Examples
    --------
    >>> round(toxic_frontier(0.10), 4)
    0.9091
    """
    return 1.0 / (1.0 + _bonus(bonus))


def ltv_after_liquidation(
    ltv: float | np.ndarray, repaid: float, bonus: float
) -> float | np.ndarray:
    r"""LTV after one liquidation that repays a share ``repaid`` of the debt.

    .. math:: \mathrm{LTV}' = \frac{\mathrm{LTV}\,(1 - f)}{1 - f\,(1+\pi)\,\mathrm{LTV}},

    with :math:`f` = ``repaid`` (:math:`x = f\,\mathrm{debt}`). ``inf`` where the seizure would
    take all the collateral or more while debt is left (:math:`f(1+\pi)\,\mathrm{LTV} \ge 1`,
    :math:`f < 1`).

    Parameters
    ----------
    ltv : float or array of float
        LTV before the call (debt over collateral value), each >= 0.
    repaid : float
        :math:`f`, share of the debt repaid, in (0, 1].
    bonus : float
        :math:`\pi`, in [0, 1].

    Returns
    -------
    float or ndarray
        LTV after the call.

    Examples
    --------
    >>> round(ltv_after_liquidation(0.85, 0.5, 0.10), 4)   # below 1/1.1: the LTV falls
    0.7981
    >>> round(ltv_after_liquidation(0.95, 0.5, 0.10), 4)   # above it: the LTV rises
    0.9948
    """
    f = check_real("repaid", repaid, 0.0, 1.0, lo_open=True)
    i = _bonus(bonus)
    lv = np.asarray(ltv, dtype=np.float64)
    if not np.all(np.isfinite(lv)) or np.any(lv < 0.0):
        raise ValueError(f"ltv must be finite and >= 0, got {ltv!r}")
    left = 1.0 - f * (1.0 + i) * lv
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(left > 0.0, lv * (1.0 - f) / np.where(left > 0.0, left, 1.0), np.inf)
    if f == 1.0:
        out = np.zeros_like(lv)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True, eq=False)
class LiquidationSpiral:
    r"""Repeated partial liquidations of one loan (see :func:`liquidation_spiral`).

    Attributes
    ----------
    ltv : ndarray
        LTV before the first call and after each call, fraction (``inf`` once the collateral is
        gone with debt left).
    debt, collateral : ndarray
        Debt and collateral value before the first call and after each call, USD.
    repaid, seized : ndarray
        Debt repaid and collateral seized by each call, USD.
    bad_debt : float
        Debt left with no collateral behind it at the end, USD.
    bonus, close_factor, threshold : float
        :math:`\pi`, :math:`f` and the liquidation threshold (fractions).
    """

    ltv: np.ndarray
    debt: np.ndarray
    collateral: np.ndarray
    repaid: np.ndarray
    seized: np.ndarray
    bad_debt: float
    bonus: float
    close_factor: float
    threshold: float

    @property
    def rounds(self) -> int:
        """Liquidation calls made."""
        return int(self.repaid.size)

    @property
    def toxic(self) -> bool:
        """True if the calls raised the LTV (the loan ended with bad debt)."""
        return self.bad_debt > 0.0


def liquidation_spiral(
    ltv: float,
    bonus: float,
    *,
    close_factor: float = 0.5,
    threshold: float = 0.8,
    debt: float = 1_000_000.0,
    max_rounds: int = 100,
) -> LiquidationSpiral:
    r"""Liquidate one loan call after call, the way a lending protocol's liquidators do.

    While the loan's LTV is above ``threshold`` and collateral is left, a liquidator repays
    :math:`x = \min(f\,\mathrm{debt},\ \mathrm{collateral}/(1+\pi))` and seizes
    :math:`(1+\pi)\,x` of collateral (all of it, if that is less). The loop does the
    bookkeeping in USD, call by call; it does not use the closed form of
    :func:`ltv_after_liquidation`, so the two can be checked against each other. Below the
    frontier :func:`toxic_frontier` the calls heal the loan (its LTV falls under the
    threshold); above it they raise the LTV until the collateral is gone and bad debt is left.

    Parameters
    ----------
    ltv : float
        LTV at the first call, in (0, 10].
    bonus : float
        :math:`\pi`, in [0, 1].
    close_factor : float
        :math:`f`, largest share of the debt one call may repay, in (0, 1].
    threshold : float
        Liquidation threshold: calls are made while the LTV is above it, in [0, 10].
    debt : float
        Debt at the start, USD, > 0.
    max_rounds : int
        Largest number of calls, in [1, 100000].

    Returns
    -------
    LiquidationSpiral

    Examples
    --------
    >>> liquidation_spiral(0.88, 0.10).toxic, liquidation_spiral(0.93, 0.10).toxic
    (False, True)
    """
    lv = check_real("ltv", ltv, 0.0, 10.0, lo_open=True)
    i = _bonus(bonus)
    f = check_real("close_factor", close_factor, 0.0, 1.0, lo_open=True)
    thr = check_real("threshold", threshold, 0.0, 10.0)
    b = check_real("debt", debt, 0.0, lo_open=True)
    n_max = check_int("max_rounds", max_rounds, 1, 100_000)
    c = b / lv
    ltvs, debts, colls, repaid, seized = [lv], [b], [c], [], []
    while len(repaid) < n_max and c > 0.0 and b > 0.0 and b / c > thr:
        x = min(f * b, c / (1.0 + i))
        take = min((1.0 + i) * x, c)
        b -= x
        c -= take
        repaid.append(x)
        seized.append(take)
        debts.append(b)
        colls.append(c)
        ltvs.append(b / c if c > 0.0 else (np.inf if b > 0.0 else 0.0))
    return LiquidationSpiral(
        ltv=np.array(ltvs), debt=np.array(debts), collateral=np.array(colls),
        repaid=np.array(repaid), seized=np.array(seized),
        bad_debt=b if c <= 0.0 else 0.0, bonus=i, close_factor=f, threshold=thr,
    )
