"""The market engine: quiet market, the default cascade, each mechanism's direction, exact
accounting, agreement with the static cascade, validation and JIT/pure-Python equality."""

from __future__ import annotations

import dataclasses
import io
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jit_paths import jit_and_python

import cascadelab as cl
from cascadelab import Book, DealerBook, Positions, Scenario, cascade, sample_positions, simulate
from cascadelab.chapters.approach import STRESS as STRESS_MARKET
from cascadelab.engine.scenario import DERIVED, EngineParams, engine_params
from cascadelab.mechanisms.margin import vol_adjusted_maintenance


@pytest.fixture(scope="module")
def pos() -> Positions:
    return cl.default_market()[0]


@pytest.fixture(scope="module")
def small() -> Positions:
    return sample_positions(3_000, 100.0, seed=2)


def run(positions: Positions, steps: int = 200, seed: int = 3, **changes: object):
    return simulate(positions, Scenario(**changes), steps=steps, seed=seed)


def long_cluster(distance: float, n: int = 2_000, units: float = 100.0) -> Positions:
    """``n`` longs entered at 100 whose liquidation price sits ``distance`` below 100."""
    m = 0.005
    lev = 1.0 / (1.0 - (1.0 - distance) * (1.0 - m))
    return Positions(np.ones(n, np.int8), np.full(n, units), np.full(n, 100.0),
                     np.full(n, lev), m)


# --- quiet market and the default picture -------------------------------------------------------

def test_quiet_market_price_constant_nothing_liquidated(pos):
    res = run(pos, steps=100, shock=0.0, sigma=0.0)
    assert np.all(res.price == 100.0)
    assert np.all(res.oracle_price == 100.0)
    assert res.n_liquidated == 0 and res.liquidated_units.sum() == 0.0
    assert res.total_bad_debt == 0.0 and res.max_drawdown == 0.0
    assert np.all(res.insurance_fund == Scenario().insurance_fund)
    np.testing.assert_array_equal(res.remaining_size, pos.size)


def test_default_cascade_is_visible_but_not_total(pos):
    res = simulate()
    assert res.steps == cl.DEFAULT_STEPS
    assert 0.05 * len(pos) < res.n_liquidated < 0.6 * len(pos)
    # the 5% shock is amplified, but the market does not collapse
    assert 0.07 < res.max_drawdown < 0.3
    assert res.total_bad_debt > 0.0 and res.total_fund_draw > 0.0
    # the cascade is spread over several steps after the shock
    busy = np.flatnonzero(res.n_liquidations[10:] > 0)
    assert busy.size >= 3


def test_same_seed_same_result_different_seed_differs(small):
    a = run(small, sigma=0.004)
    b = run(small, sigma=0.004)
    c = simulate(small, Scenario(sigma=0.004), steps=200, seed=4)
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=f.name)
    assert not np.array_equal(a.price, c.price)


def test_default_arguments_match_default_market():
    pos, sc = cl.default_market()
    a = simulate()
    b = simulate(pos, sc, steps=cl.DEFAULT_STEPS, seed=0)
    np.testing.assert_array_equal(a.price, b.price)


# --- accounting ----------------------------------------------------------------------------------

def check_accounting(res, sc: Scenario) -> None:
    """Every identity the engine promises, step by step."""
    tol = 1e-9 * max(res.initial_collateral, 1.0)
    np.testing.assert_allclose(
        res.closed_collateral, res.returned + res.penalties + res.paid_to_market, rtol=0, atol=tol)
    np.testing.assert_allclose(
        res.bad_debt, res.fund_draw + res.socialized_loss + res.uncovered_loss, rtol=0, atol=tol)
    np.testing.assert_allclose(res.paid_to_market + res.bad_debt, -res.realized_pnl,
                               rtol=0, atol=tol)
    fund_before = np.concatenate(([sc.insurance_fund + res.opening_fees], res.insurance_fund[:-1]))
    np.testing.assert_allclose(
        res.insurance_fund, fund_before + res.penalties_to_fund - res.fund_draw, rtol=0, atol=tol)
    np.testing.assert_allclose(res.penalties_to_fund, sc.penalty_to_fund * res.penalties,
                               rtol=0, atol=tol)
    # every unit of collateral is somewhere named: closed (and split above), levied, or still open
    gone = np.cumsum(res.closed_collateral + res.socialized_loss)
    np.testing.assert_allclose(res.initial_collateral - gone, res.open_collateral, rtol=0, atol=tol)
    assert res.remaining_collateral.sum() == pytest.approx(res.open_collateral[-1], abs=tol)
    # the fund pays before anybody is levied, and never goes negative
    assert np.all(res.insurance_fund >= 0.0)
    levied = res.socialized_loss > 0
    assert np.all(res.insurance_fund[levied] == 0.0)
    assert np.all(res.returned >= 0) and np.all(res.penalties >= 0) and np.all(res.bad_debt >= 0)


