"""The contract's identity rules for one pair of records ("Identity: phone first, address second").

Two records are one facility when they share
- a phone and the normalized address (street line + zip): `phone+address`;
- a phone and an email: `phone+email`;
- a phone and a closely similar facility name: `phone+name`;
- the normalized address and a closely similar facility name (the phone changed): `address+name`;

and their addresses do not contradict: both known and different in zip or in street number
(sister sites of one operator). A phone alone merges nothing. The rules are listed strongest
first; clustering applies them in that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Rule(Enum):
    PHONE_ADDRESS = "phone+address"
    PHONE_EMAIL = "phone+email"
    PHONE_NAME = "phone+name"
    ADDRESS_NAME = "address+name"

    @property
    def rank(self) -> int:
        """0 for the strongest rule."""
        return _RANKS[self]

    @property
    def needs_name(self) -> bool:
        return self in (Rule.PHONE_NAME, Rule.ADDRESS_NAME)


_RANKS = {rule: rank for rank, rule in enumerate(Rule)}


@dataclass(frozen=True, slots=True)
class Site:
    """Where a record says the facility is: five-digit zip and house number, each maybe unknown."""

    zip: str | None = None
    street_number: str | None = None

    def contradicts(self, other: Site) -> bool:
        """Both zips known and different, or both house numbers known and different."""
        return _differ(self.zip, other.zip) or _differ(self.street_number, other.street_number)


def _differ(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a != b


def best_rule(shares_phone: bool, shares_address: bool, shares_email: bool, names_similar: bool) -> Rule | None:
    """The strongest rule two records satisfy by what they share, or None.

    Contradicting addresses are checked apart (`Site.contradicts`), for the pair and, when
    clustering, for the clusters the pair would join.
    """
    if shares_phone and shares_address:
        return Rule.PHONE_ADDRESS
    if shares_phone and shares_email:
        return Rule.PHONE_EMAIL
    if shares_phone and names_similar:
        return Rule.PHONE_NAME
    if shares_address and names_similar:
        return Rule.ADDRESS_NAME
    return None


def needs_name(shares_phone: bool, shares_address: bool, shares_email: bool) -> bool:
    """Whether the names decide: only then is a pair's name similarity worth computing."""
    if shares_phone:
        return not shares_address and not shares_email
    return shares_address
