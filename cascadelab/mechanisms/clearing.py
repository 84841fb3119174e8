r"""A clearing house and its default waterfall, against a web of bilateral exposures.

**With a clearing house (CCP)** every trade is novated to the CCP, so a member's default is a
loss :math:`\mathrm{loss}` (USD) of the CCP alone, which it covers layer by layer, each layer
touched only once the one before is used up:

1. the defaulter's margin :math:`c_{\text{def}}`;
2. the defaulter's contribution to the default fund, :math:`F_{\text{DF}} / n` (every one of the
   :math:`n` members contributes :math:`F_{\text{DF}}/n` to a fund of size :math:`F_{\text{DF}}`);
3. the CCP's own capital :math:`K_{\text{CCP}}` ("skin in the game");
4. the surviving members' contributions, :math:`F_{\text{DF}} (n - 1) / n`;
5. *assessments* on the :math:`n - 1` survivors, each called for at most
   :math:`a_{\max}` (USD per surviving member): real rulebooks cap them (CME: "additional
   financial resources up to a capped amount, commonly referred to as assessments", up to 550%
   of a member's guaranty-fund contribution for multiple defaults, Rule 802.G).

With capacities :math:`\mathrm{cap}_1, \dots, \mathrm{cap}_4` as above and
:math:`\mathrm{cap}_5 = (n - 1)\,a_{\max}`, layer :math:`j` pays

.. math::
    \mathrm{paid}_j = \min\Big(\mathrm{cap}_j,\ \big(\mathrm{loss} - \textstyle\sum_{i<j}
    \mathrm{cap}_i\big)^+\Big), \qquad
    \mathrm{unfunded} = \Big(\mathrm{loss} - \textstyle\sum_{j=1}^{5} \mathrm{cap}_j\Big)^+,

so :math:`\sum_j \mathrm{paid}_j + \mathrm{unfunded} = \mathrm{loss}`: whatever the five layers
cannot hold is a loss the waterfall leaves *unfunded* (a real CCP then turns to its recovery
plan, which the model leaves out). A survivor pays
:math:`(\mathrm{paid}_4 + \mathrm{paid}_5) / (n - 1)` whatever its own trades. With
:math:`a_{\max} = \infty` (the default of :func:`waterfall`) nothing is ever unfunded.

**Without one (bilateral)** the defaulter owes its counterparties directly. The loss beyond its
margin, :math:`(\mathrm{loss} - c_{\text{def}})^+`, lands on the :math:`n - 1` others in
proportion to their exposure :math:`\omega_j \propto (j + 1)^{-\gamma}` (:math:`\gamma` =
``concentration``; 0 spreads it evenly, larger values pile it on a few big dealers). A member
whose hit exceeds its capital :math:`E_j` defaults in turn and passes its shortfall
:math:`h_j - E_j` to the survivors with the same weights: the loss travels along the web of
exposures, round after round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_int, check_real

__all__ = [
    "LAYERS",
    "BilateralContagion",
    "Waterfall",
    "bilateral_contagion",
    "exposure_weights",
    "waterfall",
]

MAX_MEMBERS = 10_000
"""Largest number of members (or counterparties) the functions here accept."""

MAX_USD = 1e18
"""Largest amount (loss, margin, fund, capital) the functions here accept, USD."""

#: Names of the waterfall's layers, in the order they pay.
LAYERS: tuple[str, ...] = (
    "defaulter's margin",
    "defaulter's fund share",
    "CCP capital",
    "survivors' fund",
    "assessments",
)


@dataclass(frozen=True)
class Waterfall:
    r"""How :func:`waterfall` covers a default loss. Every amount in USD.

    Attributes
    ----------
    loss : float
        The loss to cover, :math:`\mathrm{loss}`.
    draws : tuple of float, length 5
        What each layer paid, in the order of :data:`LAYERS`; they sum to ``loss - unfunded``.
    capacities : tuple of float, length 5
        Each layer's size (the assessments' is :math:`(n - 1) a_{\max}`, ``inf`` if uncapped).
    members : int
        Clearing members, the defaulter included.
    unfunded : float
        The part of the loss beyond every layer, including capped assessments (0 when the
        assessments are uncapped); ``sum(draws) + unfunded == loss``.
    assessment_cap : float
        Largest assessment per surviving member, :math:`a_{\max}` (``inf``: uncapped).
    """

    loss: float
    draws: tuple[float, ...]
    capacities: tuple[float, ...]
    members: int
    unfunded: float = 0.0
    assessment_cap: float = float("inf")

    @property
    def margin(self) -> float:
        """Drawn from the defaulter's margin."""
        return self.draws[0]

    @property
    def defaulter_fund(self) -> float:
        """Drawn from the defaulter's default-fund contribution."""
        return self.draws[1]

    @property
    def ch_capital(self) -> float:
        """Drawn from the clearing house's own capital."""
        return self.draws[2]

    @property
    def survivors_fund(self) -> float:
        """Drawn from the surviving members' default-fund contributions."""
        return self.draws[3]

    @property
    def mutualised(self) -> float:
        """Assessed on the survivors beyond the fund (at most ``assessment_cap`` each)."""
        return self.draws[4]

    @property
    def assessment(self) -> float:
        """What each survivor is assessed beyond its fund contribution, USD."""
        return self.draws[4] / (self.members - 1)

    @property
    def defaulter_pays(self) -> float:
        """The defaulter's own resources used: margin and fund share."""
        return self.draws[0] + self.draws[1]

    @property
    def per_survivor(self) -> float:
        """What each surviving member loses: its fund share drawn plus its assessment."""
        return (self.draws[3] + self.draws[4]) / (self.members - 1)

    @property
    def layers_used(self) -> int:
        """Number of layers touched (0 for no loss)."""
        return int(sum(d > 0.0 for d in self.draws))

    def as_dict(self) -> dict[str, float]:
        """Layer name -> draw, USD (the unfunded rest is :attr:`unfunded`)."""
        return dict(zip(LAYERS, self.draws, strict=True))


