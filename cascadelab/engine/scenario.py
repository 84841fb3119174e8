r"""The engine's parameters: :class:`Scenario`, every mechanism's knobs in one frozen dataclass.

A knob is written once, as a field declared with :func:`knob`: its default, what it means, its
unit and its allowed range. Everything else derives from that declaration:

* the validation in ``Scenario.__post_init__`` (ranges from the fields' metadata);
* the ``Parameters`` section of ``Scenario.__doc__`` (generated from the same metadata);
* :class:`EngineParams`, the scalars the numba kernel :func:`cascadelab.kernels.engine.run`
  reads: every numeric field of ``Scenario`` under its own name, plus four derived values
  (:data:`DERIVED`). :func:`engine_params` builds it.

Adding a knob is therefore: a field with its docstring, unit and range here; its use in the
kernel (as ``prm.<name>``); a test. :func:`cascadelab.simulate` and
:func:`cascadelab.monte_carlo` take one ``Scenario`` (the equations of a step are in
:mod:`cascadelab.engine.simulate`).
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from cascadelab._validate import check_choice, check_instance, check_int, check_real
from cascadelab.market import IMPACT_MODELS
from cascadelab.mechanisms.adl import LOSS_RULES
from cascadelab.mechanisms.hedging import DealerBook
from cascadelab.mechanisms.margin import M_MAX

__all__ = ["DERIVED", "EngineParams", "Scenario", "engine_params", "knob"]

IMPACT_FLOOR = 1e-3
"""Lowest price one batch can reach, as a fraction of the pre-trade price (as in ``Book``)."""


def knob(
    default: object,
    doc: str,
    unit: str = "",
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    note: str = "",
    none: float | None = None,
) -> Any:
    """Declare a :class:`Scenario` field: its default, meaning, unit and allowed range.

    ``doc`` says what the knob is, ``unit`` its unit, ``lo``/``hi`` (with ``lo_open``/``hi_open``)
    its range for a number; ``note`` follows the range in the docstring (what 0 or None means).
    ``none`` is the value the kernel reads when an optional field is None (e.g. ``math.inf`` for
    "no cap"); a field of type ``str`` or ``DealerBook`` is not read by the kernel.
    """
    meta = {"doc": doc, "unit": unit, "lo": lo, "hi": hi, "lo_open": lo_open,
            "hi_open": hi_open, "note": note, "none": none}
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class Scenario:
    """Every parameter of the market engine, grouped by mechanism. Units: USD for prices and
    money, units of the asset for sizes, steps for time, fractions for ratios; volatilities and
    drifts are per step.

    The defaults are a 5% shock at step 10 on a book of depth 200,000 units per 1% with 2%
    per-step resilience and light noise: on ``sample_positions(20_000, 100.0, seed=0)`` this
    sets off a visible but not total cascade (see :func:`cascadelab.default_market`). Every
    mechanism beyond the price path and full liquidation is off by default. Every field is a
    keyword of the constructor; :meth:`replace` changes some and validates again.

    Examples
    --------
    >>> sc = Scenario(shock=0.1).replace(depth=1e5)
    >>> sc.shock, sc.depth, sc.band
    (0.1, 100000.0, 0.0)
    """

    # 1. price path and book
    price: float = knob(100.0, "Starting price :math:`p_0`", "USD", lo=0.0, lo_open=True)
    sigma: float = knob(0.001, "Volatility of the fundamental's log price", "per step",
                        lo=0.0, hi=0.5)
    mu: float = knob(0.0, "Drift of the fundamental's log price", "per step", lo=-0.1, hi=0.1)
    tail_index: float | None = knob(
        None, r"Degrees of freedom :math:`\nu` of Student-t innovations", lo=2.0, hi=1000.0,
        lo_open=True, note="None = normal (the kernel reads inf)", none=math.inf)
    jump_rate: float = knob(0.0, "Probability of a jump", "per step", lo=0.0, hi=1.0)
    jump_mean: float = knob(-0.02, "Mean of a jump of the log price", lo=-1.0, hi=1.0)
    jump_sd: float = knob(0.01, "Standard deviation of a jump of the log price", lo=0.0, hi=1.0)
    shock: float = knob(
        0.05, "Scripted shock: the fundamental falls by this fraction at ``shock_step``",
        lo=-1.0, hi=1.0, lo_open=True, hi_open=True, note="negative: it rises; 0 = none")
    shock_step: int = knob(10, "Step of the shock", lo=0,
                           note="and < ``steps`` when ``shock != 0``")
    depth: float = knob(200_000.0, "Book depth :math:`D`", "units that move the price 1%",
                        lo=1e-9, note="the book never thins below ``DEPTH_FLOOR`` (1%) of it")
    impact: str = knob("linear", "Impact model of the foundation (:mod:`cascadelab.market`)",
                       note="the kernel reads its code ``impact_code``")
    resilience: float = knob(
        0.02, r"Share :math:`\kappa` of the transient impact that decays each step",
        lo=0.0, hi=1.0, note="0: impact is permanent, 1: it vanishes after a step")
    depth_stress: float = knob(
        0.0, r"Depth thins as :math:`D e^{-k |p/p_a - 1|}` with this :math:`k`",
        lo=0.0, hi=100.0, note="0 = off")
    # 2. oracle
    oracle_latency: int = knob(0, "Delay of the oracle", "steps", lo=0, hi=1000)
    heartbeat: int = knob(1, "The oracle refreshes at least every ``heartbeat`` steps",
                          lo=1, hi=100_000)
    deviation: float = knob(0.0, "...or as soon as the price moved by this fraction",
                            lo=0.0, hi=1.0, hi_open=True, note="0 = off")
    # 3. liquidation engine
    maintenance: float | None = knob(
        None, "Base maintenance ratio :math:`m_0`", "fraction of notional", lo=0.0, hi=M_MAX,
        note="None = the positions' own (common) ratio; the kernel reads the resolved "
             ":math:`m_0`")
    penalty: float = knob(0.01, "Liquidation penalty", "fraction of the closed notional at the "
                          "fill price", lo=0.0, hi=1.0, hi_open=True)
    penalty_to_fund: float = knob(
        1.0, "Share of penalties paid to the insurance fund (the rest to liquidators)",
        lo=0.0, hi=1.0)
    close_factor: float = knob(
        1.0, "Largest share of a position's original size closed per step", lo=0.0, hi=1.0,
        lo_open=True, note="1 = all at once")
    max_book_share: float | None = knob(
        None, "Cap on the step's liquidation units", "multiple of the depth :math:`D_t`",
        lo=0.0, lo_open=True, note="None = no cap (the kernel reads inf)", none=math.inf)
    cooldown: int = knob(0, "Wait of a position between two slices", "steps", lo=0, hi=1000)
    # 4. loss waterfall
    insurance_fund: float = knob(
        1_000_000.0, "Starting balance of the insurance fund", "USD", lo=0.0,
        note="the kernel reads it plus the opening fees")
    loss_rule: str = knob(
        "socialise", "What covers bad debt the insurance fund cannot: a pro-rata levy per open "
        "unit on the opposite side, or auto-deleveraging of its highest-ranked profitable "
        "positions (:mod:`cascadelab.mechanisms.adl`)",
        note="the kernel reads its code ``loss_rule_code``")
    # 5. volatility-adjusted margin and fees
    margin_z: float = knob(0.0, ":math:`z` of the volatility-adjusted maintenance ratio",
                           lo=0.0, hi=100.0, note="0 = off")
    margin_horizon: float = knob(
        10.0, "Horizon :math:`h` of the margin (and of the opening fee)", "steps",
        lo=0.0, hi=10_000.0, lo_open=True)
    ewma_lambda: float = knob(0.94, r"Decay :math:`\lambda` of the EWMA variance",
                              lo=0.0, hi=1.0, hi_open=True)
    margin_step: float = knob(
        0.0, r"Largest rise :math:`\delta` of the maintenance ratio per step",
        "fraction of notional", lo=0.0, hi=M_MAX,
        note=r"0 = off (the ratio jumps to its target at once). With :math:`\delta > 0`, "
             r":math:`m_t = \min(m^*_t, m_{t-1} + \delta)` from :math:`m_{-1} = m_0`, where "
             r":math:`m^*_t = \max(m_0, z\sigma_t\sqrt h)` (capped at 0.5): rises are phased "
             "in, falls apply at once")
    fee_z: float = knob(
        0.0, r"Opening fee rate :math:`\varphi = z_f \sigma \sqrt{h}` (``sigma`` above) under "
             "which the population opened", lo=0.0, hi=1000.0, note="0 = off")
    # 6. circuit breaker
    band: float = knob(0.0, "Circuit-breaker band", "fraction", lo=0.0, hi=1.0, hi_open=True,
                       note="0 = no breaker")
    window: int = knob(10, "Look-back of the breaker", "steps", lo=1, hi=10_000)
    halt_steps: int = knob(20, "Length of a halt", "steps", lo=1, hi=10_000)
    halt_resilience: float = knob(
        0.2, "Decay of transient impact during a halt (the book refills)", "per step",
        lo=0.0, hi=1.0)
    liquidate_in_halt: bool = knob(False, "If True, liquidations (only) continue during a halt")
    stress_halt: float = knob(
        0.0, r"Threshold :math:`S^*` of the programmable stress rule", lo=0.0, hi=1e6,
        note=r"0 = off. The breaker also halts when the stress index "
             r":math:`S_t = (\rho_t / D_t)(\sigma_t / \sigma_{\text{ref}}) \ge S^*`, where "
             r":math:`\rho_t` is the larger of the units of longs (shorts) not yet in "
             "liquidation whose trigger lies within ``stress_window`` below (above) the oracle "
             r"price, per 1% of price, :math:`D_t` the depth and :math:`\sigma_t` the EWMA "
             "volatility per step (see :mod:`cascadelab.mechanisms.breaker`)")
    stress_window: float = knob(0.02, r"Price window :math:`w` of :math:`\rho_t`", "fraction",
                                lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    stress_sigma_ref: float = knob(
        0.002, r"Reference volatility :math:`\sigma_{\text{ref}}`", "per step", lo=0.0, hi=1.0,
        lo_open=True)
    # 7. dealers' hedging
    dealer: DealerBook | None = knob(  # noqa: RUF009 - knob returns a dataclasses.field
        None, "Options book a dealer delta-hedges every step", note="None = no dealer")
    protective_puts: float = knob(0.0, "Long puts added to the dealer's book", "units", lo=0.0,
                                  note="needs ``dealer``")
    put_strike: float = knob(0.95, "Strike of those puts", "fraction of ``price``",
                             lo=0.0, hi=10.0, lo_open=True)
    put_expiry: int = knob(500, "Expiry of those puts", "step", lo=1)
    # 8. predator
    predator_capital: float = knob(0.0, "Capital of the front-running predator", "USD", lo=0.0,
                                   note="0 = no predator")
    levels_visible: bool = knob(True, "Whether the predator sees the liquidation levels")
    predator_reach: float = knob(
        0.03, "How far below the oracle price the predator looks for a cluster", "fraction",
        lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    predator_rate: float = knob(0.5, "Units the predator trades per step",
                                "multiple of the depth :math:`D_t`", lo=0.0, lo_open=True)
    predator_patience: int = knob(20, "Steps it pushes before it gives up", lo=1, hi=100_000)
    predator_min_cluster: float = knob(0.5, "Smallest cluster it attacks",
                                       "units of :math:`D_t`", lo=0.0)

    def __post_init__(self) -> None:
        # One pass per kind of field, each in the order of the fields (ranges from the knobs).
        setattr_ = object.__setattr__
        for name, bounds in _CHECKS["float"]:
            setattr_(self, name, check_real(name, getattr(self, name), **bounds))
        for name, bounds in _CHECKS["int"]:
            setattr_(self, name, check_int(name, getattr(self, name), bounds["lo"], bounds["hi"]))
        for name, bounds in _CHECKS["float | None"]:
            if getattr(self, name) is not None:
                setattr_(self, name, check_real(name, getattr(self, name), **bounds))
        check_choice("impact", self.impact, tuple(IMPACT_MODELS))
        check_choice("loss_rule", self.loss_rule, tuple(LOSS_RULES))
        for name, _ in _CHECKS["bool"]:
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


def _range(f: dataclasses.Field) -> dict[str, Any]:
    return {key: f.metadata[key] for key in ("lo", "hi", "lo_open", "hi_open")}


_CHECKS = {
    kind: [(f.name, _range(f)) for f in dataclasses.fields(Scenario) if f.type == kind]
    for kind in ("float", "int", "float | None", "bool")
}
"""The fields of each kind with their ranges, in field order (what ``__post_init__`` checks)."""


def _number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _describe(f: dataclasses.Field) -> str:
    """One entry of the numpydoc ``Parameters`` section, from the field's metadata."""
    m = f.metadata
    kind = f.type.replace(" | ", " or ")
    if f.name in ("impact", "loss_rule"):
        names = IMPACT_MODELS if f.name == "impact" else LOSS_RULES
        kind = "{" + ", ".join(f'"{name}"' for name in names) + "}"
    lo, hi, lo_open, hi_open = (m[key] for key in ("lo", "hi", "lo_open", "hi_open"))
    if lo is not None and hi is not None:
        left, right = "(" if lo_open else "[", ")" if hi_open else "]"
        bounds = f"in {left}{_number(lo)}, {_number(hi)}{right}"
    elif lo is not None:
        bounds = f"{'>' if lo_open else '>='} {_number(lo)}"
    else:
        bounds = ""
    text = ", ".join(part for part in (m["doc"], m["unit"], bounds) if part)
    if m["note"]:
        text += f"; {m['note']}"
    indent = " " * 8
    return f"{f.name} : {kind}\n" + textwrap.fill(
        text + ".", 96, initial_indent=indent, subsequent_indent=indent, break_long_words=False,
        break_on_hyphens=False)


