"""PY2013: CMS's verbose headers, and the one-column shift of the published file, undone.

In the PY2013 file the data of fields 13-34 sit one place to the right of their labels: an
unlabelled "total expenditures" column was inserted after the benchmark, so the value under
"Total savings/losses ($)" is the expenditure, under "Shared Savings ($)" the benchmark minus
expenditure, under "Shared Losses ($)" the earned shared savings, under "Total number of assigned
beneficiaries" the shared losses (Track 2 only), under "Total assigned beneficiary person years" the
beneficiary count and under the ESRD person-years label the person-years (COLUMNS.md section 2).
The shift is not assumed but detected: benchmark - field 13 must equal field 14 on every row. A file
without the shift (CMS's original layout) is read by its labels, the expenditure derived.

The result has the current CMS names (ABtotBnchmk, ABtotExp, BnchmkMinExp, EarnSaveLoss, N_AB, ...)
so the common mapping reads it like any later year.
"""

from __future__ import annotations

import pandas as pd

from data.cms_files.parsing import parse_number

BENCHMARK = "Total benchmark expenditures ($)"
TOTAL = "Total savings/losses ($)"
SAVINGS = "Shared Savings ($)"
LOSSES = "Shared Losses ($)"
N_BENE = "Total number of assigned beneficiaries"
PERSON_YEARS = "Total assigned beneficiary person years"
ESRD_YEARS = "Total number of ESRD assigned beneficiary person years"

# Labels that keep their meaning (fields 0-12 are aligned with their data).
RENAMES: dict[str, str] = {
    "ACO Identifier": "ACO_ID",
    "ACO Name": "ACO_Name",
    "Start Date": "Start_Date",
    "Track 2 ACO": "Track2",
    "Advance pay status": "Adv_Pay",
    "Advanced payment amount": "Adv_Pay_Amt",
    "Quality Performance Sharing Rate": "QualPerfShare",
    "Final sharing rate": "FinalShareRate",
    "Minimum Loss Rate (%)": "MinLossPerc",
    "Minimum Savings Rate (%)": "MinSavPerc",
    BENCHMARK: "ABtotBnchmk",
}
QUALITY_FLAG = "Quality Score"
PAY_FOR_REPORTING = "_pay_for_reporting"  # internal column, read by the common mapping


class LayoutError(ValueError):
    """The PY2013 money columns reconcile neither shifted nor as labelled."""


def is_2013_layout(columns: list[str]) -> bool:
    """CMS's PY2013 file is the only one with verbose labels such as the benchmark's."""
    return BENCHMARK in columns


def _money(frame: pd.DataFrame, label: str) -> pd.Series:
    return parse_number(frame[label]).values


def _is_shifted(frame: pd.DataFrame) -> bool:
    """Benchmark - (data under TOTAL) == (data under SAVINGS) on every row means shifted data."""
    gap = _money(frame, BENCHMARK) - _money(frame, TOTAL) - _money(frame, SAVINGS)
    return bool(gap.notna().all() and (gap.abs() <= 1.0).all())  # the file rounds to 10 cents


def _reconciles_as_labelled(frame: pd.DataFrame) -> bool:
    """Unshifted layout: earned savings never exceed gross savings and counts are whole numbers."""
    gross, earned = _money(frame, TOTAL), _money(frame, SAVINGS).fillna(0)
    n = _money(frame, N_BENE)
    return bool((earned <= gross.clip(lower=0) + 1).all() and ((n - n.round()).abs() < 1e-9).all())


def _earned(savings: pd.Series, losses: pd.Series) -> pd.Series:
    """Earned savings, or the (negative) shared losses for a Track 2 ACO that owed; as text."""
    loss = parse_number(losses).values
    owes = (loss < 0).fillna(False)
    return savings.astype("string").where(~owes, losses.astype("string"))


def adapt_2013(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Current-name columns for a PY2013 file, and a note saying which layout was found."""
    missing = [c for c in (BENCHMARK, TOTAL, SAVINGS, LOSSES, N_BENE, PERSON_YEARS, QUALITY_FLAG)
               if c not in frame.columns]
    if missing:
        raise LayoutError(f"PY2013 column(s) missing: {', '.join(missing)}")
    out = frame.rename(columns=RENAMES)
    flag = frame[QUALITY_FLAG]
    # The 2013 "Quality Score" says whether the ACO completed quality reporting (pay for reporting).
    out[PAY_FOR_REPORTING] = flag
    out["QualScore"] = flag
    out = out.drop(columns=[QUALITY_FLAG])
    if _is_shifted(frame):
        if ESRD_YEARS not in frame.columns:
            raise LayoutError(f"PY2013 column missing: {ESRD_YEARS}")
        moved = {
            "ABtotExp": frame[TOTAL],
            "BnchmkMinExp": frame[SAVINGS],
            "EarnSaveLoss": _earned(frame[LOSSES], frame[N_BENE]),
            "N_AB": frame[PERSON_YEARS],
            "N_AB_Year": frame[ESRD_YEARS],
        }
        note = "columns 13-34 shifted one place right of their labels: realigned"
    elif _reconciles_as_labelled(frame):
        moved = {
            "BnchmkMinExp": frame[TOTAL],
            "EarnSaveLoss": _earned(frame[SAVINGS], frame[LOSSES]),
            "N_AB": frame[N_BENE],
            "N_AB_Year": frame[PERSON_YEARS],
        }
        note = "columns aligned with their labels; expenditure derived from the benchmark"
    else:
        raise LayoutError("PY2013 money columns reconcile neither shifted nor as labelled")
    # The labels whose data moved are dropped so that they are not read (or reported) again.
    out = out.drop(columns=[TOTAL, SAVINGS, LOSSES, N_BENE, PERSON_YEARS, ESRD_YEARS], errors="ignore")
    for name, column in moved.items():
        out[name] = column.to_numpy()
    return out, note
