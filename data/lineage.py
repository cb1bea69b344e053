"""Lineages: one identity per organization across 2013-2024, whatever id CMS gave it in a year.

CMS's ids do not follow an ACO across the years: the 2013-2017 files use one (encrypted) id series and
the 2018+ files another, the standardized PY2015-2017 files carry no ids at all
(data/cms_files/aco_ids.py gives their rows the id of an exact same-named ACO of 2013-2014 or a
surrogate "X-" id), and an ACO that leaves and re-enters the program comes back under a new id. So:

1. rows with the same published id are one *identity* (an id persists: no evidence needed); rows whose
   id the build derived from a name (files without ids) are each an identity of their own;
2. identities are chained, earlier to later, when their names agree once normalized (`name_key`:
   case, punctuation, "Inc"/"LLC"/... and "ACO"/"Accountable Care Organization" ignored), their years
   do not overlap, and nothing contradicts it: a first-in-the-MSSP date (`initial_start_date`) that
   differs (unless the later one re-entered the program), or a state named on both sides with none in
   common. Agreement dates and sizes that agree are recorded as evidence;
3. a link is made only when each side is the other's one best candidate (more date evidence, then the
   shorter gap in years). Ties and contradictions are not guessed: they go to the ambiguity table,
   and each side stays its own lineage.

`link(aco_year)` returns the `lineage_id` of every row (the id of the lineage's latest row, prefixed
"L-"), the evidence of every link and the ambiguous cases. Pure pandas: no database, no Streamlit.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from data.cms_files.aco_ids import SURROGATE_PREFIX
from data.schema import LINEAGE_AMBIGUOUS_COLUMNS, LINEAGE_LINK_COLUMNS

LINEAGE_PREFIX = "L-"
# Words that name a legal form or the program, not the organization ("Antelope Valley ACO, Inc" is
# "Antelope Valley ACO" is "Antelope Valley Accountable Care Organization").
_NOISE = frozenset({"inc", "incorporated", "llc", "pllc", "llp", "lp", "lc", "ltd", "pc", "pa", "corp",
                    "corporation", "co", "company", "the", "aco", "acos", "dba"})
_ACO_WORDS = re.compile(r"\baccountable care organi[sz]ations?\b|\ba\s*c\s*o\b")
# (largest ratio of the two sizes, points): sizes are evidence, never a veto; beyond the last, -0.5.
SIMILAR = 0.75  # least `similarity` of two names for a renamed ACO (with a start date in common)
MIN_SHARE_OF_LONGER = 0.4
CLOSE_SPELLING = 0.88  # difflib ratio above which two names are one spelled two ways
_STATE_SEPARATOR = re.compile(r"\s*[,;/]\s*")
SIZE_STEPS: tuple[tuple[float, float], ...] = ((1.15, 0.5), (1.5, 0.25), (2.5, 0.0))


def name_key(name: object) -> str:
    """The name an organization keeps through CMS's spellings of it.

    >>> name_key("Antelope Valley ACO, Inc") == name_key("Antelope Valley ACO") == "antelope valley"
    True
    >>> name_key("St. Mary's Accountable Care Organization, L.L.C.")
    'st marys'
    >>> name_key("Health & Wellness Partners")
    'health and wellness partners'
    >>> name_key("WESTMED Medical Group, P.C."), name_key("The Accountable Care Organization, Ltd.")
    ('westmed medical group', 'the aco ltd')
    """
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return ""
    text = str(name).lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = _ACO_WORDS.sub(" aco ", text)
    # Initials written with dots ("P.C.", "L.L.C.") become one word again.
    text = re.sub(r"\b([a-z]) (?=[a-z]\b)", r"\1", text)
    words = [w for w in text.split() if w not in _NOISE]
    return " ".join(words) or " ".join(text.split())  # a name made only of such words keeps them


@dataclass(frozen=True)
class Lineage:
    """A lineage id per input row (same index), the links made and the cases left apart."""

    lineage_id: pd.Series
    links: pd.DataFrame
    ambiguous: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The evidence tables by their database names (schema.LINEAGE_TABLES)."""
        return {"lineage_link": self.links, "lineage_ambiguous": self.ambiguous}

    def figures(self, aco_year: pd.DataFrame) -> dict[str, int]:
        """What the linkage achieved, in the counts the issue asks for."""
        ids = pd.DataFrame({"aco_id": aco_year["aco_id"].astype(str), "lineage": self.lineage_id,
                            "name": aco_year["aco_name"]}).drop_duplicates()
        ids_per_lineage = ids.groupby("lineage")["aco_id"].nunique()
        surrogate = ids[ids["aco_id"].str.startswith(SURROGATE_PREFIX)].drop_duplicates("aco_id")
        multi = ids.groupby("name").agg(ids=("aco_id", "nunique"), lineages=("lineage", "nunique"))
        multi = multi[multi["ids"] > 1]
        return {
            "acos_by_id": int(ids["aco_id"].nunique()),
            "lineages": int(ids["lineage"].nunique()),
            "surrogate_ids": len(surrogate),
            "surrogate_ids_linked": int((surrogate["lineage"].map(ids_per_lineage) > 1).sum()),
            "multi_id_names": len(multi),
            "multi_id_names_linked": int((multi["lineages"] == 1).sum()),
            "links": len(self.links),
            "name_links": int((self.links["method"] != "same id").sum()),
            "ambiguous_cases": int(self.ambiguous["case"].nunique()) if len(self.ambiguous) else 0,
        }

    def report(self, aco_year: pd.DataFrame) -> list[str]:
        """Lines for the build's output: the figures, then every ambiguous case by name."""
        f = self.figures(aco_year)
        lines = [
            f"lineages: {f['lineages']:,} organizations over {f['acos_by_id']:,} ACO ids "
            f"({f['name_links']:,} links by name); {f['surrogate_ids_linked']} of {f['surrogate_ids']} "
            f"surrogate '{SURROGATE_PREFIX}' ids and {f['multi_id_names_linked']} of {f['multi_id_names']} "
            f"names with several ids linked; {f['ambiguous_cases']} ambiguous case(s) left apart"
        ]
        for case, rows in self.ambiguous.groupby("case", sort=True):
            first = rows.iloc[0]
            pairs = "; ".join(f"PY{r.from_year} {r.from_aco_id} -> PY{r.to_year} {r.to_aco_id}"
                              for r in rows.itertuples())
            lines.append(f"lineage ambiguous #{case}: {first['name_key']!r}: {pairs} ({first['reason']})")
        return lines


