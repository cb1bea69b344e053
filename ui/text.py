"""Text from a link or a data file, shown as the characters it holds: never markdown, HTML or LaTeX.

Streamlit reads markdown in nearly every string it shows: alerts, captions, titles, st.markdown, metric
labels, values and deltas, widget labels and help, tab and expander labels. A link's value, a parameter
name, an ACO name, a file or column name or an error message goes through `plain` before it is put in
one of those, so that a link cannot put a clickable link, bold text or a formula inside the app's own
boxes. Messages are built as plain text (aco_model's and ui.link_params' link warnings are) and made
safe here, where they are rendered.

>>> print(plain("x` [Sign in](https://evil.example) **BOLD** $x$").replace(WORD_JOINER, "+"))
x\\` \\[Sign in\\]\\(https:+//evil.example\\) \\*\\*BOLD\\*\\* \\$x\\$
>>> shown(plain("q=<script> 1. _x_ www.evil.example a@evil.example"))
'q=<script> 1. _x_ www.evil.example a@evil.example'
"""

from __future__ import annotations

import functools
import html
import re

# Read by markdown (CommonMark, GFM, Streamlit's directives and remark-math) anywhere in a line. Other
# ASCII punctuation (. , - ' " / = % ? ;) only counts at the start of a line, handled in `plain`.
_SPECIAL = frozenset("\\`*_{}[]()<>#+!|~$&@")
# Invisible, and no character of a GFM autolink, emoji shortcode or directive name: placed after ":",
# "@" and "www", it stops "https://...", "www.x", "a@b.c", ":smile:" and ":red[...]" being recognised.
# (GFM finds bare links in the text after escapes are undone, so a backslash alone does not stop them.)
WORD_JOINER = "\u2060"
_WWW = re.compile(r"(www)(?=\.)", re.IGNORECASE)
_LIST_START = re.compile(r"^(\s*)(\d+)([.)])")
# Bidirectional overrides and isolates reorder what a reader sees (U+202E turns "fdp.exe" around).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_WHITESPACE = re.compile(r"\s+")
# One str.translate does it all: bidirectional and control characters (Unicode category Cc: U+0000-001F,
# U+007F-009F) dropped, markdown's characters escaped, a word joiner after ":" and "@".
_ESCAPES = {
    **{ord(c): None for c in _BIDI},
    **{code: None for code in (*range(0x20), *range(0x7F, 0xA0))},
    **{ord(c): "\\" + c for c in _SPECIAL},
    ord("@"): "\\@" + WORD_JOINER,
    ord(":"): ":" + WORD_JOINER,
}


def plain(value: object, limit: int | None = None) -> str:
    """`value` as markdown that renders exactly as its text, on one line; cut to `limit` characters.

    Runs of whitespace (line breaks included) become one space and control characters are dropped, so
    no heading, list, quote, table or code block can start inside it.
    """
    text = "" if value is None else str(value)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 3, 1)] + "..."
    # Pages show the same names, labels and messages on every run: remembered, but not a link's 16 KB value.
    return _remembered(text) if len(text) <= _REMEMBERED_LENGTH else _escaped(text)


def _escaped(text: str) -> str:
    """plain of a string (a character-by-character version of this took a third of a text-heavy page's
    CPU)."""
    text = _WHITESPACE.sub(" ", text).translate(_ESCAPES)
    text = _WWW.sub(r"\1" + WORD_JOINER, text)
    # A line starting "1." or "-" / "=" / "." would be a list, a rule or a heading's underline.
    text = _LIST_START.sub(r"\1\2\\\3", text, count=1)
    if text[:1] in ("-", "=", "."):
        text = "\\" + text
    return text


_REMEMBERED_LENGTH = 400
_remembered = functools.lru_cache(maxsize=1 << 14)(_escaped)


def shown(markdown: str) -> str:
    """What a viewer reads of markdown made by `plain` (escapes undone, word joiners dropped).

    For tests and messages that compare the text a page shows.
    """
    return re.sub(r"\\(.)", r"\1", markdown.replace(WORD_JOINER, ""))


def folder_name(origin: object) -> object:
    """Where a file was read from, without the server's path: an absolute folder's last part only.

    >>> folder_name("/srv/app/shared/data/cms"), folder_name("data/demo.py (seed 1)"), folder_name(None)
    ('cms', 'data/demo.py (seed 1)', None)
    """
    if not isinstance(origin, str) or not re.match(r"^([\\/]|[A-Za-z]:[\\/])", origin):
        return origin
    return re.split(r"[\\/]+", origin.rstrip("/\\"))[-1] or "the configured CMS folder"


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/\\])(?:/|[A-Za-z]:\\)(?:[^\s'\"/\\]+[/\\])+([^\s'\"/\\]*)")


def without_paths(message: object) -> str:
    """An error message without the server's folders: every absolute path cut to its last part.

    >>> without_paths("[Errno 20] Not a directory: '/srv/app/data/aco.duckdb' (see https://x.org/a/b)")
    "[Errno 20] Not a directory: 'aco.duckdb' (see https://x.org/a/b)"
    """
    return _ABSOLUTE_PATH.sub(r"\1", str(message))


def chart_text(value: object) -> str:
    """Text for a plotly label, legend entry or hover: its own characters, not plotly's HTML or LaTeX.

    Plotly reads <b>, <i>, <a href=...> and more in every label, and a label between "$" as LaTeX;
    entities it shows as the characters they stand for.

    >>> chart_text("<a href='https://evil.example'>A1</a> $x$")
    '&lt;a href=&#x27;https://evil.example&#x27;&gt;A1&lt;/a&gt; &#36;x&#36;'
    """
    return _chart_text("" if value is None else str(value))


@functools.lru_cache(maxsize=1 << 16)
def _chart_text(text: str) -> str:
    """chart_text of a string, remembered: a chart of every ACO-year escapes thousands of ids and names."""
    return html.escape(text).replace("$", "&#36;")
