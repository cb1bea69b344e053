"""Payment models: up-front payments recouped from shared savings (Advance Payment, AIM, AIP) and the
Pioneer ACO Model beside the MSSP.

Thin page: query (ui.database), model (aco_model.payment_models through ui.payment_models),
charts. State in the URL: model; for up-front payments src, aco or the template's program, start, n,
rate, earned, and terminate; for Pioneer py, arr, bench, rate, n, q, pbp, pbp_share, ffs, track, msr.
"""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import streamlit as st

from aco_model.payment_model_rules import (
    AIP_MAX_QUARTERLY_RATE,
    PIONEER_PBP_DEFAULT_SHARE,
    PIONEER_PBP_FROM_YEAR,
    PIONEER_RULES,
    UPFRONT_PROGRAMS,
)
from aco_model.payment_models import (
    PopulationBasedPayment,
    compare_with_mssp,
    settle_pioneer,
    settlement_date,
)
from aco_model.rules import MSR_ELECTIONS, TRACKS
from ui import database as data
from ui import payment_models as pay
from ui import widgets as ui
from ui.link_params import Params, fmt_number, ignored
from ui.nav import inside_app

inside_app()

TEMPLATE_EARNED = "0, 1.5M, 2.5M, 3M"


def _month(params: Params, key: str, default: date | None, lo: date, hi: date) -> date | None:
    """A YYYY-MM parameter as the first of that month; the default (and a warning) when unusable."""
    text = params.text(key)
    if text is None:
        return default
    shown = "none" if default is None else f"{default:%Y-%m}"
    try:
        year, month = (int(p) for p in text.split("-")[:2])
        value = date(year, month, 1)
    except (ValueError, OverflowError):
        params.warnings.append(ignored(key, text, "not a YYYY-MM month", shown))
        return default
    if not lo <= value <= hi:
        params.warnings.append(ignored(key, text, f"outside {lo:%Y-%m} to {hi:%Y-%m}", shown))
        return default
    return value


