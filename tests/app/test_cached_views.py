"""What the overview and the explorer cache (ui.aco_years, figures and tables keyed by small values) draws
the same as computing afresh: the in-memory ACO-years are the queries' rows, and a page drawn from the
caches (a rerun, another session) shows the same charts, tables and link as the page drawn first."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from data.queries import AcoDatabase, size_band
from ui import aco_years

ORDER = ["performance_year", "aco_id", "six_month_period"]


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(ORDER, kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def database(demo_db: Path):
    found = AcoDatabase(demo_db)
    yield (str(demo_db), os.path.getmtime(demo_db)), found
    found.close()


def test_in_memory_rows_are_the_queries_rows(database) -> None:
    """rows, lineage_rows and peers: the same rows, order and column types as queries.AcoDatabase's."""
    key, found = database
    years, tracks = found.years(), found.tracks()
    states = found.published()["states"]
    choices = [(tuple(years), tuple(tracks), (), None, None),
               (tuple(years[-2:]), tuple(tracks[:2]), (), True, None),
               (tuple(years), tuple(tracks), tuple(states[:2]), None, None),
               (tuple(years[:1]), tuple(tracks), tuple(states[-1:]) + ("ZZ",), False, "HIGH"),
               (tuple(years), ("NO_SUCH_TRACK",), (), None, None)]
    for years_, tracks_, states_, two_sided, revenue in choices:
        want = found.rows(years_, tracks_, states=states_, two_sided=two_sided, revenue=revenue)
        got = aco_years.rows(key, years_, tracks_, states_, two_sided, revenue)
        pd.testing.assert_frame_equal(_ordered(got), _ordered(want))
        assert got["performance_year"].tolist() == want["performance_year"].tolist()
    lineages = found.lineage_index()["lineage_id"].tolist()
    assert lineages
    for lineage in lineages[:: max(1, len(lineages) // 25)] + ["no such lineage"]:
        want = found.lineage_rows(lineage)
        pd.testing.assert_frame_equal(aco_years.lineage_rows(key, lineage), want)
        for _, row in want.iterrows():
            _, low, high = size_band(row["assigned_beneficiaries"])
            year, track = int(row["performance_year"]), row["track"]
            pd.testing.assert_frame_equal(_ordered(aco_years.peers(key, year, track, low, high)),
                                          _ordered(found.peers(year, track, low, high)))


def _drawn(at) -> dict[str, object]:
    """What a page run drew: every chart's JSON, every table's cells, every metric, the link."""
    return {
        "charts": [json.loads(c.proto.spec) for c in at.get("plotly_chart")],
        "tables": [df.value.to_json() for df in at.dataframe],
        "metrics": [(m.label, m.value) for m in at.metric],
        "link": dict(at.query_params),
    }


@pytest.mark.parametrize(("page", "data", "params"), [
    ("overview.py", "demo_db", {}),
    ("overview.py", "demo_db", {"years": "2020-2022", "view": "track", "map": "earned", "risk": "two"}),
    ("explorer.py", "demo_db", {}),
    ("explorer.py", "cms_db", {"aco": "A1026", "year": "2024", "view": "spending", "money": "pmpm"}),
    ("explorer.py", "cms_db", {"aco": "A1026", "year": "2024", "view": "profile", "profile": "quality"}),
    ("explorer.py", "cms_db", {"aco": "A1026", "year": "2023", "view": "benchmark"}),
])
def test_a_page_drawn_from_the_caches_is_the_page_drawn_first(open_page, request, page: str, data: str,
                                                              params: dict[str, str]) -> None:
    db = request.getfixturevalue(data)  # the real CMS files' database where the demo data has no such view
    first = open_page(page, db, **params)
    assert not first.exception
    drawn = _drawn(first)
    assert drawn["charts"] and drawn["tables"]
    again = first.run()  # a rerun with nothing changed: every figure and table from the caches
    assert _drawn(again) == drawn
    other = open_page(page, db, **params)  # another session opening the same link
    assert _drawn(other) == drawn
