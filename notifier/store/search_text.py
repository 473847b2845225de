"""The text side of full-text search: what is indexed of an item, Danish stems for SQLite's FTS5,
and a person's query turned into each backend's query language.

PostgreSQL stems with its own 'danish' configuration (Snowball's Danish stemmer and stop
words); for SQLite the same Snowball algorithm runs here (``snowballstemmer``, on PyStemmer's C
build of it) on both the indexed text and the query, with the same stop words, so a query finds
the same items on both.
A query's words must all occur (in any inflected form: "kommunernes" finds "kommune"); a stem
of four or more letters also finds the compounds it begins ("sygehus" finds "sygehusbyggeri").
"""

from __future__ import annotations

import functools
import re

import snowballstemmer

from notifier.classify import dehyphenate

MAX_TERMS = 8  # words of a query used; the rest are ignored
PREFIX_FROM = 4  # stems this long also match as the start of a longer word
_WORD = re.compile(r"\w+")
_STEMMER = snowballstemmer.stemmer("danish")
# PostgreSQL's danish.stop (Snowball's list), so both backends ignore the same words.
STOP_WORDS = frozenset(
    """
    ad af alle alt anden at blev blive bliver da de dem den denne der deres det dette dig din
    disse dog du efter eller en end er et for fra ham han hans har havde have hende hendes her
    hos hun hvad hvis hvor i ikke ind jeg jer jo kunne man mange med meget men mig min mine
    mit mod ned noget nogle nu når og også om op os over på selv sig sin sine sit skal skulle
    som sådan thi til ud under var vi vil ville vor være været
    """.split()  # noqa: SIM905
)


def search_fields(
    title: str, text: str, indstilling: str | None, beslutning: str | None
) -> tuple[str, str]:
    """(title, body) as indexed: the body is the text with its Indstilling and Beslutning."""
    body = "\n".join(part for part in (text, indstilling, beslutning) if part)
    return title, body


def stems(text: str) -> list[str]:
    """The Danish stems of a text's words, stop words left out."""
    # filter(None, ...) drops the stop words' empty stems in C: an ingest stems every word.
    return list(filter(None, map(_stem, _WORD.findall(dehyphenate(text)))))


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """Cached: a long document repeats its words, and stemming each occurrence again held the
    event loop for seconds on a 500-page PDF. Keyed by the word as written, so a repeated
    word is not even lowercased again."""
    lowered = word.lower()
    return "" if lowered in STOP_WORDS else _STEMMER.stemWord(lowered)


def fts_row(title: str, body: str) -> tuple[str, str]:
    """What SQLite's FTS5 table holds for an item: its stems, space separated."""
    return " ".join(stems(title)), " ".join(stems(body))


def query_stems(query: str) -> list[str]:
    return list(dict.fromkeys(stems(query)))[:MAX_TERMS]


def fts_query(query: str) -> str | None:
    """An FTS5 MATCH expression: every stem must occur (quoted, so nothing in a query is
    syntax); None when the query holds no searchable word."""
    terms = [
        f'"{stem}"*' if len(stem) >= PREFIX_FROM else f'"{stem}"' for stem in query_stems(query)
    ]
    return " ".join(terms) or None


def ts_query(query: str) -> str | None:
    """A ``to_tsquery('danish', ...)`` expression from the query's words (PostgreSQL stems
    them itself); None when the query holds no searchable word."""
    words = [word.lower() for word in _WORD.findall(dehyphenate(query))]
    kept = [w for w in dict.fromkeys(words) if w not in STOP_WORDS][:MAX_TERMS]
    terms = []
    for word in kept:
        [stem] = _STEMMER.stemWords([word])
        # \w is wider than tsquery's words: keep letters and digits only.
        safe = re.sub(r"[^\w]|_", "", word)
        if safe:
            terms.append(f"{safe}:*" if len(stem) >= PREFIX_FROM else safe)
    return " & ".join(terms) or None
