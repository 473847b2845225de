"""The ASGI app: feeds, Danish subscription pages, the public archive, health and metrics.

``notifier.web.app.create_app(settings, engine)`` builds it; mount it under uvicorn.
"""
