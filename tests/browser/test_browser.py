"""What a visitor sees: the Widget Lab in Voila and a chapter in JupyterLab, in a real Chromium.

One module, so that ``pytest -n 2 --dist loadscope`` keeps these tests (and their servers and
browser) on one worker. Screenshots go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nbformat
import pytest

from cascadelab.widgets.dashboard import TABS, Tab, available_tabs

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
FIRST_CLASS = [t for t in TABS if t.first_class]
# The control each lab's test moves (the first slider of the lab when the name is missing).
MOVE = {"feedback_loop": "shock", "gamma_hedging": "short_calls", "front_running": "capital",
        "circuit_breaker": "band"}
# The chapter run in JupyterLab: the first of these that exists.
CHAPTERS = ["00_essence.ipynb", "01_origin.ipynb", "02_theory.ipynb", "03_approach.ipynb"]

RENDER_TIMEOUT = 120.0  # s: kernel start, imports, building every lab on a loaded 2-core box
CHANGE_TIMEOUT = 60.0  # s: one recompute and the new image reaching the page
RUN_ALL_TIMEOUT = 150.0  # s: a chapter runs in under a minute under nbval

BAD_TEXT = ("Loading widget", "Error displaying widget", "Traceback (most recent call last)",
            "Could not build this lab",
            "There was an error when executing cell", "Failed to load model class")


def wait_until(what: str, condition: Callable[[], Any], timeout: float,
               interval: float = 0.25) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


# JavaScript helpers, evaluated in the page --------------------------------------------------------

JS_PROBLEMS = """(bad) => {
  const text = document.body.innerText;
  const found = bad.filter((b) => text.includes(b));
  for (const el of document.querySelectorAll(
      '[data-mime-type="application/vnd.jupyter.stderr"], .jp-OutputArea-output.jp-mod-error')) {
    const t = el.innerText.trim();
    if (/Error|Traceback/.test(t)) found.push(t.slice(0, 2000));
  }
  return found;
}"""

# A signature of what a figure shows: the pixels of its canvases and the sources of its images,
# and how many non-blank pixels the canvases hold (0 until ipympl has drawn).
JS_FIGURE = """(panel) => {
  const parts = []; let inked = 0;
  for (const c of panel.querySelectorAll('canvas')) {
    if (!c.width || !c.height) continue;
    try {
      parts.push(c.toDataURL());
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4 * 97) if (d[i] > 0) inked++;
    } catch (e) { parts.push(String(e)); }
  }
  for (const img of panel.querySelectorAll('img')) {
    parts.push(img.src);
    if (img.complete && img.naturalWidth > 0) inked++;
  }
  return {sig: parts.join('|'), inked: inked};
}"""

JS_SUMMARY = """(panel) => {
  const tagged = panel.querySelector('.cascadelab-summary');
  if (tagged) return tagged.innerText.trim();
  const copy = panel.cloneNode(true);
  copy.querySelectorAll('.cascadelab-intro, .widget-readout, input, select, button')
      .forEach((el) => el.remove());
  return copy.innerText.trim();
}"""


def problems(page) -> list[str]:
    return page.evaluate(JS_PROBLEMS, list(BAD_TEXT))


def assert_no_problems(page, timeout: float = 30.0) -> None:
    """No loading placeholder, widget error or traceback on the page (waits for late widgets)."""
    deadline = time.monotonic() + timeout
    while (found := problems(page)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not found, f"problems on the page: {found}"


# Voila: the Widget Lab ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab_page(voila, browser, artifacts: Path) -> Iterator[Any]:
    """notebooks/lab.ipynb rendered by Voila, once for the module."""
    page = browser.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda err: page_errors.append(str(err)))
    requested: list[str] = []  # every URL the page asks for, from its first request on
    page.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda ws: requested.append(ws.url))
    page.goto(voila.url + "/", wait_until="domcontentloaded", timeout=RENDER_TIMEOUT * 1000)
    try:
        page.wait_for_selector(".cascadelab-widget-lab, .cascadelab-empty",
                               timeout=RENDER_TIMEOUT * 1000)
    except Exception:
        page.screenshot(path=str(artifacts / "voila-not-rendered.png"), full_page=True)
        raise AssertionError(f"the Widget Lab did not render in Voila; problems: "
                             f"{problems(page)}; page errors: {page_errors}\n{voila.tail()}"
                             ) from None
    page.page_errors = page_errors
    page.requested = requested
    yield page
    page.close()


def open_tab(page, tab: Tab) -> Any:
    """Select ``tab`` in the dashboard and return its panel once its figure has drawn."""
    page.locator(".cascadelab-widget-lab .lm-TabBar-tab", has_text=tab.title).first.click()
    panel = page.locator(f".cascadelab-tab-{tab.key}")
    panel.wait_for(state="visible", timeout=RENDER_TIMEOUT * 1000)
    handle = panel.element_handle()
    wait_until(f"the {tab.title} figure to draw",
               lambda: page.evaluate(JS_FIGURE, handle)["inked"] > 0, RENDER_TIMEOUT)
    wait_until(f"the {tab.title} summary", lambda: page.evaluate(JS_SUMMARY, handle),
               RENDER_TIMEOUT)
    return panel


def test_voila_renders_every_lab(lab_page, artifacts: Path) -> None:
    tabs = available_tabs()
    if not tabs:
        assert lab_page.locator(".cascadelab-empty").count() == 1
        pytest.skip("no lab in cascadelab.widgets yet: the Widget Lab shows its placeholder")
    titles = lab_page.locator(".cascadelab-widget-lab .lm-TabBar-tab").all_inner_texts()
    assert [t.strip() for t in titles] == [t.title for t in tabs]
    for tab in tabs:
        open_tab(lab_page, tab)
        lab_page.screenshot(path=str(artifacts / f"voila-{tab.key}.png"), full_page=True)
    assert_no_problems(lab_page)
    assert not lab_page.page_errors, lab_page.page_errors


def move_slider(page, panel, key: str) -> str:
    """Move one slider of the lab in ``panel`` with the keyboard; return the control moved."""
    name = MOVE.get(key)
    row = panel.locator(".cascadelab-row", has=panel.page.locator(f".cascadelab-control-{name}"))
    if not name or row.count() == 0 or row.locator(".noUi-handle").count() == 0:
        row = panel.locator(".cascadelab-row", has=panel.page.locator(".noUi-handle")).first
        name = "first slider"
    readout = row.locator(".cascadelab-readout input").first
    before = readout.input_value()
    handle = row.locator(".noUi-handle").first
    handle.focus()
    for key_name in ("PageUp", "PageDown"):  # PageDown when the slider sits at its maximum
        for _ in range(2):
            handle.press(key_name)
        try:
            wait_until("the slider readout to change", lambda: readout.input_value() != before,
                       5.0)
            return f"{name} ({before} -> {readout.input_value()})"
        except AssertionError:
            continue
    # Keyboard did nothing: type a value into the readout box instead.
    readout.fill(str(float(before.replace(",", "")) * 1.5 or 1))
    readout.press("Enter")
    wait_until("the slider readout to change", lambda: readout.input_value() != before, 5.0)
    return f"{name} ({before} -> {readout.input_value()}, typed)"


@pytest.mark.parametrize("key", [t.key for t in FIRST_CLASS])
def test_voila_slider_moves_figure_and_summary(lab_page, artifacts: Path, key: str) -> None:
    tab = next(t for t in FIRST_CLASS if t.key == key)
    if tab not in available_tabs():
        pytest.skip(f"{tab.factory} is not in cascadelab.widgets yet")
    panel = open_tab(lab_page, tab)
    handle = panel.element_handle()
    fig0 = lab_page.evaluate(JS_FIGURE, handle)["sig"]
    text0 = lab_page.evaluate(JS_SUMMARY, handle)
    lab_page.screenshot(path=str(artifacts / f"voila-{key}-before.png"), full_page=True)
    moved = move_slider(lab_page, panel, key)
    wait_until(f"the {tab.title} figure to change after moving {moved}",
               lambda: lab_page.evaluate(JS_FIGURE, handle)["sig"] != fig0, CHANGE_TIMEOUT)
    wait_until(f"the {tab.title} summary to change after moving {moved} (was {text0!r})",
               lambda: lab_page.evaluate(JS_SUMMARY, handle) != text0, CHANGE_TIMEOUT)
    time.sleep(0.5)  # let the last image land before the picture
    lab_page.screenshot(path=str(artifacts / f"voila-{key}-after.png"), full_page=True)
    assert_no_problems(lab_page)



# Voila: fit, keyboard, names, typed values ------------------------------------------------------

NARROW = 1100  # px: a laptop-sized window; every lab must fit it

# Where the figure is against its panel, and whether the page scrolls sideways.
JS_FIT = """(panel) => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.right]; };
  const fig = panel.querySelector('.cascadelab-figure');
  const rows = Array.from(panel.querySelectorAll('.cascadelab-row')).map(box);
  return {figure: fig ? box(fig) : null, panel: box(panel), rows: rows,
          scroll: document.documentElement.scrollWidth, width: window.innerWidth,
          view: fig ? box(fig.closest('.cascadelab-view') || panel) : null};
}"""

# Texts that do not fit their box (cut, ellipsis or scrolled): labels, titles, readouts, tabs.
JS_CUT = """(panel) => {
  const cut = [];
  const sel = '.widget-label, .cascadelab-title, .cascadelab-summary, .cascadelab-note';
  for (const el of panel.querySelectorAll(sel)) {
    if (!el.offsetParent) continue;
    if (el.scrollWidth > el.clientWidth + 1) cut.push(el.textContent.trim());
  }
  for (const el of panel.querySelectorAll('.cascadelab-readout input')) {
    if (el.scrollWidth > el.clientWidth + 1) cut.push('readout ' + el.value);
  }
  for (const el of document.querySelectorAll('.cascadelab-widget-lab .lm-TabBar-tabLabel')) {
    if (el.scrollWidth > el.clientWidth + 1) cut.push('tab ' + el.textContent.trim());
  }
  return cut;
}"""

# Every slider handle's accessible name and announced value, next to the readout it should say.
JS_SLIDER_NAMES = """(panel) => Array.from(panel.querySelectorAll('.cascadelab-row')).flatMap(
  (row) => Array.from(row.querySelectorAll('[role=slider]')).map((h) => ({
    name: (h.getAttribute('aria-label') || h.getAttribute('aria-labelledby') || '').trim(),
    text: h.getAttribute('aria-valuetext'),
    shown: (row.querySelector('.cascadelab-readout input') || {}).value}))
)"""

JS_ACTIVE = """(panel) => {
  const a = document.activeElement;
  return {inLab: !!(a && a.closest && a.closest('.cascadelab-lab')),
          inFigure: !!(a && a.closest && a.closest('.cascadelab-figure, .jupyter-matplotlib')),
          what: a ? a.tagName + '.' + a.className : null};
}"""


@pytest.fixture
def narrow(lab_page) -> Iterator[Any]:
    """The Widget Lab page at a laptop width, restored afterwards."""
    size = lab_page.viewport_size
    lab_page.set_viewport_size({"width": NARROW, "height": 900})
    try:
        yield lab_page
    finally:
        lab_page.set_viewport_size(size)


@pytest.mark.parametrize("key", [t.key for t in TABS])
def test_voila_lab_fits_1100px_without_cut_labels_and_names_every_slider(
        narrow, artifacts: Path, key: str) -> None:
    tab = next(t for t in TABS if t.key == key)
    if tab not in available_tabs():
        pytest.skip(f"{tab.factory} is not in cascadelab.widgets yet")
    panel = open_tab(narrow, tab)
    handle = panel.element_handle()
    time.sleep(0.5)  # let the layout settle after the resize
    fit = narrow.evaluate(JS_FIT, handle)
    narrow.screenshot(path=str(artifacts / f"voila-{key}-{NARROW}px.png"), full_page=True)
    assert fit["figure"], f"{tab.title}: no figure"
    left, right = fit["figure"]
    assert right <= fit["panel"][1] + 1 and left >= fit["panel"][0] - 1, (
        f"{tab.title}: figure {left:.0f}..{right:.0f} px wider than its panel "
        f"{fit['panel'][0]:.0f}..{fit['panel'][1]:.0f} at {NARROW} px")
    assert right <= fit["view"][1] + 1, f"{tab.title}: figure wider than its container"
    assert fit["scroll"] <= fit["width"], f"{tab.title}: the page scrolls sideways"
    for _row_left, row_right in fit["rows"]:
        assert row_right <= fit["panel"][1] + 1, f"{tab.title}: a control sticks out"
    cut = narrow.evaluate(JS_CUT, handle)
    assert not cut, f"{tab.title}: cut labels or readouts at {NARROW} px: {cut}"
    sliders = narrow.evaluate(JS_SLIDER_NAMES, handle)
    for s in sliders:
        assert s["name"] and "(" in s["name"], f"{tab.title}: a slider has no name with a unit: {s}"
        assert s["text"] == s["shown"], f"{tab.title}: slider announces {s['text']!r}, " \
            f"shows {s['shown']!r}"


@pytest.mark.parametrize("key", [t.key for t in FIRST_CLASS])
def test_voila_tab_goes_through_a_lab_and_out_of_its_figure(lab_page, key: str) -> None:
    tab = next(t for t in FIRST_CLASS if t.key == key)
    if tab not in available_tabs():
        pytest.skip(f"{tab.factory} is not in cascadelab.widgets yet")
    panel = open_tab(lab_page, tab)
    handle = panel.element_handle()
    # A figure that takes focus must give it back: Tab, Shift+Tab and Escape leave it.
    for keys in ("Tab", "Shift+Tab", "Escape"):
        focused = lab_page.evaluate(
            "(p) => { const f = p.querySelector("
            "'.cascadelab-figure, .jupyter-matplotlib-canvas-div');"
            " if (!f) return false; f.focus(); return document.activeElement === f; }", handle)
        if focused:
            lab_page.keyboard.press(keys)
            assert not lab_page.evaluate(JS_ACTIVE, handle)["inFigure"], \
                f"{tab.title}: {keys} does not leave the figure"
    # From the first control, Tab walks through the lab and out of it.
    panel.locator("[role=slider], select, input").first.focus()
    seen = []
    for _ in range(80):
        lab_page.keyboard.press("Tab")
        state = lab_page.evaluate(JS_ACTIVE, handle)
        seen.append(state["what"])
        if not state["inLab"]:
            break
    else:
        raise AssertionError(f"{tab.title}: Tab never leaves the lab: {seen[-5:]}")


def test_voila_headline_follows_a_drag_and_the_figure_catches_up(lab_page) -> None:
    tab = next(t for t in FIRST_CLASS if t.key == "feedback_loop")
    if tab not in available_tabs():
        pytest.skip("feedback_loop_lab is not in cascadelab.widgets yet")
    panel = open_tab(lab_page, tab)
    handle = panel.element_handle()
    summary = panel.locator(".cascadelab-summary")
    knob = panel.locator(".cascadelab-control-shock .noUi-handle")
    text0, fig0 = summary.inner_text(), lab_page.evaluate(JS_FIGURE, handle)["sig"]
    box = knob.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    lab_page.mouse.move(x, y)
    lab_page.mouse.down()
    try:
        for dx in range(4, 80, 4):  # drag right, slowly, the button held down
            lab_page.mouse.move(x + dx, y)
            lab_page.wait_for_timeout(30)
        # still held: the numbers have followed the drag already
        wait_until("the headline to follow the drag", lambda: summary.inner_text() != text0,
                   CHANGE_TIMEOUT)
    finally:
        lab_page.mouse.up()
    wait_until("the figure to catch up after the release",
               lambda: lab_page.evaluate(JS_FIGURE, handle)["sig"] != fig0, CHANGE_TIMEOUT)
    wait_until("the headline to stop looking stale",
               lambda: "cascadelab-stale" not in (summary.get_attribute("class") or ""),
               CHANGE_TIMEOUT)


def test_voila_typed_values_are_clamped_or_refused_with_a_note(lab_page) -> None:
    tab = next(t for t in FIRST_CLASS if t.key == "feedback_loop")
    if tab not in available_tabs():
        pytest.skip("feedback_loop_lab is not in cascadelab.widgets yet")
    panel = open_tab(lab_page, tab)
    row = panel.locator(".cascadelab-row", has=panel.page.locator(".cascadelab-control-shock"))
    box, note = row.locator(".cascadelab-readout input"), row.locator(".cascadelab-note")
    for typed, shown, said in (("7,5", "7.5", "as 7.5"), ("50", "20.0", "above the maximum"),
                               ("-3", "0.5", "below the minimum"), ("abc", "0.5", "not a number")):
        box.fill(typed)
        box.press("Enter")
        wait_until(f"{typed!r} to be read", lambda shown=shown: box.input_value() == shown,
                   CHANGE_TIMEOUT)
        wait_until(f"a note on {typed!r}", lambda said=said: said in note.inner_text(),
                   CHANGE_TIMEOUT)
    box.fill("5")
    box.press("Enter")
    wait_until("the shock back at 5", lambda: box.input_value() == "5.0", CHANGE_TIMEOUT)


# JupyterLab: a chapter, run all ------------------------------------------------------------------

JS_NOTEBOOK_STATE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.sessionContext) return null;
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  const cells = [];
  for (const cell of w.content.widgets) {
    const m = cell.model;
    if (m.type !== 'code' || !m.sharedModel.getSource().trim()) continue;
    const outputs = m.outputs.toJSON();
    cells.push({
      count: m.executionCount,
      errors: outputs.filter((o) => o.output_type === 'error')
                     .map((o) => o.ename + ': ' + o.evalue),
      widgets: outputs.filter((o) => o.data &&
                      o.data['application/vnd.jupyter.widget-view+json']).length,
    });
  }
  return {status: kernel ? kernel.status : 'none', path: w.context.path, cells: cells,
          rendered: w.node.querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length,
          loading: w.node.innerText.includes('Loading widget')};
}"""


