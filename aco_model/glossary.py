"""The words of the Medicare Shared Savings Program as ACO Lens uses them, each with where its rule lives.

One place for the terms the pages, the command line and the reports use (42 CFR part 425 unless noted;
methodology.md in the shared docs has the evidence for each number). Plain text: no markup.

>>> lookup("msr").term
'Minimum savings rate (MSR)'
>>> [t.term for t in search("loss limit")][:2]
['Loss limit', 'Revenue-based loss limit']
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Term:
    term: str
    meaning: str
    rule: str  # where the rule lives: a 42 CFR section, a CMMI model, or "ACO Lens"
    topic: str
    aliases: tuple[str, ...] = ()


SETTLEMENT, QUALITY, TRACKS, MONEY, PROGRAMS, LENS = (
    "Settlement", "Quality", "Tracks and levels", "Adjustments", "Payment models", "ACO Lens")

TERMS: tuple[Term, ...] = (
    # --- settlement -----------------------------------------------------------------------------------
    Term("Performance year (PY)", "The calendar year an ACO's spending is measured and settled. 2019 had "
         "two six-month performance years (January-June and July-December).", "425.20, 425.609", SETTLEMENT,
         ("PY",)),
    Term("Assigned beneficiaries", "Medicare fee-for-service beneficiaries assigned to the ACO by where they "
         "get primary care. The headcount sets the minimum savings rate; person-years (months assigned / 12) "
         "multiply the per-capita benchmark and spending.", "425.400-425.404", SETTLEMENT,
         ("N_AB", "beneficiaries", "person-years")),
    Term("Benchmark", "What Medicare expected to spend on the ACO's assigned beneficiaries in the year: the "
         "historical per-capita spending, risk-adjusted, regionally adjusted and trended, times "
         "person-years. Savings and losses are measured against it.", "425.601-425.603, 425.652-425.660",
         SETTLEMENT, ("updated benchmark", "ABtotBnchmk")),
    Term("Expenditure", "Medicare Parts A and B fee-for-service spending on the assigned beneficiaries in "
         "the year, each beneficiary's total truncated at the 99th percentile.", "425.604(a), 425.610(a)",
         SETTLEMENT, ("spending", "ABtotExp")),
    Term("Gross savings or losses", "Benchmark minus expenditure. Positive: the ACO spent less than its "
         "benchmark.", "425.604(c)", SETTLEMENT, ("BnchmkMinExp", "generated savings")),
    Term("Savings rate", "Gross savings divided by the benchmark. Compared with the MSR and MLR to decide "
         "whether anything is paid or owed.", "425.604(b)", SETTLEMENT, ("Sav_rate",)),
    Term("Minimum savings rate (MSR)", "The savings rate an ACO must reach before any savings are shared. "
         "One-sided ACOs get it from a table by assigned beneficiaries (12.2% at 500 down to 2% at 60,000+); "
         "two-sided ACOs elect 0%, 0.5%, 1%, 1.5%, 2% or the table. Below 500 beneficiaries no public rule "
         "gives it.", "425.604(b), 425.605(b), 425.610(b)", SETTLEMENT, ("msr", "MinSavPerc")),
    Term("Minimum loss rate (MLR)", "For two-sided ACOs, the loss rate (as a share of the benchmark) below "
         "which no shared losses are owed; equal to the elected MSR.", "425.606(b), 425.610(b)", SETTLEMENT,
         ("mlr",)),
    Term("Corridor", "The savings rates between minus the MLR and the MSR: inside it nothing is paid or "
         "owed, so that random variation is not rewarded or billed.", "425.604(b), 425.610(b)", SETTLEMENT),
    Term("Maximum sharing rate", "The share of savings a track pays at a perfect quality score: 40% (BASIC "
         "A-B), 50% (Track 1, Track 1+, BASIC C-E), 60% (Track 2), 75% (Track 3, ENHANCED).",
         "425.604(d), 425.605(d), 425.606(d), 425.610(d)", SETTLEMENT, ("QualPerfShare",)),
    Term("Final sharing rate", "The share of gross savings paid to the ACO: the maximum sharing rate, scaled "
         "by the quality score before 2021; from 2021 the full rate when the quality standard is met.",
         "425.604(d), 425.605(d), 425.610(d), 425.512", SETTLEMENT, ("FinalShareRate", "sharing rate")),
    Term("Final loss rate", "The share of gross losses a two-sided ACO owes: 30% in BASIC C-E and Track 1+; "
         "between 40% and 75% in Track 3 and ENHANCED, lower with a better quality score.",
         "425.605(d), 425.606(f), 425.610(f)", SETTLEMENT, ("FinalLossRate", "loss rate")),
    Term("Performance payment limit", "The most an ACO can be paid in a year, as a share of its benchmark: "
         "10% (Track 1, BASIC), 15% (Track 2), 20% (Track 3, ENHANCED).", "425.604(e), 425.605(d), "
         "425.610(e)", SETTLEMENT, ("payment cap", "cap")),
    Term("Loss limit", "The most a two-sided ACO can owe in a year: a share of its benchmark (Track 2: 5%, "
         "7.5%, then 10%; Track 3 and ENHANCED: 15%), or for BASIC C-E and Track 1+ the lower of a share of "
         "participant revenue and a share of the benchmark.", "425.605(d), 425.606(g), 425.610(g)",
         SETTLEMENT),
    Term("Earned shared savings or losses", "What CMS settled: the payment to the ACO (+) or the bill (-), "
         "after sequestration, limits and disaster relief, before any advance payment is recouped.",
         "425.604-425.610", SETTLEMENT, ("EarnSaveLoss", "payment", "bill")),
    # --- quality --------------------------------------------------------------------------------------
    Term("Quality score", "The ACO's quality performance, 0-100% (0-1 as a fraction). Until 2020 it scaled "
         "the sharing rate; from 2021 it decides whether the quality standard is met, and scales the "
         "ENHANCED loss rate and the alternative standard's sharing.", "425.502, 425.512", QUALITY,
         ("QualScore", "quality")),
    Term("Quality performance standard (QPS)", "The bar for full sharing from 2021: a quality score at or "
         "above the 30th percentile of MIPS quality scores (2021-2023) or the 40th (2024 on: 77.05 in 2024). "
         "Also met through the eCQM reporting incentive or as a first-year ACO.", "425.512(a)", QUALITY,
         ("QPS", "quality standard", "Met_QPS", "threshold")),
    Term("Alternative quality performance standard", "From 2023: an ACO that misses the QPS but scores at or "
         "above the 10th percentile on one outcome measure shares at the maximum rate times its quality "
         "score (a sliding scale).", "425.512(a)(4)", QUALITY, ("Met_AltQPS", "sliding scale")),
    Term("Reporting incentive", "2023-2024: reporting all eCQMs or MIPS CQMs and meeting score floors on two "
         "outcome measures counts as meeting the QPS whatever the score.", "425.512(a)(4)", QUALITY,
         ("Met_Incentive", "eCQM")),
    Term("Pay for reporting", "In an ACO's first performance year of its first agreement, completing quality "
         "reporting counts as a perfect score (before 2021) or as meeting the standard.", "425.502(a)(1)",
         QUALITY, ("first year", "Met_FirstYear")),
    # --- tracks ---------------------------------------------------------------------------------------
    Term("One-sided / two-sided", "One-sided ACOs can only earn savings; two-sided ACOs also owe losses.",
         "425.600", TRACKS, ("risk model", "downside risk")),
    Term("Track 1", "The original one-sided track (agreements 2012-2019): 50% maximum sharing, table MSR.",
         "425.604", TRACKS),
    Term("Track 1+", "A CMMI model (2018-2020): Track 1's sharing with limited downside risk: 30% of losses "
         "up to a revenue- or benchmark-based limit.", "CMMI Track 1+ Model agreement", TRACKS),
    Term("Track 2", "The original two-sided track (agreements 2012-2018): 60% maximum sharing, losses at "
         "1 minus the sharing rate (at least 40%, at most 60%).", "425.606", TRACKS),
    Term("Track 3", "The higher-risk track of 2016-2019 agreements, ENHANCED's predecessor: 75% maximum "
         "sharing, losses at 40-75%.", "425.610", TRACKS),
    Term("BASIC track (Levels A-E)", "The glide path from 7/2019: Levels A and B one-sided (40% sharing), "
         "C, D and E two-sided (50% sharing, 30% of losses, rising loss limits). ACOs move up one level a "
         "year unless they elect to move faster.", "425.605, 425.600(a)(4)", TRACKS,
         ("BASIC", "Level A", "Level E", "glide path")),
    Term("ENHANCED track", "The highest-risk MSSP track from 7/2019: 75% maximum sharing, 40-75% of losses, "
         "a loss limit of 15% of the benchmark.", "425.610", TRACKS, ("ENHANCED", "EN")),
    Term("Low-revenue / high-revenue ACO", "High revenue: the participants' Parts A and B revenue is at "
         "least 35% of the assigned beneficiaries' spending (typically hospital-led). Low-revenue BASIC ACOs "
         "starting 2024 share at half rate even below the MSR.", "425.20, 425.605(h)", TRACKS,
         ("Rev_Exp_Cat", "reduced sharing", "ReducedSS")),
    Term("Revenue-based loss limit", "BASIC C-E and Track 1+: the loss limit is a share of participants' "
         "Parts A and B revenue (2%, 4%, 8%) capped at a share of the benchmark (1%, 2%, 4%). No public file "
         "carries the revenue, so where this limit bound ACO Lens infers it from CMS's loss.",
         "425.605(d)(1)(iii)-(v)", TRACKS, ("participant revenue",)),
    # --- adjustments ----------------------------------------------------------------------------------
    Term("Sequestration", "The 2% cut to Medicare payments under the Budget Control Act of 2011, applied to "
         "shared savings payments (not to losses). Suspended while PY2019 and PY2020 were paid.",
         "Budget Control Act of 2011 (not part 425)", MONEY, ("2%",)),
    Term("Extreme and uncontrollable circumstances (EUC)", "Disasters and the COVID-19 emergency: shared "
         "losses are reduced by the share of the year and of beneficiaries affected (all of 2020-2022), and "
         "affected ACOs get a quality floor.", "425.605(f), 425.606(i), 425.610(i), 425.502(f), 425.512(c)",
         MONEY, ("EUC", "DisAdj", "disaster")),
    Term("Guardrail (PY2024)", "A flag CMS set on nine 2024 starters; two of them earned nothing despite "
         "savings above a 0% MSR. CMS has published no rule for it, so ACO Lens does not model it.",
         "not published", MONEY, ("Guardrail", "ACPT")),
    Term("Regional adjustment", "A move of the benchmark toward the region's spending (up for ACOs cheaper "
         "than their region); it shapes the benchmark, not the settlement.", "425.601(a)(8), 425.656",
         MONEY, ("RegAdj",)),
    Term("Prior savings adjustment", "From 2024: renewing ACOs with savings in their benchmark years get "
         "half those savings back in the benchmark, when higher than the regional adjustment.", "425.658",
         MONEY, ("PriorSavAdj",)),
    # --- payment models -------------------------------------------------------------------------------
    Term("Advance Payment ACO Model", "CMMI, 2012-2015: small ACOs got $250,000 up front, $36 per "
         "historically assigned beneficiary up front and $8 per beneficiary per month, recouped from later "
         "shared savings.", "CMMI model agreement", PROGRAMS, ("advance payment", "Adv_Pay")),
    Term("ACO Investment Model (AIM)", "CMMI, 2016: the same three payments for new ACOs (beneficiaries "
         "capped at 10,000), recouped from shared savings.", "CMMI model agreement", PROGRAMS, ("AIM",)),
    Term("Advance investment payments (AIP)", "From 2024: new, low-revenue, inexperienced BASIC ACOs get "
         "$250,000 plus eight quarterly payments per beneficiary, recouped from shared savings.", "425.630",
         PROGRAMS, ("AIP",)),
    Term("Recoupment", "Taking advance payments back out of earned shared savings until the balance is "
         "repaid; an ACO that never earns savings does not repay.", "425.630(g)", PROGRAMS),
    Term("Pioneer ACO Model", "CMMI, 2012-2016: larger, experienced ACOs with higher sharing and risk, and "
         "from the third year population-based payments (a monthly prepayment of part of expected "
         "fee-for-service payments).", "CMMI model agreement", PROGRAMS,
         ("Pioneer", "population-based payments", "PBP")),
    # --- ACO Lens -------------------------------------------------------------------------------------
    Term("Public-use file (PUF)", "CMS's yearly 'MSSP ACO Performance Year Financial and Quality Results' "
         "file, one row per ACO: the source of every real number here.", "data.cms.gov", LENS, ("PUF",)),
    Term("Fidelity", "How many ACO-years the model reproduces to $1 from the file's own inputs; the "
         "independent count uses no input derived from CMS's published outcomes.", "ACO Lens", LENS),
    Term("What-if scenario", "A real ACO-year (or a template) with any input changed, settled under the "
         "rules of that year; its link carries every input exactly.", "ACO Lens", LENS, ("scenario", "link")),
)

TOPICS: tuple[str, ...] = (SETTLEMENT, QUALITY, TRACKS, MONEY, PROGRAMS, LENS)


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("(", " ").replace(")", " ").split())


def search(text: str) -> list[Term]:
    """Terms whose name, aliases or meaning contain `text` (case-insensitive); names first."""
    wanted = _fold(text)
    if not wanted:
        return list(TERMS)
    named = [t for t in TERMS if any(wanted in _fold(n) for n in (t.term, *t.aliases))]
    described = [t for t in TERMS if t not in named and wanted in _fold(t.meaning)]
    return named + described


def lookup(name: str) -> Term | None:
    """The term a name or alias stands for exactly ("msr", "QPS", "Level E"), else None."""
    wanted = _fold(name)
    for t in TERMS:
        names = (t.term, *t.aliases)
        if any(wanted == _fold(n) for n in names) or wanted == _fold(t.term.split(" (")[-1].rstrip(")")):
            return t
    return None
