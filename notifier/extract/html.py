"""HTML page -> main content: title, date, paragraphs and (heading, body) sections.

A selector parse with selectolax, not a generic extractor: on the fixture pages it takes well
under a millisecond per page against ~7 ms for trafilatura (see bench/extract.py), and it keeps
the heading structure that splitting needs. Robustness to markup changes comes from semantic
fallbacks rather than kl.dk class names: <main>, [role=main], <article>, else the element holding
most paragraph text; chrome is removed by element type (nav, aside, dialog...), by the words
kl.dk-like sites use in class names (cookie, modal, share...), by position (the short labels
and breadcrumbs above the page title) and by the fixed phrases of kl.dk's page chrome ("Gå til
hovedindhold", "Indhold", "Ældre end 12 mdr.", "Log ind", "×"); see docs/kl-dk.md.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from notifier.errors import ExtractError
from notifier.extract.blocks import Block, is_chrome_text, is_toggle, text_blocks
from notifier.extract.bold import opens_bold
from notifier.extract.bold_stops import bold_stops
from notifier.extract.dates import is_publication_line, is_update_line, parse_danish_date
from notifier.extract.fields import join_fields
from notifier.extract.normalize import clean
from notifier.extract.own_page import (
    HEADER_CHROME_CHARS,
    SECTION_TAGS,
    ancestors,
    drop_other_articles,
    promote_title,
    share_boxes,
)
from notifier.extract.spoken import spoken_only

_CHROME_TAGS = "script, style, noscript, template, nav, aside, form, button, dialog, iframe, svg"
_CHROME_ATTRS = (
    "[role=dialog], [role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true], "
    "[hidden]"
)
# "social" only as a word of its own ("social-share", not "socialomraadet": KKR's social area
# names classes and ids of content).
_CHROME_NAMES = re.compile(
    r"cookie|consent|modal|popup|share|social(?![a-z])|breadcrumb|login|related|"
    r"newsletter-signup|skip|pagination|pager",
    re.IGNORECASE,
)
# The page's frame around its content, whatever it holds.
_FRAME = frozenset({"header", "footer", "nav", "aside", "dialog", "form"})
# Collapsed accordion panels are [hidden] or [aria-hidden] inside the content, and a heading
# may be the button that opens one: kept there, unlike icons.
_ICON_TAGS = frozenset({"span", "i", "em", "svg", "img"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "summary"})
# An empty line inside a paragraph: older pages put whole sections in one <p>, each a bold
# heading and its text, divided by <br><br>.
_BLANK_LINE = re.compile(r"(?:<br\s*/?>(?:\s|&nbsp;|\u00a0)*){2,}", re.IGNORECASE)
# What the root's children inherit: not in chrome, not in the content, not in a quote.
_OUTSIDE = (False, False, False)
# As many blocks as a PDF's cover has paragraphs (extract._from_pdf): title, meeting labels.
_HEAD_BLOCKS = 6
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class HtmlPage:
    title: str
    date_text: str | None  # the text holding the publication date, if found
    blocks: list[Block]  # main content after the title, date line removed
    links: list[str]  # hrefs inside the main content, as written
    html: str  # main-content HTML
    base: str | None = None  # the page's <base href>, as written
    # The first blocks as read, date lines included: what an agenda's or minutes' cover says
    # ("Dato: 29. januar 2020", "Lokale: ...", "Tidspunkt: Kl. 19:00"), which the blocks lose.
    head: tuple[str, ...] = ()


def decode(body: bytes, content_type: str | None) -> str:
    """Charset from the Content-Type header, a BOM, or <meta>; else UTF-8, else Windows-1252
    (what pages that declare latin-1 really use)."""
    declared = None
    if content_type and (match := re.search(r"charset=\"?([\w-]+)", content_type, re.I)):
        declared = match.group(1)
    elif body.startswith(codecs.BOM_UTF8):
        declared = "utf-8-sig"
    elif meta := _META_CHARSET.search(body[:4096]):
        declared = meta.group(1).decode("ascii")
    if declared:
        name = declared.lower()
        if name in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
            name = "cp1252"
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def parse_tree(body: bytes, content_type: str | None) -> LexborHTMLParser:
    text = decode(body, content_type)
    if not text.strip():
        raise ExtractError("empty page")
    tree = LexborHTMLParser(text)
    if tree.body is None:
        raise ExtractError("not an HTML page")
    return tree


def remove_chrome(tree: LexborHTMLParser) -> None:
    """Remove page chrome, in one pass over the tree (linear even in 16,000 nested elements)."""
    marked = {node.mem_id for node in tree.css(f"{_CHROME_TAGS}, {_CHROME_ATTRS}")}
    hidden = {node.mem_id for node in tree.css("[hidden], [aria-hidden=true]")}
    for node in tree.css("[class], [id]"):
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _CHROME_NAMES.search(names) and node.tag not in ("html", "body", "main"):
            marked.add(node.mem_id)
    marked |= share_boxes(tree) | spoken_only(tree)
    # In document order a parent comes before its children, so what each node's ancestors
    # hold is known when the node is reached: inside chrome, inside the content. Each node
    # records what its children inherit (its own tag and attributes read once, not once per
    # child): whether they are in chrome, in <main> or <article>, and in a <blockquote>.
    inside: dict[int, tuple[bool, bool, bool]] = {}
    outermost: list[LexborNode] = []
    # A <header> with the page's title and no menu is the page's header (title, date, lead)
    # even when the CMS puts it before <main>; the site's header has the menu, or a logo as
    # its <h1> ("KL").
    titled = _holders(h1 for h1 in tree.css("h1") if len(h1.text().split()) > 1)
    menus = _holders(tree.css("nav, [role=navigation]"))
    panels = _panels(tree, marked)
    for node in tree.root.traverse(include_text=False) if tree.root is not None else ():
        parent = node.parent
        in_chrome, in_content, quoted = (
            inside.get(parent.mem_id, _OUTSIDE) if parent is not None else _OUTSIDE
        )
        mem_id, tag = node.mem_id, node.tag
        # The content may keep its title and date in its own <header>; the page's goes. A
        # <footer> holds tags, sharing and addresses wherever it is, but a quote's names who
        # said it.
        page_header = mem_id in titled and mem_id not in menus
        if (tag == "footer" and not quoted) or (
            tag == "header" and not in_content and not page_header
        ):
            marked.add(mem_id)
        if (in_content or mem_id in panels) and mem_id in marked and _content_kept(node, hidden):
            marked.discard(mem_id)
        if mem_id in marked and not in_chrome:
            outermost.append(node)  # only the outermost: the rest go with it
        inside[mem_id] = (
            in_chrome or mem_id in marked,
            in_content or tag in ("main", "article") or node.attributes.get("role") == "main",
            tag == "blockquote",
        )
    for node in outermost:
        node.decompose()


def _panels(tree: LexborHTMLParser, marked: set[int]) -> set[int]:
    """Collapsed panels that a toggle named like a heading opens ("Mødemateriale 2024"): the
    content's, even on a page with no <main> or <article> to say where its content is. Not
    those of a toggle in the page's chrome (a menu, a cookie box's settings)."""
    hidden = {
        node.attributes.get("id"): node.mem_id
        for node in tree.css("[hidden], [aria-hidden=true]")
        if node.attributes.get("id")
    }
    found: set[int] = set()
    for toggle in tree.css("[aria-controls]") if hidden else ():
        names = (toggle.attributes.get("aria-controls") or "").split()
        opened = [hidden[name] for name in names if name in hidden]
        if not opened or not is_toggle(toggle):
            continue
        if not any(n.mem_id in marked or n.tag in _FRAME for n in ancestors(toggle)):
            found.update([toggle.mem_id, *opened])
    return found


def _holders(nodes: Iterable[LexborNode]) -> set[int]:
    """The elements holding any of nodes, each marked once (linear however deep)."""
    held: set[int] = set()
    for node in nodes:
        parent = node.parent
        while parent is not None and parent.mem_id not in held:
            held.add(parent.mem_id)
            parent = parent.parent
    return held


def _content_kept(node: LexborNode, hidden: set[int]) -> bool:
    """Inside the content: an accordion's collapsed panel, or the button that is its heading."""
    if node.tag == "button":
        parent = node.parent
        return (parent is not None and parent.tag in _HEADING_TAGS) or is_toggle(node)
    return (
        node.mem_id in hidden
        and node.tag not in _ICON_TAGS
        and node.tag not in _CHROME_TAGS.split(", ")  # a hidden <nav> or <form> stays chrome
        and not _CHROME_NAMES.search(
            f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        )
        and node.attributes.get("role") not in ("dialog", "navigation")
    )


