"""Point numbers as municipal agenda systems give them: numbered on through the year (a
committee's points 129 to 166), and, in Rødovre's minutes, set under the title ("Sag nr. 130").

Each test renders the text to PDF and reads it back through extract() and split_document(),
the whole path a real document takes, and names where the layout was seen.
"""

from __future__ import annotations

from fpdf import FPDF

from notifier.extract import extract
from notifier.split import Split, split_document

FONTS = "/usr/share/fonts/truetype/dejavu/DejaVuSans"


def text_pdf(paragraphs: list[str], *, kind: str = "referat") -> Split:
    """Paragraphs set one after another on A4 pages with a word processor's margins (2.5 cm:
    a line within 2 cm of a page's edge past the first page is taken for a running line)."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font("dejavu", fname=f"{FONTS}.ttf")
    pdf.add_font("dejavu", style="B", fname=f"{FONTS}-Bold.ttf")
    pdf.set_margins(25, 25, 20)
    pdf.set_auto_page_break(True, 25)
    pdf.add_page()
    for paragraph in paragraphs:
        bold = len(paragraph) < 90 and not paragraph.endswith(".")
        pdf.set_font("dejavu", style="B" if bold else "", size=11)
        pdf.multi_cell(165, 6, paragraph)
        pdf.ln(4)
    url = f"https://www.example.dk/{kind}.pdf"
    return split_document(extract(bytes(pdf.output()), url=url, content_type=None))


PROSE = (
    "Forslaget har været i offentlig høring i fire uger, og der er indkommet to høringssvar, "
    "som forvaltningen har behandlet i sagsfremstillingen nedenfor."
)
TITLES = (
    "Analyse af daginstitutionsstrukturen",
    "Tillæg 1 til Lokalplan 145 - endelig vedtagelse",
    "Anlægsbevilling til overdækning af hockeybanen",
    "Budget 2026 for fællesudgifterne",
)


def test_points_numbered_on_through_the_year_past_99() -> None:
    # Municipal minutes number their points on through the year: Egebjerg's Kommunalbestyrelse
    # 89 to 103 (docplayer.dk/2007834), Rødovre's Kommunalbestyrelse 129 to 138 (rk.dk/politik/
    # kommunalbestyrelsen/visning/moede/KB-UID183461-1). A number of three digits was no
    # point's: every point from 100 on was lost inside point 99.
    numbers = ["98", "99", "100", "101"]
    paragraphs = ["Kommunalbestyrelsen", "Referat"]
    for number, title in zip(numbers, TITLES, strict=True):
        paragraphs += [f"{number}. {title}", "Sagsnr. 21/12345", "Indstilling"]
        paragraphs += ["Forvaltningen indstiller, at sagen godkendes.", "Beslutning", "Godkendt."]
        paragraphs += ["Sagsfremstilling", PROSE]
    split = text_pdf(paragraphs)
    assert [(i.number, i.title) for i in split.items] == list(zip(numbers, TITLES, strict=True))
    assert [i.beslutning for i in split.items] == ["Godkendt."] * 4
    assert split.problems == ()


def test_contents_of_points_numbered_past_99() -> None:
    # The same with a table of contents, as Egebjerg's ("99. Analyse af
    # daginstitutionsstruktur...x", docplayer.dk/2007834), here with arabic page numbers.
    numbers = ["99", "100", "101", "102"]
    points = list(zip(numbers, TITLES, strict=True))
    contents = [f"{n}. {t} ........ {k}" for k, (n, t) in enumerate(points, 2)]
    paragraphs = ["Kommunalbestyrelsen", "Dagsorden", "Indholdsfortegnelse", "\n".join(contents)]
    for number, title in points:
        paragraphs += [f"{number}. {title}", "Sagsnr. 21/12345", "Indstilling"]
        paragraphs += ["Forvaltningen indstiller, at sagen godkendes.", "Sagsfremstilling", PROSE]
    split = text_pdf(paragraphs, kind="dagsorden")
    assert [(i.number, i.title) for i in split.items] == points
    assert all(i.text.count("Indstilling") == 1 for i in split.items)
    assert split.problems == ()