@pytest.mark.parametrize("changes", [
    {},
    {"insurance_fund": 0.0, "penalty_to_fund": 0.5},
    {"close_factor": 0.3, "max_book_share": 0.5, "cooldown": 2, "oracle_latency": 3},
    {"shock": -0.08, "sigma": 0.004, "insurance_fund": 0.0},
    {"fee_z": 5.0, "sigma": 0.003, "margin_z": 3.0},
    {"sigma": 0.003, "margin_z": 3.0, "margin_step": 0.0005},
    {"band": 0.04, "window": 5, "halt_steps": 10, "liquidate_in_halt": True, "depth": 80_000.0},
])
def test_accounting_identity_every_step(pos, changes):
    sc = Scenario(**changes)
    res = simulate(pos, sc, steps=200, seed=5)
    assert res.total_liquidated_notional > 0
    check_accounting(res, sc)


def test_socialised_loss_is_levied_on_the_opposite_side(pos):
    res = run(pos, insurance_fund=0.0)
    assert res.total_socialized_loss > 0.0
    # longs went bankrupt: the open shorts paid the levy out of their collateral
    shorts = (pos.side < 0) & (res.remaining_size == pos.size)
    paid = pos.collateral[shorts] - res.remaining_collateral[shorts]
    assert np.all(paid >= -1e-9)
    levy_per_unit = paid / pos.size[shorts]
    np.testing.assert_allclose(levy_per_unit, levy_per_unit[0], rtol=1e-9)
    assert paid.sum() == pytest.approx(res.total_socialized_loss, rel=1e-9)
    # untouched longs paid nothing
    longs = (pos.side > 0) & (res.remaining_size == pos.size)
    np.testing.assert_allclose(res.remaining_collateral[longs], pos.collateral[longs], rtol=1e-12)


def test_insurance_fund_absorbs_before_socialisation(pos):
    none = run(pos, insurance_fund=0.0)
    big = run(pos, insurance_fund=1e9)
    assert none.total_socialized_loss > 0.0
    assert big.total_socialized_loss == 0.0
    assert big.total_fund_draw == pytest.approx(big.total_bad_debt)


# --- agreement with the static cascade ----------------------------------------------------------

def test_engine_reproduces_the_static_cascade():
    """No noise, permanent exponential impact, a perfect oracle: one engine step per round."""
    pos = sample_positions(5_000, 100.0, seed=1)
    book = Book(depth=40_000.0, impact="exponential")
    static = cascade(pos, 100.0, 0.05, book, penalty=0.01)
    res = run(pos, steps=60, sigma=0.0, shock=0.05, shock_step=0, depth=book.depth,
              impact="exponential", resilience=0.0, insurance_fund=1e12)
    assert static.rounds > 3
    np.testing.assert_array_equal(res.remaining_size == 0.0, static.liquidated)
    assert res.final_price == pytest.approx(static.final_price, rel=1e-12)
    np.testing.assert_allclose(res.price[: static.rounds], static.round_prices[1:], rtol=1e-12)
    assert res.total_bad_debt == pytest.approx(static.bad_debt, rel=1e-9)
    assert res.total_penalties == pytest.approx(static.penalties, rel=1e-9)


# --- each mechanism moves the outcome the way theory says -----------------------------------------

