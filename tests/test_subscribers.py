"""Subscribers: input checks, the store API and the `notifier subscribers` commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from notifier.cli import main
from notifier.errors import SubscriberError
from notifier.models import Frequency, Message, SubscriberState
from notifier.store import Store
from notifier.subscriptions import normalize_email, one_line, parse_councils, parse_topics
from tests.factories import Spec, publish

NOW = datetime(2021, 4, 20, 5, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parent.parent
TOPICS = ("sundhed", "klima_miljoe", "uddannelse")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Anne@Example.ORG", "anne@example.org"),
        ("  lars@kommune.dk ", "lars@kommune.dk"),
        # SMTP and headers need the ASCII form; one person is one address either way
        ("soeren@københavn.dk", "soeren@xn--kbenhavn-54a.dk"),
        ("Soeren@xn--kbenhavn-54a.dk", "soeren@xn--kbenhavn-54a.dk"),
    ],
)
def test_normalize_email(given: str, expected: str) -> None:
    assert normalize_email(given) == expected


@pytest.mark.parametrize("bad", ["jørgen@kommune.dk", "søren@københavn.dk", "ÅSE@kl.dk"])
def test_normalize_email_refuses_danish_letters_before_the_at(bad: str) -> None:
    """Found by a review: such an address was accepted, and no mail to it can be sent (no
    SMTPUTF8 on the way); its digest failed everyone's daily run."""
    with pytest.raises(SubscriberError, match="æ, ø and å cannot be used before the @"):
        normalize_email(bad)


@pytest.mark.parametrize("bad", ["", "anne", "anne@", "a b@example.org", "x@y.z\r\nBcc: e@f.g"])
def test_normalize_email_refuses(bad: str) -> None:
    with pytest.raises(SubscriberError, match="not a valid email address"):
        normalize_email(bad)


def test_parse_topics_and_councils() -> None:
    assert parse_topics("klima_miljoe, sundhed", TOPICS) == ("klima_miljoe", "sundhed")
    assert parse_topics(["ALL"], TOPICS) == ("all",)
    with pytest.raises(SubscriberError, match="unknown topic 'klima'"):
        parse_topics("klima", TOPICS)
    with pytest.raises(SubscriberError, match="at least one topic"):
        parse_topics("", TOPICS)
    assert parse_councils("") == ("all",)
    assert parse_councils("nordjylland,sjaelland") == ("nordjylland", "sjaelland")
    with pytest.raises(SubscriberError, match="unknown council 'fyn'"):
        parse_councils("fyn")


async def test_store_lifecycle(store: Store) -> None:
    await publish(store, [Spec(title="Punkt")])  # events before the subscriber
    person = await store.subscribers.add(
        email="a@example.org",
        name="A",
        topics=("sundhed",),
        councils=("all",),
        frequency=Frequency.DAILY,
        state=SubscriberState.PENDING,
        now=NOW,
    )
    assert person.event_cursor == await store.archive.last_event_id() > 0
    assert person.confirmed_at is None
    with pytest.raises(SubscriberError, match="already subscribed"):
        await store.subscribers.add(
            email="a@example.org",
            name="B",
            topics=("all",),
            councils=("all",),
            frequency=Frequency.DAILY,
            state=SubscriberState.ACTIVE,
            now=NOW,
        )
    active = await store.subscribers.change(
        person.id,
        now=NOW,
        state=SubscriberState.ACTIVE,
        topics=("all",),
        frequency=Frequency.WEEKLY,
    )
    assert (active.state, active.confirmed_at, active.topics, active.frequency) == (
        SubscriberState.ACTIVE,
        NOW,
        ("all",),
        Frequency.WEEKLY,
    )
    revoked = await store.subscribers.change(person.id, now=NOW, revoke=True)
    assert revoked.token_generation == 1
    message = Message(
        message_id="m1@x",
        kind="digest",
        recipient="a@example.org",
        subject="s",
        body=b"x",
        subscriber_id=person.id,
    )
    assert list(await store.outbox.enqueue([message], now=NOW)) == ["m1@x"]
    assert await store.outbox.enqueue([message], now=NOW) == {}  # a re-plan is kept once
    assert await store.outbox.depth() == 1
    await store.subscribers.purge(person.id)
    assert await store.subscribers.by_email("a@example.org") is None
    assert await store.outbox.depth() == 0


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    config = tmp_path / "notifier.toml"
    config.write_text(
        f'database_url = "sqlite+aiosqlite:///{tmp_path / "n.db"}"\n'
        f'topics_file = "{REPO / "config" / "topics.toml"}"\n'
    )
    monkeypatch.setenv("NOTIFIER_CONFIG", str(config))
    return CliRunner()


