"""Issue 11: random valid inputs over every range the docstrings allow (outside the engine).

For the mechanisms, the tails and the samplers: only ``ValueError`` (a documented cross-parameter
limit) or ``FloatingPointError`` (the model's float range, naming what to change) may escape; every
result is finite; the accounting identities hold at every step. :func:`simulate_portfolio` runs
every drawn scenario to a finite result inside the price band of :mod:`cascadelab.market`; the
one refusal is a scenario whose spillover coefficient exceeds 10 (a tiny shocked-asset volatility
next to larger ones), a ``ValueError`` naming the pair.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, note, settings
from hypothesis import strategies as st

from cascadelab import Book, DealerBook, sample_positions
from cascadelab.market import IMPACT_MODELS, PRICE_CAP
from cascadelab.mechanisms import (
    bilateral_contagion,
    feeds_to_capture,
    manipulation_cost,
    median_oracle,
    oracle_path,
    push_cost,
    waterfall,
)
from cascadelab.mechanisms.clearing import exposure_weights
from cascadelab.mechanisms.margin import (
    M_MAX,
    apply_opening_fee,
    fee_adjusted_leverage,
    vol_adjusted_maintenance,
)
from cascadelab.mechanisms.oracle_network import push_units
from cascadelab.portfolio import (
    MultiAssetScenario,
    basket_drawdown,
    basket_volatility,
    equicorrelation,
    sample_accounts,
    simulate_portfolio,
)
from cascadelab.tails import breaches_per_year, student_t_returns, tail_probability

# CASCADELAB_EXAMPLES=1000 for a deeper search than the suite's default
PROPERTY = settings(max_examples=int(os.environ.get("CASCADELAB_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats spread evenly over the decades of [lo, hi] (both > 0)."""
    return st.floats(math.log10(lo), math.log10(hi)).map(lambda e: min(max(10.0**e, lo), hi))


def close(a: np.ndarray | float, b: np.ndarray | float, scale: np.ndarray | float) -> bool:
    """``a == b`` up to rounding of sums whose terms are of size ``scale``."""
    return bool(np.all(np.abs(np.asarray(a) - np.asarray(b)) <= 1e-9 * np.asarray(scale) + 1e-300))


# ----------------------------------------------------------------------------- portfolio


@st.composite
def correlations(draw: st.DrawFn, K: int) -> np.ndarray:
    """A valid K x K correlation matrix: equicorrelated, or normalised from a random factor."""
    if K == 1:
        return np.ones((1, 1))
    if draw(st.booleans()):
        return equicorrelation(K, draw(st.floats(-1.0 / (K - 1), 1.0)))
    a = np.array(draw(st.lists(st.floats(-1.0, 1.0), min_size=K * K, max_size=K * K)))
    a = a.reshape(K, K) + np.eye(K)
    c = a @ a.T
    d = np.sqrt(np.diag(c))
    c = c / np.outer(d, d)
    c = 0.5 * (c + c.T)
    np.fill_diagonal(c, 1.0)
    return np.clip(c, -1.0, 1.0)


