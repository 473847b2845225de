"""Which text of an HTML element is set in bold: by markup (<strong>, <b>) or by a style
(Word's "FONT-WEIGHT: bold", "font-weight:600"). Bold is how kl.dk's editors and pasted
documents mark headings that are not h2-h6 (see blocks).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from notifier.extract.normalize import clean

# Bold by markup, or by its style as Word and some editors write it ("FONT-WEIGHT: bold",
# "font-weight:600"): the elements that may be bold; _sets_bold tells which are.
_BOLD = "strong, b, span[style]"
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold(?:er)?|[6-9]00)\b", re.IGNORECASE)


def all_bold(node: LexborNode) -> bool:
    """Every piece of an element's text set in bold, by itself or by what it holds. Editors
    split one bold line into several runs ("<strong>Oplev DM i </strong><strong>Skills
    </strong>", a run per pasted or retyped word): all its text bold is what counts."""
    if _sets_bold(node):
        return True
    if node.css_first(_BOLD) is None:
        return False
    return all(bold or not piece.strip() for piece, bold in _text_runs(node))


def _text_runs(node: LexborNode) -> list[tuple[str, bool]]:
    """The paragraph's text pieces in order, each with whether it is set in bold."""
    runs: list[tuple[str, bool]] = []
    for child in node.traverse(include_text=True):
        if child.tag != "-text":
            continue
        bold = False
        parent = child.parent
        while parent is not None and parent.mem_id != node.mem_id and not bold:
            bold = _sets_bold(parent)
            parent = parent.parent
        runs.append((child.text_content or "", bold))
    return runs


def bold_lead(node: LexborNode) -> tuple[str, str, bool] | None:
    """A paragraph opening with bold text that reads as a heading: (heading, rest, runs in).

    Bold then a line break is a heading on its own line; bold ending in a colon followed by text
    on the same line is a run-in heading. Bold that is the whole paragraph is blocks._only_bold's.
    """
    if node.css_first(_BOLD) is None:
        return None
    runs = _text_runs(node)
    while runs and not runs[0][0].strip():
        runs.pop(0)
    if not runs or not runs[0][1]:
        return None
    # The bold line is every bold run up to the first text that is not bold, or up to a line
    # break between runs: a run split in two is still one heading.
    end = 0
    while end < len(runs) and (
        runs[end][1] or (not runs[end][0].strip() and "\n" not in runs[end][0])
    ):
        end += 1
    while end > 0 and not runs[end - 1][1]:  # spaces after the last run are not the heading's
        end -= 1
    bold_raw = "".join(piece for piece, _ in runs[:end])
    rest_raw = "".join(piece for piece, _ in runs[end:])
    heading = clean(bold_raw)
    rest = clean(rest_raw)
    if not heading or not rest or len(heading) > 150 or heading.endswith("."):
        return None
    if bold_raw.rstrip(" \t").endswith("\n") or rest_raw.lstrip(" \t").startswith("\n"):
        return heading, rest, False
    if heading.endswith(":") and len(heading) <= 80:
        return heading.rstrip(": "), rest, True
    return None


def opens_bold(node: LexborNode) -> bool:
    """A paragraph whose first text is bold (its heading, if anything is)."""
    return next((bold for piece, bold in _text_runs(node) if piece.strip()), False)


def _sets_bold(node: LexborNode) -> bool:
    """The element itself is bold. Not lexbor's css_matches, which is true of an element
    holding a bold one too: "<span>KKR drøftede <b>Movias</b> budget</span>" is not bold."""
    style = node.attributes.get("style") or "" if node.tag == "span" else ""
    return node.tag in ("strong", "b") or bool(_BOLD_STYLE.search(style))
