r"""The market engine: a time-stepped cascade in which every mechanism of the course can be
switched on.

One step :math:`t` of :func:`simulate` does, in this order (each step is one stage of the numba
loop in :mod:`cascadelab.kernels.engine`, named in brackets, which calls the scalar rule of its
mechanism in :mod:`cascadelab.mechanisms`):

1. **Price** (``price_step``). The fundamental log price moves,
   :math:`\ln F_t = \ln F_{t-1} + \mu - \tfrac12\sigma^2 + \sigma z_t + J_t`
   (:math:`z_t` standard normal, or Student-t with ``tail_index`` :math:`\nu` degrees of freedom
   scaled to unit variance; :math:`J_t` a jump of size :math:`N(\mu_J, \sigma_J^2)` with
   probability ``jump_rate``; a scripted ``shock`` multiplies :math:`F` by :math:`1 - s` at
   ``shock_step``; drawn beforehand by :func:`fundamental_returns`). The traded price is the
   fundamental times the transient impact :math:`g_t`, which decays back towards 1 at the
   ``resilience`` rate :math:`\kappa` (Obizhaeva-Wang): :math:`g \leftarrow 1 + (g - 1)(1 -
   \kappa)`, :math:`p_t = F_t g`.
2. **Margin** (``margin_step``; :mod:`cascadelab.mechanisms.margin`). EWMA volatility and the
   maintenance ratio: the target :math:`m^*_t = \min\{\max(m_0, z\sigma_t\sqrt h), 0.5\}`,
   reached at once (:math:`m_t = m^*_t`) or, with ``margin_step`` :math:`\delta > 0`, phased in:
   :math:`m_t = \min(m^*_t, m_{t-1} + \delta)`, :math:`m_{-1} = m_0` (falls apply at once).
3. **Oracle** :math:`o_t` (``oracle_step``; :mod:`cascadelab.mechanisms.oracles`), possibly late.
4. **Circuit breaker** (``book_depth``, ``stress_step``, ``breaker_step``;
   :mod:`cascadelab.mechanisms.breaker`): a price band, and/or the programmable stress rule
   :math:`S_t = (\rho_t / D_t)(\sigma_t / \sigma_{\text{ref}}) \ge S^*`, with :math:`\rho_t` the
   units per 1% of price of positions whose trigger lies within ``stress_window`` of
   :math:`o_t`.
5. **Triggers** (``trigger``). With bankruptcy price :math:`b_i` and a common :math:`m_t`, a long
   is liquidatable iff :math:`o_t (1 - m_t) \le b_i + \ell_{\text{long}}` and a short iff
   :math:`o_t (1 + m_t) \ge b_i - \ell_{\text{short}}` (:math:`\ell` the socialised levy per
   unit, below). Both sides are sorted once by :math:`b_i` (``Positions.by_trigger(direction,
   key="bankruptcy")``, cached on the population); the order never changes as :math:`m_t` and
   :math:`\ell` move, so a pointer per side walks each position once.
6. **Liquidation orders** (``liquidation_orders``; :mod:`cascadelab.mechanisms.liquidation`):
   triggered positions join a queue and are closed in slices (all at once by default).
7. **Dealer hedge** (``dealer_hedge``; :mod:`cascadelab.mechanisms.hedging`) and **predator**
   (``predator_step``; :mod:`cascadelab.mechanisms.adversary`).
8. **One batch** (``batch``) of net units :math:`u` (> 0 sells) through the book of depth
   :math:`D_t = D \max(e^{-\text{depth\_stress}\,|p_t/p_a - 1|}, \delta_D)` (:math:`p_a` the
   price at the start or at the last reopening, :math:`\delta_D` the depth floor below) with the
   foundation's impact model, inside the price band:
   :math:`p'_t = \min\{\max[\text{impact}(p_t, u, D_t),\ 10^{-3} F_t],\ 2 F_t\}`; every order
   fills at :math:`(p_t + p'_t)/2`, as in the static cascade, and :math:`g \leftarrow p'_t / F_t`.
9. **Settlement** (``settle_slices``) of each slice of :math:`q` units with collateral :math:`c`
   (its share of the position's collateral) by :func:`cascadelab.positions.settle`:
   :math:`c = \text{returned} + \text{penalty} + \text{paid to market}`,
   :math:`\text{bad debt} = \max(-(c + \text{pnl}), 0)`.
10. **Loss waterfall** (``loss_waterfall``). A share ``penalty_to_fund`` of penalties goes to the
    insurance fund, the rest to the liquidators. Bad debt :math:`B` is paid by the fund first;
    the rest :math:`S = B - \min(\text{fund}, B)` is **socialised pro rata per open unit on the
    opposite side**: every open short pays :math:`S / U_{\text{short}}` USD per unit it holds
    when longs go bankrupt (and vice versa), :math:`\ell_{\text{short}} \mathrel{+}= S /
    U_{\text{short}}`. The levy comes out of their collateral, so it moves their bankruptcy
    prices by the same amount and can trigger them in turn. If nobody is left on the opposite
    side the loss is recorded as ``uncovered_loss``. With ``loss_rule="adl"``
    (``adl_waterfall``; :mod:`cascadelab.mechanisms.adl`) the rest is covered instead by
    force-closing the opposite side's profitable positions ranked by BitMEX's PnL% times
    effective leverage, at the bankrupt slices' bankruptcy price: ``socialized_loss`` is then
    the profit they give up, ``adl_units`` the units closed, and the levies of the collateral
    identity below are 0. Identities checked every step:
    :math:`\text{bad debt} = \text{fund draw} + \text{socialised} + \text{uncovered}`, and
    :math:`\sum_i c_i(0) = \sum_{s \le t}(\text{closed collateral} + \text{socialised}) +
    \text{open collateral}_t`.

**Bounds: the model's range, as venues bound theirs.** Two rules keep every valid scenario
finite and its prices meaningful (:mod:`cascadelab.market`):

* **depth floor**: the book never thins below ``DEPTH_FLOOR`` :math:`\delta_D = 1\%` of its
  depth, :math:`D_t \ge 0.01 D` (``depth_stress`` up to 100 would otherwise thin it to zero);
* **price band**: like an exchange's price band around its index price (and the US
  limit-up-limit-down bands, docs/references.md ``sec-luld-2011``), no trade prints outside
  :math:`[10^{-3} F_t,\ 2 F_t]`: the traded price never falls below 0.1% of the fundamental (the
  book's own floor) nor rises above twice it, so forced buys of shorts through a thinned linear
  or exponential book cannot run away (they reached 2,708 times the fundamental before).

Neither binds in the course's scenarios (there the traded price stays between 0.6 and 1.4 times
the fundamental and the book is never thinned), so no figure of the course changes. What is
still outside the model's range is refused before the run (:mod:`cascadelab.engine.bounds`): a
call that would need more than 4 GiB (``ValueError`` naming ``steps`` or ``paths`` and the
estimate), and a fundamental that leaves :math:`[10^{-250}, 10^{250}]` USD
(``FloatingPointError`` naming ``sigma``, ``mu``, the jumps or the number of steps); a money
row that still overflows raises ``FloatingPointError`` naming the sizes, the dealer's book or the
predator's capital.

The parameters are one :class:`~cascadelab.engine.scenario.Scenario`; the kernel reads them as
:class:`~cascadelab.engine.scenario.EngineParams`, by the same names.

Per-position maintenance: the engine applies one ratio to every position,
:math:`m_t = \max(m_0, z\sigma_t\sqrt h)` (phased in by ``margin_step`` if set). :math:`m_0` is
``Scenario.maintenance`` if given, otherwise the positions' own ratio, which must then be the
same for all of them.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_instance, check_int, check_real
from cascadelab.engine.bounds import check_fundamental, check_memory, non_finite_message
from cascadelab.engine.scenario import EngineParams, Scenario, engine_params
from cascadelab.kernels import engine as _k
from cascadelab.mechanisms.margin import M_MAX, apply_opening_fee
from cascadelab.positions import Positions, sample_positions

__all__ = ["DEFAULT_STEPS", "SimulationResult", "default_market", "simulate"]

DEFAULT_STEPS = 300
"""Steps that show the default scenario's shock, cascade and partial recovery."""