@st.composite
def portfolio_runs(draw: st.DrawFn) -> tuple:
    K = draw(st.integers(1, 4))
    prices = np.array([draw(log_uniform(1e-12, 1e12)) for _ in range(K)])
    steps = draw(st.integers(1, 60))
    shock_steps = draw(st.integers(1, steps))
    scenario = dict(
        prices=prices,
        vols=np.array([draw(st.one_of(st.just(0.0), st.floats(0.0, 1.0))) for _ in range(K)]),
        corr=draw(correlations(K)),
        books=tuple(Book(draw(log_uniform(1e-3, 1e9)), draw(st.sampled_from(list(IMPACT_MODELS))),
                         draw(st.floats(1e-6, 0.999))) for _ in range(K)),
        shock=draw(st.floats(-0.999, 0.999)),
        shock_asset=draw(st.integers(0, K - 1)),
        shock_step=draw(st.integers(0, steps - shock_steps)),
        shock_steps=shock_steps,
        spillover=draw(st.booleans()),
        penalty=draw(st.floats(0.0, 0.999)),
        resilience=draw(st.floats(0.0, 1.0)),
        steps=steps,
    )
    max_leverage = draw(st.floats(1.0, 1000.0))
    mix = np.array([draw(st.floats(0.0, 1.0)) for _ in range(K)])
    mix = mix / max(mix.sum(), 1.0) * draw(st.floats(0.0, 1.0))
    accounts = dict(
        n=draw(st.integers(0, 300)),
        prices=prices,
        legs=draw(st.integers(1, K)),
        leverage=draw(st.floats(1.0, max_leverage)),
        max_leverage=max_leverage,
        leverage_tail=draw(st.floats(0.05, 100.0)),
        long_share=draw(st.floats(0.0, 1.0)),
        maintenance=draw(st.floats(0.0, 0.999)) / max_leverage,
        entry_spread=draw(st.floats(0.0, 1.0)),
        notional=draw(log_uniform(1e-6, 1e12)),
        notional_sigma=draw(st.floats(0.0, 5.0)),
        collateral_mix=mix if draw(st.booleans()) else None,
        cross_margin=draw(st.booleans()),
        seed=draw(st.integers(0, 2**32)),
    )
    return scenario, accounts, draw(st.integers(0, 2**32))


def check_run(acc, res, sc) -> None:
    """Every result finite and every price in the band; every unit and dollar of collateral
    accounted for at every step."""
    steps = res.price.shape[0]
    for name in ("price", "fundamental", "fill_price", "order_flow", "liquidated_units",
                 "collateral_sold", "liquidated_notional", "collateral_in", "returned",
                 "penalties", "paid_to_market", "bad_debt", "collateral_left", "cash_left",
                 "account_returned", "account_penalty", "account_paid_to_market",
                 "account_bad_debt", "max_drawdown", "liquidated_units_total"):
        assert np.isfinite(getattr(res, name)).all(), name
    for name in ("total_bad_debt", "total_penalties", "total_liquidated_notional"):
        assert math.isfinite(getattr(res, name)), name
    assert (res.price > 0.0).all() and (res.fill_price > 0.0).all()
    # the price band: the traded price exactly, the fills (mean of mark and price) up to rounding
    f, floor = res.fundamental, np.array([b.floor for b in sc.books])
    assert (res.price >= floor * f).all() and (res.price <= PRICE_CAP * f).all()
    assert (res.fill_price >= floor * f * (1 - 1e-12)).all()
    assert (res.fill_price <= PRICE_CAP * f * (1 + 1e-12)).all()
    for arr in (res.returned, res.penalties, res.bad_debt, res.account_bad_debt,
                res.liquidated_units, res.collateral_sold):
        assert (arr >= 0.0).all()
    # at every step: collateral in = returned + penalties + paid to the market
    scale = np.abs(res.collateral_in) + res.returned + res.penalties + np.abs(res.paid_to_market)
    assert close(res.collateral_in, res.returned + res.penalties + res.paid_to_market, scale)
    # the per-account split adds up to the per-step split
    for step_arr, acc_arr in ((res.returned, res.account_returned),
                              (res.penalties, res.account_penalty),
                              (res.paid_to_market, res.account_paid_to_market),
                              (res.bad_debt, res.account_bad_debt)):
        assert close(step_arr.sum(), acc_arr.sum(), np.abs(step_arr).sum() + np.abs(acc_arr).sum())
    # pledged units: held at the end + sold = posted at the start
    posted = acc.collateral_units.sum(axis=0)
    assert close(res.collateral_left.sum(axis=0) + res.collateral_sold.sum(axis=0), posted,
                 posted + res.collateral_sold.sum(axis=0))
    # legs: closed at most once, only where held, counted per step
    closed = res.leg_step >= 0
    assert not (closed & (acc.units == 0.0)).any()
    assert ((res.leg_step >= -1) & (res.leg_step < steps)).all()
    np.testing.assert_array_equal(res.n_liquidated_legs.sum(axis=0), closed.sum(axis=0))
    np.testing.assert_array_equal(res.trigger >= 0, closed)
    assert res.n_accounts_liquidated == int(closed.any(axis=1).sum())
    assert ((res.max_drawdown >= 0.0) & (res.max_drawdown <= 1.0)).all()