def test_cli_add_list_update_remove_export(cli: CliRunner) -> None:
    result = cli.invoke(
        main,
        [
            "subscribers",
            "add",
            "Anne@Example.org",
            "--name",
            "Anne",
            "--topics",
            "sundhed,klima_miljoe",
            "--frequency",
            "weekly",
        ],
    )
    assert result.exit_code == 0, result.output
    again = cli.invoke(main, ["subscribers", "add", "anne@example.org", "--topics", "all"])
    assert again.exit_code == 1 and "already subscribed" in again.output
    bad = cli.invoke(main, ["subscribers", "add", "b@example.org", "--topics", "klima"])
    assert bad.exit_code == 1 and "unknown topic 'klima'" in bad.output
    danish = cli.invoke(main, ["subscribers", "add", "jørgen@kommune.dk", "--topics", "all"])
    assert danish.exit_code == 1 and "cannot be used before the @" in danish.output
    assert "Traceback" not in danish.output
    idn = cli.invoke(main, ["subscribers", "add", "lars@københavn.dk", "--topics", "all"])
    assert idn.exit_code == 0 and "lars@xn--kbenhavn-54a.dk" in idn.output, idn.output
    assert (
        cli.invoke(main, ["subscribers", "remove", "lars@københavn.dk", "--purge"]).exit_code == 0
    )
    listed = json.loads(cli.invoke(main, ["subscribers", "list", "--json"]).output)
    assert [(p["email"], p["state"], p["topics"], p["frequency"]) for p in listed] == [
        ("anne@example.org", "active", ["sundhed", "klima_miljoe"], "weekly")
    ]
    assert (
        cli.invoke(
            main, ["subscribers", "update", "anne@example.org", "--councils", "sjaelland"]
        ).exit_code
        == 0
    )
    exported = json.loads(cli.invoke(main, ["subscribers", "export", "anne@example.org"]).output)
    assert exported["subscriber"]["councils"] == ["sjaelland"]
    assert {"updated_at", "token_generation", "event_cursor"} <= set(exported["subscriber"])
    assert exported["send_log"] == [] and exported["messages"] == []
    assert "anne@example.org" in cli.invoke(main, ["subscribers", "export"]).output
    assert cli.invoke(main, ["subscribers", "remove", "anne@example.org"]).exit_code == 0
    listed = json.loads(cli.invoke(main, ["subscribers", "list", "--json"]).output)
    assert listed[0]["state"] == "unsubscribed"
    assert cli.invoke(main, ["subscribers", "remove", "anne@example.org", "--purge"]).exit_code == 0
    assert json.loads(cli.invoke(main, ["subscribers", "list", "--json"]).output) == []


