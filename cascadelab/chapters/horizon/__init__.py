r"""Chapter 05 (where it is going): pure scenario functions behind the horizon chapter's labs.

Six ideas, one module each, all on the package's engine (:func:`cascadelab.simulate`), the
static cascade and :func:`cascadelab.monte_carlo`:

1. :mod:`~.warning`: **a predictive liquidation engine.** Random episodes, five features of the
   market state at a warning step, a logistic model of a cascade after it, its ROC curve on
   held-out episodes, and what acting on a warning (raising margins, or arming a breaker) buys
   out of sample: :func:`draw_episodes`, :func:`predictive_engine`, :func:`warning_policy`.
   The logistic fit and the ROC curve are generic tools in :mod:`~.stats`
   (:func:`fit_logistic`, :func:`roc_curve`).
2. :mod:`~.cross_venue`: **cross-protocol risk monitoring.** The loop gain of venues linked by
   arbitrage is the spectral radius of a matrix whose diagonal is what each venue sees alone:
   :func:`monitor_gains`, :func:`cross_venue_cascade`.
3. :mod:`~.private_margin`: **private margin.** The front-running predator with the liquidation
   map visible and hidden: :func:`private_margin_scenario`.
4. :mod:`~.breaker`: **programmable circuit breakers.** Rules on the stress index
   :math:`S = (\rho / D)\,(\sigma / \sigma_{\text{ref}})` against a plain band on the same days:
   :func:`stress_index`, :func:`breaker_days`, :func:`breaker_tradeoff`.
5. :mod:`~.backstop`: **self-healing markets.** A backstop paid a rebate to add depth when forced
   selling arrives, and whether its incentive holds as the shock grows: :func:`backstop_scenario`.
6. :mod:`~.funding`: **pricing cascade risk into leverage.** The fair funding charge per leverage
   level from Monte Carlo bad debt: :func:`funding_charge`.

Every function is pure (parameters in, a frozen result out), validates its inputs (``ValueError``
naming the parameter) and caches what it may with the course's one policy
(:func:`cascadelab.chapters._course.cached`).

Examples
--------
>>> from cascadelab.chapters import horizon as hz
>>> own, system = hz.monitor_gains([50_000.0, 50_000.0], [100_000.0, 100_000.0], 0.5)
>>> bool(system > own.max())
True
"""

from cascadelab.chapters.horizon.backstop import BackstopResult, backstop_scenario
from cascadelab.chapters.horizon.breaker import (
    CRASH_DRAWDOWN,
    SIGMA_REF,
    STRESS_WINDOW,
    BreakerDays,
    BreakerTradeoff,
    breaker_days,
    breaker_outcome,
    breaker_tradeoff,
    stress_index,
)
from cascadelab.chapters.horizon.cross_venue import (
    CrossVenueResult,
    Venue,
    cross_venue_cascade,
    default_venues,
    gain_buildup,
    monitor_gains,
)
from cascadelab.chapters.horizon.funding import FUNDING_MARKET, FundingCurve, funding_charge
from cascadelab.chapters.horizon.private_margin import (
    PrivateMarginResult,
    private_margin_scenario,
)
from cascadelab.chapters.horizon.stats import LogisticModel, RocCurve, fit_logistic, roc_curve
from cascadelab.chapters.horizon.warning import (
    FEATURES,
    POLICIES,
    EpisodeDistribution,
    Episodes,
    PolicyOutcome,
    PredictorResult,
    cap_leverage,
    draw_episodes,
    episode_market,
    predictive_engine,
    warning_policy,
)

__all__ = [
    "CRASH_DRAWDOWN",
    "FEATURES",
    "FUNDING_MARKET",
    "POLICIES",
    "SIGMA_REF",
    "STRESS_WINDOW",
    "BackstopResult",
    "BreakerDays",
    "BreakerTradeoff",
    "CrossVenueResult",
    "EpisodeDistribution",
    "Episodes",
    "FundingCurve",
    "LogisticModel",
    "PolicyOutcome",
    "PredictorResult",
    "PrivateMarginResult",
    "RocCurve",
    "Venue",
    "backstop_scenario",
    "breaker_days",
    "breaker_outcome",
    "breaker_tradeoff",
    "cap_leverage",
    "cross_venue_cascade",
    "default_venues",
    "draw_episodes",
    "episode_market",
    "fit_logistic",
    "funding_charge",
    "gain_buildup",
    "monitor_gains",
    "predictive_engine",
    "private_margin_scenario",
    "roc_curve",
    "stress_index",
    "warning_policy",
]
