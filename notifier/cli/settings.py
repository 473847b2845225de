"""`notifier settings`: every setting with its value, default, environment variable and help."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import click
from pydantic import BaseModel, SecretStr

from notifier.cli import App, pass_app
from notifier.config import Settings


@dataclass(frozen=True)
class SettingDoc:
    key: str  # dotted: "smtp.host"
    env: str
    default: object
    help: str


def describe(model: type[BaseModel] = Settings, prefix: str = "") -> Iterator[SettingDoc]:
    """Walk the settings model: the one declaration of every setting."""
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from describe(annotation, f"{prefix}{name}.")
            continue
        key = f"{prefix}{name}"
        env = "NOTIFIER_" + key.upper().replace(".", "__")
        default = None if field.default_factory else field.default
        if isinstance(default, SecretStr):
            default = ""
        yield SettingDoc(key=key, env=env, default=default, help=field.description or "")


def markdown_table() -> str:
    """The settings table in README.md, generated from the settings model."""
    lines = ["| setting | environment | default | meaning |", "| --- | --- | --- | --- |"]
    for doc in describe():
        default = "" if doc.default in (None, "") else f"`{doc.default}`"
        meaning = doc.help.replace("|", "\\|")
        lines.append(f"| `{doc.key}` | `{doc.env}` | {default} | {meaning} |")
    return "\n".join(lines)


@click.command("settings")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--markdown", is_flag=True, help="Print the defaults as README.md's table.")
@pass_app
def settings_command(app: App, as_json: bool, markdown: bool) -> None:
    """Validate the config and list every setting with its current value and help."""
    if markdown:
        click.echo(markdown_table())
        return
    rows = []
    for doc in describe():
        value: object = app.settings
        for part in doc.key.split("."):
            value = getattr(value, part)
        if isinstance(value, SecretStr):
            value = "(set)" if value.get_secret_value() else "(not set)"
        elif doc.key == "sources":
            value = f"{len(app.settings.sources)} sources"
        elif not isinstance(value, str | int | float | bool | None):
            value = str(value)
        rows.append({"key": doc.key, "env": doc.env, "value": value, "help": doc.help})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, default=str))
        return
    for row in rows:
        click.echo(f"{row['key']} = {row['value']!r}\n    {row['help']} [{row['env']}]")
