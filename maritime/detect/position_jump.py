"""position_jump: consecutive fixes no ship of the type could have sailed between.

The implied speed between a vessel's consecutive fixes must exceed
``max(jump_min_speed_kn, jump_type_factor × the type's top speed)`` over more than
``jump_min_distance_m``. Reports without a position are not fixes, so a GNSS
outage is never a jump. Jumps of one vessel less than ``jump_merge_minutes``
apart are one episode: a spoofed stretch jumps out and back, and that is one event.
"""

from __future__ import annotations

import numpy as np

from maritime.detect.common import as_datetime, rounded
from maritime.detect.events import Event
from maritime.detect.spoofing import episode_ids, fix_evidence, fix_steps, jump_limit_evidence
from maritime.detect.tracks import TrackContext

EVIDENCE_JUMPS = 20  # listed per event; the counts cover them all
MINOR_JUMP_M = 5_000.0  # a few km is within what a bad fix or a time-stamping slip can do: info


def detect_position_jump(ctx: TrackContext) -> list[Event]:
    s = ctx.settings
    steps = fix_steps(ctx)
    jumps = steps[steps["impossible"]].reset_index(drop=True)
    if jumps.empty:
        return []
    mmsi = jumps["mmsi"].to_numpy()
    episode = episode_ids(mmsi, jumps["prev_t_s"].to_numpy(), jumps["t_s"].to_numpy(), s.jump_merge_minutes * 60.0)
    events = []
    for _, group in jumps.groupby(episode, sort=False):
        first, last = group.iloc[0], group.iloc[-1]
        worst = group["implied_speed_kn"].max()
        longest = group["distance_m"].max()
        # out and back: the behaviour spans the first wrong fix to the last one before the return
        end_s = max(first["t_s"], last["prev_t_s"]) if len(group) > 1 else first["t_s"]
        listed = [{"from": fix_evidence(j.prev_t_s, j.prev_lat, j.prev_lon), "to": fix_evidence(j.t_s, j.lat, j.lon),
                   "distance_m": round(float(j.distance_m)), "implied_speed_kn": rounded(j.implied_speed_kn)}
                  for j in group.head(EVIDENCE_JUMPS).itertuples()]
        events.append(Event(
            kind="position_jump", mmsi=int(first["mmsi"]), start=as_datetime(first["t_s"]), end=as_datetime(end_s),
            lat=float(first["lat"]), lon=float(first["lon"]),
            severity="info" if longest < MINOR_JUMP_M else "warning",
            score=round(float(np.clip(1.0 - first["limit_kn"] / worst, 0.0, 1.0)), 3),
            detector="position_jump", detected_at=as_datetime(first["t_s"]),
            evidence={"jumps": listed, "n_jumps": len(group), "max_implied_speed_kn": rounded(worst),
                      "max_distance_m": round(float(longest)),
                      **jump_limit_evidence(s, first["ship_type"], first["top_speed_kn"], first["limit_kn"])},
        ))
    return events
