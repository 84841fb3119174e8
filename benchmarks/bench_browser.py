"""Widget labs in a real browser: from a slider move to the redrawn figure, as a learner feels it.

Voila serves ``notebooks/lab.ipynb`` (the Widget Lab) on a free local port, exactly as the browser
tests start it (``tests/browser/conftest.py``); Debian's chromium, driven by Playwright, opens each
lab's tab, focuses the slider the browser tests move and presses the arrow keys (right, left,
right, ...: a change the size of one step, each time to a different value). For each press the page
records, with ``performance.now()``:

* the ``keydown`` (the input event),
* the first paint of a new image into the lab's figure (ipympl draws each frame into its view
  canvas with ``drawImage``; a plain ``<img>`` fires ``load``): **figure** latency,
* the first change of the headline numbers (``.cascadelab-summary``): **headline** latency.

It prints p50 / p95 / max per lab, in ms, with the load average before and after (other processes
on a 2-core machine slow every number down). It prints; it never fails the build. When chromium,
Playwright or Voila is missing it says so and returns.

Environment: ``CASCADELAB_BENCH_LABS`` is ``all`` (default: every lab of the Widget Lab),
``first`` (the four first-class labs) or a comma-separated list of tab keys
(``feedback_loop,basket``); ``CASCADELAB_BENCH_MOVES`` sets the moves per first-class lab
(default 15; the other labs get two thirds of it).
Targets (issue 13): p95 <= 150 ms for first-class labs, <= 250 ms for the others.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGET_FIRST_MS = 150.0
TARGET_OTHER_MS = 250.0
#: The control moved in each lab (the browser tests move the same); others: the first slider.
MOVE = {"feedback_loop": "shock", "gamma_hedging": "short_calls", "front_running": "capital",
        "circuit_breaker": "band"}
RENDER_TIMEOUT = 180.0  # s: kernel start and a lab's first build on a loaded machine
MOVE_TIMEOUT = 15.0  # s: one move's figure

# Installed before any page script: time-stamps every paint into a figure canvas, every image
# load in a figure and every keydown, in one list the benchmark reads back.
JS_PROBE = """(() => {
  const log = [];
  window.__cascadelabLog = log;
  const inFigure = (el) => el && el.closest && el.closest('.cascadelab-figure');
  const draw = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const out = draw.apply(this, args);
    const c = this.canvas;
    if (c && c.isConnected && inFigure(c)) log.push(['figure', performance.now()]);
    return out;
  };
  document.addEventListener('load', (e) => {
    if (e.target.tagName === 'IMG' && inFigure(e.target)) log.push(['figure', performance.now()]);
  }, true);
  document.addEventListener('keydown', () => log.push(['key', performance.now()]), true);
  new MutationObserver((records) => {
    for (const r of records) {
      const t = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (t && t.closest && t.closest('.cascadelab-summary')) {
        log.push(['summary', performance.now()]);
        return;
      }
    }
  }).observe(document, {subtree: true, childList: true, characterData: true});
})();"""

JS_DRAIN = "() => window.__cascadelabLog.splice(0)"


def _conftest() -> ModuleType:
    """The browser tests' fixtures module (servers, chromium), imported by path."""
    path = ROOT / "tests" / "browser" / "conftest.py"
    spec = importlib.util.spec_from_file_location("cascadelab_browser_conftest", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on Linux
        return "n/a"


def _wait(page: Any, what: str, condition: Any, timeout: float, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = condition()
        if got:
            return got
        page.wait_for_timeout(interval * 1000)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def _open_tab(page: Any, tab: Any) -> Any:
    page.locator(".cascadelab-widget-lab .lm-TabBar-tab", has_text=tab.title).first.click()
    panel = page.locator(f".cascadelab-tab-{tab.key}")
    panel.wait_for(state="visible", timeout=RENDER_TIMEOUT * 1000)
    panel.locator(".cascadelab-summary").first.wait_for(state="attached",
                                                        timeout=RENDER_TIMEOUT * 1000)
    _wait(page, f"the {tab.title} summary",
          lambda: panel.locator(".cascadelab-summary").first.inner_text().strip(),
          RENDER_TIMEOUT)
    return panel


def _handle(panel: Any, key: str) -> Any:
    name = MOVE.get(key)
    if name:
        handle = panel.locator(f".cascadelab-control-{name} .noUi-handle")
        if handle.count():
            return handle.first
    return panel.locator(".widget-slider .noUi-handle").first


def measure_lab(page: Any, tab: Any, moves: int) -> dict[str, np.ndarray]:
    """Figure and headline latencies (ms) for ``moves`` arrow-key moves of one lab's slider."""
    panel = _open_tab(page, tab)
    handle = _handle(panel, tab.key)
    handle.focus()
    page.wait_for_timeout(1500)  # let the first frames land
    page.evaluate(JS_DRAIN)
    figure, summary = [], []
    for i in range(moves):
        key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
        page.keyboard.press(key)
        got: dict[str, float] = {}

        def settled(got: dict[str, float] = got) -> bool:
            for kind, t in page.evaluate(JS_DRAIN):
                if kind == "key":
                    got.setdefault("key", t)
                elif "key" in got:
                    got.setdefault(kind, t)
            return "figure" in got

        try:
            _wait(page, f"{tab.title}: the figure after move {i + 1}", settled, MOVE_TIMEOUT,
                  interval=0.01)
        except TimeoutError:
            if os.environ.get("CASCADELAB_BENCH_DEBUG"):
                print(f"  {tab.key} move {i + 1}: no figure; events {got}")
            if i == 0:  # the slider did not move (at a bound?): try the other way
                page.keyboard.press("ArrowLeft")
            continue
        figure.append(got["figure"] - got["key"])
        if "summary" in got:
            summary.append(got["summary"] - got["key"])
        page.wait_for_timeout(250)  # let stragglers (a second frame) land before the next move
        for kind, t in page.evaluate(JS_DRAIN):
            if kind == "summary" and "summary" not in got:
                summary.append(t - got["key"])
                got["summary"] = t
    return {"figure": np.asarray(figure), "headline": np.asarray(summary)}


def _row(name: str, ms: np.ndarray, target: float) -> str:
    if ms.size == 0:
        return f"  {name:<22} {'-':>4}"
    p95 = float(np.percentile(ms, 95))
    flag = "" if p95 <= target else "  OVER"
    return (f"  {name:<22} {ms.size:>4} {np.median(ms):>8.0f} {p95:>8.0f} {ms.max():>8.0f}"
            f"{flag}")


def main() -> None:
    """Start Voila and chromium, move each lab's slider, print the table."""
    try:
        conf = _conftest()
    except ImportError as err:
        print(f"browser benchmark skipped: {err}")
        return
    why = conf.why_unavailable()
    if why:
        print(f"browser benchmark skipped: {why}")
        return
    from playwright.sync_api import sync_playwright

    from cascadelab.widgets.dashboard import available_tabs

    chosen = os.environ.get("CASCADELAB_BENCH_LABS", "all")
    moves = int(os.environ.get("CASCADELAB_BENCH_MOVES", "15"))
    tabs = [t for t in available_tabs()
            if chosen == "all" or (chosen == "first" and t.first_class)
            or t.key in chosen.split(",")]
    tabs.sort(key=lambda t: not t.first_class)
    load_before = _load()
    results: dict[str, dict[str, np.ndarray]] = {}
    with tempfile.TemporaryDirectory(prefix="cascadelab-bench-") as tmp:
        work = Path(tmp)
        port = conf.free_port()
        argv = [str(conf.BIN / "voila"), "--no-browser", f"--port={port}",
                "--Voila.ip=127.0.0.1", str(ROOT / "notebooks" / "lab.ipynb")]
        env = conf._jupyter_env(work / "voila")
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        server = conf.Server("voila", argv, port, ROOT, env, work / "voila.log")
        try:
            server.wait_ready("/api", timeout=90)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=conf.chromium_path(),
                                             headless=True, args=conf.CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    page.add_init_script(JS_PROBE)
                    page.goto(server.url + "/", wait_until="domcontentloaded",
                              timeout=RENDER_TIMEOUT * 1000)
                    page.wait_for_selector(".cascadelab-widget-lab",
                                           timeout=RENDER_TIMEOUT * 1000)
                    for tab in tabs:
                        n = moves if tab.first_class else max(3, (2 * moves) // 3)
                        try:
                            results[tab.key] = measure_lab(page, tab, n)
                        except Exception as err:
                            print(f"  {tab.key}: not measured ({type(err).__name__}: {err})")
                        if results.get(tab.key, {}).get("figure", np.empty(0)).size < n:
                            print(f"  {tab.key}: some moves drew no figure; Voila's log:\n"
                                  f"{server.tail(15)}")
                finally:
                    browser.close()
        except Exception as err:
            print(f"browser benchmark stopped: {type(err).__name__}: {err}\n{server.tail()}")
        finally:
            server.stop()
    print("Slider move (arrow key) -> redrawn figure / headline in the page, Voila + headless "
          "chromium")
    print(f"load average (1/5/15 min) before {load_before}, after {_load()}; "
          f"{os.cpu_count()} CPUs")
    head = f"  {'lab':<22} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    for what in ("figure", "headline"):
        print(f"{what}: (targets p95 <= {TARGET_FIRST_MS:.0f} ms first-class, "
              f"<= {TARGET_OTHER_MS:.0f} ms others)" if what == "figure" else f"{what}:")
        print(head)
        for tab in tabs:
            if tab.key in results:
                target = TARGET_FIRST_MS if tab.first_class else TARGET_OTHER_MS
                star = "*" if tab.first_class else " "
                print(_row(f"{star}{tab.key}", results[tab.key][what], target))
    print("  (* first-class lab)")


if __name__ == "__main__":
    main()
