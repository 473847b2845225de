"""An HTML page's content as text blocks: paragraphs, list items, and which of them are headings.

Headings are h2-h6 (and an accordion's <summary>), or paragraphs that read as headings: nothing
but bold text, bold text then a line break, or a bold run-in heading ending in a colon. A
paragraph is a <p>, or any element holding only text and inline markup (a <div> of rich text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborNode

from notifier.closing import contact_line
from notifier.danish import MONTHS
from notifier.extract.bold import all_bold, bold_lead
from notifier.extract.normalize import clean

# A photo credit under a picture is not news.
_CREDIT = re.compile(r"^(?:foto|fotograf|billede|illustration|grafik)\b\s*:", re.IGNORECASE)
# An article's byline ("Tekst af Anna Jensen, aj@kl.dk", "Af Anna Jensen", "Skrevet af ..."):
# who wrote it, not news, and no heading of a section either (a short line without a full
# stop reads as one). The words after the marker are a name: capitalised, then maybe a comma
# and a title or an address; a sentence opening with "Af" goes on in lower case ("Af hensyn").
_BYLINE = re.compile(
    r"(?:tekst(?:\s+og\s+foto)?\s*(?::|af\b)|skrevet\s+af\b|af\b)\s*"
    r"(?-i:[A-ZÆØÅ][\w'’-]+)(?:\s+(?-i:[A-ZÆØÅ][\w'’.-]*))*(?:\s*[,|–-]\s*(?P<tail>\S[^\n]*))?",
    re.IGNORECASE,
)
_BYLINE_CHARS = 100
# The day a byline may give after the name ("Af Anna Jensen - 21. januar 2022", "21.01.2022").
_BYLINE_DAY = re.compile(
    rf"\d{{1,2}}\.\s*(?:{'|'.join(MONTHS)})\s*\d{{4}}|\d{{1,2}}\.\s?\d{{1,2}}\.\s?\d{{2,4}}",
    re.IGNORECASE,
)
# An accordion's toggle is the only button left in the content (html.remove_chrome).
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6", "summary", "button"})
_TEXT_BLOCKS = {"p", "li", "blockquote", "pre", "tr", "dt", "dd", "figcaption", "caption"}
_BLOCKS = _HEADINGS | {"h1"} | _TEXT_BLOCKS
_FILE = re.compile(r"/media/|\.(?:pdf|docx?|xlsx?|pptx?)(?:[?#]|$)", re.IGNORECASE)
# A bold line ending in a full stop that may be a heading: one short sentence.
_STOP_CHARS = 80
_STOPS = re.compile(r"[.!?:;]\s")
_SECTION_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# What flows inside a line of text; any other element starts a block of its own.
_INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "cite", "code", "data", "del", "dfn", "em", "font", "i", "img"}
    | {"ins", "kbd", "mark", "q", "s", "small", "span", "strong", "sub", "sup", "time", "u"}
)
# What a button that opens or closes part of the page says when it names no section.
_CONTROL_LABEL = re.compile(r"^(?:vis|læs|se|skjul|fold|åbn|luk|menu)\b", re.IGNORECASE)
_CHROME_TEXT = frozenset(
    {
        "×",
        "x",
        "log ind",
        "luk",
        "del",
        "print",
        "til toppen",
        "til top",
        "tilbage til toppen",
        "tilbage til top",
        "gå til toppen",
        "gå til hovedindhold",
        "spring til indhold",
        # kl.dk heads the body of every page with a bare "Indhold" ("Content") label.
        "indhold",
    }
)
# Boxes of links to other pages, inside the content under a heading of their own.
_LINK_BOX_HEADINGS = frozenset(
    {
        "relaterede nyheder",
        "relateret indhold",
        "relaterede artikler",
        "læs også",
        "se også",
        "andre nyheder",
        "flere nyheder",
        "seneste nyheder",
    }
)
# What a closing box of links to other pages says it holds: other news, newsletters, pages.
# Or, by that name alone, the subjects the page is filed under ("Emner", "Tags"): links naming
# topics would classify a section of nothing but them. "Emner på næste møde" is news.
_OTHER_PAGES = re.compile(
    r"\b(?:nyhed\w*|artikl\w*|relater\w*|seneste|andre|også|mere fra)\b"
    r"|^(?:emner?|tags?|nøgleord)\W*$",
    re.IGNORECASE,
)
# kl.dk labels pages "Ældre end 12 mdr." once they age: a label that appears by itself must not
# read as a change of a watched page.
_AGE_LABEL = re.compile(r"^ældre end \d+ (?:mdr|md|måneder)\.?$", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    text: str
    # h2-h6, an accordion's <summary> or toggle, a paragraph of nothing but bold text or of
    # bold text then <br>
    heading: bool = False
    bold: bool = False  # a heading only by being bold
    # A paragraph opening with a bold run-in heading ("<strong>Klima:</strong> KKR drøftede"):
    # the heading without its colon. Used for sections only when a page has no real headings.
    lead: str | None = None
    # A list item that is nothing but links to other pages (not files): a teaser box's entry.
    pages: bool = False
    level: int = 0  # 2-6 for <h2>-<h6>; 0 for any other block
    # A short paragraph of one sentence, all bold and ending in a full stop: a heading or
    # emphasis, which notifier.extract.bold_stops tells apart.
    stop: bool = False


def is_chrome_text(text: str) -> bool:
    """A block that is nothing but one of kl.dk's fixed chrome phrases."""
    folded = text.strip().casefold().rstrip(" ↑⇧▲^")  # "Til top ↑"
    return folded in _CHROME_TEXT or bool(_AGE_LABEL.match(folded))


