"""Pure extraction: bytes + URL + content type -> Document; listing pages and feeds -> links.

Every failure to read a body is an ExtractError with a reason; no other exception escapes, so
the pipeline can record it against the source and carry on.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date

from notifier.danish import MONTHS, letter_closing
from notifier.errors import ExtractError
from notifier.extract.blocks import Block
from notifier.extract.dates import publication_date
from notifier.extract.html import read_html
from notifier.extract.infer import infer_council, infer_kind, infer_meeting
from notifier.extract.links import Link, feed_links, listing_links, resolve
from notifier.extract.pdf import read_pdf
from notifier.extract.recorded import records_decisions
from notifier.models import Council, Document, DocumentKind
from notifier.split import Split, split_document, with_bare_records

__all__ = ["Link", "extract", "extract_split", "feed_links", "listing_links"]

_KIND_TITLES = {
    DocumentKind.AGENDA: "Dagsorden",
    DocumentKind.MINUTES: "Referat",
}


def extract(
    body: bytes, *, url: str, content_type: str | None, council: Council | None = None
) -> Document:
    try:
        if _is_pdf(body, content_type, url):
            return _from_pdf(body, url=url, council=council)
        return _from_html(body, url=url, content_type=content_type, council=council)
    except ExtractError:
        raise
    except Exception as exc:  # a parser bug on odd input must not take the poll down
        raise ExtractError(f"could not extract {url}: {type(exc).__name__}: {exc}") from exc


def extract_split(
    body: bytes, *, url: str, content_type: str | None, council: Council | None = None
) -> tuple[Document, Split]:
    """The document and its items, its kind as its points show it: an agenda whose points
    record what the meeting decided is its minutes, whatever its cover's word. Agenda systems
    print minutes under the agenda's title ("Dagsorden og referat", "Referat" only in the
    footer), so only its decisions say what it is; read as an agenda, they were never told as
    decisions."""
    document = extract(body, url=url, content_type=content_type, council=council)
    split = split_document(document)
    if document.kind is not DocumentKind.AGENDA or document.supplementary:
        return document, split
    # The cover names the meeting's body: an undated decision of another is a committee's.
    if not records_decisions(split.items, document.date, document.text[:_COVER_CHARS]):
        return document, split
    title = document.title
    if document.content_type == "application/pdf":  # the title is ours, named by the kind
        title = _meeting_title(DocumentKind.MINUTES, False, document.council, document.date)
    minutes = dataclasses.replace(document, kind=DocumentKind.MINUTES, title=title)
    # Read as minutes (split_document): points heading decisions "Beslutning" read the same,
    # and a point with no decision section and only a short record has that as its decision.
    return minutes, Split(with_bare_records(split.items), split.problems)


# How much of a document's opening is its cover (the body, the kind, the meeting's day).
_COVER_CHARS = 400


def _is_pdf(body: bytes, content_type: str | None, url: str) -> bool:
    if body[:1024].lstrip().startswith(b"%PDF"):
        return True
    declared = (content_type or "").casefold()
    return "pdf" in declared or (not declared and url.casefold().endswith(".pdf"))


def _from_pdf(body: bytes, *, url: str, council: Council | None) -> Document:
    pdf = read_pdf(body)
    text = pdf.text
    cover = "\n\n".join(text.split("\n\n")[:6])
    kind, supplementary = infer_kind(cover, url, is_pdf=True)
    council = council or infer_council(text, url)
    meeting = infer_meeting(cover, council) if kind != DocumentKind.OTHER else None
    day = meeting.day if meeting else None
    if kind in _KIND_TITLES:
        title = _meeting_title(kind, supplementary, council, day)
    else:
        first = next((p for p in text.split("\n\n") if len(p) <= 120), "")
        title = pdf.title or first.replace("\n", " ")
    return Document(
        url=url,
        kind=kind,
        title=title,
        date=day,
        text=text,
        content_type="application/pdf",
        meeting=meeting,
        supplementary=supplementary,
        council=council,
    )


def _meeting_title(
    kind: DocumentKind, supplementary: bool, council: Council | None, day: date | None
) -> str:
    """An agenda's or minutes' title: what it is, whose and the meeting's day."""
    name = "Tillægsdagsorden" if supplementary else _KIND_TITLES[kind]
    parts = (name, council.danish_name if council else None, _danish(day))
    return " ".join(part for part in parts if part)


