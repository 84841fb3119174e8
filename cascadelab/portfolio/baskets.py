r"""Correlated assets and baskets of collateral: a correlation matrix, a basket's volatility and
its drawdown when one asset crashes.

A basket holds value weights :math:`w` (normalised to sum to 1) in assets with volatilities
:math:`\sigma` and correlation matrix :math:`\rho`; the lower the correlation, the less of its
value one asset's crash takes with it (:func:`basket_drawdown`). The same correlation matrices
drive the fundamentals of :class:`~cascadelab.portfolio.simulate.MultiAssetScenario`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from cascadelab._validate import check_array, check_int, check_real

__all__ = ["basket_drawdown", "basket_volatility", "equicorrelation"]

MAX_VOL = 1e6
"""Largest volatility :func:`basket_volatility` and :func:`basket_drawdown` accept."""


def _correlation_factor(corr: np.ndarray) -> np.ndarray:
    """A matrix ``A`` with ``A @ A.T == corr``: Cholesky, or the eigen-factor if singular.

    Raises ``ValueError`` naming ``corr`` unless it is a valid correlation matrix.
    """
    corr = check_array("corr", corr, ndim=None)
    K = corr.shape[0] if corr.ndim else 0
    if corr.ndim != 2 or corr.shape != (K, K):
        raise ValueError(f"corr must be a square K x K matrix, got shape {corr.shape}")
    if not np.allclose(corr, corr.T, rtol=0.0, atol=1e-12):
        i, j = np.unravel_index(int(np.argmax(np.abs(corr - corr.T))), corr.shape)
        raise ValueError(
            f"corr must be symmetric, got corr[{i}, {j}] = {corr[i, j]:g} but "
            f"corr[{j}, {i}] = {corr[j, i]:g}"
        )
    diag = np.diag(corr)
    if not np.all(diag == 1.0):
        i = int(np.argmax(diag != 1.0))
        raise ValueError(f"corr must have ones on the diagonal, got corr[{i}, {i}] = {diag[i]:g}")
    if np.any(np.abs(corr) > 1.0):
        i, j = np.unravel_index(int(np.argmax(np.abs(corr))), corr.shape)
        raise ValueError(f"corr entries must be in [-1, 1], got corr[{i}, {j}] = {corr[i, j]:g}")
    try:
        return np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        lam, vec = np.linalg.eigh(corr)
        if lam[0] < -1e-9:
            raise ValueError(
                "corr must be positive semi-definite (a possible correlation matrix), got "
                f"smallest eigenvalue {lam[0]:.3g}"
            ) from None
        return vec * np.sqrt(np.clip(lam, 0.0, None))


def equicorrelation(K: int, corr: float) -> np.ndarray:
    r"""The :math:`K \times K` correlation matrix with every pair at correlation ``corr``
    (:math:`\varrho` in the course notation).

    Valid (positive semi-definite) for :math:`-1/(K-1) \le \varrho \le 1`; ``corr = 1`` moves
    all assets as one.

    Examples
    --------
    >>> equicorrelation(2, 0.5)
    array([[1. , 0.5],
           [0.5, 1. ]])
    """
    K = check_int("K", K, lo=1, hi=1000)
    lo = -1.0 / (K - 1) if K > 1 else -1.0
    corr = check_real("corr", corr, lo=lo, hi=1.0)
    out = np.full((K, K), corr)
    np.fill_diagonal(out, 1.0)
    return out


def _basket_inputs(
    weights: object, vols: object, corr: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = check_array("weights", weights, lo=0.0)
    K = w.shape[0]
    if K < 1 or w.max() <= 0.0:
        raise ValueError(f"weights must be non-negative with a positive sum, got {w.tolist()}")
    sigma = check_array("vols", vols, n=K, per="asset", lo=0.0, hi=MAX_VOL)
    rho = check_array("corr", corr, shape=(K, K), per=f"K x K for {K} assets")
    _correlation_factor(rho)
    w = w / w.max()  # scale first, so that the sum of huge weights stays finite
    return w / w.sum(), sigma, rho


def basket_volatility(
    weights: Sequence[float] | np.ndarray,
    vols: Sequence[float] | np.ndarray,
    corr: Sequence[Sequence[float]] | np.ndarray,
) -> float:
    r"""Volatility of a collateral basket, in the units of ``vols`` (e.g. per step).

    .. math:: \sigma_b = \sqrt{(w \circ \sigma)^\top \rho\, (w \circ \sigma)},

    with value weights :math:`w` normalised to sum to 1. At :math:`\rho = 1` it equals the
    weighted mean volatility; below 1 diversification lowers it.

    Parameters
    ----------
    weights : array of float, shape (K,)
        Value held in each asset (any scale), >= 0 with a positive sum.
    vols : array of float, shape (K,)
        Volatility of each asset, in [0, 1e6].
    corr : array, shape (K, K)
        Correlation matrix, validated as in
        :class:`~cascadelab.portfolio.simulate.MultiAssetScenario`.

    Examples
    --------
    >>> round(basket_volatility([1, 1], [0.1, 0.1], equicorrelation(2, 0.0)), 4)
    0.0707
    """
    w, sigma, rho = _basket_inputs(weights, vols, corr)
    x = w * sigma
    return float(math.sqrt(max(float(x @ rho @ x), 0.0)))


def basket_drawdown(
    weights: Sequence[float] | np.ndarray,
    vols: Sequence[float] | np.ndarray,
    corr: Sequence[Sequence[float]] | np.ndarray,
    shock: float,
    *,
    shock_asset: int = 0,
) -> float:
    r"""Expected relative loss of a collateral basket when one asset falls by ``shock``.

    Each asset moves by its conditional mean given the shock (the ``spillover`` of
    :class:`~cascadelab.portfolio.simulate.MultiAssetScenario`),
    :math:`\ln(1 + r_j) = \beta_j \ln(1 - s)`, :math:`\beta_j = \rho_{ja}\sigma_j/\sigma_a`,
    so the basket loses

    .. math:: \ell = \sum_j w_j \big(1 - (1 - s)^{\beta_j}\big), \qquad \textstyle\sum_j w_j = 1 .

    Single collateral in the shocked asset loses :math:`s`; a basket loses less the lower the
    correlation (:math:`w_a s` at :math:`\rho = 0`).

    Parameters
    ----------
    weights, vols, corr : as in :func:`basket_volatility`.
    shock : float
        Relative fall of the shocked asset, in (-1, 1).
    shock_asset : int
        Index of the shocked asset, in [0, K).

    Returns
    -------
    float
        Fraction of the basket's value lost (negative for a gain).

    Raises ``ValueError`` when the spillover :math:`\beta_j` (a ratio of ``vols``) makes a
    gain too large for a float (beyond about :math:`e^{700}`).

    Examples
    --------
    >>> basket_drawdown([1, 1], [0.1, 0.1], equicorrelation(2, 0.0), 0.2)
    0.1
    """
    w, sigma, rho = _basket_inputs(weights, vols, corr)
    shock = check_real("shock", shock, lo=-1.0, hi=1.0, lo_open=True, hi_open=True)
    a = check_int("shock_asset", shock_asset, lo=0, hi=w.shape[0] - 1)
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = sigma / sigma[a] if sigma[a] > 0 else np.ones_like(sigma)
        beta = rho[:, a] * ratio
        out = float((w * -np.expm1(beta * math.log1p(-shock))).sum())
    if not math.isfinite(out):
        j = int(np.argmax(np.abs(beta)))
        raise ValueError(
            f"shock = {shock:g} moves the basket beyond the float range: the spillover "
            f"beta[{j}] = corr[{j}, {a}] * vols[{j}] / vols[{a}] = {beta[j]:g}; use vols "
            f"closer to each other or a smaller shock"
        )
    return out
