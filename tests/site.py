"""A copy of the kl.dk look-alike served on 127.0.0.1, with faults the tests can switch on."""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from notifier.config import Settings, load_settings
from notifier.demo_site import SITE, SiteServer, StaticHandler

SOURCES = SITE.parent / "sources.toml"
SHIPPED = Path(__file__).resolve().parents[1] / "config" / "notifier.toml"
KL = "https://www.kl.dk"


def shipped_sources(base: str) -> str:
    """The [[sources]] tables of the shipped config/notifier.toml, pointed at base (the fixture
    site) instead of kl.dk: ids, kinds, paths and link patterns exactly as shipped."""
    text = SHIPPED.read_text(encoding="utf-8")
    return text[text.index("[[sources]]") :].replace(KL, base)


class FaultyHandler(StaticHandler):
    """Static files, except for paths the test has told to misbehave."""

    faults: ClassVar[dict[str, str]] = {}
    hits: ClassVar[Counter[str]] = Counter()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        self.hits[path] += 1
        fault = self.faults.get(path)
        if fault == "500":
            self.send_error(500)
        elif fault == "404":
            self.send_error(404)
        elif fault == "slow":
            time.sleep(1.5)  # longer than the tests' read timeout
            with contextlib.suppress(ConnectionError):  # the client has given up, as it should
                self.send_error(500)
        elif fault == "huge":
            body = b"<html><body>" + b"x" * 3_000_000 + b"</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().do_GET()


@dataclass
class Site:
    root: Path
    server: SiteServer
    handler: type[FaultyHandler]
    manifest: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def fault(self, path: str, kind: str) -> None:
        self.handler.faults[path] = kind

    def page(self, path: str) -> Path:
        return self.root / path.strip("/") / "index.html"

    def edit(self, path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def settings(
        self,
        database_url: str,
        tmp_path: Path,
        extra: str = "",
        *,
        shipped: bool = False,
        recheck_every_poll: bool = True,
    ) -> Settings:
        """Settings polling this site: the demo's sources.toml, or with shipped=True the
        sources of config/notifier.toml itself.

        ``recheck_every_poll``: ask about every known document at each poll (tests that edit a
        document in place and poll again); False keeps the production schedule."""
        recheck = (
            "revalidate_interval = 0.001\nrevalidate_per_poll = 1000\n"
            if recheck_every_poll
            else ""
        )
        sources = (
            shipped_sources(self.url)
            if shipped
            else SOURCES.read_text(encoding="utf-8").replace("{base}", self.url)
        )
        config = tmp_path / "notifier.toml"
        config.write_text(
            f'database_url = "{database_url}"\n'
            f'topics_file = "{Path("config/topics.toml").resolve()}"\n'
            f"{extra}\n"
            "[fetch]\nper_host_delay = 0\nretries = 2\nbackoff = 0.01\nread_timeout = 1\n"
            'allowed_private_networks = ["127.0.0.0/8"]\n'
            "max_body_bytes = 2000000\n" + recheck + sources,
            encoding="utf-8",
        )
        return load_settings(config)


def start_site(tmp_path: Path) -> Site:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    handler = type("Handler", (FaultyHandler,), {"faults": {}, "hits": Counter()})
    server = SiteServer(root, handler=handler).start()
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return Site(root=root, server=server, handler=handler, manifest=manifest)
