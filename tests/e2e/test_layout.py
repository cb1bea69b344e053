"""In a real browser at 1440 px: labels, metrics and headers read whole, money boxes read as money, and the
printable view (print=1) prints without the sidebar."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Text Streamlit cuts with an ellipsis when it does not fit: widget labels, metric labels/values/notes, tabs,
# button and pill text, multiselect chips.
CUT_TEXT = """() => [...document.querySelectorAll(
    'label, [data-testid=stMetricLabel] *, [data-testid=stMetricValue] *, [data-testid=stMetricDelta] *, '
    + '[role=tab] p, h1, h2, h3, button p, [data-baseweb=tag] span')]
  .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.innerText.slice(0, 60))"""


def _rendered(page) -> None:
    page.locator("h1").first.wait_for(timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')"
                           " && !document.querySelector('[data-testid=stSkeleton]')", timeout=90_000)
    page.wait_for_timeout(1_000)


@pytest.fixture
def wide(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("path", ["", "what_if", "program_what_if", "payment_models", "explorer"])
def test_nothing_is_cut_at_1440(server, wide, path):
    wide.goto(f"{server}/{path}")
    _rendered(wide)
    assert wide.evaluate(CUT_TEXT) == []


def test_money_boxes_read_as_money_and_a_typed_amount_goes_in_the_link(server, wide):
    wide.goto(f"{server}/what_if?src=template&year=2024")
    _rendered(wide)
    box = wide.locator("input[aria-label^='Base benchmark']")
    assert box.input_value() == "$150,000,000"
    box.fill("$1.65B")
    box.press("Enter")
    wide.wait_for_function("() => location.search.includes('bench=1650000000')", timeout=30_000)
    _rendered(wide)
    assert wide.locator("input[aria-label^='Base benchmark']").input_value() == "$1,650,000,000"


def test_printable_view_prints_without_the_sidebar(server, wide):
    wide.goto(f"{server}/what_if?src=template&year=2024&print=1")
    _rendered(wide)
    assert not wide.locator("[data-testid='stSidebar']").is_visible()
    assert wide.get_by_role("tab").count() == 0  # every tab's content shown, one after another
    assert wide.locator("[data-testid='stTable']").count() >= 2
    pdf = wide.pdf(format="Letter")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
