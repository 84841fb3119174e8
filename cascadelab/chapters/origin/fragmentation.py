r"""Fragmented liquidity: a static threshold that ignores where liquidity sits (chapter 01).

The forced sales of one venue hit that venue's book, of depth :math:`\alpha D` (its share
:math:`\alpha` of the aggregate depth :math:`D`), not :math:`D`. With :math:`\rho` units of
liquidations per 1% near the shocked price, the loop gain is :math:`k(\alpha) = \rho/(\alpha D)`,
and the local estimate of the critical share, where that gain reaches 1, is
:math:`\alpha^* = \rho / D` (:func:`fragmented_liquidity`).

The estimate is local: :math:`\rho` is measured just below the shocked price, so it moves with
the shock, and the simulated cascade need not jump there. :attr:`FragmentationResult.cliff`
reports where the simulated amplification does jump most along the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_choice, check_real, check_sequence
from cascadelab.cascade import CascadeResult, cascade, cascade_multiplier, liquidation_density
from cascadelab.chapters._course import PRICE, cached, check_run, population
from cascadelab.market import IMPACT_MODELS, Book

__all__ = ["DEFAULT_SHARES", "FragmentationResult", "fragmented_liquidity"]


@dataclass(frozen=True, eq=False)
class FragmentationResult:
    """Outcome of :func:`fragmented_liquidity`. Prices USD, volumes units, depths units per 1%.

    Attributes
    ----------
    venue_share, shock, depth : float
        Inputs: the liquidating venue's share :math:`\alpha` of the aggregate depth, the shock,
        and the aggregate depth :math:`D`.
    venue, aggregate : CascadeResult
        The static cascade against the venue's book :math:`sD`, and against :math:`D`.
    shares : ndarray
        Venue shares of the sweep, ascending, in (0, 1].
    amplification : ndarray
        Simulated amplification at each share, x.
    closed_form : ndarray
        :math:`1/(1 - \\rho/(\\alpha D))` at each share, x (inf at and below the critical
        share).
    rho : float
        Liquidation density just below the shocked price, units per 1%.
    critical_share : float
        :math:`\\alpha^* = \\rho / D`: below it the venue's local loop gain exceeds 1.
    n_positions : int
        Positions in the population.
    """

    venue_share: float
    shock: float
    depth: float
    venue: CascadeResult
    aggregate: CascadeResult
    shares: np.ndarray
    amplification: np.ndarray
    closed_form: np.ndarray
    rho: float
    critical_share: float
    n_positions: int = 0

    @property
    def cliff(self) -> tuple[float, float, float, float]:
        """The largest jump of the simulated amplification between two neighbouring shares of
        the sweep: ``(share_below, share_above, amplification_below, amplification_above)``.

        The ratio ``amplification_below / amplification_above`` says how sharp it is: a sweep
        with a cliff shows a ratio of several, a smooth one a ratio close to its neighbours'.
        """
        ratio = self.amplification[:-1] / self.amplification[1:]
        i = int(np.argmax(ratio))
        return (float(self.shares[i]), float(self.shares[i + 1]),
                float(self.amplification[i]), float(self.amplification[i + 1]))

    @property
    def summary(self) -> dict[str, float]:
        """``amplification_venue``, ``amplification_aggregate`` (x), ``ratio`` (venue over
        aggregate), ``move_venue_pct`` and ``move_aggregate_pct`` (% fall), ``n_liquidated_venue``
        and ``n_liquidated_aggregate`` (positions), ``bad_debt_venue`` and
        ``bad_debt_aggregate`` (USD), ``loop_gain_venue`` (:math:`\\rho/(\\alpha D)`),
        ``critical_share_pct`` (% of depth), ``n_positions`` (the population), and the sweep's
        largest jump: ``cliff_below_pct``, ``cliff_above_pct`` (% of depth) and
        ``cliff_ratio`` (x)."""
        lo, hi, a_lo, a_hi = self.cliff
        v, a = self.venue, self.aggregate
        return {
            "amplification_venue": v.amplification,
            "amplification_aggregate": a.amplification,
            "ratio": v.amplification / a.amplification,
            "move_venue_pct": -100.0 * v.move,
            "move_aggregate_pct": -100.0 * a.move,
            "n_liquidated_venue": float(v.n_liquidated),
            "n_liquidated_aggregate": float(a.n_liquidated),
            "bad_debt_venue": v.bad_debt,
            "bad_debt_aggregate": a.bad_debt,
            "loop_gain_venue": self.rho / (self.venue_share * self.depth),
            "critical_share_pct": 100.0 * self.critical_share,
            "n_positions": float(self.n_positions),
            "cliff_below_pct": 100.0 * lo,
            "cliff_above_pct": 100.0 * hi,
            "cliff_ratio": a_lo / a_hi,
        }



@cached
def _share_sweep(
    shock: float, depth: float, impact: str, n: int, seed: int, shares: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray]:
    pos = population(n, seed=seed)
    s = np.array(shares)
    amp = np.array([cascade(pos, PRICE, shock, Book(depth * x, impact)).amplification for x in s])
    amp.flags.writeable = False
    s.flags.writeable = False
    return s, amp


DEFAULT_SHARES = tuple(float(x) for x in np.round(np.geomspace(0.05, 1.0, 25), 4))
"""Venue shares of the sweep in :func:`fragmented_liquidity` (5% to 100%, log-spaced)."""


def fragmented_liquidity(
    venue_share: float = 0.25,
    *,
    shock: float = 0.05,
    depth: float = 200_000.0,
    impact: str = "linear",
    n: int = 20_000,
    seed: int = 0,
    shares: tuple[float, ...] = DEFAULT_SHARES,
) -> FragmentationResult:
    r"""Run one shock's static cascade against one venue's book and against aggregate depth.

    A threshold set as if liquidations could trade against the whole market's depth :math:`D`
    meets a venue whose own book holds only a share :math:`\alpha` of it. Its forced sales trade
    against :math:`\text{Book}(\alpha D)`, so the loop gain is :math:`\rho/(\alpha D)` and the
    small-shock amplification is

    .. math:: A(\alpha) \approx \frac{1}{1 - \rho/(\alpha D)}, \qquad
              \alpha > \alpha^* = \rho / D.

    Parameters
    ----------
    venue_share : float
        Share :math:`\alpha` of the aggregate depth resting on the liquidating venue, in (0, 1].
    shock : float
        Relative price drop, in (0, 1).
    depth : float
        Aggregate depth :math:`D`, units per 1% move, in [1, 1e12].
    impact : {"linear", "exponential", "sqrt"}
        Impact model of both books.
    n, seed : int
        Size (>= 100) and seed of the population (:func:`cascadelab.sample_positions`
        around 100 USD, median leverage 10x).
    shares : tuple of float
        Venue shares of the sweep, each in (0, 1] (at least one).

    Returns
    -------
    FragmentationResult

    Examples
    --------
    >>> res = fragmented_liquidity(venue_share=0.25)
    >>> res.summary["amplification_venue"] > res.summary["amplification_aggregate"]
    True
    """
    venue_share = check_real("venue_share", venue_share, lo=0.0, hi=1.0, lo_open=True)
    shock = check_real("shock", shock, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    depth = check_real("depth", depth, lo=1.0, hi=1e12)
    check_choice("impact", impact, tuple(IMPACT_MODELS))
    n, seed = check_run(n=n, seed=seed)
    shares = tuple(check_real(f"shares[{j}]", x, lo=0.0, hi=1.0, lo_open=True)
                   for j, x in enumerate(check_sequence("shares", shares, what="shares")))
    pos = population(n, seed=seed)
    venue = cascade(pos, PRICE, shock, Book(depth * venue_share, impact))
    aggregate = cascade(pos, PRICE, shock, Book(depth, impact))
    s, amp = _share_sweep(shock, depth, impact, n, seed, tuple(sorted(shares)))
    rho = liquidation_density(pos, PRICE * (1.0 - shock), window=0.05)
    closed = np.array([cascade_multiplier(rho, depth * x) for x in s])
    return FragmentationResult(venue_share, shock, depth, venue, aggregate, s, amp, closed, rho,
                               rho / depth, n)
