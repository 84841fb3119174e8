r"""Course tooling: generate the exercise notebooks from the solution notebooks.

``solutions/NN_<chapter>.ipynb`` is the one source of truth. Each exercise's worked answer sits
between two marker lines in a code cell::

    ### BEGIN SOLUTION
    liq = entry * (1 - 1 / leverage) / (1 - m)
    ### END SOLUTION

and ``python -m cascadelab.course build-exercises`` writes ``exercises/NN_<chapter>.ipynb`` with

* every solution block replaced by a placeholder that runs without error: each name the block
  defines *and* the rest of the notebook uses becomes ``name = None  # your code here``; a
  function keeps its decorators, signature and docstring, and its body becomes
  ``return None``; a block indented inside a function becomes ``return None`` (or ``pass``);
* every cell tagged ``solution`` (a worked explanation, or a demo that needs the finished
  answer) removed;
* no outputs, no execution counts, only the ``tags`` of cell metadata and a fixed notebook
  metadata, serialised by nbformat with sorted keys and an indent of 1, so the same solutions
  always give the same bytes.

``python -m cascadelab.course check-exercises`` exits with status 1 (and names the files) when
the committed exercise notebooks differ from what ``build-exercises`` would write.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
import textwrap
from pathlib import Path

import nbformat

__all__ = [
    "BEGIN",
    "END",
    "PLACEHOLDER",
    "SOLUTION_TAG",
    "build_exercises",
    "check_exercises",
    "make_exercise",
    "render",
    "strip_solutions",
]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
SOLUTION_TAG = "solution"
PLACEHOLDER = "# your code here"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

_MAGIC = re.compile(r"^\s*[%!]")


class SolutionMarkerError(ValueError):
    """A solution block is not closed, or closed without being opened."""


def _blocks(lines: list[str], where: str) -> list[tuple[int, int]]:
    """``(begin, end)`` line indices of each marker pair in ``lines``."""
    out = []
    start = None
    for i, line in enumerate(lines):
        s = line.strip()
        if s == BEGIN:
            if start is not None:
                raise SolutionMarkerError(f"{where}: nested {BEGIN!r} at line {i + 1}")
            start = i
        elif s == END:
            if start is None:
                raise SolutionMarkerError(f"{where}: {END!r} without {BEGIN!r} at line {i + 1}")
            out.append((start, i))
            start = None
    if start is not None:
        raise SolutionMarkerError(f"{where}: {BEGIN!r} at line {start + 1} is never closed")
    return out


def _parse(source: str) -> ast.Module | None:
    """Parse cell source, skipping IPython magics; ``None`` if it is not plain Python."""
    text = "\n".join("" if _MAGIC.match(line) else line for line in source.split("\n"))
    try:
        return ast.parse(text)
    except SyntaxError:
        return None


def _loaded_names(source: str) -> set[str]:
    tree = _parse(source)
    if tree is None:
        return set()
    return {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }


def _without_blocks(source: str) -> str:
    lines = source.split("\n")
    blocks = _blocks(lines, "cell")
    for b, e in reversed(blocks):
        indent = lines[b][: len(lines[b]) - len(lines[b].lstrip())]
        lines[b : e + 1] = [indent + "pass"]
    return "\n".join(lines)


def _bound(node: ast.stmt) -> list[str]:
    """Names a top-level statement binds, in source order."""
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    names = []
    for t in targets:
        for n in ast.walk(t):
            if isinstance(n, ast.Name):
                names.append(n.id)
    return names


def _function_stub(node: ast.FunctionDef, lines: list[str]) -> list[str]:
    """Decorators, signature and docstring of ``node`` from ``lines``, then ``return None``."""
    first = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
    body0 = node.body[0]
    doc = (
        isinstance(body0, ast.Expr)
        and isinstance(body0.value, ast.Constant)
        and isinstance(body0.value.value, str)
    )
    head_end = body0.end_lineno if doc else body0.lineno - 1
    indent = " " * body0.col_offset
    return [*lines[first:head_end], indent + PLACEHOLDER, indent + "return None"]


def _placeholder(body: list[str], indent: str, used: set[str], where: str) -> list[str]:
    """Lines that stand in for the solution ``body``."""
    if indent:
        text = textwrap.dedent("\n".join(body))
        returns = any(re.match(r"return\b", line) for line in text.split("\n"))
        return [indent + ("return None  " if returns else "pass  ") + PLACEHOLDER]
    source = "\n".join(body)
    tree = _parse(source)
    if tree is None:
        raise SolutionMarkerError(f"{where}: the solution block is not valid Python")
    lines = source.split("\n")
    out: list[str] = []
    seen: set[str] = set()
    for node in tree.body:
        for name in _bound(node):
            if name in seen or name not in used:
                continue
            seen.add(name)
            if isinstance(node, ast.FunctionDef) and node.name == name:
                out.extend(_function_stub(node, lines))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                out.extend(lines[node.lineno - 1 : node.end_lineno])
            else:
                out.append(f"{name} = None  {PLACEHOLDER}")
    return out or [PLACEHOLDER]


def strip_solutions(source: str, used: set[str], where: str = "cell") -> str:
    """Replace each marked solution block of a code cell's ``source`` by its placeholder."""
    lines = source.split("\n")
    for b, e in reversed(_blocks(lines, where)):
        indent = lines[b][: len(lines[b]) - len(lines[b].lstrip())]
        lines[b : e + 1] = _placeholder(lines[b + 1 : e], indent, used, where)
    return "\n".join(lines)


