"""Vocabulary the synthetic facilities are built from, read from `pools.yml` beside this module.

Generic words, common US given names and surnames, and public city / county / ZIP facts; no value
comes from the agencies' files. The word lists are data, kept in one YAML file; here they become
the tuples the generator draws from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_DATA: dict[str, Any] = yaml.safe_load(Path(__file__).with_name("pools.yml").read_text(encoding="utf-8"))


def _tuples(value: Any) -> Any:
    """Lists as tuples, all the way down: the pools are constants."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


# --- people ----------------------------------------------------------------------------------
FIRST_NAMES: tuple[str, ...] = _tuples(_DATA["first_names"])
LAST_NAMES: tuple[str, ...] = _tuples(_DATA["last_names"])

# --- facility names (title case; agencies that write upper case upper-case them) ------------
NAME_ADJECTIVES: tuple[str, ...] = _tuples(_DATA["name_adjectives"])
NAME_NOUNS: tuple[str, ...] = _tuples(_DATA["name_nouns"])
NAME_TYPES: tuple[str, ...] = _tuples(_DATA["name_types"])
HOME_TYPES: tuple[str, ...] = _tuples(_DATA["home_types"])
POSSESSIVE_TYPES: tuple[str, ...] = _tuples(_DATA["possessive_types"])  # the mis-encoding quirk needs them
BRANDS: tuple[str, ...] = _tuples(_DATA["brands"])
OTHER_KINDS: tuple[str, ...] = _tuples(_DATA["other_kinds"])
LEGAL_SUFFIXES: tuple[str, ...] = _tuples(_DATA["legal_suffixes"])
LEGAL_SUFFIX_WEIGHTS: tuple[float, ...] = _tuples(_DATA["legal_suffix_weights"])

# --- addresses -------------------------------------------------------------------------------
STREET_NAMES: tuple[str, ...] = _tuples(_DATA["street_names"])
STREET_TYPES: tuple[tuple[str, str], ...] = _tuples(_DATA["street_types"])  # (full word, abbreviation)
STREET_TYPE_WEIGHTS: tuple[float, ...] = _tuples(_DATA["street_type_weights"])
DIRECTIONALS: tuple[tuple[str, str], ...] = _tuples(_DATA["directionals"])
UNIT_TYPES: tuple[str, ...] = _tuples(_DATA["unit_types"])
# state -> (two-letter code, full name, ((city, county, (zips...)), ...))
PLACES: dict[str, tuple[str, str, tuple[tuple[str, str, tuple[int, ...]], ...]]] = {
    state: (state, place["name"], tuple((c["city"], c["county"], tuple(c["zips"])) for c in place["cities"]))
    for state, place in _DATA["places"].items()
}
STATE_ORDER: tuple[str, ...] = _tuples(_DATA["state_order"])

# --- phones and emails -----------------------------------------------------------------------
AREA_CODES: tuple[int, ...] = _tuples(_DATA["area_codes"])  # real, assigned: phones pass a validity check
LOCAL_NUMBERS: int = _DATA["local_numbers"]  # exchanges 200-999: 8M local numbers per area code
EMAIL_DOMAINS: tuple[str, ...] = _tuples(_DATA["email_domains"])
EMAIL_DOMAIN_WEIGHTS: tuple[float, ...] = _tuples(_DATA["email_domain_weights"])

# --- the CRM's other (unrelated) leads -------------------------------------------------------
CRM_STATES: tuple[tuple[str, str], ...] = _tuples(_DATA["crm_states"])  # (name, code)
CRM_CITIES: tuple[str, ...] = _tuples(_DATA["crm_cities"])
