r"""The engine's parameters: :class:`Scenario`, every mechanism's knobs in one frozen dataclass.

Each field carries its unit and allowed range; :func:`cascadelab.simulate` and
:func:`cascadelab.monte_carlo` take one ``Scenario`` (see :mod:`cascadelab.engine.simulate` for
the equations of a step).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_choice, check_instance, check_int, check_real
from cascadelab.market import IMPACT_MODELS
from cascadelab.mechanisms.hedging import DealerBook
from cascadelab.mechanisms.margin import M_MAX

__all__ = ["Scenario"]


@dataclass(frozen=True)
class Scenario:
    """Every parameter of the market engine, grouped by mechanism. Units: USD for prices and
    money, units of the asset for sizes, steps for time, fractions for ratios; volatilities and
    drifts are per step.

    The defaults are a 5% shock at step 10 on a book of depth 200,000 units per 1% with 2%
    per-step resilience and light noise: on ``sample_positions(20_000, 100.0, seed=0)`` this
    sets off a visible but not total cascade (see :func:`default_market`). Every mechanism
    beyond the price path and full liquidation is off by default.

    Parameters
    ----------
    price : float
        Starting price :math:`p_0`, USD, > 0.
    sigma : float
        Volatility of the fundamental's log price per step, in [0, 0.5].
    mu : float
        Drift of the fundamental per step, in [-0.1, 0.1].
    tail_index : float or None
        Degrees of freedom :math:`\\nu` of Student-t innovations, in (2, 1000]; None = normal.
    jump_rate : float
        Probability of a jump per step, in [0, 1].
    jump_mean, jump_sd : float
        Mean in [-1, 1] and sd in [0, 1] of a jump of the log price.
    shock : float
        Scripted shock: the fundamental falls by this fraction at ``shock_step``, in (-1, 1)
        (negative: it rises); 0 = none.
    shock_step : int
        Step of the shock, >= 0 (and < ``steps`` when ``shock != 0``).
    depth : float
        Book depth :math:`D`, units that move the price 1%, > 0.
    impact : {"linear", "exponential", "sqrt"}
        Impact model of the foundation (:mod:`cascadelab.market`).
    resilience : float
        Share :math:`\\kappa` of the transient impact that decays each step, in [0, 1]
        (0: impact is permanent; 1: it vanishes after a step).
    depth_stress : float
        Depth thins as :math:`D e^{-k |p/p_a - 1|}` with this :math:`k`, in [0, 100]; 0 = off.
    oracle_latency : int
        Steps of delay of the oracle, in [0, 1000].
    heartbeat : int
        The oracle refreshes at least every ``heartbeat`` steps, in [1, 100000].
    deviation : float
        ...or as soon as the price moved by this fraction, in [0, 1); 0 = off.
    maintenance : float or None
        Base maintenance ratio :math:`m_0` in [0, 0.5]; None = the positions' own (common) ratio.
    penalty : float
        Liquidation penalty, fraction of the closed notional at the fill price, in [0, 1).
    penalty_to_fund : float
        Share of penalties paid to the insurance fund (the rest to liquidators), in [0, 1].
    close_factor : float
        Largest share of a position's original size closed per step, in (0, 1]; 1 = all at once.
    max_book_share : float or None
        Cap on the step's liquidation units as a multiple of the depth :math:`D_t`, > 0;
        None = no cap.
    cooldown : int
        Steps a position waits between two slices, in [0, 1000].
    insurance_fund : float
        Starting balance of the insurance fund, USD, >= 0.
    margin_z : float
        :math:`z` of the volatility-adjusted maintenance ratio, in [0, 100]; 0 = off.
    margin_horizon : float
        Horizon :math:`h` in steps of the margin (and of the opening fee), in (0, 10000].
    ewma_lambda : float
        Decay :math:`\\lambda` of the EWMA variance, in [0, 1).
    margin_step : float
        Largest rise :math:`\\delta` of the maintenance ratio per step, fraction of notional, in
        [0, 0.5]; 0 = off (the ratio jumps to its target at once). With :math:`\\delta > 0`,
        :math:`m_t = \\min(m^*_t, m_{t-1} + \\delta)` from :math:`m_{-1} = m_0`, where
        :math:`m^*_t = \\max(m_0, z\\sigma_t\\sqrt h)` (capped at 0.5): rises are phased in,
        falls apply at once.
    fee_z : float
        Opening fee rate :math:`\\varphi = z_f \\sigma \\sqrt{h}` (``sigma`` above) under which the
        population opened, in [0, 1000]; 0 = off.
    band : float
        Circuit-breaker band, fraction, in [0, 1); 0 = no breaker.
    window : int
        Look-back of the breaker, steps, in [1, 10000].
    halt_steps : int
        Length of a halt, steps, in [1, 10000].
    halt_resilience : float
        Decay of transient impact per step during a halt (the book refills), in [0, 1].
    liquidate_in_halt : bool
        If True, liquidations (only) continue during a halt.
    stress_halt : float
        Threshold :math:`S^*` of the programmable stress rule, in [0, 1e6]; 0 = off. The breaker
        also halts when the stress index
        :math:`S_t = (\\rho_t / D_t)(\\sigma_t / \\sigma_{\\text{ref}}) \\ge S^*`, where
        :math:`\\rho_t` is the larger of the units of longs (shorts) not yet in liquidation whose
        trigger lies within ``stress_window`` below (above) the oracle price, per 1% of price,
        :math:`D_t` the depth and :math:`\\sigma_t` the EWMA volatility per step (see
        :mod:`cascadelab.mechanisms.margin`).
    stress_window : float
        Price window :math:`w` of :math:`\\rho_t`, fraction, in (0, 1).
    stress_sigma_ref : float
        Reference volatility :math:`\\sigma_{\\text{ref}}` per step, in (0, 1].
    dealer : DealerBook or None
        Options book a dealer delta-hedges every step; None = no dealer.
    protective_puts : float
        Units of long puts added to the dealer's book, >= 0 (needs ``dealer``).
    put_strike : float
        Strike of those puts as a fraction of ``price``, in (0, 10].
    put_expiry : int
        Expiry step of those puts, >= 1.
    predator_capital : float
        Capital of the front-running predator, USD, >= 0; 0 = no predator.
    levels_visible : bool
        Whether the predator sees the liquidation levels.
    predator_reach : float
        How far below the oracle price the predator looks for a cluster, fraction, in (0, 1).
    predator_rate : float
        Units the predator trades per step, as a multiple of the depth :math:`D_t`, > 0.
    predator_patience : int
        Steps it pushes before it gives up, in [1, 100000].
    predator_min_cluster : float
        Smallest cluster it attacks, in units of :math:`D_t`, >= 0.
    """

    # 1. price path and book
    price: float = 100.0
    sigma: float = 0.001
    mu: float = 0.0
    tail_index: float | None = None
    jump_rate: float = 0.0
    jump_mean: float = -0.02
    jump_sd: float = 0.01
    shock: float = 0.05
    shock_step: int = 10
    depth: float = 200_000.0
    impact: str = "linear"
    resilience: float = 0.02
    depth_stress: float = 0.0
    # 2. oracle
    oracle_latency: int = 0
    heartbeat: int = 1
    deviation: float = 0.0
    # 3. liquidation engine
    maintenance: float | None = None
    penalty: float = 0.01
    penalty_to_fund: float = 1.0
    close_factor: float = 1.0
    max_book_share: float | None = None
    cooldown: int = 0
    # 4. loss waterfall
    insurance_fund: float = 1_000_000.0
    # 5. volatility-adjusted margin and fees
    margin_z: float = 0.0
    margin_horizon: float = 10.0
    ewma_lambda: float = 0.94
    margin_step: float = 0.0
    fee_z: float = 0.0
    # 6. circuit breaker
    band: float = 0.0
    window: int = 10
    halt_steps: int = 20
    halt_resilience: float = 0.2
    liquidate_in_halt: bool = False
    stress_halt: float = 0.0
    stress_window: float = 0.02
    stress_sigma_ref: float = 0.002
    # 7. dealers' hedging
    dealer: DealerBook | None = None
    protective_puts: float = 0.0
    put_strike: float = 0.95
    put_expiry: int = 500
    # 8. predator
    predator_capital: float = 0.0
    levels_visible: bool = True
    predator_reach: float = 0.03
    predator_rate: float = 0.5
    predator_patience: int = 20
    predator_min_cluster: float = 0.5

    def __post_init__(self) -> None:
        reals = {
            "price": (0.0, None, True, False),
            "sigma": (0.0, 0.5, False, False),
            "mu": (-0.1, 0.1, False, False),
            "jump_rate": (0.0, 1.0, False, False),
            "jump_mean": (-1.0, 1.0, False, False),
            "jump_sd": (0.0, 1.0, False, False),
            "shock": (-1.0, 1.0, True, True),
            "depth": (0.0, None, True, False),
            "resilience": (0.0, 1.0, False, False),
            "depth_stress": (0.0, 100.0, False, False),
            "deviation": (0.0, 1.0, False, True),
            "penalty": (0.0, 1.0, False, True),
            "penalty_to_fund": (0.0, 1.0, False, False),
            "close_factor": (0.0, 1.0, True, False),
            "insurance_fund": (0.0, None, False, False),
            "margin_z": (0.0, 100.0, False, False),
            "margin_horizon": (0.0, 10_000.0, True, False),
            "ewma_lambda": (0.0, 1.0, False, True),
            "margin_step": (0.0, M_MAX, False, False),
            "fee_z": (0.0, 1000.0, False, False),
            "band": (0.0, 1.0, False, True),
            "halt_resilience": (0.0, 1.0, False, False),
            "stress_halt": (0.0, 1e6, False, False),
            "stress_window": (0.0, 1.0, True, True),
            "stress_sigma_ref": (0.0, 1.0, True, False),
            "protective_puts": (0.0, None, False, False),
            "put_strike": (0.0, 10.0, True, False),
            "predator_capital": (0.0, None, False, False),
            "predator_reach": (0.0, 1.0, True, True),
            "predator_rate": (0.0, None, True, False),
            "predator_min_cluster": (0.0, None, False, False),
        }
        for name, (lo, hi, lo_open, hi_open) in reals.items():
            value = check_real(name, getattr(self, name), lo, hi, lo_open=lo_open,
                               hi_open=hi_open)
            object.__setattr__(self, name, value)
        ints = {
            "shock_step": (0, None),
            "oracle_latency": (0, 1000),
            "heartbeat": (1, 100_000),
            "cooldown": (0, 1000),
            "window": (1, 10_000),
            "halt_steps": (1, 10_000),
            "put_expiry": (1, None),
            "predator_patience": (1, 100_000),
        }
        for name, (lo, hi) in ints.items():
            object.__setattr__(self, name, check_int(name, getattr(self, name), lo, hi))
        if self.tail_index is not None:
            tail = check_real("tail_index", self.tail_index, 2.0, 1000.0, lo_open=True)
            object.__setattr__(self, "tail_index", tail)
        if self.maintenance is not None:
            object.__setattr__(
                self, "maintenance", check_real("maintenance", self.maintenance, 0.0, M_MAX)
            )
        if self.max_book_share is not None:
            share = check_real("max_book_share", self.max_book_share, 0.0, lo_open=True)
            object.__setattr__(self, "max_book_share", share)
        check_choice("impact", self.impact, tuple(IMPACT_MODELS))
        for name in ("liquidate_in_halt", "levels_visible"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if self.dealer is not None:
            check_instance("dealer", self.dealer, DealerBook)
        if self.protective_puts > 0.0 and self.dealer is None:
            raise ValueError(
                f"protective_puts must be 0 when there is no dealer, got "
                f"{self.protective_puts:g}; set dealer=DealerBook(...) first"
            )

    def replace(self, **changes: object) -> Scenario:
        """A copy with some fields changed (validated again), like ``dataclasses.replace``."""
        return dataclasses.replace(self, **changes)
