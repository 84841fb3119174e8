"""The course market every chapter shares, and the one cache policy of the scenario functions.

Every single-asset scenario of the course starts at :data:`PRICE`; the stress index compares
volatility with :data:`SIGMA_REF` (also the engine's default ``stress_sigma_ref``). Populations
come from :func:`population`, which draws ``sample_positions(n, PRICE, ...)`` once per set of
arguments and sorts it once, so every chapter that asks for the same market gets the same
:class:`~cascadelab.Positions` object (and its cached sorts).

Scenario functions memoise pure, hashable-argument helpers with :func:`cached`: one bounded LRU
policy for the whole course, so a lab that revisits a setting answers from memory and a long
session never grows without bound. Each memoised function keeps :data:`CACHE_SIZE` entries,
except :func:`population`, whose entries are whole populations (about 2.3 MB for 20,000
positions) and which keeps :data:`POPULATION_CACHE_SIZE` of them (at most about 75 MB).

The run arguments every scenario function shares (the population size ``n``, the ``seed``, the
number of engine ``steps``) are checked by :func:`check_run`, against the course's ranges
:data:`N_RANGE` and :data:`STEPS_RANGE` unless a function says otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from cascadelab._validate import check_int
from cascadelab.positions import Positions, sample_positions

__all__ = [
    "CACHE_SIZE", "N_RANGE", "POPULATION_CACHE_SIZE", "PRICE", "SIGMA_REF", "STEPS_RANGE",
    "cached", "check_run", "population",
]

PRICE = 100.0
"""Starting price of every single-asset scenario of the course, USD."""

SIGMA_REF = 0.002
"""Reference volatility per step of the stress index (see :mod:`cascadelab.mechanisms.breaker`)."""

CACHE_SIZE = 256
"""Entries kept per memoised function (least recently used evicted first)."""

POPULATION_CACHE_SIZE = 32
"""Populations kept by :func:`population` (each is a few MB)."""

N_RANGE: tuple[int, int | None] = (100, None)
"""Population sizes ``n`` a scenario function accepts by default: at least 100 positions."""

STEPS_RANGE: tuple[int, int | None] = (20, 5000)
"""Run lengths ``steps`` a single-path scenario function accepts by default."""

F = TypeVar("F", bound=Callable)
_GIVEN_NOT: Any = object()  # check_run: the function has no such argument


def cached(fn: F, *, size: int = CACHE_SIZE) -> F:
    """Memoise ``fn`` (hashable arguments) with the course's one policy: an LRU of ``size``
    entries (default :data:`CACHE_SIZE`)."""
    return functools.lru_cache(maxsize=size)(fn)  # type: ignore[return-value]


def population(n: int = 20_000, *, seed: int = 0, **shape: float) -> Positions:
    """The course population: ``sample_positions(n, PRICE, seed=seed, **shape)``, drawn once.

    ``shape`` takes the keyword arguments of :func:`cascadelab.sample_positions` (``leverage``,
    ``max_leverage``, ``leverage_tail``, ``long_share``, ``maintenance``, ...). The same
    arguments always return the same object, so each sort a chapter asks of it (by liquidation
    price for the static cascade, by bankruptcy price for the engine) is paid once, on first use.

    Examples
    --------
    >>> population(1_000, seed=1) is population(1_000, seed=1)
    True
    """
    return _population(n, seed, **shape)


def _draw(n: int, seed: int, **shape: float) -> Positions:
    return sample_positions(n, PRICE, seed=seed, **shape)


_population = cached(_draw, size=POPULATION_CACHE_SIZE)


def check_run(
    *, seed: object, n: object = _GIVEN_NOT, steps: object = _GIVEN_NOT,
    n_range: tuple[int, int | None] = N_RANGE, steps_range: tuple[int, int | None] = STEPS_RANGE,
) -> tuple[int, ...]:
    """Check the run arguments of a scenario function: the ``seed`` (an int >= 0) and, those it
    has, the population size ``n`` (in ``n_range``) and the number of ``steps`` (in
    ``steps_range``). Returns them as ints, those given, in the order ``n, seed, steps``.

    Raises
    ------
    TypeError
        If one is not an integer.
    ValueError
        If one is outside its range; the message names it, its value and the range.

    Examples
    --------
    >>> check_run(n=2_000, seed=3)
    (2000, 3)
    >>> check_run(seed=0, steps=10)
    Traceback (most recent call last):
    ...
    ValueError: steps must be an integer in [20, 5000], got 10
    """
    out = []
    if n is not _GIVEN_NOT:
        out.append(check_int("n", n, *n_range))
    out.append(check_int("seed", seed, lo=0))
    if steps is not _GIVEN_NOT:
        out.append(check_int("steps", steps, *steps_range))
    return tuple(out)
