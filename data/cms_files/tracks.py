"""Each ACO-year's track as one of `schema.TRACKS`, from whatever the year's file says.

Sources, tried in order for each row until one answers:
1. `Current_Track` codes (2022+): A-E -> BASIC_A..E, EN -> ENHANCED;
2. one-hot `Current_Track_*` / `Current_BASIC_*` / `Current_ENHANCED` flags (2016-2021);
3. `Track1` / `Track2` flags (2014-15; PY2013 has only "Track 2 ACO": 0 means Track 1);
4. for files that carry none of these (the standardized PY2015 file has them blank), the sharing
   rates: before Track 1+ existed (PY2018) the maximum sharing rate identifies the track
   (0.5 Track 1, 0.6 Track 2, 0.75 Track 3), read from QualPerfShare / MaxShareRate or as
   FinalShareRate / QualScore; an ACO with no sharing rate (failed quality) is Track 1 when its MSR
   is a variable one, which only Track 1 had.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from data.cms_files.cms_columns import ColumnIndex
from data.cms_files.parsing import parse_bool, true_cells
from data.schema import TRACKS

CODES: dict[str, str] = {
    "A": "BASIC_A", "B": "BASIC_B", "C": "BASIC_C", "D": "BASIC_D", "E": "BASIC_E", "EN": "ENHANCED",
    "ENHANCED": "ENHANCED", "1": "TRACK_1", "2": "TRACK_2", "3": "TRACK_3", "1+": "TRACK_1_PLUS",
    **{t: t for t in TRACKS},
}
FLAGS: dict[str, str] = {
    "Current_Track_1": "TRACK_1", "Current_Track_2": "TRACK_2", "Current_Track_3": "TRACK_3",
    "Current_Track_1_Plus": "TRACK_1_PLUS", "Current_BASIC_A": "BASIC_A", "Current_BASIC_B": "BASIC_B",
    "Current_BASIC_C": "BASIC_C", "Current_BASIC_D": "BASIC_D", "Current_BASIC_E": "BASIC_E",
    "Current_ENHANCED": "ENHANCED",
}
TWO_SIDED_TRACKS: frozenset[str] = frozenset(
    {"TRACK_1_PLUS", "TRACK_2", "TRACK_3", "BASIC_C", "BASIC_D", "BASIC_E", "ENHANCED"}
)
_MAX_RATE_TRACKS = ((0.5, "TRACK_1"), (0.6, "TRACK_2"), (0.75, "TRACK_3"))
TRACK_1_PLUS_FROM = 2018
FROM_RATES = "sharing rates (no track columns)"


def _code_key(value: str) -> str:
    text = value.strip().upper().replace("LEVEL", "").replace("BASIC", "").strip(" _-")
    return text.replace("TRACK", "").strip(" _-") if text.startswith("TRACK") else text


def from_codes(raw: pd.DataFrame, index: ColumnIndex) -> pd.Series:
    """Tracks from a `Current_Track` code column, NA where absent or unrecognized."""
    column = index.find("Current_Track")
    if column is None:
        return pd.Series(pd.NA, index=raw.index, dtype="string")
    codes, cells = pd.factorize(raw[column].to_numpy(dtype=object))  # a handful of codes: each read once
    tracks = [CODES.get(_code_key(str(cell))) for cell in cells.tolist()] + [CODES.get(_code_key(""))]
    return pd.Series(np.array(tracks, dtype=object)[codes], index=raw.index, dtype="string")


def from_flags(raw: pd.DataFrame, index: ColumnIndex) -> pd.Series:
    """Tracks from one-hot flags; a row with no flag or several flags set stays NA."""
    hits = {track: true_cells(raw[c]) for name, track in FLAGS.items() if (c := index.find(name)) is not None}
    result = pd.Series(pd.NA, index=raw.index, dtype="string")
    if not hits:
        return result
    matrix = np.column_stack(list(hits.values()))
    single = matrix.sum(axis=1) == 1
    names = np.array(list(hits))
    result[single] = names[matrix[single].argmax(axis=1)]
    return result


def from_track_1_2(raw: pd.DataFrame, index: ColumnIndex) -> pd.Series:
    """Tracks from the 2013-15 Track1/Track2 flags (Track 2 wins; no Track1 column means Track 1)."""
    t1, t2 = index.find("Track1"), index.find("Track2")
    result = pd.Series(pd.NA, index=raw.index, dtype="string")
    if t2 is None:
        return result
    two = parse_bool(raw[t2]).values
    one = parse_bool(raw[t1]).values if t1 else (~two).astype("boolean")
    result[two.fillna(False).to_numpy(bool)] = "TRACK_2"
    result[(one.fillna(False) & ~two.fillna(False)).to_numpy(bool)] = "TRACK_1"
    return result


def from_rates(norm: pd.DataFrame, year: int) -> pd.Series:
    """Tracks implied by the sharing rates; only before Track 1+ (which shared at 0.5 like Track 1)."""
    result = pd.Series(pd.NA, index=norm.index, dtype="string")
    if year >= TRACK_1_PLUS_FROM:
        return result
    quality = norm["quality_score"].where(~norm["pay_for_reporting"].fillna(False).astype(bool), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = norm["cms_final_sharing_rate"] / quality.where(quality > 0)
    max_rate = norm["cms_max_sharing_rate"].fillna(implied)
    for rate, track in _MAX_RATE_TRACKS:
        result[((max_rate - rate).abs() < 0.02).fillna(False)] = track
    msr = norm["cms_minimum_savings_rate"]
    variable_msr = ((msr - 0.02).abs() > 1e-6).fillna(False) & (norm["cms_final_sharing_rate"] == 0)
    result[result.isna() & variable_msr] = "TRACK_1"
    return result


def resolve(raw: pd.DataFrame, index: ColumnIndex, norm: pd.DataFrame, year: int) -> tuple[pd.Series, str]:
    """The canonical track per row (NA where nothing answers) and which source answered most rows.

    The series' `attrs["inferred"]` marks the rows answered by the sharing rates, outcome columns
    (FinalShareRate): the model's fidelity check does not count those as public inputs.
    """
    track = np.full(len(raw), None, dtype=object)  # plain arrays: setting parts of a string Series is slow
    todo = np.ones(len(raw), dtype=bool)
    inferred = np.zeros(len(raw), dtype=bool)
    used = []
    for label, source in (
        ("Current_Track codes", lambda: from_codes(raw, index)),
        ("track flags", lambda: from_flags(raw, index)),
        ("Track1/Track2 flags", lambda: from_track_1_2(raw, index)),
        (FROM_RATES, lambda: from_rates(norm, year)),
    ):
        if not todo.any():
            break
        found = source()
        fill = todo & found.notna().to_numpy()
        if fill.any():
            used.append(label)
            track[fill] = found.to_numpy(dtype=object)[fill]
            todo &= ~fill
            inferred |= fill & (label == FROM_RATES)
    result = pd.Series(track, index=raw.index, dtype="string")
    result.attrs["inferred"] = pd.Series(inferred, index=raw.index)
    return result, ", ".join(used)


def two_sided(track: pd.Series, risk_model: pd.Series | None) -> pd.Series:
    """Risk_Model ("One-Sided" / "Two-Sided") where published, else what the track implies."""
    unknown = track.isna().to_numpy()
    names = track.to_numpy(dtype=object, na_value=None)
    implied = np.array([t in TWO_SIDED_TRACKS for t in names], dtype=bool)
    if risk_model is None:
        return pd.Series(pd.arrays.BooleanArray(implied, unknown), index=track.index)
    codes, published = pd.factorize(risk_model.astype("string"))  # a few distinct texts: each read once
    letters = np.array([re.sub(r"[^A-Z]", "", str(text).upper()) for text in published] + [""], dtype=object)
    text = letters[codes]
    two, one = text == "TWOSIDED", text == "ONESIDED"
    value = np.where(two, True, np.where(one, False, implied))
    return pd.Series(pd.arrays.BooleanArray(value, ~(two | one) & unknown), index=track.index)
