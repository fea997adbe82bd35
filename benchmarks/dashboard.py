"""Dashboard speed with a full Black Sea day: 3,000 vessels, 24 h of tracks, open anomaly events.

Builds (once, under benchmarks/out/) an SQLite store written the way the ingest writes it: each vessel
reports every REPORT_S seconds for 24 h along its course, the ``vessels`` table holds each latest
position, ~10 % of vessels have open events, zones are loaded. Then measures, in one run:

  1. the bare read of the latest positions (one SELECT on ``vessels``): the baseline;
  2. the live page's refresh callback, server side: an HTTP POST to /_dash-update-component through the
     app (query, filters, figure, JSON), median of several (goal < 300 ms);
  3. the live page's first full render in headless Chromium: from navigation start to every vessel drawn
     by MapLibre (goal < 2 s), median of several page loads;

and prints each with its ratio to the baseline.

    python benchmarks/dashboard.py [--vessels 3000] [--hours 24] [--report-s 90] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from maritime.store.db import open_store  # noqa: E402
from maritime.store.schema import EventRow, PositionRow, StaticRow, UserRow, VesselRow, ZoneRow  # noqa: E402

OUT = Path(__file__).with_name("out")
T0 = datetime(2026, 11, 24, 0, 0)
# open water of the Black Sea, as (lat_min, lat_max, lon_min, lon_max) boxes: starts are drawn from these
WATER = ((42.2, 44.2, 29.5, 40.5), (43.0, 45.5, 30.5, 36.5), (41.5, 42.3, 29.5, 41.0))
KINDS = ("loitering", "ais_gap", "route_deviation", "zone_entry", "speed_anomaly", "identity_change")
SEVERITIES = ("info", "warning", "critical")
PASSWORD = "benchmark-password"
BATCH = 50_000


def build(path: Path, vessels: int, hours: float, report_s: float, seed: int = 11) -> str:
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    rng = np.random.default_rng(seed)
    engine = open_store(url)
    steps = int(hours * 3600 / report_s)
    mmsis = 271_000_000 + np.arange(vessels) * 7 + rng.integers(0, 5, vessels)
    box = rng.integers(0, len(WATER), vessels)
    lat0 = np.array([rng.uniform(WATER[b][0], WATER[b][1]) for b in box])
    lon0 = np.array([rng.uniform(WATER[b][2], WATER[b][3]) for b in box])
    sog = np.where(rng.random(vessels) < 0.2, rng.uniform(0, 0.4, vessels), rng.uniform(6, 16, vessels))
    cog = rng.uniform(0, 360, vessels)
    types = rng.choice([70, 71, 80, 81, 60, 30, 52, 36, 0], vessels)
    flags = rng.choice(["UA", "TR", "RO", "BG", "GE", "RU", "MT", "PA", "LR"], vessels)
    metres = sog * 1852 / 3600 * report_s
    dlat = metres * np.cos(np.radians(cog)) / 111_320
    dlon = metres * np.sin(np.radians(cog)) / (111_320 * np.cos(np.radians(lat0)))
    started = time.perf_counter()
    with engine.begin() as connection:
        rows = []
        for step in range(steps):
            t = T0 + timedelta(seconds=step * report_s)
            lat = np.clip(lat0 + dlat * step, 41.0, 46.8)
            lon = np.clip(lon0 + dlon * step, 27.5, 41.8)
            for i in range(vessels):
                rows.append({"mmsi": int(mmsis[i]), "time": t, "lat": float(lat[i]), "lon": float(lon[i]),
                             "sog": float(sog[i]), "cog": float(cog[i]), "heading": int(cog[i]) % 360,
                             "nav_status": 0, "msg_type": 1, "source": "benchmark", "time_reported": True,
                             "key": int(mmsis[i]) * 100_000 + step})
            if len(rows) >= BATCH:
                connection.execute(insert(PositionRow), rows)
                rows = []
        if rows:
            connection.execute(insert(PositionRow), rows)
        last = T0 + timedelta(seconds=(steps - 1) * report_s)
        lat = np.clip(lat0 + dlat * (steps - 1), 41.0, 46.8)
        lon = np.clip(lon0 + dlon * (steps - 1), 27.5, 41.8)
        connection.execute(insert(VesselRow), [
            {"mmsi": int(mmsis[i]), "name": f"BENCH VESSEL {i}", "callsign": f"UB{i:04d}", "imo": 9_000_000 + i,
             "ship_type": int(types[i]), "length": 120, "beam": 20, "draught": 7.0, "destination": "ODESA",
             "flag": str(flags[i]), "first_seen": T0, "last_seen": last, "identity_time": T0, "position_time": last,
             "lat": float(lat[i]), "lon": float(lon[i]), "sog": float(sog[i]), "cog": float(cog[i]),
             "heading": int(cog[i]) % 360, "nav_status": 0} for i in range(vessels)])
        connection.execute(insert(StaticRow), [
            {"mmsi": int(mmsis[i]), "time": T0, "msg_type": 5, "name": f"BENCH VESSEL {i}", "callsign": f"UB{i:04d}",
             "imo": 9_000_000 + i, "ship_type": int(types[i]), "destination": "ODESA", "source": "benchmark",
             "time_reported": True, "key": int(mmsis[i])} for i in range(vessels)])
        flagged = rng.choice(vessels, vessels // 10, replace=False)
        connection.execute(insert(EventRow), [
            {"id": f"bench{i:027d}", "kind": str(rng.choice(KINDS)), "mmsi": int(mmsis[v]), "other_mmsi": None,
             "start": last - timedelta(hours=2), "end": last, "lat": float(lat[v]), "lon": float(lon[v]),
             "severity": str(rng.choice(SEVERITIES)), "score": 0.5, "detector": "benchmark", "evidence": {},
             "status": "open", "detected_at": last, "updated_at": last} for i, v in enumerate(flagged)])
        connection.execute(insert(ZoneRow), [
            {"name": "Benchmark restricted area", "kind": "restricted", "added_at": T0, "geometry": {
                "type": "Polygon", "coordinates": [[[31.0, 45.5], [31.6, 45.5], [31.6, 45.9], [31.0, 45.9],
                                                    [31.0, 45.5]]]}}])
        from maritime.accounts import hash_password

        connection.execute(insert(UserRow), [{"name": "bench", "password_hash": hash_password(PASSWORD),
                                              "role": "officer", "active": True, "created_at": T0}])
    print(f"built {path.name}: {vessels:,} vessels, {steps * vessels:,} positions over {hours:g} h "
          f"in {time.perf_counter() - started:.0f} s")
    return url


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bare_query(engine, runs: int) -> float:
    v = VesselRow.__table__
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        with engine.connect() as connection:
            connection.execute(select(v).where(v.c.lat.is_not(None))).all()
        samples.append(time.perf_counter() - started)
    return median_ms(samples)


def refresh_callback(app, runs: int) -> tuple[float, int]:
    """Median server time of the live refresh callback, through Flask (query → figure → JSON response)."""
    from tests.dashboard_fixtures import callback_body, post_callback, sign_in

    client = app.server.test_client()
    assert sign_in(client, "bench", PASSWORD).status_code == 302
    inputs = {"live-refresh": 1, "live-layers": ["routes", "ports", "zones"], "live-window": "all"}
    body = callback_body(client, "live-summary", inputs, {"live-focus": ""}, "live-refresh")
    samples, size = [], 0
    for _ in range(runs + 1):
        started = time.perf_counter()
        response = post_callback(client, body)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:300]
        size = len(response.data)
    return median_ms(samples[1:]), size  # the first call warms caches (land polygons, lanes)


FIRST_RENDER_JS = """
const done = arguments[arguments.length - 1], want = arguments[0];
function check() {
  const gd = document.querySelector('#live-map .js-plotly-plot');
  if (gd && gd._fullLayout && gd._fullLayout.map) {
    const map = gd._fullLayout.map._subplot.map;
    const n = gd.data.filter(t => t.mode === 'markers' && t.customdata).reduce((s, t) => s + t.lat.length, 0);
    if (n >= want && map.loaded() && map.queryRenderedFeatures().some(f => f.layer.type === 'circle')) {
      return done(performance.now());
    }
  }
  requestAnimationFrame(check);
}
check();
"""


def first_render(url: str, vessels: int, runs: int) -> float:
    from tests.browser import new_driver, served, sign_in

    from dashboards import create_app

    with served(create_app(url, secret_key="benchmark-" + "k" * 40)) as base:
        driver = new_driver()
        driver.set_script_timeout(60)
        try:
            sign_in(driver, base, "bench", PASSWORD)
            samples = []
            for _ in range(runs + 1):
                driver.get(f"{base}/")
                samples.append(driver.execute_async_script(FIRST_RENDER_JS, vessels) / 1000)
        finally:
            driver.quit()
    return median_ms(samples[1:])  # the first load fills the browser's script cache, as any officer's has


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vessels", type=int, default=3_000)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--report-s", type=float, default=90.0, help="seconds between a vessel's reports")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    url = build(OUT / f"dashboard_{args.vessels}v_{args.hours:g}h_{args.report_s:g}s.sqlite", args.vessels,
                args.hours, args.report_s)
    from dashboards import create_app

    app = create_app(url, secret_key="benchmark-" + "k" * 40)
    engine = open_store(url)
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.1f} at start (other work on the machine slows the browser "
          f"figure most: it draws WebGL in software)")
    baseline = bare_query(engine, args.runs)
    callback_ms, size = refresh_callback(app, args.runs)
    render_ms = first_render(url, args.vessels, args.runs)
    figures = {"vessels": args.vessels, "hours": args.hours, "bare_latest_positions_ms": round(baseline, 1),
               "refresh_callback_ms": round(callback_ms, 1), "refresh_response_kib": round(size / 1024),
               "first_render_ms": round(render_ms, 1), "load_average": round(load, 1)}
    print(f"bare read of latest positions  {baseline:8.1f} ms  (baseline)")
    print(f"refresh callback, server side  {callback_ms:8.1f} ms  {callback_ms / baseline:6.1f} x baseline  "
          f"goal < 300 ms: {'met' if callback_ms < 300 else 'NOT met'}  ({size / 1024:,.0f} KiB response)")
    print(f"live page first full render    {render_ms:8.1f} ms  {render_ms / baseline:6.1f} x baseline  "
          f"goal < 2000 ms: {'met' if render_ms < 2000 else 'NOT met'}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
