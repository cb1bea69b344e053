"""Program-wide what-if: settle every ACO of a year under the rules as they were and as changed.

A `RuleChange` edits the rule tables (`rules.TRACKS`, `rules.YEARS`) the way a rulemaking would:
maximum sharing rates and performance payment limits (425.604(d)-(e), 425.605(d), 425.606(d)-(e),
425.610(d)-(e)), shared loss rates and loss limits (425.605(d), 425.606(f)-(g), 425.610(f)-(g)), the
minimum savings/loss rate (425.604(b), 425.605(b), 425.610(b)), the quality performance standard
(425.512) and the sequestration factor (Budget Control Act 2011). `apply_rule_change` settles all
ACOs with `vectorized.settle_frame` twice and compares what Medicare pays and saves:

    gross savings      G   = sum over ACOs of (benchmark - expenditure)
    shared savings     P   = sum of positive settlements (paid to ACOs)
    losses collected   L   = sum of shared losses owed by ACOs (after limits and EUC relief)
    net savings to Medicare = G - P + L

Example (synthetic, two ACOs): A saves $10M on a $100M benchmark and is paid $4.9M; B overspends
$3M and owes $0.9M: G = $7M, P = $4.9M, L = $0.9M, net = 7 - 4.9 + 0.9 = $3.0M.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from aco_model.inputs import inputs_frame
from aco_model.rules import TRACKS, YEARS, TrackRules, YearRules, track_rules
from aco_model.validation import settleable
from aco_model.vectorized import (
    OUTCOMES,
    REQUIRED,
    input_arrays,
    settle_arrays,
    settle_frame,
)

# msr_rule codes of settle_frame (index into msr.MSR_RULES) whose MSR is read from the table:
# one-sided, two-sided under 5,000 (425.110(b)), elected variable.
_TABLE_CODES = (0, 2, 3)

SCENARIOS = ("as was", "as changed", "change")
TOTAL_COLUMNS = (
    "acos",
    "acos_paid",
    "acos_owing",
    "gross_savings",
    "shared_savings_paid",
    "losses_collected",
    "net_savings_to_medicare",
)


def _check_rates(name: str, values: Mapping[str, float]) -> None:
    for track, value in values.items():
        track_rules(track)
        if name == "loss_limits" and isinstance(value, tuple):
            if track != "TRACK_2" or len(value) != 3:
                raise ValueError(f"loss_limits[{track}]: a by-year schedule is Track 2's, three values")
            values_ = value
        else:
            values_ = (value,)
        for v in values_:
            if not 0.0 <= float(v) <= 1.0:
                raise ValueError(f"{name}[{track}] = {value} is not a fraction between 0 and 1")


@dataclass(frozen=True)
class RuleChange:
    """A change to the settlement rules, applied to every ACO at once. Rates are fractions.

    - `max_sharing_rates` / `payment_limits`: per track code, the maximum sharing rate and the
      performance payment limit as a share of the benchmark (425.604(d)-(e), 425.605(d),
      425.606(d)-(e), 425.610(d)-(e)). A changed maximum rate also moves loss rates defined from it
      (Track 2/3 ``1 - r_s``; ENHANCED ``1 - 0.75 q`` uses the maximum rate, 425.610(f)).
    - `loss_rates`: per two-sided track, a flat shared loss rate replacing the track's rule (as
      BASIC C-E's 30%, 425.605(d)(1)(iii)-(v)).
    - `loss_limits`: per two-sided track, the loss limit as a share of the benchmark
      (425.605(d), 425.610(g)); revenue-based limits are unchanged. For Track 2 a single value
      replaces the 5% / 7.5% / 10% schedule by year in the track (425.606(g)) in every year; a
      3-tuple replaces the schedule itself.
    - `flat_msr`: one MSR (= MLR) for every ACO, replacing the table, every election, the fixed 2%
      of 2012-2015 Track 2 agreements and the table forced on ACOs under 5,000 (425.110(b)); or
      `msr_scale`: multiply the size-based table (425.604(b)) for every ACO-year that uses it
      (one-sided, elected variable, or under 5,000 from PY2019).
    - `quality_standard`: the score meeting the quality performance standard (425.512), for
      years settled under it (PY2021+).
    - `sequestration_factor`: what shared savings are multiplied by (0.98 = 2% sequestration).
    """

    max_sharing_rates: Mapping[str, float] = field(default_factory=dict)
    payment_limits: Mapping[str, float] = field(default_factory=dict)
    loss_rates: Mapping[str, float] = field(default_factory=dict)
    loss_limits: Mapping[str, float | tuple[float, float, float]] = field(default_factory=dict)
    flat_msr: float | None = None
    msr_scale: float | None = None
    quality_standard: float | None = None
    sequestration_factor: float | None = None

    def __post_init__(self) -> None:
        for name in ("max_sharing_rates", "payment_limits", "loss_rates", "loss_limits"):
            _check_rates(name, getattr(self, name))
        for track in (*self.loss_rates, *self.loss_limits):
            if not track_rules(track).two_sided:
                raise ValueError(f"{track} is one-sided: it has no shared loss rate or loss limit")
        if self.flat_msr is not None and self.msr_scale is not None:
            raise ValueError("set either flat_msr or msr_scale, not both")
        if self.flat_msr is not None and not 0.0 <= self.flat_msr <= 0.2:
            raise ValueError("flat_msr is a fraction between 0 and 0.2 (20%)")
        if self.msr_scale is not None and not self.msr_scale >= 0.0:
            raise ValueError("msr_scale must be zero or positive")
        if self.quality_standard is not None and not 0.0 <= self.quality_standard <= 1.0:
            raise ValueError("quality_standard is a score between 0 and 1")
        if self.sequestration_factor is not None and not 0.0 < self.sequestration_factor <= 1.0:
            raise ValueError("sequestration_factor is in (0, 1]: 0.98 means a 2% cut")

    @property
    def changes_msr(self) -> bool:
        return self.flat_msr is not None or self.msr_scale is not None

    def describe(self) -> str:
        """The change in words, one clause per edited rule."""
        parts = []
        for name, label in (
            ("max_sharing_rates", "maximum sharing rate"),
            ("payment_limits", "payment limit"),
            ("loss_rates", "loss rate"),
            ("loss_limits", "loss limit"),
        ):
            for track, value in getattr(self, name).items():
                text = " / ".join(f"{v:.1%}" for v in value) if isinstance(value, tuple) else f"{value:.1%}"
                parts.append(f"{track_rules(track).label} {label} {text}")
        if self.flat_msr is not None:
            parts.append(f"flat MSR/MLR {self.flat_msr:.2%} for every ACO")
        if self.msr_scale is not None:
            parts.append(f"MSR table x {self.msr_scale:g}")
        if self.quality_standard is not None:
            parts.append(f"quality standard {self.quality_standard:.2%}")
        if self.sequestration_factor is not None:
            parts.append(f"shared savings x {self.sequestration_factor:g} (sequestration)")
        return "; ".join(parts) or "no change"

    def tracks(self, base: Mapping[str, TrackRules] = TRACKS) -> dict[str, TrackRules]:
        """The track rule table after the change."""
        out = dict(base)
        for track, value in self.max_sharing_rates.items():
            out[track] = replace(out[track], max_sharing_rate=float(value))
        for track, value in self.payment_limits.items():
            out[track] = replace(out[track], payment_limit=float(value))
        for track, value in self.loss_rates.items():
            out[track] = replace(out[track], loss_rate_rule="fixed", fixed_loss_rate=float(value))
        for track, value in self.loss_limits.items():
            if isinstance(value, tuple):
                out[track] = replace(out[track], loss_limit_by_year_in_track=tuple(float(v) for v in value))
            else:
                out[track] = replace(
                    out[track], loss_limit_benchmark_share=float(value), loss_limit_by_year_in_track=None
                )
        return out

    def years(self, base: Mapping[int, YearRules] = YEARS) -> dict[int, YearRules]:
        """The year rule table after the change."""
        out = dict(base)
        for year, rules in out.items():
            if self.sequestration_factor is not None:
                rules = replace(rules, sequestration_factor=float(self.sequestration_factor))
            if self.quality_standard is not None and rules.quality_era != "legacy":
                rules = replace(rules, quality_standard=float(self.quality_standard))
            out[year] = rules
        return out


@dataclass(frozen=True, eq=False)
class ProgramComparison:
    """The program settled as it was and as changed.

    `totals`: one row per scenario ("as was", "as changed", "change"), columns `TOTAL_COLUMNS`
    (dollars; counts of ACOs). `by_track`: the same per track, `<metric>_before/_after/_change`.
    `per_aco`: every ACO's settlement before and after (earned_before, earned_after, change).
    `notes`: what the change could not reach and why (shown beside the numbers).
    """

    change: RuleChange
    performance_years: tuple[int, ...]
    totals: pd.DataFrame
    by_track: pd.DataFrame
    per_aco: pd.DataFrame
    notes: tuple[str, ...] = ()

    def biggest_changes(self, n: int = 20) -> pd.DataFrame:
        """The `n` ACOs whose settlement changes most (by absolute dollars)."""
        order = self.per_aco["change"].abs().sort_values(ascending=False, kind="stable").index
        return self.per_aco.loc[order[:n]]

    def headline(self) -> str:
        t = self.totals
        net = t["net_savings_to_medicare"] / 1e6
        before, after = t.loc["as was"], t.loc["as changed"]
        return (
            f"{self.change.describe()}: Medicare's net savings ${net['as changed']:,.1f}M "
            f"instead of ${net['as was']:,.1f}M ({net['change']:+,.1f}M); ACOs paid "
            f"{int(after['acos_paid'])} instead of {int(before['acos_paid'])}."
        )


def _settle_inputs(aco_year: pd.DataFrame, from_database: bool | None) -> pd.DataFrame:
    if from_database is None:
        from_database = any(str(c).startswith("cms_") for c in aco_year.columns)
    if from_database:
        return inputs_frame(aco_year)
    missing = [c for c in REQUIRED if c not in aco_year]
    if missing:
        raise KeyError(f"apply_rule_change needs column(s): {', '.join(missing)}")
    return aco_year.copy()


def _totals(proration: np.ndarray | float, earned: np.ndarray, gross: np.ndarray) -> dict[str, float]:
    """The totals of some ACO-years from their settlement's `earned` and `gross_savings` (numpy arrays:
    slicing frames per track took most of the comparison's time)."""
    return {
        "acos": float(len(earned)),
        "acos_paid": float((earned > 0).sum()),
        "acos_owing": float((earned < 0).sum()),
        "gross_savings": float((gross * proration).sum()),
        "shared_savings_paid": float(np.clip(earned, 0, None).sum()),
        "losses_collected": float(np.clip(-earned, 0, None).sum()),
        "net_savings_to_medicare": 0.0,
    }


