import random
import re

import pyarrow as pa
import pytest

from leads_pipeline.stages.lookups.parsers._text import clean
from leads_pipeline.stages.lookups.parsers.phone import PhoneResult, _parse_with_library, phones_table, to_e164


@pytest.mark.parametrize(
    ("raw", "e164", "extension"),
    [
        ("(209) 747-1797", "+12097471797", None),
        ("346-393-9400", "+13463939400", None),
        ("346.393.9400 ext 2", "+13463939400", "2"),
        ("346-393-9400 x12", "+13463939400", "12"),
        ("+1 (346) 393-9400 ext. 45", "+13463939400", "45"),
        ("1-346-393-9400", "+13463939400", None),
        ("+1 346 393 9400", "+13463939400", None),
        ("3463939400", "+13463939400", None),
        ("  346   393-9400  ", "+13463939400", None),
        ("346-393-9400\n", "+13463939400", None),
        ("３４６-３９３-９４００", "+13463939400", None),  # full-width digits
        ("800-356-9377", "+18003569377", None),
    ],
)
def test_valid_formats_become_e164(raw: str, e164: str, extension: str | None) -> None:
    assert to_e164(raw) == PhoneResult(e164, extension, None)


@pytest.mark.parametrize("raw", [None, "", "   ", "\n \n"])
def test_blank_is_null_without_problem(raw: str | None) -> None:
    assert to_e164(raw) == PhoneResult(None, None, None)


@pytest.mark.parametrize(
    "raw",
    [
        "N/A",
        "none",
        "123",
        "393-9400",  # seven digits: no area code
        "000-000-0000",
        "1234567890",  # CRM dummy: area code starts with 1
        "1234567928",
        "346-393-94001",  # too many digits
        "13463939400123",
        "702-308-3384 / 702-308-3385",
        "(702) 911-1234",  # N11 exchange
        "(911) 393-9400",  # N11 area code
        "702-555-0123",  # reserved for fiction
        "222-222-2222",
        "+44 20 7946 0958",  # not North American
    ],
)
def test_junk_is_null_with_problem(raw: str) -> None:
    assert to_e164(raw) == PhoneResult(None, None, "invalid_phone")


def test_unassigned_but_well_formed_agency_phones_are_kept() -> None:
    # Real Nevada phones whose area codes the library's metadata does not list.
    assert to_e164("362-231-1137").e164 == "+13622311137"
    assert to_e164("565-583-1155").e164 == "+15655831155"


def _digits(raw: str) -> str:
    return re.sub(r"\D", "", raw)


@pytest.mark.parametrize(
    ("rows_fixture", "column"),
    [("nevada_rows", "Phone"), ("oklahoma_rows", "Phone"), ("texas_rows", "Phone")],
)
def test_every_real_agency_phone_survives(request: pytest.FixtureRequest, rows_fixture: str, column: str) -> None:
    rows = request.getfixturevalue(rows_fixture)
    assert rows
    for row in rows:
        result = to_e164(row[column])
        assert result == PhoneResult(f"+1{_digits(row[column])}", None, None), row[column]


_SHAPES = ("({a}) {e}-{l}", "({a}){e}-{l}", "{a}-{e}-{l}", "{a}.{e}.{l}", "{a} {e} {l}", "{a}{e}{l}", "{a}-{e}{l}")


def _ten_digit_phones(count: int, seed: int) -> list[str]:
    """Phones in the common shapes, with area codes and exchanges of every kind (0XX, 1XX, N11)."""
    rng = random.Random(seed)
    codes = [f"{n:03d}" for n in (0, 11, 111, 123, 211, 411, 555, 702, 911, 999)]
    phones = []
    for _ in range(count):
        area = rng.choice(codes) if rng.random() < 0.3 else f"{rng.randrange(1000):03d}"
        exchange = rng.choice(codes) if rng.random() < 0.3 else f"{rng.randrange(1000):03d}"
        line = f"01{rng.randrange(100):02d}" if rng.random() < 0.1 else f"{rng.randrange(10000):04d}"
        phones.append(rng.choice(_SHAPES).format(a=area, e=exchange, l=line))
    return phones


