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
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from notifier.errors import ExtractError
from notifier.extract.dates import parse_danish_date
from notifier.extract.normalize import normalize_text

_CHROME_TAGS = "script, style, noscript, template, nav, aside, form, button, dialog, iframe, svg"
_CHROME_ATTRS = (
    "[role=dialog], [role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true], "
    "[hidden]"
)
_CHROME_NAMES = re.compile(
    r"cookie|consent|modal|popup|share|social|breadcrumb|login|related|newsletter-signup|skip",
    re.IGNORECASE,
)
_BLOCKS = frozenset(
    {
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "p",
        "li",
        "blockquote",
        "pre",
        "tr",
        "dt",
        "dd",
        "figcaption",
        "caption",
    }
)
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_CHROME_TEXT = frozenset(
    {
        "×",
        "x",
        "log ind",
        "luk",
        "del",
        "print",
        "til toppen",
        "gå til hovedindhold",
        "spring til indhold",
        # kl.dk heads the body of every page with a bare "Indhold" ("Content") label.
        "indhold",
    }
)
# kl.dk labels pages "Ældre end 12 mdr." once they age: a label that appears by itself must not
# read as a change of a watched page.
_AGE_LABEL = re.compile(r"^ældre end \d+ (?:mdr|md|måneder)\.?$", re.IGNORECASE)
# Tags, breadcrumbs and labels above the title are short; a long text there is content.
_HEADER_CHROME_CHARS = 120
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    text: str
    heading: bool = False  # h2-h6, a paragraph that is nothing but bold text or bold then <br>
    # A paragraph opening with a bold run-in heading ("<strong>Klima:</strong> KKR drøftede"):
    # the heading without its colon. Used for sections only when a page has no real headings.
    lead: str | None = None


@dataclass(frozen=True)
class HtmlPage:
    title: str
    date_text: str | None  # the text holding the publication date, if found
    blocks: list[Block]  # main content after the title, date line removed
    links: list[str]  # hrefs inside the main content, as written
    html: str  # main-content HTML


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
    for node in tree.css("[class], [id]"):
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _CHROME_NAMES.search(names) and node.tag not in ("html", "body", "main"):
            marked.add(node.mem_id)
    # In document order a parent comes before its children, so what each node's ancestors
    # hold is known when the node is reached: inside chrome, inside an <article>.
    inside: dict[int, tuple[bool, bool]] = {}  # mem_id -> (in chrome, in an article)
    outermost: list[LexborNode] = []
    for node in tree.root.traverse(include_text=False) if tree.root is not None else ():
        parent = node.parent
        in_chrome = in_article = False
        if parent is not None and parent.mem_id in inside:
            in_chrome, in_article = inside[parent.mem_id]
            in_chrome = in_chrome or parent.mem_id in marked
            in_article = in_article or parent.tag == "article"
        # An <article> may keep its title and date in its own <header>; the page's go.
        if node.tag in ("header", "footer") and not in_article:
            marked.add(node.mem_id)
        if node.mem_id in marked and not in_chrome:
            outermost.append(node)  # only the outermost: the rest go with it
        inside[node.mem_id] = (in_chrome, in_article)
    for node in outermost:
        node.decompose()


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
        around_title = {node.mem_id for node in _ancestors(h1)}
        while best.mem_id not in around_title and best.parent is not None:
            best = best.parent
    return best


def read_html(body: bytes, content_type: str | None) -> HtmlPage:
    tree = parse_tree(body, content_type)
    head_title = tree.css_first("title")
    og_title = tree.css_first('meta[property="og:title"]')
    published = tree.css_first('meta[property="article:published_time"], time[datetime]')
    remove_chrome(tree)
    root = main_content(tree)
    for br in root.css("br"):
        br.replace_with("\n")
    header_date = drop_page_header(root)
    blocks = list(_blocks(root))
    links = [a.attributes.get("href") or "" for a in root.css("a[href]")]
    h1 = root.css_first("h1") or tree.css_first("h1")
    title = _clean(h1.text()) if h1 is not None else ""
    if not title and og_title is not None:
        title = _clean(og_title.attributes.get("content") or "")
    if not title and head_title is not None:
        title = _clean(re.split(r"\s+[|–-]\s+", head_title.text())[0])
    if not title and not blocks:
        raise ExtractError("page has no readable content")
    date_text = header_date
    if published is not None:
        date_text = published.attributes.get("content") or published.attributes.get("datetime")
    kept: list[Block] = []
    for block in blocks:
        if block.text == title and not kept:
            continue
        if date_text is None and len(block.text) < 40 and parse_danish_date(block.text):
            date_text = block.text  # the date line above or below the title
            continue
        kept.append(block)
    if date_text is None:
        date_text = next((b.text for b in kept if parse_danish_date(b.text)), None)
    while kept and is_chrome_text(kept[-1].text):
        kept.pop()
    return HtmlPage(
        title=title, date_text=date_text, blocks=kept, links=links, html=root.html or ""
    )


