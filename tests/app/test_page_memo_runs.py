"""Pages that keep results by their inputs (ui.page_cache.Memo) draw the same page from kept results as
when they compute everything afresh: every element (charts' JSON, tables' data, metrics, text) the same.
Also Memo itself: kept by key, least recently used dropped, exceptions not kept."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ui import page_cache

LINKS = [
    ("what_if.py", {}),
    ("what_if.py", {"src": "template", "year": "2023", "track": "ENHANCED", "q": "61.5"}),
    ("risk_election.py", {"draws": "1000", "seed": "7"}),
    ("risk_election.py", {"src": "template", "t_track": "BASIC_C"}),
    ("program_what_if.py", {"share": "BASIC_E:60", "msr": "flat", "msr_value": "1"}),
    ("program_what_if.py", {}),
    ("payment_models.py", {"model": "upfront"}),
    ("payment_models.py", {"model": "upfront", "src": "template", "program": "AIM", "terminate": "2019-06"}),
    ("payment_models.py", {"model": "pioneer", "py": "4", "rate": "2.5"}),
    ("data_sources.py", {}),
]


def _elements(at: AppTest) -> list[tuple[str, bytes]]:
    """Every element the run drew, as its type and protobuf bytes (a chart's spec, a table's Arrow data)."""
    out = []
    for node in at._tree:  # noqa: SLF001 - the whole tree, blocks and elements in order
        stack = [node]
        while stack:
            item = stack.pop()
            proto = getattr(item, "proto", None)
            if proto is not None and hasattr(proto, "SerializeToString"):
                if item.type == "download_button":  # its file is made on click, under a new name each run
                    out.append((item.type, f"{proto.id} {proto.label}".encode()))
                else:
                    out.append((item.type, proto.SerializeToString(deterministic=True)))
            children = getattr(item, "children", None)
            if children:
                stack.extend(children[k] for k in sorted(children, reverse=True))
    return out


@pytest.mark.parametrize(("page", "params"), LINKS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(LINKS)])
def test_kept_results_draw_the_same_page(open_page, demo_db, page, params):
    page_cache.clear_memos()
    fresh = open_page(page, demo_db, **params)
    assert not fresh.exception, [e.message for e in fresh.exception]
    kept = open_page(page, demo_db, **params)
    assert not kept.exception
    drawn, again = _elements(fresh), _elements(kept)
    assert len(drawn) > 10
    assert [t for t, _ in again] == [t for t, _ in drawn]
    assert again == drawn


def test_memo_keeps_by_key_drops_the_oldest_and_never_keeps_a_failure():
    calls = []

    def square(x):
        calls.append(x)
        if x < 0:
            raise ValueError("negative")
        return x * x

    kept = page_cache.Memo(square, 2, key=lambda x: abs(x) if x >= 0 else x)
    assert kept(3) == 9 and kept(3) == 9 and calls == [3]
    kept(4)
    kept(5)  # 3 dropped: two entries at most
    assert kept(3) == 9 and calls == [3, 4, 5, 3]
    for _ in range(2):
        with pytest.raises(ValueError):
            kept(-1)
    assert calls.count(-1) == 2
    page_cache.clear_memos()
    kept(3)
    assert calls[-1] == 3 and len(calls) == 7
