"""Program what-if: change a rule for every ACO of a year at once and compare with the rules as they were.

Thin page: query (ui.database), model (aco_model.program.apply_rule_change), charts. State in the
URL (ui.program_what_if: year, share, limit, loss_rate, loss_limit, msr, msr_value, qps, seq, top).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from aco_model.program import AsWas, ProgramComparison, apply_rule_change, settle_as_was
from aco_model.rules import TRACKS, YEARS
from ui import database as data
from ui import page_cache
from ui import program_what_if as prog
from ui import widgets as ui
from ui.nav import inside_app
from ui.share import share_box
from ui.text import plain

inside_app()


# Kept by (database, year, rule change as a hashable key) for every viewer (ui.page_cache.memo: shared,
# never changed), and the tables as shown with them: a rerun whose rule change was seen costs lookups.
@page_cache.memo(16)
def _as_was(db_key: data.Key, year: int) -> AsWas:
    """The year's ACOs settled under the rules as they were: once per year, whatever the change."""
    return settle_as_was(data.year_rows(db_key, year))


@page_cache.memo(16)
def _present_tracks(db_key: data.Key, year: int) -> list[str]:
    """The tracks the year's ACOs are in, in the rule table's order (twelve text comparisons: ~5 ms)."""
    tracks = set(data.year_rows(db_key, year)["track"].astype(str))
    return [t for t in TRACKS if t in tracks]


@page_cache.memo(16)
def _published(db_key: data.Key, year: int) -> tuple[float, float, int, list[str]] | None:
    """What CMS published for the year: paid, collected, ACOs paid, and the ACO-years whose paid-or-not the
    model does not reproduce under the rules as they were (None when the year has no published results)."""
    cms = pd.to_numeric(data.year_rows(db_key, year).get("cms_earned_savings_losses"), errors="coerce")
    if not cms.notna().any():
        return None
    as_was = _as_was(db_key, year)
    index = as_was.rows.index
    model_paid = pd.Series(as_was.per_aco["earned_before"] > 0, index=index)
    published_paid = (cms > 0).reindex(index, fill_value=False)
    differ = pd.Series(as_was.per_aco["aco_id"], index=index)[model_paid != published_paid].astype(str)
    return (float(cms.clip(lower=0).sum()), float(-cms.clip(upper=0).sum()), int((cms > 0).sum()),
            differ.tolist())


@page_cache.memo(32)
def _comparison(db_key: data.Key, year: int, change: prog.ChangeKey) -> ProgramComparison:
    """Every ACO of the year settled as it was and as changed: once per year and rule change (the rules as
    they were settled once per year)."""
    return apply_rule_change(data.year_rows(db_key, year), prog.change_from_key(change),
                             as_was=_as_was(db_key, year))


def _by_track_chart(db_key: data.Key, year: int, change: prog.ChangeKey) -> go.Figure:
    """Paid (+) and collected (-) by track, as was and as changed (built once: ui.cached_chart)."""
    return prog.by_track_figure(_comparison(db_key, year, change).by_track)


@page_cache.memo(32)
def _tables(db_key: data.Key, year: int, change: prog.ChangeKey):
    """The totals and by-track tables as shown (money and counts as text)."""
    comparison = _comparison(db_key, year, change)
    money_cols = ["gross_savings", "shared_savings_paid", "losses_collected", "net_savings_to_medicare"]
    shown = comparison.totals.reset_index(names="scenario")
    totals = ui.formatted(shown, money_cols, count_cols=["acos", "acos_paid", "acos_owing"],
                          rename={"scenario": "", "acos": "ACOs", **prog.METRIC_LABELS}, objects=True)
    bt = comparison.by_track
    track_money = [c for c in bt.columns if c.split("_")[0] in ("gross", "shared", "losses", "net")]
    track_counts = [c for c in bt.columns if c.startswith("acos")]
    by_track = ui.formatted(
        bt.drop(columns="track"), track_money, count_cols=track_counts, rename={
            "track_label": "Track", "acos": "ACOs",
            **{f"{m}_{s}": f"{label} ({when})" for m, label in prog.METRIC_LABELS.items()
               for s, when in (("before", "as was"), ("after", "as changed"), ("change", "change"))},
        }, objects=True,
    )
    return shown, totals, by_track