JS_SCROLL_TO_WIDGET = """() => {
  for (const el of document.querySelectorAll('.jp-OutputArea-output .jupyter-widgets')) {
    const r = el.getBoundingClientRect();
    if (r.width > 100 && r.height > 100) { el.scrollIntoView({block: 'start'}); return true; }
  }
  return false;
}"""


# Labs in a notebook's outputs whose figure is wider than the output area, or with cut texts.
JS_LABS_IN_OUTPUTS = """(cutSource) => {
  const cutOf = eval(cutSource);
  const out = [];
  let labs = 0;
  for (const lab of document.querySelectorAll('.jp-OutputArea-output .cascadelab-lab')) {
    if (!lab.offsetParent) continue;
    labs++;
    const area = lab.closest('.jp-OutputArea-output').getBoundingClientRect();
    const fig = lab.querySelector('.cascadelab-figure');
    if (fig && fig.getBoundingClientRect().right > area.right + 1) {
      out.push('figure ' + fig.getBoundingClientRect().right + ' px past ' + area.right);
    }
    const cut = cutOf(lab).filter((c) => !c.startsWith('tab '));
    if (cut.length) out.push('cut: ' + cut.join(' | '));
  }
  return {labs: labs, problems: out};
}"""


def notebooks_to_run() -> list[str]:
    chapter = next((c for c in CHAPTERS if (ROOT / "notebooks" / c).exists()), None)
    return ["lab.ipynb", chapter or "no chapter yet"]


