"""Value parsing, unit detection, year detection, tracks, the PY2013 realignment and the PY2019 rules,
on invented values (runs without the CMS folder)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as hs

from data.cms_files import aco_ids, parsing, six_month, tracks
from data.cms_files.cms_columns import ColumnIndex, is_ignored, year_from_columns, year_from_name
from data.cms_files.parsing import (
    parse_bool,
    parse_date,
    parse_int,
    parse_number,
    parse_rate,
    rate_scale,
    ratio_scale,
)
from data.cms_files.py2013 import LayoutError, adapt_2013


def s(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype="string")


def test_money_formats_and_tokens():
    parsed = parse_number(s("$613084880.40", "77,947", "$-9187354.55", "(1,200)", "-", "*", "N/A", "/", "",
                            None, "12x"))
    assert parsed.values.tolist()[:4] == [613084880.40, 77947.0, -9187354.55, -1200.0]
    assert parsed.values[4:10].isna().all()
    assert parsed.bad.tolist() == [False] * 10 + [True]


def test_rates_keep_their_published_unit_until_scaled():
    parsed = parse_rate(s("6.46%", "0.0234%", "-0.02%", "8.89", "P4R"))
    assert parsed.values.tolist()[:4] == [6.46, 0.0234, -0.02, 8.89]
    assert parsed.bad.tolist() == [False, False, False, False, True]


@pytest.mark.parametrize(("values", "high", "scale"), [
    ([7.13, 2.35, 0.0], 0.2, 0.01),        # PY2014 MSR in percent
    ([0.0234, 0.02, 0.031], 0.2, 1.0),     # PY2013 "0.0234%": already fractions
    ([0.0002, 0.00031, 0.0], 0.2, 100.0),  # standardized PY2015: hundredths of a fraction
    ([0.02, 0.254, 0.03], 0.2, 1.0),       # a tiny ACO's 25% MSR does not make percent units
    ([98.08, 100, 92.1], 1.0, 0.01),       # PY2015 QualScore in percent
    ([0.9808, 1.0, 0.0], 1.0, 1.0),
    ([75, 40, 50], 1.0, 0.01),             # PY2024 FinalShareRate
    ([0, 0], 1.0, 1.0),
])
def test_rate_scale(values, high, scale):
    assert rate_scale(pd.Series(values, dtype=float), high / 100, high) == scale


def test_rate_scale_without_a_fit():
    assert rate_scale(pd.Series([5000.0]), 0.01, 1.0) is None


def test_savings_rate_scale_checked_against_dollars():
    gross_over_benchmark = pd.Series([0.0713, -0.0361, 0.0492])
    assert ratio_scale(pd.Series([7.135, -3.614, 4.924]), gross_over_benchmark) == (0.01, 0)
    assert ratio_scale(pd.Series([0.000713, -0.000361, 0.000492]), gross_over_benchmark) == (100.0, 0)
    scale, mismatched = ratio_scale(pd.Series([0.0713, -0.0361, 0.09]), gross_over_benchmark)
    assert (scale, mismatched) == (1.0, 1)


def test_counts_booleans_dates():
    assert parse_int(s("60845.0", "89,403", "*")).values.tolist()[:2] == [60845, 89403]
    assert parse_int(s("1.5")).bad.all()
    flags = parse_bool(s("1", "0", "Y", "No", "yes", "TRUE", "maybe", "-"))
    assert flags.values.tolist()[:6] == [True, False, True, False, True, True]
    assert flags.bad.tolist() == [False] * 6 + [True, False]
    dates = parse_date(s("07/01/2012 12:00:00 AM", "7/1/12 00:00", "7/1/2012", "1/1/2016 0:00", "2019-07-01",
                         "31/31/2020"))
    expected = ["2012-07-01"] * 3 + ["2016-01-01", "2019-07-01"]
    assert dates.values.dt.strftime("%Y-%m-%d").tolist()[:5] == expected
    assert dates.bad.tolist() == [False] * 5 + [True]


def test_year_detection():
    assert year_from_name("mssp_puf_py2014.csv") == 2014
    assert year_from_name("Performance_Year_Financial_and_Quality_Results_2020.csv") == 2020
    assert year_from_name("2019A.csv") == 2019
    assert year_from_name("results.csv") is None
    assert year_from_columns(["aco_id", "performance_year"], ["2017"]) == 2017
    assert year_from_columns(["ACO Identifier", "Total benchmark expenditures ($)"], []) == 2013
    assert year_from_columns(["ACO_Num", "Track1", "N_AB_Year"], []) == 2014
    assert year_from_columns(["ACO_ID", "Current_Track", "Prorate_Shared_Losses"], []) == 2022
    assert year_from_columns(["ACO_ID", "Initial_Track_1", "DisAdj"], []) == 2017
    assert year_from_columns(["ACO_ID", "N_AB"], []) is None


def test_column_lookup_ignores_case_and_tracks_use():
    index = ColumnIndex(["aco_id", "Sav_Rate", "year", "Mystery"])
    assert index.find("ACO_ID") == "aco_id" and index.find("Sav_rate") == "Sav_Rate"
    assert index.unknown() == ["Mystery"]
    assert is_ignored("Interim payment election") and not is_ignored("Mystery")
    # Read by data/cms_files/profile_columns.py, so no longer ignored: unknown unless read.
    assert not is_ignored("CAHPS_1") and not is_ignored("Total number of assigned beneficiaries, age 0-64")


def _raw(**columns: list[str]) -> tuple[pd.DataFrame, ColumnIndex]:
    frame = pd.DataFrame(columns, dtype="string")
    return frame, ColumnIndex(list(frame.columns))


def _norm(n: int, **values: list[float]) -> pd.DataFrame:
    base = {name: [float("nan")] * n for name in ("quality_score", "cms_final_sharing_rate",
                                                  "cms_max_sharing_rate", "cms_minimum_savings_rate")}
    base.update(values)
    frame = pd.DataFrame(base)
    frame["pay_for_reporting"] = pd.array([False] * n, dtype="boolean")
    return frame


def test_tracks_from_each_kind_of_source():
    raw, index = _raw(Current_Track=["A", "EN", "E", "x"])
    assert tracks.resolve(raw, index, _norm(4), 2024)[0].tolist()[:3] == ["BASIC_A", "ENHANCED", "BASIC_E"]
    raw, index = _raw(current_track_1=["1", "0", "0"], current_track_1_plus=["0", "1", "0"],
                      current_basic_d=["0", "0", "1"])
    assert tracks.resolve(raw, index, _norm(3), 2020)[0].tolist() == ["TRACK_1", "TRACK_1_PLUS", "BASIC_D"]
    raw, index = _raw(Track2=["0", "1"])  # PY2013: only the Track 2 flag
    assert tracks.resolve(raw, index, _norm(2), 2013)[0].tolist() == ["TRACK_1", "TRACK_2"]


def test_tracks_from_sharing_rates_when_no_track_column():
    norm = _norm(5, quality_score=[0.9, 0.9, 0.8, 0.5, 0.5],
                 cms_final_sharing_rate=[0.45, 0.54, 0.6, 0.0, 0.0],
                 cms_minimum_savings_rate=[0.03, 0.02, 0.02, 0.031, 0.02])
    raw, index = _raw(aco_name=["a", "b", "c", "d", "e"])
    found, how = tracks.resolve(raw, index, norm, 2016)
    # 0.45/0.9 = 0.5, 0.54/0.9 = 0.6, 0.6/0.8 = 0.75; no sharing but a variable MSR: Track 1;
    # no sharing and the fixed 2% MSR of Tracks 2 and 3: undecidable.
    assert found.tolist()[:4] == ["TRACK_1", "TRACK_2", "TRACK_3", "TRACK_1"] and pd.isna(found[4])
    assert "sharing rates" in how
    assert tracks.resolve(raw, index, norm, 2018)[0].isna().all()  # Track 1+ shares like Track 1


def test_two_sided_prefers_risk_model():
    track = pd.Series(["TRACK_1", "BASIC_E", "ENHANCED"], dtype="string")
    assert tracks.two_sided(track, None).tolist() == [False, True, True]
    stated = tracks.two_sided(track, pd.Series(["Two-Sided", "One-Sided", None], dtype="string"))
    assert stated.tolist() == [True, False, True]


def _py2013(shifted: bool) -> pd.DataFrame:
    """Two invented ACOs in PY2013's layout: benchmark 100M / 50M, expenditure 95M / 52M."""
    labels = ["ACO Identifier", "ACO Name", "Start Date", "Track 2 ACO", "Quality Score",
              "Final sharing rate", "Total benchmark expenditures ($)", "Total savings/losses ($)",
              "Shared Savings ($)", "Shared Losses ($)", "Total number of assigned beneficiaries",
              "Total assigned beneficiary person years",
              "Total number of ESRD assigned beneficiary person years"]
    head = [["Q1", "One", "07/01/2012", "0", "1", "0.5"], ["Q2", "Two", "01/01/2013", "1", "1", "0.6"]]
    if shifted:
        money = [["$100000000.00", "$95000000.00", "$5000000.00", "$2450000.00", "", "20000", "19500.5"],
                 ["$50000000.00", "$52000000.00", "$-2000000.00", "$0.00", "-800000", "8000", "7900.25"]]
    else:
        money = [["$100000000.00", "$5000000.00", "$2450000.00", "$0.00", "20000", "19500.5", "10"],
                 ["$50000000.00", "$-2000000.00", "$0.00", "-800000", "8000", "7900.25", "12"]]
    return pd.DataFrame([h + m for h, m in zip(head, money, strict=True)], columns=labels, dtype="string")


