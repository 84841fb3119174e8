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
    "cascadelab.cascade",
    "cascadelab.chapters.essence",
    "cascadelab.chapters.evolution.baskets",
    "cascadelab.chapters.horizon",
    "cascadelab.chapters.origin",
    "cascadelab.chapters.theory",
    "cascadelab.course.checks",
    "cascadelab.engine.montecarlo",
    "cascadelab.engine.scenario",
    "cascadelab.engine.simulate",
    "cascadelab.market",
    "cascadelab.mechanisms.clearing",
    "cascadelab.mechanisms.hedging",
    "cascadelab.mechanisms.margin",
    "cascadelab.mechanisms.oracle_network",
    "cascadelab.mechanisms.oracles",
    "cascadelab.plotting",
    "cascadelab.portfolio.simulate",
    "cascadelab.positions",
    "cascadelab.tails",
    "cascadelab.widgets",
    "cascadelab.widgets.dashboard",
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
