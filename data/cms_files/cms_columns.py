"""Which CMS column feeds which `aco_year` field, in every year's spelling, and how to tell the year.

CMS renamed columns over the years (ACO_Num -> ACO_ID, Sav_rate -> Sav_Rate -> Sav_rate, ...) and the
standardized files lower-case everything, so names are matched case-insensitively against an ordered
alias list: the first alias present in a file wins. Columns the project deliberately does not load
(reporting flags, initial tracks, the state) are listed as patterns so that only truly unexpected
columns are reported as unknown; the descriptive columns are read by profile_columns and spending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "int", "number", "rate", "bool", "date"]


@dataclass(frozen=True)
class Field:
    """One `aco_year` column read straight from a source column.

    `rate_max` is the largest plausible value of a rate as a fraction; it decides the unit (see
    `parsing.rate_scale`). `required` fields stop the build when absent.
    """

    name: str
    kind: Kind
    aliases: tuple[str, ...]
    required: bool = False
    rate_max: float = 1.0


FIELDS: tuple[Field, ...] = (
    Field("aco_id", "text", ("ACO_ID", "ACO_Num", "ACO Identifier"), required=True),
    Field("aco_name", "text", ("ACO_Name", "ACO Name")),
    Field("agreement_type", "text", ("Agree_Type",)),
    Field("agreement_period_num", "int", ("Agreement_Period_Num",)),
    # Before 2016 the files have one start date: every ACO was in its first agreement, so it is both.
    Field("initial_start_date", "date", ("Initial_Start_Date", "Start_Date", "Start Date")),
    Field("current_start_date", "date", ("Current_Start_Date", "Start_Date", "Start Date")),
    Field("assigned_beneficiaries", "int", ("N_AB",), required=True),
    Field("person_years", "number", ("N_AB_Year_PY", "N_AB_Year")),
    Field("updated_benchmark_per_capita", "number", ("UpdatedBnchmk",)),
    Field("historical_benchmark_per_capita", "number", ("HistBnchmk",)),
    Field("expenditure_per_capita", "number", ("Per_Capita_Exp_TOTAL_PY",)),
    Field("benchmark", "number", ("ABtotBnchmk",), required=True),
    Field("expenditure", "number", ("ABtotExp",)),
    Field("quality_score", "rate", ("QualScore",)),
    Field("met_quality_standard", "bool", ("Met_QPS",)),
    Field("met_alternative_quality_standard", "bool", ("Met_AltQPS",)),
    Field("euc_affected_quality", "bool", ("DisAffQual",)),
    Field("met_quality_incentive", "bool", ("Met_Incentive",)),
    Field("met_quality_first_year", "bool", ("Met_FirstYear",)),
    Field("revenue_category", "text", ("Rev_Exp_Cat",)),
    Field("revenue_based_loss_limit", "bool", ("RevLossLimit",)),
    Field("reduced_sharing_below_msr", "bool", ("ReducedSS",)),
    Field("guardrail", "bool", ("Guardrail",)),
    Field("mid_year_termination", "bool", ("Impact_Mid_Year_Termination", "Prorate_Shared_Losses")),
    Field("advance_payment", "bool", ("Adv_Pay",)),
    Field("aco_investment_model", "bool", ("AIM",)),
    Field("advance_payment_amount", "number", ("Adv_Pay_Amt",)),
    Field("advance_payment_recouped", "number", ("Adv_Pay_Recoup",)),
    Field("advance_investment_payment", "bool", ("AIP",)),
    Field("aip_balance", "number", ("AIPBalance",)),
    Field("aip_recouped", "number", ("AIPRecoup",)),
    Field("aip_owed", "number", ("AIPOwe",)),
    # PosRegAdj is a 0/1 flag before 2022 and dollars from 2022 (see REGIONAL_DOLLARS_FROM).
    Field("regional_adjustment", "number", ("RegAdj", "PosRegAdj")),
    Field("prior_savings_adjustment", "number", ("PriorSavAdj", "Prior_Sav_Adj")),
    Field("cms_benchmark_minus_expenditure", "number", ("BnchmkMinExp",)),
    Field("cms_savings_rate", "rate", ("Sav_rate",)),
    Field("cms_minimum_savings_rate", "rate", ("MinSavPerc",), rate_max=0.2),
    Field("cms_minimum_loss_rate", "rate", ("MinLossPerc",), rate_max=0.2),
    Field("cms_max_sharing_rate", "rate", ("QualPerfShare", "MaxShareRate")),
    Field("cms_final_sharing_rate", "rate", ("FinalShareRate",)),
    Field("cms_final_loss_rate", "rate", ("FinalLossRate",)),
    Field("cms_generated_savings_losses", "number", ("GenSaveLoss",)),
    Field("cms_euc_loss_adjustment", "number", ("DisAdj",)),
    Field("cms_earned_savings_losses", "number", ("EarnSaveLoss",), required=True),
)
FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}


@dataclass(frozen=True)
class Column:
    """One column of the descriptive tables beside `aco_year` (spending.py, profile_columns.py) and the
    source columns it is read from in any year (the first alias present wins).

    `kind`: "number" (as published, times `scale`), "count" (a whole number), "share" (a fraction,
    percent columns divided by 100), "bool" or "text".
    """

    name: str
    aliases: tuple[str, ...]
    kind: Literal["number", "count", "share", "bool", "text"] = "number"
    scale: float = 1.0  # applied to the published number (per 1,000 discharges -> fraction)
REGIONAL_DOLLARS_FROM = 2022

# Columns read by the track / risk / six-month logic rather than through FIELDS.
TRACK_COLUMNS: tuple[str, ...] = (
    "Current_Track", "Track1", "Track2", "Current_Track_1", "Current_Track_2", "Current_Track_3",
    "Current_Track_1_Plus", "Current_BASIC_A", "Current_BASIC_B", "Current_BASIC_C", "Current_BASIC_D",
    "Current_BASIC_E", "Current_ENHANCED",
)
RISK_MODEL = "Risk_Model"
STATE = "ACO_State"  # read by cms_formats._Mapper.states (data/states.py)
SIX_MONTHS = "Participation_Six_Months"

# Columns CMS publishes that the normalized table does not carry (matched case-insensitively).
IGNORED_PATTERNS: tuple[str, ...] = (
    r"year", r"performance_year", r"Assign_Type", r"SNF_Waiver",
    r"Initial_(Track_\w+|BASIC_\w|ENHANCED)", r"Met_(30|40)pctl",
    r"Met_SSP_quality_reporting_requirements", r"Report_\w+", r"Recvd(Mean|30p|40p)",
    # The standardized files' own person-year-weighted risk score (not a CMS column); CMS's risk scores,
    # person-years by type, beneficiary counts, participants, shares and quality measures are read by
    # profile_columns.
    r"CMS_HCC_RiskScore_PY",
    # PY2013's verbose labels. (Its "Total performance year spending per assigned beneficiary" holds
    # another column's data, the file being shifted: py2013 moves the labels back, so it is gone there.)
    r"Interim payment election", r"Total performance year spending per assigned beneficiary",
)
_IGNORED = re.compile("|".join(f"(?:{p})" for p in IGNORED_PATTERNS), re.IGNORECASE)


def key(name: str) -> str:
    """Case-, space- and punctuation-insensitive form of a column name ("Sav_Rate" == "sav_rate")."""
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def is_ignored(column: str) -> bool:
    """True for a column CMS publishes that the project knowingly leaves out."""
    return column.startswith("_") or bool(_IGNORED.fullmatch(column.strip()))


class ColumnIndex:
    """Case-insensitive lookup of a file's columns that remembers which ones were used."""

    def __init__(self, columns: list[str]):
        self.columns = columns
        self._by_key: dict[str, str] = {}
        for c in columns:
            self._by_key.setdefault(key(c), c)
        self.used: set[str] = set()

    def find(self, *aliases: str, mark: bool = True) -> str | None:
        """The file's column for the first alias present (marked as used), else None."""
        for alias in aliases:
            column = self._by_key.get(key(alias))
            if column is not None:
                if mark:
                    self.used.add(column)
                return column
        return None

    def unknown(self) -> list[str]:
        """Columns neither used nor knowingly ignored: reported by name, never fatal."""
        return [c for c in self.columns if c not in self.used and not is_ignored(c)]


