r"""The package's own code, to print next to the text: what a chapter shows is what the engine
runs, cut out of the installed package at run time, never a copy that could drift from it.

* :func:`excerpt` (chapter 02): the lines of the package that run one named rule, with the file
  and line numbers (the names and what they show: :data:`RULES`);
* :func:`function_source`: the whole source of one function (a numba or plain one), without its
  decorator;
* :func:`engine_rule` (chapter 03): one numbered stage of the engine's step loop
  (:func:`cascadelab.kernels.engine.run` calls one small function per step of its docstring,
  ``price_step`` to ``loss_waterfall``).

Examples
--------
>>> print(excerpt("impact").splitlines()[0])
# cascadelab/market.py, lines ...-...
>>> from cascadelab.mechanisms.liquidation import slice_units
>>> function_source(slice_units).splitlines()[0]
'def slice_units(remaining: float, size: float, close_factor: float, budget: float) -> float:'
>>> print(engine_rule("Triggers").splitlines()[0])
# 5. Triggers (trigger):
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cascadelab._validate import check_choice
from cascadelab.kernels import cascade as _cascade
from cascadelab.kernels import engine as _engine
from cascadelab.market import impact
from cascadelab.mechanisms import adversary as _adversary
from cascadelab.mechanisms import hedging as _hedging

__all__ = ["RULES", "engine_rule", "excerpt", "function_source"]

#: Rule name -> (function, first line containing, last line containing): the excerpt runs from
#: the first line that contains the start marker to the first line after it with the end marker.
_EXCERPTS = {
    "impact": (impact, "if units == 0.0:", "return price * r"),
    "cascade": (_cascade.sweep, "while k < n:", "fill = 0.5 * (p_before + p)"),
    "delta": (_hedging.bs_delta, "if tau <= 0.0:", "return nd1 if call else nd1 - 1.0"),
    "decay": (_engine.price_step, "fundamental *= math.exp(log_ret)",
              "return fundamental, g, fundamental * g"),
    "dealer": (_engine.dealer_hedge, "dealer_sell = 0.0", "return dealer_sell, gamma, delta_prev"),
    "batch": (_engine.run, "net = sells - buys + dealer_sell", "g = p_post / fundamental"),
    "predator": (_adversary.predator_order, "if mode == IDLE:", "return -buy, mode, timer"),
}

#: What each rule of :func:`excerpt` is, for chapter 02's headings.
RULES: dict[str, str] = {
    "impact": "the linear book: the price after a market order (cascadelab.market.impact)",
    "cascade": "the static cascade: close every crossed position, move the price, repeat",
    "delta": "the Black-Scholes delta of one option (cascadelab.mechanisms.hedging)",
    "decay": "the engine's step 1: the fundamental moves, transient impact decays at kappa",
    "dealer": "the engine's step 7: the dealer re-hedges on the pre-trade price",
    "batch": "the engine's step 8: every order of the step goes through the book at once",
    "predator": "the predator: attack a visible cluster, cover into the forced sales",
}

#: Heading -> the stage function of :func:`cascadelab.kernels.engine.run` that runs it. The loop
#: is a sequence of small stages, one per step of the engine's docstring.
_STAGES = {
    "The price before trading": _engine.price_step,
    "Volatility estimate and margin": _engine.margin_step,
    "Oracle": _engine.oracle_step,
    "Stress index": _engine.stress_step,
    "Circuit breaker": _engine.breaker_step,
    "Triggers": _engine.trigger,
    "Liquidation orders": _engine.liquidation_orders,
    "Dealer hedge": _engine.dealer_hedge,
    "Predator": _engine.predator_step,
    "One batch through the book": _engine.batch,
    "Settlement": _engine.settle_slices,
    "Loss waterfall": _engine.loss_waterfall,
}
_NUMBER = re.compile(r"^\s*(\d+[ab]?)\.")


def excerpt(name: str) -> str:
    """The lines of the package that implement one rule, with the file and line numbers.

    Parameters
    ----------
    name : {"impact", "cascade", "delta", "decay", "dealer", "batch", "predator"}
        Which rule (see :data:`RULES`).

    Returns
    -------
    str
        A first comment line ``# <file>, lines <a>-<b>``, then the excerpt, dedented.

    Raises
    ------
    ValueError
        If ``name`` is not one of the rules.
    """
    name = check_choice("name", name, tuple(_EXCERPTS))
    fn, start, end = _EXCERPTS[name]
    fn = getattr(fn, "py_func", fn)  # a numba dispatcher keeps the Python function here
    lines, first = inspect.getsourcelines(fn)
    i = next(j for j, line in enumerate(lines) if start in line)
    k = next(j for j in range(i, len(lines)) if end in lines[j])
    path = Path(inspect.getsourcefile(fn) or "").resolve()
    parts = path.parts
    rel = "/".join(parts[parts.index("cascadelab"):]) if "cascadelab" in parts else path.name
    body = textwrap.dedent("".join(lines[i:k + 1]))
    return f"# {rel}, lines {first + i}-{first + k}\n{body}"


def function_source(fn: Callable[..., Any]) -> str:
    """The source of one function (a numba or plain one), without its decorator.

    Parameters
    ----------
    fn : callable
        E.g. :func:`cascadelab.mechanisms.liquidation.slice_units`.

    Raises
    ------
    TypeError
        If ``fn`` is not a function with Python source.
    """
    func = getattr(fn, "py_func", fn)
    if not inspect.isfunction(func):
        raise TypeError(f"fn must be a function, got {type(fn).__name__}")
    lines = inspect.getsource(func).splitlines()
    while lines and lines[0].lstrip().startswith("@"):
        lines.pop(0)
    return textwrap.dedent("\n".join(lines)).strip()


def _blocks() -> dict[str, str]:
    """Heading -> ``# N. heading`` and the source of the stage that runs it."""
    out = {}
    for title, stage in _STAGES.items():
        number = _NUMBER.match(stage.__doc__ or "")
        label = number.group(1).rstrip("ab") if number else "?"
        out[title] = f"# {label}. {title} ({stage.__name__}):\n{function_source(stage)}"
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