def spillover_checked(scenario: dict) -> MultiAssetScenario | None:
    """The scenario, or None when it is refused for its one documented reason: with spillover,
    beta = corr x vols[j] / vols[shock_asset] beyond [-10, 10] (checked against the rule)."""
    try:
        return MultiAssetScenario(**scenario)
    except ValueError as e:
        a = scenario["shock_asset"]
        vols, corr = scenario["vols"], scenario["corr"]
        with np.errstate(all="ignore"):
            beta = corr[:, a] * (vols / vols[a] if vols[a] > 0 else 1.0)
        assert "with spillover, beta[" in str(e) and "must be in [-10, 10]" in str(e), e
        assert scenario["spillover"] and scenario["shock"] != 0.0
        assert not (np.abs(beta) <= 10.0).all(), (e, beta)
        event("ValueError: spillover beta beyond [-10, 10]")
        return None


@PROPERTY
@given(portfolio_runs())
def test_simulate_portfolio_over_its_documented_ranges(run) -> None:
    scenario, accounts, seed = run
    note(f"scenario={scenario!r}\naccounts={accounts!r}")
    acc = sample_accounts(**accounts)
    sc = spillover_checked(scenario)
    if sc is None:
        return
    res = simulate_portfolio(acc, sc, seed=seed)
    event(f"ran; accounts liquidated: {'some' if res.n_accounts_liquidated else 'none'}")
    check_run(acc, res, sc)


@PROPERTY
@given(portfolio_runs())
def test_simulate_portfolio_is_reproducible(run) -> None:
    scenario, accounts, seed = run
    assume(accounts["n"] <= 100)
    acc = sample_accounts(**accounts)
    sc = spillover_checked(scenario)
    if sc is None:
        return
    a = simulate_portfolio(acc, sc, seed=seed)
    b = simulate_portfolio(acc, sc, seed=seed)
    np.testing.assert_array_equal(a.price, b.price)
    np.testing.assert_array_equal(a.account_bad_debt, b.account_bad_debt)


# ----------------------------------------------------------------------------- samplers


@PROPERTY
@given(
    n=st.integers(0, 2_000), price=log_uniform(1e-12, 1e12), max_leverage=st.floats(1.0, 1000.0),
    frac=st.floats(0.0, 1.0), leverage_tail=st.floats(0.01, 100.0), long_share=st.floats(0, 1),
    m=st.floats(0.0, 0.999), entry_spread=st.floats(0.0, 1.0),
    notional=log_uniform(1e-9, 1e12), notional_sigma=st.floats(0.0, 5.0),
    seed=st.integers(0, 2**32),
)
def test_sample_positions_over_its_documented_ranges(
    n, price, max_leverage, frac, leverage_tail, long_share, m, entry_spread, notional,
    notional_sigma, seed,
) -> None:
    pos = sample_positions(
        n, price, leverage=1.0 + frac * (max_leverage - 1.0), max_leverage=max_leverage,
        leverage_tail=leverage_tail, long_share=long_share, maintenance=m / max_leverage,
        entry_spread=entry_spread, notional=notional, notional_sigma=notional_sigma, seed=seed,
    )
    assert len(pos) == n
    for arr in (pos.size, pos.entry, pos.collateral, pos.notional, pos.liquidation_price,
                pos.bankruptcy_price):
        assert np.isfinite(arr).all()
    assert math.isfinite(float(pos.notional.sum())) and math.isfinite(float(pos.size.sum()))
    # nobody is born liquidatable at today's price
    assert (pos.side * (price - pos.liquidation_price) > 0.0).all()


# ----------------------------------------------------------------------------- mechanisms


