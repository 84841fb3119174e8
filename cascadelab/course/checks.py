r"""Answer checkers for the course exercises: ``check("02.1", answer)``.

Every exercise of the course is registered (:mod:`cascadelab.course.registry`; the definitions
live in :mod:`cascadelab.course.exercises`, one module per chapter) with

* the expected answer, computed from the package wherever possible rather than typed in;
* a tolerance, stated in every message;
* a list of typical mistakes (the bankruptcy price instead of the liquidation price, a percent
  instead of a fraction, the entry instead of the current price, ...), each with a message that
  says what is off without giving the answer away.

Three kinds of answer are understood: a number, an array of numbers, and a function (for coding
tasks the checker calls the learner's function on a few test inputs and compares it with the
reference implementation).

An exercise left blank (``None``, ``...``, or a stub function that returns ``None``) is reported
as "not attempted yet": a checker never raises on a learner's answer, so the exercise notebooks
run top to bottom before anything is filled in.

Examples
--------
>>> from cascadelab.course.checks import check
>>> res = check("00.1", None)  # doctest: +ELLIPSIS
· 00.1 (liquidation price of a long): not attempted yet: replace the placeholder with your ...
>>> res.passed, res.attempted
(False, False)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import cascadelab.course.exercises  # noqa: F401  (importing it registers every exercise)
from cascadelab.course.registry import EXERCISES, Exercise

__all__ = ["CheckResult", "check", "exercise", "list_exercises"]

PASS_MARK = "✓"
FAIL_MARK = "✗"
TODO_MARK = "·"


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check` found.

    Attributes
    ----------
    exercise : str
        Exercise id, e.g. ``"02.1"``.
    passed : bool
        True if the answer is within the stated tolerance.
    message : str
        One or two sentences for the learner (never the expected value itself).
    attempted : bool
        False when the answer was left blank.
    """

    exercise: str
    passed: bool
    message: str
    attempted: bool = True

    def __bool__(self) -> bool:
        return self.passed

    @property
    def mark(self) -> str:
        """``✓`` for a pass, ``✗`` for a miss and ``·`` for a blank answer."""
        if not self.attempted:
            return TODO_MARK
        return PASS_MARK if self.passed else FAIL_MARK

    def _ipython_display_(self) -> None:
        """Show nothing: :func:`check` has already printed the result line."""

    def __str__(self) -> str:
        return f"{self.mark} {self.exercise} ({EXERCISES[self.exercise].title}): {self.message}"


def exercise(exercise_id: str) -> Exercise:
    """The registered :class:`Exercise` with this id (``ValueError`` if there is none)."""
    if exercise_id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        raise ValueError(f"no exercise {exercise_id!r}; known exercises: {known}")
    return EXERCISES[exercise_id]


def list_exercises() -> list[tuple[str, str]]:
    """``(id, title)`` of every registered exercise, sorted by id."""
    return [(k, EXERCISES[k].title) for k in sorted(EXERCISES, key=_id_key)]


def _id_key(exercise_id: str) -> tuple[int, ...]:
    return tuple(int(x) for x in exercise_id.split("."))


def check(exercise_id: str, answer: Any, *, quiet: bool = False, **kwargs: Any) -> CheckResult:
    """Check an answer to exercise ``exercise_id``, print one friendly line, return the result.

    Parameters
    ----------
    exercise_id : str
        The id printed in the exercise's title, e.g. ``"02.1"``.
    answer : number, array or function
        Your answer. ``None`` or ``...`` means "not attempted yet".
    quiet : bool
        If True, do not print.
    **kwargs
        Extra facts some exercises need, e.g. ``n=`` the number of Monte Carlo draws.

    Returns
    -------
    CheckResult
        ``passed`` and a ``message``; it is truthy when the answer passed.

    Examples
    --------
    >>> check("00.3", ..., quiet=True).attempted
    False
    """
    ex = exercise(exercise_id)
    if _blank(answer):
        res = CheckResult(
            ex.id, False,
            "not attempted yet: replace the placeholder with your answer and run the cell again.",
            attempted=False,
        )
    else:
        try:
            if ex.kind == "number":
                res = _check_number(ex, answer, kwargs)
            elif ex.kind == "array":
                res = _check_array(ex, answer, kwargs)
            else:
                res = _check_function(ex, answer)
        except Exception as err:  # a checker must never stop the notebook
            res = CheckResult(ex.id, False, f"could not check this answer ({_err(err)}).")
    if not quiet:
        print(res)
    return res


# ---------------------------------------------------------------------------------------------
# shared helpers


