"""``python -m cascadelab.course.voila``: put the Widget Lab's Voila template where Voila looks.

``voila.json`` (repository root) selects the course's template ``cascadelab``
(``share/jupyter/voila/templates/cascadelab``: Voila's ``lab`` template without its links to a
CDN). Voila finds templates only under ``<prefix>/share/jupyter/voila/templates``, and an
editable install (``pip install -e .``, what ``make setup`` and Binder's ``postBuild`` run) does
not install data files, so both call this instead.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

__all__ = ["NAME", "SOURCE", "install"]

NAME = "cascadelab"
SOURCE = Path(__file__).resolve().parents[2] / "share" / "jupyter" / "voila" / "templates" / NAME


def install(prefix: str | Path = sys.prefix) -> Path:
    """Copy the template into ``<prefix>/share/jupyter/voila/templates/cascadelab``; return it."""
    target = Path(prefix) / "share" / "jupyter" / "voila" / "templates" / NAME
    shutil.copytree(SOURCE, target, dirs_exist_ok=True)
    return target


if __name__ == "__main__":
    print(f"Voila template installed in {install()}")
