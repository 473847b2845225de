"""Settings: the only reader of the config file and the environment.

One TOML file (``config/notifier.toml``, or ``--config PATH`` / ``NOTIFIER_CONFIG``) holds the
settings; every scalar can be overridden from the environment as ``NOTIFIER_<KEY>`` and
``NOTIFIER_<TABLE>__<KEY>`` (``NOTIFIER_SMTP__HOST``), or from a file named by
``NOTIFIER_<...>_FILE`` (Docker and Kubernetes secrets). Secrets (SMTP password, web secret)
come only from the environment or such files. Relative paths written in the config file are
relative to the file's folder, so a cron job can use it from anywhere. Every setting is declared
once, here, with its type, default and help.
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from notifier.config_sections import (
    AdminSettings,
    DigestSettings,
    FetchSettings,
    IngestSettings,
    MailSettings,
    NotifySettings,
    ServiceSettings,
    SmtpSettings,
    SourceConfig,
    WebSettings,
)
from notifier.config_sources import (
    SECRETS,
    WithoutFileVariables,
    describe_errors,
    misspelt_variables,
    relative_to_config,
    secret_files,
)
from notifier.config_values import (
    DatabaseUrl,
)
from notifier.errors import ConfigError
from notifier.resources import default_topics_file

__all__ = [
    "DEFAULT_CONFIG",
    "AdminSettings",
    "DigestSettings",
    "FetchSettings",
    "IngestSettings",
    "MailSettings",
    "NotifySettings",
    "ServiceSettings",
    "Settings",
    "SmtpSettings",
    "SourceConfig",
    "WebSettings",
    "load_settings",
]

DEFAULT_CONFIG = Path("config/notifier.toml")
log = logging.getLogger(__name__)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NOTIFIER_",
        env_nested_delimiter="__",
        extra="forbid",
        case_sensitive=False,
    )

    database_url: DatabaseUrl = Field(
        default="sqlite+aiosqlite:///data/notifier.db",
        description="SQLAlchemy URL: SQLite by default, postgresql+asyncpg://... for replicas.",
    )
    data_dir: Path = Field(default=Path("data"), description="Where state and feeds are written.")
    topics_file: Path = Field(
        default_factory=default_topics_file,
        description="Topic definitions (default: config/topics.toml, else the bundled one).",
    )
    templates_dir: Path | None = Field(
        default=None, description="Override the bundled templates directory."
    )
    log_level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        BeforeValidator(lambda value: value.upper() if isinstance(value, str) else value),
    ] = Field(default="INFO", description="Log level.")
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    service: ServiceSettings = Field(default_factory=ServiceSettings)
    admin: AdminSettings = Field(default_factory=AdminSettings)
    sources: list[SourceConfig] = Field(default_factory=list, description="What to poll.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file arrives as init kwargs; the environment must win over it. NOTIFIER_..._FILE
        # variables are read by load_settings, not taken for settings of their own.
        return (WithoutFileVariables(settings_cls, env_settings), init_settings)

    @model_validator(mode="after")
    def _unique_source_ids(self) -> Settings:
        seen: set[str] = set()
        for source in self.sources:
            if source.id in seen:
                raise ValueError(f"source id {source.id!r} is used twice")
            seen.add(source.id)
        return self

    def source(self, source_id: str) -> SourceConfig:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise ConfigError(f"no source with id {source_id!r} in the config")


def load_settings(path: Path | None = None) -> Settings:
    """Read and validate the config file; raise ConfigError with one readable message."""
    if path is None:
        path = Path(os.environ.get("NOTIFIER_CONFIG") or DEFAULT_CONFIG)
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    elif path != DEFAULT_CONFIG or "NOTIFIER_CONFIG" in os.environ:
        raise ConfigError(f"{path}: config file not found")
    for table, key in SECRETS:
        if key in data.get(table, {}):
            env = f"NOTIFIER_{table.upper()}__{key.upper()}"
            raise ConfigError(f"{path}: {table}.{key}: secrets are read only from ${env}")
    relative_to_config(path.resolve().parent, data)
    secret_files(data)
    errors, warnings = misspelt_variables(Settings.model_fields)
    if errors:
        raise ConfigError("environment: " + "; ".join(errors))
    for warning in warnings:
        log.warning("environment: %s", warning)
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(describe_errors(path, exc)) from None
    except SettingsError as exc:  # an environment value that is not valid JSON, say
        cause = f": {exc.__cause__}" if exc.__cause__ else ""
        raise ConfigError(f"environment: {exc}{cause}") from None