LINK_COLUMNS = tuple(c for c, _, _ in LINEAGE_LINK_COLUMNS)
AMBIGUOUS_COLUMNS = tuple(c for c, _, _ in LINEAGE_AMBIGUOUS_COLUMNS)


def _identities(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per identity: its years, names, dates and sizes at either end."""
    ordered = rows.sort_values(["performance_year", "six_month_period"], na_position="first", kind="stable")
    g = ordered.groupby("identity", sort=True)
    return pd.DataFrame({
        "aco_id": g["aco_id"].first(),
        "last_aco_id": g["aco_id"].last(),
        "first_key": g["key"].first(),
        "last_key": g["key"].last(),
        "derived": g["derived"].first(),
        "first_year": g["performance_year"].min(),
        "last_year": g["performance_year"].max(),
        "first_name": g["aco_name"].first(),
        "last_name": g["aco_name"].last(),
        "first_initial": g["initial_start_date"].first(),  # first/last skip the years that omit it
        "last_initial": g["initial_start_date"].last(),
        "first_current": g["current_start_date"].first(),
        "last_current": g["current_start_date"].last(),
        "first_type": g["agreement_type"].first(),
        "first_size": g["assigned_beneficiaries"].first(),
        "last_size": g["assigned_beneficiaries"].last(),
    })


def _states(rows: pd.DataFrame) -> dict[str, frozenset[str]]:
    """The states each identity names (from an `aco_state` column such as "NJ, NY", when there is one)."""
    if "aco_state" not in rows:
        return {}
    named = rows[["identity", "aco_state"]].dropna().drop_duplicates()
    states: dict[str, set[str]] = {}
    pairs = zip(named["identity"].tolist(), named["aco_state"].astype(str).tolist(), strict=True)
    for identity, text in pairs:
        parts = [p for p in _STATE_SEPARATOR.split(text.lower()) if p]
        if parts:
            states.setdefault(identity, set()).update(parts)
    return {i: frozenset(s) for i, s in states.items()}


def _date(value: object) -> str:
    return f"{value:%Y-%m-%d}"


def _size_points(ratio: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Sizes that agree support a link a little; a size that jumps counts against it."""
    points = pd.Series(-0.5, index=ratio.index).where(ratio.notna(), 0.0)
    for limit, value in reversed(SIZE_STEPS):
        points = points.mask(ratio <= limit, value)
    return points, ratio > SIZE_STEPS[-1][0]


def _judge(pairs: pd.DataFrame, states: dict[str, frozenset[str]]) -> pd.DataFrame:
    """Score, evidence and contradiction of chaining each identity `_a` (earlier) to its `_b` (later)."""
    gap = pairs["first_year_b"] - pairs["last_year_a"]
    both_initial = pairs["last_initial_a"].notna() & pairs["first_initial_b"].notna()
    same_initial = both_initial & (pairs["last_initial_a"] == pairs["first_initial_b"])
    reentering = ~same_initial & pairs["first_type_b"].eq("Re-entering")
    same_current = pairs["last_current_a"].notna() & (pairs["last_current_a"] == pairs["first_current_b"])
    sizes = pairs[["last_size_a", "first_size_b"]].astype(float).where(lambda f: f > 0)
    size_points, size_jump = _size_points(sizes.max(axis=1) / sizes.min(axis=1))
    shared = [(states.get(a, frozenset()), states.get(b, frozenset()))
              for a, b in zip(pairs["identity_a"], pairs["identity_b"], strict=True)] if states else []
    common = pd.Series([bool(sa and sb and sa & sb) for sa, sb in shared] or False, index=pairs.index)
    apart_states = pd.Series([bool(sa and sb and not sa & sb) for sa, sb in shared] or False,
                             index=pairs.index)
    score = (2.0 * same_initial + 1.0 * reentering + 1.0 * same_current + 0.5 * common + size_points
             - 0.25 * (gap - 1))
    corroborated = same_initial | reentering | same_current

    day = {c: pairs[c].dt.strftime("%Y-%m-%d").tolist()
           for c in ("last_initial_a", "first_initial_b", "last_current_a")}
    flags = zip(same_initial, reentering, same_current, common, apart_states, both_initial, corroborated,
                size_jump, strict=True)
    texts = zip(pairs["last_name_a"], pairs["first_name_b"], sizes["last_size_a"], sizes["first_size_b"], gap,
                strict=True)
    evidence, conflicts = [], []
    for i, ((same_i, again, same_c, near, far, both, backed, jump), (a_name, b_name, a_size, b_size, g)) in (
            enumerate(zip(flags, texts, strict=True))):
        notes = [f"name {a_name!r} -> {b_name!r}"]
        if same_i:
            notes.append(f"same first MSSP start {day['first_initial_b'][i]}")
        if again:
            notes.append("the later one re-entering the MSSP")
        if same_c:
            notes.append(f"same agreement start {day['last_current_a'][i]}")
        if near:
            notes.append(f"state {', '.join(sorted(shared[i][0] & shared[i][1])).upper()}")
        if a_size == a_size and b_size == b_size:  # not NaN
            notes.append(f"size {int(a_size):,} -> {int(b_size):,}" + (" (large change)" if jump else ""))
        if g > 1:
            notes.append(f"{g - 1} year(s) apart")
        why = None
        if both and not same_i and not again:
            why = (f"first MSSP start {day['last_initial_a'][i]} vs {day['first_initial_b'][i]}, "
                   "not re-entering")
        elif far:
            states_a, states_b = (", ".join(sorted(x)).upper() for x in shared[i])
            why = f"states {states_a} vs {states_b}"
        elif g > 1 and not backed:  # nothing says it is the same ACO coming back
            why = f"{g - 1} year(s) apart with nothing but the name in common"
        evidence.append("; ".join(notes))
        conflicts.append(why)
    return pairs.assign(score=score.round(2), evidence=evidence, conflict=conflicts)


def _sides(pairs: pd.DataFrame, idents: pd.DataFrame) -> pd.DataFrame:
    """Each pair with its earlier identity's columns (suffix _a) and its later one's (_b)."""
    return pairs.join(idents.add_suffix("_a"), on="identity_a").join(idents.add_suffix("_b"), on="identity_b")


def _candidates(rows: pd.DataFrame, idents: pd.DataFrame) -> pd.DataFrame:
    """Every (earlier, later) pair of identities sharing a name key, judged.

    A pair that skips an identity chainable to both (A -> C when A -> B -> C) is dropped: the chain
    through B is the link.
    """
    keys = rows.loc[rows["key"] != "", ["identity", "key"]].drop_duplicates()
    pairs = keys.merge(keys, on="key", suffixes=("_a", "_b"))
    pairs = pairs.drop_duplicates(["identity_a", "identity_b"])
    pairs = _sides(pairs, idents)
    pairs = pairs[pairs["last_year_a"] < pairs["first_year_b"]].reset_index(drop=True)
    pairs = _judge(pairs, _states(rows))
    fine = pairs.loc[pairs["conflict"].isna(), ["identity_a", "identity_b"]]
    via = fine.merge(fine, left_on="identity_b", right_on="identity_a", suffixes=("", "_next"))
    skips = set(zip(via["identity_a"], via["identity_b_next"], strict=True))
    keep = [(a, b) not in skips for a, b in zip(pairs["identity_a"], pairs["identity_b"], strict=True)]
    return pairs[pd.Series(keep, index=pairs.index, dtype=bool)].reset_index(drop=True)


def _choose(candidates: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(links made, pairs left apart with a reason).

    In rounds: a pair is linked when each side is the other's one best open candidate; a side whose
    best candidate was taken by a stronger pair then looks at the rest. What stays tied at the end is
    listed, not guessed, and so is a contradicted pair whose sides found no link elsewhere.
    """
    fine = candidates[candidates["conflict"].isna()]
    earlier, later = fine["identity_a"].tolist(), fine["identity_b"].tolist()
    score = fine["score"].tolist()
    made: list[int] = []  # positions in `fine`, round after round (plain lists: a round is a few loops)
    linked_a: set[str] = set()
    linked_b: set[str] = set()
    while True:
        open_ = [i for i in range(len(fine)) if earlier[i] not in linked_a and later[i] not in linked_b]
        best_next, best_prev = _best(open_, earlier, score), _best(open_, later, score)
        top_next = {i for i in open_ if score[i] == best_next[earlier[i]]}
        top_prev = {i for i in open_ if score[i] == best_prev[later[i]]}
        tops_next = _counts(earlier[i] for i in top_next)
        tops_prev = _counts(later[i] for i in top_prev)
        chosen = [i for i in open_ if i in top_next and i in top_prev
                  and tops_next[earlier[i]] == 1 and tops_prev[later[i]] == 1]
        if not chosen:
            break
        made += chosen
        linked_a.update(earlier[i] for i in chosen)
        linked_b.update(later[i] for i in chosen)
    tied = fine.iloc[[i for i in open_ if (i in top_next and tops_next[earlier[i]] > 1)
                      or (i in top_prev and tops_prev[later[i]] > 1)]]
    contradicted = candidates[candidates["conflict"].notna() & ~candidates["identity_a"].isin(linked_a)
                              & ~candidates["identity_b"].isin(linked_b)]
    apart = pd.concat([tied.assign(reason="several equally likely candidates"),
                       contradicted.assign(reason=[f"same name, but {c}" for c in contradicted["conflict"]])])
    return fine.iloc[made], apart


def _best(rows: list[int], side: list[str], score: list[float]) -> dict[str, float]:
    """The highest score of each identity on `side` among `rows`, NaN skipped (as pandas' max)."""
    best: dict[str, float] = {}
    for i in rows:
        value, key = score[i], side[i]
        current = best.get(key)
        if value != value:
            best.setdefault(key, value)
        elif current is None or current != current or value > current:
            best[key] = value
    return best


def _counts(keys: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return counts


def similarity(a: str, b: str, weight: Mapping[str, float] | None = None) -> float:
    """How alike two name keys are, 0-1: the share of the shorter name's words found in the other,
    each word weighted by how rare it is among all names (`weight`; "health" counts for little,
    "hackensack" for much), or difflib's ratio of the two texts when that is above CLOSE_SPELLING.

    >>> round(similarity("premier physician network", "premier physicians network"), 2)
    0.98
    >>> similarity("ccaco", "coastal carolina")
    0.0
    >>> similarity("hackensack physician hospital alliance", "hackensack alliance")
    1.0
    """
    words_a, words_b = set(a.split()), set(b.split())
    if not words_a or not words_b:
        return 0.0
    near_length = 2 * min(len(a), len(b)) >= CLOSE_SPELLING * (len(a) + len(b))
    if not words_a & words_b and not near_length:  # most pairs: nothing in common at all
        return 0.0
    w = weight or {}
    totals = sorted((sum(w.get(x, 1.0) for x in words_a), sum(w.get(x, 1.0) for x in words_b)))
    shared = sum(w.get(x, 1.0) for x in words_a & words_b)
    # A short name inside a long one counts only when it is a good part of the long one too.
    contained = shared / totals[0] if shared >= MIN_SHARE_OF_LONGER * totals[1] else 0.0
    if contained >= SIMILAR:
        return round(contained, 2)
    if not near_length:  # difflib's upper bound on its ratio, without difflib
        return round(contained, 2)
    spelling = difflib.SequenceMatcher(None, a, b)
    close = spelling.quick_ratio() >= CLOSE_SPELLING and spelling.ratio() >= CLOSE_SPELLING
    return round(max(contained, spelling.ratio() if close else 0.0), 2)


def _word_weights(keys: pd.Series) -> dict[str, float]:
    """log(1 + names / names with the word): rare words say more about who an ACO is."""
    names = keys.drop_duplicates()
    counts = names.str.split().explode().value_counts()
    return {word: math.log1p(len(names) / n) for word, n in counts.items()}


def _renamed_candidates(rows: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Pairs of lineages (so far) where one ends the year before the other starts, under a similar but
    not equal name, with the same first-MSSP or agreement start date: an ACO renamed as it got a new id."""
    ends = _identities(rows.assign(identity=groups))
    # Only a lineage whose first year's dates say it was in the MSSP before can have been renamed.
    began = pd.to_datetime(ends["first_year"].astype(str) + "-01-01")
    earlier = ends["first_initial"].lt(began) | ends["first_current"].lt(began)
    pairs = []
    for date_a, date_b in (("last_initial", "first_initial"), ("last_current", "first_current")):
        left = ends.reset_index()[["identity", "last_year", date_a]].dropna()
        right = ends[earlier].reset_index()[["identity", "first_year", date_b]].dropna()
        left = left.assign(year=left["last_year"] + 1)
        pairs.append(left.merge(right, left_on=["year", date_a], right_on=["first_year", date_b],
                                suffixes=("_a", "_b"))[["identity_a", "identity_b"]])
    pairs = pd.concat(pairs).drop_duplicates()
    pairs = _sides(pairs, ends)
    pairs = pairs[pairs["last_key_a"] != pairs["first_key_b"]]
    weight = _word_weights(rows["key"])
    alike = [similarity(a, b, weight) for a, b in zip(pairs["last_key_a"], pairs["first_key_b"], strict=True)]
    pairs = pairs.assign(key=pairs["last_key_a"], alike=alike)
    pairs = _judge(pairs[pairs["alike"] >= SIMILAR].reset_index(drop=True),
                   _states(rows.assign(identity=groups)))
    pairs["evidence"] = [f"similar names ({a:.2f}); {e}" for a, e in zip(pairs["alike"], pairs["evidence"],
                                                                        strict=True)]
    pairs["score"] = pairs["score"] + pairs["alike"]
    return pairs[pairs["score"] >= 2].reset_index(drop=True)


def _id_links(rows: pd.DataFrame) -> pd.DataFrame:
    """Consecutive years of one identity: the id persists."""
    years = rows[["identity", "performance_year", "aco_id"]].drop_duplicates(["identity", "performance_year"])
    years = years.sort_values(["identity", "performance_year"])
    nxt = years.groupby("identity").shift(-1)
    keep = nxt["performance_year"].notna()
    return pd.DataFrame({
        "from_year": years.loc[keep, "performance_year"].astype(int),
        "from_aco_id": years.loc[keep, "aco_id"],
        "to_year": nxt.loc[keep, "performance_year"].astype(int), "to_aco_id": nxt.loc[keep, "aco_id"],
        "method": "same id", "score": None, "evidence": "id published in both years",
    })


def _union(pairs: list[tuple[object, object]], items: list[object]) -> dict[object, object]:
    parent = {i: i for i in items}

    def root(i: object) -> object:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        parent[root(b)] = root(a)
    return {i: root(i) for i in items}


INPUT_COLUMNS = ("performance_year", "aco_id", "aco_name", "six_month_period", "source_file",
                 "agreement_type", "initial_start_date", "current_start_date", "assigned_beneficiaries")


def input_columns(aco_year: pd.DataFrame) -> list[str]:
    """The columns of `aco_year` that `link` reads (`aco_state` when there is one)."""
    return [*INPUT_COLUMNS, *(["aco_state"] if "aco_state" in aco_year else [])]


def link(aco_year: pd.DataFrame) -> Lineage:
    """Lineage ids for `aco_year`'s rows (same index), the evidence of every link, the ambiguous cases."""
    rows = aco_year[input_columns(aco_year)].copy()
    for column in ("aco_id", "aco_name", "six_month_period", "source_file", "agreement_type"):
        rows[column] = rows[column].astype(object)  # plain strings: Arrow-backed ones iterate slowly
    ids = rows["aco_id"].astype(str)
    # A file with any surrogate id published none: its ids were derived from names, so each of its
    # rows is an identity of its own, chained to the others by name and evidence like any other.
    rows["derived"] = rows["source_file"].isin(rows.loc[ids.str.startswith(SURROGATE_PREFIX), "source_file"])
    # CMS's two id series (2013-17, 2018+) never share an id string, so an id is one identity throughout.
    per_row = rows["performance_year"].astype(str) + "|" + ids
    rows["identity"] = ids.where(~rows["derived"], per_row).astype(object)
    names = rows["aco_name"].drop_duplicates()
    rows["key"] = rows["aco_name"].map(dict(zip(names, names.map(name_key), strict=True)))
    for column in ("initial_start_date", "current_start_date"):
        rows[column] = pd.to_datetime(rows[column])
    idents = _identities(rows)
    made, apart = _choose(_candidates(rows, idents))

    first = _union(list(zip(made["identity_a"], made["identity_b"], strict=True)), list(idents.index))
    renamed, apart_renamed = _choose(_renamed_candidates(rows, rows["identity"].map(first)))
    second = _union(list(zip(renamed["identity_a"], renamed["identity_b"], strict=True)),
                    sorted(set(first.values())))
    groups = {i: second[g] for i, g in first.items()}
    made = pd.concat([made.assign(method="name"), renamed.assign(method="similar name, same start date")])
    apart = pd.concat([apart, apart_renamed])

    latest = idents.assign(group=idents.index.map(groups)).sort_values(["last_year", "aco_id"])
    ends = latest.groupby("group").agg(newest=("aco_id", "last"), first_year=("first_year", "min"))
    # A derived id split between two lineages could end both: the first year tells them apart.
    twice = ends["newest"].duplicated(keep=False)
    ends["lineage"] = LINEAGE_PREFIX + ends["newest"].where(~twice, ends["newest"] + "-"
                                                             + ends["first_year"].astype(str))
    lineage_id = rows["identity"].map(groups).map(ends["lineage"])

    name_links = pd.DataFrame({
        "from_year": made["last_year_a"], "from_aco_id": made["last_aco_id_a"],
        "to_year": made["first_year_b"], "to_aco_id": made["aco_id_b"],
        "method": made["method"], "score": made["score"], "evidence": made["evidence"],
    })
    links = pd.concat([_id_links(rows), name_links], ignore_index=True)
    links = links.sort_values(["from_year", "from_aco_id", "to_year"], kind="stable").reset_index(drop=True)
    return Lineage(lineage_id.rename("lineage_id"), links[list(LINK_COLUMNS)], _ambiguity(apart))


def _ambiguity(apart: pd.DataFrame) -> pd.DataFrame:
    """The pairs left apart, numbered by case (pairs that share an identity are one case)."""
    if apart.empty:
        return pd.DataFrame(columns=list(AMBIGUOUS_COLUMNS))
    apart = apart.drop_duplicates(["identity_a", "identity_b"])
    groups = _union(list(zip(apart["identity_a"], apart["identity_b"], strict=True)),
                    sorted(set(apart["identity_a"]) | set(apart["identity_b"])))
    out = pd.DataFrame({
        "group": apart["identity_a"].map(groups), "name_key": apart["key"],
        "from_year": apart["last_year_a"], "from_aco_id": apart["last_aco_id_a"],
        "from_name": apart["last_name_a"],
        "to_year": apart["first_year_b"], "to_aco_id": apart["aco_id_b"], "to_name": apart["first_name_b"],
        "reason": apart["reason"],
    }).sort_values(["name_key", "from_year", "from_aco_id", "to_year"], kind="stable")
    out["case"] = pd.factorize(out["group"])[0] + 1
    return out[list(AMBIGUOUS_COLUMNS)].reset_index(drop=True)
