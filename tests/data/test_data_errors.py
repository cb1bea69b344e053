"""What the build does with bad input: clear one-line errors, reported columns, an untouched database.

Uses small invented files (tests/data/conftest.py), so it runs without the CMS folder.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from data import store
from data.build import BuildError, build_database, ensure_database, main


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def existing_db(tmp_path: Path, tiny_file) -> Path:
    """A good database built from the invented file, to check that failures leave it alone."""
    path = tiny_file()
    out = tmp_path / "out" / "aco.duckdb"
    build_database(path.parent, out, quiet=True)
    return out


def files_beside(out: Path) -> list[str]:
    """What is in the database's folder besides its build lock and digest (which stay, by design)."""
    kept = (out.name + ".lock", out.name + ".sha256")
    return sorted(p.name for p in out.parent.iterdir() if p.name not in kept)


def rebuild_fails(tmp_path: Path, out: Path, match: str) -> str:
    before = digest(out)
    with pytest.raises(BuildError, match=match) as caught:
        build_database(tmp_path / "cms", out, quiet=True)
    assert digest(out) == before, "the existing database must stay as it was"
    assert files_beside(out) == [out.name], "no temporary file may be left behind"
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_invented_file_loads(existing_db):
    with duckdb.connect(str(existing_db), read_only=True) as con:
        rows = con.execute("SELECT aco_id, track, two_sided, cms_savings_rate, quality_score, "
                           "cms_final_loss_rate, cms_euc_loss_adjustment, assigned_beneficiaries "
                           "FROM aco_year ORDER BY aco_id").fetchall()
    assert rows[0][:3] == ("Z0001", "ENHANCED", True)
    assert rows[0][3] == pytest.approx(0.05) and rows[0][4] == pytest.approx(0.5)
    assert rows[1][1:3] == ("BASIC_A", False) and rows[1][5] is None and rows[1][6] is None
    assert rows[2][7] == 12_000


def test_row_with_wrong_field_count(tmp_path, tiny_file, tiny_table, existing_db):
    header, rows = tiny_table
    rows[1].append("surplus")
    tiny_file(rows=rows)
    message = rebuild_fails(tmp_path, existing_db, "mssp_puf_py2024.csv")
    assert "line 3" in message and "21 fields" in message


def test_short_row(tmp_path, tiny_file, tiny_table, existing_db):
    header, rows = tiny_table
    rows[2] = rows[2][:-3]
    tiny_file(rows=rows)
    assert "line 4" in rebuild_fails(tmp_path, existing_db, "17 fields where the header has 20")


def test_number_that_will_not_parse_in_a_required_column(tmp_path, tiny_file, tiny_table, existing_db):
    header, rows = tiny_table
    rows[1][header.index("ABtotBnchmk")] = "12x4"
    tiny_file(rows=rows)
    message = rebuild_fails(tmp_path, existing_db, "ABtotBnchmk")
    assert "row 2" in message and "12x4" in message and "mssp_puf_py2024.csv" in message


def test_suppressed_value_in_a_required_column(tmp_path, tiny_file, tiny_table, existing_db):
    header, rows = tiny_table
    rows[0][header.index("N_AB")] = "*"
    tiny_file(rows=rows)
    assert "row 1" in rebuild_fails(tmp_path, existing_db, "'N_AB': required value empty")


@pytest.mark.parametrize(("column", "field"), [
    ("N_AB", "assigned_beneficiaries"),
    ("ABtotBnchmk", "benchmark"),
    ("EarnSaveLoss", "cms_earned_savings_losses"),
    ("ACO_ID", "aco_id"),
])
def test_missing_required_column_is_named(tmp_path, tiny_file, tiny_table, existing_db, column, field):
    header, rows = tiny_table
    i = header.index(column)
    tiny_file(header=header[:i] + header[i + 1:], rows=[r[:i] + r[i + 1:] for r in rows])
    message = rebuild_fails(tmp_path, existing_db, f"required field '{field}' missing")
    assert column in message and "mssp_puf_py2024.csv" in message


