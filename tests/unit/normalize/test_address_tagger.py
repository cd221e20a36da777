"""The cached-feature tagger labels every address as `usaddress.parse` does."""

from __future__ import annotations

import csv

import pytest
import usaddress

from leads_pipeline.normalize import _address_tagger
from tests.conftest import DEMO_BUCKET

# Street and one-line address columns of the demo bucket's files.
_DEMO_COLUMNS = ("Address", "Address1", "Address2", "street")


def _demo_addresses() -> list[str]:
    values: list[str] = []
    for path in sorted(DEMO_BUCKET.rglob("*.csv")):
        if path.parent.name == "_truth":
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                values += [row[column] for column in _DEMO_COLUMNS if row.get(column)]
    return list(dict.fromkeys(values))


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ",
        "#",
        "MAIN",
        "12 MAIN",
        "8889 S. EASTERN AVE., STE 160 LAS VEGAS, NV 89123",
        "3502 SLIDE RD A25",
        "PO BOX 12, AUSTIN TX 78701",
        "MAIN ST & 5TH AVE",
        "1000 N. Juniper Place # 5",
        "(CORNER) 10 ELM;",
        "401 FM 685 STE 104, PFLUGERVILLE, TX 78660-1234",
        "100 1/2 ½ OAK",
    ],
)
def test_edge_cases_tag_as_usaddress_does(address: str) -> None:
    assert _address_tagger.parse(address) == usaddress.parse(address)


def test_demo_addresses_tag_as_usaddress_does() -> None:
    addresses = _demo_addresses()
    assert len(addresses) > 500
    for address in addresses:
        assert _address_tagger.parse(address) == usaddress.parse(address), address


def test_real_addresses_tag_as_usaddress_does(
    nevada_rows: list[dict[str, str]],
    oklahoma_rows: list[dict[str, str]],
    texas_rows: list[dict[str, str]],
    crm_rows: list[dict[str, str]],
) -> None:
    addresses = [row["Address"] for row in nevada_rows]
    addresses += [row["Address1"] for row in oklahoma_rows]
    addresses += [row["Address"] for row in texas_rows]
    addresses += [row["street"] for row in crm_rows]
    labels = set()
    for address in addresses:
        tagged = _address_tagger.parse(address)
        assert tagged == usaddress.parse(address), address
        labels |= {label for _, label in tagged}
    # The corpus exercises streets, units, cities, states and zips.
    assert {"AddressNumber", "StreetName", "PlaceName", "StateName", "ZipCode"} <= labels
