"""The normalized `aco_year` and `source` tables: the contract between the build and everything that reads it.

One row per ACO per performance year, the same column names whatever CMS called them that year.
Money in dollars (DOUBLE), rates as fractions (0.0235, not 2.35 or "2.35%"), CMS suppression
marks ("-", "*", "N/A", "/", blank) as NULL. CMS's published outcome columns (`cms_*`) are kept
beside the inputs so that the model can be compared with them.
"""

from __future__ import annotations

# Canonical track codes used everywhere (model rules are keyed on them).
TRACKS: tuple[str, ...] = (
    "TRACK_1",
    "TRACK_1_PLUS",
    "TRACK_2",
    "TRACK_3",
    "BASIC_A",
    "BASIC_B",
    "BASIC_C",
    "BASIC_D",
    "BASIC_E",
    "ENHANCED",
)

# (column, DuckDB type, meaning). Order is the table's column order.
ACO_YEAR_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("performance_year", "INTEGER", "calendar performance year (PY)"),
    ("aco_id", "VARCHAR", "CMS ACO identifier as published that year (2013-17 ids are another series)"),
    ("aco_name", "VARCHAR", "ACO legal/doing-business name"),
    ("lineage_id", "VARCHAR", "the organization across years and id changes (data/lineage.py): 'L-' and "
                              "the id of its latest row; NULL until the build links the rows"),
    ("aco_state", "VARCHAR", "ACO_State (PY2014-2021) as USPS codes, comma-separated in alphabetical order "
                             "('NJ,NY'; data/states.py); NULL where the year publishes no state"),
    ("track", "VARCHAR", "one of schema.TRACKS"),
    ("two_sided", "BOOLEAN", "true when the ACO bears downside risk in this PY"),
    ("track_inferred", "BOOLEAN", "track not published: inferred from FinalShareRate / QualScore (PY2015)"),
    ("agreement_type", "VARCHAR", "Initial / Renewal / Re-entering (NULL before 2016)"),
    ("agreement_period_num", "INTEGER", "1 for a first agreement, 2 for the second, ..."),
    ("initial_start_date", "DATE", "date the ACO first entered the MSSP"),
    ("current_start_date", "DATE", "start date of the current agreement period"),
    ("six_month_period", "VARCHAR", "PY2019 only: 'JAN_JUN', 'JUL_DEC' or NULL for a 12-month year"),
    ("assigned_beneficiaries", "INTEGER", "N_AB: assigned beneficiary headcount (drives the MSR)"),
    ("person_years", "DOUBLE", "N_AB_Year_PY: assigned-beneficiary person-years"),
    ("updated_benchmark_per_capita", "DOUBLE", "UpdatedBnchmk, $ per person-year"),
    ("historical_benchmark_per_capita", "DOUBLE", "HistBnchmk, $ per person-year"),
    ("expenditure_per_capita", "DOUBLE", "Per_Capita_Exp_TOTAL_PY, $ per person-year"),
    ("benchmark", "DOUBLE", "ABtotBnchmk: total updated benchmark, $"),
    ("expenditure", "DOUBLE", "ABtotExp: total assigned-beneficiary expenditure, $"),
    ("quality_score", "DOUBLE", "QualScore as a fraction in [0, 1]; NULL when not scored"),
    ("pay_for_reporting", "BOOLEAN", "quality was pay-for-reporting (PY2014 'P4R', PY2013 flag)"),
    ("met_quality_standard", "BOOLEAN", "Met_QPS"),
    ("met_alternative_quality_standard", "BOOLEAN", "Met_AltQPS (PY2023+)"),
    ("euc_affected_quality", "BOOLEAN", "DisAffQual: quality EUC relief applied"),
    ("met_quality_incentive", "BOOLEAN", "Met_Incentive (PY2022+): QPS met by the eCQM reporting incentive"),
    ("met_quality_first_year", "BOOLEAN", "Met_FirstYear (PY2022+): QPS met as a first-year ACO"),
    ("revenue_category", "VARCHAR", "'HIGH' or 'LOW' (Rev_Exp_Cat), NULL before 2018"),
    ("revenue_based_loss_limit", "BOOLEAN", "RevLossLimit (2018-2021)"),
    ("reduced_sharing_below_msr", "BOOLEAN", "ReducedSS (PY2024): low-revenue half-rate sharing"),
    ("guardrail", "BOOLEAN", "Guardrail (PY2024): a CMS flag on 2024 starters whose rule is not published"),
    ("mid_year_termination", "BOOLEAN", "Impact_Mid_Year_Termination / Prorate_Shared_Losses"),
    ("advance_payment", "BOOLEAN", "Adv_Pay: Advance Payment ACO Model participant"),
    ("aco_investment_model", "BOOLEAN", "AIM participant"),
    ("advance_payment_amount", "DOUBLE", "Adv_Pay_Amt: advance/AIM payments outstanding, $"),
    ("advance_payment_recouped", "DOUBLE", "Adv_Pay_Recoup, $"),
    ("advance_investment_payment", "BOOLEAN", "AIP participant (PY2024+)"),
    ("aip_balance", "DOUBLE", "AIPBalance: AIP paid to date, $"),
    ("aip_recouped", "DOUBLE", "AIPRecoup, $"),
    ("aip_owed", "DOUBLE", "AIPOwe, $"),
    ("regional_adjustment", "DOUBLE", "RegAdj / PosRegAdj per capita $ where published"),
    ("prior_savings_adjustment", "DOUBLE", "PriorSavAdj / Prior_Sav_Adj per capita $"),
    # CMS's published outcome columns, kept verbatim (units normalized) for comparison.
    ("cms_benchmark_minus_expenditure", "DOUBLE", "BnchmkMinExp, $"),
    ("cms_savings_rate", "DOUBLE", "Sav_rate as a fraction"),
    ("cms_minimum_savings_rate", "DOUBLE", "MinSavPerc as a fraction"),
    ("cms_minimum_loss_rate", "DOUBLE", "PY2013 'Minimum Loss Rate (%)' as a positive fraction"),
    ("cms_max_sharing_rate", "DOUBLE", "QualPerfShare / MaxShareRate as a fraction"),
    ("cms_final_sharing_rate", "DOUBLE", "FinalShareRate as a fraction"),
    ("cms_final_loss_rate", "DOUBLE", "FinalLossRate as a fraction"),
    ("cms_generated_savings_losses", "DOUBLE", "GenSaveLoss, $"),
    ("cms_euc_loss_adjustment", "DOUBLE", "DisAdj, $ (<= 0)"),
    ("cms_earned_savings_losses", "DOUBLE", "EarnSaveLoss, $: + shared savings, - shared losses"),
    ("synthetic", "BOOLEAN", "true for rows of the generated demo data set"),
    ("source_file", "VARCHAR", "file the row came from (or 'synthetic demo')"),
)