@page_cache.memo(32)
def _biggest(db_key: data.Key, year: int, change: prog.ChangeKey, top_count: int) -> pd.DataFrame:
    """The ACOs whose result changes most, as shown (kept apart: another count reuses the other tables)."""
    top = _comparison(db_key, year, change).biggest_changes(top_count)
    top = top[top["change"].abs() >= 0.5].assign(track=lambda f: f["track"].map(lambda t: TRACKS[t].label))
    return ui.formatted(
        top,
        ["earned_before", "earned_after", "change"],
        ["msr_before", "msr_after"],
        rename={
            "aco_id": "ACO",
            "aco_name": "Name",
            "performance_year": "Year",
            "track": "Track",
            "earned_before": "As was",
            "earned_after": "As changed",
            "change": "Change",
            "outcome_before": "Outcome as was",
            "outcome_after": "Outcome as changed",
            "msr_before": "MSR as was",
            "msr_after": "MSR as changed",
        },
        objects=True,
    )


def _rate_input(
    column,
    label: str,
    current: float | None,
    rule_text: str,
    key: str,
    *,
    hi: float = 100.0,
    disabled: bool = False,
) -> float | None:
    """A percentage input that is empty while the rule is unchanged; returns a fraction or None.

    The widget's default is empty (so that it can always be cleared back to the rule); the link's
    value is put in its session state the first time it is drawn.
    """
    if key not in st.session_state:
        st.session_state[key] = None if current is None else round(current * 100, 6)
    value = column.number_input(
        label,
        0.0,
        hi,
        value=None,
        step=0.5,
        key=key,
        placeholder=f"{rule_text} (rules)",
        disabled=disabled,
    )
    return None if value is None else float(value) / 100


key, params, warnings_box = ui.page_start(
    "Program what-if",
    "Change a rule for every ACO of a year at once and see what Medicare pays and saves, compared with "
    "the rules as they were. Both columns are the model's settlement of the same ACO-years.",
)
info = data.summary(key)
years = data.years(key)
state = prog.ProgramState.from_params(params, years)

top_left, top_right = st.columns([1, 3])
state.year = top_left.selectbox("Performance year", years, index=years.index(state.year), key="prog_year")
present = _present_tracks(key, state.year)
year_rules = YEARS[state.year]

# --- per-track rules --------------------------------------------------------------------------------
with st.container(border=True):
    st.markdown("**Sharing rates and limits, by track** (empty = the rules as they were)")
    changed_tracks = sorted(
        {*state.max_sharing_rates, *state.payment_limits, *state.loss_rates, *state.loss_limits},
        key=list(TRACKS).index,
    )
    choices = present + [t for t in changed_tracks if t not in present]
    track = st.selectbox(
        "Track",
        choices,
        key="prog_track",
        format_func=lambda t: TRACKS[t].label + (" (changed)" if t in changed_tracks else ""),
    )
    r = TRACKS[track]
    c1, c2, c3, c4 = st.columns(4)
    share = _rate_input(
        c1,
        "Maximum sharing rate (%)",
        state.max_sharing_rates.get(track),
        f"{r.max_sharing_rate:.0%}",
        f"prog_share_{track}",
    )
    limit = _rate_input(
        c2,
        "Payment limit (% of benchmark)",
        state.payment_limits.get(track),
        f"{r.payment_limit:.0%}",
        f"prog_limit_{track}",
    )
    loss_rule = {
        "none": "none",
        "fixed": f"{r.fixed_loss_rate or 0:.0%}",
        "track_2": "1 - sharing rate",
        "track_3": "1 - sharing rate, 40-75%",
        "enhanced_quality": "1 - 0.75 x quality, 40-75%",
    }
    loss_rate = _rate_input(
        c3,
        "Shared loss rate (%)",
        state.loss_rates.get(track),
        loss_rule[r.loss_rate_rule],
        f"prog_loss_rate_{track}",
        disabled=not r.two_sided,
    )
    if r.loss_limit_by_year_in_track:
        limit_text = " / ".join(f"{v:.1%}" for v in r.loss_limit_by_year_in_track) + " by year"
    elif r.loss_limit_benchmark_share is not None:
        limit_text = f"{r.loss_limit_benchmark_share:.0%}"
    else:
        limit_text = "none"
    loss_limit = _rate_input(
        c4,
        "Loss limit (% of benchmark)",
        state.loss_limits.get(track),
        limit_text,
        f"prog_loss_limit_{track}",
        disabled=not r.two_sided,
    )
    for values, value in (
        (state.max_sharing_rates, share),
        (state.payment_limits, limit),
        (state.loss_rates, loss_rate),
        (state.loss_limits, loss_limit),
    ):
        if value is None:
            values.pop(track, None)
        else:
            values[track] = value
    if not r.two_sided:
        state.loss_rates.pop(track, None)
        state.loss_limits.pop(track, None)

