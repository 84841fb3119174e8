r"""Two generic statistical tools of chapter 05: a logistic regression and its ROC curve.

Nothing here knows about markets: features in, labels in, a model or a curve out.

* :func:`fit_logistic` fits :math:`P(y = 1 \mid x) = 1 / (1 + e^{-(\beta_0 + \beta^\top z)})` on
  standardised features :math:`z = (x - m) / s` by Newton's method (IRLS), with a small ridge
  penalty :math:`\tfrac{\lambda}{2}\lVert\beta\rVert^2` on the slopes.
* :func:`roc_curve` traces :math:`\text{TPR}(t) = P(\text{score} \ge t \mid y = 1)` against
  :math:`\text{FPR}(t) = P(\text{score} \ge t \mid y = 0)` over every threshold :math:`t`; its area
  (AUC) is the Mann-Whitney statistic.

Examples
--------
>>> roc_curve([0, 1, 0, 1], [0.2, 0.9, 0.4, 0.6]).auc
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cascadelab._validate import check_array, check_int, check_real

__all__ = ["LogisticModel", "RocCurve", "fit_logistic", "roc_curve"]

MAX_FEATURE = 1e100
"""Largest magnitude of a feature :func:`fit_logistic` accepts (its squares stay finite)."""


@dataclass(frozen=True)
class LogisticModel:
    r"""A fitted logistic model on standardised features.

    :math:`P(y=1 \mid x) = \sigma(\beta_0 + \beta^\top z)`, :math:`z = (x - m) / s`,
    :math:`\sigma(u) = 1/(1 + e^{-u})`.

    Attributes
    ----------
    intercept : float
        :math:`\beta_0`.
    coef : ndarray
        :math:`\beta`, per standardised feature (one standard deviation up multiplies the odds
        by :math:`e^{\beta_j}`).
    mean, scale : ndarray
        :math:`m` and :math:`s`, the training features' mean and standard deviation.
    iterations : int
        Newton steps taken.
    """

    intercept: float
    coef: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    iterations: int

    def decision(self, X: np.ndarray) -> np.ndarray:
        r"""Log-odds :math:`\beta_0 + \beta^\top z` per row of ``X`` (one column per feature)."""
        X = check_array("X", X, ndim=2, lo=-MAX_FEATURE, hi=MAX_FEATURE)
        if X.shape[1] != self.coef.size:
            raise ValueError(f"X must have {self.coef.size} columns (one per feature), got "
                             f"{X.shape[1]}")
        return self.intercept + ((X - self.mean) / self.scale) @ self.coef

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of the event per row of ``X``."""
        with np.errstate(over="ignore"):  # exp(-u) = inf for a very negative u: probability 0
            return 1.0 / (1.0 + np.exp(-self.decision(X)))

    @property
    def raw_coef(self) -> tuple[float, np.ndarray]:
        """Intercept and coefficients on the unstandardised features."""
        b = self.coef / self.scale
        return float(self.intercept - b @ self.mean), b


