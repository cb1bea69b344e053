"""ui.text: any text made into markdown that shows exactly that text; server paths cut from messages."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.app.markup_oracle import markup_from_link
from ui.formatting import count, money, pct
from ui.text import WORD_JOINER, folder_name, plain, shown, without_paths

MARKDOWN_PIECES = st.sampled_from(["**", "__", "_", "*", "~~", "`", "```", "[", "](", ")", "![", "<", ">",
                                   "$", "$$", "\\", "#", "- ", "1. ", "> ", "|", ":", "@", "&", "&lt;",
                                   "\n", "\n\n", "    ", "https://", "www.", "evil", " ", "!", "=", "-"])


BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _readable(text: str) -> str:
    """What `plain` promises to keep: the text on one line, without control or bidirectional characters."""
    text = re.sub(r"\s+", " ", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cc" and c not in BIDI_CONTROLS)


@given(st.lists(MARKDOWN_PIECES | st.text(max_size=5), max_size=30).map("".join))
@example("x` [Sign in](https://evil.example) `")
@example("[Sign in again](https://evil.example/login)")
@example("a` [Sign in](https://evil.example) `b")
@example("x` **BOLD** ` **evil**")
@example("1. **evil**")
@example("$evil^2$ and \\$evil\\$")
@example("\U0002fa1e \u202e**evil** \x00")
def test_plain_text_renders_as_itself_and_never_as_markup(text: str) -> None:
    markdown = plain(text)
    assert "\n" not in markdown
    assert not markup_from_link(markdown + " evil"), markdown
    assert not markup_from_link(f"Link parameter “q={markdown}” ignored"), markdown
    assert shown(markdown) == _readable(text)


@pytest.mark.parametrize("text", ["https://evil.example/login", "www.evil.example", "phish@evil.example",
                                  ":red[evil]", ":material/warning:"])
def test_bare_addresses_and_shortcodes_are_broken_by_an_invisible_joiner(text: str) -> None:
    assert WORD_JOINER in plain(text) and shown(plain(text)) == text


def test_cut_to_a_limit() -> None:
    assert shown(plain("x" * 100, 40)) == "x" * 37 + "..."


def test_folder_name_and_paths_left_out_of_messages() -> None:
    assert folder_name("/home/someone/shared/data/cms") == "cms"
    assert folder_name("https://data.cms.gov/x.csv") == "https://data.cms.gov/x.csv"
    message = "[Errno 13] Permission denied: '/srv/aco-lens/data/aco.duckdb.tmp-1'"
    assert without_paths(message) == "[Errno 13] Permission denied: 'aco.duckdb.tmp-1'"
    assert "/srv" not in without_paths(f"{message} and /etc/passwd")


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), 1e400, 10**400, -1e400])
def test_formatting_never_raises_on_damaged_numbers(value) -> None:
    assert money(value) == pct(value) == count(value) == "n/a"
    assert money(None) == pct(float("nan")) == count(None) == "-"