def main_content(tree: LexborHTMLParser) -> LexborNode:
    for selector in ("main", "[role=main]", "article", "#content", ".content"):
        node = tree.css_first(selector)
        if node is not None and len(node.text(strip=True)) > 40:
            return node
    weights: dict[int, tuple[int, LexborNode]] = {}
    for paragraph in tree.css("p"):
        parent = paragraph.parent
        if parent is not None:
            seen = weights.get(parent.mem_id, (0, parent))
            weights[parent.mem_id] = (seen[0] + len(paragraph.text(strip=True)), parent)
    if not weights:
        assert tree.body is not None
        return tree.body
    best = max(weights.values(), key=lambda weight: weight[0])[1]
    # The title and date often sit in a page header beside the body text, not inside it:
    # widen to the element that holds both.
    h1 = tree.css_first("h1")
    if h1 is not None:
        around_title = {node.mem_id for node in ancestors(h1)}
        while best.mem_id not in around_title and best.parent is not None:
            best = best.parent
    return best


def read_html(body: bytes, content_type: str | None) -> HtmlPage:
    tree = parse_tree(body, content_type)
    head_title = tree.css_first("title")
    og_title = tree.css_first('meta[property="og:title"]')
    # The page's own date: its metadata, else the <time> above its first section (a <time> of
    # a related article beside it is gone with the chrome or the other articles).
    published = tree.css_first('meta[property="article:published_time"]')
    base = tree.css_first("base[href]")
    remove_chrome(tree)
    root = main_content(tree)
    names = [og_title.attributes.get("content") or "" if og_title else "", _named(head_title)]
    promote_title(tree, root, names)
    drop_other_articles(root)
    published = published or _header_time(root)
    # Read now: splitting paragraphs below may replace the element that holds it.
    stamp = (
        published.attributes.get("content") or published.attributes.get("datetime")
        if published
        else None
    )
    _split_paragraphs(root)
    join_fields(root)
    # A line break is the author's, not wrapped source: an empty line, so that clean() keeps
    # it as a line where it joins the source's own newlines (and a PDF's wrapped lines).
    for br in root.css("br"):
        br.replace_with("\n\n")
    header_date = drop_page_header(root)
    blocks = bold_stops(text_blocks(root))
    links = [a.attributes.get("href") or "" for a in root.css("a[href]")]
    h1 = root.css_first("h1") or tree.css_first("h1")
    if h1 is not None and header_date is None:
        header_date = _date_beside(h1, root)
    # One line: a title set over several lines by <br> ("Dagsorden<br>til<br>mødet i ...").
    title = " ".join(clean(h1.text()).split()) if h1 is not None else ""
    if not title and og_title is not None:
        title = clean(og_title.attributes.get("content") or "")
    if not title and head_title is not None:
        title = _named(head_title)
    if not title and not blocks:
        raise ExtractError("page has no readable content")
    date_text = header_date
    if stamp:
        date_text = stamp
    kept: list[Block] = []
    for block in blocks:
        if block.text == title and not kept:
            continue
        if (
            len(kept) < 2
            and not any(b.heading for b in kept)
            and len(block.text) < 40
            and parse_danish_date(block.text)
            and (date_text is None or is_update_line(date_text) or is_update_line(block.text))
        ):
            # The date lines below the title (a date in a section stays); when it was
            # published, not when it was updated, is the page's date.
            if date_text is None or is_update_line(date_text):
                date_text = block.text
            continue
        kept.append(block)
    labelled = next((b.text for b in kept if is_publication_line(b.text)), None)
    if date_text is None:
        # Failing a date line, the lead's date (the meeting it reports); a date inside a
        # section is that section's ("Mødeplan 2027: 3. februar 2027"), not the page's.
        # Failing that, a labelled date line wherever it stands ("Publiceret ..." at the end).
        lead = itertools.takewhile(lambda block: not block.heading, kept)
        date_text = next((b.text for b in lead if parse_danish_date(b.text)), None) or labelled
    elif is_update_line(date_text) and labelled is not None:
        date_text = labelled  # "Opdateret ..." under the title, "Publiceret ..." at the end
    while kept and is_chrome_text(kept[-1].text):
        kept.pop()
    return HtmlPage(
        title=title,
        date_text=date_text,
        blocks=kept,
        links=links,
        html=root.html or "",
        base=base.attributes.get("href") if base is not None else None,
        head=tuple(block.text for block in blocks[:_HEAD_BLOCKS]),
    )


