"""Risk election: next year's settlement under every track and MSR/MLR election, under uncertainty.

Thin page: query (ui.database), model (aco_model.uncertainty through ui.risk_election), charts.
State in the URL: src, aco, year (or the template's t_*), renew, draws, seed, method, all_tracks,
all_elections, max_owe_pct, owe_over.
"""

from __future__ import annotations

import streamlit as st

from aco_model.inputs import from_aco_year_row
from aco_model.rules import FIRST_YEAR, LAST_YEAR, TRACKS
from aco_model.uncertainty import MAY, MAY_NOT, calibrate
from ui import database as data
from ui import page_cache
from ui import risk_election as risk
from ui import widgets as ui
from ui.link_params import fmt_number, ignored
from ui.nav import inside_app
from ui.share import share_box

inside_app()

@page_cache.cache_resource(show_spinner="Calibrating on the history...", max_entries=4)
def _calibration(key: tuple[str, float], method: str):
    """The savings-rate model fitted on every ACO-year; None without two consecutive years of one ACO."""
    try:
        return calibrate(data.all_rows(key), method=method)
    except ValueError:
        return None


# Below, results kept by their (hashable) inputs for every viewer (ui.page_cache.memo: looked up without
# Streamlit's hasher, shared, never copied nor changed): what a run reads again and again costs a lookup.
@page_cache.memo(2)
def _proof(key: tuple[str, float]):
    """The backtest's figures (aco_model.backtest), computed once per database."""
    with st.spinner("Proving the forecast on history (first visit only)..."):
        return risk.prove(data.all_rows(key))


@page_cache.memo(2)
def _proof_shown(key: tuple[str, float]):
    """The trust sentence and the backtest's table as shown (the same on every run)."""
    proof = _proof(key)
    pct_cols = [c for c in proof.table.columns if c.endswith("%")]
    table = ui.formatted(proof.table, pct_cols=pct_cols, rename={"year": "Target year", "acos": "ACOs",
                                                                  "two_sided": "Two-sided"})
    return risk.trust_sentence(proof), table


def _reliability(key: tuple[str, float]):
    return risk.reliability_figure(_proof(key))


@page_cache.memo(8)
def _calibration_shown(key: tuple[str, float], method: str):
    """The calibration's description and its two tables, raw and as shown."""
    calibration = _calibration(key, method)
    cal, effects = calibration.table(), calibration.year_effect_table()
    return (calibration.describe(), cal,
            ui.formatted(cal, pct_cols=["mean", "sd", "p05", "p25", "p50", "p75", "p95"],
                         rename={"band": "Size band", "sample_size": "Pairs", "uses_pooled_sample": "Pooled",
                                 "mean": "Mean change", "sd": "SD"}),
            effects,
            ui.formatted(effects, pct_cols=["year_effect", "shock"], rename={
                "pair": "Years", "year_effect": "Change of an ACO at the program's mean",
                "shock": "Year-wide shock"}))


@page_cache.memo(4)
def _aco_choices(key: tuple[str, float]) -> tuple[list[str], dict[str, str]]:
    """The ACO ids and their names, once per database (zipping the index's text columns took ~5 ms a run)."""
    acos = data.aco_index(key)
    return acos["aco_id"].tolist(), dict(zip(acos["aco_id"], acos["aco_name"], strict=True))


@page_cache.memo(256)
def _aco_years(key: tuple[str, float], aco: str) -> tuple[list[int], dict[int, tuple[int, bool]]]:
    """The ACO's years, and for each its count of result rows and whether the year after it starts a new
    agreement (from the first row's start date), once per ACO (filtering its rows took ~5 ms a run)."""
    rows = data.aco_rows(key, aco)
    years = sorted({int(y) for y in rows["performance_year"]})
    facts = {}
    for year in years:
        year_rows = rows[rows["performance_year"] == year]
        start = year_rows.iloc[0].get("current_start_date")
        facts[year] = (len(year_rows), risk.starts_new_agreement(year, start))
    return years, facts


