"""Pure diffing: identity by key, then by similarity; versions by canonical text."""

from __future__ import annotations

from datetime import date

import pytest

from notifier.diff import diff_items, document_key
from notifier.models import Council, Document, DocumentKind, Item, StoredItem


def item(key: str, title: str, text: str, position: int = 0, number: str | None = None) -> Item:
    return Item(key=key, position=position, title=title, text=text, number=number)


def stored(new: Item, item_id: int = 1) -> StoredItem:
    return StoredItem(
        id=item_id,
        key=new.key,
        position=new.position,
        number=new.number,
        title=new.title,
        text=new.text,
        content_hash=new.content_hash,
        version_id=item_id,
    )


TEXT = (
    "KKR Sjælland drøftede den aktuelle interessevaretagelse og det videre arbejde med "
    "opdatering af Sjælland baner vejen frem, herunder kollektiv trafik."
)


def test_same_content_is_unchanged_whatever_the_whitespace_and_hyphenation() -> None:
    old = item("a", "Sjælland baner vejen frem", TEXT)
    new = item(
        "a",
        "Sjælland  baner vejen frem",
        TEXT.replace("interessevaretagelse", "interesse-\nvaretagelse"),
    )
    result = diff_items([stored(old)], [new])
    assert result.unchanged == 1 and result.is_empty


def test_an_edit_is_a_change_with_the_stored_item() -> None:
    old = item("a", "Sjælland baner vejen frem", TEXT)
    new = item("a", "Sjælland baner vejen frem", TEXT + " Sagen tages op igen i februar.")
    result = diff_items([stored(old, 7)], [new])
    assert [(s.id, n.text) for s, n in result.changed] == [(7, new.text)]
    assert not result.new and not result.removed


def test_an_edited_heading_is_a_change_not_a_removal_and_an_addition() -> None:
    old = item("sjaelland-baner-vejen-frem", "Sjælland baner vejen frem", TEXT)
    new = item("sjaelland-baner-vejen-frem-2021", "Sjælland baner vejen frem 2021", TEXT)
    result = diff_items([stored(old)], [new])
    assert len(result.changed) == 1 and not result.new and not result.removed


def test_a_renumbered_point_with_the_same_content_is_moved_quietly() -> None:
    old = item("3.2", "Status for klima VIP-projekterne", TEXT, position=4, number="3.2")
    new = item("3.3", "Status for klima VIP-projekterne", TEXT, position=5, number="3.3")
    result = diff_items([stored(old)], [new])
    assert len(result.moved) == 1 and not result.changed and not result.new


def test_unrelated_items_are_new_and_removed() -> None:
    old = item("a", "Sjælland baner vejen frem", TEXT)
    new = item("b", "DM i Skills i 2022", "Kalundborg Kommune er vært for DM i Skills i 2022.")
    result = diff_items([stored(old)], [new])
    assert result.new == [new] and [s.key for s in result.removed] == ["a"]


@pytest.mark.parametrize(
    ("kind", "supplementary", "expected"),
    [
        (DocumentKind.AGENDA, False, "hovedstaden/agenda/2021-04-19"),
        (DocumentKind.MINUTES, False, "hovedstaden/minutes/2021-04-19"),
        (DocumentKind.AGENDA, True, "hovedstaden/agenda/2021-04-19/supplement/tillaegsdagsorden"),
        (DocumentKind.NEWSLETTER, False, "hovedstaden/newsletter/2021-04-19/tillaegsdagsorden"),
    ],
)
def test_document_keys_do_not_depend_on_the_url(
    kind: DocumentKind, supplementary: bool, expected: str
) -> None:
    def document(url: str) -> Document:
        return Document(
            url=url,
            kind=kind,
            title="Tillægsdagsorden",
            date=date(2021, 4, 19),
            text="",
            supplementary=supplementary,
        )

    first = document_key(document("https://www.kl.dk/media/1/a.pdf"), Council.HOVEDSTADEN)
    moved = document_key(document("https://www.kl.dk/media/2/b.pdf"), Council.HOVEDSTADEN)
    assert first == moved == expected


def test_a_point_inserted_renumbers_the_rest_which_only_move() -> None:
    """1 A, 2 B, 3 C -> 1 A, 2 N, 3 B, 4 C: paired by key, B would be told changed into N and C
    into B (with C as new); the same text under another key is the same point."""
    a, b, c = (item(str(n), t, f"{t} drøftes i KKR.", n, str(n)) for n, t in enumerate("ABC", 1))
    old = [stored(a, 1), stored(b, 2), stored(c, 3)]
    n = item("2", "Sygehuse", "Nyt punkt om sygehuse.", 1, "2")
    moved_b = item("3", b.title, b.text, 2, "3")
    moved_c = item("4", c.title, c.text, 3, "4")
    result = diff_items(old, [a, n, moved_b, moved_c])
    assert result.new == [n] and result.changed == [] and result.removed == []
    assert [(o.id, i.key) for o, i in result.moved] == [(2, "3"), (3, "4")]
    # Taken off again: C moves back, N and B leave.
    again = diff_items(old, [a, item("2", c.title, c.text, 1, "2")])
    assert [o.id for o in again.removed] == [2] and again.changed == []
    assert [(o.id, i.key) for o, i in again.moved] == [(3, "2")]


def test_an_edited_point_renumbered_by_an_added_one_is_changed_not_the_added_one() -> None:
    """A tillæg point added as 3.3 makes the old 3.3 the new 3.4, and the republished agenda
    also edits it: paired by number, 3.3 was told changed into the added point's text and the
    edited point told new. A number is the same point only with its case or a similar title."""
    titles = ("Kollektiv trafik i landdistrikterne", "Praksisplan for almen praksis")
    texts = (
        "SAG-2024-03611\n\nKKR drøftede busbetjeningen af landdistrikterne og Movias budget.",
        "SAG-2024-04611\n\nUdkastet til praksisplanen for almen praksis blev drøftet.",
    )
    old = [item(f"3.{n}", t, x, n, f"3.{n}") for n, t, x in zip((3, 4), titles, texts, strict=True)]
    added = item(
        "3.3", "Ny busstrategi", "SAG-2024-09999\n\nRegionen sendte en strategi.", 3, "3.3"
    )
    edited = item("3.4", titles[0], texts[0] + " Sagen er opdateret med nye tal.", 4, "3.4")
    renumbered = item("3.5", titles[1], texts[1], 5, "3.5")
    result = diff_items([stored(old[0], 3), stored(old[1], 4)], [added, edited, renumbered])
    assert result.new == [added] and result.removed == []
    assert [(o.id, i.key) for o, i in result.changed] == [(3, "3.4")]
    assert [(o.id, i.key) for o, i in result.moved] == [(4, "3.5")]
    # The added point taken off again and the edited one edited once more: 3.3 leaves, and
    # the edited point (now 3.3 again) is changed.
    back = item("3.3", titles[0], edited.text + " Den behandles igen i juni.", 3, "3.3")
    again = diff_items([stored(added, 2), stored(edited, 3)], [back])
    assert [o.id for o in again.removed] == [2] and again.new == []
    assert [(o.id, i.key) for o, i in again.changed] == [(3, "3.3")]