@pytest.mark.parametrize("shifted", [True, False])
def test_py2013_layouts(shifted):
    out, note = adapt_2013(_py2013(shifted))
    assert ("shifted" in note) == shifted
    assert out["BnchmkMinExp"].tolist() == ["$5000000.00", "$-2000000.00"]
    assert out["EarnSaveLoss"].tolist() == ["$2450000.00", "-800000"]
    assert out["N_AB"].tolist() == ["20000", "8000"]
    assert out["N_AB_Year"].tolist() == ["19500.5", "7900.25"]
    assert ("ABtotExp" in out) == shifted
    assert out["_pay_for_reporting"].tolist() == ["1", "1"]


def test_py2013_that_reconciles_neither_way():
    frame = _py2013(True)
    frame.loc[0, "Shared Savings ($)"] = "$1.00"
    frame.loc[0, "Total number of assigned beneficiaries"] = "12.5"
    with pytest.raises(LayoutError):
        adapt_2013(frame)


def test_six_month_periods():
    start = pd.Series(pd.to_datetime(["2016-01-01", "2017-01-01", "2019-07-01", "2018-01-01"]))
    frame = pd.DataFrame({"current_start_date": start, "updated_benchmark_per_capita": [10_000.0] * 4,
                          "person_years": [1_000.0] * 4, "benchmark": [5e6, 5e6, 5e6, 1e7]})
    # Six-month totals: per capita x person-years = twice the published total benchmark.
    found, method = six_month.periods(frame, None)
    assert method == "totals" and found.fillna("-").tolist() == ["JAN_JUN", "JAN_JUN", "JUL_DEC", "-"]
    flagged, method = six_month.periods(frame, pd.Series([False, True, True, False], dtype="boolean"))
    assert method == "flag" and flagged.fillna("-").tolist() == ["-", "JAN_JUN", "JUL_DEC", "-"]
    by_dates, method = six_month.periods(frame.assign(person_years=float("nan")), None)
    assert method == "dates" and by_dates.fillna("-").tolist() == ["JAN_JUN", "-", "JUL_DEC", "-"]
    py2019 = pd.DataFrame({"aco_id": ["A1", "A2", "A3"], "current_start_date": start[[1, 3, 2]].to_numpy()})
    py2020 = pd.DataFrame({"aco_id": ["A1", "A3"], "current_start_date": pd.to_datetime(["2019-07-01"] * 2)})
    assert six_month.early_renewals(py2019, py2020).tolist() == [True, False, False]
    assert six_month.expected_first_half(py2019, py2020).tolist() == [True, False, False]


