"""Program-wide what-if: each rule change on hand-computed ACO-years, totals, notes, real PY2024."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aco_model.program import SCENARIOS, TOTAL_COLUMNS, RuleChange, apply_rule_change

NAN = float("nan")


def _row(aco_id: str, track: str, savings_rate: float, **kw: object) -> dict[str, object]:
    b = float(kw.pop("benchmark", 100e6))
    row: dict[str, object] = {
        "aco_id": aco_id,
        "performance_year": 2024,
        "track": track,
        "benchmark": b,
        "expenditure": b * (1 - savings_rate),
        "assigned_beneficiaries": 20_000,
        "quality_score": 0.9,
        "met_quality_standard": 1.0,
        "msr_election": NAN,
    }
    row.update(kw)
    return row


def _frame(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows)).set_index("aco_id", drop=False)


def _earned(c, aco_id: str) -> tuple[float, float]:
    r = c.per_aco.loc[aco_id]
    return float(r["earned_before"]), float(r["earned_after"])


def test_no_change_changes_nothing() -> None:
    rows = _frame(
        _row("A", "BASIC_E", 0.05, msr_election=0.02), _row("B", "ENHANCED", -0.04, msr_election=0.01)
    )
    c = apply_rule_change(rows, RuleChange())
    assert list(c.totals.index) == list(SCENARIOS)
    assert list(c.totals.columns) == list(TOTAL_COLUMNS)
    assert (c.totals.loc["change"] == 0).all()
    assert (c.per_aco["change"] == 0).all()
    assert c.notes == ()
    assert c.change.describe() == "no change"


def test_max_sharing_rate_and_payment_limit() -> None:
    # PY2014 Track 1, q = 1: 0.5 x 30M x 0.98 = 14.7M, capped at 10% x 100M = 10M (425.604(d)-(e)).
    rows = _frame(
        _row("A", "TRACK_1", 0.30, performance_year=2014, quality_score=1.0, met_quality_standard=NAN),
        _row("B", "TRACK_1", 0.05, performance_year=2014, quality_score=1.0, met_quality_standard=NAN),
    )
    c = apply_rule_change(
        rows, RuleChange(payment_limits={"TRACK_1": 0.05}, max_sharing_rates={"TRACK_1": 0.6})
    )
    assert _earned(c, "A") == pytest.approx((10e6, 5e6))
    assert _earned(c, "B") == pytest.approx((0.5 * 5e6 * 0.98, 0.6 * 5e6 * 0.98))


def test_flat_loss_rate_and_loss_limit() -> None:
    # ENHANCED PY2024, q = 0.8: r_l = 1 - 0.75 x 0.8 = 0.40 -> 0.4 x 3M = 1.2M; flat 60% -> 1.8M.
    # BASIC E: 0.30 x 5M = 1.5M (limit 4% x B = 4M); limit 1% x B -> 1M.
    rows = _frame(
        _row("EN", "ENHANCED", -0.03, quality_score=0.8, msr_election=0.01),
        _row("E", "BASIC_E", -0.05, msr_election=0.01),
    )
    c = apply_rule_change(rows, RuleChange(loss_rates={"ENHANCED": 0.6}, loss_limits={"BASIC_E": 0.01}))
    assert _earned(c, "EN") == pytest.approx((-1.2e6, -1.8e6))
    assert _earned(c, "E") == pytest.approx((-1.5e6, -1e6))
    assert c.totals.loc["change", "losses_collected"] == pytest.approx(0.6e6 - 0.5e6)


def test_flat_msr_reaches_every_aco() -> None:
    # The engine's minimum_savings_rate hook: one MSR for all, including ACOs under 5,000 (425.110(b)
    # table otherwise) and 2012-2015 Track 2 agreements (fixed 2% otherwise).
    rows = _frame(
        _row("A", "BASIC_A", 0.01),  # table MSR 2.5%: nothing; flat 0.5%: paid
        _row("AL", "BASIC_A", -0.03),  # one-sided loser: never owes
        _row("EN", "ENHANCED", 0.015, msr_election=0.02),  # elected 2%: nothing; flat 0.5%: paid
        _row("S", "ENHANCED", 0.03, assigned_beneficiaries=4_000),  # under 5,000: table 4.45% -> 0.5%
        _row("SL", "BASIC_E", -0.01, assigned_beneficiaries=4_000, msr_election=0.0),  # MLR follows MSR
        _row("T2", "TRACK_2", 0.015, performance_year=2014, quality_score=1.0, met_quality_standard=NAN),
    )
    c = apply_rule_change(rows, RuleChange(flat_msr=0.005))
    assert _earned(c, "A") == pytest.approx((0.0, 0.4 * 1e6 * 0.98))
    assert _earned(c, "AL") == (0.0, 0.0)
    assert c.per_aco.loc["AL", "outcome_after"] == "inside corridor"
    assert _earned(c, "EN") == pytest.approx((0.0, 0.75 * 1.5e6 * 0.98))
    assert _earned(c, "S") == pytest.approx((0.0, 0.75 * 3e6 * 0.98))
    assert _earned(c, "SL") == pytest.approx((0.0, -0.3 * 1e6))
    assert _earned(c, "T2") == pytest.approx((0.0, 0.6 * 1.5e6 * 0.98))
    assert c.per_aco.loc["S", "msr_before"] == pytest.approx(0.05 - 1000 / 1999 * 0.011)
    assert (c.per_aco["msr_after"] == 0.005).all()
    assert c.notes == ()
    assert c.totals.loc["change", "acos_paid"] == 4
    assert c.totals.loc["change", "acos_owing"] == 1


def test_flat_msr_makes_small_losses_owed() -> None:
    # Two-sided at a 2% MLR: -1.5% is inside the corridor; at 0% it is owed (0.30 x 1.5M).
    rows = _frame(_row("E", "BASIC_E", -0.015, msr_election=0.02))
    c = apply_rule_change(rows, RuleChange(flat_msr=0.0))
    assert _earned(c, "E") == pytest.approx((0.0, -0.3 * 1.5e6))


def test_msr_scale_moves_only_table_msrs() -> None:
    rows = _frame(
        _row("A", "BASIC_A", 0.02),  # table 2.5% -> 1.25%: paid
        _row("V", "ENHANCED", 0.02),  # variable election: table 2.5% -> 1.25%
        _row("F", "ENHANCED", 0.015, msr_election=0.01),  # symmetric 1%: unchanged
        _row("S", "BASIC_E", 0.03, assigned_beneficiaries=4_000, msr_election=0.0),  # forced table: scaled
    )
    c = apply_rule_change(rows, RuleChange(msr_scale=0.5))
    assert c.per_aco.loc["S", "msr_after"] == pytest.approx(0.5 * c.per_aco.loc["S", "msr_before"])
    assert _earned(c, "S") == pytest.approx((0.0, 0.5 * 3e6 * 0.98))
    assert c.per_aco.loc["A", "msr_after"] == pytest.approx(0.0125)
    assert _earned(c, "A") == pytest.approx((0.0, 0.4 * 2e6 * 0.98))
    assert _earned(c, "V") == pytest.approx((0.0, 0.75 * 2e6 * 0.98))
    before, after = _earned(c, "F")
    assert before == after == pytest.approx(0.75 * 1.5e6 * 0.98)


def test_quality_standard() -> None:
    # PY2024 standard 0.7705 -> 0.80. Met by score 0.78: no longer; met by another route (0.70 < 0.7705
    # but published met): still met; 0.72 not met -> under a 0.70 standard, met.
    rows = _frame(
        _row("S", "ENHANCED", 0.05, quality_score=0.78, msr_election=0.0),
        _row("R", "ENHANCED", 0.05, quality_score=0.70, msr_election=0.0),
        _row("L", "TRACK_1", 0.05, performance_year=2018, met_quality_standard=NAN),
    )
    c = apply_rule_change(rows, RuleChange(quality_standard=0.80))
    assert _earned(c, "S") == pytest.approx((0.75 * 5e6 * 0.98, 0.0))
    assert _earned(c, "R") == pytest.approx((0.75 * 5e6 * 0.98,) * 2)
    assert _earned(c, "L")[0] == _earned(c, "L")[1]
    assert any("before PY2021" in n for n in c.notes)
    low = _frame(_row("N", "BASIC_E", 0.05, quality_score=0.72, met_quality_standard=0.0, msr_election=0.0))
    c = apply_rule_change(low, RuleChange(quality_standard=0.70))
    assert _earned(c, "N") == pytest.approx((0.0, 0.5 * 5e6 * 0.98))


def test_sequestration() -> None:
    rows = _frame(_row("E", "BASIC_E", 0.05, msr_election=0.0), _row("L", "BASIC_E", -0.05, msr_election=0.0))
    c = apply_rule_change(rows, RuleChange(sequestration_factor=1.0))
    assert _earned(c, "E") == pytest.approx((0.5 * 5e6 * 0.98, 0.5 * 5e6))
    assert _earned(c, "L")[0] == _earned(c, "L")[1]  # never applied to losses


def test_totals_identity_and_by_track_sums() -> None:
    rows = _frame(
        _row("A", "BASIC_A", 0.04),
        _row("E", "BASIC_E", -0.05, msr_election=0.01),
        _row("N", "ENHANCED", 0.06, msr_election=0.02),
        _row("M", "ENHANCED", 0.01),
    )
    c = apply_rule_change(rows, RuleChange(max_sharing_rates={"ENHANCED": 0.6}, flat_msr=0.0))
    for scenario in SCENARIOS:
        t = c.totals.loc[scenario]
        assert t["net_savings_to_medicare"] == pytest.approx(
            t["gross_savings"] - t["shared_savings_paid"] + t["losses_collected"]
        )
    assert c.totals.loc["as was", "gross_savings"] == pytest.approx((0.04 - 0.05 + 0.06 + 0.01) * 100e6)
    for metric in ("shared_savings_paid", "losses_collected", "net_savings_to_medicare"):
        assert c.by_track[f"{metric}_after"].sum() == pytest.approx(c.totals.loc["as changed", metric])
    assert c.by_track["track"].tolist() == ["BASIC_A", "BASIC_E", "ENHANCED"]
    top = c.biggest_changes(2)
    assert top["change"].abs().is_monotonic_decreasing
    assert top["change"].abs().iloc[0] == c.per_aco["change"].abs().max()
    assert "net savings" in c.headline()


def test_year_filter_and_database_rows() -> None:
    rows = pd.DataFrame(
        [
            {
                "performance_year": 2023,
                "aco_id": "X",
                "aco_name": "X ACO",
                "track": "ENHANCED",
                "benchmark": 100e6,
                "expenditure": 97e6,
                "assigned_beneficiaries": 20_000,
                "quality_score": 0.9,
                "met_quality_standard": True,
                "cms_minimum_savings_rate": 0.02,
                "cms_earned_savings_losses": 2_205_000.0,
                "cms_benchmark_minus_expenditure": 3e6,
            },
            {
                "performance_year": 2024,
                "aco_id": "Y",
                "aco_name": "Y ACO",
                "track": "ENHANCED",
                "benchmark": 100e6,
                "expenditure": 97e6,
                "assigned_beneficiaries": 20_000,
                "quality_score": 0.9,
                "met_quality_standard": True,
                "cms_minimum_savings_rate": 0.02,
                "cms_earned_savings_losses": 2_205_000.0,
                "cms_benchmark_minus_expenditure": 3e6,
            },
        ]
    )
    c = apply_rule_change(rows, RuleChange(flat_msr=0.0), performance_year=2024)
    assert c.performance_years == (2024,)
    assert c.per_aco["aco_name"].tolist() == ["Y ACO"]
    assert c.per_aco["msr_before"].tolist() == [0.02]  # election read back from the published MSR
    with pytest.raises(ValueError):
        apply_rule_change(rows, RuleChange(), performance_year=2030)


def test_rule_change_validation() -> None:
    with pytest.raises(ValueError, match="one-sided"):
        RuleChange(loss_rates={"BASIC_A": 0.3})
    with pytest.raises(ValueError, match="either"):
        RuleChange(flat_msr=0.01, msr_scale=0.5)
    with pytest.raises(ValueError):
        RuleChange(max_sharing_rates={"ENHANCED": 1.5})
    with pytest.raises(ValueError):
        RuleChange(max_sharing_rates={"NOT_A_TRACK": 0.5})
    with pytest.raises(ValueError):
        RuleChange(sequestration_factor=0.0)
    text = RuleChange(max_sharing_rates={"BASIC_A": 0.5}, msr_scale=0.5, sequestration_factor=1.0).describe()
    assert "BASIC Level A maximum sharing rate 50.0%" in text and "MSR table x 0.5" in text


def test_track_2_loss_limit_takes_effect() -> None:
    # The engine's loss_limit_by_year_in_track: 5% / 7.5% / 10% by year in Track 2 (425.606(g)).
    # q = 0.9 (legacy): r_s = 0.54, r_l = 0.46; a 20% loss owes 0.46 x 20M = 9.2M before the limit.
    def t2(aco_id: str, year_in_track: int) -> dict[str, object]:
        return _row(aco_id, "TRACK_2", -0.20, performance_year=2016 + year_in_track - 1,
                    agreement_start_year=2016.0, msr_election=0.0, met_quality_standard=NAN)

    rows = _frame(t2("Y1", 1), t2("Y2", 2), t2("Y3", 3))
    flat = apply_rule_change(rows, RuleChange(loss_limits={"TRACK_2": 0.01}))
    assert [_earned(flat, a)[0] for a in ("Y1", "Y2", "Y3")] == pytest.approx([-5e6, -7.5e6, -9.2e6])
    assert [_earned(flat, a)[1] for a in ("Y1", "Y2", "Y3")] == pytest.approx([-1e6] * 3)
    assert flat.notes == ()
    schedule = apply_rule_change(rows, RuleChange(loss_limits={"TRACK_2": (0.01, 0.02, 0.03)}))
    assert [_earned(schedule, a)[1] for a in ("Y1", "Y2", "Y3")] == pytest.approx([-1e6, -2e6, -3e6])
    assert "Track 2 loss limit 1.0% / 2.0% / 3.0%" in schedule.change.describe()
    with pytest.raises(ValueError, match="Track 2"):
        RuleChange(loss_limits={"ENHANCED": (0.01, 0.02, 0.03)})


# --- PY2024 as CMS published it (skipped without the files) ----------------------------------


def _num(s: pd.Series) -> pd.Series:
    text = s.astype("string").str.replace(r"[$,%\s]", "", regex=True)
    return pd.to_numeric(text.mask(text.isin(["-", "*", "N/A", "/", ""])), errors="coerce")


def test_py2024_program_totals(cms_dir: Path) -> None:
    d = pd.read_csv(cms_dir / "mssp_puf_py2024.csv", dtype=str, encoding="utf-8-sig")
    tracks = {
        "A": "BASIC_A",
        "B": "BASIC_B",
        "C": "BASIC_C",
        "D": "BASIC_D",
        "E": "BASIC_E",
        "EN": "ENHANCED",
    }
    rows = pd.DataFrame(
        {
            "aco_id": d["ACO_ID"],
            "performance_year": 2024,
            "track": d["Current_Track"].str.strip().map(tracks),
            "benchmark": _num(d["ABtotBnchmk"]),
            "expenditure": _num(d["ABtotExp"]),
            "cms_benchmark_minus_expenditure": _num(d["BnchmkMinExp"]),
            "assigned_beneficiaries": _num(d["N_AB"]),
            "quality_score": _num(d["QualScore"]) / 100,
            "met_quality_standard": _num(d["Met_QPS"]) == 1,
            "met_alternative_quality_standard": _num(d["Met_AltQPS"]) == 1,
            "cms_minimum_savings_rate": _num(d["MinSavPerc"]) / 100,
            "cms_euc_loss_adjustment": _num(d["DisAdj"]),
            "cms_earned_savings_losses": _num(d["EarnSaveLoss"]),
            "current_start_date": d["Current_Start_Date"],
            "revenue_category": d["Rev_Exp_Cat"].str.upper().str.extract(r"(HIGH|LOW)")[0],
        }
    )
    cms = rows["cms_earned_savings_losses"]
    same = apply_rule_change(rows, RuleChange())
    was = same.totals.loc["as was"]
    # The model pays what CMS paid to within 0.01% (2 PY2024 "Guardrail" ACOs CMS did not pay).
    assert was["shared_savings_paid"] == pytest.approx(cms.clip(lower=0).sum(), rel=1e-4)
    assert was["losses_collected"] == pytest.approx(-cms.clip(upper=0).sum(), abs=50)
    assert was["acos"] == 476 and was["acos_owing"] == (cms < 0).sum()
    # No sequestration: every payment / 0.98.
    c = apply_rule_change(rows, RuleChange(sequestration_factor=1.0))
    assert c.totals.loc["as changed", "shared_savings_paid"] == pytest.approx(
        was["shared_savings_paid"] / 0.98
    )
    # A 0% MSR for all: more ACOs paid, Medicare nets less.
    c = apply_rule_change(rows, RuleChange(flat_msr=0.0))
    assert c.totals.loc["change", "acos_paid"] > 0
    assert c.totals.loc["change", "net_savings_to_medicare"] < 0
    assert np.isfinite(c.per_aco["earned_after"]).all()
