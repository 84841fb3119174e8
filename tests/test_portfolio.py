"""Several assets: cross margin, correlated fundamentals, collateral correlation, accounting."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jit_paths import jit_and_python

from cascadelab import (
    IMPACT_MODELS,
    Accounts,
    Book,
    MultiAssetScenario,
    PortfolioResult,
    basket_drawdown,
    basket_volatility,
    equicorrelation,
    sample_accounts,
    simulate_portfolio,
)
from cascadelab.kernels import portfolio as kernel

PRICES = (100.0, 100.0, 100.0)


@pytest.fixture(scope="module")
def accounts() -> Accounts:
    """The course's default book of accounts: 5,000 accounts, two legs each, cash collateral."""
    return sample_accounts(5_000, PRICES, seed=0)


def calm(corr: float = 0.5, **changes: object) -> MultiAssetScenario:
    """The default crash with no random noise, so every difference comes from the mechanism."""
    return MultiAssetScenario(vols=(0.0, 0.0, 0.0), corr=equicorrelation(3, corr)).replace(
        **changes
    )


def check_accounting(acc: Accounts, res: PortfolioResult) -> None:
    """Every unit and every dollar of collateral ends somewhere named, at every step."""
    steps, K = res.price.shape
    assert np.all(np.isfinite(res.price)) and np.all(res.price > 0.0)
    # collateral split of each step: in = returned + penalties + paid to market
    np.testing.assert_allclose(
        res.collateral_in, res.returned + res.penalties + res.paid_to_market, rtol=1e-12, atol=1e-6
    )
    for arr in (res.returned, res.penalties, res.bad_debt, res.account_bad_debt):
        assert np.all(arr >= 0.0)
    # pledged units: held at the end + sold = posted at the start
    np.testing.assert_allclose(
        res.collateral_left.sum(axis=0) + res.collateral_sold.sum(axis=0),
        acc.collateral_units.sum(axis=0), rtol=1e-12, atol=1e-9,
    )
    # collateral value in = cash consumed + pledged units sold at the fills
    cash_used = (acc.cash - res.cash_left).sum()
    np.testing.assert_allclose(
        res.collateral_in.sum(), cash_used + (res.collateral_sold * res.fill_price).sum(),
        rtol=1e-10, atol=1e-6,
    )
    # the traders' losses at the fills = paid to the market + bad debt
    closed = res.leg_step >= 0
    t = np.where(closed, res.leg_step, 0)
    fills = res.fill_price[t, np.arange(K)[None, :]]
    pnl = (np.where(closed, acc.units * (fills - acc.entry), 0.0)).sum()
    np.testing.assert_allclose(
        -pnl, res.paid_to_market.sum() + res.bad_debt.sum(), rtol=1e-10, atol=1e-6
    )
    # the order each book saw: closed legs (signed, > 0 sells) plus pledged units sold
    flow = res.collateral_sold.copy()
    for k in range(K):
        np.add.at(flow[:, k], res.leg_step[closed[:, k], k], acc.units[closed[:, k], k])
    np.testing.assert_allclose(res.order_flow, flow, rtol=1e-12, atol=1e-9)
    notional = (res.liquidated_units * res.fill_price).sum(axis=1)
    np.testing.assert_allclose(res.liquidated_notional, notional, rtol=1e-12, atol=1e-9)
    # only held legs close, each once; per-step counts add up
    assert not np.any(closed & (acc.units == 0.0))
    np.testing.assert_array_equal(res.n_liquidated_legs.sum(axis=0), closed.sum(axis=0))
    assert res.n_accounts_liquidated == int(closed.any(axis=1).sum())
    np.testing.assert_array_equal(res.trigger >= 0, closed)
    if acc.cross_margin:
        # the whole account goes at once
        first = np.where(closed, res.leg_step, steps).min(axis=1)
        held = acc.units != 0.0
        liq = res.liquidated
        assert np.all((res.leg_step[liq] == first[liq, None]) | ~held[liq])
        assert np.all(res.n_liquidations.sum() == res.n_accounts_liquidated)
    else:
        assert res.n_liquidations.sum() == closed.sum()
    assert res.total_bad_debt == pytest.approx(res.bad_debt.sum())


# ----------------------------------------------------------------------------- the mechanisms


