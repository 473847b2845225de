"""The secretariat's console at ``/admin``: server-rendered, in Danish, usable without
JavaScript. Sign-in by a mailed link (``auth``); subscribers, what went to whom, sources, the
review queue and the audit log. ``console`` holds what every page shares."""

from __future__ import annotations

from notifier.web.admin import auth, home, review, sendlog, sources, subscribers
from notifier.web.admin.console import Console

routes = [
    *auth.routes,
    *home.routes,
    *subscribers.routes,
    *sendlog.routes,
    *sources.routes,
    *review.routes,
]

__all__ = ["Console", "routes"]