def _with_net(row: dict[str, float]) -> dict[str, float]:
    row["net_savings_to_medicare"] = (
        row["gross_savings"] - row["shared_savings_paid"] + row["losses_collected"]
    )
    return row


def _proration(inputs: pd.DataFrame) -> np.ndarray | float:
    return inputs["proration"].to_numpy(dtype=float) if "proration" in inputs else 1.0


@dataclass(frozen=True, eq=False)
class AsWas:
    """ACO-years settled under the rules as they were: what every rule change is compared with.

    Made by `settle_as_was`, once per set of ACO-years (a page keeps it per year): `apply_rule_change`
    with `as_was=` then settles only the changed rules. `rows` are the ACO-years that can be settled,
    `inputs` their settlement inputs, `before` their settlement, `notes` what was left out.
    """

    rows: pd.DataFrame
    inputs: pd.DataFrame
    before: pd.DataFrame
    notes: tuple[str, ...]
    tracks: np.ndarray  # each row's track, as numpy (per-track totals)
    totals: dict[str, float]
    by_track: dict[str, dict[str, float]]
    arrays: tuple[np.ndarray, np.ndarray, dict[str, np.ndarray | None]]  # vectorized.input_arrays(inputs)
    per_aco: dict[str, np.ndarray]  # per_aco's columns that do not change with the rules