def _upfront(params: Params, key: tuple[str, float]) -> dict[str, str]:
    index = data.upfront_index(key)
    programs = {r.program: r.label for r in UPFRONT_PROGRAMS.values()}
    src = params.choice("src", ["aco", "template"], "aco" if len(index) else "template")
    if not len(index):
        st.caption("No ACO in this database took Advance Payment, AIM or AIP money: template only.")
        src = "template"
    else:
        src = st.segmented_control(
            "Start from",
            ["aco", "template"],
            default=src,
            key="pay_src",
            required=True,
            format_func={"aco": "An ACO in the data", "template": "A template"}.get,
        )
    state: dict[str, str] = {"model": "upfront", "src": src}
    if src == "aco":
        ids = index["aco_id"].tolist()
        labels = {}
        for r in index.itertuples():
            program = "AIP" if r.aip else "AIM" if r.aim else "Advance Payment"
            labels[r.aco_id] = (
                f"{r.aco_id} - {r.aco_name or 'unnamed'} ({program}, PY{r.first_year}-{r.last_year})"
            )
        aco = params.text("aco")
        if aco is not None and aco not in labels:
            params.warnings.append(
                ignored("aco", aco, "no Advance Payment, AIM or AIP ACO with that id", ids[0])
            )
            aco = None
        aco = st.selectbox("ACO", ids, index=ids.index(aco or ids[0]), format_func=labels.get, key="pay_aco")
        try:
            case = pay.case_from_rows(data.aco_rows(key, aco))
        except (ValueError, TypeError, KeyError, IndexError) as exc:  # rows missing the numbers needed
            st.warning(ui.plain(f"{aco}'s payments cannot be rebuilt from its rows ({exc}); choose another "
                                "ACO."))
            st.stop()
        state["aco"] = aco
        title = ui.plain(f"{aco}: {programs[case.program]}")
    else:
        c1, c2, c3, c4 = st.columns(4)
        program_ids = list(programs)
        program = c1.selectbox(
            "Program",
            program_ids,
            key="pay_program",
            format_func=programs.get,
            index=program_ids.index(params.choice("program", program_ids, "AIP")),
        )
        start = _month(params, "start", date(2024, 1, 1), date(2012, 1, 1), date(2030, 12, 1))
        start = c2.date_input(
            "Agreement start",
            value=start,
            min_value=date(2012, 1, 1),
            max_value=date(2030, 12, 1),
            key="pay_start",
        )
        start = date(start.year, start.month, 1)
        n = c3.number_input(
            "Beneficiaries",
            0,
            1_000_000,
            step=500,
            key="pay_n",
            value=params.integer("n", 10_000, 0, 1_000_000),
        )
        rate = None
        if program == "AIP":
            rate = c4.number_input(
                "Quarterly $ per beneficiary",
                0.0,
                AIP_MAX_QUARTERLY_RATE,
                step=1.0,
                key="pay_rate",
                value=params.number("rate", AIP_MAX_QUARTERLY_RATE, 0.0, AIP_MAX_QUARTERLY_RATE),
            )
        earned_text = params.text("earned") or TEMPLATE_EARNED
        try:
            pay.parse_money_list(earned_text)
        except ValueError as exc:
            params.warnings.append(ignored("earned", earned_text, str(exc), TEMPLATE_EARNED))
            earned_text = TEMPLATE_EARNED
        earned_text = st.text_input(
            f"Earned shared savings by performance year from PY{start.year} (before recoupment; "
            "losses as negative)",
            value=earned_text,
            key="pay_earned",
            help="Comma-separated dollars, e.g. 0, 1.5M, 800k, -2M",
        )
        try:
            earned = pay.parse_money_list(earned_text)
        except ValueError as exc:
            st.warning(ui.plain(f"Could not read “{earned_text[:40]}” ({exc}); using {TEMPLATE_EARNED}."))
            earned_text = TEMPLATE_EARNED
            earned = pay.parse_money_list(earned_text)
        case = pay.UpfrontCase(
            program=program,
            start=start,
            beneficiaries=int(n),
            rate=rate,
            earned_by_year={start.year + i: v for i, v in enumerate(earned)},
        )
        state.update({"program": program, "start": f"{start:%Y-%m}", "n": str(int(n)), "earned": earned_text})
        if rate is not None:
            state["rate"] = fmt_number(rate)
        title = f"Template: {programs[program]}"

    years = sorted(case.earned_by_year) or [case.start.year]
    terminate = _month(params, "terminate", None, case.start, date(max(years) + 2, 12, 1))
    terminate = st.date_input(
        "Terminates early on (optional: the balance is then repaid)",
        value=terminate,
        min_value=case.start,
        max_value=date(max(years) + 2, 12, 1),
        key="pay_terminate",
    )
    if terminate is not None:
        case = pay.UpfrontCase(**{**case.__dict__, "terminated_on": terminate})
        state["terminate"] = f"{terminate:%Y-%m}"

    schedule = case.schedule()
    timeline = case.timeline()
    comparison = pay.comparison(case, timeline)
    st.subheader(title)
    for note in case.notes:
        st.caption(ui.plain(note))  # plain text with dollar amounts: not a formula between two "$"
    last = timeline.iloc[-1]
    k1, k2, k3, k4 = st.columns(4)
    k1.metric("Paid to the ACO", ui.money(last["cumulative_paid"]))
    k2.metric("Recouped", ui.money(last["cumulative_recouped"]))
    k3.metric("Still owed", ui.money(last["outstanding"]))
    rate_text = f", ${case.rate:,.2f} a quarter" if case.rate is not None else ""
    k4.metric(
        "Schedule",
        f"{len(schedule)} payments",
        f"{case.beneficiaries:,} beneficiaries{rate_text}",
        delta_color="off",
        delta_arrow="off",
    )

    fig = go.Figure()
    for col, name, color in (
        ("cumulative_paid", "Paid to date", "#1f77b4"),
        ("cumulative_recouped", "Recouped to date", "#2e7d32"),
        ("outstanding", "Still owed (model)", "#d62728"),
    ):
        fig.add_scatter(
            x=timeline["date"], y=timeline[col], name=name, mode="lines", line_shape="hv", line_color=color
        )
    if case.published is not None and "published_balance_left" in comparison:
        pub = comparison.dropna(subset=["published_balance_left"])
        when = [settlement_date(int(y)) for y in pub["performance_year"]]
        fig.add_scatter(
            x=when,
            y=pub["published_balance_left"],
            name="Left after recoupment (CMS)",
            mode="markers",
            marker={"size": 11, "symbol": "diamond", "color": "#ff7f0e"},
        )
        fig.add_scatter(
            x=when,
            y=pub["model_balance_left"],
            name="Left after recoupment (model)",
            mode="markers",
            marker={"size": 8, "symbol": "circle-open", "color": "#000000"},
        )
    fig.update_layout(
        title="Up-front payments and their recoupment",
        yaxis={"title": "$", "tickprefix": "$"},
        legend_orientation="h",
    )
    ui.chart(fig, key="pay_upfront_chart")
    st.caption(pay.settlement_dates_note())

    st.markdown("**Recoupment by performance year: the model beside CMS's published numbers**")
    money_cols = [c for c in comparison.columns if c != "performance_year"]
    ui.table(
        ui.formatted(
            comparison,
            money_cols,
            rename={
                "performance_year": "PY",
                "earned_savings": "Earned savings",
                "model_balance": "Recoupable (model)",
                "model_recouped": "Recouped (model)",
                "model_balance_left": "Left (model)",
                "model_outstanding": "All owed (model)",
                "published_balance": "Balance (CMS)",
                "published_recouped": "Recouped (CMS)",
                "published_balance_left": "Left (CMS)",
                "recouped_difference": "Recouped: model - CMS",
            },
        ),
        comparison,
        "upfront_recoupment.csv",
        key="pay_comparison",
    )
    with st.expander("Every payment and recoupment"):
        shown = timeline.drop(columns=["recoupable_balance"])
        ui.table(
            ui.formatted(
                shown,
                [
                    "paid",
                    "cumulative_paid",
                    "earned_savings",
                    "recouped",
                    "cumulative_recouped",
                    "outstanding",
                ],
            ),
            timeline,
            "upfront_timeline.csv",
            key="pay_timeline",
        )
    return state


