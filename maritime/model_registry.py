"""The model registry: trained anomaly models as skops files plus a ``model_versions`` row each.

The pipeline scores with the one active version, loaded here without importing ``models/``:
a model file holds only plain scikit-learn objects and plain data (a dict with the fitted
estimator, its feature list, the lanes it was trained with and the training medians used to
explain a score). Files are written under :func:`models_dir` as ``<version>.skops``; their
sha256 is recorded, checked before loading, and loading trusts only the types in
:data:`TRUSTED_TYPES` (never pickle), so a corrupted or tampered file is refused with one line.

Promotion makes one version the active one; rollback withdraws the active version and
re-activates the one promoted before it. The next detection run picks the change up.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import threading
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.engine import make_url

from maritime.config import ModelSettings, load_settings
from maritime.errors import MaritimeError
from maritime.features import LaneGrid
from maritime.store.schema import ModelVersionRow

log = logging.getLogger(__name__)

ARTIFACT_FORMAT = 1
# skops already trusts scikit-learn's estimators, numpy arrays and plain containers; the tree
# structures inside the two kinds of model we train are the only other types a file may hold.
TRUSTED_TYPES = [
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]
SCORING_ESTIMATORS = {"IsolationForest", "HistGradientBoostingClassifier"}
LIBRARIES = ("scikit-learn", "skops", "numpy", "scipy", "pandas", "maritime")


class ModelFileError(MaritimeError):
    """A model file is missing, corrupted, tampered with or not a model this registry wrote."""


@dataclass(frozen=True)
class ModelVersion:
    """A registry entry as plain data (the ``model_versions`` row)."""

    version: str
    estimator: str
    created_at: datetime
    created_by: Optional[str]
    path: str
    sha256: str
    features: list
    train_since: Optional[datetime]
    train_until: Optional[datetime]
    data_hash: str
    library_versions: dict
    metrics: dict
    threshold: float
    active: bool
    promoted_at: Optional[datetime]
    promoted_by: Optional[str]
    notes: Optional[str]


_ROW_FIELDS = [f.name for f in fields(ModelVersion)]


@dataclass(frozen=True)
class ScoringModel:
    """An active model ready to score feature windows (``maritime.features.window_features``)."""

    version: str
    estimator_name: str
    estimator: Any
    features: tuple[str, ...]
    threshold: float
    critical_threshold: float
    lanes: LaneGrid
    window_minutes: int
    medians: np.ndarray
    scales: np.ndarray
    threads: int = 1

    def anomaly_scores(self, windows: pd.DataFrame) -> np.ndarray:
        """Anomaly score per window, higher = more unusual; events are raised above ``threshold``."""
        if windows.empty:
            return np.empty(0)
        return anomaly_scores(self.estimator, windows[list(self.features)].to_numpy(dtype=float), self.threads)

    def explain(self, windows: pd.DataFrame, top: int = 3) -> list[list[dict]]:
        """Per window, the ``top`` features furthest from the training medians, in units of their spread."""
        values = windows[list(self.features)].to_numpy(dtype=float)
        z = (values - self.medians) / self.scales
        order = np.argsort(-np.abs(z), axis=1)[:, :top]
        return [[{"feature": self.features[j], "value": round(float(values[i, j]), 3),
                  "median": round(float(self.medians[j]), 3), "spreads_from_median": round(float(z[i, j]), 1)}
                 for j in row] for i, row in enumerate(order)]


def anomaly_scores(estimator, X: np.ndarray, threads: int = 1) -> np.ndarray:
    """A stored plain estimator's anomaly scores: P(anomalous) for a classifier, else -score_samples."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads):
        if hasattr(estimator, "predict_proba"):
            column = list(estimator.classes_).index(1)
            return estimator.predict_proba(X)[:, column]
        return -estimator.score_samples(X)


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def models_dir(database_url: str, settings: Optional[ModelSettings] = None) -> Path:
    """Where model files go: ``MARITIME_MODELS_DIR``, else beside an SQLite file, else the data directory."""
    settings = settings or load_settings().models
    if settings.dir is not None:
        return Path(settings.dir).expanduser()
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" \
            and not url.database.startswith("file:"):
        return Path(url.database).expanduser().resolve().parent / "models"
    return load_settings().data_dir / "models"


# -- files ------------------------------------------------------------------------------------------