def _named(head_title: LexborNode | None) -> str:
    """The page's name in its <title>, without the site's ("Nyhedsbrev ... | KL")."""
    return clean(re.split(r"\s+[|–-]\s+", head_title.text())[0]) if head_title else ""


def _header_time(root: LexborNode) -> LexborNode | None:
    """The first <time datetime> above the first section heading: the page's own, not one in
    its sections or in teasers after it."""
    for node in root.traverse(include_text=False):
        if node.tag in SECTION_TAGS:
            return None
        if node.tag == "time" and node.attributes.get("datetime"):
            return node
    return None


def _date_beside(h1: LexborNode, root: LexborNode) -> str | None:
    """A date line in the page header around a title outside the content (a hero before
    <main>); None when the title is in the content, or its parent holds the content too."""
    header = h1.parent
    in_content = root.mem_id in {node.mem_id for node in ancestors(h1)}
    if header is None or in_content or header.mem_id in {n.mem_id for n in ancestors(root)}:
        return None
    for block in text_blocks(header):
        if len(block.text) <= HEADER_CHROME_CHARS and parse_danish_date(block.text):
            return block.text
    return None


def _split_paragraphs(root: LexborNode) -> None:
    """A paragraph of sections, opening with a bold heading (or a lead, then two or more parts
    opening with one) and holding empty lines, becomes a paragraph per part, so a bold line
    opening a part can head a section as it does in a <p> of its own. One opening with text
    and one bold part is one paragraph: a bold name after "Med venlig hilsen" signs it, and
    heads nothing."""
    for paragraph in root.css("p"):
        if paragraph.css_first("br") is None:
            continue
        html = paragraph.html or ""
        opening = html[: html.find(">") + 1]
        inner = html[len(opening) : html.rfind("</p>")]
        parts = [part for part in _BLANK_LINE.split(inner) if part.strip()]
        if len(parts) < 2:
            continue
        pieces = LexborHTMLParser("".join(f"{opening}{part}</p>" for part in parts)).css("p")
        # A lead may open the paragraph before its bold-headed parts; one bold part after text
        # is a signature ("Med venlig hilsen", then the name), not sections.
        if not opens_bold(pieces[0]) and sum(opens_bold(piece) for piece in pieces) < 2:
            continue
        for piece in pieces:
            paragraph.insert_before(piece)
        paragraph.decompose()


def drop_page_header(root: LexborNode) -> str | None:
    """Remove what stands above the page's <h1> inside the main content; return a date there.

    kl.dk puts tags or breadcrumbs ("KKR", "Politik") and, on news, the date line above the
    title. None of it is content, and a breadcrumb must not become a newsletter's lead or
    section. Only short texts go: a page whose real content starts before its title keeps it.
    """
    h1 = root.css_first("h1")
    if h1 is None:
        return None
    keep = {node.mem_id for node in ancestors(h1)} | {root.mem_id}
    before: list[LexborNode] = []
    for node in root.traverse(include_text=False):
        if node.mem_id == h1.mem_id:
            break
        if node.mem_id not in keep:
            before.append(node)
    marked = {node.mem_id for node in before}
    outermost = [n for n in before if n.parent is None or n.parent.mem_id not in marked]
    date_text = None
    for node in outermost:
        text = clean(node.text(separator=" "))
        if len(text) > HEADER_CHROME_CHARS:
            continue
        if (date_text is None or is_update_line(date_text)) and parse_danish_date(text):
            date_text = text
        node.decompose()
    return date_text
