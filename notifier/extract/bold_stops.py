"""Which short bold sentences head sections.

Editors end a heading with a full stop now and then ("<p><strong>Movias trafikbestilling.
</strong></p>"), and they set a sentence in bold for emphasis too. A bold sentence is taken as a
heading only where the page's headings are bold lines like it (two or more, and no others), it
is not much longer than they are, and it stands between text: after a paragraph (right under a
heading, a bold sentence is that section's lead) and before a paragraph of its own (not a list
it introduces, not another heading).
"""

from __future__ import annotations

import dataclasses
import re
from typing import TypeGuard

from notifier.extract.blocks import Block

# How much longer than the page's longest bold heading a bold sentence heading may be.
_SLACK = 10
# What only a sentence of emphasis says: one opening on a subject and its verb ("Det er en
# historisk aftale.", "Vi ses i Sorø."), a reminder to the reader ("Husk at tilmelde dig."), or
# one speaking to the reader ("Fristen for dig er fredag."). A heading names its subject.
_EMPHASIS = re.compile(
    r"^(?:(?:det|der|du|vi|jeg|man|de)\s+(?:er|var|har|havde|kan|kunne|skal|skulle|vil|ville"
    r"|må|bør|bliver|blev|får|fik|ses)|husk|bemærk|obs|læs|se|tilmeld)\b|\b(?:du|dig|jer)\b",
    re.IGNORECASE,
)


def bold_stops(blocks: list[Block]) -> list[Block]:
    headings = [block for block in blocks if block.heading]
    if len(headings) < 2 or not all(block.bold for block in headings):
        return blocks
    longest = max(len(block.text) for block in headings)
    out = []
    for index, block in enumerate(blocks):
        before = blocks[index - 1] if index else None
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        if (
            block.stop
            and len(block.text) <= longest + _SLACK
            and _text(before)
            and _text(after)
            and not after.text.startswith("•")
            and not _EMPHASIS.search(block.text)
        ):
            title = block.text.removesuffix(".")
            block = dataclasses.replace(block, text=title, heading=True, bold=True, stop=False)
        out.append(block)
    return out


def _text(block: Block | None) -> TypeGuard[Block]:
    """A paragraph of text: no heading, nor a bold sentence that might be one."""
    return block is not None and not block.heading and not block.stop
