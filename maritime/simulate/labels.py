"""Ground truth: one JSON object per line, for injected anomalies and for benign look-alikes.

``{"kind", "mmsi", "other_mmsi", "start", "end", "lat", "lon"}`` with ISO 8601
UTC times ending in ``Z``; ``other_mmsi`` is null unless the kind names two
vessels; area events (``gnss_interference``) have ``mmsi`` null and list the
vessels in ``mmsis``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Optional


def iso_z(t: float) -> str:
    return datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Label:
    kind: str
    mmsi: Optional[int]
    start: float
    end: float
    lat: float
    lon: float
    other_mmsi: Optional[int] = None
    mmsis: Optional[list[int]] = None

    def as_dict(self) -> dict:
        out = {"kind": self.kind, "mmsi": self.mmsi, "other_mmsi": self.other_mmsi, "start": iso_z(self.start),
               "end": iso_z(self.end), "lat": round(float(self.lat), 5), "lon": round(float(self.lon), 5)}
        if self.mmsis is not None:
            out["mmsis"] = sorted(self.mmsis)
        return out


def sort_key(label: Label) -> tuple:
    return label.start, label.kind, label.mmsi or 0, label.other_mmsi or 0


def write_labels(path: Path, labels: Iterable[Label]) -> int:
    rows = sorted(labels, key=sort_key)
    with path.open("w", encoding="utf-8") as f:
        for label in rows:
            f.write(json.dumps(label.as_dict()) + "\n")
    return len(rows)
