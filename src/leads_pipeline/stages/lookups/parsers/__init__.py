"""Pure normalization rules where SQL would guess: phones, US addresses, people, facility names.

Each rule is a function of raw text. Each module also has batch functions that turn the
distinct raw values of a column into a lookup table (`raw_value` + parsed columns + `problem`)
for the dbt staging models to join.
"""

from leads_pipeline.stages.lookups.parsers.address import (
    ParsedAddress,
    StreetLine,
    address_key,
    one_line_addresses_table,
    parse_one_line,
    parse_street,
    split_street,
    street_key,
    street_lines_table,
    street_number,
    zip5,
)
from leads_pipeline.stages.lookups.parsers.names import (
    name_key,
    name_keys_table,
    name_similarity,
    names_similar,
)
from leads_pipeline.stages.lookups.parsers.person import (
    Contact,
    Licensee,
    PersonName,
    caregivers_table,
    is_owner,
    licensees_table,
    parse_caregiver,
    parse_contact,
    parse_licensee,
    parse_person,
    people_table,
)
from leads_pipeline.stages.lookups.parsers.phone import PhoneResult, phones_table, to_e164

__all__ = [
    "Contact",
    "Licensee",
    "ParsedAddress",
    "PersonName",
    "PhoneResult",
    "StreetLine",
    "address_key",
    "caregivers_table",
    "is_owner",
    "licensees_table",
    "name_key",
    "name_keys_table",
    "name_similarity",
    "names_similar",
    "one_line_addresses_table",
    "parse_caregiver",
    "parse_contact",
    "parse_licensee",
    "parse_one_line",
    "parse_person",
    "parse_street",
    "people_table",
    "phones_table",
    "split_street",
    "street_key",
    "street_lines_table",
    "street_number",
    "to_e164",
    "zip5",
]
