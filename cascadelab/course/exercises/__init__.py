"""The exercises of the course, one module per chapter in course order: ``essence`` (00),
``origin`` (01), ``theory`` (02), ``approach`` (03), ``evolution`` (04), ``horizon`` (05).

Importing this package registers every exercise with :mod:`cascadelab.course.registry`;
:mod:`cascadelab.course.checks` (the learners' ``check()``) does so when it is imported.
"""

# isort: off  (course order, not alphabetical)
from cascadelab.course.exercises import approach, essence, evolution, horizon, origin, theory

# isort: on

__all__ = ["approach", "essence", "evolution", "horizon", "origin", "theory"]
