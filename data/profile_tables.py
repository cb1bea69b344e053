"""The tables of the ACO's own description beside `aco_year`: their contract, and their keys.

`aco_profile`, `aco_enrollment` and `aco_quality` (read from CMS's files by
data/cms_files/profile_columns.py) are keyed like `aco_year`: (performance_year, aco_id,
six_month_period), so every row joins the ACO-year it describes (and, through it, its lineage).
Conventions as in data/schema.py: counts as integers, person-years as decimals, shares and rates as
fractions where CMS publishes percent, NULL where CMS publishes no value ("-", "*", "^", blank).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from data.cms_files.profile_columns import CATEGORIES, ENROLLMENT_TYPES, PERIODS, PROFILE_FIELDS
from data.cms_files.quality_measures import DOMAINS, UNIT_MEANINGS

Columns = tuple[tuple[str, str, str], ...]
KEY_COLUMNS: Columns = (
    ("performance_year", "INTEGER", "calendar performance year (PY), as in aco_year"),
    ("aco_id", "VARCHAR", "the ACO's id that year, as in aco_year"),
    ("six_month_period", "VARCHAR", "PY2019 six-month period, as in aco_year (NULL for a 12-month year)"),
)
KEYS: tuple[str, ...] = tuple(c for c, _, _ in KEY_COLUMNS)

_MEANINGS: dict[str, str] = {
    "primary_care_physicians": "N_PCP: participating primary care physicians",
    "specialists": "N_Spec: participating specialists",
    "nurse_practitioners": "N_NP: participating nurse practitioners",
    "physician_assistants": "N_PA: participating physician assistants",
    "clinical_nurse_specialists": "N_CNS: participating clinical nurse specialists",
    "hospitals": "N_Hosp: participating hospitals (PY2018+)",
    "critical_access_hospitals": "N_CAH: critical access hospitals (PY2013's label: 'CAH IIs', method II)",
    "federally_qualified_health_centers": "N_FQHC: federally qualified health centers",
    "rural_health_clinics": "N_RHC: rural health clinics",
    "eta_hospitals": "N_ETA: electing teaching amendment (ETA) hospitals",
    "other_facilities": "N_Fac_Other: other facility types",
    "beneficiaries_voluntary_alignment_only": "N_Ben_VA_Only: assigned by voluntary alignment only (PY2022+)",
    "beneficiaries_claims_based_only": "N_Ben_CBA_Only: assigned by claims only (PY2022+)",
    "beneficiaries_claims_based_and_voluntary": "N_Ben_CBA_and_VA: by claims and voluntary alignment "
                                                "(PY2022+)",
    "beneficiaries_race_unknown": "N_Ben_Race_Unknown: race/ethnicity unknown (PY2022+)",
    "person_years_dual": "N_AB_Year_Dual_PY: person-years of dually eligible beneficiaries (PY2023+)",
    "person_years_non_dual": "N_AB_Year_NonDual_PY: person-years of the others (PY2023+)",
    "dual_share": "Perc_Dual as a fraction (CMS: percent dually eligible; PY2021+)",
    "long_term_institutional_share": "Perc_LTI as a fraction (long-term institutionalized; PY2021+)",
    "covid_diagnosis_share": "Perc_CovDiag as a fraction (COVID-19 diagnosis; PY2021-2023)",
    "covid_episode_share": "Perc_CovEpisode as a fraction (COVID-19 episode; PY2021-2023)",
}


def _profile_meaning(name: str, aliases: tuple[str, ...]) -> str:
    if name in _MEANINGS:
        return _MEANINGS[name]
    return f"{aliases[0]}: assigned beneficiaries, {name.removeprefix('beneficiaries_').replace('_', ' ')}"


def _kind(kind: str) -> str:
    return "INTEGER" if kind == "count" else "DOUBLE"


ACO_PROFILE_COLUMNS: Columns = KEY_COLUMNS + tuple(
    (f.name, _kind(f.kind), _profile_meaning(f.name, f.aliases)) for f in PROFILE_FIELDS
)
ACO_ENROLLMENT_COLUMNS: Columns = KEY_COLUMNS + (
    ("period", "VARCHAR", f"one of {', '.join(PERIODS)}: benchmark years 1-3 or the performance year"),
    ("enrollment_type", "VARCHAR", f"one of {', '.join(ENROLLMENT_TYPES)} (CMS: ESRD, DIS, AGDU, AGND)"),
    ("person_years", "DOUBLE", "N_AB_Year_<type>_<BY3|PY>: assigned-beneficiary person-years (BY3 and PY)"),
    ("cms_hcc_risk_score", "DOUBLE", "CMS_HCC_RiskScore_<type>_<period>: mean CMS-HCC risk score"),
    ("demographic_risk_score", "DOUBLE", "Demog_RiskScore_<type>_<BY3|PY>: demographic risk score (PY2024+)"),
    ("rr_weight", "DOUBLE", "RR_weight_<type>_PY as published (PY2024+; the four types sum to 1)"),
)
ACO_QUALITY_COLUMNS: Columns = KEY_COLUMNS + (
    ("measure_id", "VARCHAR", "one id per measure across years: its latest CMS id "
                              "(data/cms_files/quality_measures.py)"),
    ("measure_name", "VARCHAR", "CMS's title of the measure"),
    ("domain", "VARCHAR", f"quality domain: {'; '.join(DOMAINS)}"),
    ("value", "DOUBLE", "the ACO's result, in `unit`"),
    ("unit", "VARCHAR", "; ".join(f"'{k}': {v}" for k, v in UNIT_MEANINGS.items())),
    ("lower_is_better", "BOOLEAN", "true for readmission, admission and poor-control measures"),
    ("cms_column", "VARCHAR", "the CMS column the value came from that year (ACO13, QualityID_318 ...)"),
)
PROFILE_TABLES: tuple[tuple[str, Columns], ...] = (
    ("aco_profile", ACO_PROFILE_COLUMNS),
    ("aco_enrollment", ACO_ENROLLMENT_COLUMNS),
    ("aco_quality", ACO_QUALITY_COLUMNS),
)


def keyed(rows: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, np.ndarray]]:
    """One file's profile tables, as columns, with the keys of the `aco_year` rows they describe.

    `rows`: the file's `aco_year` rows as loaded (ids derived, refused and skipped rows gone), with the
    index of the raw frame; the wide table is labelled by that index, the long ones carry it as `_row`.
    Rows of ACO-years not loaded are dropped. Plain arrays, joined into frames once by `combined`: a
    DataFrame per file and table cost more in pandas' overhead than the data itself.
    """
    out: dict[str, dict[str, np.ndarray]] = {}
    keys = {key: rows[key].to_numpy(dtype=int if key == "performance_year" else object) for key in KEYS}
    for table, columns in PROFILE_TABLES:
        frame = tables.get(table)
        if frame is None or frame.empty or rows.empty:
            continue
        labels = frame["_row"].to_numpy() if "_row" in frame else frame.index
        at = rows.index.get_indexer(labels)  # -1: an ACO-year not loaded
        kept = at >= 0
        found = {key: keys[key][at[kept]] for key in KEYS}
        values = [n for n, _, _ in columns if n not in KEYS]
        if "_row" in frame:  # long: a few columns of several types, text as codes (CATEGORIES)
            found |= {n: (frame[n].cat.codes if n in CATEGORIES else frame[n]).to_numpy()[kept]
                      for n in values}
        else:  # wide: one float block
            block = frame[values].to_numpy(dtype=float)[kept]
            found |= {n: block[:, j] for j, n in enumerate(values)}
        out[table] = found
    return out


def combined(parts: Iterable[dict[str, dict[str, np.ndarray]]]) -> dict[str, pd.DataFrame]:
    """Every file's tables (`keyed`) as one frame per table, in file order; empty frames when none.

    Text columns become categories: the store then reads a few codes, not every string.
    """
    parts = list(parts)
    out = {}
    for table, columns in PROFILE_TABLES:
        found = [p[table] for p in parts if table in p]
        data = {}
        for name, kind, _ in columns:
            values = np.concatenate([f[name] for f in found]) if found else np.array([], dtype=object)
            if name in CATEGORIES:
                values = pd.Categorical.from_codes(values.astype(int), CATEGORIES[name])
            elif kind == "VARCHAR":
                values = pd.Categorical(values)
            data[name] = values.astype(bool) if kind == "BOOLEAN" and found else values
        out[table] = pd.DataFrame(data)
    return out
