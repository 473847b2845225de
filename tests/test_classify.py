"""Topic classifier: dev-set targets, Danish folding, borders, procedure, user-added topics."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from notifier.classify import Classifier, fold, primary
from notifier.models import Item
from notifier.topics import load_classifier, load_topics

ROOT = Path(__file__).resolve().parent.parent
TOPICS = ROOT / "config" / "topics.toml"
DEV = ROOT / "tests" / "data" / "classify_dev.jsonl"
HOLDOUT2 = ROOT / "tests" / "data" / "classify_holdout2.jsonl"
REAL = ROOT / "tests" / "data" / "classify_real.jsonl"


def topics_of(classifier: Classifier, title: str, text: str = "") -> set[str]:
    return {m.topic for m in classifier.classify(title=title, text=text)}


def f1_by_topic(classifier: Classifier, split: str) -> dict[str, float]:
    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    return f1_of(classifier, [i for i in items if i["split"] == split])


def f1_of(classifier: Classifier, items: list[dict[str, Any]]) -> dict[str, float]:
    counts = {t.id: [0, 0, 0] for t in classifier.topics}
    for item in items:
        predicted = topics_of(classifier, item["title"], item["text"])
        for topic, c in counts.items():
            gold = topic in item["topics"]
            c[0] += topic in predicted and gold
            c[1] += topic in predicted and not gold
            c[2] += topic not in predicted and gold
    return {t: 2 * tp / (2 * tp + fp + fn) if tp else 0.0 for t, (tp, fp, fn) in counts.items()}


def macro_f1(classifier: Classifier, items: list[dict[str, Any]]) -> float:
    f1 = f1_of(classifier, items)
    return sum(f1.values()) / len(f1)


def real_rows(
    classifier: Classifier, path: Path, *, at_least: int, split: bool = True
) -> list[dict[str, Any]]:
    """The rows of a set of real items, checked whole: unique ids, the page's address kept,
    known topics, and (``split``) a row's split fixed by its address (a fifth of the pages,
    sha256 of the address divisible by 5, are "final": only ever measured)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    assert len(rows) >= at_least
    assert len({r["id"] for r in rows}) == len(rows)
    topics = {t.id for t in classifier.topics}
    for row in rows:
        assert row["url"].startswith("http"), row["id"]
        assert row["title"] and set(row["topics"]) <= topics, row["id"]
        if split:
            final = int(hashlib.sha256(row["url"].encode()).hexdigest(), 16) % 5 == 0
            assert row["split"] == ("final" if final else "cv"), row["id"]
    return rows


def test_dev_set_is_big_enough_and_covers_every_topic() -> None:
    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    assert len(items) >= 150
    assert {"id", "title", "text", "topics", "source", "split"} <= set(items[0])
    assert len({i["id"] for i in items}) == len(items)
    for topic in ("sundhed", "social", "uddannelse", "vaekst_beskaeftigelse"):
        assert sum(topic in i["topics"] for i in items) >= 10


@pytest.mark.parametrize("split", ["dev", "holdout"])
def test_targets(classifier: Classifier, split: str) -> None:
    f1 = f1_by_topic(classifier, split)
    assert sum(f1.values()) / len(f1) >= 0.90, f1
    assert min(f1.values()) >= 0.80, f1


@pytest.mark.parametrize(
    ("clean", "damaged"),
    [
        ("Sjælland", "Sjzlland"),
        ("Sjælland", "Sjeelland"),
        ("Sjælland", "Sjaelland"),
        ("vækst og beskæftigelse", "vaekst og beskeftigelse"),
        ("områder", "omraader"),
        ("miljø", "miljoe"),
        ("på", "p3"),
        ("på", "pd"),
        ("sammenhængende", "sammenhcengende"),
    ],
)
def test_folding_makes_spellings_equal(clean: str, damaged: str) -> None:
    assert fold(clean) == fold(damaged)


