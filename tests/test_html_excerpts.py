"""What a mail shows of a newsletter section read from a web page: its words, not the labels of
the links that close it. The stored text keeps them, so no stored version moves."""

from __future__ import annotations

import pytest

from notifier.extract import extract
from notifier.models import Council
from notifier.render import excerpt
from notifier.split import split

# https://www.kl.dk/nyhed/2017/november/valg-til-kkr-2018-2022/: its wording, in a newsletter
# section closed by a link to the article, as kl.dk's newsletters link theirs.
URL = "https://www.kl.dk/politik/kkr/kkr-nordjylland/nyheder/nyhedsbrev-fra-kkr-nordjylland"
SENTENCE = (
    "KL har den 27. november 2017 orienteret medlemmerne af de nyvalgte kommunalbestyrelser "
    "om valget af medlemmer til KKR for den kommende valgperiode."
)


@pytest.mark.parametrize("label", ["Læs mere", "Læs mere her", "Læs hele nyheden", "Se mere"])
def test_a_closing_read_more_link_is_not_in_the_excerpt_but_stays_in_the_text(label: str) -> None:
    html = (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Nyhedsbrev | KL'
        '</title></head><body><main><div class="hero"><p>29. november 2017</p>'
        "<h1>Nyhedsbrev fra KKR Nordjylland</h1></div>"
        f'<h2>Valg til KKR 2018-2022</h2><p>{SENTENCE}</p><p><a href="/nyhed/valg">{label}</a></p>'
        "<h2>Praktik</h2><p>De nordjyske kommuner løfter mere praktik.</p></main></body></html>"
    )
    document = extract(
        html.encode(), url=URL, content_type="text/html", council=Council.NORDJYLLAND
    )
    item = split(document)[0]
    assert item.text.endswith(label)  # the stored text, and so its content hash, as before
    assert excerpt(item.title, item.text, lines=True) == SENTENCE


def test_a_sentence_ending_on_read_more_words_keeps_them() -> None:
    text = "Valg\n\nKKR drøftede valget. Interesserede kan læse mere"
    assert excerpt("Valg", text).endswith("kan læse mere")
