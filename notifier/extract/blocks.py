"""An HTML page's content as text blocks: paragraphs, list items, and which of them are headings.

Headings are h2-h6 (and an accordion's <summary>), or paragraphs that read as headings: nothing
but bold text, bold text then a line break, or a bold run-in heading ending in a colon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborNode

from notifier.extract.normalize import normalize_text

# A photo credit under a picture is not news.
_CREDIT = re.compile(r"^(?:foto|fotograf|billede|illustration|grafik)\b\s*:", re.IGNORECASE)
# An accordion's toggle is the only button left in the content (html.remove_chrome).
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6", "summary", "button"})
_TEXT_BLOCKS = {"p", "li", "blockquote", "pre", "tr", "dt", "dd", "figcaption", "caption"}
_BLOCKS = _HEADINGS | {"h1"} | _TEXT_BLOCKS
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


def is_chrome_text(text: str) -> bool:
    """A block that is nothing but one of kl.dk's fixed chrome phrases."""
    folded = text.strip().casefold()
    return folded in _CHROME_TEXT or bool(_AGE_LABEL.match(folded))


def text_blocks(root: LexborNode) -> list[Block]:
    """Text blocks in document order, descending into everything that is not a block itself
    (with a stack, not recursion: nesting depth is the page's choice)."""
    out: list[Block] = []
    stack: list[Any] = [root.iter(include_text=True)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == "-text":
            text = clean(child.text_content or "")
            if text and not is_chrome_text(text):
                out.append(Block(text))
        elif child.tag in _BLOCKS:
            out.extend(_block(child))
        else:
            stack.append(child.iter(include_text=True))
    return _introductions(_without_link_boxes(out))


def _without_link_boxes(blocks: list[Block]) -> list[Block]:
    """Without a "Relaterede nyheder" heading and the list of links under it."""
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
    return out


def _introductions(blocks: list[Block]) -> list[Block]:
    """A bold line ending in a colon introduces the list below it ("KKR drøftede blandt
    andet:"); otherwise its colon is not part of the heading."""
    out = []
    for index, block in enumerate(blocks):
        if block.bold and block.text.endswith(":"):
            following = blocks[index + 1].text if index + 1 < len(blocks) else ""
            if following.startswith("• "):
                block = Block(block.text)
            else:
                block = Block(block.text.rstrip(": "), heading=True, bold=True)
        out.append(block)
    return out


def _block(child: LexborNode) -> list[Block]:
    text = clean(child.text(separator=" " if child.tag == "tr" else ""))
    if not text or is_chrome_text(text) or (child.tag == "figcaption" and _CREDIT.match(text)):
        return []
    if child.tag == "li":
        text = f"• {text}"
    lead = _bold_lead(child) if child.tag == "p" else None
    if lead is not None and not lead[2]:  # <strong>Heading</strong><br>text
        return [Block(lead[0], heading=True, bold=True), Block(lead[1])]
    bold = _only_bold(child, text)
    return [
        Block(
            text,
            heading=child.tag in _HEADINGS or bold,
            bold=bold,
            lead=lead[0] if lead is not None else None,
        )
    ]


def _only_bold(node: LexborNode, text: str) -> bool:
    """A paragraph of nothing but bold text, not a sentence and not a link ("Læs mere ...")."""
    if node.tag != "p":
        return False
    bold = node.css_first("strong, b")
    if bold is None or clean(bold.text()) != text or text.endswith("."):
        return False
    return not any(clean(link.text()) == text for link in node.css("a"))


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
    heading, rest_raw = clean(bold_raw), raw[start + len(bold_raw) :]
    rest = clean(rest_raw)
    if not heading or not rest or len(heading) > 150 or heading.endswith("."):
        return None
    if bold_raw.rstrip(" \t").endswith("\n") or rest_raw.lstrip(" \t").startswith("\n"):
        return heading, rest, False
    if heading.endswith(":") and len(heading) <= 80:
        return heading.rstrip(": "), rest, True
    return None


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


def clean(text: str) -> str:
    return normalize_text(text).replace("\n\n", "\n")
