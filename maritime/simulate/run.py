"""One simulation run: fleet → plans → anomalies → reports → reception → NMEA and ground truth on disk."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from maritime.errors import MaritimeError
from maritime.simulate.anomalies import ANOMALY_KINDS, Injector, anomaly_counts
from maritime.simulate.benign import apply_gnss_outages, plan_labels, reception_hole_labels
from maritime.simulate.coverage import SOURCES, Receptions, receive
from maritime.simulate.fleet import Vessel, build_fleet
from maritime.simulate.itinerary import Planner
from maritime.simulate.labels import Label, iso_z, write_labels
from maritime.simulate.nmea import CORRUPTIONS, StaticPayloads, corrupt, position_sentences, tag_block
from maritime.simulate.reporting import Transmitter, build_reports, default_floor_s, static_times
from maritime.simulate.tampering import Tamperer, identity_change_label
from maritime.simulate.zones import write_zones

DEFAULT_START = datetime(2024, 7, 1, tzinfo=timezone.utc)
CORRUPTED_SHARE = 0.002
PROGRESS_EVERY = 5_000

# message kinds in the emission table
POSITION, TYPE5, TYPE24A, TYPE24B = 0, 5, 240, 241


@dataclass
class SimulationSummary:
    vessels: int
    transmitters: int  # vessels plus MMSI clones
    sentences: int  # lines written to ais.nmea
    positions: int  # position reports heard (each once, duplicates aside)
    statics: int  # identity/voyage messages heard (type 5, 24 A, 24 B)
    duplicates: int  # messages delivered a second time by another receiver
    corrupted: int  # lines deliberately damaged
    unheard: int  # transmissions lost in reception holes
    labels: dict[str, int]  # injected anomalies by kind
    benign: dict[str, int]  # benign look-alikes by kind
    skipped: dict[str, int]  # anomalies asked for that could not be placed
    files: list[Path] = field(default_factory=list)
    elapsed_s: float = 0.0

    def describe(self) -> str:
        """A few lines for people: what was written and what it contains."""
        kinds = ", ".join(f"{kind} {n}" for kind, n in self.labels.items() if n) or "none"
        lines = [
            f"{self.vessels:,} vessels, {self.sentences:,} sentences in {self.elapsed_s:.1f} s: "
            f"{self.positions:,} position reports, {self.statics:,} static reports, "
            f"{self.duplicates:,} duplicates, {self.corrupted:,} corrupted",
            f"anomalies: {kinds}",
            "benign look-alikes: " + (", ".join(f"{kind} {n}" for kind, n in self.benign.items()) or "none"),
        ]
        if self.skipped:
            lines.append("not placed (window too short or no suitable vessel): "
                         + ", ".join(f"{kind} {n}" for kind, n in self.skipped.items()))
        if self.files:
            lines.append(f"written to {self.files[0].parent}: " + ", ".join(f.name for f in self.files))
        return "\n".join(lines)


def _rng(seed: int, purpose: int, *more: int) -> np.random.Generator:
    return np.random.default_rng([seed, purpose, *more])


def _utc(start: Optional[datetime]) -> datetime:
    if start is None:
        return DEFAULT_START
    return start.replace(tzinfo=timezone.utc) if start.tzinfo is None else start.astimezone(timezone.utc)


def simulate(hours: float, vessels: int, seed: int, out_dir: Path, start: Optional[datetime] = None,
             progress: Optional[Callable[[int, int], None]] = None, *, anomaly_rate: float = 1.0,
             anomalies: Optional[dict[str, int]] = None,
             report_interval_s: Optional[float] = None) -> SimulationSummary:
    """Simulate Black Sea AIS traffic and write it with its ground truth to ``out_dir``.

    Same arguments, same bytes: every random draw comes from ``seed``.

    - ``start``: the window's start (UTC; naive means UTC), default 2024-07-01T00:00Z.
    - ``progress(done, total)``: called while sentences are encoded (the bulk of the time).
    - ``anomaly_rate``: multiplies the default counts (a handful per kind for a day of
      300 vessels); 0 gives benign traffic only.
    - ``anomalies``: explicit counts per kind (kinds left out get none); overrides the rate.
    - ``report_interval_s``: minimum interval between one vessel's position reports;
      default: ITU-R M.1371 rates for runs up to 2 h, thinned to 60 s for longer runs.

    Files: ``ais.nmea``, ``labels.jsonl``, ``benign.jsonl``, ``vessels.jsonl``,
    ``zones.geojson``, ``scenario.json``.
    """
    clock = time.perf_counter()
    if not hours > 0:
        raise MaritimeError(f"hours must be positive, got {hours}")
    if vessels < 1:
        raise MaritimeError(f"vessels must be at least 1, got {vessels}")
    if anomaly_rate < 0:
        raise MaritimeError(f"anomaly_rate must be >= 0, got {anomaly_rate}")
    try:
        counts = anomaly_counts(hours, vessels, anomaly_rate, anomalies, _rng(seed, 1))
    except ValueError as exc:
        raise MaritimeError(str(exc)) from None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start_utc = _utc(start)
    begin = float(int(start_utc.timestamp()))
    end = begin + float(hours) * 3600.0
    floor_s = default_floor_s(hours) if report_interval_s is None else float(report_interval_s)

    fleet = build_fleet(vessels, _rng(seed, 2))
    planner = Planner(begin, end)
    service_roles = ("tug", "pilot")
    plans = {v.index: planner.plan(v, _rng(seed, 3, v.index)) for v in fleet if v.role not in service_roles}
    injector = Injector(fleet, planner, plans, begin, end, seed)
    injector.plan(counts)
    movements = planner.movements(plans)
    claimed: set[int] = set()
    for v in fleet:
        if v.role in service_roles:
            plans[v.index] = planner.port_service(v, movements, _rng(seed, 4, v.index), claimed)

    transmitters: dict = {}
    for v in fleet:
        reports = build_reports(v, plans[v.index], begin, end, floor_s, _rng(seed, 5, v.index))
        transmitters[v.index] = Transmitter(v.index, v, plans[v.index], reports, [(-np.inf, v.identity)])
    for clone in injector.clones:
        reports = build_reports(clone.vessel, clone.legs, begin, end, floor_s, _rng(seed, 6, clone.event.id))
        reports = reports.keep((reports.t >= clone.window[0]) & (reports.t <= clone.window[1]))
        key = f"clone-{clone.event.id}"
        transmitters[key] = Transmitter(key, clone.vessel, clone.legs, reports, [(-np.inf, clone.vessel.identity)],
                                        sends_statics=False)

    labels = Tamperer(injector.events, injector.clones, injector.used, seed, injector.skipped).apply(transmitters)
    mmsi_of = {v.index: v.mmsi for v in fleet}
    spoofed = {m for label in labels if label.mmsis for m in label.mmsis}
    benign: list[Label] = []
    for v in fleet:
        tx = transmitters[v.index]
        benign += plan_labels(tx, mmsi_of, begin, end)
        if v.index not in injector.used and v.mmsi not in spoofed:
            benign += apply_gnss_outages(tx, hours, _rng(seed, 9, v.index))

    statics = {key: static_times(tx, begin, end, _rng(seed, 10, i)) for i, (key, tx) in enumerate(transmitters.items())}
    table = _emission_table(transmitters, statics, seed)
    rx = receive(table["lat"], table["lon"], _rng(seed, 12))
    heard = rx.primary >= 0
    for no, tx in enumerate(transmitters.values()):
        mine = (table["tx"] == no) & (table["kind"] == POSITION)
        benign += reception_hole_labels(tx.mmsi, table["t"][mine], table["lat"][mine], table["lon"][mine],
                                        heard[mine])
    final_labels = []
    for label in labels:
        if label.kind == "identity_change":
            no, tx = next((no, tx) for no, tx in enumerate(transmitters.values())
                          if tx.mmsi == label.mmsi and tx.sends_statics)
            heard_statics = table["t"][(table["tx"] == no) & (table["kind"] != POSITION) & heard]
            label = identity_change_label(label, tx, heard_statics)
            if label is None:
                injector.skipped["identity_change"] = injector.skipped.get("identity_change", 0) + 1
                continue
        final_labels.append(label)

    emitted = _emit(transmitters, table, rx, seed, progress)
    files = [out_dir / name for name in ("ais.nmea", "labels.jsonl", "benign.jsonl", "vessels.jsonl",
                                         "zones.geojson", "scenario.json")]
    files[0].write_bytes(b"".join(emitted["lines"]))
    write_labels(files[1], final_labels)
    write_labels(files[2], benign)
    _write_vessels(files[3], fleet)
    write_zones(files[4])
    by_kind = {kind: sum(1 for label in final_labels if label.kind == kind) for kind in ANOMALY_KINDS}
    benign_kinds = sorted({label.kind for label in benign})
    benign_counts = {kind: sum(1 for label in benign if label.kind == kind) for kind in benign_kinds}
    scenario = {
        "seed": seed, "hours": hours, "vessels": vessels, "start": iso_z(begin), "end": iso_z(end),
        "report_interval_floor_s": floor_s, "anomaly_rate": anomaly_rate,
        "anomalies_requested": counts, "anomalies_injected": by_kind, "anomalies_skipped": injector.skipped,
        "benign": benign_counts, "corrupted_share": CORRUPTED_SHARE, "sources": list(SOURCES),
    }
    files[5].write_text(json.dumps(scenario, indent=1) + "\n", encoding="utf-8")
    return SimulationSummary(
        vessels=len(fleet), transmitters=len(transmitters), sentences=len(emitted["lines"]),
        positions=emitted["positions"], statics=emitted["statics"], duplicates=emitted["duplicates"],
        corrupted=emitted["corrupted"], unheard=emitted["unheard"], labels=by_kind, benign=benign_counts,
        skipped=dict(injector.skipped), files=files, elapsed_s=time.perf_counter() - clock,
    )


def _emission_table(transmitters: dict, statics: dict[object, np.ndarray], seed: int) -> dict[str, np.ndarray]:
    """Every transmission as parallel arrays, in time order: when, who, what, and from where."""
    t, tx_no, row, kind, lat, lon = [], [], [], [], [], []
    for no, (key, tx) in enumerate(transmitters.items()):
        r = tx.reports
        t.append(r.t)
        tx_no.append(np.full(len(r), no))
        row.append(np.arange(len(r)))
        kind.append(np.full(len(r), POSITION))
        lat.append(r.true_lat)
        lon.append(r.true_lon)
        times = statics[key]
        if len(times) == 0:
            continue
        s_lat = np.interp(times, r.t, r.true_lat)
        s_lon = np.interp(times, r.t, r.true_lon)
        if tx.vessel.ais_class == "A":
            parts = [(times, TYPE5)]
        else:  # part B follows part A within seconds
            gap = _rng(seed, 11, no).integers(1, 6, len(times))
            parts = [(times, TYPE24A), (times + gap, TYPE24B)]
        for part_times, part_kind in parts:
            t.append(part_times)
            tx_no.append(np.full(len(part_times), no))
            row.append(np.arange(len(part_times)))
            kind.append(np.full(len(part_times), part_kind))
            lat.append(s_lat)
            lon.append(s_lon)
    table = {name: np.concatenate(parts) for name, parts in
             (("t", t), ("tx", tx_no), ("row", row), ("kind", kind), ("lat", lat), ("lon", lon))}
    order = np.lexsort((table["kind"], table["tx"], table["t"]))
    return {name: values[order] for name, values in table.items()}


def _emit(transmitters: dict, table: dict[str, np.ndarray], rx: Receptions, seed: int,
          progress: Optional[Callable[[int, int], None]]) -> dict:
    """Encode what was heard, as tag-blocked NMEA lines in receive-time order; corrupt a few."""
    heard = rx.primary >= 0
    txs = list(transmitters.values())
    channels = np.where(_rng(seed, 13).random(len(table["t"])) < 0.5, "A", "B")
    payloads = StaticPayloads()
    lines_t: list[int] = []
    lines: list[bytes] = []
    total = int(heard.sum())
    done = positions = n_statics = duplicates = 0
    group_id = 0
    seq_id = 0
    t_list, tx_list, row_list, kind_list = (table[k].tolist() for k in ("t", "tx", "row", "kind"))
    primary, duplicate, delay = rx.primary.tolist(), rx.duplicate.tolist(), rx.duplicate_delay_s.tolist()
    for i in np.nonzero(heard)[0].tolist():
        t, tx, row, kind = t_list[i], txs[tx_list[i]], row_list[i], kind_list[i]
        if kind == POSITION:
            r = tx.reports
            sentences = position_sentences(int(r.msg_type[row]), tx.mmsi, float(r.lat[row]), float(r.lon[row]),
                                           float(r.sog[row]), float(r.cog[row]), int(r.heading[row]),
                                           int(r.status[row]), int(t) % 60, str(channels[i]))
            positions += 1
        else:
            identity = tx.identity_at(t)
            if kind == TYPE5:
                leg = tx.leg_at(t)
                seq_id = (seq_id + 1) % 10
                sentences = payloads.type5(identity, leg.voyage if leg else None, str(channels[i]), seq_id)
            else:
                sentences = payloads.type24(identity, 0 if kind == TYPE24A else 1, str(channels[i]))
            n_statics += 1
        receptions = [(primary[i], t)]
        if duplicate[i] >= 0:
            receptions.append((duplicate[i], t + delay[i]))
            duplicates += 1
        for source, when in receptions:
            if len(sentences) == 1:
                lines.append(f"{tag_block(SOURCES[source], when)}{sentences[0]}\n".encode("ascii"))
                lines_t.append(when)
            else:
                group_id = group_id % 99_999 + 1
                for k, sentence in enumerate(sentences, start=1):
                    group = (k, len(sentences), group_id)
                    lines.append(f"{tag_block(SOURCES[source], when, group)}{sentence}\n".encode("ascii"))
                    lines_t.append(when)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    if progress is not None:
        progress(total, total)
    order = np.argsort(np.asarray(lines_t, dtype=np.int64), kind="stable")
    lines = [lines[k] for k in order.tolist()]
    rng = _rng(seed, 14)
    damaged = np.nonzero(rng.random(len(lines)) < CORRUPTED_SHARE)[0]
    for k in damaged.tolist():
        lines[k] = corrupt(lines[k].rstrip(b"\n"), str(rng.choice(CORRUPTIONS)), rng) + b"\n"
    return {"lines": lines, "positions": positions, "statics": n_statics, "duplicates": duplicates,
            "corrupted": len(damaged), "unheard": int((~heard).sum())}


def _write_vessels(path: Path, fleet: list[Vessel]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for v in fleet:
            i = v.identity
            f.write(json.dumps({
                "mmsi": i.mmsi, "name": i.name, "callsign": i.callsign, "imo": i.imo or None,
                "ship_type": i.ship_type, "class": v.ais_class, "role": v.role, "flag": v.flag,
                "length": i.to_bow + i.to_stern, "beam": i.to_port + i.to_starboard, "home_port": v.home_port,
            }) + "\n")