def text_blocks(root: LexborNode) -> list[Block]:
    """Text blocks in document order, descending into everything that is not a block itself
    (with a stack, not recursion: nesting depth is the page's choice).

    Rich text is not always paragraphs: a <div> of text and inline markup is read as one, and
    text standing beside blocks ("<h2>Trafik</h2>Movias <em>budget</em> ...") up to the next
    block is one, not a block per text node.
    """
    holds = _holding(root)
    out: list[Block] = []
    run: list[str] = []
    bullet = False  # a list item read as several blocks: its first text block gets the bullet

    def emit(blocks: list[Block]) -> None:
        nonlocal bullet
        for block in blocks:
            if bullet and not block.heading and not block.text.startswith("• "):
                block = Block(f"• {block.text}", lead=block.lead)
            bullet = False
            out.append(block)

    def flush() -> None:
        text = clean("".join(run))
        run.clear()
        if text and not is_chrome_text(text) and not _byline(text):
            emit([Block(text)])

    stack: list[Any] = [root.iter(include_text=True)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            flush()
            bullet = False
        elif child.tag == "-text":
            run.append(child.text_content or "")
        elif child.tag in _INLINE and child.mem_id not in holds.blocks:
            run.append(child.text())
        else:
            flush()
            if child.tag in _BLOCKS and not holds.structure(child):
                emit(_block(child))
            elif child.mem_id not in holds.blocks:
                emit(_block(child, paragraph=True))  # a <div> used as a paragraph
            else:
                bullet = bullet or child.tag == "li"
                stack.append(child.iter(include_text=True))
    return _without_link_boxes(_introductions(out))


@dataclass(frozen=True)
class _Holding:
    """Which elements hold blocks, headings and lists somewhere inside them."""

    blocks: set[int]
    headings: set[int]
    lists: set[int]

    def structure(self, node: LexborNode) -> bool:
        """A list item or table row that holds sections (a layout table, "<li><h3>"), or a list
        item holding a list: read block by block, not as one line."""
        return node.mem_id in self.headings or (node.tag == "li" and node.mem_id in self.lists)


def _holding(root: LexborNode) -> _Holding:
    """One pass, each ancestor marked once: linear however deep the page nests."""
    holding = _Holding(set(), set(), set())
    for node in root.traverse(include_text=False):
        if node.tag in _INLINE:
            continue
        marks = [holding.blocks]
        if node.tag in _SECTION_HEADINGS:
            marks.append(holding.headings)
        if node.tag in ("ul", "ol"):
            marks.append(holding.lists)
        for marked in marks:
            parent = node.parent
            while parent is not None and parent.mem_id not in marked:
                marked.add(parent.mem_id)
                if parent.mem_id == root.mem_id:
                    break
                parent = parent.parent
    return holding


def _without_link_boxes(blocks: list[Block]) -> list[Block]:
    """Without a "Relaterede nyheder" heading and the list of links under it, or a closing
    list of links to other pages under any heading."""
    out: list[Block] = []
    in_box = False
    for block in blocks:
        if block.heading:
            in_box = block.text.casefold().rstrip(":") in _LINK_BOX_HEADINGS
            if in_box:
                continue
        elif in_box and block.text.startswith("• "):
            continue
        else:
            in_box = False
        out.append(block)
    # A heading closing the page that names other news or pages ("Læs flere nyheder", "Andre
    # nyhedsbreve", "Mere fra KKR Sjælland") with nothing under it but links to other pages is
    # such a box, and so is any heading with nothing under it at all (its teasers went with
    # the chrome). Under another heading ("Nye udpegninger", "Læs mere") the links are content.
    headings = [index for index, block in enumerate(out) if block.heading]
    while headings and all(
        block.pages and _OTHER_PAGES.search(out[headings[-1]].text)
        for block in out[headings[-1] + 1 :]
    ):
        del out[headings.pop() :]
    return out


def _introductions(blocks: list[Block]) -> list[Block]:
    """A bold line ending in a colon introduces the list below it ("KKR drøftede blandt
    andet:"); otherwise its colon is not part of the heading. A bold line with no text under
    it before the next real heading, or at the end, is emphasis (a bold lead, a closing
    "Kontakt: ..."), not a heading."""
    out = []
    for index, block in enumerate(blocks):
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.bold and block.text.endswith(":"):
            if after is not None and after.text.startswith("• "):
                block = Block(block.text)
            else:
                block = Block(block.text.rstrip(": "), heading=True, bold=True)
        if block.bold and (after is None or (after.heading and not after.bold)):
            block = Block(block.text)
        out.append(block)
    return out


def _block(child: LexborNode, *, paragraph: bool = False) -> list[Block]:
    text = clean(child.text(separator=" ") if child.tag == "tr" else _flat_text(child))
    if not text or is_chrome_text(text) or (child.tag == "figcaption" and _CREDIT.match(text)):
        return []
    if child.tag == "p" and _byline(text):
        return []
    if child.tag == "li":
        text = f"• {text}"
    if child.tag in _HEADINGS:
        text = text.rstrip(" :") or text  # "<h2>Sundhed:</h2>" heads the section "Sundhed"
    paragraph = paragraph or child.tag == "p"
    lead = bold_lead(child) if paragraph else None
    if lead is not None and not lead[2]:  # <strong>Heading</strong><br>text
        return [Block(lead[0], heading=True, bold=True), Block(lead[1])]
    # First the cheap test: most paragraphs are sentences, and the bold query costs more.
    ends = text.endswith(".")
    whole = paragraph and (not ends or _short_sentence(text)) and _only_bold(child, text)
    return [
        Block(
            text,
            heading=child.tag in _HEADINGS or (whole and not ends),
            bold=whole and not ends,
            lead=lead[0] if lead is not None else None,
            pages=child.tag == "li" and _links_to_pages(child, text),
            level=int(child.tag[1]) if child.tag in _SECTION_HEADINGS else 0,
            stop=whole and ends,
        )
    ]


def _byline(text: str) -> bool:
    """A paragraph that only says who wrote the article (``_BYLINE``), short and ending in no
    sentence's full stop."""
    if len(text) > _BYLINE_CHARS or text.endswith((".", "!", "?", ":")):
        return False
    byline = _BYLINE.fullmatch(text)
    # After the name a title or an address ("journalist", "chefkonsulent i KL", "aj@kl.dk"),
    # not a sentence going on past a list of names ("Af Egedal, Furesø og Rudersdal deltager
    # to i projektet": a lead without a full stop).
    if byline is None or byline["tail"] is None:
        return byline is not None
    tail = _BYLINE_DAY.sub(" ", byline["tail"]).strip(" ,|–-")
    return not tail or contact_line(tail)


def _short_sentence(text: str) -> bool:
    """One short sentence: no stop inside it, no ellipsis at its end."""
    return len(text) <= _STOP_CHARS and not text.endswith("..") and not _STOPS.search(text)


def _links_to_pages(node: LexborNode, text: str) -> bool:
    """Nothing but links, to pages rather than files ("/media/…", "….pdf")."""
    links = node.css("a[href]")
    hrefs = [link.attributes.get("href") or "" for link in links]
    named = clean(" ".join(link.text() for link in links))
    return (
        bool(links)
        and named == text.removeprefix("• ")
        and not any(_FILE.search(href) for href in hrefs)
    )


def _only_bold(node: LexborNode, text: str) -> bool:
    """A paragraph of nothing but bold text, not a link ("Læs mere ...")."""
    if not all_bold(node):
        return False
    return not any(clean(link.text()) == text for link in node.css("a"))


def _flat_text(node: LexborNode) -> str:
    """A block's text with a line break where a block inside it starts or ends: "<li><p>a</p>
    <p>b</p></li>" reads "a b", not "ab"."""
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(node.iter(include_text=True), False)]
    while stack:
        iterator, block = stack[-1]
        child = next(iterator, None)
        if child is None:
            stack.pop()
        elif child.tag == "-text":
            parts.append(child.text_content or "")
            continue
        else:
            block = child.tag not in _INLINE
            stack.append((child.iter(include_text=True), block))
        if block and parts and parts[-1] != "\n":
            parts.append("\n")
    return "".join(parts)


def is_toggle(node: LexborNode) -> bool:
    """A button opening an accordion panel, named like a heading ("Møde den 17. april 2024"),
    not a control ("Vis mere")."""
    if (
        node.attributes.get("aria-expanded") is None
        and node.attributes.get("aria-controls") is None
    ):
        return False
    text = clean(node.text())
    return bool(text) and not _CONTROL_LABEL.match(text) and not is_chrome_text(text)
