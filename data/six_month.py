"""PY2019's six-month performance years: which ACO-years were January-June or July-December.

What the data show (checked against CMS's own PY2019 file, which has `Participation_Six_Months`,
and against the standardized PY2019 file here, which dropped that column):

* CMS published PY2019 as two files. The main one holds the 12-month ACOs and the January-June
  ACOs (`Participation_Six_Months` = 1); a second one holds the ACOs that started a new agreement on
  July 1, 2019 (all BASIC / ENHANCED, `Current_Start_Date` 07/01/2019): the July-December period.
* The standardized `mssp_std_py2019.csv` (475 rows) is the main file only: no row starts on
  07/01/2019 and no row is BASIC or ENHANCED.
* January-June ACOs are (a) every ACO whose agreement began 01/01/2016 (a three-year agreement
  ending 12/31/2018, extended six months; CMS's file flags all of them) and (b) ACOs of later
  agreements that ended theirs on June 30 to renew early on July 1 (e.g. A2671, A3578 in CMS's
  file). Case (b) is invisible within the year; it shows in PY2020, where the same ACO_ID has
  `Current_Start_Date` 07/01/2019. The build links the two years when both are loaded.
* The PUF's EarnSaveLoss for January-June ACOs is the 12-month amount (no 1/2 proration; for PY2019
  also no 2% sequestration): earned = GenSaveLoss x FinalShareRate on every saver, six-month or not.

Rows that are neither are 12-month performance years: `six_month_period` NULL.
"""

from __future__ import annotations

import pandas as pd

SIX_MONTH_YEAR = 2019
JULY_START = pd.Timestamp("2019-07-01")
EXTENDED_AGREEMENT_START = pd.Timestamp("2016-01-01")  # three-year agreements ending 12/31/2018


def periods(start: pd.Series, flag: pd.Series | None) -> pd.Series:
    """'JUL_DEC' for July 1, 2019 starters; 'JAN_JUN' for flagged or extended agreements; else NA.

    `start` is the current agreement start date; `flag` the parsed `Participation_Six_Months`
    column when the file has it (CMS's own PY2019 file).
    """
    result = pd.Series(pd.NA, index=start.index, dtype="string")
    july = (start == JULY_START).fillna(False)
    if flag is not None:
        first_half = flag.fillna(False).astype(bool)
    else:
        first_half = (start <= EXTENDED_AGREEMENT_START).fillna(False)
    result[first_half & ~july] = "JAN_JUN"
    result[july] = "JUL_DEC"
    return result


def early_renewals(py2019: pd.DataFrame, py2020: pd.DataFrame) -> pd.Series:
    """True for PY2019 rows whose ACO began a new agreement on July 1, 2019 (seen in PY2020).

    Such an ACO's PY2019 row in the main file covers January-June. Rows already starting on
    07/01/2019 (the July-December file) are left alone.
    """
    renewed = set(py2020.loc[(py2020["current_start_date"] == JULY_START).fillna(False), "aco_id"])
    in_main = (py2019["current_start_date"] != JULY_START).fillna(True)
    return (py2019["aco_id"].isin(renewed) & in_main).astype(bool)
