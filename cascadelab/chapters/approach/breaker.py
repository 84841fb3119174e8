r"""Chapter 03, defence 6: the circuit breaker.

Trading halts for ``halt_steps`` steps once the price has moved more than a band :math:`b` within
:math:`w` steps, :math:`|p_t / p_{t-w} - 1| > b`; while halted nothing trades (liquidations too,
unless ``liquidate_in_halt``) and the transient impact :math:`g - 1` of earlier sales decays at
``halt_resilience`` :math:`\kappa_h` per step,

.. math:: g \leftarrow 1 + (g - 1)(1 - \kappa_h),

so the book refills. The breaker can also halt on the stress index
:math:`S_t = (\rho_t / D_t)(\sigma_t / \sigma_{\text{ref}}) \ge S^*` (``stress_halt``; the rules
are :mod:`cascadelab.mechanisms.breaker`): :func:`circuit_breaker_scenario`,
:func:`halt_intervals`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cascadelab._validate import check_array, check_instance
from cascadelab.chapters.approach.markets import FAST_CRASH, PolicyPair, _pair
from cascadelab.engine import DEFAULT_STEPS, Scenario

__all__ = ["CircuitBreakerResult", "circuit_breaker_scenario", "halt_intervals"]


def halt_intervals(halted: np.ndarray) -> list[tuple[int, int]]:
    """Halts as ``(first, last + 1)`` step pairs, from the engine's per-step ``halted`` flags."""
    h = check_array("halted", halted, lo=0.0, hi=1.0)
    if not np.isin(h, (0.0, 1.0)).all():
        raise ValueError("halted must hold True/False (or 1/0) flags, one per step")
    h = h.astype(np.int8)
    edges = np.diff(np.concatenate(([0], h, [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(),
                    strict=True))


@dataclass(frozen=True, eq=False)
class CircuitBreakerResult(PolicyPair):
    """:class:`PolicyPair` of a run without and with a circuit breaker, plus
    ``halts`` (list of ``(first, last + 1)`` steps) and the summary keys ``halts`` (count),
    ``drawdown_cut`` and ``bad_debt_cut`` (baseline minus breaker, fraction and USD)."""

    halts: list[tuple[int, int]] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        halts = halt_intervals(self.mitigated.halted)
        object.__setattr__(self, "halts", halts)
        s = self.summary
        s["halts"] = float(len(halts))
        s["drawdown_cut"] = s["drawdown_base"] - s["drawdown"]
        s["bad_debt_cut"] = s["bad_debt_base"] - s["bad_debt"]


def circuit_breaker_scenario(
    band: float = 0.03,
    window: int = 5,
    halt_steps: int = 20,
    halt_resilience: float = 0.2,
    liquidate_in_halt: bool = False,
    stress_halt: float = 0.0,
    *,
    scenario: Scenario = FAST_CRASH,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> CircuitBreakerResult:
    r"""The same shock with and without a circuit breaker.

    Trading halts for ``halt_steps`` steps once :math:`|p_t/p_{t-w} - 1| > b` (band :math:`b`,
    window :math:`w`); while halted nothing trades (liquidations too, unless
    ``liquidate_in_halt``) and the transient impact :math:`g - 1` of earlier sales decays at
    ``halt_resilience`` per step, :math:`g \leftarrow 1 + (g - 1)(1 - \kappa_h)`: the book
    refills. With ``stress_halt`` :math:`S^* > 0` the breaker also halts when the stress index
    :math:`S_t = (\rho_t / D_t)(\sigma_t / \sigma_{\text{ref}}) \ge S^*` (the engine's per-step
    rule, see :class:`cascadelab.Scenario`). The baseline is ``scenario`` with ``band = 0`` and
    ``stress_halt = 0``.

    Parameters
    ----------
    band : float
        :math:`b`, fraction, in [0, 1); 0 = no breaker.
    window : int
        :math:`w`, steps, in [1, 10000].
    halt_steps : int
        Length of a halt, steps, in [1, 10000].
    halt_resilience : float
        :math:`\kappa_h`, in [0, 1].
    liquidate_in_halt : bool
        Keep liquidating (only liquidations) during a halt.
    stress_halt : float
        :math:`S^*` of the stress rule, in [0, 1e6]; 0 = off.
    scenario, n, steps, seed
        As in :func:`gradual_scenario`.

    Returns
    -------
    CircuitBreakerResult
    """
    check_instance("scenario", scenario, Scenario)
    base = scenario.replace(band=0.0, stress_halt=0.0)
    changes = {"band": band, "window": window, "halt_steps": halt_steps,
               "halt_resilience": halt_resilience, "liquidate_in_halt": liquidate_in_halt,
               "stress_halt": stress_halt}
    return CircuitBreakerResult(*_pair(base, changes, n, steps, seed))