def test_expenditure_or_gross_savings_will_do(tmp_path, tiny_file, tiny_table):
    header, rows = tiny_table
    i = header.index("ABtotExp")
    tiny_file(header=header[:i] + header[i + 1:], rows=[r[:i] + r[i + 1:] for r in rows])
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb", quiet=True)
    with duckdb.connect(str(report.path), read_only=True) as con:
        assert con.execute("SELECT expenditure FROM aco_year WHERE aco_id = 'Z0003'").fetchone()[0] == 104e6
    keep = [k for k, name in enumerate(header) if name not in ("ABtotExp", "BnchmkMinExp")]
    tiny_file(header=[header[k] for k in keep], rows=[[r[k] for k in keep] for r in rows])
    with pytest.raises(BuildError, match="required field 'expenditure' missing"):
        build_database(tmp_path / "cms", tmp_path / "b.duckdb", quiet=True)


def test_unknown_column_is_reported(tmp_path, tiny_file, tiny_table, capsys):
    header, rows = tiny_table
    header.append("Brand_New_Measure")
    for r in rows:
        r.append("7")
    tiny_file(header=header, rows=rows)
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb")
    assert any("Brand_New_Measure" in w for w in report.warnings)
    err = capsys.readouterr().err
    assert "warning: PY2024 mssp_puf_py2024.csv: unknown column(s) not loaded: Brand_New_Measure" in err
    assert "note: PY2024 mssp_puf_py2024.csv: optional field(s) absent:" in err and "person_years" in err
    with duckdb.connect(str(report.path), read_only=True) as con:
        unknown, missing = con.execute("SELECT unknown_columns, missing_columns FROM source").fetchone()
    assert unknown == "Brand_New_Measure"
    assert "person_years" in missing and "updated_benchmark_per_capita" in missing


def test_malformed_optional_cell_is_null_and_counted(tmp_path, tiny_file, tiny_table):
    header, rows = tiny_table
    rows[0][header.index("QualScore")] = "ninety"
    rows[1][header.index("Current_Start_Date")] = "13/45/2024"
    tiny_file(rows=rows)
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb", quiet=True)
    quality = [w for w in report.warnings if "'QualScore': 1 unreadable value(s) set to NULL" in w]
    assert len(quality) == 1 and "row 1: 'ninety'" in quality[0]
    assert any("'Current_Start_Date': 1 unreadable" in w for w in report.warnings)
    with duckdb.connect(str(report.path), read_only=True) as con:
        assert con.execute("SELECT quality_score FROM aco_year WHERE aco_id = 'Z0001'").fetchone()[0] is None


def test_empty_and_header_only_files(tmp_path, existing_db):
    (tmp_path / "cms" / "mssp_puf_py2024.csv").write_text("")
    assert "empty file" in rebuild_fails(tmp_path, existing_db, "mssp_puf_py2024.csv")
    (tmp_path / "cms" / "mssp_puf_py2024.csv").write_text("ACO_ID,N_AB\n")
    assert "no data rows" in rebuild_fails(tmp_path, existing_db, "mssp_puf_py2024.csv")


def test_cli_error_is_one_line_and_exit_code_1(tmp_path, tiny_file, tiny_table, existing_db, capsys):
    header, rows = tiny_table
    rows[0][header.index("EarnSaveLoss")] = "lots"
    tiny_file(rows=rows)
    before = digest(existing_db)
    code = main(["--cms-dir", str(tmp_path / "cms"), "--out", str(existing_db)])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("error: mssp_puf_py2024.csv: column 'EarnSaveLoss'") and "\n" not in err
    assert digest(existing_db) == before


def test_cli_summary(tmp_path, tiny_file, capsys):
    tiny_file()
    assert main(["--cms-dir", str(tmp_path / "cms"), "--out", str(tmp_path / "x.duckdb")]) == 0
    out = capsys.readouterr().out
    assert "3 ACO-years from 1 CMS file(s)" in out and "PY2024:     3" in out


