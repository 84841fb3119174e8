r"""The per-path generators of :func:`cascadelab.monte_carlo`, computed for a whole chunk at once.

Path :math:`j` of a run with root seed :math:`s` draws from
``default_rng(SeedSequence(s).spawn(paths)[j])``: a PCG64 generator seeded by the SeedSequence
with entropy :math:`s` and spawn key :math:`(j,)`. Building ``paths`` SeedSequence objects and
as many generators from them dominated a run of a million one-step paths (the Python-level
hashing of each SeedSequence and the generator's own seeding).

:func:`spawned_states` computes, for a range of paths at once with NumPy array arithmetic, the
four 64-bit words :math:`w_0, \dots, w_3` that PCG64 asks its SeedSequence for
(``generate_state(4, uint64)``), following NumPy's SeedSequence
(``numpy/random/bit_generator.pyx``, a pool of 4 words of 32 bits) step for step: the entropy
words are :math:`s` in little-endian 32-bit words, zero-padded to 4, followed by :math:`j`; they
are hashed into the pool (``hashmix``, ``mix``), and ``generate_state`` hashes the pool out
into eight 32-bit words, paired little-endian into :math:`w_0, \dots, w_3`.

:func:`path_generators` hands each path's words to ``PCG64`` through NumPy's seed-sequence
interface (``numpy.random.bit_generator.ISeedSequence``: "BitGenerator implementations should
treat any object that adheres to this interface as a seed sequence"), so PCG64 seeds itself
from the very words it would have got, path :math:`j` draws exactly the numbers it always drew,
and ``simulate(positions, scenario, steps=steps, seed=SeedSequence(s).spawn(paths)[j])`` still
reproduces it. ``tests/test_montecarlo.py`` checks the words and the draws against NumPy's
objects.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.random.bit_generator import ISeedSequence

__all__ = ["path_generators", "spawned_states"]

# SeedSequence's hash constants (numpy/random/bit_generator.pyx)
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4
_M32 = 0xFFFFFFFF

MAX_PATH = _M32
"""Largest path index whose spawn key is one 32-bit word (the case computed here)."""


def _words(n: int) -> list[int]:
    """``n`` >= 0 as little-endian 32-bit words (NumPy's ``_int_to_uint32_array``)."""
    out = [n & _M32]
    n >>= 32
    while n:
        out.append(n & _M32)
        n >>= 32
    return out


# uint32 array arithmetic wraps modulo 2**32, as SeedSequence's uint32_t arithmetic does
_U32 = np.uint32


class _Hash:
    """SeedSequence's ``hashmix``, with its running constant, on uint32 arrays."""

    def __init__(self, const: int) -> None:
        self.const = const

    def __call__(self, value: np.ndarray) -> np.ndarray:
        value = value ^ _U32(self.const)
        self.const = (self.const * _MULT_A) & _M32
        value = value * _U32(self.const)
        return value ^ (value >> _U32(16))


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = _U32(_MIX_L) * x - _U32(_MIX_R) * y
    return r ^ (r >> _U32(16))


def spawned_states(seed: int, first: int, last: int) -> np.ndarray:
    """``SeedSequence(seed).spawn(n)[j].generate_state(4, np.uint64)`` for ``j`` from ``first``
    to ``last - 1`` (any ``n > j``: a child does not depend on how many are spawned), one row
    per path, shape ``(last - first, 4)``, uint64 (module docstring)."""
    if not 0 <= first <= last <= MAX_PATH + 1:
        raise ValueError(f"paths must lie in [0, {MAX_PATH + 1}], got [{first}, {last})")
    n = last - first
    run = _words(seed)
    run += [0] * (_POOL - len(run))
    entropy = [np.full(n, w, dtype=np.uint32) for w in run]
    entropy.append(np.arange(first, last, dtype=np.uint64).astype(np.uint32))
    hashmix = _Hash(_INIT_A)
    pool = [hashmix(entropy[i]) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = _mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(entropy)):
        for dst in range(_POOL):
            pool[dst] = _mix(pool[dst], hashmix(entropy[src]))
    # generate_state(4, uint64): eight 32-bit words, paired little-endian
    const = _INIT_B
    half = []
    for k in range(2 * _POOL):
        v = pool[k % _POOL] ^ _U32(const)
        const = (const * _MULT_B) & _M32
        v = v * _U32(const)
        half.append((v ^ (v >> _U32(16))).astype(np.uint64))
    out = np.empty((n, _POOL), dtype=np.uint64)
    for k in range(_POOL):
        out[:, k] = half[2 * k] | (half[2 * k + 1] << np.uint64(32))
    return out


class _Words(ISeedSequence):
    """A seed sequence that hands PCG64 the words :func:`spawned_states` computed for a path."""

    __slots__ = ("words",)

    def __init__(self, words: np.ndarray) -> None:
        self.words = words

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        if n_words != _POOL or np.dtype(dtype) != np.uint64:
            raise ValueError("only PCG64's request, generate_state(4, np.uint64), is precomputed")
        return self.words


def path_generators(seed: int, first: int, last: int) -> Iterator[np.random.Generator]:
    """The generators of paths ``first`` to ``last - 1``, each the same as
    ``default_rng(SeedSequence(seed).spawn(n)[j])``, one at a time."""
    for words in spawned_states(seed, first, last):
        yield np.random.Generator(np.random.PCG64(_Words(words)))
