"""In a real browser: the hostile links of issue 8 show their text as text, and nothing crashes.

Each link once put a clickable "Sign in" link, bold text or a formula into the app's own warning box,
or crashed its page with a traceback. Now: no link to evil.example, no bold, italic or struck text and
no formula made of the link, no traceback, and the link's text readable in the warning as it was typed.
"""

from __future__ import annotations

import re

import pytest

from ui.text import WORD_JOINER

pytestmark = pytest.mark.browser

EIGHT_THOUSAND_ZEROS = ",".join(["0"] * 8_000)
LINKS = [  # (address after the server's, text the warning must show as typed)
    ("/what_if?q=x%60%20%5BSign%20in%5D(https://evil.example)%20%60", "[Sign in](https://evil.example)"),
    ("/?tracks=[Sign%20in%20again](https://evil.example/login)", "[Sign in again](https://evil.example/"),
    ("/data_sources?a%60%20[Sign%20in](https://evil.example)%20%60b=1", "a` [Sign in](https://evil.e..."),
    ("/explorer?year=x%60%20**BOLD**%20%60", "**BOLD**"),
    ("/explorer?aco=www.evil.example%20phish@evil.example", "www.evil.example phish@evil.example"),
    ("/?years=%24%5Cfrac%7Bevil%7D%7B2%7D%24", "$\\frac{evil}{2}$"),
    ("/risk_election?seed=%3Cb%3EBOLD%3C/b%3E&method=_evil_", "<b>BOLD</b>"),
    ("/what_if?n=inf", "n=inf"),
    ("/what_if?n=1e400&bench=9e999", "n=1e400"),
    (f"/payment_models?model=upfront&src=template&start=2030-12&earned={EIGHT_THOUSAND_ZEROS}",
     "more than 20 performance years"),
]


def _wait_rendered(page) -> None:
    """Until the run is over (generous: a server's first page takes a minute or two on a busy machine)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
    page.locator("h1").first.wait_for(timeout=180_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=180_000,
    )
    page.wait_for_timeout(800)


@pytest.mark.parametrize(("link", "typed"), LINKS, ids=[link[:40] for link, _ in LINKS])
def test_a_hostile_link_is_shown_as_text(server, page, link: str, typed: str) -> None:
    page.goto(server + link)
    _wait_rendered(page)
    assert page.locator('a[href*="evil.example"]').count() == 0
    emphasis = page.locator("strong, em, b, i, del, s")
    assert emphasis.filter(has_text=re.compile("BOLD|evil", re.IGNORECASE)).count() == 0
    assert page.locator(".katex, .katex-display").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    text = page.locator("[data-testid='stMain']").inner_text().replace(WORD_JOINER, "")
    assert "Traceback" not in text and "site-packages" not in text
    alerts = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
    assert typed in alerts.replace(WORD_JOINER, ""), alerts[:500]
