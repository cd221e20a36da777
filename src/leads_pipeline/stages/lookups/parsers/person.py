"""People's names from the agencies' contact and licensee cells.

Names are split and proper-cased with `nameparser` (`ANDREA MCDANIEL` -> Andrea McDaniel,
`ERIKA VAN RHYN` -> Erika van Rhyn); names already in mixed case are kept as written. Only
first and last name are kept: middle names, initials, titles and suffixes (Jr.) are dropped.

A cell may name several people. Nevada writes the first names, then the last names in the same
order, joined by `&`, `AND` or commas: `TANIA & NICOLE PINEDA & POBLETE` is Tania Pineda and
Nicole Poblete, `JASMINE & ARGIE, TILLMAN & REYES` is Jasmine Tillman and Argie Reyes. The
first person is the contact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa
from nameparser import HumanName

from leads_pipeline.stages.lookups.parsers._batch import RawValues, lookup_table
from leads_pipeline.stages.lookups.parsers._text import DBA, clean, repair, split_dba
from leads_pipeline.stages.lookups.parsers.names import LEGAL_SUFFIXES

UNPARSED_NAME = "unparsed_name"
UNPARSED_LICENSEE = "unparsed_licensee"

_PEOPLE_SEPARATOR = re.compile(r"\s*[&,/+]\s*|\s+and\s+", re.IGNORECASE)
# Words that make a `LAST, FIRST`-shaped licensee a business rather than a person.
_BUSINESS_WORDS = LEGAL_SUFFIXES | {
    "ACADEMY",
    "CARE",
    "CENTER",
    "CHILDCARE",
    "CHURCH",
    "DAYCARE",
    "HOME",
    "KIDS",
    "LEARNING",
    "MINISTRIES",
    "PRESCHOOL",
    "SCHOOL",
}
_PERSON_WORD = re.compile(r"[^\W\d_][\w'.-]*")


@dataclass(frozen=True, slots=True)
class PersonName:
    first_name: str | None
    last_name: str | None
    title: str | None = None
    problem: str | None = None

    @property
    def full_name(self) -> str | None:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or None


@dataclass(frozen=True, slots=True)
class Contact:
    first_name: str | None
    last_name: str | None
    title: str | None
    operator: str | None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Licensee:
    licensee_name: str | None
    company: str | None
    first_name: str | None
    last_name: str | None
    problem: str | None = None


@lru_cache(maxsize=1 << 17)
def _split_full_name(text: str) -> tuple[str | None, str | None]:
    """First and last name of one person, `FIRST [MIDDLE] LAST [SUFFIX]` or `LAST, FIRST`.

    Cached: the same name recurs across many distinct cells (caregiver cells that differ only in
    their role line, contact cells of several sites), and parsing a name is the slow part.
    """
    name = HumanName(text)
    # force=False: only all-upper or all-lower names are re-cased.
    name.capitalize(force=False)
    return name.first or None, name.last or None


def _grouped_last_name(parts: list[list[str]]) -> list[str] | None:
    """Last name of the first person when first names come before last names."""
    count = len(parts)
    middle = parts[count // 2]
    if count % 2 == 1 and len(middle) > 1:
        # `F1 & F2 L1 & L2`: the middle part holds the last first name and the first last name.
        return middle[1:]
    if len(parts[-1]) > 1 and all(len(part) == 1 for part in parts[:-1]):
        # `F1 & F2 L`: one shared last name.
        return parts[-1][1:]
    if count >= 4 and count % 2 == 0 and all(len(part) == 1 for part in parts):
        # `F1 & F2, L1 & L2`: a separator between the two groups as well.
        return parts[count // 2]
    return None


def _first_person(text: str) -> tuple[str | None, str | None]:
    pieces = [p for p in _PEOPLE_SEPARATOR.split(text) if p.strip()]
    separators = {s.strip().upper() for s in _PEOPLE_SEPARATOR.findall(text)}
    if not pieces:
        return None, None
    if len(pieces) == 1 or (len(pieces) == 2 and separators == {","}):
        # One person; a lone comma is `LAST, FIRST` or `NAME, JR.`.
        return _split_full_name(text)
    parts = [piece.split() for piece in pieces]
    if len(parts[0]) > 1:
        # Full names one after another: `JOHN SMITH & JANE DOE`.
        return _split_full_name(pieces[0])
    last = _grouped_last_name(parts)
    if last is None:
        return _split_full_name(parts[0][0])
    # `LAST, FIRST` keeps a two-word last name (`LIPSKA HALLOCK`) together.
    return _split_full_name(f"{' '.join(last)}, {parts[0][0]}")


def parse_person(raw: str | None) -> PersonName:
    """First person named in a cell: `BETHANY JOHNSON`, `TANIA & NICOLE PINEDA & POBLETE`."""
    text = clean(raw)
    if text is None:
        return PersonName(None, None)
    first, last = _first_person(text)
    problem = UNPARSED_NAME if first is None or last is None else None
    return PersonName(first, last, None, problem)


def parse_caregiver(cell: str | None) -> PersonName:
    """Oklahoma's `Primary Caregiver`: `Elizabeth Hellstrom\\n \\n Primary Caregiver`.

    The first line is the name and the last non-blank line the role (the title). A cell that
    starts with a blank line has no name, only a role.
    """
    if cell is None:
        return PersonName(None, None)
    lines = [line for line in map(clean, cell.splitlines()) if line]
    if not lines:
        return PersonName(None, None)
    starts_blank = clean(cell.splitlines()[0]) is None
    if starts_blank:
        return PersonName(None, None, lines[-1], UNPARSED_NAME)
    title = lines[-1] if len(lines) > 1 else None
    person = parse_person(lines[0])
    return PersonName(person.first_name, person.last_name, title, person.problem)


def _looks_like_person(licensee: str) -> bool:
    """`HELLSTROM, ELIZABETH` yes; `DEVELOPING FOUNDATIONS, LLC` no."""
    if licensee.count(",") != 1:
        return False
    last, first = (part.split() for part in licensee.split(","))
    if not 1 <= len(last) <= 3 or not 1 <= len(first) <= 3:
        return False
    words = [*last, *first]
    if any(word.upper().strip(".") in _BUSINESS_WORDS for word in words):
        return False
    return all(_PERSON_WORD.fullmatch(word) for word in words)


def parse_licensee(company: str | None) -> Licensee:
    """Oklahoma's `Company`: the license holder before ` DBA `, the business after it.

    `BRIGGS, DASHESHIA DBA DEELIGHTFUL LEARNING STATION, LLC` -> licensee `BRIGGS, DASHESHIA`,
    company `DEELIGHTFUL LEARNING STATION, LLC`, person Dasheshia Briggs. Without a DBA both
    are the whole cell. The person split is given only for a `LAST, FIRST` licensee.
    """
    text = clean(company)
    if text is None:
        return Licensee(None, None, None, None)
    text = repair(text)  # counted where the same cell is keyed (facility_names' `repaired`)
    problem = None
    holder, business = text, text
    parts = split_dba(text)
    if parts is not None:
        holder, business = parts
    elif DBA.search(text):
        problem = UNPARSED_LICENSEE
    first, last = _split_full_name(holder) if _looks_like_person(holder) else (None, None)
    return Licensee(holder, business, first, last, problem)


def is_owner(role: str | None) -> bool:
    """True for Nevada's `Owner` role (case and spaces ignored)."""
    return (clean(role) or "").casefold() == "owner"


