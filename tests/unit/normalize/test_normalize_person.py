import pyarrow as pa
import pytest

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

# --- one cell, first person -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "first", "last"),
    [
        ("BETHANY JOHNSON", "Bethany", "Johnson"),
        ("ANDREA MCDANIEL", "Andrea", "McDaniel"),
        ("DEANNE MCMAHAN", "Deanne", "McMahan"),
        ("DONALD MACDONALD", "Donald", "MacDonald"),
        ("MARY O'BRIEN", "Mary", "O'Brien"),
        ("KIMBERLI HELAIRE-SMITH", "Kimberli", "Helaire-Smith"),
        ("ERIKA VAN RHYN", "Erika", "van Rhyn"),
        ("LINDA K. CARTER", "Linda", "Carter"),  # middle initial dropped
        ("MARY ANN SMITH", "Mary", "Smith"),
        ("JOHN SMITH JR.", "John", "Smith"),  # suffix dropped
        ("JOHN SMITH, JR.", "John", "Smith"),
        ("SMITH, JOHN A", "John", "Smith"),
        ("Dr. Jane Doe", "Jane", "Doe"),
        ("Vonda McCoy", "Vonda", "McCoy"),  # mixed case kept
        ("  bethany   johnson  ", "Bethany", "Johnson"),
        ("josé garcía", "José", "García"),
        # Several people: first names, then last names in the same order.
        ("TANIA & NICOLE PINEDA & POBLETE", "Tania", "Pineda"),
        ("JAINI AND STACY JARIWALA AND SURVIS", "Jaini", "Jariwala"),
        ("ANASTASIA, KASHMIR EDEY, SHAFER", "Anastasia", "Edey"),
        ("JASMINE & ARGIE, TILLMAN & REYES", "Jasmine", "Tillman"),
        ("ALEKSANDRA & KATIE LIPSKA HALLOCK & MEEKER", "Aleksandra", "Lipska Hallock"),
        # Shared last name, or full names one after another.
        ("JOHN & JANE SMITH", "John", "Smith"),
        ("JOHN, JANE & BOB SMITH", "John", "Smith"),
        ("JOHN AND JANE SMITH-JONES", "John", "Smith-Jones"),
        ("JOHN/JANE DOE", "John", "Doe"),
        ("JOHN SMITH & JANE DOE", "John", "Smith"),
        ("SANDY ANDERSON", "Sandy", "Anderson"),  # AND inside a word is no separator
    ],
)
def test_parse_person(raw: str, first: str, last: str) -> None:
    assert parse_person(raw) == PersonName(first, last, None, None)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_blank_person(raw: str | None) -> None:
    assert parse_person(raw) == PersonName(None, None, None, None)


@pytest.mark.parametrize(
    ("raw", "first"),
    [("madonna", "Madonna"), ("JOHN & JANE", "John"), ("&", None), (", ,", None)],
)
def test_incomplete_person_is_a_problem(raw: str, first: str | None) -> None:
    assert parse_person(raw) == PersonName(first, None, None, "unparsed_name")


def test_full_name() -> None:
    assert parse_person("BETHANY JOHNSON").full_name == "Bethany Johnson"
    assert parse_person("madonna").full_name == "Madonna"
    assert parse_person("").full_name is None


# --- Oklahoma caregiver -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            "Elizabeth Hellstrom\n \n Primary Caregiver",
            PersonName("Elizabeth", "Hellstrom", "Primary Caregiver"),
        ),
        (
            "ANDREA MCDANIEL\r\n \r\n Primary Caregiver",
            PersonName("Andrea", "McDaniel", "Primary Caregiver"),
        ),
        ("Symira Clifton\n \n Director", PersonName("Symira", "Clifton", "Director")),
        ("Elizabeth Hellstrom", PersonName("Elizabeth", "Hellstrom", None)),
        (
            "\n \n Primary Caregiver",
            PersonName(None, None, "Primary Caregiver", "unparsed_name"),
        ),
        (
            "Madonna\n\nDirector",
            PersonName("Madonna", None, "Director", "unparsed_name"),
        ),
        (None, PersonName(None, None)),
        ("", PersonName(None, None)),
        (" \n ", PersonName(None, None)),
    ],
)
def test_parse_caregiver(cell: str | None, expected: PersonName) -> None:
    assert parse_caregiver(cell) == expected


