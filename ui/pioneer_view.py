"""Payment models page, Pioneer ACO Model: one year settled beside an MSSP track, its payment curves,
and years 1-5 showing the move from shared savings to population-based payments. Parameters are mostly
unconfirmed and flagged as such (aco_model.payment_model_rules).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from aco_model.payment_model_rules import PIONEER_PBP_DEFAULT_SHARE, PIONEER_PBP_FROM_YEAR, PIONEER_RULES
from aco_model.payment_models import PopulationBasedPayment, compare_with_mssp, settle_pioneer
from aco_model.rules import MSR_ELECTIONS, TRACKS
from ui import fast_figure as ff
from ui import page_cache
from ui import payment_models as pay
from ui import payment_models_story as story
from ui import widgets as ui
from ui.link_params import Params, fmt_number


def pioneer(params: Params) -> dict[str, str]:
    """The Pioneer view; returns its state for the link."""
    c1, c2, c3, c4 = st.columns(4)
    model_year = c1.selectbox(
        "Pioneer year",
        [1, 2, 3, 4, 5],
        key="pio_year",
        index=params.integer("py", 2, 1, 5) - 1,
        format_func=lambda y: f"Year {y} ({pay.PIONEER_YEARS[y]})",
    )
    arrangement = c2.selectbox(
        "Arrangement",
        ["core", "alternative"],
        key="pio_arr",
        index=["core", "alternative"].index(params.choice("arr", ["core", "alternative"], "core")),
    )
    bench = c3.number_input(
        "Benchmark ($M)",
        1.0,
        20_000.0,
        step=10.0,
        key="pio_bench",
        value=params.number("bench", 500.0, 1.0, 20_000.0),
    )
    rate = c4.number_input(
        "Savings rate (%)",
        -50.0,
        50.0,
        step=0.5,
        key="pio_rate",
        value=params.number("rate", 4.0, -50.0, 50.0),
    )
    d1, d2, d3, d4 = st.columns(4)
    n = d1.number_input(
        "Aligned beneficiaries",
        1_000,
        1_000_000,
        step=1_000,
        key="pio_n",
        value=params.integer("n", 30_000, 1_000, 1_000_000),
    )
    rural = d1.checkbox("Rural ACO", key="pio_rural", value=params.flag("rural", False),
                        help="Rural Pioneer ACOs needed 5,000 aligned beneficiaries instead of 15,000.")
    too_small = story.pioneer_minimum(int(n), rural)
    if too_small:
        st.warning(ui.plain(too_small), icon=":material/groups:")
    reporting = PIONEER_RULES[(arrangement, model_year)].quality == "reporting"
    q = d2.number_input(
        "Quality score (%)",
        0.0,
        100.0,
        step=1.0,
        key="pio_q",
        disabled=reporting,
        value=params.number("q", 90.0, 0.0, 100.0),
        help="Pay for reporting in year 1: the full sharing rate." if reporting else None,
    )
    track_ids = list(TRACKS)
    track = d3.selectbox(
        "MSSP track to compare",
        track_ids,
        key="pio_track",
        format_func=lambda t: TRACKS[t].label,
        index=track_ids.index(params.choice("track", track_ids, "TRACK_2")),
    )
    msr_options = ["variable", *[fmt_number(e * 100) for e in MSR_ELECTIONS]]
    msr = d4.selectbox(
        "Its MSR/MLR election",
        msr_options,
        key="pio_msr",
        disabled=not TRACKS[track].two_sided,
        index=msr_options.index(params.choice("msr", msr_options, "variable")),
        format_func=lambda m: "variable (table)" if m == "variable" else f"{m}%",
    )
    pbp_allowed = model_year >= PIONEER_PBP_FROM_YEAR
    e1, e2, e3 = st.columns([1, 1, 2])
    pbp_on = e1.checkbox(  # on by default from year 3, the move that defines the model
        "Population-based payment",
        key=f"pio_pbp_{pbp_allowed}",
        disabled=not pbp_allowed,
        value=params.flag("pbp", pbp_allowed) and pbp_allowed,
        help=f"From Pioneer year {PIONEER_PBP_FROM_YEAR}.",
    )
    if params.flag("pbp", False) and not pbp_allowed and "pbp" in params.raw:
        params.warnings.append(
            f"Population-based payments start in Pioneer year {PIONEER_PBP_FROM_YEAR}: “pbp” ignored."
        )
    pbp_share = e2.number_input(
        "PBP share of FFS (%)",
        0.0,
        100.0,
        step=5.0,
        key="pio_pbp_share",
        disabled=not pbp_on,
        value=params.number("pbp_share", PIONEER_PBP_DEFAULT_SHARE * 100, 0.0, 100.0),
    )
    ffs = e3.number_input(
        "Participants' projected FFS revenue ($M)",
        0.0,
        20_000.0,
        step=10.0,
        key="pio_ffs",
        disabled=not pbp_on,
        value=params.number("ffs", 200.0, 0.0, 20_000.0),
    )

    b = float(bench) * 1e6
    x = b * (1 - float(rate) / 100)
    quality = None if reporting else float(q) / 100
    election = None if msr == "variable" or not TRACKS[track].two_sided else float(msr) / 100
    pbp = (float(ffs) * 1e6, float(pbp_share) / 100) if pbp_on else None
    settle_inputs = (model_year, b, x, int(n), quality, arrangement, pbp, track, election)
    settled, table, table_shown = _settled(*settle_inputs)

    st.warning(
        "**Unconfirmed Pioneer parameters** (from recall or third-party summaries, not CMS's model "
        "documents; to be replaced from the Pioneer PUFs):\n\n"
        + "\n".join(f"- {ui.plain(line)}" for line in [
            *pay.unconfirmed_parameters(arrangement, model_year),
            "Minimum size: 15,000 aligned beneficiaries, 5,000 in rural areas [press reports].",
        ]),
        icon=":material/help:",
    )
    k1, k2, k3 = st.columns(3)
    k1.metric(
        f"Pioneer ({arrangement}, year {model_year})",
        ui.money(settled.earned),
        settled.outcome,
        delta_color="off",
        delta_arrow="off",
    )
    mssp = table.iloc[1]
    k2.metric(
        f"{mssp['program']} (PY{int(mssp['performance_year'])})",
        ui.money(mssp["earned"]),
        str(mssp["outcome"]),
        delta_color="off",
        delta_arrow="off",
    )
    k3.metric("Pioneer - MSSP", ui.money(settled.earned - float(mssp["earned"]), signed=True))

    ui.table(table_shown, table, f"pioneer_year{model_year}_vs_{track}.csv", key="pio_table")

    curve_inputs = (model_year, b, int(n), quality, arrangement, track, election)
    ui.cached_chart(curve_chart, curve_inputs, float(rate), key="pio_curve")
    st.caption(
        "Flat stretches around zero are the MSR/MLR corridors; flat ends are the savings and loss caps."
    )
    # Filled when opened (a rerun): its 242 rows were sent, and formatted, on every run for a closed box.
    curves_box = st.expander("The curves as a table", key="pio_curves_open", on_change="rerun")
    with curves_box:
        if curves_box.open:
            curves, curves_shown = _curves_shown(curve_inputs)
            ui.table(curves_shown, curves, "pioneer_curves.csv", key="pio_curves")

    st.subheader("Years 1-5: from shared savings to population-based payments")
    share = float(pbp_share) / 100 if pbp_on or not pbp_allowed else 0.0
    years_inputs = (b, x, int(n), quality if quality is not None else float(q) / 100, arrangement, share,
                    float(ffs) * 1e6)
    ui.cached_chart(_years_chart, years_inputs, model_year, key="pio_years",  # built once per inputs and year
                    file_name=f"pioneer-years-1-5-{arrangement}")
    st.caption(ui.plain(
        f"The same ACO each year: benchmark {ui.money(b)}, savings rate {float(rate):g}%, "
        f"{ui.money(float(ffs) * 1e6)} of expected fee-for-service revenue. From year "
        f"{PIONEER_PBP_FROM_YEAR} {share:.0%} of it is paid as monthly population-based payments and the "
        "same share is withheld from claims; the two are trued up at year end (zero here: actual claims "
        "taken equal to the expected ones), and shared savings or losses settle as before."))

    if settled.pbp_schedule is not None:
        st.markdown(
            f"**Population-based payment, {settled.calendar_year}**: {ui.plain(ui.money(settled.pbp_paid))} "
            f"paid monthly in place of {ui.plain(ui.money(settled.ffs_reduction))} of fee-for-service claims "
            "payments; the settlement above is unchanged."
        )
        months, months_shown = _months(*settle_inputs)
        ui.table(months_shown, months, f"pioneer_pbp_{settled.calendar_year}.csv", key="pio_pbp_table")

    state = {
        "model": "pioneer",
        "py": str(model_year),
        "arr": arrangement,
        "bench": fmt_number(bench),
        "rate": fmt_number(rate),
        "n": str(int(n)),
        "track": track,
    }
    if not reporting:
        state["q"] = fmt_number(q)
    if election is not None:
        state["msr"] = msr
    if rural:
        state["rural"] = "1"
    if pbp_allowed:
        state["pbp"] = "1" if pbp_on else "0"
    if pbp_on:
        state.update({"pbp_share": fmt_number(pbp_share), "ffs": fmt_number(ffs)})
    return state


# Below, what the view shows kept by its (hashable) inputs for every viewer (ui.page_cache.Memo: shared,
# never changed): a control that leaves a part's inputs alone reruns that part as a lookup.
def _settle(model_year: int, benchmark: float, expenditure: float, n: int, quality: float | None,
            arrangement: str, pbp: tuple[float, float] | None, track: str, election: float | None):
    """The Pioneer settlement, the table beside the MSSP track, and that table as shown."""
    settled = settle_pioneer(model_year, benchmark, expenditure, n, quality, arrangement=arrangement,
                             population_based_payment=None if pbp is None else PopulationBasedPayment(*pbp))
    table = compare_with_mssp(model_year, benchmark, expenditure, n, quality, arrangement=arrangement,
                              mssp_track=track, msr_election=election)
    shown = ui.formatted(
        table,
        ["savings_cap", "loss_cap", "shared_savings", "shared_loss", "earned"],
        ["minimum_savings_rate", "minimum_loss_rate", "max_sharing_rate", "final_sharing_rate", "loss_rate"],
        rename={
            "program": "Program",
            "performance_year": "Year",
            "minimum_savings_rate": "MSR",
            "minimum_loss_rate": "MLR",
            "max_sharing_rate": "Max sharing rate",
            "final_sharing_rate": "Final sharing rate",
            "loss_rate": "Loss rate",
            "savings_cap": "Savings cap",
            "loss_cap": "Loss cap",
            "outcome": "Outcome",
            "shared_savings": "Shared savings",
            "shared_loss": "Shared loss",
            "earned": "Earned",
            "source": "Source",
        },
    )
    return settled, table, shown


_settled = page_cache.Memo(_settle, 64)


def _pbp_months(*settle_inputs: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    months = story.pbp_months(_settled(*settle_inputs)[0].pbp_schedule)
    return months, ui.formatted(months, [c for c in months.columns if c != "Month"])


_months = page_cache.Memo(_pbp_months, 64)


def _payment_curves(model_year: int, benchmark: float, n: int, quality: float | None, arrangement: str,
                    track: str, election: float | None) -> pd.DataFrame:
    """Pioneer's and the MSSP track's payment against the savings rate (121 settlements each)."""
    return pay.payment_curves(model_year, benchmark, n, quality, arrangement=arrangement, mssp_track=track,
                              msr_election=election)


_curves = page_cache.Memo(_payment_curves, 64)


def _curves_table(curve_inputs: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    curves = _curves(*curve_inputs)
    return curves, ui.formatted(curves, ["earned"], ["savings_rate"], rename={
        "savings_rate": "Savings rate", "program": "Program", "earned": "Earned"})


_curves_shown = page_cache.Memo(_curves_table, 64)


def _years_chart(years_inputs: tuple, shown_year: int) -> go.Figure:
    """`years_chart` of `story.pioneer_years(*years_inputs)` (keyed by its inputs, not by the frame)."""
    b, x, n, quality, arrangement, share, ffs = years_inputs
    years = story.pioneer_years(b, x, n, quality, arrangement=arrangement, pbp_share=share, projected_ffs=ffs)
    return years_chart(years, shown_year)


def curve_chart(curve_inputs: tuple, rate: float) -> go.Figure:
    """The curves of `_curves(*curve_inputs)`, a dotted line at this ACO's savings rate (in %). Written as
    plotly's JSON (ui.fast_figure: plotly.py's validation took ~20 ms a figure, and every savings rate
    typed draws it anew)."""
    curves = _curves(*curve_inputs)
    fig = ff.Draft()
    for program, part in curves.groupby("program", sort=False):
        fig.add_scatter(x=part["savings_rate"] * 100, y=part["earned"], name=program, mode="lines")
    fig.add_vline(x=rate, line_dash="dot", line_color="grey")
    fig.add_annotation(**ff.vline_note(rate, "this ACO", "top right"))
    fig.update_layout(
        title="Payment (+) or loss (-) against the savings rate",
        xaxis_title="Savings rate (%)",
        yaxis={"title": "$", "tickprefix": "$"},
        legend_orientation="h",
    )
    return fig.figure()


def years_chart(years: pd.DataFrame, shown_year: int) -> go.Figure:
    """Stacked: fee-for-service claims and population-based payments; shared savings or losses beside.
    Written as plotly's JSON (ui.fast_figure)."""
    labels = [f"Year {y} ({c})" for y, c in zip(years["model_year"], years["calendar_year"], strict=True)]
    fig = ff.Draft()
    fig.add_bar(x=labels, y=years["ffs_claims_paid"], name="Fee-for-service claims paid",
                marker_color="#9e9e9e")
    fig.add_bar(x=labels, y=years["pbp_paid"], name="Population-based payments (monthly)",
                marker_color="#1f5aa6")
    fig.add_bar(x=labels, y=years["shared"], name="Shared savings (+) or losses (-) at year end",
                marker_color=["#2e7d32" if v >= 0 else "#c62828" for v in years["shared"]])
    fig.add_shape(**ff.vrect(shown_year - 1.5, shown_year - 0.5, fillcolor="#1f5aa6", opacity=0.06))
    fig.update_layout(barmode="relative", title="How the ACO's participants are paid, Pioneer years 1-5",
                      yaxis={"title": "$", "tickprefix": "$"}, legend_orientation="h", height=430)
    return fig.figure()
