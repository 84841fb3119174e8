r"""The amplifier explorer of chapter 02: one shock, one amplifier swept at a time.

Left: the amplification (largest fall over the shock) against the chosen factor; right: the bad
debt. The course default of the factor is marked. Numbers from
:func:`cascadelab.theory.sweep_amplifier` (cached per factor and shock).
"""

from __future__ import annotations

from typing import Any, ClassVar

from matplotlib.figure import Figure

from cascadelab import plotting as cp
from cascadelab.theory import AMPLIFIERS, AmplifierSweep, sweep_amplifier
from cascadelab.widgets._base import Lab, dropdown, slider

__all__ = ["AmplifierLab", "amplifier_lab"]

_TEXT = {
    "depth": "A thinner book slips more per forced sale",
    "leverage": "More leverage puts liquidation prices closer to the price",
    "latency": "A late oracle lets the price run past the bankruptcy prices",
    "correlation": "Collateral that falls with the asset adds forced sales",
}


class AmplifierLab(Lab):
    """Sweep one amplifier of a cascade on one shock.

    Controls (name: unit): ``factor`` ("depth", "leverage", "latency", "correlation"),
    ``shock`` (%). Summary: ``low`` and ``high`` (amplification at the two ends of the sweep,
    x), ``bad_debt_low`` and ``bad_debt_high`` (USD), ``at_default`` (amplification at the
    course default, x).
    """

    title = "Sweep one amplifier"
    figsize = (9.0, 3.9)
    headline: ClassVar[dict[str, Any]] = {
        "low": "amplification <b>{:.2f}x</b>",
        "high": "&rarr; <b>{:.2f}x</b>",
        "bad_debt_low": lambda v: f"bad debt <b>{v / 1e6:.2f}M</b>",
        "bad_debt_high": lambda v: f"&rarr; <b>{v / 1e6:.2f}M USD</b> across the sweep",
    }

    def __init__(self, **defaults: Any) -> None:
        super().__init__(
            {
                "factor": dropdown(
                    "Amplifier", list(AMPLIFIERS), "depth",
                    tooltip="Which factor to sweep; the others stay at the course defaults"),
                "shock": slider(
                    "Shock (%)", 1.0, 15.0, 5.0, step=0.5,
                    tooltip="The fall that starts it, the same at every point of the sweep"),
            },
            **defaults,
        )

    def setup(self, fig: Figure) -> None:
        """Two panels: amplification and bad debt against the factor."""
        self.ax_amp, self.ax_bad = fig.subplots(1, 2)
        (self.amp_line,) = self.ax_amp.plot([], [], "o-", color=cp.LIQUIDATIONS, ms=4)
        (self.bad_line,) = self.ax_bad.plot([], [], "o-", color=cp.BAD_DEBT, ms=4)
        self.amp_mark = self.ax_amp.axvline(1.0, color=cp.BASELINE, ls="--", lw=1.0)
        self.bad_mark = self.ax_bad.axvline(1.0, color=cp.BASELINE, ls="--", lw=1.0)
        self.ax_amp.axhline(1.0, color=cp.THEORY, ls=":", lw=1.0)
        cp.label(self.ax_amp, y="amplification", yunit="x", title="Amplification")
        cp.label(self.ax_bad, y="bad debt", yunit="M USD", title="Bad debt")

    def compute(self, *, factor: str, shock: float) -> AmplifierSweep:
        """Run :func:`~cascadelab.theory.sweep_amplifier` (percent -> fraction)."""
        return sweep_amplifier(factor, shock=shock / 100.0)

    def summarize(self, result: AmplifierSweep) -> dict[str, float]:
        """Ends of the sweep and the value at the default."""
        i = int(abs(result.values - result.default).argmin())
        return {
            "low": float(result.amplification[0]), "high": float(result.amplification[-1]),
            "bad_debt_low": float(result.bad_debt[0]),
            "bad_debt_high": float(result.bad_debt[-1]),
            "at_default": float(result.amplification[i]),
        }

    def draw(self, result: AmplifierSweep) -> None:
        """Point the lines at the sweep; switch the x scale for depth."""
        x = result.values
        self.amp_line.set_data(x, result.amplification)
        self.bad_line.set_data(x, result.bad_debt / 1e6)
        scale = "log" if result.factor == "depth" else "linear"
        for ax, mark, y in ((self.ax_amp, self.amp_mark, result.amplification),
                            (self.ax_bad, self.bad_mark, result.bad_debt / 1e6)):
            mark.set_xdata([result.default, result.default])
            if ax.get_xscale() != scale:
                ax.set_xscale(scale)
            lo, hi = float(x.min()), float(x.max())
            if scale == "log":
                ax.set_xlim(lo / 1.15, hi * 1.15)
            else:
                pad = 0.05 * (hi - lo)
                ax.set_xlim(lo - pad, hi + pad)
            ax.set_ylim(0.0, 1.1 * max(float(y.max()), 1e-9))
            cp.label(ax, x=result.label, xunit=result.unit)
        self.ax_amp.set_ylim(0.0, 1.1 * max(float(result.amplification.max()), 1.5))

    def takeaway_text(self, result: AmplifierSweep) -> str:
        """What the picture says, in one line."""
        return (f"{_TEXT[result.factor]} ({result.model}, the same {result.shock:.1%} shock "
                f"at every point)")


def amplifier_lab(**defaults: Any) -> AmplifierLab:
    """The amplifier explorer of chapter 02, with optional starting values.

    Parameters
    ----------
    **defaults
        ``factor`` ("depth", "leverage", "latency" or "correlation") and ``shock`` (%).

    Returns
    -------
    AmplifierLab

    Examples
    --------
    >>> lab = amplifier_lab(factor="leverage")
    >>> lab.summary["high"] > lab.summary["low"]
    True
    """
    return AmplifierLab(**defaults)