if Scenario.__doc__:  # None under python -OO
    _PARAMETERS = "    Parameters\n    ----------\n" + "".join(
        "    " + _describe(f) + "\n" for f in dataclasses.fields(Scenario)
    )
    Scenario.__doc__ = Scenario.__doc__.replace("    Examples\n", _PARAMETERS + "\n    Examples\n")


# --- what the kernel reads ----------------------------------------------------------------------

_KERNEL_TYPES = {"float": float, "int": int, "bool": bool, "float | None": float}
_KERNEL_FIELDS = [f for f in dataclasses.fields(Scenario) if f.type in _KERNEL_TYPES]

DERIVED = (
    ("impact_code", int, "code of ``impact`` in :data:`cascadelab.market.IMPACT_MODELS`"),
    ("loss_rule_code", int,
     "code of ``loss_rule`` in :data:`cascadelab.mechanisms.adl.LOSS_RULES`"),
    ("impact_floor", float, "lowest post-trade price of a batch, fraction of the pre-trade one"),
    ("predator_units", float, "``predator_capital / price``, the predator's budget in units"),
    ("dealer_vol", float, "the dealer book's volatility per step (0.01 without a dealer)"),
)
"""The values :class:`EngineParams` adds to the fields: ``(name, type, meaning)``."""

