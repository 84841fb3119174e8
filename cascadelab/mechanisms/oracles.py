r"""Price oracles: the price the liquidation engine sees, which may be late.

A venue does not liquidate on the traded price itself but on an *oracle* price that it reads from a
feed. Three rules, each one step of the engine's clock (a "step"):

* **latency** :math:`L` (steps): the feed reports the price of :math:`L` steps ago,
  :math:`q_t = p_{t-L}` (with :math:`p_{t} = p_0` before the start);
* **heartbeat** :math:`H` (steps): the published value :math:`o_t` is refreshed at least every
  :math:`H` steps;
* **deviation** :math:`\delta` (fraction): between heartbeats it is refreshed early as soon as the
  reported price has moved by at least :math:`\delta` from the published one,
  :math:`|q_t / o_{t-1} - 1| \ge \delta` (``deviation = 0`` switches this rule off).

.. math::
    o_t = \begin{cases} q_t & \text{if } t - t_{\text{last}} \ge H
          \text{ or } (\delta > 0 \text{ and } |q_t / o_{t-1} - 1| \ge \delta), \\
          o_{t-1} & \text{otherwise,} \end{cases}

where :math:`t_{\text{last}}` is the step of the last update (the start counts as step -1).
``latency = 0, heartbeat = 1`` is a perfect oracle. MakerDAO's Oracle Security Module delays
prices by one hour on purpose; Chainlink feeds use a heartbeat plus a deviation threshold. A late
oracle means late liquidations at worse prices, hence more bad debt.

The rule is :func:`oracle_update` (one step, called by the engine's loop); :func:`oracle_path`
applies it along a given path with :func:`fill_path` (the rule, looped; kept here with the rule
because the engine's own loop calls the rule once per step instead).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from cascadelab._validate import check_array, check_int, check_real

__all__ = ["oracle_path"]

MAX_STEPS = 1_000_000_000
"""Largest latency and heartbeat of :func:`oracle_path`, steps (the loop counts in 64 bits)."""


@njit(cache=True)
def oracle_update(
    published: float, last: int, t: int, reported: float, heartbeat: int, deviation: float
) -> tuple[float, int]:
    """One step of the heartbeat/deviation rule: return the new ``(published, last)``."""
    stale = t - last >= heartbeat
    moved = deviation > 0.0 and abs(reported / published - 1.0) >= deviation
    if stale or moved:
        return reported, t
    return published, last


@njit(cache=True)
def fill_path(
    prices: np.ndarray, p0: float, latency: int, heartbeat: int, deviation: float, out: np.ndarray
) -> None:
    """Fill ``out[t]`` with the published oracle price :math:`o_t` for each step of ``prices``.

    The feed reports :math:`q_t = p_{t - L}` (``p0`` before the start) and
    :func:`~cascadelab.mechanisms.oracles.oracle_update` decides whether to publish it.
    """
    published = p0
    last = -1
    for t in range(prices.shape[0]):
        reported = prices[t - latency] if t >= latency else p0
        published, last = oracle_update(published, last, t, reported, heartbeat, deviation)
        out[t] = published


def oracle_path(
    prices: np.ndarray,
    *,
    latency: int = 0,
    heartbeat: int = 1,
    deviation: float = 0.0,
    p0: float | None = None,
) -> np.ndarray:
    """The oracle price (USD) a venue would see along a given price path.

    Parameters
    ----------
    prices : array of float
        Traded price at each step, USD per unit, > 0.
    latency : int
        Steps of delay :math:`L` of the feed, in [0, 1e9].
    heartbeat : int
        The published price is refreshed at least every ``heartbeat`` steps, in [1, 1e9].
    deviation : float
        Refresh early once the reported price moves by this fraction, in [0, 1); 0 = off.
    p0 : float, optional
        Price before the path starts (default ``prices[0]``).

    Returns
    -------
    ndarray
        :math:`o_t` for each step (see the module docstring for the rule).

    Examples
    --------
    >>> oracle_path([100.0, 90.0, 80.0, 70.0], latency=1)
    array([100., 100.,  90.,  80.])
    """
    prices = check_array("prices", prices, lo=0.0, lo_open=True)
    latency = check_int("latency", latency, lo=0, hi=MAX_STEPS)
    heartbeat = check_int("heartbeat", heartbeat, lo=1, hi=MAX_STEPS)
    deviation = check_real("deviation", deviation, lo=0.0, hi=1.0, hi_open=True)
    if p0 is None:
        p0 = float(prices[0]) if prices.size else 1.0
    p0 = check_real("p0", p0, lo=0.0, lo_open=True)
    out = np.empty(prices.shape[0])
    fill_path(prices, p0, latency, heartbeat, deviation, out)
    return out
