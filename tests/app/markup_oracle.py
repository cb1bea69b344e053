"""What a viewer must never see, read from an AppTest run: exceptions, tracebacks, server paths, and
markup made of hostile text.

Hostile text (a link's values, a damaged database's names) carries the word "evil", which the app never
writes itself. `problems` walks every element the run produced; each string Streamlit renders as
markdown (alerts, captions, markdown, headings, metric labels, values and deltas, widget labels and
help, radio and segmented-control options, expander and tab labels; not selectbox options, which the
browser shows as plain text) is parsed with markdown-it (CommonMark, GFM strikethrough and
tables, dollar math), and any link, image, emphasis, strikethrough, formula or HTML holding "evil", or
any bare web or mail address GFM would turn into a link, is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from streamlit.testing.v1 import AppTest

MARK = "evil"
_MARKDOWN = MarkdownIt("commonmark").enable(["strikethrough", "table"]).use(
    dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
# GFM turns bare addresses in the text into links after escapes are undone (mdast-util-gfm-autolink-literal).
_BARE_LINK = re.compile(r"(https?://|www(?=\.))[-.\w]+|[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.IGNORECASE)
_RENDERED_FIELDS = {"body", "label", "help", "delta", "caption"}
# Radio and segmented-control options are markdown too; a selectbox's or multiselect's are plain text.
_MARKDOWN_OPTIONS = {"Radio", "ButtonGroup"}
_NEVER_SHOWN = re.compile(r"Traceback \(most recent call last\)|File \"/|site-packages")


def markup_from_link(markdown: str) -> list[str]:
    """The links, emphasis, formulas and HTML in `markdown` that hold the word "evil"."""
    found: list[str] = []

    def visit(tokens, inside: list[str]) -> None:
        for t in tokens:
            target = str(t.attrGet("href") or t.attrGet("src") or "")
            if t.type in ("link_open", "image") and MARK in target.lower():
                found.append(f"{t.type} to {target}")
            if t.type.startswith(("math", "html")) and MARK in t.content.lower():
                found.append(f"{t.type}: {t.content[:60]!r}")
            if t.type == "inline" and MARK in t.content.lower() and any(
                    c.type == "html_inline" for c in t.children or ()):  # <b>evil</b>: "evil" between tags
                found.append(f"HTML around {t.content[:60]!r}")
            if t.type in ("text", "image") and MARK in t.content.lower() and inside:
                found.append(f"{'/'.join(inside)}: {t.content[:60]!r}")
            if t.type == "text":
                found.extend(f"bare link {m.group(0)!r}" for m in _BARE_LINK.finditer(t.content)
                             if MARK in m.group(0).lower())
            kind, _, edge = t.type.rpartition("_")
            if kind in ("em", "strong", "s", "link") and edge == "open":
                inside.append(kind)
            elif kind in ("em", "strong", "s", "link") and edge == "close" and inside:
                inside.pop()
            if t.children:
                visit(t.children, inside)

    visit(_MARKDOWN.parse(markdown), [])
    return found


def _strings(message: Message) -> Iterator[tuple[str, str]]:
    """(field name, text) of every string in a proto message and the messages inside it."""
    for f, value in message.ListFields():
        values = value if f.is_repeated else [value]
        for v in values:
            if f.type == FieldDescriptor.TYPE_MESSAGE and isinstance(v, Message):
                yield from _strings(v)
            elif f.type == FieldDescriptor.TYPE_STRING:
                yield f.name, v


def problems(at: AppTest) -> list[str]:
    """What a viewer must never see on the page `at` ran: exceptions, tracebacks, markup from the link."""
    out = [f"exception: {e.message[:200]}" for e in at.exception]
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if not isinstance(proto, Message):
            continue
        for name, text in _strings(proto):
            if name == "stack_trace" or _NEVER_SHOWN.search(text) and name not in ("spec", "config"):
                out.append(f"{type(proto).__name__}.{name} shows a traceback or path: {text[:120]!r}")
            rendered = name in _RENDERED_FIELDS or (
                name in ("options", "content") and type(proto).__name__ in _MARKDOWN_OPTIONS)
            if rendered and MARK in text.lower():
                out += [f"{type(proto).__name__}.{name}: {m}" for m in markup_from_link(text)]
    return out
