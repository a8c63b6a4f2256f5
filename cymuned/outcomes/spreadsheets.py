"""What an uploaded school file is, and turning a spreadsheet into the CSV every importer reads.

:func:`sniff` decides from the name *and* the bytes: CSV or TSV text (UTF-8 with or without a byte-order mark,
Windows-1252 or UTF-16), or an Excel workbook (XLSX: a zip holding ``xl/workbook.xml``). Anything else is refused
with a message in the user's language: a PDF or a picture renamed ``.csv``, an old ``.xls`` workbook, a zip of
something else, an empty file. The importers themselves only ever see CSV: :func:`xlsx_to_csv` streams a sheet
through openpyxl's read-only reader (one row in memory at a time) into a UTF-8 CSV file, with

* dates and times as ISO 8601 (``2024-09-03``, ``2024-09-03T08:50:00``, ``08:50:00``), midnight left off;
* whole numbers without ``.0`` (a UPN-like number stays ``12345``, not ``12345.0``);
* cells holding a formula kept as the formula's text (``=A1+1``): nothing is worked out, and nothing of the sheet is
  run; text that merely looks like a formula is kept as it is;
* empty rows kept as rows of empty cells, so the importer's row numbers are the spreadsheet's.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

#: Bytes looked at to tell what a file is.
SNIFF_BYTES = 64 * 1024
CSV_EXTENSIONS = (".csv", ".tsv", ".txt")
XLSX_EXTENSIONS = (".xlsx",)
ACCEPTED_EXTENSIONS = CSV_EXTENSIONS + XLSX_EXTENSIONS
#: Signatures of files that are certainly not a school's CSV, whatever their name.
BINARY_SIGNATURES = {
    b"%PDF": "pdf",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "xls",  # OLE2: Excel 97-2003 and other old Office files
    b"\x89PNG": "image",
    b"\xff\xd8\xff": "image",
    b"GIF8": "image",
    b"\x1f\x8b": "gzip",
    b"Rar!": "archive",
    b"7z\xbc\xaf": "archive",
    b"MZ": "program",
    b"\x7fELF": "program",
}
#: openpyxl's read-only reader yields rows of at most this many cells to the CSV (Excel's own limit).
MAX_COLUMNS = 16384


class UploadRefused(Exception):
    """The file cannot be imported at all; ``message`` says why in the active language, ``code`` for tests and logs."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class FileKind:
    """What a file is: ``csv`` (with its text encoding and the character between values) or ``xlsx``."""

    type: str
    encoding: str = ""
    delimiter: str = ""


def _head(source: Path | IO[bytes]) -> bytes:
    if isinstance(source, Path):
        with open(source, "rb") as handle:
            return handle.read(SNIFF_BYTES)
    position = source.tell()
    source.seek(0)
    head = source.read(SNIFF_BYTES)
    source.seek(position)
    return head


def _is_workbook(source: Path | IO[bytes]) -> bool:
    try:
        if not isinstance(source, Path):
            source.seek(0)
        with zipfile.ZipFile(source) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        if not isinstance(source, Path):
            source.seek(0)


