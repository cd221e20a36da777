"""The SQL normalization rules (dbt macros in leads/macros/rules/), run on DuckDB case by case.

Each test renders one macro over a table of raw values and compares every result with the value
written here by hand. Dates are also run through the portable (`default__`) variant that
PostgreSQL uses, which must agree with DuckDB's on every case.
"""

from __future__ import annotations

import random
from datetime import date

import duckdb
import pytest

from tests.unit.sql.conftest import quote

SNAPSHOT_2024 = "2024-11-01"

DATE_CASES = [
    # (raw, snapshot date of the file, expected)
    ("9/25/96", SNAPSHOT_2024, date(1996, 9, 25)),
    ("7/1/22", SNAPSHOT_2024, date(2022, 7, 1)),
    ("12/1/13", SNAPSHOT_2024, date(2013, 12, 1)),
    ("9/16/94", SNAPSHOT_2024, date(1994, 9, 16)),
    ("6/10/02", SNAPSHOT_2024, date(2002, 6, 10)),
    ("6/30/34", SNAPSHOT_2024, date(2034, 6, 30)),  # ten years ahead: still this century
    ("1/1/35", SNAPSHOT_2024, date(1935, 1, 1)),  # eleven years ahead: last century
    ("1/1/35", "2025-01-15", date(2035, 1, 1)),  # the window moves with the file's year
    ("12/31/99", "2095-06-01", date(2099, 12, 31)),
    ("1/1/05", "2095-06-01", date(2105, 1, 1)),
    ("1/1/06", "2095-06-01", date(2006, 1, 1)),
    ("2020-09-02", None, date(2020, 9, 2)),  # no snapshot date: the window ends ten years after today
    ("9/25/96", None, date(1996, 9, 25)),
    ("9/25/1996", SNAPSHOT_2024, date(1996, 9, 25)),
    ("09/05/2023", SNAPSHOT_2024, date(2023, 9, 5)),
    ("2020-09-02", SNAPSHOT_2024, date(2020, 9, 2)),
    ("2020-9-2", SNAPSHOT_2024, date(2020, 9, 2)),
    ("  7/1/22  ", SNAPSHOT_2024, date(2022, 7, 1)),
    ("2/29/24", SNAPSHOT_2024, date(2024, 2, 29)),  # leap year
    ("2/29/00", SNAPSHOT_2024, date(2000, 2, 29)),  # divisible by 400: leap
    ("2/29/2100", SNAPSHOT_2024, None),  # divisible by 100 only: not leap
    ("2/29/23", SNAPSHOT_2024, None),
    ("2/30/21", SNAPSHOT_2024, None),
    ("4/31/21", SNAPSHOT_2024, None),
    ("13/1/22", SNAPSHOT_2024, None),
    ("0/10/22", SNAPSHOT_2024, None),
    ("1/0/22", SNAPSHOT_2024, None),
    ("2021-02-30", SNAPSHOT_2024, None),
    ("1/2/3", SNAPSHOT_2024, None),
    ("1/2/203", SNAPSHOT_2024, None),
    ("Monitoring since 2020-09-02", SNAPSHOT_2024, None),  # the prefix is Oklahoma's to strip
    ("2023-06-01 6:35:38", SNAPSHOT_2024, None),  # the date part is the CRM's to cut
    ("Sept 5, 2023", SNAPSHOT_2024, None),
    ("", SNAPSHOT_2024, None),
    (None, SNAPSHOT_2024, None),
]


@pytest.mark.parametrize("macro", ["parse_date", "default__parse_date"])
def test_parse_date(evaluate, macro):
    results = evaluate(
        ["raw", "snapshot"],
        [(raw, snapshot) for raw, snapshot, _ in DATE_CASES],
        "{{ " + macro + "('raw', 'snapshot') }}",
        ["varchar", "date"],
    )
    assert list(zip([c[0] for c in DATE_CASES], results, strict=True)) == [(c[0], c[2]) for c in DATE_CASES]


