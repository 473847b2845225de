"""Command line: one module per command, loaded only when that command runs.

This module owns the group, the shared ``--config`` option and the rule that a ConfigError is
one line and exit 2. It imports nothing heavy: ``notifier --help`` lists the commands from the
table below without importing them (or pydantic, SQLAlchemy, ...).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from notifier.errors import ConfigError, NotifierError

if TYPE_CHECKING:
    from notifier.config import Settings
    from notifier.runtime import Runtime

T = TypeVar("T")

# name -> (module, attribute, one-line help shown by `notifier --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "backup": ("notifier.cli.backup", "backup_command", "Copy the SQLite database safely."),
    "classify": ("notifier.cli.classify", "classify", "Classify items read as JSON lines."),
    "console": ("notifier.cli.console", "console", "The console at /admin: sign-in links."),
    "corrections": ("notifier.cli.console", "corrections", "Export topic corrections."),
    "demo": ("notifier.cli.demo", "demo_command", "Run the whole chain offline."),
    "digest": ("notifier.cli.digest", "digest", "Plan the due digests and send the outbox."),
    "extract": ("notifier.cli.extract", "extract", "Extract and split one document."),
    "feeds": ("notifier.cli.feeds", "feeds_command", "Write the feeds as static files."),
    "healthcheck": ("notifier.cli.run", "healthcheck_command", "Check the running service."),
    "poll": ("notifier.cli.poll", "poll", "Poll the configured sources."),
    "reclassify": ("notifier.cli.poll", "reclassify", "Classify stored items again."),
    "release": ("notifier.cli.poll", "release", "Let a held-back source's changes through."),
    "restore": ("notifier.cli.backup", "restore_command", "Put a database backup back."),
    "review": ("notifier.cli.review", "review", "Documents the quality gate holds for review."),
    "run": ("notifier.cli.run", "run_command", "Run the service."),
    "settings": ("notifier.cli.settings", "settings_command", "Validate and list settings."),
    "sources": ("notifier.cli.sources", "sources", "Check the configured sources."),
    "subscribers": ("notifier.cli.subscribers", "subscribers", "Manage subscribers."),
}


@dataclass
class App:
    """Per-invocation context: the config path, loaded on first use."""

    config_path: Path | None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from notifier.config import load_settings

            self._settings = load_settings(self.config_path)
        return self._settings

    def runtime(self) -> Runtime:
        from notifier.runtime import Runtime

        return Runtime(self.settings)

    def run(self, work: Callable[[Runtime], Coroutine[Any, Any, T]]) -> T:
        """Run ``work`` with an open runtime (database connected and migrated), then close."""
        import asyncio

        async def main() -> T:
            async with self.runtime() as runtime:
                return await work(runtime)

        return asyncio.run(main())


pass_app = click.make_pass_decorator(App)


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attribute, _ = entry
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help) for name, (_, _, help) in sorted(COMMANDS.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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
