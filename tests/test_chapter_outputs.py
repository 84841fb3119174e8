"""Every chapter prints readable numbers: no raw scientific notation, no nan, no inf (issue 14
items 15 and "Done when").

Each chapter notebook (``notebooks/NN_*.ipynb``) is executed once, in its own kernel started from
the current environment (as ``--nbval-current-env`` does), and the text a reader sees is scanned:
stream output, ``text/plain``, ``text/markdown`` and ``text/html`` of results and displays, and
error tracebacks. The ``text/plain`` repr of a widget (a lab, an ipympl canvas) is skipped:
JupyterLab shows the widget, not its repr; so are images embedded in HTML as base64.

One test class per notebook, so that ``pytest -n 2 --dist loadscope`` spreads the notebooks
over the workers (loadscope groups test methods by class). Timings are not asserted here (they
belong in ``benchmarks/``); a cell that hangs fails at ``CELL_TIMEOUT``.
"""

from __future__ import annotations

import re
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CURRENT_ENV = "cascadelab-current-env"
CELL_TIMEOUT = 300  # seconds per cell: generous, a busy two-core machine is slow

SCIENTIFIC = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?[eE][-+]?\d+(?![\w.])")
NAN = re.compile(r"(?<![\w.])[-+]?nan(?![\w(])", re.IGNORECASE)
INF = re.compile(r"(?<![\w.])[-+]?inf(?:inity)?(?![\w(])", re.IGNORECASE)
WIDGET = "application/vnd.jupyter.widget-view+json"
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")  # an embedded image, not text
TEXT_TYPES = ("text/plain", "text/markdown", "text/html")


class _CurrentEnvSpecs(KernelSpecManager):
    """Kernel specs plus one for the running interpreter (its ipykernel)."""

    def get_kernel_spec(self, kernel_name):
        if kernel_name == CURRENT_ENV:
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                          **ipykernel.kernelspec.get_kernel_dict())
        return super().get_kernel_spec(kernel_name)


def output_texts(nb):
    """(cell index, text) for every piece of output text a reader sees."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream":
                yield i, out.get("text", "")
            elif kind == "error":
                yield i, "\n".join(out.get("traceback", []))
            elif kind in ("execute_result", "display_data"):
                data = out.get("data", {})
                for mime in TEXT_TYPES:
                    if mime in data and not (mime == "text/plain" and WIDGET in data):
                        text = data[mime]
                        text = "".join(text) if isinstance(text, list) else text
                        yield i, DATA_URI.sub("", text)


def unreadable(text):
    """The raw scientific notation, nan and inf tokens in ``text``."""
    return [m.group(0) for rx in (SCIENTIFIC, NAN, INF) for m in rx.finditer(text)]


def test_the_scanner_flags_what_it_should():
    bad = "2.2e+07 USD, 1e-05, nan, -inf, NaN %, Inf"
    assert unreadable(bad) == ["2.2e+07", "1e-05", "nan", "NaN", "-inf", "Inf"]
    page = '<img src="data:image/png;base64,iVBOR+3e5/8e9w=="> 4.5e-03'
    assert unreadable(DATA_URI.sub("", page)) == ["4.5e-03"]
    fine = ("22.0M USD, 3.4%, step 1e, math.nan, np.inf, info, infinite? no: Nancy, "
            "isnan(x), 0x1e5f, Canvas(toolbar=...), 1,000 units, 12.5e3x")
    assert unreadable(fine) == []


def check_chapter(path):
    """Execute ``path`` in a fresh current-env kernel and fail on any unreadable number."""
    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name=CURRENT_ENV, kernel_spec_manager=_CurrentEnvSpecs())
    client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT, kernel_name=CURRENT_ENV,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    found = [(i, token, text[max(0, text.find(token) - 60):text.find(token) + 40])
             for i, text in output_texts(nb) for token in unreadable(text)]
    assert not found, f"{path.name}: unreadable numbers in the output:\n" + "\n".join(
        f"  cell {i}: {token!r} in ...{snippet!r}..." for i, token, snippet in found)


def _chapter_class(path):
    def test_prints_readable_numbers(self):
        check_chapter(path)

    name = "TestChapter" + "".join(part.capitalize() for part in path.stem.split("_"))
    return type(name, (), {"test_prints_readable_numbers": test_prints_readable_numbers,
                           "__doc__": f"{path.name} prints readable numbers."})


for _path in NOTEBOOKS:
    _cls = _chapter_class(_path)
    globals()[_cls.__name__] = _cls


def test_every_chapter_is_checked():
    names = {f"TestChapter{''.join(p.capitalize() for p in n.stem.split('_'))}" for n in NOTEBOOKS}
    assert len(NOTEBOOKS) >= 6 and names <= set(globals())
