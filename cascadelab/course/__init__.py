"""Course tooling: the learners' ``check()`` (``checks``), the exercises' checkers by chapter
(``exercises``), the exercise builder (``build``: ``python -m cascadelab.course
build-exercises``), the static site (``site``) and the numba warm-up for Binder (``warmup``).
Nothing in the model imports this package.
"""
