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
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from cascadelab.positions import Positions, sample_positions

__all__ = ["CACHE_SIZE", "POPULATION_CACHE_SIZE", "PRICE", "SIGMA_REF", "cached", "population"]

PRICE = 100.0
"""Starting price of every single-asset scenario of the course, USD."""

SIGMA_REF = 0.002
"""Reference volatility per step of the stress index (see :mod:`cascadelab.mechanisms.breaker`)."""

CACHE_SIZE = 256
"""Entries kept per memoised function (least recently used evicted first)."""

POPULATION_CACHE_SIZE = 32
"""Populations kept by :func:`population` (each is a few MB)."""

F = TypeVar("F", bound=Callable)


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
