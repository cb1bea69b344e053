"""US states and territories as CMS writes them in `ACO_State`, normalized to two-letter USPS codes.

CMS published `ACO_State` in PY2014-2021 only: full names in PY2014-2017 ("New Jersey, New York",
the standardized files with a trailing space), codes from PY2018 ("NJ, NY"), several states in one
cell for an ACO whose participants practise in more than one. `aco_year.aco_state` holds the codes
comma-separated in alphabetical order ("NJ,NY"), so the same set of states reads the same every year.
"""

from __future__ import annotations

import functools
import re

# USPS codes of the 50 states, DC and the territories CMS's files name (Puerto Rico, Guam) or could.
STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana",
    "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
    "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
    "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}
_BY_TEXT: dict[str, str] = {
    **{code.lower(): code for code in STATES},
    **{name.lower(): code for code, name in STATES.items()},
    "virgin islands": "VI", "washington dc": "DC", "washington d.c.": "DC", "d.c.": "DC",
}
_SEPARATORS = re.compile(r"[,;/|]")


@functools.lru_cache(maxsize=4096)  # the same few hundred texts every year
def state_codes(text: object) -> tuple[str | None, tuple[str, ...]]:
    """One `ACO_State` cell -> (codes "NJ,NY" in alphabetical order or None, the parts not recognized).

    >>> state_codes("New York,  Pennsylvania"), state_codes("NY, NJ"), state_codes("Florida ")
    (('NY,PA', ()), ('NJ,NY', ()), ('FL', ()))
    >>> state_codes("TX, Atlantis"), state_codes(None), state_codes(" - ")
    (('TX', ('Atlantis',)), (None, ()), (None, ()))
    """
    if text is None or text != text:  # None or NaN
        return None, ()
    codes: set[str] = set()
    unknown: list[str] = []
    for part in _SEPARATORS.split(str(text)):
        cleaned = " ".join(part.split())
        if not cleaned or cleaned in ("-", "*", "N/A", "NA"):
            continue
        code = _BY_TEXT.get(cleaned.lower())
        if code is None:
            unknown.append(cleaned)
        else:
            codes.add(code)
    return (",".join(sorted(codes)) or None), tuple(unknown)