@page_cache.memo(256)
def _base(key: tuple[str, float], aco: str, year: int):
    """The ACO-year's model inputs (reading the row took ~20 ms); raises when the row cannot be settled."""
    rows = data.aco_rows(key, aco)
    return from_aco_year_row(rows[rows["performance_year"] == year].iloc[0].to_dict())


@page_cache.memo(32)
def _simulation(key, base, method, draws, seed, owing_threshold, offered_only, new_agreement):
    """The per-election summary, box-chart quantiles, the year settled and the size band (no draws kept)."""
    with st.spinner("Simulating..."):
        result, summary = risk.run(base, _calibration(key, method), draws, seed, owing_threshold,
                                   offered_only=offered_only, new_agreement=new_agreement)
    return summary, risk.box_stats(result, summary), result.base.performance_year, result.band.band


key, params, warnings_box = ui.page_start(
    "Risk election",
    "How next year's settlement could turn out under each track and MSR/MLR election, drawn from how "
    "real ACOs' savings rates moved from one year to the next.",
)
info = data.summary(key)

# --- where to start: a real ACO-year or a template -------------------------------------------------
aco_ids, names = _aco_choices(key)
src = params.choice("src", ["aco", "template"], "aco" if aco_ids else "template")
left, right = st.columns([3, 2])
src = left.segmented_control(
    "Start from",
    ["aco", "template"],
    default=src,
    key="risk_src",
    required=True,
    format_func={"aco": "An ACO-year in the data", "template": "A template"}.get,
)
if src == "aco":
    aco = params.text("aco")
    if aco is not None and aco not in names:
        params.warnings.append(ignored("aco", aco, "no such ACO in the data", aco_ids[0]))
        aco = None
    aco = aco or aco_ids[0]
    aco = left.selectbox(
        "ACO",
        aco_ids,
        index=aco_ids.index(aco),
        key="risk_aco",
        format_func=lambda a: f"{a} - {names.get(a) or 'unnamed'}",  # a selectbox shows text, not markdown
    )
    aco_years, year_facts = _aco_years(key, aco)
    year = params.integer("year", aco_years[-1], FIRST_YEAR, LAST_YEAR)
    if year not in aco_years:
        if aco == params.text("aco"):  # the link's own ACO-year (not a new ACO chosen on the page)
            params.warnings.append(f"{aco} has no results for {year}; using {aco_years[-1]}.")
        year = aco_years[-1]
    year = right.selectbox("Base year", aco_years, index=aco_years.index(year), key="risk_year")
    result_rows, renews_default = year_facts[year]
    try:
        base = _base(key, aco, int(year))
    except (ValueError, TypeError, KeyError) as exc:  # a row the model cannot settle (missing numbers)
        st.warning(ui.plain(f"{aco} PY{year} cannot be simulated ({exc}); choose another year or a "
                            "template."))
        st.stop()
    label = ui.plain(f"{aco} {names.get(aco) or ''} PY{year}")
    if result_rows > 1:
        st.caption(
            f"{ui.plain(aco)} has {result_rows} result rows in {year} (six-month periods): the first "
            "is used."
        )
    state = {"src": "aco", "aco": aco, "year": str(year)}
    election_known = True
