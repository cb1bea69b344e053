"""Rows the build refuses (impossible values, a repeated ACO-year) and files it will not read (too big,
not CSV text), each with a one-line message naming the file, line and ACO; a good database never
replaced by a worse one without a word. Small invented files only (tests/data/conftest.py).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import duckdb
import pytest

from data.build import BuildError, build_database, main
from data.cms_files import content, row_checks

NAME = "mssp_puf_py2024.csv"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def good_db(tmp_path: Path, tiny_file) -> Path:
    """A database built from the invented file, to check that refused input leaves it as it was."""
    tiny_file()
    out = tmp_path / "out" / "aco.duckdb"
    build_database(tmp_path / "cms", out, quiet=True)
    return out


def table(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("ABtotBnchmk", "1e999", "benchmark (ABtotBnchmk) '1e999' is not a finite number"),
    ("ABtotBnchmk", "inf", "benchmark (ABtotBnchmk) 'inf' is not a finite number"),
    ("ABtotBnchmk", "0", "benchmark (ABtotBnchmk) 0 is not positive"),
    ("ABtotBnchmk", "-80000000", "benchmark (ABtotBnchmk) -80,000,000 is not positive"),
    ("ABtotBnchmk", "5e15", "benchmark (ABtotBnchmk) 5,000,000,000,000,000 is above"),
    ("ABtotExp", "-5", "expenditure (ABtotExp) -5 is negative"),
    ("N_AB", "-500", "assigned beneficiaries (N_AB) -500 is not positive"),
    ("N_AB", "0", "assigned beneficiaries (N_AB) 0 is not positive"),
    ("N_AB", "1e999", "assigned beneficiaries (N_AB) '1e999' is not a finite number"),
    ("EarnSaveLoss", "-Infinity", "cms earned savings losses (EarnSaveLoss) '-Infinity' is not a finite"),
])
def test_impossible_value_drops_the_row_and_says_so(tmp_path, tiny_file, tiny_table, capsys,
                                                    column, value, reason):
    header, rows = tiny_table
    rows[1][header.index(column)] = value  # ACO Z0002, on line 3 of the file
    tiny_file(rows=rows)
    out = tmp_path / "aco.duckdb"
    assert main(["--cms-dir", str(tmp_path / "cms"), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"warning: PY2024 {NAME}: row dropped, line 3 (ACO Z0002): {reason}" in err
    assert table(out, "SELECT aco_id FROM aco_year ORDER BY 1") == [("Z0001",), ("Z0003",)]
    [(count, refused, row_count)] = table(out, "SELECT rows_refused, refused, row_count FROM source")
    assert count == 1 and row_count == 2 and refused.startswith("line 3 (ACO Z0002): ") and reason in refused


def test_repeated_aco_year_keeps_the_first_row(tmp_path, tiny_file, tiny_table):
    header, rows = tiny_table
    repeat = list(rows[0])
    repeat[header.index("ABtotBnchmk")] = "1"  # a different value: the first row wins, not the last
    tiny_file(rows=[*rows, repeat])
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb", quiet=True)
    assert f"PY2024 {NAME}: row dropped, line 5 (ACO Z0001): the same ACO-year as line 2" in report.warnings
    assert report.rows == 3
    assert table(report.path, "SELECT benchmark FROM aco_year WHERE aco_id = 'Z0001'") == [(200e6,)]
    assert table(report.path, "SELECT rows_refused FROM source") == [(1,)]


def test_line_numbers_count_blank_lines(tmp_path, tiny_file, tiny_table):
    header, rows = tiny_table
    rows[2][header.index("N_AB")] = "-1"
    path = tiny_file(rows=rows)
    text = path.read_text().splitlines()
    path.write_text("\n".join([text[0], "", text[1], "", text[2], text[3]]) + "\n")  # ACO Z0003 on line 6
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb", quiet=True)
    assert any("line 6 (ACO Z0003): assigned beneficiaries (N_AB) -1" in w for w in report.warnings)


def test_more_than_a_few_refused_rows_fail_the_file(tmp_path, tiny_file, tiny_table, good_db):
    header, rows = tiny_table
    many = []
    for k in range(row_checks.MAX_REFUSED_ROWS + 1):
        extra = list(rows[0])
        extra[header.index("ACO_ID")] = f"Z9{k:03d}"
        extra[header.index("N_AB")] = "-500"
        many.append(extra)
    tiny_file(rows=rows + many)
    before = digest(good_db)
    with pytest.raises(BuildError) as caught:
        build_database(tmp_path / "cms", good_db, quiet=True)
    message = str(caught.value)
    assert message.startswith(f"{NAME}: 6 of 9 rows have impossible values") and "not loaded" in message
    assert "row 4 (ACO Z9000): assigned beneficiaries (N_AB) -500 is not positive" in message
    assert digest(good_db) == before


def test_a_file_of_repeated_rows_fails(tmp_path, tiny_file, tiny_table, good_db):
    header, rows = tiny_table
    tiny_file(rows=rows * 400)  # 1,200 rows, 1,197 of them repeats (the 200 MB file, small)
    before = digest(good_db)
    with pytest.raises(BuildError, match=r"1,197 rows refused \(more than 5: the file is not loaded\); "
                                         r"first: line 5 \(ACO Z0001\): the same ACO-year as line 2"):
        build_database(tmp_path / "cms", good_db, quiet=True)
    assert digest(good_db) == before


def test_every_row_refused_fails_the_file(tmp_path, tiny_file, tiny_table):
    header, rows = tiny_table
    for r in rows:
        r[header.index("ABtotBnchmk")] = "0"
    tiny_file(rows=rows)
    with pytest.raises(BuildError, match="3 of 3 rows have impossible values"):
        build_database(tmp_path / "cms", tmp_path / "a.duckdb", quiet=True)


def test_infinite_optional_value_becomes_null(tmp_path, tiny_file, tiny_table):
    header, rows = tiny_table
    rows[0][header.index("GenSaveLoss")] = "1e999"
    tiny_file(rows=rows)
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb", quiet=True)
    assert any("'GenSaveLoss': 1 non-finite value(s) set to NULL (e.g. row 1: '1e999')" in w
               for w in report.warnings)
    assert report.rows == 3
    assert table(report.path, "SELECT cms_generated_savings_losses FROM aco_year WHERE aco_id = 'Z0001'") \
        == [(None,)]


# --- files that are not what they claim -----------------------------------------------------------------
def test_file_over_the_size_limit_is_not_read(tmp_path, tiny_file, good_db, monkeypatch):
    path = tiny_file()
    with path.open("r+b") as fh:  # a sparse 17 MB file: over the default 16 MB without writing it
        fh.truncate(17_000_000)
    before = digest(good_db)
    with pytest.raises(BuildError) as caught:
        build_database(tmp_path / "cms", good_db, quiet=True)
    assert str(caught.value) == (f"{NAME}: 17.0 MB, over the 16 MB limit for one results file (CMS's are a "
                                 "few MB at most); not read. Set ACO_LENS_MAX_FILE_MB to allow larger files")
    assert digest(good_db) == before
    monkeypatch.setenv(content.MAX_FILE_MB_ENV, "0.0005")  # 500 bytes: the invented file is larger
    tiny_file()
    with pytest.raises(BuildError, match="over the 0.0005 MB limit"):
        build_database(tmp_path / "cms", good_db, quiet=True)


def _tiny_text(header: list[str], rows: list[list[str]], sep: str = ",") -> str:
    quote = (lambda v: f'"{v}"') if sep == "," else (lambda v: v)
    return "\r\n".join(sep.join(quote(v) for v in r) for r in [header, *rows]) + "\r\n"


@pytest.mark.parametrize(("encoding", "sep"), [
    ("utf-16", ","),        # with a byte-order mark
    ("utf-16", "\t"),       # a spreadsheet's "Unicode text"
    ("utf-16-le", "\t"),    # no byte-order mark
    ("utf-16-be", ","),
])
def test_utf16_files_are_read(tmp_path, tiny_table, encoding, sep):
    header, rows = tiny_table
    path = tmp_path / "cms" / NAME
    path.parent.mkdir()
    path.write_bytes(_tiny_text(header, rows, sep).encode(encoding))
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb", quiet=True)
    assert report.rows == 3 and f"PY2024 {NAME}: UTF-16 text: read as such" in report.warnings
    assert table(report.path, "SELECT aco_id, assigned_beneficiaries FROM aco_year ORDER BY 1") == [
        ("Z0001", 20000), ("Z0002", 8000), ("Z0003", 12000)]


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "says"), [
    (_xlsx(), "a ZIP archive such as an Excel workbook (.xlsx), not CSV text: open it in a spreadsheet "
              "and save it as CSV (UTF-8)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "an Excel 97-2003 workbook (.xls), not CSV text"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document, not CSV text"),
    (b"\x1f\x8b\x08\x00" + bytes(100), "gzip-compressed, not CSV text: unpack it (gunzip) first"),
    (bytes(range(256)) * 20, "binary data, not CSV text (byte 0x00 at offset 0)"),
    (b"ACO_ID,N_AB\nZ1,5\x00\x01\x02\x03\x04\x05" * 40, "binary data, not CSV text (byte 0x00 at offset 16)"),
    (b"<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n",
     "an HTML or XML page, not CSV text (a download that returned a web page?)"),
    (b'[{"ACO_ID": "A1001"}]', "JSON, not CSV text"),
])
def test_files_that_are_not_csv_text_are_named(tmp_path, good_db, data, says):
    (tmp_path / "cms" / NAME).write_bytes(data)
    before = digest(good_db)
    with pytest.raises(BuildError) as caught:
        build_database(tmp_path / "cms", good_db, quiet=True)
    assert str(caught.value).startswith(f"{NAME}: {says}")
    assert "fields where the header" not in str(caught.value) and "\n" not in str(caught.value)
    assert digest(good_db) == before


def test_windows_1252_is_still_read(tmp_path, tiny_table):
    header, rows = tiny_table
    rows[0][header.index("ACO_Name")] = "Invented Caf\xe9 Care"
    path = tmp_path / "cms" / NAME
    path.parent.mkdir()
    path.write_bytes(_tiny_text(header, rows).encode("cp1252"))
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb", quiet=True)
    assert table(report.path, "SELECT aco_name FROM aco_year WHERE aco_id = 'Z0001'") == [
        ("Invented Caf\xe9 Care",)]


# --- a worse database never silently ---------------------------------------------------------------------
def test_demo_data_never_replaces_cms_data_unasked(tmp_path, good_db):
    (tmp_path / "cms" / NAME).unlink()
    before = digest(good_db)
    with pytest.raises(BuildError, match=r"no CMS results file in .*: aco.duckdb, which holds CMS data "
                                         r"\(PY2024-2024\), kept as it was \(pass --demo"):
        build_database(tmp_path / "cms", good_db, quiet=True)
    assert digest(good_db) == before
    report = build_database(tmp_path / "cms", good_db, demo=True, quiet=True)
    assert report.synthetic


def test_a_year_lost_since_the_last_build_is_reported(tmp_path, tiny_file, tiny_table, good_db):
    header, rows = tiny_table
    tiny_file(name="mssp_puf_py2023.csv")
    build_database(tmp_path / "cms", good_db, quiet=True)
    (tmp_path / "cms" / NAME).unlink()
    report = build_database(tmp_path / "cms", good_db, quiet=True)
    assert "PY2024 in the previous aco.duckdb but not in this build" in report.warnings
