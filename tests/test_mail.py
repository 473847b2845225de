"""The MIME builder: structure, encodings, and no header injection through names or titles."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest

from notifier.mail import build_message, format_address, header_value, mailbox

NOW = datetime(2021, 4, 19, 7, 0, tzinfo=UTC)


def parse(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def build(**overrides: object) -> EmailMessage:
    values: dict[str, object] = {
        "sender": "KKR Notifier <kkr@example.org>",
        "recipient": mailbox("Søren Ærø", "soeren@example.org"),
        "subject": "KKR-overblik: 7 nye punkter om Klima og miljø",
        "text": "Hej\n.\nÆndret: " + "x" * 200,
        "html": "<p>Hej æøå</p>",
        "message_id": "digest.1.0-9@kkr.example.org",
        "date": NOW,
        "headers": {"List-Id": "KKR-overblik <kkr.example.org>"},
    }
    values.update(overrides)
    return parse(build_message(**values))  # type: ignore[arg-type]


def test_multipart_alternative_round_trips() -> None:
    message = build()
    assert message.get_content_type() == "multipart/alternative"
    assert message["To"] == "Søren Ærø <soeren@example.org>"
    assert message["Subject"] == "KKR-overblik: 7 nye punkter om Klima og miljø"
    assert message["Message-ID"] == "<digest.1.0-9@kkr.example.org>"
    assert message["Date"] == "Mon, 19 Apr 2021 07:00:00 +0000"
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n") == "Hej\n.\nÆndret: " + "x" * 200
    assert html.get_content() == "<p>Hej æøå</p>"
    assert not message.defects and not any(part.defects for part in message.walk())


def test_text_only() -> None:
    message = build(html=None)
    assert message.get_content_type() == "text/plain"
    assert message.get_content().startswith("Hej")


@pytest.mark.parametrize(
    "evil",
    [
        "Titel\r\nBcc: evil@example.org",
        "Titel\nBcc: evil@example.org",
        "Titel\rBcc: evil@example.org",
        "Titel\u2028Bcc: evil@example.org",
        "æ\r\nBcc: evil@example.org",
    ],
)
def test_no_header_injection(evil: str) -> None:
    message = build(
        subject=evil,
        recipient=mailbox(evil, "a@example.org"),
        headers={"List-Id": evil},
    )
    assert message["Bcc"] is None
    assert "evil@example.org" in message["Subject"]  # kept as text, on one line
    assert message["To"].addresses[0].addr_spec == "a@example.org"
    assert len(message["To"].addresses) == 1


@pytest.mark.parametrize(
    "recipient", ["a@example.org, evil@example.org", "Name <a@example.org>, evil@example.org"]
)
def test_one_recipient_only(recipient: str) -> None:
    with pytest.raises(ValueError, match="not one valid email address"):
        build(recipient=recipient)


def test_bad_header_name_and_message_id_refused() -> None:
    with pytest.raises(ValueError, match="header name"):
        build(headers={"X-Evil\r\nBcc": "x"})
    with pytest.raises(ValueError, match="Message-ID"):
        build(message_id="a b@c")


def test_long_non_ascii_subject_is_folded_without_splitting_characters() -> None:
    subject = "KKR-overblik: " + "æøå " * 60
    encoded = header_value("Subject", subject)
    assert all(len(line) <= 76 for line in encoded.split("\r\n"))
    assert build(subject=subject)["Subject"] == subject.strip()


def test_quoted_printable_line_by_line_is_the_whole_text_encoded() -> None:
    """Lines are encoded one by one (and cached); the result must be what encoding the whole
    text gives, soft breaks, trailing spaces and lone dots included. A text that does not end
    in a line break is encoded as if it did, the break cut off again: its soft breaks are CRLF
    too (``b2a_qp`` of a text without any CRLF would break lines with a bare LF)."""
    import binascii
    import random

    from notifier.mail import _qp

    pieces = ["a", " ", "\t", ".", "=", "æ", "Ø", "x" * 80, "\n", "\r\n", " \n", ".\n", "_"]
    rng = random.Random(12)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        crlf = text.replace("\r\n", "\n").replace("\n", "\r\n")
        if crlf and not crlf.endswith("\r\n"):
            whole = binascii.b2a_qp((crlf + "\r\n").encode("utf-8"), istext=True)[:-2]
        else:
            whole = binascii.b2a_qp(crlf.encode("utf-8"), istext=True)
        assert _qp(text) == whole, text
        assert b"\n" not in _qp(text).replace(b"\r\n", b""), text


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("x" * 200, None),  # one long line, no line break: soft breaks
        ("Hej\rbare CR\n\nslut uden linjeskift ", None),
        ("a \t\n" * 3, "<p>" + "y=" * 100 + "</p>"),
        ("", ""),
    ],
)
def test_messages_come_out_canonical(text: str, html: str | None) -> None:
    """The outbox stores what ``build_message`` gives without checking each line end
    (``Message.canonical``): every CR and LF is a CRLF pair, it ends with one, and no line of
    a part is longer than quoted-printable allows."""
    from notifier.smtp_data import is_canonical

    data = build_message(
        sender="KKR Notifier <kkr@example.org>",
        recipient=mailbox("Søren Ærø " * 12, "soeren@example.org"),
        subject="KKR-overblik: " + "æøå " * 60,
        text=text,
        html=html,
        message_id="digest.1.0-9@kkr.example.org",
        date=NOW,
        headers={"List-Id": "KKR-overblik <kkr.example.org>", "X-Long": "ord " * 300},
    )
    assert is_canonical(data)
    body = data.split(b"\r\n\r\n", 1)[1]
    assert all(len(line) <= 76 for line in body.split(b"\r\n"))
    parsed = parse(data)
    plain = parsed.get_body(("plain",))
    assert plain is not None
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    assert plain.get_content().replace("\r\n", "\n").rstrip("\n") == normalized.rstrip("\n")


def test_header_lines_kept_for_a_run_are_each_made_alone() -> None:
    """``build_message`` keeps the header lines and the date it made (a run's messages share
    most of them): every message's head is still each value made safe on its own, a date in
    its own zone even when equal to the last one (the same instant, another zone or fold)."""
    copenhagen = ZoneInfo("Europe/Copenhagen")
    ambiguous = datetime(2021, 10, 31, 2, 30, tzinfo=copenhagen)
    dates = [NOW, NOW.astimezone(copenhagen), ambiguous, ambiguous.replace(fold=1), NOW]
    subjects = ["KKR-overblik: 2 nye punkter", "æ\r\nBcc: evil@example.org", "ord " * 300]
    sender = "KKR Notifier <kkr@example.org>"
    for n in range(30):
        date, subject = dates[n % len(dates)], subjects[n % len(subjects)]
        recipient = mailbox(f"Modtager {n} <æ>", f"m{n}@example.org")
        headers = {
            "List-Id": "KKR-overblik <kkr.example.org>",
            "List-Unsubscribe": f"<https://kkr.example.org/abonnement/afmeld/{n}.x>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Reply-To": "Svar på Ærø <svar@example.org>",
        }
        message_id = f"digest.{n}.0-9@kkr.example.org"
        raw = build_message(
            sender=sender,
            recipient=recipient,
            subject=subject,
            text="tekst",
            html="<p>html</p>",
            message_id=message_id,
            date=date,
            headers=headers,
        )
        boundary = "=_" + hashlib.sha1(message_id.encode()).hexdigest()[:24]
        expected = [
            f"From: {format_address(sender)}",
            f"To: {format_address(recipient)}",
            f"Subject: {header_value('Subject', subject)}",
            f"Date: {format_datetime(date)}",
            f"Message-ID: <{message_id}>",
            *(f"{name}: {header_value(name, value)}" for name, value in headers.items()),
            "MIME-Version: 1.0",
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
        ]
        expected[-3] = f"Reply-To: {format_address(headers['Reply-To'])}"
        assert raw.split(b"\r\n\r\n", 1)[0].decode("ascii") == "\r\n".join(expected)
