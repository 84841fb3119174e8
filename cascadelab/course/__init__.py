"""Course tooling: the learners' ``check()`` (``checks``), the exercise registry (``registry``:
``Exercise``, ``Mistake``, ``register``), the exercises' checkers by chapter (``exercises``, one
module per chapter), the exercise builder (``build``: ``python -m cascadelab.course
build-exercises``), the static site (``site``) and the numba warm-up for Binder (``warmup``).
Nothing outside this package imports it.
"""
