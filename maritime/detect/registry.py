"""The rule detectors the pipeline runs, in order. One module per kind."""

from maritime.detect.behaviour_outlier import detect_behaviour_outlier
from maritime.detect.identity_change import detect_identity_change
from maritime.detect.invalid_identity import detect_invalid_identity
from maritime.detect.circle_spoofing import detect_circle_spoofing
from maritime.detect.gnss_interference import detect_gnss_interference
from maritime.detect.mmsi_conflict import detect_mmsi_conflict
from maritime.detect.on_land import detect_on_land
from maritime.detect.position_jump import detect_position_jump
from maritime.detect.speed_anomaly import detect_speed_anomaly
from maritime.detect.ais_gap import detect_ais_gap
from maritime.detect.loitering import detect_loitering
from maritime.detect.rendezvous import detect_rendezvous
from maritime.detect.route_deviation import detect_route_deviation
from maritime.detect.zone_entry import detect_zone_entry

RULES: tuple = (
    detect_identity_change,
    detect_invalid_identity,
    detect_position_jump,
    detect_on_land,
    detect_circle_spoofing,
    detect_speed_anomaly,
    detect_mmsi_conflict,
    detect_gnss_interference,
    detect_ais_gap,
    detect_loitering,
    detect_rendezvous,
    detect_route_deviation,
    detect_zone_entry,
    detect_behaviour_outlier,  # the active model, if any (none: no events); rule events suppress its own
)
