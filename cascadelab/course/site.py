"""Build the course as a static website: every chapter executed and converted to HTML.

``python -m cascadelab.course.site`` (what ``make site`` runs) executes ``notebooks/NN_*.ipynb``
in fresh kernels, turns each into ``_build/site/NN_*.html`` and writes ``_build/site/index.html``
linking the chapters in order; the exercise notebooks become read-only pages under
``_build/site/exercises/``. A reader without a kernel sees every figure (its takeaway as alt
text); a lab is shown as the picture it draws at the settings of its cell, with its headline
numbers under it, and any other widget (but a finished progress bar) as a short note saying where
to run it live. Nothing needs the internet: MathJax is copied into
``_build/site/_static/mathjax`` from the ``jupyter-server-mathjax`` package installed with the
environment, and the pages load no script or font from a CDN.

How the pictures get there: the kernels run with an IPython start-up file that gives every
:class:`cascadelab.widgets.Lab` an HTML representation (a PNG of its figure and its headline
line). After execution the live-widget part of each output is dropped, keeping that picture
(ipympl figures carry a PNG of their own), and the widget state is not embedded.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

__all__ = ["CDN_HOSTS", "build_site", "chapters", "main", "mathjax_source", "staticize"]

ROOT = Path(__file__).resolve().parents[2]  # the repository: cascadelab/course/site.py
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
RICH_MIMES = ("text/html", "image/png", "image/svg+xml", "image/jpeg", "text/markdown")
WIDGET_NOTE = (
    "<p class='cascadelab-static-note'><em>An interactive widget runs here: open this chapter "
    "in JupyterLab (<code>make lab</code>) or on Binder to use it.</em></p>"
)
ASSET_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".csv"}

# Runs at kernel start (IPython start-up file): a static picture for every lab.
STARTUP = '''
def _cascadelab_static_lab():
    import base64, html, io

    from cascadelab.plotting import takeaway_text

    def lab_html(lab):
        buf = io.BytesIO()
        lab.figure.savefig(buf, format="png", dpi=100)
        png = base64.b64encode(buf.getvalue()).decode("ascii")
        headline = lab.headline_text(lab.summary) if hasattr(lab, "headline_text") else ""
        title = getattr(lab, "title", "") or ""
        alt = html.escape(takeaway_text(lab.figure), quote=True)
        note = ("a picture at the settings of this cell; run the chapter to move its "
                "controls")
        return (
            "<div class='cascadelab-static-lab'>"
            + (f"<p><b>{title}</b> ({note})</p>" if title else "")
            + f"<img alt='{alt or title or 'lab'}' src='data:image/png;base64,{png}' "
            "style='max-width:100%'/>"
            + (f"<p class='cascadelab-static-summary'>{headline}</p>" if headline else "")
            + "</div>"
        )

    formatter = get_ipython().display_formatter.formatters["text/html"]
    formatter.for_type_by_name("cascadelab.widgets._base", "Lab", lab_html)


_cascadelab_static_lab()
del _cascadelab_static_lab
'''

NAV_CSS = """<style>
.cascadelab-nav { font-family: sans-serif; font-size: 14px; padding: 8px 24px;
  display: flex; gap: 24px; border-bottom: 1px solid #ddd; background: #fafafa; }
.cascadelab-nav.bottom { border-top: 1px solid #ddd; border-bottom: none; margin-top: 24px; }
.cascadelab-nav a { color: #0072B2; text-decoration: none; }
.cascadelab-static-lab img { border: 1px solid #eee; }
/* readable prose: about 80 characters a line; figures and outputs keep the full width */
.jp-MarkdownCell .jp-RenderedMarkdown > *, .cascadelab-static-summary { max-width: 80ch; }
/* printed numbers never wrap mid-token ("1.96x" stays whole): scroll instead */
.jp-OutputArea-output pre, .jp-RenderedText pre { white-space: pre !important;
  word-break: normal !important; overflow-wrap: normal !important; overflow-x: auto; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { white-space: nowrap; }
</style>"""

#: Where the site keeps its own copy of MathJax, and the script each page loads from it.
MATHJAX_DIR = "_static/mathjax"
MATHJAX_SCRIPT = "MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
#: Hosts a built page must not load anything from (tests/test_site.py checks every page).
CDN_HOSTS = ("cdnjs.cloudflare.com", "cdn.jsdelivr.net", "unpkg.com", "fonts.googleapis.com")


def mathjax_source() -> Path:
    """The folder of MathJax's files shipped by ``jupyter-server-mathjax`` (its ``static/``).

    Raises
    ------
    SystemExit
        When the package is missing: the site would otherwise need a CDN for its maths.
    """
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise SystemExit("the static site needs MathJax installed locally: pip install "
                         "'jupyter-server-mathjax>=0.2.6,<0.3' (part of pip install -e "
                         "'.[dev]' and of environment.yml)") from None
    folder = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (folder / "MathJax.js").is_file():
        raise SystemExit(f"no MathJax.js in {folder}: reinstall jupyter-server-mathjax")
    return folder


def _exporter(depth: int = 0):
    """nbconvert's lab HTML exporter with MathJax from the site's copy, no require.js CDN."""
    from nbconvert import HTMLExporter

    up = "../" * depth
    exporter = HTMLExporter(template_name="lab")
    exporter.mathjax_url = f"{up}{MATHJAX_DIR}/{MATHJAX_SCRIPT}"
    if hasattr(exporter, "require_js_url"):
        exporter.require_js_url = ""  # static pages have no widgets: nothing needs require.js
    return exporter


def _offline(body: str) -> str:
    """Drop every script or stylesheet that would come from a CDN.

    That is nbconvert's mermaid loader (a module script importing mermaid from cdnjs when a
    page has diagrams; the course has none), any tag whose ``src``/``href`` is on a CDN host and
    the empty require.js tag.
    """
    hosts = "|".join(map(re.escape, CDN_HOSTS))
    body = re.sub(r'<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*'
                  r"</script>\s*", "", body, flags=re.S)
    body = re.sub(r'<script[^>]*src="(?:https?:)?//[^"]*(?:' + hosts + r')[^"]*"[^>]*>\s*'
                  r"</script>\s*", "", body)
    body = re.sub(r'<link[^>]*href="(?:https?:)?//[^"]*(?:' + hosts + r')[^"]*"[^>]*>\s*',
                  "", body)
    return re.sub(r'<script src=""></script>\s*', "", body)


def chapters(notebook_dir: Path | None = None) -> list[Path]:
    """The chapter notebooks, in course order (``NN_name.ipynb``)."""
    folder = notebook_dir or ROOT / "notebooks"
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if p.is_file())


def title_of(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The first ``# `` heading of the notebook (without markup), or ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", cell.source, flags=re.MULTILINE)
            if m:
                return re.sub(r"[*_`]", "", m.group(1)).strip()
    return fallback


def _is_progress_bar(text: str) -> bool:
    """A progress bar widget's plain text: ipywidgets' ``FloatProgress(...)`` or tqdm's
    ``desc:   0%|          | 0/3 [00:00<?, ?it/s]``."""
    return "Progress(" in text or re.search(r"\d+%\|.*\| *\d+/\d+ \[", text) is not None


def staticize(nb: nbformat.NotebookNode) -> int:
    """Drop live-widget parts of outputs in place, keeping static pictures; return how many.

    An output with a widget view and a rich static representation (HTML, PNG, ...) keeps only the
    static one; a progress bar is dropped; any other widget with nothing static becomes a short
    note. A figure shown by
    :func:`cascadelab.plotting.show` becomes an image whose alt text is its takeaway (from the
    output's ``cascadelab`` metadata) and its hidden page helper is dropped. The notebook's
    widget state is removed, so the HTML does not load a widget manager.
    """
    from cascadelab.plotting import OUTPUT_KEY

    changed = 0
    for cell in nb.cells:
        kept = []
        for out in cell.get("outputs", []):
            ours = out.get("metadata", {}).get(OUTPUT_KEY, {})
            if ours.get("helper"):
                changed += 1
                continue
            kept.append(out)
            data = out.get("data")
            if data and "image/png" in data and ours.get("alt"):
                alt = html.escape(ours["alt"], quote=True)
                png = data["image/png"]
                data.clear()
                data["text/html"] = (f"<img alt=\"{alt}\" src=\"data:image/png;base64,{png}\" "
                                     "style=\"max-width:100%\"/>")
                changed += 1
                continue
            if not data or WIDGET_MIME not in data:
                continue
            changed += 1
            del data[WIDGET_MIME]
            if "image/png" in data and "<img src='data:image/png" in str(data.get("text/html")):
                data.pop("text/html")  # ipympl's HTML is the same PNG under a "Figure" label
            if any(m in data for m in RICH_MIMES):
                data.pop("text/plain", None)
            elif _is_progress_bar(str(data.get("text/plain", ""))):
                kept.pop()  # a finished progress bar: nothing to run live, nothing to show
            else:
                data.clear()
                data["text/html"] = WIDGET_NOTE
        if "outputs" in cell:
            cell["outputs"] = kept
    nb.metadata.pop("widgets", None)
    return changed


def _execute(path: Path, timeout: int) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="cascadelab-site-") as ipython_dir:
        startup = Path(ipython_dir) / "profile_default" / "startup"
        startup.mkdir(parents=True)
        (startup / "50-cascadelab-site.py").write_text(STARTUP)
        env = dict(os.environ, IPYTHONDIR=ipython_dir)
        env.pop("MPLBACKEND", None)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}},
                                store_widget_state=False)
        client.execute(env=env)
    return nb


def _page(path: Path, out_dir: Path, timeout: int, nav: dict[str, str],
          exercises: Sequence[str] = ()) -> tuple[str, str, float]:
    """Execute one notebook and write its HTML; return (file name, title, seconds)."""
    t0 = time.perf_counter()
    nb = _execute(path, timeout)
    staticize(nb)
    title = title_of(nb, path.stem)
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = _offline(body)
    body = _link_chapters(body, nav, exercises)
    body = _add_nav(body, path.stem, nav)
    name = path.stem + ".html"
    (out_dir / name).write_text(body, encoding="utf-8")
    return name, title, time.perf_counter() - t0


def _link_chapters(body: str, nav: dict[str, str], exercises: Sequence[str] = ()) -> str:
    """Point links to chapters, exercises and the Widget Lab at their pages in the site.

    ``01_origin.ipynb#x`` -> ``01_origin.html#x``; ``../exercises/01_origin.ipynb`` ->
    ``exercises/01_origin.html`` (when built); ``lab.ipynb`` -> the index's Widget Lab section.
    """
    def chapter(m: re.Match) -> str:
        return f"{m.group(1)}{m.group(2)}.html" if m.group(2) in nav else m.group(0)

    def exercise(m: re.Match) -> str:
        return f"{m.group(1)}exercises/{m.group(2)}.html" if m.group(2) in exercises else (
            m.group(0))

    body = re.sub(r'(href=")(?:\./)?([0-9]{2}_[A-Za-z0-9_-]+)\.ipynb', chapter, body)
    body = re.sub(r'(href=")(?:\./)?\.\./exercises/([0-9]{2}_[A-Za-z0-9_-]+)\.ipynb', exercise,
                  body)
    return re.sub(r'href="(?:\./)?lab\.ipynb"', 'href="index.html#widget-lab"', body)


def _add_nav(body: str, stem: str, nav: dict[str, str]) -> str:
    stems = list(nav)
    i = stems.index(stem)
    links = ['<a href="index.html">Contents</a>']
    if i > 0:
        links.append(f'<a href="{stems[i - 1]}.html">&larr; {html.escape(nav[stems[i - 1]])}</a>')
    if i + 1 < len(stems):
        links.append(f'<a href="{stems[i + 1]}.html">{html.escape(nav[stems[i + 1]])} &rarr;</a>')
    bar = " ".join(links)
    body = body.replace("</head>", NAV_CSS + "\n</head>", 1)
    body = re.sub(r"(<body[^>]*>)", rf'\1\n<nav class="cascadelab-nav">{bar}</nav>', body,
                  count=1)
    return body.replace("</body>", f'<nav class="cascadelab-nav bottom">{bar}</nav>\n</body>', 1)


def _exercise_pages(out_dir: Path, exercise_dir: Path) -> list[str]:
    """The exercise notebooks as read-only pages (not executed): ``exercises/NN_name.html``."""
    stems = []
    for path in sorted(exercise_dir.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(
            "*Exercises are meant to be solved in a live notebook: run `make lab` and open "
            f"`exercises/{path.name}`, or launch the course on Binder. "
            "[Back to the contents](../index.html).*"))
        body, _ = _exporter(depth=1).from_notebook_node(
            nb, resources={"metadata": {"name": title_of(nb, path.stem)}})
        body = _offline(body).replace("</head>", NAV_CSS + "\n</head>", 1)
        (out_dir / "exercises").mkdir(exist_ok=True)
        (out_dir / "exercises" / f"{path.stem}.html").write_text(body, encoding="utf-8")
        stems.append(path.stem)
    return stems


def _index(pages: list[tuple[str, str]]) -> str:
    items = "\n".join(f'    <li><a href="{name}">{html.escape(title)}</a></li>'
                      for name, title in pages)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cascadelab: an open course on liquidation cascades</title>
<style>
body {{ font-family: sans-serif; max-width: 46em; margin: 3em auto; padding: 0 1em;
  line-height: 1.5; color: #222; }}
a {{ color: #0072B2; }}
li {{ margin: 0.4em 0; }}
ul.chapters {{ list-style: none; padding-left: 0; }}
</style>
</head>
<body>
<h1>cascadelab</h1>
<p>An open course on liquidation cascades: how a price shock turns into margin calls, forced
sales and more margin calls, what makes the loop run away, and what venues do about it.</p>
<p>These pages are the chapters executed once, with every figure; the labs appear as the
picture they draw at their default settings. To move the sliders, run the course yourself
(<code>make lab</code>) or launch it on Binder.</p>
<h2>Chapters</h2>
<ul class="chapters">
{items}
</ul>
<h2 id="widget-lab">The Widget Lab</h2>
<p>Every lab of the course in one tabbed dashboard needs a live Python kernel: open
<code>notebooks/lab.ipynb</code> after <code>make lab</code>, run it as an app with
<code>voila notebooks/lab.ipynb</code>, or launch it on Binder with
<code>?urlpath=voila/render/notebooks/lab.ipynb</code>.</p>
</body>
</html>
"""


def build_site(notebooks: Sequence[Path] | None = None, out_dir: Path | None = None,
               timeout: int = 600, jobs: int = 2) -> list[Path]:
    """Execute and convert ``notebooks`` (default: the chapters) into ``out_dir``.

    Returns the HTML pages written, index first.
    """
    paths = [Path(p).resolve() for p in (notebooks if notebooks else chapters())]
    if not paths:
        raise SystemExit("no chapter notebooks (notebooks/NN_*.ipynb) to build")
    out = Path(out_dir or ROOT / "_build" / "site").resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copytree(mathjax_source(), out / MATHJAX_DIR)
    for folder in {p.parent for p in paths}:  # images and data next to the notebooks
        for asset in folder.rglob("*"):
            if asset.suffix.lower() in ASSET_SUFFIXES and ".ipynb_checkpoints" not in asset.parts:
                target = out / asset.relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(asset, target)
    nav = {p.stem: title_of(nbformat.read(p, as_version=4), p.stem) for p in paths}
    exercise_dir = paths[0].parent.parent / "exercises"
    exercises = _exercise_pages(out, exercise_dir) if exercise_dir.is_dir() else []
    written = []
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(_page, p, out, timeout, nav, exercises) for p in paths]
        for path, future in zip(paths, futures, strict=True):
            name, title, seconds = future.result()
            nav[path.stem] = title
            written.append(out / name)
            print(f"  {path.name:<28s} -> {out.name}/{name}  ({seconds:.0f} s)")
    (out / "index.html").write_text(_index([(p.name, nav[p.stem]) for p in written]),
                                    encoding="utf-8")
    return [out / "index.html", *written]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cascadelab.course.site", description=__doc__
                                     .split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to build (default: notebooks/NN_*.ipynb)")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "site",
                        help="output folder (default: _build/site)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    print(f"Building the static course into {args.out} ...")
    pages = build_site(args.notebooks, args.out, args.timeout, args.jobs)
    print(f"Wrote {len(pages)} pages in {time.perf_counter() - t0:.0f} s; open "
          f"{pages[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
