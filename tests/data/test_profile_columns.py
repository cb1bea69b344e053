"""The ACO's own description (aco_profile, aco_enrollment, aco_quality) against CMS's files, and the
measure-id map on known cases.

For one ACO of every year the CSV is read here directly (pandas, strings) and its cells compared with
the built tables; the CMS-folder tests skip without ../shared/data/cms.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from data.build import build_database
from data.cms_files.profile_columns import numbers
from data.cms_files.quality_measures import MEASURES, measure_for
from data.profile_tables import PROFILE_TABLES

FILES = {
    2013: "mssp_puf_py2013.csv",
    2014: "mssp_puf_py2014.csv",
    2015: "mssp_std_py2015.csv",
    2016: "mssp_std_py2016.csv",
    2017: "mssp_std_py2017.csv",
    2018: "mssp_puf_py2018.csv",
    2019: "mssp_std_py2019.csv",
    2020: "mssp_puf_py2020.csv",
    2021: "mssp_puf_py2021.csv",
    2022: "mssp_puf_py2022.csv",
    2023: "mssp_puf_py2023.csv",
    2024: "mssp_puf_py2024.csv",
}
# (CSV column, table, our column, enrollment type or measure id, period) checked every year it exists.
CHECKS = (
    ("N_PCP", "aco_profile", "primary_care_physicians", None, None),
    ("N_Spec", "aco_profile", "specialists", None, None),
    ("N_Hosp", "aco_profile", "hospitals", None, None),
    ("N_Ben_Age_85plus", "aco_profile", "beneficiaries_age_85_plus", None, None),
    ("N_Ben_Female", "aco_profile", "beneficiaries_female", None, None),
    ("N_Ben_Race_Hisp", "aco_profile", "beneficiaries_race_hispanic", None, None),
    ("N_Ben_CBA_Only", "aco_profile", "beneficiaries_claims_based_only", None, None),
    ("CMS_HCC_RiskScore_AGND_PY", "aco_enrollment", "cms_hcc_risk_score", "aged_non_dual", "PY"),
    ("CMS_HCC_RiskScore_DIS_BY1", "aco_enrollment", "cms_hcc_risk_score", "disabled", "BY1"),
    ("N_AB_Year_DIS_PY", "aco_enrollment", "person_years", "disabled", "PY"),
    ("N_AB_Year_DIS", "aco_enrollment", "person_years", "disabled", "PY"),  # PY2014's name
    ("N_AB_Year_AGED_Dual_BY3", "aco_enrollment", "person_years", "aged_dual", "BY3"),
    ("Demog_RiskScore_AGND_PY", "aco_enrollment", "demographic_risk_score", "aged_non_dual", "PY"),
    ("RR_weight_AGND_PY", "aco_enrollment", "rr_weight", "aged_non_dual", "PY"),
    ("CAHPS_1", "aco_quality", "value", "CAHPS_1", None),
    ("ACO1", "aco_quality", "value", "CAHPS_1", None),
    ("ACO34", "aco_quality", "value", "CAHPS_11", None),
    ("ACO13", "aco_quality", "value", "QualityID_318", None),
    ("QualityID_318", "aco_quality", "value", "QualityID_318", None),
    ("ACO8", "aco_quality", "value", "ACO8", None),
    ("Measure_479", "aco_quality", "value", "Measure_479", None),
)
PERCENT = {"Perc_Dual", "ACO13", "QualityID_318", "ACO8"}  # published in percent, stored as fractions


def _number(cell: object) -> float:
    text = "" if cell is None or (isinstance(cell, float) and np.isnan(cell)) else str(cell).strip()
    text = text.replace("$", "").replace(",", "").replace("%", "")
    try:
        return float(text)
    except ValueError:
        return np.nan


def _csv(cms_dir: Path, year: int) -> pd.DataFrame:
    frame = pd.read_csv(
        cms_dir / FILES[year],
        dtype=str,
        encoding="utf-8-sig",
        encoding_errors="replace",
        keep_default_na=False,
    )
    return frame.rename(columns=lambda c: c.strip())


def _column(csv: pd.DataFrame, name: str) -> str | None:
    """The CSV's column for a CMS name (the standardized files lower-case them)."""
    return next((c for c in csv.columns if c.lower() == name.lower()), None)


@pytest.fixture(scope="module")
def built(cms_build) -> dict[str, pd.DataFrame]:
    report, _ = cms_build
    with duckdb.connect(str(report.path), read_only=True) as con:
        return {t: con.sql(f"SELECT * FROM {t}").df() for t in ("aco_year", *(t for t, _ in PROFILE_TABLES))}