def _pioneer(params: Params) -> dict[str, str]:
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
    pbp_on = e1.checkbox(
        "Population-based payment",
        key="pio_pbp",
        disabled=not pbp_allowed,
        value=params.flag("pbp", False) and pbp_allowed,
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
    pbp = PopulationBasedPayment(float(ffs) * 1e6, float(pbp_share) / 100) if pbp_on else None
    settled = settle_pioneer(
        model_year, b, x, int(n), quality, arrangement=arrangement, population_based_payment=pbp
    )
    table = compare_with_mssp(
        model_year, b, x, int(n), quality, arrangement=arrangement, mssp_track=track, msr_election=election
    )

    st.warning(
        "**Unconfirmed Pioneer parameters** (from recall or third-party summaries, not CMS's model "
        "documents; to be replaced from the Pioneer PUFs):\n\n"
        + "\n".join(f"- {line}" for line in pay.unconfirmed_parameters(arrangement, model_year)),
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

    money_cols = ["savings_cap", "loss_cap", "shared_savings", "shared_loss", "earned"]
    pct_cols = [
        "minimum_savings_rate",
        "minimum_loss_rate",
        "max_sharing_rate",
        "final_sharing_rate",
        "loss_rate",
    ]
    ui.table(
        ui.formatted(
            table,
            money_cols,
            pct_cols,
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
        ),
        table,
        f"pioneer_year{model_year}_vs_{track}.csv",
        key="pio_table",
    )

    curves = pay.payment_curves(
        model_year, b, int(n), quality, arrangement=arrangement, mssp_track=track, msr_election=election
    )
    fig = go.Figure()
    for program, part in curves.groupby("program", sort=False):
        fig.add_scatter(x=part["savings_rate"] * 100, y=part["earned"], name=program, mode="lines")
    fig.add_vline(x=float(rate), line_dash="dot", line_color="grey", annotation_text="this ACO")
    fig.update_layout(
        title="Payment (+) or loss (-) against the savings rate",
        xaxis_title="Savings rate (%)",
        yaxis={"title": "$", "tickprefix": "$"},
        legend_orientation="h",
    )
    ui.chart(fig, key="pio_curve")
    st.caption(
        "Flat stretches around zero are the MSR/MLR corridors; flat ends are the savings and loss caps."
    )
    with st.expander("The curves as a table"):
        ui.table(
            ui.formatted(
                curves,
                ["earned"],
                ["savings_rate"],
                rename={"savings_rate": "Savings rate", "program": "Program", "earned": "Earned"},
            ),
            curves,
            "pioneer_curves.csv",
            key="pio_curves",
        )

    if settled.pbp_schedule is not None:
        st.markdown(
            f"**Population-based payment, {settled.calendar_year}**: {ui.money(settled.pbp_paid)} paid "
            f"monthly in place of {ui.money(settled.ffs_reduction)} of FFS claims payments; the "
            "settlement above is unchanged."
        )
        sched = settled.pbp_schedule
        ui.table(
            ui.formatted(sched, ["pbp_payment", "ffs_reduction", "net_cash_change"]),
            sched,
            "pioneer_pbp.csv",
            key="pio_pbp_table",
        )

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
    if pbp_on:
        state.update({"pbp": "1", "pbp_share": fmt_number(pbp_share), "ffs": fmt_number(ffs)})
    return state


db, query, warnings_box = ui.page_start(
    "Payment models",
    "Money paid to ACOs up front and recouped from their shared savings (Advance Payment ACO Model, "
    "ACO Investment Model, Advance Investment Payments), and the Pioneer ACO Model beside the MSSP.",
)
model = query.choice("model", ["upfront", "pioneer"], "upfront")
model = st.segmented_control(
    "Model",
    ["upfront", "pioneer"],
    default=model,
    key="pay_model",
    required=True,
    format_func={"upfront": "Advance Payment / AIM / AIP", "pioneer": "Pioneer"}.get,
)
page_state = _upfront(query, db) if model == "upfront" else _pioneer(query)
with warnings_box:
    ui.warn(query.warnings)
st.query_params.from_dict(page_state)
