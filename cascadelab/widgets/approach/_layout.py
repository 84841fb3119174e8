"""Layout shared by the labs of chapter 03: one legend above the panels, and the panel of who
has paid the bad debt so far (the insurance-fund and ADL labs)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cascadelab import plotting as cp

__all__ = ["WhoPaid", "legend_above"]


def legend_above(fig: Figure, handles: list[Any], ncols: int) -> Any:
    """One legend for the whole figure, above the panels: never on the data.

    The constrained layout makes room for it; it is built once and never redrawn.
    """
    return fig.legend(handles=handles, loc="outside upper right", ncols=ncols, fontsize=8,
                      frameon=False, handlelength=1.8, columnspacing=1.2)



class WhoPaid:
    """Cumulative bad debt by who paid it, stacked per step: the fund, the winners (``winners``
    names them), what nobody paid; with the fund's balance as a line. Built once on ``ax``."""

    def __init__(self, ax: Axes, *, winners: str, uncovered: str, balance: str,
                 balance_style: dict[str, Any], hatch: str | None = None) -> None:
        self.ax = ax
        edges = np.array([0.0, 1.0])
        style = {"baseline": 0.0, "fill": True, "alpha": 0.8}
        self.fund_area = ax.stairs([0.0], edges, color=cp.INSURANCE_FUND,
                                   label="paid by the fund", **style)
        self.win_area = ax.stairs([0.0], edges, color=cp.BAD_DEBT, label=winners, **style)
        self.unc_area = ax.stairs([0.0], edges, color=cp.CRITICAL, label=uncovered, hatch=hatch,
                                  **style)
        (self.balance,) = ax.plot([], [], color=cp.INSURANCE_FUND, label=balance,
                                  **balance_style)
        cp.label(ax, x="step", y="cumulative", yunit="M USD",
                 title="who has paid the bad debt so far")

    def handles(self) -> list[Any]:
        return [self.fund_area, self.win_area, self.unc_area, self.balance]

    def update(self, fund: np.ndarray, winners: np.ndarray, uncovered: np.ndarray,
               balance: np.ndarray, view: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cumulative USD per step (the three parts and the fund's balance), shown in M USD over
        the first ``view`` steps; returns the three parts in M USD."""
        fund, win, unc = fund / 1e6, winners / 1e6, uncovered / 1e6
        steps = fund.shape[0]
        edges = np.arange(steps + 1, dtype=float) - 0.5
        self.fund_area.set_data(fund, edges, baseline=0.0)
        self.win_area.set_data(fund + win, edges, baseline=fund)
        self.unc_area.set_data(fund + win + unc, edges, baseline=fund + win)
        self.balance.set_data(np.arange(steps, dtype=float), balance / 1e6)
        self.ax.set_xlim(-0.5, min(steps, view) - 0.5)
        top = max(float((fund + win + unc)[-1]), float(balance.max()) / 1e6, 0.1)
        self.ax.set_ylim(0.0, 1.1 * top)
        return fund, win, unc
