"""What an ACO spends and how its beneficiaries use care, from one results file: the columns of
schema.SPENDING_TABLES (`aco_spending`, `aco_utilization`, `aco_benchmark_parts`).

The same figure has several spellings over the years: CMS's own files (`CapAnn_HSP`; PY2014 wrote
`capann_hsp`), the standardized lower-case files and PY2013's verbose labels ("Hospice spending per
assigned beneficiary"); names are matched case-insensitively, first alias present wins (cms_columns).
What each year publishes (files here and COLUMNS.md):

    per-capita expenditure by enrollment type   BY1-BY3 and PY from PY2014; PY2013 the PY only
    spending by setting (CapAnn_*)               every year; outpatient not in PY2013, "other
                                                 inpatient" PY2013-2019 only
    admissions, ED, imaging, E&M, SNF admissions every year
    CHF / COPD admissions, post-discharge visits PY2013-2020 (CMS files; not in the standardized ones)
    pneumonia admissions PY2013-2016, readmission rate PY2013-2017, acute composite PY2017
    SNF length of stay, payment per stay         PY2018, PY2021+ (blank in the standardized files)
    RegTrndUpdt                                  PY2017-2020 (0/1)
    PosRegAdj                                    PY2017-2021 a 0/1 flag (read here); from PY2022 the
                                                 regional adjustment in $ (aco_year reads that)
    FinalAdjCat                                  PY2024

Units: money in $ per person-year as published, utilization per 1,000 person-years, the readmission
rate (published per 1,000 discharges) as a fraction. A cell that cannot be read becomes NULL with a
counted warning; a descriptive figure never refuses a row or fails a file. A column a file does not
have is listed by name in the missing list (`source.missing_columns`), "(blank)" when present but
empty on every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.cms_files.cms_columns import REGIONAL_DOLLARS_FROM, Column, ColumnIndex
from data.cms_files.parsing import null_warnings, parse_bool, parse_number_block, parse_text
from data.schema import ENROLLMENT_TYPES, SPENDING_PERIODS, SPENDING_TABLES

_PER = "per 1,000 person years"


def _enrollment_columns() -> tuple[Column, ...]:
    columns = []
    for name, code, label in ENROLLMENT_TYPES:
        for period in SPENDING_PERIODS:
            aliases = [f"Per_Capita_Exp_ALL_{code}_{period.upper()}"]
            if period == "py":
                aliases.append(f"Total expenditures per assigned {label} beneficiary")  # PY2013
            columns.append(Column(f"expenditure_per_capita_{name}_{period}", tuple(aliases)))
    return tuple(columns)


def _setting(name: str, column: str, label_2013: str | None) -> Column:
    labels = (f"{label_2013} spending per assigned beneficiary",) if label_2013 else ()
    return Column(f"expenditure_per_capita_{name}", (column, *labels))


COLUMNS: tuple[Column, ...] = (
    *_enrollment_columns(),
    _setting("inpatient", "CapAnn_INP_All", "Total inpatient"),
    _setting("inpatient_short_term", "CapAnn_INP_S_trm", "Acute care hospital (IPPS/CAH)"),
    _setting("inpatient_long_term", "CapAnn_INP_L_trm", "Long-term care hospital"),
    _setting("inpatient_rehab", "CapAnn_INP_Rehab", "Inpatient rehabilitation facility (IRF)"),
    _setting("inpatient_psych", "CapAnn_INP_Psych", "Inpatient psychiatric hospital"),
    _setting("inpatient_other", "CapAnn_INP_Other", "Other inpatient"),
    _setting("hospice", "CapAnn_HSP", "Hospice"),
    _setting("snf", "CapAnn_SNF", "Skilled nursing facility"),
    _setting("outpatient", "CapAnn_OPD", None),
    _setting("physician_supplier", "CapAnn_PB", "Physician/supplier"),
    _setting("ambulance", "CapAnn_AmbPay", "Ambulance"),
    _setting("home_health", "CapAnn_HHA", "Home health"),
    _setting("dme", "CapAnn_DME", "Durable medical equipment"),
    Column("admissions_per_1000", ("ADM", f"Inpatient hospital discharges {_PER}")),
    Column("admissions_short_term_per_1000", ("ADM_S_Trm", f"Acute care hospital discharges {_PER}")),
    Column("admissions_long_term_per_1000", ("ADM_L_Trm", f"LTCH discharges {_PER}")),
    Column("admissions_rehab_per_1000", ("ADM_Rehab", f"IRF discharges {_PER}")),
    Column("admissions_psych_per_1000", ("ADM_Psych", f"IPF discharges {_PER}")),
    Column("admissions_chf_per_1000", ("CHF_ADM", f"CHF (PQI8) discharges  {_PER}")),
    Column("admissions_copd_per_1000", ("COPD_ADM", f"COPD/Asthma (PQI5) discharges {_PER}")),
    Column("admissions_pneumonia_per_1000", ("PNEU_ADM", f"Bacterial Pneumonia (PQI11) discharges {_PER}")),
    Column("admissions_acute_composite_per_1000", ("acute_adm",)),
    Column("readmission_rate",
           ("readm_Rate_1000", "Acute care readmissions (all-cause 30 day) per 1,000 discharges"),
           scale=0.001),
    Column("post_discharge_visits_per_1000_discharges",
           ("prov_Rate_1000", "Post-acute care discharge provider visits (30 day)  per 1,000 discharges")),
    Column("ed_visits_per_1000", ("P_EDV_Vis", f"Outpatient ED visits {_PER}")),
    Column("ed_visits_hospitalized_per_1000", ("P_EDV_Vis_HOSP", f"Inpatient ED visits {_PER}")),
    Column("ct_events_per_1000", ("P_CT_VIS", f"Computed tomography (CT) events {_PER}")),
    Column("mri_events_per_1000", ("P_MRI_VIS", f"Magnetic resonance imaging (MRI) events {_PER}")),
    Column("em_visits_per_1000", ("P_EM_Total", f"Primary care services {_PER}")),
    Column("em_visits_pcp_per_1000", ("P_EM_PCP_Vis", f"Primary care services with a PCP {_PER}")),
    Column("em_visits_specialist_per_1000",
           ("P_EM_SP_Vis", f"Primary care services with a specialist {_PER}")),
    Column("nurse_visits_per_1000", ("P_Nurse_Vis", f"Primary care services with a NP/PA/CNS {_PER}")),
    Column("fqhc_rhc_visits_per_1000", ("P_FQHC_RHC_Vis", f"Primary care services with a FQHC/RHC {_PER}")),
    Column("snf_admissions_per_1000", ("P_SNF_ADM", f"Skilled nursing facility discharges {_PER}")),
    Column("snf_length_of_stay", ("SNF_LOS",)),
    Column("snf_payment_per_stay", ("SNF_PayperStay",)),
    Column("regional_trend_update", ("RegTrndUpdt",), kind="bool"),
    Column("positive_regional_adjustment", ("PosRegAdj",), kind="bool"),
    Column("final_adjustment_category", ("FinalAdjCat",), kind="text"),
)
NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
KEY: tuple[str, ...] = ("performance_year", "aco_id", "six_month_period")
# FinalAdjCat's labels (PY2024) -> codes; other text is kept as published.
ADJUSTMENT_CATEGORIES = {"regional adjustment": "REGIONAL", "prior savings adjustment": "PRIOR_SAVINGS",
                         "no adjustment": "NONE"}


@dataclass
class SpendingResult:
    """The columns read from one file (the frame's index is the raw frame's) and what to tell."""

    frame: pd.DataFrame
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _source(spec: Column, index: ColumnIndex, year: int) -> str | None:
    if spec.name == "positive_regional_adjustment" and year >= REGIONAL_DOLLARS_FROM:
        return None  # dollars from PY2022: aco_year.regional_adjustment reads it
    return index.find(*spec.aliases)


def _warn(result: SpendingResult, raw: pd.DataFrame, column: str, mask: pd.Series, what: str) -> None:
    if mask.any():
        first = mask.idxmax()
        result.warnings.append(f"column {column!r}: {int(mask.sum())} {what} set to NULL "
                               f"(e.g. row {int(first) + 1}: {raw.at[first, column]!r})")


def read(raw: pd.DataFrame, index: ColumnIndex, year: int) -> SpendingResult:
    """The spending, utilization and benchmark-part columns of one file's raw string frame.

    `index` is the file's ColumnIndex: the columns read are marked used, so they leave the build's
    list of unknown columns.
    """
    result = SpendingResult(pd.DataFrame(index=raw.index))
    found = {spec.name: _source(spec, index, year) for spec in COLUMNS}
    numbers = [s for s in COLUMNS if s.kind == "number" and found[s.name]]
    columns: dict[str, object] = {}
    if numbers:  # one block: per-column parsing costs ~20x more over the ~60 columns of a year
        block = raw[[found[s.name] for s in numbers]]
        values, bad, infinite = parse_number_block(block)
        result.warnings += null_warnings(block, bad, infinite)
        scaled = values.to_numpy() * np.array([s.scale for s in numbers])
        blank = np.isnan(scaled).all(axis=0) if len(raw) else np.zeros(len(numbers), dtype=bool)
        columns.update({s.name: scaled[:, i] for i, s in enumerate(numbers)})
        result.missing += [f"{s.name} (blank)" for s, empty in zip(numbers, blank, strict=True) if empty]
    for spec in COLUMNS:
        source = found[spec.name]
        if spec.kind != "number" and source:
            parsed = (parse_bool if spec.kind == "bool" else parse_text)(raw[source])
            _warn(result, raw, source, parsed.bad, "unreadable value(s)")
            columns[spec.name] = parsed.values.mask(parsed.bad) if parsed.bad.any() else parsed.values
            if len(raw) and parsed.values.isna().all():
                result.missing.append(f"{spec.name} (blank)")
        elif source is None:
            if not (spec.name == "positive_regional_adjustment" and year >= REGIONAL_DOLLARS_FROM):
                result.missing.append(spec.name)
            columns[spec.name] = pd.Series(None, index=raw.index, dtype=_DTYPES[spec.kind])
    frame = pd.DataFrame({name: columns[name] for name in NAMES}, index=raw.index)
    if found["final_adjustment_category"]:
        category = frame["final_adjustment_category"]
        code = category.str.lower().map(ADJUSTMENT_CATEGORIES)
        frame["final_adjustment_category"] = code.astype("string").fillna(category)
    result.frame = frame
    return result


_DTYPES = {"number": "float64", "bool": "boolean", "text": "string"}


def tables(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The spending tables by name (schema.SPENDING_TABLES) from the build's rows: `aco_year`'s key and
    the columns `read` added. Rows without them (demo data) give tables of NULL figures."""
    out = {}
    for table, columns in SPENDING_TABLES:
        names = [c for c, _, _ in columns]
        out[table] = rows.reindex(columns=names)
    return out
