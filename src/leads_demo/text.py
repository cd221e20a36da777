"""How values are written: phones, dates, streets, units and name case."""

from __future__ import annotations

from datetime import date

import numpy as np

from leads_demo import pools

# Phone styles seen in agency and CRM files.
DASHED, PARENS, DOTTED, LEADING_ONE, DOTTED_EXT, DIGITS, SPACED = range(7)
PHONE_JUNK = ("N/A", "NONE", "000-000-0000", "TBD", "0", "n/a")


_LINE = [f"{n:04d}" for n in range(10_000)]


def _styled(style: int, a: list[int], e: list[int], ln: list[str], x: list[int]) -> list[str]:
    if style == DASHED:
        return [f"{p}-{q}-{r}" for p, q, r in zip(a, e, ln)]
    if style == PARENS:
        return [f"({p}) {q}-{r}" for p, q, r in zip(a, e, ln)]
    if style == DOTTED:
        return [f"{p}.{q}.{r}" for p, q, r in zip(a, e, ln)]
    if style == LEADING_ONE:
        return [f"1-{p}-{q}-{r}" for p, q, r in zip(a, e, ln)]
    if style == DOTTED_EXT:
        return [f"{p}.{q}.{r} ext {t}" for p, q, r, t in zip(a, e, ln, x)]
    if style == DIGITS:
        return [f"{p}{q}{r}" for p, q, r in zip(a, e, ln)]
    return [f"{p} {q} {r}" for p, q, r in zip(a, e, ln)]