def _one_aco(csv: pd.DataFrame, aco_year: pd.DataFrame, year: int) -> tuple[int, str]:
    """The first CSV row whose ACO is in the build (by id; by its unique name where the file has no ids)."""
    rows = aco_year[aco_year["performance_year"] == year]
    id_column = _column(csv, "ACO_ID") or _column(csv, "ACO_Num") or _column(csv, "ACO Identifier")
    if id_column and csv[id_column].str.strip().ne("").any():
        for i, aco in enumerate(csv[id_column].str.strip()):
            if aco in set(rows["aco_id"]):
                return i, aco
    names = rows["aco_name"].value_counts()
    name_column = _column(csv, "ACO_Name") or _column(csv, "ACO Name")
    for i, name in enumerate(csv[name_column].str.strip()):
        if names.get(name) == 1:
            return i, rows.loc[rows["aco_name"] == name, "aco_id"].iloc[0]
    raise AssertionError(f"no ACO of PY{year} found")


def _ours(
    built: dict[str, pd.DataFrame],
    table: str,
    column: str,
    year: int,
    aco: str,
    which: str | None,
    period: str | None,
) -> float:
    frame = built[table]
    found = frame[(frame["performance_year"] == year) & (frame["aco_id"] == aco)]
    if table == "aco_enrollment":
        found = found[(found["enrollment_type"] == which) & (found["period"] == period)]
    elif table == "aco_quality":
        found = found[found["measure_id"] == which]
    assert len(found) <= 1, (table, year, aco, which)
    return np.nan if found.empty or pd.isna(found[column].iloc[0]) else float(found[column].iloc[0])


@pytest.mark.parametrize("year", sorted(FILES))
def test_one_aco_a_year_matches_the_cms_file(cms_dir: Path, built, year: int) -> None:
    csv = _csv(cms_dir, year)
    row, aco = _one_aco(csv, built["aco_year"], year)
    checked = 0
    for cms, table, column, which, period in CHECKS + (
        ("Perc_Dual", "aco_profile", "dual_share", None, None),
    ):
        source = _column(csv, cms)
        if source is None:
            continue
        expected = _number(csv[source].iloc[row])
        if cms in PERCENT and not np.isnan(expected):
            expected /= 100
        got = _ours(built, table, column, year, aco, which, period)
        if np.isnan(expected):
            assert np.isnan(got), (year, aco, cms, got)
        else:
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), (year, aco, cms)
            checked += 1
    assert checked >= (
        2 if year == 2013 else 8
    )  # PY2013: its verbose labels, tested below, f"PY{year}: only {checked} values compared"


def test_py2013_shifted_labels_are_read_from_the_right_cells(cms_dir: Path, built) -> None:
    """PY2013's values sit one label to the right (COLUMNS.md section 2): the 'Other' race count is the
    cell under 'Total performance year spending per assigned beneficiary' ("$476.00"), and so on."""
    csv = _csv(cms_dir, 2013)
    row, aco = _one_aco(csv, built["aco_year"], 2013)
    cell = {label: _number(csv[label].iloc[row]) for label in csv.columns}
    shifted = {
        "beneficiaries_race_other": "Total performance year spending per assigned beneficiary",
        "beneficiaries_race_white": "Total number of assigned beneficiaries, Black",
        "beneficiaries_age_0_64": "Total number of assigned beneficiaries, age 65-74",
        "beneficiaries_male": "Total number of assigned beneficiaries, Non-Hispanic White",
        "primary_care_physicians": "Number of participating PCPs",  # field 76: aligned
    }
    for ours, label in shifted.items():
        assert _ours(built, "aco_profile", ours, 2013, aco, None, None) == cell[label], ours
    py = {
        "esrd": "Total number of DISABLED  assigned beneficiary person years",
        "aged_non_dual": "Total number of assigned beneficiaries, age 0-64",
    }
    for kind, label in py.items():
        assert _ours(built, "aco_enrollment", "person_years", 2013, aco, kind, "PY") == pytest.approx(
            cell[label]
        )
    total = built["aco_year"].query("performance_year == 2013 and aco_id == @aco")["person_years"].iloc[0]
    by_type = built["aco_enrollment"].query("performance_year == 2013 and aco_id == @aco and period == 'PY'")
    assert by_type["person_years"].sum() == pytest.approx(total, rel=1e-6)  # the four types add up


