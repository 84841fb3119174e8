"""Layout shared by the labs of chapter 03: one legend above the panels."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

__all__ = ["legend_above"]


def legend_above(fig: Figure, handles: list[Any], ncols: int) -> Any:
    """One legend for the whole figure, above the panels: never on the data.

    The constrained layout makes room for it; it is built once and never redrawn.
    """
    return fig.legend(handles=handles, loc="outside upper right", ncols=ncols, fontsize=8,
                      frameon=False, handlelength=1.8, columnspacing=1.2)

