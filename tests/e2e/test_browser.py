"""In a real browser: a shared what-if link shows the same settlement and its charts; every page renders."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from aco_model.inputs import from_aco_year_row
from aco_model.scenario import scenario_from
from ui.formatting import money

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"

PAGES = ["overview", "explorer", "what_if", "risk_election", "program_what_if", "payment_models",
         "data_sources", "glossary"]


def _wait_rendered(page) -> None:
    """Until the script run is over: no running indicator and no placeholder skeletons left."""
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    page.locator("h1").first.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=60_000,
    )
    page.wait_for_timeout(1_000)


def _first_aco_year(app_db):
    import duckdb

    with duckdb.connect(str(app_db[0]), read_only=True) as con:
        rows = con.execute("SELECT * FROM aco_year WHERE aco_id = 'A1026' AND performance_year = 2024").df()
        if rows.empty:  # the demo data set: its latest ACO-year
            rows = con.execute("SELECT * FROM aco_year ORDER BY performance_year DESC, aco_id LIMIT 1").df()
    return rows.iloc[0]


def test_shared_what_if_link_reopens_the_scenario(server, page, app_db):
    row = _first_aco_year(app_db)
    aco, year = row["aco_id"], int(row["performance_year"])
    link = f"{server}/what_if?aco={aco}&year={year}&track=ENHANCED&msr=2&qs=met&q=85&bench_pct=-1"
    page.goto(link)
    _wait_rendered(page)
    page.get_by_text("Payment to the ACO").or_(page.get_by_text("Bill to the ACO")).first.wait_for()
    base = scenario_from(from_aco_year_row(row.to_dict()))
    expected = replace(base, track="ENHANCED", msr_election=0.02, quality_standard="met", quality_score=0.85,
                       benchmark_change=-0.01).settle()
    metric = page.locator("[data-testid='stMetric']").first
    assert money(expected.earned) in metric.inner_text()
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    assert page.locator(".js-plotly-plot .main-svg").count() > 0
    assert "track=ENHANCED" in page.url and "q=85" in page.url
    # The server's first session (this test runs first) goes through app.py like any other.
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator("[data-testid='stSidebarNav']").get_by_text("Risk election").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "shared_what_if_link.png"), full_page=True)

    # The share box gives the whole link, and opening it shows the same scenario.
    page.get_by_text("Share this scenario").click()
    shared = page.locator("[data-testid='stText']").last.inner_text().strip()
    assert shared.startswith(f"{server}/what_if?") and "track=ENHANCED" in shared and "q=85" in shared
    for tab, name in (("Payment curve", "what_if_curve"), ("Every track", "what_if_tracks")):
        page.get_by_role("tab", name=tab).click()  # drawn when opened: the views' fragment reruns
        page.locator(".js-plotly-plot:visible").first.wait_for(timeout=30_000)
        page.wait_for_timeout(800)
        assert page.locator(".js-plotly-plot:visible").count() >= 1
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    fresh = page.context.browser.new_context(viewport={"width": 1400, "height": 2200}).new_page()
    try:
        fresh.goto(shared)
        _wait_rendered(fresh)
        assert money(expected.earned) in fresh.locator("[data-testid='stMetric']").first.inner_text()
    finally:
        fresh.context.close()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_without_error(server, page, name):
    page.goto(f"{server}/{'' if name == 'overview' else name}")  # the default page lives at /
    _wait_rendered(page)
    page.locator("h1").first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("Page not found").count() == 0
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