def test_derived_ids():
    known = aco_ids.crosswalk([pd.DataFrame({"aco_name": ["Palm Beach ACO, LLC", "Twin", "Twin "],
                                             "aco_id": ["A1", "A2", "A3"]})])
    assert known == {"palm beach aco llc": "A1"}  # "twin" names two ids: left out
    names = pd.Series(["Palm Beach ACO, LLC ", "New One", "Mercy", "Mercy"])
    states = pd.Series(["FL", "TX", "Iowa", "Missouri"])
    ids, matched = aco_ids.derive(names, states, known)
    assert matched == 1 and ids[0] == "A1"
    assert ids[1:].str.startswith("X-").all() and ids.is_unique
    again, _ = aco_ids.derive(pd.Series(["new one"]), None, {})
    assert again[0] == ids[1]  # the same surrogate in every year


# --- the cell loop of parse_number / parse_rate (properties) ----------------------------------------
_MONEY = hs.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(_MONEY, hs.sampled_from(["{:.2f}", "${:,.2f}", " {:,.2f} ", "{:.6e}", "$ {:,.0f}"]))
def test_formatted_money_reads_back(value, pattern):
    text = pattern.format(value)
    parsed = parse_number(s(text))
    assert not parsed.bad.any() and not parsed.non_finite.any()
    assert parsed.values[0] == pytest.approx(float(pattern.replace("$", "").format(value).replace(",", "")),
                                             rel=1e-12, abs=0.01)


