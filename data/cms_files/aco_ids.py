"""ACO ids for files whose id column is blank on every row (the standardized PY2015-2017 files).

The 2013-2017 files use CMS's encrypted id series (A67373, ...), stable across those years. When a
file publishes names but no ids, a row gets the id that an ACO of the same name carries in another
loaded file of that series (only when the name is unique in both), otherwise a surrogate "X-" id
made from the name (and state, for names shared by several ACOs), the same in every year so that an
ACO can still be followed. Derived ids are counted in the build report.
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd

LAST_ENCRYPTED_ID_YEAR = 2017
SURROGATE_PREFIX = "X-"


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


def _surrogate(name: str, state: str) -> str:
    digest = hashlib.sha1(f"{name}|{state}".encode()).hexdigest()[:8].upper()
    return SURROGATE_PREFIX + digest


def derive(names: pd.Series, states: pd.Series | None, known: dict[str, str]) -> tuple[pd.Series, int]:
    """Ids for one file's rows and how many came from the name crosswalk."""
    keys = names.map(name_key)
    repeated = keys.duplicated(keep=False)
    matched = keys.map(known).astype("string").where(~repeated)
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
