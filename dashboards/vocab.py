"""Words and colours the pages share: ship type classes, navigational status, event kinds, severities."""

from __future__ import annotations

import math
from typing import Optional

# ITU-R M.1371-5 table 53: the first digit of the "type of ship and cargo" code, and the special 3x/5x codes.
TYPE_CLASSES = ("cargo", "tanker", "passenger", "fishing", "tug_service", "military_law", "high_speed",
                "pleasure", "other", "unknown")
TYPE_CLASS_LABELS = {
    "cargo": "Cargo", "tanker": "Tanker", "passenger": "Passenger", "fishing": "Fishing",
    "tug_service": "Tug, pilot, SAR, service", "military_law": "Military, law enforcement",
    "high_speed": "High-speed craft", "pleasure": "Sailing, pleasure", "other": "Other", "unknown": "Type not reported",
}
_SPECIAL_CODES = {30: "fishing", 31: "tug_service", 32: "tug_service", 33: "tug_service", 34: "tug_service",
                  35: "military_law", 36: "pleasure", 37: "pleasure", 50: "tug_service", 51: "tug_service",
                  52: "tug_service", 53: "tug_service", 54: "tug_service", 55: "military_law", 58: "tug_service",
                  59: "tug_service"}
_DECADE_CLASSES = {4: "high_speed", 6: "passenger", 7: "cargo", 8: "tanker", 9: "other", 2: "other"}


def type_class(code: Optional[float]) -> str:
    """The class of an AIS ship type code (None or 0 → "unknown")."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return "unknown"
    code = int(code)
    if code in _SPECIAL_CODES:
        return _SPECIAL_CODES[code]
    return _DECADE_CLASSES.get(code // 10, "other" if 1 <= code <= 99 else "unknown")


# ITU-R M.1371-5 table 45 (navigational status)
NAV_STATUS = {0: "under way using engine", 1: "at anchor", 2: "not under command", 3: "restricted manoeuvrability",
              4: "constrained by draught", 5: "moored", 6: "aground", 7: "engaged in fishing",
              8: "under way sailing", 14: "AIS-SART active", 15: "not defined"}

KIND_LABELS = {
    "ais_gap": "AIS gap", "position_jump": "Position jump", "on_land": "On land", "circle_spoofing": "Circle spoofing",
    "loitering": "Loitering", "rendezvous": "Rendezvous", "identity_change": "Identity change",
    "mmsi_conflict": "MMSI conflict", "invalid_identity": "Invalid identity", "speed_anomaly": "Speed anomaly",
    "route_deviation": "Route deviation", "zone_entry": "Zone entry", "gnss_interference": "GNSS interference",
    "behaviour_outlier": "Behaviour outlier",
}
SEVERITIES = ("critical", "warning", "info")
SEVERITY_LABELS = {"critical": "Critical", "warning": "Warning", "info": "Info", None: "No open anomaly"}
# Calm by default: vessels without anomalies recede; colour is kept for what needs attention.
SEVERITY_COLOURS = {None: "#55677a", "info": "#2f7fc1", "warning": "#d08a00", "critical": "#c8102e"}
STATUS_LABELS = {"open": "Open", "acknowledged": "Acknowledged", "dismissed": "Dismissed", "retracted": "Retracted"}
ZONE_KIND_LABELS = {"restricted": "Restricted", "mine_danger": "Mine danger", "exclusion": "Exclusion"}
ZONE_COLOURS = {"restricted": "#b5651d", "mine_danger": "#c8102e", "exclusion": "#6a3d9a"}


def kind_label(kind: Optional[str]) -> str:
    return KIND_LABELS.get(kind or "", kind or "")