def test_common_shapes_read_as_the_library_reads_them(
    nevada_rows: list[dict[str, str]], oklahoma_rows: list[dict[str, str]], texas_rows: list[dict[str, str]]
) -> None:
    phones = _ten_digit_phones(20_000, seed=7)
    phones += [row["Phone"] for rows in (nevada_rows, oklahoma_rows, texas_rows) for row in rows]
    kept = 0
    for phone in phones:
        result = to_e164(phone)
        assert result == _parse_with_library(clean(phone)), phone
        kept += result.e164 is not None
    # Both outcomes are exercised: kept numbers and rejected ones.
    assert 0 < kept < len(phones)


def test_every_crm_dummy_phone_is_rejected(crm_rows: list[dict[str, str]]) -> None:
    values = [row[col] for row in crm_rows for col in ("phone", "mobile_phone")]
    assert len(values) == 78
    assert {to_e164(value).problem for value in values} == {"invalid_phone"}


def test_phones_table_shape_and_nulls() -> None:
    raws = ["(209) 747-1797", None, "346.393.9400 ext 2", "", "N/A", "(209) 747-1797"]
    table = phones_table(pa.array(raws))
    assert table.column_names == ["raw_value", "e164", "extension", "problem"]
    assert all(field.type == pa.string() for field in table.schema)
    # One row per distinct non-NULL value, first-seen order.
    assert table.to_pylist() == [
        {
            "raw_value": "(209) 747-1797",
            "e164": "+12097471797",
            "extension": None,
            "problem": None,
        },
        {
            "raw_value": "346.393.9400 ext 2",
            "e164": "+13463939400",
            "extension": "2",
            "problem": None,
        },
        {"raw_value": "", "e164": None, "extension": None, "problem": None},
        {
            "raw_value": "N/A",
            "e164": None,
            "extension": None,
            "problem": "invalid_phone",
        },
    ]


def test_phones_table_accepts_lists_chunked_arrays_and_empty_input() -> None:
    chunked = pa.chunked_array([["346-393-9400"], ["(209) 747-1797", None]])
    assert phones_table(chunked).num_rows == 2
    assert phones_table(["346-393-9400"]).num_rows == 1
    empty = phones_table([])
    assert empty.num_rows == 0
    assert empty.column_names == ["raw_value", "e164", "extension", "problem"]


def test_phones_table_rejects_non_text() -> None:
    with pytest.raises(TypeError, match="expected raw text values"):
        phones_table([3463939400])


def test_phones_table_reads_each_value_as_to_e164_does(
    nevada_rows: list[dict[str, str]], texas_rows: list[dict[str, str]], crm_rows: list[dict[str, str]]
) -> None:
    """The table reads plain values in bulk: the same rows as parsing each value on its own."""
    rng = random.Random(11)
    phones = _ten_digit_phones(20_000, seed=3)
    # Plain shapes with whitespace around or inside, and a few characters that are not plain.
    phones += [rng.choice((" {}", "{} ", "{}\n", "{}  ", "+1 {}", "{} x7", "{}9")).format(p) for p in phones[:3000]]
    phones += [p.replace("-", "  ", 1) for p in phones[:500]]
    phones += [row["Phone"] for rows in (nevada_rows, texas_rows) for row in rows]
    phones += [row[column] for row in crm_rows for column in ("phone", "mobile_phone")]
    table = phones_table(phones)
    expected = [to_e164(raw) for raw in table.column("raw_value").to_pylist()]
    assert table.drop(["raw_value"]).to_pylist() == [
        {"e164": r.e164, "extension": r.extension, "problem": r.problem} for r in expected
    ]
    kept = sum(r.e164 is not None for r in expected)
    assert 0 < kept < len(expected) and any(r.extension for r in expected)
