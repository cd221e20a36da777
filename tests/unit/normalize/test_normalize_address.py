import pyarrow as pa
import pytest

from leads_pipeline.stages.lookups.parsers import _address_tagger
from leads_pipeline.stages.lookups.parsers.address import (
    ParsedAddress,
    StreetLine,
    _split_with_tagger,
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

# --- one-line addresses -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "8889 S. EASTERN AVE., STE 160 LAS VEGAS, NV 89123",
            ("8889 S. EASTERN AVE.", "STE 160", "LAS VEGAS", "NV", "89123"),
        ),
        (
            "7625 S. RAINBOW BLVD., STE 104-106 LAS VEGAS, NV 89139",
            ("7625 S. RAINBOW BLVD.", "STE 104-106", "LAS VEGAS", "NV", "89139"),
        ),
        (
            "6044 RIVER BELLE ST NORTH LAS VEGAS, NV 89031",
            ("6044 RIVER BELLE ST", None, "NORTH LAS VEGAS", "NV", "89031"),
        ),
        (
            "3135 FLORENTINE DRIVE CARSON CITY, NV 89701",
            ("3135 FLORENTINE DRIVE", None, "CARSON CITY", "NV", "89701"),
        ),
        (
            "470 GYPSUM DRIVE SPRING CREEK, NV 89815",
            ("470 GYPSUM DRIVE", None, "SPRING CREEK", "NV", "89815"),
        ),
        # Lower case: the street keeps its spelling, city and state are upper-cased.
        (
            "8889 s. eastern ave., ste 160 las vegas, nv 89123",
            ("8889 s. eastern ave.", "ste 160", "LAS VEGAS", "NV", "89123"),
        ),
        # Extra spaces and ZIP+4.
        (
            "  8889  S. EASTERN AVE.,   STE 160 LAS VEGAS,  NV   89123-4567 ",
            ("8889 S. EASTERN AVE.", "STE 160", "LAS VEGAS", "NV", "89123"),
        ),
        (
            "123 MAIN ST, LAS VEGAS, NEVADA 89101",
            ("123 MAIN ST", None, "LAS VEGAS", "NV", "89101"),
        ),
        (
            "PO BOX 123 LAS VEGAS, NV 89101",
            ("PO BOX 123", None, "LAS VEGAS", "NV", "89101"),
        ),
        (
            "123 MAIN ST #5 LAS VEGAS, NV 89101",
            ("123 MAIN ST", "#5", "LAS VEGAS", "NV", "89101"),
        ),
        (
            "1 CAFÉ WAY LAS VEGAS, NV 89101",
            ("1 CAFÉ WAY", None, "LAS VEGAS", "NV", "89101"),
        ),
    ],
)
def test_parse_one_line(raw: str, expected: tuple[str | None, ...]) -> None:
    assert parse_one_line(raw) == ParsedAddress(*expected, problem=None)


@pytest.mark.parametrize("raw", [None, "", "   ", "\r\n"])
def test_blank_one_line_is_null_without_problem(raw: str | None) -> None:
    assert parse_one_line(raw) == ParsedAddress(None, None, None, None, None, None)


@pytest.mark.parametrize(
    ("raw", "state", "zip_code"),
    [
        (
            "LAS VEGAS, NV 89123",
            "NV",
            "89123",
        ),  # no street: only state and zip are sure
        ("ATTN JOHN 123 MAIN ST LAS VEGAS, NV 89101", "NV", "89101"),
        ("N/A", None, None),
        ("123", None, None),
        ("123 MAIN ST LAS VEGAS NV", None, None),  # no zip
        ("123 MAIN ST LAS VEGAS, NV 8912", None, None),  # four-digit zip
        ("123 MAIN ST LAS VEGAS, XX 89101", None, None),  # not a state
    ],
)
def test_unparsable_one_line_keeps_only_what_is_sure(raw: str, state: str | None, zip_code: str | None) -> None:
    assert parse_one_line(raw) == ParsedAddress(None, None, None, state, zip_code, "unparsed_address")


