"""Interactive labs of the course (ipywidgets + matplotlib), one per big idea.

Every lab follows the contract of :class:`Lab`: ``controls``, ``figure``, ``summary`` and
``update(**values)``; the numbers come from pure functions in :mod:`cascadelab.scenarios`.
See :class:`Lab` for how to write a new one.

>>> from cascadelab.widgets import feedback_loop_lab
>>> lab = feedback_loop_lab(shock=5.0, depth=200_000.0)
>>> sorted(lab.controls)[:3]
['depth', 'impact', 'leverage']
"""

from cascadelab.widgets._base import Lab, dropdown, log_slider, slider
from cascadelab.widgets.feedback_loop import FeedbackLoopLab, FeedbackLoopView, feedback_loop_lab

__all__ = [
    "FeedbackLoopLab",
    "FeedbackLoopView",
    "Lab",
    "dropdown",
    "feedback_loop_lab",
    "log_slider",
    "slider",
]
