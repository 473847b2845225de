"""Labelled fields set as a definition list, read as the lines they are.

Agenda systems set a meeting's cover as ``<dl><dt>Mødedato:</dt><dd>31. august 2023</dd>``:
each term is a field's label and its description the value. Read as blocks they would be two
paragraphs each ("Mødedato:", then a bare date that reads as the page's date line and is
dropped); read as one line each they are what a table row or a PDF's cover gives.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

# A label is short; a term longer than this is a glossary entry, its description prose.
_LABEL_CHARS = 40
# A description holding blocks of its own is more than a field's value.
_BLOCKS = "p, div, ul, ol, table, h2, h3, h4, h5, h6"


def join_fields(root: LexborNode) -> None:
    """Each <dt> followed by a <dd> of text becomes one <p>, term then description (a colon
    after the term when it has none: "Mødested Administrationshuset" runs label into value).
    The markup of both is moved as it is, never re-read as text."""
    for term in root.css("dt"):
        value = term.next
        while value is not None and value.tag == "-text" and not (value.text_content or "").strip():
            value = value.next
        if value is None or value.tag != "dd" or value.css_first(_BLOCKS) is not None:
            continue
        label = term.text().strip()
        # A question is a FAQ's, its answer prose ("Hvornår træder det i kraft?"), no field.
        if not label or len(label) > _LABEL_CHARS or label.endswith("?"):
            continue
        colon = "" if label.endswith(":") else ":"
        line = LexborHTMLParser(f"<p>{_inner(term)}{colon} {_inner(value)}</p>").css_first("p")
        if line is None:
            continue
        term.insert_before(line)
        term.decompose()
        value.decompose()


def _inner(node: LexborNode) -> str:
    html = node.html or ""
    return html[html.find(">") + 1 : html.rfind("</")]
