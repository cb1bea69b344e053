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
