"""Payment models: up-front payments recouped from shared savings (Advance Payment, AIM, AIP) and the
Pioneer ACO Model beside the MSSP.

Thin page: the two views are ui.upfront_view and ui.pioneer_view. State in the URL: model; for up-front
payments src, aco or the template's program, start, n, rate, earned, and terminate; for Pioneer py, arr,
bench, rate, n, rural, q, pbp, pbp_share, ffs, track, msr.
"""

from __future__ import annotations

import streamlit as st

from ui import pioneer_view, upfront_view
from ui import widgets as ui
from ui.nav import inside_app
from ui.share import share_box

inside_app()

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
page_state = upfront_view.upfront(query, db) if model == "upfront" else pioneer_view.pioneer(query)
with warnings_box:
    ui.warn(query.warnings)
st.query_params.from_dict(page_state)
share_box("payment_models", page_state)