# --- program-wide rules -------------------------------------------------------------------------------
with st.container(border=True):
    st.markdown("**For every ACO**")
    m1, m2, m3, m4 = st.columns(4)
    mode = m1.radio(
        "Minimum savings / loss rate",
        prog.MSR_MODES,
        index=prog.MSR_MODES.index(state.msr_mode),
        key="prog_msr",
        format_func={
            "rules": "As the rules",
            "flat": "One flat MSR/MLR",
            "scale": "Scale the size table",
        }.get,
    )
    if mode == "flat":
        current = state.msr_value if state.msr_mode == "flat" else prog.DEFAULT_FLAT_MSR
        value = m2.number_input(
            "Flat MSR/MLR (%)", 0.0, 20.0, value=round(current * 100, 6), step=0.25, key="prog_msr_flat"
        )
        state.msr_mode, state.msr_value = "flat", float(value) / 100
    elif mode == "scale":
        current = state.msr_value if state.msr_mode == "scale" else prog.DEFAULT_MSR_SCALE
        value = m2.number_input(
            "Table MSR x", 0.0, 10.0, value=float(current), step=0.1, key="prog_msr_scale"
        )
        state.msr_mode, state.msr_value = "scale", float(value)
    else:
        state.msr_mode, state.msr_value = "rules", None
        m2.caption("MSR/MLR from the size table or the ACO's election, as CMS applied them.")
    legacy = year_rules.quality_era == "legacy"
    qps_rule = "no threshold" if year_rules.quality_standard is None else f"{year_rules.quality_standard:.2%}"
    state.quality_standard = _rate_input(
        m3, "Quality performance standard (%)", state.quality_standard, qps_rule, "prog_qps", disabled=legacy
    )
    if legacy:
        state.quality_standard = None
        m3.caption(f"PY{state.year} was scored before the quality performance standard (PY2021+).")
    cut = _rate_input(
        m4,
        "Sequestration cut (%)",
        state.sequestration_cut,
        f"{1 - year_rules.sequestration_factor:.0%}",
        "prog_seq",
        hi=99.0,
    )
    state.sequestration_cut = cut
    state.top = st.selectbox(
        "ACOs listed by size of change",
        prog.TOP_CHOICES,
        index=prog.TOP_CHOICES.index(state.top),
        key="prog_top",
    )

with warnings_box:
    ui.warn(params.warnings)
st.query_params.from_dict(state.to_params())

change = state.rule_change()
change_key = prog.change_key(change)
comparison = _comparison(key, state.year, change_key)
totals_raw, totals_shown, by_track_shown = _tables(key, state.year, change_key)
biggest = _biggest(key, state.year, change_key, state.top)
totals = comparison.totals

