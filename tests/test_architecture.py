"""The package's tree shows its architecture: layers that import only downwards, no import cycles,
small modules, and a model that imports without matplotlib, ipywidgets or nbformat.

Static analysis of ``cascadelab/**.py`` with :mod:`ast` (nothing is imported, except by the last
test, which imports the package in a fresh interpreter). Every ``import`` statement counts, also
those inside functions, plus ``importlib.import_module("cascadelab...")`` and
``__import__("cascadelab...")`` calls with a literal name.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cascadelab"

MAX_TOP_LEVEL_MODULES = 12
MAX_LINES = 720

# The model: the population, the book, the one-shot cascade, tail maths and argument checks.
MODEL = {"positions", "market", "cascade", "tails", "_validate"}

# What each layer may import (itself included). A layer is a folder of cascadelab/, or a group
# of its top-level modules: "api" is the curated face (``cascadelab/__init__.py`` and the
# ``python -m cascadelab`` demo), "plotting" the figure style that only chapters and labs use.
ALLOWED: dict[str, set[str]] = {
    "model": {"model"},
    "plotting": {"plotting"},
    "mechanisms": {"model", "mechanisms"},
    "kernels": {"model", "mechanisms", "kernels"},
    "engine": {"model", "mechanisms", "kernels", "engine"},
    "portfolio": {"model", "mechanisms", "kernels", "portfolio"},
    "api": {"model", "mechanisms", "kernels", "engine", "portfolio", "api"},
    "chapters": {"model", "mechanisms", "kernels", "engine", "portfolio", "api", "plotting",
                 "chapters"},
    "widgets": {"model", "mechanisms", "kernels", "engine", "portfolio", "api", "plotting",
                "chapters", "widgets"},
    "course": {"model", "mechanisms", "kernels", "engine", "portfolio", "api", "plotting",
               "chapters", "widgets", "course"},
}


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__.py``)."""
    return {
        _name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts
    }


