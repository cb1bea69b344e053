"""In a real browser: the explorer's controls below its ACO and year (an st.fragment: view, money, the
profile view's) rerun that part alone and still write the whole link; a 12-year ACO's year charts label
their axis with years (plotly once cut them to "20")."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pytest

from tests.e2e.test_browser import _wait_rendered

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ACO_LENS_SHOTS", "/tmp"))  # screenshots to look at, never committed


def _longest_lineage(app_db) -> tuple[str, int]:
    """The latest id and year of the ACO with the most years."""
    with duckdb.connect(str(app_db[0]), read_only=True) as con:
        aco, year = con.execute(
            "SELECT arg_max(aco_id, performance_year), max(performance_year) FROM aco_year "
            "GROUP BY coalesce(lineage_id, 'L-' || aco_id) "
            "ORDER BY count(DISTINCT performance_year) DESC, 1 LIMIT 1").fetchone()
    return str(aco), int(year)


def _choose(page, option: str, param: str) -> None:
    """Click a segmented control's option and wait for the link to carry it."""
    page.locator("[data-testid='stButtonGroup'] button", has_text=option).first.click()
    page.wait_for_function(f"() => location.search.includes({param!r})", timeout=60_000)
    _wait_rendered(page)


def test_fragment_controls_write_the_whole_link(server, page, app_db) -> None:
    aco, year = _longest_lineage(app_db)
    page.goto(f"{server}/explorer?aco={aco}&year={year}")
    _wait_rendered(page)
    _choose(page, "PMPM", "money=pmpm")
    _choose(page, "Spending", "view=spending")
    assert re.search(f"aco={aco}(&|$)", page.url) and f"year={year}" in page.url and "money=pmpm" in page.url
    page.screenshot(path=str(SHOTS / "explorer_spending_pmpm.png"), full_page=True)
    _choose(page, "Beneficiaries, risk and quality", "view=profile")
    _choose(page, "Quality and CAHPS", "profile=quality")
    assert "view=profile" in page.url and "money=pmpm" in page.url and f"aco={aco}" in page.url
    page.screenshot(path=str(SHOTS / "explorer_profile_quality.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
    # The share box (inside the fragment) writes the link as it now stands.
    page.get_by_text("Share this view").click()
    shared = page.locator("[data-testid='stText']").last.inner_text()
    assert "view=profile" in shared and "profile=quality" in shared and "money=pmpm" in shared


def test_year_charts_label_their_ticks_with_years(server, page, app_db) -> None:
    aco, year = _longest_lineage(app_db)
    page.goto(f"{server}/explorer?aco={aco}&year={year}")
    page.wait_for_selector(".js-plotly-plot .xtick text", timeout=120_000)
    page.wait_for_timeout(2_000)  # plotly's first layout pass done
    corridor = page.locator(".js-plotly-plot").first
    ticks = [t.strip() for t in corridor.locator(".xtick text").all_text_contents()]
    corridor.screenshot(path=str(SHOTS / "explorer_corridor.png"))
    assert len(ticks) >= 3 and all(re.fullmatch(r"20\d\d", t) for t in ticks), ticks
