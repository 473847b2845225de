"""The shipped config/notifier.toml follows kl.dk's real address scheme (docs/kl-dk.md).

Its sources, pointed at the fixture site, find every newsletter, agenda and minutes of all five
councils and nothing else; its link patterns take the document addresses seen on kl.dk and
refuse the site's other links; the demo's sources.toml stays in step with it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier import pipeline
from notifier.config import Settings, SourceConfig, load_settings
from notifier.extract import listing_links
from notifier.models import Council, SourceKind
from notifier.runtime import Runtime
from notifier.store.schema import documents
from tests.site import KL, SHIPPED, SOURCES, Site

TOPIC_PAGES = (
    "sundheds-og-socialomraadet",
    "vaekst-beskaeftigelse-uddannelse-og-integration",
    "trafik-infrastruktur-klima-og-miljoe",
)


def shipped() -> dict[str, SourceConfig]:
    return {source.id: source for source in load_settings(SHIPPED).sources}


def pattern(source_id: str) -> re.Pattern[str]:
    value = shipped()[source_id].link_pattern
    assert value is not None
    return re.compile(value)


@pytest.fixture
async def polled(
    site: Site, database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[Settings, AsyncEngine, list[pipeline.SourceSummary]]]:
    settings = site.settings(database_url, tmp_path, shipped=True)
    async with Runtime(settings) as runtime:
        summaries = await runtime.pipeline.poll_all(settings.sources)
        yield settings, runtime.store.db.engine, summaries


async def test_shipped_sources_find_every_document_of_the_fixture_site(
    site: Site, polled: tuple[Settings, AsyncEngine, list[pipeline.SourceSummary]]
) -> None:
    settings, engine, summaries = polled
    assert {s.id for s in summaries} == {s.id for s in settings.sources}
    assert all(s.state == "ok" and not s.errors for s in summaries), summaries
    async with engine.connect() as conn:
        rows = (
            await conn.execute(sa.select(documents.c.url, documents.c.kind, documents.c.council))
        ).all()
    stored = {row.url.removeprefix(site.url): (row.kind, row.council) for row in rows}
    expected = {
        str(entry["url"]): (entry["kind"], entry["council"]) for entry in site.manifest.values()
    }
    # Each document once, and nothing the sources should not follow (the front pages' and
    # topic pages' own PDFs, the listings themselves).
    assert stored == expected
    for council in Council:
        kinds = {kind for kind, owner in stored.values() if owner == council.value}
        assert kinds >= {"newsletter", "agenda", "minutes"}, council


def test_the_front_page_leads_to_the_listings_newest_articles_at_the_same_addresses(
    site: Site,
) -> None:
    for council in Council:
        news = shipped()[f"{council.value}-nyheder"]
        front = shipped()[f"{council.value}-forside"]
        assert front.link_pattern == news.link_pattern
        links = {}
        for source in (news, front):
            path = source.url.removeprefix(KL).strip("/")
            body = (site.root / path / "index.html").read_bytes()
            links[source.id] = [
                link.url
                for link in listing_links(body, base_url=source.url, pattern=pattern(source.id))
            ]
        listing, first_page = links[news.id], links[front.id]
        assert first_page and first_page == listing[: len(first_page)], council


@pytest.mark.parametrize(
    "url",
    [
        # kl.dk article addresses in the shapes of the stored copies (docs/kl-dk.md; the slugs
        # are invented, so no held-out page is named), and the same without the trailing slash
        # and the www. that other copies of kl.dk pages lack.
        "https://www.kl.dk/politik/kkr/kkr-syddanmark/flere-nyheder/nyhedsbrev-marts-2026/",
        "https://www.kl.dk/politik/kkr/kkr-syddanmark/flere-nyheder/nytaarshilsen-fra-formandskabet-i-kkr-syddanmark/",
        "https://www.kl.dk/politik/kkr/kkr-syddanmark/flere-nyheder/nyhedsbrev-marts-2026",
        "https://kl.dk/politik/kkr/kkr-syddanmark/flere-nyheder/nyhedsbrev-marts-2026",
        "https://www.kl.dk/nyhed/2017/november/valg-til-kkr-2018-2022/",
        # The older schemes' shapes (no stored article at such an address; see docs/kl-dk.md).
        "https://www.kl.dk/nyheder/kkr/kkr-syddanmark/fokus-paa-psykiatri/",
        "http://www.kl.dk/Kommunalpolitik1/Kommunekontaktrad/KKR-Syddanmark/Fokus-pa-psykiatri-id245123/",
    ],
)
def test_news_pattern_takes_kl_dks_article_addresses(url: str) -> None:
    assert pattern("syddanmark-nyheder").search(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.kl.dk/politik/kkr/kkr-syddanmark/flere-nyheder",
        "https://www.kl.dk/politik/kkr/kkr-syddanmark/flere-nyheder/",
        "https://www.kl.dk/politik/kkr/kkr-syddanmark/flere-nyheder/?page=2",
        "https://www.kl.dk/politik/kkr/kkr-syddanmark",
        "https://www.kl.dk/politik/kkr/kkr-syddanmark/moedemateriale",
        "https://www.kl.dk/politik/kkr/kkr-syddanmark/om-kkr-syddanmark",
        *(f"https://www.kl.dk/politik/kkr/kkr-syddanmark/{topic}" for topic in TOPIC_PAGES),
        "https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder/nyhedsbrev-kkr-sjaelland-marts-2026/",
        "https://www.kl.dk/media/r5sjuvs2/ok24-3301-overenskomst-for-beredskabspersonale.pdf",
        "https://www.kl.dk/politik/kkr",
        "https://www.kl.dk/nyheder",
    ],
)
def test_news_pattern_refuses_the_sites_other_links(url: str) -> None:
    assert not pattern("syddanmark-nyheder").search(url)


@pytest.mark.parametrize(
    "url",
    [
        # PDF addresses on kl.dk and its backoffice host, as public pages link them.
        "https://www.kl.dk/media/16653/taksttabel_-2019.pdf",
        "https://www.kl.dk/media/ugjnkfvp/benspaend-fra-staten-skaber-unoedvendigt-bureaukrati-i-kommunerne-maj2023.pdf",
        "https://www.kl.dk/media/r5sjuvs2/ok24-3301-overenskomst-for-beredskabspersonale.pdf?format=noformat&",
        "https://backoffice.kl.dk/media/ofpnxnk3/kl-vejledende-takster-for-lovpligtig-skorstensfejerarbejde-2026.pdf",
        "https://www.kl.dk/media/z52mk0xb/kommunernes-digitaliseringsstrategi-2026-2030.PDF",
    ],
)
def test_meeting_material_pattern_takes_pdfs_on_every_kl_dk_host(url: str) -> None:
    assert pattern("hovedstaden-moedemateriale").search(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://backoffice.kl.dk/media/khbdrpex/skabelon-til-henvisningsbrev_januar2025_engelsk-version.docx",
        "https://rammearkitektur.kl.dk/media/23305/sag-objektmodel.png?width=700",
        "https://www.kl.dk/politik/kkr/kkr-hovedstaden/flere-nyheder/nyhedsbrev-pdf-udgave",
    ],
)
def test_meeting_material_pattern_refuses_other_links(url: str) -> None:
    assert not pattern("hovedstaden-moedemateriale").search(url)


def test_meeting_material_pattern_refuses_its_own_listing() -> None:
    """The meeting page itself is no document (its address read from the config)."""
    source = shipped()["hovedstaden-moedemateriale"]
    assert source.url.endswith("/kkr-hovedstaden/moedemateriale")
    assert not pattern(source.id).search(source.url)


def test_each_council_has_the_same_set_of_sources() -> None:
    sources = shipped()
    for council in Council:
        own = {
            sid.removeprefix(f"{council.value}-"): s
            for sid, s in sources.items()
            if s.kkr is council
        }
        assert set(own) == {
            "nyheder",
            "forside",
            "moedemateriale",
            "sundhed-social",
            "vaekst-beskaeftigelse",
            "trafik-klima",
        }
        base = f"{KL}/politik/kkr/kkr-{council.value}"
        assert own["nyheder"].url == f"{base}/flere-nyheder"
        assert own["forside"].url == base
        assert own["moedemateriale"].url == f"{base}/moedemateriale"
        pages = [s for s in own.values() if s.kind is SourceKind.PAGE]
        assert {s.url.removeprefix(f"{base}/") for s in pages} == set(TOPIC_PAGES)
        # Standing pages change rarely: polled daily, and long silence is normal for them.
        assert all(s.interval >= 86400 and s.quiet_period >= 365 * 86400 for s in pages)


def test_the_demo_sources_are_the_shipped_ones_at_the_fixture_site() -> None:
    shipped_tables = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))["sources"]
    demo_tables = tomllib.loads(SOURCES.read_text(encoding="utf-8"))["sources"]
    expected = [
        {**table, "url": table["url"].replace(KL, "{base}")}
        for table in shipped_tables
        if not table["id"].endswith("-forside")
    ]
    assert [t for t in demo_tables if t["kind"] != "feed"] == expected
    assert [t["id"] for t in demo_tables if t["kind"] == "feed"] == ["syddanmark-nyheder-rss"]
