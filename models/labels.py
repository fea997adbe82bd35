"""Ground truth for windows: simulator labels and analysts' verdicts on events, as per-window targets.

A window is a positive of a kind when a label of that kind on its vessel (``mmsi`` or
``other_mmsi``) covers at least :data:`MIN_OVERLAP` of it, or half the label when the
label is shorter; a smaller overlap is ambiguous and the window is left out of training
and evaluation. A window that touches no anomaly label at all is a negative. Analysts'
verdicts override: an acknowledged event of a behaviour kind makes its windows positive,
a dismissed event of any kind makes them negative.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from maritime.detect.events import KINDS
from maritime.errors import MaritimeError
from maritime.store.schema import EventRow

BEHAVIOUR_KINDS = ("loitering", "route_deviation", "rendezvous")
FEEDBACK_POSITIVE_KINDS = (*BEHAVIOUR_KINDS, "behaviour_outlier")
MIN_OVERLAP = pd.Timedelta(minutes=15)
LABEL_COLUMNS = ["kind", "mmsi", "other_mmsi", "start", "end", "source"]


def _frame(rows: list[dict], source: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["kind", "mmsi", "other_mmsi", "start", "end"])
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601").dt.tz_localize(None)
    frame["mmsi"] = pd.to_numeric(frame["mmsi"], errors="coerce").astype("Int64")
    frame["other_mmsi"] = pd.to_numeric(frame["other_mmsi"], errors="coerce").astype("Int64")
    frame["source"] = source
    return frame[LABEL_COLUMNS]


def read_labels(paths: Iterable[Path]) -> pd.DataFrame:
    """Labels from JSON Lines files in `maritime simulate`'s format (``kind, mmsi, other_mmsi, start, end``).

    Only anomaly kinds are kept: the simulator's benign look-alikes (``benign.jsonl``: anchorage
    waits, fishing, pilots ...) are normal behaviour, which every unlabelled window already is.
    """
    rows = []
    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise MaritimeError(f"cannot read labels {path}: {exc.strerror}") from None
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if row["kind"] not in KINDS:
                    continue
                rows.append({k: row.get(k) for k in ("kind", "mmsi", "other_mmsi")} |
                            {"start": row["start"], "end": row["end"]})
            except (ValueError, KeyError, AttributeError):
                raise MaritimeError(f"{path}:{number}: not a label (JSON with kind, mmsi, start, end)") from None
    try:
        return _frame(rows, "labels")
    except (ValueError, TypeError) as exc:
        raise MaritimeError(f"labels with a bad time: {exc}") from None


def feedback_labels(connection: Connection, since=None, until=None) -> pd.DataFrame:
    """Analysts' verdicts as labels: acknowledged events (source ``acknowledged``) and dismissed ones
    (source ``dismissed``), with the event's kind and vessels."""
    t = EventRow.__table__
    statement = select(t.c.kind, t.c.mmsi, t.c.other_mmsi, t.c.start, t.c.end, t.c.status).where(
        t.c.status.in_(("acknowledged", "dismissed")))
    if since is not None:
        statement = statement.where((t.c.end >= since) | (t.c.end.is_(None) & (t.c.start >= since)))
    if until is not None:
        statement = statement.where(t.c.start < until)
    rows = connection.execute(statement).mappings().all()
    frames = [_frame([{k: r[k] if k != "end" else (r["end"] or r["start"]) for k in
                       ("kind", "mmsi", "other_mmsi", "start", "end")} for r in rows if r["status"] == status], status)
              for status in ("acknowledged", "dismissed")]
    return pd.concat(frames, ignore_index=True)


def _per_vessel(labels: pd.DataFrame) -> pd.DataFrame:
    """One row per (label, vessel it names)."""
    labels = labels.reset_index(drop=True).rename_axis("label").reset_index()
    both = pd.concat([labels.assign(vessel=labels["mmsi"]), labels.assign(vessel=labels["other_mmsi"])])
    both = both[both["vessel"].notna()]
    return both.astype({"vessel": "int64"}).drop_duplicates(["label", "vessel"])


def window_overlaps(windows: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Per (window row, label): the overlap and whether it is enough to call the window a positive.

    ``windows`` has ``mmsi``, ``window_start``, ``window_end`` (its index is kept as ``row``).
    """
    columns = ["row", "kind", "source", "overlap", "enough"]
    if labels.empty or windows.empty:
        return pd.DataFrame(columns=columns)
    w = windows[["mmsi", "window_start", "window_end"]].rename_axis("row").reset_index()
    w["mmsi"] = w["mmsi"].astype("int64")
    pairs = w.merge(_per_vessel(labels), left_on="mmsi", right_on="vessel")
    instant = (pairs["start"] == pairs["end"]) & (pairs["start"] >= pairs["window_start"])
    pairs = pairs[(pairs["start"] < pairs["window_end"]) & ((pairs["end"] > pairs["window_start"]) | instant)].copy()
    pairs["overlap"] = (np.minimum(pairs["end"], pairs["window_end"])
                        - np.maximum(pairs["start"], pairs["window_start"]))
    pairs["enough"] = pairs["overlap"] >= np.minimum(MIN_OVERLAP, (pairs["end"] - pairs["start"]) / 2)
    return pairs[columns]


def window_targets(windows: pd.DataFrame, labels: pd.DataFrame, kinds: tuple[str, ...] = BEHAVIOUR_KINDS
                   ) -> pd.DataFrame:
    """Targets per window (same index as ``windows``).

    Columns: one boolean per kind in ``kinds`` (a positive of that kind), ``labelled`` (touches an
    anomaly label of any kind) and ``y`` for the estimators, in their ``predict`` convention:
    -1 anomalous, 1 normal, 0 left out (an ambiguous or non-behaviour overlap), after analysts'
    verdicts are applied.
    """
    pairs = window_overlaps(windows, labels)
    out = pd.DataFrame(index=windows.index)
    truth = pairs[pairs["source"] == "labels"]
    for kind in kinds:
        rows = truth.loc[(truth["kind"] == kind) & truth["enough"].astype(bool), "row"]
        out[kind] = out.index.isin(rows)
    out["labelled"] = out.index.isin(truth["row"])
    y = np.where(out[list(kinds)].any(axis=1), -1, np.where(out["labelled"], 0, 1))
    acknowledged = pairs[(pairs["source"] == "acknowledged") & pairs["kind"].isin(FEEDBACK_POSITIVE_KINDS)
                         & pairs["enough"].astype(bool)]["row"]
    dismissed = pairs[(pairs["source"] == "dismissed") & pairs["enough"].astype(bool)]["row"]
    y = np.where(out.index.isin(acknowledged), -1, y)
    y = np.where(out.index.isin(dismissed), 1, y)
    out["y"] = y.astype(int)
    return out
