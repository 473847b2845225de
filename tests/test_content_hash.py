"""Content hashes identify versions in every stored row: their canonical form must never move."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from notifier.models.documents import canonical, content_hash

# The definition every stored hash was made with.
_NOT_ALNUM = re.compile(r"[\W_]+")


def _defined(text: str) -> str:
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFC", text).casefold())


@given(st.text(alphabet=st.characters(blacklist_categories=())))
def test_canonical_keeps_exactly_the_letters_and_digits(text: str) -> None:
    """Any text, lone surrogates and every script included."""
    assert canonical(text) == _defined(text)


def test_canonical_of_danish_text_with_typographic_punctuation() -> None:
    text = "KKR Sjælland – “grøn omstilling” i 2021:\u00a0SAG-2021-01954 • ½ år … ﬁnal Straße"
    assert canonical(text) == "kkrsjællandgrønomstillingi2021sag202101954½årfinalstrasse"
    assert canonical(text) == _defined(text)


def test_a_known_version_keeps_its_hash() -> None:
    """Pinned: a hash that moved would make every stored point read as changed."""
    assert (
        content_hash(
            "3.2. Status for klima VIP-projekterne",
            "Baggrund\nKKR Sjælland – “grøn omstilling” i 2021: SAG-2021-01954 • ½ år\u00a0… "
            "Straße ǅ ﬁnal",
        )
        == "eeabbdfc656a64f93b2175f7b3b8616e"
    )
