"""Everything an executive summary shows, read from a share link and the database (no drawing here).

`summary_from_link` reads the what-if page's link (the whole address or its query string) the way the
page does: the ACO-year it names is taken from the database (data/queries.py), CMS's settlement is
its starting point (aco_model.scenario.scenario_from_row), and the link's control values change it
(`Scenario.from_query_params`; each value it cannot use becomes a warning). A link that names no
ACO-year the database holds is an error (`LinkError`): a board document must not silently show
another ACO.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

import pandas as pd

from aco_model import fidelity
from aco_model.quality_routes import (
    ROUTE_TEXT,
    SCORE_FREE,
    published_route,
    published_standard,
    route_sentence,
    threshold,
)
from aco_model.reconciliation import Settlement
from aco_model.rules import TRACKS
from aco_model.scenario import (
    QUERY_KEYS,
    TEMPLATE,
    Scenario,
    election_text,
    every_track,
    payment_curve,
    quality_curve,
    scenario_from_row,
)
from data.queries import AcoDatabase
from ui.formatting import count, pct
from ui.what_if_charts import quality_flat_reason, settlement_steps

DEFAULT_APP_URL = "http://localhost:8501/what_if"
START = ("src", "aco", "year")


class LinkError(ValueError):
    """A link the report cannot be made from (one line, shown as is)."""


@dataclass
class ExecutiveSummary:
    """The figures of one what-if scenario, ready to be drawn. Money in dollars, rates as fractions."""

    scenario: Scenario
    result: Settlement
    aco_id: str | None
    aco_name: str | None
    cms_earned: float | None
    base: Scenario
    curve: pd.DataFrame
    tracks: pd.DataFrame
    waterfall: list[tuple[str, float, str]]
    inputs: list[tuple[str, str, str]]  # (input, this scenario, as CMS settled / the template)
    rules: list[str]
    quality_note: str
    data_source: str
    fidelity: str
    link: str
    synthetic: bool
    warnings: list[str] = field(default_factory=list)
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def year(self) -> int:
        return self.scenario.performance_year

    @property
    def subject(self) -> str:
        """"A1026 - Name" (the ACO) or "Template ACO"."""
        if self.aco_id is None:
            return "Template ACO (a mid-sized ACO)"
        return f"{self.aco_id} - {self.aco_name}" if self.aco_name else self.aco_id

    @property
    def headline(self) -> str:
        """"Payment to the ACO" or "Bill to the ACO"."""
        return "Payment to the ACO" if self.result.earned >= 0 else "Bill to the ACO"

    @property
    def difference(self) -> float | None:
        return None if self.cms_earned is None else self.result.earned - self.cms_earned

    def difference_text(self) -> str:
        if self.cms_earned is None:
            return "No CMS figure: a template scenario."
        if abs(self.difference or 0.0) < 1:
            return "this scenario reproduces CMS"
        return f"{money_full(self.difference, signed=True)} against CMS"


def clean(value: object) -> str:
    """Text as plain characters a document can hold: control characters dropped, whitespace runs as one.

    (XML, which both document formats are made of, cannot carry most control characters, and a link's
    "%00" or "%0A" decodes to one.)
    """
    text = "" if value is None else str(value)
    return re.sub(r"\s+", " ", "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cs")))


def money_full(value: float | None, *, signed: bool = False) -> str:
    """$11,143,493 / -$36,703,250 (every dollar, for tables)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    v = round(float(value))
    sign = "-" if v < 0 else ("+" if signed and v > 0 else "")
    return f"{sign}${abs(v):,}"


def link_params(link: str) -> tuple[dict[str, str], str]:
    """(query parameters, the app address before "?") of a share link or its bare query string."""
    text = (link or "").strip()
    if not text:
        raise LinkError("empty link: give the what-if page's share link or its query string")
    if "://" in text or text.startswith("/"):
        parts = urlsplit(text)
        query = parts.query
        address = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else parts.path
    else:
        query, address = text.lstrip("?"), DEFAULT_APP_URL
    params = dict(parse_qsl(query, keep_blank_values=True))
    if not params:
        raise LinkError("the link holds no what-if values (expected e.g. ?aco=A1026&year=2024)")
    return params, address or DEFAULT_APP_URL


