"""numba kernels: plain loops over NumPy arrays, reached only through the validating wrappers.

Every kernel is ``@njit(cache=True)``; with ``NUMBA_DISABLE_JIT=1`` (or through ``kernel.py_func``)
the same code runs as ordinary Python, and the tests check that both paths agree.
"""