else:
    t = risk.Template()
    with st.container(border=True):
        c1, c2, c3 = st.columns(3)
        t_year = c1.number_input(
            "Base year",
            FIRST_YEAR,
            LAST_YEAR - 1,
            key="risk_t_year",
            value=params.integer("t_year", t.performance_year, FIRST_YEAR, LAST_YEAR - 1),
        )
        t_track = c2.selectbox(
            "Track this year",
            list(TRACKS),
            key="risk_t_track",
            index=list(TRACKS).index(params.choice("t_track", list(TRACKS), t.track)),
            format_func=lambda c: TRACKS[c].label,
        )
        t_n = c3.number_input(
            "Assigned beneficiaries",
            500,
            500_000,
            step=1000,
            key="risk_t_n",
            value=params.integer("t_n", t.assigned_beneficiaries, 500, 500_000),
        )
        t_bench = c1.number_input(
            "Benchmark ($M)",
            1.0,
            10_000.0,
            step=10.0,
            key="risk_t_bench",
            value=params.number("t_bench", t.benchmark / 1e6, 1.0, 10_000.0),
        )
        t_rate = c2.number_input(
            "Savings rate this year (%)",
            -50.0,
            50.0,
            step=0.5,
            key="risk_t_rate",
            value=params.number("t_rate", t.savings_rate * 100, -50.0, 50.0),
        )
        t_q = c3.number_input(
            "Quality score (%)",
            0.0,
            100.0,
            step=1.0,
            key="risk_t_q",
            value=params.number("t_q", t.quality_score * 100, 0.0, 100.0),
        )
    template = risk.Template(
        int(t_year), t_track, float(t_bench) * 1e6, float(t_rate) / 100, int(t_n), float(t_q) / 100
    )
    base = template.aco_year()
    year = template.performance_year
    label = f"template ({TRACKS[t_track].label}, PY{year})"
    renews_default = False
    election_known = False  # a template has a track but no MSR/MLR election of its own
    state = {
        "src": "template",
        "t_year": str(t_year),
        "t_track": t_track,
        "t_n": str(t_n),
        "t_bench": fmt_number(t_bench),
        "t_rate": fmt_number(t_rate),
        "t_q": fmt_number(t_q),
    }

new_agreement = st.checkbox(
    f"PY{risk.next_year(year)} starts a new agreement period (benchmark rebased)",
    key="risk_renew",
    value=params.flag("renew", renews_default),
    help="At a new agreement CMS rebases the benchmark, which takes back much more of this year's savings "
    "(or losses) than a year inside an agreement. Ticked by default when the current agreement "
    "(from its start date) ends this year.",
)

if new_agreement != renews_default:
    state["renew"] = "1" if new_agreement else "0"

# The link's values for the forecast's controls, read here so that its warnings show above the controls,
# and handed to `forecast`, which a change of one of those controls reruns alone.
link = {
    "draws": params.choice("draws", risk.DRAW_CHOICES, risk.DEFAULT_DRAWS),
    "seed": params.integer("seed", risk.DEFAULT_SEED, 0, risk.MAX_SEED),
    "method": params.choice("method", ["bootstrap", "normal"], "bootstrap"),
    "all_tracks": params.flag("all_tracks", False),
    "all_elections": params.flag("all_elections", False),
    "max_owe_pct": params.number("max_owe_pct", risk.DEFAULT_MAX_PROB_OWING * 100, 0.0, 100.0),
    "owe_over": params.number("owe_over", risk.DEFAULT_OWING_THRESHOLD, 0.0, 1e10,
                              shown_default="$1,000,000"),
}
with warnings_box:
    ui.warn(params.warnings)

start_text = (
    f"Starting from {label}: benchmark {ui.plain(ui.money(base.benchmark))}, savings rate "
    f"{ui.plain(ui.pct((base.benchmark - base.expenditure) / base.benchmark))}, "
    f"{base.assigned_beneficiaries:,} assigned beneficiaries."
)
current = risk.current_election(base) if election_known else None
current_text = (f"This year's election (PY{year}): {current.label}." if current is not None else
                f"This year's track: {TRACKS[base.track].label if base.track in TRACKS else base.track}.")