def settle_as_was(
    aco_year: pd.DataFrame, *, performance_year: int | None = None, from_database: bool | None = None
) -> AsWas:
    """The ACO-years settled under the rules as they were (`apply_rule_change`'s parameters)."""
    rows = (
        aco_year if performance_year is None else aco_year[aco_year["performance_year"] == performance_year]
    )
    if rows.empty:
        raise ValueError("no ACO-years to settle" + (f" in {performance_year}" if performance_year else ""))
    inputs = _settle_inputs(rows, from_database)
    notes: list[str] = []
    usable = settleable(inputs)
    if not usable.all():  # a damaged published row is left out and named, not the whole year refused
        left_out = rows.loc[~usable, "aco_id"].astype(str).tolist() if "aco_id" in rows else []
        named = ", ".join(left_out[:5]) + (" ..." if len(left_out) > 5 else "")
        notes.append(f"{int((~usable).sum())} ACO-year(s) left out: their published benchmark, spending or "
                     f"size cannot be settled ({named}).")
        rows, inputs = rows[usable], inputs[usable]
        if rows.empty:
            raise ValueError("no ACO-year of this year can be settled from its published numbers")
    before = settle_frame(inputs)
    tracks = inputs["track"].to_numpy()
    proration = _proration(inputs)
    earned, gross = before["earned"].to_numpy(), before["gross_savings"].to_numpy()
    by_track = {}
    for track in [t for t in TRACKS if (tracks == t).any()]:
        mask = tracks == track
        part = proration if np.ndim(proration) == 0 else proration[mask]
        by_track[track] = _with_net(_totals(part, earned[mask], gross[mask]))
    outcome_names = np.array(OUTCOMES)
    per_aco = {col: rows[col].to_numpy() for col in ("aco_id", "aco_name") if col in rows}
    per_aco |= {"performance_year": inputs["performance_year"].to_numpy(),
                "track": inputs["track"].astype(str).to_numpy(), "earned_before": earned}
    return AsWas(rows, inputs, before, tuple(notes), tracks, _with_net(_totals(proration, earned, gross)),
                 by_track, input_arrays(inputs), per_aco | {
                     "outcome_before": outcome_names[before["outcome"].to_numpy(dtype=int)],
                     "msr_before": before["minimum_savings_rate"].to_numpy()})