def test_price_path_noise_tails_and_jumps():
    quiet = Scenario(shock=0.0, sigma=0.0)
    pos = sample_positions(10, 100.0, seed=0)
    noisy = simulate(pos, quiet.replace(sigma=0.01), steps=2000, seed=1)
    r = np.diff(np.log(noisy.fundamental))
    assert np.std(r) == pytest.approx(0.01, rel=0.1)
    fat = simulate(pos, quiet.replace(sigma=0.01, tail_index=3.0), steps=2000, seed=1)
    rf = np.diff(np.log(fat.fundamental))
    kurt = lambda x: np.mean((x - x.mean()) ** 4) / np.var(x) ** 2  # noqa: E731
    assert kurt(rf) > kurt(r) + 1.0
    jumps = simulate(pos, quiet.replace(jump_rate=0.05, jump_mean=-0.02, jump_sd=0.0),
                     steps=1000, seed=1)
    rj = np.diff(np.log(jumps.fundamental))
    assert 20 < np.sum(np.isclose(rj, -0.02)) < 80
    shocked = simulate(pos, quiet.replace(shock=0.1, shock_step=7), steps=20, seed=1)
    assert shocked.fundamental[6] == 100.0 and shocked.fundamental[7] == pytest.approx(90.0)


def test_resilience_and_depth_stress(pos):
    base = run(pos)
    assert run(pos, resilience=0.3).max_drawdown < base.max_drawdown
    assert run(pos, depth_stress=5.0).max_drawdown > base.max_drawdown
    # transient impact decays back to the fundamental once the selling stops
    res = run(pos, steps=400, sigma=0.0, resilience=0.1)
    assert res.price[-1] == pytest.approx(res.fundamental[-1], rel=1e-6)


def test_oracle_latency_raises_bad_debt(pos):
    prompt = run(pos)
    late = run(pos, oracle_latency=5)
    assert late.total_bad_debt > 1.05 * prompt.total_bad_debt
    np.testing.assert_array_equal(late.oracle_price[5:], late.pre_trade_price[:-5])


def test_oracle_heartbeat_and_deviation(pos):
    res = run(pos, heartbeat=10, deviation=0.0)
    changes = np.flatnonzero(np.diff(res.oracle_price) != 0) + 1
    assert np.all(changes % 10 == 9)  # refreshed at steps 9, 19, 29, ...
    dev = run(pos, heartbeat=1000, deviation=0.01)
    assert np.all(np.abs(dev.pre_trade_price / dev.oracle_price - 1) < 0.01 + 1e-12)
    assert run(pos, heartbeat=20).total_bad_debt > run(pos).total_bad_debt


def test_gradual_liquidation_lowers_worst_slippage(pos):
    full = run(pos)
    gradual = run(pos, close_factor=0.25, max_book_share=0.5)
    assert gradual.worst_slippage < 0.5 * full.worst_slippage
    # the book-share cap holds every step
    assert np.all(gradual.liquidated_units <= 0.5 * gradual.depth * (1 + 1e-12))
    # close factor: no position loses more than 25% of its size in one step (a run of t + 1
    # steps repeats the run of t steps, then does one more)
    before = run(pos, close_factor=0.25, steps=11).remaining_size
    for t in range(12, 17):
        after = run(pos, close_factor=0.25, steps=t).remaining_size
        step = before - after
        assert np.all(step <= 0.25 * pos.size * (1 + 1e-12)) and step.max() > 0
        before = after


def test_cooldown_spaces_the_slices(small):
    res = simulate(small, Scenario(close_factor=0.1, cooldown=4, shock_step=0), steps=80, seed=0)
    fast = simulate(small, Scenario(close_factor=0.1, shock_step=0), steps=80, seed=0)
    # with a cooldown the queue drains slower
    assert np.argmax(np.cumsum(res.liquidated_units) >= 0.99 * res.liquidated_units.sum()) > \
        np.argmax(np.cumsum(fast.liquidated_units) >= 0.99 * fast.liquidated_units.sum())


def test_penalty_split_between_fund_and_liquidators(pos):
    all_fund = run(pos)
    half = run(pos, penalty_to_fund=0.5)
    assert half.penalties_to_fund.sum() == pytest.approx(0.5 * half.total_penalties)
    assert all_fund.penalties_to_fund.sum() == pytest.approx(all_fund.total_penalties)


def test_vol_adjusted_margin_rises_with_volatility_and_cuts_bad_debt(pos):
    plain = run(pos, sigma=0.003)
    adj = run(pos, sigma=0.003, margin_z=6.0)
    assert np.all(plain.maintenance == 0.005)
    assert adj.maintenance.max() > 0.1
    # the margin follows the EWMA: it is highest right after the shock
    assert np.argmax(adj.maintenance) >= 10
    assert adj.total_bad_debt < 0.1 * plain.total_bad_debt