# --- street lines -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "address1", "address2"),
    [
        ("401 FM 685 STE 104", "401 FM 685", "STE 104"),
        ("11231 ALVIN ST STE 2", "11231 ALVIN ST", "STE 2"),
        # A bare identifier after the street type is a unit (suite A25 on Slide Rd).
        ("3502 SLIDE RD A25", "3502 SLIDE RD", "A25"),
        ("30856 FM 803", "30856 FM 803", None),
        ("4990 FM 3455 RD", "4990 FM 3455 RD", None),
        ("100 HWY 6", "100 HWY 6", None),
        ("12 COUNTY ROAD 12", "12 COUNTY ROAD 12", None),
        ("17 LOOP 337", "17 LOOP 337", None),
        ("4255 S R L THORNTON FWY", "4255 S R L THORNTON FWY", None),
        ("7901 NW 113", "7901 NW 113", None),
        ("15302 E 89TH ST N", "15302 E 89TH ST N", None),
        ("200 AVENUE B", "200 AVENUE B", None),
        ("123 PARKING LOT RD", "123 PARKING LOT RD", None),
        ("10 SUITE ST", "10 SUITE ST", None),
        ("123 FRONT ST", "123 FRONT ST", None),
        ("4000 HWY 6 N STE 300", "4000 HWY 6 N", "STE 300"),
        # the tagger reads an FM road number before a suite as a sub-address: cut at the designator
        ("13986 FM 1309 SUITE 281", "13986 FM 1309", "SUITE 281"),
        ("627 FM 1608 BLDG 268", "627 FM 1608", "BLDG 268"),
        ("18018 fm 1088 suite 51", "18018 fm 1088", "suite 51"),
        ("2000 HWY 6 BLDG A", "2000 HWY 6", "BLDG A"),
        ("800 E BROADWAY BLDG 2 STE 100", "800 E BROADWAY", "BLDG 2 STE 100"),
        ("123 MAIN ST, UNIT B", "123 MAIN ST", "UNIT B"),
        ("123 Main St #5", "123 Main St", "#5"),
        ("123 MAIN ST # 5", "123 MAIN ST", "# 5"),
        ("123 MAIN ST APT 4B", "123 MAIN ST", "APT 4B"),
        ("123 main st apt 4b", "123 main st", "apt 4b"),
        ("123 MAIN ST LOT 5", "123 MAIN ST", "LOT 5"),
        ("123 MAIN ST RM 12", "123 MAIN ST", "RM 12"),
        ("100 N MAIN ST REAR", "100 N MAIN ST", "REAR"),
        ("525 Comanche Street,", "525 Comanche Street", None),
        ("2604 NW 115TH PL.", "2604 NW 115TH PL.", None),
        ("  123   MAIN   ST  ", "123 MAIN ST", None),
        ("PO BOX 123", "PO BOX 123", None),
    ],
)
def test_split_street(raw: str, address1: str, address2: str | None) -> None:
    assert split_street(raw) == (address1, address2)


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_blank_street_line(raw: str | None) -> None:
    assert parse_street(raw) == StreetLine(None, None, None)
    assert split_street(raw) == (None, None)


@pytest.mark.parametrize("raw", ["STE 5", "#5"])
def test_unit_without_street_is_a_problem(raw: str) -> None:
    assert parse_street(raw) == StreetLine(None, raw, "unparsed_street")


def test_real_texas_streets(texas_rows: list[dict[str, str]]) -> None:
    units = {
        "401 FM 685 STE 104": ("401 FM 685", "STE 104"),
        "11231 ALVIN ST STE 2": ("11231 ALVIN ST", "STE 2"),
        "3502 SLIDE RD A25": ("3502 SLIDE RD", "A25"),
    }
    assert len(texas_rows) == 29
    for row in texas_rows:
        raw = row["Address"]
        assert split_street(raw) == units.get(raw, (raw, None)), raw


def test_real_oklahoma_streets_carry_no_unit(
    oklahoma_rows: list[dict[str, str]],
) -> None:
    for row in oklahoma_rows:
        assert split_street(row["Address1"]) == (row["Address1"], None)


def test_cheap_precheck_agrees_with_the_tagger(
    oklahoma_rows: list[dict[str, str]],
    texas_rows: list[dict[str, str]],
    crm_rows: list[dict[str, str]],
) -> None:
    lines = [row["Address1"] for row in oklahoma_rows]
    lines += [row["Address"] for row in texas_rows]
    lines += [row["street"] for row in crm_rows if row["street"].strip()]
    for line in lines:
        text = " ".join(line.split())
        assert parse_street(line) == _split_with_tagger(text, _address_tagger.parse(text)), line


