"""What-if studio: below 500 assigned beneficiaries the page says the MSR is an assumption."""

from __future__ import annotations

from aco_model.msr import MSR_BELOW_500_WARNING


def test_a05696_shows_that_its_msr_is_not_known_from_public_rules(cms_db, open_page):
    at = open_page("what_if.py", cms_db, aco="A05696", year="2017")  # 152 assigned beneficiaries
    assert not at.exception
    assert [w.value for w in at.warning] == [MSR_BELOW_500_WARNING]


def test_a_larger_aco_year_has_no_such_warning(cms_db, open_page):
    at = open_page("what_if.py", cms_db, aco="A05696", year="2016")  # 11,298 assigned beneficiaries
    assert not at.exception
    assert not at.warning