def test_phased_in_margin_rises_at_most_margin_step_per_step(pos):
    step = 0.0005
    sc = STRESS_MARKET.replace(margin_z=3.0, margin_step=step)
    for seed in range(3):
        res = simulate(pos, sc, steps=200, seed=seed)
        m = np.concatenate([[0.005], res.maintenance])  # m_{-1} = m_0
        target = vol_adjusted_maintenance(res.sigma, 0.005, 3.0, sc.margin_horizon)
        assert np.all(np.diff(m) <= step + 1e-12)
        assert np.all(res.maintenance <= target)
        # each step either reaches the target or rises by exactly margin_step
        reached = res.maintenance == target
        np.testing.assert_allclose(np.diff(m)[~reached], step, rtol=1e-9)
        assert (~reached).sum() > 10 and reached.sum() > 10
        # a fall applies at once
        assert np.any(np.diff(m)[reached] < 0.0)


def test_phased_in_margin_makes_the_busiest_step_smaller(pos):
    instant = STRESS_MARKET.replace(margin_z=3.0)
    phased = instant.replace(margin_step=0.0005)
    seeds = range(8)
    peak_instant = [simulate(pos, instant, steps=200, seed=s).liquidated_units.max()
                    for s in seeds]
    peak_phased = [simulate(pos, phased, steps=200, seed=s).liquidated_units.max()
                   for s in seeds]
    assert np.mean(peak_phased) < 0.8 * np.mean(peak_instant)


def test_margin_step_without_a_volatility_margin_changes_nothing(pos):
    plain = run(pos, sigma=0.003)
    phased = run(pos, sigma=0.003, margin_step=0.001)
    for name in ("price", "maintenance", "liquidated_units", "bad_debt", "insurance_fund"):
        np.testing.assert_array_equal(getattr(plain, name), getattr(phased, name), err_msg=name)


def test_opening_fee_shrinks_leverage_and_the_cascade(pos):
    plain = run(pos, sigma=0.003)
    fee = run(pos, sigma=0.003, fee_z=5.0)
    assert fee.opening_fees > 0
    assert fee.insurance_fund[0] >= Scenario().insurance_fund + fee.opening_fees - 1e-6
    assert fee.total_liquidated_notional < 0.5 * plain.total_liquidated_notional
    assert fee.total_bad_debt < plain.total_bad_debt


def test_circuit_breaker_cuts_the_drawdown_of_a_fast_crash(pos):
    fast = {"shock": 0.08, "depth": 100_000.0}
    free = run(pos, **fast)
    breaker = run(pos, band=0.05, window=5, halt_steps=20, **fast)
    assert breaker.halted_steps >= 20
    assert breaker.max_drawdown < free.max_drawdown - 0.03
    # nothing trades during a halt
    h = breaker.halted
    assert np.all(breaker.liquidated_units[h] == 0.0) and np.all(breaker.net_flow[h] == 0.0)
    # with liquidate_in_halt the forced orders keep going
    liq = run(pos, band=0.05, window=5, halt_steps=20, liquidate_in_halt=True, **fast)
    assert liq.liquidated_units[liq.halted].sum() > 0.0


def test_short_gamma_raises_volatility_protective_puts_lower_it(small):
    calm = Scenario(shock=0.0, sigma=0.005)
    short = DealerBook.straddle(100.0, -2e6, expiry=1000, vol=0.005)
    none = simulate(small, calm, steps=300, seed=1)
    dealer = simulate(small, calm.replace(dealer=short), steps=300, seed=1)
    puts = simulate(small, calm.replace(dealer=short, protective_puts=2e6, put_strike=1.0),
                    steps=300, seed=1)
    assert dealer.realized_vol > 1.3 * none.realized_vol
    assert none.realized_vol < puts.realized_vol < dealer.realized_vol
    assert np.all(dealer.dealer_gamma < 0)
    assert np.all(puts.dealer_gamma > dealer.dealer_gamma)
    # short gamma: the dealer sells after the price fell
    moves = np.diff(np.concatenate(([100.0], dealer.pre_trade_price)))
    assert np.corrcoef(moves[1:], dealer.dealer_flow[1:])[0, 1] < -0.9


