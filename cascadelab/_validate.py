"""Argument checks shared by every public function.

Each check raises ``ValueError`` with the parameter's name, the offending value and the
allowed range, so that a learner knows what to change.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "check_array",
    "check_choice",
    "check_instance",
    "check_int",
    "check_real",
]


def _fmt_range(lo: float | None, hi: float | None, lo_open: bool, hi_open: bool) -> str:
    left = "(" if lo_open or lo is None else "["
    right = ")" if hi_open or hi is None else "]"
    lo_s = "-inf" if lo is None else f"{lo:g}"
    hi_s = "inf" if hi is None else f"{hi:g}"
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
    """Return ``value`` as a finite float inside the given interval, or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    x = float(value)
    allowed = _fmt_range(lo, hi, lo_open, hi_open)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}; allowed range {allowed}")
    too_low = lo is not None and (x <= lo if lo_open else x < lo)
    too_high = hi is not None and (x >= hi if hi_open else x > hi)
    if too_low or too_high:
        raise ValueError(f"{name} must be in {allowed}, got {x:g}")
    return x


def check_int(name: str, value: object, lo: int | None = None, hi: int | None = None) -> int:
    """Return ``value`` as an int inside ``[lo, hi]``, or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    x = int(value)
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        lo_s = "-inf" if lo is None else str(lo)
        hi_s = "inf" if hi is None else str(hi)
        raise ValueError(f"{name} must be an integer in [{lo_s}, {hi_s}], got {x}")
    return x


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, or raise ``ValueError``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return str(value)


def check_array(
    name: str,
    value: object,
    *,
    dtype: type | np.dtype = np.float64,
    n: int | None = None,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
) -> np.ndarray:
    """Return ``value`` as a contiguous 1-D array of ``dtype`` with finite entries in range.

    ``n`` fixes the expected length. The error names the first offending index.
    """
    arr = np.ascontiguousarray(value, dtype=dtype)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} must have length {n} (one per position), got {arr.shape[0]}")
    if arr.size == 0:
        return arr
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{name} must be finite, got {arr[i]} at index {i}")
    allowed = _fmt_range(lo, hi, lo_open, hi_open)
    if lo is not None:
        bad = arr <= lo if lo_open else arr < lo
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{name} must be in {allowed}, got {arr[i]:g} at index {i}")
    if hi is not None:
        bad = arr >= hi if hi_open else arr > hi
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{name} must be in {allowed}, got {arr[i]:g} at index {i}")
    return arr


def check_instance(name: str, value: object, cls: type) -> None:
    """Raise ``ValueError`` unless ``value`` is an instance of ``cls``."""
    if not isinstance(value, cls):
        raise ValueError(
            f"{name} must be a cascadelab.{cls.__name__}, got {type(value).__name__}"
        )
