"""Glossary: every term the pages use (MSR/MLR, QPS, EUC, sequestration, Guardrail...), with its rule.

Thin page over aco_model.glossary. The search text and the topic live in the URL (`?term=msr&topic=...`),
so a page can link straight to one term.
"""

from __future__ import annotations

import streamlit as st

from aco_model.glossary import TERMS, TOPICS, search
from ui.nav import inside_app
from ui.text import plain

inside_app()

BIND = {"bind": "query-params"}


st.title("Glossary")
st.caption("The words of the Medicare Shared Savings Program as ACO Lens uses them, and where each rule "
           "lives (sections of 42 CFR part 425 unless noted).")

left, right = st.columns([1, 2])
if str(st.query_params.get("topic", "")) not in ("", *TOPICS):
    st.warning("The link's topic is not one of this page's topics; showing every topic.")
    del st.query_params["topic"]
text = left.text_input("Find a term", key="term", placeholder="e.g. MSR, EUC, Level E", max_chars=60, **BIND)
topic = right.pills("Topic", TOPICS, key="topic", **BIND)

found = [t for t in search(text or "") if topic in (None, t.topic)]
if not found:
    st.info("No term matches that search" + (" in this topic." if topic else "."))
for group in TOPICS:
    terms = [t for t in found if t.topic == group]
    if not terms:
        continue
    st.subheader(group)
    for term in terms:
        with st.container(border=True):
            st.markdown(f"**{plain(term.term)}**")
            st.markdown(plain(term.meaning))
            also = f"  ·  also: {', '.join(term.aliases)}" if term.aliases else ""
            st.caption(plain(f"Rule: {term.rule}{also}"))

st.caption(f"{len(TERMS)} terms. The numbers behind each rule, and the evidence from CMS's files, are in the "
           "project's methodology notes.")
