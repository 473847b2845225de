"""The real app under uvicorn on 127.0.0.1, in a thread with its own event loop, for tests that
drive it from outside (a browser through Playwright's sync API).

``Served.run(coro)`` runs a coroutine on the app's loop (setting up data, reading the store), so
the test thread never touches the app's database connections from another loop. The outbox is
sent at once after the console queues a mail (``create_app(send_outbox=...)``), through the real
Deliverer to an SMTP server on 127.0.0.1, as ``notifier run`` would.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import uvicorn

from notifier.config import Settings
from notifier.runtime import Runtime
from notifier.store import Store
from notifier.web.app import create_app

T = TypeVar("T")
STARTUP = 30.0  # seconds


@dataclass
class Served:
    base_url: str
    settings: Settings
    loop: asyncio.AbstractEventLoop
    runtime: Runtime

    @property
    def store(self) -> Store:
        return self.runtime.store

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)


@contextmanager
def serve(settings: Settings) -> Iterator[Served]:
    """``settings.web.base_url`` must be ``http://127.0.0.1:<port>`` with ``port`` free: use
    ``reserve_port`` and build the settings with it."""
    port = int(settings.web.base_url.rsplit(":", 1)[1])
    loop = asyncio.new_event_loop()
    ready: Future[Served] = Future()
    stop = asyncio.Event()

    async def main() -> None:
        runtime = Runtime(settings)
        await runtime.open()
        lock = asyncio.Lock()

        async def send_outbox() -> None:
            async with lock:  # one sender at a time, as the service's send job
                await runtime.deliverer.run_once(now=runtime.now())

        app = create_app(runtime, send_outbox=send_outbox)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        )
        task = asyncio.create_task(server.serve())
        try:
            for _ in range(int(STARTUP * 100)):  # uvicorn has no "started" event to wait on
                if server.started or task.done():
                    break
                await asyncio.sleep(0.01)
            if task.done():
                await task  # raises why it did not start
            ready.set_result(Served(settings.web.base_url, settings, loop, runtime))
            await stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            raise
        finally:
            server.should_exit = True
            await task
            await runtime.aclose()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        yield ready.result(STARTUP)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(STARTUP)
        loop.close()


def reserve_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
