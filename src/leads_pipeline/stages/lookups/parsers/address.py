"""US street addresses: split one-line addresses, split units off street lines, build match keys.

Spelling: address1, address2 and city keep the agency's characters, trimmed and single-spaced.
Only separators are dropped: a trailing comma or semicolon ends a component and is not part of
it (`8889 S. EASTERN AVE., STE 160` gives address1 `8889 S. EASTERN AVE.`, keeping the period
of the abbreviation). City and state are upper-cased, as the contract asks.

Units: whatever `usaddress` tags as an occupancy or sub-address (`STE 160`, `BLDG A`, `# 5`,
and a bare identifier after the street such as Texas' `3502 SLIDE RD A25` -> `A25`) is address2.
Route numbers stay in the street (`401 FM 685`, `HWY 6`, `COUNTY ROAD 12`): the tagger reads
them as street names, not units.

Matching: `address_key` is the street line reduced to USPS standard forms (Publication 28:
suffixes, directionals), upper case, no punctuation, unit dropped, then the five-digit zip.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import pyarrow as pa

from leads_pipeline.stages.lookups.parsers import _address_tagger
from leads_pipeline.stages.lookups.parsers._batch import RawValues, distinct_strings, results_table
from leads_pipeline.stages.lookups.parsers._text import clean, fold_accents
from leads_pipeline.stages.lookups.parsers._usps import (
    DIRECTIONALS,
    STATES,
    STREET_SUFFIXES,
    UNIT_DESIGNATORS_ALONE,
    UNIT_DESIGNATORS_WITH_ID,
)

UNPARSED_ADDRESS = "unparsed_address"
UNPARSED_STREET = "unparsed_street"

_UNIT_LABELS = frozenset({"OccupancyType", "OccupancyIdentifier", "SubaddressType", "SubaddressIdentifier"})
_STREET_LABELS = frozenset(
    {
        "AddressNumberPrefix",
        "AddressNumber",
        "AddressNumberSuffix",
        "StreetNamePreModifier",
        "StreetNamePreDirectional",
        "StreetNamePreType",
        "StreetName",
        "StreetNamePostType",
        "StreetNamePostDirectional",
        "StreetNamePostModifier",
        "BuildingName",
        "LandmarkName",
        "CornerOf",
        "IntersectionSeparator",
        "USPSBoxType",
        "USPSBoxID",
        "USPSBoxGroupType",
        "USPSBoxGroupID",
    }
)
# Order of the parts in a one-line address: street and unit, then city, state, zip.
_ONE_LINE_RANK = MappingProxyType(
    {
        **dict.fromkeys(_STREET_LABELS | _UNIT_LABELS, 0),
        "PlaceName": 1,
        "StateName": 2,
        "ZipCode": 3,
    }
)

# The parts of a one-line address, by label.
_ONE_LINE_SECTION = MappingProxyType(
    {
        **dict.fromkeys(_STREET_LABELS, "street"),
        **dict.fromkeys(_UNIT_LABELS, "unit"),
        "PlaceName": "city",
        "StateName": "state",
        "ZipCode": "zip",
    }
)

_SEPARATORS = " ,;"
_ZIP = re.compile(r"(\d{5})(?:-?\d{4})?")
# Fallback when the tagger's reading is not a clean one-line address: state and zip are exact.
_STATE_ZIP_TAIL = re.compile(r"[\s,]([A-Za-z]{2})\.?[\s,]+(\d{5})(?:-?\d{4})?$")
_LEADING_NUMBER = re.compile(r"\d+")
_KEY_DROP = re.compile(r"[.'’`]")
_KEY_SPACE = re.compile(r"[^0-9A-Z]+")
# Multi-word route names written several ways; applied after suffixes are standardized.
_KEY_ROUTES = ((("COUNTY", "RD"), "CR"), (("FARM", "TO", "MARKET"), "FM"))


@dataclass(frozen=True, slots=True)
class _Token:
    label: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """One-line address split into the contract's columns."""

    address1: str | None
    address2: str | None
    city: str | None
    state: str | None
    zip: str | None
    problem: str | None

    @property
    def street_number(self) -> str | None:
        return street_number(self.address1)

    @property
    def address_key(self) -> str | None:
        return address_key(self.address1, self.zip)


@dataclass(frozen=True, slots=True)
class StreetLine:
    """A street line split into street (address1) and unit (address2)."""

    address1: str | None
    address2: str | None
    problem: str | None

    @property
    def street_number(self) -> str | None:
        return street_number(self.address1)

    @property
    def street_key(self) -> str | None:
        return street_key(self.address1)


_BLANK_ADDRESS = ParsedAddress(None, None, None, None, None, None)
_BLANK_STREET = StreetLine(None, None, None)


