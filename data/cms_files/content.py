"""What a file's bytes are, before they are read as CSV: the size limit, the encoding, and what a file
that is not CSV text is (so the message names it instead of counting fields).

CMS publishes its results files as CSV text, UTF-8 (older ones Windows-1252); the largest here is
under 0.5 MB and the biggest CMS ships is a few MB. A file a spreadsheet saved as "Unicode text" is
UTF-16 and tab-separated: it is read. A workbook (.xlsx, .xls), ZIP, gzip, PDF, HTML page, JSON or
binary data is refused with a one-line message saying what it is.
"""

from __future__ import annotations

import os

MAX_FILE_MB_ENV = "ACO_LENS_MAX_FILE_MB"
DEFAULT_MAX_FILE_MB = 16.0  # about 4x CMS's largest results file; a 200 MB file took 3.8 GB to read
HEAD_BYTES = 64 * 1024  # how much is looked at to tell what a file is
CONTROL_SHARE = 0.01  # more control bytes than this (besides tab, CR, LF, FF) means binary

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive such as an Excel workbook (.xlsx), not CSV text: "
                    "open it in a spreadsheet and save it as CSV (UTF-8)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls), not CSV text: "
                                          "open it in a spreadsheet and save it as CSV (UTF-8)"),
    (b"%PDF", "a PDF document, not CSV text"),
    (b"\x1f\x8b", "gzip-compressed, not CSV text: unpack it (gunzip) first"),
    (b"PAR1", "a Parquet file, not CSV text"),
)
_NOT_CONTROL = bytes(range(0x20, 0x100)) + b"\t\n\r\x0c"  # deleted to count the control bytes left


class NotText(ValueError):
    """The file is not CSV text; the message (one line) says what it is."""


def max_file_bytes() -> int:
    """The per-file limit: $ACO_LENS_MAX_FILE_MB megabytes, else DEFAULT_MAX_FILE_MB."""
    try:
        megabytes = float(os.environ.get(MAX_FILE_MB_ENV) or DEFAULT_MAX_FILE_MB)
    except ValueError:
        megabytes = DEFAULT_MAX_FILE_MB
    return int((megabytes if megabytes > 0 else DEFAULT_MAX_FILE_MB) * 1_000_000)


def too_large(size: int) -> str:
    limit = max_file_bytes() / 1e6
    return (f"{size / 1e6:,.1f} MB, over the {limit:g} MB limit for one results file (CMS's are a few MB "
            f"at most); not read. Set {MAX_FILE_MB_ENV} to allow larger files")


def _utf16(data: bytes) -> str | None:
    """'utf-16' (with a byte-order mark), 'utf-16-le'/'-be' (without one, by its zero bytes), or None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:HEAD_BYTES]
    even, odd = head[0::2], head[1::2]
    if len(head) < 4:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _binary(head: bytes) -> str | None:
    """'binary data ...' naming the first control byte, when the head is not text."""
    controls = head.translate(None, _NOT_CONTROL)
    if not controls or (0 not in controls and len(controls) <= CONTROL_SHARE * len(head)):
        return None
    first = head.index(controls[:1])
    return f"binary data, not CSV text (byte 0x{head[first]:02x} at offset {first})"


def _markup(text: str) -> str | None:
    start = text.lstrip("\ufeff \t\r\n")[:15].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml", "<head", "<body")):
        return "an HTML or XML page, not CSV text (a download that returned a web page?)"
    if start.startswith(("[{", "{", "[\n", "[ ")):
        return "JSON, not CSV text (python -m data.build --download turns CMS's JSON into CSV)"
    return None


def decode(data: bytes) -> tuple[str, list[str]]:
    """The file's text and warnings; raises NotText (saying what the file is) when it is not CSV text.

    UTF-8 with or without byte-order mark; UTF-16 read (with a warning); else Windows-1252 (warning).
    """
    encoding = _utf16(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise NotText(f"looks like UTF-16 but does not decode as such (byte {exc.start})") from None
        text, warnings = text.lstrip("\ufeff"), ["UTF-16 text: read as such"]
    else:
        for signature, what in _SIGNATURES:
            if data.startswith(signature):
                raise NotText(what)
        binary = _binary(data[:HEAD_BYTES])
        if binary:
            raise NotText(binary)
        try:
            text, warnings = data.decode("utf-8-sig"), []
        except UnicodeDecodeError:
            text, warnings = data.decode("cp1252", errors="replace"), ["not UTF-8: read as Windows-1252"]
    markup = _markup(text[:200])
    if markup:
        raise NotText(markup)
    return text, warnings


def decode_head(head: bytes) -> str:
    """The start of a file as text, never failing (to read a header line when looking for files)."""
    encoding = _utf16(head)
    if encoding:
        return head[: len(head) // 2 * 2].decode(encoding, errors="replace").lstrip("\ufeff")
    return head.decode("utf-8-sig", errors="replace")


def delimiter(text: str) -> str:
    """Tab for a tab-separated file (a spreadsheet's "Unicode text"), else comma.

    Semicolons are not taken: a file saved with them also writes decimal commas, which would be
    read as thousands separators.
    """
    first = text[: text.find("\n")] if "\n" in text else text[:HEAD_BYTES]
    return "\t" if first.count("\t") > first.count(",") else ","