@page_cache.memo(64)
def _answer(key, base, method, draws, seed, owe_over, offered_only, new_agreement, known, max_owe_pct,
            all_elections) -> dict:
    """What the forecast shows for its inputs, kept by them: the simulation's summary and which elections
    the ACO may make, the recommendation, the notes, and the per-election table raw and as shown."""
    summary, boxes, target, band = _simulation(key, base, method, draws, seed, owe_over, offered_only,
                                               new_agreement)
    allowed = risk.options(base, summary, new_agreement, known=known)
    best, alternative = risk.recommendation(summary, max_owe_pct / 100, owe_over, allowed)
    current = risk.current_election(base) if known else None
    notes = []
    if alternative is not None:
        why = allowed.loc[allowed["election"] == alternative["election"], "why"].iloc[0]
        chance = ui.pct(alternative["prob_owing_over_threshold"], 1)
        notes.append(f"{alternative['election']} would expect {ui.money(alternative['expected_payment'])} "
                     f"with a {chance} chance of owing over {ui.money(owe_over)}, if it is open to this ACO: "
                     f"{why}.")
    restricted = int((allowed["may_elect"] == MAY_NOT).sum())
    if restricted:
        shown_or_not = "shown greyed below" if all_elections else "left out below"
        notes.append(f"{restricted} of {len(allowed)} elections are closed to this ACO next year (the BASIC "
                     f"glide path, its agreement's MSR/MLR): {shown_or_not} and never recommended. Rules "
                     "marked [recall] are not confirmed in the regulation's text.")
    visible = ((allowed["may_elect"] != MAY_NOT) | bool(all_elections)).to_numpy()
    shown = summary.drop(columns=["track", "owing_threshold", "sd_payment"])
    shown.insert(1, "may_elect", allowed["may_elect"].to_numpy())
    shown.insert(2, "within_appetite", summary["prob_owing_over_threshold"] <= max_owe_pct / 100 + 1e-12)
    shown["why"] = allowed["why"].to_numpy()
    return {
        "summary": summary, "boxes": boxes, "target": target, "band": band, "allowed": allowed,
        "best": best, "alternative": alternative,
        "status": (allowed.loc[allowed["election"] == best["election"], "may_elect"].iloc[0]
                   if best is not None else None),
        "at_current": (summary[summary["election"] == current.label] if current is not None
                       else summary.iloc[:0]),
        "notes": ui.plain(" ".join(notes)) if notes else "", "visible": visible,
        "closed": frozenset(allowed.loc[allowed["may_elect"] == MAY_NOT, "election"]),
        "table": ui.formatted(shown[visible], SUMMARY_MONEY, SUMMARY_PCT, rename=summary_names(owe_over)),
        "raw": summary.assign(may_elect=allowed["may_elect"].to_numpy(),
                              rule=allowed["why"].to_numpy())[visible],
    }


SUMMARY_MONEY = ["expected_payment", "median_payment", "p05_payment", "p95_payment", "worst_case",
                 "best_case", "payment_at_current_rate"]
SUMMARY_PCT = ["prob_any_payment", "prob_owing", "prob_owing_over_threshold", "msr_election"]


def summary_names(owe_over: float) -> dict[str, str]:
    return {
        "election": "Election", "may_elect": "May elect", "within_appetite": "Within appetite",
        "msr_election": "MSR/MLR", "expected_payment": "Expected", "median_payment": "Median",
        "p05_payment": "5th pct", "p95_payment": "95th pct", "prob_any_payment": "Chance paid",
        "prob_owing": "Chance owing", "prob_owing_over_threshold": f"Chance owing > {ui.money(owe_over)}",
        "worst_case": "Worst case", "best_case": "Best case",
        "payment_at_current_rate": "At this year's rate", "why": "Rule",
    }


