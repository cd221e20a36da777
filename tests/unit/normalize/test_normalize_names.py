import pyarrow as pa
import pytest

from leads_pipeline.stages.lookups.parsers.names import (
    DEFAULT_THRESHOLD,
    name_key,
    name_keys_table,
    name_similarity,
    names_similar,
)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("LITTLE SPROUT DAYCARE, LLC", "little sprout daycare"),
        ("DISCOVERY GARDENS CHILDCARE L.L.C.", "discovery gardens childcare"),
        (
            "5 Star Kids Daycare & Learning Center Corp.",
            "5 star kids daycare and learning center",
        ),
        (
            "GENERATION ALPHA ACADEMY & DAYCARE, LLC",
            "generation alpha academy and daycare",
        ),
        ("Eminent Stars Daycare Ltd", "eminent stars daycare"),
        ("Smith Family Care PLLC", "smith family care"),
        ("Kids Co", "kids"),
        ("ABC Partners LP", "abc partners"),
        ("Tiny TLC Child Care Inc", "tiny tlc childcare"),
        ("THE LITTLE EXPLORERS LLC", "little explorers"),
        ("Neighborhood School, The", "neighborhood school"),
        ("SUNSHINE ACADEMY PRE-SCHOOL", "sunshine academy preschool"),
        ("Sunshine Day Care Ctr", "sunshine daycare center"),
        (
            "CHILDREN'S LEARNING ADVENTURE - ROBINDALE",
            "childrens learning adventure robindale",
        ),
        ("MY LITTLE ANGELíS HOME DAYCARE LLC", "my little angels home daycare"),  # the apostrophe repaired
        ('K" Street Learning Center LLC"', "k street learning center"),
        ("  EOS   FITNESS -RUSSELL ", "eos fitness russell"),
        ("BRIGGS, DASHESHIA DBA DEELIGHTFUL LEARNING STATION, LLC", "deelightful learning station"),
        ("John Smith d/b/a Kids Place", "kids place"),
        ("ROBINSON, KATRINA DBA WIGGLES AND GIGGLES ,LLC", "wiggles and giggles"),
        ("ABBA DBA", "abba dba"),  # nothing after DBA: the whole name
        ("DBA KIDS", "dba kids"),  # DBA must follow a holder
        ("THE", "the"),  # only filler: kept rather than emptied
        ("", ""),
        (None, ""),
        ("---", ""),
    ],
)
def test_name_key(name: str | None, key: str) -> None:
    assert name_key(name) == key


SIMILAR = [
    ("Little Sprout Daycare", "LITTLE SPROUT DAYCARE, LLC"),
    ("GENERATION ALPHA ACADEMY & DAYCARE, LLC", "Generation Alpha Academy and Daycare"),
    ("SUNSHINE ACADEMY PRE-SCHOOL", "Sunshine Academy Preschool"),
    ("DISCOVERY GARDENS CHILDCARE L.L.C.", "Discovery Gardens Child Care"),
    ("MY LITTLE ANGELíS HOME DAYCARE LLC", "My Little Angel's Home Daycare"),
    (
        "THE KREATIVE MINDS DAYCARE",
        "Creative Minds Daycare",
    ),  # typo in the first letter
    ("KIDZ ROCK CHILD DEVELOPMENT CENTER", "Kids Rock Child Development Ctr"),
    ("Neighborhood School, The", "The Neighborhood School"),
    ("Learning Center ABC", "ABC Learning Center"),  # word order
    ("Kids Academy #2", "Kids Academy 2"),
]

NOT_SIMILAR = [
    # Sister sites of one operator, told apart by a location qualifier.
    (
        "Primrose of Las Vegas at Lone Mountain",
        "Primrose of Las Vegas at Silverado Ranch",
    ),
    ("MERRYHILL PRESCHOOL - ALTA", "MERRYHILL PRESCHOOL - DURANGO"),
    ("MERRYHILL PRESCHOOL - ALTA", "MERRYHILL PRESCHOOL - SNOW TRAIL"),
    ("EOS FITNESS - SAHARA", "EOS FITNESS -RUSSELL"),
    ("LA PETITE ACADEMY - HARBOR ISLAND", "LA PETITE ACADEMY - BOSECK"),
    ("LA PETITE ACADEMY", "LA PETITE ACADEMY - TECH CENTER"),
    (
        "SUNRISE CHILDREN'S FOUNDATION EARLY HEAD START - SPRING VALLEY",
        "SUNRISE CHILDREN'S FOUNDATION EARLY HEAD START - BOULDER CITY",
    ),
    # Numbered sites.
    ("ABC Learning Center", "ABC Learning Center II"),
    ("A Bar Z Ponderosa", "A Bar Z Ponderosa II"),
    ("1st Step Early Learning Center", "2nd Step Early Learning Center"),
    # Different businesses.
    ("1st Step Early Learning Center", "1st Step University Child Care"),
    ("SUNSHINE CHILD CARE", "SUNSHINE ACADEMY PRE-SCHOOL"),
    # Nothing to compare.
    ("", ""),
    (None, "Little Sprout Daycare"),
    ("---", "---"),
]


@pytest.mark.parametrize(("a", "b"), SIMILAR)
def test_similar_pairs(a: str, b: str) -> None:
    assert names_similar(a, b)
    assert names_similar(b, a)


@pytest.mark.parametrize(("a", "b"), NOT_SIMILAR)
def test_not_similar_pairs(a: str | None, b: str | None) -> None:
    assert not names_similar(a, b)
    assert not names_similar(b, a)


def test_threshold_is_a_parameter() -> None:
    a, b = "MERRYHILL PRESCHOOL - ALTA", "MERRYHILL PRESCHOOL - DURANGO"
    score = name_similarity(a, b)
    assert 0 < score < DEFAULT_THRESHOLD
    assert names_similar(a, b, threshold=score)
    assert not names_similar("Little Sprout Daycare", "Little Sprout Daycare LLC", threshold=101)


def test_name_keys_table() -> None:
    raws = ["A & B Nursery School", None, "", "---", "A & B Nursery School"]
    table = name_keys_table(pa.array(raws))
    assert table.column_names == ["raw_value", "name_key", "repaired", "problem"]
    assert table.to_pylist() == [
        {
            "raw_value": "A & B Nursery School",
            "name_key": "a and b nursery school",
            "repaired": None,
            "problem": None,
        },
        {"raw_value": "", "name_key": None, "repaired": None, "problem": None},
        {"raw_value": "---", "name_key": None, "repaired": None, "problem": "empty_name"},
    ]
