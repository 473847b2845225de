"""Operations endpoints: /healthz (the process answers), /readyz (it can do its job), /metrics.

/readyz is 503 with a JSON list of problems when the database does not answer, the scheduler
is not running, or a configured source has had no successful poll for three of its intervals.
A source never polled successfully counts from the start of this process, so a fresh
deployment is ready while its first polls run.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from notifier import metrics
from notifier.errors import StoreError
from notifier.web.site import Site, site_of

DB_TIMEOUT = 5.0  # seconds; a database slower than this is as good as down for readiness
STALE_AFTER = 3  # poll intervals without a successful poll


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    site = site_of(request)
    problems = []
    if not site.scheduler_running():
        problems.append({"check": "scheduler", "problem": "the scheduler is not running"})
    try:
        problems += await asyncio.wait_for(_source_problems(site), DB_TIMEOUT)
    except (StoreError, TimeoutError) as exc:
        problems.append({"check": "database", "problem": f"not reachable: {type(exc).__name__}"})
    status = 503 if problems else 200
    return JSONResponse({"ready": not problems, "problems": problems}, status_code=status)


async def _source_problems(site: Site) -> list[dict[str, str]]:
    states = {state.id: state for state in await site.store.sources.states()}
    now = site.clock()
    problems = []
    for source in site.settings.sources:
        state = states.get(source.id)
        last = state.last_success_at if state else None
        limit = timedelta(seconds=source.interval * STALE_AFTER)
        if last is None:
            if now - site.started_at > limit:
                problem = "never polled successfully"
                problems.append({"check": f"source:{source.id}", "problem": problem})
        elif now - last > limit:
            problems.append(
                {
                    "check": f"source:{source.id}",
                    "problem": f"last successful poll {_iso(last)}, more than {limit} ago",
                }
            )
    return problems


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


async def metrics_endpoint(request: Request) -> Response:
    site = site_of(request)
    depth = await site.store.outbox.depth()
    states = await site.store.sources.states()
    metrics.set_store_gauges(
        outbox_depth=depth, last_success={state.id: state.last_success_at for state in states}
    )
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics_endpoint, methods=["GET"]),
]
