"""In CI: the packages environment.yml asks for, read as pip requirements, resolve together.

``tests/test_environment.py`` checks that environment.yml and pyproject.toml name the same
packages with the same pins; this test asks pip whether one set of versions satisfies all of
them at once (``pip install --dry-run``, nothing is installed). It needs a package index, so it
runs only when ``CI=true`` (or ``CASCADELAB_RESOLVE=1``).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _conda_requirements() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("_cascadelab_env", HERE / "test_environment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.conda_requirements()


@pytest.mark.skipif(
    os.environ.get("CI", "").lower() != "true" and os.environ.get("CASCADELAB_RESOLVE") != "1",
    reason="resolving environment.yml with pip needs a package index: runs when CI=true "
           "(or CASCADELAB_RESOLVE=1)",
)
def test_environment_yml_resolves_with_pip(tmp_path: Path) -> None:
    reqs = tmp_path / "environment-requirements.txt"
    reqs.write_text("".join(f"{name}{spec}\n" for name, spec in _conda_requirements().items()))
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
           "--quiet", "--disable-pip-version-check", "-r", str(reqs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (
        f"pip could not resolve environment.yml's packages together:\n{reqs.read_text()}\n"
        f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