def test_email_address(evaluate):
    cases = {
        "sylvia@kstreetlearningcenter.com": "sylvia@kstreetlearningcenter.com",
        "  MISS_AWESOME79@YAHOO.COM ": "miss_awesome79@yahoo.com",
        "Ashley_cornelson@yahoo.com": "ashley_cornelson@yahoo.com",
        "kidz1.2me@yahoo.com": "kidz1.2me@yahoo.com",
        "first.last+tag@sub.example.org": "first.last+tag@sub.example.org",
        "symira24@gmail": None,
        "symira24@gmail.": None,
        "@gmail.com": None,
        "a@b@c.com": None,
        "a b@c.de": None,
        "N/A": None,
        "none": None,
        "": None,
        None: None,
    }
    results = evaluate(["raw"], [(raw,) for raw in cases], "{{ email_address('raw') }}")
    assert dict(zip(cases, results, strict=True)) == cases


def test_zip5(evaluate):
    cases = {
        "89123": "89123",
        " 73099 ": "73099",
        "02134": "02134",  # leading zero kept
        "89123-1234": "89123",
        "891231234": "89123",
        "7302": None,
        "891234": None,
        "89123-12": None,
        "A2N 2Z6": None,
        "": None,
        None: None,
    }
    results = evaluate(["raw"], [(raw,) for raw in cases], "{{ zip5('raw') }}")
    assert dict(zip(cases, results, strict=True)) == cases


def test_positive_integer(evaluate):
    cases = {
        "82": 82,
        " 12 ": 12,
        "007": 7,
        "12.0": 12,
        "0": None,
        "-3": None,
        "12.5": None,
        "1,200": None,
        "": None,
        None: None,
    }
    results = evaluate(["raw"], [(raw,) for raw in cases], "{{ positive_integer('raw') }}")
    assert dict(zip(cases, results, strict=True)) == cases


def test_yes_no(evaluate):
    cases = {
        "Y": True,
        " y ": True,
        "Yes": True,
        "TRUE": True,
        "1": True,
        "Accepts Subsidy": True,  # the extra word given below
        "N": False,
        "no": False,
        "FALSE": False,
        "0": False,
        "maybe": None,
        "Year Round": None,
        "": None,
        None: None,
    }
    results = evaluate(["raw"], [(raw,) for raw in cases], "{{ yes_no('raw', extra_yes=['Accepts Subsidy']) }}")
    assert dict(zip(cases, results, strict=True)) == cases


def test_opening_hours(evaluate):
    cases = {
        "7:30AM - 5:30PM": "7:30AM-5:30PM",
        "6:00am-6:00pm": "6:00AM-6:00PM",
        "12:00AM - 12:00AM": None,  # ends where it starts: around the clock, or no hours given?
        "7AM-7:00am": None,
        "5:30AM - 11:59PM": "5:30AM-11:59PM",
        "7 AM - 5 PM": "7AM-5PM",
        "CLOSED": "Closed",
        " closed ": "Closed",
        "13:00PM - 5:00PM": None,
        "7:30 - 5:30": None,
        "24 hours": None,
        "": None,
        None: None,
    }
    results = evaluate(["raw"], [(raw,) for raw in cases], "{{ opening_hours('raw') }}")
    assert dict(zip(cases, results, strict=True)) == cases


def test_the_problem_of_hours_that_are_no_opening_hours(evaluate):
    cases = {
        "12:00AM - 12:00AM": "ambiguous_schedule",
        "12am-12:00AM": "ambiguous_schedule",
        "7:30 - 5:30": "invalid_hours",
        "24 hours": "invalid_hours",
        "13:00PM - 5:00PM": "invalid_hours",
    }
    results = evaluate(["raw"], [(raw,) for raw in cases], "{{ hours_problem('raw') }}")
    assert dict(zip(cases, results, strict=True)) == cases


DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAY = "7:30AM - 5:30PM"
SCHEDULES = [
    ([WEEKDAY] * 5 + ["CLOSED"] * 2, "Mon-Fri 7:30AM-5:30PM; Sat-Sun Closed"),
    (
        [WEEKDAY] * 4 + ["7:30AM - 5:15PM", "CLOSED", "CLOSED"],
        "Mon-Thu 7:30AM-5:30PM; Fri 7:30AM-5:15PM; Sat-Sun Closed",
    ),
    (["12:00AM - 12:00AM"] * 7, None),  # ambiguous hours are left out (and reported by staging)
    (["CLOSED"] * 5 + ["6:00AM - 6:00PM"] * 2, "Mon-Fri Closed; Sat-Sun 6:00AM-6:00PM"),
    (
        [WEEKDAY, "CLOSED", WEEKDAY, WEEKDAY, "CLOSED", "CLOSED", WEEKDAY],
        "Mon 7:30AM-5:30PM; Tue Closed; Wed-Thu 7:30AM-5:30PM; Fri-Sat Closed; Sun 7:30AM-5:30PM",
    ),
    # a day without hours (blank or unreadable) is left out and splits a run
    (
        [WEEKDAY, None, WEEKDAY, WEEKDAY, "junk", "CLOSED", "CLOSED"],
        "Mon 7:30AM-5:30PM; Wed-Thu 7:30AM-5:30PM; Sat-Sun Closed",
    ),
    (["7:30 AM - 5:30 PM", "7:30AM-5:30PM", "7:30am - 5:30pm", WEEKDAY, WEEKDAY, None, None], "Mon-Fri 7:30AM-5:30PM"),
    ([None] * 6 + ["CLOSED"], "Sun Closed"),
    ([None] * 7, None),
]


def test_schedule(duckdb_macros):
    hours = ", ".join(f"{{{{ opening_hours('{d}') }}}} as {d}_hours" for d in DAYS)
    days = ", ".join(f"('{d.title()}', '{d}_hours')" for d in DAYS)
    weeks = ", ".join(
        "(" + ", ".join([str(i)] + [f"cast({quote(v)} as varchar)" for v in week]) + ")"
        for i, (week, _) in enumerate(SCHEDULES)
    )
    sql = (
        f"select {{{{ schedule([{days}]) }}}} from ("
        f"select n, {hours} from (values {weeks}) as week (n, {', '.join(DAYS)})"
        ") as opening order by n"
    )
    results = [row[0] for row in duckdb.sql(duckdb_macros.render(sql)).fetchall()]
    assert results == [expected for _, expected in SCHEDULES]


def test_age_group(evaluate):
    cases = {
        "Infants (0-11 months)": "Infants",
        "Toddlers (12-23 months; 1yr.)": "Toddlers",
        "Preschool (24-48 months; 2-4 yrs.)": "Preschool",
        "Pre-School": "Preschool",
        "School-age (5 years-older)": "School-age",
        "SCHOOL AGE": "School-age",
        "infant": "Infants",
        "Accepts Subsidy": None,
        "Daytime Hours": None,
        "Teens": None,
        "": None,
        None: None,
    }
    results = evaluate(["raw"], [(raw,) for raw in cases], "{{ age_group('raw') }}")
    assert dict(zip(cases, results, strict=True)) == cases


AGE_FLAGS = [
    ((True, True, True, True), ("Infants, Toddlers, Preschool, School-age", 0, 155)),
    ((False, True, True, False), ("Toddlers, Preschool", 12, 59)),
    ((True, False, False, False), ("Infants", 0, 11)),
    ((False, False, False, True), ("School-age", 60, 155)),
    ((True, False, False, True), ("Infants, School-age", 0, 155)),
    ((False, False, True, None), ("Preschool", 24, 59)),
    ((False, False, False, False), (None, None, None)),
    ((None, None, None, None), (None, None, None)),
]


