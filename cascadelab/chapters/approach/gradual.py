r"""Chapter 03, defence 2: gradual liquidation, in tranches instead of one market order each.

Per step a position sells at most a share :math:`f` (``close_factor``) of its original size,
waits ``cooldown`` steps between slices, and all slices of a step together stay within
:math:`\beta` (``max_book_share``) times the depth :math:`D_t`:

.. math:: q_{i,t} = \min(\text{remaining}_i,\ f\,\text{size}_i,\ \text{budget}_t), \qquad
          \sum_i q_{i,t} \le \beta D_t.

:func:`gradual_scenario`.
"""

from __future__ import annotations

from cascadelab._validate import check_instance
from cascadelab.chapters.approach.markets import FAST_CRASH, PolicyPair, _pair
from cascadelab.engine import DEFAULT_STEPS, Scenario

__all__ = ["gradual_scenario"]


def gradual_scenario(
    close_factor: float = 0.25,
    max_book_share: float | None = 0.25,
    cooldown: int = 1,
    *,
    scenario: Scenario = FAST_CRASH,
    n: int = 20_000,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
) -> PolicyPair:
    r"""Close triggered positions in tranches instead of one market order each.

    Per step a position sells at most ``close_factor`` :math:`f` of its original size, waits
    ``cooldown`` steps between slices, and all slices of a step together stay within
    ``max_book_share`` :math:`\beta` times the depth :math:`D_t`:
    :math:`q_{i,t} = \min(\text{remaining}_i, f\,\text{size}_i, \text{budget}_t)`,
    :math:`\sum_i q_{i,t} \le \beta D_t`. The baseline closes everything at once.

    Parameters
    ----------
    close_factor : float
        :math:`f`, in (0, 1].
    max_book_share : float or None
        :math:`\beta`, multiple of the depth (units per 1%), > 0; None = no cap.
    cooldown : int
        Steps between two slices of a position, in [0, 1000].
    scenario : Scenario
        The market (default :data:`FAST_CRASH`); the baseline uses its liquidation fields.
    n, steps, seed : int
        Population size, steps, seed of the population and of the path.

    Returns
    -------
    PolicyPair
        ``summary["worst_slippage"]`` against ``summary["worst_slippage_base"]`` is the headline.
    """
    check_instance("scenario", scenario, Scenario)
    base = scenario.replace(close_factor=1.0, max_book_share=None, cooldown=0)
    return PolicyPair(*_pair(base, {"close_factor": close_factor,
                                    "max_book_share": max_book_share, "cooldown": cooldown},
                             n, steps, seed))
