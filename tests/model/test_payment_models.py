"""Advance Payment / AIM / AIP schedules and recoupment (against CMS's files), and the Pioneer model."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aco_model.payment_model_rules import PIONEER_RULES, UPFRONT_PROGRAMS
from aco_model.payment_models import (
    PopulationBasedPayment,
    advance_payment_fit,
    compare_with_mssp,
    payment_schedule,
    periodic_payment_count,
    pioneer_msr,
    recoup,
    recoupment_timeline,
    settle_pioneer,
)

# --- schedules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "n", "total"),
    [
        (date(2012, 4, 1), 27, 6_458, 1_877_416),  # A39692 PY2014 balance
        (date(2012, 7, 1), 24, 5_235, 1_443_580),  # A16226
        (date(2013, 1, 1), 18, 10_313, 2_106_340),  # A91256
    ],
)
def test_advance_payment_schedule_reproduces_published_balances(
    start: date, months: int, n: int, total: int
) -> None:
    s = payment_schedule("ADVANCE_PAYMENT", start, n)
    assert periodic_payment_count("ADVANCE_PAYMENT", start) == months
    assert s["amount"].sum() == total
    assert s["cumulative_paid"].iloc[-1] == total
    assert s["date"].iloc[-1] == pd.Timestamp(2014, 6, 1)  # monthly payments end June 2014
    assert s["payment"].value_counts().to_dict() == {
        "monthly": months,
        "fixed": 1,
        "up-front per beneficiary": 1,
    }


def test_aim_cap_and_existing_acos() -> None:
    s = payment_schedule("AIM", date(2016, 1, 1), 25_122)
    assert s["amount"].sum() == 2_530_000  # 250,000 + 10,000 x (36 + 8 x 24)
    assert (s.loc[s["payment"] == "monthly", "beneficiaries"] == 10_000).all()
    assert s["date"].iloc[-1] == pd.Timestamp(2017, 12, 1)
    existing = payment_schedule("AIM_EXISTING", date(2016, 4, 1), 5_000)
    assert "fixed" not in set(existing["payment"])
    assert existing["amount"].sum() == 5_000 * (36 + 8 * 24)


def test_aip_schedule() -> None:
    s = payment_schedule("AIP", date(2024, 1, 1), 21_431)  # A5330: top rate, capped at 10,000
    first_year = s[s["date"] <= pd.Timestamp(2024, 12, 31)]
    assert first_year["amount"].sum() == 2_050_000
    assert s["amount"].sum() == 250_000 + 8 * 45 * 10_000
    assert s.loc[s["payment"] == "quarterly", "date"].dt.month.tolist() == [1, 4, 7, 10] * 2
    assert (
        payment_schedule("AIP", date(2024, 1, 1), 4_000, rate=20)["amount"].sum() == 250_000 + 8 * 20 * 4_000
    )
    with pytest.raises(ValueError, match="at most"):
        payment_schedule("AIP", date(2024, 1, 1), 4_000, rate=50)
    with pytest.raises(ValueError, match="unknown program"):
        payment_schedule("NOPE", date(2024, 1, 1), 1)


def test_every_upfront_program_cites_its_source() -> None:
    for rules in UPFRONT_PROGRAMS.values():
        assert rules.citation
        assert rules.balance_basis in ("paid_before_settlement", "paid_through_performance_year")


# --- recoupment --------------------------------------------------------------------------------


def test_recoup_rule() -> None:
    assert recoup(1_443_580, 1_057_032) == 1_057_032  # methodology 7.1, A16226
    assert recoup(2_933_104, 6_062_187) == 2_933_104  # A05657
    assert recoup(500_000, -2_000_000) == 0.0  # losses recoup nothing
    assert recoup(0, 1_000) == 0.0
    out = recoup(np.array([1.0, 5.0, 3.0]), np.array([2.0, 4.0, -1.0]))
    assert out.tolist() == [1.0, 4.0, 0.0]


def test_timeline_carries_the_balance_forward() -> None:
    s = payment_schedule("ADVANCE_PAYMENT", date(2012, 7, 1), 5_235)  # 1,443,580
    t = recoupment_timeline(s, {2013: 0.0, 2014: 1_000_000.0, 2015: 300_000.0, 2016: 900_000.0})
    settlements = t[t["event"] == "recoupment"].set_index("performance_year")
    assert settlements["recouped"].tolist() == [0.0, 1_000_000.0, 300_000.0, 143_580.0]
    assert settlements["recoupable_balance"].tolist() == [1_443_580.0, 1_443_580.0, 443_580.0, 143_580.0]
    assert t["outstanding"].iloc[-1] == 0.0
    assert (t["outstanding"] == t["cumulative_paid"] - t["cumulative_recouped"]).all()
    assert t["date"].is_monotonic_increasing
    assert list(t.columns)[:6] == ["date", "period", "event", "performance_year", "paid", "cumulative_paid"]


def test_no_savings_no_repayment() -> None:
    s = payment_schedule("AIM", date(2016, 1, 1), 8_000)
    t = recoupment_timeline(s, {2016: 0.0, 2017: -3_000_000.0, 2018: 0.0})
    assert t["recouped"].sum() == 0.0
    assert t["outstanding"].iloc[-1] == s["amount"].sum()


def test_early_termination_repays_everything() -> None:
    s = payment_schedule("AIP", date(2024, 1, 1), 5_000, rate=20)  # 250,000 + 8 x 100,000
    t = recoupment_timeline(s, {2024: 100_000.0, 2025: 0.0}, terminated_on=date(2025, 5, 15))
    assert t["event"].iloc[-1] == "repayment on termination"
    paid = 250_000 + 6 * 100_000  # quarters of Jan 2024 ... Apr 2025
    assert t["cumulative_paid"].iloc[-1] == paid
    assert t["recouped"].iloc[-1] == paid  # nothing recouped before: PY2024 settles in Sept 2025
    assert t["outstanding"].iloc[-1] == 0.0
    assert "recoupment" not in set(t["event"])


def test_aip_recoups_only_the_performance_years_payments() -> None:
    s = payment_schedule("AIP", date(2024, 1, 1), 5_000, rate=20)
    t = recoupment_timeline(s, {2024: 2_000_000.0, 2025: 2_000_000.0})
    py = t[t["event"] == "recoupment"].set_index("performance_year")
    # PY2024: 250,000 + 4 x 100,000 (not the 2025 quarters paid before the settlement), PUF 2024 basis.
    assert py.loc[2024, "recouped"] == 650_000.0
    assert py.loc[2025, "recouped"] == 400_000.0
    # Same schedule recouped on the Advance Payment basis would take the 2025 quarters paid before Sept 2025.
    t2 = recoupment_timeline(s, {2024: 2_000_000.0}, balance_basis="paid_before_settlement")
    assert t2.loc[t2["event"] == "recoupment", "recouped"].item() == 950_000.0


def test_advance_payment_fit() -> None:
    fit = advance_payment_fit(
        np.array([2_933_104.0, 2_933_105.0, 0.0]), pd.Series(["2012-07-01", "2012-07-01", "2013-01-01"])
    )
    assert fit["fits"].tolist() == [True, False, False]
    assert fit["months"].tolist() == [24, 24, 18]
    capped = advance_payment_fit(np.array([2_530_000.0, 250_000 + 228 * 12_000.0]), ["2016-01-01"] * 2, "AIM")
    assert capped["fits"].tolist() == [True, False]  # 12,000 beneficiaries exceeds the 10,000 cap


# --- reproduction of CMS's published recoupments (raw files, skipped without them) -------------


def _num(s: pd.Series) -> pd.Series:
    """CMS money/rate text to numbers: "1,443,580", "$5.00", "-" (not applicable) -> NaN."""
    text = s.astype("string").str.replace(r"[$,%\s]", "", regex=True)
    return pd.to_numeric(text.mask(text.isin(["-", "*", "N/A", "/", ""])), errors="coerce")


def _read(cms_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(cms_dir / name, dtype=str, encoding="utf-8-sig")


def _flag(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().isin(["1", "Y", "Yes"])


def test_py2014_advance_payment_recoupment(cms_dir: Path) -> None:
    d = _read(cms_dir, "mssp_puf_py2014.csv")
    a = d[_flag(d["Adv_Pay"])]
    balance, earned, published = _num(a["Adv_Pay_Amt"]), _num(a["EarnSaveLoss"]), _num(a["Adv_Pay_Recoup"])
    model = recoup(balance.to_numpy(), earned.to_numpy())
    ok = np.abs(model - published.to_numpy()) <= 1.0
    assert len(a) == 35
    assert ok.sum() == 35  # every Advance Payment ACO's PY2014 recoupment to $1
    assert (published > 0).sum() == 6
    row = a["ACO_Num"].eq("A16226").to_numpy()
    assert model[row].item() == 1_057_032  # recouped from earned savings, balance 1,443,580


def test_py2014_balances_are_full_schedules(cms_dir: Path) -> None:
    d = _read(cms_dir, "mssp_puf_py2014.csv")
    a = d[_flag(d["Adv_Pay"])]
    balance = _num(a["Adv_Pay_Amt"])
    fit = advance_payment_fit(balance.to_numpy(), a["Start_Date"])
    positive = balance.to_numpy() > 0
    assert positive.sum() == 27
    assert fit.loc[positive, "fits"].sum() == 27  # Adv_Pay_Amt = 250,000 + H x (36 + 8 m), m = 27/24/18
    assert sorted(set(fit.loc[positive, "months"])) == [18, 24, 27]
    assert fit.loc[positive, "beneficiaries"].max() == 13_423  # no beneficiary cap in this model


def test_py2013_to_py2014_balance_carries_forward(cms_dir: Path) -> None:
    d13 = _read(cms_dir, "mssp_puf_py2013.csv")
    d14 = _read(cms_dir, "mssp_puf_py2014.csv")
    a13 = d13[_flag(d13["Advance pay status"])]
    # PY2013 columns 13-34 sit one place right of their headers: earned savings under "Shared Losses ($)".
    y13 = pd.DataFrame(
        {
            "id": a13["ACO Identifier"],
            "balance": _num(a13["Advanced payment amount"]),
            "earned": _num(a13["Shared Losses ($)"]),
        }
    )
    y14 = pd.DataFrame({"id": d14["ACO_Num"], "balance_2014": _num(d14["Adv_Pay_Amt"])})
    both = y13.merge(y14, on="id")
    carried = both["balance"] - recoup(both["balance"].to_numpy(), both["earned"].to_numpy())
    ok = np.abs(carried - both["balance_2014"]) <= 1.0
    assert len(y13) == 36 and len(both) == 35
    assert ok.sum() == 34  # A39692's balance grew from 1,741,260 to 1,877,416 between the files
    assert both.loc[~ok, "id"].tolist() == ["A39692"]
    assert (recoup(both["balance"].to_numpy(), both["earned"].to_numpy()) > 0).sum() == 8  # repaid in full


def test_py2018_advance_and_aim_recoupment(cms_dir: Path) -> None:
    d = _read(cms_dir, "mssp_puf_py2018.csv")
    a = d[_flag(d["Adv_Pay"]) | _flag(d["AIM"])]
    balance, earned, published = _num(a["Adv_Pay_Amt"]), _num(a["EarnSaveLoss"]), _num(a["Adv_Pay_Recoup"])
    ok = np.abs(recoup(balance.to_numpy(), earned.to_numpy()) - published.to_numpy()) <= 1.0
    assert len(a) == 60
    assert ok.sum() == 60
    aim = a[_flag(a["AIM"]) & (balance > 0)]
    assert (_num(aim["Adv_Pay_Amt"]) == 2_530_000).sum() == 8  # 10,000-beneficiary cap reached
    fit = advance_payment_fit(_num(aim["Adv_Pay_Amt"]).to_numpy(), aim["Current_Start_Date"], "AIM")
    assert fit["fits"].sum() == 8  # only the capped ones: counts were updated during the 24 months
    legacy = a[_flag(a["Adv_Pay"]) & (balance > 0)]  # 2012-13 Advance Payment balances still unpaid
    fit = advance_payment_fit(_num(legacy["Adv_Pay_Amt"]).to_numpy(), legacy["Initial_Start_Date"])
    assert len(legacy) == 3 and fit["fits"].all()


def test_py2024_aip_recoupment(cms_dir: Path) -> None:
    d = _read(cms_dir, "mssp_puf_py2024.csv")
    a = d[_flag(d["AIP"])]
    balance, earned = _num(a["AIPBalance"]), _num(a["EarnSaveLoss"])
    published_recoup, published_owe = _num(a["AIPRecoup"]), _num(a["AIPOwe"])
    model = recoup(balance.to_numpy(), earned.to_numpy())
    assert len(a) == 19
    assert (np.abs(model - published_recoup.to_numpy()) <= 1.0).sum() == 19
    assert (np.abs(balance.to_numpy() - model - published_owe.to_numpy()) <= 1.0).sum() == 19
    top = a["ACO_ID"].eq("A5330").to_numpy()
    first_year = payment_schedule("AIP", date(2024, 1, 1), int(_num(a["N_AB"])[top].item()))
    assert first_year.loc[first_year["date"].dt.year == 2024, "amount"].sum() == balance[top].item()


# --- Pioneer -----------------------------------------------------------------------------------


def test_pioneer_savings_worked_example() -> None:
    p = settle_pioneer(2, 500e6, 480e6, 30_000, 0.9)
    assert p.minimum_savings_rate == pytest.approx(0.024)
    assert p.final_sharing_rate == pytest.approx(0.63)
    assert p.shared_savings == pytest.approx(0.63 * 20e6 * 0.98)
    assert p.earned == pytest.approx(12_348_000)
    assert p.outcome == "shared savings" and p.calendar_year == 2013


def test_pioneer_year_one_reporting_losses_and_caps() -> None:
    p = settle_pioneer(1, 100e6, 115e6, 20_000, quality_score=0.2)  # pay for reporting: q ignored
    assert p.quality_score == 1.0
    assert p.earned == pytest.approx(-0.60 * 15e6)
    capped = settle_pioneer(1, 100e6, 120e6, 20_000)
    assert capped.shared_loss_before_cap == pytest.approx(12e6)
    assert capped.earned == pytest.approx(-10e6)  # 10% of the benchmark
    big = settle_pioneer(1, 100e6, 70e6, 20_000)
    assert big.shared_savings == pytest.approx(10e6)  # 0.6 x 30M x 0.98 = 17.6M capped at 10M
    inside = settle_pioneer(3, 100e6, 98e6, 20_000, 0.9)  # 2% < MSR 2.6%
    assert inside.outcome == "inside corridor" and inside.earned == 0.0
    alt = settle_pioneer(1, 100e6, 90e6, 20_000, arrangement="alternative")
    assert alt.earned == pytest.approx(0.5 * 10e6 * 0.98)  # 4.9M, under the 5% cap
    alt = settle_pioneer(1, 100e6, 80e6, 20_000, arrangement="alternative")
    assert alt.earned == pytest.approx(5e6)  # 0.5 x 20M x 0.98 = 9.8M capped at 5% x B


def test_pioneer_population_based_payment() -> None:
    pbp = PopulationBasedPayment(projected_ffs_revenue=120e6, share=0.5, actual_ffs_revenue=132e6)
    with_pbp = settle_pioneer(3, 500e6, 480e6, 30_000, 0.9, population_based_payment=pbp)
    without = settle_pioneer(3, 500e6, 480e6, 30_000, 0.9)
    assert with_pbp.earned == without.earned  # reconciliation unchanged
    assert with_pbp.pbp_paid == pytest.approx(60e6)
    assert with_pbp.ffs_reduction == pytest.approx(66e6)
    sched = with_pbp.pbp_schedule
    assert sched is not None and len(sched) == 12
    assert sched["pbp_payment"].iloc[0] == pytest.approx(5e6)
    assert sched["net_cash_change"].sum() == pytest.approx(-6e6)
    with pytest.raises(ValueError, match="year 3"):
        settle_pioneer(2, 500e6, 480e6, 30_000, 0.9, population_based_payment=pbp)


def test_pioneer_errors_and_msr_table() -> None:
    with pytest.raises(ValueError, match="quality_score"):
        settle_pioneer(2, 100e6, 90e6, 20_000)
    with pytest.raises(ValueError, match="no Pioneer rules"):
        settle_pioneer(6, 100e6, 90e6, 20_000, 0.9)
    assert pioneer_msr(15_000) == 0.027 and pioneer_msr(100_000) == 0.010
    assert pioneer_msr(5_000) == 0.027 and pioneer_msr(1_000_000) == 0.010


def test_pioneer_rules_are_data_with_sources() -> None:
    for (arrangement, year), r in PIONEER_RULES.items():
        assert (r.arrangement, r.model_year) == (arrangement, year)
        assert re.match(r"\[(3P|recall|CMS-FS|PUF)\]", r.source), r.source
        assert r.loss_cap > 0 and r.savings_cap > 0 and 0 < r.max_sharing_rate <= 1
    assert {k[1] for k in PIONEER_RULES} == {1, 2, 3, 4, 5}


def test_compare_with_mssp() -> None:
    t = compare_with_mssp(2, 500e6, 480e6, 30_000, 0.9)
    assert t["program"].tolist() == ["Pioneer (core, year 2)", "Track 2"]
    pioneer, mssp = t.iloc[0], t.iloc[1]
    assert mssp["performance_year"] == 2013
    assert mssp["minimum_savings_rate"] == 0.02  # Track 2 agreements of 2012-2015: fixed 2%
    assert mssp["earned"] == pytest.approx(0.6 * 0.9 * 20e6 * 0.98)
    assert pioneer["earned"] > mssp["earned"]
    # Losses: Pioneer year 1 (pay for reporting) vs Track 2 in 2013.
    t = compare_with_mssp(1, 100e6, 105e6, 20_000, mssp_track="TRACK_2")
    assert t.iloc[0]["earned"] == pytest.approx(-0.6 * 5e6)
    assert t.iloc[1]["earned"] == pytest.approx(-0.4 * 5e6)  # 1 - r_s = 0.4 with q = 1; limit 5% x B
    one_sided = compare_with_mssp(3, 100e6, 105e6, 20_000, 0.9, mssp_track="TRACK_1")
    assert one_sided.iloc[1]["earned"] == 0.0 and np.isnan(one_sided.iloc[1]["loss_rate"])