def _locate(text: str, tagged: list[tuple[str, str]]) -> list[_Token] | None:
    """Locate each tagged token in `text`; None if a token cannot be found."""
    tokens: list[_Token] = []
    pos = 0
    for word, label in tagged:
        start = text.find(word, pos)
        if start < 0:
            return None
        pos = start + len(word)
        tokens.append(_Token(label, start, pos))
    return tokens


def _sections(text: str, tokens: Sequence[_Token], section_of: Callable[[str], str]) -> dict[str, str | None]:
    """Text of each section (a section being a set of labels): its runs of adjacent tokens,
    each sliced from the original, joined by a space."""
    runs: dict[str, list[str]] = {}
    run_section: str | None = None
    run_start = run_end = 0
    for token in tokens:
        section = section_of(token.label)
        if section != run_section:
            if run_section is not None:
                runs.setdefault(run_section, []).append(text[run_start:run_end].strip(_SEPARATORS))
            run_section, run_start = section, token.start
        run_end = token.end
    if run_section is not None:
        runs.setdefault(run_section, []).append(text[run_start:run_end].strip(_SEPARATORS))
    return {section: clean(" ".join(parts)) for section, parts in runs.items()}


def _from_tagger(text: str, tagged: list[tuple[str, str]]) -> ParsedAddress | None:
    """Read a one-line address from the tagger's labels; None unless it is a clean reading."""
    tokens = _locate(text, tagged)
    if not tokens:
        return None
    ranks = [_ONE_LINE_RANK.get(token.label) for token in tokens]
    if None in ranks or ranks != sorted(ranks) or set(ranks) != {0, 1, 2, 3}:
        return None
    sections = _sections(text, tokens, _ONE_LINE_SECTION.__getitem__)
    address1 = sections.get("street")
    state = STATES.get((sections.get("state") or "").upper().rstrip("."))
    zip_match = _ZIP.fullmatch(sections.get("zip") or "")
    if address1 is None or state is None or zip_match is None:
        return None
    return ParsedAddress(
        address1=address1,
        address2=sections.get("unit"),
        city=(sections.get("city") or "").upper() or None,
        state=state,
        zip=zip_match.group(1),
        problem=None,
    )


def parse_one_line(raw: str | None) -> ParsedAddress:
    """Split `8889 S. EASTERN AVE., STE 160 LAS VEGAS, NV 89123` into street, unit, city, state, zip.

    When the tagger's reading is not street, city, state, zip in that order, only the state and
    zip are taken (from the end of the string) and the problem is `unparsed_address`: the
    street/city boundary is not guessed.
    """
    return _one_lines([raw])[0]


def _one_lines(raws: Sequence[str | None]) -> list[ParsedAddress]:
    """`parse_one_line` of each value, the tagger run on all of them at once."""
    texts = [clean(raw) for raw in raws]
    tagged = iter(_address_tagger.parse_many([text for text in texts if text is not None]))
    return [_BLANK_ADDRESS if text is None else _one_line(text, next(tagged)) for text in texts]


def _one_line(text: str, tagged: list[tuple[str, str]]) -> ParsedAddress:
    parsed = _from_tagger(text, tagged)
    if parsed is not None:
        return parsed
    tail = _STATE_ZIP_TAIL.search(text)
    state = STATES.get(tail.group(1).upper()) if tail else None
    if tail is None or state is None:
        return ParsedAddress(None, None, None, None, None, UNPARSED_ADDRESS)
    return ParsedAddress(None, None, None, state, tail.group(2), UNPARSED_ADDRESS)


def _may_carry_unit(text: str) -> bool:
    """Cheap pre-check: False only for lines the tagger would leave whole (most of them)."""
    if "#" in text:
        return True
    words = [word.strip(".,;").upper() for word in text.split()]
    last = words[-1]
    if len(words) > 1 and (len(last) == 1 or any(ch.isdigit() for ch in last)):
        return True
    return any(w in UNIT_DESIGNATORS_WITH_ID or w in UNIT_DESIGNATORS_ALONE for w in words[1:])


def _split_with_tagger(text: str, tagged: list[tuple[str, str]]) -> StreetLine:
    tokens = _locate(text, tagged)
    if tokens is None:
        return StreetLine(text.strip(_SEPARATORS), None, None)
    sections = _sections(text, tokens, _street_or_unit)
    address1, address2 = sections.get("street"), sections.get("unit")
    if address1 is None:
        return _split_at_unit_designator(text)
    return StreetLine(address1, address2, None)


def _street_or_unit(label: str) -> str:
    return "unit" if label in _UNIT_LABELS else "street"


def _split_at_unit_designator(text: str) -> StreetLine:
    """Fallback when the tagger reads the whole line as a unit (`13986 FM 1309 SUITE 281`, where
    it takes the route number for a sub-address): cut before the first unit designator that
    follows the street and carries an identifier, as the address key does."""
    words = text.split()
    street = _drop_unit([word.upper() for word in words])
    if len(street) == len(words):
        return StreetLine(None, text.strip(_SEPARATORS), UNPARSED_STREET)
    return StreetLine(
        clean(" ".join(words[: len(street)]).strip(_SEPARATORS)),
        clean(" ".join(words[len(street) :]).strip(_SEPARATORS)),
        None,
    )


