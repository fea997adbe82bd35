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


class DetectSettings(BaseSettings):
    """Rule thresholds, unit in the name, source beside each (see maritime/detect/)."""

    model_config = SettingsConfigDict(env_prefix="MARITIME_DETECT_", extra="ignore")

    # ais_gap. Skylight and GFW flag "dark" gaps from a few hours; GFW's pipe-gaps publishes
    # gaps of 12 h and more (pipe_gaps/core/gap_detector.py THRESHOLD = 12 h).
    gap_min_h: float = 2.0  # source: issue 4 rule table; Skylight AIS-gap events
    gap_warning_h: float = 6.0  # source: issue 4 rule table
    gap_critical_h: float = 12.0  # source: GFW pipe-gaps THRESHOLD = timedelta(hours=12)
    gap_min_sog_kn: float = 1.0  # source: issue 4 (under way before the silence)
    # position_jump: implied speed beyond any ship; GFW's segmenter splits tracks above 50 kn
    jump_min_speed_kn: float = 50.0  # source: GFW pipe-segment max_speed = 50 kn
    jump_type_factor: float = 1.5  # source: issue 4 rule table
    jump_min_distance_m: float = 1_000.0  # source: issue 4 rule table
    # on_land
    on_land_min_fixes: int = 2  # source: issue 4 rule table
    on_land_min_inland_m: float = 1_000.0  # source: issue 4 rule table (1 km land mask resolution)
    # circle_spoofing
    circle_min_sweep_deg: float = 300.0  # source: issue 4 rule table
    circle_max_residual_ratio: float = 0.15  # radius residual / radius
    anchored_max_sog_kn: float = 3.0  # source: issue 4 rule table (at anchor/moored with SOG > 3 kn)
    # loitering. GFW loitering events: mean speed < 2 kn for >= 2 h, >= 20 nm from shore
    loiter_max_mean_sog_kn: float = 2.0  # source: GFW loitering events definition
    loiter_min_h: float = 2.0  # source: GFW loitering events definition
    loiter_min_port_distance_m: float = 10_000.0  # source: issue 4 rule table
    # rendezvous. GFW encounters: <= 500 m, < 2 kn, >= 2 h; issue 4 asks for 30 min to alert early
    rendezvous_max_distance_m: float = 500.0  # source: GFW encounter events definition
    rendezvous_max_sog_kn: float = 2.0  # source: GFW encounter events definition
    rendezvous_min_minutes: float = 30.0  # source: issue 4 rule table
    # speed_anomaly
    speed_min_reports: int = 3  # source: issue 4 rule table
    speed_implied_diff_kn: float = 10.0  # source: issue 4 rule table
    # route_deviation
    route_deviation_percentile: float = 99.0  # source: issue 4 rule table
    route_deviation_min_minutes: float = 30.0  # source: issue 4 rule table
    # gnss_interference: many vessels displaced to one place at once
    gnss_min_vessels: int = 5  # reports of 24-50 ships at once at Black Sea airports (issue 4)
    gnss_cluster_radius_m: float = 2_000.0
    gnss_window_minutes: float = 30.0
    # Detection looks this far back before new data, so episodes that began earlier are seen whole.
    lookback_h: float = 14.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MARITIME_", extra="ignore")

    db_url: Optional[str] = None
    data_dir: Path = Field(default_factory=default_data_dir)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    detect: DetectSettings = Field(default_factory=DetectSettings)

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
