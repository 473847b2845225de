"""Renders a planned digest to subject, plain text and HTML with Jinja2.

Per message only what is personal is rendered. Each item version is rendered once per
(version, reason, topics shown) and reused for every subscriber who gets it. The templates come
from the one environment (``notifier.templates``), which inlines the mail CSS and escapes
everything scraped.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup

from notifier import danish
from notifier.models import Council, DocumentKind, ItemSnapshot, Topic
from notifier.point_text import is_case_line, point_summary
from notifier.prose import authored_lines, prose, without_closing
from notifier.sections import section
from notifier.shared_renders import (
    MANAGE,
    NAME,
    UNSUBSCRIBE,
    VIEW,
    Impersonal,
    Personal,
    Rendered,
    SharedRenders,
)
from notifier.untrusted import clean_text, safe_url

if TYPE_CHECKING:
    from notifier.digest import Entry, Plan

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
FOLLOW_UP = "Opfølgning"
OWN_WORDS = "Dine ord"  # the group of entries found by the subscriber's own words alone
_WORDS_GROUP = "\x00words"
LABELS = {"new": "Nyt", "changed": "Ændret", "decided": "Besluttet"}
RECLASSIFIED_LABEL = "Nyt for dig"  # an older item that now matches the subscriber's topics
FREQUENCIES = {"immediate": "straks", "daily": "dagligt", "weekly": "ugentligt"}
KIND_WORDS = {
    DocumentKind.AGENDA: "Dagsorden",
    DocumentKind.MINUTES: "Referat",
    DocumentKind.NEWSLETTER: "Nyhedsbrev",
    DocumentKind.OTHER: "Dokument",
}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9»\"])")
EXCERPT_CHARS = 280
# At most this much of a sentence cut short after a finished one is dropped from an excerpt.
ORPHAN_CHARS = 40
# A stop that closes an abbreviation or an initial before a number or a name ("ca. 2,5 mio.",
# "kl. 10.00", "bl.a. Region Sjælland", "Jens B. Hansen") ends no sentence.
_NO_END = re.compile(
    r"\b(?:ca|kl|nr|pkt|jf|jvf|stk|mio|mia|pct|evt|inkl|ekskl|vedr|dvs|ifm|iht|hhv|tlf|st|d"
    r"|bl\.\s?a|f\.\s?eks|[^\W\d_])\.$",
    re.IGNORECASE,
)
INDSTILLING_CHARS = 600
CHANGE_CHARS = 400
MAX_CHANGES = 5


class DigestRenderer:
    def __init__(self, *, env: Environment, topics: Sequence[Topic], site_url: str = "") -> None:
        """``site_url``: where the archive's point pages are (each entry links to its own)."""
        self._site_url = site_url.rstrip("/")
        self._html = env.get_template("email/digest.html.j2")
        self._html_item = env.get_template("email/digest_item.html.j2")
        self._text = env.get_template("email/digest.txt.j2")
        self._text_item = env.get_template("email/digest_item.txt.j2")
        self._topic_names = {topic.id: topic.name for topic in topics}
        self._topic_order = {topic.id: position for position, topic in enumerate(topics)}
        self._fragments: dict[tuple[Any, ...], tuple[Markup, str]] = {}

    def topic_name(self, topic_id: str) -> str:
        return self._topic_names.get(topic_id, topic_id)

    def render(
        self,
        plan: Plan,
        *,
        manage_url: str,
        unsubscribe_url: str,
        view_url: str = "",
        shared: SharedRenders | None = None,
    ) -> Personal:
        """``shared``: a planning run's renders; subscribers whose plans share their entries
        (``digest_groups``) and subscription get one render with their own name and links."""
        name = plan.subscriber.name
        key = (
            id(plan.entries),
            plan.held,
            plan.first,
            plan.subscriber.topics,
            plan.subscriber.keywords,
            plan.subscriber.frequency,
            bool(name),
            bool(view_url),
        )
        found = shared.get(key, plan.entries) if shared is not None else None
        if found is None:
            found = Impersonal.of(self._impersonal(plan, name=bool(name), view=bool(view_url)))
            if shared is not None:
                shared.put(key, plan.entries, found)
        personal = {
            NAME: clean_text(name),
            MANAGE: clean_text(manage_url),
            UNSUBSCRIBE: clean_text(unsubscribe_url),
            VIEW: clean_text(view_url),
        }
        return Personal(found, personal)

    def _impersonal(self, plan: Plan, *, name: bool, view: bool) -> Rendered:
        """The digest with placeholders for the subscriber's name and links (the templates
        escape a value after ``clean_text``; ``render`` puts them in the same way)."""
        html_groups: list[dict[str, Any]] = []
        text_groups: list[dict[str, Any]] = []
        for title, councils in self._groups(plan.entries):
            html_councils, text_councils = [], []
            for council, entries in councils:
                fragments = [self._fragment(entry) for entry in entries]
                html_councils.append(
                    {"name": council.danish_name, "entries": [html for html, _ in fragments]}
                )
                text_councils.append(
                    {"name": council.danish_name, "entries": [text for _, text in fragments]}
                )
            html_groups.append({"title": title, "councils": html_councils})
            text_groups.append({"title": title, "councils": text_councils})
        subject = self.subject(plan)
        more = (
            f"Der er {danish.count(plan.held, 'punkt mere', 'punkter mere')} til dig. "
            f"{'Det' if plan.held == 1 else 'De'} kommer i næste mail, så denne ikke bliver "
            "for lang."
            if plan.held
            else ""
        )
        common = {
            "subject": subject,
            "name": NAME if name else "",
            "intro": self._intro(plan),
            "more": more,
            "frequency": FREQUENCIES[plan.subscriber.frequency.value],
            "manage_url": MANAGE,
            "unsubscribe_url": UNSUBSCRIBE,
            "view_url": VIEW if view else "",
        }
        return Rendered(
            subject=subject,
            html=self._html.render(groups=html_groups, **common),
            text=self._text.render(groups=text_groups, **common),
        )

    def subject(self, plan: Plan) -> str:
        counts = {reason: 0 for reason in LABELS}
        for entry in plan.entries:
            counts[entry.reason.value] += 1
        parts = []
        if counts["new"]:
            parts.append(danish.count(counts["new"], "nyt punkt", "nye punkter"))
        if counts["changed"]:
            parts.append(danish.count(counts["changed"], "ændret punkt", "ændrede punkter"))
        if counts["decided"]:
            parts.append(danish.count(counts["decided"], "beslutning", "beslutninger"))
        names = [self.topic_name(t) for t in self._ordered_topics(plan.entries)]
        about = ""
        if len(names) > 3:
            about = f" om {', '.join(names[:2])} og {len(names) - 2} andre emner"
        elif names:
            about = f" om {danish.join(names)}"
        return f"KKR-overblik: {danish.join(parts)}{about}"

    def _intro(self, plan: Plan) -> str:
        subscriber = plan.subscriber
        wanted = "dine emner og ord" if subscriber.topics and subscriber.keywords else "dine emner"
        if not subscriber.topics:
            wanted = "dine ord"
        count = danish.count(len(plan.entries), "punkt", "punkter")
        if plan.first:
            return (
                f"Velkommen. Som du bad om, er her {count} fra den seneste måned fra KL's "
                f"kommunekontaktråd (KKR), som passer til {wanted}."
            )
        return f"Her er {count} fra KL's kommunekontaktråd (KKR), som passer til {wanted}."

    def _ordered_topics(self, entries: Sequence[Entry]) -> list[str]:
        seen = {entry.topics[0] for entry in entries if entry.topics}
        return sorted(seen, key=lambda t: (self._topic_order.get(t, len(self._topic_order)), t))

    def _groups(
        self, entries: Sequence[Entry]
    ) -> list[tuple[str, list[tuple[Council, list[Entry]]]]]:
        """Grouped by topic (topics-file order; follow-ups last), then council, newest first."""
        by_topic: dict[str, list[Entry]] = {}
        for entry in entries:
            key = entry.topics[0] if entry.topics else (_WORDS_GROUP if entry.words else "")
            by_topic.setdefault(key, []).append(entry)
        order = [*self._ordered_topics(entries), _WORDS_GROUP, ""]
        groups = []
        councils = list(Council)
        for topic in order:
            if topic not in by_topic:
                continue
            by_council: dict[Council, list[Entry]] = {}
            for entry in by_topic[topic]:
                by_council.setdefault(entry.snapshot.council, []).append(entry)
            grouped = [
                (council, sorted(by_council[council], key=_newest_first))
                for council in councils
                if council in by_council
            ]
            title = OWN_WORDS if topic == _WORDS_GROUP else self.topic_name(topic)
            groups.append((title if topic else FOLLOW_UP, grouped))
        return groups

    def _fragment(self, entry: Entry) -> tuple[Markup, str]:
        old = entry.old.version_id if entry.old else None
        key = (
            entry.snapshot.version_id,
            entry.reason.value,
            entry.topics,
            entry.words,
            old,
            entry.follow_up,
            entry.reclassified,
        )
        cached = self._fragments.get(key)
        if cached is None:
            view = self._view(entry)
            cached = (
                Markup(self._html_item.render(**view)),
                self._text_item.render(**view).strip(),
            )
            self._fragments[key] = cached
        return cached

    def _view(self, entry: Entry) -> dict[str, Any]:
        snap = entry.snapshot
        reason = entry.reason.value
        kind = KIND_WORDS[snap.document_kind]
        return {
            "label": RECLASSIFIED_LABEL if entry.reclassified else LABELS[reason],
            "reason": reason,
            "title": snap.title,
            "url": safe_url(snap.document_url),
            "page_url": f"{self._site_url}/punkt/{snap.item_id}" if self._site_url else "",
            # A newsletter section has no decision to see.
            "page_label": "Se punktet og beslutningen"
            if snap.document_kind in (DocumentKind.AGENDA, DocumentKind.MINUTES)
            else "Se punktet",
            "council": snap.council.danish_name,
            "date": _date_text(snap),
            "document": f"{kind}, punkt {snap.number}" if snap.number else kind,
            # Without a decision-only point's text, shown as its decision below.
            "excerpt": excerpt(
                snap.title,
                snap.text,
                point=snap.number is not None,
                decision=snap.beslutning,
                lines=authored_lines(snap.document_url),
            ),
            "indstilling": shorten(snap.indstilling or "", INDSTILLING_CHARS),
            "why": self._why(snap, entry.topics, entry.words),
            "changes": changes(entry.old, snap) if entry.old else [],
            # A minutes point's decision, also when it is told as new: it decides no agenda
            # point told before (a point added at the meeting, minutes whose agenda was never
            # listed). Not when changed: the changes show what the decision says now.
            "decided": shorten(snap.beslutning or "", INDSTILLING_CHARS)
            if reason == "decided"
            or (reason == "new" and snap.document_kind is DocumentKind.MINUTES)
            else "",
            "decides_title": snap.decides_title if entry.follow_up else "",
        }

    def _why(self, snap: ItemSnapshot, topics: Sequence[str], own_words: Sequence[str] = ()) -> str:
        parts = []
        for match in snap.topics:
            if match.topic not in topics:
                continue
            seen: dict[str, str] = {}
            for evidence in match.evidence:
                seen.setdefault(evidence.matched.casefold(), evidence.matched)
            words = list(seen.values())[:4]
            name = self.topic_name(match.topic)
            parts.append(f"{name}: {', '.join(words)}" if words else name)
        if own_words:
            quoted = [f"»{word}«" for word in own_words]
            noun = "ordet" if len(quoted) == 1 else "ordene"
            parts.append(f"{noun} {danish.join(quoted)}")
        return "; ".join(parts)


