r"""Chapter 03: the lines of the engine that apply a defence, as the package runs them.

The chapter shows the model instead of a black box (issue 14 item 12): where it introduces a
mechanism it prints the engine's own code for it. :func:`engine_rule` returns one numbered stage
of the engine's step loop (:func:`cascadelab.kernels.engine.run` calls one small function per
step of its docstring, ``price_step`` to ``loss_waterfall``), :func:`rule_source` the source of a
scalar rule the loop calls (a numba function of :mod:`cascadelab.mechanisms`). Both read the
installed package, so what a learner sees is what the engine executes.

Examples
--------
>>> print(engine_rule("Triggers").splitlines()[0])
# 5. Triggers (trigger):
>>> from cascadelab.mechanisms.liquidation import slice_units
>>> rule_source(slice_units).splitlines()[0]
'def slice_units(remaining: float, size: float, close_factor: float, budget: float) -> float:'
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable
from typing import Any

from cascadelab.kernels import engine as _kernel

__all__ = ["engine_rule", "rule_source"]

#: Heading -> the stage function of :func:`cascadelab.kernels.engine.run` that runs it. The loop
#: is a sequence of small stages, one per step of the engine's docstring.
_STAGES = {
    "The price before trading": _kernel.price_step,
    "Volatility estimate and margin": _kernel.margin_step,
    "Oracle": _kernel.oracle_step,
    "Stress index": _kernel.stress_step,
    "Circuit breaker": _kernel.breaker_step,
    "Triggers": _kernel.trigger,
    "Liquidation orders": _kernel.liquidation_orders,
    "Dealer hedge": _kernel.dealer_hedge,
    "Predator": _kernel.predator_step,
    "One batch through the book": _kernel.batch,
    "Settlement": _kernel.settle_slices,
    "Loss waterfall": _kernel.loss_waterfall,
}
_NUMBER = re.compile(r"^\s*(\d+[ab]?)\.")


def _blocks() -> dict[str, str]:
    """Heading -> ``# N. heading`` and the source of the stage that runs it."""
    out = {}
    for title, stage in _STAGES.items():
        number = _NUMBER.match(stage.__doc__ or "")
        label = number.group(1).rstrip("ab") if number else "?"
        out[title] = f"# {label}. {title} ({stage.__name__}):\n{rule_source(stage)}"
    return out


def engine_rule(section: str) -> str:
    """The block of the engine's step loop whose heading starts with ``section``.

    Parameters
    ----------
    section : str
        The start of a block heading, case-insensitive: ``"Volatility estimate"`` (margin),
        ``"Stress index"`` (circuit breaker), ``"Triggers"``, ``"Liquidation orders"``
        (gradual liquidation), ``"Loss waterfall"`` (insurance fund), ...

    Returns
    -------
    str
        The block's code, its numbered comment first, indentation removed.

    Raises
    ------
    ValueError
        If no heading starts with ``section``; the message lists the headings.
    """
    if not isinstance(section, str) or not section.strip():
        raise ValueError(f"section must be a non-empty string, got {section!r}")
    blocks = _blocks()
    key = section.strip().lower()
    found = [code for title, code in blocks.items() if title.lower().startswith(key)]
    if len(found) != 1:
        raise ValueError(f"section={section!r} matches {len(found)} blocks of the engine loop; "
                         f"headings: {'; '.join(blocks)}")
    return found[0]


def rule_source(rule: Callable[..., Any]) -> str:
    """The source of a scalar rule (a numba or plain function), without its decorator.

    Parameters
    ----------
    rule : callable
        E.g. :func:`cascadelab.mechanisms.liquidation.slice_units`.

    Raises
    ------
    TypeError
        If ``rule`` is not a function with Python source.
    """
    func = getattr(rule, "py_func", rule)
    if not inspect.isfunction(func):
        raise TypeError(f"rule must be a function, got {type(rule).__name__}")
    lines = inspect.getsource(func).splitlines()
    while lines and lines[0].lstrip().startswith("@"):
        lines.pop(0)
    return textwrap.dedent("\n".join(lines)).strip()
