"""Where settings come from besides the config file's values: secrets in files
(``NOTIFIER_X_FILE``, Docker and Kubernetes secrets), paths relative to the config file, and the
check that the key signing mail links is a real one (``notifier.config`` loads the settings)."""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from notifier.errors import ConfigError

if TYPE_CHECKING:
    from notifier.config import Settings


class WithoutFileVariables(PydanticBaseSettingsSource):
    """The environment, minus the NOTIFIER_..._FILE variables (see ``secret_files``)."""

    def __init__(self, settings_cls: type[BaseSettings], inner: PydanticBaseSettingsSource):
        super().__init__(settings_cls)
        self._inner = inner

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return _without_file_keys(self._inner())


def _without_file_keys(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: _without_file_keys(value) if isinstance(value, dict) else value
        for key, value in data.items()
        if not key.lower().endswith("_file")
    }


SECRETS = (
    ("smtp", "password"),
    ("web", "secret_key"),
    ("web", "status_token"),
    ("notify", "operator_urls"),
    ("notify", "secretariat_urls"),
)
_FILE_SUFFIX = "_FILE"
# Settings holding a path (or a SQLite URL) that the config file may give relative to itself.
_PATHS = ("data_dir", "topics_file", "templates_dir")
MIN_SECRET_LENGTH = 32
PLACEHOLDER_SECRETS = frozenset(
    {"change-me-to-a-long-random-value", "change-me", "changeme", "secret", "please-change"}
)


def secret_files(data: dict[str, Any]) -> None:
    """``NOTIFIER_X_FILE=/run/secrets/x`` sets what ``NOTIFIER_X`` would, from the file's
    content (one trailing newline dropped): Docker and Kubernetes secrets."""
    for name, value in os.environ.items():
        upper = name.upper()
        if not upper.startswith("NOTIFIER_") or not upper.endswith(_FILE_SUFFIX):
            continue
        target = upper[: -len(_FILE_SUFFIX)]
        if os.environ.get(target):
            raise ConfigError(f"both ${target} and ${name} are set; use one")
        try:
            content = Path(value).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigError(f"${name}: cannot read {value}: {exc.strerror}") from None
        *tables, key = target.removeprefix("NOTIFIER_").lower().split("__")
        where = data
        for table in tables:
            where = where.setdefault(table, {})
        where[key] = content


def relative_to_config(folder: Path, data: dict[str, Any]) -> None:
    """Paths written in the config file are relative to its folder, not to wherever the
    command runs."""
    for key in _PATHS:
        if isinstance(data.get(key), str) and not Path(data[key]).is_absolute():
            data[key] = os.path.normpath(folder / data[key])
    url = data.get("database_url")
    prefix = "sqlite+aiosqlite:///"
    if isinstance(url, str) and url.startswith(prefix):
        database = url[len(prefix) :]
        if database and database != ":memory:" and not Path(database).is_absolute():
            data["database_url"] = prefix + os.path.normpath(folder / database)


def check_secret_key(settings: Settings) -> None:
    """For the service: a configured secret key must not be a placeholder or short, since it
    signs every link in every mail (an empty one is a random key per process, said at start)."""
    key = settings.web.secret_key.get_secret_value()
    if key and (key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < MIN_SECRET_LENGTH):
        raise ConfigError(
            f"web.secret_key: a placeholder or a short key ({len(key)} characters) signs the "
            f"links in mails; set NOTIFIER_WEB__SECRET_KEY (or _FILE) to {MIN_SECRET_LENGTH}+ "
            "random characters, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )


def describe_errors(path: Path, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        where = ""
        for part in error["loc"]:
            where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown setting"
        lines.append(f"{path}: {where or 'config'}: {message}")
    return "\n".join(lines)


# NOTIFIER_ variables that are not settings: the config file's path, and the test suite's.
_NOT_SETTINGS = ("config", "test_", "require_")


def misspelt_variables(
    known: Collection[str], environ: Mapping[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """NOTIFIER_ variables that name no setting: pydantic-settings ignores them, so a misspelt
    table or top-level key (NOTIFIER_SMPT__HOST) would leave the setting at its default without
    a word (a misspelt key within a table is refused already). Returns the errors, for those
    that look like a known setting misspelt, and the warnings, for the rest."""
    errors, warnings = [], []
    for variable in sorted(os.environ if environ is None else environ):
        if not variable.upper().startswith("NOTIFIER_"):
            continue
        name = variable[len("NOTIFIER_") :].lower()
        top = name.split("__")[0].removesuffix("_file")
        if top in known or name.startswith(_NOT_SETTINGS):
            continue
        close = difflib.get_close_matches(top, list(known), n=1, cutoff=0.7)
        if close:
            errors.append(f"{variable} is not a setting; did you mean NOTIFIER_{close[0].upper()}?")
        else:
            warnings.append(f"{variable} is not a setting and is ignored")
    return errors, warnings
