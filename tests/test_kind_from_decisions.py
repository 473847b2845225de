"""What a meeting document is, read from what its points hold and from its head: minutes printed
under an agenda's title, a minutes page at an agenda's address. Layouts of real municipal
agendas and minutes (stored copies of their public pages), rendered with our own wording and
read back through extract_split(), as the service reads them. Each failed before the change it
was written for.
"""

from __future__ import annotations

import pytest
from fpdf import FPDF

from notifier.extract import extract_split
from notifier.models import Document, DocumentKind
from notifier.split import Split
from tests.agenda_layouts import FONT_DIR
from tests.test_probed_layouts import PROSE

TITLES = ["Godkendelse af dagsorden", "Vejplan for midtbyen", "Salg af grund ved havnen"]


class _Pages(FPDF):
    """A word processor's document with a running footer on every page."""

    footer_text = ""

    def footer(self) -> None:
        if self.footer_text:
            self.set_y(-15)
            self.set_font("dejavu", size=8)
            self.cell(160, 5, f"{self.footer_text} - side {self.page_no()}")


def _pdf(
    paragraphs: list[str], *, footer: str = "", name: str = "dagsorden"
) -> tuple[Document, Split]:
    pdf = _Pages(format="A4", unit="mm")
    pdf.footer_text = footer
    pdf.add_font("dejavu", fname=str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", style="B", fname=str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(25, 25, 20)
    pdf.set_auto_page_break(True, 25)
    pdf.add_page()
    for paragraph in paragraphs:
        bold = len(paragraph) < 90 and not paragraph.endswith(".")
        pdf.set_font("dejavu", style="B" if bold else "", size=11)
        pdf.multi_cell(160, 6, paragraph)
        pdf.ln(4)
    url = f"https://www.example.dk/{name}.pdf"
    return extract_split(bytes(pdf.output()), url=url, content_type=None)


def _points(decision: list[str]) -> list[str]:
    # Brønderslev's points (bronderslev.dk, Byrådet - Referat, 29. januar 2020): "Resume",
    # "Sagsforløb: BY", "Sagsfremstilling", then the "Beslutning" with what was decided.
    paragraphs = []
    for number, title in enumerate(TITLES, 1):
        paragraphs += [f"{number}. {title}", "Resume", "Sagsforløb: BY", "Sagsfremstilling"]
        paragraphs += [PROSE, PROSE, PROSE, PROSE, *decision]
    return paragraphs


# What minutes say of themselves: "Dagsorden og referat" on the cover (a board's "DAGSORDEN M.
# REFERAT", docplayer.dk's list of related documents under "Dagsorden Bestyrelsesmøde den 22.
# September 2014"), or the agenda's cover and "Referat" only in the footer.
COVERS = [("Dagsorden og referat", ""), ("Dagsorden", "Byrådet - Referat - 29. januar 2020")]


@pytest.mark.parametrize(("cover", "footer"), COVERS)
def test_an_agenda_s_cover_over_decisions_is_the_minutes(cover: str, footer: str) -> None:
    # The first kind word on the cover made it an agenda: its decisions were never told.
    # (Three pages: a footer is known by its recurring.)
    paragraphs = ["Byrådet", cover, "Dato: 29. januar 2020", *_points(["Beslutning", "Godkendt."])]
    document, split = _pdf(paragraphs, footer=footer)
    assert document.kind is DocumentKind.MINUTES
    assert document.title == "Referat 29. januar 2020"
    assert [item.title for item in split.items] == TITLES
    assert [item.beslutning for item in split.items] == ["Godkendt."] * 3


def test_an_agenda_with_the_committees_decisions_before_the_meeting_stays_an_agenda() -> None:
    # Rødovre's council points set the committees' decisions before the council's meeting
    # under the Indstilling ("Teknik- og Miljøudvalget, 10. september 2019, pkt. 65:" /
    # "Anbefales.", rk.dk, Kommunalbestyrelsen 24-09-2019): in the agenda they record no
    # decision of the meeting it is for.
    decided = ["Økonomiudvalget, 18. september 2019, pkt. 153:", "Indstilles godkendt."]
    paragraphs = ["Kommunalbestyrelsen", "Dagsorden", "Dato: 24. september 2019"]
    document, _ = _pdf([*paragraphs, *_points(decided)])
    assert document.kind is DocumentKind.AGENDA
    assert document.title == "Dagsorden 24. september 2019"
    # ... and minutes dated on the meeting's day are the minutes
    decided = ["Beslutning i Kommunalbestyrelsen den 24-09-2019", "Godkendt."]
    document, _ = _pdf([*paragraphs, *_points(decided)])
    assert document.kind is DocumentKind.MINUTES


def test_empty_decision_headings_and_a_few_decisions_leave_an_agenda() -> None:
    # An agenda template printing "Beslutning" with nothing under it, and one decision (a
    # point the chair recorded ahead of the meeting) among several: still the agenda.
    paragraphs = ["Byrådet", "Dagsorden", "Dato: 29. januar 2020", *_points(["Beslutning"])]
    document, _ = _pdf(paragraphs)
    assert document.kind is DocumentKind.AGENDA
    one = [*paragraphs[:3], *_points([])]
    one += ["4. Meddelelser", "Sagsfremstilling", PROSE, "Beslutning", "Taget til efterretning."]
    document, _ = _pdf(one)
    assert document.kind is DocumentKind.AGENDA


def _page(url: str, head: list[str], body: list[str]) -> tuple[Document, Split]:
    html = "".join(f"<p>{line}</p>" for line in head)
    for number, title in enumerate(TITLES, 1):
        html += f"<h2>{number}. {title}</h2>" + "".join(f"<p>{line}</p>" for line in body)
    page = "<html><head><title>Kommunalbestyrelsen</title></head><body><main><h1>"
    page += f"Kommunalbestyrelsen</h1>{html}</main></body></html>"
    return extract_split(page.encode(), url=url, content_type="text/html")


def test_a_minutes_page_at_an_agenda_s_address_is_the_minutes() -> None:
    # Stevns' minutes page at a /dagsorden/ address (stevns.dk/dagsorden/kommunalbestyrelsen-
    # 22-01-2020), "Referat" heading its points: the address made it an agenda. Its head says
    # what it is, with or without the decisions filled in yet.
    url = "https://www.example.dk/dagsorden/kommunalbestyrelsen-22-01-2020"
    head = ["Referat", "Dato: 22. januar 2020"]
    document, split = _page(url, head, ["Resume", PROSE, "Beslutning", "Godkendt."])
    assert document.kind is DocumentKind.MINUTES
    assert [item.beslutning for item in split.items] == ["Godkendt."] * 3
    document, _ = _page(url, head, ["Resume", PROSE])
    assert document.kind is DocumentKind.MINUTES


def test_a_kind_word_in_the_head_of_a_page_at_another_address_is_no_kind() -> None:
    # Still: a page whose address names no kind is read by its title alone; a "Dagsorden"
    # heading in its head may be a link's over a list of documents.
    url = "https://www.example.dk/politik/kommunalbestyrelsen"
    document, _ = _page(url, ["Dagsorden", "Se møderne i kalenderen."], ["Resume", PROSE])
    assert document.kind is DocumentKind.OTHER
