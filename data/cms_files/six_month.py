"""PY2019's six-month performance years: which ACO-years were January-June or July-December.

What the data show (the standardized PY2019 file here, which dropped CMS's `Participation_Six_Months`
column, checked against CMS's own PY2019 file in the public search index and against PY2020):

* CMS published PY2019 as two files. The main one holds the 12-month ACOs and the January-June
  ACOs (`Participation_Six_Months` = 1); a second one holds the ACOs that started a new agreement on
  July 1, 2019 (all BASIC / ENHANCED, `Current_Start_Date` 07/01/2019): the July-December period.
* The standardized `mssp_std_py2019.csv` (475 rows) is the main file only: no row starts on
  07/01/2019 and no row is BASIC or ENHANCED.
* In it, the January-June rows give themselves away: their published totals (ABtotBnchmk,
  ABtotExp, BnchmkMinExp, hence EarnSaveLoss) cover six months, so per-capita benchmark x
  person-years is exactly twice ABtotBnchmk (1.9997-2.0003); for the other rows the ratio is 1.000.
  That splits the file 166 / 309, and the split agrees row for row with the agreement dates:
  every ACO whose agreement began 01/01/2016 (three years ending 12/31/2018, extended six months;
  148 ACOs, all flagged in CMS's file) plus the 18 ACOs of later agreements that ended theirs on
  June 30 to renew on July 1 (visible in PY2020 as `Current_Start_Date` 07/01/2019; e.g. A2671,
  A3578, flagged in CMS's file). The PUF's savings are therefore already prorated through the
  totals; PY2019 earned savings are G x FinalShareRate with no 2% sequestration, for all rows.

Rows that are neither are 12-month performance years: `six_month_period` NULL.
"""

from __future__ import annotations

import pandas as pd

SIX_MONTH_YEAR = 2019
JULY_START = pd.Timestamp("2019-07-01")
EXTENDED_AGREEMENT_START = pd.Timestamp("2016-01-01")  # three-year agreements ending 12/31/2018
HALF_YEAR_TOLERANCE = 0.01


def halved_totals(frame: pd.DataFrame) -> pd.Series:
    """True where per-capita benchmark x person-years is twice the published total benchmark."""
    ratio = frame["updated_benchmark_per_capita"] * frame["person_years"] / frame["benchmark"]
    return ((ratio - 2.0).abs() < 2.0 * HALF_YEAR_TOLERANCE).fillna(False).astype(bool)


def periods(frame: pd.DataFrame, flag: pd.Series | None) -> tuple[pd.Series, str]:
    """'JUL_DEC' / 'JAN_JUN' / NA per row, and which evidence decided January-June.

    Evidence, best first: CMS's `Participation_Six_Months` flag ("flag"); six-month totals
    ("totals", needs per-capita benchmark and person-years); agreements begun 01/01/2016 ("dates",
    misses early renewals, which the build then finds in PY2020).
    """
    start = frame["current_start_date"]
    july = (start == JULY_START).fillna(False).astype(bool)
    if flag is not None:
        first_half, method = flag.fillna(False).astype(bool), "flag"
    elif frame[["updated_benchmark_per_capita", "person_years"]].notna().all(axis=1).mean() > 0.9:
        first_half, method = halved_totals(frame), "totals"
    else:
        first_half, method = (start <= EXTENDED_AGREEMENT_START).fillna(False).astype(bool), "dates"
    result = pd.Series(pd.NA, index=frame.index, dtype="string")
    result[first_half & ~july] = "JAN_JUN"
    result[july] = "JUL_DEC"
    return result, method


def expected_first_half(py2019: pd.DataFrame, py2020: pd.DataFrame | None) -> pd.Series:
    """January-June by agreement dates: extended 2016 agreements, and July 2019 renewals seen in PY2020."""
    start = py2019["current_start_date"]
    expected = (start <= EXTENDED_AGREEMENT_START).fillna(False).astype(bool)
    if py2020 is not None:
        expected |= early_renewals(py2019, py2020)
    return expected


def early_renewals(py2019: pd.DataFrame, py2020: pd.DataFrame) -> pd.Series:
    """True for PY2019 rows whose ACO began a new agreement on July 1, 2019 (seen in PY2020).

    Such an ACO's PY2019 row in the main file covers January-June. Rows already starting on
    07/01/2019 (the July-December file) are left alone.
    """
    renewed = set(py2020.loc[(py2020["current_start_date"] == JULY_START).fillna(False), "aco_id"])
    in_main = (py2019["current_start_date"] != JULY_START).fillna(True)
    return (py2019["aco_id"].isin(renewed) & in_main).astype(bool)