@pytest.mark.parametrize(
    ("clean", "damaged"),
    [
        ("Vækst og beskæftigelse", "Vaekst og beskaftigelse"),
        ("Ny sundhedsaftale for Region Sjælland", "Ny sundhedsaftale for Region Sjzlland"),
        ("Det nære sundhedsvæsen", "Det naere sundhedsvaesen"),
        (
            "Rammeaftale på det specialiserede socialområde",
            "Rammeaftale pd det specialiserede socialomrdde",
        ),
        ("Klima og miljø", "Klima og milje"),
        ("Praktikpladser på pædagoguddannelsen", "Praktikpladser pa paedagoguddannelsen"),
        ("Kollektiv trafik på Sjælland", "Kollektiv trafik pa Sjeelland"),
        ("Udbud af uddannelser i områderne", "Udbud af uddannelser i omrader"),
        ("Grundvand og drikkevand", "Grundvand og drikkevand".upper()),
        ("Kommunerne køber pladser i botilbud", "Kommunerne keber pladser i botilbud"),
        ("Det nære sundhedsvæsen", "Det ncere sundhedsvcesen"),
        ("Beskæftigelse og vækst", "Beskceftigelse og vcekst"),
    ],
)
def test_damaged_text_classifies_as_clean(classifier: Classifier, clean: str, damaged: str) -> None:
    expected = topics_of(classifier, clean)
    assert expected
    assert topics_of(classifier, damaged) == expected


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("Sundhedsaftalen", "sundhed"),
        ("Status for sundhedsaftalerne", "sundhed"),
        ("Ny sundhedsaftale", "sundhed"),
        ("Flere unge i erhvervsuddannelserne", "uddannelse"),
        ("Rekruttering til velfærdsuddannelserne", "uddannelse"),
        ("Kommunernes klimahandleplaner", "klima_miljoe"),
        ("Botilbuddenes kapacitet", "social"),
        ("Trafikselskabets budget", "trafik_infrastruktur"),
    ],
)
def test_inflections_and_compounds(classifier: Classifier, title: str, topic: str) -> None:
    assert topic in topics_of(classifier, title)


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Kræftplan V og kommunernes rolle", "", {"sundhed"}),
        ("Ældreområdet", "Status på den nye ældrelov.", {"sundhed"}),
        ("Familiepleje og opholdssteder", "", {"social"}),
        ("Flere lærlinge i kommunerne", "", {"uddannelse"}),
        ("Erhvervsakademiets nye udbud", "", {"uddannelse"}),
        ("Flere turister i Sønderjylland", "", {"vaekst_beskaeftigelse"}),
        ("DSB og Banedanmark", "Færre tog til Kalundborg.", {"trafik_infrastruktur"}),
        ("Vandområdeplanerne", "Krav til rensningsanlæg.", {"klima_miljoe"}),
        ("Samarbejdsaftale for borgere med psykisk lidelse", "", {"sundhed"}),
        # not labour market or growth: vacant places, growing expenses
        ("Ledige pladser på botilbud", "", {"social"}),
        ("Udgiftsvæksten på det specialiserede socialområde", "", {"social"}),
        # "lægger" folds like "læger": the latter is not a term
        ("Ny handicapplan", "Planen lægger op til flere botilbud.", {"social"}),
    ],
)
def test_area_vocabulary(classifier: Classifier, title: str, text: str, expected: set[str]) -> None:
    assert topics_of(classifier, title, text) == expected


def test_second_holdout_stays_above_target(classifier: Classifier) -> None:
    """classify_holdout2.jsonl was written before the lexicon was broadened; since then terms
    were added with it in view, so this guards against regressions, not overfitting."""
    items = [json.loads(line) for line in HOLDOUT2.read_text(encoding="utf-8").splitlines()]
    assert len(items) >= 30
    f1 = f1_of(classifier, items)
    assert sum(f1.values()) / len(f1) >= 0.90, f1
    assert min(f1.values()) >= 0.80, f1


def test_line_broken_words_are_rejoined(classifier: Classifier) -> None:
    text = "Kommunerne udarbejder klima-\nhandleplaner og arbejder med be-\nskæftigelsen."
    assert topics_of(classifier, "Orientering", text) == {"klima_miljoe", "vaekst_beskaeftigelse"}


def test_education_places_for_health_workers_are_education(classifier: Classifier) -> None:
    title = "Praktikpladser på social- og sundhedsuddannelserne"
    assert topics_of(classifier, title) == {"uddannelse"}


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("Udpegning til Regionalt Arbejdsmarkedsråd", "vaekst_beskaeftigelse"),
        ("Udpegning af nyt medlem til RAR Hovedstaden", "vaekst_beskaeftigelse"),
        ("Greater Copenhagen EU Office", "vaekst_beskaeftigelse"),
        ("Udpegning til Praksisplanudvalget", "sundhed"),
        ("Udpegning til sundhedskoordinationsudvalget", "sundhed"),
        ("Udpegning til Movias bestyrelse", "trafik_infrastruktur"),
        ("Udpegning til trafikselskabets repræsentantskab", "trafik_infrastruktur"),
        ("Udpegning til Udsatterådet i Region Syddanmark", "social"),
    ],
)
def test_appointment_takes_the_topic_of_the_board(
    classifier: Classifier, title: str, topic: str
) -> None:
    assert topics_of(classifier, title, "KKR skal udpege et nyt medlem.") == {topic}


