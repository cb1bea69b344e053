"""One CMS results file (any year 2013-2024, CMS's format or the standardized one) -> `aco_year` rows.

Values are parsed per column kind (data/cms_files/parsing.py); rate units are not taken from notes but read
from the data: the savings rate is checked against BnchmkMinExp / ABtotBnchmk, the other rates by
their magnitude (see `parsing.rate_scale`). What each year turned out to use (all files here):

    PY2013  fractions written with a stray "%" ("0.0234%" = 2.34%); savings rate not published
    PY2014  Sav_rate, MinSavPerc in percent (7.13); QualScore, sharing rates fractions; "P4R"
    PY2015  standardized file: Sav_rate, MinSavPerc in hundredths of a fraction (0.000948 = 9.48%);
            QualScore, FinalShareRate fractions (CMS's own file has them in percent)
    PY2016-17, 2019 (standardized)  fractions
    PY2018  fractions;  PY2020 fractions except QualScore in percent (96.87)
    PY2021  "7.17%" strings, QualScore plain percent (91.81);  PY2022-23 "%" strings
    PY2024  plain percent numbers (8.89, 75)

Errors that make a file unusable raise `FormatError` (one line, with row and column where known);
a row whose benchmark, expenditure or beneficiary count is impossible (infinite, zero or negative:
data/cms_files/row_checks.py) is dropped and listed in `FileResult.refused`; anything else becomes NULL plus a
counted warning in the returned `FileResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.cms_files import row_checks, six_month, spending, tracks
from data.cms_files.cms_columns import (
    FIELDS,
    REGIONAL_DOLLARS_FROM,
    RISK_MODEL,
    SIX_MONTHS,
    STATE,
    ColumnIndex,
    Field,
)
from data.cms_files.parsing import (
    MONEY,
    PERCENT,
    Parsed,
    parse_bool,
    parse_date,
    parse_int,
    parse_number,
    parse_number_block,
    parse_rate,
    parse_text,
    rate_scale,
    ratio_scale,
    whole,
)
from data.cms_files.profile_columns import read_profile
from data.cms_files.py2013 import PAY_FOR_REPORTING, LayoutError, adapt_2013, is_2013_layout
from data.schema import ACO_YEAR_COLUMNS
from data.states import state_codes

_READERS = {"text": parse_text, "int": parse_int, "number": parse_number, "rate": parse_rate,
            "bool": parse_bool, "date": parse_date}
_UNIT_NAMES = {1.0: "fractions", 0.01: "percent", 100.0: "hundredths of a fraction"}
RATE_DECIMALS = 12
RECONCILE_TOLERANCE = 1.0  # dollars: CMS rounds benchmark and expenditure separately
P4R = "P4R"
# Through PY2017 a first-year ACO was scored on reporting alone (425.502(a)); the standardized
# PY2015 file leaves those 89 ACOs' score blank where CMS wrote "P4R".
P4R_UNSCORED_UNTIL = 2017
_AGREEMENT_TYPES = {"initial": "Initial", "renewal": "Renewal", "re-entering": "Re-entering",
                    "reentering": "Re-entering"}
_PAIRED = ("expenditure", "cms_benchmark_minus_expenditure")
MAX_STATE_WARNINGS = 5  # unrecognized ACO_State texts named one by one; the rest counted


class FormatError(ValueError):
    """A file that cannot be loaded; the message is one line naming the column and row."""


@dataclass
class FileResult:
    """What became of one file: its rows and everything worth telling the user."""

    frame: pd.DataFrame
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ids_missing: bool = False
    six_month_method: str = ""  # PY2019: 'flag', 'totals' or 'dates' (see six_month.periods)
    refused: list[row_checks.Refusal] = field(default_factory=list)  # rows dropped, in file order
    # The ACO's own description (profile_columns: aco_profile, aco_enrollment, aco_quality), rows
    # labelled like `frame`'s; the build gives them their keys.
    profile: dict[str, pd.DataFrame] = field(default_factory=dict)


def _row(index: object) -> int:
    """1-based data row number of a frame index label (the header line is not counted)."""
    return int(index) + 1  # type: ignore[call-overload]


class _Mapper:
    """Normalizes one raw frame (strings) of a known year; see `normalize`."""

    def __init__(self, raw: pd.DataFrame, year: int):
        self.raw = raw
        self.year = year
        self.index = ColumnIndex(list(raw.columns))
        self.out = pd.DataFrame(index=raw.index)
        self.result = FileResult(frame=self.out)
        self.sources: dict[str, str] = {}
        self.refusing: dict[int, str] = {}  # row index -> why, for required values not finite

    # -- reading one field -------------------------------------------------------------------
    def _source(self, spec: Field) -> str | None:
        aliases = spec.aliases
        if spec.name == "regional_adjustment" and self.year < REGIONAL_DOLLARS_FROM:
            aliases = tuple(a for a in aliases if a != "PosRegAdj")  # a 0/1 flag before 2022
        return self.index.find(*aliases)

    def _cells(self, spec: Field, column: str) -> pd.Series:
        raw = self.raw[column]
        if spec.name == "quality_score":
            raw = raw.mask(raw.astype("string").str.strip().str.upper() == P4R)
        return raw

    def _parse_all(self, sources: list[tuple[Field, str]]) -> dict[str, Parsed]:
        """Every field's cells read, by field name: the numbers in one block per unit of decoration
        (parsing.parse_number_block), the rest column by column."""
        parsed: dict[str, Parsed] = {}
        for kinds, decoration in ((("number", "int"), MONEY), (("rate",), PERCENT)):
            fields = [(spec, column) for spec, column in sources if spec.kind in kinds]
            if not fields:
                continue
            block = pd.DataFrame({spec.name: self._cells(spec, column) for spec, column in fields},
                                 index=self.raw.index)
            values, bad, infinite = parse_number_block(block, decoration)
            for spec, _ in fields:
                number = Parsed(values[spec.name], bad[spec.name], infinite[spec.name])
                parsed[spec.name] = whole(number) if spec.kind == "int" else number
        for spec, column in sources:
            if spec.name not in parsed:
                parsed[spec.name] = _READERS[spec.kind](self._cells(spec, column))
        return parsed

    def _bad_cells(self, spec: Field, column: str, parsed: Parsed) -> None:
        if not parsed.bad.any():
            return
        first = parsed.bad.idxmax()
        example = f"row {_row(first)}: {self.raw.at[first, column]!r}"
        if spec.required:
            raise FormatError(f"column {column!r}: cannot read {spec.kind} value ({example})")
        self.result.warnings.append(
            f"column {column!r}: {parsed.bad_count} unreadable value(s) set to NULL (e.g. {example})"
        )

    def _non_finite(self, spec: Field, column: str, parsed: Parsed) -> None:
        """An infinite number refuses the row in a required column; elsewhere it becomes NULL."""
        if not parsed.non_finite_count:
            return
        where = parsed.non_finite
        if spec.required:
            label = spec.name.replace("_", " ")
            for index in where.index[where.to_numpy(bool)]:
                why = f"{label} ({column}) {self.raw.at[index, column]!r} is not a finite number"
                self.refusing.setdefault(int(index), why)
            return
        first = where.idxmax()
        self.result.warnings.append(
            f"column {column!r}: {parsed.non_finite_count} non-finite value(s) set to NULL "
            f"(e.g. row {_row(first)}: {self.raw.at[first, column]!r})"
        )

    def _scale_rate(self, spec: Field, values: pd.Series, column: str) -> pd.Series:
        if spec.name == "cms_savings_rate":
            return values  # checked against dollars in `_savings_rate`
        scale = rate_scale(values, spec.rate_max / 100, spec.rate_max)
        if scale is None:
            self.result.warnings.append(
                f"column {column!r}: typical value {values.abs().median():g} fits no rate unit; "
                "kept as published"
            )
            return values
        if scale != 1.0:
            self.result.notes.append(f"{column} in {_UNIT_NAMES[scale]} (x{scale:g})")
        return (values * scale).round(RATE_DECIMALS)  # drops float noise such as 0.07719999999999999

    def read_fields(self) -> None:
        columns: dict[str, pd.Series] = {}  # one DataFrame at the end: 45 inserts one by one are slow
        found = {spec.name: self._source(spec) for spec in FIELDS}
        empty: dict[str, pd.Series] = {}
        read = self._parse_all([(spec, column) for spec in FIELDS if (column := found[spec.name])])
        for spec in FIELDS:
            column = found[spec.name]
            if column is None:
                if spec.required:
                    raise FormatError(
                        f"required field {spec.name!r} missing (expected column {spec.aliases[0]})"
                    )
                if spec.name not in _PAIRED:  # either of the pair will do: see check_required
                    self.result.missing.append(spec.name)
                if spec.kind not in empty:  # one NULL column per kind, copied: building one is slow
                    empty[spec.kind] = _empty(spec.kind, self.raw.index)
                columns[spec.name] = empty[spec.kind].copy()
                continue
            parsed = read[spec.name]
            self._bad_cells(spec, column, parsed)
            self._non_finite(spec, column, parsed)
            values = parsed.values.mask(parsed.bad) if parsed.bad.any() else parsed.values
            if spec.kind == "rate":
                values = self._scale_rate(spec, values, column)
            if len(values) and values.isna().all() and not spec.required and spec.name not in _PAIRED:
                self.result.missing.append(f"{spec.name} (blank)")
            self.sources[spec.name] = column
            columns[spec.name] = values
        self.out = pd.DataFrame(columns, index=self.raw.index)
        self.result.frame = self.out

    # -- required values and derived money ---------------------------------------------------
    def check_required(self) -> None:
        out = self.out
        if out["aco_id"].isna().all():
            self.result.ids_missing = True
            self.result.missing.append("aco_id (blank; derived)")
        has_x, has_g = out["expenditure"].notna().any(), out["cms_benchmark_minus_expenditure"].notna().any()
        if not (has_x or has_g):
            raise FormatError(
                "required field 'expenditure' missing (expected column ABtotExp or BnchmkMinExp)"
            )
        if not has_x:
            out["expenditure"] = out["benchmark"] - out["cms_benchmark_minus_expenditure"]
            self.result.notes.append("expenditure = benchmark - BnchmkMinExp")
            self.sources["expenditure"] = self.sources["cms_benchmark_minus_expenditure"]
        if not has_g:
            out["cms_benchmark_minus_expenditure"] = out["benchmark"] - out["expenditure"]
            self.result.missing.append("cms_benchmark_minus_expenditure (computed)")
            self.sources["cms_benchmark_minus_expenditure"] = self.sources["expenditure"]
        names = ["benchmark", "expenditure", "assigned_beneficiaries", "cms_earned_savings_losses"]
        if not self.result.ids_missing:
            names.insert(0, "aco_id")
        refusing = out.index.isin(list(self.refusing))
        for name in names:
            empty = out[name].isna() & ~refusing
            if empty.any():
                first = empty.idxmax()
                column = self.sources.get(name, name)
                raise FormatError(f"column {column!r}: required value empty (row {_row(first)})")

    def refuse(self) -> None:
        """Rows with impossible values dropped (row_checks), listed in the result; see module doc."""
        skip = pd.Series(self.out.index.isin(list(self.refusing)), index=self.out.index)
        refused = [row_checks.Refusal(i, row_checks.who(self.out, i), why)
                   for i, why in self.refusing.items()]
        refused += row_checks.impossible_values(self.out, self.sources, skip)
        if not refused:
            return
        refused.sort(key=lambda r: r.index)
        if len(refused) > row_checks.MAX_REFUSED_ROWS or len(refused) == len(self.out):
            first = refused[0]
            raise FormatError(
                f"{len(refused):,} of {len(self.out):,} rows have impossible values (more than "
                f"{row_checks.MAX_REFUSED_ROWS} or all: the file is not loaded); "
                f"first: row {_row(first.index)} ({first.aco}): {first.reason}"
            )
        drop = [r.index for r in refused]
        self.out = self.out.drop(index=drop)
        self.raw = self.raw.drop(index=drop)
        self.result.frame = self.out
        self.result.refused = refused

    def reconcile(self) -> None:
        gap = (self.out["benchmark"] - self.out["expenditure"] - self.out["cms_benchmark_minus_expenditure"])
        off = (gap.abs() > RECONCILE_TOLERANCE).fillna(False)
        if off.any():
            self.result.warnings.append(
                f"benchmark - expenditure differs from BnchmkMinExp by more than $1 on {int(off.sum())} "
                f"row(s) (e.g. row {_row(off.idxmax())})"
            )

    def _savings_rate(self) -> None:
        out = self.out
        with np.errstate(divide="ignore", invalid="ignore"):
            computed = out["cms_benchmark_minus_expenditure"] / out["benchmark"].where(out["benchmark"] != 0)
        published = out["cms_savings_rate"]
        if published.isna().all():
            out["cms_savings_rate"] = computed
            self.result.notes.append("savings rate not published: BnchmkMinExp / ABtotBnchmk")
            return
        scale, mismatched = ratio_scale(published, computed)
        if scale != 1.0:
            column = self.sources["cms_savings_rate"]
            self.result.notes.append(f"{column} in {_UNIT_NAMES[scale]} (x{scale:g})")
        out["cms_savings_rate"] = (published * scale).round(RATE_DECIMALS)
        if mismatched:
            self.result.warnings.append(
                f"savings rate differs from BnchmkMinExp / ABtotBnchmk by > 0.001 on {mismatched} row(s)"
            )

    # -- quality, categories, track ----------------------------------------------------------
    def quality(self) -> None:
        """pay_for_reporting: PY2013's flag, a "P4R" score, or an unscored ACO (P4R_UNSCORED_UNTIL)."""
        out = self.out
        flag_column = self.index.find(PAY_FOR_REPORTING)
        if flag_column is not None:  # PY2013: the score itself is the reporting flag
            out["pay_for_reporting"] = parse_bool(self.raw[flag_column]).values
            return
        p4r = pd.Series(False, index=out.index)
        column = self.index.find("QualScore", mark=False)
        if column is not None:
            p4r = (self.raw[column].astype("string").str.strip().str.upper() == P4R).fillna(False)
        unscored = out["quality_score"].isna() & ~p4r
        if self.year > P4R_UNSCORED_UNTIL:
            unscored &= (out["cms_final_sharing_rate"] > 0).fillna(False)  # paid, so reporting sufficed
        pfr = pd.Series(pd.NA, index=out.index, dtype="boolean")
        pfr[out["quality_score"].notna()] = False
        pfr[p4r | unscored] = True
        if unscored.any() and out["quality_score"].notna().any():
            count = int(unscored.sum())
            self.result.notes.append(f"{count} ACO(s) without a quality score: pay for reporting")
        out["pay_for_reporting"] = pfr

    def categories(self) -> None:
        out = self.out
        revenue = out["revenue_category"].str.upper().str.extract(r"^(HIGH|LOW)", expand=False)
        out["revenue_category"] = revenue.astype("string")
        agree = out["agreement_type"].str.strip().str.lower().str.replace(r"[\s_]+", "-", regex=True)
        out["agreement_type"] = agree.map(_AGREEMENT_TYPES).astype("string").fillna(out["agreement_type"])
        out["cms_minimum_loss_rate"] = out["cms_minimum_loss_rate"].abs()

    def track(self) -> None:
        track, how = tracks.resolve(self.raw, self.index, self.out, self.year)
        unresolved = track.isna()
        if unresolved.any():
            first = unresolved.idxmax()
            raise FormatError(
                f"track could not be determined for {int(unresolved.sum())} row(s) "
                f"(e.g. row {_row(first)}, ACO {self.out.at[first, 'aco_id']})"
            )
        if "sharing rates" in how:
            self.result.notes.append(f"track from {how}")
        self.out["track"] = track
        self.out["track_inferred"] = track.attrs["inferred"]
        risk = self.index.find(RISK_MODEL)
        self.out["two_sided"] = tracks.two_sided(track, self.raw[risk] if risk else None)

    def states(self) -> None:
        """`aco_state` from ACO_State (names or codes, several to a cell): codes "NJ,NY", see data/states.py.

        A part that names no state is left out (the rest of the cell kept) with a warning naming the row
        and the text; a year without the column gets NULL.
        """
        column = self.index.find(STATE)
        if column is None:
            self.out["aco_state"] = pd.Series(pd.NA, index=self.out.index, dtype="string")
            return
        cells = self.raw[column].astype("string")
        read = {text: state_codes(text) for text in cells.dropna().unique().tolist()}  # ~200 texts a year
        self.out["aco_state"] = cells.map({text: codes for text, (codes, _) in read.items()}).astype("string")
        unread = [text for text, (_, parts) in read.items() if parts]
        bad = [(index, part) for index, text in cells[cells.isin(unread)].items() for part in read[text][1]]
        for index, part in bad[:MAX_STATE_WARNINGS]:
            self.result.warnings.append(
                f"column {column!r}: row {_row(index)} (ACO {self.out.at[index, 'aco_id']}): "
                f"{part!r} is not a US state or territory; left out of aco_state"
            )
        if len(bad) > MAX_STATE_WARNINGS:
            self.result.warnings.append(
                f"column {column!r}: {len(bad) - MAX_STATE_WARNINGS} more unrecognized state(s) left out"
            )

    def six_months(self) -> None:
        result = pd.Series(pd.NA, index=self.out.index, dtype="string")
        if self.year == six_month.SIX_MONTH_YEAR:
            column = self.index.find(SIX_MONTHS)
            flag = parse_bool(self.raw[column]).values if column else None
            result, self.result.six_month_method = six_month.periods(self.out, flag)
        self.out["six_month_period"] = result


