"""Dollar amounts as a money box shows them and reads them back (ui.formatting.dollars / parse_dollars)."""

import doctest
import re

from hypothesis import example, given
from hypothesis import strategies as st

from ui import formatting
from ui.formatting import DOLLARS_PATTERN, dollars, parse_dollars, read_dollars


def test_doctests():
    assert doctest.testmod(formatting).failed == 0


@given(st.integers(0, 10**13))
def test_whole_cents_read_back_exactly(cents):
    value = float(f"{cents // 100}.{cents % 100:02d}")
    assert parse_dollars(dollars(value)) == value
    assert read_dollars(dollars(value), value, 0, 1e11, name="x") == (value, None) or value > 1e11


@given(st.floats(0, 1e11))
def test_the_box_stands_for_the_exact_amount_until_edited(value):
    assert read_dollars(dollars(value), value, 0, 1e11, name="Benchmark") == (value, None)


@given(st.text(max_size=30))
@example("0\n:")  # a pasted line break once reached the message
def test_any_text_gives_an_amount_or_one_line(text):
    value, problem = read_dollars(text, 5.0, 0, 1e11, name="Benchmark")
    assert problem is None or ("\n" not in problem and value == 5.0)
    # The browser's check (a JavaScript pattern, the same here) lets through only what the server reads.
    if re.match(DOLLARS_PATTERN, text) and "\n" not in text:
        parse_dollars(text)


def test_wide_tables_get_short_headers():
    from ui import widgets

    assert doctest.testmod(widgets).failed == 0
    assert widgets.short_header("Net savings to Medicare (as changed)") == "Net to Medicare"
    assert widgets.short_header("Shared savings paid (as was)") == "Savings paid, was"