@pytest.mark.parametrize(
    "title",
    ["Godkendelse af referat", "1.2. Godkendelse af dagsorden", "Siden sidst.....", "Eventuelt"],
)
def test_procedural_titles_get_no_topic(classifier: Classifier, title: str) -> None:
    text = "Orientering fra sundhedskoordinationsudvalget, RAR og Movia om klima og uddannelse."
    assert classifier.classify(title=title, text=text) == ()


def test_procedural_flag_and_item(classifier: Classifier) -> None:
    assert classifier.classify(title="Sundhedsaftale", text="", procedural=True) == ()
    item = Item(
        key="3.1", position=0, title="Orientering", text="", indstilling="Ny sundhedsaftale"
    )
    (match,) = classifier.classify_item(item)
    assert match.topic == "sundhed"
    assert match.evidence[0].where == "indstilling"
    assert (
        classifier.classify_item(
            Item(key="1", position=0, title="Sundhedsaftale", text="", procedural=True)
        )
        == ()
    )


def test_evidence_names_term_matched_text_and_place(classifier: Classifier) -> None:
    (match,) = classifier.classify(title="Sundhedsaftalen", text="Sundhedsaftalerne evalueres.")
    assert match.score > 0
    by_place = {(e.where, e.matched) for e in match.evidence}
    assert ("title", "Sundhedsaftalen") in by_place
    assert ("text", "Sundhedsaftalerne") in by_place
    assert all(e.term == "sundhedsaftale*" for e in match.evidence)


def test_title_counts_more_than_body(classifier: Classifier) -> None:
    in_title = classifier.classify(title="Botilbud", text="")
    in_body = classifier.classify(title="Orientering", text="Botilbud")
    assert in_title[0].score > in_body[0].score


def test_results_are_sorted_by_score(classifier: Classifier) -> None:
    matches = classifier.classify(
        title="Klimaplaner og affald", text="Kollektiv trafik og elbusser indgår i klimaplanen."
    )
    assert matches[0].topic == "klima_miljoe"
    assert list(matches) == sorted(matches, key=lambda m: -m.score)


def test_version_changes_with_definitions() -> None:
    topics = load_topics(TOPICS)
    assert Classifier(topics).version == Classifier(load_topics(TOPICS)).version
    assert Classifier(topics).version != Classifier(topics[:-1]).version


def test_user_added_topic_works_without_code(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(
        TOPICS.read_text(encoding="utf-8")
        + '\n[digitalisering]\nname = "Digitalisering"\n\n[digitalisering.terms]\n'
        '"digitalisering*" = 3\n"*digitalisering*" = 3\n'
        '"kunstig intelligens" = 3\n"it-system*" = 2\n',
        encoding="utf-8",
    )
    classifier = Classifier(load_topics(path))
    matches = classifier.classify(
        title="Fælles digitaliseringsstrategi", text="Kommunerne afprøver kunstig intelligens."
    )
    assert [m.topic for m in matches] == ["digitalisering"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[sundhed]\nname = "Sundhed"\n', "sundhed.terms: missing"),
        ('[sundhed]\n[sundhed.terms]\n"a*" = 1\n', "sundhed.name: missing"),
        ('[sundhed]\nname = "S"\n[sundhed.terms]\n"sund*hed" = 1\n', "sundhed.terms: 'sund*hed'"),
        ('[sundhed]\nname = "S"\n[sundhed.terms]\n"sundhed" = "høj"\n', "sundhed.terms: 'sundhed'"),
        (
            '[sundhed]\nname = "S"\ncolour = 1\n[sundhed.terms]\n"s" = 1\n',
            "sundhed.colour: unknown",
        ),
        ('[Sundhed]\nname = "S"\n[Sundhed.terms]\n"s" = 1\n', "Sundhed.id:"),
        ("[sundhed\n", "not valid TOML"),
    ],
)
def test_bad_topics_file_names_the_field(tmp_path: Path, body: str, message: str) -> None:
    from notifier.errors import ConfigError

    path = tmp_path / "topics.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_topics(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_short_stems_do_not_match_look_alikes(classifier: Classifier) -> None:
    """OCR look-alikes (æ->a, ø->e, å->d) are tried for long terms only: "kræft" is not "kraft"."""
    assert classifier.classify(title="Budget", text="Aftalen træder i kraft 1. maj.") == ()
    assert topics_of(classifier, "Kræftplan V") == {"sundhed"}  # the stem and its compounds
    long_term = classifier.classify(title="Vaekst og beskaftigelse", text="")
    assert [e.matched for e in long_term[0].evidence] == ["Vaekst", "beskaftigelse"]


