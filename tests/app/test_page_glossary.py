"""Glossary page (AppTest): every term listed, search and topic from the link, hostile links shown as text."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from aco_model.glossary import TERMS, lookup, search

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "glossary.py")


def _open(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _terms(at: AppTest) -> list[str]:
    return [m.value.strip("*").replace("\\", "") for m in at.markdown if m.value.startswith("**")]


def test_every_term_is_listed_once():
    at = _open()
    assert not at.exception
    assert _terms(at) == [t.term for topic in dict.fromkeys(t.topic for t in TERMS)
                          for t in TERMS if t.topic == topic]


def test_the_issue_terms_are_explained():
    for name in ("MSR", "MLR", "QPS", "EUC", "sequestration", "Guardrail", "Level E", "AIP"):
        term = lookup(name) or (search(name) or [None])[0]
        assert term is not None and len(term.meaning) > 40, name


def test_a_link_to_a_term_opens_it():
    at = _open(term="msr")
    assert not at.exception and at.text_input(key="term").value == "msr"
    assert _terms(at)[0] == "Minimum savings rate (MSR)"


def test_a_hostile_link_is_text_and_warns():
    at = _open(term="[Sign in](https://evil.example) $x^2$ **b**", topic="<b>moon</b>")
    assert not at.exception
    assert len(at.warning) == 1 and "evil" not in at.warning[0].value
    rendered = " ".join(e.value for e in [*at.markdown, *at.info, *at.caption, *at.warning])
    assert "evil.example" not in rendered


def test_money_is_not_a_formula():
    at = _open(term="Advance Payment")
    shown = next(m.value for m in at.markdown if "250,000" in m.value)
    assert "\\$250,000" in shown
