"""The spending tables (aco_spending, aco_utilization, aco_benchmark_parts; data/cms_files/spending.py):
values against CMS's files read directly, one ACO per year; what a bad or missing column does.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from data.build import build_database
from data.cms_files import spending
from data.cms_files.parsing import parse_number, parse_number_block
from data.cms_files.sources import discover
from data.schema import SPENDING_TABLES

# Figures named here by hand for each year (not taken from spending.py, so the test can catch a wrong
# alias): the column CMS published them under, in that year's spelling. None: not published that year.
HOSPICE = {2013: "Hospice spending per assigned beneficiary", 2014: "capann_hsp"}
BY_HAND: dict[str, dict[int, str | None]] = {
    "expenditure_per_capita_aged_non_dual_py": {
        2013: "Total expenditures per assigned AGED/NON-DUAL beneficiary"},
    "expenditure_per_capita_esrd_by1": {2013: None},
    "expenditure_per_capita_hospice": HOSPICE,
    "expenditure_per_capita_outpatient": {2013: None, 2014: "capann_opd"},
    "expenditure_per_capita_physician_supplier": {
        2013: "Physician/supplier spending per assigned beneficiary", 2014: "capann_pb"},
    "admissions_per_1000": {2013: "Inpatient hospital discharges per 1,000 person years"},
    "em_visits_pcp_per_1000": {2013: "Primary care services with a PCP per 1,000 person years"},
    "readmission_rate": {2013: "Acute care readmissions (all-cause 30 day) per 1,000 discharges",
                         2014: "readm_Rate_1000"},
    "snf_length_of_stay": {y: "SNF_LOS" for y in (2018, 2021, 2022, 2023, 2024)},
    "regional_trend_update": {2018: "RegTrndUpdt", 2020: "RegTrndUpdt"},
    "final_adjustment_category": {2024: "FinalAdjCat"},
}
DEFAULT = {
    "expenditure_per_capita_aged_non_dual_py": "Per_Capita_Exp_ALL_AGND_PY",
    "expenditure_per_capita_esrd_by1": "Per_Capita_Exp_ALL_ESRD_BY1",
    "expenditure_per_capita_hospice": "CapAnn_HSP",
    "expenditure_per_capita_outpatient": "CapAnn_OPD",
    "expenditure_per_capita_physician_supplier": "CapAnn_PB",
    "admissions_per_1000": "ADM",
    "em_visits_pcp_per_1000": "P_EM_PCP_Vis",
}
CATEGORIES = {"Regional Adjustment": "REGIONAL", "Prior Savings Adjustment": "PRIOR_SAVINGS",
              "No Adjustment": "NONE"}


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _number(cell: str) -> float | None:
    text = cell.strip().replace("$", "").replace(",", "")
    return None if text in ("", "-", "*", "/", "N/A") else float(text)


@pytest.fixture(scope="session")
def tables(cms_build) -> dict[str, pd.DataFrame]:
    report, _ = cms_build
    with duckdb.connect(str(report.path), read_only=True) as con:
        return {name: con.sql(f"SELECT * FROM {name}").df() for name, _ in SPENDING_TABLES}


@pytest.fixture(scope="session")
def one_aco_per_year(cms_dir: Path, aco_year: pd.DataFrame) -> list[tuple[int, dict[str, str], pd.Series]]:
    """For every file: the header-keyed cells of one ACO (the 7th row) and its aco_year row."""
    chosen = []
    for path in discover(cms_dir):
        header, rows = _read_csv(path)
        cells = dict(zip(header, rows[6], strict=True))
        year = int(next(y for y in range(2013, 2025) if str(y) in path.name))
        in_year = aco_year[aco_year["performance_year"] == year]
        by_id = next((cells[c] for c in ("ACO_ID", "ACO_Num", "ACO Identifier", "aco_id", "aco_num")
                      if cells.get(c, "").strip()), None)
        if by_id:
            row = in_year[in_year["aco_id"] == by_id.strip()]
        else:  # the standardized 2015-2017 files publish no ids: the name is unique in the year
            name = next(cells[c] for c in header if c.lower() == "aco_name").strip()
            row = in_year[in_year["aco_name"] == name]
        assert len(row) == 1, (path.name, by_id)
        chosen.append((year, cells, row.iloc[0]))
    assert len(chosen) == 12
    return chosen


def _cell(cells: dict[str, str], column: str) -> str | None:
    lowered = {k.lower(): v for k, v in cells.items()}
    return lowered.get(column.lower())


def _row(table: pd.DataFrame, aco: pd.Series) -> pd.Series:
    found = table[(table["performance_year"] == aco["performance_year"]) & (table["aco_id"] == aco["aco_id"])]
    assert len(found) == 1
    return found.iloc[0]


def test_named_columns_match_the_file_one_aco_per_year(one_aco_per_year, tables):
    spend, use, parts = tables["aco_spending"], tables["aco_utilization"], tables["aco_benchmark_parts"]
    checked = 0
    for year, cells, aco in one_aco_per_year:
        db = pd.concat([_row(spend, aco), _row(use, aco), _row(parts, aco)])
        for name, years in BY_HAND.items():
            column = years.get(year, DEFAULT.get(name))
            published = _cell(cells, column) if column else None
            if name == "final_adjustment_category":
                expected = CATEGORIES.get(published.strip()) if published else None
                assert (db[name] if pd.notna(db[name]) else None) == expected, (year, name)
            elif name == "regional_trend_update":
                expected = None if published in (None, "") else published.strip() == "1"
                assert (None if pd.isna(db[name]) else bool(db[name])) == expected, (year, name)
            else:
                value = None if published is None else _number(published)
                if value is not None and name == "readmission_rate":
                    value /= 1000  # published per 1,000 discharges: a fraction here
                if value is None:
                    assert pd.isna(db[name]), (year, name, db[name])
                else:
                    assert db[name] == pytest.approx(value), (year, name)
                    checked += 1
    assert checked >= 60  # most figures are published most years: the comparison is not vacuous


def test_every_column_matches_its_source_cell(one_aco_per_year, tables):
    """All ~60 figures of the chosen ACO each year, via the module's alias list (units and keys)."""
    by_name = {n: t for t, cols in SPENDING_TABLES for n, _, _ in cols}
    for year, cells, aco in one_aco_per_year:
        for spec in spending.COLUMNS:
            db = _row(tables[by_name[spec.name]], aco)[spec.name]
            if spec.name == "positive_regional_adjustment" and year >= 2022:
                assert pd.isna(db)  # dollars from PY2022, in aco_year.regional_adjustment
                continue
            published = next((_cell(cells, a) for a in spec.aliases if _cell(cells, a) is not None), None)
            if spec.kind == "number":
                value = None if published is None else _number(published)
                if value is None:
                    assert pd.isna(db), (year, spec.name)
                else:
                    assert db == pytest.approx(value * spec.scale), (year, spec.name)
            elif spec.kind == "bool" and published not in (None, ""):
                assert bool(db) == (published.strip() == "1"), (year, spec.name)