def _empty(kind: str, index: pd.Index) -> pd.Series:
    dtypes = {"text": "string", "int": "Int64", "bool": "boolean", "date": "datetime64[ns]"}
    dtype = dtypes.get(kind, "float64")
    return pd.Series(pd.NA if dtype != "float64" else np.nan, index=index, dtype=dtype)


def normalize(raw: pd.DataFrame, year: int, file_name: str) -> FileResult:
    """`aco_year` rows (schema column order) for one file's raw string frame of a known year."""
    notes: list[str] = []
    if is_2013_layout(list(raw.columns)):
        try:
            raw, note = adapt_2013(raw)
        except LayoutError as exc:
            raise FormatError(str(exc)) from exc
        notes.append(note)
    mapper = _Mapper(raw.reset_index(drop=True), year)
    mapper.read_fields()
    mapper.check_required()
    mapper.refuse()
    mapper.reconcile()
    mapper._savings_rate()
    mapper.quality()
    mapper.categories()
    mapper.track()
    mapper.six_months()
    mapper.states()
    side = spending.read(mapper.raw, mapper.index, year)
    out = pd.concat([mapper.out, side.frame], axis=1)
    out["performance_year"] = year
    out["synthetic"] = False
    out["source_file"] = file_name
    result = mapper.result
    # aco_year's columns (lineage_id: the build's), then the spending tables' (split off by the build)
    result.frame = out.reindex(columns=[c for c, _, _ in ACO_YEAR_COLUMNS] + list(spending.NAMES))
    profile = read_profile(mapper.raw, mapper.index)
    result.profile = profile.tables
    result.warnings += profile.warnings
    result.missing += profile.missing
    result.unknown = mapper.index.unknown()
    result.notes = notes + result.notes
    result.missing += side.missing
    result.warnings += side.warnings
    return result
