"""A seeded generator of KL-style agenda and minutes PDFs that knows what they contain.

``meeting(seed)`` draws one document: its numbering (gaps between and inside groups, restarts
after a part heading, points with and without a group heading), its points (case number with
the case worker's initials, Baggrund, Indstilling, Sagsfremstilling with numbered lists, bullets
and tables, bilag, a Beslutning in minutes) and its layout (a table of contents with or without
dot leaders, wrapped titles and lying page numbers, a bare list of points on the cover, or none;
one- and two-line headings set tight or loose; running headers and footers with ISO or Danish
dates and page numbers; page breaks inside points). ``render(meeting)`` lays it out with fpdf2,
and ``Meeting.points`` is the ground truth the splitter must give back.

The text is Danish, drawn from the seed documents, so the splitter sees real wording rather than
placeholder words. Widths are measured once per word and font, which keeps rendering of a
three-page agenda to a few tens of milliseconds.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from fpdf import FPDF

from notifier.danish import MONTHS
from notifier.extract import extract
from notifier.split import Split, split_document

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = (FONT_DIR / "DejaVuSerif.ttf", FONT_DIR / "DejaVuSerif-Bold.ttf")
COUNCILS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")

TITLES = (
    "Regionalt vækstteam for Hovedstaden om life-science og ulighed i sundhed",
    "Status for klima VIP-projekterne",
    "KL-udspil om et sammenhængende Danmark",
    "Økonomimodel på det specialiserede socialområde – Status og videre proces",
    "Regional rammeaftale på danskuddannelsesområdet",
    "Samarbejdsaftale mellem KKR og Passagerpulsen om etablering og drift af et passagerråd "
    "for hovedstadsområdet",
    "Afrapportering på resultatkontrakt med Erhvervshuset for 2023",
    "Forhandling af ny femårig lærepladsaftale for SOSU-uddannelserne",
    "Greater Copenhagen EU Office",
    "Regionalt Arbejdsmarkedsråd",
    "Takster 2025 for de regionale botilbud på det specialiserede socialområde",
    "Kollektiv trafik og busruter i landdistrikterne",
    "Udpegning af medlemmer til bestyrelsen for Erhvervshuset",
    "Status på sundhedsaftalen og de fælles indsatser for borgere med kronisk sygdom",
    "Opfølgning på DK2020-klimaplanerne i kommunerne og den regionale energistrategi",
    "Mangel på arbejdskraft i ældreplejen – fælles rekrutteringsindsats",
    "Regional udviklingsstrategi 2024-2027",
    "Rammeaftale for det specialiserede socialområde og specialundervisningsområdet 2025-2026 "
    "med styringsaftale og udviklingsstrategi",
    "Praksisplan for almen praksis",
    "Fælles plan for affald og cirkulær økonomi",
    "Beskæftigelsesindsatsen for unge uden uddannelse – status og nye mål for 2025",
    "Infrastrukturinvesteringer og trafikale prioriteringer",
    "Danskuddannelse for udlændinge – ny udbudsrunde",
    "Sundhedsklynger og det nære sundhedsvæsen",
    "Turismesamarbejde og destinationsselskaber",
    "Kapacitet på erhvervsuddannelserne og dimensionering af pædagoguddannelsen",
)
PROCEDURAL = (
    ("Godkendelse af referat", "godkender referatet af mødet den {earlier}"),
    ("Godkendelse af dagsorden", "godkender dagsordenen for mødet den {day}"),
    ("Siden sidst", "tager orienteringen til efterretning"),
    ("Meddelelser", "tager meddelelserne til efterretning"),
)
GROUPS = (
    "Godkendelse af referat og dagsorden",
    "Siden sidst",
    "Regionalpolitiske sager",
    "Sager til beslutning",
    "Sager til drøftelse",
    "Orienteringssager",
    "Udpegninger",
    "Punkter til næste møde",
)
LONE = ("KKR", "Eventuelt", "Næste møde", "Orientering fra formandskabet")
PARTS = ("Tillægsdagsorden", "Lukket dagsorden")
RECOMMEND = (
    "tager orienteringen til efterretning",
    "drøfter sagen og giver input til det videre arbejde",
    "godkender udkastet og sender det til kommunalbestyrelserne",
    "godkender den foreslåede proces",
    "drøfter de foreløbige anbefalinger",
)
DECIDED = (
    "{kkr} godkendte indstillingen.",
    "{kkr} tog orienteringen til efterretning.",
    "Godkendt.",
    "{kkr} drøftede sagen og lagde vægt på sammenhængen med de øvrige regionale aftaler.",
    "Intet til referat.",
)
LIST_ITEMS = (
    "Fælles klima- og energiplaner (DK2020)",
    "Grøn omstilling af transporten",
    "Adgang til uddannelse i hele landet",
    "Forsyningssikkerhed og klimatilpasning",
    "Rekruttering til ældreplejen",
    "Styrket samarbejde med regionen",
    "Fælles plan for plastaffald",
)
TOWNS = ("Aalborg", "Aarhus", "Odense", "Roskilde", "Herning", "Kolding", "Holbæk", "Hjørring")


@dataclass(frozen=True)
class Block:
    """A paragraph, a list (numbered or bulleted; one line per entry) or a table."""

    lines: tuple[str, ...]
    kind: str = "paragraph"  # "paragraph", "numbered", "bullets", "table"

    def text(self) -> str:
        return " ".join(self.lines)


@dataclass(frozen=True)
class Section:
    label: str  # "" for text before the first label
    blocks: tuple[Block, ...]
    run_in: bool = False  # "Beslutning: Godkendt." on one line


@dataclass(frozen=True)
class Point:
    number: str
    title: str
    case: str | None = None  # "SAG-2024-01611"
    initials: str | None = None  # "pth", printed after the case number
    sections: tuple[Section, ...] = ()
    toc_title: str | None = None  # the title as the table of contents has it, when it differs
    in_body: bool = True  # False: listed in the table of contents but missing from the body

    def field(self, label: str) -> str | None:
        texts = [b.text() for s in self.sections if s.label == label for b in s.blocks]
        return " ".join(texts) or None

    @property
    def indstilling(self) -> str | None:
        return self.field("Indstilling")

    @property
    def beslutning(self) -> str | None:
        return self.field("Beslutning")

    def prose(self) -> Iterator[str]:
        """Every paragraph and list line, in order (tables are laid out in cells)."""
        for section in self.sections:
            for block in section.blocks:
                if block.kind == "paragraph":
                    yield block.text()
                elif block.kind != "table":
                    yield from block.lines


@dataclass(frozen=True)
class Heading:
    """A line of the plan: a group ("3. Regionalpolitiske sager"), a part ("Tillægsdagsorden",
    number "") or a point."""

    number: str
    title: str
    point: Point | None = None


@dataclass(frozen=True)
class Style:
    font: str  # "helvetica" (WinAnsi text) or "serif" (embedded TrueType, DejaVu Serif)
    toc: str  # "leaders" (dot leaders), "tabs" (page number at the margin), "list", "none"
    toc_loose: bool  # entries spaced as paragraphs: a wrapped title's last line stands alone
    toc_hanging: bool  # a wrapped ToC title continues under the title, not under the number
    pages_lie: bool
    numbers: str  # "dot" ("3.1."), "bare" ("3.1"), "punkt" ("Punkt 3.1:")
    heading_size: float
    heading_loose: bool  # a two-line heading's lines set as separate paragraphs
    header: str | None  # with {page} and {total}
    footer: str | None
    header_y: float
    drawn_first: bool  # running lines drawn before the body (PDFium keeps drawing order)
    new_page_per_group: bool
    toc_tight: bool = False  # entries with no space between them: one paragraph once extracted


@dataclass(frozen=True)
class Meeting:
    seed: int
    kind: str  # "agenda" or "minutes"
    council: str
    day: date
    plan: tuple[Heading, ...]
    style: Style
    mission: bool = True

    @property
    def points(self) -> list[Point]:
        return [h.point for h in self.plan if h.point is not None and h.point.in_body]

    @property
    def kkr(self) -> str:
        return f"KKR {self.council}"

    def running_texts(self) -> list[str]:
        """The fixed parts of the running header and footer (no page numbers)."""
        texts = [self.style.header, self.style.footer]
        parts = [re.split(r"\{page\}|\{total\}", t) for t in texts if t]
        return [p.strip(" |·-") for pieces in parts for p in pieces if len(p.strip(" |·-")) > 6]


# --- drawing the content ---------------------------------------------------------------------


@cache
def _sentences() -> tuple[str, ...]:
    found: list[str] = []
    for path in sorted(SEEDS.glob("00[0-3]_*.txt")):
        for paragraph in path.read_text(encoding="utf-8").split("\n"):
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])", paragraph.strip()):
                if (
                    40 <= len(sentence) <= 260
                    and sentence[0].isupper()
                    and sentence.endswith(".")
                    and not re.search(r"SAG-|indstille|Beslutning|\t|\[|\]|Side \d|•|^\d", sentence)
                ):
                    found.append(_dehyphenate(re.sub(r"\s+", " ", sentence)))
    return tuple(dict.fromkeys(found))


def _dehyphenate(sentence: str) -> str:
    """The seed texts keep line-end hyphens as "vil- kår" and "Er-hvervshuset": join them
    ("klima- og energiplaner" is a real hyphen and stays)."""
    sentence = re.sub(r"(?<=[a-zæøå])- (?!og\b|eller\b|samt\b|til\b)(?=[a-zæøå])", "", sentence)
    return re.sub(r"\b(Er)-(hverv)", r"\1\2", sentence)


def _paragraph(rng: random.Random, sentences: int) -> Block:
    return Block((" ".join(rng.sample(_sentences(), sentences)),))


def _table(rng: random.Random) -> Block:
    years = rng.sample(range(2019, 2027), 2)
    rows = [f"Kommune | {min(years)} | {max(years)}"]
    for town in rng.sample(TOWNS, rng.randint(2, 4)):
        a, b = rng.randint(100, 9999), rng.randint(100, 9999)
        rows.append(f"{town} | {a:,} | {b:,}".replace(",", "."))
    return Block(tuple(rows), "table")


def _case_point(rng: random.Random, meeting: _Draft, number: str, title: str) -> Point:
    sections: list[Section] = []
    sections.append(Section("Baggrund", tuple(_paragraph(rng, rng.randint(1, 3)) for _ in "ab")))
    recommend = rng.choice(RECOMMEND)
    if rng.random() < 0.25:
        entries = tuple(f"{i}. {phrase}" for i, phrase in enumerate(rng.sample(RECOMMEND, 2), 1))
        kind = "numbered"
        if rng.random() < 0.5:
            entries, kind = tuple(f"- {phrase}" for phrase in rng.sample(RECOMMEND, 2)), "bullets"
        indstilling = (Block((f"Det indstilles, at {meeting.kkr}:",)), Block(entries, kind))
    else:
        indstilling = (Block((f"Det indstilles, at {meeting.kkr} {recommend}.",)),)
    sections.append(Section("Indstilling", indstilling))
    story: list[Block] = [_paragraph(rng, rng.randint(1, 4)) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.35:
        items = rng.sample(LIST_ITEMS, rng.randint(2, 5))
        story.insert(1, Block(tuple(f"{i}. {item}" for i, item in enumerate(items, 1)), "numbered"))
    if rng.random() < 0.3:
        story.insert(rng.randint(0, len(story)), _table(rng))
    if rng.random() < 0.3:
        story.append(Block(tuple(f"- {item}" for item in rng.sample(LIST_ITEMS, 3)), "bullets"))
    sections.append(Section("Sagsfremstilling", tuple(story)))
    if rng.random() < 0.4:
        sections.append(Section("Vedlagte bilag:", (Block((f"Notat om {title.lower()}",)),)))
    case = f"SAG-{meeting.day.year}-{rng.randint(100, 9999):05d}"
    initials = "".join(rng.choices("abcdefghijklmnoprstv", k=rng.randint(2, 4)))
    return Point(number, title, case, initials if rng.random() < 0.85 else None, tuple(sections))


def _procedural_point(rng: random.Random, meeting: _Draft, number: str) -> Point:
    title, action = rng.choice(PROCEDURAL)
    earlier = meeting.day.replace(month=max(1, meeting.day.month - 2))
    action = action.format(day=_danish(meeting.day), earlier=_danish(earlier))
    sections = (Section("Indstilling", (Block((f"Det indstilles, at {meeting.kkr} {action}.",)),)),)
    case = f"SAG-{meeting.day.year}-{rng.randint(100, 9999):05d}" if rng.random() < 0.5 else None
    return Point(number, title, case, "ssan" if case else None, sections)


def _danish(day: date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


@dataclass
class _Draft:
    kkr: str
    day: date


def _with_decisions(rng: random.Random, point: Point, kkr: str) -> Point:
    decision = rng.choice(DECIDED).format(kkr=kkr)
    if rng.random() < 0.3:
        decision = f"{decision} {rng.choice(_sentences())}"
    block = Section("Beslutning", (Block((decision,)),), run_in=rng.random() < 0.2)
    sections = list(point.sections)
    at = next((i + 1 for i, s in enumerate(sections) if s.label == "Indstilling"), len(sections))
    first = 0 if all(s.label for s in sections) else len(sections)  # text without a heading
    where = rng.random()
    sections.insert(first if where < 0.15 else len(sections) if where < 0.35 else at, block)
    return replace(point, sections=tuple(sections))


def _toc_variant(rng: random.Random, title: str) -> str | None:
    """The title as a table of contents may have it: shortened, hyphenated or re-cased."""
    roll = rng.random()
    words = title.split(" ")
    if roll < 0.04 and len(words) > 4:
        return " ".join(words[:-1])
    if roll < 0.08 and len(words) > 3:
        at = rng.randrange(1, len(words) - 1)
        if words[at].isalpha() and words[at + 1].isalpha():
            return " ".join([*words[:at], f"{words[at]}-{words[at + 1]}", *words[at + 2 :]])
    if roll < 0.1:
        return title.upper() if len(title) < 40 else title.lower().capitalize()
    return None


def meeting(seed: int, *, kind: str | None = None) -> Meeting:
    rng = random.Random(seed)
    kind = kind or rng.choice(("agenda", "minutes"))
    council = rng.choice(COUNCILS)
    day = date(rng.randint(2019, 2026), rng.randint(1, 12), rng.randint(1, 28))
    draft = _Draft(f"KKR {council}", day)
    style = _style(rng, council, day, kind)
    toc = style.toc in ("leaders", "tabs")
    plan: list[Heading] = []
    titles = list(TITLES)
    rng.shuffle(titles)
    major = 0
    for slot in range(rng.randint(2, 6)):
        # A whole group may be skipped (1.2 is followed by 3.1), and numbering may restart at 1
        # after a part heading ("Tillægsdagsorden").
        if slot and rng.random() < 0.1:
            plan.append(Heading("", rng.choice(PARTS)))
            major = 0
        major += 1 + (rng.random() < 0.25) * rng.randint(1, 2)
        if slot == 0 and major == 1 and rng.random() < 0.6:
            plan.append(Heading(str(major), GROUPS[0]))
            plan.extend(_heading(_procedural_point(rng, draft, f"1.{m}")) for m in (1, 2))
            continue
        if rng.random() < 0.65:
            plan.append(Heading(str(major), rng.choice(GROUPS[1:])))
            minor = 0
            for _ in range(rng.randint(1, 4)):
                minor += 1 + (toc and rng.random() < 0.1)  # a withdrawn point leaves a gap
                point = _case_point(rng, draft, f"{major}.{minor}", titles.pop())
                plan.append(_heading(point))
        elif rng.random() < 0.5:
            plan.append(_heading(_case_point(rng, draft, str(major), titles.pop())))
        else:
            sections: tuple[Section, ...] = ()
            if rng.random() < 0.5:
                sections = (Section("", (_paragraph(rng, 1),)),)
            plan.append(_heading(Point(str(major), rng.choice(LONE), sections=sections)))
    for index, heading in enumerate(plan):
        if (point := heading.point) is not None:
            if kind == "minutes":
                point = _with_decisions(rng, point, draft.kkr)
            if toc:
                point = replace(point, toc_title=_toc_variant(rng, point.title))
            plan[index] = _heading(point)
    if style.font == "helvetica":
        plan = [_latin1(h) for h in plan]
        header, footer = style.header, style.footer
        style = replace(
            style,
            header=header.translate(_LATIN1) if header else None,
            footer=footer.translate(_LATIN1) if footer else None,
        )
    return Meeting(seed, kind, council, day, tuple(plan), style, mission=rng.random() < 0.5)


def _heading(point: Point) -> Heading:
    return Heading(point.number, point.title, point)


def _style(rng: random.Random, council: str, day: date, kind: str) -> Style:
    name = "Dagsorden" if kind == "agenda" else "Referat"
    iso, dotted = day.isoformat(), day.strftime("%d.%m.%Y")
    headers = (
        f"KKR {council} | {iso}",
        f"{name} – KKR {council} – {_danish(day)}",
        f"{name} {dotted}",
        f"KKR {council} {iso} Side {{page}} af {{total}}",
        f"{iso} · {name} · KKR {council}",
    )
    footers = ("Side {page} af {total}", "{page}", "- {page} -", f"KKR {council} · side {{page}}")
    toc = rng.choices(("leaders", "tabs", "list", "none"), weights=(50, 25, 10, 15))[0]
    return Style(
        # Embedding a TrueType font costs most of the rendering time: one document in four.
        font="serif" if rng.random() < 0.25 and FONTS[0].exists() else "helvetica",
        toc=toc,
        toc_loose=rng.random() < 0.3,
        toc_hanging=rng.random() < 0.6,
        pages_lie=rng.random() < 0.4,
        numbers=rng.choices(("dot", "bare", "punkt"), weights=(70, 20, 10))[0],
        heading_size=rng.choice((11.0, 12.0, 13.0)),
        heading_loose=rng.random() < 0.3,
        header=rng.choice(headers) if rng.random() < 0.85 else None,
        footer=rng.choice(footers) if rng.random() < 0.8 else None,
        header_y=rng.choice((10.0, 12.0, 15.0, 18.0)),
        drawn_first=rng.random() < 0.5,
        new_page_per_group=rng.random() < 0.2,
    )


_LATIN1 = str.maketrans({"–": "-", "—": "-", "“": '"', "”": '"', "’": "'", "…": "...", "•": "-"})


def _latin1(heading: Heading) -> Heading:
    """Core PDF fonts (Helvetica) carry Latin-1 only; the ground truth says what is printed."""
    point = heading.point
    if point is None:
        return replace(heading, title=heading.title.translate(_LATIN1))
    sections = tuple(
        replace(
            s,
            blocks=tuple(
                replace(b, lines=tuple(x.translate(_LATIN1) for x in b.lines)) for b in s.blocks
            ),
        )
        for s in point.sections
    )
    point = replace(
        point,
        title=point.title.translate(_LATIN1),
        toc_title=point.toc_title.translate(_LATIN1) if point.toc_title else None,
        sections=sections,
    )
    return Heading(heading.number, point.title, point)


def without(meeting: Meeting, number: str) -> Meeting:
    """The meeting with point `number` left out of the body but still in the table of contents."""
    plan = tuple(
        replace(h, point=replace(h.point, in_body=False))
        if h.point is not None and h.number == number
        else h
        for h in meeting.plan
    )
    return replace(meeting, plan=plan)


def deeper(meeting: Meeting, major: str, title: str | None) -> Meeting:
    """The meeting numbered one level deeper, under `major` ("3.1." becomes "2.3.1."): its groups
    are then sub-groups and its points three levels deep, its lone points two. With `title`, a
    group heading with that number opens the plan; without, no heading has fewer than two."""

    def moved(heading: Heading) -> Heading:
        if not heading.number:
            return heading
        number = f"{major}.{heading.number}"
        point = replace(heading.point, number=number) if heading.point is not None else None
        return replace(heading, number=number, point=point)

    plan = tuple(moved(heading) for heading in meeting.plan)
    if title is not None:
        plan = (Heading(major, title), *plan)
    return replace(meeting, plan=plan)


def retitled(meeting: Meeting, titles: dict[str, str]) -> Meeting:
    """The meeting with the points numbered as the keys of `titles` titled as their values, in
    the body and the table of contents alike."""

    def renamed(heading: Heading) -> Heading:
        if heading.point is None or heading.number not in titles:
            return heading
        point = replace(heading.point, title=titles[heading.number], toc_title=None)
        return Heading(heading.number, point.title, point)

    return replace(meeting, plan=tuple(renamed(heading) for heading in meeting.plan))


def tight(meeting: Meeting) -> Meeting:
    """The meeting with its table of contents set tight: no space between the entries."""
    return replace(meeting, style=replace(meeting.style, toc_loose=False, toc_tight=True))


# --- laying out ------------------------------------------------------------------------------

PAGE_W, LEFT, RIGHT, TOP, BOTTOM = 210.0, 25.0, 185.0, 32.0, 268.0


@dataclass
class _Op:
    x: float
    y: float
    text: str
    style: str
    size: float
    page_of: str | None = None  # a ToC page number, filled in once the body is laid out
    dots_from: float | None = None  # dot leaders from x up to the page number


@dataclass
class _Pages:
    pdf: FPDF
    family: str
    pages: list[list[_Op]] = field(default_factory=lambda: [[]])
    y: float = TOP

    def width(self, text: str, style: str, size: float) -> float:
        return sum(_word_width(self.pdf, self.family, w, style, size) for w in text.split(" ")) + (
            text.count(" ") * _word_width(self.pdf, self.family, " ", style, size)
        )

    def new_page(self) -> None:
        if self.pages[-1]:
            self.pages.append([])
        self.y = TOP

    def line(
        self, text: str, *, x: float = LEFT, style: str = "", size: float = 10, pitch: float = 0.5
    ) -> _Op:
        height = size * pitch
        if self.y + height > BOTTOM:
            self.new_page()
        self.y += height
        op = _Op(x, self.y, text, style, size)
        self.pages[-1].append(op)
        return op

    def gap(self, mm: float) -> None:
        self.y += mm

    def paragraph(
        self,
        text: str,
        *,
        x: float = LEFT,
        style: str = "",
        size: float = 10,
        pitch: float = 0.5,
        hyphenate: bool = True,
        hang: float = 0.0,
    ) -> list[_Op]:
        ops = []
        for index, line in enumerate(self.wrap(text, RIGHT - x - hang, style, size, hyphenate)):
            ops.append(
                self.line(line, x=x + (hang if index else 0), style=style, size=size, pitch=pitch)
            )
        return ops

    def wrap(self, text: str, width: float, style: str, size: float, hyphenate: bool) -> list[str]:
        lines: list[str] = []
        current, used = "", 0.0
        space = _word_width(self.pdf, self.family, " ", style, size)
        words = text.split(" ")
        while words:
            word = words.pop(0)
            extra = _word_width(self.pdf, self.family, word, style, size) + (
                space if current else 0
            )
            if used + extra <= width:
                current, used = (f"{current} {word}" if current else word), used + extra
                continue
            head = self._hyphen_head(word, current, width, style, size) if hyphenate else ""
            if head:
                lines.append(f"{current} {head}-" if current else f"{head}-")
                words.insert(0, word[len(head) :])
            elif current:
                lines.append(current)
                words.insert(0, word)
            else:
                lines.append(word)
            current, used = "", 0.0
        if current:
            lines.append(current)
        return lines

    def _hyphen_head(self, word: str, current: str, width: float, style: str, size: float) -> str:
        """Like a word processor: break a long lower-case word between a vowel and a consonant."""
        if len(word) < 10 or not word.isalpha():
            return ""
        vowels = "aeiouyæøå"
        for i in range(len(word) - 4, 3, -1):
            if word[i - 1] in vowels and word[i] not in vowels and word[i].islower():
                text = f"{current} {word[:i]}-" if current else f"{word[:i]}-"
                if self.width(text, style, size) <= width:
                    return word[:i]
        return ""


_WIDTHS: dict[tuple[str, str, str, float], float] = {}


def _word_width(pdf: FPDF, family: str, word: str, style: str, size: float) -> float:
    key = (family, word, style, size)
    if key not in _WIDTHS:
        pdf.set_font(family, style, size)
        _WIDTHS[key] = float(pdf.get_string_width(word))
    return _WIDTHS[key]


def _label(style: Style, number: str) -> str:
    if style.numbers == "punkt":
        return f"Punkt {number}:"
    return number if style.numbers == "bare" else f"{number}."


def _lay_out_point(pages: _Pages, meeting: Meeting, point: Point) -> int:
    """Lays out one point; returns the page its heading is on."""
    style = meeting.style
    size = style.heading_size
    pitch = 0.75 if style.heading_loose else 0.5
    pages.gap(4)
    label = _label(style, point.number)
    indent = pages.width(label, "B", size) + 2.5
    if pages.y + 30 > BOTTOM:  # keep a heading with its first lines, as word processors do
        pages.new_page()
    first = pages.line("", style="B", size=size)
    heading_page = len(pages.pages)
    pages.y -= size * 0.5
    ops = pages.paragraph(
        point.title, x=LEFT + indent, style="B", size=size, pitch=pitch, hyphenate=False
    )
    first.text, first.y = label, ops[0].y
    if point.case:
        pages.gap(2)
        pages.line(f"{point.case} {point.initials}" if point.initials else point.case, size=9)
    for section in point.sections:
        if section.label and not section.run_in:
            pages.gap(3)
            pages.line(section.label, style="B", size=10)
        for index, block in enumerate(section.blocks):
            pages.gap(2.5)
            if block.kind == "table":
                header, *rows = block.lines
                for row_index, row in enumerate([header, *rows]):
                    cells = row.split(" | ")
                    op = pages.line(cells[0], style="B" if row_index == 0 else "")
                    for column, cell in enumerate(cells[1:], 1):
                        page = pages.pages[-1]
                        right = LEFT + 60 + 35 * column
                        page.append(
                            _Op(right - pages.width(cell, op.style, 10), op.y, cell, op.style, 10)
                        )
            elif block.kind in ("numbered", "bullets"):
                for entry in block.lines:
                    marker, text = entry.split(" ", 1)
                    op = pages.line("", x=LEFT + 2)
                    pages.y -= 5
                    ops = pages.paragraph(text, x=LEFT + 9)
                    op.text, op.y = marker, ops[0].y
            else:
                text = block.text()
                if section.run_in and index == 0:
                    text = f"{section.label}: {text}"
                pages.paragraph(text)

    return heading_page


def _lay_out_body(pages: _Pages, meeting: Meeting) -> tuple[dict[str, int], set[str]]:
    """Groups, parts and points from the current page on; returns the page of each heading
    and the points that run over a page break."""
    where: dict[str, int] = {}
    spanning: set[str] = set()
    for index, heading in enumerate(meeting.plan):
        key = f"{index}"
        if heading.point is not None:
            if heading.point.in_body:
                where[key] = _lay_out_point(pages, meeting, heading.point)
                if len(pages.pages) > where[key]:
                    spanning.add(heading.point.number)
            continue
        if meeting.style.new_page_per_group and index:
            pages.new_page()
        pages.gap(6)
        text = (
            heading.title
            if not heading.number
            else f"{_label(meeting.style, heading.number)} {heading.title}"
        )
        pages.paragraph(text, style="B", size=14, hyphenate=False)
        where[key] = len(pages.pages)
    return where, spanning


def _lay_out_toc(pages: _Pages, meeting: Meeting) -> None:
    style = meeting.style
    if style.toc == "none":
        return
    pages.new_page() if style.toc != "list" else pages.gap(6)
    pages.line(
        "Indholdsfortegnelse" if style.toc != "list" else "Dagsordenpunkter:",
        style="B",
        size=14 if style.toc != "list" else 11,
    )
    pages.gap(4)
    numbered = style.numbers != "punkt"
    for index, heading in enumerate(meeting.plan):
        title = heading.title
        if heading.point is not None and heading.point.toc_title:
            title = heading.point.toc_title
        label = _label(style, heading.number) if heading.number else ""
        pitch = 0.75 if style.toc_loose else 0.5
        if style.toc == "list":
            pages.paragraph(f"{label} {title}".strip(), size=10, hyphenate=False, hang=6)
            pages.gap(1)
            continue
        if style.toc_hanging and numbered:
            first = pages.line(label, size=10, pitch=pitch)
            pages.y -= 10 * pitch
            ops = pages.paragraph(title, x=LEFT + 14, pitch=pitch, hyphenate=False)
            first.y = ops[0].y
            for op in ops[1:]:
                op.x = LEFT + 14
        else:
            ops = pages.paragraph(f"{label} {title}".strip(), pitch=pitch, hyphenate=False)
        # Leave room for the page number: a last line running into it is wrapped once more.
        last = ops[-1]
        end = last.x + pages.width(last.text, "", 10)
        if end > RIGHT - 14:
            words = last.text.split(" ")
            last.text = " ".join(words[:-1])
            extra = pages.line(words[-1], x=last.x, pitch=pitch)
            last, end = extra, extra.x + pages.width(extra.text, "", 10)
        number = _Op(RIGHT, last.y, "", "", 10, page_of=str(index))
        if style.toc == "leaders":
            number.dots_from = end + 1.5
        pages.pages[-1].append(number)
        pages.gap(0.0 if style.toc_tight else 1.5 if not style.toc_loose else 2.5)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    spanning: frozenset[str]  # numbers of the points that run over a page break


def render(meeting: Meeting) -> Rendered:
    """The meeting as a PDF."""
    style = meeting.style
    pdf = FPDF(format="A4", unit="mm")
    family = "helvetica"
    if style.font == "serif":
        family = "serif"
        pdf.add_font("serif", "", str(FONTS[0]))
        pdf.add_font("serif", "B", str(FONTS[1]))
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))
    pages = _Pages(pdf, family)
    name = "DAGSORDEN" if meeting.kind == "agenda" else "REFERAT"
    pages.gap(30)
    pages.line(f"{name} {meeting.day.year}", style="B", size=22)
    pages.gap(6)
    pages.line(meeting.kkr.upper(), style="B", size=16)
    pages.gap(8)
    pages.line(f"Dato: {meeting.day.strftime('%d-%m-%Y')} 10:00", size=11)
    pages.gap(2)
    pages.line(f"Sted: {meeting.council}s Rådhus, mødelokale 2", size=11)
    if meeting.mission:
        pages.gap(8)
        pages.line("Mission", style="B")
        pages.gap(1)
        pages.paragraph("KL bidrager til at udvikle og fastholde et stærkt lokalt demokrati.")
    _lay_out_toc(pages, meeting)
    pages.new_page()
    where, spanning = _lay_out_body(pages, meeting)
    shift = 0
    if style.pages_lie:  # the ToC of an earlier draft: every number off by the same amount
        shift = random.Random(meeting.seed).choice((-1, 1, 2, 3))
    total = len(pages.pages)
    for number, ops in enumerate(pages.pages, start=1):
        pdf.add_page()
        running = []
        if number > 1 and style.header:
            running.append((LEFT, style.header_y, style.header))
        if number > 1 and style.footer:
            running.append((PAGE_W / 2 - 10, 287.0, style.footer))
        if not style.drawn_first:
            _draw(pdf, family, ops, pages, where, shift)
        for x, y, template in running:
            pdf.set_font(family, "", 8)
            pdf.text(x, y, template.format(page=number, total=total))
        if style.drawn_first:
            _draw(pdf, family, ops, pages, where, shift)
    return Rendered(bytes(pdf.output()), total, frozenset(spanning))


def _draw(
    pdf: FPDF, family: str, ops: list[_Op], pages: _Pages, where: dict[str, int], shift: int
) -> None:
    for op in ops:
        text = op.text
        x = op.x
        if op.page_of is not None:
            text = str(max(1, where.get(op.page_of, 2) + shift))
            x = RIGHT - pages.width(text, "", 10)
            if op.dots_from is not None:
                dot = pages.width(".", "", 10)
                count = max(3, int((x - 1.5 - op.dots_from) / dot))
                pdf.set_font(family, "", 10)
                pdf.text(op.dots_from, op.y, "." * count)
        if text:
            pdf.set_font(family, op.style, op.size)
            pdf.text(x, op.y, text)


def paragraphs_split(
    paragraphs: list[str], *, kind: str = "referat", margin: float | None = None, width: float = 170
) -> Split:
    """Paragraphs set one after another on A4 pages as a plain word-processor document (a short
    one bold, as a heading), read back through extract() and split_document(). ``margin`` in
    mm, all round (fpdf's 1 cm when None: a line within 2 cm of a page's edge past the first
    page is taken for a running line, so longer documents want a word processor's 2.5 cm)."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font("dejavu", fname=str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", style="B", fname=str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    if margin is not None:
        pdf.set_margins(margin, margin, 20)
        pdf.set_auto_page_break(True, margin)
    pdf.add_page()
    for paragraph in paragraphs:
        bold = len(paragraph) < 90 and not paragraph.endswith(".")
        pdf.set_font("dejavu", style="B" if bold else "", size=11)
        pdf.multi_cell(width, 6, paragraph)
        pdf.ln(4)
    url = f"https://www.example.dk/{kind}.pdf"
    return split_document(extract(bytes(pdf.output()), url=url, content_type=None))