def test_every_year_has_rows_and_units(built) -> None:
    profile, enrollment, quality = built["aco_profile"], built["aco_enrollment"], built["aco_quality"]
    assert len(profile) == len(built["aco_year"]) == 5271
    assert profile.groupby("performance_year")["primary_care_physicians"].count().gt(200).all()
    shares = profile["dual_share"].dropna()
    assert (
        len(shares) == 475 + 482 + 453 + 476 and shares.between(0, 1).all() and 0.05 < shares.median() < 0.2
    )
    scores = enrollment.groupby("performance_year")["cms_hcc_risk_score"].median()
    assert len(scores) == 12 and scores.between(0.9, 1.2).all()
    rates = quality[quality["unit"] == "fraction"]["value"]
    assert rates.between(0, 1).all()
    cahps = quality[quality["unit"] == "score_0_100"]["value"]
    assert cahps.between(0, 100).all() and cahps.median() > 50
    years = sorted(quality["performance_year"].unique())
    assert years == [2018, 2020, 2021, 2022, 2023, 2024]  # the files used for 2015-17 and 2019 have none
    # PY2020's CAHPS columns are all "^" (no survey that year): no CAHPS rows, the other measures kept.
    assert not quality.query("performance_year == 2020")["measure_id"].str.startswith("CAHPS").any()


def test_persisting_measures_keep_one_id_across_the_change_of_measure_set(built) -> None:
    quality = built["aco_quality"]
    falls = quality[quality["measure_id"] == "QualityID_318"]
    assert set(falls.groupby("performance_year")["cms_column"].first().items()) == {
        (2018, "ACO13"),
        (2020, "ACO13"),
        (2021, "QualityID_318"),
        (2022, "QualityID_318"),
        (2023, "QualityID_318"),
        (2024, "QualityID_318"),
    }
    # A1001 in PY2018 (ACO13 92.88) and PY2021 (QualityID_318 94.75): one measure, two ids.
    a1001 = falls[falls["aco_id"] == "A1001"].set_index("performance_year")["value"]
    assert a1001[2018] == pytest.approx(0.9288) and a1001[2021] == pytest.approx(0.9475)
    assert quality.groupby("measure_id")["measure_name"].nunique().eq(1).all()
    assert quality.groupby("measure_id")["domain"].nunique().eq(1).all()


@pytest.mark.parametrize(
    ("column", "measure_id"),
    [
        ("ACO1", "CAHPS_1"),
        ("ACO7", "CAHPS_7"),
        ("ACO34", "CAHPS_11"),
        ("ACO45", "CAHPS_9"),
        ("ACO46", "CAHPS_8"),
        ("ACO13", "QualityID_318"),
        ("ACO14", "QualityID_110"),
        ("ACO17", "QualityID_226"),
        ("ACO18", "QualityID_134_WI"),
        ("ACO19", "QualityID_113"),
        ("ACO20", "QualityID_112"),
        ("ACO42", "QualityID_438"),
        ("ACO40", "QualityID_370"),
        ("ACO27", "QualityID_001_WI"),
        ("ACO28", "QualityID_236_WI"),
        ("qualityid_236_ecqm.cqm", "QualityID_236_eCQM-CQM"),
        ("QualityID_001_MedicareCQM", "QualityID_001_MedicareCQM"),
        # Not the same measure: kept apart.
        ("ACO8", "ACO8"),
        ("Measure_479", "Measure_479"),
        ("ACO38", "ACO38"),
        ("Measure_MCC1", "Measure_MCC1"),
        ("Measure_484", "Measure_484"),
        ("DM_Comp", "DM_Comp"),
    ],
)
def test_measure_id_map(column: str, measure_id: str) -> None:
    assert measure_for(column).measure_id == measure_id


def test_measure_map_is_one_to_one_and_directions_known() -> None:
    columns = [c.lower() for m in MEASURES for c in m.columns]
    assert len(columns) == len(set(columns))
    lower = {m.measure_id for m in MEASURES if m.lower_is_better}
    assert {"QualityID_001_WI", "ACO8", "Measure_479", "Measure_484"} <= lower
    assert not lower & {"CAHPS_1", "QualityID_318", "QualityID_236_WI", "QualityID_370"}
    assert measure_for("N_AB") is None and measure_for("ACO99") is None