# --- Oklahoma licensee ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("company", "expected"),
    [
        (
            "BRIGGS, DASHESHIA DBA DEELIGHTFUL LEARNING STATION, LLC",
            Licensee(
                "BRIGGS, DASHESHIA",
                "DEELIGHTFUL LEARNING STATION, LLC",
                "Dasheshia",
                "Briggs",
            ),
        ),
        (
            "HELLSTROM, ELIZABETH",
            Licensee("HELLSTROM, ELIZABETH", "HELLSTROM, ELIZABETH", "Elizabeth", "Hellstrom"),
        ),
        (
            "  HELLSTROM,   ELIZABETH ",
            Licensee("HELLSTROM, ELIZABETH", "HELLSTROM, ELIZABETH", "Elizabeth", "Hellstrom"),
        ),
        (
            "KHALID, EARNESTINE SHAKETTA DBA LIL DUMPLIN'S, LLC",
            Licensee(
                "KHALID, EARNESTINE SHAKETTA",
                "LIL DUMPLIN'S, LLC",
                "Earnestine",
                "Khalid",
            ),
        ),
        (
            "smith, jane d/b/a Happy Kids",
            Licensee("smith, jane", "Happy Kids", "Jane", "Smith"),
        ),
        (
            "SMITH, JANE D.B.A. KIDS",
            Licensee("SMITH, JANE", "KIDS", "Jane", "Smith"),
        ),
        (
            "JOHN SMITH dba Kids Place",
            Licensee("JOHN SMITH", "Kids Place", None, None),  # not LAST, FIRST
        ),
        (
            "DEVELOPING FOUNDATIONS, LLC",
            Licensee("DEVELOPING FOUNDATIONS, LLC", "DEVELOPING FOUNDATIONS, LLC", None, None),
        ),
        (
            "KIDZ ROCK CHILD DEVELOPMENT CENTER",
            Licensee(
                "KIDZ ROCK CHILD DEVELOPMENT CENTER",
                "KIDZ ROCK CHILD DEVELOPMENT CENTER",
                None,
                None,
            ),
        ),
        ("SMITH, 123", Licensee("SMITH, 123", "SMITH, 123", None, None)),
        (
            "SMITH, JANE DBAXYZ",  # DBA must stand alone
            Licensee("SMITH, JANE DBAXYZ", "SMITH, JANE DBAXYZ", "Jane", "Smith"),
        ),
        (
            "ABBA DBA",  # nothing after DBA
            Licensee("ABBA DBA", "ABBA DBA", None, None, "unparsed_licensee"),
        ),
        (None, Licensee(None, None, None, None)),
        ("  ", Licensee(None, None, None, None)),
    ],
)
def test_parse_licensee(company: str | None, expected: Licensee) -> None:
    assert parse_licensee(company) == expected