def _corridor_inputs(data: Mapping[str, np.ndarray | None], before: pd.DataFrame,
                     change: RuleChange) -> dict[str, np.ndarray | None]:
    """Inputs (`settle_arrays`' numeric arrays) carrying the changed MSR in `minimum_savings_rate`.

    The engine gives that MSR to every row (the MLR follows it for two-sided tracks), whatever the
    rule that set it before. A flat MSR applies to all; a scale multiplies the table value of the
    ACO-years whose MSR came from the table (`before`'s msr_rule), the others keep theirs.
    """
    out = dict(data)
    rows = len(before)
    if change.flat_msr is not None:
        out["minimum_savings_rate"] = np.full(rows, float(change.flat_msr))
        out["minimum_loss_rate"] = np.full(rows, np.nan)
    else:
        assert change.msr_scale is not None
        uses_table = np.isin(before["msr_rule"].to_numpy(), _TABLE_CODES)
        table_msr = before["minimum_savings_rate"].to_numpy(dtype=float)
        own = data.get("minimum_savings_rate")
        own = np.full(rows, np.nan) if own is None else own
        out["minimum_savings_rate"] = np.where(uses_table, change.msr_scale * table_msr, own)
    return out


def _quality_inputs(data: Mapping[str, np.ndarray | None], py: np.ndarray, change: RuleChange,
                    notes: list[str]) -> dict[str, np.ndarray | None]:
    """Met-standard flags under a new quality standard (425.512), in `settle_arrays`' numeric arrays.

    An ACO meets the new standard when its score reaches it, or when it met the old standard by
    another route (reporting incentive, first year: published met while scoring below the old
    threshold). Published flags are otherwise recomputed from the score.
    """
    met = data.get("met_quality_standard")
    if change.quality_standard is None or met is None:
        return dict(data)
    old = np.array(
        [
            YEARS[int(y)].quality_standard if YEARS[int(y)].quality_standard is not None else np.nan
            for y in py
        ],
        dtype=float,
    )
    legacy = np.array([YEARS[int(y)].quality_era == "legacy" for y in py])
    q = data.get("quality_score")
    q = np.full(len(py), np.nan) if q is None else q
    other_route = (met > 0) & (q < old)
    new_met = np.where(np.nan_to_num(q, nan=-1.0) >= change.quality_standard, 1.0, 0.0)
    new_met = np.where(other_route, 1.0, new_met)
    flags = np.where(legacy | np.isnan(met), met, new_met)
    if legacy.any():
        notes.append(
            f"{int(legacy.sum())} ACO-years settled before PY2021 have no quality performance "
            "standard threshold (425.502 scoring): the new standard does not apply to them."
        )
    notes.append(
        "ACOs whose score was raised to the threshold by extreme-and-uncontrollable relief "
        "(425.512(c)) are taken at their published score."
    )
    return {**data, "met_quality_standard": flags}


def _by_track(as_was: AsWas, after: Mapping[str, np.ndarray]) -> pd.DataFrame:
    tracks, proration = as_was.tracks, _proration(as_was.inputs)
    earned, gross = after["earned"], after["gross_savings"]
    rows = []
    for track, b in as_was.by_track.items():
        mask = tracks == track
        part = proration if np.ndim(proration) == 0 else proration[mask]
        a = _with_net(_totals(part, earned[mask], gross[mask]))
        row: dict[str, object] = {"track": track, "track_label": TRACKS[track].label, "acos": int(b["acos"])}
        for metric in TOTAL_COLUMNS[1:]:
            cast = int if metric.startswith("acos") else float
            row[f"{metric}_before"] = cast(b[metric])
            row[f"{metric}_after"] = cast(a[metric])
            row[f"{metric}_change"] = cast(a[metric] - b[metric])
        rows.append(row)
    return pd.DataFrame(rows)