def test_visible_levels_pay_the_predator_hidden_ones_do_not():
    sc = Scenario(shock=0.0, sigma=0.0, depth=50_000.0, resilience=0.1,
                  predator_capital=1e7, predator_reach=0.03, predator_patience=10)
    near, far = long_cluster(0.01), long_cluster(0.05)
    visible_near = simulate(near, sc, steps=200, seed=0)
    hidden_near = simulate(near, sc.replace(levels_visible=False), steps=200, seed=0)
    visible_far = simulate(far, sc, steps=200, seed=0)
    hidden_far = simulate(far, sc.replace(levels_visible=False), steps=200, seed=0)
    assert visible_near.n_liquidated == len(near)  # the hunt triggered the whole cluster
    assert visible_near.final_attacker_pnl > 0.0
    assert hidden_far.final_attacker_pnl < 0.0  # blind pushes pay the impact, trigger nothing
    assert hidden_far.n_liquidated == 0
    assert visible_far.final_attacker_pnl == 0.0 and np.all(visible_far.attacker_position == 0)
    assert hidden_near.final_attacker_pnl < visible_near.final_attacker_pnl
    # the predator never shorts more than its capital allows
    assert visible_near.attacker_position.min() >= -1e7 / 100.0 - 1e-9
    # with a constant fundamental all of its P&L is hunting
    np.testing.assert_array_equal(visible_near.attacker_hunting_pnl, visible_near.attacker_pnl)
    assert visible_near.attacker_hunting_pnl[-1] > 0.0


def test_blind_predator_hunts_at_a_loss_even_when_the_market_pays_it(pos):
    sc = Scenario(predator_capital=1e7, levels_visible=False)  # default market: shock and noise
    runs = [simulate(pos, sc, steps=300, seed=seed) for seed in range(5)]
    hunting = np.array([r.attacker_hunting_pnl[-1] for r in runs])
    raw = np.array([r.final_attacker_pnl for r in runs])
    assert np.all(hunting <= 0.0)
    assert np.any(raw > 0.0)  # its short happened to be on when the shock hit
    for r in runs:  # the gap is exactly what the position earned from the fundamental's moves
        x_prev = np.concatenate(([0.0], r.attacker_position[:-1]))
        moves = np.diff(np.concatenate(([sc.price], r.fundamental)))
        np.testing.assert_allclose(r.attacker_pnl - r.attacker_hunting_pnl,
                                   np.cumsum(x_prev * moves), rtol=1e-12, atol=1e-6)


# --- validation ----------------------------------------------------------------------------------

BAD = [
    ("price", 0.0), ("sigma", -0.1), ("sigma", 0.6), ("mu", 0.5), ("tail_index", 2.0),
    ("jump_rate", 1.5), ("jump_mean", -2.0), ("jump_sd", -1.0), ("shock", 1.0),
    ("shock_step", -1), ("depth", 0.0), ("impact", "cubic"), ("resilience", 1.1),
    ("depth_stress", -1.0), ("oracle_latency", -1), ("oracle_latency", 2.5), ("heartbeat", 0),
    ("deviation", 1.0), ("maintenance", 0.6), ("penalty", 1.0), ("penalty_to_fund", 1.5),
    ("close_factor", 0.0), ("max_book_share", 0.0), ("cooldown", -1),
    ("insurance_fund", -1.0), ("margin_z", -1.0), ("margin_horizon", 0.0),
    ("ewma_lambda", 1.0), ("margin_step", -0.001), ("margin_step", 0.6), ("fee_z", -1.0),
    ("band", -0.1), ("window", 0), ("halt_steps", 0),
    ("halt_resilience", 2.0), ("liquidate_in_halt", 1), ("stress_halt", -1.0),
    ("stress_window", 0.0), ("stress_sigma_ref", 0.0), ("dealer", "calls"),
    ("protective_puts", 10.0), ("put_strike", 0.0), ("put_expiry", 0),
    ("predator_capital", -1.0), ("levels_visible", "yes"), ("predator_reach", 0.0),
    ("predator_rate", 0.0), ("predator_patience", 0), ("predator_min_cluster", -1.0),
    ("sigma", float("nan")), ("depth", float("inf")), ("loss_rule", "pro-rata"),
]


@pytest.mark.parametrize(("name", "value"), BAD)
def test_bad_parameter_raises_value_error_naming_it(name, value):
    with pytest.raises(ValueError, match=name):
        Scenario(**{name: value})