def run_all_in_jupyterlab(page, server, token: str, notebook: str, artifacts: Path) -> dict:
    """Open ``notebooks/<notebook>`` in JupyterLab (a workspace of its own), run every cell and
    return the notebook's state (:data:`JS_NOTEBOOK_STATE`) once it ran to the end or failed."""
    # a workspace of its own, so that no notebook of an earlier test is restored in front
    workspace = "cascadelab-" + Path(notebook).stem
    page.goto(f"{server.url}/lab/workspaces/{workspace}/tree/notebooks/{notebook}"
              f"?token={token}&reset", wait_until="domcontentloaded",
              timeout=RENDER_TIMEOUT * 1000)

    def opened() -> bool:
        state = page.evaluate(JS_NOTEBOOK_STATE) or {}
        return state.get("path") == f"notebooks/{notebook}" and state["status"] == "idle"

    wait_until(f"{notebook} to open with an idle kernel", opened, RENDER_TIMEOUT, 0.5)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")

    last: list[dict] = []

    def finished() -> dict | None:
        state = page.evaluate(JS_NOTEBOOK_STATE)
        last[:] = [state]
        done = (state and state["status"] == "idle" and state["cells"]
                and all(c["count"] is not None for c in state["cells"]))
        errors = state and [e for c in state["cells"] for e in c["errors"]]
        return state if (done or errors) else None

    try:
        return wait_until(f"{notebook} to run to the end", finished, RUN_ALL_TIMEOUT,
                          interval=1.0)
    except AssertionError as err:
        page.screenshot(path=str(artifacts / f"jupyterlab-{Path(notebook).stem}-timeout.png"))
        s = last[0] if last else {}
        counts = [c["count"] for c in s.get("cells", [])]
        raise AssertionError(f"{err}; kernel {s.get('status')}, execution counts {counts}\n"
                             f"{server.tail()}") from None