def dump_artifact(artifact: dict) -> bytes:
    """The skops bytes of a model artifact; refuses what :func:`read_model_file` would not load back."""
    import zipfile

    import skops.io

    data = skops.io.dumps(artifact, compression=zipfile.ZIP_DEFLATED)
    untrusted = set(skops.io.get_untrusted_types(data=data)) - set(TRUSTED_TYPES)
    if untrusted:
        raise MaritimeError(f"model holds types the registry does not trust: {', '.join(sorted(untrusted))}")
    return data


def read_model_file(path: Path, sha256: str) -> dict:
    """Read, verify and safely load a model file; :class:`ModelFileError` with one line otherwise.

    The bytes are read once, hashed, and the same bytes are loaded, so the file cannot change
    between the check and the load.
    """
    import skops.io

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {path}: {exc.strerror or exc}") from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise ModelFileError(f"model file {path} is corrupted or has been tampered with: its sha256 is "
                             f"{actual[:12]}…, the registry recorded {sha256[:12]}…; refusing to load it")
    try:
        artifact = skops.io.loads(data, trusted=TRUSTED_TYPES)
    except Exception as exc:  # skops raises UntrustedTypesFoundException, zip, JSON and type errors
        reason = " ".join(str(exc).split())[:200]
        raise ModelFileError(f"model file {path} cannot be loaded safely ({type(exc).__name__}: {reason})") from None
    if not isinstance(artifact, dict) or artifact.get("format") != ARTIFACT_FORMAT:
        raise ModelFileError(f"model file {path} is not a model artifact of format {ARTIFACT_FORMAT}")
    if type(artifact.get("estimator")).__name__ not in SCORING_ESTIMATORS:
        raise ModelFileError(f"model file {path} holds a {type(artifact.get('estimator')).__name__}, "
                             f"not one of {', '.join(sorted(SCORING_ESTIMATORS))}")
    return artifact


def _write_file(folder: Path, version: str, data: bytes) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{version}.skops"
        partial = folder / f".{version}.skops.{os.getpid()}.partial"
        partial.write_bytes(data)
        os.replace(partial, final)
    except OSError as exc:
        raise MaritimeError(f"cannot write the model file in {folder}: {exc.strerror or exc}") from None
    return final


# -- rows -------------------------------------------------------------------------------------------

def _version_of(row) -> ModelVersion:
    return ModelVersion(**{name: getattr(row, name) for name in _ROW_FIELDS})


def _select():
    t = ModelVersionRow.__table__
    return select(*(t.c[name] for name in _ROW_FIELDS))


def list_versions(connection: Connection) -> list[ModelVersion]:
    t = ModelVersionRow.__table__
    return [_version_of(row) for row in connection.execute(_select().order_by(t.c.id))]


def get_version(connection: Connection, version: str) -> ModelVersion:
    row = connection.execute(_select().where(ModelVersionRow.__table__.c.version == version)).first()
    if row is None:
        raise MaritimeError(f"no model version {version!r} (see `maritime models list`)")
    return _version_of(row)


def active_version(connection: Connection) -> Optional[ModelVersion]:
    row = connection.execute(_select().where(ModelVersionRow.__table__.c.active.is_(True))).first()
    return None if row is None else _version_of(row)


def _next_version(connection: Connection) -> str:
    count = connection.execute(select(func.count()).select_from(ModelVersionRow.__table__)).scalar_one()
    taken = {v.version for v in list_versions(connection)}
    n = count + 1
    while f"v{n}" in taken:
        n += 1
    return f"v{n}"


def register_model(engine: Engine, artifact: dict, *, estimator: str, threshold: float, metrics: dict,
                   data_hash: str, train_since: Optional[datetime], train_until: Optional[datetime],
                   created_by: Optional[str] = None, notes: Optional[str] = None,
                   settings: Optional[ModelSettings] = None) -> ModelVersion:
    """Write the artifact's file and its registry row (inactive) in one go; returns the new entry."""
    artifact = {"format": ARTIFACT_FORMAT, **artifact}
    data = dump_artifact(artifact)
    folder = models_dir(engine.url.render_as_string(hide_password=False), settings)
    with engine.begin() as connection:
        version = _next_version(connection)
        path = _write_file(folder, version, data)
        values = {"version": version, "estimator": estimator, "created_at": _now(), "created_by": created_by,
                  "path": str(path), "sha256": hashlib.sha256(data).hexdigest(),
                  "features": list(artifact["features"]), "train_since": train_since, "train_until": train_until,
                  "data_hash": data_hash, "library_versions": library_versions(), "metrics": metrics,
                  "threshold": float(threshold), "active": False, "promoted_at": None, "promoted_by": None,
                  "notes": notes[:1000] if notes else None}
        try:
            connection.execute(ModelVersionRow.__table__.insert().values(**values))
        except Exception:
            path.unlink(missing_ok=True)
            raise
    return ModelVersion(**values)


