"""PDF -> page texts with pypdfium2 (PDFium's own reading order, line geometry for paragraphs).

pypdfium2 was chosen for speed and licence: on the 31-page KKR agenda it takes ~30 ms against
~210 ms for pypdf and ~800 ms for pdfminer.six; PyMuPDF is AGPL. Paragraph breaks are not in
PDFium's text, so they are recovered from the gap between consecutive lines. Running headers and
footers are the lines in the top and bottom margins (past the first page), plus what
strip_running_lines finds recurring elsewhere; the splitter relies on neither leaking into a
point nor a page break cutting one of its paragraphs in two.
"""

from __future__ import annotations

import codecs
import ctypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from notifier.errors import ExtractError
from notifier.extract.normalize import normalize_text, strip_running_lines

# A line further below the previous one than this many font sizes starts a new paragraph;
# single spacing is 1.15-1.45 in the word processors KL uses.
_PARAGRAPH_GAP = 1.6
# Lines in these top/bottom fractions of the page are in its margins: running headers and
# footers. PDFium returns them in drawing order, before or after the body.
_HEADER_BAND, _FOOTER_BAND = 0.93, 0.07
_HYPHEN_MARKS = ("\ufffe", "\x02")
_SEGMENT_END = re.compile("[\n\ufffe\x02]")
_DIGITS = re.compile(r"\d+")


def _bare(function: Any, restype: Any) -> Any:
    """The PDFium function without pypdfium2's argument types: ctypes then passes the handle,
    the char index and the box as they are, at a third of the cost of converting each one
    (the line loop makes some 6,000 such calls a round of the fixtures)."""
    bare = type(function)(ctypes.cast(function, ctypes.c_void_p).value)
    bare.restype = restype
    return bare


_LOOSE_BOX = _bare(pdfium_raw.FPDFText_GetLooseCharBox, ctypes.c_int)
_FONT_SIZE = _bare(pdfium_raw.FPDFText_GetFontSize, ctypes.c_double)


@dataclass(frozen=True)
class PdfText:
    pages: list[str]  # normalised text per page, running lines removed
    title: str | None  # from the document information dictionary

    @property
    def text(self) -> str:
        """The pages as one text. A paragraph cut by a page break is joined again (the page
        ends without a full stop and the next begins in lower case), so "efter dette" + "møde."
        and "virkso-" + "mhedskontakter" are one paragraph, as the splitter needs them."""
        text = ""
        for page in self.pages:
            if not page:
                continue
            head, _, last = text.rpartition("\n\n")
            first, gap, rest = page.partition("\n\n")
            if last and first[:1].islower() and not last.endswith((".", "!", "?", ":")):
                seam = normalize_text(f"{last}\n{first}")
                text = f"{head}\n\n{seam}{gap}{rest}" if head else f"{seam}{gap}{rest}"
            else:
                text = f"{text}\n\n{page}" if text else page
        return text


@dataclass(slots=True)
class _Line:
    text: str
    first_bottom: float  # PDFium joins a hyphenated line with the next: track both ends
    last_bottom: float
    top: float
    size: float


@dataclass
class _Page:
    margins: list[str]  # lines in the top and bottom margins (header, footer)
    head: list[_Line]  # the top margin's lines, for the first page
    body: list[_Line]
    foot: list[_Line]
    height: float

    def placed(self, lines: list[_Line]) -> list[tuple[float, float]]:
        """How far each line sits from the page's top and bottom edges (pages of one document
        may differ in size: a landscape page of a wide table)."""
        return [(self.height - line.first_bottom, line.first_bottom) for line in lines]


def meta_title(raw: str) -> str | None:
    """The title the PDF's metadata states, when it names the document: office programs fill
    in their own words, a file name or a template's ("Microsoft Word - dagsorden.docx",
    "Untitled", "Dokument1", "PowerPoint-præsentation"), which a reader should never see."""
    title = _OFFICE_PREFIX.sub("", normalize_text(raw).strip())
    title = _EXTENSION.sub("", title).strip()
    if not title or _GENERIC.fullmatch(title) or not any(c.isalpha() for c in title):
        return None
    if (" " not in title and any(mark in title for mark in "_.")) or len(title) < 4:
        return None  # a file name ("dagsorden_kkr_2021", "KKR.final")
    return title