def summary_from_link(link: str, database: AcoDatabase) -> ExecutiveSummary:
    """The executive summary of the scenario a share link describes (see the module docstring)."""
    params, address = link_params(link)
    unknown = [k for k in params if k not in QUERY_KEYS]
    warnings = [f"Link parameter{'s' if len(unknown) > 1 else ''} {', '.join(k[:30] for k in unknown[:5])} "
                "not used by the what-if page; ignored."] if unknown else []
    wanted, start_warnings = Scenario.from_query_params({k: v for k, v in params.items() if k in START})
    warnings += start_warnings
    cms_row, aco_name = None, None
    if wanted.aco_id is not None:
        rows = database.aco_rows(wanted.aco_id)
        if rows.empty:
            raise LinkError(f"no ACO {wanted.aco_id} in the database")
        years = sorted({int(y) for y in rows["performance_year"]})
        year = wanted.performance_year if "year" in params else years[-1]
        if year not in years:
            raise LinkError(f"{wanted.aco_id} has no results for PY{year} "
                            f"(it has PY{years[0]}-PY{years[-1]})")
        cms_row = rows[rows["performance_year"] == year].iloc[0]
        aco_name = None if pd.isna(cms_row.get("aco_name")) else str(cms_row["aco_name"])
        try:
            base = scenario_from_row(cms_row.to_dict(), wanted.aco_id)
        except (ValueError, TypeError, KeyError) as exc:
            raise LinkError(f"{wanted.aco_id} PY{year} lacks a number the model needs ({exc})") from None
    else:
        base = replace(TEMPLATE, performance_year=wanted.performance_year)
    scenario, control_warnings = Scenario.from_query_params(
        {k: v for k, v in params.items() if k not in START}, base)
    warnings += control_warnings
    result = scenario.settle()
    info = database.summary()
    return ExecutiveSummary(
        scenario=scenario, result=result, aco_id=scenario.aco_id, aco_name=aco_name,
        cms_earned=None if cms_row is None else float(cms_row["cms_earned_savings_losses"]),
        base=base, curve=payment_curve(scenario), tracks=every_track(scenario),
        waterfall=settlement_steps(result), inputs=_inputs(scenario, base, cms_row is not None),
        rules=rules_cited(result), quality_note=_quality_note(scenario, cms_row),
        data_source=_data_source(info, database, scenario.performance_year),
        fidelity=_fidelity(database, scenario.performance_year, bool(info["synthetic"])),
        link=f"{address}?{urlencode(scenario.to_query_params())}", synthetic=bool(info["synthetic"]),
        warnings=warnings,
    )


def _standard_text(s: Scenario) -> str:
    met, alternative = s.standard_met()
    status = ("scaled by the score" if met is None else "met" if met
              else "alternative met" if alternative else "not met")
    how = f"auto: {status}" if s.quality_standard == "auto" else f"set to {s.quality_standard}"
    return f"{s.quality_score * 100:.2f} ({how})"


def _inputs(s: Scenario, base: Scenario, real: bool) -> list[tuple[str, str, str]]:
    def election(x: Scenario) -> str:
        text = election_text(x.msr_election)
        return text if x.msr_election is None else f"{text}%"

    rows = [
        ("Track / level", TRACKS[s.track].label, TRACKS[base.track].label),
        ("MSR/MLR election", election(s), election(base)),
        ("Quality score (standard)", _standard_text(s), _standard_text(base)),
        ("Benchmark", money_full(s.benchmark), money_full(base.benchmark)),
        ("Benchmark change", pct(s.benchmark_change, signed=True), pct(base.benchmark_change, signed=True)),
        ("Expenditure", money_full(s.expenditure), money_full(base.expenditure)),
        ("Savings rate", pct(s.savings_rate), pct(base.savings_rate)),
        ("Assigned beneficiaries", count(s.assigned_beneficiaries), count(base.assigned_beneficiaries)),
    ]
    if s.participant_revenue or base.participant_revenue:
        rows.append(("Participants' Parts A+B revenue", money_full(s.participant_revenue),
                     money_full(base.participant_revenue)))
    return rows


