"""What an uploaded file is, and spreadsheets turned into the CSV the importers read: dates as ISO, formulas as
their text, whole numbers without ".0", blank rows kept; anything that is not CSV text or an XLSX workbook refused
with a clear message, never an exception of another kind."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cymuned.outcomes.spreadsheets import (
    FileKind,
    UploadRefused,
    cell_text,
    csv_rows,
    sheet_names,
    sniff,
    table_rows,
    xlsx_rows,
    xlsx_to_csv,
)


def workbook_bytes(*sheets: list[list[object]], titles: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for index, rows in enumerate(sheets):
        sheet = book.create_sheet(titles[index] if index < len(titles) else f"Sheet{index + 1}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def converted(path: Path, **kwargs: object) -> list[list[str]]:
    out = io.StringIO(newline="")
    xlsx_to_csv(path, out, **kwargs)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_xlsx_becomes_csv_with_iso_dates_whole_numbers_and_formulas_as_text(tmp_path):
    rows = [
        ["UPN", "Date", "Session", "Code", "Count", "Note"],
        ["A123456789012", datetime.datetime(2024, 10, 7), "AM", "/", 3.0, "=HYPERLINK(\"http://x\")"],
        ["A123456789012", datetime.date(2024, 10, 8), "PM", "\\", 2.5, "=1+1"],
        ["A123456789012", datetime.datetime(2024, 10, 9, 8, 50), "AM", "L", True, None],
    ]
    path = write(tmp_path, "marks.xlsx", workbook_bytes(rows))
    assert sniff(path, "marks.xlsx") == FileKind("xlsx")
    result = converted(path)
    assert result[0] == ["UPN", "Date", "Session", "Code", "Count", "Note"]
    assert result[1] == ["A123456789012", "2024-10-07", "AM", "/", "3", "=HYPERLINK(\"http://x\")"]
    assert result[2] == ["A123456789012", "2024-10-08", "PM", "\\", "2.5", "=1+1"]
    assert result[3] == ["A123456789012", "2024-10-09T08:50:00", "AM", "L", "TRUE", ""]


def test_blank_rows_are_kept_so_row_numbers_match_the_sheet(tmp_path):
    path = write(tmp_path, "gaps.xlsx", workbook_bytes([["A", "B"], ["1", "2"], [], ["3", "4"]]))
    assert converted(path) == [["A", "B"], ["1", "2"], ["", ""], ["3", "4"]]


def test_a_chosen_sheet_and_an_unknown_one(tmp_path):
    path = write(tmp_path, "two.xlsx", workbook_bytes([["first"]], [["second"], ["x"]], titles=("One", "Two")))
    assert sheet_names(path) == ["One", "Two"]
    assert converted(path, sheet="Two") == [["second"], ["x"]]
    with pytest.raises(UploadRefused) as refused:
        list(xlsx_rows(path, sheet="Three"))
    assert refused.value.code == "no_sheet"


def test_an_empty_sheet_gives_no_rows(tmp_path):
    path = write(tmp_path, "empty.xlsx", workbook_bytes([]))
    assert converted(path) == []


def test_a_huge_field_is_carried_whole(tmp_path):
    huge = "x" * 32_000  # Excel's limit is 32,767 characters a cell
    path = write(tmp_path, "huge.xlsx", workbook_bytes([["Note"], [huge]]))
    assert converted(path)[1] == [huge]


def test_a_csv_value_longer_than_the_csv_module_allows_is_refused_clearly(tmp_path):
    path = write(tmp_path, "huge.csv", b"A,B\r\n" + b"x" * (csv.field_size_limit() + 10) + b",1\r\n")
    with pytest.raises(UploadRefused) as refused:
        list(csv_rows(path, sniff(path, "huge.csv")))
    assert refused.value.code == "bad_csv"


@pytest.mark.parametrize("value, text", [
    (None, ""), (True, "TRUE"), (7.0, "7"), (1e20, "1e+20"), (datetime.time(9, 5), "09:05:00"),
    (datetime.datetime(2024, 1, 2, 0, 0), "2024-01-02"), ("=SUM(A1:A2)", "=SUM(A1:A2)"),
])
def test_cell_text(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("cp1252", b""), ("utf-16", b"")])
def test_csv_in_each_encoding_is_read(tmp_path, encoding, bom):
    text = "UPN\tDyddiad\tSesiwn\tCôd\r\nA123456789012\t07/10/2024\tAM\t/\r\n"
    path = write(tmp_path, "marks.tsv", bom + text.encode(encoding))
    kind = sniff(path, "marks.tsv")
    assert (kind.type, kind.delimiter) == ("csv", "\t")
    assert list(table_rows(path, kind)) == [["UPN", "Dyddiad", "Sesiwn", "Côd"], ["A123456789012", "07/10/2024", "AM", "/"]]


@pytest.mark.parametrize("name, data, code", [
    ("marks.csv", b"%PDF-1.4 a document", "not_text"),
    ("marks.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "xls"),
    ("marks.xls", b"UPN,Date\r\n", "xls"),
    ("marks.pdf", b"UPN,Date\r\n", "bad_extension"),
    ("marks", b"UPN,Date\r\n", "bad_extension"),
    ("marks.csv", b"", "empty_file"),
    ("marks.csv", b"\r\n\r\n  ", "empty_file"),
    ("marks.csv", b"UPN,\x00\x01\x02\x03 binary\x00\x00", "not_text"),
    ("marks.xlsx", b"UPN,Date\r\n", "fake_xlsx"),
])
def test_files_that_are_not_csv_or_xlsx_are_refused(tmp_path, name, data, code):
    path = write(tmp_path, name, data)
    with pytest.raises(UploadRefused) as refused:
        sniff(path, name)
    assert refused.value.code == code and refused.value.message


def test_a_zip_that_is_not_a_workbook_is_refused_under_either_name(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    for name in ("marks.xlsx", "marks.csv"):
        with pytest.raises(UploadRefused):
            sniff(write(tmp_path, name, buffer.getvalue()), name)


def test_a_workbook_renamed_csv_is_told_apart(tmp_path):
    path = write(tmp_path, "marks.csv", workbook_bytes([["UPN"]]))
    with pytest.raises(UploadRefused, match="xlsx"):
        sniff(path, "marks.csv")


def test_a_damaged_workbook_is_refused_clearly(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really a workbook")
    path = write(tmp_path, "broken.xlsx", buffer.getvalue())
    assert sniff(path, "broken.xlsx").type == "xlsx"
    with pytest.raises(UploadRefused) as refused:
        list(xlsx_rows(path))
    assert refused.value.code == "bad_xlsx"


def _junk_workbook(parts: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", parts[0][1] if parts else b"")
        for name, data in parts[1:]:
            archive.writestr(name, data)
    return buffer.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
        st.lists(st.tuples(st.sampled_from(["xl/worksheets/sheet1.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"]),
                           st.binary(max_size=200)), max_size=3, unique_by=lambda part: part[0]).map(_junk_workbook),
        st.text(max_size=500).map(lambda t: t.encode("utf-8")),
    ),
    name=st.sampled_from(["f.csv", "f.tsv", "f.txt", "f.xlsx", "f.xls", "f.pdf"]),
)
def test_random_bytes_are_read_or_refused_never_an_exception(tmp_path, data, name):
    path = write(tmp_path, name, data)
    try:
        kind = sniff(path, name)
        list(table_rows(path, kind, limit=20))
    except UploadRefused as refused:
        assert refused.message


@pytest.mark.django_db
def test_the_command_imports_an_xlsx_workbook(world, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    from .test_attendance_import import week_rows

    rows = [["UPN", "Date", "Session", "Code"], *([upn, day, session, code] for upn, day, session, code in
                                                  week_rows(world.learner_a.upn, ["/", "\\"] * 5))]
    path = write(tmp_path, "marks.xlsx", workbook_bytes(rows))
    call_command("import_attendance", str(path), "--school", world.school_a.school_number)
    assert "Imported 10 marks" in capsys.readouterr().out
    with pytest.raises(CommandError, match="xls"):
        call_command("import_attendance", str(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0")), "--school", "all")
