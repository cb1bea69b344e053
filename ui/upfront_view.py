"""Payment models page, up-front payments (Advance Payment ACO Model, AIM, AIP): a real ACO's payments
rebuilt and recouped beside CMS's numbers, or a template of each program; the program's structure in
words and the "owed" figures reconciled (ui.payment_models_story).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from aco_model.payment_model_rules import AIP_MAX_QUARTERLY_RATE, UPFRONT_PROGRAMS
from aco_model.payment_models import settlement_date
from ui import database as data
from ui import fast_figure as ff
from ui import page_cache
from ui import payment_models as pay
from ui import payment_models_story as story
from ui import widgets as ui
from ui.link_params import Params, fmt_number, ignored


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


def upfront(params: Params, key: tuple[str, float]) -> dict[str, str]:
    """The up-front payments view; returns its state for the link."""
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
            case = _aco_case(key, aco)
        except (ValueError, TypeError, KeyError, IndexError) as exc:  # rows missing the numbers needed
            st.warning(ui.plain(f"{aco}'s payments cannot be rebuilt from its rows ({exc}); choose another "
                                "ACO."))
            st.stop()
        state["aco"] = aco
        case_key: tuple = ("aco", key, aco)
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
        template = story.TEMPLATES[program]
        # The link's start, size and savings are its own program's: another program opens on its template.
        linked = params.text("program") in (None, program)
        start = (_month(params, "start", template.start, date(2012, 1, 1), date(2030, 12, 1)) if linked
                 else template.start)
        start = c2.date_input(  # keyed by program: each program opens on a start it really used
            "Agreement start",
            value=start,
            min_value=date(2012, 1, 1),
            max_value=date(2030, 12, 1),
            key=f"pay_start_{program}",
        )
        start = date(start.year, start.month, 1)
        n = c3.number_input(
            "Beneficiaries",
            0,
            1_000_000,
            step=500,
            key=f"pay_n_{program}",
            value=(params.integer("n", template.beneficiaries, 0, 1_000_000) if linked
                   else template.beneficiaries),
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
        earned_text = (params.text("earned") if linked else None) or template.earned
        try:
            pay.parse_money_list(earned_text)
        except ValueError as exc:
            params.warnings.append(ignored("earned", earned_text, str(exc), template.earned))
            earned_text = template.earned
        earned_text = st.text_input(
            f"Earned shared savings by performance year from PY{start.year} (before recoupment; "
            "losses as negative)",
            value=earned_text,
            key=f"pay_earned_{program}",
            help="Comma-separated dollars, e.g. 0, 1.5M, 800k, -2M",
        )
        try:
            earned = pay.parse_money_list(earned_text)
        except ValueError as exc:
            st.warning(ui.plain(f"Could not read “{earned_text[:40]}” ({exc}); using {template.earned}."))
            earned_text = template.earned
            earned = pay.parse_money_list(earned_text)
        case = pay.UpfrontCase(
            program=program,
            start=start,
            beneficiaries=int(n),
            rate=rate,
            earned_by_year={start.year + i: v for i, v in enumerate(earned)},
        )
        case_key = ("template", program, start, int(n), rate, tuple(earned))
        state.update({"program": program, "start": f"{start:%Y-%m}", "n": str(int(n)), "earned": earned_text})
        if rate is not None:
            state["rate"] = fmt_number(rate)
        title = f"Template: {programs[program]}"
        for problem in story.template_problems(program, start, int(n)):
            st.warning(ui.plain(problem), icon=":material/event_busy:")

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
    case_key += (terminate,)  # with the case's other inputs: what every view of it is kept by

    schedule, timeline, comparison, comparison_shown, debts, debts_shown, timeline_shown = _case_views(
        case, case_key)
    st.subheader(title)
    st.info(ui.plain(story.structure(case.program)), icon=":material/payments:")
    for note in case.notes:
        st.caption(ui.plain(note))  # plain text with dollar amounts: not a formula between two "$"
    last = timeline.iloc[-1]
    k1, k2, k3, k4 = st.columns(4)
    k1.metric("Paid to the ACO", ui.money(last["cumulative_paid"]), help=f"By {last['date']:%B %Y}.")
    k2.metric("Recouped", ui.money(last["cumulative_recouped"]))
    k3.metric(f"Still owed ({last['date']:%b %Y})", ui.money(last["outstanding"]),
              help="Everything paid less everything recouped; the table below sets it beside what CMS "
                   "publishes.")
    rate_text = f" at ${case.rate:,.2f} a quarter each" if case.rate is not None else ""
    k4.metric(  # the rate in the help: the note under the number stays whole at 1280 px
        "Schedule",
        f"{len(schedule)} payments",
        f"{case.beneficiaries:,} beneficiaries",
        delta_color="off",
        delta_arrow="off",
        help=f"{case.beneficiaries:,} beneficiaries{rate_text}.",
    )

    ui.cached_chart(upfront_chart, case, case_key, key="pay_upfront_chart",
                    file_name=f"upfront-payments-{title}", by=case_key)
    st.caption(pay.settlement_dates_note())

    st.markdown("**Recoupment by performance year: the model beside CMS's published numbers**")
    ui.table(comparison_shown, comparison, "upfront_recoupment.csv", key="pay_comparison")
    st.markdown("**What the ACO owes: the three figures on this page, reconciled**")
    ui.table(debts_shown, debts, "upfront_owed.csv", key="pay_owed", hidden=["What it counts"])
    for figure, includes in zip(debts["figure"], debts["includes"], strict=True):  # sentences wrap here
        st.caption(f"**{ui.plain(figure)}**: {ui.plain(includes)}.")

    every = st.expander("Every payment and recoupment", key="pay_timeline_open", on_change="rerun")
    with every:
        if every.open:  # filled when opened (a rerun): sent on every run for a closed box before
            ui.table(timeline_shown, timeline, "upfront_timeline.csv", key="pay_timeline")
    return state


# Below, kept for every viewer (ui.page_cache.Memo: shared, never changed): a real ACO's case by its id, and
# every view of a case by `case_key` (the hashable inputs the case is made of: a case holds a dict and a
# frame, which Streamlit's hasher read in full on every run).
_aco_case = page_cache.Memo(lambda key, aco: pay.case_from_rows(data.aco_rows(key, aco)), 256)


def _views(case: pay.UpfrontCase, case_key: tuple) -> tuple[pd.DataFrame, ...]:
    """(payment schedule, timeline of payments and recoupments, recoupment beside CMS's and as shown, what
    the ACO owes and as shown, the timeline as shown) of a case."""
    timeline = case.timeline()
    comparison = pay.comparison(case, timeline)
    comparison_shown = ui.formatted(
        comparison,
        [c for c in comparison.columns if c != "performance_year"],
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
    )
    debts = story.owed(timeline, comparison)
    debts_shown = ui.formatted(debts, ["model", "cms"], rename={
        "figure": "Figure", "when": "When", "model": "Model", "cms": "CMS published",
        "includes": "What it counts"})
    shown = timeline.drop(columns=["recoupable_balance", "period"]).assign(
        date=pd.to_datetime(timeline["date"]).dt.strftime("%d %b %Y"))
    timeline_shown = ui.formatted(
        shown,
        ["paid", "cumulative_paid", "earned_savings", "recouped", "cumulative_recouped", "outstanding"],
        rename={"date": "Date", "event": "Event", "performance_year": "PY", "paid": "Paid",
                "cumulative_paid": "Paid to date", "earned_savings": "Earned savings",
                "recouped": "Recouped", "cumulative_recouped": "Recouped to date",
                "outstanding": "Still owed"},
    )
    return case.schedule(), timeline, comparison, comparison_shown, debts, debts_shown, timeline_shown


_case_views = page_cache.Memo(_views, 64, key=lambda case, case_key: case_key)


def upfront_chart(case: pay.UpfrontCase, case_key: tuple) -> go.Figure:
    """Paid, recouped and still owed over time, with CMS's published balances (built once: cached_chart).
    Written as plotly's JSON (ui.fast_figure: plotly.py's validation took ~15 ms; each ACO chosen is a new
    figure)."""
    _, timeline, comparison = _case_views(case, case_key)[:3]
    fig = ff.Draft()
    # The dates as plotly.py writes a datetime64 column (numpy's text at the column's unit).
    dates = np.datetime_as_string(timeline["date"].to_numpy())
    # Paid to date as a shaded area: until the first recoupment "still owed" equals it and would hide it.
    fig.add_scatter(x=dates, y=timeline["cumulative_paid"], name="Paid to date", mode="lines",
                    line_shape="hv", line={"color": "#1f77b4", "width": 1}, fill="tozeroy",
                    fillcolor="rgba(31,119,180,0.15)")
    fig.add_scatter(x=dates, y=timeline["cumulative_recouped"], name="Recouped to date",
                    mode="lines", line_shape="hv", line={"color": "#2e7d32", "width": 3})
    fig.add_scatter(x=dates, y=timeline["outstanding"], name="Still owed (model)", mode="lines",
                    line_shape="hv", line={"color": "#d62728", "width": 3, "dash": "dash"})
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
    return fig.figure()
