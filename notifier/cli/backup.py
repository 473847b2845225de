"""`notifier backup PATH` and `notifier restore PATH`: the embedded SQLite database, copied
safely while the service runs, and put back (with the service stopped)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from notifier.cli import App, pass_app
from notifier.store import backup_database, restore_database


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@pass_app
def backup_command(app: App, path: Path) -> None:
    """Copy the SQLite database to PATH (a new file), safely while the service runs."""
    size = asyncio.run(backup_database(app.settings.database_url, path))
    click.echo(f"backed up to {path} ({size:,} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@pass_app
def restore_command(app: App, path: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup in PATH. Stop the service first."""
    if not yes:
        click.confirm(
            "Replace the database with this backup? (the service must be stopped)", abort=True
        )
    asyncio.run(restore_database(app.settings.database_url, path))
    click.echo(f"restored from {path}")
