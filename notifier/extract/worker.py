"""Extraction in a separate, bounded process: hostile input costs one document, not the service.

A 1 MB PDF can inflate to gigabytes inside PDFium, and deeply nested HTML makes any tree
builder slow. Both run here, in one long-lived worker process with an address-space limit
(``RLIMIT_AS``), one job at a time, each with a deadline. A job that overruns the deadline
gets the worker killed; one that runs out of memory ends with a MemoryError or takes the worker
down (PDFium aborts when an allocation fails). Either way the job raises ExtractError with the
reason and the next job gets a fresh worker, while the event loop (and the web app on it) never
waits for a parser.

The worker is a fresh interpreter (``python -m notifier.extract.worker``) speaking pickled
messages over its stdin and stdout: nothing of the service's threads, sockets or main module is
inherited, and starting one (about 0.2 s) happens once, on first use, and after a kill.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from re import Pattern
from typing import IO, Any

import notifier
from notifier import extract
from notifier.collector import collect_less
from notifier.errors import ExtractError
from notifier.extract import links as extract_links
from notifier.extract.dates import danish_day
from notifier.extract.links import Link, ListingPage
from notifier.models import Council, Document
from notifier.split import Split

_START_TIMEOUT = 30.0  # seconds a new worker may take to say it is ready
_SLICE = 0.05  # how often a wait looks for a cancelled job or a closing service


def document(
    body: bytes, url: str, content_type: str | None, council: Council | None
) -> tuple[Document, Split]:
    """Extract and split: a huge document is as slow to split as to read."""
    return extract.extract_split(body, url=url, content_type=content_type, council=council)


def listing_links(
    body: bytes, base_url: str, pattern: Pattern[str] | None, today: date | None
) -> list[Link]:
    return extract.listing_links(body, base_url=base_url, pattern=pattern, today=today)


def listing_page(
    body: bytes,
    base_url: str,
    pattern: Pattern[str] | None,
    today: date | None,
    first_url: str,
    number: int,
) -> ListingPage:
    return extract_links.listing_page(
        body, base_url=base_url, pattern=pattern, today=today, first_url=first_url, number=number
    )


def feed_links(body: bytes, base_url: str) -> list[Link]:
    return extract.feed_links(body, base_url=base_url)


_JOBS: dict[str, Callable[..., Any]] = {
    "document": document,
    "listing_links": listing_links,
    "listing_page": listing_page,
    "feed_links": feed_links,
}


@dataclass
class _Process:
    """One worker process and its two pipe ends; stderr kept in a file for error messages."""

    popen: subprocess.Popen[bytes]
    send: Connection
    receive: Connection
    stderr: IO[bytes]
    memory_bytes: int

    @classmethod
    def start(cls, memory_bytes: int) -> _Process:
        package_root = str(Path(notifier.__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the process)
        popen = subprocess.Popen(
            [sys.executable, "-m", __name__, str(memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env={**os.environ, "PYTHONPATH": path},
        )
        assert popen.stdin is not None and popen.stdout is not None
        send = Connection(os.dup(popen.stdin.fileno()), readable=False)
        receive = Connection(os.dup(popen.stdout.fileno()), writable=False)
        popen.stdin.close()
        popen.stdout.close()
        return cls(popen, send, receive, stderr, memory_bytes)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def exit_code(self) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.popen.wait(5)
        return None

    def last_words(self) -> str:
        """The last line the worker wrote to stderr, if any."""
        self.stderr.seek(max(self.stderr.seek(0, os.SEEK_END) - 1000, 0))
        lines = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1].strip()[:300] if lines else ""

    def kill(self) -> None:
        for end in (self.send, self.receive):
            end.close()
        self.popen.kill()
        self.popen.wait()
        self.stderr.close()


# An idle worker left by a closed ExtractWorker, for the next one in this process (the tests
# build hundreds of pipelines). It exits by itself when this process does: its stdin closes.
_spare: _Process | None = None
_spare_lock = threading.Lock()


def _take_spare(memory_bytes: int) -> _Process | None:
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
    if spare is not None and spare.memory_bytes == memory_bytes and spare.alive():
        return spare
    if spare is not None:
        spare.kill()
    return None


def _park(process: _Process) -> None:
    global _spare
    with _spare_lock:
        old, _spare = _spare, process
    if old is not None:
        old.kill()


@atexit.register
def _drop_spare() -> None:
    spare = _take_spare(-1)  # matches no limit: kills whatever is parked
    assert spare is None


class ExtractWorker:
    """Runs extraction jobs in a worker process; safe to share between concurrent polls."""

    def __init__(self, *, timeout: float, memory_mb: int) -> None:
        self.timeout = timeout
        self.memory_mb = memory_mb
        # One thread talks to the worker, so jobs (and restarts) happen strictly in turn.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
        self._process: _Process | None = None
        self._closed = threading.Event()

    async def document(
        self, body: bytes, *, url: str, content_type: str | None, council: Council | None
    ) -> tuple[Document, Split]:
        result: tuple[Document, Split] = await self._run(
            "document", body, url, content_type, council
        )
        return result

    async def listing_links(
        self,
        body: bytes,
        *,
        base_url: str,
        pattern: Pattern[str] | None,
        read_at: datetime | None = None,
    ) -> list[Link]:
        """The listing's links; when it was read dates entries shown as "I dag", "I går"."""
        today = danish_day(read_at) if read_at is not None else None
        links: list[Link] = await self._run("listing_links", body, base_url, pattern, today)
        return links

    async def listing_page(
        self,
        body: bytes,
        *,
        base_url: str,
        pattern: Pattern[str] | None,
        read_at: datetime | None = None,
        first_url: str,
        number: int,
    ) -> ListingPage:
        """The ``number``-th page of the listing at ``first_url``: its links and its next page."""
        today = danish_day(read_at) if read_at is not None else None
        page: ListingPage = await self._run(
            "listing_page", body, base_url, pattern, today, first_url, number
        )
        return page

    async def feed_links(self, body: bytes, *, base_url: str) -> list[Link]:
        links: list[Link] = await self._run("feed_links", body, base_url)
        return links

    @property
    def pid(self) -> int | None:
        """The process id of the current worker, if one runs (for tests and logs)."""
        process = self._process
        return process.popen.pid if process is not None else None

    def close(self) -> None:
        """Stop using the worker; a running job ends with an error within a slice of its wait.
        An idle, healthy worker is kept for the next ExtractWorker of this process."""
        self._closed.set()
        self._thread.shutdown(wait=True)
        # The thread is done: nothing else touches the worker now.
        process, self._process = self._process, None
        if process is not None and process.alive():
            _park(process)
        elif process is not None:
            process.kill()

    async def _run(self, job: str, *args: object) -> Any:
        if self._closed.is_set():
            raise ExtractError("extraction cancelled: the service is stopping")
        cancel = threading.Event()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._thread, self._call, job, args, cancel)
        except asyncio.CancelledError:
            # The poll was cancelled (a stop): the job is not wanted any more. The thread sees
            # this within a slice of its wait and kills the worker, so no one waits for it.
            cancel.set()
            raise

    # Everything below runs in the one thread, which alone starts, talks to and stops workers.

    def _call(self, job: str, args: tuple[object, ...], cancel: threading.Event) -> Any:
        process = self._ready(cancel)
        try:
            process.send.send((job, args))
        except OSError:
            raise ExtractError(self._death()) from None
        if not self._wait(process, self.timeout, cancel):
            self._kill()
            raise ExtractError(f"extraction took longer than {self.timeout:g} s")
        try:
            status, value = process.receive.recv()
        except (OSError, EOFError):
            raise ExtractError(self._death()) from None
        if status == "ok":
            return value
        if status == "memory":
            self._kill()  # a heap that hit its limit is not worth keeping
            raise ExtractError(f"extraction exceeded {self.memory_mb} MB")
        raise ExtractError(str(value))

    def _wait(self, process: _Process, seconds: float, cancel: threading.Event) -> bool:
        """Wait for the worker to answer: True if it did, False after ``seconds``."""
        deadline = time.monotonic() + seconds
        while not process.receive.poll(min(_SLICE, max(deadline - time.monotonic(), 0))):
            if cancel.is_set() or self._closed.is_set():
                self._kill()
                raise ExtractError("extraction cancelled")
            if time.monotonic() >= deadline:
                return False
        return True

    def _ready(self, cancel: threading.Event) -> _Process:
        """The running worker, or a new one once it said it is ready."""
        if self._closed.is_set():
            raise ExtractError("extraction cancelled: the service is stopping")
        if self._process is not None and self._process.alive():
            return self._process
        self._kill()
        memory_bytes = self.memory_mb * 1024 * 1024
        spare = _take_spare(memory_bytes)
        if spare is not None:
            self._process = spare
            return spare
        process = self._process = _Process.start(memory_bytes)
        try:
            if self._wait(process, _START_TIMEOUT, cancel) and process.receive.recv() == "ready":
                return process
        except (OSError, EOFError):
            pass
        raise ExtractError(f"the extraction worker did not start ({self._death()})")

    def _death(self) -> str:
        """Why the worker went away (it is reaped here), as an error message."""
        process = self._process
        code = process.exit_code() if process is not None else None
        said = process.last_words() if process is not None else ""
        self._kill()
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            detail = f"{name}: {said}" if said else name
            if -code == signal.SIGABRT:  # how PDFium ends when an allocation fails
                return f"extraction exceeded {self.memory_mb} MB ({detail})"
            return f"extraction crashed ({detail})"
        return f"the extraction worker stopped (exit code {code}{': ' if said else ''}{said})"

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.kill()


def _serve(memory_bytes: int) -> None:
    """The worker's loop: a job in, ("ok", result) | ("error", reason) | ("memory", "") out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the service decides when the worker stops
    receive = Connection(os.dup(0), writable=False)
    send = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # whatever a library prints must not corrupt the replies
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    collect_less()  # as the service does: extraction is most of a new document's objects
    send.send("ready")
    while True:
        try:
            job, args = receive.recv()
        except EOFError:
            return
        try:
            reply: tuple[str, object] = ("ok", _JOBS[job](*args))
        except MemoryError:
            reply = ("memory", "")
        except ExtractError as exc:
            memory = isinstance(exc.__cause__, MemoryError)
            reply = ("memory", "") if memory else ("error", str(exc))
        except Exception as exc:  # a parser bug on odd input fails this job, not the worker
            reply = ("error", f"could not extract: {type(exc).__name__}: {exc}")
        try:
            send.send(reply)
        except MemoryError:
            send.send(("memory", ""))


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