@given(hs.text(max_size=12))
@example("1_000")
@example("-nan")
@example("infinity")
@example("(inf)")
@example("1E100")  # found by a random run: past int64, parse_int raised instead of flagging
def test_any_text_gives_a_number_a_null_or_a_flag(text):
    for reader in (parse_number, parse_rate, parse_int):
        parsed = reader(s(text))
        value = parsed.values[0]
        flagged = bool(parsed.bad[0]) + bool(parsed.non_finite[0])
        assert flagged <= 1
        if flagged:
            assert pd.isna(value)
        elif not pd.isna(value):
            assert abs(float(value)) < float("inf")
    if text.strip() == "1_000":
        assert parse_number(s(text)).bad[0]


def test_a_name_match_needs_a_shared_state_when_both_publish_one():
    # PY2014 publishes "Physicians ACO, LLC" in Texas as A03682; PY2015 (no ids) has a Florida ACO of that
    # name: it must not take the Texas id. A row with no state, or a shared one, still matches by name.
    peers = [pd.DataFrame({"aco_name": ["Physicians ACO, LLC", "Coastal Care", "Lone Star"],
                           "aco_id": ["A03682", "A11111", "A22222"], "aco_state": ["TX", "NJ,NY", "TX"]})]
    names = pd.Series(["Physicians ACO, LLC", "Coastal Care", "Lone Star"])
    raw_states = pd.Series(["Florida", "New York", None])
    codes = pd.Series(["FL", "NY", None])
    known, known_states = aco_ids.crosswalk(peers), aco_ids.id_states(peers)
    ids, matched = aco_ids.derive(names, raw_states, known, codes, known_states)
    assert ids[0].startswith(aco_ids.SURROGATE_PREFIX)
    assert list(ids[1:]) == ["A11111", "A22222"] and matched == 2


# --- the block reader (pandas' C reader first) against the strict cell loop ---------------------------
_CELLS = ["", "0", "-0", "-0.0", "0.00", "12", "-3", "1,234", "$5", "9.5%", "-", "N/A", "n/a", "inf", "nan",
          "1e999", "(7)", "x", "1_000", "1.5E+07", " 12 ", "$", "0.07719999999999999"]


@given(hs.lists(hs.lists(hs.sampled_from(_CELLS), min_size=3, max_size=3), min_size=1, max_size=8),
       hs.sampled_from([parsing.MONEY, parsing.PERCENT, parsing.FIGURE]))
@example([["-0", "1", ""], ["0", "2", ""]], parsing.MONEY)  # a signed zero beside trailing blanks
def test_block_reader_agrees_with_the_cell_loop(rows, decoration):
    block = np.array(rows, dtype=object)
    values, bad, infinite = parsing._read_block(block, decoration)
    strict = parsing._numeric(pd.Series(block.ravel(), dtype=object), decoration)
    expected = strict.values.to_numpy().reshape(block.shape)
    assert np.array_equal(values, expected, equal_nan=True)
    assert np.array_equal(np.signbit(values), np.signbit(expected))
    assert bad.ravel().tolist() == strict.bad.tolist()
    assert infinite.ravel().tolist() == strict.non_finite.tolist()