def waterfall(
    loss: float,
    margin: float,
    default_fund: float,
    ch_capital: float,
    members: int = 10,
    *,
    assessment_cap: float = float("inf"),
) -> Waterfall:
    r"""Cover a defaulter's loss layer by layer (equations in the module docstring).

    Parameters
    ----------
    loss : float
        Loss from closing out the defaulter's portfolio, USD, in [0, 1e18].
    margin : float
        The defaulter's margin, USD, in [0, 1e18].
    default_fund : float
        Total default fund :math:`F`, USD, in [0, 1e18], contributed equally by the members.
    ch_capital : float
        Clearing-house capital committed before the survivors' fund, USD, in [0, 1e18].
    members : int
        Clearing members :math:`n` including the defaulter, in [2, 10,000].
    assessment_cap : float
        Largest assessment per surviving member :math:`a_{\max}`, USD, >= 0 (``inf``:
        uncapped, nothing is ever unfunded). CME caps assessments at a multiple of a member's
        guaranty-fund contribution (up to 550% for multiple defaults).

    Returns
    -------
    Waterfall

    Examples
    --------
    >>> w = waterfall(30.0, margin=5.0, default_fund=16.0, ch_capital=2.0, members=16)
    >>> w.draws
    (5.0, 1.0, 2.0, 15.0, 7.0)
    >>> capped = waterfall(30.0, 5.0, 16.0, 2.0, members=16, assessment_cap=0.2)
    >>> capped.draws[4], round(capped.unfunded, 12)
    (3.0, 4.0)
    """
    loss = check_real("loss", loss, lo=0.0, hi=MAX_USD)
    margin = check_real("margin", margin, lo=0.0, hi=MAX_USD)
    default_fund = check_real("default_fund", default_fund, lo=0.0, hi=MAX_USD)
    ch_capital = check_real("ch_capital", ch_capital, lo=0.0, hi=MAX_USD)
    members = check_int("members", members, lo=2, hi=MAX_MEMBERS)
    a_max = float(assessment_cap)
    if not a_max >= 0.0:  # also rejects NaN; inf is allowed
        raise ValueError(
            f"assessment_cap must be a number in [0, inf] (USD per surviving member), got "
            f"{assessment_cap!r}"
        )
    own = default_fund / members
    capacities = (margin, own, ch_capital, default_fund - own, a_max * (members - 1))
    draws = []
    left = loss
    for cap in capacities:
        d = min(cap, left)
        draws.append(d)
        left = left - d
    return Waterfall(loss, tuple(float(d) for d in draws), capacities, members,
                     unfunded=float(max(left, 0.0)), assessment_cap=a_max)


def exposure_weights(n: int, concentration: float = 1.0) -> np.ndarray:
    r"""Shares of one member's exposure held by each of ``n`` counterparties, largest first.

    :math:`w_j \propto (j + 1)^{-\gamma}`, :math:`j = 0, \dots, n - 1`.

    Parameters
    ----------
    n : int
        Counterparties, in [1, 10,000].
    concentration : float
        :math:`\gamma` >= 0: 0 spreads evenly, 2 puts most of it on the first two.

    Returns
    -------
    ndarray, shape (n,)
        Shares summing to 1, largest first.
    """
    n = check_int("n", n, lo=1, hi=MAX_MEMBERS)
    gamma = check_real("concentration", concentration, lo=0.0, hi=10.0)
    w = (np.arange(n) + 1.0) ** -gamma
    return w / w.sum()