def trapped_canvases(page) -> list[int]:
    """Indices of the ipympl canvases that keep the keyboard: focused, Tab does not leave."""
    trapped = []
    for i in range(page.locator(".jupyter-matplotlib-canvas-div").count()):
        canvas = page.locator(".jupyter-matplotlib-canvas-div").nth(i)
        canvas.focus()
        if canvas.evaluate("(c) => document.activeElement === c"):
            page.keyboard.press("Tab")
            if canvas.evaluate("(c) => document.activeElement === c"):
                trapped.append(i)
    return trapped


@pytest.mark.parametrize("notebook", notebooks_to_run())
def test_jupyterlab_run_all(jupyterlab, browser, artifacts: Path, notebook: str) -> None:
    if notebook == "no chapter yet":
        pytest.skip(f"none of {', '.join(CHAPTERS)} is in notebooks/ yet")
    server, token, _root = jupyterlab
    page = browser.new_page()
    try:
        state = run_all_in_jupyterlab(page, server, token, notebook, artifacts)
        errors = [e for c in state["cells"] for e in c["errors"]]
        page.screenshot(path=str(artifacts / f"jupyterlab-{Path(notebook).stem}.png"))
        assert not errors, f"{notebook}: cell errors in JupyterLab: {errors}"
        n_widgets = sum(c["widgets"] for c in state["cells"])
        if n_widgets:
            state = wait_until(
                "the widgets to render",
                lambda: (s := page.evaluate(JS_NOTEBOOK_STATE))["rendered"] > 0
                and not s["loading"] and s, RENDER_TIMEOUT)
        assert_no_problems(page)
        page.screenshot(path=str(artifacts / f"jupyterlab-{Path(notebook).stem}.png"))
        if n_widgets:  # no figure keeps the keyboard: Tab leaves every ipympl canvas
            trapped = trapped_canvases(page)
            assert not trapped, f"{notebook}: Tab cannot leave ipympl canvases {trapped}"
        if n_widgets:  # every lab fits its output area (1400 px, file browser open), uncut
            page.wait_for_timeout(1000)
            found = page.evaluate(JS_LABS_IN_OUTPUTS, JS_CUT)
            assert found["labs"] > 0, f"{notebook}: no lab rendered in JupyterLab"
            assert not found["problems"], f"{notebook} in JupyterLab: {found['problems']}"
        if n_widgets:  # a picture of the first visible widget, too
            page.evaluate(JS_SCROLL_TO_WIDGET)
            time.sleep(0.5)
            page.screenshot(path=str(artifacts / f"jupyterlab-{Path(notebook).stem}-widget.png"))
    finally:
        page.close()



