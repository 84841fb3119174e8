r"""Chapter 01 (origin): why the first margin designs broke, as five pure scenario functions,
one module per idea.

Each function takes parameters in, returns a frozen result with a ``summary`` (name -> float),
and reuses the package's engines; the labs of :mod:`cascadelab.widgets.origin` draw them.

1. :mod:`~cascadelab.chapters.origin.fragmentation`: :func:`fragmented_liquidity`, a static
   threshold that ignores where liquidity sits (the loop gain :math:`\rho/(\alpha D)` of a venue
   with a share :math:`\alpha` of the depth).
2. :mod:`~cascadelab.chapters.origin.fat_tails`: :func:`fat_tail_breaches`, a buffer of
   :math:`z` standard deviations sized for Gaussian returns, against Student-t returns.
3. :mod:`~cascadelab.chapters.origin.stale_oracle`: :func:`stale_oracle`, a price feed that lags
   during a crash, against a fresh feed on the same path.
4. :mod:`~cascadelab.chapters.origin.cross_margin`: :func:`cross_margin_contagion` and
   :func:`correlation_sweep`, one margin pool per account ties assets together.
5. :mod:`~cascadelab.chapters.origin.liquidators`: :func:`liquidator_tradeoff`, closing
   everything at once against closing gradually.

:mod:`~cascadelab.chapters.origin.events`: :data:`EVENTS` lists three real episodes with their
sourced figures, and :func:`replay_events` replays them by calibration: it finds the shock that,
through the course's cascade, reproduces each observed fall (:func:`calibrate_shock`), and
reports how much of the fall the model gives to forced selling.

Examples
--------
>>> from cascadelab.chapters.origin import fat_tail_breaches
>>> round(fat_tail_breaches(z=4.0, nu=3.0).summary["breaches_t"], 1)
2.3
"""

from cascadelab.chapters.origin.cross_margin import (
    CrossMarginResult,
    correlation_sweep,
    cross_margin_contagion,
)
from cascadelab.chapters.origin.events import (
    EVENTS,
    Calibration,
    Event,
    EventReplay,
    Fact,
    calibrate_shock,
    replay_events,
)
from cascadelab.chapters.origin.fat_tails import NUS, ZS, FatTailResult, fat_tail_breaches
from cascadelab.chapters.origin.fragmentation import (
    DEFAULT_SHARES,
    FragmentationResult,
    fragmented_liquidity,
)
from cascadelab.chapters.origin.liquidators import (
    DEFAULT_CLOSE_FACTORS,
    LiquidatorResult,
    liquidator_tradeoff,
)
from cascadelab.chapters.origin.stale_oracle import (
    DEFAULT_LATENCIES,
    StaleOracleResult,
    stale_oracle,
)

__all__ = [
    "DEFAULT_CLOSE_FACTORS",
    "DEFAULT_LATENCIES",
    "DEFAULT_SHARES",
    "EVENTS",
    "NUS",
    "ZS",
    "Calibration",
    "CrossMarginResult",
    "Event",
    "EventReplay",
    "Fact",
    "FatTailResult",
    "FragmentationResult",
    "LiquidatorResult",
    "StaleOracleResult",
    "calibrate_shock",
    "correlation_sweep",
    "cross_margin_contagion",
    "fat_tail_breaches",
    "fragmented_liquidity",
    "liquidator_tradeoff",
    "replay_events",
    "stale_oracle",
]
