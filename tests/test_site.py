"""The static site: widget outputs become pictures or notes, chapters link to each other."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from cascadelab.course import site

WIDGET = {"version_major": 2, "version_minor": 0, "model_id": "abc"}


def _nb(*outputs: dict) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data=d) for d in outputs]
    nb.cells = [nbformat.v4.new_markdown_cell("# The *loop*\n\ntext"), cell]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_staticize_keeps_pictures_and_replaces_bare_widgets() -> None:
    lab = {site.WIDGET_MIME: WIDGET, "text/plain": "Lab(...)", "text/html": "<img src='x'/>"}
    ipympl = {site.WIDGET_MIME: WIDGET, "text/plain": "Canvas(...)", "image/png": "iVBOR",
              "text/html": "<div>Figure<img src='data:image/png;base64,iVBOR'/></div>"}
    slider = {site.WIDGET_MIME: WIDGET, "text/plain": "IntSlider(value=3)"}
    plain = {"text/plain": "42"}
    progress = {site.WIDGET_MIME: WIDGET,
                "text/plain": "HBox(children=(HTML(value=''), FloatProgress(value=1.0)))"}
    tqdm = {site.WIDGET_MIME: WIDGET,
            "text/plain": "policies:   0%|          | 0/3 [00:00<?, ?it/s]"}
    nb = _nb(lab, ipympl, slider, plain, progress, tqdm)
    assert site.staticize(nb) == 5
    data = [o["data"] for o in nb.cells[1].outputs]
    assert len(data) == 4  # the finished progress bars are gone, not a "widget runs here" note
    assert data[0] == {"text/html": "<img src='x'/>"}
    assert data[1] == {"image/png": "iVBOR"}
    assert data[2] == {"text/html": site.WIDGET_NOTE}
    assert data[3] == plain
    assert "widgets" not in nb.metadata
    assert site.title_of(nb, "x") == "The loop"


def test_staticize_gives_shown_figures_their_takeaway_as_alt_text() -> None:
    # plotting.show: a figure output carries its takeaway, its page helper is marked as such
    figure = {site.WIDGET_MIME: WIDGET, "text/plain": "Canvas(...)", "image/png": "iVBOR",
              "text/html": "<div>Figure<img src='data:image/png;base64,iVBOR'/></div>"}
    helper = {site.WIDGET_MIME: WIDGET, "text/plain": "HTML(value='...')"}
    nb = _nb(figure, helper)
    shown, aid = nb.cells[1].outputs
    shown["metadata"] = {"cascadelab": {"alt": 'Prices "fall" <fast>.'}}
    aid["metadata"] = {"cascadelab": {"helper": True}}
    assert site.staticize(nb) == 2
    (out,) = nb.cells[1].outputs  # the helper is gone, not turned into a "widget runs here" note
    assert out["data"] == {"text/html": '<img alt="Prices &quot;fall&quot; &lt;fast&gt;." '
                                        'src="data:image/png;base64,iVBOR" '
                                        'style="max-width:100%"/>'}


def test_links_between_chapters_point_at_html_pages() -> None:
    nav = {"00_essence": "Essence", "01_origin": "Origin"}
    body = ('<a href="01_origin.ipynb#Fat-tails">x</a> <a href="../exercises/01_origin.ipynb">e</a>'
            ' <a href="../exercises/02_theory.ipynb">f</a> <a href="lab.ipynb">lab</a>')
    out = site._link_chapters(body, nav, exercises=["01_origin"])
    assert 'href="01_origin.html#Fat-tails"' in out
    assert 'href="exercises/01_origin.html"' in out
    assert 'href="../exercises/02_theory.ipynb"' in out  # no such page: left alone
    assert 'href="index.html#widget-lab"' in out


def test_build_site_shows_a_lab_as_its_picture(tmp_path: Path) -> None:
    pytest.importorskip("nbconvert")
    pytest.importorskip("jupyter_server_mathjax",
                        reason="pip install -e '.[dev]' (the site's local MathJax)")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny chapter\n\nNext: [the origin](01_tiny.ipynb)."),
        nbformat.v4.new_code_cell("from cascadelab.widgets import feedback_loop_lab\n"
                                  "feedback_loop_lab(depth=100_000.0)"),
        nbformat.v4.new_code_cell("%matplotlib widget\nfrom cascadelab import plotting as cp\n"
                                  "fig = cp.new_figure((4, 3))\nfig.add_subplot().plot([1, 2])\n"
                                  "cp.takeaway(fig, 'A line that rises')\ncp.show(fig)"),
    ]
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(nb, src / "00_tiny.ipynb")
    nb.cells = nb.cells[:1]
    nbformat.write(nb, src / "01_tiny.ipynb")
    pages = site.build_site([src / "00_tiny.ipynb", src / "01_tiny.ipynb"], tmp_path / "out",
                            timeout=120, jobs=1)
    assert [p.name for p in pages] == ["index.html", "00_tiny.html", "01_tiny.html"]
    index = pages[0].read_text()
    assert index.index('href="00_tiny.html"') < index.index('href="01_tiny.html"')
    html = pages[1].read_text()
    assert "cascadelab-static-lab" in html and "data:image/png;base64," in html
    assert 'alt="Past the critical point' in html  # the lab's takeaway as its alt text
    assert "amplification" in html  # the headline numbers under the picture
    assert site.WIDGET_MIME not in html and "Traceback" not in html
    assert 'href="01_tiny.html"' in html
    # a chapter figure: its takeaway is its alt text, its live helper leaves no note behind
    assert 'alt="A line that rises."' in html
    assert "No description has been provided" not in html
    assert html.count("cascadelab-static-note") == 0
    # Issue 13 (9): offline. MathJax from the site's own copy, nothing from a CDN, prose at a
    # readable width, printed numbers kept whole.
    mathjax = tmp_path / "out" / site.MATHJAX_DIR / "MathJax.js"
    assert mathjax.is_file()
    built = [*pages, *(tmp_path / "out" / "exercises").glob("*.html")]
    for page in built:
        text = page.read_text()
        for host in site.CDN_HOSTS:
            assert host not in text, (page.name, host)
        assert not re.search(r'(?:src|href)="(?:https?:)?//', text), page.name
    for page in pages[1:]:
        text = page.read_text()
        m = re.search(r'<script[^>]*src="([^"]*MathJax\.js[^"]*)"', text)
        assert m, page.name
        assert (page.parent / m.group(1).split("?")[0]).resolve() == mathjax.resolve()
        assert "max-width: 80ch" in text and "white-space: pre !important" in text


def test_make_site_finds_the_course_from_the_package(tmp_path: Path, monkeypatch) -> None:
    # `make site` runs `python -m cascadelab.course.site` with no paths: the default chapters and
    # output folder are the repository's (the module once looked one folder too high up)
    from cascadelab.course import build

    assert [p.name for p in site.chapters()][:2] == ["00_essence.ipynb", "01_origin.ipynb"]
    assert (site.ROOT / "README.md").is_file() and (site.ROOT / "solutions").is_dir()
    monkeypatch.chdir(tmp_path)  # not the repository: the package's own location decides
    assert (build._root(None) / "solutions").is_dir()