def test_quiet_market_liquidates_nothing(accounts: Accounts) -> None:
    sc = MultiAssetScenario(vols=(0.0, 0.0, 0.0), shock=0.0)
    for acc in (accounts, accounts.replace(cross_margin=False)):
        res = simulate_portfolio(acc, sc, seed=3)
        assert np.all(res.price == np.asarray(PRICES))
        assert np.all(res.fundamental == np.asarray(PRICES))
        assert res.n_accounts_liquidated == 0
        assert res.total_bad_debt == 0.0
        assert np.all(res.order_flow == 0.0)
        np.testing.assert_array_equal(res.cash_left, acc.cash)


def test_cross_margin_drags_unshocked_legs_and_isolated_margin_contains_it(
    accounts: Accounts,
) -> None:
    sc = calm(corr=0.0)  # B and C are independent of A: only the margin ties them together
    cross = simulate_portfolio(accounts, sc)
    iso = simulate_portfolio(accounts.replace(cross_margin=False), sc)
    assert cross.n_liquidated_legs_total[1] > 50 and cross.n_liquidated_legs_total[2] > 50
    assert cross.dragged_legs[1] > 50 and cross.dragged_legs[2] > 50
    # isolated: the crash in A stays in A; B and C never trade
    assert iso.n_liquidated_legs_total[0] > 0
    np.testing.assert_array_equal(iso.n_liquidated_legs_total[1:], [0, 0])
    assert np.all(iso.price[:, 1:] == 100.0)
    assert iso.contagion == 0
    # but pooling margin across legs spares legs of A that isolated margin closes
    assert cross.n_liquidated_legs_total[0] < iso.n_liquidated_legs_total[0]


def test_correlation_spreads_the_crash_across_assets(accounts: Accounts) -> None:
    corrs = [0.0, 0.25, 0.5, 0.75, 1.0]
    runs = [simulate_portfolio(accounts, calm(corr)) for corr in corrs]
    others = [int(r.n_liquidated_legs_total[1:].sum()) for r in runs]
    contagion = [r.contagion for r in runs]
    drawdown_b = [float(r.max_drawdown[1]) for r in runs]
    assert np.all(np.diff(others) > 0), others
    assert np.all(np.diff(contagion) > 0), contagion
    assert np.all(np.diff(drawdown_b) > 0), drawdown_b
    # at corr = 1 (a singular correlation matrix) B falls at least as far as the shock
    assert drawdown_b[-1] >= 0.12


def test_collateral_in_the_traded_asset_raises_liquidations() -> None:
    sc = calm(corr=0.5)
    runs = {
        name: simulate_portfolio(sample_accounts(5_000, PRICES, collateral_mix=mix, seed=0), sc)
        for name, mix in [
            ("cash", None), ("basket", [1 / 3, 1 / 3, 1 / 3]), ("shocked", [1.0, 0.0, 0.0]),
        ]
    }
    n = {k: r.n_accounts_liquidated for k, r in runs.items()}
    assert n["cash"] < n["basket"] < n["shocked"], n
    assert runs["cash"].total_bad_debt < runs["shocked"].total_bad_debt
    assert runs["cash"].max_drawdown[0] < runs["shocked"].max_drawdown[0]
    # the pledged collateral was sold into the falling book
    assert runs["shocked"].collateral_sold[:, 0].sum() > 0.0
    assert runs["cash"].collateral_sold.sum() == 0.0


@pytest.mark.parametrize("cross", [True, False])
@pytest.mark.parametrize("mix", [None, [0.3, 0.3, 0.2]])
def test_accounting_identity(cross: bool, mix: list[float] | None) -> None:
    acc = sample_accounts(3_000, PRICES, collateral_mix=mix, cross_margin=cross, seed=5)
    sc = MultiAssetScenario(shock=0.15, vols=(0.003, 0.002, 0.004), resilience=0.05)
    res = simulate_portfolio(acc, sc, seed=2)
    assert res.n_accounts_liquidated > 0 and res.total_bad_debt > 0.0
    check_accounting(acc, res)


def test_upward_shock_liquidates_shorts() -> None:
    acc = sample_accounts(2_000, PRICES, long_share=0.3, seed=1)
    res = simulate_portfolio(acc, calm(corr=0.0, shock=-0.15))
    closed = res.leg_step[:, 0] >= 0
    assert closed.sum() > 20
    assert (acc.units[closed, 0] < 0.0).mean() > 0.9  # the shorts in A are squeezed
    assert res.price[-1, 0] > 115.0
    check_accounting(acc, res)


