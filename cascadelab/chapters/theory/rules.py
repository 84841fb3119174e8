"""The lines of the package that run each mechanism of chapter 02, to read next to the text.

:func:`rule_source` cuts them out of the package's own source at run time, so what the chapter
shows is what the engine runs, never a copy that could drift from it.
"""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

from cascadelab._validate import check_choice
from cascadelab.kernels import cascade as _cascade
from cascadelab.kernels import engine as _engine
from cascadelab.market import impact
from cascadelab.mechanisms import adversary as _adversary
from cascadelab.mechanisms import hedging as _hedging

__all__ = ["RULES", "rule_source"]

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

#: What each rule is, for the chapter's headings.
RULES: dict[str, str] = {
    "impact": "the linear book: the price after a market order (cascadelab.market.impact)",
    "cascade": "the static cascade: close every crossed position, move the price, repeat",
    "delta": "the Black-Scholes delta of one option (cascadelab.mechanisms.hedging)",
    "decay": "the engine's step 1: the fundamental moves, transient impact decays at kappa",
    "dealer": "the engine's step 7: the dealer re-hedges on the pre-trade price",
    "batch": "the engine's step 8: every order of the step goes through the book at once",
    "predator": "the predator: attack a visible cluster, cover into the forced sales",
}


def rule_source(name: str) -> str:
    """The lines of the package that implement one rule, with the file and line numbers.

    Parameters
    ----------
    name : {"impact", "cascade", "delta", "decay", "dealer", "batch", "predator"}
        Which rule (see :data:`RULES`).

    Returns
    -------
    str
        A first comment line ``# <file>, lines <a>-<b>``, then the excerpt, dedented.

    Examples
    --------
    >>> print(rule_source("impact").splitlines()[0])
    # cascadelab/market.py, lines ...-...
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
