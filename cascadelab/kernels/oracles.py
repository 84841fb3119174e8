"""The oracle along a whole price path: the rule of :mod:`cascadelab.mechanisms.oracles`, looped.

The public wrapper is :func:`cascadelab.oracle_path`; the market engine applies the same rule
once per step inside its own loop (:mod:`cascadelab.kernels.engine`, step 3).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from cascadelab.mechanisms.oracles import oracle_update


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
