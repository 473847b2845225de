"""Text a page writes for screen readers alone, inside the toggles that open its panels.

Agenda systems name each point's accordion button twice: its title, seen, and a sentence for
screen readers in a visually hidden span ("1. Godkendelse af dagsorden<span class="sr-only">
Klik her for at folde ud og læse mere om Godkendelse af dagsorden</span>"). Read as text, the
sentence runs into the point's title ("dagsordenKlik her ..."). A reader of the page never sees
it, so it goes; only inside a toggle, where it repeats what the toggle shows: hidden text
elsewhere may be the only label a field has.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

# The class names of CSS frameworks and CMSs for "hidden but read aloud": Bootstrap's sr-only
# and visually-hidden, WordPress's screen-reader-text, Foundation's show-for-sr, Drupal's
# element-invisible, and the same with a prefix ("u-visually-hidden").
_SPOKEN = re.compile(
    r"(?:^|[\s_-])(?:sr-only|visually-?hidden|screen-?reader(?:-text|-only)?|show-for-sr"
    r"|element-invisible)(?=$|\s)",
    re.IGNORECASE,
)
_TOGGLES = "button, summary, [aria-controls], [aria-expanded], [role=button]"
# A toggle is a button's line: an element marked expanded that holds paragraphs is the open
# panel itself (an accordion's wrapper), whose hidden labels are no repetition of a title.
_PANEL = "p, div, ul, ol, table, dl, section, article"


def spoken_only(tree: LexborHTMLParser) -> set[int]:
    """The visually hidden elements inside toggles, by mem_id."""
    return {
        node.mem_id
        for toggle in tree.css(_TOGGLES)
        if toggle.css_first(_PANEL) is None
        for node in toggle.css("[class]")
        if _SPOKEN.search(node.attributes.get("class") or "")
    }
