"""Where a listed link stands: its entry (the list item, card or table row holding it) and the
meeting stated above it, which give the link its date when its own text does not."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date

from selectolax.lexbor import LexborNode

from notifier.extract.bold import all_bold
from notifier.extract.dates import (
    is_date_line,
    is_update_line,
    parse_danish_date,
    publication_date,
    relative_date,
)

_ROW_TAGS = frozenset({"li", "tr", "article", "p", "dd", "dt"})
# How far above a link its entry (a list item, a card, a table row) may start.
_CARD_DEPTH = 6
# Text blocks that can name the meeting the files listed after them belong to.
_CONTEXT_TAGS = frozenset(
    {"p", "h2", "h3", "h4", "h5", "h6", "dt", "caption", "summary", "button", "li"}
)
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_TOGGLES = frozenset({"summary", "button"})
_SETS = frozenset({"ul", "ol", "dl", "table", "tbody", "thead"})
# How kl.dk's meeting pages open a meeting: "KKR Nordjylland holdt møde den 12. marts 2024",
# "Møde den 17. april 2024", "Mødet afholdes den ...", "KKR Sjælland møde den 10. december".
_MEETING = re.compile(
    r"\b(?:holder|holdt|afholder|afholdt)\s+(?:\w+\s+)?møde\b|^\W*møde(?:t|dato)?\b"
    r"|^\W*kkr\b[\w\s'’-]{0,30}?\bmødet?\b",
    re.IGNORECASE,
)


def entry_row(
    anchor: LexborNode, root: LexborNode, tags: Collection[str] = _ROW_TAGS
) -> LexborNode | None:
    """The list item, table row or paragraph holding a link (a table row holds several); with
    tags="tr", the table row, however many lists of files its cells hold."""
    row = anchor.parent
    while row is not None and row.tag not in tags and row.mem_id != root.mem_id:
        row = row.parent
    return row if row is not None and row.mem_id != root.mem_id else None


def entry_date(
    entry: LexborNode, documents: set[int], today: date | None, *, lines_only: bool = False
) -> date | None:
    """The date an entry shows for itself: its date lines ("6. februar 2024", "Publiceret
    ..."), else its <time datetime> whatever it shows ("I dag"), else a line that counts from
    today ("I dag", "I går"; the day the page was read), else (not lines_only) a date in its
    text. A teaser's date ("KKR holdt møde den 1. februar 2024") is not the entry's when a line
    dates it, nor is one file's name ("Bilag 1 Notat af 12. marts 2024") the file's beside it."""
    named = {
        node.mem_id
        for link in entry.css("a[href]")
        if link.mem_id in documents
        for node in link.traverse(include_text=True)
    }
    parts = [
        node.text_content or ""
        for node in entry.traverse(include_text=True)
        if node.tag == "-text" and node.mem_id not in named
    ]
    lines = [part for part in parts if len(part) <= 60 and is_date_line(part)]
    if lines and (day := publication_date(" · ".join(lines))):
        return day
    stamp = entry.css_first("time[datetime]")
    if stamp and (day := publication_date(stamp.attributes.get("datetime") or "")):
        return day
    if today is not None and (day := relative_line(entry, today, skip=named)):
        return day
    return None if lines_only else publication_date(" ".join(parts))


# What stresses words inside a line: "<strong>I dag</strong> holdt KKR møde" is one line.
_EMPHASIS = frozenset({"strong", "b", "em", "i", "u", "mark"})


def relative_line(node: LexborNode, today: date, *, skip: set[int] | None = None) -> date | None:
    """The day the first line inside a node counting from today means ("I dag", "<span>I går
    </span>"): a line of its own, not a teaser opening "<strong>I dag</strong> holdt KKR
    møde", whose first words in bold are no date line."""
    for text in node.traverse(include_text=True):
        if text.tag != "-text" or (skip and text.mem_id in skip):
            continue
        part = text.text_content or ""
        if len(part) > 60 or relative_date(part, today) is None:
            continue
        line = text.parent
        while line is not None and line.tag in _EMPHASIS and line.mem_id != node.mem_id:
            line = line.parent
        whole = line.text() if line is not None else part
        if len(whole) <= 60 and (day := relative_date(whole, today)) is not None:
            return day
    return None


def entry_cards(found: list[tuple[LexborNode, str]], root: LexborNode) -> dict[int, LexborNode]:
    """Each link's entry: its largest ancestor (a few levels up at most) that holds no link
    to another document."""
    urls: dict[int, set[str]] = {}
    for anchor, url in found:
        node = anchor.parent
        for _ in range(_CARD_DEPTH):
            if node is None or node.mem_id == root.mem_id:
                break
            urls.setdefault(node.mem_id, set()).add(url)
            node = node.parent
    cards: dict[int, LexborNode] = {}
    for anchor, _url in found:
        node, card = anchor.parent, None
        for _ in range(_CARD_DEPTH):
            if node is None or node.mem_id == root.mem_id or len(urls[node.mem_id]) > 1:
                break
            # A page's only file would take the whole content for its entry, and the first
            # date anywhere on it for its own: a list or table is a set of entries, and a block
            # of several headings or several dated lines (meetings, a schedule) a part of the page.
            if node.tag in _SETS or _parts(node) > 1:
                break
            card, node = node, node.parent
        if card is not None:
            cards[anchor.mem_id] = card
    return cards


def _parts(node: LexborNode) -> int:
    """How many headings, or else lines that date something, a block holds."""
    headings = len(node.css("h1, h2, h3, h4, h5, h6"))
    if headings:
        return headings
    lines = (child.text_content or "" for child in node.traverse(include_text=True))
    return sum(
        1
        for line in lines
        if parse_danish_date(line) and (is_date_line(line) or _MEETING.search(line))
    )


def context_dates(
    root: LexborNode, cards: Collection[LexborNode], documents: set[int]
) -> dict[int, date]:
    """For each anchor, the last date stated in a paragraph or heading above it, if any.

    A heading without a date starts a new section and forgets the date, unless it heads a part
    of the dated one ("Møde den 17. april 2024" over "Bilag"); text inside a link
    (another entry's title) or inside another link's entry never sets it. Between a meeting's
    date and its first file, only a block that states a meeting or is a date line sets it: the
    topics and notes there ("Opfølgning på Sundhedsklyngens møde 3. marts 2024", "Dagsordenen
    blev udsendt den 10. april 2024") may name other days. A list of dates without files
    (the "Mødedatoer" of the year) is a schedule: its items date no file. An accordion's
    toggle without a date ("Temamøde om sundhed") forgets the date its sibling toggle stated:
    its panel is another meeting's, when the date was stated in or by its sibling's. A toggle
    or same-level heading naming a part of a meeting's papers ("Bilag", "Bilag til
    dagsorden") beside the meeting's own keeps its date: its files are that meeting's.
    """
    in_card = {card.mem_id for card in cards}
    # A card that is one link holds its teaser and date line: they are its own, not a date
    # stated above the links after it.
    linked = {n.mem_id for a in root.css("a") for n in a.traverse(include_text=False)}
    schedules = _schedules(root, documents)
    dates: dict[int, date] = {}
    current: date | None = None
    waiting = False  # a date is stated and no file has followed it yet
    level = section = 7  # the last heading's level; that of the section the date belongs to
    # The accordion of the last toggle passed, and the one it was when the date was stated.
    group = dated_in = None
    for node in root.traverse(include_text=False):
        if node.tag == "a":
            if current is not None:
                dates[node.mem_id] = current
            waiting = waiting and node.mem_id not in documents
        elif (
            (node.tag in _CONTEXT_TAGS or _date_box(node) or _year_box(node))
            and (node.tag == "li" or node.css_first("a") is None)
            and not _inside(node, in_card)
            and node.mem_id not in linked
            and (node.parent is None or node.parent.mem_id not in schedules)
        ):
            text = _own_text(node)
            found = parse_danish_date(text)
            states = node.tag not in ("p", "li") or bool(_MEETING.search(text))
            toggle = _toggle(node)
            group = _accordion(node) if toggle else group
            part = found is None and current is not None and bool(_PART.match(text))
            if node.tag in _HEADINGS:
                level = int(node.tag[1])
                if (found is not None or level <= section) and not (part and level == section):
                    current, waiting, section, dated_in = found, found is not None, level, group
            elif found is None and (
                _year_label(node, text)
                or (toggle and dated_in is not None and group == dated_in and not part)
            ):
                current, waiting = None, False
            elif found is not None and (not waiting or states or is_date_line(text)):
                # The next meeting's paragraph after a dated one's "Bilag" heading is its
                # sibling, in the same section.
                section = level if current is None else section
                current, waiting, dated_in = found, True, group
    return dates


# A label naming a part of one meeting's papers ("Bilag", "Bilag til dagsordenen", "Referat",
# "Præsentationer"), beside the meeting's own heading or toggle: its files are that meeting's.
# Not "Referater" or "Dagsordener": those gather many meetings' files, each named by its day;
# nor "Mødemateriale 2023": a year's meetings (numbers here are a point's or a bilag's).
_PART = re.compile(
    r"^\W*(?:(?:øvrige|supplerende|yderligere)\s+)?"
    r"(?:bilag|dagsorden(?:en)?|tillægsdagsorden(?:en)?|referat(?:et)?|præsentation(?:er|en)?"
    r"|oplæg(?:get|gene)?|slides|mødemateriale(?:t)?|materiale(?:t)?)"
    r"(?:\s+(?:og|til|fra|for|mødet|dagsorden(?:en)?|referat(?:et)?|punkt|nr\.?|\d{1,2}|bilag"
    r"|præsentationer|oplæg))*\W*$",
    re.IGNORECASE,
)


def _toggle(node: LexborNode) -> bool:
    """An accordion's toggle that is no heading's (headings go by their levels)."""
    return node.tag in _TOGGLES and (node.parent is None or node.parent.tag not in _HEADINGS)


def _accordion(toggle: LexborNode) -> int | None:
    """What holds a toggle's accordion item (<details> or a <div> around the toggle and its
    panel), shared by its sibling toggles: the item's parent."""
    item = toggle.parent
    return item.parent.mem_id if item is not None and item.parent is not None else None


# A year over the meetings held in it: "2022", "Mødemateriale 2022", "Møder i 2021:", in
# words naming meetings and their papers; "Økonomiaftale 2025" or "Budget 2025" in bold is a
# topic of the meeting above, whose files it lists.
_YEAR_LABEL = re.compile(
    r"^(?:(?:møde\w*|\w*materiale|dagsorden\w*|referat\w*|arkiv\w*|kkr\w*|og|i|fra|for"
    r"|hovedstaden|sjælland|syddanmark|midtjylland|nordjylland)\s+){0,3}"
    r"(?:19|20)\d\d:?$",
    re.IGNORECASE,
)


def _year_label(node: LexborNode, text: str) -> bool:
    """A line naming a year and no day, bare ("<p>2022</p>") or as a short bold line: it
    heads the next year's meetings as a heading does, so the files listed under them are not
    the last meeting's of the year before."""
    line = " ".join(text.split())
    if not _YEAR_LABEL.match(line) or _MEETING.search(line) or node.tag == "li":
        return False
    return line.rstrip(":").isdigit() or all_bold(node)


def _year_box(node: LexborNode) -> bool:
    """A <div>, <span>, <strong> or <b> that is a year label of its own, not part of a line of
    text: "<div><b>2022</b></div>", "<strong>2021</strong><ul>…"."""
    parent = node.parent
    if node.tag not in ("div", "span", "strong", "b") or parent is None:
        return False
    if parent.tag in _CONTEXT_TAGS or parent.tag in ("dd", "td", "th", "a"):
        return False
    beside = (node.prev, node.next)
    if any(s is not None and s.tag == "-text" and (s.text_content or "").strip() for s in beside):
        return False
    return _year_label(node, node.text(separator=" "))


# A page's publication stamp ("Publiceret 3. december 2026"); "Dato: ..." may date a meeting.
_PUBLISHED = re.compile(r"^\W*(?:publiceret|udgivet|offentliggjort)\b", re.IGNORECASE)


def _date_box(node: LexborNode) -> bool:
    """A <div>, <span> or <time> that is a date line of its own, not part of a sentence: the
    date a listing sets beside its entry rather than inside it."""
    if node.tag not in ("div", "span", "time") or node.parent is None:
        return False
    if node.parent.tag in _CONTEXT_TAGS or node.parent.tag in ("dd", "td", "th"):
        return False
    text = node.text(separator=" ")
    # "Opdateret 22. april 2024", "Publiceret ...": when the page was changed, not a date its
    # entries or files share (it would move a meeting's files to a day with no meeting).
    stamped = is_update_line(text) or bool(_PUBLISHED.match(text))
    return len(text) <= 60 and is_date_line(text) and not stamped


def _schedules(root: LexborNode, documents: set[int]) -> set[int]:
    """Lists that link no document and give two or more dates: meeting dates to come."""
    found = set()
    for listing in root.css("ul, ol"):
        if any(link.mem_id in documents for link in listing.css("a[href]")):
            continue
        items = [c for c in listing.iter() if c.tag == "li" and parse_danish_date(_own_text(c))]
        if len(items) > 1:
            found.add(listing.mem_id)
    return found


def _own_text(node: LexborNode) -> str:
    """A list item's own text, without the list inside it ("Møde den 17. april 2024" above
    the meeting's files); other blocks' whole text."""
    if node.tag != "li":
        return node.text(separator=" ")
    return " ".join(c.text_content or "" for c in node.iter(include_text=True) if c.tag == "-text")


def _inside(node: LexborNode, ids: set[int]) -> bool:
    parent = node.parent
    for _ in range(_CARD_DEPTH + 1):
        if parent is None:
            return False
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False