SOURCE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("performance_year", "INTEGER", "PY"),
    ("file_name", "VARCHAR", "file name, or 'synthetic demo'"),
    ("file_format", "VARCHAR", "'cms' (as published), 'standardized' or 'synthetic'"),
    ("sha256", "VARCHAR", "checksum of the file read"),
    ("row_count", "INTEGER", "rows loaded into aco_year"),
    ("loaded_at", "TIMESTAMP", "when the build read it (UTC)"),
    ("origin", "VARCHAR", "folder or URL it came from"),
    ("unknown_columns", "VARCHAR", "comma-separated source columns the build did not map"),
    ("missing_columns", "VARCHAR", "comma-separated optional fields absent from the file"),
    ("rows_refused", "INTEGER", "rows dropped for impossible values or a repeated ACO-year (row_checks)"),
    ("refused", "VARCHAR", "which rows were dropped and why: 'line 3 (ACO A1001): ...; ...'"),
)

ACO_YEAR_NAMES: tuple[str, ...] = tuple(c for c, _, _ in ACO_YEAR_COLUMNS)

# The evidence behind `aco_year.lineage_id` (data/lineage.py): one row per link between two ACO-years.
LINEAGE_LINK_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("from_year", "INTEGER", "PY of the earlier ACO-year"),
    ("from_aco_id", "VARCHAR", "its aco_id"),
    ("to_year", "INTEGER", "PY of the later ACO-year"),
    ("to_aco_id", "VARCHAR", "its aco_id"),
    ("method", "VARCHAR", "'same id', 'name' (equal once normalized) or 'similar name, same start date'"),
    ("score", "DOUBLE", "points of evidence for a link by name (NULL for 'same id')"),
    ("evidence", "VARCHAR", "the names, dates and sizes that agree"),
)