@PROPERTY
@given(
    prices=st.lists(log_uniform(1e-12, 1e12), min_size=0, max_size=60),
    latency=st.one_of(st.integers(0, 70), st.integers(0, 10**9)),
    heartbeat=st.one_of(st.integers(1, 70), st.integers(1, 10**9)),
    deviation=st.floats(0.0, 0.999), p0=st.one_of(st.none(), log_uniform(1e-12, 1e12)),
)
def test_oracle_path_reports_only_prices_it_has_seen(prices, latency, heartbeat, deviation, p0):
    out = oracle_path(np.array(prices, dtype=float), latency=latency, heartbeat=heartbeat,
                      deviation=deviation, p0=p0)
    assert out.shape == (len(prices),) and np.isfinite(out).all()
    start = (prices[0] if prices else 1.0) if p0 is None else p0
    for t, o in enumerate(out):
        assert o == start or o in prices[: t + 1]


@PROPERTY
@given(
    n=st.integers(1, 6), data=st.data(), vol=log_uniform(1e-6, 1.0),
    spot=log_uniform(1e-12, 1e12), t=st.one_of(st.integers(0, 100), st.integers(0, 10**9)),
)
def test_dealer_greeks_are_finite_over_the_documented_ranges(n, data, vol, spot, t):
    strike = [data.draw(log_uniform(1e-12, 1e12)) for _ in range(n)]
    expiry = [data.draw(st.one_of(st.integers(1, 200), st.integers(1, 10**9))) for _ in range(n)]
    units = [data.draw(st.floats(-1e18, 1e18)) for _ in range(n)]
    call = [data.draw(st.booleans()) for _ in range(n)]
    book = DealerBook(strike, expiry, units, call, vol)
    delta, gamma = book.delta(spot, t), book.gamma(spot, t)
    assert math.isfinite(delta) and math.isfinite(gamma)
    assert abs(delta) <= sum(abs(u) for u in units) * (1.0 + 1e-12)


@PROPERTY
@given(
    move=st.floats(-0.999, 10.0, exclude_min=True), depth=log_uniform(1e-9, 1e15),
    price=log_uniform(1e-12, 1e12),
    impact=st.sampled_from(list(IMPACT_MODELS)), n=st.integers(1, 1_000_000),
    k_frac=st.floats(0.0, 1.0),
)
def test_push_and_manipulation_costs_are_finite(move, depth, price, impact, n, k_frac):
    assume(move != 0.0)
    book = Book(depth, impact)
    units, cost = push_units(move, book), push_cost(move, book, price)
    assert math.isfinite(units) and units >= 0.0 and math.isfinite(cost) and cost >= 0.0
    k = int(k_frac * n)
    total = manipulation_cost(move, depth, k=k, n=n, impact=impact, price=price)
    assert math.isfinite(total)
    assert total == pytest.approx(feeds_to_capture(n, k) * cost, rel=1e-9)


@PROPERTY
@given(feeds=st.lists(log_uniform(1e-12, 1e300), min_size=1, max_size=30))
def test_median_oracle_lies_between_the_readings(feeds):
    med = median_oracle(feeds)
    assert min(feeds) <= med <= max(feeds)


@PROPERTY
@given(
    loss=st.floats(0.0, 1e18), margin=st.floats(0.0, 1e18), fund=st.floats(0.0, 1e18),
    capital=st.floats(0.0, 1e18), members=st.integers(2, 10_000),
)
def test_waterfall_pays_the_loss_layer_by_layer(loss, margin, fund, capital, members):
    w = waterfall(loss, margin, fund, capital, members)
    assert all(math.isfinite(d) and d >= 0.0 for d in w.draws)
    assert sum(w.draws) == pytest.approx(loss, rel=1e-12, abs=1e-300)
    assert all(d <= c * (1 + 1e-12) for d, c in zip(w.draws, w.capacities, strict=True))
    assert math.isfinite(w.per_survivor)