def _newest_first(entry: Entry) -> tuple[float, str]:
    snap = entry.snapshot
    when = snap.meeting_starts_at.timestamp() if snap.meeting_starts_at else 0.0
    if not when and snap.document_date:
        when = datetime(*snap.document_date.timetuple()[:3], tzinfo=COPENHAGEN).timestamp()
    return (-when, _number_key(snap.number))


def _number_key(number: str | None) -> str:
    """Agenda points in order within one meeting: "2" before "10"."""
    if not number:
        return ""
    return ".".join(part.zfill(4) for part in number.split("."))


def _date_text(snap: ItemSnapshot) -> str:
    if snap.meeting_starts_at:
        return danish.long_date(snap.meeting_starts_at.astimezone(COPENHAGEN).date())
    return danish.long_date(snap.document_date) if snap.document_date else ""


def excerpt(
    title: str,
    text: str,
    *,
    point: bool = False,
    decision: str | None = None,
    lines: bool = False,
) -> str:
    """The start of the text, without the title when the text repeats it first; of an agenda
    point, its Baggrund or Sagsfremstilling only (``point_summary``: no case-number line, no
    section headings, no Indstilling or Beslutning, which are shown from their own fields, nor
    the text of a decision-only point when its ``decision`` is shown beside it). With
    ``lines``, the text's line breaks are its author's (``prose``)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if point or is_case_line(first) or section(first):
        text = point_summary(text, decision)
    text = prose(without_closing(text), lines=lines)
    heading = " ".join(title.split())
    if text.casefold().startswith(heading.casefold()):
        rest = text[len(heading) :]
        if heading and not rest[:1].isalnum():  # the whole title, not "Status" in "Statusrapport"
            text = rest.lstrip(" .:–-") or text
    return _at_sentence(shorten(text, EXCERPT_CHARS))


def _at_sentence(cut: str) -> str:
    """A cut excerpt ending on a finished sentence when only a few words of the next one
    would follow it ("... med Erhvervshus Sjælland. Der …"): they say nothing yet."""
    if not cut.endswith(" …"):
        return cut
    words = cut.removesuffix(" …")
    ends = [
        match.start()
        for match in _SENTENCE_END.finditer(words)
        if not _NO_END.search(words[: match.start()])
    ]
    if ends and len(words) - ends[-1] <= ORPHAN_CHARS:
        return words[: ends[-1]] + " …"
    return cut


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word and marked with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-•– ")  # no dangling bullet or dash
    return cut + " …"


def changes(old: ItemSnapshot, new: ItemSnapshot) -> list[tuple[str, str]]:
    """The changed sentences, (old, new) pairs; one side is empty for an addition or removal."""
    pairs: list[tuple[str, str]] = []
    for before, after in (
        (old.title, new.title),
        (old.text, new.text),
        (old.indstilling or "", new.indstilling or ""),
        (old.beslutning or "", new.beslutning or ""),
    ):
        a, b = _sentences(before), _sentences(after)
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                pairs.append(
                    (
                        shorten(" ".join(a[i1:i2]), CHANGE_CHARS),
                        shorten(" ".join(b[j1:j2]), CHANGE_CHARS),
                    )
                )
    return pairs[:MAX_CHANGES]


def _sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    return [s for s in _SENTENCE_END.split(text) if s] if text else []