def phones(numbers: np.ndarray, styles: np.ndarray | int, ext: np.ndarray | None = None) -> list[str]:
    """Render 10-digit numbers; `styles` is one style or one per number."""
    if isinstance(styles, int):
        styles = np.full(len(numbers), styles)
    ext = ext if ext is not None else np.zeros(len(numbers), dtype=np.int64)
    out: list[str] = [""] * len(numbers)
    for style in np.unique(styles).tolist():
        rows = np.flatnonzero(styles == style)
        n = numbers[rows]
        line = [_LINE[i] for i in (n % 10_000).tolist()]
        made = _styled(
            style,
            (n // 10_000_000).tolist(),
            (n // 10_000 % 1000).tolist(),
            line,
            ext[rows].tolist(),
        )
        if len(rows) == len(numbers):
            return made
        for i, value in zip(rows.tolist(), made):
            out[i] = value
    return out


# --- dates: lookup tables, one string per day ---------------------------------------------

_DAY0 = date(1980, 1, 1).toordinal()
_DAYS = date(2045, 12, 31).toordinal() - _DAY0 + 1
_MDY_SHORT: list[str] | None = None
_ISO: list[str] | None = None

IMPOSSIBLE_DATES = (
    "2/30/21",
    "2/31/19",
    "4/31/22",
    "6/31/20",
    "9/31/18",
    "11/31/17",
    "2/29/23",
    "2/30/98",
)


def _tables() -> tuple[list[str], list[str]]:
    global _MDY_SHORT, _ISO
    if _MDY_SHORT is None or _ISO is None:
        days = [date.fromordinal(_DAY0 + i) for i in range(_DAYS)]
        _MDY_SHORT = [f"{d.month}/{d.day}/{d.year % 100:02d}" for d in days]
        _ISO = [d.isoformat() for d in days]
    return _MDY_SHORT, _ISO


def mdy(ordinals: np.ndarray) -> list[str]:
    """M/D/YY, the agencies' style (no zero padding on month and day)."""
    table = _tables()[0]
    return [table[i] for i in (ordinals - _DAY0).tolist()]


def iso(ordinals: np.ndarray) -> list[str]:
    table = _tables()[1]
    return [table[i] for i in (ordinals - _DAY0).tolist()]


_MONTH_ENDS: dict[int, str] = {}


def month_end_mdy(month_index: int) -> str:
    """M/D/YY of the last day of a month given as year * 12 + month - 1."""
    text = _MONTH_ENDS.get(month_index)
    if text is None:
        year, month = divmod(month_index + 1, 12)
        last = date(year, month + 1, 1).toordinal() - 1
        text = _MONTH_ENDS[month_index] = _tables()[0][last - _DAY0]
    return text


# --- streets --------------------------------------------------------------------------------

ABBR, ABBR_DOT, FULL = 0, 1, 2
_NAMES_UPPER = [n.upper() for n in pools.STREET_NAMES]
_BASE = len(pools.STREET_NAMES)


def ordinal(n: int) -> str:
    suffix = "TH" if 10 <= n % 100 <= 20 else {1: "ST", 2: "ND", 3: "RD"}.get(n % 10, "TH")
    return f"{n}{suffix}"


def street_name(index: int, state: int) -> str:
    if index < _BASE:
        return _NAMES_UPPER[index]
    k = index - _BASE
    if state == 2:  # Texas farm-to-market roads
        return f"FM {100 + (k * 13) % 2900}"
    return ordinal(k + 1)


def _directional(full: str, abbr: str) -> tuple[str, str, str]:
    return (f"{abbr} ", f"{abbr}. ", f"{full} ")


def _street_type(full: str, abbr: str) -> tuple[str, str, str]:
    return (f" {abbr}", f" {abbr}." if abbr != full else f" {abbr}", f" {full}")


# Lookup tables indexed by (code + 1, style): index 0 means "none".
DIRECTIONAL_TEXT = [("", "", "")] + [_directional(f, a) for f, a in pools.DIRECTIONALS]
TYPE_TEXT = [("", "", "")] + [_street_type(f, a) for f, a in pools.STREET_TYPES]
STREET_TEXT = [[street_name(i, state) for i in range(len(pools.STREET_NAMES) + 200)] for state in range(3)]


def street_line(
    number: int,
    predir: int,
    street: int,
    stype: int,
    state: int,
    type_style: int,
    dir_style: int,
) -> str:
    directional = DIRECTIONAL_TEXT[predir + 1][dir_style]
    return f"{number} {directional}{STREET_TEXT[state][street]}{TYPE_TEXT[stype + 1][type_style]}"


def typo(name: str) -> str:
    """Drop the first inner vowel of the longest word (BLOSSOM -> BLSSOM); "" if none."""
    words = name.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    for i in range(1, len(word) - 1):
        if word[i] in "AEIOU":
            words[longest] = word[:i] + word[i + 1 :]
            return " ".join(words)
    return ""


def unit_text(unit_type: int, value: str, variant: int) -> str:
    """STE 160 / SUITE 160 / # 12 / UNIT B; `variant` picks the spelling of a suite."""
    if unit_type < 0:
        return ""
    word = pools.UNIT_TYPES[unit_type]
    if word == "STE" and variant == 1:
        word = "SUITE"
    elif word == "SUITE" and variant == 1:
        word = "STE"
    return f"{word} {value}"


def updated_unit(version: int, salt: int) -> str:
    """The suite number after `version` changes.

    Consecutive versions always differ, and never equal a first unit (those stay below 400).
    """
    return str(100 * (4 + (version - 1) % 4) + 10 + salt % 90)


# --- names ----------------------------------------------------------------------------------

LEGAL_FORMS = {
    # canonical suffix -> spellings an agency may use
    "LLC": (" LLC", ", LLC", " L.L.C.", " ,LLC"),
    "INC": (", INC.", " INC", " INC."),
    "CORP": (" CORP.", " CORP", ", CORP."),
    "L.L.C.": (" L.L.C.", " LLC", ", L.L.C."),
}
LEGAL_FORMS_MIXED = {
    "LLC": (" LLC", ", LLC", " L.L.C.", " Llc"),
    "INC": (", Inc.", " Inc", " Inc."),
    "CORP": (" Corp.", " Corp", ", Corp."),
    "L.L.C.": (" L.L.C.", " LLC", ", L.L.C."),
}