def layer(module: str) -> str:
    """The layer a module belongs to (see :data:`ALLOWED`)."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return "api"
    if len(parts) == 2 and parts[1] in MODEL:
        return "model"
    if parts[1] == "plotting":
        return "plotting"
    if parts[1] in ALLOWED:
        return parts[1]
    raise AssertionError(
        f"{module} is in no layer: add it to MODEL or ALLOWED in tests/test_architecture.py"
    )


def imports_in(source: str, module: str, known: dict[str, Path]) -> set[str]:
    """The ``known`` modules that ``source`` (the code of ``module``) imports, anywhere in it.

    A name resolves to its longest known prefix; ``from pkg import sub`` is the submodule
    ``pkg.sub`` when there is one, else ``pkg``. Importing ``cascadelab.engine.simulate`` also
    runs the package ``cascadelab.engine`` first, so that counts too, unless ``module`` sits
    inside it (then Python has already started it).
    """
    is_package = module in known and known[module].name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join([*parent, *([base] if base else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        elif (
            isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (node.func.attr if isinstance(node.func, ast.Attribute)
                 else getattr(node.func, "id", "")) in ("import_module", "__import__")
        ):
            targets = [node.args[0].value]
        else:
            continue
        for target in targets:
            parts = target.split(".")
            while parts and ".".join(parts) not in known:
                parts.pop()
            if parts:
                found.add(".".join(parts))
            for k in range(len(parts) - 1, 0, -1):  # the packages it sits in
                package = ".".join(parts[:k])
                if module == package or module.startswith(package + "."):
                    break
                found.add(package)
    found.discard(module)
    return found


@cache
def imports() -> dict[str, frozenset[str]]:
    """For each module of the package, the other cascadelab modules it imports."""
    known = modules()
    return {
        m: frozenset(imports_in(p.read_text(encoding="utf-8"), m, known))
        for m, p in known.items()
    }


def cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


# ---------------------------------------------------------------------------------------------
# the analysis itself is right


def test_the_import_finder_sees_every_kind_of_import() -> None:
    known = {
        "cascadelab": Path("cascadelab/__init__.py"),
        "cascadelab.a": Path("cascadelab/a.py"),
        "cascadelab.b": Path("cascadelab/b.py"),
        "cascadelab.pkg": Path("cascadelab/pkg/__init__.py"),
        "cascadelab.pkg.sub": Path("cascadelab/pkg/sub.py"),
        "cascadelab.pkg.other": Path("cascadelab/pkg/other.py"),
        "cascadelab.late": Path("cascadelab/late.py"),
        "cascadelab.dyn": Path("cascadelab/dyn.py"),
    }
    source = (
        "import numpy as np\n"
        "import cascadelab.a\n"
        "from cascadelab import b, Book\n"
        "from cascadelab.pkg import sub, name\n"
        "def f():\n"
        "    from cascadelab.late import g\n"
        "    import importlib\n"
        "    return importlib.import_module('cascadelab.dyn.thing'), __import__('os')\n"
    )
    assert imports_in("import cascadelab.pkg.sub", "cascadelab.a", known) == {
        "cascadelab.pkg.sub", "cascadelab.pkg"}  # the package runs first
    assert imports_in(source, "cascadelab.x", known) == {
        "cascadelab.a", "cascadelab.b", "cascadelab", "cascadelab.pkg.sub", "cascadelab.pkg",
        "cascadelab.late", "cascadelab.dyn",
    }
    relative = "from . import other\nfrom .sub import f\nfrom .. import a\n"
    assert imports_in(relative, "cascadelab.pkg.sub", known) == {
        "cascadelab.pkg.other", "cascadelab.a"}
    assert imports_in(relative, "cascadelab.pkg", known) == {
        "cascadelab.pkg.other", "cascadelab.pkg.sub", "cascadelab.a"}


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}),
             "d": frozenset({"a"})}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": frozenset({"b"}), "b": frozenset()}) == []


def test_every_module_is_in_a_layer() -> None:
    assert {layer(m) for m in modules()} <= set(ALLOWED)


# ---------------------------------------------------------------------------------------------
# the architecture


def test_no_import_cycles() -> None:
    found = cycles(imports())
    assert not found, "import cycles between cascadelab modules: " + "; ".join(
        " <-> ".join(c) for c in found
    )


def may_import(module: str, target: str) -> bool:
    """Whether ``module`` may import ``target``: :data:`ALLOWED`, and one exception.

    The model's wrappers call their own loops (``cascade.py`` the sweep in ``kernels/cascade.py``):
    the model may import a kernel module that itself imports nothing but the model.
    """
    src, dst = layer(module), layer(target)
    if dst in ALLOWED[src]:
        return True
    return src == "model" and dst == "kernels" and all(
        layer(t) == "model" for t in imports()[target]
    )


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_layers_import_only_downwards(name: str) -> None:
    wrong = sorted(
        f"{m} ({name}) imports {t} ({layer(t)})"
        for m, targets in imports().items() if layer(m) == name
        for t in targets if not may_import(m, t)
    )
    allowed = ", ".join(sorted(ALLOWED[name]))
    assert not wrong, f"{name} may import only {allowed}:\n" + "\n".join(wrong)


def test_the_model_may_call_only_the_loops_of_the_model() -> None:
    assert may_import("cascadelab.cascade", "cascadelab.kernels.cascade")
    assert not may_import("cascadelab.cascade", "cascadelab.kernels.engine")  # uses mechanisms
    assert not may_import("cascadelab.market", "cascadelab.mechanisms.oracles")
    assert not may_import("cascadelab.engine.simulate", "cascadelab.portfolio")
    assert not may_import("cascadelab.chapters.essence", "cascadelab.widgets.essence")


def test_nothing_outside_the_course_imports_the_course() -> None:
    wrong = sorted(
        f"{m} imports {t}" for m, targets in imports().items() if layer(m) != "course"
        for t in targets if layer(t) == "course"
    )
    assert not wrong, "\n".join(wrong)


def test_few_modules_at_the_top_level() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, f"{len(top)} modules in cascadelab/: {top}"


def test_no_module_is_too_long() -> None:
    long = {
        m: n for m, p in modules().items()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: " + ", ".join(
        f"{m} ({n})" for m, n in sorted(long.items(), key=lambda kv: -kv[1])
    )


def test_importing_the_package_loads_no_plotting_widgets_or_notebooks() -> None:
    code = (
        "import sys, cascadelab\n"
        "print(' '.join(m for m in ('matplotlib', 'ipywidgets', 'nbformat') if m in sys.modules))"
    )
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
        check=True,
    )
    assert out.stdout.split() == [], f"import cascadelab loaded {out.stdout.strip()}"
