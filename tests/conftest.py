"""Shared fixtures: small deterministic markets and a headless matplotlib."""

from __future__ import annotations

import os

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

from cascadelab import Positions, sample_positions

# CI runs the property tests on a fixed set of examples, so a red build always reproduces; a
# developer's `make test` keeps exploring new ones (set CI=true to get CI's examples locally).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def market() -> Positions:
    """The course's default population: 20,000 positions around a price of 100 USD."""
    return sample_positions(20_000, 100.0, seed=0)


@pytest.fixture
def lab():
    """Build labs with ``lab(factory, **controls)``; every lab made is closed afterwards."""
    made = []

    def make(factory, **kw):
        made.append(factory(**kw))
        return made[-1]

    yield make
    for m in made:
        m.close()
