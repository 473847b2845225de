"""A static kl.dk look-alike served on 127.0.0.1, for `notifier demo` and the tests.

It behaves like a well-run web server where it matters to the poller: ETag and Last-Modified
from the file's content and time, 304 for conditional requests, directory paths served from
their index.html, and a content type by extension.
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

SITE = Path(__file__).parent / "demo_data" / "site"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".xml": "application/rss+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}


class StaticHandler(BaseHTTPRequestHandler):
    root: ClassVar[Path] = SITE
    server_version = "kl-demo/1.0"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the demo and tests read the poller's logs, not the server's."""

    def do_GET(self) -> None:
        path = self.resolve(urlsplit(self.path).path)
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        modified = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.content_type(path))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.end_headers()
        self.wfile.write(body)

    def resolve(self, url_path: str) -> Path | None:
        """The file for a URL path, never outside the root."""
        relative = unquote(url_path).lstrip("/")
        candidate = (self.root / relative).resolve()
        root = self.root.resolve()
        if candidate != root and root not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def content_type(self, path: Path) -> str:
        return (
            _TYPES.get(path.suffix)
            or mimetypes.guess_type(path.name)[0]
            or "application/octet-stream"
        )


class SiteServer:
    """Serve a directory on 127.0.0.1 from a background thread."""

    def __init__(
        self,
        root: Path = SITE,
        *,
        port: int = 0,
        handler: type[StaticHandler] = StaticHandler,
    ) -> None:
        handler_class = type("Handler", (handler,), {"root": root})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler_class)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
