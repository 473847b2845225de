"""The ASGI app: feeds, Danish subscription pages, the public archive, health and metrics.

``notifier.web.app.create_app(settings, engine)`` builds it; mount it under uvicorn.
"""

from notifier.web import ids as _ids  # noqa: F401  registers {name:id} before any route