def test_fundamentals_have_the_requested_correlation() -> None:
    corr = np.array([[1.0, 0.7, -0.3], [0.7, 1.0, 0.0], [-0.3, 0.0, 1.0]])
    sc = MultiAssetScenario(vols=(0.01, 0.02, 0.01), corr=corr, shock=0.0, steps=20_000)
    r = np.diff(np.log(sc.fundamentals(seed=1)), axis=0)
    np.testing.assert_allclose(np.corrcoef(r.T), corr, atol=0.03)
    np.testing.assert_allclose(r.std(axis=0), [0.01, 0.02, 0.01], rtol=0.03)
    # a scripted shock with spillover moves the others by their conditional mean
    sc = MultiAssetScenario(vols=(0.01, 0.02, 0.01), corr=corr, shock=0.1, steps=50)
    base = sc.replace(shock=0.0).fundamentals(seed=0)
    ratio = sc.fundamentals(seed=0) / base
    np.testing.assert_allclose(ratio[:20], 1.0)
    np.testing.assert_allclose(ratio[-1], 0.9 ** np.array([1.0, 1.4, -0.3]))
    ratio = sc.replace(spillover=False).fundamentals(seed=0) / base
    np.testing.assert_allclose(ratio[-1], [0.9, 1.0, 1.0])


