"""Hostile sources beside healthy ones, polled by a real `notifier run` (issue 9, "Done when").

One server on 127.0.0.1 serves the kl.dk look-alike (the demo's 26 sources) and, beside it,
a PDF bomb, deeply nested HTML, a trickle, redirects to another host, to an internal address and
in a loop, a gzip bomb, a broken gzip body, a page that always answers 500 and a long but
ordinary PDF. Throughout the
first round of polls, /healthz must answer within 1 s and the service with its extraction
worker must stay under 400 MB; afterwards each hostile source has its own failure recorded,
with its reason, and every healthy source has succeeded.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from notifier.config import IngestSettings
from notifier.demo_site import SITE, SiteServer, StaticHandler
from tests.hostile import gzip_bomb, long_pdf, nested_html, pdf_bomb
from tests.smtp import free_port
from tests.test_service_process import REPO, Running, wait_for

MB = 1024 * 1024
PEAK_RSS_LIMIT = 400 * MB
SOURCES = SITE.parent / "sources.toml"


class HostileHandler(StaticHandler):
    """The fixture site, and under /hostile/ what a bad day or an attacker serves."""

    port: ClassVar[int] = 0
    bodies: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        path = self.path
        if not path.startswith("/hostile/"):
            super().do_GET()
            return
        name = path.removeprefix("/hostile/")
        if name == "trickle":
            self._trickle()
        elif name == "elsewhere":
            self._redirect(f"http://localhost:{self.port}/politik/kkr/kkr-hovedstaden")
        elif name == "inside":
            self._redirect(f"http://127.0.0.2:{self.port}/admin")
        elif name in ("loop-a", "loop-b"):
            self._redirect("/hostile/loop-b" if name == "loop-a" else "/hostile/loop-a")
        elif name == "always-500":
            self.send_error(500)
        elif name in ("gzip-bomb", "bad-gzip"):
            self._send(self.bodies[name], "text/html", {"Content-Encoding": "gzip"})
        else:
            content_type = "application/pdf" if name.endswith(".pdf") else "text/html"
            self._send(self.bodies[name], content_type, {})

    def _send(self, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # the poller may stop reading, as it should

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _trickle(self) -> None:
        """A page of 60 bytes, one per second: never silent for a read timeout."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "60")
        self.end_headers()
        try:
            for _ in range(60):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
        except (BrokenPipeError, ConnectionResetError):
            pass


# id -> (kind, path, what its recorded failure says; None: it must succeed)
HOSTILE: dict[str, tuple[str, str, str | None]] = {
    "hostile-pdf-bomb": (
        "page",
        "bomb.pdf",
        rf"extraction exceeded {IngestSettings().extract_memory_mb} MB",
    ),
    "hostile-nested-chrome": ("listing", "nested-chrome", None),
    "hostile-nested-lists": ("page", "nested-lists", r"extraction took longer than 10 s"),
    # Not hostile, only long: 1.4 MB of text, seconds to classify (off the event loop).
    "long-document": ("page", "long.pdf", None),
    "hostile-trickle": ("page", "trickle", r"gave up after 3 s \(fetch\.total_timeout\)"),
    "hostile-elsewhere": (
        "page",
        "elsewhere",
        r"redirect to http://localhost:\d+/\S+ refused: not on the site 127\.0\.0\.1",
    ),
    "hostile-inside": ("page", "inside", r"refused: 127\.0\.0\.2 is a loopback address"),
    "hostile-loop": ("page", "loop-a", r"redirect loop: \S+/loop-a -> \S+/loop-b -> \S+/loop-a"),
    "hostile-gzip-bomb": (
        "page",
        "gzip-bomb",
        r"body larger than 25000000 bytes once decompressed \(gzip\)",
    ),
    "hostile-bad-gzip": ("page", "bad-gzip", r"bad gzip encoding in the response"),
    "hostile-500": ("page", "always-500", r"HTTP 500"),
}


def _config(tmp_path: Path, site_url: str) -> Path:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}"
    lines = [
        f"database_url = {json.dumps(database_url)}",
        f"data_dir = {json.dumps(str(tmp_path / 'data'))}",
        f"topics_file = {json.dumps(str(REPO / 'config/topics.toml'))}",
        'log_level = "INFO"',
        "[fetch]",
        "per_host_delay = 0",
        "retries = 1",
        "backoff = 0.1",
        "read_timeout = 5",
        "total_timeout = 3",
        # The site itself is on 127.0.0.1; 127.0.0.2 is internal, though a configured site.
        'allowed_private_networks = ["127.0.0.1/32"]',
        'redirect_sites = ["127.0.0.2"]',
        "[ingest]",
        "extract_timeout = 10",
        f"[web]\nport = {free_port()}",
        SOURCES.read_text("utf-8").replace("{base}", site_url),
    ]
    for source_id, (kind, path, _) in HOSTILE.items():
        lines += [
            "[[sources]]",
            f'id = "{source_id}"',
            'kkr = "hovedstaden"',
            f'kind = "{kind}"',
            f'url = "{site_url}/hostile/{path}"',
        ]
    config = tmp_path / "notifier.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def _tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants (the extraction worker)."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            # Each thread's own children: the worker is started from the extraction thread.
            children = [
                child
                for task in Path(f"/proc/{pid}/task").iterdir()
                for child in (task / "children").read_text().split()
            ]
        except OSError:
            continue  # it just exited
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total += int(match.group(1)) * 1024 if match else 0
        pending += [int(child) for child in children]
    return total