def promote(connection: Connection, version: str, by: Optional[str] = None) -> ModelVersion:
    """Make ``version`` the single active model."""
    get_version(connection, version)
    t = ModelVersionRow.__table__
    connection.execute(t.update().where(t.c.active.is_(True)).values(active=False))
    connection.execute(t.update().where(t.c.version == version).values(active=True, promoted_at=_now(),
                                                                       promoted_by=by))
    return get_version(connection, version)


def rollback(connection: Connection, by: Optional[str] = None) -> tuple[ModelVersion, ModelVersion]:
    """Withdraw the active version and re-activate the one promoted before it; returns (withdrawn, active)."""
    current = active_version(connection)
    if current is None:
        raise MaritimeError("no active model to roll back")
    t = ModelVersionRow.__table__
    earlier = connection.execute(
        select(t.c.version).where(t.c.version != current.version, t.c.promoted_at.is_not(None),
                                  t.c.promoted_at <= current.promoted_at)
        .order_by(t.c.promoted_at.desc(), t.c.id.desc()).limit(1)).scalar()
    if earlier is None:
        raise MaritimeError(f"{current.version} is the first promoted version: nothing to roll back to")
    note = f"rolled back {_now():%Y-%m-%dT%H:%M:%SZ}" + (f" by {by}" if by else "")
    notes = f"{current.notes}; {note}" if current.notes else note
    connection.execute(t.update().where(t.c.version == current.version).values(
        active=False, promoted_at=None, notes=notes[-1000:]))
    connection.execute(t.update().where(t.c.version == earlier).values(active=True))
    return get_version(connection, current.version), get_version(connection, earlier)


# -- scoring ----------------------------------------------------------------------------------------

def load_scoring_model(entry: ModelVersion, threads: int = 1) -> ScoringModel:
    """Load a registry entry's file (verified) into a :class:`ScoringModel`."""
    artifact = read_model_file(Path(entry.path), entry.sha256)
    if list(artifact["features"]) != list(entry.features):
        raise ModelFileError(f"model file {entry.path} does not match registry entry {entry.version} "
                             f"(different features)")
    reference = artifact["reference"]
    return ScoringModel(
        version=entry.version, estimator_name=entry.estimator, estimator=artifact["estimator"],
        features=tuple(artifact["features"]), threshold=float(entry.threshold),
        critical_threshold=float(entry.metrics.get("critical_threshold", entry.threshold)),
        lanes=LaneGrid.from_dict(artifact["lanes"]), window_minutes=int(artifact["window_minutes"]),
        medians=np.asarray(reference["median"], dtype=float), scales=np.asarray(reference["scale"], dtype=float),
        threads=threads)


_cache_lock = threading.Lock()
_cached: Optional[ScoringModel] = None
_cached_key: Optional[tuple] = None
_refused: set[tuple] = set()


def _cache_key(entry: ModelVersion) -> tuple:
    return entry.path, entry.version, entry.sha256, entry.threshold, entry.metrics.get("critical_threshold")


def active_model(connection: Connection, settings: Optional[ModelSettings] = None) -> Optional[ScoringModel]:
    """The active model, loaded once per registry entry (file, hash, threshold) and reused until another
    is promoted.

    None when no version is active; :class:`ModelFileError` when its file cannot be trusted.
    """
    global _cached, _cached_key
    entry = active_version(connection)
    if entry is None:
        return None
    key = _cache_key(entry)
    with _cache_lock:
        if _cached_key == key:
            return _cached
        model = load_scoring_model(entry, (settings or load_settings().models).threads)
        _cached, _cached_key = model, key
        return model


def active_model_or_none(connection: Connection, settings: Optional[ModelSettings] = None
                         ) -> Optional[ScoringModel]:
    """:func:`active_model` for the pipeline: a model that cannot be loaded is logged once and skipped,
    so rule detection goes on without it."""
    try:
        return active_model(connection, settings)
    except MaritimeError as exc:
        entry = active_version(connection)
        key = _cache_key(entry) if entry else ()
        if key not in _refused:
            _refused.add(key)
            log.warning("behaviour model not used: %s", exc)
        return None