# Pairs of ACO-years that might be one organization but were left apart (data/lineage.py).
LINEAGE_AMBIGUOUS_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("case", "INTEGER", "pairs that share an ACO-year form one case"),
    ("name_key", "VARCHAR", "the normalized name they share"),
    ("from_year", "INTEGER", "PY of the earlier ACO-year"),
    ("from_aco_id", "VARCHAR", "its aco_id"),
    ("from_name", "VARCHAR", "its name"),
    ("to_year", "INTEGER", "PY of the later ACO-year"),
    ("to_aco_id", "VARCHAR", "its aco_id"),
    ("to_name", "VARCHAR", "its name"),
    ("reason", "VARCHAR", "why no link was made"),
)

LINEAGE_TABLES: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    ("lineage_link", LINEAGE_LINK_COLUMNS),
    ("lineage_ambiguous", LINEAGE_AMBIGUOUS_COLUMNS),
)

# --- What an ACO spends, how its beneficiaries use care, and the published benchmark parts -----------
# (data/cms_files/spending.py reads them.) Tables beside `aco_year`, one row per ACO-year of it, keyed
# like it: (performance_year, aco_id, six_month_period). Money in dollars per assigned beneficiary
# person-year as CMS publishes it (CMS's "per capita"; its `CapAnn_*` columns are annualized), counts of
# events per 1,000 person-years, rates as fractions. NULL where a year does not publish the column (see
# `source.missing_columns` and the unit test of the year map).
_KEY: tuple[tuple[str, str, str], ...] = (
    ("performance_year", "INTEGER", "PY (aco_year.performance_year)"),
    ("aco_id", "VARCHAR", "aco_year.aco_id"),
    ("six_month_period", "VARCHAR", "aco_year.six_month_period (PY2019 January-June rows)"),
)
ENROLLMENT_TYPES: tuple[tuple[str, str, str], ...] = (
    ("esrd", "ESRD", "ESRD"), ("disabled", "DIS", "DISABLED"), ("aged_dual", "AGDU", "AGED/DUAL"),
    ("aged_non_dual", "AGND", "AGED/NON-DUAL"),
)
SPENDING_PERIODS: tuple[str, ...] = ("by1", "by2", "by3", "py")
SPENDING_SETTINGS: tuple[tuple[str, str], ...] = (
    ("inpatient", "inpatient, all (CapAnn_INP_All)"),
    ("inpatient_short_term", "short-term acute inpatient, IPPS and CAH (CapAnn_INP_S_trm)"),
    ("inpatient_long_term", "long-term care hospital (CapAnn_INP_L_trm)"),
    ("inpatient_rehab", "inpatient rehabilitation facility (CapAnn_INP_Rehab)"),
    ("inpatient_psych", "inpatient psychiatric hospital (CapAnn_INP_Psych)"),
    ("inpatient_other", "other inpatient (CapAnn_INP_Other; PY2013-2019)"),
    ("hospice", "hospice (CapAnn_HSP)"),
    ("snf", "skilled nursing facility (CapAnn_SNF)"),
    ("outpatient", "hospital outpatient (CapAnn_OPD; not in PY2013)"),
    ("physician_supplier", "physician / supplier, Part B carrier (CapAnn_PB)"),
    ("ambulance", "ambulance (CapAnn_AmbPay)"),
    ("home_health", "home health (CapAnn_HHA)"),
    ("dme", "durable medical equipment (CapAnn_DME)"),
)
SPENDING_COLUMNS: tuple[tuple[str, str, str], ...] = (
    *_KEY,
    *(
        (f"expenditure_per_capita_{name}_{period}", "DOUBLE",
         f"Per_Capita_Exp_ALL_{code}_{period.upper()}: $ per {label} person-year in "
         + ("the performance year" if period == "py" else f"benchmark year {period[-1]}"))
        for name, code, label in ENROLLMENT_TYPES for period in SPENDING_PERIODS
    ),
    *((f"expenditure_per_capita_{name}", "DOUBLE", f"$ per person-year, {meaning}")
      for name, meaning in SPENDING_SETTINGS),
)
UTILIZATION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    *_KEY,
    ("admissions_per_1000", "DOUBLE", "ADM: inpatient admissions (discharges) per 1,000 person-years"),
    ("admissions_short_term_per_1000", "DOUBLE", "ADM_S_Trm: short-term acute care hospital"),
    ("admissions_long_term_per_1000", "DOUBLE", "ADM_L_Trm: long-term care hospital"),
    ("admissions_rehab_per_1000", "DOUBLE", "ADM_Rehab: inpatient rehabilitation facility"),
    ("admissions_psych_per_1000", "DOUBLE", "ADM_Psych: inpatient psychiatric facility"),
    ("admissions_chf_per_1000", "DOUBLE", "CHF_ADM: congestive heart failure (PQI 8), PY2013-2020"),
    ("admissions_copd_per_1000", "DOUBLE", "COPD_ADM: COPD or asthma (PQI 5), PY2013-2020"),
    ("admissions_pneumonia_per_1000", "DOUBLE", "PNEU_ADM: bacterial pneumonia (PQI 11), PY2013-2016"),
    ("admissions_acute_composite_per_1000", "DOUBLE", "acute_adm: acute composite (PY2017 CMS file)"),
    ("readmission_rate", "DOUBLE", "readm_Rate_1000 / 1,000: all-cause 30-day readmissions per "
                                   "discharge (fraction), PY2013-2017"),
    ("post_discharge_visits_per_1000_discharges", "DOUBLE",
     "prov_Rate_1000: provider visits within 30 days of discharge per 1,000 discharges, PY2013-2020"),
    ("ed_visits_per_1000", "DOUBLE", "P_EDV_Vis: emergency department visits"),
    ("ed_visits_hospitalized_per_1000", "DOUBLE", "P_EDV_Vis_HOSP: ED visits that led to an admission"),
    ("ct_events_per_1000", "DOUBLE", "P_CT_VIS: computed tomography events"),
    ("mri_events_per_1000", "DOUBLE", "P_MRI_VIS: MRI events"),
    ("em_visits_per_1000", "DOUBLE", "P_EM_Total: primary care (E&M) services, all"),
    ("em_visits_pcp_per_1000", "DOUBLE", "P_EM_PCP_Vis: with a primary care physician"),
    ("em_visits_specialist_per_1000", "DOUBLE", "P_EM_SP_Vis: with a specialist"),
    ("nurse_visits_per_1000", "DOUBLE", "P_Nurse_Vis: with a nurse practitioner, PA or CNS"),
    ("fqhc_rhc_visits_per_1000", "DOUBLE", "P_FQHC_RHC_Vis: at an FQHC or RHC"),
    ("snf_admissions_per_1000", "DOUBLE", "P_SNF_ADM: skilled nursing facility admissions (discharges)"),
    ("snf_length_of_stay", "DOUBLE", "SNF_LOS: average SNF length of stay, days (PY2018, 2021+)"),
    ("snf_payment_per_stay", "DOUBLE", "SNF_PayperStay: average payment per SNF stay, $ (PY2018, 2021+)"),
)
BENCHMARK_PARTS_COLUMNS: tuple[tuple[str, str, str], ...] = (
    *_KEY,
    ("regional_trend_update", "BOOLEAN", "RegTrndUpdt (PY2017-2020): benchmark updated by the regional "
                                         "trend (a rebased second agreement)"),
    ("positive_regional_adjustment", "BOOLEAN", "PosRegAdj as the 0/1 flag it was before PY2022 (from "
                                                "PY2022 its dollars are aco_year.regional_adjustment)"),
    ("final_adjustment_category", "VARCHAR", "FinalAdjCat (PY2024): which adjustment the benchmark took: "
                                             "'REGIONAL', 'PRIOR_SAVINGS' or 'NONE'"),
)
SPENDING_TABLES: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    ("aco_spending", SPENDING_COLUMNS),
    ("aco_utilization", UTILIZATION_COLUMNS),
    ("aco_benchmark_parts", BENCHMARK_PARTS_COLUMNS),
)