def is_chrome_text(text: str) -> bool:
    """A block that is nothing but one of kl.dk's fixed chrome phrases."""
    folded = text.strip().casefold()
    return folded in _CHROME_TEXT or bool(_AGE_LABEL.match(folded))


def drop_page_header(root: LexborNode) -> str | None:
    """Remove what stands above the page's <h1> inside the main content; return a date there.

    kl.dk puts tags or breadcrumbs ("KKR", "Politik") and, on news, the date line above the
    title. None of it is content, and a breadcrumb must not become a newsletter's lead or
    section. Only short texts go: a page whose real content starts before its title keeps it.
    """
    h1 = root.css_first("h1")
    if h1 is None:
        return None
    keep = {node.mem_id for node in _ancestors(h1)} | {root.mem_id}
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
        text = _clean(node.text(separator=" "))
        if len(text) > _HEADER_CHROME_CHARS:
            continue
        if date_text is None and parse_danish_date(text):
            date_text = text
        node.decompose()
    return date_text


def _blocks(root: LexborNode) -> list[Block]:
    """Text blocks in document order, descending into everything that is not a block itself
    (with a stack, not recursion: nesting depth is the page's choice)."""
    out: list[Block] = []
    stack = [root.iter(include_text=True)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == "-text":
            text = _clean(child.text_content or "")
            if text and not is_chrome_text(text):
                out.append(Block(text))
        elif child.tag in _BLOCKS:
            out.extend(_block(child))
        else:
            stack.append(child.iter(include_text=True))
    return out


def _block(child: LexborNode) -> list[Block]:
    text = _clean(child.text(separator=" " if child.tag == "tr" else ""))
    if not text or is_chrome_text(text):
        return []
    if child.tag == "li":
        text = f"• {text}"
    lead = _bold_lead(child) if child.tag == "p" else None
    if lead is not None and not lead[2]:  # <strong>Heading</strong><br>text
        return [Block(lead[0], heading=True), Block(lead[1])]
    return [
        Block(
            text,
            heading=child.tag in _HEADINGS or _only_bold(child, text),
            lead=lead[0] if lead is not None else None,
        )
    ]


def _only_bold(node: LexborNode, text: str) -> bool:
    if node.tag != "p":
        return False
    bold = node.css_first("strong, b")
    return bold is not None and _clean(bold.text()) == text and not text.endswith(".")


def _bold_lead(node: LexborNode) -> tuple[str, str, bool] | None:
    """A paragraph opening with bold text that reads as a heading: (heading, rest, runs in).

    Bold then a line break is a heading on its own line; bold ending in a colon followed by text
    on the same line is a run-in heading. Bold that is the whole paragraph is _only_bold's.
    """
    first = next(
        (
            c
            for c in node.iter(include_text=True)
            if c.tag != "-text" or (c.text_content or "").strip()
        ),
        None,
    )
    if first is None or first.tag not in ("strong", "b"):
        return None
    bold_raw, raw = first.text(), node.text()
    start = raw.find(bold_raw)
    if start < 0 or raw[:start].strip():
        return None
    heading, rest_raw = _clean(bold_raw), raw[start + len(bold_raw) :]
    rest = _clean(rest_raw)
    if not heading or not rest or len(heading) > 150 or heading.endswith("."):
        return None
    if bold_raw.rstrip(" \t").endswith("\n") or rest_raw.lstrip(" \t").startswith("\n"):
        return heading, rest, False
    if heading.endswith(":") and len(heading) <= 80:
        return heading.rstrip(": "), rest, True
    return None


def _clean(text: str) -> str:
    return normalize_text(text).replace("\n\n", "\n")


def _ancestors(node: LexborNode) -> list[LexborNode]:
    parents = []
    parent = node.parent
    while parent is not None:
        parents.append(parent)
        parent = parent.parent
    return parents
