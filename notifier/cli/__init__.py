"""Command line: builds settings and wires objects for each command.

Each command lives in its own module and registers itself on ``main``; this module only owns the
group, the shared ``--config`` option and the rule that a ConfigError is one line and exit 2.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from notifier.config import Settings, load_settings
from notifier.errors import ConfigError, NotifierError


@dataclass
class App:
    """Per-invocation context: the config path, loaded on first use."""

    config_path: Path | None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings


pass_app = click.make_pass_decorator(App)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(f"config error: {exc}", err=True)
            sys.exit(2)
        except NotifierError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Config file (default: $NOTIFIER_CONFIG or config/notifier.toml).",
)
@click.version_option(package_name="notifier")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """KKR Notifier: follows the five KKR councils and tells politicians what is new."""
    ctx.obj = App(config_path=config_path)


# Command modules register themselves on `main` when imported.
from notifier.cli import commands  # noqa: E402,F401