def fit_logistic(
    X: np.ndarray, y: np.ndarray, *, ridge: float = 1e-6, max_iter: int = 100,
    tol: float = 1e-10,
) -> LogisticModel:
    r"""Fit a logistic regression by Newton's method (IRLS) on standardised features.

    Maximises :math:`\sum_i [y_i u_i - \ln(1 + e^{u_i})] - \tfrac{\lambda}{2}\lVert\beta\rVert^2`
    with :math:`u_i = \beta_0 + \beta^\top z_i`. Each step solves
    :math:`(Z^\top W Z + \lambda I)\,\delta = Z^\top (y - p) - \lambda\beta`,
    :math:`W = \operatorname{diag}(p_i (1 - p_i))` (the intercept is not penalised).

    Parameters
    ----------
    X : array, shape (n, k)
        Features (any units: they are standardised to mean 0, sd 1 first), each in
        [-1e100, 1e100], at least 2 rows.
    y : array of bool or {0, 1}, shape (n,)
        Labels; both classes must be present.
    ridge : float
        :math:`\lambda` >= 0, keeps the fit finite if the classes are separable.
    max_iter : int
        Largest number of Newton steps, >= 1.
    tol : float
        Stop when the largest step is below this, > 0.

    Returns
    -------
    LogisticModel

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((4000, 2))
    >>> y = rng.random(4000) < 1 / (1 + np.exp(-(0.5 + 2 * X[:, 0] - X[:, 1])))
    >>> np.round(fit_logistic(X, y).raw_coef[1], 1)
    array([ 2., -1.])
    """
    X = check_array("X", X, ndim=2, lo=-MAX_FEATURE, hi=MAX_FEATURE)
    if X.shape[0] < 2:
        raise ValueError(f"X must have at least 2 rows, got shape {X.shape}")
    y = check_array("y", y, n=X.shape[0], per="row of X")
    if not np.isin(y, (0.0, 1.0)).all():
        i = int(np.argmax(~np.isin(y, (0.0, 1.0))))
        raise ValueError(f"y must hold 0/1 (or False/True) labels, got {y[i]:g} at index {i}")
    if y.min() == y.max():
        raise ValueError("y must contain both classes (0 and 1) to fit a logistic model")
    ridge = check_real("ridge", ridge, lo=0.0)
    max_iter = check_int("max_iter", max_iter, 1, 10_000)
    tol = check_real("tol", tol, lo=0.0, lo_open=True)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    Z = np.column_stack([np.ones(X.shape[0]), (X - mean) / scale])
    beta = np.zeros(Z.shape[1])
    penalty = np.full(Z.shape[1], ridge)
    penalty[0] = 0.0
    it = 0
    while it < max_iter:
        it += 1
        p = 1.0 / (1.0 + np.exp(-(Z @ beta)))
        w = p * (1.0 - p)
        grad = Z.T @ (y - p) - penalty * beta
        hess = (Z * w[:, None]).T @ Z + np.diag(penalty) + 1e-12 * np.eye(Z.shape[1])
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if not np.isfinite(beta).all():
            raise FloatingPointError(
                f"fit_logistic diverged after {it} Newton steps (the classes are probably "
                f"separable): use ridge > 0, got ridge = {ridge:g}"
            )
        if np.abs(step).max() < tol:
            break
    return LogisticModel(float(beta[0]), beta[1:].copy(), mean, scale, it)


@dataclass(frozen=True)
class RocCurve:
    """Receiver operating characteristic of a score against labels.

    Attributes
    ----------
    fpr, tpr : ndarray
        False- and true-positive rates, from (0, 0) to (1, 1), one point per distinct threshold.
    thresholds : ndarray
        Score thresholds (warn when ``score >= threshold``), decreasing; the first is ``inf``.
    auc : float
        Area under the curve: the probability that a random positive scores above a random
        negative (ties count half). 0.5 is chance.
    """

    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray
    auc: float

    def at(self, threshold: float) -> tuple[float, float]:
        """(false-positive rate, true-positive rate) when warning at ``score >= threshold``.

        ``threshold`` is any finite score (NaN would warn on nothing yet read the last point).
        """
        threshold = check_real("threshold", threshold)
        k = int(np.searchsorted(-self.thresholds, -threshold, side="right")) - 1
        return float(self.fpr[k]), float(self.tpr[k])


def roc_curve(y: np.ndarray, score: np.ndarray) -> RocCurve:
    r"""The ROC curve and its area (AUC) of ``score`` as a predictor of ``y``.

    :math:`\text{TPR}(t) = P(\text{score} \ge t \mid y = 1)`,
    :math:`\text{FPR}(t) = P(\text{score} \ge t \mid y = 0)`; the AUC is computed by the
    trapezoid rule, equal to the Mann-Whitney statistic.

    Examples
    --------
    >>> roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).auc
    0.75
    """
    y = check_array("y", y)
    score = check_array("score", score, n=y.size, per="label in y")
    if not np.isin(y, (0.0, 1.0)).all():
        i = int(np.argmax(~np.isin(y, (0.0, 1.0))))
        raise ValueError(f"y must hold 0/1 (or False/True) labels, got {y[i]:g} at index {i}")
    pos = int(y.sum())
    neg = y.size - pos
    if pos == 0 or neg == 0:
        raise ValueError("y must contain both classes (0 and 1) to draw a ROC curve")
    order = np.argsort(-score, kind="stable")
    s = score[order]
    yy = y[order].astype(float)
    last = np.r_[np.flatnonzero(np.diff(s) != 0), s.size - 1]
    tp = np.cumsum(yy)[last]
    fp = (last + 1) - tp
    tpr = np.r_[0.0, tp / pos]
    fpr = np.r_[0.0, fp / neg]
    auc = float(np.sum(np.diff(fpr) * 0.5 * (tpr[1:] + tpr[:-1])))
    return RocCurve(fpr, tpr, np.r_[np.inf, s[last]], auc)


def _loguniform(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    """``n`` draws log-uniform on ``[lo, hi]`` (uniform in log space)."""
    return np.exp(rng.uniform(math.log(lo), math.log(hi), n))
