"""Every example in the package's docstrings runs and prints what it says (doctest)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import matplotlib
import pytest

import cascadelab

matplotlib.use("Agg")

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(cascadelab.__path__, "cascadelab.")
    if not m.name.endswith("__main__")
)
# Public modules whose docstrings must keep at least one runnable example.
WITH_EXAMPLES = {
    "cascadelab.cascade", "cascadelab.checks", "cascadelab.clearing", "cascadelab.dashboard",
    "cascadelab.engine", "cascadelab.evolution", "cascadelab.hedging", "cascadelab.horizon",
    "cascadelab.market", "cascadelab.mitigations", "cascadelab.montecarlo",
    "cascadelab.oracle_network", "cascadelab.oracles", "cascadelab.origin", "cascadelab.plotting",
    "cascadelab.portfolio", "cascadelab.positions", "cascadelab.scenarios", "cascadelab.tails",
    "cascadelab.theory", "cascadelab.widgets",
}


def test_the_list_of_modules_is_complete() -> None:
    assert WITH_EXAMPLES <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=False
    )
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
    if name in WITH_EXAMPLES:
        assert result.attempted > 0, f"{name} lost its docstring examples"