@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Outcome of :func:`simulate`: per-step arrays (length ``steps``) and totals.

    Prices in USD, sizes in units of the asset, money in USD. Step ``t`` of every array is
    the state at the end of step ``t`` unless said otherwise.

    Attributes
    ----------
    scenario : Scenario
    steps : int
    price : ndarray
        Traded price after the step's batch.
    pre_trade_price : ndarray
        Price before the step's trades (what the oracle reads).
    fundamental : ndarray
        Fundamental price :math:`F_t`.
    oracle_price : ndarray
        Price the liquidation engine used.
    maintenance : ndarray
        Maintenance ratio :math:`m_t`.
    sigma : ndarray
        EWMA volatility per step.
    depth : ndarray
        Depth :math:`D_t`, units per 1%.
    liquidated_units, liquidated_notional : ndarray
        Units closed (long sells plus short buys) and their value at the fill price.
    n_liquidations : ndarray of int64
        Positions with a slice closed in the step.
    slippage : ndarray
        :math:`|\\text{fill}/p_t - 1|` on steps with liquidations, else 0.
    closed_collateral, returned, penalties, penalties_to_fund, paid_to_market : ndarray
        Collateral of the closed slices and its split: ``closed_collateral = returned +
        penalties + paid_to_market``; ``penalties_to_fund`` is the fund's share.
    realized_pnl : ndarray
        Traders' P&L on the closed slices: ``paid_to_market + bad_debt = -realized_pnl``.
    bad_debt, fund_draw, socialized_loss, uncovered_loss : ndarray
        ``bad_debt = fund_draw + socialized_loss + uncovered_loss`` at every step, under both
        loss rules. ``socialized_loss`` is the pro-rata levy on the opposite side
        (``loss_rule="socialise"``), or under ``"adl"`` the profit the force-closed traders give
        up (closed at the bankrupt positions' bankruptcy price instead of the fill): it comes
        out of their profit, not their collateral.
    adl_units : ndarray
        Units force-closed by auto-deleveraging (0 under ``"socialise"``); who was closed shows
        in ``remaining_size``.
    insurance_fund : ndarray
        Fund balance: ``fund[t] = fund[t-1] + penalties_to_fund[t] - fund_draw[t]``.
    open_collateral : ndarray
        Collateral still held by open positions (after levies):
        ``initial_collateral - cumsum(closed_collateral + levies) = open_collateral``, the
        levies being ``socialized_loss`` under ``"socialise"`` and 0 under ``"adl"`` (whose
        closed positions' collateral is in ``closed_collateral`` and ``returned``).
    halted : ndarray of bool
        Whether trading was halted.
    dealer_flow : ndarray
        Units the dealer's hedge sold (negative: bought).
    dealer_gamma : ndarray
        Gamma of the dealer's book, units per USD (negative: short gamma).
    attacker_position, attacker_pnl : ndarray
        Predator's position (units, negative short) and P&L marked to market, USD.
    attacker_hunting_pnl : ndarray
        The predator's P&L from hunting alone, USD: ``attacker_pnl`` minus what its position
        earned from the fundamental's own moves,
        :math:`\\Pi^{\\text{hunt}}_t = \\Pi_t - \\sum_{s \\le t} x_{s-1}(F_s - F_{s-1})`
        (:math:`x_{-1} = 0`, :math:`F_{-1} = p_0`); see :mod:`cascadelab.mechanisms.adversary`.
    net_flow : ndarray
        Net units sold into the book.
    stress : ndarray
        Stress index :math:`S_t` of the programmable breaker, at the start of the step before
        its trades. Computed only when the rule is on (``stress_halt > 0``), NaN otherwise: to
        watch :math:`S_t` without halting, set ``stress_halt`` above its reach (e.g. 1e6).
    remaining_size, remaining_collateral : ndarray
        Per position (in the order of the input), what is left at the end.
    loss_share : ndarray
        Per position (in the order of the input), USD it paid towards the others' bad debt:
        under ``"socialise"`` the levies charged to it, :math:`\\sum_t q_i(t)\\,\\Delta\\ell_t`
        (:math:`q_i(t)` its open units when the levy per unit :math:`\\ell` of its side rose by
        :math:`\\Delta\\ell_t`, i.e. when the other side went bankrupt), which can exceed its
        collateral (the excess is then part of its own bad debt when it is liquidated); under
        ``"adl"`` the profit it gave up, :math:`\\sum_t u_i(t)\\,g_t` (its units closed by
        ADL in step :math:`t` times that step's bad debt per bankrupt unit :math:`g_t`, the
        gap between the bankrupt slices' bankruptcy price :math:`\\bar b_t` and the fill).
        Non-negative; 0 for a position whose side never paid; ``loss_share.sum()`` equals
        ``total_socialized_loss`` up to rounding (relative 1e-9). Computed exactly in the
        kernel at O(1) per position touched (:func:`cascadelab.kernels.engine.remaining`).
    initial_collateral, opening_fees : float
        Total collateral at the start; fees paid into the fund at opening (``fee_z``).
    max_drawdown, min_price, final_price, total_liquidated_notional, total_liquidated_units,
    total_bad_debt, total_fund_draw, total_socialized_loss, total_penalties, n_liquidated,
    halted_steps, worst_slippage, realized_vol, final_attacker_pnl : float or int
        Totals. ``max_drawdown`` is the largest fall from a running peak (starting at
        ``p0``), as a fraction; ``n_liquidated`` counts positions closed in full;
        ``realized_vol`` is the standard deviation of the one-step log returns of ``price``.
    """

    scenario: Scenario
    steps: int
    price: np.ndarray
    pre_trade_price: np.ndarray
    fundamental: np.ndarray
    oracle_price: np.ndarray
    maintenance: np.ndarray
    sigma: np.ndarray
    depth: np.ndarray
    liquidated_units: np.ndarray
    liquidated_notional: np.ndarray
    n_liquidations: np.ndarray
    slippage: np.ndarray
    closed_collateral: np.ndarray
    returned: np.ndarray
    penalties: np.ndarray
    penalties_to_fund: np.ndarray
    paid_to_market: np.ndarray
    realized_pnl: np.ndarray
    bad_debt: np.ndarray
    fund_draw: np.ndarray
    socialized_loss: np.ndarray
    uncovered_loss: np.ndarray
    adl_units: np.ndarray
    insurance_fund: np.ndarray
    open_collateral: np.ndarray
    halted: np.ndarray
    dealer_flow: np.ndarray
    dealer_gamma: np.ndarray
    attacker_position: np.ndarray
    attacker_pnl: np.ndarray
    attacker_hunting_pnl: np.ndarray
    net_flow: np.ndarray
    stress: np.ndarray
    remaining_size: np.ndarray
    remaining_collateral: np.ndarray
    loss_share: np.ndarray
    initial_collateral: float
    opening_fees: float
    max_drawdown: float
    min_price: float
    final_price: float
    total_liquidated_notional: float
    total_liquidated_units: float
    total_bad_debt: float
    total_fund_draw: float
    total_socialized_loss: float
    total_penalties: float
    n_liquidated: int
    halted_steps: int
    worst_slippage: float
    realized_vol: float
    final_attacker_pnl: float

    def describe(self) -> str:
        """The run in one short paragraph of words."""
        sc = self.scenario
        return (
            f"Over {self.steps} steps the price went from {sc.price:,.2f} to "
            f"{self.final_price:,.2f} USD (low {self.min_price:,.2f}, max drawdown "
            f"{self.max_drawdown:.1%}). {self.n_liquidated:,} positions were liquidated "
            f"({self.total_liquidated_notional:,.0f} USD). Bad debt {self.total_bad_debt:,.0f} "
            f"USD: {self.total_fund_draw:,.0f} from the insurance fund, "
            f"{self.total_socialized_loss:,.0f} socialised. Halted {self.halted_steps} steps."
        )


def _base_maintenance(positions: Positions, scenario: Scenario) -> float:
    if scenario.maintenance is not None:
        return scenario.maintenance
    m = positions.maintenance
    if m.size and np.ptp(m) > 0.0:
        raise ValueError(
            f"positions.maintenance must be the same for every position when "
            f"Scenario.maintenance is None, got values in [{m.min():g}, {m.max():g}]; "
            f"set Scenario(maintenance=...) to use one ratio for all"
        )
    base = float(m[0]) if m.size else 0.0
    return check_real("positions.maintenance", base, 0.0, M_MAX)


def _options(scenario: Scenario) -> _k.OptionBook:
    sc = scenario
    if sc.dealer is None:
        return _k.OptionBook(np.empty(0), np.empty(0, np.int64), np.empty(0), np.empty(0, np.bool_))
    book = sc.dealer
    if sc.protective_puts > 0.0:
        book = book.with_puts(sc.put_strike * sc.price, sc.protective_puts, sc.put_expiry)
    return _k.OptionBook(
        np.ascontiguousarray(book.strike), np.ascontiguousarray(book.expiry),
        np.ascontiguousarray(book.units), np.ascontiguousarray(book.call),
    )


def fundamental_returns(
    scenario: Scenario, steps: int, rng: np.random.Generator
) -> np.ndarray:
    r"""Draw the fundamental's one-step log returns (see the module docstring, step 1).

    :math:`r_t = \mu - \tfrac12\sigma^2 + \sigma z_t + J_t`, plus :math:`\ln(1 - s)` at the shock
    step. The draws, in this order: ``steps`` innovations, then (if ``jump_rate > 0``)
    ``steps`` uniforms and ``steps`` jump sizes.
    """
    return log_returns(scenario, *draw_innovations(scenario, steps, rng))


def draw_innovations(
    scenario: Scenario, steps: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The raw draws of :func:`fundamental_returns`, in its order: the innovations (standard
    normal, or Student-t not yet scaled), then the jumps' uniforms and sizes (None without
    jumps)."""
    sc = scenario
    z = rng.standard_normal(steps) if sc.tail_index is None else rng.standard_t(sc.tail_index,
                                                                                  steps)
    if sc.jump_rate > 0.0:
        return z, rng.random(steps), rng.normal(sc.jump_mean, sc.jump_sd, steps)
    return z, None, None


def log_returns(
    scenario: Scenario, z: np.ndarray, uniform: np.ndarray | None, jump: np.ndarray | None
) -> np.ndarray:
    """Log returns from the draws of :func:`draw_innovations`, one path or one path per row
    (steps on the last axis); the same arithmetic, element by element, in both cases."""
    sc = scenario
    if sc.tail_index is not None:
        nu = sc.tail_index
        z = z * math.sqrt((nu - 2.0) / nu)
    r = sc.mu - 0.5 * sc.sigma**2 + sc.sigma * z
    if uniform is not None:
        r = r + (uniform < sc.jump_rate) * jump
    steps = r.shape[-1]
    if sc.shock != 0.0 and sc.shock_step < steps:
        r[..., sc.shock_step] += math.log1p(-sc.shock)
    return np.ascontiguousarray(r)


def prepare(
    positions: Positions, scenario: Scenario, steps: int
) -> tuple[EngineParams, float, tuple]:
    """Validate and turn the inputs into what the kernels read (shared with ``monte_carlo``).

    Returns ``(prm, fees, arrays)``: the :class:`~cascadelab.engine.scenario.EngineParams`, the
    opening fees paid into the fund, and the kernel's array arguments ``(population, longs,
    shorts, options)`` (the positions after fees; both sides sorted by bankruptcy price, from
    the population's one sort cache).
    """
    check_instance("positions", positions, Positions)
    check_instance("scenario", scenario, Scenario)
    steps = check_int("steps", steps, lo=1, hi=10_000_000)
    if scenario.shock != 0.0 and scenario.shock_step >= steps:
        raise ValueError(
            f"shock_step must be in [0, {steps - 1}] (before the last step), got "
            f"{scenario.shock_step}"
        )
    m0 = _base_maintenance(positions, scenario)
    fees = 0.0
    if scenario.fee_z > 0.0:
        rate = scenario.fee_z * scenario.sigma * math.sqrt(scenario.margin_horizon)
        positions, fees = apply_opening_fee(positions, rate)
    prm = engine_params(scenario, maintenance=m0, insurance_fund=scenario.insurance_fund + fees)
    pop = _k.Population(positions.side, positions.size, positions.entry,
                        np.ascontiguousarray(positions.collateral))
    longs = positions.by_trigger(1, key="bankruptcy")
    shorts = positions.by_trigger(-1, key="bankruptcy")
    return prm, fees, (pop, longs, shorts, _options(scenario))


def _rng(seed: object) -> np.random.Generator:
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    return np.random.default_rng(check_int("seed", seed, lo=0))


def simulate(
    positions: Positions | None = None,
    scenario: Scenario | None = None,
    *,
    steps: int = DEFAULT_STEPS,
    seed: int | np.random.SeedSequence = 0,
) -> SimulationResult:
    """Run the market engine for ``steps`` steps on one random path.

    Parameters
    ----------
    positions : Positions or None
        The open positions at step 0 (their entry prices should sit around ``scenario.price``);
        None = the default population of :func:`default_market`.
    scenario : Scenario or None
        Parameters of every mechanism (see :class:`Scenario` and the module docstring for the
        equations); None = ``Scenario()``.
    steps : int
        Number of steps, >= 1.
    seed : int or numpy.random.SeedSequence
        Seed of the fundamental's random path, >= 0; the same seed gives the same result bit for
        bit.

    Returns
    -------
    SimulationResult

    Notes
    -----
    The cost is O(N log N) once per population (sorting, cached) and then
    O(N + steps + liquidations) per call. With gradual liquidation each step also visits the
    queue of positions in liquidation.

    Examples
    --------
    >>> pos, sc = default_market()
    >>> res = simulate(pos, sc, steps=DEFAULT_STEPS, seed=0)
    >>> bool(res.min_price < 95.0), bool(res.n_liquidated > 0)
    (True, True)
    """
    if positions is None:
        positions = _default_positions(20_000, 0)
    if scenario is None:
        scenario = Scenario()
    prm, fees, arrays = prepare(positions, scenario, steps)
    pop = arrays[0]
    n = pop.side.shape[0]
    check_memory(n, steps)
    log_ret = fundamental_returns(scenario, steps, _rng(seed))
    check_fundamental(log_ret, scenario)
    out = np.empty((steps, _k.N_ROWS))
    final_size = np.empty(n)
    final_collateral = np.empty(n)
    final_loss = np.zeros(n)  # the kernel writes only the positions that paid
    _k.run(prm, log_ret, *arrays, out, final_size, final_collateral, final_loss,
           _k.workspace(n, steps))
    totals = np.empty(_k.N_TOTALS)
    _k.path_totals(out, prm.price, totals)
    checked = out[:, :_k.STRESS]  # the last row, stress, is NaN when the stress rule is off
    if not (np.isfinite(checked).all() and np.isfinite(totals).all()):
        raise FloatingPointError(non_finite_message(checked))
    rows = {name: out[:, getattr(_k, name.upper())].copy() for name in (
        "price", "fundamental", "maintenance", "sigma", "depth", "returned", "penalties",
        "realized_pnl", "bad_debt", "fund_draw", "insurance_fund", "open_collateral",
        "dealer_flow", "dealer_gamma", "attacker_position", "attacker_pnl", "net_flow",
        "slippage", "stress",
    )}
    return SimulationResult(
        scenario=scenario,
        steps=steps,
        attacker_hunting_pnl=_hunting_pnl(rows["attacker_pnl"], rows["attacker_position"],
                                          rows["fundamental"], scenario.price),
        pre_trade_price=out[:, _k.PRE_PRICE].copy(),
        oracle_price=out[:, _k.ORACLE].copy(),
        liquidated_units=out[:, _k.LIQ_UNITS].copy(),
        liquidated_notional=out[:, _k.LIQ_NOTIONAL].copy(),
        n_liquidations=out[:, _k.N_LIQ].astype(np.int64),
        closed_collateral=out[:, _k.CLOSED_COLLATERAL].copy(),
        penalties_to_fund=out[:, _k.PENALTY_TO_FUND].copy(),
        paid_to_market=out[:, _k.PAID_TO_MARKET].copy(),
        socialized_loss=out[:, _k.SOCIALIZED].copy(),
        uncovered_loss=out[:, _k.UNCOVERED].copy(),
        adl_units=out[:, _k.ADL_UNITS].copy(),
        halted=out[:, _k.HALTED] > 0.5,
        remaining_size=final_size,
        remaining_collateral=final_collateral,
        loss_share=final_loss,
        initial_collateral=float(pop.collateral.sum()),
        opening_fees=fees,
        max_drawdown=float(totals[_k.T_MAX_DRAWDOWN]),
        min_price=float(totals[_k.T_MIN_PRICE]),
        final_price=float(totals[_k.T_FINAL_PRICE]),
        total_liquidated_notional=float(totals[_k.T_LIQ_NOTIONAL]),
        total_liquidated_units=float(out[:, _k.LIQ_UNITS].sum()),
        total_bad_debt=float(totals[_k.T_BAD_DEBT]),
        total_fund_draw=float(totals[_k.T_FUND_DRAW]),
        total_socialized_loss=float(totals[_k.T_SOCIALIZED]),
        total_penalties=float(out[:, _k.PENALTIES].sum()),
        n_liquidated=int((final_size == 0.0).sum()),
        halted_steps=int(totals[_k.T_HALTED_STEPS]),
        worst_slippage=float(totals[_k.T_WORST_SLIPPAGE]),
        realized_vol=float(totals[_k.T_REALIZED_VOL]),
        final_attacker_pnl=float(totals[_k.T_ATTACKER_PNL]),
        **rows,
    )


def _hunting_pnl(pnl: np.ndarray, position: np.ndarray, fundamental: np.ndarray,
                 p0: float) -> np.ndarray:
    """``pnl`` minus the running sum of ``x[t-1] * (F[t] - F[t-1])``; ``x[-1] = 0``, ``F[-1] = p0``.

    The predator's P&L without what its position earned from the fundamental's own moves.
    """
    x_prev = np.concatenate(([0.0], position[:-1]))
    f_prev = np.concatenate(([p0], fundamental[:-1]))
    return pnl - np.cumsum(x_prev * (fundamental - f_prev))


@functools.lru_cache(maxsize=4)
def _default_positions(n: int, seed: int) -> Positions:
    # Positions are immutable, so the same object (and its cached sort) can be shared.
    return sample_positions(n, Scenario.price, seed=seed)


def default_market(n: int = 20_000, *, seed: int = 0) -> tuple[Positions, Scenario]:
    """The course's default market: ``sample_positions(n, 100.0, seed=seed)`` and ``Scenario()``.

    A 5% shock at step 10 on a 200,000-unit book sets off a visible but not total cascade in
    :data:`DEFAULT_STEPS` steps; change one field with ``scenario.replace(...)``. The population
    is cached (positions are immutable), so repeated calls are free.

    Examples
    --------
    >>> pos, sc = default_market()
    >>> len(pos), sc.shock
    (20000, 0.05)
    """
    n = check_int("n", n, lo=0)
    seed = check_int("seed", seed, lo=0)
    return _default_positions(n, seed), Scenario()
