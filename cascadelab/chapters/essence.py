r"""Pure scenario functions behind the course's labs: parameters in, numbers out, no widgets.

Each lab in :mod:`cascadelab.widgets` is a thin view over one function here, so tests and
notebooks get the same numbers without a browser.

:func:`feedback_loop_scenario` (chapter 00): a population of leveraged positions, a one-off
shock and a book; it runs :func:`cascadelab.cascade` and adds what the feedback-loop lab draws:
the price path round by round, the histogram of liquidation prices (all of them, and the ones the
cascade closed) and the loop gain :math:`k = \rho / D` with its closed-form multiplier
:math:`1 / (1 - k)`, where :math:`\rho` is :func:`cascadelab.liquidation_density` at the
shocked price, the density the forced sales run into.

Two exact results for the static cascade on a linear book go with it:
:func:`static_cascade_move` (the small-shock law :math:`s / (1 - k (1 - s))` for a uniform
density) and :func:`runaway_depth` (the thinnest book on which a given population's cascade
still stops above a price).

Populations are the course's (:func:`cascadelab.chapters._course.population`), cached per size,
seed and leverage distribution, long share and maintenance margin, so changing only the shock,
the depth or the impact model re-runs the cascade on the same, already sorted, positions.
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_array, check_choice, check_instance, check_int, check_real
from cascadelab.cascade import CascadeResult, cascade, cascade_multiplier, liquidation_density
from cascadelab.chapters import _course
from cascadelab.chapters._course import PRICE
from cascadelab.market import IMPACT_MODELS, Book
from cascadelab.positions import Positions, sample_positions

__all__ = [
    "DepthSweep",
    "FeedbackLoopParams",
    "FeedbackLoopResult",
    "depth_sweep",
    "feedback_loop_scenario",
    "population",
    "runaway_depth",
    "static_cascade_move",
]


@dataclass(frozen=True)
class FeedbackLoopParams:
    """Everything the feedback-loop scenario depends on. Fractions are fractions, not percent.

    The price before the shock is the course's :data:`~cascadelab.chapters._course.PRICE`
    (100 USD); the population fields (``leverage`` to ``maintenance``, ``n``, ``seed``) are the
    keywords of :func:`cascadelab.sample_positions` and share its defaults.

    Attributes
    ----------
    shock : float
        Relative price drop that starts it all, in (-1, 1) (0.05 = 5% down; negative = up).
    depth : float
        Book depth :math:`D`, units of the asset per 1% price move, in [1, 1e12].
    impact : {"linear", "exponential", "sqrt"}
        Impact model of the book (see :mod:`cascadelab.market`).
    leverage : float
        Median leverage of the population, x.
    max_leverage : float
        Largest leverage the venue allows, x.
    leverage_tail : float
        Pareto tail index of leverage (smaller = more traders near the maximum).
    long_share : float
        Fraction of positions that are long, in [0, 1].
    maintenance : float
        Maintenance-margin ratio, fraction of notional, in [0, 1/max_leverage).
    n : int
        Number of positions.
    penalty : float
        Liquidation penalty, fraction of the closed notional.
    seed : int
        Seed of the population.
    window : float
        Width of the band just beyond the shocked price over which :math:`\rho` is measured,
        a fraction of that price in (0, 1). The default is
        :func:`cascadelab.liquidation_density`'s: the 1% of price the forced sales cross first.
    bin_width : float
        Width of a histogram bin, fraction of the price, in (0, 1].
    hist_span : float
        The histogram covers ``PRICE * (1 - hist_span)`` to ``PRICE`` (mirrored for shorts), in
        (0, 1].
    """

    shock: float = 0.05
    depth: float = 200_000.0
    impact: str = "linear"
    leverage: float = 10.0
    max_leverage: float = 50.0
    leverage_tail: float = 1.5
    long_share: float = 0.6
    maintenance: float = 0.005
    n: int = 20_000
    penalty: float = 0.01
    seed: int = 0
    window: float = inspect.signature(liquidation_density).parameters["window"].default
    bin_width: float = 0.005
    hist_span: float = 0.6

    def __post_init__(self) -> None:
        for name in ("shock", "leverage", "max_leverage", "leverage_tail", "long_share",
                     "maintenance", "penalty", "window"):  # ranges: sample_positions, cascade
            check_real(name, getattr(self, name))
        check_real("depth", self.depth, lo=1.0, hi=1e12)
        check_int("n", self.n, lo=0, hi=10_000_000)
        check_int("seed", self.seed, lo=0)
        check_choice("impact", self.impact, tuple(IMPACT_MODELS))
        check_real("bin_width", self.bin_width, lo=0.0, hi=1.0, lo_open=True)
        check_real("hist_span", self.hist_span, lo=0.0, hi=1.0, lo_open=True)

    def replace(self, **changes: object) -> FeedbackLoopParams:
        """A copy with some fields changed, e.g. ``params.replace(depth=50_000.0)``."""
        return dataclasses.replace(self, **changes)

    @property
    def shape(self) -> dict[str, float]:
        """The population fields that differ from :func:`cascadelab.sample_positions`'s defaults,
        as its keyword arguments (with this class's defaults: none)."""
        return {f: getattr(self, f) for f in _SHAPE if getattr(self, f) != _SHAPE_DEFAULTS[f]}

    @property
    def book(self) -> Book:
        """The book of depth ``depth`` and model ``impact``."""
        return Book(depth=self.depth, impact=self.impact)


_SHAPE = ("leverage", "max_leverage", "leverage_tail", "long_share", "maintenance")
_SHAPE_DEFAULTS = {f: inspect.signature(sample_positions).parameters[f].default for f in _SHAPE}


def population(params: FeedbackLoopParams) -> Positions:
    """The (cached) course population that ``params`` describes.

    :func:`cascadelab.chapters._course.population` of ``params.n``, ``params.seed`` and
    ``params.shape``: the same population fields always return the same
    :class:`~cascadelab.Positions` object (with the defaults, the one the other chapters use),
    so its sort by liquidation price is paid once.
    """
    check_instance("params", params, FeedbackLoopParams)
    return _course.population(params.n, seed=params.seed, **params.shape)


@dataclass(frozen=True, eq=False)
class FeedbackLoopResult:
    """What :func:`feedback_loop_scenario` returns. Prices in USD, volumes in units.

    Attributes
    ----------
    params : FeedbackLoopParams
        The inputs.
    positions : Positions
        The population (shared with the cache: do not rely on identity across keys).
    cascade : CascadeResult
        The engine's result, unchanged.
    price_path : ndarray
        :math:`p_0`, the shocked price :math:`p_1`, then the price after each round.
    round_units : ndarray
        Units liquidated in each round (``price_path[k + 1] -> price_path[k + 2]``).
    hist_edges : ndarray
        Price bin edges of the liquidation-price histogram, ascending, USD.
    hist_units : ndarray
        Units of the hit side with a liquidation price in each bin, per 1% of price
        (the same unit as the depth :math:`D`).
    hist_liquidated : ndarray
        The part of ``hist_units`` that the cascade closed, per 1% of price.
    rho : float
        Liquidation density :math:`\\rho` of the ``window`` just beyond the shocked price
        :math:`p_1`, units per 1% of :math:`p_1` (:func:`cascadelab.liquidation_density`).
    rho_over_depth : float
        Loop gain :math:`k = \\rho / D` at :math:`p_1`; the closed form runs away at 1.
    multiplier : float
        Closed-form small-shock amplification :math:`1 / (1 - k)` (inf from :math:`k = 1`):
        exact for the static cascade if the density were :math:`\\rho` all the way down (see
        :func:`static_cascade_move`).
    """

    params: FeedbackLoopParams
    positions: Positions
    cascade: CascadeResult
    price_path: np.ndarray
    round_units: np.ndarray
    hist_edges: np.ndarray
    hist_units: np.ndarray
    hist_liquidated: np.ndarray
    rho: float
    rho_over_depth: float
    multiplier: float

    @property
    def amplification(self) -> float:
        """Total move over the shock's own move (1 = no cascade)."""
        return self.cascade.amplification

    @property
    def summary(self) -> dict[str, float]:
        """The headline numbers, name -> float (units in the names' docs below).

        ``amplification`` (x), ``final_price`` (USD), ``move_pct`` (% of the starting price,
        negative for a fall), ``n_liquidated`` (positions), ``liquidated_units`` (units),
        ``liquidated_notional`` (USD), ``rounds``, ``rho`` (units per 1%), ``rho_over_depth``,
        ``multiplier`` (x, closed form), ``penalties`` and ``bad_debt`` (USD).
        """
        c = self.cascade
        return {
            "amplification": float(c.amplification),
            "final_price": float(c.final_price),
            "move_pct": 100.0 * float(c.move),
            "n_liquidated": float(c.n_liquidated),
            "liquidated_units": float(c.liquidated_units),
            "liquidated_notional": float(c.liquidated_notional),
            "rounds": float(c.rounds),
            "rho": float(self.rho),
            "rho_over_depth": float(self.rho_over_depth),
            "multiplier": float(self.multiplier),
            "penalties": float(c.penalties),
            "bad_debt": float(c.bad_debt),
        }


def _histograms(
    positions: Positions, res: CascadeResult, params: FeedbackLoopParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    direction = res.direction
    side = positions.by_trigger(direction)
    n_bins = max(1, round(params.hist_span / params.bin_width))
    if direction > 0:
        edges = PRICE * (1.0 - params.hist_span + params.bin_width * np.arange(n_bins + 1))
    else:
        edges = PRICE * (1.0 + params.bin_width * np.arange(n_bins + 1))
    per_pct = 1.0 / (100.0 * params.bin_width)  # bin contents -> units per 1% of price
    units, _ = np.histogram(side.liq, bins=edges, weights=side.size)
    k = res.n_liquidated
    closed, _ = np.histogram(side.liq[:k], bins=edges, weights=side.size[:k])
    return edges, units * per_pct, closed * per_pct


def feedback_loop_scenario(**changes: object) -> FeedbackLoopResult:
    r"""Run the feedback loop of chapter 00: one shock through a population and a book.

    Parameters
    ----------
    **changes
        Fields of :class:`FeedbackLoopParams` that differ from the course defaults (20,000
        positions around 100 USD, a 200,000-unit book, a 5% shock), e.g. ``depth=50_000.0``;
        an unknown name raises TypeError. The result keeps the full set as ``.params``.

    Returns
    -------
    FeedbackLoopResult

    Notes
    -----
    The cascade is :func:`cascadelab.cascade` on :func:`population` (cached);
    :math:`\rho` is :func:`cascadelab.liquidation_density` at the shocked price
    :math:`p_1 = p_0 (1 - s)` over ``window`` (by default the 1% just beyond :math:`p_1`, the
    band the forced sales cross first), and the multiplier is
    :func:`cascadelab.cascade_multiplier` of it, the same measurement chapter 00 uses.

    Examples
    --------
    >>> res = feedback_loop_scenario(shock=0.05)
    >>> 1.5 < res.amplification < 3.0
    True
    """
    params = FeedbackLoopParams(**changes)
    pos = population(params)
    book = params.book
    res = cascade(pos, PRICE, params.shock, book, penalty=params.penalty)
    rho = liquidation_density(pos, res.shocked_price, window=params.window, side=res.direction)
    edges, units, closed = _histograms(pos, res, params)
    return FeedbackLoopResult(
        params=params,
        positions=pos,
        cascade=res,
        price_path=np.r_[PRICE, res.round_prices],
        round_units=res.round_units,
        hist_edges=edges,
        hist_units=units,
        hist_liquidated=closed,
        rho=rho,
        rho_over_depth=rho / book.depth,
        multiplier=cascade_multiplier(rho, book.depth),
    )


@dataclass(frozen=True)
class DepthSweep:
    """Amplification of one shock against book depth, simulated and in closed form.

    Attributes
    ----------
    depths : ndarray
        Book depths swept, units per 1%.
    amplification : ndarray
        Simulated amplification at each depth, x.
    closed_form : ndarray
        :math:`1 / (1 - \\rho / D)` at each depth, x (inf at and past the closed form's
        critical point).
    rho : float
        Liquidation density of the ``window`` just beyond the shocked price, units per 1% (as
        in :func:`feedback_loop_scenario`; it does not depend on D).
    critical_depth : float
        The closed form's critical depth, where :math:`\\rho / D = 1`, units per 1% (equal to
        ``rho``). The simulated cascade can run away on deeper books than this when the
        density grows further below the price: see :func:`runaway_depth`.
    """

    depths: np.ndarray
    amplification: np.ndarray
    closed_form: np.ndarray
    rho: float
    critical_depth: float


def depth_sweep(depths: np.ndarray, **changes: object) -> DepthSweep:
    """Sweep the book depth for one scenario: simulated amplification and the closed form.

    Parameters
    ----------
    depths : array of float
        Depths to try, units per 1%, each in [1, 1e12].
    **changes
        Fields of :class:`FeedbackLoopParams` that differ from the defaults, e.g.
        ``shock=0.01`` (``depth`` is ignored: ``depths`` replaces it).

    Returns
    -------
    DepthSweep

    Examples
    --------
    >>> sweep = depth_sweep([1e5, 1e6], shock=0.01)
    >>> bool(sweep.amplification[0] > sweep.amplification[1])
    True
    """
    params = FeedbackLoopParams(**changes)
    depths = check_array("depths", depths, lo=1.0, hi=1e12)
    pos = population(params)
    p1 = PRICE * (1.0 - params.shock)
    direction = 1 if params.shock >= 0 else -1
    rho = liquidation_density(pos, p1, window=params.window, side=direction)
    amp = np.empty(depths.size)
    closed = np.empty(depths.size)
    for j, d in enumerate(depths):
        book = Book(depth=float(d), impact=params.impact)
        res = cascade(pos, PRICE, params.shock, book, penalty=params.penalty)
        amp[j] = res.amplification
        closed[j] = cascade_multiplier(rho, float(d))
    return DepthSweep(depths, amp, closed, rho, rho)


def static_cascade_move(shock: float, rho: float, depth: float) -> float:
    r"""Total move of the static cascade set off by ``shock``: :math:`s / (1 - k (1 - s))`.

    The law of :func:`cascadelab.cascade` on a linear book for a population whose liquidation
    density is uniform: :math:`\rho` units have their liquidation price in every 1% of the
    starting price :math:`p_0`, and the book of depth :math:`D` moves the price from the shocked
    price :math:`p_1 = p_0 (1 - s)`, as :func:`cascadelab.cascade` applies it.

    Let the cascade end at :math:`p_* = p_0 (1 - y)`. Every position with its liquidation
    price between :math:`p_*` and :math:`p_0` has been closed: :math:`Q = 100\,\rho\,|y|` units.
    Traded through the book from :math:`p_1` they leave the price at
    :math:`p_* = p_1 \big(1 - \operatorname{sign}(y)\,Q / (100 D)\big) = p_0 (1 - s)(1 - k y)`,
    with the loop gain :math:`k = \rho / D`. The two expressions of :math:`p_*` agree when

    .. math::
        1 - y = (1 - s)(1 - k y)
        \quad\Longleftrightarrow\quad
        y = \frac{s}{1 - k (1 - s)},
        \qquad
        A = \frac{y}{s} = \frac{1}{1 - k (1 - s)}.

    The law holds for falls (:math:`s > 0`, longs sold) and rises (:math:`s < 0`, shorts
    bought) alike, and it is exact, not a first-order approximation, when :math:`\rho` is the
    mean density over the band the cascade actually crossed, from :math:`p_0` to :math:`p_*`
    (``liquidation_density(positions, p0, window=abs(y))``). A density measured before the
    cascade is run is a forecast of that mean: an error of a fraction :math:`\epsilon` in
    :math:`\rho` moves :math:`A` by about :math:`(A - 1)\,\epsilon`.

    :math:`k (1 - s)` is the same gain counted per 1% of :math:`p_1`, since 1% of :math:`p_1`
    is :math:`1 - s` times 1% of :math:`p_0`. With :math:`\rho_1 = (1 - s)\rho`, the density
    :func:`cascadelab.liquidation_density` returns at :math:`p_1`, the law reads
    :math:`y = s / (1 - \rho_1 / D)`: :math:`A` is :func:`cascadelab.cascade_multiplier` of
    :math:`\rho_1`, the geometric series :math:`1 + k_1 + k_1^2 + \dots` of the gain at
    :math:`p_1`.

    Parameters
    ----------
    shock : float
        Relative price drop :math:`s` in (-1, 1) (0.01 = 1% down; negative = up).
    rho : float
        Liquidation density, units per 1% of the starting price :math:`p_0`, >= 0.
    depth : float
        Book depth :math:`D`, units per 1% of the shocked price, > 0.

    Returns
    -------
    float
        The total relative move :math:`y = (p_0 - p_*) / p_0` (positive for a fall); ``inf``
        (with the sign of the shock) when :math:`k (1 - s) \ge 1`, where a uniform density
        has no end point and the loop runs away.

    Examples
    --------
    >>> round(static_cascade_move(0.01, 50_000.0, 200_000.0), 6)  # k = 0.25
    0.013289
    """
    shock = check_real("shock", shock, lo=-1.0, hi=1.0, lo_open=True, hi_open=True)
    rho = check_real("rho", rho, lo=0.0)
    depth = check_real("depth", depth, lo=0.0, lo_open=True)
    gain = rho / depth * (1.0 - shock)
    if shock == 0.0:
        return 0.0
    if gain >= 1.0:
        return float(np.copysign(np.inf, shock))
    return shock / (1.0 - gain)


def runaway_depth(
    positions: Positions, price: float, shock: float, *, floor_price: float
) -> float:
    r"""The thinnest linear book on which a fall of ``shock`` ends at or above ``floor_price``.

    On a linear book deeper than the returned depth, :func:`cascadelab.cascade` of
    ``(positions, price, shock)`` ends at or above ``floor_price``; on any thinner book it ends
    below. Unlike the closed form's critical depth :math:`\rho` (the density next to the shocked
    price), it accounts for a density that changes further down.

    Let :math:`Q(p)` be the units of longs whose liquidation price is at or above :math:`p`. One
    round takes the price :math:`p` to :math:`T(p) = p_1 \big(1 - Q(p) / (100 D)\big)`, with
    :math:`p_1 = p_0 (1 - s)`. :math:`T` never decreases as :math:`p` rises, so the rounds
    :math:`p_1, T(p_1), T(T(p_1)), \dots` can never fall below a price :math:`p` where
    :math:`T(p) \ge p`, and the end point :math:`p_*` is itself such a price. The cascade
    therefore ends at or above ``floor_price`` exactly when :math:`T(p) \ge p` somewhere in
    :math:`[\text{floor}, p_1)`, that is when

    .. math:: D \ge \frac{Q(p)}{100\,(1 - p / p_1)}
       \quad\text{for some } p \text{ in } [\text{floor}, p_1):

    the units the fall down to :math:`p` closes against the units a book of depth :math:`D`
    absorbs on the way from :math:`p_1` to :math:`p`. The returned depth is the smallest such
    ratio. For a uniform density :math:`\rho_1` per 1% of :math:`p_1` that starts at
    :math:`p_0` and reaches below the floor, it is
    :math:`\rho_1 (p_0 - \text{floor}) / (p_1 - \text{floor})`, which tends to the closed
    form's critical depth :math:`\rho_1` as the floor falls.

    Parameters
    ----------
    positions : Positions
        The open positions (only the longs matter for a fall).
    price : float
        Price before the shock :math:`p_0`, USD per unit, > 0.
    shock : float
        Relative price drop :math:`s`, in (0, 1).
    floor_price : float
        The price the cascade must stay at or above, USD per unit, in (0, :math:`p_1`).

    Returns
    -------
    float
        Depth, units per 1% of the shocked price (0 if the shock crosses no liquidation price).

    Examples
    --------
    >>> from cascadelab import Book, cascade
    >>> pos = population(FeedbackLoopParams())
    >>> d = runaway_depth(pos, 100.0, 0.01, floor_price=90.0)
    >>> cascade(pos, 100.0, 0.01, Book(1.01 * d)).final_price >= 90.0
    True
    >>> cascade(pos, 100.0, 0.01, Book(0.99 * d)).final_price < 90.0
    True
    """
    check_instance("positions", positions, Positions)
    price = check_real("price", price, lo=0.0, lo_open=True)
    shock = check_real("shock", shock, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    p1 = price * (1.0 - shock)
    floor_price = check_real("floor_price", floor_price, lo=0.0, hi=p1, lo_open=True,
                             hi_open=True)
    side = positions.by_trigger(1)
    liq, q = side.liq, np.cumsum(side.size)
    if liq.size == 0 or liq[0] < p1:
        return 0.0
    # on (liq[j+1], liq[j]] the crossed units are q[j]; the ratio grows with the price, so each
    # interval counts at its lowest admissible price
    lowest = np.maximum(np.r_[liq[1:], -np.inf], floor_price)
    ok = (lowest < p1) & (lowest <= liq)
    return float(np.min(q[ok] / (100.0 * (1.0 - lowest[ok] / p1))))