# Company -> caregiver first, last, title; licensee, company, licensee first, last.
# fmt: off
OKLAHOMA = [
    ("HELLSTROM, ELIZABETH", "Elizabeth", "Hellstrom", "Primary Caregiver", "HELLSTROM, ELIZABETH", "HELLSTROM, ELIZABETH", "Elizabeth", "Hellstrom"),
    ("BRIGGS, DASHESHIA DBA DEELIGHTFUL LEARNING STATION, LLC", "Dasheshia", "Briggs", "Primary Caregiver", "BRIGGS, DASHESHIA", "DEELIGHTFUL LEARNING STATION, LLC", "Dasheshia", "Briggs"),
    ("MUDDY PUDDLES LEARNING SPACE, LLC", "Symira", "Clifton", "Director", "MUDDY PUDDLES LEARNING SPACE, LLC", "MUDDY PUDDLES LEARNING SPACE, LLC", None, None),
    ("CLIFTON, SYMIRA DBA MUDDY PUDDLES LEARNING SPACE, LLC", "Symira", "Clifton", "Primary Caregiver", "CLIFTON, SYMIRA", "MUDDY PUDDLES LEARNING SPACE, LLC", "Symira", "Clifton"),
    ("COFFIN, CASANDRA DBA LEAPS OF FUN LLC", "Casandra", "Coffin", "Primary Caregiver", "COFFIN, CASANDRA", "LEAPS OF FUN LLC", "Casandra", "Coffin"),
    ("SCHMIDT, KELA", "Kela", "Schmidt", "Primary Caregiver", "SCHMIDT, KELA", "SCHMIDT, KELA", "Kela", "Schmidt"),
    ("SELLENS, RANDI DBA THE GROWING PATCH HOME CHILDCARE", "Randi", "Sellens", "Primary Caregiver", "SELLENS, RANDI", "THE GROWING PATCH HOME CHILDCARE", "Randi", "Sellens"),
    ("OKUDO, MIA DBA LITTLE LIGHT UNIVERSITY LLC", "Mia", "Okudo", "Primary Caregiver", "OKUDO, MIA", "LITTLE LIGHT UNIVERSITY LLC", "Mia", "Okudo"),
    ("URBAN, CHARINA", "Charina", "Urban", "Primary Caregiver", "URBAN, CHARINA", "URBAN, CHARINA", "Charina", "Urban"),
    ("CLEEK, AMANDA", "Amanda", "Cleek", "Primary Caregiver", "CLEEK, AMANDA", "CLEEK, AMANDA", "Amanda", "Cleek"),
    ("JOHNSON, ROSHONDA", "Roshonda", "Johnson", "Primary Caregiver", "JOHNSON, ROSHONDA", "JOHNSON, ROSHONDA", "Roshonda", "Johnson"),
    ("KHALID, EARNESTINE SHAKETTA DBA LIL DUMPLIN'S, LLC", "Earnestine", "Khalid", "Primary Caregiver", "KHALID, EARNESTINE SHAKETTA", "LIL DUMPLIN'S, LLC", "Earnestine", "Khalid"),
    ("CORNELSON, ASHLEY", "Ashley", "Cornelson", "Primary Caregiver", "CORNELSON, ASHLEY", "CORNELSON, ASHLEY", "Ashley", "Cornelson"),
    ("CHILDS, TUNICIA DBA MRS. CHILDS LITTLE LEARNING CENTER", "Tunicia", "Childs", "Primary Caregiver", "CHILDS, TUNICIA", "MRS. CHILDS LITTLE LEARNING CENTER", "Tunicia", "Childs"),
    ("TALMAGE, LYNSEY", "Lynsey", "Talmage", "Primary Caregiver", "TALMAGE, LYNSEY", "TALMAGE, LYNSEY", "Lynsey", "Talmage"),
    ("MCCOY, VONDA DBA DRAKE'S PLACE", "Vonda", "McCoy", "Primary Caregiver", "MCCOY, VONDA", "DRAKE'S PLACE", "Vonda", "McCoy"),
    ("MANN, CAROLYN", "Carolyn", "Mann", "Primary Caregiver", "MANN, CAROLYN", "MANN, CAROLYN", "Carolyn", "Mann"),
    ("MAYNARD, GEORGIA", "Georgia", "Maynard", "Primary Caregiver", "MAYNARD, GEORGIA", "MAYNARD, GEORGIA", "Georgia", "Maynard"),
    ("HAWKINS, MONICA", "Monica", "Hawkins", "Primary Caregiver", "HAWKINS, MONICA", "HAWKINS, MONICA", "Monica", "Hawkins"),
    ("ROBINSON, KATRINA DBA WIGGLES AND GIGGLES ,LLC", "Katrina", "Robinson", "Primary Caregiver", "ROBINSON, KATRINA", "WIGGLES AND GIGGLES ,LLC", "Katrina", "Robinson"),
    ("MCDANIEL, ANDREA", "Andrea", "McDaniel", "Primary Caregiver", "MCDANIEL, ANDREA", "MCDANIEL, ANDREA", "Andrea", "McDaniel"),
    ("WADDLE, TIA", "Tia", "Waddle", "Primary Caregiver", "WADDLE, TIA", "WADDLE, TIA", "Tia", "Waddle"),
    ("TAYLOR, CARA", "Cara", "Taylor", "Primary Caregiver", "TAYLOR, CARA", "TAYLOR, CARA", "Cara", "Taylor"),
    ("TRAVIS, ROBERTA", "Roberta", "Travis", "Primary Caregiver", "TRAVIS, ROBERTA", "TRAVIS, ROBERTA", "Roberta", "Travis"),
    ("KIDZ ROCK CHILD DEVELOPMENT CENTER", "Colyn", "Cade", "Director", "KIDZ ROCK CHILD DEVELOPMENT CENTER", "KIDZ ROCK CHILD DEVELOPMENT CENTER", None, None),
    ("DEVELOPING FOUNDATIONS, LLC", "Nancy", "Smith", "Director", "DEVELOPING FOUNDATIONS, LLC", "DEVELOPING FOUNDATIONS, LLC", None, None),
    ("CARTER, LINDA K. DBA YES I CAN! LEARNING CENTER", "Linda", "Carter", "Primary Caregiver", "CARTER, LINDA K.", "YES I CAN! LEARNING CENTER", "Linda", "Carter"),
    ("COMMEY, SELENA", "Selena", "Commey", "Primary Caregiver", "COMMEY, SELENA", "COMMEY, SELENA", "Selena", "Commey"),
]
# fmt: on