def test_every_field_is_validated():
    assert {f.name for f in dataclasses.fields(Scenario)} == {name for name, _ in BAD}


def test_every_field_is_documented_with_its_range():
    doc = Scenario.__doc__
    for f in dataclasses.fields(Scenario):
        assert f.metadata["doc"], f.name
        assert f"\n    {f.name} : " in doc, f.name
    assert "oracle_latency : int\n        Delay of the oracle, steps, in [0, 1,000]." in doc
    assert doc.index("Parameters") < doc.index("Examples")


def test_the_kernel_reads_every_numeric_field_under_its_own_name():
    sc = Scenario(oracle_latency=3, predator_capital=2e5, max_book_share=None, tail_index=None,
                  dealer=DealerBook.straddle(100.0, -1e4, expiry=50, vol=0.004),
                  levels_visible=False)
    prm = engine_params(sc, maintenance=0.007, insurance_fund=123.0)
    numeric = [f.name for f in dataclasses.fields(Scenario)
               if f.type in ("float", "int", "bool", "float | None")]
    assert list(EngineParams._fields) == numeric + [name for name, _, _ in DERIVED]
    for name in numeric:
        if name not in ("maintenance", "insurance_fund", "max_book_share", "tail_index"):
            assert getattr(prm, name) == getattr(sc, name), name
            assert type(getattr(prm, name)) is type(getattr(sc, name)), name
    assert (prm.maintenance, prm.insurance_fund) == (0.007, 123.0)  # resolved by prepare
    assert prm.max_book_share == np.inf and prm.tail_index == np.inf  # None = no cap, normal
    assert prm.oracle_latency == 3 and prm.levels_visible is False
    assert prm.predator_units == 2e5 / sc.price and prm.dealer_vol == 0.004
    assert prm.impact_code == cl.market.IMPACT_MODELS["linear"] and prm.impact_floor == 1e-3
    with pytest.raises(ValueError, match="maintenance"):
        engine_params(Scenario())  # None has no kernel value: prepare resolves it
    with pytest.raises(ValueError, match="resolved"):
        engine_params(Scenario(), latency=3)


def test_replace_validates_and_keeps_the_rest():
    sc = Scenario().replace(depth=1e5)
    assert sc.depth == 1e5 and sc.shock == Scenario().shock
    with pytest.raises(ValueError, match="band"):
        sc.replace(band=2.0)


def test_simulate_argument_errors(small):
    with pytest.raises(ValueError, match="steps"):
        simulate(small, Scenario(), steps=0, seed=0)
    with pytest.raises(ValueError, match="seed"):
        simulate(small, Scenario(), steps=20, seed=-1)
    with pytest.raises(ValueError, match="shock_step"):
        simulate(small, Scenario(shock_step=50), steps=20, seed=0)
    with pytest.raises(ValueError, match="positions"):
        simulate("positions", Scenario(), steps=10, seed=0)
    with pytest.raises(ValueError, match="scenario"):
        simulate(small, {"shock": 0.1}, steps=10, seed=0)
    mixed = Positions([1, 1], [1.0, 1.0], [100.0, 100.0], [10.0, 10.0], [0.01, 0.02])
    with pytest.raises(ValueError, match=r"positions\.maintenance"):
        simulate(mixed, Scenario(), steps=20, seed=0)
    # an explicit common ratio is accepted
    assert simulate(mixed, Scenario(maintenance=0.02), steps=20, seed=0).steps == 20


def test_dealer_book_validation():
    with pytest.raises(ValueError, match="strike"):
        DealerBook([-1.0], [10], [1.0], [True])
    with pytest.raises(ValueError, match="expiry"):
        DealerBook([100.0], [0], [1.0], [True])
    with pytest.raises(ValueError, match="units"):
        DealerBook([100.0, 90.0], [10, 10], [1.0], [True, False])
    with pytest.raises(ValueError, match="call"):
        DealerBook([100.0], [10], [1.0], [1])
    with pytest.raises(ValueError, match="vol"):
        DealerBook([100.0], [10], [1.0], [True], vol=0.0)


# --- property tests ------------------------------------------------------------------------------

