"""A small, independent reading of the contract's identity rules, to check the truth.

Phone + normalized address, phone + email, phone + similar name (no contradiction), or
normalized address + similar name. Addresses contradict when zip or house number differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from leads_demo import pools

CITIES = sorted(
    {c for _, _, places in pools.PLACES.values() for c, _, _ in places},
    key=len,
    reverse=True,
)
NV_ADDRESS = re.compile(
    r"^(?P<street>.+?)(?:, (?P<unit>[^,]+))? (?P<city>"
    + "|".join(map(re.escape, CITIES))
    + r"), (?P<state>[A-Z]{2}) (?P<zip>\d{5})$"
)
UNIT_TAIL = re.compile(r" (?:(?:STE|SUITE|#|UNIT|BLDG) \S+|[A-F]\d+)$")
ABBREVIATIONS = {full: abbr for full, abbr in (*pools.STREET_TYPES, *pools.DIRECTIONALS)}
LEGAL = {"LLC", "INC", "CORP", "L L C", "LTD"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]+$")


@dataclass(frozen=True)
class Rec:
    source: str
    key: str
    facility: str
    operator: str
    phone: str | None
    number: str | None
    street: str | None
    zip: str | None
    name: str
    email: str | None


def phone(value: str) -> str | None:
    digits = re.sub(r"\D", "", value.split(" ext ")[0])
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) == 10 and digits[0] not in "01" and digits[3] not in "01" else None


def street(line: str) -> tuple[str, str]:
    tokens = [ABBREVIATIONS.get(t, t) for t in line.replace(".", "").split()]
    return tokens[0], " ".join(tokens[1:])


def name(value: str) -> str:
    value = value.upper().replace("í", "'")
    if " DBA " in value:
        value = value.split(" DBA ", 1)[1]
    elif re.fullmatch(r"[A-Z' -]+, [A-Z' -]+", value.strip()):
        last, first = value.split(", ")
        value = f"{first} {last}"
    value = re.sub(r"[^A-Z0-9 ]", " ", value.replace("L.L.C.", "LLC"))
    words = [w for w in value.split() if w not in LEGAL]
    return " ".join(words)


def similar(a: str, b: str) -> bool:
    return fuzz.token_set_ratio(a, b) >= 90


def email(value: str) -> str | None:
    value = value.strip().lower()
    return value if EMAIL.match(value) else None


def record(source: str, key: str, facility: str, operator: str, row: dict[str, str]) -> Rec:
    if source == "source_1":
        m = NV_ADDRESS.match(row["Address"].strip())
        assert m, row["Address"]
        number, st = street(m["street"])
        return Rec(
            source,
            key,
            facility,
            operator,
            phone(row["Phone"]),
            number,
            st,
            m["zip"],
            name(row["Name"]),
            None,
        )
    if source == "source_2":
        number, st = street(row["Address1"].strip())
        return Rec(
            source,
            key,
            facility,
            operator,
            phone(row["Phone"]),
            number,
            st,
            row["Zip"],
            name(row["Company"]),
            email(row["Email"]),
        )
    number, st = street(UNIT_TAIL.sub("", row["Address"].strip()))
    return Rec(
        source,
        key,
        facility,
        operator,
        phone(row["Phone"]),
        number,
        st,
        row["Zip"],
        name(row["Operation Name"]),
        email(row["Email Address"]),
    )


def contradict(a: Rec, b: Rec) -> bool:
    return a.zip != b.zip or a.number != b.number


def same_address(a: Rec, b: Rec) -> bool:
    return (a.number, a.street, a.zip) == (b.number, b.street, b.zip)


def match_rule(a: Rec, b: Rec) -> str | None:
    """The first contract rule that merges a and b, or None."""
    same_phone = a.phone is not None and a.phone == b.phone
    if same_phone and same_address(a, b):
        return "phone+address"
    if same_phone and not contradict(a, b):
        if a.email and a.email == b.email:
            return "phone+email"
        if similar(a.name, b.name):
            return "phone+name"
    if same_address(a, b) and similar(a.name, b.name):
        return "address+name"
    return None
