"""Helpers shared by the headless widget-lab tests (``tests/test_*widgets*.py``)."""

from __future__ import annotations

import ipywidgets as W
import numpy as np


def artists(lab):
    """Every artist of every axes, by identity (to check that a redraw kept them)."""
    return [id(a) for ax in lab.figure.axes for a in ax.get_children()]


def control_range(widget, k=4):
    """``k`` values across a slider's range (in the control's unit), or every choice."""
    if isinstance(widget, (W.Dropdown, W.ToggleButtons)):
        return [o[1] if isinstance(o, tuple) else o for o in widget.options]
    if isinstance(widget, W.Checkbox):
        return [True, False]
    if isinstance(widget, W.FloatLogSlider):
        return [float(widget.base ** v) for v in np.linspace(widget.min, widget.max, k)]
    if isinstance(widget, W.IntSlider):
        return sorted({round(v) for v in np.linspace(widget.min, widget.max, k)})
    return [float(v) for v in np.linspace(widget.min, widget.max, k)]


def sweep(lab, name, values):
    """Set one control to each value; return the summaries (one recompute per change)."""
    out = []
    for value in values:
        n = lab.n_recomputes
        lab.controls[name].value = value
        assert lab.n_recomputes == n + 1 or lab.controls[name].value == value
        out.append(dict(lab.summary))
    return out


def notebook_markdown(path) -> str:
    """All markdown cells of the notebook at ``path``, joined (what a prompt test reads)."""
    import json

    nb = json.loads(path.read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
