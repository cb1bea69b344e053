"""Hostile links on every page (issue 8): seeded, 1,050 links through AppTest on the demo database.

Each link opens one of the eight pages with a few parameters whose values, and sometimes names, hold
markdown, HTML, LaTeX, backticks, odd unicode, NaN, infinities, huge, negative and malformed numbers,
or 16 KB of text, beside unknown parameters and valid values that lead into the pages' other branches.
Every run must end without an exception or a traceback, and no element that Streamlit renders as
markdown (alerts, captions, markdown, headings, metric labels, values and deltas, widget labels, help
and options, expander and tab labels) may hold a link, emphasis, formula or HTML made of the link's
text (tests/app/markup_oracle.py: every hostile value carries the word "evil", which the app never
writes itself).

A page run costs 0.5-2 s (mostly plotly), so links of one page whose parameter names differ share a
run, up to six (`page_runs`), and each test takes a dozen runs; a failure names its links' indexes in
`links()`, which the fixed seed reproduces.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.markup_oracle import markup_from_link, problems

PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"
SEED = 20_260_829
LINKS_PER_PAGE = 130  # x 8 pages + issue 8's 10 = 1,050 links
LINKS_PER_RUN = 6  # links with different parameter names share a page run (one costs 0.5-2 s)
RUNS_PER_TEST = 12

# What each page reads from its link, and values that lead into its other branches.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "overview.py": ("years", "tracks", "view", "states", "risk", "revenue", "map"),
    "explorer.py": ("aco", "year"),
    "what_if.py": ("src", "aco", "year", "track", "msr", "qs", "q", "bench", "bench_pct", "exp", "n", "rev"),
    "risk_election.py": ("src", "aco", "year", "t_year", "t_track", "t_n", "t_bench", "t_rate", "t_q",
                         "draws", "seed", "method", "all_tracks", "max_owe_pct", "owe_over"),
    "program_what_if.py": ("year", "share", "limit", "loss_rate", "loss_limit", "msr", "msr_value", "qps",
                           "seq", "top"),
    "payment_models.py": ("model", "src", "aco", "program", "start", "n", "rate", "earned", "terminate", "py",
                          "arr", "bench", "q", "pbp", "pbp_share", "ffs", "track", "msr"),
    "data_sources.py": (),
    "glossary.py": ("term", "topic"),
}
BRANCHES: dict[str, dict[str, tuple[str, ...]]] = {
    "what_if.py": {"src": ("aco", "template"), "aco": ("DEMO-0003", "A1026")},
    "risk_election.py": {"src": ("aco", "template")},
    "payment_models.py": {"model": ("upfront", "pioneer"), "src": ("aco", "template")},
    "overview.py": {"view": ("track",), "states": ("NJ,NY", "CA"), "risk": ("one", "two"),
                    "revenue": ("high", "low"), "map": ("earned", "per_beneficiary")},
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


# Issue 8's own findings, first in the list: each crashed a page or rendered the link's text as markup.
FOUND: list[tuple[str, dict[str, str]]] = [
    ("what_if.py", {"q": "x` [Sign in](https://evil.example) `"}),
    ("overview.py", {"tracks": "[Sign in again](https://evil.example/login)"}),
    ("data_sources.py", {"a` [Sign in](https://evil.example) `b": "1"}),
    ("explorer.py", {"year": "x` **evil** `"}),
    *[("what_if.py", {"n": n}) for n in ("inf", "-inf", "Infinity", "1e400", "9" * 400)],
    ("payment_models.py", {"model": "upfront", "src": "template", "start": "2030-12",
                           "earned": ",".join(["0"] * 8_000)}),
]


def links(seed: int = SEED) -> list[tuple[str, dict[str, str]]]:
    """Issue 8's links, then the fuzzed ones, the same for a seed: (page file, query parameters)."""
    rng = random.Random(seed)
    out = list(FOUND)
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
    assert len(all_links) >= 1_000 + len(FOUND) and {p for p, _ in all_links} == set(PARAMETERS)
    assert links() == all_links  # seeded: the same links every run
    assert sorted(i for _, indexes, _ in RUNS for i in indexes) == list(range(len(all_links)))
