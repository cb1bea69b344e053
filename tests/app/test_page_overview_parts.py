"""Program overview: the part of the page its own controls rerun (an st.fragment: the table's rows, the map's
measure, the year of the quality dots) still writes the whole link and the share box; and the figures and
tables made from arrays (state_map.by_state, overview_charts.quality_points, quality_scatter,
payments_by_track) are exactly what the frame-by-frame pandas code they replaced made."""

from __future__ import annotations

import base64
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aco_model.rules import TRACKS
from data.queries import AcoDatabase
from data.states import STATES
from ui import overview_charts as charts
from ui import state_map
from ui.text import chart_text

PAGE = "overview.py"


def _no_errors(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _share_link(at) -> str:
    """The link the share box shows (its one line of plain text)."""
    return at.text[-1].value


def test_part_controls_write_the_link_and_the_share_box(open_page, demo_db: Path) -> None:
    at = open_page(PAGE, demo_db, years="2018-2021", risk="two")
    _no_errors(at)
    headline = {m.label: m.value for m in at.metric}
    at.segmented_control(key="ov_map").set_value("earned").run()
    at.segmented_control(key="ov_view").set_value("track").run()
    at.selectbox(key="ov_qyear_2018_2021").set_value(2019).run()
    _no_errors(at)
    link = {"years": "2018-2021", "risk": "two", "qyear": "2019", "map": "earned", "view": "track"}
    assert dict(at.query_params) == link
    assert _share_link(at) == "?years=2018-2021&risk=two&qyear=2019&map=earned&view=track"
    assert {m.label: m.value for m in at.metric} == headline  # the filters' numbers did not move
    # The link reopens that view.
    again = open_page(PAGE, demo_db, **link)
    _no_errors(again)
    assert not again.warning
    assert again.segmented_control(key="ov_map").value == "earned"
    assert again.segmented_control(key="ov_view").value == "track"
    assert again.selectbox(key="ov_qyear_2018_2021").value == 2019
    assert "Track" in again.dataframe[0].value.columns

    # Back to the defaults: they leave the link.
    at.segmented_control(key="ov_map").set_value("acos").run()
    at.segmented_control(key="ov_view").set_value("year").run()
    at.selectbox(key="ov_qyear_2018_2021").set_value(2021).run()
    assert dict(at.query_params) == {"years": "2018-2021", "risk": "two"}
    assert _share_link(at) == "?years=2018-2021&risk=two"


# --- the replaced pandas code, as the reference ----------------------------------------------------------
def _by_state_reference(rows: pd.DataFrame, only=()) -> pd.DataFrame:
    states = rows["aco_state"]
    named = states.notna().to_numpy()
    lists = [s.split(",") for s in states[named].astype(str).tolist()]
    which = np.repeat(np.arange(len(lists)), [len(s) for s in lists])
    earned = rows.loc[named, "cms_earned_savings_losses"].astype(float).to_numpy()[which]
    frame = pd.DataFrame({
        "state": [code for codes in lists for code in codes], "acos": 1,
        "assigned_beneficiaries": rows.loc[named, "assigned_beneficiaries"].astype(float).to_numpy()[which],
        "earned_savings_losses": earned, "shared_savings_paid": np.clip(earned, 0, None),
        "losses_owed": np.clip(-earned, 0, None)})
    if only:
        frame = frame[frame["state"].isin(list(only))]
    out = frame.groupby("state", sort=True, as_index=False).sum()
    out["earned_per_beneficiary"] = out["earned_savings_losses"] / out["assigned_beneficiaries"].where(
        out["assigned_beneficiaries"] > 0)
    out["state_name"] = out["state"].map(STATES).fillna(out["state"])
    return out[list(state_map.STATE_COLUMNS)]


def _quality_points_reference(rows: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    out = rows.assign(savings_rate=charts.savings_rate(rows),
                      quality_score=rows["quality_score"].astype(float))
    scored = out.dropna(subset=["savings_rate", "quality_score"])
    order = {t: i for i, t in enumerate(TRACKS)}
    scored = scored.assign(order=scored["track"].map(order)).sort_values(["order", "aco_id"], kind="stable")
    columns = [c for c in charts.SCATTER_COLUMNS if c in scored]
    return scored[columns].reset_index(drop=True), len(out) - len(scored)


def _scatter_traces_reference(points: pd.DataFrame) -> list[tuple[str, list, list, list]]:
    out = []
    for track in charts.track_order(points["track"].dropna().unique()):
        group = points[points["track"] == track]
        text = np.stack([group["aco_id"].map(chart_text), group["aco_name"].fillna("").map(chart_text)],
                        axis=-1)
        out.append((chart_text(charts.label(track)), group["savings_rate"].tolist(),
                    group["quality_score"].tolist(), text.tolist()))
    return out


def _payment_bars_reference(totals: pd.DataFrame) -> list[tuple[str, list, list]]:
    out = []
    for track in charts.track_order(totals["track"].unique()):
        t = totals[totals["track"] == track]
        out.append((track, t["performance_year"].tolist(), t["shared_savings_paid"].tolist()))
        if (t["losses_owed"] > 0).any():
            out.append((track, t["performance_year"].tolist(), (-t["losses_owed"]).tolist()))
    return out


def _choices(db: AcoDatabase, n: int, seed: int):
    """n random choices of the overview: (years, tracks, states, two_sided, revenue)."""
    rng = random.Random(seed)
    years = [int(y) for y in db.query("SELECT DISTINCT performance_year FROM aco_year ORDER BY 1")
             ["performance_year"]]
    tracks = db.query("SELECT DISTINCT track FROM aco_year WHERE track IS NOT NULL")["track"].tolist()
    states = db.published()["states"]
    for _ in range(n):
        a, b = sorted(rng.sample(range(len(years)), 2))
        yield (years[a:b + 1], rng.sample(tracks, rng.randint(1, len(tracks))),
               rng.sample(states, rng.randint(1, 6)) if rng.random() < 0.5 else [],
               rng.choice([None, True, False]), rng.choice([None, "HIGH", "LOW"]))


@pytest.mark.parametrize("data", ["demo_db", "cms_db"])
def test_array_code_equals_the_frame_code(request, data: str) -> None:
    db = AcoDatabase(request.getfixturevalue(data))
    try:
        for years, tracks, states, two_sided, revenue in _choices(db, 25, seed=11):
            narrowing = {"states": states, "two_sided": two_sided, "revenue": revenue}
            rows = db.rows(years, tracks, **narrowing)
            # By state, every number to the last bit (the same pandas sums), filtered or not.
            for only in (tuple(states), ()):
                pd.testing.assert_frame_equal(state_map.by_state(rows, only), _by_state_reference(rows, only),
                                              check_exact=True)
            # A year's rows cut from the chosen years' rows (the page's way) give what that year's own
            # rows give, to the last bit and type.
            year = years[len(years) // 2]
            year_rows = db.rows([year], tracks, **narrowing)
            cut = charts.of_years(rows, [year], charts.QUALITY_INPUTS)
            pd.testing.assert_frame_equal(charts.quality_points(cut)[0], charts.quality_points(year_rows)[0],
                                          check_exact=True)
            year_states = charts.of_years(rows, [year], state_map.INPUTS)
            for only in (tuple(states), ()):
                pd.testing.assert_frame_equal(state_map.by_state(year_states, only),
                                              state_map.by_state(year_rows, only), check_exact=True)
            # Hover text: each row's id and name escaped (each distinct one escaped once).
            assert charts.hover_text(rows["aco_id"], rows["aco_name"]).tolist() == [
                [chart_text(i), chart_text(n)] for i, n in
                zip(rows["aco_id"].tolist(), rows["aco_name"].fillna("").tolist(), strict=True)]
            # Quality dots: the same ACOs, in the same order, the same hover text per track.
            points, unscored = charts.quality_points(cut)
            expected, expected_unscored = _quality_points_reference(year_rows)
            pd.testing.assert_frame_equal(points, expected, check_exact=True)
            assert unscored == expected_unscored
            if len(points):
                traces = charts.quality_scatter(points, year).to_dict()["data"]
                reference = _scatter_traces_reference(points)
                for trace, (name, x, y, text) in zip(traces, reference, strict=True):
                    assert trace["name"] == name
                    assert _numbers(trace["x"]) == x and _numbers(trace["y"]) == y
                    assert np.asarray(trace["customdata"]).tolist() == text
            # Payments: one bar per track (and one below zero for its losses), the same years and dollars.
            totals = charts.with_net(db.program_totals(years, tracks, **narrowing))
            bars = [t for t in charts.payments_by_track(totals).to_dict()["data"] if t["type"] == "bar"]
            reference = _payment_bars_reference(totals)
            assert [(t["legendgroup"], _numbers(t["x"]), _numbers(t["y"])) for t in bars] == reference
    finally:
        db.close()


def _numbers(value) -> list:
    """A trace's array as numbers (plotly's typed arrays, {"dtype", "bdata"}, decoded)."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)
