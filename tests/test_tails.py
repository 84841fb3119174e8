"""Fat tails: the Student-t breach probability against closed forms and simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cascadelab.tails import breaches_per_year, student_t_returns, tail_probability


def test_gaussian_matches_erfc() -> None:
    assert tail_probability(1.0) == pytest.approx(0.3173105, rel=1e-6)
    assert tail_probability(4.0) == pytest.approx(6.334e-5, rel=1e-3)


def test_student_t_closed_form_for_three_degrees_of_freedom() -> None:
    # For nu = 3 the t CDF is elementary: F(t) = 1/2 + (atan(u) + u/(1+u^2))/pi, u = t/sqrt 3
    k = 4.0
    t = k * math.sqrt(3.0)  # unit-variance scaling: t = k sqrt(nu / (nu - 2))
    u = t / math.sqrt(3.0)
    cdf = 0.5 + (math.atan(u) + u / (1 + u * u)) / math.pi
    assert tail_probability(k, 3.0) == pytest.approx(2 * (1 - cdf), rel=1e-9)


def test_fat_tails_breach_a_four_sigma_buffer_far_more_often() -> None:
    assert tail_probability(4.0, 3.0) > 50 * tail_probability(4.0)
    # and converge to the Gaussian as the tail index grows
    assert tail_probability(3.0, 1e5) == pytest.approx(tail_probability(3.0), rel=1e-3)


def test_probability_falls_with_the_buffer() -> None:
    ps = [tail_probability(k, 4.0) for k in np.linspace(0.0, 8.0, 33)]
    assert ps[0] == pytest.approx(1.0) and np.all(np.diff(ps) < 0)


def test_simulated_returns_agree_with_the_formula() -> None:
    r = student_t_returns(400_000, 0.02, 3.0, seed=1)
    assert r.std() == pytest.approx(0.02, rel=0.1)
    assert (np.abs(r) > 3 * 0.02).mean() == pytest.approx(tail_probability(3.0, 3.0), rel=0.08)
    assert np.array_equal(r, student_t_returns(400_000, 0.02, 3.0, seed=1))


def test_breaches_per_year_scales_with_the_horizon_count() -> None:
    assert breaches_per_year(4.0, 3.0) == pytest.approx(365 * tail_probability(4.0, 3.0))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: tail_probability(-1.0), "k"),
        (lambda: tail_probability(2.0, nu=2.0), "nu"),
        (lambda: tail_probability(2.0, nu=np.nan), "nu"),
        (lambda: breaches_per_year(2.0, periods_per_year=0.0), "periods_per_year"),
        (lambda: student_t_returns(-1, 0.1), "n"),
        (lambda: student_t_returns(10, -0.1), "sigma"),
    ],
)
def test_bad_arguments_raise(call, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        call()