def test_numbers_block_reads_cms_formats_and_falls_back_to_the_strict_parser() -> None:
    block = pd.DataFrame({"a": ["1,234", "9.5%", "$12.50", "*", "^"], "b": ["", "-", "1e3", "0", "~"]})
    values, warnings = numbers(block)
    assert values["a"].tolist()[:3] == [1234.0, 9.5, 12.5] and values["a"].isna().tolist()[3:] == [True, True]
    assert values["b"].tolist()[2:4] == [1000.0, 0.0] and not warnings
    strict, warnings = numbers(pd.DataFrame({"a": ["(12)", "x\ny", "3"]}))
    assert strict["a"].tolist()[0] == -12 and np.isnan(strict["a"].iloc[1]) and strict["a"].iloc[2] == 3
    assert warnings == ["column 'a': 1 unreadable value(s) set to NULL (e.g. row 2: 'x\\ny')"]


def test_new_columns_of_a_family_are_reported_unknown_and_read_ones_are_not(tmp_path, tiny_table, tiny_file):
    header, rows = tiny_table
    header += ["N_PCP", "CAHPS_1", "QualityID_318", "Perc_Dual", "CAHPS_99", "N_Ben_Age_100plus"]
    for row, extra in zip(
        rows,
        (
            ["10", "80.5", "91.25", "12.5", "1", "2"],
            ["*", "-", "-", "3", "1", "2"],
            ["7", "70", "50", "4.0", "1", "2"],
        ),
        strict=True,
    ):
        row += extra
    out = tmp_path / "aco.duckdb"
    build_database(tiny_file(header, rows).parent, out, quiet=True)
    with duckdb.connect(str(out), read_only=True) as con:
        unknown, missing = con.execute("SELECT unknown_columns, missing_columns FROM source").fetchone()
        profile = con.execute(
            "SELECT aco_id, primary_care_physicians, dual_share FROM aco_profile ORDER BY aco_id"
        ).fetchall()
        quality = con.execute(
            "SELECT aco_id, measure_id, value, unit FROM aco_quality ORDER BY 1, 2"
        ).fetchall()
    assert unknown == "CAHPS_99, N_Ben_Age_100plus"
    assert (
        "hospitals" in missing
        and "cms_hcc_risk_score" in missing
        and "primary_care_physicians" not in missing
    )
    assert profile == [("Z0001", 10, 0.125), ("Z0002", None, 0.03), ("Z0003", 7, 0.04)]
    assert quality == [
        ("Z0001", "CAHPS_1", 80.5, "score_0_100"),
        ("Z0001", "QualityID_318", 0.9125, "fraction"),
        ("Z0003", "CAHPS_1", 70.0, "score_0_100"),
        ("Z0003", "QualityID_318", 0.5, "fraction"),
    ]


def test_demo_database_has_the_tables_empty(tmp_path) -> None:
    out = tmp_path / "demo.duckdb"
    build_database(None, out, demo=True, quiet=True)
    with duckdb.connect(str(out), read_only=True) as con:
        for table, columns in PROFILE_TABLES:
            found = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                    "ORDER BY ordinal_position",
                    [table],
                ).fetchall()
            ]
            assert found == [c for c, _, _ in columns]
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


def test_age_bands_add_up_to_the_assigned_beneficiaries(built) -> None:
    """A cross-check of the columns read: from PY2014 every ACO's age bands sum to its N_AB (its two sexes
    too, but for 1-4 ACOs a year); PY2013's realigned counts agree with each other (ages = sexes) and
    never exceed N_AB, which they fall short of for 114 of the 220 ACOs."""
    keys = ["performance_year", "aco_id"]
    rows = built["aco_profile"].merge(built["aco_year"][[*keys, "assigned_beneficiaries"]], on=keys)
    ages = rows[["beneficiaries_age_0_64", "beneficiaries_age_65_74", "beneficiaries_age_75_84",
                 "beneficiaries_age_85_plus"]].sum(axis=1).astype(int)
    sexes = (rows["beneficiaries_female"] + rows["beneficiaries_male"]).astype(int)
    n_ab = rows["assigned_beneficiaries"].astype(int)
    later = (rows["performance_year"] >= 2014).to_numpy()
    assert (ages[later] == n_ab[later]).all()
    off = (sexes[later] != n_ab[later]).groupby(rows.loc[later, "performance_year"]).sum()
    assert off.between(0, 4).all()
    assert (ages[~later] == sexes[~later]).all() and (ages[~later] <= n_ab[~later]).all()
    assert int((ages[~later] < n_ab[~later]).sum()) == 114
