"""CMS's quality measure and CAHPS columns, every year's id mapped to one id per measure.

Until PY2020 the results files carry the MSSP's own measure set, ACO1 ... ACO46 (and DM_Comp); from
PY2021 the APM Performance Pathway (APP): CAHPS_1 ... CAHPS_11, QualityID_<MIPS quality id> and
Measure_<id>. Where a measure went on under a new id it is kept under one `measure_id`, its latest
CMS id: ACO13 (Falls: Screening for Future Fall Risk) is QualityID_318, ACO1 is CAHPS_1. The evidence
is CMS's own: the measure titles match, the PY2021 file lists the APP columns in the order of the
ACO measures they replace (ACO1-7, ACO34, ACO45, ACO46 -> CAHPS_1-7, CAHPS_11, CAHPS_9, CAHPS_8;
ACO13, 14, 17, 18, 19, 20, 42, 40, 27, 28 -> QualityID_318, 110, 226, 134_WI, 113, 112, 438, 370,
001_WI, 236_WI), and the values keep their level across PY2020 -> PY2021. Measures that did not go
on keep their own id: ACO8 (all-condition readmission) and Measure_479 (hospital-wide readmission,
MIPS) are different measures, so are ACO38 and the MCC admission measures (Measure_MCC1, PY2021;
Measure_484, PY2022+), and each collection type of QualityID_001/134/236 (Web Interface, eCQM,
MIPS CQM, Medicare CQM) is its own measure.

Titles are CMS's measure titles (MSSP quality measure tables; the APP measure list); domains are the
MSSP's four quality domains of PY2013-2020, an APP measure taking its predecessor's. Units: CMS
publishes performance rates in percent (fractions here: 0.8312 for 83.12), CAHPS summary survey
measures as scores on a 0-100 scale (kept), admission measures as rates per 100 person-years (kept);
where the unit is not documented in the files the value is kept as published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from data.cms_files.cms_columns import key

Unit = Literal["fraction", "score_0_100", "per_100_person_years", "as_published"]

EXPERIENCE = "Patient/Caregiver Experience"
COORDINATION = "Care Coordination/Patient Safety"
PREVENTIVE = "Preventive Health"
AT_RISK = "At-Risk Population"
DOMAINS: tuple[str, ...] = (EXPERIENCE, COORDINATION, PREVENTIVE, AT_RISK)


@dataclass(frozen=True)
class Measure:
    """One measure: its id here (the latest CMS id), CMS's title, domain, unit and direction.

    `columns`: the CMS column names it was published under, oldest first.
    """

    measure_id: str
    name: str
    domain: str
    unit: Unit
    columns: tuple[str, ...]
    lower_is_better: bool = False


def _cahps(number: int, title: str, old: str) -> Measure:
    return Measure(f"CAHPS_{number}", f"CAHPS: {title}", EXPERIENCE, "score_0_100", (old, f"CAHPS_{number}"))


def _collected(quality_id: str, title: str, domain: str, lower: bool = False) -> tuple[Measure, ...]:
    """The eCQM / MIPS CQM / Medicare CQM versions of a measure also reported through the Web Interface."""
    kinds = (("eCQM-CQM", "eCQM/MIPS CQM"), ("eCQM", "eCQM"), ("MIPSCQM", "MIPS CQM"),
             ("MedicareCQM", "Medicare CQM"))
    return tuple(Measure(f"QualityID_{quality_id}_{suffix}", f"{title} ({shown})", domain, "fraction",
                         (f"QualityID_{quality_id}_{suffix}",), lower) for suffix, shown in kinds)


MEASURES: tuple[Measure, ...] = (
    # CAHPS for ACOs (to PY2020) and CAHPS for MIPS (APP): summary survey measures.
    _cahps(1, "Getting Timely Care, Appointments, and Information", "ACO1"),
    _cahps(2, "How Well Your Providers Communicate", "ACO2"),
    _cahps(3, "Patients' Rating of Provider", "ACO3"),
    _cahps(4, "Access to Specialists", "ACO4"),
    _cahps(5, "Health Promotion and Education", "ACO5"),
    _cahps(6, "Shared Decision Making", "ACO6"),
    _cahps(7, "Health Status/Functional Status", "ACO7"),
    _cahps(8, "Care Coordination", "ACO46"),
    _cahps(9, "Courteous and Helpful Office Staff", "ACO45"),
    _cahps(11, "Stewardship of Patient Resources", "ACO34"),
    # Measures that went on into the APP under their MIPS quality id.
    Measure("QualityID_318", "Falls: Screening for Future Fall Risk", COORDINATION, "fraction",
            ("ACO13", "QualityID_318")),
    Measure("QualityID_110", "Preventive Care and Screening: Influenza Immunization", PREVENTIVE, "fraction",
            ("ACO14", "QualityID_110")),
    Measure("QualityID_226", "Preventive Care and Screening: Tobacco Use: Screening and Cessation "
            "Intervention", PREVENTIVE, "fraction", ("ACO17", "QualityID_226")),
    Measure("QualityID_134_WI", "Preventive Care and Screening: Screening for Depression and Follow-up "
            "Plan (Web Interface)", PREVENTIVE, "fraction", ("ACO18", "QualityID_134_WI")),
    Measure("QualityID_113", "Colorectal Cancer Screening", PREVENTIVE, "fraction",
            ("ACO19", "QualityID_113")),
    Measure("QualityID_112", "Breast Cancer Screening", PREVENTIVE, "fraction", ("ACO20", "QualityID_112")),
    Measure("QualityID_438", "Statin Therapy for the Prevention and Treatment of Cardiovascular Disease",
            PREVENTIVE, "fraction", ("ACO42", "QualityID_438")),
    Measure("QualityID_370", "Depression Remission at Twelve Months", AT_RISK, "fraction",
            ("ACO40", "QualityID_370")),
    Measure("QualityID_001_WI", "Diabetes: Hemoglobin A1c (HbA1c) Poor Control (>9%) (Web Interface)",
            AT_RISK, "fraction", ("ACO27", "QualityID_001_WI"), lower_is_better=True),
    Measure("QualityID_236_WI", "Controlling High Blood Pressure (Web Interface)", AT_RISK, "fraction",
            ("ACO28", "QualityID_236_WI")),
    # The same three measures through the APP's other collection types.
    *_collected("001", "Diabetes: Hemoglobin A1c (HbA1c) Poor Control (>9%)", AT_RISK, lower=True),
    *_collected("134", "Preventive Care and Screening: Screening for Depression and Follow-up Plan",
                PREVENTIVE),
    *_collected("236", "Controlling High Blood Pressure", AT_RISK),
    # Claims-based measures of the APP.
    Measure("Measure_479", "Hospital-Wide, 30-Day, All-Cause Unplanned Readmission (HWR) Rate for MIPS "
            "Groups", COORDINATION, "fraction", ("Measure_479",), lower_is_better=True),
    Measure("Measure_MCC1", "Risk Standardized, All-Cause Unplanned Admissions for Multiple Chronic "
            "Conditions for ACOs", COORDINATION, "per_100_person_years", ("Measure_MCC1",),
            lower_is_better=True),
    Measure("Measure_484", "Clinician and Clinician Group Risk-standardized Hospital Admission Rates for "
            "Patients with Multiple Chronic Conditions", COORDINATION, "per_100_person_years",
            ("Measure_484",), lower_is_better=True),
    # The MSSP measure set's measures that ended by PY2020.
    Measure("ACO8", "Risk-Standardized, All Condition Readmission", COORDINATION, "fraction", ("ACO8",),
            lower_is_better=True),
    Measure("ACO35", "Skilled Nursing Facility 30-Day All-Cause Readmission Measure (SNFRM)", COORDINATION,
            "fraction", ("ACO35",), lower_is_better=True),
    Measure("ACO36", "All-Cause Unplanned Admissions for Patients with Diabetes", COORDINATION,
            "per_100_person_years", ("ACO36",), lower_is_better=True),
    Measure("ACO37", "All-Cause Unplanned Admissions for Patients with Heart Failure", COORDINATION,
            "per_100_person_years", ("ACO37",), lower_is_better=True),
    Measure("ACO38", "All-Cause Unplanned Admissions for Patients with Multiple Chronic Conditions",
            COORDINATION, "per_100_person_years", ("ACO38",), lower_is_better=True),
    Measure("ACO43", "Ambulatory Sensitive Condition Acute Composite (AHRQ Prevention Quality Indicator "
            "(PQI) #91)", COORDINATION, "as_published", ("ACO43",), lower_is_better=True),
    Measure("ACO9", "Ambulatory Sensitive Conditions Admissions: Chronic Obstructive Pulmonary Disease or "
            "Asthma in Older Adults (AHRQ PQI #5)", COORDINATION, "as_published", ("ACO9",),
            lower_is_better=True),
    Measure("ACO10", "Ambulatory Sensitive Conditions Admissions: Heart Failure (AHRQ PQI #8)", COORDINATION,
            "as_published", ("ACO10",), lower_is_better=True),
    Measure("ACO44", "Use of Imaging Studies for Low Back Pain", COORDINATION, "fraction", ("ACO44",)),
    Measure("ACO11", "Use of Certified EHR Technology", COORDINATION, "fraction", ("ACO11",)),
    Measure("ACO12", "Medication Reconciliation Post-Discharge", COORDINATION, "fraction", ("ACO12",)),
    Measure("ACO39", "Documentation of Current Medications in the Medical Record", COORDINATION, "fraction",
            ("ACO39",)),
    Measure("ACO15", "Pneumonia Vaccination Status for Older Adults", PREVENTIVE, "fraction", ("ACO15",)),
    Measure("ACO16", "Preventive Care and Screening: Body Mass Index (BMI) Screening and Follow-Up",
            PREVENTIVE, "fraction", ("ACO16",)),
    Measure("ACO21", "Preventive Care and Screening: Screening for High Blood Pressure and Follow-up "
            "Documented", PREVENTIVE, "fraction", ("ACO21",)),
    Measure("DM_Comp", "Diabetes Mellitus Composite (ACO27 and ACO41, all or nothing)", AT_RISK, "fraction",
            ("DM_Comp",)),
    Measure("ACO41", "Diabetes: Eye Exam", AT_RISK, "fraction", ("ACO41",)),
    Measure("ACO30", "Ischemic Vascular Disease (IVD): Use of Aspirin or Another Antithrombotic", AT_RISK,
            "fraction", ("ACO30",)),
    Measure("ACO31", "Heart Failure: Beta-Blocker Therapy for Left Ventricular Systolic Dysfunction (LVSD)",
            AT_RISK, "fraction", ("ACO31",)),
    Measure("ACO33", "Angiotensin-Converting Enzyme (ACE) Inhibitor or Angiotensin Receptor Blocker (ARB) "
            "Therapy", AT_RISK, "fraction", ("ACO33",)),
)
MEASURE_BY_ID: dict[str, Measure] = {m.measure_id: m for m in MEASURES}
assert len(MEASURE_BY_ID) == len(MEASURES) == len({m.name for m in MEASURES}), "one id and title a measure"
# Column name (compared as cms_columns.key: case and punctuation aside) -> its measure.
MEASURE_BY_COLUMN: dict[str, Measure] = {key(c): m for m in MEASURES for c in m.columns}
UNIT_MEANINGS: dict[str, str] = {
    "fraction": "a rate as a fraction (CMS publishes percent: 83.12 -> 0.8312)",
    "score_0_100": "a CAHPS summary survey measure score, 0-100, as published",
    "per_100_person_years": "admissions per 100 person-years, as published",
    "as_published": "the value as CMS published it (its unit is not given in the files)",
}


def measure_for(column: str) -> Measure | None:
    """The measure a CMS column holds, in any year's spelling ("ACO13", "qualityid_318"), else None.

    >>> measure_for("ACO13").measure_id, measure_for("QualityID_318").measure_id
    ('QualityID_318', 'QualityID_318')
    >>> measure_for("qualityid_134_ecqm.cqm").name
    'Preventive Care and Screening: Screening for Depression and Follow-up Plan (eCQM/MIPS CQM)'
    >>> measure_for("ACO34").measure_id, measure_for("ACO8").measure_id, measure_for("N_AB") is None
    ('CAHPS_11', 'ACO8', True)
    """
    return MEASURE_BY_COLUMN.get(key(column))
