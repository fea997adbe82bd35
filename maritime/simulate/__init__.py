"""A Black Sea AIS traffic simulator with labelled injected anomalies, emitting real NMEA.

``simulate(hours, vessels, seed, out_dir)`` writes ``ais.nmea`` (tag-blocked
NMEA 0183, sorted by receive time), ``labels.jsonl`` (injected anomalies),
``benign.jsonl`` (look-alikes that are not anomalies), ``vessels.jsonl`` (the
true fleet), ``zones.geojson`` and ``scenario.json`` (the run's parameters and
counts). Modules: :mod:`.fleet` who sails, :mod:`.routes` where the lanes are,
:mod:`.itinerary` what each vessel does, :mod:`.motion` kinematics,
:mod:`.reporting` when reports go out, :mod:`.anomalies` injection and labels,
:mod:`.coverage` who hears what, :mod:`.nmea` encoding, :mod:`.run` the whole.
"""

from maritime.simulate.anomalies import ANOMALY_KINDS
from maritime.simulate.run import SimulationSummary, simulate

__all__ = ["ANOMALY_KINDS", "SimulationSummary", "simulate"]