def test_cli_import_reports_bad_rows_and_keeps_good(cli: CliRunner, tmp_path: Path) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "email,name,topics,councils,frequency\n"
        "a@example.org,Anne,sundhed;uddannelse,,daily\n"
        "not-an-address,Bo,sundhed,,daily\n"
        "c@example.org,Carl,klima,,daily\n"
        "d@example.org,Dorte,all,nordjylland,hourly\n"
        "A@example.org,Anne igen,all,,weekly\n"
        "e@example.org,Eva,all,,immediate\n"
    )
    result = cli.invoke(main, ["subscribers", "import", str(csv_file)])
    assert result.exit_code == 1
    assert f"{csv_file}:line 3: not a valid email address" in result.output
    assert f"{csv_file}:line 4: unknown topic 'klima'" in result.output
    assert f"{csv_file}:line 5: unknown frequency 'hourly'" in result.output
    assert f"{csv_file}:line 6: a@example.org is already subscribed" in result.output
    assert "imported 2 subscribers, 4 rows refused" in result.output
    toml_file = tmp_path / "people.toml"
    toml_file.write_text(
        '[[subscribers]]\nemail = "f@example.org"\ntopics = ["sundhed"]\n'
        '[[subscribers]]\nemail = "g@example.org"\ntopics = ["nope"]\n'
    )
    result = cli.invoke(main, ["subscribers", "import", str(toml_file)])
    assert "subscribers[2]: unknown topic 'nope'" in result.output
    emails = [
        p["email"] for p in json.loads(cli.invoke(main, ["subscribers", "list", "--json"]).output)
    ]
    assert emails == ["a@example.org", "e@example.org", "f@example.org"]


