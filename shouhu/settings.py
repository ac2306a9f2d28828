"""Service settings: command-line options over ``SHOUHU_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shouhu.errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOUHU_", extra="forbid")

    facility: Annotated[list[Path], NoDecode] = Field(
        default_factory=list, description="facility files; several, comma-separated"
    )
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    db_url: str = "sqlite:///var/shouhu.db"
    api_host: str = "127.0.0.1"
    api_port: int = Field(8000, ge=0, le=65535)
    clock: Literal["wall", "event"] = "wall"
    client_id: str = "shouhu-core"
    log_level: str = "INFO"

    @field_validator("facility", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part for part in value.split(",") if part.strip()]
        return value


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with non-None overrides (command-line options) on top."""
    given = {k: v for k, v in overrides.items() if v is not None and v != []}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"setting {name} (SHOUHU_{name.upper()}): {err['msg']}") from exc
