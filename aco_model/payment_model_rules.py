"""Rules of the payment models beside the MSSP tracks, as data: up-front payments recouped from
shared savings (Advance Payment ACO Model, ACO Investment Model, Advance Investment Payments) and the
Pioneer ACO Model.

Every number carries its source and a confidence tag, as in `rules`: [CFR] 42 CFR part 425 (read in a
third-party copy for 425.630), [PUF] reproduced from CMS's public-use files in ../shared/data/cms,
[CMS-FS] a CMS fact sheet or model page, [3P] a third-party summary, [recall] unconfirmed memory of
the model documents -- keep it configurable and replace it when the source is at hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

BalanceBasis = Literal["paid_before_settlement", "paid_through_performance_year"]


@dataclass(frozen=True, slots=True)
class UpfrontPaymentRules:
    """Payments made to an ACO ahead of its results, to be recouped from its shared savings.

    Schedule: `fixed_payment` + `upfront_per_beneficiary` x N at the start, then
    `periodic_per_beneficiary` x N every `months_between_payments` months, either `payments` times
    or through `last_payment_month`; N = beneficiaries, capped at `beneficiary_cap`.
    `balance_basis` says which payments a performance year's settlement recoups: all those made
    before the settlement ("paid_before_settlement") or only those made by the end of the
    performance year ("paid_through_performance_year").
    """

    program: str
    label: str
    fixed_payment: float
    upfront_per_beneficiary: float
    periodic_per_beneficiary: float
    months_between_payments: int
    payments: int | None
    last_payment_month: date | None
    beneficiary_cap: int | None
    balance_basis: BalanceBasis
    citation: str


UPFRONT_PROGRAMS: dict[str, UpfrontPaymentRules] = {
    r.program: r
    for r in (
        # Advance Payment ACO Model (CMMI, 2012-2015), 35 ACOs [CMS-FS: three payments, $250,000 fixed,
        # $36 per historically assigned beneficiary up front, $8 per beneficiary per month].
        # Monthly payments through June 2014 whatever the start [PUF 2014: Adv_Pay_Amt = 250,000 +
        # H x (36 + 8 m), integer H for all 27 non-zero balances, m = 27 / 24 / 18 for April 2012 /
        # July 2012 / January 2013 starters]. No beneficiary cap [PUF 2014: H up to 13,423].
        # The PY2013 settlement recouped everything paid to date, i.e. through June 2014
        # [PUF 2013 -> 2014: 34 of 35 balances carry forward as balance - min(balance, earned)].
        UpfrontPaymentRules(
            program="ADVANCE_PAYMENT", label="Advance Payment ACO Model",
            fixed_payment=250_000.0, upfront_per_beneficiary=36.0, periodic_per_beneficiary=8.0,
            months_between_payments=1, payments=None, last_payment_month=date(2014, 6, 1),
            beneficiary_cap=None, balance_basis="paid_before_settlement",
            citation="Advance Payment ACO Model agreement (CMMI)",
        ),
        # ACO Investment Model (CMMI): new 2015-2016 ACOs, same three payments for 24 months, beneficiaries
        # capped at 10,000 -> at most 250,000 + 10,000 x (36 + 8 x 24) = 2,530,000 [PUF 2018: 8 AIM ACOs
        # at exactly 2,530,000; structure CMS-FS]. Recoupment basis as the Advance Payment model [recall].
        UpfrontPaymentRules(
            program="AIM", label="ACO Investment Model",
            fixed_payment=250_000.0, upfront_per_beneficiary=36.0, periodic_per_beneficiary=8.0,
            months_between_payments=1, payments=24, last_payment_month=None,
            beneficiary_cap=10_000, balance_basis="paid_before_settlement",
            citation="ACO Investment Model agreement (CMMI)",
        ),
        # AIM for ACOs that started in 2012-2014: the per-beneficiary payments only, no fixed payment
        # [3P: press report of the CMS announcement; recall for the 24 months and the cap].
        UpfrontPaymentRules(
            program="AIM_EXISTING", label="ACO Investment Model (2012-2014 starters)",
            fixed_payment=0.0, upfront_per_beneficiary=36.0, periodic_per_beneficiary=8.0,
            months_between_payments=1, payments=24, last_payment_month=None,
            beneficiary_cap=10_000, balance_basis="paid_before_settlement",
            citation="ACO Investment Model agreement (CMMI)",
        ),
        # Advance Investment Payments, 42 CFR 425.630 (PY2024+): one-time $250,000 and 8 quarterly payments
        # over the first two performance years, per beneficiary (capped at 10,000) at a rate set by the
        # ACO's risk-factors score [3P copy of 425.630]; top rate $45 per beneficiary per quarter
        # [PUF 2024: A5330, 21,431 beneficiaries, AIPBalance 2,050,000 = 250,000 + 4 x 45 x 10,000].
        # AIPBalance holds only the first performance year's four quarters [PUF 2024: 19 AIP ACOs].
        UpfrontPaymentRules(
            program="AIP", label="Advance Investment Payments",
            fixed_payment=250_000.0, upfront_per_beneficiary=0.0, periodic_per_beneficiary=45.0,
            months_between_payments=3, payments=8, last_payment_month=None,
            beneficiary_cap=10_000, balance_basis="paid_through_performance_year",
            citation="42 CFR 425.630",
        ),
    )
}

# 425.630(d) [3P]: the quarterly per-beneficiary amount rises with the risk-factors score; the
# score-to-dollar tiers are unconfirmed, only the top rate is confirmed [PUF 2024].
AIP_MAX_QUARTERLY_RATE = 45.0

# When a performance year's settlement (and so the recoupment) happens: CMS released results and paid
# shared savings in the third quarter of the following year [recall; PY2013 recouped payments made
# through June 2014, PUF]. Month and day of PY + 1; used for the timeline's dates only.
SETTLEMENT_MONTH_AFTER_PY = (9, 1)


# --- Pioneer ACO Model (CMMI, 2012-2016; model agreement, not in part 425) -------------------------

PIONEER_FIRST_YEAR = 2012  # performance year 1 = calendar 2012 [CMS-FS]
PIONEER_LAST_YEAR = 2016  # the model ended 12/31/2016 with 9 ACOs [CMS-FS]
PIONEER_PBP_FROM_YEAR = 3  # population-based payments from the third performance year [CMS-FS]
PIONEER_MIN_ALIGNED = 15_000  # 5,000 in rural areas [3P: legalclarity.org summary, press]
PIONEER_MIN_ALIGNED_RURAL = 5_000

QualityMode = Literal["reporting", "scored"]


@dataclass(frozen=True, slots=True)
class PioneerYearRules:
    """Financial parameters of one Pioneer performance year under one payment arrangement.

    Savings: ``min(seq x r_max x q x G, savings_cap x B)``; losses: ``min(loss_rate x |G|, loss_cap x B)``.
    `quality` "reporting" = pay for reporting (q = 1), "scored" = the ACO's quality score.
    """

    arrangement: str
    model_year: int
    max_sharing_rate: float
    shared_loss_rate: float
    savings_cap: float
    loss_cap: float
    quality: QualityMode
    source: str


PIONEER_RULES: dict[tuple[str, int], PioneerYearRules] = {
    (r.arrangement, r.model_year): r
    for r in (
        # Core arrangement, years 1-2: "up to 60 percent of shared savings or losses, limit 10 percent of the
        # benchmark" in year 1, "up to 70 percent, limit 15 percent" in year 2 [3P: law-firm summary of the
        # 2011 request for applications (Lexology); methodology 6 recall agrees]. Loss rate taken flat at
        # the maximum (not quality-adjusted) [recall]. Year 1 pay for reporting [recall].
        PioneerYearRules("core", 1, 0.60, 0.60, 0.10, 0.10, "reporting", "[3P] RFA summary: 60% / 10% caps"),
        PioneerYearRules("core", 2, 0.70, 0.70, 0.15, 0.15, "scored", "[3P] RFA summary: 70% / 15% caps"),
        # Years 3-5 "up to 70-75%": 75% taken [recall, unconfirmed]; caps 15% [recall].
        PioneerYearRules("core", 3, 0.75, 0.75, 0.15, 0.15, "scored", "[recall] up to 70-75%; 75% assumed"),
        PioneerYearRules("core", 4, 0.75, 0.75, 0.15, 0.15, "scored", "[recall] up to 70-75%; 75% assumed"),
        PioneerYearRules("core", 5, 0.75, 0.75, 0.15, 0.15, "scored", "[recall] up to 70-75%; 75% assumed"),
        # Alternative (lower-risk) arrangement: "slightly more or less" than core [3P]; about 50% with 5% caps
        # in year 1, about 55-60% with 10% caps in year 2 [recall]; 55% taken. Years 3-5 unknown: year 2
        # carried forward [recall, unconfirmed].
        PioneerYearRules("alternative", 1, 0.50, 0.50, 0.05, 0.05, "reporting", "[recall] ~50%, 5% caps"),
        PioneerYearRules("alternative", 2, 0.55, 0.55, 0.10, 0.10, "scored", "[recall] ~55-60%, 10%"),
        PioneerYearRules("alternative", 3, 0.55, 0.55, 0.10, 0.10, "scored", "[recall] year 2 kept"),
        PioneerYearRules("alternative", 4, 0.55, 0.55, 0.10, 0.10, "scored", "[recall] year 2 kept"),
        PioneerYearRules("alternative", 5, 0.55, 0.55, 0.10, 0.10, "scored", "[recall] year 2 kept"),
    )
}

# MSR = MLR by aligned beneficiaries: (headcount, rate) anchors, linear in between, flat outside.
# Only the range "1.0%-2.7% by aligned count" is recalled [recall, methodology 6]; the anchors are
# ours: 2.7% at the 15,000 minimum (the MSSP table's value there) down to 1.0% at 100,000 [unconfirmed].
PIONEER_MSR_ANCHORS: tuple[tuple[int, float], ...] = ((15_000, 0.027), (100_000, 0.010))

# Sequestration (2%) applied to Pioneer shared savings paid from April 2013, i.e. every year's
# settlement (PY1 was settled in mid-2013) [recall].
PIONEER_SEQUESTRATION: dict[int, float] = {1: 0.98, 2: 0.98, 3: 0.98, 4: 0.98, 5: 0.98}

# Population-based payment (PBP): a monthly per-beneficiary payment replacing a share of the
# participants' expected FFS revenue, whose claims are reduced by the same share; the share was
# chosen by the ACO, 50% is the level usually quoted [recall, unconfirmed]. Reconciliation of savings
# and losses is unchanged [CMS-FS: "move a substantial portion of their payments"].
PIONEER_PBP_DEFAULT_SHARE = 0.50