def apply_rule_change(
    aco_year: pd.DataFrame,
    change: RuleChange,
    *,
    performance_year: int | None = None,
    from_database: bool | None = None,
    as_was: AsWas | None = None,
) -> ProgramComparison:
    """Settle every ACO under the rules as they were and as changed, and compare.

    Parameters
    ----------
    aco_year : DataFrame
        Rows of the `aco_year` table (mapped by `inputs.inputs_frame`), or `settle_frame` input
        columns directly (performance_year, track, benchmark, expenditure, assigned_beneficiaries,
        quality_score, met_quality_standard, msr_election, ...). `aco_id` / `aco_name` are carried
        into `per_aco` when present.
    change : RuleChange
    performance_year : int, optional
        Keep only that year's rows.
    from_database : bool, optional
        Force the input kind; by default rows with any `cms_*` column are database rows.
    as_was : AsWas, optional
        `settle_as_was(aco_year, ...)` made before (the rules as they were settle once per year, not once
        per change); `aco_year`, `performance_year` and `from_database` are then not read.

    Returns
    -------
    ProgramComparison

    Notes
    -----
    Net savings to Medicare = sum(B - X) - shared savings paid + shared losses collected, each
    ACO's gross savings multiplied by its proration (425.609 six-month years).

    Examples
    --------
    Halving Track 1's sharing rate halves what a Track 1 saver is paid (PY2014, 2% sequestration):

    >>> rows = pd.DataFrame({"performance_year": [2014], "track": ["TRACK_1"], "benchmark": [100e6],
    ...                      "expenditure": [90e6], "assigned_beneficiaries": [20_000],
    ...                      "quality_score": [1.0]})
    >>> c = apply_rule_change(rows, RuleChange(max_sharing_rates={"TRACK_1": 0.25}))
    >>> c.totals.loc[["as was", "as changed"], "shared_savings_paid"].tolist()
    [4900000.0, 2450000.0]
    """
    if as_was is None:
        as_was = settle_as_was(aco_year, performance_year=performance_year, from_database=from_database)
    rows, inputs, before = as_was.rows, as_was.inputs, as_was.before
    notes = list(as_was.notes)
    tracks = change.tracks()
    years = change.years()
    codes, py, data = as_was.arrays
    changed = _quality_inputs(data, py, change, notes)
    if change.changes_msr:
        changed = _corridor_inputs(changed, before, change)
    after = settle_arrays(codes, py, changed, ["earned", "gross_savings", "outcome", "minimum_savings_rate"],
                          tracks=tracks, years=years,
                          labels=inputs.index, original=lambda name, at: list(inputs[name].iloc[at]))

    b = as_was.totals
    a = _with_net(_totals(_proration(inputs), after["earned"], after["gross_savings"]))
    totals = pd.DataFrame(
        [b, a, {k: a[k] - b[k] for k in b}], index=list(SCENARIOS), columns=list(TOTAL_COLUMNS)
    )
    for col in ("acos", "acos_paid", "acos_owing"):
        totals[col] = totals[col].astype(int)

    per_aco = {name: as_was.per_aco[name] for name in ("aco_id", "aco_name", "performance_year", "track",
                                                         "earned_before") if name in as_was.per_aco}
    per_aco["earned_after"] = after["earned"]
    per_aco["change"] = after["earned"] - as_was.per_aco["earned_before"]
    per_aco["outcome_before"] = as_was.per_aco["outcome_before"]
    per_aco["outcome_after"] = np.array(OUTCOMES)[after["outcome"].astype(int)]
    per_aco["msr_before"] = as_was.per_aco["msr_before"]
    per_aco["msr_after"] = after["minimum_savings_rate"]
    per_aco = pd.DataFrame(per_aco, index=rows.index)  # one frame at once: a column at a time took ~10 ms

    return ProgramComparison(
        change=change,
        performance_years=tuple(sorted(int(y) for y in inputs["performance_year"].unique())),
        totals=totals,
        by_track=_by_track(as_was, after),
        per_aco=per_aco,
        notes=tuple(notes),
    )
