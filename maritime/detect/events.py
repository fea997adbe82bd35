"""Anomaly events: the kinds, the record every detector returns, and its stable id."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from hashlib import blake2b
from typing import Any, Optional

KINDS = ("ais_gap", "position_jump", "on_land", "circle_spoofing", "loitering", "rendezvous", "identity_change",
         "mmsi_conflict", "invalid_identity", "speed_anomaly", "route_deviation", "zone_entry", "gnss_interference",
         "behaviour_outlier")
SEVERITIES = ("info", "warning", "critical")
STATUSES = ("open", "acknowledged", "dismissed", "retracted")


def event_id(kind: str, mmsi: Optional[int], start: datetime, variant: Optional[str] = None) -> str:
    """Stable across reruns: the same episode found again updates the same event.

    ``variant`` tells apart events of one kind on one vessel that start together (which
    problem an invalid identity has); without it the id is that of (kind, mmsi, start).
    """
    text = f"{kind}|{mmsi}|{start.replace(microsecond=0).isoformat()}"
    if variant is not None:
        text += f"|{variant}"
    return blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Event:
    """One anomalous episode. Times are naive UTC data times (not the wall clock).

    ``detected_at`` is the newest report time seen when the rule first became true;
    ``evidence`` says what fired, on which reports, with the thresholds used.
    """

    kind: str
    mmsi: Optional[int]
    start: datetime
    end: Optional[datetime]
    lat: Optional[float]
    lon: Optional[float]
    severity: str
    score: float
    detector: str
    evidence: dict[str, Any] = field(default_factory=dict)
    detected_at: Optional[datetime] = None
    other_mmsi: Optional[int] = None
    status: str = "open"
    variant: Optional[str] = None  # see event_id; part of the id, not a stored column

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def id(self) -> str:
        return event_id(self.kind, self.mmsi, self.start, self.variant)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = self.id
        return data