@contextmanager
def _watch(every: float, probe: Callable[[], None]) -> Iterator[None]:
    """Run probe every ``every`` seconds in a thread while the block runs."""
    done = threading.Event()

    def loop() -> None:
        while not done.wait(every):
            probe()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(10)


def _sources(database: Path) -> dict[str, sqlite3.Row]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
        conn.row_factory = sqlite3.Row
        try:
            rows = conn.execute("SELECT * FROM sources").fetchall()
        except sqlite3.OperationalError:
            return {}  # not migrated yet
    return {row["id"]: row for row in rows}


@pytest.mark.slow
def test_hostile_sources_fail_alone_while_the_service_stays_responsive(tmp_path: Path) -> None:
    bodies = {
        "bomb.pdf": pdf_bomb(),
        "nested-chrome": nested_html(16_000),
        "nested-lists": nested_html(60_000, tag="ul><li", close="li></ul"),
        "long.pdf": long_pdf(200),
        "gzip-bomb": gzip_bomb(1024 * MB),
        "bad-gzip": b"\x1f\x8b\x08\x00 this is no gzip stream",
    }
    assert gzip.decompress(gzip_bomb(MB)) == b"\0" * MB  # a real gzip stream, only large
    handler = type("Hostile", (HostileHandler,), {"bodies": bodies})
    server = SiteServer(SITE, handler=handler)
    handler.port = int(server.url.rsplit(":", 1)[1])
    with server:
        config = _config(tmp_path, server.url)
        expected = {s for s in re.findall(r'^id = "([^"]+)"', config.read_text(), re.MULTILINE)}
        database = tmp_path / "notifier.db"
        service = Running(config, cwd=tmp_path)
        latencies: list[float] = []
        refusals: list[str] = []
        peak = [0]

        def health() -> None:
            started = time.monotonic()
            try:
                status = probe.get(f"{service.web}/healthz").status_code
                if status != 200:
                    refusals.append(f"HTTP {status}")
            except httpx.HTTPError as exc:
                refusals.append(repr(exc))
            latencies.append(time.monotonic() - started)

        def memory() -> None:
            peak[0] = max(peak[0], _tree_rss(service.process.pid))

        def polled() -> bool:
            rows = _sources(database)
            return set(rows) == expected and all(
                row["last_polled_at"] or row["last_failure_at"] for row in rows.values()
            )

        probe = httpx.Client(timeout=5)  # one client: no TLS context built per request
        try:
            with _watch(0.01, memory):
                service.wait_healthy()
                with _watch(0.1, health):
                    wait_for(polled, timeout=120, what="every source polled once", every=0.2)
            assert service.stop(timeout=10) == 0
        finally:
            probe.close()
            service.kill()
    rows = _sources(database)
    for source_id, (_, _, reason) in HOSTILE.items():
        row = rows[source_id]
        if reason is None:
            assert row["last_failure_reason"] is None, (source_id, row["last_failure_reason"])
            assert row["last_success_at"] is not None
        else:
            assert row["consecutive_failures"] >= 1, source_id
            assert re.search(reason, row["last_failure_reason"] or ""), (
                source_id,
                row["last_failure_reason"],
            )
    healthy = {source_id: row for source_id, row in rows.items() if source_id not in HOSTILE}
    assert len(healthy) == 26
    for source_id, row in healthy.items():
        assert row["last_failure_reason"] is None, (source_id, row["last_failure_reason"])
        assert row["state"] == "ok" and row["last_success_at"] is not None, source_id
    assert len(latencies) > 10 and not refusals, refusals
    assert max(latencies) < 1.0, f"/healthz took {max(latencies):.2f} s"
    assert peak[0] < PEAK_RSS_LIMIT, f"peak RSS {peak[0] / MB:.0f} MB"
    print(
        f"\nhostile suite: peak RSS {peak[0] / MB:.0f} MB (service and worker), "
        f"/healthz max {max(latencies) * 1000:.0f} ms over {len(latencies)} requests"
    )
