"""Feature scaling fitted on the training split only (the miRNA study's recipe). Numpy only.

``kind="zscore-minmax"`` (default), fitted on training samples ``x_i``, per feature ``j``:

    z_ij = (x_ij - mu_j) / sigma_j             mu, sigma: training mean and std (ddof=0)
    u_ij = (z_ij - min_i z_ij) / (max_i z_ij - min_i z_ij)

A constant feature (``sigma_j = 0``, or ``max z = min z``) maps to 0. Both steps are affine,
so the composition is one affine map ``u = (x - offset) * scale`` with

    offset_j = mu_j + sigma_j * min z_j        (= the training minimum of x_j)
    scale_j  = 1 / (sigma_j * (max z_j - min z_j))   (= 1 / training range; 0 if constant)

which is what is stored and applied. It equals min-max scaling of ``x`` up to rounding: the
z-score step fixes nothing the min-max step would not, but it is kept explicit as the recipe.
Unseen data (validation, test, device sensors) is transformed with the training statistics
and then **clipped** to [0, 1], so encoders always receive values in range.

``kind="minmax"``: ``u = (x - min) / (max - min)``, clipped. ``kind="zscore"``: ``u = (x - mu) / sigma``,
not clipped: zero-mean signed values, for series fed as input current (``direct``), where a
constant offset would only drive every neuron at once. ``kind="none"``: identity; fitting
checks the training data already lie in [0, 1].

``per="feature"`` keeps one statistic per element of the feature shape (per pixel for images);
``per="channel"`` pools over everything but axis 1 (per channel of a time series or image).
``to_dict()`` is JSON-able (two float lists of the statistic's size), so a runner without torch
rebuilds the same transform with ``Preprocessor.from_dict`` and applies it to raw sensor values.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import DataError, ShapeError, UsageError, unknown_name

PERS = ("feature", "channel")


def _axes(x: np.ndarray, per: str) -> tuple[int, ...]:
    return (0,) if per == "feature" else (0, *range(2, x.ndim))


# The fitters ignore NaN entries: ``fit(x, ignore=mask)`` marks padded frames that way.
def _fit_zscore_minmax(x: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    mu = np.nanmean(x, axis=axes, keepdims=True)
    sigma = np.nanstd(x, axis=axes, keepdims=True)
    safe = np.where(sigma > 0, sigma, 1.0)
    z = np.where(sigma > 0, (x - mu) / safe, 0.0)
    zmin, zmax = np.nanmin(z, axis=axes, keepdims=True), np.nanmax(z, axis=axes, keepdims=True)
    span = sigma * (zmax - zmin)
    scale = np.where(span > 0, 1.0 / np.where(span > 0, span, 1.0), 0.0)
    return mu + sigma * zmin, scale


def _fit_zscore(x: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    mu, sigma = np.nanmean(x, axis=axes, keepdims=True), np.nanstd(x, axis=axes, keepdims=True)
    return mu, np.where(sigma > 0, 1.0 / np.where(sigma > 0, sigma, 1.0), 0.0)


def _fit_minmax(x: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.nanmin(x, axis=axes, keepdims=True), np.nanmax(x, axis=axes, keepdims=True)
    span = hi - lo
    return lo, np.where(span > 0, 1.0 / np.where(span > 0, span, 1.0), 0.0)


def _fit_none(x: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    if x.size and (np.nanmin(x) < 0 or np.nanmax(x) > 1):
        raise DataError(
            f"preprocess 'none' needs data in [0, 1], got {np.nanmin(x):.4g}..{np.nanmax(x):.4g}; "
            "use preprocess='zscore-minmax' or 'minmax'"
        )
    shape = np.ones(x.ndim, dtype=int)
    shape[1:] = np.nanmin(x, axis=axes, keepdims=True).shape[1:]
    return np.zeros(shape), np.ones(shape)


def _fits(feature_shape: tuple[int, ...], stat_shape: tuple[int, ...], per: str) -> bool:
    if per == "feature" or len(feature_shape) != len(stat_shape):
        return tuple(feature_shape) == tuple(stat_shape)
    return feature_shape[0] == stat_shape[0]


#: kind -> fit(x float64, axes) -> (offset, scale) broadcastable to [1, *feature_shape]
FITTERS: dict[str, Callable[[np.ndarray, tuple[int, ...]], tuple[np.ndarray, np.ndarray]]] = {
    "zscore-minmax": _fit_zscore_minmax,
    "minmax": _fit_minmax,
    "zscore": _fit_zscore,
    "none": _fit_none,
}


@dataclass
class Preprocessor:
    """Fit on training data with ``fit``; apply anywhere with ``transform`` (float32 out)."""

    kind: str = "zscore-minmax"
    per: str = "feature"
    offset: np.ndarray | None = field(default=None, repr=False)
    scale: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in FITTERS:
            raise unknown_name("preprocessing", self.kind, FITTERS)
        if self.per not in PERS:
            raise UsageError(f"preprocessing per='{self.per}' is not valid; choose from: {', '.join(PERS)}")

    @property
    def fitted(self) -> bool:
        return self.offset is not None

    def fit(self, x: np.ndarray, ignore: np.ndarray | None = None) -> Preprocessor:
        """Compute the statistics from training samples ``x [N, *features]``; returns self.

        ``ignore`` (bool, broadcastable to x): entries left out of every statistic, e.g. the
        padded frames of variable-length series."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim < 2 or len(x) == 0:
            raise ShapeError(f"preprocessing: fit needs x of shape [N >= 1, *features], got {x.shape}")
        if self.per == "channel" and x.ndim < 3:
            raise ShapeError(f"preprocessing per='channel' needs x [N, C, ...], got {x.shape}; use per='feature'")
        if not np.all(np.isfinite(x)):
            raise DataError(f"preprocessing: {int((~np.isfinite(x)).sum())} NaN/inf values in the training data")
        if ignore is not None:
            x = np.where(ignore, np.nan, x)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-padding positions: NaN -> constant
            offset, scale = FITTERS[self.kind](x, _axes(x, self.per))
        offset, scale = np.nan_to_num(offset), np.nan_to_num(scale)
        self.offset, self.scale = offset[0], scale[0]
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        """``clip((x - offset) * scale, 0, 1)`` as float32 (identity for kind 'none')."""
        if not self.fitted:
            raise UsageError("preprocessing: call fit(train_x) (or from_dict) before transform")
        x = np.asarray(x, dtype=np.float64)
        if not _fits(x.shape[1:], self.offset.shape, self.per):
            raise ShapeError(
                f"preprocessing (per {self.per}) was fitted for statistics of shape {self.offset.shape}, "
                f"got x of shape {x.shape}; give [N, *features] of the training data's shape"
            )
        if self.kind == "none":
            return x.astype(np.float32)
        if self.kind == "zscore":  # signed currents, not clipped (direct input of a series)
            return ((x - self.offset) * self.scale).astype(np.float32)
        return np.clip((x - self.offset) * self.scale, 0.0, 1.0).astype(np.float32)

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        return self.fit(x).transform(x)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: kind, per, statistic shape and flat ``offset``/``scale`` lists."""
        if not self.fitted:
            raise UsageError("preprocessing: fit it before to_dict")
        return {
            "kind": self.kind,
            "per": self.per,
            "shape": list(self.offset.shape),
            "offset": [float(v) for v in self.offset.reshape(-1)],
            "scale": [float(v) for v in self.scale.reshape(-1)],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Preprocessor:
        try:
            shape = tuple(int(s) for s in d["shape"])
            offset = np.asarray(d["offset"], dtype=np.float64).reshape(shape)
            scale = np.asarray(d["scale"], dtype=np.float64).reshape(shape)
            return cls(str(d["kind"]), str(d.get("per", "feature")), offset, scale)
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, UsageError):
                raise
            raise DataError(
                f"preprocessing dict is malformed ({type(exc).__name__}: {exc}); "
                "it needs kind, per, shape, offset, scale as written by to_dict"
            ) from None
