"""Operations endpoints: /healthz (the process answers), /readyz (it can do its job), /metrics.

/readyz is 200 ``{"ready": true}`` or 503 ``{"ready": false}``. It is not ready when the
database does not answer, the scheduler is not running, a core job (a source's polls, the
digests, the sender) failed and has not succeeded since (see ``notifier.health``), or no source
has polled successfully within ``STALE_AFTER`` of its intervals (a process younger than that
counts as still starting, so a fresh deployment is ready while its first polls run). One source
that keeps failing does not make it unready: that is an operator alert, not a reason to take
the web app out of service.

The public body says only ready or not. With ``Authorization: Bearer <web.status_token>`` it
also lists the failing checks, each source's last successful poll and each job's record.
"""

from __future__ import annotations

import asyncio
import hmac
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from notifier import metrics
from notifier.errors import StoreError
from notifier.models import SourceState, from_the_future
from notifier.web.site import Site, site_of

DB_TIMEOUT = 5.0  # seconds; a database slower than this is as good as down for readiness
STALE_AFTER = 3  # poll intervals without a successful poll


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    site = site_of(request)
    problems: list[dict[str, str]] = []
    if not site.scheduler_running():
        problems.append({"check": "scheduler", "problem": "the scheduler is not running"})
    problems += site.health.problems()
    sources: list[dict[str, Any]] = []
    try:
        states = await asyncio.wait_for(site.store.sources.states(), DB_TIMEOUT)
    except (StoreError, TimeoutError) as exc:
        problems.append({"check": "database", "problem": f"not reachable: {type(exc).__name__}"})
    else:
        sources = _sources(site, states)
        if sources and not any(source["fresh"] or source["starting"] for source in sources):
            problems.append(
                {
                    "check": "sources",
                    "problem": f"no source has polled successfully within {STALE_AFTER} of "
                    "its intervals",
                }
            )
    body: dict[str, Any] = {"ready": not problems}
    if _authorized(request, site):
        body |= {"problems": problems, "sources": sources, "jobs": _jobs(site)}
    return JSONResponse(body, status_code=503 if problems else 200)


def _sources(site: Site, states: list[SourceState]) -> list[dict[str, Any]]:
    by_id = {state.id: state for state in states}
    now = site.clock()
    found = []
    for source in site.settings.sources:
        state = by_id.get(source.id)
        last = state.last_success_at if state else None
        limit = timedelta(seconds=source.interval * STALE_AFTER)
        found.append(
            {
                "id": source.id,
                "last_success": _iso(last),
                # A success recorded ahead of the clock says nothing of polls now.
                "fresh": last is not None
                and not from_the_future(last, now)
                and now - last <= limit,
                "starting": now - site.started_at <= limit,
                "state": state.state if state else None,
                "consecutive_failures": state.consecutive_failures if state else 0,
            }
        )
    return found


def _jobs(site: Site) -> dict[str, dict[str, Any]]:
    return {
        job: {
            "failures": state.failures,
            "last_success": _iso(state.last_success),
            "last_failure": _iso(state.last_failure),
            "reason": state.reason or None,
        }
        for job, state in sorted(site.health.jobs().items())
    }


def _authorized(request: Request, site: Site) -> bool:
    token = site.settings.web.status_token.get_secret_value()
    if not token:
        return False
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


async def metrics_endpoint(request: Request) -> Response:
    site = site_of(request)
    depth = await site.store.outbox.depth()
    states = await site.store.sources.states()
    metrics.set_store_gauges(
        outbox_depth=depth, last_success={state.id: state.last_success_at for state in states}
    )
    metrics.set_job_gauges(
        {job: (state.failures, state.last_success) for job, state in site.health.jobs().items()}
    )
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics_endpoint, methods=["GET"]),
]
