"""Figures pinned from main before the package was reorganised (issue 10).

A move or merge of modules must leave every number the package computes unchanged. The cases live
in ``pinned_cases.py``; ``pinned.json`` holds what they gave. Regenerate it only when a change of
behaviour is intended, and say so in the commit: ``python tests/test_pinned.py --write``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pinned_cases import CASES

PINNED = Path(__file__).with_name("pinned.json")


def _load() -> dict:
    return json.loads(PINNED.read_text())


def test_every_case_is_pinned():
    assert sorted(_load()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_figures_unchanged(name):
    want = _load()[name]
    got = CASES[name]()
    assert sorted(got) == sorted(want)
    for key, value in want.items():
        assert math.isclose(got[key], value, rel_tol=1e-12, abs_tol=1e-9), (key, got[key], value)


if __name__ == "__main__" and "--write" in sys.argv:
    PINNED.write_text(json.dumps({n: f() for n, f in CASES.items()}, indent=1, sort_keys=True))