def text_encoding(head: bytes) -> str | None:
    """``utf-16``, ``utf-8`` or ``cp1252`` for text, or ``None`` when the bytes are not text in any of them."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = head[: len(head) - len(head) % 2].decode("utf-16", errors="strict")
        except UnicodeDecodeError:
            return None
        return "utf-16" if _looks_like_text(text) else None
    body = head.removeprefix(codecs.BOM_UTF8)
    for encoding in ("utf-8", "cp1252"):
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as error:
            # The head may end in the middle of a UTF-8 character: only an error before the last few bytes counts.
            if encoding == "utf-8" and len(body) >= SNIFF_BYTES and error.start >= len(body) - 4:
                text = body[: error.start].decode("utf-8")
            else:
                continue
        return encoding if _looks_like_text(text) else None
    return None


def _looks_like_text(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return "\x00" not in text and controls <= len(text) // 1000


def _delimiter(head: bytes, encoding: str) -> str:
    text = head.removeprefix(codecs.BOM_UTF8).decode(encoding, errors="ignore").lstrip("\ufeff")
    first = text.splitlines()[0] if text else ""
    return max((",", ";", "\t", "|"), key=lambda d: (first.count(d), -",;\t|".index(d)))


def sniff(source: Path | IO[bytes], name: str) -> FileKind:
    """What the file is, from its name and its first bytes; :class:`UploadRefused` when it is not one we import."""
    extension = Path(name or "").suffix.lower()
    if extension == ".xls":
        raise UploadRefused(_("This is an old Excel workbook (.xls). Save it from Excel as “Excel Workbook (.xlsx)” "
                              "or as “CSV UTF-8”, then upload that."), "xls")
    if extension not in ACCEPTED_EXTENSIONS:
        raise UploadRefused(_("The file must be a CSV file (.csv or .tsv) or an Excel workbook (.xlsx)."), "bad_extension")
    head = _head(source)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise UploadRefused(_("The file is empty."), "empty_file")
    if extension in XLSX_EXTENSIONS:
        if head.startswith(b"PK") and _is_workbook(source):
            return FileKind("xlsx")
        raise UploadRefused(_("The file is named .xlsx but is not an Excel workbook. Save it again from Excel as "
                              "“Excel Workbook (.xlsx)”."), "fake_xlsx")
    for signature, kind in BINARY_SIGNATURES.items():
        if head.startswith(signature):
            if kind == "xls":
                raise UploadRefused(_("This is an old Excel workbook (.xls), not CSV. Save it from Excel as “CSV UTF-8”."),
                                    "xls")
            raise UploadRefused(_("The file is named .csv but is not a CSV file: it looks like a PDF, a picture or another "
                                  "kind of file. Export the data from the school's system as CSV."), "not_text")
    if head.startswith(b"PK"):
        message = (_("The file is named .csv but is an Excel workbook. Upload it with the name ending .xlsx, or save it "
                     "as “CSV UTF-8”.") if _is_workbook(source) else
                   _("The file is named .csv but is not a CSV file: it looks like a PDF, a picture or another kind of file. "
                     "Export the data from the school's system as CSV."))
        raise UploadRefused(message, "not_text")
    encoding = text_encoding(head)
    if encoding is None:
        raise UploadRefused(_("The file is not text in UTF-8, Windows-1252 or UTF-16. Save it from the spreadsheet as "
                              "“CSV UTF-8”."), "not_text")
    return FileKind("csv", encoding=encoding, delimiter=_delimiter(head, encoding))


# --- Reading rows ----------------------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text an importer reads (see the module's docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return str(value)


def _workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula's cell gives the formula's text, which is what we keep; nothing is calculated.
        return load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file: every one means "cannot read it"
        raise UploadRefused(_("The Excel workbook could not be read. Open it in Excel, save it again as “Excel Workbook "
                              "(.xlsx)” or as “CSV UTF-8”, and upload that."), "bad_xlsx") from error


def sheet_names(path: Path) -> list[str]:
    workbook = _workbook(path)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def xlsx_rows(path: Path, *, sheet: str = "", limit: int | None = None) -> Iterator[list[str]]:
    """The rows of a sheet (the first unless named) as lists of text, one at a time, blank rows included."""
    workbook = _workbook(path)
    try:
        if sheet and sheet not in workbook.sheetnames:
            raise UploadRefused(_("The workbook has no sheet called “%(sheet)s”.") % {"sheet": sheet[:40]}, "no_sheet")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        try:
            for count, row in enumerate(worksheet.iter_rows(values_only=True)):
                if limit is not None and count >= limit:
                    break
                cells = [cell_text(value) for value in row[:MAX_COLUMNS]]
                while cells and cells[-1] == "":
                    cells.pop()
                yield cells
        except UploadRefused:
            raise
        except Exception as error:
            raise UploadRefused(_("The Excel workbook could not be read. Open it in Excel, save it again as “Excel "
                                  "Workbook (.xlsx)” or as “CSV UTF-8”, and upload that."), "bad_xlsx") from error
    finally:
        workbook.close()


def xlsx_to_csv(path: Path, out: IO[str], *, sheet: str = "", progress: Callable[[int], None] | None = None) -> int:
    """Write a sheet to ``out`` (text, opened with ``newline=""``) as comma-separated UTF-8; returns the rows written.

    Every row gets as many cells as the first (the header), so an empty row is a row of empty cells and keeps the
    numbering; ``progress(rows)`` is called every 10,000 rows.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    width = 0
    written = 0
    for index, cells in enumerate(xlsx_rows(path, sheet=sheet)):
        if index == 0:
            width = max(len(cells), 1)
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        writer.writerow(cells)
        written += 1
        if progress is not None and written % 10_000 == 0:
            progress(written)
    return written


def csv_rows(path: Path, kind: FileKind, *, limit: int | None = None) -> Iterator[list[str]]:
    """The records of a CSV file as lists of text (``limit`` of them at most), in the encoding :func:`sniff` found.

    A value longer than ``csv.field_size_limit()`` or a broken quote ends the reading with :class:`UploadRefused`.
    Blank lines are skipped, as the importers skip them.
    """
    with open(path, "rb") as raw:
        stream = codecs.getreader(kind.encoding or "utf-8")(raw, errors="replace")
        lines = (line.lstrip("\ufeff") if number == 0 else line for number, line in enumerate(_lines(stream)))
        reader = csv.reader(lines, delimiter=kind.delimiter or ",")
        count = 0
        try:
            for record in reader:
                if not record:
                    continue
                yield record
                count += 1
                if limit is not None and count >= limit:
                    return
        except csv.Error as error:
            raise UploadRefused(_("The file could not be read as CSV: a value is too long or a quotation mark is not "
                                  "closed."), "bad_csv") from error


def _lines(stream: Any) -> Iterator[str]:
    """Lines with their endings, as the csv module wants them (``\\r\\n`` inside quotes kept)."""
    buffer = ""
    while True:
        block = stream.read(1 << 16)
        if not block:
            break
        buffer += block
        *complete, buffer = buffer.split("\n")
        for line in complete:
            yield line + "\n"
    if buffer:
        yield buffer


def table_rows(path: Path, kind: FileKind, *, sheet: str = "", limit: int | None = None) -> Iterator[list[str]]:
    """The rows of a CSV file or a workbook's sheet, the header first."""
    if kind.type == "xlsx":
        yield from (row for row in xlsx_rows(path, sheet=sheet, limit=limit))
    else:
        yield from csv_rows(path, kind, limit=limit)
