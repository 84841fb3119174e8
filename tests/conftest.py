"""Shared fixtures: small deterministic markets and a headless matplotlib."""

from __future__ import annotations

import os

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

from cascadelab import Positions, sample_positions


@pytest.fixture(scope="session")
def market() -> Positions:
    """The course's default population: 20,000 positions around a price of 100 USD."""
    return sample_positions(20_000, 100.0, seed=0)
