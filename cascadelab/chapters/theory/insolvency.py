r"""The arithmetic of insolvency: when a forced sale cannot pay its penalty (chapter 02).

A long opened at :math:`P_e` with leverage :math:`L` holds :math:`P_e/L` of collateral per unit. If
the price gaps down by :math:`g` before the venue can act and the closing order then slips by a
further fraction :math:`\varsigma`, it fills at :math:`f = P_e (1 - g)(1 - \varsigma)`; the
penalty is :math:`\pi f`. Per USD of notional at entry, what is left after the penalty is

.. math:: \frac{e(f) - \pi f}{P_e} = \frac1L - \bigl[1 - (1 - g)(1 - \varsigma)(1 - \pi)\bigr],

which is negative (penalty or more unpaid: a loss for the insurance fund) once
:math:`L > L^* = 1 / (1 - (1 - g)(1 - \varsigma)(1 - \pi))`.
"""

from __future__ import annotations

import numpy as np

from cascadelab._validate import check_array, check_real

__all__ = ["equity_left", "gap_tolerance", "insolvency_price", "max_safe_leverage"]


def _insolvency_inputs(penalty: float, slippage: float, gap: float) -> tuple[float, float, float]:
    return (check_real("penalty", penalty, 0.0, 1.0, hi_open=True),
            check_real("slippage", slippage, 0.0, 1.0, hi_open=True),
            check_real("gap", gap, 0.0, 1.0, hi_open=True))


def insolvency_price(
    leverage: float, penalty: float, slippage: float = 0.0, *, entry: float = 100.0
) -> float:
    r"""Market price below which a long's forced sale cannot pay its penalty and slippage.

    Closing one unit at market price :math:`p` fills at :math:`f = p(1 - \varsigma)`; the
    equity left, :math:`e(f) = P_e/L + f - P_e`, covers the penalty :math:`\pi f` only while
    :math:`e(f) \ge \pi f`. Solving :math:`e(f) = \pi f` for :math:`p`:

    .. math:: p^* = \frac{P_e\,(1 - 1/L)}{(1 - \pi)(1 - \varsigma)}.

    Below :math:`p^*` the penalty is short-changed; below the bankruptcy price
    :math:`P_e(1 - 1/L)` (reached by the fill) there is bad debt as well.

    Parameters
    ----------
    leverage : float
        Leverage :math:`L`, in [1, 1000].
    penalty : float
        Penalty :math:`\pi`, fraction of the notional at the fill, in [0, 1).
    slippage : float
        Slippage :math:`\varsigma` of the closing order below the market price, in [0, 1).
    entry : float
        Entry price :math:`P_e`, USD, in (0, 1e12].

    Returns
    -------
    float
        :math:`p^*`, USD.

    Examples
    --------
    >>> round(insolvency_price(25.0, 0.01), 3)   # exercise 02.2's fill price
    96.97
    """
    leverage = check_real("leverage", leverage, 1.0, 1000.0)
    entry = check_real("entry", entry, 0.0, 1e12, lo_open=True)
    penalty, slippage, _ = _insolvency_inputs(penalty, slippage, 0.0)
    return entry * (1.0 - 1.0 / leverage) / ((1.0 - penalty) * (1.0 - slippage))


def equity_left(
    leverage: float | np.ndarray, penalty: float, slippage: float = 0.0, gap: float = 0.0
) -> float | np.ndarray:
    r"""What is left of a long's collateral after a gap, slippage and the penalty, per USD of
    notional at entry (negative: the penalty, or more, goes unpaid).

    .. math:: \frac1L - \bigl[1 - (1 - g)(1 - \varsigma)(1 - \pi)\bigr]

    Parameters
    ----------
    leverage : float or array of float
        Leverage :math:`L`, each in [1, 1000].
    penalty, slippage, gap : float
        :math:`\pi` (fraction of the notional at the fill), :math:`\varsigma` (fill below the
        post-gap price) and :math:`g` (fall of the price from entry before the venue can act),
        each in [0, 1).

    Returns
    -------
    float or ndarray
        Fraction of the entry notional.

    Examples
    --------
    >>> round(equity_left(10.0, 0.01, 0.0, 0.05), 4)
    0.0405
    """
    penalty, slippage, gap = _insolvency_inputs(penalty, slippage, gap)
    lev = check_array("leverage", leverage, ndim=None, lo=1.0, hi=1000.0).reshape(
        np.shape(leverage))
    loss = 1.0 - (1.0 - gap) * (1.0 - slippage) * (1.0 - penalty)
    out = 1.0 / lev - loss
    return float(out) if out.ndim == 0 else out


def max_safe_leverage(penalty: float, slippage: float = 0.0, gap: float = 0.0) -> float:
    r"""Largest leverage whose collateral still pays the penalty after a gap and slippage.

    .. math:: L^* = \frac{1}{1 - (1 - g)(1 - \varsigma)(1 - \pi)}
              \;\approx\; \frac{1}{g + \varsigma + \pi}

    With :math:`g = 0` (the venue acts at the trigger) the same bound says the maintenance
    margin must be at least :math:`1 - (1 - \varsigma)(1 - \pi)`, and :math:`L < 1/m`.

    Parameters
    ----------
    penalty, slippage, gap : float
        As in :func:`equity_left`, each in [0, 1); not all zero.

    Returns
    -------
    float
        :math:`L^*`, x.

    Examples
    --------
    >>> round(max_safe_leverage(0.01, 0.0, 0.10), 2)   # exercise 02.3
    9.17
    """
    penalty, slippage, gap = _insolvency_inputs(penalty, slippage, gap)
    loss = 1.0 - (1.0 - gap) * (1.0 - slippage) * (1.0 - penalty)
    if loss <= 0.0:
        raise ValueError("penalty, slippage and gap must not all be 0: any leverage is safe then")
    return 1.0 / loss


def gap_tolerance(leverage: float, penalty: float, slippage: float = 0.0) -> float:
    r"""Largest sudden fall from entry a long of leverage :math:`L` survives with its penalty
    paid: :math:`g^* = 1 - (1 - 1/L) / ((1 - \pi)(1 - \varsigma))`, i.e.
    :math:`1 - p^*/P_e` (negative: not even a fill at entry pays the penalty).

    Examples
    --------
    >>> round(gap_tolerance(10.0, 0.01), 4)
    0.0909
    """
    return 1.0 - insolvency_price(leverage, penalty, slippage, entry=1.0)
