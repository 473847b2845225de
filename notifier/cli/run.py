"""`notifier run` (the service) and `notifier healthcheck` (for Docker's HEALTHCHECK)."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

import click

from notifier.cli import App, pass_app

if TYPE_CHECKING:
    from notifier.config import Settings


@click.command("run")
@pass_app
def run_command(app: App) -> None:
    """Poll, publish feeds, send digests and alerts, and serve the web app until SIGTERM."""
    from notifier.collector import collect_less
    from notifier.config_sources import check_secret_key
    from notifier.logs import configure
    from notifier.service import Service

    settings = app.settings
    check_secret_key(settings)
    configure(settings.log_level)
    collect_less()

    async def serve() -> None:
        service = await Service.open(settings)
        await service.run()

    asyncio.run(serve())


@click.command("healthcheck")
@click.option("--url", default=None, help="Health URL (default: /healthz on [web] host/port).")
@click.option("--timeout", default=5.0, show_default=True, help="Seconds to wait for an answer.")
@pass_app
def healthcheck_command(app: App, url: str | None, timeout: float) -> None:
    """Exit 0 when the running service answers /healthz with 200, else 1."""
    import httpx

    url = url or health_url(app.settings)
    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        click.echo(f"unhealthy: {url}: {exc}", err=True)
        sys.exit(1)
    if response.status_code != 200:
        click.echo(f"unhealthy: {url}: HTTP {response.status_code}", err=True)
        sys.exit(1)
    click.echo("healthy")


def health_url(settings: Settings) -> str:
    host = settings.web.host
    # A wildcard listen address is reachable on loopback.
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.web.port}/healthz"
