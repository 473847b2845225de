"""Hostile documents, made on the spot: a PDF bomb, deeply nested HTML, a gzip bomb."""

from __future__ import annotations

import zlib

MB = 1024 * 1024


def deflate_bomb(inflated: int, unit: bytes = b" ") -> bytes:
    """A zlib stream of ``inflated`` bytes of ``unit``, about a thousandth of that in size.

    One megabyte is compressed once and its compressed blocks repeated (a full flush makes
    them independent), so a gigabyte takes a second to make instead of ten.
    """
    block = unit * (MB // len(unit))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = inflated // len(block)
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(block, checksum)
    return b"\x78\xda" + piece * count + b"\x03\x00" + checksum.to_bytes(4, "big")


def pdf(content: bytes, *, flate: bool = True, pages: int = 1) -> bytes:
    """A PDF of ``pages`` pages that all show ``content`` (already deflated if flate)."""
    stream_filter = b" /Filter /FlateDecode" if flate else b""
    kids = b" ".join(b"%d 0 R" % (5 + page) for page in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(content), stream_filter, content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>"
    ] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_bomb(inflated: int = 1024 * MB) -> bytes:
    """About 1 MB of PDF whose page content inflates to ``inflated`` bytes (1 GB)."""
    return pdf(deflate_bomb(inflated))


def text_pdf(text: str) -> bytes:
    """A small, ordinary PDF with one line of text."""
    return pdf(b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.encode("latin-1"), flate=False)


def nested_html(depth: int, *, tag: str = 'div class="share"', close: str = "div") -> bytes:
    """A page whose content sits ``depth`` elements deep (chrome class names by default)."""
    return (
        "<html><head><title>Dybt</title></head><body><main><h1>Dybt</h1>"
        + f"<{tag}>" * depth
        + "<p>Indhold langt nede.</p>"
        + f"</{close}>" * depth
        + "</main></body></html>"
    ).encode()


def gzip_bomb(inflated: int) -> bytes:
    """A gzip member of ``inflated`` zero bytes, about a thousandth of that in size."""
    block = b"\0" * MB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = inflated // MB
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    size = (count * MB) % 2**32
    return (
        header
        + piece * count
        + b"\x03\x00"
        + crc.to_bytes(4, "little")
        + size.to_bytes(4, "little")
    )


def long_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` full pages of ordinary text (7 kB each): legitimate, only long."""
    line = b"(Trafik og klima i kommunerne, sundhed og aeldre, beskaeftigelse og uddannelse.) '"
    content = b"BT /F1 8 Tf 20 830 Td 9 TL\n" + b"\n".join([line] * 90) + b"\nET"
    return pdf(content, flate=False, pages=pages)