_OFFICE_PREFIX = re.compile(r"^Microsoft\s+(?:Word|PowerPoint|Excel)\s*-\s*", re.IGNORECASE)
_EXTENSION = re.compile(r"\.(?:docx?|pptx?|xlsx?|pdf|indd|odt|rtf|txt)$", re.IGNORECASE)
_GENERIC = re.compile(
    r"(?:untitled|uden\s+titel|unavngivet|dokument|document|skabelon|template"
    r"|(?:powerpoint[-\s]*)?(?:pr(?:æ|ae)|pre)sentation|slide|dias|titel|title|word)[-\s]*\d*",
    re.IGNORECASE,
)


def read_pdf(body: bytes) -> PdfText:
    try:
        document = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as exc:
        raise ExtractError(f"not a readable PDF ({exc})") from exc
    try:
        raw_pages = [_page(document, index) for index in range(len(document))]
        title = meta_title(document.get_metadata_value("Title") or "")
    except pdfium.PdfiumError as exc:
        raise ExtractError(f"PDF could not be read to the end ({exc})") from exc
    finally:
        document.close()
    if not raw_pages:
        raise ExtractError("PDF has no pages")
    texts, heights = _without_margins(raw_pages)
    pages = [normalize_text(page) for page in strip_running_lines(texts, heights)]
    if not any(pages):
        raise ExtractError("PDF has no text layer (a scan without OCR?)")
    return PdfText(pages=pages, title=title)


def _without_margins(pages: list[_Page]) -> tuple[list[str], list[list[tuple[float, float]]]]:
    """Page texts without running headers and footers, and where each of their lines sits.
    Past the first page nothing but those is set in the top and bottom margins, so margin lines
    are dropped there even when they do not recur (a two-page agenda has its header once). The
    first page may set its title high: its margin lines go only when they recur (digits
    ignored) in the margins of other pages; the rest is left to strip_running_lines."""
    elsewhere = {_masked(line) for page in pages[1:] for line in page.margins}
    texts, heights = [], []
    for index, page in enumerate(pages):
        if index > 0:
            texts.append(_paragraphs(page.body))
            heights.append(page.placed(page.body))
            continue
        head, foot = (
            [line for line in part if _masked(line.text) not in elsewhere]
            for part in (page.head, page.foot)
        )
        parts = [
            "\n".join(line.text for line in head),
            _paragraphs(page.body),
            "\n".join(line.text for line in foot),
        ]
        texts.append("\n\n".join(part for part in parts if part))
        heights.append(page.placed([*head, *page.body, *foot]))
    return texts, heights


def _masked(line: str) -> str:
    return _DIGITS.sub("#", line.strip().casefold())


def _page(document: pdfium.PdfDocument, index: int) -> _Page:
    # Raw handles, closed here: the helper objects register a finalizer each, a tenth of the
    # cost of loading a page. The errors are the helpers'.
    page = pdfium_raw.FPDF_LoadPage(document.raw, index)
    if not page:
        raise pdfium.PdfiumError("Failed to load page.")
    try:
        textpage = pdfium_raw.FPDFText_LoadPage(page)
        if not textpage:
            raise pdfium.PdfiumError("Failed to load text page.")
        try:
            height = pdfium_raw.FPDF_GetPageHeightF(page)
            lines = _lines(textpage)
        finally:
            pdfium_raw.FPDFText_ClosePage(textpage)
    finally:
        pdfium_raw.FPDF_ClosePage(page)
    high, low = height * _HEADER_BAND, height * _FOOTER_BAND
    header = [line for line in lines if line.first_bottom > high]
    footer = [line for line in lines if line.top < low]
    # By the same tests, not by looking each line up in header and footer (a comparison of
    # every field with every margin line): equal lines pass the same tests.
    body = [line for line in lines if not line.first_bottom > high and not line.top < low]
    return _Page(
        margins=[line.text for line in header + footer],
        head=header,
        body=body,
        foot=footer,
        height=height,
    )


def _text(textpage: Any) -> tuple[str, int]:
    """The page's text and its count of chars: pypdfium2's count_chars and get_text_range(0,
    count) on the raw handle, excluded chars at either end left out as it leaves them out."""
    count = pdfium_raw.FPDFText_CountChars(textpage)
    if count == -1:
        raise pdfium.PdfiumError("Failed to get character count.")
    active = _active_range(textpage, 0, count - 1) if count else None
    if active is None:
        return "", count
    start, end, before, after = active
    size = end + 2 - start  # with the terminating NUL
    buffer = (ctypes.c_ushort * size)()
    written = pdfium_raw.FPDFText_GetText(textpage, before, count - before - after, buffer)
    if size < written:
        raise AssertionError(f"Buffer too small: {size} vs {written}")
    return codecs.decode(memoryview(buffer)[: written - 1], "utf-16-le", "ignore"), count


