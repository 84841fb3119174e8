"""numba kernels: plain loops over NumPy arrays, reached only through the validating wrappers.

``cascade`` (the static cascade's sorted sweep), ``engine`` (the market engine's time loop, one
stage per step), ``portfolio`` (the multi-asset loop). The scalar rules the loops call live
next to their equations in :mod:`cascadelab.mechanisms`.

Every kernel is ``@njit(cache=True)``; the engine's stages are compiled into its loop
(``register_jitable``). With ``NUMBA_DISABLE_JIT=1`` (or through ``kernel.py_func``) the same
code runs as ordinary Python, and the tests check that both paths agree bit for bit.
"""
