"""Item keys are unique within a document and the same on every split of the same document.

A key decides which stored item a freshly split one is on the next poll, and the store allows
one item per key in a document: two items with one key made every poll of that document fail.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from notifier.models import Document, DocumentKind, unique_keys
from notifier.split import split_document

# Headings drawn mostly from a few words, digits and dashes, so repeats and "x 2"-style headings
# that slug to another heading's repeat key ("nyt-fra-kkr-2") are common, not a rare draw.
HEADINGS = st.lists(
    st.one_of(
        st.sampled_from(
            ["Nyt fra KKR", "Nyt fra KKR 2", "nyt fra kkr - 3", "Nyt fra KKR 2 2", "Ø"]
        ),
        st.lists(st.sampled_from(["Nyt", " fra", " 2", "-2", "-", " ", "ø", "!"])).map("".join),
        st.text(max_size=8),
    ),
    max_size=12,
)
BASES = st.lists(st.sampled_from(["1", "2", "2-2", "2-3", "a", "a-2", "a-2-2", ""]), max_size=15)


def newsletter(sections: list[tuple[str, str]]) -> Document:
    return Document(
        url="https://www.kl.dk/nyhedsbrev/",
        kind=DocumentKind.NEWSLETTER,
        title="Nyhedsbrev",
        date=None,
        text="unused",
        sections=tuple(sections),
    )


def keys_of(headings: list[str]) -> list[str]:
    document = newsletter([(heading, f"Tekst {n}.") for n, heading in enumerate(headings)])
    return [item.key for item in split_document(document).items]


def test_a_heading_that_looks_like_a_repeat_keeps_its_own_key() -> None:
    keys = keys_of(["Nyt fra KKR", "Nyt fra KKR", "Nyt fra KKR 2"])
    # The third heading's own slug is its key; the repeat steps over it.
    assert keys == ["nyt-fra-kkr", "nyt-fra-kkr-3", "nyt-fra-kkr-2"]


def test_repeats_are_numbered_as_before_when_nothing_collides() -> None:
    # The keys stored items already have: a repeat is "-2", "-3", ... by its occurrence.
    assert unique_keys(["3", "3", "4", "3"]) == ["3", "3-2", "4", "3-3"]
    assert keys_of(["Sundhed", "Sundhed", "Sundhed"]) == ["sundhed", "sundhed-2", "sundhed-3"]


@given(BASES)
def test_unique_keys_are_unique_and_keep_first_occurrences(bases: list[str]) -> None:
    keys = unique_keys(bases)
    assert len(set(keys)) == len(keys) == len(bases)
    for index, base in enumerate(bases):
        if base not in bases[:index]:
            assert keys[index] == base  # a key no earlier item has is its own
        else:
            assert keys[index].startswith(f"{base}-")


@given(HEADINGS)
def test_newsletter_keys_are_unique_and_stable(headings: list[str]) -> None:
    keys = keys_of(headings)
    assert len(set(keys)) == len(keys)
    assert keys_of(headings) == keys  # the same page split again: the same items


@given(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=4))
def test_agenda_keys_are_unique_when_numbering_restarts(parts: list[int]) -> None:
    """Each part (the agenda, then supplementary agendas in the same PDF) numbers from 1."""
    case = iter(range(1, 100))
    body = "\n\nTillægsdagsorden\n\n".join(
        "\n\n".join(
            f"{number}. Punkt om emne {next(case)}\n\nSAG-2024-{number:05d}\n\nIndstilling"
            "\n\nDrøftes."
            for number in range(1, count + 1)
        )
        for count in parts
    )
    document = Document(
        url="https://www.kl.dk/dagsorden.pdf",
        kind=DocumentKind.AGENDA,
        title="Dagsorden",
        date=None,
        text=body,
    )
    items = split_document(document).items
    keys = [item.key for item in items]
    assert len(keys) == sum(parts)
    assert len(set(keys)) == len(keys)
    assert [item.key for item in split_document(document).items] == keys