def test_tables_have_one_row_per_aco_year(aco_year, tables):
    key = ["performance_year", "aco_id", "six_month_period"]
    expected = aco_year[key].astype(str).sort_values(key).reset_index(drop=True)
    for name, frame in tables.items():
        assert frame[key].astype(str).sort_values(key).reset_index(drop=True).equals(expected), name


def test_units_are_plausible_every_year(tables):
    spend, use = tables["aco_spending"], tables["aco_utilization"]
    by_year = spend.groupby("performance_year")
    assert by_year["expenditure_per_capita_aged_non_dual_py"].median().between(8_000, 14_000).all()
    assert by_year["expenditure_per_capita_esrd_py"].median().between(60_000, 110_000).all()
    assert by_year["expenditure_per_capita_hospice"].median().between(100, 800).all()
    rate = use["readmission_rate"].dropna()
    assert len(rate) > 500 and rate.between(0.05, 0.4).all()
    admissions = use.groupby("performance_year")["admissions_per_1000"].median()
    assert admissions.between(200, 400).all()
    assert (use["snf_length_of_stay"].dropna().between(10, 60)).all()
    # The settings add up to the total: inpatient's parts to inpatient (where all are published).
    parts = ["inpatient_short_term", "inpatient_long_term", "inpatient_rehab", "inpatient_psych"]
    whole = spend[[f"expenditure_per_capita_{p}" for p in parts]].sum(axis=1, min_count=4)
    gap = (spend["expenditure_per_capita_inpatient"] - whole).dropna()
    close = gap.abs() <= 0.02 * spend.loc[gap.index, "expenditure_per_capita_inpatient"] + 5
    assert len(gap) > 4000 and close.mean() > 0.95