def make_exercise(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The exercise version of a solution notebook (a new notebook; ``nb`` is untouched).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A solution notebook (nbformat 4).
    name : str
        Used in error messages and for cell ids the solution notebook lacks.

    Returns
    -------
    nbformat.NotebookNode
    """
    kept = [c for c in nb.cells if SOLUTION_TAG not in c.get("metadata", {}).get("tags", [])]
    used: set[str] = set()
    for c in kept:
        if c.cell_type == "code":
            used |= _loaded_names(_without_blocks(c.source))
    cells = []
    for i, c in enumerate(kept):
        tags = list(c.get("metadata", {}).get("tags", []))
        meta = {"tags": tags} if tags else {}
        cell_id = c.get("id") or f"{Path(name).stem}-{i}"
        if c.cell_type == "code":
            src = strip_solutions(c.source, used, f"{name}, cell {i}")
            new = nbformat.v4.new_code_cell(src, metadata=meta)
        elif c.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(c.source, metadata=meta)
        else:
            new = nbformat.v4.new_raw_cell(c.source, metadata=meta)
        new["id"] = cell_id
        cells.append(new)
    out = nbformat.v4.new_notebook(cells=cells)
    out.nbformat, out.nbformat_minor = 4, 5
    out.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
    }
    return out


def render(nb: nbformat.NotebookNode) -> str:
    """The notebook as text: nbformat's JSON with sorted keys and an indent of 1, then a newline."""
    return nbformat.writes(copy.deepcopy(nb), version=4) + "\n"


def _root(root: str | Path | None) -> Path:
    if root is not None:
        return Path(root)
    cwd = Path.cwd()
    if (cwd / "solutions").is_dir():
        return cwd
    return Path(__file__).resolve().parents[2]  # the repository: cascadelab/course/build.py


def _expected(root: Path) -> dict[str, str]:
    """File name -> text of every exercise notebook the solutions imply."""
    out = {}
    for path in sorted((root / "solutions").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        out[path.name] = render(make_exercise(nb, path.name))
    return out


def build_exercises(
    root: str | Path | None = None, out_dir: str | Path | None = None
) -> list[Path]:
    """Write ``exercises/*.ipynb`` from ``solutions/*.ipynb``; return the paths written.

    Parameters
    ----------
    root : path, optional
        Repository root holding ``solutions/`` (default: the current directory if it has one,
        else the checkout this package lives in).
    out_dir : path, optional
        Where to write (default ``<root>/exercises``).
    """
    root = _root(root)
    out = Path(out_dir) if out_dir is not None else root / "exercises"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in _expected(root).items():
        path = out / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def check_exercises(root: str | Path | None = None) -> list[str]:
    """Names of exercise notebooks that are missing, stale or have no solution (empty if none)."""
    root = _root(root)
    expected = _expected(root)
    ex_dir = root / "exercises"
    problems = []
    for name, text in expected.items():
        path = ex_dir / name
        if not path.exists():
            problems.append(f"exercises/{name} is missing")
        elif path.read_bytes() != text.encode("utf-8"):
            problems.append(f"exercises/{name} differs from what solutions/{name} generates")
    for path in sorted(ex_dir.glob("*.ipynb")) if ex_dir.is_dir() else []:
        if path.name not in expected:
            problems.append(f"exercises/{path.name} has no solutions/{path.name}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line: ``build-exercises`` or ``check-exercises``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m cascadelab.course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("build-exercises", "check-exercises"))
    parser.add_argument("--root", default=None, help="repository root (default: autodetect)")
    args = parser.parse_args(argv)
    if args.command == "build-exercises":
        for path in build_exercises(args.root):
            print(f"wrote {path}")
        return 0
    problems = check_exercises(args.root)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print("Run `python -m cascadelab.course build-exercises` (or `make exercises`).",
              file=sys.stderr)
        return 1
    print("exercises/ is up to date with solutions/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