def test_age_columns(duckdb_macros):
    rows = ", ".join(
        "(" + ", ".join([str(i)] + [f"cast({quote(v)} as boolean)" for v in served]) + ")"
        for i, (served, _) in enumerate(AGE_FLAGS)
    )
    sql = (
        "select {{ age_columns({'Infants': 'i', 'Toddlers': 't', 'Preschool': 'p', 'School-age': 's'}) }} "
        f"from (values {rows}) as flags (n, i, t, p, s) order by n"
    )
    assert duckdb.sql(duckdb_macros.render(sql)).fetchall() == [expected for _, expected in AGE_FLAGS]


def test_clean_text(evaluate):
    cases = {
        "  8889 S. EASTERN AVE.,  STE 160 ": "8889 S. EASTERN AVE., STE 160",
        "Elizabeth Hellstrom\n \n Primary Caregiver": "Elizabeth Hellstrom Primary Caregiver",
        "a\tb\r\nc": "a b c",
        "a\vb\fc": "a b c",
        "\ta  b ": "a b",
        "a\u00a0b": "a\u00a0b",  # a no-break space is not whitespace to collapse
        "   ": None,
        "": None,
        None: None,
    }
    results = evaluate(["raw"], [(raw,) for raw in cases], "{{ clean_text('raw') }}")
    assert dict(zip(cases, results, strict=True)) == cases


def test_clean_text_on_duckdb_agrees_with_the_portable_rule(evaluate):
    """DuckDB skips the replacement for values with nothing to collapse: same result on any mix."""
    rng = random.Random(5)
    alphabet = ["a", "b", " ", " ", "\t", "\n", "\r", "\v", "\f", "\u00a0"]
    cases = [("".join(rng.choices(alphabet, k=rng.randint(0, 7))),) for _ in range(3000)]
    duckdb_rule = evaluate(["raw"], cases, "{{ clean_text('raw') }}")
    portable_rule = evaluate(["raw"], cases, "{{ default__clean_text('raw') }}")
    assert duckdb_rule == portable_rule
    assert sum(value is None for value in duckdb_rule) > 100  # blank mixes, each made NULL


def test_has_text_is_whether_clean_text_leaves_anything(evaluate):
    rng = random.Random(6)
    # every character DuckDB's trim() or the whitespace pattern takes, a few it leaves, and text
    blank = [chr(c) for c in (9, 10, 11, 12, 13, 32, 160, 5760, *range(8192, 8203), 8239, 8287, 12288)]
    alphabet = ["a", "\u200b", "\u0085", "\u2028", *blank]
    cases = [("".join(rng.choices(alphabet, k=rng.randint(0, 5))),) for _ in range(5000)] + [(None,)]
    has_text = evaluate(["raw"], cases, "{{ has_text('raw') }}")
    assert has_text == evaluate(["raw"], cases, "{{ clean_text('raw') }} is not null")
    assert has_text == evaluate(["raw"], cases, "{{ default__has_text('raw') }}")
    assert 100 < sum(has_text) < len(cases) - 100 and has_text[-1] is False


def test_join_present(evaluate):
    cases = [("a", "b", "c"), (None, "b", None), ("a", None, "c"), (None, None, None)]
    results = evaluate(["x", "y", "z"], cases, "{{ join_present(['x', 'y', 'z'], '; ') }}")
    assert results == ["a; b; c", "b", "a; c", None]


def test_record_lead_id(evaluate, postgres_macros):
    # A lead's id is the md5 of its anchor record's `source:natural_key`: the same on every engine.
    cases = [("source_1", "001-21"), ("source_3", "c")]
    expected = ["446ffdc1a1fcbfbb382e8f651f737266", "0f787061a0b56fac47e03be95cb16c05"]
    assert evaluate(["source", "natural_key"], cases, "{{ record_lead_id('source', 'natural_key') }}") == expected
    rendered = postgres_macros.render("{{ record_lead_id('source', 'natural_key') }}")
    assert rendered.strip().startswith("md5(")
