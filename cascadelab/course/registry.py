"""The exercise registry: :class:`Exercise`, :class:`Mistake` and :func:`register`.

The authors' side of the course's checkers. Each module of :mod:`cascadelab.course.exercises`
(one per chapter) calls :func:`register` for its exercises; the learners' side,
:mod:`cascadelab.course.checks`, imports those modules and reads the registry through
:data:`EXERCISES`. Nothing here imports either of them, so the two never import each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["EXERCISES", "ID_FORMAT", "Exercise", "Mistake", "register"]

ID_FORMAT = "a string such as '02.1' (the two-digit chapter, a dot, the exercise's number)"
"""What an exercise id looks like, in words (used in error messages)."""

_ID = re.compile(r"\d\d\.\d+")


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer and what to say about it.

    Parameters
    ----------
    value : callable
        For number and array exercises: a function of no arguments returning the value the
        mistaken computation gives. For function exercises: a function with the same signature
        as the reference that makes the mistake.
    message : str
        What is off, phrased without the correct answer.
    when : callable, optional
        For number and array exercises, instead of ``value``: a test ``when(answer) -> bool``
        that recognises the mistake (e.g. "the parts do not add up to the whole").
    rtol, atol : float, optional
        The tolerance within which an answer matches ``value``, when it is not the exercise's
        own (e.g. a Monte Carlo estimate of the mistaken quantity has its own standard error).
    """

    value: Callable[..., Any] | None
    message: str
    when: Callable[[Any], bool] | None = None
    rtol: float | None = None
    atol: float | None = None


@dataclass
class Exercise:
    """One registered exercise (build it with :func:`register`).

    Parameters
    ----------
    id : str
        ``"CC.k"``: chapter number and exercise number.
    title : str
        A few words, shown in every message.
    kind : {"number", "array", "function"}
        What the answer is.
    expected : callable
        No arguments; returns the expected number or array. For a function exercise: the
        reference implementation.
    unit : str
        Unit of the answer ("USD", "units per 1%", "fraction", ...), used in messages.
    rtol, atol : float
        Relative and absolute tolerance: accepted when
        ``|answer - expected| <= atol + rtol * |expected|``. The tolerance never depends on what
        the learner passes to ``check()``: an answer is right or wrong for the exercise as stated.
    mistakes : sequence of Mistake
        Typical wrong answers, tried in order before the generic diagnostics.
    cases : callable, optional
        For a function exercise: returns a list of argument tuples to call both functions with.
    extras : tuple of str
        Names of the keyword arguments ``check()`` accepts for this exercise (e.g. ``("n",)``, the
        number of Monte Carlo draws the learner made); any other keyword is reported.
    advice : callable, optional
        ``advice(**extras) -> str``: a sentence appended to the message of an answer that fails,
        about the extra facts passed to ``check()`` (e.g. "the exercise asks for a million
        draws" when ``n`` is smaller); ``""`` when there is nothing to add.
    hint : str
        A generic nudge appended when no specific mistake is recognised.
    numba : bool
        For a function exercise meant as a numba kernel: suggest ``@njit`` if it is missing.
    """

    id: str
    title: str
    kind: str
    expected: Callable[..., Any]
    unit: str = ""
    rtol: float = 0.0
    atol: float = 0.0
    mistakes: Sequence[Mistake] = ()
    cases: Callable[[], list[tuple]] | None = None
    extras: tuple[str, ...] = ()
    advice: Callable[..., str] | None = None
    hint: str = ""
    numba: bool = False
    _cache: dict = field(default_factory=dict, repr=False)

    def reference(self) -> Any:
        """The expected answer (computed once and cached)."""
        if self.kind == "function":
            return self.expected
        if "expected" not in self._cache:
            self._cache["expected"] = self.expected()
        return self._cache["expected"]

    def tol(self) -> tuple[float, float]:
        """``(rtol, atol)`` for this exercise."""
        return self.rtol, self.atol

    def test_cases(self) -> list[tuple]:
        """The argument tuples a function answer is called with (cached)."""
        if "cases" not in self._cache:
            self._cache["cases"] = self.cases() if self.cases is not None else []
        return self._cache["cases"]


_REGISTRY: dict[str, Exercise] = {}
EXERCISES: Mapping[str, Exercise] = MappingProxyType(_REGISTRY)
"""Every registered exercise by id (read-only; filled by :func:`register`)."""


def register(
    id: str,
    title: str,
    kind: str,
    expected: Callable[..., Any],
    **options: Any,
) -> Exercise:
    """Add an exercise to the registry (see :class:`Exercise` for the options) and return it."""
    if not isinstance(id, str) or not _ID.fullmatch(id):
        raise ValueError(f"id must be {ID_FORMAT}, got {id!r}")
    if kind not in ("number", "array", "function"):
        raise ValueError(f"kind must be 'number', 'array' or 'function', got {kind!r}")
    if id in _REGISTRY:
        raise ValueError(f"exercise {id!r} is already registered")
    ex = Exercise(id=id, title=title, kind=kind, expected=expected, **options)
    _REGISTRY[id] = ex
    return ex