@dataclass(frozen=True, eq=False)
class BilateralContagion:
    """Outcome of :func:`bilateral_contagion`. Amounts in USD; member 0 is the first defaulter.

    Attributes
    ----------
    hit : ndarray, shape (members,)
        Loss each member received from its defaulting counterparties (0 for member 0).
    defaulted : ndarray of bool, shape (members,)
        Who defaulted (member 0 always).
    default_round : ndarray of int, shape (members,)
        Round in which each member defaulted (0 for member 0, -1 for survivors).
    rounds : int
        Round of the last default (0: nobody else defaulted).
    uncovered : float
        The first defaulter's loss beyond its margin, passed to its counterparties.
    absorbed : float
        Losses absorbed by the capital of members (survivors' hits plus defaulters' capital).
    unpaid : float
        Loss nobody absorbed (left when every member has defaulted).
    """

    hit: np.ndarray
    defaulted: np.ndarray
    default_round: np.ndarray
    rounds: int
    uncovered: float
    absorbed: float
    unpaid: float

    @property
    def n_secondary(self) -> int:
        """Members that defaulted because of the first default."""
        return int(self.defaulted.sum()) - 1


def bilateral_contagion(
    loss: float,
    margin: float,
    members: int,
    capital: float,
    *,
    concentration: float = 1.0,
) -> BilateralContagion:
    r"""Spread a default through bilateral exposures, round by round, with no clearing house.

    Member 0 defaults with a loss ``loss`` of which its ``margin`` (held bilaterally by its
    counterparties) covers a part. Each defaulter passes its shortfall to the members still
    standing, ranked by exposure: the :math:`r`-th largest counterparty gets a share
    :math:`\propto (r + 1)^{-\gamma}` (:func:`exposure_weights`); member :math:`i`'s largest
    counterparty is the next one standing after it around a ring (:math:`i + 1, i + 2, \dots`).
    A member whose accumulated hit exceeds ``capital`` defaults and passes on
    ``hit - capital`` in the next round.

    Parameters
    ----------
    loss : float
        The first defaulter's loss, USD, in [0, 1e18].
    margin : float
        Collateral it posted to its counterparties, USD, in [0, 1e18].
    members : int
        Members of the market including the defaulter, in [2, 10,000] (each round passes
        every defaulter's shortfall around the ring, so the work grows like ``members**2``).
    capital : float
        Loss-absorbing capital of each member, USD, in [0, 1e18].
    concentration : float
        :math:`\gamma` of :func:`exposure_weights`, in [0, 10].

    Returns
    -------
    BilateralContagion

    Examples
    --------
    >>> c = bilateral_contagion(30.0, 5.0, members=16, capital=4.0, concentration=1.0)
    >>> c.n_secondary > 0
    True
    """
    loss = check_real("loss", loss, lo=0.0, hi=MAX_USD)
    margin = check_real("margin", margin, lo=0.0, hi=MAX_USD)
    members = check_int("members", members, lo=2, hi=MAX_MEMBERS)
    capital = check_real("capital", capital, lo=0.0, hi=MAX_USD)
    concentration = check_real("concentration", concentration, lo=0.0, hi=10.0)

    hit = np.zeros(members)
    defaulted = np.zeros(members, dtype=bool)
    default_round = np.full(members, -1, dtype=np.int64)
    defaulted[0] = True
    default_round[0] = 0
    uncovered = max(loss - margin, 0.0)
    pending = {0: uncovered}  # defaulter -> shortfall it passes on this round
    rounds = 0
    unpaid = 0.0
    # each defaulter's counterparties, ranked by exposure: the next members around a ring
    while pending:
        standing = np.flatnonzero(~defaulted)
        if standing.size == 0:
            unpaid += sum(pending.values())
            break
        rounds += 1
        for src, amount in sorted(pending.items()):
            order = standing[np.argsort((standing - src) % members, kind="stable")]
            hit[order] += amount * exposure_weights(order.size, concentration)
        new = (~defaulted) & (hit > capital)
        pending = {int(j): float(hit[j] - capital) for j in np.flatnonzero(new)}
        defaulted |= new
        default_round[new] = rounds
    absorbed = float(np.minimum(hit, capital)[1:].sum())
    return BilateralContagion(
        hit=hit,
        defaulted=defaulted,
        default_round=default_round,
        rounds=int(default_round.max()),
        uncovered=uncovered,
        absorbed=absorbed,
        unpaid=unpaid,
    )