def _from_html(
    body: bytes, *, url: str, content_type: str | None, council: Council | None
) -> Document:
    page = read_html(body, content_type)
    sections: list[tuple[str, str]] = []
    # Without any heading, paragraphs opening with a bold run-in heading ("Klima: ...") are the
    # sections, if there are at least two (one is emphasis, not structure).
    run_in = not any(b.heading for b in page.blocks) and sum(bool(b.lead) for b in page.blocks) > 1
    sub = _subheadings(page.blocks)
    minor = _minor_levels(page.blocks)
    # After a letter's valediction, a bold line names who signs it (a real heading after it
    # means the valediction was a greeting inside the page, not its close).
    closing = letter_closing([block.text for block in page.blocks])
    if any(b.heading and not b.bold for b in page.blocks[closing:]):
        closing = len(page.blocks)
    signed = False

    def heads(block: Block) -> bool:
        return (
            block.heading
            and not (signed and block.bold)
            and block.level not in minor
            and block.text.casefold() not in sub
        )

    joined: set[int] = set()  # a lone sub-heading, joined to the heading above it
    for index, block in enumerate(page.blocks):
        after = page.blocks[index + 1] if index + 1 < len(page.blocks) else None
        signed = signed or index == closing
        if index in joined:
            continue
        if heads(block) and after is not None and heads(after) and after.level > block.level > 0:
            if _under(page.blocks[index + 1 :], block.level, heads) >= 2:
                continue  # it heads a group of sections ("Sundhed" over "<h3>Akutpladser")
            # One sub-heading: the section is both's ("Sundhed: Kort fortalt", "Klima og
            # miljø: Tværkommunalt samarbejde"), neither an empty item nor a title alone.
            sections.append((f"{block.text}: {after.text}", ""))
            joined.add(index + 1)
        elif heads(block):
            sections.append((block.text, ""))
        elif run_in and block.lead:
            sections.append((block.lead, block.text.removeprefix(block.lead).lstrip(": ")))
        elif sections:  # text before the first heading is the lead; split.py skips it
            heading, text = sections[-1]
            sections[-1] = (heading, f"{text}\n\n{block.text}" if text else block.text)
    text = "\n\n".join([page.title, *(block.text for block in page.blocks)]).strip()
    if not text:
        raise ExtractError("page has no text")
    kind, _ = infer_kind(page.title, url, is_pdf=False, head=page.head)
    base = (resolve(url, page.base) if page.base else None) or url
    council = council or infer_council(text, url)
    # An agenda or minutes page (a municipality's "Byrådet - Referat") heads its points with a
    # cover as a PDF does: its meeting, and its date is the meeting's, as a PDF's is.
    cover = "\n\n".join([page.title, *page.head])
    meeting = infer_meeting(cover, council) if kind in _KIND_TITLES else None
    published = publication_date(page.date_text) if page.date_text else None
    return Document(
        url=url,
        kind=kind,
        title=page.title,
        date=meeting.day if meeting and meeting.day else published,
        text=text,
        content_type=content_type or "text/html",
        meeting=meeting,
        links=tuple(dict.fromkeys(u for href in page.links if (u := resolve(base, href)))),
        sections=tuple(sections),
        council=council,
    )


def _under(blocks: Sequence[Block], level: int, heads: Callable[[Block], bool]) -> int:
    """How many headings deeper than ``level`` follow, up to the next heading as high."""
    count = 0
    for block in blocks:
        if heads(block) and 0 < block.level <= level:
            break
        count += heads(block) and block.level > level
    return count


def _subheadings(blocks: list[Block]) -> set[str]:
    """Headings every section repeats ("Baggrund", "Beslutning" under each subject): parts of
    a section, not sections. Only when the page has other headings, once each."""
    counts = Counter(b.text.casefold() for b in blocks if b.heading)
    repeated = {text for text, count in counts.items() if count > 1}
    return repeated if len(counts) > len(repeated) else set()


def _minor_levels(blocks: list[Block]) -> set[int]:
    """Heading levels below the page's top one that head parts of a section, not sections
    ("<h3>Det videre forløb</h3>" inside the section under an <h2>): when every top-level
    heading has text of its own right under it (none heads a group of subjects set deeper),
    the deeper headings come after the first top-level one and are no more than those are."""
    headings = [(index, b.level) for index, b in enumerate(blocks) if b.heading and b.level]
    if not headings:
        return set()
    top = min(level for _, level in headings)
    tops = [index for index, level in headings if level == top]
    deeper = [(index, level) for index, level in headings if level > top]
    if not deeper or len(deeper) > len(tops) or deeper[0][0] < tops[0]:
        return set()
    if any(index + 1 >= len(blocks) or blocks[index + 1].heading for index in tops):
        return set()
    return {level for _, level in deeper}


def _danish(day: date | None) -> str | None:
    if day is None:
        return None
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"