FIGURE_ONLY = """%matplotlib widget
from cascadelab import plotting as cp

cp.apply_style()
fig = cp.new_figure((5.0, 3.0))
fig.add_subplot().plot([0, 1, 2], [100, 96, 90], color=cp.PRICE)
cp.takeaway(fig, "The price falls")
cp.show(fig)"""


def test_jupyterlab_chapter_figure_without_a_lab_lets_the_keyboard_go(
        jupyterlab, browser, artifacts: Path) -> None:
    """A chapter figure shown before (or without) any lab: Tab and Escape still leave it, and
    screen readers get its takeaway as text (the labs' page helper is not there to help)."""
    server, token, root = jupyterlab
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(FIGURE_ONLY)]
    nbformat.write(nb, root / "notebooks" / "figure_only.ipynb")
    page = browser.new_page()
    try:
        state = run_all_in_jupyterlab(page, server, token, "figure_only.ipynb", artifacts)
        errors = [e for c in state["cells"] for e in c["errors"]]
        assert not errors, f"cell errors in JupyterLab: {errors}"
        canvas = page.locator(".jupyter-matplotlib-canvas-div").first
        canvas.wait_for(timeout=RENDER_TIMEOUT * 1000)
        page.wait_for_timeout(1500)  # the page helper's script runs as its output renders
        assert not trapped_canvases(page), "Tab cannot leave a chapter figure"
        canvas.focus()
        page.keyboard.press("Escape")
        assert not canvas.evaluate("(c) => document.activeElement === c"), (
            "Escape does not leave a chapter figure")
        text = page.locator(".cascadelab-figure-text").first.text_content()
        assert text == "Figure: The price falls."
        page.screenshot(path=str(artifacts / "jupyterlab-figure-only.png"))
    finally:
        page.close()


