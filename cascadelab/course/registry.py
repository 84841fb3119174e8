"""The exercise registry: :class:`Exercise`, :class:`Mistake` and :func:`register`.

The authors' side of the course's checkers. Each module of :mod:`cascadelab.course.exercises`
(one per chapter) calls :func:`register` for its exercises; the learners' side,
:mod:`cascadelab.course.checks`, imports those modules and reads the registry through
:data:`EXERCISES`. Nothing here imports either of them, so the two never import each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["EXERCISES", "Exercise", "Mistake", "register"]


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
    """

    value: Callable[..., Any] | None
    message: str
    when: Callable[[Any], bool] | None = None


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
        No arguments (or the keyword arguments passed on to ``check()``); returns the expected
        number or array. For a function exercise: the reference implementation.
    unit : str
        Unit of the answer ("USD", "units per 1%", "fraction", ...), used in messages.
    rtol, atol : float
        Relative and absolute tolerance: accepted when
        ``|answer - expected| <= atol + rtol * |expected|``.
    mistakes : sequence of Mistake
        Typical wrong answers, tried in order before the generic diagnostics.
    cases : callable, optional
        For a function exercise: returns a list of argument tuples to call both functions with.
    tolerance : callable, optional
        ``tolerance(**kwargs) -> (rtol, atol)`` when the tolerance depends on what the learner
        passes to ``check()`` (e.g. the number of Monte Carlo draws).
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
    tolerance: Callable[..., tuple[float, float]] | None = None
    hint: str = ""
    numba: bool = False
    _cache: dict = field(default_factory=dict, repr=False)

    def reference(self, **kwargs: Any) -> Any:
        """The expected answer (cached when it takes no keyword arguments)."""
        if self.kind == "function":
            return self.expected
        if kwargs:
            return self.expected(**kwargs)
        if "expected" not in self._cache:
            self._cache["expected"] = self.expected()
        return self._cache["expected"]

    def tol(self, **kwargs: Any) -> tuple[float, float]:
        """``(rtol, atol)`` for this check."""
        if self.tolerance is not None:
            return self.tolerance(**kwargs)
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
    if kind not in ("number", "array", "function"):
        raise ValueError(f"kind must be 'number', 'array' or 'function', got {kind!r}")
    if id in _REGISTRY:
        raise ValueError(f"exercise {id!r} is already registered")
    ex = Exercise(id=id, title=title, kind=kind, expected=expected, **options)
    _REGISTRY[id] = ex
    return ex
