"""Properties of the settlement that must hold for every input (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from aco_model import AcoYear, settle
from aco_model.rules import TRACKS, YEARS

years = st.sampled_from(sorted(YEARS))
tracks = st.sampled_from(sorted(TRACKS))
benchmarks = st.floats(min_value=5e6, max_value=3e9)
rates = st.floats(min_value=-0.3, max_value=0.5)
beneficiaries = st.integers(min_value=500, max_value=200_000)
quality = st.floats(min_value=0.0, max_value=1.0)
elections = st.sampled_from([None, 0.0, 0.005, 0.01, 0.015, 0.02])


def _aco(year, track, b, rate, n, q, election, **kw):
    return AcoYear(year, track, b, b * (1 - rate), n, quality_score=q, msr_election=election, **kw)


@settings(max_examples=300, deadline=None)
@given(years, tracks, benchmarks, rates, beneficiaries, quality, elections)
def test_payment_never_exceeds_its_limit(year, track, b, rate, n, q, election):
    r = settle(_aco(year, track, b, rate, n, q, election))
    assert r.earned <= TRACKS[track].payment_limit * b + 1e-6
    if r.loss_limit is not None:
        assert -r.earned <= r.loss_limit + 1e-6


@settings(max_examples=300, deadline=None)
@given(years, tracks, benchmarks, beneficiaries, quality, elections, st.floats(0.0, 1.0))
def test_nothing_is_paid_or_owed_inside_the_corridor(year, track, b, n, q, election, where):
    probe = settle(_aco(year, track, b, 0.0, n, q, election))
    msr, mlr = probe.minimum_savings_rate, probe.minimum_loss_rate or 0.0
    inside_rate = (where - 0.5) * 2 * min(msr, mlr) * 0.999 if mlr else where * msr * 0.999
    r = settle(_aco(year, track, b, inside_rate, n, q, election))
    if r.outcome != "reduced sharing":  # 425.605(h) pays low-revenue ACOs below the MSR on purpose
        assert r.earned == 0


@settings(max_examples=300, deadline=None)
@given(years, tracks, benchmarks, rates, st.floats(0.0, 0.2), beneficiaries, quality, elections,
       st.booleans())
def test_payment_never_falls_when_expenditure_falls(year, track, b, rate, cut, n, q, election, low_revenue):
    higher_spending = settle(_aco(year, track, b, rate, n, q, election, low_revenue=low_revenue,
                                  agreement_start_year=year))
    lower_spending = settle(_aco(year, track, b, rate + cut, n, q, election, low_revenue=low_revenue,
                                 agreement_start_year=year))
    assert lower_spending.earned >= higher_spending.earned - 1e-6