def parse_contact(name: str | None, role: str | None) -> Contact:
    """Nevada's `Primary Contact Name` and `Primary Contact Role`.

    Title is the role as written; operator is the contact's full name when the role is Owner
    (the first person of the cell, like first and last name).
    """
    person = parse_person(name)
    operator = person.full_name if is_owner(role) else None
    return Contact(person.first_name, person.last_name, clean(role), operator, person.problem)


def people_table(values: RawValues) -> pa.Table:
    """Lookup table for name cells (Nevada `Primary Contact Name`).

    Columns (text): raw_value, first_name, last_name, full_name, problem. The staging model
    takes title from the role column and operator = full_name when the role is Owner.
    """
    return lookup_table(values, parse_person, ("first_name", "last_name", "full_name", "problem"))


def caregivers_table(values: RawValues) -> pa.Table:
    """Lookup table for Oklahoma `Primary Caregiver` cells.

    Columns (text): raw_value, first_name, last_name, title, problem.
    """
    return lookup_table(values, parse_caregiver, ("first_name", "last_name", "title", "problem"))


def licensees_table(values: RawValues) -> pa.Table:
    """Lookup table for Oklahoma `Company` cells.

    Columns (text): raw_value, licensee_name, company, first_name, last_name, problem.
    """
    columns = ("licensee_name", "company", "first_name", "last_name", "problem")
    return lookup_table(values, parse_licensee, columns)