scenarios = st.fixed_dictionaries({
    "sigma": st.floats(0.0, 0.02),
    "shock": st.floats(-0.3, 0.3),
    "shock_step": st.integers(0, 5),
    "depth": st.floats(5_000.0, 500_000.0),
    "impact": st.sampled_from(["linear", "exponential", "sqrt"]),
    "resilience": st.floats(0.0, 1.0),
    "depth_stress": st.floats(0.0, 10.0),
    "oracle_latency": st.integers(0, 5),
    "heartbeat": st.integers(1, 5),
    "deviation": st.floats(0.0, 0.05),
    "penalty": st.floats(0.0, 0.1),
    "penalty_to_fund": st.floats(0.0, 1.0),
    "close_factor": st.floats(0.05, 1.0),
    "max_book_share": st.one_of(st.none(), st.floats(0.05, 5.0)),
    "cooldown": st.integers(0, 3),
    "insurance_fund": st.floats(0.0, 1e6),
    "margin_z": st.floats(0.0, 5.0),
    "margin_step": st.sampled_from([0.0, 1e-4, 0.01]),
    "band": st.floats(0.0, 0.2),
    "halt_steps": st.integers(1, 10),
    "liquidate_in_halt": st.booleans(),
    "predator_capital": st.floats(0.0, 1e6),
    "levels_visible": st.booleans(),
})


@settings(max_examples=40, deadline=None)
@given(changes=scenarios, n=st.integers(0, 300), seed=st.integers(0, 2**32 - 1))
def test_property_accounting_holds_for_any_scenario(changes, n, seed):
    pos = sample_positions(n, 100.0, seed=seed % 1000)
    sc = Scenario(**changes)
    res = simulate(pos, sc, steps=30, seed=seed)
    check_accounting(res, sc)
    assert np.all(res.price > 0) and np.all(np.isfinite(res.price))
    assert np.all(res.remaining_size >= 0) and np.all(res.remaining_size <= pos.size)
    assert np.all(res.maintenance >= (0.005 if n else 0.0))
    assert res.n_liquidated <= n
    assert res.liquidated_units.sum() == pytest.approx(
        (pos.size - res.remaining_size).sum(), rel=1e-9, abs=1e-9)


# --- JIT and pure Python agree --------------------------------------------------------------------

EVERYTHING = {
    "sigma": 0.004, "tail_index": 4.0, "jump_rate": 0.05, "oracle_latency": 2, "heartbeat": 3,
    "deviation": 0.01, "close_factor": 0.5, "max_book_share": 1.0, "cooldown": 1,
    "insurance_fund": 1000.0, "margin_z": 3.0, "margin_step": 0.002, "fee_z": 1.0, "band": 0.04,
    "window": 4,
    "halt_steps": 3, "depth": 30_000.0, "depth_stress": 2.0, "predator_capital": 2e5,
    "levels_visible": False,
    "protective_puts": 1e4, "stress_halt": 0.25, "stress_window": 0.03,
}
SCRIPT = """
import io, json, sys
import numpy as np
from cascadelab import DealerBook, Scenario, sample_positions, simulate
changes = json.loads(sys.argv[1])
dealer = DealerBook.straddle(100.0, -3e4, expiry=40, vol=0.004)
res = simulate(sample_positions(400, 100.0, seed=7), Scenario(dealer=dealer, **changes),
               steps=60, seed=11)
np.savez(out := io.BytesIO(), **{k: v for k, v in vars(res).items() if isinstance(v, np.ndarray)})
sys.stdout.buffer.write(out.getvalue())
"""


def test_jit_and_pure_python_give_identical_results():
    jit, py = (np.load(io.BytesIO(out)) for out in jit_and_python(SCRIPT, json.dumps(EVERYTHING)))
    assert jit["liquidated_units"].sum() > 0 and np.abs(jit["dealer_flow"]).sum() > 0
    assert jit["halted"].any() and np.abs(jit["attacker_position"]).sum() > 0
    for key in jit.files:
        np.testing.assert_array_equal(jit[key], py[key], err_msg=key)


def test_non_finite_results_raise_instead_of_leaking():
    pos = sample_positions(100, 100.0, seed=0)
    runaway = Scenario(mu=0.1, shock=0.0)  # the price overflows a float after ~7,000 steps
    with pytest.raises(FloatingPointError, match="step"):
        simulate(pos, runaway, steps=10_000, seed=0)
    with pytest.raises(FloatingPointError, match="path 0"):
        cl.monte_carlo(pos, runaway, paths=2, steps=10_000, seed=0, progress=False)