def test_consumed_columns_are_not_unknown(source):
    assert source["unknown_columns"].isna().all(), source["unknown_columns"].dropna().tolist()


def test_benchmark_parts_by_year(tables, aco_year):
    parts = tables["aco_benchmark_parts"]
    published = parts.groupby("performance_year").count()
    assert set(published.index[published["regional_trend_update"] > 0]) == {2018, 2020}
    flagged = set(published.index[published["positive_regional_adjustment"] > 0])
    assert flagged == {2017, 2018, 2019, 2020, 2021}
    assert set(published.index[published["final_adjustment_category"] > 0]) == {2024}
    py24 = parts[parts["performance_year"] == 2024]["final_adjustment_category"].value_counts().to_dict()
    assert py24 == {"REGIONAL": 439, "NONE": 19, "PRIOR_SAVINGS": 18}


# --- invented files: what a missing, blank or unreadable column does --------------------------------------

def _build(tmp_path: Path, tiny_file, header, rows) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    tiny_file(header=header, rows=rows)
    out = tmp_path / "out.duckdb"
    report = build_database(tmp_path / "cms", out, quiet=True)
    with duckdb.connect(str(out), read_only=True) as con:
        return (con.sql("SELECT * FROM aco_spending ORDER BY aco_id").df(),
                con.sql("SELECT * FROM source").df(), report.warnings)


def test_missing_columns_are_listed_and_null(tmp_path, tiny_file, tiny_table):
    header, rows = tiny_table
    spend, source, _ = _build(tmp_path, tiny_file, header, rows)
    assert len(spend) == 3 and spend["expenditure_per_capita_hospice"].isna().all()
    missing = source["missing_columns"].iloc[0].split(", ")
    assert {"expenditure_per_capita_hospice", "admissions_per_1000", "final_adjustment_category"} <= {
        *missing}


def test_bad_cells_become_null_with_a_warning_and_keep_the_row(tmp_path, tiny_file, tiny_table):
    header, rows = tiny_table
    header += ["CapAnn_HSP", "capann_snf", "CapAnn_DME", "CapAnn_Robot"]
    added = (["$1,234", "oops", "", "1"], ["250", "1e999", "", "2"], ["-", "80", "", "3"])
    for row, values in zip(rows, added, strict=True):
        row += values
    spend, source, warnings = _build(tmp_path, tiny_file, header, rows)
    assert len(spend) == 3  # a descriptive figure never refuses a row
    assert spend["expenditure_per_capita_hospice"].tolist()[:2] == [1234.0, 250.0]
    assert pd.isna(spend["expenditure_per_capita_hospice"].iloc[2])
    snf = spend["expenditure_per_capita_snf"]
    assert pd.isna(snf.iloc[0]) and pd.isna(snf.iloc[1]) and snf.iloc[2] == 80.0
    said = " | ".join(warnings)
    assert "column 'capann_snf': 1 unreadable value(s) set to NULL (e.g. row 1: 'oops')" in said
    assert "column 'capann_snf': 1 non-finite value(s) set to NULL (e.g. row 2: '1e999')" in said
    assert "expenditure_per_capita_dme (blank)" in source["missing_columns"].iloc[0]
    assert source["unknown_columns"].iloc[0] == "CapAnn_Robot"  # the family is no longer ignored wholesale


CELLS = ["", " 12 ", "1,234", "$5", "-", "*", "inf", "nan", "1_000", "(7)", "x", "1e999", "0.5", "-3",
         "$-9187354.55", "N/A", "1.5E+07"]


@given(st.lists(st.sampled_from(CELLS), min_size=1, max_size=12))
@example(["1_000", "2"])
def test_block_parser_agrees_with_the_column_parser(cells):
    raw = pd.DataFrame({"a": cells, "b": list(reversed(cells))}, dtype=object)
    values, bad, infinite = parse_number_block(raw)
    for column in raw:
        one = parse_number(raw[column])
        assert np.array_equal(values[column].to_numpy(), one.values.to_numpy(), equal_nan=True)
        assert bad[column].tolist() == one.bad.tolist()
        assert infinite[column].tolist() == one.non_finite.tolist()
    assert not any(math.isinf(v) for v in values.to_numpy().ravel())