# --- keys -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variants", "key"),
    [
        (
            ["2604 NW 115TH PLACE", "2604 NW 115TH PL.", "2604 nw 115th pl"],
            "2604 NW 115TH PL",
        ),
        (
            ["496 SOUTH MAIN STREET", "496 S. MAIN ST", "496 S Main St."],
            "496 S MAIN ST",
        ),
        (
            ["6321 LAUREN ASHTON AVENUE", "6321 LAUREN ASHTON AVE."],
            "6321 LAUREN ASHTON AVE",
        ),
        (["470 GYPSUM DRIVE", "470 GYPSUM DR"], "470 GYPSUM DR"),
        (["3435 LINDELL ROAD", "3435 LINDELL RD."], "3435 LINDELL RD"),
        (["10 OAK BOULEVARD", "10 OAK BLVD"], "10 OAK BLVD"),
        (["10 OAK LANE", "10 OAK LN"], "10 OAK LN"),
        (["5770 HEDGEHAVEN COURT", "5770 HEDGEHAVEN CT"], "5770 HEDGEHAVEN CT"),
        (["11609 KINGS CIRCLE", "11609 KINGS CIR"], "11609 KINGS CIR"),
        (["10 LAKE MEAD PARKWAY", "10 LAKE MEAD PKWY"], "10 LK MEAD PKWY"),
        (["10 STATE HIGHWAY 6", "10 STATE HWY 6"], "10 STATE HWY 6"),
        (["10900 NW 38TH TERRACE", "10900 NW 38TH TER"], "10900 NW 38TH TER"),
        (["10 NORTHWEST 5TH ST", "10 N.W. 5TH ST"], "10 NW 5TH ST"),
        (["12 COUNTY ROAD 12", "12 COUNTY RD 12", "12 CR 12"], "12 CR 12"),
        (
            ["8889 S. EASTERN AVE., STE 160", "8889 S EASTERN AVE #160"],
            "8889 S EASTERN AVE",
        ),
        (["1 CAFÉ WAY", "1 Cafe Way"], "1 CAFE WAY"),
        (["3103 - 52 AVENUE"], "3103 52 AVE"),
    ],
)
def test_street_key_standardizes(variants: list[str], key: str) -> None:
    assert {street_key(variant) for variant in variants} == {key}


def test_street_key_keeps_words_that_only_look_like_units() -> None:
    assert street_key("123 PARKING LOT RD") == "123 PARKING LOT RD"
    assert street_key("10 SUITE ST") == "10 SUITE ST"


def test_address_key() -> None:
    assert address_key("8889 S. EASTERN AVE.", "89123") == "8889 S EASTERN AVE 89123"
    assert address_key("123 Main Street", "89123-1234") == "123 MAIN ST 89123"
    assert address_key("123 Main Street", "8912") is None
    assert address_key(None, "89123") is None
    assert address_key("  ", "89123") is None
    assert address_key("123 MAIN ST", None) is None


@pytest.mark.parametrize(
    ("zip_code", "expected"),
    [
        ("89123", "89123"),
        (" 89123 ", "89123"),
        ("89123-1234", "89123"),
        ("891231234", "89123"),
    ],
)
def test_zip5(zip_code: str, expected: str) -> None:
    assert zip5(zip_code) == expected


@pytest.mark.parametrize("zip_code", [None, "", "8912", "ABCDE", "89123-12"])
def test_zip5_rejects(zip_code: str | None) -> None:
    assert zip5(zip_code) is None


@pytest.mark.parametrize(
    ("address1", "number"),
    [
        ("8889 S. EASTERN AVE.", "8889"),
        ("  0123A MAIN ST", "123"),
        ("3103 - 52 AVENUE", "3103"),
        ("0 MAIN ST", "0"),
        ("PO BOX 123", None),
        ("MAIN ST", None),
        (None, None),
        ("", None),
    ],
)
def test_street_number(address1: str | None, number: str | None) -> None:
    assert street_number(address1) == number


# --- batches ----------------------------------------------------------------------------


def test_one_line_addresses_table() -> None:
    raws = ["8889 S. EASTERN AVE., STE 160 LAS VEGAS, NV 89123", None, "", "N/A"]
    table = one_line_addresses_table(pa.array(raws))
    assert table.column_names == [
        "raw_value",
        "address1",
        "address2",
        "city",
        "state",
        "zip",
        "street_number",
        "address_key",
        "problem",
    ]
    assert all(field.type == pa.string() for field in table.schema)
    rows = table.to_pylist()
    assert [row["raw_value"] for row in rows] == [raws[0], "", "N/A"]
    assert rows[0] == {
        "raw_value": raws[0],
        "address1": "8889 S. EASTERN AVE.",
        "address2": "STE 160",
        "city": "LAS VEGAS",
        "state": "NV",
        "zip": "89123",
        "street_number": "8889",
        "address_key": "8889 S EASTERN AVE 89123",
        "problem": None,
    }
    assert set(rows[1].values()) == {"", None}
    assert rows[1]["problem"] is None
    assert rows[2]["problem"] == "unparsed_address"


def test_street_lines_table() -> None:
    table = street_lines_table(["401 FM 685 STE 104", "401 FM 685 STE 104", None, "STE 5"])
    assert table.column_names == [
        "raw_value",
        "address1",
        "address2",
        "street_number",
        "street_key",
        "problem",
    ]
    assert table.to_pylist() == [
        {
            "raw_value": "401 FM 685 STE 104",
            "address1": "401 FM 685",
            "address2": "STE 104",
            "street_number": "401",
            "street_key": "401 FM 685",
            "problem": None,
        },
        {
            "raw_value": "STE 5",
            "address1": None,
            "address2": "STE 5",
            "street_number": None,
            "street_key": None,
            "problem": "unparsed_street",
        },
    ]