# --- headline -----------------------------------------------------------------------------------------
st.subheader(f"PY{state.year}: {change.describe()}")
before, after, delta = totals.loc["as was"], totals.loc["as changed"], totals.loc["change"]
k1, k2, k3, k4 = st.columns(4)
k1.metric(
    "Net savings to Medicare",
    ui.money(after["net_savings_to_medicare"]),
    ui.money(delta["net_savings_to_medicare"], signed=True),
)
k2.metric(
    "Shared savings paid",
    ui.money(after["shared_savings_paid"]),
    ui.money(delta["shared_savings_paid"], signed=True),
    delta_color="inverse",
)
k3.metric(
    "Losses collected", ui.money(after["losses_collected"]), ui.money(delta["losses_collected"], signed=True)
)
k4.metric(
    "ACOs paid",
    f"{int(after['acos_paid']):,} of {int(after['acos']):,}",
    f"{int(delta['acos_paid']):+,}",
    delta_color="off",
    delta_arrow="off",
)
published = _published(key, state.year)
if published is not None:
    cms_paid_total, cms_collected, cms_paid, differ = published
    st.caption(
        f"Rules as they were, settled by the model: {ui.money(before['shared_savings_paid'])} paid, "
        f"{ui.money(before['losses_collected'])} collected; "
        f"{'the demo data shows' if info['synthetic'] else 'CMS published'} "
        f"{ui.money(cms_paid_total)} and {ui.money(cms_collected)}."
    )
    if cms_paid != int(before["acos_paid"]):
        st.caption(
            f"Under the rules as they were the model pays {int(before['acos_paid']):,} ACOs where "
            f"{'the demo data shows' if info['synthetic'] else 'CMS paid'} {cms_paid:,}: "
            f"{len(differ)} ACO-year{'s' if len(differ) != 1 else ''} ({plain(', '.join(differ[:6]))}"
            f"{' ...' if len(differ) > 6 else ''}) the model does not reproduce, each explained on the Data "
            "and fidelity page."
            + (" In PY2024 CMS flagged two of them Guardrail and paid nothing, under a rule it has not "
               "published." if state.year == 2024 else "")
        )
for note in comparison.notes:
    st.caption(note)

ui.table(totals_shown, totals_raw, f"program_what_if_{state.year}_totals.csv", key="prog_totals")

# --- by track -------------------------------------------------------------------------------------------
st.subheader("By track")
ui.cached_chart(_by_track_chart, key, state.year, change_key, key="prog_by_track_chart")
ui.table(
    by_track_shown,
    comparison.by_track,
    f"program_what_if_{state.year}_by_track.csv",
    key="prog_by_track",
    # On screen what changed (the chart shows as was beside it); the CSV has every column.
    hidden=[f"{label} ({when})" for m, label in prog.METRIC_LABELS.items() for when in ("as was", "change")
            if m.startswith("acos") or when == "as was"]
    + [f"{prog.METRIC_LABELS['gross_savings']} ({when})" for when in ("as changed", "change")],
)

# --- the ACOs whose result changes most ------------------------------------------------------------------
if biggest.empty:  # a sentence, not an empty grid; the year's every ACO still downloadable
    st.subheader("ACOs whose result changes")
    st.info("No ACO's result changes under these rules: change a rate, a limit or the MSR above to see who "
            "gains and who loses.")
    ui.csv_button(comparison.per_aco, f"program_what_if_{state.year}_per_aco.csv", key="prog_per_aco")
    st.caption("The CSV holds every ACO of the year, as it was.")
else:
    st.subheader(f"The {len(biggest)} ACOs whose result changes most" if len(biggest) < state.top
                 else f"The {state.top} ACOs whose result changes most")
    ui.table(biggest, comparison.per_aco, f"program_what_if_{state.year}_per_aco.csv", key="prog_per_aco",
             hidden=["Year"])  # the page's one year
    st.caption("The CSV holds every ACO of the year.")
share_box("program_what_if", state.to_params(), "rule change")
