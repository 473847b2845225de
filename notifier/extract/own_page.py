"""Which part of a page's content is the page itself: the heading that is its title when it has
no <h1>, and its own <article> among other pages' teasers."""

from __future__ import annotations

import re
from html import escape

from selectolax.lexbor import LexborHTMLParser, LexborNode

from notifier.extract.blocks import is_chrome_text
from notifier.extract.normalize import clean
from notifier.models import canonical

SECTION_TAGS = ("h2", "h3", "h4", "h5", "h6")
# Tags, breadcrumbs and labels above the title are short; a long text there is content.
HEADER_CHROME_CHARS = 120
# A heading that links to another page, or sits in such a link: a teaser's title.
_LINKED_HEADING = ", ".join(f"{h} a[href], a[href] {h}" for h in SECTION_TAGS)


def ancestors(node: LexborNode) -> list[LexborNode]:
    parents = []
    parent = node.parent
    while parent is not None:
        parents.append(parent)
        parent = parent.parent
    return parents


def promote_title(tree: LexborHTMLParser, root: LexborNode, names: list[str]) -> None:
    """Without an <h1>, the first heading is the page's title when it reads as the page's
    <title> or og:title, or, for a page named by neither (a one-word "Nyhed"), when only a date
    or labels stand before it and the headings after it are all deeper; as an <h1> it is read
    as one. A page named otherwise keeps its name: its one <h2> over <h3>s is a section. A
    label ("Indhold") is no title."""
    if tree.css_first("h1") is not None:
        return
    before, first = 0, None
    labels: set[int] = set()
    for node in root.traverse(include_text=True):
        if node.tag in SECTION_TAGS:
            if not is_chrome_text(clean(node.text())):
                first = node
                break
            labels.add(node.mem_id)
        elif node.tag == "-text" and not any(p.mem_id in labels for p in ancestors(node)):
            before += len((node.text_content or "").strip())
    if first is None or before > HEADER_CHROME_CHARS:
        return
    level, text = first.tag or "", clean(first.text())
    others = [
        h
        for h in root.css(", ".join(SECTION_TAGS))
        if h.mem_id != first.mem_id and h.mem_id not in labels
    ]
    deeper = bool(others) and all((h.tag or "") > level for h in others)
    named = {canonical(n) for n in names if len(n.split()) > 1}
    title = LexborHTMLParser(f"<h1>{escape(text)}</h1>").css_first("h1")
    matches = canonical(text) in {canonical(n) for n in names if n}
    if title is not None and (matches or (deeper and not named)):
        first.replace_with(title)


def drop_other_articles(root: LexborNode) -> None:
    """When the title is in an <article> with sections of its own, the other <article>s
    beside it that are other pages' teasers ("Seneste nyheder": a date, a linked title, a
    teaser) are not part of this one. An article whose heading links nowhere is a section of
    this page; without sections in the title's article, the page's sections are the others."""
    h1 = root.css_first("h1")
    own = next((node for node in ancestors(h1) if node.tag == "article"), None) if h1 else None
    if own is None or own.css_first(", ".join(SECTION_TAGS)) is None:
        return
    kept = {node.mem_id for node in ancestors(own)}
    kept.update(node.mem_id for node in own.traverse(include_text=False))
    gone: set[int] = set()
    outermost: list[LexborNode] = []
    for node in root.traverse(include_text=False):
        if node.parent is not None and node.parent.mem_id in gone:
            gone.add(node.mem_id)  # goes with its outermost
        elif node.tag == "article" and node.mem_id not in kept and _teaser(node):
            gone.add(node.mem_id)
            outermost.append(node)
    for node in outermost:
        node.decompose()


def _teaser(article: LexborNode) -> bool:
    """An article that names another page: its heading is a link, or, without a heading, it
    is mostly one link."""
    if article.css_first(_LINKED_HEADING) is not None:
        return True
    if article.css_first(", ".join(SECTION_TAGS)) is not None:
        return False
    links = article.css("a[href]")
    return len(links) == 1 and 2 * len(clean(links[0].text())) >= len(clean(article.text()))


# Where sharing buttons lead: the networks' share endpoints and an e-mail with no recipient,
# whatever the CMS calls the box around them ("article-footer", "tools", "some").
_SHARE_LINKS = (
    ", ".join(
        f'a[href*="{part}"]'
        for part in ("sharer", "/intent/tweet", "/intent/post", "shareArticle", "/sharing/")
    )
    + ', a[href^="mailto:?"]'
)
# A box of sharing buttons holds their label ("Del artiklen:") and nothing else of length.
_SHARE_BOX_CHARS = 120
_SHARE_LABEL_CHARS = 40
_SENTENCE_END = re.compile(r"\w[.!?]")
_PAGE_HOLDERS = frozenset({"html", "body", "main", "article"})


def share_boxes(tree: LexborHTMLParser) -> set[int]:
    """The boxes of buttons sharing the page ("Del på Facebook"): each share link with what
    around it is short and no heading (its label, the other networks' buttons), not the
    section or page that holds it."""
    found: set[int] = set()
    # What holds more than a box, known from an earlier button of the same box: its text is
    # read once, not once per network.
    beyond: set[int] = set()
    for link in tree.css(_SHARE_LINKS):
        box, parent = link, link.parent
        while parent is not None and parent.mem_id not in beyond:
            if (
                parent.tag in _PAGE_HOLDERS
                or parent.attributes.get("role") == "main"
                or len(parent.text(strip=True)) > _SHARE_BOX_CHARS
                or _told(parent)
                or parent.css_first("h1, h2, h3, h4, h5, h6") is not None
            ):
                beyond.add(parent.mem_id)
                break
            box, parent = parent, parent.parent
        found.add(box.mem_id)
    return found


def _told(node: LexborNode) -> bool:
    """Whether a node holds text of its own besides its links beyond a button box's label: a
    sentence ("Næste møde er den 4. maj 2024 i Ringsted.") or more than a label's length."""
    text = node.text(strip=True)
    for link in node.css("a"):
        text = text.replace(link.text(strip=True), "", 1)
    return len(text) > _SHARE_LABEL_CHARS or _SENTENCE_END.search(text) is not None