def rules_cited(result: Settlement) -> list[str]:
    """The rules this settlement applied, each once, as "42 CFR 425.xxx: what it says"."""
    texts = ["425.604(a): gross savings = benchmark - expenditure", result.msr_rule,
             result.loss_rule if result.outcome == "shared losses" else result.sharing_rule]
    for label, _, rule in settlement_steps(result)[1:-1]:
        texts.append(rule if ":" in rule else f"{rule}: {label.lower()}")
    texts.append(f"{result.track_citation.removeprefix('42 CFR ')}: {TRACKS[result.inputs.track].label} "
                 "sharing rate, payment and loss limits")
    cited: list[str] = []
    for text in texts:
        text = f"42 CFR {text}" if text[:1].isdigit() and not text.startswith("42 CFR") else text
        if text not in cited:
            cited.append(text)
    return cited


def _quality_note(s: Scenario, row: pd.Series | None) -> str:
    line = threshold(s.performance_year)
    bar = (f"PY{s.performance_year}: no score threshold; sharing is the maximum rate x the quality score "
           "(425.502). " if line is None else
           f"PY{s.performance_year} quality standard: a score of {line * 100:.2f}. ")
    if row is None:
        return (bar + _why_not(s)).strip()
    route = published_route(row.to_dict())
    published = published_standard(row.to_dict())
    sentence = route_sentence(s.aco_id or "the ACO", s.performance_year, s.quality_route,
                              s.quality_route_score)
    how = f" via {ROUTE_TEXT[route]}" if route and published == "met" and not sentence else ""
    score = row.get("quality_score")
    shown = "-" if score is None or pd.isna(score) else f"{float(score) * 100:.2f}"
    return f"{bar}CMS published: score {shown}, standard {published}{how}. {sentence}{_why_not(s)}".strip()


def _why_not(s: Scenario) -> str:
    """Why a score below the standard leaves the result unchanged (the what-if page's sentence)."""
    line = threshold(s.performance_year)
    if line is None or s.quality_score >= line or s.quality_route in SCORE_FREE:
        return ""
    reason = quality_flat_reason(s, s.settle(), quality_curve(s))
    return f" Below the {line * 100:.2f} standard the payment does not change. {reason}" if reason else ""


def _data_source(info: dict[str, object], database: AcoDatabase, year: int) -> str:
    if info["synthetic"]:
        return (f"Synthetic demo data (PY{info['first_year']}-{info['last_year']}): made-up ACOs generated "
                "by ACO Lens, not CMS results.")
    files = database.sources()
    names = files.loc[files["performance_year"] == year, "file_name"].astype(str).tolist()
    return (f"CMS MSSP Performance Year Financial and Quality Results, PY{info['first_year']}-"
            f"{info['last_year']} ({len(info['files'])} files; PY{year}: {', '.join(names) or 'no file'}).")


def _fidelity(database: AcoDatabase, year: int, synthetic: bool) -> str:
    """The model against CMS (aco_model.fidelity): the year's and every year's ACO-years matched to $1."""
    if synthetic:
        return "Model fidelity: not measured on synthetic data."
    compared = fidelity.compare(database.all_rows())
    if compared.empty:
        return "Model fidelity: no CMS ACO-years to compare."
    this = compared[compared["performance_year"] == year]
    parts = [f"PY{year}: {int(this['matched'].sum()):,} of {len(this):,} ACO-years"] if len(this) else []
    parts.append(f"all years: {int(compared['matched'].sum()):,} of {len(compared):,} "
                 f"({compared['matched'].mean():.1%})")
    if "independent_matched" in compared:  # the second tier: no input read from CMS's outcome columns
        parts.append(f"from public inputs alone: {int(compared['independent_matched'].sum()):,} "
                     f"({compared['independent_matched'].mean():.1%})")
    return f"Model fidelity (CMS's result reproduced to $1): {'; '.join(parts)}."