JS_FIRST_SCREEN = """() => {
  const panel = document.querySelector('.cascadelab-widget-lab .cascadelab-tab:not(.lm-mod-hidden)')
      || document.querySelector('.cascadelab-widget-lab .cascadelab-tab');
  const fig = panel.querySelector('.cascadelab-figure');
  const sum = panel.querySelector('.cascadelab-summary');
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; };
  const tabs = [...document.querySelectorAll('.cascadelab-widget-lab .lm-TabBar-tab')].map((t) => {
    const label = t.querySelector('.lm-TabBar-tabLabel') || t;
    const s = getComputedStyle(t);
    return {title: label.textContent.trim(), cut: label.scrollWidth > label.clientWidth + 1,
            current: t.classList.contains('lm-mod-current'), weight: s.fontWeight,
            bg: s.backgroundColor, color: s.color, border: s.borderTopWidth};
  });
  return {figure: box(fig), summary: box(sum), tabs: tabs, scrollY: window.scrollY};
}"""


def test_voila_first_screen_shows_the_first_figure_and_headline(lab_page, artifacts: Path) -> None:
    """Issue 13 (4): at 1400 x 900 the first lab's figure and headline are above the fold,
    every tab title is whole and the current tab stands out."""
    size = lab_page.viewport_size
    lab_page.set_viewport_size({"width": 1400, "height": 900})
    try:
        first = available_tabs()[0]
        open_tab(lab_page, first)
        lab_page.evaluate("() => window.scrollTo(0, 0)")
        time.sleep(0.5)  # let the layout settle after the resize
        lab_page.screenshot(path=str(artifacts / "voila-first-screen-1400x900.png"))
        seen = lab_page.evaluate(JS_FIRST_SCREEN)
    finally:
        lab_page.set_viewport_size(size)
    assert seen["scrollY"] == 0
    assert 0 <= seen["figure"][0] and seen["figure"][1] <= 900, (
        f"the first figure spans {seen['figure']} px: not all above the 900 px fold")
    assert seen["summary"][1] <= 900, f"the headline ends at {seen['summary'][1]:.0f} px"
    assert [t["title"] for t in seen["tabs"]] == [t.title for t in available_tabs()]
    assert not [t["title"] for t in seen["tabs"] if t["cut"]], seen["tabs"]
    current = [t for t in seen["tabs"] if t["current"]]
    others = [t for t in seen["tabs"] if not t["current"]]
    assert len(current) == 1 and current[0]["title"] == first.title
    for t in others:  # the current tab differs in weight and in background, not only a border
        assert t["weight"] != current[0]["weight"] and t["bg"] != current[0]["bg"], (current, t)


LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def test_voila_lab_asks_no_other_host(lab_page) -> None:
    """The Widget Lab works offline: the page (its load, and every tab the tests above opened,
    as this test runs last on it) requests nothing from a host other than the local server -
    no FontAwesome from cdn.jsdelivr.net, no MathJax from cdnjs (voila.json's template)."""
    lab_page.wait_for_load_state("networkidle", timeout=RENDER_TIMEOUT * 1000)
    assert lab_page.requested, "no request was recorded"
    external = sorted({url for url in lab_page.requested
                       if urlsplit(url).scheme in ("http", "https", "ws", "wss")
                       and urlsplit(url).hostname not in LOCAL_HOSTS})
    assert not external, f"the Widget Lab asked other hosts for: {external}"
