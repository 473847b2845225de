"""Property tests: no input, however broken, makes extraction or splitting crash.

extract() either raises ExtractError or returns a Document whose strings are valid XML text (they
end up in feeds and mails); split() never raises; listing_links/feed_links raise nothing but
ExtractError. Inputs: arbitrary bytes, and the fixture site's PDFs and pages truncated, with
flipped bytes or with spliced-in garbage. Bounded (max_examples, no deadline) to keep the suite
fast; a failure prints the exact bytes to reproduce it. NOTIFIER_PROPERTY_EXAMPLES=5000 searches
harder (do that after touching extract/ or split.py).
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifier.errors import ExtractError
from notifier.extract import extract, feed_links, listing_links
from notifier.models import Document, DocumentKind
from notifier.split import split

SITE = Path(__file__).resolve().parents[1] / "notifier" / "demo_data" / "site"
BASE = "https://www.kl.dk/politik/kkr/kkr-sjaelland/nyheder/"
# Characters XML 1.0 does not allow (tab, LF and CR are allowed), plus noncharacters.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
PROPERTY = settings(
    max_examples=int(os.environ.get("NOTIFIER_PROPERTY_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@cache
def fixtures(suffix: str) -> tuple[bytes, ...]:
    paths = sorted(SITE.rglob(f"*{suffix}"), key=lambda p: p.stat().st_size)
    return tuple(path.read_bytes() for path in paths[:4])  # the smallest: fast to parse


@st.composite
def mutated(draw: st.DrawFn, suffix: str) -> bytes:
    body = bytearray(draw(st.sampled_from(fixtures(suffix))))
    for _ in range(draw(st.integers(0, 8))):
        position = draw(st.integers(0, max(len(body) - 1, 0)))
        action = draw(st.sampled_from(["flip", "insert", "delete"]))
        if action == "flip" and body:
            body[position] ^= 1 << draw(st.integers(0, 7))
        elif action == "insert":
            body[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif body:
            del body[position : position + draw(st.integers(1, 64))]
    if draw(st.booleans()):
        body = body[: draw(st.integers(0, len(body)))]
    return bytes(body)


def check_document(document: Document) -> None:
    strings = [document.text, document.title, *document.links]
    strings += [part for section in document.sections for part in section]
    for string in strings:
        assert not XML_INVALID.search(string), repr(string)
    for item in split(document):
        assert not XML_INVALID.search(item.title + item.text)


def extract_or_error(body: bytes, url: str, content_type: str | None) -> None:
    try:
        document = extract(body, url=url, content_type=content_type)
    except ExtractError as exc:
        assert str(exc)  # a reason the operator can read
        return
    check_document(document)


CONTENT_TYPES = st.sampled_from([None, "text/html", "application/pdf", "text/html; charset=utf-8"])


@PROPERTY
@given(body=st.binary(max_size=2048), content_type=CONTENT_TYPES)
def test_arbitrary_bytes(body: bytes, content_type: str | None) -> None:
    extract_or_error(body, f"{BASE}x", content_type)


@PROPERTY
@given(body=mutated(".pdf"))
def test_damaged_pdfs(body: bytes) -> None:
    extract_or_error(body, "https://www.kl.dk/media/1/dagsorden.pdf", "application/pdf")


@PROPERTY
@given(body=mutated(".html"), content_type=CONTENT_TYPES)
def test_damaged_pages(body: bytes, content_type: str | None) -> None:
    extract_or_error(body, f"{BASE}nyhedsbrev/", content_type)


TEXT = st.text(st.characters(codec="utf-8"), max_size=40)


@PROPERTY
@given(title=TEXT, heading=TEXT, paragraph=TEXT, meta=TEXT)
def test_control_characters_in_markup_never_reach_the_document(
    title: str, heading: str, paragraph: str, meta: str
) -> None:
    page = (
        f'<html><head><title>{title}</title><meta property="og:title" content="{meta}">'
        f"</head><body><main><h1>{title}</h1><p>{paragraph}</p><h2>{heading}</h2>"
        f"<p>{paragraph} {paragraph}</p><h3>{heading}</h3></main></body></html>"
    )
    extract_or_error(page.encode("utf-8", "surrogatepass"), f"{BASE}n/", "text/html")


@PROPERTY
@given(body=st.one_of(st.binary(max_size=2048), mutated(".html"), mutated(".xml")))
def test_links_never_raise_anything_but_extract_error(body: bytes) -> None:
    for read in (
        lambda: listing_links(body, base_url=BASE, pattern=None),
        lambda: listing_links(body, base_url=BASE, pattern=re.compile("nyhed")),
        lambda: feed_links(body, base_url=BASE),
    ):
        try:
            links = read()
        except ExtractError:
            continue
        for link in links:
            assert link.url.startswith(("http://", "https://")), link.url
            assert not XML_INVALID.search(link.text + link.url)


AGENDA_LINES = st.sampled_from(
    [
        "1. Godkendelse af dagsorden",
        "2. Sager",
        "2.1. Takster",
        "3.",
        "Indstilling",
        "Beslutning",
        "SAG-2024-00001",
        "1. Overhead ........ 2",
        "",
        "•",
    ]
)


@PROPERTY
@given(
    parts=st.lists(st.one_of(AGENDA_LINES, st.text(max_size=80)), max_size=40),
    separators=st.lists(st.sampled_from(["\n", "\n\n", " "]), min_size=40, max_size=40),
    title=TEXT,
    kind=st.sampled_from(list(DocumentKind)),
    sections=st.lists(st.tuples(TEXT, TEXT), max_size=4),
)
def test_split_never_raises(
    parts: list[str],
    separators: list[str],
    title: str,
    kind: DocumentKind,
    sections: list[tuple[str, str]],
) -> None:
    text = "".join(part + separator for part, separator in zip(parts, separators, strict=False))
    document = Document(
        url="https://www.kl.dk/x",
        kind=kind,
        title=title,
        date=None,
        text=text,
        sections=tuple(sections),
    )
    items = split(document)
    assert len({item.key for item in items}) == len(items)
    assert [item.position for item in items] == list(range(len(items)))
