"""Settings in one place: ``MARITIME_*`` environment variables, then an optional TOML file.

The TOML file is ``$MARITIME_CONFIG`` if set, else ``maritime.toml`` in the user's
config directory. Environment variables win over the file.
"""

from __future__ import annotations

import os
from functools import lru_cache
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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MARITIME_", extra="ignore")

    db_url: Optional[str] = None
    data_dir: Path = Field(default_factory=default_data_dir)
    ingest: IngestSettings = Field(default_factory=IngestSettings)

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


@lru_cache(maxsize=1)
def _cached() -> Settings:
    return load_settings()


def load_settings(**overrides) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from None
