"""Settings in one place: ``MARITIME_*`` environment variables, then an optional TOML file.

The TOML file is ``$MARITIME_CONFIG`` if set, else ``maritime.toml`` in the user's
config directory. Environment variables win over the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import platformdirs
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from maritime.errors import ConfigError

APP_NAME = "maritime"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_file() -> Path:
    env = os.environ.get("MARITIME_CONFIG")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "maritime.toml"


class IngestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MARITIME_INGEST_", extra="ignore")

    # The same transmission heard by several receivers arrives within a few seconds;
    # a SOTDMA payload repeats bit for bit only inside one frame (60 s), so 10 s is safe.
    # 0 turns duplicate suppression off.
    duplicate_window_s: float = Field(10.0, ge=0)
    # ITU-R M.1371: fragments of one message are sent back to back; 30 s covers slow relays.
    multipart_timeout_s: float = 30.0
    batch_size: int = Field(20_000, ge=1)
    max_line_bytes: int = Field(4_096, ge=82)
    rejects_kept: int = Field(10_000, ge=0)
    # Bytes re-read before a checkpoint on resume, so duplicate suppression and
    # multi-sentence assembly see what came just before the interruption.
    resume_rewind_bytes: int = Field(1_000_000, ge=0)
    # Files at least this large are written by a second process while this one decodes.
    parallel_write_min_bytes: int = Field(16_000_000, ge=0)


class DetectSettings(BaseSettings):
    """Rule thresholds, unit in the name, source beside each (see maritime/detect/)."""

    model_config = SettingsConfigDict(env_prefix="MARITIME_DETECT_", extra="ignore")

    # ais_gap. Skylight and GFW flag "dark" gaps from a few hours; GFW's pipe-gaps publishes
    # gaps of 12 h and more (pipe_gaps/core/gap_detector.py THRESHOLD = 12 h).
    gap_min_h: float = 2.0  # source: issue 4 rule table; Skylight AIS-gap events
    gap_warning_h: float = 6.0  # source: issue 4 rule table
    gap_critical_h: float = 12.0  # source: GFW pipe-gaps THRESHOLD = timedelta(hours=12)
    gap_min_sog_kn: float = 1.0  # source: issue 4 (under way before the silence)
    # "where coverage is good", learned from the reports (maritime/detect/coverage.py): a cell's reception
    # ratio is the time vessels were heard there over heard + silent time, pooled over 3 x 3 cells.
    gap_coverage_cell_deg: float = 0.1  # ~11 km; offshore reception holes are 50-60 km in radius (simulator)
    gap_heard_max_interval_minutes: float = 15.0  # source: ITU-R M.1371 reports every <= 3 min; 5 missed = silent
    gap_min_reception_ratio: float = 0.8  # mean ratio along the gap's course for "coverage is good"
    gap_coverage_min_h: float = 0.5  # vessel-hours in a neighbourhood before its reception can be judged
    gap_min_known_fraction: float = 0.5  # of the course in cells whose reception can be judged
    # position_jump: implied speed beyond any ship; GFW's segmenter splits tracks above 50 kn
    jump_min_speed_kn: float = 50.0  # source: GFW pipe-segment max_speed = 50 kn
    jump_type_factor: float = 1.5  # source: issue 4 rule table
    jump_min_distance_m: float = 1_000.0  # source: issue 4 rule table
    # a spoofed stretch jumps out and back: jumps this close together are one episode
    jump_merge_minutes: float = 30.0  # longer apart, the way out and the way back are two events
    # on_land
    on_land_min_fixes: int = 2  # source: issue 4 rule table
    on_land_min_inland_m: float = 1_000.0  # source: issue 4 rule table (1 km land mask resolution)
    # circle_spoofing
    circle_min_sweep_deg: float = 300.0  # source: issue 4 rule table
    circle_max_residual_ratio: float = 0.15  # radius residual / radius
    anchored_max_sog_kn: float = 3.0  # source: issue 4 rule table (at anchor/moored with SOG > 3 kn)
    anchored_min_minutes: float = 10.0  # sustained: a dragging anchor or a gust passes within minutes
    # fixes thinned to one a minute: over 10 s steps, 3 m of GNSS noise turns the course by degrees
    circle_step_s: float = 60.0  # source: GNSS horizontal error ~3 m (GPS SPS Performance Standard 2020)
    circle_min_fixes: int = 8
    circle_min_speed_kn: float = 2.0  # below this the course of a step is GNSS noise
    circle_max_speed_cv: float = 0.25  # steady speed: std / mean of the step speeds
    # loitering. GFW loitering events: mean speed < 2 kn for >= 2 h, >= 20 nm from shore
    loiter_max_mean_sog_kn: float = 2.0  # source: GFW loitering events definition
    loiter_min_h: float = 2.0  # source: GFW loitering events definition
    loiter_min_port_distance_m: float = 10_000.0  # source: issue 4 rule table
    loiter_smoothing_minutes: float = 30.0  # centred window of the mean speed; drifts wander 0.4-1.5 kn
    # rendezvous. GFW encounters: <= 500 m, < 2 kn, >= 2 h; issue 4 asks for 30 min to alert early
    rendezvous_max_distance_m: float = 500.0  # source: GFW encounter events definition
    rendezvous_max_sog_kn: float = 2.0  # source: GFW encounter events definition
    rendezvous_min_minutes: float = 30.0  # source: issue 4 rule table
    rendezvous_min_port_distance_m: float = 10_000.0  # source: GFW encounters exclude 10 km around anchorages
    rendezvous_time_bin_minutes: float = 5.0  # pairing bins; one position per vessel per bin
    # speed_anomaly
    speed_min_reports: int = 3  # source: issue 4 rule table
    speed_implied_diff_kn: float = 10.0  # source: issue 4 rule table
    # implied speed over at least 2 min of track (1 s time stamps make shorter steps too coarse),
    # at most 15 min (longer spans cut corners); the disagreement must last 10 min
    speed_implied_baseline_s: float = 120.0
    speed_implied_max_span_s: float = 900.0
    speed_implied_min_minutes: float = 10.0
    # mmsi_conflict: two transmitters on one MMSI switch places again and again; one bad stretch
    # jumps out and back (2 switches), so 4 switches and 3 fixes on each track are a conflict
    conflict_min_switches: int = 4
    conflict_min_fixes: int = 3
    # both transmitters are heard every few minutes (ITU-R M.1371: <= 3 min); a vessel displaced and
    # returned twice by GNSS spoofing (30-75 min each) is not a clone
    conflict_merge_minutes: float = 20.0
    # route_deviation
    route_deviation_percentile: float = 99.0  # source: issue 4 rule table
    route_deviation_min_minutes: float = 30.0  # source: issue 4 rule table
    # off-lane runs closer than this are one detour (one crossing another lane on its way is still one);
    # shorter runs are noise (a few displaced fixes), not part of any detour
    route_deviation_merge_minutes: float = 60.0
    route_deviation_min_part_minutes: float = 10.0
    lanes_cell_deg: float = 0.05  # ~5 km lane cells; lanes spread ~1 km either side of their axis (simulator)
    # a cell is part of a lane when this many vessels of the type group crossed it along its axis (either way)
    lanes_min_vessels: int = Field(2, ge=1)
    route_deviation_min_distance_m: float = 5_000.0  # floor under the learned percentile: a lane cell's size
    route_deviation_min_port_distance_m: float = 15_000.0  # port approaches fan out from the lanes
    # a deviation leaves the line the vessel was on: off-lane positions this far from the straight line between
    # where it was route_deviation_context_minutes before and after (a straight passage on a rare route is not)
    route_deviation_min_detour_m: float = 10_000.0  # ~2 lane cells
    route_deviation_context_minutes: float = 60.0
    # lanes fitted on less than this span of traffic are too sparse to judge by (measured: hourly replays of
    # simulated days over 14 h windows gave 11 events, 1 true; a whole day 4 events, 3 true)
    route_deviation_min_history_h: float = 20.0
    # lanes are learned from the stored week before the window (a day has too few passages per route),
    # from one report in lanes_history_sample (they join reports up to 30 min apart: on a simulated week of
    # minute reports, 1 in 8 or 16 gave the same lanes, thresholds and events as 1 in 4, in a half or a
    # quarter of the time; 1 in 8 leaves 2 % of steps over 30 min, 1 in 16 14 %), refitted every 6 h
    lanes_history_days: float = Field(7.0, gt=0)
    lanes_history_sample: int = Field(8, ge=1)
    lanes_refit_h: float = Field(6.0, gt=0)
    # identity_change: a class A sends type 5 every 6 min; a class B sends 24A and 24B every 6 min, not
    # together, so the parts of one identity swap arrive minutes apart and count as one change.
    identity_merge_minutes: float = 15.0  # source: ITU-R M.1371-5 static report intervals (6 min), two cycles
    # the newest position within this time of an identity report gives the event its place
    identity_position_max_gap_minutes: float = 60.0
    # gnss_interference: many vessels displaced to one place at once
    gnss_min_vessels: int = 5  # reports of 24-50 ships at once at Black Sea airports (issue 4)
    gnss_cluster_radius_m: float = 2_000.0
    gnss_window_minutes: float = 30.0
    # behaviour_outlier: a model window (1 h) with a shorter span of reports is not scored yet
    behaviour_min_window_minutes: float = 30.0
    # Detection looks this far back before new data, so episodes that began earlier are seen whole;
    # the vessels of episodes still open from before that are read from where the episode began, up to
    # open_episode_max_days back (a day's silence is a gap that must close when the vessel reappears)
    lookback_h: float = 14.0
    open_episode_max_days: float = Field(7.0, gt=0)


class DashboardSettings(BaseSettings):
    """The officers' dashboard (``maritime dashboard``)."""

    model_config = SettingsConfigDict(env_prefix="MARITIME_DASHBOARD_", extra="ignore")

    # Signs session cookies; unset, a random key is made once and kept in the data directory (0600).
    secret_key: Optional[str] = Field(None, min_length=32)
    session_hours: float = Field(12.0, gt=0)  # a watch; then sign in again
    idle_minutes: float = Field(120.0, gt=0)  # no request at all for this long ends the session
    refresh_s: float = Field(30.0, ge=5)  # live picture auto-refresh
    # Optional online base map below the vessels, e.g. https://tiles.example.org/{z}/{x}/{y}.png;
    # unset, the map is drawn offline from the land mask.
    tile_url: Optional[str] = None
    tile_attribution: str = ""
    secure_cookies: bool = False  # set when served over HTTPS


