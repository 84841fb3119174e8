"""Real-browser fixtures: Debian's chromium driven by Playwright, Voila and JupyterLab servers.

Everything is local (127.0.0.1, free ports, temporary Jupyter directories) and bounded in time;
servers are stopped together with every process they started. When chromium (or Playwright) is
missing the tests skip with a message that says how to enable them, shown in pytest's short test
summary (``-ra``) and, in a run without xdist, in a section of its own; with
``CASCADELAB_REQUIRE_BROWSER=1`` (for CI) they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
BIN = Path(sys.executable).parent

SKIP_MESSAGE = (
    "browser tests skipped: {why}. To run them install Debian's chromium "
    "(`sudo apt-get install chromium`, or `apt-get install chromium` as root) and Playwright "
    "(part of `pip install -e '.[test]'`); no browser download is needed. Set CHROMIUM=/path "
    "to use another Chromium binary."
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-proxy-server",
]

_skips: list[str] = []


def chromium_path() -> str | None:
    """The system Chromium (``$CHROMIUM`` if set, else ``/usr/bin/chromium`` or on ``PATH``)."""
    chosen = os.environ.get("CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def why_unavailable() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if chromium_path() is None:
        where = os.environ.get("CHROMIUM")
        return f"chromium not found at CHROMIUM={where}" if where else "chromium not found"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed"
    return None


def skip_browser(why: str) -> None:
    """Skip, or fail when ``CASCADELAB_REQUIRE_BROWSER=1`` (CI, once it has installed chromium)."""
    message = SKIP_MESSAGE.format(why=why)
    if os.environ.get("CASCADELAB_REQUIRE_BROWSER") == "1":
        pytest.fail(message.replace("skipped", "required (CASCADELAB_REQUIRE_BROWSER=1)", 1),
                    pytrace=False)
    if message not in _skips:
        _skips.append(message)
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say plainly, at the end of the run, that the browser tests did not run and why."""
    if _skips:
        terminalreporter.section("browser tests", sep="=", yellow=True, bold=True)
        for message in _skips:
            terminalreporter.line(message, yellow=True)


# --------------------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (read from /proc; empty elsewhere)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is dead for our purposes
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


class Server:
    """A Jupyter server process (Voila or JupyterLab) on 127.0.0.1, stopped with all its kernels."""

    def __init__(self, name: str, argv: list[str], port: int, cwd: Path, env: dict[str, str],
                 log: Path) -> None:
        self.name, self.port, self.log = name, port, log
        self.url = f"http://127.0.0.1:{port}"
        self._logfile = open(log, "wb")  # closed in stop()
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=self._logfile,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, path: str = "/", timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n"
                                   f"{self.tail()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=5):
                    return
            except urllib.error.HTTPError as err:
                if err.code < 500:
                    return
            except (OSError, TimeoutError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{self.name} not ready after {timeout:.0f} s:\n{self.tail()}")

    def tail(self, n: int = 40) -> str:
        with contextlib.suppress(OSError, ValueError):
            if not self._logfile.closed:
                self._logfile.flush()
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        return ""

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (the server shuts its kernels down), then SIGKILL whatever is left."""
        family = [self.proc.pid, *_children(self.proc.pid)]
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        for pid in family[1:]:  # kernels run in sessions of their own
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self._logfile.close()


def _jupyter_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("MPLBACKEND", "JUPYTER_TOKEN", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST"):
        env.pop(key, None)
    env.update({
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": str(tmp / "ipython"),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        # voila.json (read from the working directory, ROOT) selects the course's Voila
        # template: find it in this checkout, whether or not the package is installed
        "JUPYTER_PATH": os.pathsep.join(
            p for p in (str(ROOT / "share" / "jupyter"), env.get("JUPYTER_PATH")) if p),
    })
    return env


@pytest.fixture(scope="module")
def browser_ready() -> None:
    why = why_unavailable()
    if why:
        skip_browser(why)


@pytest.fixture(scope="module")
def workdir(browser_ready) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="cascadelab-browser-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def voila(workdir: Path, artifacts: Path) -> Iterator[Server]:
    """Voila serving notebooks/lab.ipynb on a free port, with the course's template."""
    port = free_port()
    argv = [str(BIN / "voila"), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            str(ROOT / "notebooks" / "lab.ipynb")]
    server = Server("voila", argv, port, ROOT, _jupyter_env(workdir / "voila"),
                    artifacts / "voila.log")
    try:
        server.wait_ready("/api", timeout=90)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def jupyterlab(workdir: Path, artifacts: Path) -> Iterator[tuple[Server, str, Path]]:
    """JupyterLab (token-protected, autosave off) over a copy of notebooks/ on a free port."""
    root = workdir / "course"
    shutil.copytree(ROOT / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    settings = workdir / "lab-settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
    # render every cell (no windowing), so that every widget output is in the page
    notebook_settings = workdir / "lab-settings" / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True)
    (notebook_settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    # no "would you like news?" toast over the notebook
    apputils = workdir / "lab-settings" / "@jupyterlab" / "apputils-extension"
    apputils.mkdir(parents=True)
    (apputils / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    token = secrets.token_hex(16)
    port = free_port()
    argv = [str(BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={workdir / 'lab-settings'}",
            f"--LabApp.workspaces_dir={workdir / 'lab-workspaces'}"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        argv.append("--allow-root")
    server = Server("jupyterlab", argv, port, root, _jupyter_env(workdir / "lab"),
                    artifacts / "jupyterlab.log")
    try:
        server.wait_ready("/api", timeout=90)
        yield server, token, root
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(workdir: Path):
    """A persistent Chromium context (fresh profile) from Debian's chromium, via Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(workdir / "chromium-profile"),
            executable_path=chromium_path(),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1400},
            timeout=60_000,
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()
