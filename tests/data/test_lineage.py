"""Lineages (data/lineage.py): invented ACO-years for each rule, then CMS's real files on known cases."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data import lineage
from data.build import _summary
from data.lineage import name_key, similarity

STD = "mssp_std_py{}.csv"  # a file that published no ids: the build derived them from names


def _row(year: int, aco_id: str, name: str, *, initial: str | None = None, current: str | None = None,
         size: int = 10_000, kind: str | None = None, source: str | None = None) -> dict[str, object]:
    return {
        "performance_year": year, "aco_id": aco_id, "aco_name": name, "six_month_period": None,
        "source_file": source or f"mssp_puf_py{year}.csv", "agreement_type": kind,
        "initial_start_date": pd.Timestamp(initial) if initial else pd.NaT,
        "current_start_date": pd.Timestamp(current) if current else pd.NaT,
        "assigned_beneficiaries": size,
    }


def _derived(year: int, aco_id: str, name: str, **kw: object) -> dict[str, object]:
    return _row(year, aco_id, name, source=STD.format(year), **kw)


def _frame(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def _lineages(frame: pd.DataFrame) -> dict[tuple[int, str], str]:
    found = lineage.link(frame)
    keys = zip(frame["performance_year"], frame["aco_id"], strict=True)
    return dict(zip(keys, found.lineage_id, strict=True))


@pytest.mark.parametrize("a, b", [
    ("Antelope Valley ACO, Inc", "Antelope Valley ACO"),
    ("Antelope Valley ACO", "ANTELOPE VALLEY ACCOUNTABLE CARE ORGANIZATION, L.L.C."),
    ("St. Mary's Health Partners, LLC", "St Marys Health Partners"),
    ("WESTMED Medical Group, P.C.", "Westmed Medical Group"),
    ("Health & Care Partners Inc.", "Health and Care Partners"),
])
def test_names_compared_without_legal_forms_and_aco_words(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_different_names_stay_different() -> None:
    assert name_key("Physicians ACO") != name_key("Physicians Health ACO")
    assert name_key("The Accountable Care Organization, Ltd.")  # only "noise" words: still a name
    assert similarity("physicians", "methodist alliance for patients and physicians") < lineage.SIMILAR


def test_antelope_valley_shape_one_lineage_across_the_id_change() -> None:
    """A01307 (PY2014), derived X- id (PY2015-17), A2210 (PY2018-19): one organization."""
    frame = _frame(
        _row(2014, "A01307", "Antelope Valley ACO, Inc", initial="2014-01-01", current="2014-01-01",
             size=4841),
        _derived(2015, "X-03AD3AFC", "Antelope Valley ACO", size=5039),
        _derived(2016, "X-03AD3AFC", "Antelope Valley ACO", initial="2014-01-01", current="2014-01-01",
                 size=4414),
        _derived(2017, "X-03AD3AFC", "Antelope Valley ACO", initial="2014-01-01", current="2017-01-01",
                 size=6031),
        _row(2018, "A2210", "Antelope Valley ACO", initial="2014-01-01", current="2017-01-01", size=6153),
        _row(2019, "A2210", "Antelope Valley ACO", initial="2014-01-01", current="2017-01-01", size=6339),
        _row(2019, "A9999", "Somebody Else ACO", initial="2014-01-01", current="2017-01-01", size=6300),
    )
    found = lineage.link(frame)
    ids = found.lineage_id.tolist()
    assert ids[:6] == ["L-A2210"] * 6
    assert ids[6] == "L-A9999"
    links = found.links
    assert set(links["method"]) == {"same id", "name"}
    crossing = links[(links["from_year"] == 2017) & (links["to_year"] == 2018)].iloc[0]
    assert crossing["from_aco_id"] == "X-03AD3AFC" and crossing["to_aco_id"] == "A2210"
    assert "same first MSSP start 2014-01-01" in crossing["evidence"]
    assert found.ambiguous.empty


def test_a_published_id_is_one_lineage_without_name_evidence() -> None:
    frame = _frame(*[_row(y, "A1001", name, initial="2012-01-01") for y, name in
                     [(2018, "Old Name LLC"), (2019, "Old Name LLC"), (2020, "Brand New Name")]])
    found = lineage.link(frame)
    assert set(found.lineage_id) == {"L-A1001"}
    assert found.links["method"].tolist() == ["same id", "same id"]


def test_two_equally_likely_predecessors_are_listed_not_guessed() -> None:
    """Two same-named ACOs in the id-less PY2015 file, one successor in PY2016 with nothing to choose."""
    frame = _frame(
        _derived(2015, "X-AAAA0001", "Mercy Care ACO, LLC", size=10_000),
        _derived(2015, "X-AAAA0002", "Mercy Care ACO", size=10_100),
        _row(2016, "A5555", "Mercy Care ACO", initial="2013-01-01", size=10_050),
    )
    found = lineage.link(frame)
    assert found.lineage_id.nunique() == 3  # nobody linked
    assert len(found.ambiguous) == 2 and found.ambiguous["case"].nunique() == 1
    assert set(found.ambiguous["from_aco_id"]) == {"X-AAAA0001", "X-AAAA0002"}
    assert (found.ambiguous["reason"] == "several equally likely candidates").all()
    assert any("lineage ambiguous #1" in line for line in found.report(frame))


def test_sizes_settle_a_tie_when_they_differ_enough() -> None:
    frame = _frame(
        _row(2014, "A42388", "Mercy ACO, LLC", initial="2012-07-01", size=51_284),
        _row(2014, "A95164", "Mercy ACO, LLC", initial="2013-01-01", size=36_301),
        _derived(2015, "X-F275128C", "Mercy ACO, LLC", size=71_567),
        _derived(2015, "X-D7247759", "Mercy ACO, LLC", size=36_287),
    )
    got = _lineages(frame)
    assert got[(2014, "A95164")] == got[(2015, "X-D7247759")]
    assert got[(2014, "A42388")] == got[(2015, "X-F275128C")]


def test_a_different_first_start_date_is_a_new_aco_unless_re_entering() -> None:
    frame = _frame(
        _row(2016, "A80939", "Primary Care ACO LLC", initial="2014-01-01"),
        _row(2018, "A3562", "Primary Care ACO LLC", initial="2018-01-01", kind="Initial"),
        _row(2015, "A83794", "Valley Care, LLC", initial="2013-01-01"),
        _row(2022, "A5040", "Valley Care, LLC", current="2022-01-01", kind="Re-entering"),
    )
    got = lineage.link(frame)
    ids = dict(zip(frame["aco_id"], got.lineage_id, strict=True))
    assert ids["A80939"] != ids["A3562"]
    assert ids["A83794"] == ids["A5040"]
    (left,) = got.ambiguous.itertuples()
    assert left.from_aco_id == "A80939" and "2014-01-01 vs 2018-01-01" in left.reason


def test_years_apart_with_only_the_name_are_listed() -> None:
    frame = _frame(_derived(2015, "X-00000001", "Aurora Health ACO"),
                   _derived(2017, "X-00000001", "Aurora Health ACO", initial="2017-01-01", kind="Initial"))
    found = lineage.link(frame)
    assert found.lineage_id.nunique() == 2
    assert "nothing but the name" in found.ambiguous["reason"].iloc[0]
    # The one id in two lineages: the lineage ids stay distinct.
    assert found.lineage_id.tolist() == ["L-X-00000001-2015", "L-X-00000001-2017"]


def test_a_renamed_aco_is_linked_by_a_similar_name_and_its_start_date() -> None:
    frame = _frame(
        _row(2014, "A39151", "MD Valuecare, LLC", initial="2014-01-01", size=15_014),
        _derived(2015, "X-A3AD453F", "MD Value Care", size=14_786),
        _derived(2016, "X-A3AD453F", "MD Value Care", initial="2014-01-01", size=14_900),
        _row(2014, "A11111", "MD Value Partners", initial="2013-01-01", size=15_000),
    )
    found = lineage.link(frame)
    ids = found.lineage_id.tolist()
    assert ids[0] == ids[1] == ids[2] != ids[3]
    renamed = found.links[found.links["method"] == "similar name, same start date"].iloc[0]
    assert (renamed["from_aco_id"], renamed["to_aco_id"]) == ("A39151", "X-A3AD453F")
    assert "similar names (0.96)" in renamed["evidence"]


def test_state_that_differs_vetoes_a_name_link() -> None:
    frame = _frame(_row(2017, "A1", "Care Partners", initial="2016-01-01"),
                   _row(2018, "B2", "Care Partners", initial="2016-01-01")).assign(aco_state=["TX", "NJ, NY"])
    found = lineage.link(frame)
    assert found.lineage_id.nunique() == 2
    assert "states TX vs NJ, NY" in found.ambiguous["reason"].iloc[0]


# --- CMS's real files -----------------------------------------------------------------------------
def test_antelope_valley_is_one_aco_for_its_six_years(aco_year: pd.DataFrame) -> None:
    rows = aco_year[aco_year["aco_name"].str.contains("Antelope Valley", case=False)]
    assert sorted(rows["performance_year"]) == list(range(2014, 2020))
    assert set(rows["aco_id"]) == {"A01307", "X-03AD3AFC", "A2210"}
    assert set(rows["lineage_id"]) == {"L-A2210"}
    assert (aco_year["lineage_id"] == "L-A2210").sum() == 6


def test_an_id_that_persists_is_one_lineage(aco_year: pd.DataFrame) -> None:
    a1001 = aco_year[aco_year["aco_id"] == "A1001"]
    assert sorted(a1001["performance_year"]) == list(range(2018, 2025))
    assert a1001["lineage_id"].nunique() == 1
    # Every ACO-year has a lineage, and a published 2018+ id never splits.
    assert aco_year["lineage_id"].notna().all()
    recent = aco_year[aco_year["performance_year"] >= 2018]
    assert (recent.groupby("aco_id")["lineage_id"].nunique() == 1).all()


def test_ambiguous_cases_are_listed_in_the_database_and_the_build_output(cms_build) -> None:
    report, _ = cms_build
    with duckdb.connect(str(Path(report.path)), read_only=True) as con:
        ambiguous = con.sql("SELECT * FROM lineage_ambiguous").df()
        links = con.sql("SELECT * FROM lineage_link").df()
        lineage_of = dict(con.execute("SELECT performance_year || ' ' || aco_id, lineage_id FROM aco_year")
                          .fetchall())
    # "Physicians ACO, LLC" (A03682, PY2014, Texas, first start 2012-07) went on under two names in the
    # id-less PY2015 file. Without states that was listed as ambiguous; the published ACO_State tells them
    # apart: the Texas one became X-D15B8746 and then A1393, the Florida one (first start 2015) A2551.
    assert lineage_of["2014 A03682"] == lineage_of["2015 X-D15B8746"] == lineage_of["2018 A1393"]
    assert lineage_of["2015 A03682"] == lineage_of["2018 A2551"] != lineage_of["2014 A03682"]
    evidence = links[(links["from_aco_id"] == "A03682") & (links["from_year"] == 2014)]["evidence"]
    assert evidence.str.contains("state TX").all() and len(evidence) == 1
    assert not ambiguous.empty
    # Every pair listed as ambiguous stayed apart.
    for pair in ambiguous.itertuples():
        earlier, later = f"{pair.from_year} {pair.from_aco_id}", f"{pair.to_year} {pair.to_aco_id}"
        assert lineage_of[earlier] != lineage_of[later]
    assert set(links["method"]) == {"same id", "name", "similar name, same start date"}
    summary = _summary(report)
    assert "lineages:" in summary and f"{ambiguous['case'].nunique()} ambiguous case(s)" in summary
    assert summary.count("lineage ambiguous #") == ambiguous["case"].nunique()


def test_linkage_figures(aco_year: pd.DataFrame) -> None:
    figures = lineage.link(aco_year.drop(columns="lineage_id")).figures(aco_year)
    assert figures["acos_by_id"] == 1580 and figures["surrogate_ids"] == 402
    assert figures["lineages"] < figures["acos_by_id"] - figures["surrogate_ids_linked"] // 2
    assert figures["surrogate_ids_linked"] > 300 and figures["multi_id_names_linked"] > 400
    assert 0 < figures["ambiguous_cases"] < 30