def test_same_seed_same_result_and_jit_equals_python(
    accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    acc = sample_accounts(300, PRICES, collateral_mix=[0.2, 0.0, 0.3], seed=9)
    sc = MultiAssetScenario(
        vols=(0.004, 0.003, 0.005), shock=0.15, steps=60, resilience=0.1,
        books=(Book(2_000.0), Book(1_000.0, "sqrt"), Book(1_500.0, "exponential")),
    )
    for a in (acc, acc.replace(cross_margin=False)):
        jit = simulate_portfolio(a, sc, seed=4)
        again = simulate_portfolio(a, sc, seed=4)
        with monkeypatch.context() as m:
            for name in ("run", "_trigger", "impact", "settle"):
                m.setattr(kernel, name, getattr(kernel, name).py_func)
            py = simulate_portfolio(a, sc, seed=4)
        assert jit.n_accounts_liquidated > 0
        for f in dataclasses.fields(PortfolioResult):
            x, y, z = getattr(jit, f.name), getattr(py, f.name), getattr(again, f.name)
            np.testing.assert_array_equal(x, y, err_msg=f.name)
            np.testing.assert_array_equal(x, z, err_msg=f.name)


def test_numba_disable_jit_gives_identical_results() -> None:
    code = (
        "import dataclasses, pickle, sys\n"
        "from cascadelab import MultiAssetScenario, sample_accounts, simulate_portfolio\n"
        "sc = MultiAssetScenario(vols=(0.004, 0.003, 0.005), shock=0.15, steps=60)\n"
        "out = []\n"
        "for cross in (True, False):\n"
        "    a = sample_accounts(300, sc.prices, collateral_mix=[0.2, 0, 0.3],\n"
        "                        cross_margin=cross, seed=3)\n"
        "    r = simulate_portfolio(a, sc, seed=7)\n"
        "    out.append({f.name: getattr(r, f.name) for f in dataclasses.fields(r)})\n"
        "sys.stdout.buffer.write(pickle.dumps(out))\n"
    )
    jit, py = (pickle.loads(out) for out in jit_and_python(code, timeout=300))
    assert jit[0]["n_accounts_liquidated"] > 0 and jit[1]["n_accounts_liquidated"] > 0
    for a, b in zip(jit, py, strict=True):
        for name in a:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_default_scenario_shows_contagion(accounts: Accounts) -> None:
    res = simulate_portfolio(accounts, MultiAssetScenario(), seed=0)
    assert 0 < res.n_accounts_liquidated < len(accounts) // 2  # visible, not total
    assert res.contagion > 0
    assert np.all(res.dragged_legs[1:] > 0)
    assert res.max_drawdown[0] > 0.12  # the cascade amplified the 12% shock
    assert "accounts liquidated" in res.describe()
    assert "contagion" in repr(res) and "shock=0.12" in repr(MultiAssetScenario())
    check_accounting(accounts, res)


# ----------------------------------------------------------------------------- accounts


def test_sampled_accounts_start_healthy_in_both_margin_modes() -> None:
    prices = (30_000.0, 2_000.0, 1.5)
    acc = sample_accounts(4_000, prices, legs=3, leverage=8.0, collateral_mix=[0.2, 0.2, 0.2])
    assert not acc.at_risk(prices).any()
    assert not acc.replace(cross_margin=False).at_risk(prices).any()
    assert np.all((acc.units != 0).sum(axis=1) == 3)
    np.testing.assert_allclose(acc.weights.sum(axis=1), 1.0)
    # collateral value at the start: margin = gross notional at entry / leverage, 60% pledged
    pledged = acc.collateral_units @ np.asarray(prices)
    np.testing.assert_allclose(pledged, 1.5 * acc.cash)
    again = sample_accounts(4_000, prices, legs=3, leverage=8.0, collateral_mix=[0.2, 0.2, 0.2])
    np.testing.assert_array_equal(acc.units, again.units)


def test_account_equity_and_requirement() -> None:
    acc = Accounts(
        units=[[2.0, -1.0], [0.0, 3.0]], entry=[[100.0, 50.0], [1.0, 40.0]], cash=[30.0, 10.0],
        collateral_units=[[0.0, 1.0], [0.5, 0.0]], maintenance=[0.05, 0.1],
    )
    p = [90.0, 55.0]
    # 30 + 55 + 2*(90-100) - (55-50) = 60; 10 + 45 + 3*(55-40) = 100
    np.testing.assert_allclose(acc.equity(p), [60.0, 100.0])
    np.testing.assert_allclose(acc.requirement(p), [0.05 * (180 + 55), 0.1 * 165])
    np.testing.assert_allclose(acc.weights, [[200 / 250, 50 / 250], [0.0, 1.0]])
    np.testing.assert_allclose(acc.leg_equity(p)[0], [0.8 * 85 - 20, 0.2 * 85 - 5])


# ----------------------------------------------------------------------------- baskets


def test_basket_drawdown_and_volatility() -> None:
    vols = [0.02, 0.02, 0.02]
    assert basket_drawdown([1, 0, 0], vols, equicorrelation(3, 0.3), 0.2) == pytest.approx(0.2)
    assert basket_drawdown([1, 1, 1], vols, equicorrelation(3, 1.0), 0.2) == pytest.approx(0.2)
    assert basket_drawdown([1, 1, 1], vols, equicorrelation(3, 0.0), 0.2) == pytest.approx(0.2 / 3)
    losses = [basket_drawdown([1, 1, 1], vols, equicorrelation(3, r), 0.2) for r in (0, 0.5, 1)]
    assert losses[0] < losses[1] < losses[2]
    assert basket_volatility([1, 1, 1], vols, equicorrelation(3, 1.0)) == pytest.approx(0.02)
    assert basket_volatility([2, 2, 2], vols, equicorrelation(3, 0.0)) == pytest.approx(
        0.02 / np.sqrt(3)
    )
    assert basket_volatility([1, 0], [0.05, 0.01], equicorrelation(2, 0.4)) == pytest.approx(0.05)


# ----------------------------------------------------------------------------- bad inputs


BAD_SCENARIOS = [
    ({"corr": [[1.0, 0.2, 0.0], [0.3, 1.0, 0.0], [0.0, 0.0, 1.0]]}, "symmetric"),
    ({"corr": [[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]]}, "positive semi-definite"),
    ({"corr": [[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]}, "diagonal"),
    ({"corr": np.eye(2)}, "corr"),
    ({"corr": [[1.0, np.nan, 0.0], [np.nan, 1.0, 0.0], [0.0, 0.0, 1.0]]}, "corr"),
    ({"vols": (0.01, -0.01, 0.01)}, "vols"),
    ({"vols": (0.01, 0.01)}, "vols"),
    ({"prices": (100.0, 0.0, 100.0)}, "prices"),
    ({"books": (Book(1.0), Book(1.0))}, "books"),
    ({"books": (Book(1.0), Book(1.0), 5.0)}, "books"),
    ({"shock": 1.0}, "shock"),
    ({"shock": float("nan")}, "shock"),
    ({"shock_asset": 3}, "shock_asset"),
    ({"shock_step": -1}, "shock_step"),
    ({"shock_steps": 0}, "shock_steps"),
    ({"penalty": 1.0}, "penalty"),
    ({"resilience": 1.5}, "resilience"),
    ({"steps": 0}, "steps"),
    ({"spillover": "yes"}, "spillover"),
    ({"names": ("A", "B")}, "names"),
]


@pytest.mark.parametrize(("changes", "word"), BAD_SCENARIOS)
def test_bad_scenario_raises_naming_the_parameter(changes: dict, word: str) -> None:
    with pytest.raises(ValueError, match=word):
        MultiAssetScenario(**changes)


def test_bad_accounts_and_calls_raise(accounts: Accounts) -> None:
    ok = {
        "units": [[1.0, 0.0]], "entry": [[1.0, 1.0]], "cash": [1.0],
        "collateral_units": [[0.0, 0.0]], "maintenance": 0.05,
    }
    for changes, word in [
        ({"units": [[np.inf, 0.0]]}, "units"),
        ({"units": [1.0, 0.0]}, "units"),
        ({"entry": [[1.0, 0.0]]}, "entry"),
        ({"entry": [[1.0, 1.0, 1.0]]}, "entry"),
        ({"cash": [-1.0]}, "cash"),
        ({"collateral_units": [[0.0, -0.5]]}, "collateral_units"),
        ({"maintenance": 1.0}, "maintenance"),
        ({"cross_margin": 1}, "cross_margin"),
    ]:
        with pytest.raises(ValueError, match=word):
            Accounts(**{**ok, **changes})
    two = Accounts(**ok)
    with pytest.raises(ValueError, match="accounts must hold 3 assets"):
        simulate_portfolio(two, MultiAssetScenario())
    with pytest.raises(ValueError, match="accounts"):
        simulate_portfolio("accounts", MultiAssetScenario())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scenario"):
        simulate_portfolio(accounts, {"shock": 0.1})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="shock_step"):
        simulate_portfolio(accounts, MultiAssetScenario(shock_step=50), steps=40)
    with pytest.raises(ValueError, match="steps"):
        simulate_portfolio(accounts, MultiAssetScenario(), steps=0)
    with pytest.raises(ValueError, match="seed"):
        simulate_portfolio(accounts, MultiAssetScenario(), seed=-1)
    for kwargs, word in [
        ({"legs": 4}, "legs"),
        ({"collateral_mix": [0.6, 0.6, 0.0]}, "collateral_mix"),
        ({"collateral_mix": [0.5, 0.5]}, "collateral_mix"),
        ({"maintenance": 0.06}, "maintenance"),
        ({"leverage": 0.5}, "leverage"),
        ({"long_share": 1.5}, "long_share"),
    ]:
        with pytest.raises(ValueError, match=word):
            sample_accounts(10, PRICES, **kwargs)
    with pytest.raises(ValueError, match="prices"):
        sample_accounts(10, [100.0, -1.0])
    with pytest.raises(ValueError, match=r"corr must be in \[-0.5, 1\], got -0.6"):
        equicorrelation(3, -0.6)
    with pytest.raises(ValueError, match="weights"):
        basket_volatility([0.0, 0.0], [0.1, 0.1], np.eye(2))
    with pytest.raises(ValueError, match="corr"):
        basket_drawdown([1.0, 1.0], [0.1, 0.1], [[1.0, 2.0], [2.0, 1.0]], 0.1)
    with pytest.raises(ValueError, match="shock_asset"):
        basket_drawdown([1.0, 1.0], [0.1, 0.1], np.eye(2), 0.1, shock_asset=2)


# ----------------------------------------------------------------------------- properties


@settings(max_examples=20, deadline=None)
@given(
    K=st.integers(1, 3),
    corr=st.floats(-0.45, 1.0),
    shock=st.floats(-0.3, 0.3),
    penalty=st.floats(0.0, 0.05),
    resilience=st.floats(0.0, 1.0),
    cross=st.booleans(),
    pledge=st.floats(0.0, 1.0),
    model=st.sampled_from(list(IMPACT_MODELS)),
    depth=st.floats(50.0, 5_000.0),
    seed=st.integers(0, 2**16),
)
def test_accounting_holds_in_random_markets(
    K: int, corr: float, shock: float, penalty: float, resilience: float, cross: bool,
    pledge: float, model: str, depth: float, seed: int,
) -> None:
    prices = 100.0 * (1.0 + np.arange(K))
    mix = np.full(K, pledge / K)
    acc = sample_accounts(
        200, prices, legs=min(2, K), collateral_mix=mix, cross_margin=cross, seed=seed
    )
    sc = MultiAssetScenario(
        prices=prices, vols=np.full(K, 0.005), corr=equicorrelation(K, max(corr, -0.45)),
        books=tuple(Book(depth, model) for _ in range(K)), shock=shock,
        shock_asset=seed % K, shock_step=3, penalty=penalty, resilience=resilience, steps=30,
        names=tuple("XYZ"[:K]),
    )
    res = simulate_portfolio(acc, sc, seed=seed)
    check_accounting(acc, res)
    assert np.all(res.max_drawdown >= 0.0) and np.all(res.max_drawdown < 1.0)
    assert 0 <= res.contagion <= res.n_accounts_liquidated
