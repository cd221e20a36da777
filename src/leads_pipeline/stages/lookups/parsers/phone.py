"""Phone numbers to E.164 (`+13463939400`), with the extension kept apart.

Validity rule
-------------
A phone is kept when `phonenumbers` parses it (region US) as a North American number with
exactly ten national digits and `is_possible_number` holds, and the digits obey the North
American Numbering Plan's structure:

- area code and exchange start with 2-9 (so `000-000-0000` and the CRM's dummy phones
  `1234567890`, `1234567928`, ... are rejected: their area code starts with 1);
- neither is an N11 service code (`411`, `911`);
- not one of the `555-01XX` numbers reserved for fiction, and not one digit ten times.

`is_valid_number` is deliberately not used: it also demands that the area code be in service
according to the library's bundled metadata. Two real Nevada agency phones (`362-231-1137`,
`565-583-1155`) fail it while being well-formed, and its answer changes whenever area codes
are assigned and the library is upgraded, which would silently change lead identities
(the phone is the primary identity key). The structural rule is exact, stable, and still
rejects every dummy and junk value seen in the real files.

The common shapes (`(702) 555-1234`, `702-555-1234`, `702.555.1234`, `7025551234`) are read with
a pattern when their digits obey that structure: the library would give the same number with no
extension, at a fraction of the cost (a first load parses millions of distinct phones); the lookup
table applies that pattern to all its values at once with Arrow's string functions. Every other
value goes through `phonenumbers`.

Blank values are not problems: they give NULL with no problem. Anything else that fails the
rule gives NULL and the problem `invalid_phone`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from leads_pipeline.stages.lookups.parsers._batch import RawValues, distinct_strings
from leads_pipeline.stages.lookups.parsers._text import clean

INVALID_PHONE = "invalid_phone"

_NANP_COUNTRY_CODE = 1
_POSSIBLE = phonenumbers.ValidationResult.IS_POSSIBLE
# Ten ASCII digits as area code, exchange and line, with the usual separators and nothing else.
_PLAIN_TEN_DIGITS = (
    r"(?:\((?P<bracketed>[0-9]{3})\) ?|(?P<area>[0-9]{3})[-. ]?)(?P<exchange>[0-9]{3})[-. ]?(?P<line>[0-9]{4})"
)
_PLAIN_TEN_DIGITS_ONE = re.compile(_PLAIN_TEN_DIGITS)
# `_is_nanp_structured` as patterns: area code and exchange start with 2-9 and are not N11, the
# line is not 555-01XX; and not one digit ten times.
_NANP_STRUCTURE = r"^[2-9]([02-9][0-9]|1[02-9])[2-9]([02-9][0-9]|1[02-9])[0-9]{4}$"
_FICTION = r"^[0-9]{3}55501"
_ONE_DIGIT_TEN_TIMES = pa.array([digit * 10 for digit in "0123456789"])


@dataclass(frozen=True, slots=True)
class PhoneResult:
    e164: str | None
    extension: str | None
    problem: str | None


_BLANK = PhoneResult(None, None, None)
_INVALID = PhoneResult(None, None, INVALID_PHONE)


def _is_nanp_structured(digits: str) -> bool:
    """True for ten digits shaped like a dialable NANP number (see the module docstring)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    for code in (area, exchange):
        if code[0] in "01" or code[1:] == "11":
            return False
    if exchange == "555" and line.startswith("01"):
        return False
    return len(set(digits)) > 1


def to_e164(raw: str | None) -> PhoneResult:
    """Parse one raw phone cell: `(209) 747-1797`, `346.393.9400 ext 2`, `+1 346 393 9400`."""
    text = clean(raw)
    if text is None:
        return _BLANK
    plain = _PLAIN_TEN_DIGITS_ONE.fullmatch(text)
    if plain is not None:
        area = plain["bracketed"] or plain["area"]  # written in parentheses or not
        digits = area + plain["exchange"] + plain["line"]
        if _is_nanp_structured(digits):
            return PhoneResult(f"+1{digits}", None, None)
    return _parse_with_library(text)


def _parse_with_library(text: str) -> PhoneResult:
    """The general path: any format `phonenumbers` reads, extensions included."""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return _INVALID
    if number.country_code != _NANP_COUNTRY_CODE:
        return _INVALID
    if phonenumbers.is_possible_number_with_reason(number) != _POSSIBLE:
        return _INVALID
    # national_number is an int: a leading 0 or 1 is lost and the length check rejects it.
    digits = str(number.national_number)
    if not _is_nanp_structured(digits):
        return _INVALID
    return PhoneResult(f"+1{digits}", number.extension or None, None)


def _plain_digits(raws: pa.Array) -> pa.Array:
    """The ten digits of each value that `to_e164` reads by its pattern and keeps, else NULL.

    The same rule as `to_e164`'s first branch, in Arrow's vectorized string functions, for values
    already written in clean form (no surrounding or doubled whitespace): a first load holds
    millions of distinct phones, most of them plain.
    """
    parts = pc.extract_regex(raws, f"^{_PLAIN_TEN_DIGITS}$")
    area = pc.if_else(
        pc.equal(pc.struct_field(parts, "bracketed"), ""),
        pc.struct_field(parts, "area"),
        pc.struct_field(parts, "bracketed"),
    )
    digits = pc.binary_join_element_wise(area, pc.struct_field(parts, "exchange"), pc.struct_field(parts, "line"), "")
    structured = pc.and_(
        pc.match_substring_regex(digits, _NANP_STRUCTURE),
        pc.invert(pc.or_(pc.match_substring_regex(digits, _FICTION), pc.is_in(digits, value_set=_ONE_DIGIT_TEN_TIMES))),
    )
    return pc.if_else(pc.fill_null(structured, False), digits, pa.scalar(None, pa.string()))


def phones_table(values: RawValues) -> pa.Table:
    """Lookup table: `raw_value, e164, extension, problem` (all text), one row per distinct value."""
    raws = distinct_strings(values)
    e164 = pc.binary_join_element_wise("+1", _plain_digits(pa.array(raws, pa.string())), "").to_pylist()
    extension: list[str | None] = [None] * len(raws)
    problem: list[str | None] = [None] * len(raws)
    for i in [i for i, number in enumerate(e164) if number is None]:
        result = to_e164(raws[i])
        e164[i], extension[i], problem[i] = result.e164, result.extension, result.problem
    columns = {"raw_value": raws, "e164": e164, "extension": extension, "problem": problem}
    return pa.table({name: pa.array(column, pa.string()) for name, column in columns.items()})