def parse_street(raw: str | None) -> StreetLine:
    """Split a street line that may carry a unit: `401 FM 685 STE 104` -> `401 FM 685`, `STE 104`."""
    return _street_lines([raw])[0]


def _street_lines(raws: Sequence[str | None]) -> list[StreetLine]:
    """`parse_street` of each value, the tagger run at once on the lines that may carry a unit."""
    texts = [clean(raw) for raw in raws]
    # Most lines carry no unit and skip the tagger.
    to_tag = [text is not None and _may_carry_unit(text) for text in texts]
    tagged = iter(_address_tagger.parse_many([text for text, tag in zip(texts, to_tag, strict=True) if tag]))
    return [
        _BLANK_STREET
        if text is None
        else _split_with_tagger(text, next(tagged))
        if tag
        else StreetLine(clean(text.strip(_SEPARATORS)), None, None)
        for text, tag in zip(texts, to_tag, strict=True)
    ]


def split_street(raw: str | None) -> tuple[str | None, str | None]:
    """(address1, address2) of a street line; see `parse_street`."""
    line = parse_street(raw)
    return line.address1, line.address2


def street_number(address1: str | None) -> str | None:
    """Leading house number, digits only without leading zeros (`0123A MAIN` -> `123`)."""
    match = _LEADING_NUMBER.match(clean(address1) or "")
    if match is None:
        return None
    return match.group().lstrip("0") or "0"


def _drop_unit(words: list[str]) -> list[str]:
    """Cut a unit that is still on the line (`123 MAIN ST STE 5` -> `123 MAIN ST`)."""
    for i in range(2, len(words)):
        word = words[i]
        if word.startswith("#"):
            return words[:i]
        following = words[i + 1] if i + 1 < len(words) else ""
        # The identifier must look like one, so `PARKING LOT RD` keeps its `LOT`.
        looks_like_id = len(following) == 1 or any(ch.isdigit() for ch in following)
        if word.strip(".,") in UNIT_DESIGNATORS_WITH_ID and looks_like_id:
            return words[:i]
    return words


def _replace_routes(words: list[str]) -> list[str]:
    for pattern, replacement in _KEY_ROUTES:
        if pattern[0] not in words:
            continue
        size = len(pattern)
        i = 0
        while i + size <= len(words):
            if tuple(words[i : i + size]) == pattern:
                words = [*words[:i], replacement, *words[i + size :]]
            i += 1
    return words


def street_key(address1: str | None) -> str | None:
    """Street line in USPS standard form: `1000 N. Juniper Place` -> `1000 N JUNIPER PL`.

    Every word is standardized, not only the suffix position: both sides of a comparison get
    the same treatment, so `NORTH LAS VEGAS BLVD` and `N LAS VEGAS BOULEVARD` agree. Ordinals
    (`38TH`) are kept as written.
    """
    text = clean(address1)
    if text is None:
        return None
    words = _drop_unit(fold_accents(text).upper().replace("#", " #").split())
    joined = _KEY_SPACE.sub(" ", _KEY_DROP.sub("", " ".join(words)))
    standard = [DIRECTIONALS.get(w) or STREET_SUFFIXES.get(w, w) for w in joined.split()]
    return " ".join(_replace_routes(standard)) or None


def zip5(zip_code: str | None) -> str | None:
    """Five-digit zip from `89123` or `89123-1234`; None for anything else."""
    match = _ZIP.fullmatch((zip_code or "").strip())
    return match.group(1) if match else None


def address_key(address1: str | None, zip_code: str | None) -> str | None:
    """Identity key `<street_key> <zip5>`; None when either part is missing.

    For sources whose zip is a separate column, `street_key || ' ' || zip` in SQL (with the
    zip already cut to five digits) gives the same key.
    """
    street = street_key(address1)
    zip_code = zip5(zip_code)
    if street is None or zip_code is None:
        return None
    return f"{street} {zip_code}"


def one_line_addresses_table(values: RawValues) -> pa.Table:
    """Lookup table for one-line addresses.

    Columns (text): raw_value, address1, address2, city, state, zip, street_number,
    address_key, problem.
    """
    columns = (
        "address1",
        "address2",
        "city",
        "state",
        "zip",
        "street_number",
        "address_key",
    )
    raws = distinct_strings(values)
    return results_table(raws, _one_lines(raws), (*columns, "problem"))


def street_lines_table(values: RawValues) -> pa.Table:
    """Lookup table for street lines.

    Columns (text): raw_value, address1, address2, street_number, street_key, problem.
    """
    columns = ("address1", "address2", "street_number", "street_key", "problem")
    raws = distinct_strings(values)
    return results_table(raws, _street_lines(raws), columns)
