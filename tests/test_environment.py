"""environment.yml (Binder, conda) and pyproject.toml (pip) must ask for the same packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from their PyPI names
CONDA_TO_PIP = {"matplotlib-base": "matplotlib"}
CONDA_ONLY = {"python", "pip"}


def _split(requirement: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert m, f"cannot parse requirement {requirement!r}"
    return m.group(1).lower(), m.group(2).replace(" ", "")


def pip_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += [r for r in extra if not r.startswith("cascadelab")]
    return dict(_split(r) for r in reqs)


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # a nested `pip:` list
            out.update(_split(r) for r in dep.get("pip", []))
            continue
        name, spec = _split(dep.replace("=", "==", 1) if re.match(r"^[^<>=]+=[^=]", dep) else dep)
        if name in CONDA_ONLY:
            continue
        out[CONDA_TO_PIP.get(name, name)] = spec
    return out


def test_environment_yml_pins_python_311_from_conda_forge() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    assert "python=3.11" in env["dependencies"]


def test_every_pip_requirement_is_in_environment_yml_with_the_same_pins() -> None:
    pip, conda = pip_requirements(), conda_requirements()
    assert set(pip) == set(conda), (
        f"only in pyproject.toml: {sorted(set(pip) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(pip))}"
    )
    differing = {k: (pip[k], conda[k]) for k in pip if pip[k] != conda[k]}
    assert not differing, f"pins differ (pyproject, environment.yml): {differing}"


def test_the_parser_notices_drift(tmp_path: Path) -> None:
    # the comparison above must be able to fail: a changed pin is detected
    assert _split("numpy>=2.0,<2.5") != _split("numpy>=2.0,<2.6")
    assert _split("matplotlib-base >=3.9") == ("matplotlib-base", ">=3.9")


def test_the_voila_template_that_voila_json_selects_is_installed() -> None:
    """voila.json selects the course's Voila template; Voila finds templates only under
    <prefix>/share/jupyter (an editable install leaves data files out, so `make setup` and
    postBuild run cascadelab.course.voila). Without it the Widget Lab app hangs on
    TemplateNotFound."""
    import json
    import os

    pytest.importorskip("voila")
    from voila.paths import collect_template_paths

    root = Path(__file__).resolve().parents[1]
    name = json.loads((root / "voila.json").read_text())["VoilaConfiguration"]["template"]
    assert "JUPYTER_PATH" not in os.environ or str(root) not in os.environ["JUPYTER_PATH"]
    paths = collect_template_paths(["voila", "nbconvert"], name, prune=True)
    found = [p for p in paths if Path(p, "index.html.j2").is_file() and Path(p).name == name]
    assert found, f"Voila cannot find its template {name!r}: run `make setup` (searched {paths})"
    from cascadelab.course import voila

    assert name == voila.NAME and (voila.SOURCE / "index.html.j2").is_file()
