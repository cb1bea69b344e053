"""`aco_year.aco_state`: CMS's ACO_State (PY2014-2021; names, codes, several to a cell) as USPS codes.

Checked against the CMS files themselves (each test reads the row's ACO_State from the CSV) for a few
ACOs, among them multi-state ones, and on an invented file for text that names no state.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data.build import build_database
from data.states import STATES, state_codes


def _cms_cell(cms_dir: Path, file_name: str, id_column: str, key: str) -> str:
    """The ACO_State text of one row of a CMS file, read from the CSV (not through the build)."""
    raw = pd.read_csv(cms_dir / file_name, dtype=str, encoding="utf-8-sig")
    state_column = next(c for c in raw.columns if c.lower() == "aco_state")
    found = raw.loc[raw[id_column].str.strip() == key, state_column]
    assert len(found) == 1, f"{file_name}: {key}"
    return found.iloc[0]


@pytest.mark.parametrize(
    ("file_name", "year", "id_column", "key", "published", "codes"),
    [
        # PY2014: full names, two spaces after the comma.
        ("mssp_puf_py2014.csv", 2014, "ACO_Num", "A76261", "New Jersey,  New York", "NJ,NY"),
        ("mssp_puf_py2014.csv", 2014, "ACO_Num", "A67373", "Florida", "FL"),
        # PY2016 (standardized file, no ids: found by name): three states, not in alphabetical order.
        ("mssp_std_py2016.csv", 2016, "aco_name", "NH Accountable Care Partners",
         "New Hampshire, Maine, Massachusetts", "MA,ME,NH"),
        # PY2018: codes.
        ("mssp_puf_py2018.csv", 2018, "ACO_ID", "A1204", "MO, IL", "IL,MO"),
        # PY2021: the ACO with the most states of any year (24).
        ("mssp_puf_py2021.csv", 2021, "ACO_ID", "A3580",
         "MT, WA, OR, MN, MA, MI, FL, ID, CA, AR, NC, TX, IA, NE, PA, ND, GA, IL, MO, LA, NM, KY, OH, WI",
         "AR,CA,FL,GA,IA,ID,IL,KY,LA,MA,MI,MN,MO,MT,NC,ND,NE,NM,OH,OR,PA,TX,WA,WI"),
    ],
)
def test_state_against_the_cms_file(cms_dir: Path, aco_year: pd.DataFrame, file_name: str, year: int,
                                    id_column: str, key: str, published: str, codes: str) -> None:
    assert _cms_cell(cms_dir, file_name, id_column, key).strip() == published
    column = "aco_name" if id_column == "aco_name" else "aco_id"
    row = aco_year[(aco_year["performance_year"] == year) & (aco_year[column] == key)]
    assert row["aco_state"].tolist() == [codes]


def test_every_year_that_publishes_a_state_has_one_on_every_row(aco_year: pd.DataFrame) -> None:
    with_state = aco_year.groupby("performance_year")["aco_state"].apply(lambda s: s.notna().mean())
    assert with_state[with_state == 1.0].index.tolist() == list(range(2014, 2022))
    assert with_state[with_state == 0.0].index.tolist() == [2013, 2022, 2023, 2024]
    codes = aco_year["aco_state"].dropna().str.split(",").explode()
    assert set(codes) <= set(STATES) and {"PR", "GU"} <= set(codes)  # territories too
    multi = aco_year["aco_state"].str.contains(",", na=False)
    assert multi.sum() > 100  # ACOs in several states, every year
    written = aco_year["aco_state"].dropna()
    assert (written == written.map(lambda s: ",".join(sorted(set(s.split(",")))))).all()


def test_state_is_consumed_not_unknown(source: pd.DataFrame) -> None:
    assert not source["unknown_columns"].fillna("").str.contains("ACO_State", case=False).any()


def test_unrecognized_state_is_left_out_with_a_message(tmp_path: Path, tiny_file, tiny_table) -> None:
    header, rows = tiny_table
    header.append("ACO_State")
    for row, state in zip(rows, ["NY, nj", "Texas, Atlantis", "**evil**"], strict=True):
        row.append(state)
    tiny_file(header=header, rows=rows)
    report = build_database(tmp_path / "cms", tmp_path / "a.duckdb", quiet=True)
    messages = [w for w in report.warnings if "ACO_State" in w]
    assert messages == [
        "PY2024 mssp_puf_py2024.csv: column 'ACO_State': row 2 (ACO Z0002): 'Atlantis' is not a US state "
        "or territory; left out of aco_state",
        "PY2024 mssp_puf_py2024.csv: column 'ACO_State': row 3 (ACO Z0003): '**evil**' is not a US state "
        "or territory; left out of aco_state",
    ]
    with duckdb.connect(str(report.path), read_only=True) as con:
        got = dict(con.execute("SELECT aco_id, aco_state FROM aco_year").fetchall())
    assert got == {"Z0001": "NJ,NY", "Z0002": "TX", "Z0003": None}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("New York,  Pennsylvania", ("NY,PA", ())),
        ("Florida ", ("FL", ())),
        ("District of Columbia, Maryland ", ("DC,MD", ())),
        ("ny; NJ / pa", ("NJ,NY,PA", ())),
        ("NY, NY", ("NY", ())),
        ("Puerto Rico", ("PR", ())),
        ("", (None, ())),
        (None, (None, ())),
        (float("nan"), (None, ())),
        ("Atlantis", (None, ("Atlantis",))),
        ("CA, XX", ("CA", ("XX",))),
    ],
)
def test_state_codes(text: object, expected: tuple[str | None, tuple[str, ...]]) -> None:
    assert state_codes(text) == expected