def _active_range(textpage: Any, first: int, last: int) -> tuple[int, int, int, int] | None:
    """Text indices of the first and last chars in the text, and how many were left out
    before and after them: pypdfium2's steps, as a loop (its recursion went one frame per
    char left out, past Python's limit on a page with a thousand)."""
    before = after = 0
    while first <= last:
        start = pdfium_raw.FPDFText_GetTextIndexFromCharIndex(textpage, first)
        if start == -1:
            first, before = first + 1, before + 1
            continue
        end = pdfium_raw.FPDFText_GetTextIndexFromCharIndex(textpage, last)
        if end == -1:
            last, after = last - 1, after + 1
            continue
        return start, end, before, after
    return None


def _lines(handle: Any) -> list[_Line]:
    text, count = _text(handle)
    # The raw calls with one reused box: a page asks for a box or two per line, and the
    # helper's get_charbox costs twice the call itself (a new structure and handle lookup).
    rect = pdfium_raw.FS_RECTF()
    box = ctypes.byref(rect)

    def ends(index: int) -> tuple[float, float]:
        """Bottom and top of the character's loose box."""
        if not _LOOSE_BOX(handle, index, box):
            raise pdfium.PdfiumError("Failed to get charbox.")
        return rect.bottom, rect.top

    # get_text_range returns one character per char index, generated line breaks included.
    # A hyphen PDFium judged to be hyphenation comes back as a mark with the line break
    # dropped; when the text after it is not the next line (a running header drawn after the
    # body), the break is put back so the header stays a line of its own.
    segments: list[tuple[int, int]] = []
    start = 0
    # Only line breaks and hyphenation marks end a segment: the regex finds them (a loop over
    # every character was most of a page's cost).
    for found in _SEGMENT_END.finditer(text):
        index = found.start()
        if found.group() == "\n":
            segments.append((start, index))
            start = index + 1
        elif _jumps(ends, handle, index, count):
            segments.append((start, index + 1))
            start = index + 1
    segments.append((start, len(text)))
    lines: list[_Line] = []
    previous: _Line | None = None
    # Loose boxes follow the font, not the glyph, so one character per line end is enough.
    # The calls are written out, not a helper's: this loop is most of a page's Python.
    for start, end in segments:
        # The segment's first and last characters that are not white space (str.strip strips
        # what str.isspace calls white space).
        span = text[start : end if end < count else count]
        left = span.lstrip()
        if not left:
            continue
        first_char = start + len(span) - len(left)
        last_char = start + len(span.rstrip()) - 1
        if not _LOOSE_BOX(handle, first_char, box):
            raise pdfium.PdfiumError("Failed to get charbox.")
        first_bottom = last_bottom = rect.bottom
        first_top = last_top = rect.top
        if last_char != first_char:
            if not _LOOSE_BOX(handle, last_char, box):
                raise pdfium.PdfiumError("Failed to get charbox.")
            last_bottom, last_top = rect.bottom, rect.top
        size = _FONT_SIZE(handle, first_char)
        line = text[start:end].strip("\r\n")
        if line.endswith(_HYPHEN_MARKS):
            line = f"{line[:-1]}-"
        if previous is not None and abs(previous.last_bottom - first_bottom) < 0.3 * size:
            # PDFium breaks a line at a wide gap (a tab before a ToC page number, table
            # cells); what shares a baseline is one line.
            previous.text = f"{previous.text} {line}"
            previous.last_bottom = last_bottom
            previous.top = max(previous.top, first_top, last_top)
            continue
        previous = _Line(line, first_bottom, last_bottom, max(first_top, last_top), size or 10.0)
        lines.append(previous)
    return lines


def _jumps(ends: Callable[[int], tuple[float, float]], handle: Any, index: int, count: int) -> bool:
    """Whether the text after a hyphenation mark is somewhere else than the next line down."""
    if index == 0 or index + 1 >= count:
        return False
    before = ends(index - 1)[0]
    after = ends(index + 1)[0]
    size = _FONT_SIZE(handle, index - 1) or 10.0
    drop = before - after
    return drop < 0.5 * size or drop > 3 * size


def _paragraphs(lines: list[_Line]) -> str:
    out: list[str] = []
    previous: _Line | None = None
    for line in lines:
        if previous is not None:
            pitch = previous.last_bottom - line.first_bottom
            larger = max(previous.size, line.size)
            limit = _PARAGRAPH_GAP * larger
            resized = abs(previous.size - line.size) > 0.15 * larger
            out.append("\n\n" if pitch > limit or pitch < 0 or resized else "\n")
        out.append(line.text)
        previous = line
    return "".join(out)