@st.fragment
def forecast(link: dict, state: dict[str, str]) -> None:
    """The simulation's controls and all they change. A change of one of them reruns this alone (the
    controls above rerun the page), and writes the link anew: `state` is the link of the controls above."""
    # --- simulation and risk appetite --------------------------------------------------------------
    with st.expander("Simulation and risk appetite", expanded=True):
        c1, c2, c3, c4 = st.columns(4)
        draws = c1.selectbox("Draws", risk.DRAW_CHOICES, key="risk_draws", format_func=lambda n: f"{n:,}",
                             index=risk.DRAW_CHOICES.index(link["draws"]))
        seed = c2.number_input("Seed", 0, risk.MAX_SEED, step=1, key="risk_seed", value=link["seed"],
                               help="The same seed, draws and inputs give the same numbers.")
        method = c3.selectbox(
            "Draw the change by", ["bootstrap", "normal"], key="risk_method",
            index=["bootstrap", "normal"].index(link["method"]),
            format_func={"bootstrap": "resampling history", "normal": "normal fit"}.get,
        )
        all_tracks = c4.checkbox("Every track, offered or not", key="risk_all_tracks",
                                 value=link["all_tracks"])
        all_elections = c4.checkbox(
            "Also elections it may not make", key="risk_all_elections", value=link["all_elections"],
            help="By default the chart and table leave out the elections the rules close to this ACO next "
            "year.",
        )
        a1, a2 = st.columns(2)
        max_owe_pct = a1.number_input("No more than this chance (%) ...", 0.0, 100.0, step=1.0,
                                      key="risk_max_owe", value=link["max_owe_pct"])
        owe_over, bad_amount = ui.money_input(  # reads $1,000,000, takes "$1M" or "750k"
            a2, "... of owing more than", key="risk_owe_over", limits=(0.0, 1e10), current=link["owe_over"],
        )
        if bad_amount:  # holds the viewer's own text
            st.warning(ui.plain(bad_amount), icon=":material/error:")

    state = {**state, "draws": str(draws), "seed": str(int(seed)), "method": method,
             "max_owe_pct": fmt_number(max_owe_pct), "owe_over": fmt_number(owe_over)}
    if all_tracks:
        state["all_tracks"] = "1"
    if all_elections:
        state["all_elections"] = "1"
    st.query_params.from_dict(state)

    # --- a database without two consecutive years: say so, show what can be shown ------------------
    if _calibration(key, method) is None:
        st.warning(
            "The forecast needs two consecutive years of the same ACO to learn how savings rates move from "
            f"one year to the next; this database has none (PY{info['first_year']}-{info['last_year']}). "
            "Shown instead: next year's settlement if the savings rate stayed at this year's, under each "
            "election.",
            icon=":material/event_busy:",
        )
        st.caption(f"{start_text} {ui.plain(current_text)}")
        fixed = risk.at_this_years_rate(base, offered_only=not all_tracks)
        allowed = risk.options(base, fixed, new_agreement, known=election_known)
        fixed_shown = fixed[["election"]].assign(
            may_elect=allowed["may_elect"].to_numpy(), payment=fixed["payment_at_current_rate"].to_numpy(),
            why=allowed["why"].to_numpy(),
        )
        ui.table(
            ui.formatted(fixed_shown, ["payment"], rename={"election": "Election", "may_elect": "May elect",
                                                           "payment": "At this year's rate", "why": "Rule"}),
            fixed, f"risk_election_at_this_years_rate_PY{year}.csv", key="risk_fixed",
        )
        share_box("risk_election", state, "forecast")
        return

    inputs = (key, base, method, int(draws), int(seed), float(owe_over), not all_tracks, bool(new_agreement),
              election_known, float(max_owe_pct), bool(all_elections))
    answer = _answer(*inputs)
    best, target = answer["best"], answer["target"]
    st.caption(
        f"{start_text} Next year settled under the PY{target} rules, {int(draws):,} draws from the "
        f"{answer['band']} band, seed {int(seed)}{', a new agreement' if new_agreement else ''}."
    )

    # --- the answer, beside this year's election ---------------------------------------------------
    appetite = f"no more than {max_owe_pct:g}% chance of owing over {ui.money(owe_over)}"
    at_current = answer["at_current"]
    left, now = st.columns(2)
    with left:
        if best is None:
            st.warning(f"No election the ACO may make meets the risk appetite ({ui.plain(appetite)}).")
        else:
            note = (" (whether it may be elected is uncertain: see the table's Rule)"
                    if answer["status"] != MAY else "")
            keep = "keep " if current is not None and best["election"] == current.label else ""
            st.success(f"Recommended, the best expected payment with {ui.plain(appetite)}: "
                       f"**{keep}{best['election']}**{note}")
            m1, m2 = st.columns(2)  # a 2x2 grid: two columns of two (fewer blocks than two rows of two)
            m1.metric("Expected payment", ui.money(best["expected_payment"]))
            m2.metric("Chance of any payment", ui.pct(best["prob_any_payment"], 1))
            m1.metric(f"Chance of owing over {ui.money(owe_over)}",
                      ui.pct(best["prob_owing_over_threshold"], 1))
            m2.metric("Worst case", ui.money(best["worst_case"]))
    with now:
        if len(at_current):
            row = at_current.iloc[0]
            st.info(f"This year's election (PY{year}), if kept: **{row['election']}**",
                    icon=":material/history:")
            c1, c2 = st.columns(2)
            c1.metric("Kept: expected payment", ui.money(row["expected_payment"]))
            c2.metric("Kept: chance of any payment", ui.pct(row["prob_any_payment"], 1))
            c1.metric(f"Kept: chance of owing over {ui.money(owe_over)}",
                      ui.pct(row["prob_owing_over_threshold"], 1))
            c2.metric("Kept: worst case", ui.money(row["worst_case"]))
        else:
            st.info(ui.plain(current_text) + " It is not among next year's elections shown.",
                    icon=":material/history:")
    if answer["notes"]:
        st.caption(answer["notes"])

    # --- how far to trust it: the forecast proven on history ---------------------------------------
    st.subheader("How far to trust the forecast")
    proof = _proof(key)
    if proof is None:
        st.info("No year can be forecast from earlier years in this database, so the forecast is not yet "
                "proven on history.")
    else:
        sentence, backtest_shown = _proof_shown(key)
        st.write(sentence)
        ui.cached_chart(_reliability, key, key="risk_reliability",  # the same for every viewer
                        file_name="risk-forecast-calibration-backtest")
        st.caption(
            "Each point gathers the ACO-years whose forecast chance fell in one 10-point bin (bigger points: "
            f"more ACO-years; bins of fewer than {risk.MIN_BIN_COUNT} left out); on the dotted line the "
            "chance said is what happened. Every year was forecast only from the years before it, with that "
            "year's published track, MSR/MLR, quality and benchmark; owing counts losses before any relief "
            "for extreme and uncontrollable circumstances."
        )
        # Closed expanders fill when opened (on_change="rerun": a rerun of this fragment): their tables
        # were a quarter of a run's CPU, sent on every run for a viewer who seldom opens them.
        backtest = st.expander("The backtest year by year (python -m aco_model.backtest)",
                               key="risk_backtest_open", on_change="rerun")
        with backtest:
            if backtest.open:
                ui.table(backtest_shown, proof.table, "risk_forecast_backtest.csv", key="risk_backtest")
                for skipped_year, why in sorted(proof.skipped.items()):
                    st.caption(f"PY{skipped_year}: not forecast ({why}).")

    # --- distributions side by side, and the per-election table ------------------------------------
    closed = answer["closed"]
    ui.cached_chart(risk.election_boxes, answer["boxes"], answer["visible"],
                    best["election"] if best is not None else None, closed, target, int(draws),
                    key="risk_chart", by=("risk_boxes", *inputs))
    st.caption("Box: 25th-75th percentile with the median; whiskers: 5th-95th percentile; dashed: the mean; "
               "green: the recommendation"
               + ("; grey: closed to this ACO." if all_elections and closed else "."))
    ui.table(answer["table"], answer["raw"], f"risk_election_{target}_seed{int(seed)}.csv",
             key="risk_summary")

    # --- the calibration ---------------------------------------------------------------------------
    calibration = st.expander("How next year's savings rate is drawn (calibration)",
                              key="risk_calibration_open", on_change="rerun")
    with calibration:
        if calibration.open:
            description, cal, cal_shown, effects, effects_shown = _calibration_shown(key, method)
            st.markdown(description)
            ui.table(cal_shown, cal, "risk_calibration.csv", key="risk_calibration")
            ui.table(effects_shown, effects, "risk_year_effects.csv", key="risk_year_effects")
            if info["synthetic"]:
                st.caption("Calibrated on the synthetic demo data: its savings rates are made up.")

    share_box("risk_election", state, "forecast")


forecast(link, state)