EngineParams = NamedTuple(
    "EngineParams",
    [(f.name, _KERNEL_TYPES[f.type]) for f in _KERNEL_FIELDS]
    + [(name, kind) for name, kind, _ in DERIVED],
)
EngineParams.__doc__ = (
    "Scalar parameters of one run as the kernel reads them (built by :func:`engine_params`).\n\n"
    "Every numeric field of :class:`Scenario` under its own name (an optional one that is None "
    "becomes its ``none`` value; ``maintenance`` and ``insurance_fund`` as resolved by "
    "``prepare``), then " + "; ".join(f"``{n}``: {doc}" for n, _, doc in DERIVED) + "."
)


def engine_params(scenario: Scenario, **resolved: float) -> EngineParams:
    """The kernel's parameters for ``scenario``; ``resolved`` overrides fields by name.

    :func:`cascadelab.engine.simulate.prepare` passes the resolved base ratio
    ``maintenance`` (:math:`m_0`) and ``insurance_fund`` (plus the opening fees).
    """
    unknown = set(resolved) - {f.name for f in _KERNEL_FIELDS}
    if unknown:
        raise ValueError(f"resolved must name numeric fields of Scenario, got {sorted(unknown)}")
    values = {}
    for f in _KERNEL_FIELDS:
        value = resolved.get(f.name, getattr(scenario, f.name))
        if value is None:
            value = f.metadata["none"]
            if value is None:
                raise ValueError(f"{f.name} must be resolved before the kernel reads it")
        values[f.name] = _KERNEL_TYPES[f.type](value)
    sc = scenario
    return EngineParams(
        **values,
        impact_code=IMPACT_MODELS[sc.impact],
        loss_rule_code=LOSS_RULES[sc.loss_rule],
        impact_floor=IMPACT_FLOOR,
        predator_units=sc.predator_capital / sc.price,
        dealer_vol=sc.dealer.vol if sc.dealer is not None else 0.01,
    )