@PROPERTY
@given(
    loss=st.floats(0.0, 1e18), margin=st.floats(0.0, 1e18), members=st.integers(2, 300),
    capital=st.floats(0.0, 1e18), concentration=st.floats(0.0, 10.0),
)
def test_bilateral_contagion_conserves_the_loss(loss, margin, members, capital, concentration):
    c = bilateral_contagion(loss, margin, members, capital, concentration=concentration)
    assert np.isfinite(c.hit).all() and math.isfinite(c.absorbed) and math.isfinite(c.unpaid)
    assert c.absorbed + c.unpaid == pytest.approx(c.uncovered, rel=1e-9, abs=1e-300)
    assert c.defaulted[0] and (c.default_round[c.defaulted] >= 0).all()
    w = exposure_weights(members, concentration)
    assert np.isfinite(w).all() and w.sum() == pytest.approx(1.0)


@PROPERTY
@given(
    sigma=st.lists(st.floats(0.0, 1e300), min_size=1, max_size=20), m0=st.floats(0.0, M_MAX),
    z=st.floats(0.0, 1e300), horizon=st.floats(1e-300, 1e300),
    lev=st.lists(st.floats(1.0, 1e300), min_size=1, max_size=20), fee=st.floats(0.0, 1e6),
)
def test_margin_rules_stay_in_their_ranges(sigma, m0, z, horizon, lev, fee):
    m = vol_adjusted_maintenance(np.array(sigma), m0, z, horizon)
    assert ((m >= m0) & (m <= M_MAX)).all()
    out = fee_adjusted_leverage(np.array(lev), fee)
    assert np.isfinite(out).all() and ((out >= 1.0) & (out <= np.array(lev))).all()


@PROPERTY
@given(fee=st.floats(0.0, 1e6), seed=st.integers(0, 2**16))
def test_opening_fee_is_finite(fee, seed):
    pos = sample_positions(200, 100.0, notional=1e12, notional_sigma=5.0, seed=seed)
    new, fees = apply_opening_fee(pos, fee)
    assert math.isfinite(fees) and fees >= 0.0 and np.isfinite(new.collateral).all()


# ----------------------------------------------------------------------------- tails, baskets


@PROPERTY
@given(k=st.floats(0.0, 1e300), dk=st.floats(0.0, 10.0),
       nu=st.one_of(st.none(), st.floats(2.0, 1e6, exclude_min=True)),
       ppy=st.floats(1e-300, 1e9))
def test_tail_probability_is_a_probability_that_falls_with_k(k, dk, nu, ppy):
    p, q = tail_probability(k, nu), tail_probability(k + dk, nu)
    assert 0.0 <= q <= p + 1e-12 <= 1.0 + 1e-12
    assert math.isfinite(breaches_per_year(k, nu, periods_per_year=ppy))


@PROPERTY
@given(n=st.integers(0, 5_000), sigma=st.floats(0.0, 100.0),
       nu=st.one_of(st.none(), st.floats(2.0, 1e6, exclude_min=True)), seed=st.integers(0, 2**32))
def test_student_t_returns_are_finite(n, sigma, nu, seed):
    r = student_t_returns(n, sigma, nu, seed=seed)
    assert r.shape == (n,) and np.isfinite(r).all()


@PROPERTY
@given(K=st.integers(1, 6), data=st.data(), shock=st.floats(-0.999, 0.999))
def test_baskets_are_finite_or_refused_by_name(K, data, shock):
    w = [data.draw(st.floats(0.0, 1e308)) for _ in range(K)]
    assume(max(w) > 0.0)
    vols = [data.draw(st.floats(0.0, 1e6)) for _ in range(K)]
    corr = data.draw(correlations(K))
    vol = basket_volatility(w, vols, corr)
    assert math.isfinite(vol) and 0.0 <= vol <= max(vols) * (1.0 + 1e-9)
    try:
        loss = basket_drawdown(w, vols, corr, shock, shock_asset=data.draw(st.integers(0, K - 1)))
    except ValueError as e:  # documented: a gain beyond the float range
        assert "beyond the float range" in str(e) and "vols" in str(e)
        return
    assert math.isfinite(loss) and loss <= 1.0 + 1e-9
