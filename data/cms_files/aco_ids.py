"""ACO ids for files whose id column is blank on every row (the standardized PY2015-2017 files).

The 2013-2017 files use CMS's encrypted id series (A67373, ...), stable across those years. When a
file publishes names but no ids, a row gets the id that an ACO of the same name carries in another
loaded file of that series (only when the name is unique in both and, where both publish a state, they
share one: the Florida "Physicians ACO, LLC" of PY2015-2017 is not the Texas A03682 of PY2013-2014),
otherwise a surrogate "X-" id
made from the name (and state, for names shared by several ACOs), the same in every year so that an
ACO can still be followed. Derived ids are counted in the build report.
"""

from __future__ import annotations

import functools
import hashlib
import re

import pandas as pd

LAST_ENCRYPTED_ID_YEAR = 2017
SURROGATE_PREFIX = "X-"


@functools.lru_cache(maxsize=4096)  # the same few thousand names, looked up once per file and year
def name_key(name: object) -> str:
    """Names compared without case, punctuation or spacing ("Primary Partners, LLC " ~ "primary partners")."""
    return re.sub(r"[^a-z0-9]+", " ", str(name).lower()).strip()


def same_series(year_a: int, year_b: int) -> bool:
    """Ids are comparable only within 2013-2017 or within 2018+."""
    return (year_a <= LAST_ENCRYPTED_ID_YEAR) == (year_b <= LAST_ENCRYPTED_ID_YEAR)


def crosswalk(frames: list[pd.DataFrame]) -> dict[str, str]:
    """Unique normalized name -> id over frames with published ids (ambiguous names left out)."""
    ids: dict[str, set[str]] = {}
    for frame in frames:
        for name, aco_id in zip(frame["aco_name"], frame["aco_id"], strict=True):
            if pd.notna(name) and pd.notna(aco_id):
                ids.setdefault(name_key(name), set()).add(str(aco_id))
    return {k: next(iter(v)) for k, v in ids.items() if len(v) == 1}


def id_states(frames: list[pd.DataFrame]) -> dict[str, frozenset[str]]:
    """Id -> every state code it was published with (from `aco_state`, "NJ,NY"), over frames with ids."""
    seen: dict[str, set[str]] = {}
    for frame in frames:
        if "aco_state" not in frame:
            continue
        for aco_id, codes in zip(frame["aco_id"], frame["aco_state"], strict=True):
            if pd.notna(aco_id) and pd.notna(codes):
                seen.setdefault(str(aco_id), set()).update(str(codes).split(","))
    return {k: frozenset(v) for k, v in seen.items()}


def _same_place(codes: object, known: frozenset[str] | None) -> bool:
    """No state on one side proves nothing; two published states must share one."""
    if known is None or not isinstance(codes, str) or not codes:
        return True
    return bool(known & set(codes.split(",")))


def _surrogate(name: str, state: str) -> str:
    digest = hashlib.sha1(f"{name}|{state}".encode()).hexdigest()[:8].upper()
    return SURROGATE_PREFIX + digest


def derive(names: pd.Series, states: pd.Series | None, known: dict[str, str],
           codes: pd.Series | None = None, known_states: dict[str, frozenset[str]] | None = None,
           ) -> tuple[pd.Series, int]:
    """Ids for one file's rows and how many came from the name crosswalk.

    `states` is the file's own state text (it seeds surrogate ids, so they stay the same across builds);
    `codes` the rows' normalized state codes and `known_states` each crosswalk id's, to refuse a match by
    name whose states have none in common.
    """
    keys = names.map(name_key)
    repeated = keys.duplicated(keep=False)
    matched = keys.map(known).astype("string").where(~repeated)
    if codes is not None and known_states:
        place = [pd.isna(m) or _same_place(c, known_states.get(str(m)))
                 for m, c in zip(matched, codes, strict=True)]
        matched = matched.where(pd.Series(place, index=matched.index))
    state_keys = states.map(name_key) if states is not None else pd.Series("", index=names.index)
    surrogate = pd.Series(
        [_surrogate(k, s if r else "") for k, s, r in zip(keys, state_keys, repeated, strict=True)],
        index=names.index,
    )
    ids = matched.fillna(surrogate.astype("string"))
    # Two rows that still collide (same name and state) get a running suffix.
    dup = ids.duplicated(keep=False)
    if dup.any():
        ids[dup] = ids[dup] + "-" + (ids[dup].groupby(ids[dup]).cumcount() + 1).astype("string")
    return ids, int(matched.notna().sum())