def test_failed_write_leaves_old_database_and_no_temporary_file(tmp_path, existing_db, monkeypatch):
    before = digest(existing_db)
    original = store._insert

    def failing(con, table, columns, frame):
        original(con, table, columns, frame)
        if table == "source":
            raise OSError("disk full")

    monkeypatch.setattr(store, "_insert", failing)
    with pytest.raises(OSError, match="disk full"):
        build_database(tmp_path / "cms", existing_db, quiet=True)
    assert digest(existing_db) == before
    assert files_beside(existing_db) == ["aco.duckdb"]


def test_write_replaces_atomically(tmp_path, tiny_file, existing_db, monkeypatch):
    """The new file appears by one os.replace of a temporary file from the same folder."""
    calls = []
    real_replace = store.os.replace

    def spy(src, dst):
        calls.append((Path(src), Path(dst)))
        assert Path(dst).exists()  # the old database is still in place until this very moment
        return real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", spy)
    build_database(tmp_path / "cms", existing_db, quiet=True)
    [(src, dst)] = calls
    assert dst == existing_db and src.parent == existing_db.parent and src.name.startswith("aco.duckdb.tmp")


def test_ensure_database_builds_only_when_needed(tmp_path, tiny_file):
    tiny_file()
    out = tmp_path / "app" / "aco.duckdb"
    first = ensure_database(out, tmp_path / "cms")
    assert first is not None and first.rows == 3 and not first.synthetic
    stamp = out.stat().st_mtime_ns
    assert ensure_database(out, tmp_path / "cms") is None
    assert out.stat().st_mtime_ns == stamp


def test_ensure_database_rebuilds_a_corrupt_file(tmp_path, tiny_file, capsys):
    tiny_file()
    out = tmp_path / "aco.duckdb"
    out.write_bytes(b"this is not a database" * 1000)
    report = ensure_database(out, tmp_path / "cms")
    assert report is not None and report.rows == 3
    assert "was unreadable" in report.warnings[0] and "rebuilt" in report.warnings[0]
    assert "rebuilt" in capsys.readouterr().err
    with duckdb.connect(str(out), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM aco_year").fetchone()[0] == 3


def test_ensure_database_rebuilds_an_outdated_schema(tmp_path, tiny_file):
    tiny_file()
    out = tmp_path / "aco.duckdb"
    with duckdb.connect(str(out)) as con:
        con.execute("CREATE TABLE aco_year (performance_year INTEGER, aco_id VARCHAR)")
        con.execute("INSERT INTO aco_year VALUES (2024, 'Z0001')")
    report = ensure_database(out, tmp_path / "cms")
    assert report is not None and "not in the current schema" in report.warnings[0]


def test_no_files_means_demo_data(tmp_path):
    report = build_database(tmp_path / "empty", tmp_path / "aco.duckdb", quiet=True)
    assert report.synthetic and report.rows > 5000
    assert "no CMS results file" in report.warnings[0]


def test_year_detected_from_content_when_the_name_has_none(tmp_path, tiny_file, tiny_table):
    header, rows = tiny_table
    header += ["AIPBalance", "Recvd40p"]  # columns only PY2024's file has
    for r in rows:
        r += ["-", "0"]
    tiny_file(header=header, rows=rows, name="shared_savings_results.csv")
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb", quiet=True)
    assert report.years == [2024]


def test_same_year_twice_keeps_cms_format(tmp_path, tiny_file, tiny_table):
    tiny_file()
    header, rows = tiny_table
    tiny_file(header=[h.lower() for h in header], rows=rows, name="mssp_std_py2024.csv")
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb", quiet=True)
    assert report.rows == 3
    assert any("mssp_std_py2024.csv: skipped: 3 ACO-year(s) already loaded from mssp_puf_py2024.csv" in w
               for w in report.warnings)
