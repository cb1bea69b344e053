"""Hostile links on every page (issue 8): seeded, 1,050 links through AppTest on the demo database.

Each link opens one of the seven pages with a few parameters whose values, and sometimes names, hold
markdown, HTML, LaTeX, backticks, odd unicode, NaN, infinities, huge, negative and malformed numbers,
or 16 KB of text, beside unknown parameters and valid values that lead into the pages' other branches.
Every run must end without an exception or a traceback, and no element that Streamlit renders as
markdown (alerts, captions, markdown, headings, metric labels, values and deltas, widget labels, help
and options, expander and tab labels) may hold a link, emphasis, formula or HTML made of the link's
text. The oracle parses each such string (markdown-it: CommonMark, GFM strikethrough, dollar math) and
looks inside every such construct, and in every bare web or mail address GFM would make a link of, for
"evil": every hostile value carries that word and the app never writes it itself.

A page run costs 0.5-2 s (mostly plotly), so links of one page whose parameter names differ share a
run, up to six (`page_runs`), and each test takes a dozen runs; a failure names its links' indexes in
`links()`, which the fixed seed reproduces.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from streamlit.testing.v1 import AppTest

PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"
SEED = 20_260_829
LINKS_PER_PAGE = 150  # x 7 pages = 1,050 links
LINKS_PER_RUN = 6  # links with different parameter names share a page run (one costs 0.5-2 s)
RUNS_PER_TEST = 12
MARK = "evil"

# What each page reads from its link, and values that lead into its other branches.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "overview.py": ("years", "tracks", "view"),
    "explorer.py": ("aco", "year"),
    "what_if.py": ("src", "aco", "year", "track", "msr", "qs", "q", "bench", "bench_pct", "exp", "n", "rev"),
    "risk_election.py": ("src", "aco", "year", "t_year", "t_track", "t_n", "t_bench", "t_rate", "t_q",
                         "draws", "seed", "method", "all_tracks", "max_owe_pct", "owe_over"),
    "program_what_if.py": ("year", "share", "limit", "loss_rate", "loss_limit", "msr", "msr_value", "qps",
                           "seq", "top"),
    "payment_models.py": ("model", "src", "aco", "program", "start", "n", "rate", "earned", "terminate", "py",
                          "arr", "bench", "q", "pbp", "pbp_share", "ffs", "track", "msr"),
    "data_sources.py": (),
}
BRANCHES: dict[str, dict[str, tuple[str, ...]]] = {
    "what_if.py": {"src": ("aco", "template"), "aco": ("DEMO-0003", "A1026")},
    "risk_election.py": {"src": ("aco", "template")},
    "payment_models.py": {"model": ("upfront", "pioneer"), "src": ("aco", "template")},
    "overview.py": {"view": ("track",)},
}
HOSTILE = (
    # markdown
    "**evil**", "__evil__", "_evil_", "*evil*", "~~evil~~", "[Sign in](https://evil.example/login)",
    "[Sign in again](https://evil.example/login)", "x` [Sign in](https://evil.example) `", "``x`` **evil**",
    "![evil](https://evil.example/i.png)", "<https://evil.example>", "https://evil.example/login",
    "www.evil.example", "phish@evil.example", "[evil][1]\n\n[1]: https://evil.example", "# evil",
    "> **evil**", "- **evil**", "1. **evil**", "x\n\n**evil**\n\n", "| a |\n|---|\n| **evil** |",
    ":red[**evil**]", ":material/warning: **evil**", "\\*\\*evil\\*\\*", "**evil** " * 3,
    # HTML
    "<b>evil</b>", "<a href='https://evil.example'>evil</a>", "<script>alert('evil')</script>",
    "<img src=x onerror=alert('evil')>", "&lt;b&gt;evil&lt;/b&gt;", "<!-- evil -->",
    # LaTeX
    "$evil^2$", "$$\\frac{evil}{2}$$", "x $evil$ y $z$", "\\(evil\\)", "$\\href{https://evil.example}{evil}$",
    # backticks and quotes
    "`evil`", "```\nevil\n```", "x` **evil** `", "\"evil\" 'evil' “evil”",
    # unicode
    "évil ‮**evil**", "\u202e**evil**", "evil\x00\x1b[31m", "😈 **evil**", "ｅｖｉｌ **evil**", "\ufeff_evil_",
    "e\u200bvil **evil**", "\u2028**evil**\u2029",
)
NUMBERS = ("nan", "NaN", "-nan", "inf", "-inf", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 400,
           "-" + "9" * 400, "-5", "-1", "-0", "0", "1e-400", "0x10", "1_000", "1,000,000", "$5M", "5%",
           "  7  ", "", " ", "2030-12", "99999-99", "-2024", "2024.5", "1e308", "4.9e-324")


def _huge(rng: random.Random) -> str:
    return rng.choice(["A" * 16_384, "**evil** " * 1_820, "9" * 16_384, ",".join(["0"] * 8_000),
                       "[evil](https://evil.example)" * 585, "$" + "evil" * 4_000 + "$"])


def _hostile_name(rng: random.Random) -> str:
    return rng.choice(["a` [Sign in](https://evil.example) `b", "**evil**", "<b>evil</b>", "$evil$",
                       "x" * 1_024 + "**evil**", "_evil_", "evil`", "\u202e**evil**", "q` **evil** `"])


def links(seed: int = SEED) -> list[tuple[str, dict[str, str]]]:
    """The fuzzed links, the same for a seed: (page file, query parameters)."""
    rng = random.Random(seed)
    out = []
    for page, keys in PARAMETERS.items():
        for _ in range(LINKS_PER_PAGE):
            params: dict[str, str] = {}
            for key, values in BRANCHES.get(page, {}).items():
                if rng.random() < 0.5:
                    params[key] = rng.choice(values)
            for _ in range(rng.randint(1, 4)):
                roll = rng.random()
                key = rng.choice(keys) if keys and roll < 0.75 else (
                    _hostile_name(rng) if roll < 0.9 else f"unknown_{rng.randint(0, 99)}")
                kind = rng.random()
                params[key] = (rng.choice(HOSTILE) if kind < 0.55 else rng.choice(NUMBERS) if kind < 0.93
                               else _huge(rng))
            out.append((page, params))
    return out


# --- the oracle -------------------------------------------------------------------------------------
_MARKDOWN = MarkdownIt("commonmark").enable(["strikethrough", "table"]).use(
    dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
# GFM turns bare addresses in the text into links after escapes are undone (mdast-util-gfm-autolink-literal).
_BARE_LINK = re.compile(r"(https?://|www(?=\.))[-.\w]+|[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.IGNORECASE)
_RENDERED_FIELDS = {"body", "label", "help", "delta", "options", "content", "caption"}
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


def _strings(message: Message, field: str = "") -> Iterator[tuple[str, str]]:
    for f, value in message.ListFields():
        values = value if f.is_repeated else [value]
        for v in values:
            if f.type == FieldDescriptor.TYPE_MESSAGE and isinstance(v, Message):
                yield from _strings(v, f.name)
            elif f.type == FieldDescriptor.TYPE_STRING:
                yield f.name, v


def problems(at: AppTest) -> list[str]:
    """What a viewer must never see on the page `at` ran: exceptions, tracebacks, markup from the link."""
    out = [f"exception: {e.message[:200]}" for e in at.exception]
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if not isinstance(proto, Message):
            continue
        for name, text in _strings(proto, type(proto).__name__):
            if name == "stack_trace" or _NEVER_SHOWN.search(text) and name not in ("spec", "config"):
                out.append(f"{type(proto).__name__}.{name} shows a traceback or path: {text[:120]!r}")
            if name in _RENDERED_FIELDS and MARK in text.lower():
                out += [f"{type(proto).__name__}.{name}: {m}" for m in markup_from_link(text)]
    return out


def test_the_oracle_sees_what_the_app_used_to_render() -> None:
    """The warnings of issue 8 as the app wrote them, and the same text escaped (ui.text.plain)."""
    from ui.text import plain

    for raw in ("Link parameter `q=x` [Sign in](https://evil.example) `` ignored",
                "Link parameter `tracks`: [Sign in again](https://evil.example/login) not in the data",
                "Link parameter `year=x` **evil** `` ignored", "a $evil^2$ b", "see www.evil.example",
                "<b>evil</b>", "~~evil~~", "mail phish@evil.example"):
        assert markup_from_link(raw), raw
    for value in HOSTILE:
        assert not markup_from_link(f"Link parameter “q={plain(value)}” ignored"), value
    assert not markup_from_link("**Synthetic demo data** [docs](https://example.org)")


def page_runs(seed: int = SEED) -> list[tuple[str, list[int], dict[str, str]]]:
    """The links packed into page runs: up to `LINKS_PER_RUN` links of one page whose parameter names
    differ share one run (page, the links' indexes in `links()`, their parameters together)."""
    runs: list[tuple[str, list[int], dict[str, str]]] = []
    for index, (page, params) in enumerate(links(seed)):
        room = (r for r in runs if r[0] == page and len(r[1]) < LINKS_PER_RUN and not set(params) & set(r[2]))
        run = next(room, None)
        if run is None:
            runs.append((page, [index], dict(params)))
        else:
            run[1].append(index)
            run[2].update(params)
    return runs


RUNS = page_runs()


@pytest.mark.parametrize("batch", range(-(-len(RUNS) // RUNS_PER_TEST)))
def test_hostile_links(batch: int, demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACO_LENS_DB", str(demo_db))
    monkeypatch.delenv("ACO_LENS_CMS_DIR", raising=False)
    failures = []
    for page, indexes, params in RUNS[batch * RUNS_PER_TEST:(batch + 1) * RUNS_PER_TEST]:
        at = AppTest.from_file(str(PAGES_DIR / page), default_timeout=120)
        at.query_params.update(params)
        found = problems(at.run())
        if found:
            failures.append(f"links {indexes} on {page} {str(params)[:300]}: {found[:3]}")
    assert not failures, "\n".join(failures)


def test_the_links_cover_every_page() -> None:
    all_links = links()
    assert len(all_links) >= 1_000 and {p for p, _ in all_links} == set(PARAMETERS)
    assert links() == all_links  # seeded: the same links every run
    assert sorted(i for _, indexes, _ in RUNS for i in indexes) == list(range(len(all_links)))
