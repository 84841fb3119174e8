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
run top to bottom before anything is filled in. That includes answers that misbehave: a
learner's function that raises, or calls ``sys.exit()``, is reported as such (only a
``KeyboardInterrupt``, the learner stopping the cell, goes through). A malformed exercise id or
an unknown keyword argument is the notebook's mistake, not the learner's, and raises a
``TypeError`` or ``ValueError`` that says what an id looks like.

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
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import cascadelab.course.exercises  # noqa: F401  (importing it registers every exercise)
from cascadelab.course.registry import EXERCISES, ID_FORMAT, Exercise, Mistake

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
    """The registered :class:`Exercise` with this id.

    Raises ``TypeError`` if ``exercise_id`` is not a string and ``ValueError`` if no exercise has
    that id; both messages say what an id looks like.
    """
    if not isinstance(exercise_id, str):
        kind = type(exercise_id).__name__
        tip = ""
        if isinstance(exercise_id, (list, tuple)) and len(exercise_id) == 1:
            tip = f": pass the id itself, check({exercise_id[0]!r}, answer)"
        raise TypeError(
            f"exercise_id must be {ID_FORMAT}, got {exercise_id!r}, a {kind}{tip}"
        )
    if exercise_id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES, key=_id_key))
        raise ValueError(
            f"no exercise {exercise_id!r}: an id is {ID_FORMAT}; known exercises: {known}"
        )
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
        Extra facts some exercises ask for, e.g. ``n=`` the number of Monte Carlo draws. They
        never change what counts as correct; they let the message say more about a miss.

    Returns
    -------
    CheckResult
        ``passed`` and a ``message``; it is truthy when the answer passed.

    Raises
    ------
    TypeError, ValueError
        Only for a malformed or unknown ``exercise_id`` or a keyword argument the exercise does
        not take, never because of ``answer``.

    Examples
    --------
    >>> check("00.3", ..., quiet=True).attempted
    False
    """
    ex = exercise(exercise_id)
    unknown = sorted(set(kwargs) - set(ex.extras))
    if unknown:
        takes = ", ".join(f"{k}=" for k in ex.extras) or "no extra keyword arguments"
        raise TypeError(
            f"check({ex.id!r}, ...) got the keyword argument(s) "
            f"{', '.join(f'{k}={kwargs[k]!r}' for k in unknown)}; exercise {ex.id} takes {takes}"
        )
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
        except (Exception, SystemExit) as err:  # a checker must never stop the notebook
            res = CheckResult(ex.id, False, f"could not check this answer ({_err(err)}).")
        if not res.passed and ex.advice is not None and kwargs:
            try:
                extra = ex.advice(**kwargs)
            except Exception:  # pragma: no cover - advice is a courtesy, never an obstacle
                extra = ""
            if extra:
                res = CheckResult(res.exercise, False, f"{res.message} {extra}", res.attempted)
    if not quiet:
        print(res)
    return res


# ---------------------------------------------------------------------------------------------
# shared helpers


def _blank(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


def _err(err: BaseException) -> str:
    try:
        text = str(err).strip().splitlines()
    except Exception:  # a learner's exception whose __str__ fails
        text = []
    first = text[0] if text else ""
    if len(first) > 160:
        first = first[:157] + "..."
    return f"{type(err).__name__}: {first}" if first else type(err).__name__


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _tol_text(ex: Exercise, rtol: float, atol: float, dtype: np.dtype | None = None) -> str:
    unit = f" {ex.unit}" if ex.unit and ex.unit != "fraction" else ""
    parts = []
    if atol:
        parts.append(f"±{_fmt(atol)}{unit}")
    if rtol >= 1e-4:
        parts.append(f"{_fmt(100 * rtol)}% relative")
    elif rtol:
        parts.append(f"relative {rtol:g}")
    text = "tolerance " + (" + ".join(parts) if parts else "exact")
    return f"{text} for a {dtype.name} answer" if dtype is not None else text


def _close(a: Any, b: Any, rtol: float, atol: float) -> bool:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def _as_number(answer: Any) -> float | None:
    """``answer`` as a float if it is one real number (any real type or dtype), else None."""
    if isinstance(answer, (bool, np.bool_)):
        return None
    if isinstance(answer, (numbers.Real, np.integer, np.floating)):
        return float(answer)
    if isinstance(answer, np.ndarray) and answer.size == 1 and answer.dtype.kind in "iuf":
        return float(answer.reshape(()))
    return None


def _narrow_float(answer: Any) -> np.dtype | None:
    """The dtype of ``answer`` if it is a float type narrower than float64, else None."""
    dtype = getattr(answer, "dtype", None)
    if dtype is None and isinstance(answer, (list, tuple)) and answer:
        dtype = getattr(answer[0], "dtype", None)
    try:
        dtype = np.dtype(dtype) if dtype is not None else None
    except TypeError:
        return None
    if dtype is None or dtype.kind != "f" or dtype.itemsize >= 8:
        return None
    return dtype


def _widen(rtol: float, dtype: np.dtype | None) -> float:
    """``rtol``, widened to the precision of a narrow float answer.

    An answer computed in float32 is right to a few units of 1.2e-7 of its size, and a float16
    one, correct before it was stored, to half of 9.8e-4: it is judged to that precision instead
    of being rejected for digits its type cannot hold (4 ulps for float32, 1 for float16, which
    is too coarse to compute in).
    """
    if dtype is None:
        return rtol
    ulps = 4.0 if dtype.itemsize >= 4 else 1.0
    return max(rtol, ulps * float(np.finfo(dtype).eps))


def _matches(m: Mistake, x: Any, rtol: float, atol: float) -> bool:
    """Whether ``x`` is the value the mistake ``m`` gives, within its tolerance or ours."""
    if m.value is None:
        return False
    m_rtol = rtol if m.rtol is None else max(m.rtol, rtol)
    m_atol = atol if m.atol is None else m.atol
    return _close(x, m.value(), m_rtol, m_atol)


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
    e = float(ex.reference())
    rtol, atol = ex.tol()
    dtype = _narrow_float(answer)
    rtol = _widen(rtol, dtype)
    if _close(x, e, rtol, atol):
        return CheckResult(ex.id, True, f"correct ({_tol_text(ex, rtol, atol, dtype)}).")
    for m in ex.mistakes:
        if _matches(m, x, rtol, atol):
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
    e = np.asarray(ex.reference(), dtype=np.float64)
    rtol, atol = ex.tol()
    dtype = _narrow_float(answer)
    rtol = _widen(rtol, dtype)
    tol = _tol_text(ex, rtol, atol, dtype)
    if np.iscomplexobj(answer):
        return CheckResult(
            ex.id, False, f"expected {e.size} real numbers, got complex ones."
        )
    try:
        x = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return CheckResult(
            ex.id, False, f"expected an array of {e.size} numbers, got a {type(answer).__name__}."
        )
    if x.shape != e.shape:
        for m in ex.mistakes:  # a mistake can change the count (e.g. one entry too many)
            if _matches(m, x, rtol, atol):
                return CheckResult(ex.id, False, m.message)
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
        if _matches(m, x, rtol, atol):
            return CheckResult(ex.id, False, m.message)
    if e.ndim == 1 and e.size > 1 and _close(x[::-1], e, rtol, atol):
        # right entries close to each other (01.5: 0.236 and 0.240) make a slightly-off answer
        # read as reversed too: then say both
        also = next((m.message for m in ex.mistakes if m.when is not None and m.when(x)), "")
        return CheckResult(ex.id, False, f"the right numbers in reverse order ({tol})."
                           + (f" Or, in this order: {also}" if also else ""))
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
        except SystemExit as err:
            return CheckResult(
                ex.id, False, f"your function called sys.exit() ({_err(err)}) when called with "
                f"{_describe_args(args)}: it should return its result instead.",
            )
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
    dtype = None
    for args, out in zip(cases, got, strict=True):
        x = _as_number(out)
        if x is None:
            return CheckResult(
                ex.id, False, f"your function returned a {type(out).__name__} for "
                f"{_describe_args(args)}; it should return a number"
                f"{' in ' + ex.unit if ex.unit else ''}.",
            )
        values.append(x)
        dtype = dtype or _narrow_float(out)
    rtol = _widen(rtol, dtype)
    tol = _tol_text(ex, rtol, atol, dtype)
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