def test_every_real_oklahoma_caregiver_and_licensee(
    oklahoma_rows: list[dict[str, str]],
) -> None:
    expected = {row[0]: row[1:] for row in OKLAHOMA}
    assert len(oklahoma_rows) == len(expected) == 28
    for row in oklahoma_rows:
        first, last, title, licensee, company, l_first, l_last = expected[row["Company"]]
        assert parse_caregiver(row["Primary Caregiver"]) == PersonName(first, last, title)
        assert parse_licensee(row["Company"]) == Licensee(licensee, company, l_first, l_last)


# --- Nevada contact ---------------------------------------------------------------------


def test_parse_contact() -> None:
    assert parse_contact("BETHANY JOHNSON", "Owner") == Contact("Bethany", "Johnson", "Owner", "Bethany Johnson")
    assert parse_contact("TANIA & NICOLE PINEDA & POBLETE", "Director") == Contact("Tania", "Pineda", "Director", None)
    assert parse_contact("JAINI & SANDRA JARIWALA & CRAMER", "Owner") == Contact(
        "Jaini", "Jariwala", "Owner", "Jaini Jariwala"
    )
    assert parse_contact("ANITA HEUYARD", " Person in  Charge ") == Contact(
        "Anita", "Heuyard", "Person in Charge", None
    )
    assert parse_contact(None, "Owner") == Contact(None, None, "Owner", None)
    assert parse_contact("X", None) == Contact("X", None, None, None, "unparsed_name")


@pytest.mark.parametrize("role", ["Owner", "OWNER", " owner "])
def test_owner_role(role: str) -> None:
    assert is_owner(role)


@pytest.mark.parametrize("role", [None, "", "Co-Owner", "Director", "Other"])
def test_not_owner_role(role: str | None) -> None:
    assert not is_owner(role)


# --- batches ----------------------------------------------------------------------------


def test_people_table() -> None:
    table = people_table(pa.array(["TANIA & NICOLE PINEDA & POBLETE", None, "", "madonna"]))
    assert table.column_names == [
        "raw_value",
        "first_name",
        "last_name",
        "full_name",
        "problem",
    ]
    assert all(field.type == pa.string() for field in table.schema)
    assert table.to_pylist() == [
        {
            "raw_value": "TANIA & NICOLE PINEDA & POBLETE",
            "first_name": "Tania",
            "last_name": "Pineda",
            "full_name": "Tania Pineda",
            "problem": None,
        },
        {
            "raw_value": "",
            "first_name": None,
            "last_name": None,
            "full_name": None,
            "problem": None,
        },
        {
            "raw_value": "madonna",
            "first_name": "Madonna",
            "last_name": None,
            "full_name": "Madonna",
            "problem": "unparsed_name",
        },
    ]


def test_caregivers_table() -> None:
    cell = "Elizabeth Hellstrom\n \n Primary Caregiver"
    table = caregivers_table([cell, cell, None])
    assert table.column_names == [
        "raw_value",
        "first_name",
        "last_name",
        "title",
        "problem",
    ]
    assert table.to_pylist() == [
        {
            "raw_value": cell,
            "first_name": "Elizabeth",
            "last_name": "Hellstrom",
            "title": "Primary Caregiver",
            "problem": None,
        }
    ]


def test_licensees_table() -> None:
    table = licensees_table(["BRIGGS, DASHESHIA DBA DEELIGHTFUL LEARNING STATION, LLC", None])
    assert table.column_names == [
        "raw_value",
        "licensee_name",
        "company",
        "first_name",
        "last_name",
        "problem",
    ]
    assert table.num_rows == 1
    assert table.column("company").to_pylist() == ["DEELIGHTFUL LEARNING STATION, LLC"]
