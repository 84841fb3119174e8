"""Argument checks shared by every public function: the one place their messages are written.

Each check names the caller's argument, the value it got and the allowed range, so that a
learner knows what to change. A value out of range raises ``ValueError``; a value of the wrong
kind (a string where a number belongs, a dict where an array belongs) raises
:class:`ArgumentTypeError`, which is both a ``TypeError`` and a ``ValueError``, so that code
catching either keeps working.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Set
from typing import Any

import numpy as np

__all__ = [
    "ArgumentTypeError",
    "check_array",
    "check_bool",
    "check_choice",
    "check_instance",
    "check_int",
    "check_mapping",
    "check_real",
    "check_seed",
    "check_sequence",
]

_INT64_MAX = 2**63 - 1


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong kind. A ``TypeError`` and, for older callers, a ``ValueError``."""


def _short(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    try:
        text = repr(value)
    except Exception:  # pragma: no cover - a repr that raises
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fmt(x: float) -> str:
    return f"{x:g}"


def _fmt_range(lo: float | None, hi: float | None, lo_open: bool, hi_open: bool) -> str:
    left = "(" if lo_open or lo is None else "["
    right = ")" if hi_open or hi is None else "]"
    lo_s = "-inf" if lo is None else _fmt(lo)
    hi_s = "inf" if hi is None else _fmt(hi)
    return f"{left}{lo_s}, {hi_s}{right}"


def check_real(
    name: str,
    value: object,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """Return ``value`` as a finite float inside the given interval.

    Raises :class:`ArgumentTypeError` unless ``value`` is a real number (``bool`` is not), and
    ``ValueError`` if it is NaN, infinite or outside the interval.
    """
    allowed = _fmt_range(lo, hi, lo_open, hi_open)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ArgumentTypeError(
            f"{name} must be a real number in {allowed}, got {_short(value)} "
            f"({type(value).__name__})"
        )
    try:
        x = float(value)
    except OverflowError:  # an int beyond the float range
        raise ValueError(f"{name} must be in {allowed}, got {_short(value)}") from None
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}; allowed range {allowed}")
    too_low = lo is not None and (x <= lo if lo_open else x < lo)
    too_high = hi is not None and (x >= hi if hi_open else x > hi)
    if too_low or too_high:
        raise ValueError(f"{name} must be in {allowed}, got {x:g}")
    return x


def check_int(name: str, value: object, lo: int | None = None, hi: int | None = None) -> int:
    """Return ``value`` as an int inside ``[lo, hi]``.

    Raises :class:`ArgumentTypeError` unless ``value`` is an integer (``bool`` and floats such
    as ``3.0`` are not), and ``ValueError`` if it is outside the range.
    """
    lo_s = "-inf" if lo is None else str(lo)
    hi_s = "inf" if hi is None else str(hi)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(
            f"{name} must be an integer in [{lo_s}, {hi_s}], got {_short(value)} "
            f"({type(value).__name__})"
        )
    x = int(value)
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        got = str(x) if abs(x) < 10**15 else f"{float(x):g}"
        raise ValueError(f"{name} must be an integer in [{lo_s}, {hi_s}], got {got}")
    return x


def check_seed(value: object, name: str = "seed") -> int | np.random.SeedSequence | None:
    """Return a seed for ``numpy.random.default_rng``: None, an int >= 0 or a ``SeedSequence``.

    The message is the engine's: ``seed must be an integer in [0, inf], got -1``.
    """
    if value is None or isinstance(value, np.random.SeedSequence):
        return value
    return check_int(name, value, lo=0)


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` as a bool; raise :class:`ArgumentTypeError` unless it is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be True or False, got {_short(value)}")
    return bool(value)


def check_choice(name: str, value: object, choices: tuple[Any, ...]) -> Any:
    """Return ``value`` if it is one of ``choices``, or raise ``ValueError``.

    Strings come back as ``str``; other choices (numbers) as given.
    """
    try:
        ok = bool(value in choices)
    except (TypeError, ValueError):  # unhashable, or an array compared with the choices
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got "
                         f"{_short(value)}")
    return str(value) if isinstance(value, str) else value


def check_instance(name: str, value: object, cls: type) -> None:
    """Raise :class:`ArgumentTypeError` unless ``value`` is an instance of ``cls``."""
    if not isinstance(value, cls):
        top = sys.modules.get("cascadelab")
        public = top is not None and getattr(top, cls.__name__, None) is cls
        where = f"cascadelab.{cls.__name__}" if public else f"{cls.__module__}.{cls.__qualname__}"
        raise ArgumentTypeError(f"{name} must be a {where}, got {type(value).__name__}")


def check_mapping(name: str, value: object, what: str = "a mapping") -> Mapping[Any, Any]:
    """Return ``value`` if it is a mapping (a dict), or raise :class:`ArgumentTypeError`.

    ``what`` describes the expected mapping in the message, e.g. ``"a dict of str -> dict"``.
    """
    if not isinstance(value, Mapping):
        raise ArgumentTypeError(f"{name} must be {what}, got {_short(value)} "
                                f"({type(value).__name__})")
    return value


def check_sequence(
    name: str, value: object, *, min_len: int = 1, what: str = "values"
) -> tuple[Any, ...]:
    """Return ``value`` as a tuple of at least ``min_len`` items.

    Strings, bytes, mappings and sets are refused (their items are not an ordered list of
    values), as is anything that is not iterable.
    """
    if isinstance(value, (str, bytes, Mapping, Set)) or not isinstance(value, Iterable):
        raise ArgumentTypeError(f"{name} must be a sequence of {what} (a list, tuple or array), "
                                f"got {_short(value)} ({type(value).__name__})")
    items = tuple(np.asarray(value).tolist()) if isinstance(value, np.ndarray) else tuple(value)
    if len(items) < min_len:
        got = "an empty sequence" if not items else f"{len(items)}"
        raise ValueError(f"{name} must hold at least {min_len} of the {what}, got {got}")
    return items


def _index(flat: int, shape: tuple[int, ...]) -> str:
    idx = np.unravel_index(flat, shape)
    return str(int(idx[0])) if len(shape) == 1 else str(tuple(int(i) for i in idx))


def _as_array(name: str, value: object, dtype: np.dtype) -> np.ndarray:
    """``value`` as an array of ``dtype``, with a message naming ``name`` for wrong kinds."""
    kind = {"f": "real numbers", "i": "integers", "b": "booleans"}.get(dtype.kind, "numbers")
    if value is None or isinstance(value, (str, bytes, Mapping, Set)):
        raise ArgumentTypeError(f"{name} must be an array of {kind}, got {_short(value)} "
                                f"({type(value).__name__})")
    try:
        raw = np.asarray(value)
    except ValueError:  # numpy refuses ragged nested sequences
        raise ArgumentTypeError(
            f"{name} must be a rectangular array of {kind} (every row the same length), got a "
            f"ragged sequence {_short(value)}"
        ) from None
    if raw.dtype.kind in "USOc":
        ok = object()
        bad: object = value
        if raw.dtype.kind == "O":
            numeric = (int, float, np.integer, np.floating, np.bool_)
            bad = next((x for x in raw.ravel().tolist() if not isinstance(x, numeric)), ok)
        elif raw.size:
            bad = raw.ravel()[0].item()
        if bad is not ok:
            raise ArgumentTypeError(f"{name} must be an array of {kind}, got an entry "
                                    f"{_short(bad)} ({type(bad).__name__})")
        try:
            raw = np.asarray(raw.tolist(), dtype=np.float64)
        except OverflowError:  # a Python int beyond the float range
            raise ValueError(f"{name} must be finite, got an entry beyond 1.8e308") from None
    if dtype.kind == "i":
        if raw.dtype.kind == "b":
            raise ArgumentTypeError(f"{name} must be an array of integers, got booleans")
        if raw.dtype.kind == "f":
            f = raw.astype(np.float64)
            bad = ~np.isfinite(f) | (f != np.round(f)) | (np.abs(f) > _INT64_MAX)
            if bad.any():
                i = int(np.argmax(bad.ravel()))
                raise ValueError(f"{name} must hold integers, got {f.ravel()[i]:g} at index "
                                 f"{_index(i, f.shape)}")
        elif raw.dtype.kind == "u" and raw.size and raw.max() > _INT64_MAX:
            raise ValueError(f"{name} must hold integers below 2**63, got {raw.max()}")
        info = np.iinfo(dtype)
        if raw.size and (raw.min() < info.min or raw.max() > info.max):
            i = int(np.argmax(((raw < info.min) | (raw > info.max)).ravel()))
            raise ValueError(f"{name} must hold integers in [{info.min}, {info.max}], got "
                             f"{raw.ravel()[i]} at index {_index(i, raw.shape)}")
    if dtype.kind == "b" and raw.dtype.kind != "b":
        raise ArgumentTypeError(f"{name} must be an array of booleans (True/False), got "
                                f"{_short(value)}")
    return np.ascontiguousarray(raw, dtype=dtype)


def check_array(
    name: str,
    value: object,
    *,
    dtype: type | np.dtype = np.float64,
    n: int | None = None,
    per: str | None = None,
    shape: tuple[int, ...] | None = None,
    ndim: int | None = 1,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    broadcast: bool = False,
) -> np.ndarray:
    """Return ``value`` as a C-contiguous array of ``dtype`` with finite entries in range.

    Parameters
    ----------
    name : str
        The caller's name for the argument (used in every message).
    value : array_like
        What the caller passed.
    dtype : numpy dtype
        float64 (default), an integer dtype (floats must then be whole numbers) or bool.
    n : int, optional
        Required length of a 1-D array; ``per`` says what the entries are one of, e.g.
        ``"position"`` gives "must have length 5 (one per position)".
    shape : tuple of int, optional
        Required shape (instead of ``n``); ``ndim`` is then ``len(shape)``.
    ndim : int or None
        Required number of dimensions (1 unless ``shape`` is given; None: any).
    lo, hi, lo_open, hi_open
        The allowed interval of every entry.
    broadcast : bool
        With ``n`` given, a single real number stands for ``n`` equal entries.

    Raises :class:`ArgumentTypeError` for strings, mappings, ragged or non-numeric input and
    ``ValueError`` for a wrong shape, a non-finite entry or one out of range (naming its index).
    """
    dt = np.dtype(dtype)
    scalar = (isinstance(value, (int, float, np.integer, np.floating))
              and not isinstance(value, bool)) or (isinstance(value, np.ndarray)
                                                   and value.ndim == 0)
    if broadcast and n is not None and scalar:
        value = np.full(n, value)
    arr = _as_array(name, value, dt)
    if shape is not None:
        ndim = len(shape)
    if ndim is not None and arr.ndim != ndim:
        want = "a 1-D array" if ndim == 1 else f"a {ndim}-D array"
        raise ValueError(f"{name} must be {want}, got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        tail = f" (one per {per})" if per else ""
        raise ValueError(f"{name} must have length {n}{tail}, got {arr.shape[0]}")
    if shape is not None and arr.shape != tuple(shape):
        tail = f" ({per})" if per else ""
        raise ValueError(f"{name} must have shape {tuple(shape)}{tail}, got {arr.shape}")
    if arr.size == 0:
        return arr
    flat = arr.ravel()
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(flat)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{name} must be finite, got {flat[i]} at index "
                             f"{_index(i, arr.shape)}")
    allowed = _fmt_range(lo, hi, lo_open, hi_open)
    for bound, is_lo in ((lo, True), (hi, False)):
        if bound is None:
            continue
        if is_lo:
            bad = flat <= bound if lo_open else flat < bound
        else:
            bad = flat >= bound if hi_open else flat > bound
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{name} must be in {allowed}, got {flat[i]:g} at index "
                             f"{_index(i, arr.shape)}")
    return arr