def test_hints_never_decide_a_topic_alone(classifier: Classifier) -> None:
    """Names of organisations say who acts, not what the item is about."""
    assert topics_of(classifier, "Business Region North Denmark", "Nyt fra bestyrelsen.") == set()
    assert topics_of(classifier, "Mastepolitik", "Projekt i Business Region om bredbånd.") == {
        "trafik_infrastruktur"
    }


def test_rammeaftale_is_social_unless_it_names_another_subject(classifier: Classifier) -> None:
    assert topics_of(classifier, "Rammeaftale 2016") == {"social"}
    danskuddannelse = topics_of(
        classifier,
        "Rammeaftale for danskuddannelse",
        "KKR drøftede rammeaftalen for danskuddannelse til voksne udlændinge.",
    )
    assert danskuddannelse == {"uddannelse", "vaekst_beskaeftigelse"}
    væksthuse = topics_of(classifier, "KKR s indspil til ny rammeaftale for væksthusene")
    assert væksthuse == {"vaekst_beskaeftigelse"}


def test_forces_are_not_cancer(classifier: Classifier) -> None:
    """ "samle kræfterne" (join forces) starts like "kræft" but says nothing about health."""
    text = "Vi samler kræfterne i Nordjylland om den 3. Limfjordsforbindelse."
    assert topics_of(classifier, "Projektbeskrivelse", text) == {"trafik_infrastruktur"}
    assert topics_of(classifier, "Kræftplan V") == {"sundhed"}
    assert topics_of(classifier, "Kommunal medfinansiering") == {"sundhed"}


def test_negative_context_transport_charter(classifier: Classifier) -> None:
    title = "Fælles trafikcharter for Greater Copenhagen og infrastrukturinvesteringer"
    assert topics_of(classifier, title) == {"trafik_infrastruktur"}
    assert "vaekst_beskaeftigelse" in topics_of(classifier, "Greater Copenhagen handleplan")


def test_primary_is_the_strongest_topic(classifier: Classifier) -> None:
    matches = classifier.classify(
        title="Kollektiv trafik", text="Elbusser skal mindske CO2-udledningen fra busserne."
    )
    assert [m.topic for m in matches] == ["trafik_infrastruktur", "klima_miljoe"]
    assert primary(matches) == "trafik_infrastruktur"
    assert primary(()) is None