class ModelSettings(BaseSettings):
    """Analysts' anomaly models: training, calibration and scoring (models/, maritime/model_registry.py)."""

    model_config = SettingsConfigDict(env_prefix="MARITIME_MODELS_", extra="ignore")

    # Model files; default: a "models" folder beside the SQLite file, else in the data directory.
    dir: Optional[Path] = None
    # Calibration target: alarms on normal held-out windows per 1,000 vessel-hours (300 vessels: ~7 a day).
    false_alarms_per_1000_vessel_hours: float = Field(1.0, ge=0)
    holdout_fraction: float = Field(0.3, gt=0, lt=1)  # the latest part of the training window, held out
    threads: int = Field(1, ge=1)  # OpenMP/BLAS threads for fitting and scoring; more thrash on a busy host


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MARITIME_", extra="ignore")

    db_url: Optional[str] = None
    data_dir: Path = Field(default_factory=default_data_dir)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    detect: DetectSettings = Field(default_factory=DetectSettings)
    models: ModelSettings = Field(default_factory=ModelSettings)
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=default_config_file())
        return (init_settings, env_settings, toml)

    @property
    def database_url(self) -> str:
        if self.db_url:
            return self.db_url
        return f"sqlite:///{self.data_dir / 'maritime.sqlite'}"


def load_settings(**overrides) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from None
