"""The console end to end in a real browser: Playwright drives Debian's chromium against the
real app under uvicorn on 127.0.0.1, polling the kl.dk look-alike on 127.0.0.1 and mailing
through a real SMTP server (aiosmtpd) on 127.0.0.1.

One walk, as the secretariat would: sign in with the link from the mail, correct an item's
topics in the review queue, send a test digest to oneself and find it in the send log (and the
mail in the SMTP server), release a held-back source, and find the corrected item in the
archive under its new topic.

Needs /usr/bin/chromium (Debian's package ``chromium``; ``.ci/run`` installs it) and the
``playwright`` package (the dev extra); without them these tests are skipped, unless
NOTIFIER_REQUIRE_BROWSER is set (CI sets it), when they fail.
"""

from __future__ import annotations

import importlib.util
import os
import re
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from notifier.config import Settings
from notifier.models import EventType
from notifier.pipeline import SourceSummary
from tests.console_client import ADMIN, SECRET, TOPICS_FILE, link_in
from tests.served import Served, reserve_port, serve
from tests.site import Site
from tests.smtp import Sink, running_sink
from tests.test_pipeline import rewrite_every_section

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path(os.environ.get("NOTIFIER_CHROMIUM", "/usr/bin/chromium"))
# As the machine's own probe starts it: headless, and no calls home (the network is closed).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SOURCE = "sjaelland-nyheder"
WAIT = 20.0  # seconds for a mail to reach the SMTP server


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One chromium for these tests. Module-scoped, not session-scoped: Playwright's sync API
    marks an event loop as running in this thread while it is open, which async tests in other
    modules must not find."""
    missing = _missing()
    if missing:
        if os.environ.get("NOTIFIER_REQUIRE_BROWSER"):
            pytest.fail(f"NOTIFIER_REQUIRE_BROWSER is set but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="da-DK")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def sink() -> Iterator[Sink]:
    with running_sink() as sink:
        yield sink


@pytest.fixture
def served(site: Site, sink: Sink, tmp_path: Path) -> Iterator[Served]:
    """The app with one source of the look-alike site: polled once, then held back."""
    polled = site.settings(f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}", tmp_path)
    settings = Settings(
        database_url=polled.database_url,
        topics_file=TOPICS_FILE,
        fetch=polled.fetch,
        sources=[polled.source(SOURCE)],
        smtp={"host": sink.host, "port": sink.port, "security": "none"},
        mail={"from_address": "KKR Notifier <kkr@kommune.example>"},
        web={"base_url": f"http://127.0.0.1:{reserve_port()}", "secret_key": SECRET},
        admin={"addresses": [ADMIN]},
    )
    with serve(settings) as served:
        assert _poll(served).state == "ok"
        rewrite_every_section(site)
        assert _poll(served).state == "suspect"
        yield served


def _poll(served: Served) -> SourceSummary:
    return served.run(served.runtime.pipeline.poll(served.settings.source(SOURCE)))


def _mail(sink: Sink, subject: str) -> EmailMessage:
    """The first mail to ADMIN whose subject starts with ``subject``, once it arrives."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        for message in sink.to(ADMIN):
            if str(message["Subject"]).startswith(subject):
                return message
        time.sleep(0.05)
    raise AssertionError(f"no mail {subject!r} to {ADMIN} within {WAIT}s")


def _menu(page: Page, name: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()


def _reclassified(served: Served) -> list[Any]:
    events = served.run(served.store.archive.since(0, types=[EventType.ITEM_RECLASSIFIED]))
    return [event.snapshot for event in events]


def test_the_secretariat_walks_the_console(
    page: Page, served: Served, sink: Sink, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    base = served.base_url

    # Sign in: the console sends the way in by mail, and the link works once.
    page.goto(f"{base}/admin")
    expect(page).to_have_url(f"{base}/admin/log-ind")
    page.get_by_label("E-mailadresse").fill(ADMIN)
    page.get_by_role("button", name="Send mig et link").click()
    expect(page.get_by_role("heading", name="Tjek din indbakke")).to_be_visible()
    link = link_in(_mail(sink, "Log ind"))
    page.goto(link)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Konsol")).to_be_visible()
    expect(page.get_by_text(f"Logget ind som {ADMIN}")).to_be_visible()

    # Review queue: give an item a topic the classifier did not, and take its own away.
    _menu(page, "Gennemgang")
    item = page.locator("ul.items > li").first
    title = item.locator("h3").inner_text()
    item_id = int(str(item.get_attribute("id")).removeprefix("punkt-"))
    for box in item.locator("input[name=topics]:checked").all():
        box.uncheck()
    item.get_by_label("Klima og miljø").check()
    item.get_by_role("button", name="Gem emner").click()
    expect(page.get_by_role("status")).to_contain_text("Emnerne er rettet")
    corrected = page.locator(f"#punkt-{item_id}")
    expect(corrected).to_contain_text("Emner nu: Klima og miljø")
    expect(corrected).to_contain_text(f"Rettet af {ADMIN}")
    (snapshot,) = _reclassified(served)
    assert snapshot.item_id == item_id and snapshot.topic_ids == ("klima_miljoe",)
    assert snapshot.title == title  # newsletter sections have no number to put before it

    # The archive follows the correction: the item is listed under its new topic (before the
    # source is released below, which rewrites every item of it).
    page.goto(f"{base}/arkiv?emne=klima_miljoe")
    expect(page.locator("main")).to_contain_text(title[:40])
    # The archive's search finds it by a word of its title, typed into the search box.
    word = max(re.findall(r"\w{5,}", title), key=len)
    page.get_by_label("Søg i arkivet").fill(word.lower())
    page.get_by_role("button", name="Vis").click()
    expect(page.get_by_role("heading", name=f"Søgning: {word.lower()}")).to_be_visible()
    expect(page.locator("main")).to_contain_text(title[:40])

    # A test digest to oneself: queued, sent to the SMTP server, and in the send log.
    page.goto(f"{base}/admin")
    page.get_by_role("button", name="Send mig et testoverblik").click()
    expect(page.get_by_role("heading", name="Udsendelser")).to_be_visible()
    test_mail = _mail(sink, "[Test]")
    assert str(test_mail["To"]) == ADMIN
    page.reload()
    row = page.locator("tr", has_text="Testoverblik").first
    expect(row).to_contain_text(ADMIN)
    expect(row).to_contain_text("Sendt")
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name=str(test_mail["Subject"]))).to_be_visible()
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Se mailen, som modtageren ser den").click()
    mail_page = opened.value
    mail_page.wait_for_load_state()
    expect(mail_page.locator("body")).to_contain_text("KKR")
    mail_page.close()

    # Sources: the held-back source is released and polled at once.
    _menu(page, "Kilder")
    held = page.locator(f"#kilde-{SOURCE}")
    expect(held).to_contain_text("tilbageholdt")
    held.get_by_role("button", name=f"Frigiv {SOURCE}").click()
    expect(page.get_by_role("status").first).to_contain_text("Kilden er frigivet og hentet")
    expect(page.locator(f"#kilde-{SOURCE}")).to_contain_text("OK")
    state = served.run(served.store.sources.get(SOURCE))
    assert state is not None and state.state == "ok" and state.held_fingerprint is None

    # Everything done is in the audit log.
    page.goto(f"{base}/admin/log")
    log = page.locator("main")
    for action in ("Loggede ind", "Rettede emner", "Sendte testoverblik", "Frigav kilde"):
        expect(log).to_contain_text(action)