def test_equal_scores_prefer_evidence_in_the_title(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(
        '[alfa]\nname = "Alfa"\n[alfa.terms]\n"bus" = 2.5\n\n'
        '[zeta]\nname = "Zeta"\n[zeta.terms]\n"klima" = 2\n',
        encoding="utf-8",
    )
    matches = Classifier(load_topics(path)).classify(title="Klima", text="bus bus bus bus")
    assert [(m.topic, m.score) for m in matches] == [("zeta", 5.0), ("alfa", 5.0)]


def load_real() -> list[dict[str, Any]]:
    return [json.loads(line) for line in REAL.read_text(encoding="utf-8").splitlines()]


def test_real_set_rows_are_complete() -> None:
    items = load_real()
    topics = {t.id for t in load_topics(TOPICS)}
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        assert item["url"].startswith("http"), item["id"]
        assert item["title"] and set(item["topics"]) <= topics, item["id"]
        assert item["kind"] in {"newsletter-section", "news", "agenda-point", "other"}
        assert item["council"] in {
            "hovedstaden",
            "sjaelland",
            "syddanmark",
            "midtjylland",
            "nordjylland",
        }
        assert item["split"] in {"cv", "final"}
        assert item["source"] in {
            "kl.dk",
            "kkr-site",
            "municipal-agenda",
            "municipal-page",
            "region-site",
            "partnership",
            "press",
            "other-agenda",
        }, item["id"]
    assert {i["council"] for i in items} == {
        "hovedstaden",
        "sjaelland",
        "syddanmark",
        "midtjylland",
        "nordjylland",
    }
    assert {t for i in items for t in i["topics"]} == topics
    assert any(not i["topics"] for i in items)


def defined_f1(classifier: Classifier, items: list[dict[str, Any]]) -> dict[str, float]:
    """F1 per topic that occurs in the gold labels or the predictions."""
    present = {t for i in items for t in i["topics"]}
    present |= {t for i in items for t in topics_of(classifier, i["title"], i["text"])}
    return {t: f for t, f in f1_of(classifier, items).items() if t in present}


def test_real_set_targets(classifier: Classifier) -> None:
    """Issue 8's target on the real set is macro-F1 >= 0.92 with no topic below 0.85 on the cv
    rows (the lexicon fits nothing to folds, so this is its pooled CV score). It stands at 0.946
    with vækst lowest at 0.92 (see LABELLING.md), and this guards that level. The hand edits
    were made with the cv rows in view, so the final slice (77 rows never looked at one by one)
    is the check that they generalise; it stands at 0.952 and is small, hence its own bound."""
    items = load_real()
    assert len(items) >= 350
    cv = defined_f1(classifier, [i for i in items if i["split"] == "cv"])
    assert sum(cv.values()) / len(cv) >= 0.93, cv
    assert min(cv.values()) >= 0.90, cv
    final = defined_f1(classifier, [i for i in items if i["split"] == "final"])
    assert sum(final.values()) / len(final) >= 0.90, final


def test_procedural_titles_come_from_the_topics_file(tmp_path: Path) -> None:
    shipped = load_classifier(TOPICS)
    assert shipped.is_procedural_title("7. Eventuelt")
    assert shipped.is_procedural_title("1. Godkendelse af dagsorden for mødet")
    assert not shipped.is_procedural_title("3.2. Status for klima VIP-projekterne")
    # Standing points keep no topic, whatever words they hold.
    assert not shipped.classify(title="Eventuelt", text="Sundhedsaftalen og botilbud.")

    path = tmp_path / "topics.toml"
    body = TOPICS.read_text(encoding="utf-8")
    start = body.index("procedural_titles = [")
    path.write_text(
        body[:start]
        + 'procedural_titles = ["orientering om sundhed*"]\n'
        + body[body.index("]", start) + 1 :],
        encoding="utf-8",
    )
    edited = load_classifier(path)
    assert edited.is_procedural_title("4. Orientering om sundhedsaftalen")
    assert not edited.is_procedural_title("7. Eventuelt")  # no longer listed
    assert edited.version != shipped.version  # stored items are classified again
    assert [t.id for t in load_topics(path)] == [t.id for t in shipped.topics]


def test_a_bad_procedural_title_is_named(tmp_path: Path) -> None:
    from notifier.errors import ConfigError

    body = TOPICS.read_text(encoding="utf-8")
    start = body.index("procedural_titles = [")
    path = tmp_path / "topics.toml"
    path.write_text(
        'procedural_titles = ["even*tuelt"]\n' + body[body.index("]", start) + 1 :],
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="procedural_titles: 'even\\*tuelt'"):
        load_classifier(path)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # Titles of real regional agenda points (edagsorden.regionh.dk, regionsyddanmark.dk)
        # the terms missed: psychiatry compounds, the 1813 line, local rail, bus rapid transit.
        ("Rapport vedrørende kortlægning af retspsykiatrien", {"sundhed"}),
        ("Kontaktudvalgsmøde for voksenpsykiatri", {"sundhed"}),
        ("Status på Akuttelefonen 1813", {"sundhed"}),
        ("Regional plan for nedbringelse af opioider", {"sundhed"}),
        (
            "Udviklingsplan 2026-2035 for lokalbanerne i Region Hovedstaden",
            {"trafik_infrastruktur"},
        ),
        ("Meddelelse - BRT på 200S og 400S", {"trafik_infrastruktur"}),
        ("Vandoplandsbaseret samarbejde langs Værebro Å", {"klima_miljoe"}),
        ("Dobbeltdiagnosetilbud starter januar 2024", {"sundhed", "social"}),
        # ... while the social area keeps its own psychiatry.
        ("Socialpsykiatri og botilbud", {"social"}),
    ],
)
def test_real_titles_from_outside_the_labelled_sets(
    classifier: Classifier, title: str, expected: set[str]
) -> None:
    assert topics_of(classifier, title) == expected
