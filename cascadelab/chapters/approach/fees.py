r"""Chapter 03, defence 4: a volatility-adjusted opening fee.

The fee rate on notional is :math:`\varphi = z_f\,\sigma\sqrt h` (``fee_z``). A trader with
collateral :math:`c` who pays margin and fee from the same budget, :math:`N(1/L + \varphi) = c`,
ends with leverage

.. math:: L' = \frac{L}{1 + \varphi L},

and the fees go to the insurance fund: :func:`fee_scenario`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_instance, check_real
from cascadelab.chapters.approach.markets import FAST_CRASH, PolicyPair, _market, _pair
from cascadelab.engine import DEFAULT_STEPS, Scenario
from cascadelab.mechanisms.margin import fee_adjusted_leverage

__all__ = ["FeeResult", "fee_scenario"]


@dataclass(frozen=True, eq=False)
class FeeResult:
    r"""A market that opened without and with a volatility-adjusted opening fee.

    Attributes
    ----------
    pair : PolicyPair
        The two runs on the same shock.
    fee_rate : float
        :math:`\varphi = z_f\sigma\sqrt h`, fraction of notional.
    leverage, leverage_after : ndarray
        Every position's leverage without and with the fee, x.
    summary : dict of str -> float
        ``pair.summary`` plus ``fee_rate``, ``fees`` (USD paid into the fund),
        ``median_leverage``/``_base``, ``p99_leverage``/``_base`` (x).
    """

    pair: PolicyPair
    fee_rate: float
    leverage: np.ndarray
    leverage_after: np.ndarray
    summary: dict[str, float]


def fee_scenario(
    fee_z: float = 3.0,
    *,
    scenario: Scenario = FAST_CRASH,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> FeeResult:
    r"""The same traders open under a fee rate :math:`\varphi = z_f\sigma\sqrt h` on notional.

    A trader with collateral :math:`c` who pays margin and fee from the same budget,
    :math:`N(1/L + \varphi) = c`, ends with leverage :math:`L' = L/(1 + \varphi L)`; the fees go
    to the insurance fund. The higher ``scenario.sigma`` (the volatility the venue measures),
    the steeper the fee.

    Parameters
    ----------
    fee_z : float
        :math:`z_f`, in [0, 1000]; 0 = no fee.
    scenario, n, steps, seed
        As in :func:`gradual_scenario`; ``scenario.margin_horizon`` is :math:`h`.

    Returns
    -------
    FeeResult
    """
    check_instance("scenario", scenario, Scenario)
    fee_z = check_real("fee_z", fee_z, 0.0, 1000.0)
    base = scenario.replace(fee_z=0.0)
    pair = PolicyPair(*_pair(base, {"fee_z": fee_z}, n, steps, seed))
    rate = fee_z * base.sigma * float(np.sqrt(base.margin_horizon))
    lev = _market(n, seed).leverage
    after = np.asarray(fee_adjusted_leverage(lev, rate))
    summary = dict(pair.summary)
    summary.update({
        "fee_rate": rate, "fees": pair.mitigated.opening_fees,
        "median_leverage": float(np.median(after)), "median_leverage_base": float(np.median(lev)),
        "p99_leverage": float(np.quantile(after, 0.99)),
        "p99_leverage_base": float(np.quantile(lev, 0.99)),
    })
    return FeeResult(pair, rate, lev, after, summary)
