"""The ACO's own description in a CMS results file -> three tables beside `aco_year` (data/profile_schema.py).

    aco_profile     one row per ACO-year: participants by type (N_PCP ... N_Fac_Other), beneficiaries
                    by age band, sex, race/ethnicity and assignment basis, dual and institutional shares
    aco_enrollment  one row per ACO-year, period (BY1, BY2, BY3, PY) and enrollment type (ESRD,
                    disabled, aged dual, aged non-dual): person-years, CMS-HCC and demographic risk
                    scores, CMS's RR_weight
    aco_quality     one row per ACO-year and published quality measure or CAHPS score
                    (cms_files/quality_measures.py maps every year's measure ids to one)

Names follow `aco_year`: snake_case, counts as integers, shares as fractions (CMS's Perc_* columns are
percent: 9.53 or "9.53%" -> 0.0953). Column names are matched as cms_columns does (case and punctuation
aside), PY2013's verbose labels included (py2013 puts every shifted label back over its data).

The files hold some 100 such columns each; parsing them cell by cell in Python would cost about as much
as the rest of the build, so a file's columns are parsed in one block (`numbers`, through
parsing.parse_number_block: pandas' C reader, and the strict cell-by-cell parser only for the cells it
cannot take, such as a stray word or an accounting "(12)"), which names what it could not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.cms_files.cms_columns import Column, ColumnIndex
from data.cms_files.parsing import FIGURE, null_warnings, parse_number_block
from data.cms_files.quality_measures import DOMAINS, MEASURES, UNIT_MEANINGS, Measure

# PY2020 publishes "^" for the CAHPS survey it did not field and "~" for two claims measures it did not
# calculate: no value, like the suppression marks.
NO_VALUE = ("^", "~")
PERCENT_ABOVE = 1.0  # a share or rate column with a value above 1 is in percent


def _ben(name: str, cms: str, label_2013: str | None = None) -> Column:
    label = f"Total number of assigned beneficiaries, {label_2013}" if label_2013 else None
    return Column(f"beneficiaries_{name}", (cms, label) if label else (cms,), kind="count")


def _participants(name: str, cms: str, label_2013: str | None = None) -> Column:
    return Column(name, (cms, label_2013) if label_2013 else (cms,), kind="count")


# One `aco_profile` column each: participants and beneficiaries as counts, the Perc_* columns as shares.
PROFILE_FIELDS: tuple[Column, ...] = (
    _participants("primary_care_physicians", "N_PCP", "Number of participating PCPs"),
    _participants("specialists", "N_Spec", "Number of participating specialists"),
    _participants("nurse_practitioners", "N_NP", "Number of participating nurse practitioners"),
    _participants("physician_assistants", "N_PA", "Number of participating physician assistants"),
    _participants("clinical_nurse_specialists", "N_CNS", "Number of participating clinical nurse specialist"),
    _participants("hospitals", "N_Hosp"),
    _participants("critical_access_hospitals", "N_CAH", "Number of CAH IIs"),
    _participants("federally_qualified_health_centers", "N_FQHC", "Number of FQHCs"),
    _participants("rural_health_clinics", "N_RHC", "Number of RHCs"),
    _participants("eta_hospitals", "N_ETA", "Number of ETA hospitals"),
    _participants("other_facilities", "N_Fac_Other", "Number of other facility types"),
    _ben("age_0_64", "N_Ben_Age_0_64", "age 0-64"),
    _ben("age_65_74", "N_Ben_Age_65_74", "age 65-74"),
    _ben("age_75_84", "N_Ben_Age_75_84", "age 75-84"),
    _ben("age_85_plus", "N_Ben_Age_85plus", "age 85+"),
    _ben("female", "N_Ben_Female", "Female"),
    _ben("male", "N_Ben_Male", "Male"),
    _ben("race_white", "N_Ben_Race_White", "Non-Hispanic White"),
    _ben("race_black", "N_Ben_Race_Black", "Black"),
    _ben("race_asian", "N_Ben_Race_Asian", "Asian"),
    _ben("race_hispanic", "N_Ben_Race_Hisp", "Hispanic"),
    _ben("race_native", "N_Ben_Race_Native", "North American Native"),
    _ben("race_other", "N_Ben_Race_Other", "Other"),
    _ben("race_unknown", "N_Ben_Race_Unknown"),
    _ben("voluntary_alignment_only", "N_Ben_VA_Only"),
    _ben("claims_based_only", "N_Ben_CBA_Only"),
    _ben("claims_based_and_voluntary", "N_Ben_CBA_and_VA"),
    Column("person_years_dual", ("N_AB_Year_Dual_PY",)),
    Column("person_years_non_dual", ("N_AB_Year_NonDual_PY",)),
    Column("dual_share", ("Perc_Dual",), kind="share"),
    Column("long_term_institutional_share", ("Perc_LTI",), kind="share"),
    Column("covid_diagnosis_share", ("Perc_CovDiag",), kind="share"),
    Column("covid_episode_share", ("Perc_CovEpisode",), kind="share"),
)

PERIODS: tuple[str, ...] = ("BY1", "BY2", "BY3", "PY")
# enrollment type: (code in the risk-score names, code in the person-year names, PY2013's label)
ENROLLMENT_TYPES: dict[str, tuple[str, str, str]] = {
    "esrd": ("ESRD", "ESRD", "ESRD"),
    "disabled": ("DIS", "DIS", "DISABLED"),
    "aged_dual": ("AGDU", "AGED_Dual", "AGED/DUAL"),
    "aged_non_dual": ("AGND", "AGED_NonDual", "AGED/NON-DUAL"),
}
ENROLLMENT_VALUES: tuple[str, ...] = ("person_years", "cms_hcc_risk_score", "demographic_risk_score",
                                      "rr_weight")


def enrollment_aliases(value: str, enrollment_type: str, period: str) -> tuple[str, ...]:
    """CMS's names of one enrollment-table value, in every year's spelling.

    >>> enrollment_aliases("person_years", "aged_dual", "PY")[:2]
    ('N_AB_Year_AGED_Dual_PY', 'N_AB_Year_AGED_Dual')
    >>> enrollment_aliases("person_years", "aged_dual", "PY")[2]
    'Total number of AGED/DUAL assigned beneficiary person years'
    >>> risk, weight = ("cms_hcc_risk_score", "esrd", "BY1"), ("rr_weight", "esrd", "BY2")
    >>> enrollment_aliases(*risk), enrollment_aliases(*weight)
    (('CMS_HCC_RiskScore_ESRD_BY1',), ())
    """
    risk, years, label = ENROLLMENT_TYPES[enrollment_type]
    if value == "person_years":
        if period == "PY":  # PY2014 has no suffix; PY2013 its verbose label
            return (f"N_AB_Year_{years}_PY", f"N_AB_Year_{years}",
                    f"Total number of {label} assigned beneficiary person years")
        return (f"N_AB_Year_{years}_{period}",)
    prefix = {"cms_hcc_risk_score": "CMS_HCC_RiskScore", "demographic_risk_score": "Demog_RiskScore",
              "rr_weight": "RR_weight"}[value]
    if value == "rr_weight" and period != "PY":
        return ()
    return (f"{prefix}_{risk}_{period}",)


@dataclass
class ProfileResult:
    """The three tables of one file (rows labelled by the raw frame's index), and what to tell."""

    tables: dict[str, pd.DataFrame]
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def numbers(block: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Every cell of `block` (strings) as a number; CMS's no-value marks and blanks as NaN.

    Money and count decorations ("$", ",", "%", spaces) are dropped as parsing.parse_number drops them
    (parsing.parse_number_block: the C reader for the plain cells, the strict loop for the rest).
    Returns the numbers and warnings naming the cells that could not be read or were infinite (set NaN).

    >>> values, warnings = numbers(pd.DataFrame({"a": ["1,234", "-", "9.5%"], "b": ["^", "2", None]}))
    >>> values.to_dict("list"), warnings
    ({'a': [1234.0, nan, 9.5], 'b': [nan, 2.0, nan]}, [])
    >>> numbers(pd.DataFrame({"a": ["9.5%", "junk", "3"]}))[0]["a"].tolist()  # "9.5%" read beside junk
    [9.5, nan, 3.0]
    >>> for warning in numbers(pd.DataFrame({"a": ["1", "n.a", "1e999"]}))[1]:
    ...     print(warning)
    column 'a': 1 unreadable value(s) set to NULL (e.g. row 2: 'n.a')
    column 'a': 1 non-finite value(s) set to NULL (e.g. row 3: '1e999')
    """
    values, bad, infinite = parse_number_block(block, FIGURE, NO_VALUE)
    return values, null_warnings(block, bad, infinite)


class _Reader:
    def __init__(self, raw: pd.DataFrame, index: ColumnIndex):
        self.raw = raw
        self.rows = raw.index.to_numpy()
        self.index = index
        self.result = ProfileResult({})
        self.wanted: dict[str, str] = {}  # our name -> the file's column
        self.values = np.empty((len(raw), 0))
        self.position: dict[str, int] = {}  # our name -> its column of `values`

    def want(self, name: str, aliases: tuple[str, ...]) -> bool:
        column = self.index.find(*aliases) if aliases else None
        if column is not None:
            self.wanted[name] = column
        return column is not None

    def parse(self) -> None:
        """All wanted columns at once (see `numbers`), as one float array."""
        columns = list(dict.fromkeys(self.wanted.values()))
        values, warnings = numbers(self.raw[columns])
        self.result.warnings += warnings
        self.values = values.to_numpy(dtype=float)
        at = {c: i for i, c in enumerate(columns)}
        self.position = {name: at[column] for name, column in self.wanted.items()}

    def get(self, name: str) -> np.ndarray | None:
        return self.values[:, self.position[name]] if name in self.position else None

    def blank(self, name: str, values: np.ndarray) -> None:
        if len(values) and np.isnan(values).all():
            self.result.missing.append(f"{name} (blank)")


def _profile(reader: _Reader) -> pd.DataFrame:
    """Counts stay floats here (whole numbers or NaN): the store casts them to INTEGER, NaN to NULL."""
    shares = [reader.get(f.name) for f in PROFILE_FIELDS if f.kind == "share" and f.name in reader.position]
    percent = any(bool((np.abs(v) > PERCENT_ABOVE).any()) for v in shares)
    out: dict[str, np.ndarray] = {}
    for spec in PROFILE_FIELDS:
        column = reader.get(spec.name)
        if column is None:
            reader.result.missing.append(spec.name)
            out[spec.name] = np.full(len(reader.rows), np.nan)
            continue
        reader.blank(spec.name, column)
        if spec.kind == "count":
            fractional = np.abs(column - np.round(column)) > 1e-6  # NaN compares False
            if fractional.any():
                first = int(np.flatnonzero(fractional)[0])
                reader.result.warnings.append(
                    f"column {reader.wanted[spec.name]!r}: {int(fractional.sum())} count(s) not whole, set "
                    f"to NULL (e.g. row {first + 1}: {column[first]:g})")
            column = np.where(fractional, np.nan, np.round(column))
        elif spec.kind == "share" and percent:
            column = np.round(column / 100, 10)
        out[spec.name] = column
    return pd.DataFrame(out, index=reader.raw.index)


def _enrollment(reader: _Reader, found: dict[str, bool]) -> pd.DataFrame:
    """Long: one row per ACO-year, enrollment type and period with any value published."""
    combos = [(t, p) for t in ENROLLMENT_TYPES for p in PERIODS]
    n = len(reader.rows)
    empty = np.full(n, np.nan)
    # values[value] is (rows x combos), flattened row-major: row 0's 16 combos, then row 1's...
    values = {value: np.column_stack([
        v if (v := reader.get(f"{value}:{t}:{p}")) is not None else empty for t, p in combos]).ravel()
        for value in ENROLLMENT_VALUES}
    for value in ENROLLMENT_VALUES:
        if not found[value]:
            reader.result.missing.append(value)
    keep = np.zeros(n * len(combos), dtype=bool)
    for array in values.values():
        keep |= ~np.isnan(array)
    codes = np.tile(np.arange(len(combos)), n)[keep]  # categorical: the store reads codes, not strings
    return pd.DataFrame({
        "_row": np.repeat(reader.rows, len(combos))[keep],
        "enrollment_type": pd.Categorical.from_codes(codes // len(PERIODS), list(ENROLLMENT_TYPES)),
        "period": pd.Categorical.from_codes(codes % len(PERIODS), list(PERIODS)),
        **{value: array[keep] for value, array in values.items()},
    })


# The text columns of the long tables are categories over these fixed lists (the build joins files'
# tables by their codes).
CATEGORIES: dict[str, list[str]] = {
    "enrollment_type": list(ENROLLMENT_TYPES),
    "period": list(PERIODS),
    "measure_id": [m.measure_id for m in MEASURES],
    "measure_name": [m.name for m in MEASURES],
    "domain": list(DOMAINS),
    "unit": list(UNIT_MEANINGS),
    "cms_column": [c for m in MEASURES for c in m.columns],
}
QUALITY_COLUMNS = ("_row", "measure_id", "value", "cms_column")  # the rest once a measure: quality_measure


def _quality(reader: _Reader, measures: dict[str, Measure]) -> pd.DataFrame:
    """Long: one row per ACO-year and measure with a value; rates published in percent as fractions."""
    parts: dict[str, list[np.ndarray]] = {c: [] for c in ("_row", "value", "measure")}
    found: list[tuple[Measure, str]] = []  # (measure, the file's column), coded by position
    for name, measure in measures.items():
        column = reader.get(name)
        present = ~np.isnan(column)
        if not present.any():
            continue
        if measure.unit == "fraction" and (np.abs(column[present]) > PERCENT_ABOVE).any():
            column = np.round(column / 100, 10)
        parts["_row"].append(reader.rows[present])
        parts["value"].append(column[present])
        parts["measure"].append(np.full(int(present.sum()), len(found)))
        found.append((measure, name.removeprefix("measure:")))  # CMS's spelling of the column
    if not found:
        return pd.DataFrame(columns=list(QUALITY_COLUMNS))
    code = np.concatenate(parts["measure"])

    def coded(name: str, values: list[str]) -> pd.Categorical:
        categories = CATEGORIES[name]
        return pd.Categorical.from_codes(np.array([categories.index(v) for v in values])[code], categories)

    return pd.DataFrame({
        "_row": np.concatenate(parts["_row"]),
        "measure_id": coded("measure_id", [m.measure_id for m, _ in found]),
        "value": np.concatenate(parts["value"]),
        "cms_column": coded("cms_column", [c for _, c in found]),
    })


def read_profile(raw: pd.DataFrame, index: ColumnIndex) -> ProfileResult:
    """The three tables for one file's raw string frame (rows labelled by its index; the long tables
    carry it as `_row`). Columns read are marked used in `index`, so they leave its unknown list."""
    reader = _Reader(raw, index)
    for spec in PROFILE_FIELDS:
        reader.want(spec.name, spec.aliases)
    found = dict.fromkeys(ENROLLMENT_VALUES, False)
    for value in ENROLLMENT_VALUES:
        for enrollment_type in ENROLLMENT_TYPES:
            for period in PERIODS:
                aliases = enrollment_aliases(value, enrollment_type, period)
                found[value] |= reader.want(f"{value}:{enrollment_type}:{period}", aliases)
    measures: dict[str, Measure] = {}
    for measure in MEASURES:
        for column in measure.columns:
            name = f"measure:{column}"
            if reader.want(name, (column,)):
                measures[name] = measure
    reader.parse()
    reader.result.tables = {
        "aco_profile": _profile(reader),
        "aco_enrollment": _enrollment(reader, found),
        "aco_quality": _quality(reader, measures),
    }
    return reader.result