def _blank(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


def _err(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > 160:
        first = first[:157] + "..."
    return f"{type(err).__name__}: {first}" if first else type(err).__name__


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _tol_text(ex: Exercise, rtol: float, atol: float) -> str:
    unit = f" {ex.unit}" if ex.unit and ex.unit != "fraction" else ""
    parts = []
    if atol:
        parts.append(f"±{_fmt(atol)}{unit}")
    if rtol >= 1e-4:
        parts.append(f"{_fmt(100 * rtol)}% relative")
    elif rtol:
        parts.append(f"relative {rtol:g}")
    return "tolerance " + (" + ".join(parts) if parts else "exact")


def _close(a: Any, b: Any, rtol: float, atol: float) -> bool:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def _as_number(answer: Any) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, (int, float, np.integer, np.floating)):
        return float(answer)
    if isinstance(answer, np.ndarray) and answer.size == 1 and answer.dtype.kind in "iuf":
        return float(answer.reshape(()))
    return None


def _generic_number(ex: Exercise, x: float, e: float, rtol: float, atol: float) -> str:
    """What to say about a wrong number no registered mistake explains."""
    return _scale_or_sign(ex, x, e, rtol, atol) or _direction(ex, x, e, rtol, atol)


def _scale_or_sign(ex: Exercise, x: float, e: float, rtol: float, atol: float) -> str | None:
    """A flipped sign or a power-of-ten slip, if that is what ``x`` looks like."""
    tol = _tol_text(ex, rtol, atol)
    if e != 0 and _close(-x, e, rtol, atol):
        return f"the size looks right but the sign is flipped ({tol})."
    if e != 0 and (_close(x, 100 * e, rtol, atol) or _close(x / 100, e, rtol, atol)):
        return (
            "off by a factor of 100: a percent where a fraction is asked for (or the reverse), "
            f"or a unit that differs by 100 ({tol})."
        )
    if e != 0 and _close(100 * x, e, rtol, atol):
        return f"off by a factor of 100 (too small): check percent vs fraction and units ({tol})."
    if e != 0 and (_close(x, 1000 * e, rtol, atol) or _close(1000 * x, e, rtol, atol)):
        return f"off by a factor of 1000: check the units ({tol})."
    if e != 0 and x != 0 and math.copysign(1.0, x) != math.copysign(1.0, e):
        return f"the sign is wrong, and so is the size ({tol})."
    return None


def _direction(ex: Exercise, x: float, e: float, rtol: float, atol: float) -> str:
    tol = _tol_text(ex, rtol, atol)
    direction = "too high" if x > e else "too low"
    rel = abs(x - e) / abs(e) if e else float("inf")
    closeness = "close, but " if rel < 0.05 else ""
    msg = f"{closeness}{direction} ({tol})."
    return f"{msg} {ex.hint}".strip()


# ---------------------------------------------------------------------------------------------
# numbers


def _check_number(ex: Exercise, answer: Any, kwargs: dict) -> CheckResult:
    x = _as_number(answer)
    unit = f" in {ex.unit}" if ex.unit else ""
    if x is None:
        what = type(answer).__name__
        if isinstance(answer, (list, tuple, np.ndarray)):
            what = f"{what} of length {len(answer)}"
        return CheckResult(ex.id, False, f"expected a single number{unit}, got a {what}.")
    if not math.isfinite(x):
        return CheckResult(ex.id, False, f"the answer is {x}; expected a finite number{unit}.")
    e = float(ex.reference(**kwargs))
    rtol, atol = ex.tol(**kwargs)
    if _close(x, e, rtol, atol):
        return CheckResult(ex.id, True, f"correct ({_tol_text(ex, rtol, atol)}).")
    for m in ex.mistakes:
        if m.when is None and _close(x, m.value(), rtol, atol):
            return CheckResult(ex.id, False, m.message)
    slip = _scale_or_sign(ex, x, e, rtol, atol)
    if slip:
        return CheckResult(ex.id, False, slip)
    for m in ex.mistakes:
        if m.when is not None and m.when(x):
            return CheckResult(ex.id, False, m.message)
    return CheckResult(ex.id, False, _direction(ex, x, e, rtol, atol))


# ---------------------------------------------------------------------------------------------
# arrays


def _check_array(ex: Exercise, answer: Any, kwargs: dict) -> CheckResult:
    e = np.asarray(ex.reference(**kwargs), dtype=np.float64)
    rtol, atol = ex.tol(**kwargs)
    tol = _tol_text(ex, rtol, atol)
    try:
        x = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return CheckResult(
            ex.id, False, f"expected an array of {e.size} numbers, got a {type(answer).__name__}."
        )
    if x.shape != e.shape:
        if x.size == e.size:
            return CheckResult(
                ex.id, False,
                f"the numbers come in the wrong shape {x.shape}; expected shape {e.shape}.",
            )
        return CheckResult(
            ex.id, False, f"expected {e.size} numbers (shape {e.shape}), got shape {x.shape}."
        )
    if not np.all(np.isfinite(x)):
        return CheckResult(ex.id, False, "some entries are nan or inf.")
    if _close(x, e, rtol, atol):
        return CheckResult(ex.id, True, f"correct, all {e.size} entries ({tol}).")
    for m in ex.mistakes:
        if m.when is None and _close(x, m.value(), rtol, atol):
            return CheckResult(ex.id, False, m.message)
    if e.ndim == 1 and e.size > 1 and _close(x[::-1], e, rtol, atol):
        return CheckResult(ex.id, False, f"the right numbers in reverse order ({tol}).")
    if np.any(e != 0) and _close(-x, e, rtol, atol):
        return CheckResult(ex.id, False, f"every entry has the wrong sign ({tol}).")
    if np.any(e != 0) and (_close(x, 100 * e, rtol, atol) or _close(100 * x, e, rtol, atol)):
        return CheckResult(
            ex.id, False, f"every entry is off by a factor of 100: percent vs fraction? ({tol})."
        )
    for m in ex.mistakes:
        if m.when is not None and m.when(x):
            return CheckResult(ex.id, False, m.message)
    bad = np.abs(x - e) > atol + rtol * np.abs(e)
    i = int(np.argmax(bad.ravel()))
    direction = "too high" if x.ravel()[i] > e.ravel()[i] else "too low"
    return CheckResult(
        ex.id, False,
        f"{int(bad.sum())} of {e.size} entries are off; the first is at index {i} and is "
        f"{direction} ({tol}). {ex.hint}".strip(),
    )


# ---------------------------------------------------------------------------------------------
# functions


def _describe_args(args: tuple) -> str:
    parts = []
    for a in args:
        if isinstance(a, np.ndarray):
            parts.append(f"<array of {a.size}>")
        elif isinstance(a, float):
            parts.append(_fmt(a))
        else:
            parts.append(repr(a))
    return "(" + ", ".join(parts) + ")"


def _call(fn: Callable, args: tuple) -> Any:
    copied = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    return fn(*copied)


def _check_function(ex: Exercise, answer: Any) -> CheckResult:
    if not callable(answer):
        return CheckResult(
            ex.id, False,
            f"expected a function (pass the function itself, without calling it), "
            f"got a {type(answer).__name__}.",
        )
    rtol, atol = ex.tol()
    tol = _tol_text(ex, rtol, atol)
    cases = ex.test_cases()
    got = []
    for args in cases:
        try:
            out = _call(answer, args)
        except Exception as err:
            return CheckResult(
                ex.id, False, f"your function raised {_err(err)} when called with "
                f"{_describe_args(args)}.",
            )
        got.append(out)
    if all(_blank(g) for g in got):
        return CheckResult(
            ex.id, False, "not attempted yet: the function still returns None. Write its body "
            "and run the cell again.", attempted=False,
        )
    values = []
    for args, out in zip(cases, got, strict=True):
        x = _as_number(out)
        if x is None:
            return CheckResult(
                ex.id, False, f"your function returned a {type(out).__name__} for "
                f"{_describe_args(args)}; it should return a number"
                f"{' in ' + ex.unit if ex.unit else ''}.",
            )
        values.append(x)
    expected = [float(_call(ex.expected, args)) for args in cases]
    wrong = [
        i for i, (x, e) in enumerate(zip(values, expected, strict=True))
        if not _close(x, e, rtol, atol)
    ]
    jit = hasattr(answer, "py_func")
    if not wrong:
        tip = "" if jit or not ex.numba else " Tip: decorate it with numba's @njit to make it fast."
        return CheckResult(
            ex.id, True, f"correct on all {len(cases)} test inputs ({tol}).{tip}"
        )
    for m in ex.mistakes:
        try:
            alt = [float(_call(m.value, args)) for args in cases]
        except Exception:  # pragma: no cover - a mistake model that cannot run is skipped
            continue
        if _close(values, alt, rtol, atol):
            return CheckResult(ex.id, False, m.message)
    i = wrong[0]
    detail = _generic_number(ex, values[i], expected[i], rtol, atol)
    return CheckResult(
        ex.id, False,
        f"wrong on {len(wrong)} of {len(cases)} test inputs; for {_describe_args(cases[i])} "
        f"your function returns {_fmt(values[i])}: {detail}",
    )
