"""The share link's address (ui.url_state.page_address): Streamlit's st.context.url repaired."""

import doctest

from ui import url_state
from ui.url_state import page_address


def test_doctests():
    assert doctest.testmod(url_state).failed == 0


def test_every_page_keeps_its_own_address():
    """Issue 9 walk: the program what-if's share link read /program_/program_what_if."""
    for page in url_state._page_paths():
        wrong = f"https://lens.example/base/{page}"
        for other in url_state._page_paths():  # what Streamlit gives when it cut `other` off first
            if other != page and page.endswith(other):
                wrong = f"https://lens.example/base/{page.removesuffix(other)}/{page}"
        assert page_address(wrong, page) == f"https://lens.example/base/{page}"
    assert "program_what_if" in url_state._page_paths() and "what_if" in url_state._page_paths()
