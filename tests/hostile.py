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


def pdf(content: bytes, *, flate: bool = True) -> bytes:
    """A one-page PDF whose page content stream is ``content`` (already deflated if flate)."""
    stream_filter = b" /Filter /FlateDecode" if flate else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(content), stream_filter, content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
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
