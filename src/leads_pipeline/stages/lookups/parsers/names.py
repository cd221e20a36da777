"""Facility names for identity matching: a comparison key and a similarity test.

`names_similar` compares keys with rapidfuzz and needs a score of at least 90. The score is the
better of `token_sort_ratio` (word order ignored, every word counts) and plain `ratio` (a typo
in a word's first letter, `KREATIVE` vs `CREATIVE`, would otherwise move it in the sorted order
and sink the token score). A name that only adds words to the other
(`LA PETITE ACADEMY` vs `LA PETITE ACADEMY - TECH CENTER`) scores below that on purpose:
operators tell their sites apart by such qualifiers. On top of the score, both names must
carry the same site markers (numbers and Roman numerals): `A BAR Z PONDEROSA` and
`A BAR Z PONDEROSA II` are two real Texas centers at two addresses, so they are not similar,
and neither are `ABC Learning Center` and `ABC Learning Center II`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

import pyarrow as pa
from rapidfuzz import fuzz

from leads_pipeline.stages.lookups.parsers._batch import RawValues, lookup_table
from leads_pipeline.stages.lookups.parsers._text import clean, fold_accents, repair, split_dba

DEFAULT_THRESHOLD = 90.0
EMPTY_NAME = "empty_name"

LEGAL_SUFFIXES = frozenset(
    {
        "LLC",
        "INC",
        "INCORPORATED",
        "CORP",
        "CORPORATION",
        "CO",
        "LTD",
        "PLLC",
        "LP",
        "LLP",
    }
)
_FILLER = frozenset({"THE"})
_SPELLINGS = MappingProxyType({"CTR": "CENTER", "CNTR": "CENTER", "CENTRE": "CENTER", "ACAD": "ACADEMY"})
# Compounds written as one word or two; joined so `DAY CARE` meets `DAYCARE`.
_COMPOUNDS = MappingProxyType(
    {
        ("DAY", "CARE"): "DAYCARE",
        ("CHILD", "CARE"): "CHILDCARE",
        ("PRE", "SCHOOL"): "PRESCHOOL",
        ("PRE", "K"): "PREK",
    }
)
_ROMAN_SITE_NUMBERS = frozenset({"II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII"})
_DROP = re.compile(r"[.'’`]")
_SPACE = re.compile(r"[^0-9A-Z]+")


def _join_compounds(words: list[str]) -> list[str]:
    joined: list[str] = []
    for word in words:
        compound = _COMPOUNDS.get((joined[-1], word)) if joined else None
        if compound:
            joined[-1] = compound
        else:
            joined.append(word)
    return joined


def name_key(name: str | None) -> str:
    """Comparison key: `Discovery Gardens Childcare L.L.C.` -> `discovery gardens childcare`.

    Accents folded, upper/lower case ignored, `&` read as AND, apostrophes and periods dropped
    (`L.L.C.` -> `LLC`), other punctuation a space, legal-form words (LLC, INC, CORP, CO, LTD,
    PLLC, LP, ...) and `THE` removed wherever they stand. A name made only of such words keeps
    them. Empty input gives an empty key. A `HOLDER DBA BUSINESS` name is keyed by the business
    it does business as (`BRIGGS, DASHESHIA DBA DEELIGHTFUL LEARNING STATION, LLC` ->
    `deelightful learning station`), the name the other sources know the facility by.
    """
    text = clean(name)
    if text is None:
        return ""
    text = repair(text)
    parts = split_dba(text)
    if parts is not None:
        text = parts[1]
    text = fold_accents(text).upper().replace("&", " AND ")
    words = _SPACE.sub(" ", _DROP.sub("", text)).split()
    words = _join_compounds([_SPELLINGS.get(word, word) for word in words])
    kept = [word for word in words if word not in LEGAL_SUFFIXES and word not in _FILLER]
    return " ".join(kept or words).casefold()


def _site_markers(key: str) -> frozenset[str]:
    return frozenset(
        word for word in key.split() if any(ch.isdigit() for ch in word) or word.upper() in _ROMAN_SITE_NUMBERS
    )


def name_similarity(a: str | None, b: str | None) -> float:
    """0-100 score of two facility names; 0 when either is empty or site markers differ."""
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b or _site_markers(key_a) != _site_markers(key_b):
        return 0.0
    return max(fuzz.token_sort_ratio(key_a, key_b), fuzz.ratio(key_a, key_b))


def names_similar(a: str | None, b: str | None, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """True when two facility names are closely similar (see the module docstring)."""
    return name_similarity(a, b) >= threshold


@dataclass(frozen=True, slots=True)
class NameKey:
    name_key: str | None
    repaired: str | None  # the name, trimmed, with mis-encoded characters repaired; NULL when none were
    problem: str | None


def _key_row(raw: str) -> NameKey:
    text = clean(raw)
    fixed = repair(text) if text is not None else None
    repaired = fixed if fixed != text else None
    key = name_key(raw)
    if key:
        return NameKey(key, repaired, None)
    # Blank is simply missing; punctuation-only text is a rejected value.
    return NameKey(None, repaired, None if text is None else EMPTY_NAME)


def name_keys_table(values: RawValues) -> pa.Table:
    """Lookup table: `raw_value, name_key, repaired, problem` (text), one row per distinct value.

    Staging shows `repaired` as the facility's name when it is set, and reports the raw value
    with the rule `text_repaired`.
    """
    return lookup_table(values, _key_row, ("name_key", "repaired", "problem"))
