"""Text from a link or a data file, shown as written: never as markdown, HTML or LaTeX."""

from __future__ import annotations

_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|$~:"})


def plain(text: object) -> str:
    """Escape every character markdown, HTML or LaTeX would act on ($250,000 is not a formula).

    >>> plain("[Sign in](https://evil.example) **x** $y$")
    '\\\\[Sign in\\\\]\\\\(https\\\\://evil\\\\.example\\\\) \\\\*\\\\*x\\\\*\\\\* \\\\$y\\\\$'
    """
    return str(text).translate(_MARKDOWN)