def test_export_piped_into_import_update_reproduces_every_subscriber(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for email, topics, councils in [
        ("anne@example.org", "sundhed,klima_miljoe", "sjaelland"),
        ("bo@example.org", "all", "all"),
        ("carl@example.org", "uddannelse", "nordjylland,syddanmark"),
    ]:
        added = cli.invoke(
            main,
            [
                *("subscribers", "add", email, "--name", email[:3].title()),
                *("--topics", topics, "--councils", councils, "--frequency", "weekly"),
            ],
        )
        assert added.exit_code == 0, added.output
    cli.invoke(main, ["subscribers", "remove", "bo@example.org"])
    # Own words (Danish letters, a phrase), excluded words and a pause travel along too.
    words = ["--keywords", "Movia, Region Sjælland; sygehus*", "--exclude", "Metro"]
    worded = cli.invoke(main, ["subscribers", "update", "anne@example.org", *words])
    assert worded.exit_code == 0, worded.output
    holiday = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    paused = cli.invoke(
        main, ["subscribers", "update", "carl@example.org", "--pause-until", holiday]
    )
    assert paused.exit_code == 0 and f"paused until {holiday}" in paused.output
    exported = cli.invoke(main, ["subscribers", "export"]).output
    before = json.loads(cli.invoke(main, ["subscribers", "list", "--json"]).output)

    other = tmp_path / "other.toml"
    other.write_text(
        f'database_url = "sqlite+aiosqlite:///{tmp_path / "other.db"}"\n'
        f'topics_file = "{REPO / "config" / "topics.toml"}"\n'
    )
    monkeypatch.setenv("NOTIFIER_CONFIG", str(other))
    # Carl is there already with other choices: --update makes him match the export.
    cli.invoke(main, ["subscribers", "add", "carl@example.org", "--topics", "social"])
    dump = tmp_path / "export.csv"
    dump.write_text(exported, encoding="utf-8")
    refused = cli.invoke(main, ["subscribers", "import", str(dump)])
    assert refused.exit_code == 1 and "carl@example.org is already subscribed" in refused.output
    result = cli.invoke(main, ["subscribers", "import", "--update", str(dump)])
    assert result.exit_code == 0, result.output
    after = json.loads(cli.invoke(main, ["subscribers", "list", "--json"]).output)
    keys = ("email", "name", "topics", "councils", "frequency", "state", "created_at")
    keys += ("confirmed_at", "unsubscribed_at", "keywords", "excluded", "paused_until")

    def rows(people: list[dict[str, object]]) -> list[dict[str, object]]:
        return sorted(({k: p[k] for k in keys} for p in people), key=lambda p: str(p["email"]))

    assert rows(after) == rows(before)
    assert {p["email"]: p["state"] for p in after}["bo@example.org"] == "unsubscribed"
    anne = next(p for p in after if p["email"] == "anne@example.org")
    assert anne["keywords"] == ["Movia", "Region Sjælland", "sygehus*"]
    assert anne["excluded"] == ["Metro"]
    assert next(p for p in after if p["email"] == "carl@example.org")["paused_until"] == holiday


def test_excel_semicolon_csv_in_windows_1252_with_danish_names_imports(
    cli: CliRunner, tmp_path: Path
) -> None:
    sheet = tmp_path / "excel.csv"
    sheet.write_bytes(
        "E-mail;Navn;Emner;KKR;Hyppighed\r\n"
        "soeren@kommune.dk;Søren Ærø;Sundhed, Klima og miljø;Sjælland;ugentligt\r\n"
        "mette@kommune.dk;Mette Ørsted;social;KKR Nordjylland;weekly\r\n".encode("cp1252")
    )
    result = cli.invoke(main, ["subscribers", "import", str(sheet)])
    # "ugentligt" is not a frequency id: that line is refused, the other goes in.
    assert "line 2: unknown frequency 'ugentligt'" in result.output
    assert "imported 1 subscribers, 1 rows refused" in result.output
    [mette] = json.loads(cli.invoke(main, ["subscribers", "list", "--json"]).output)
    assert (mette["name"], mette["councils"]) == ("Mette Ørsted", ["nordjylland"])
    bom = tmp_path / "bom.csv"
    header = "\ufeffemail;name;topics;councils\n"
    bom.write_bytes((header + "soeren@kommune.dk;Søren Ærø;Klima og miljø;sjælland\n").encode())
    assert cli.invoke(main, ["subscribers", "import", str(bom)]).exit_code == 0
    people = json.loads(cli.invoke(main, ["subscribers", "list", "--json"]).output)
    soren = next(p for p in people if p["email"] == "soeren@kommune.dk")
    assert (soren["name"], soren["topics"], soren["councils"]) == (
        "Søren Ærø",
        ["klima_miljoe"],
        ["sjaelland"],
    )
    flag = cli.invoke(
        main, ["subscribers", "add", "x@kommune.dk", "--topics", "all", "--councils", "sjælland"]
    )
    assert flag.exit_code == 0, flag.output


def test_bad_import_files_are_reported_by_line_and_lose_no_good_row(
    cli: CliRunner, tmp_path: Path
) -> None:
    binary = tmp_path / "people.xlsx.csv"
    binary.write_bytes(b"PK\x03\x04\x00\x00\x08\x00" + bytes(range(256)))
    result = cli.invoke(main, ["subscribers", "import", str(binary)])
    assert result.exit_code == 1 and "not a text file" in result.output
    assert "Traceback" not in result.output
    quoted = tmp_path / "quote.csv"
    quoted.write_text(
        'email,name,topics\n"a@example.org,Anne,sundhed\nb@example.org,Bo,sundhed\n'
        "c@example.org,Carl,sundhed\n"
    )
    result = cli.invoke(main, ["subscribers", "import", str(quoted)])
    assert "line 2: cannot be read as CSV" in result.output
    assert "imported 2 subscribers, 1 rows refused" in result.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes("email,name,topics\nd@example.org,Dorthe Ålund,sundhed\n".encode("latin-1"))
    assert cli.invoke(main, ["subscribers", "import", str(latin)]).exit_code == 0
    people = json.loads(cli.invoke(main, ["subscribers", "list", "--json"]).output)
    assert {p["email"]: p["name"] for p in people}["d@example.org"] == "Dorthe Ålund"


def test_a_name_is_one_line_of_limited_length() -> None:
    assert one_line("Anne\r\nBcc: evil@example.org\u2028x") == "Anne Bcc: evil@example.org x"
    assert len(one_line("x" * 1000)) == 100
