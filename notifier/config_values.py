"""The types settings are made of: durations, times of day, timezones, mail addresses and
database URLs, each checked where it is declared (``notifier.config`` declares the settings)."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_settings import NoDecode

from notifier.mail import ascii_domain, format_address

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def _duration(value: Any) -> Any:
    """Accept seconds as a number or a string such as "90s", "15m", "6h", "2d"."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"not a duration: {value!r} (use seconds or e.g. '15m', '6h', '2d')")
        return float(match.group(1)) * _UNITS[match.group(2)]
    return value


# Finite: an infinite interval would pass as "valid" and then crash the scheduler.
Seconds = Annotated[float, BeforeValidator(_duration), Field(gt=0, allow_inf_nan=False)]


def _clock_time(value: str) -> str:
    """``HH:MM`` on a 24-hour clock."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"not a time of day: {value!r} (use HH:MM, 00:00-23:59)")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {value!r} (use e.g. Europe/Copenhagen)") from None
    return value


def _address(value: str) -> str:
    """One well-formed mail address (``Name <user@example.org>`` or bare); empty allowed. An
    internationalised domain is kept in its IDNA form: the SMTP envelope (MAIL FROM) is ASCII,
    and aiosmtplib fails on anything else."""
    if value.strip():
        try:
            format_address(value)
            return ascii_domain(value)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
    return value


_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LIST_ID = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})+")


def _list_id(value: str) -> str:
    """RFC 2919's list-id: a dot-atom with at least one dot, ASCII only. It is also the right
    side of every Message-ID, so anything else makes every digest fail to compose."""
    if not _LIST_ID.fullmatch(value):
        raise ValueError(
            f"not a List-Id: {value!r} (ASCII letters, digits and dots, no spaces, at least "
            "one dot, e.g. kkr-nyt.kl.dk; an international domain in its xn-- form)"
        )
    return value


def _database_url(value: str) -> str:
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in DATABASE_SCHEMES:
        raise ValueError(
            f"not a supported database URL: {value.split('@')[-1]!r} "
            f"(use {' or '.join(s + '://...' for s in DATABASE_SCHEMES)})"
        )
    return value


DATABASE_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")
ClockTime = Annotated[str, AfterValidator(_clock_time)]
Address = Annotated[str, AfterValidator(_address)]
TimeZoneName = Annotated[str, AfterValidator(_timezone)]
ListId = Annotated[str, AfterValidator(_list_id)]
DatabaseUrl = Annotated[str, AfterValidator(_database_url)]


def _address_list(value: Any) -> Any:
    """A list of bare addresses, lower-cased; the environment gives one string, either
    comma-separated or a JSON list."""
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else text.split(",")
    if isinstance(value, list):
        value = [str(part).strip().lower() for part in value if str(part).strip()]
    return value


def _bare_addresses(value: list[str]) -> list[str]:
    """Each address as ``subscriptions.normalize_email`` stores one (the console compares them):
    an internationalised domain in its IDNA form, no æ/ø/å before the @ (undeliverable)."""
    found = []
    for address in value:
        try:
            checked = validate_email(address, check_deliverability=False, allow_smtputf8=False)
        except EmailNotValidError as exc:
            raise ValueError(f"not a valid email address: {address!r}: {exc}") from None
        found.append(str(checked.ascii_email).lower())
    return found


# NoDecode: the environment's value goes to _address_list as it is, not parsed as JSON first.
AddressList = Annotated[
    list[str], NoDecode, BeforeValidator(_address_list), AfterValidator(_bare_addresses)
]


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


def _sites(value: list[str]) -> list[str]:
    for site in value:
        if not re.fullmatch(r"[A-Za-z0-9.-]+|\[?[0-9A-Fa-f:.]+\]?", site):
            raise ValueError(f"not a host name: {site!r}")
    return value


def _networks(value: list[str]) -> list[str]:
    for network in value:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ValueError(f"not a network in CIDR form: {network!r}") from None
    return value


Regex = Annotated[str, AfterValidator(_regex)]
SiteList = Annotated[list[str], AfterValidator(_sites)]
NetworkList = Annotated[list[str], AfterValidator(_networks)]
