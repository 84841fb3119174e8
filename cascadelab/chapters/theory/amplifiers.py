r"""What amplifies a cascade: one shock, one factor swept at a time (chapter 02).

One shock :math:`s` (a fall of the price by the fraction :math:`s`), one factor swept at a time,
the rest at the course defaults. The amplification is the largest fall over the shock,
:math:`A = \text{drawdown} / s`. Each factor runs in the package's own model: book depth and
leverage in the static :func:`cascadelab.cascade`, oracle latency in :func:`cascadelab.simulate`,
the correlation of pledged collateral in :func:`cascadelab.simulate_portfolio`.

Correlated collateral hurts twice. It loses value with the asset (the default sweep), and a
risk-based margin also *raises the requirement* on it: ``margin="risk"`` sets each account's
maintenance ratio to cover the whole account's risk, notional :math:`V` in asset A and
collateral worth :math:`V/L_i` in asset B,

.. math::
    m_i(\varrho) = m\,\frac{\sqrt{1 + 1/L_i^2 + 2\varepsilon_i\varrho/L_i}}{\sqrt{1 + 1/L_i^2}},

the standard deviation of the account's value for a correlation :math:`\varrho` between A and B
(side :math:`\varepsilon_i`, leverage :math:`L_i` at entry), scaled so that :math:`m_i(0) = m`.
For a 10x long it rises by :math:`(1 + 1/L)/\sqrt{1 + 1/L^2} - 1 \approx 9.5\%` from
:math:`\varrho = 0` to 1: positions are closed earlier, nearer the price.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_array, check_choice, check_real
from cascadelab.cascade import cascade, liquidation_density
from cascadelab.chapters._course import PRICE, cached, check_run, population
from cascadelab.engine import Scenario, simulate
from cascadelab.market import Book
from cascadelab.portfolio import Accounts, MultiAssetScenario, equicorrelation, simulate_portfolio

__all__ = ["AMPLIFIERS", "CRITICAL_WINDOW", "LATENCY_SLIDE", "LATENCY_STEPS", "AmplifierSweep",
           "critical_depth", "sweep_amplifier"]


#: The four amplifiers: name -> (axis label, unit, default sweep values, course default).
AMPLIFIERS: dict[str, tuple[str, str, tuple[float, ...], float]] = {
    "depth": ("book depth D", "units per 1%",
              tuple(np.geomspace(6e4, 1e6, 9).round(-3)), 200_000.0),
    "leverage": ("median leverage", "x", (2.0, 4.0, 6.0, 8.0, 10.0, 12.5, 15.0, 20.0, 25.0),
                 10.0),
    "latency": ("oracle latency", "steps", (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 40.0), 0.0),
    "correlation": ("correlation of collateral with the asset", None,
                    (-0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0), 0.0),
}

#: Steps of the engine runs behind the latency sweep, and the slide per step that follows the
#: shock there (a falling market: a stale oracle only matters while the price keeps moving).
LATENCY_STEPS = 120
LATENCY_SLIDE = 0.001

#: Width of the band below the shocked price over which :func:`critical_depth` measures the
#: liquidation density, fraction of the price.
CRITICAL_WINDOW = 0.02


@dataclass(frozen=True, eq=False)
class AmplifierSweep:
    """One amplifier swept on one shock (see :func:`sweep_amplifier`).

    Attributes
    ----------
    factor : str
        ``"depth"``, ``"leverage"``, ``"latency"`` or ``"correlation"``.
    label, unit : str, str or None
        What the factor is and its unit, for the axis.
    values : ndarray
        The factor's values.
    amplification : ndarray
        Largest fall of the (traded) price over the shock, x.
    drawdown : ndarray
        Largest fall, fraction of the starting price.
    bad_debt : ndarray
        Losses beyond the liquidated traders' collateral, USD.
    liquidated_notional : ndarray
        Notional closed by forced sales, USD.
    shock : float
        The shock, fraction.
    default : float
        The factor's course default (where the other sweeps sit).
    model : str
        Which of the package's models produced the numbers.
    margin : str
        ``"fixed"`` or ``"risk"`` (the correlation factor's requirement; see the module).
    critical_depth : float or None
        For the depth factor, :func:`critical_depth` at this shock (units per 1%); else None.
    """

    factor: str
    label: str
    unit: str | None
    values: np.ndarray
    amplification: np.ndarray
    drawdown: np.ndarray
    bad_debt: np.ndarray
    liquidated_notional: np.ndarray
    shock: float
    default: float
    model: str
    margin: str = "fixed"
    critical_depth: float | None = None

    def describe(self, value: float) -> str:
        """One value of the factor with its unit, for printing (``"60k units per 1%"``)."""
        v = float(value)
        if self.factor == "depth":
            return f"{v / 1e6:.1f}M units per 1%" if v >= 1e6 else f"{v / 1e3:,.0f}k units per 1%"
        if self.factor == "leverage":
            return f"{v:g}x"
        if self.factor == "latency":
            return f"{v:.0f} step" if v == 1.0 else f"{v:.0f} steps"
        return f"correlation {v:+.2f}"


def critical_depth(shock: float, *, n: int = 20_000, seed: int = 0) -> float:
    r"""The depth at which the small-shock loop gain reaches 1 after a shock, :math:`D^* = \rho`.

    :math:`\rho` is the liquidation density of the course population just below the shocked
    price :math:`p_1 = 100\,(1 - s)` USD, :func:`cascadelab.liquidation_density` over the band
    :math:`[p_1(1 - w), p_1]` with :math:`w` = :data:`CRITICAL_WINDOW`. A book shallower than
    :math:`D^*` has :math:`\rho/D > 1` where the cascade starts: the multiplier
    :math:`1/(1 - \rho/D)` of chapter 00 has no finite value there.

    Parameters
    ----------
    shock : float
        :math:`s`, fraction in (0, 0.5].
    n, seed : int
        The population (as in :func:`sweep_amplifier`).

    Returns
    -------
    float
        :math:`D^*`, units per 1%.

    Examples
    --------
    >>> critical_depth(0.10) > critical_depth(0.05)   # a bigger shock lands in denser stops
    True
    """
    shock = check_real("shock", shock, 0.0, 0.5, lo_open=True)
    n, seed = check_run(n=n, seed=seed, n_range=(100, 200_000))
    return liquidation_density(population(n, seed=seed), PRICE * (1.0 - shock),
                               window=CRITICAL_WINDOW)


#: Book depth of the static cascades (units per 1%) when depth is not the factor swept.
_DEPTH = AMPLIFIERS["depth"][3]


def _static_point(shock: float, depth: float, n: int, seed: int, **shape: float
                  ) -> tuple[float, float, float]:
    # the chapter-00 cascade (linear book, 1% penalty) on the course population
    res = cascade(population(n, seed=seed, **shape), PRICE, shock, Book(depth), penalty=0.01)
    return -res.move, res.bad_debt, res.liquidated_notional


def _latency_point(shock: float, latency: int, n: int, seed: int) -> tuple[float, float, float]:
    sc = Scenario(shock=shock, mu=-LATENCY_SLIDE, oracle_latency=latency)
    res = simulate(population(n, seed=seed), sc, steps=LATENCY_STEPS, seed=seed)
    return res.max_drawdown, res.total_bad_debt, res.total_liquidated_notional


@cached
def _collateral_accounts(n: int, seed: int) -> Accounts:
    # the course's population, each position a one-leg account in asset A whose whole margin
    # is pledged in units of asset B (collateral_mix = [0, 1])
    pos = population(n, seed=seed)
    k = len(pos)
    units = np.zeros((k, 2))
    units[:, 0] = pos.side * pos.size
    entry = np.full((k, 2), PRICE)
    entry[:, 0] = pos.entry
    entry[:, 1] = PRICE
    pledged = np.zeros((k, 2))
    pledged[:, 1] = pos.collateral / PRICE
    return Accounts(units, entry, np.zeros(k), pledged, pos.maintenance, True)


def _risk_margin(acc: Accounts, pos_side: np.ndarray, w: np.ndarray, rho: float) -> Accounts:
    # the requirement on the whole account's risk, scaled to the fixed ratio at rho = 0;
    # w = collateral / notional at entry = 1 / L
    scale = np.sqrt(1.0 + w * w + 2.0 * pos_side * rho * w) / np.sqrt(1.0 + w * w)
    return acc.replace(maintenance=acc.maintenance * scale)


def _correlation_point(shock: float, rho: float, n: int, seed: int, margin: str = "fixed"
                       ) -> tuple[float, float, float]:
    d = Scenario().depth
    acc = _collateral_accounts(n, seed)
    if margin == "risk":
        pos = population(n, seed=seed)
        acc = _risk_margin(acc, pos.side, pos.collateral / (pos.size * pos.entry), rho)
    ms = MultiAssetScenario(
        prices=(PRICE, PRICE), vols=(0.0, 0.0), corr=equicorrelation(2, rho),
        books=(Book(d), Book(d)), shock=shock, shock_step=10, steps=120,
        resilience=Scenario().resilience,
    )
    res = simulate_portfolio(acc, ms, seed=seed)
    return float(res.max_drawdown[0]), res.total_bad_debt, res.total_liquidated_notional


@cached
def _point(factor: str, value: float, shock: float, n: int, seed: int, margin: str = "fixed"
           ) -> tuple[float, float, float]:
    if factor == "depth":
        return _static_point(shock, value, n, seed)
    if factor == "leverage":
        return _static_point(shock, _DEPTH, n, seed, leverage=value)
    if factor == "latency":
        return _latency_point(shock, int(value), n, seed)
    return _correlation_point(shock, value, n, seed, margin)


def sweep_amplifier(
    factor: str,
    values: np.ndarray | None = None,
    *,
    shock: float = 0.05,
    n: int = 20_000,
    seed: int = 0,
    margin: str = "fixed",
) -> AmplifierSweep:
    r"""Sweep one amplifier of a cascade on one shock; everything else at the course defaults.

    Parameters
    ----------
    factor : {"depth", "leverage", "latency", "correlation"}
        * ``"depth"``: book depth :math:`D` (units per 1%), static :func:`cascadelab.cascade`
          on the course population (:func:`cascadelab.chapters._course.population`);
        * ``"leverage"``: median leverage (x, in [1, 50]) of that population, static cascade
          on a 200,000-unit book;
        * ``"latency"``: oracle delay (steps, integer in [0, 1000]) in
          :func:`cascadelab.simulate`: the shock at step 10 and then a slide of
          ``LATENCY_SLIDE`` per step for ``LATENCY_STEPS`` steps;
        * ``"correlation"``: correlation (in [-1, 1]) between the traded asset A and the asset
          B every trader pledged as margin, in :func:`cascadelab.simulate_portfolio`; the shock
          hits A and spills over to B by the correlation.
    values : array of float or None
        Values of the factor; None = the defaults in :data:`AMPLIFIERS`.
    shock : float
        The fall that starts it, fraction in (0, 0.5].
    n : int
        Positions in the population, in [100, 200000].
    seed : int
        Seed of the population (and of the engine's noise), >= 0.
    margin : {"fixed", "risk"}
        For ``"correlation"`` only: ``"fixed"`` keeps every account's maintenance ratio (the
        collateral only loses value), ``"risk"`` also raises it with the correlation, the
        risk-based requirement of the module docstring.

    Returns
    -------
    AmplifierSweep
        ``amplification = drawdown / shock`` at each value.

    Examples
    --------
    >>> sw = sweep_amplifier(factor="depth", values=[1e5, 1e6])
    >>> bool(sw.amplification[0] > sw.amplification[1] >= 1.0)
    True
    """
    factor = check_choice("factor", factor, tuple(AMPLIFIERS))
    margin = check_choice("margin", margin, ("fixed", "risk"))
    if margin == "risk" and factor != "correlation":
        raise ValueError(f"margin='risk' applies to factor 'correlation' only, got {factor!r}")
    shock = check_real("shock", shock, 0.0, 0.5, lo_open=True)
    n, seed = check_run(n=n, seed=seed, n_range=(100, 200_000))
    label, unit, default_values, default = AMPLIFIERS[factor]
    vals = check_array("values", default_values if values is None else values)
    if vals.size == 0:
        raise ValueError("values must hold at least one value of the factor, got an empty array")
    lo, hi = {"depth": (0.0, np.inf), "leverage": (1.0, 50.0), "latency": (0.0, 1000.0),
              "correlation": (-1.0, 1.0)}[factor]
    bad = (vals <= lo) if factor == "depth" else (vals < lo)
    bad |= vals > hi
    if factor == "latency":
        bad |= vals != np.round(vals)
    if bad.any():
        raise ValueError(
            f"values for factor {factor!r} must lie in [{lo:g}, {hi:g}]"
            f"{' (whole steps)' if factor == 'latency' else ''}, got {vals[bad][0]:g}"
        )
    pts = np.array([_point(factor, float(v), shock, n, seed, margin) for v in vals])
    model = {"depth": "static cascade", "leverage": "static cascade",
             "latency": "market engine", "correlation": "multi-asset engine"}[factor]
    return AmplifierSweep(
        factor=factor, label=label, unit=unit, values=vals,
        amplification=pts[:, 0] / shock, drawdown=pts[:, 0], bad_debt=pts[:, 1],
        liquidated_notional=pts[:, 2], shock=shock, default=default, model=model, margin=margin,
        critical_depth=critical_depth(shock, n=n, seed=seed) if factor == "depth" else None,
    )