_YEAR_IN_NAME = re.compile(r"(?<!\d)(20[1-9]\d)(?!\d)")
# (year, columns that must all be present, columns that must all be absent), most specific first.
_SIGNATURES: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = (
    (2013, ("Total benchmark expenditures ($)",), ()),
    (2024, ("Current_Track", "Recvd40p"), ()),
    (2024, ("Current_Track", "AIPBalance"), ()),
    (2023, ("Current_Track", "Impact_Mid_Year_Termination"), ()),
    (2022, ("Current_Track", "Prorate_Shared_Losses"), ()),
    (2019, ("Participation_Six_Months",), ()),
    (2019, ("Initial_BASIC_A",), ()),
    (2021, ("Current_BASIC_A", "Recvd30p"), ()),
    (2020, ("Current_BASIC_A", "RecvdMean"), ()),
    (2018, ("Initial_Track_1_Plus",), ()),
    (2017, ("Initial_Track_1", "DisAdj"), ()),
    (2016, ("Initial_Track_1",), ("DisAdj",)),
    (2015, ("Track1", "N_AB_Year_PY"), ()),
    (2014, ("Track1", "N_AB_Year"), ()),
)


def year_from_name(file_name: str) -> int | None:
    """"mssp_puf_py2014.csv", "..._Results_2020.csv", "2019A.csv" -> the year in the name."""
    found = _YEAR_IN_NAME.findall(file_name)
    return int(found[-1]) if found else None


def year_from_columns(columns: list[str], year_values: list[str]) -> int | None:
    """The year from a `performance_year`/`year` column, else from which columns the file has."""
    years = {v.strip().split(".")[0] for v in year_values if v and v.strip()}
    if len(years) == 1 and (only := years.pop()).isdigit():
        return int(only)
    index = ColumnIndex(columns)
    for year, present, absent in _SIGNATURES:
        if all(index.find(c, mark=False) for c in present) and not any(
            index.find(c, mark=False) for c in absent
        ):
            return year
    return None
