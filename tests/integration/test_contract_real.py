"""main_gold.leads on the real agency files, column by column against the data contract.

Golden rows: a handful of real records per source, every contract column written here by hand
from the raw record (columns not listed must be NULL). Whole-column invariants: every row of
every source, checked against the raw files read independently with Python's csv module.
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime

import pytest

from tests.conftest import REAL_FILES, REAL_RECORDS

pytestmark = pytest.mark.slow  # builds the dbt project

CONTRACT_COLUMNS = [
    "lead_id", "accepts_financial_aid", "ages_served", "capacity", "certificate_expiration_date", "city",
    "address1", "address2", "company", "phone", "phone2", "county", "curriculum_type", "email", "first_name",
    "last_name", "language", "license_status", "license_issued", "license_number", "license_renewed",
    "license_type", "licensee_name", "min_age", "max_age", "operator", "provider_id", "schedule", "state",
    "title", "website_address", "zip", "facility_type",
]  # fmt: skip
LINEAGE_COLUMNS = [
    "sources", "source_record_count", "match_rule", "first_seen_date", "last_seen_date", "is_active",
    "salesforce_lead_id", "salesforce_status", "salesforce_created_date", "salesforce_last_activity_date",
    "salesforce_is_converted", "is_net_new", "phone_extension", "licenses",
]  # fmt: skip

GOLDEN = {
    # ---------- Nevada: one-string addresses, contacts, M/D/YY dates
    ("source_1", "1473-23"): {
        "company": "RISING STAR PRESCHOOL AND CHILDCARE", "license_type": "CENTER", "license_status": "Active",
        "certificate_expiration_date": date(2024, 1, 31), "license_issued": date(2015, 2, 1),
        "address1": "8889 S. EASTERN AVE.", "address2": "STE 160", "city": "LAS VEGAS", "state": "NV",
        "zip": "89123", "county": "CLARK", "phone": "+17022092781", "first_name": "Tina", "last_name": "Fox",
        "title": "Director", "facility_type": "center",
    },
    ("source_1", "1250-23"): {
        "company": "FOUNDATIONS PRESCHOOL RAINBOW", "license_type": "CENTER (PROVISIONAL)", "license_status": "Active",
        "certificate_expiration_date": date(2023, 7, 31), "license_issued": date(2016, 7, 1),
        "address1": "7625 S. RAINBOW BLVD.", "address2": "STE 104-106", "city": "LAS VEGAS", "state": "NV",
        "zip": "89139", "county": "CLARK", "phone": "+17022145439", "first_name": "Nicole", "last_name": "Miner",
        "title": "Other", "facility_type": "center",
    },
    ("source_1", "1288-22"): {
        "company": "SUNRISE CHILDREN'S FOUNDATION EARLY HEAD START - SPRING VALLEY", "license_type": "CENTER",
        "license_status": "Active", "certificate_expiration_date": date(2023, 10, 31),
        "license_issued": date(2017, 1, 1), "address1": "2845 MOHAWK ST", "city": "LAS VEGAS", "state": "NV",
        "zip": "89146", "county": "CLARK", "phone": "+13622311137", "first_name": "Tania", "last_name": "Pineda",
        "title": "Director", "facility_type": "center",
    },
    ("source_1", "1164-22"): {
        "company": "CASCOS FAMILY DAYCARE", "license_type": "GROUP CARE", "license_status": "Active",
        "certificate_expiration_date": date(2023, 9, 30), "license_issued": date(2016, 10, 1),
        "address1": "1668 GATEWAY AVE", "city": "LAS VEGAS", "state": "NV", "zip": "89104", "county": "CLARK",
        "phone": "+17022419023", "first_name": "Olga", "last_name": "Cascos", "title": "Owner",
        "operator": "Olga Cascos", "facility_type": "home",
    },
    ("source_1", "1316-23"): {
        "company": "LIFE TIME ATHLETIC", "license_type": "ACCOMMODATION", "license_status": "Active",
        "certificate_expiration_date": date(2024, 4, 30), "license_issued": date(2016, 8, 1),
        "address1": "10721 W. CHARLESTON BLVD", "city": "LAS VEGAS", "state": "NV", "zip": "89135",
        "county": "CLARK", "phone": "+17022282611", "first_name": "Anita", "last_name": "Heuyard",
        "title": "Person in Charge", "facility_type": "other",
    },
    # ---------- Oklahoma: Type License, DBA, caregiver cell, day columns, age labels
    ("source_2", "K820055232"): {
        "license_type": "CHILD CARE FAMILY", "company": "HELLSTROM, ELIZABETH",
        "licensee_name": "HELLSTROM, ELIZABETH", "accepts_financial_aid": "No", "ages_served": "Toddlers, Preschool",
        "min_age": 12, "max_age": 59, "capacity": 7, "license_issued": date(2020, 9, 2),
        "schedule": "Mon-Fri 7:30AM-5:30PM; Sat-Sun Closed", "first_name": "Elizabeth", "last_name": "Hellstrom",
        "title": "Primary Caregiver", "phone": "+12097471797", "email": "doubletroubledaycareok@gmail.com",
        "address1": "10900 NW 38TH TERRACE", "city": "YUKON", "state": "OK", "zip": "73099", "facility_type": "home",
    },
    ("source_2", "K820055484"): {
        "license_type": "CHILD CARE FAMILY", "company": "DEELIGHTFUL LEARNING STATION, LLC",
        "licensee_name": "BRIGGS, DASHESHIA", "accepts_financial_aid": "Yes",
        "ages_served": "Infants, Toddlers, Preschool", "min_age": 0, "max_age": 59, "capacity": 12,
        "license_issued": date(2020, 12, 18), "schedule": "Mon-Fri 6:30AM-5:30PM; Sat-Sun Closed",
        "first_name": "Dasheshia", "last_name": "Briggs", "title": "Primary Caregiver", "phone": "+12147337201",
        "email": "dasheshiab@gmail.com", "address1": "2604 NW 115TH PL.", "city": "OKLAHOMA CITY", "state": "OK",
        "zip": "73120", "facility_type": "home",
    },
    ("source_2", "K820056248"): {
        "license_type": "CHILD CARE FAMILY", "company": "THE GROWING PATCH HOME CHILDCARE",
        "licensee_name": "SELLENS, RANDI", "accepts_financial_aid": "Yes",
        "ages_served": "Infants, Toddlers, Preschool, School-age", "min_age": 0, "max_age": 155, "capacity": 12,
        "license_issued": date(2022, 9, 19), "schedule": "Mon-Thu 7:30AM-5:15PM; Fri 7:30AM-5:30PM; Sat-Sun Closed",
        "first_name": "Randi", "last_name": "Sellens", "title": "Primary Caregiver", "phone": "+13166179108",
        "email": "randi_lynn32@hotmail.com", "address1": "10820 WILD HORSE CREEK DRIVE", "city": "YUKON",
        "state": "OK", "zip": "73099", "facility_type": "home",
    },
    ("source_2", "K830056761"): {
        "license_type": "CHILD CARE CENTER", "company": "MUDDY PUDDLES LEARNING SPACE, LLC",
        "licensee_name": "MUDDY PUDDLES LEARNING SPACE, LLC", "accepts_financial_aid": "Yes",
        "ages_served": "Infants, Toddlers, Preschool, School-age", "min_age": 0, "max_age": 155, "capacity": 71,
        "license_issued": date(2023, 5, 2), "schedule": "Mon-Fri 6:00AM-6:00PM; Sat-Sun Closed",
        "first_name": "Symira", "last_name": "Clifton", "title": "Director", "phone": "+12167035825",
        "email": "symira24@gmail.com", "address1": "1000 N JUNIPER PLACE", "city": "BROKEN ARROW", "state": "OK",
        "zip": "74012", "facility_type": "center",
    },
    # ---------- Texas: units in the street line, Y/N ages, two-digit years of two centuries
    ("source_3", "976846"): {
        "company": "1st Step Early Learning Center", "address1": "401 FM 685", "address2": "STE 104",
        "city": "PFLUGERVILLE", "state": "TX", "zip": "78660", "county": "TRAVIS", "phone": "+15122512276",
        "license_type": "Licensed Center - Child Care Program", "license_status": "Full Permit",
        "license_issued": date(2009, 11, 4), "capacity": 49, "email": "nikkie@1ststepearlylearning.com",
        "provider_id": "455568", "ages_served": "Infants, Toddlers, Preschool, School-age", "min_age": 0,
        "max_age": 155, "facility_type": "center",
    },
    ("source_3", "520954"): {
        "company": "1st UMC Parents Day Out", "address1": "4901 PAIGE RD", "city": "THE COLONY", "state": "TX",
        "zip": "75056", "county": "DENTON", "phone": "+19726252459", "license_type": "Licensed Center - Child Care Program",
        "license_status": "Full Permit", "license_issued": date(1996, 9, 25), "capacity": 99, "email": "pdo@fumctc.org",
        "provider_id": "145285", "ages_served": "Infants, Toddlers, Preschool, School-age", "min_age": 0,
        "max_age": 155, "facility_type": "center",
    },
    ("source_3", "1729615"): {
        "company": "123-Abc Learning Center", "address1": "5418 BAKERSFIELD ST", "city": "SAN ANTONIO",
        "state": "TX", "zip": "78228", "county": "BEXAR", "phone": "+12103853663",
        "license_type": "Licensed Child-Care Home", "license_status": "Full Permit", "license_issued": date(2022, 6, 14),
        "capacity": 12, "email": "lorena123abc@aol.com", "provider_id": "1390136",
        "ages_served": "Toddlers, Preschool, School-age", "min_age": 12, "max_age": 155, "facility_type": "home",
    },
    ("source_3", "1781337"): {  # the half-empty row
        "company": "5 Little Ducklings", "address1": "14649 BEECHNUT ST", "city": "HOUSTON", "state": "TX",
        "zip": "77083", "county": "HARRIS", "phone": "+12819886723", "license_type": "Licensed Center - Child Care Program",
        "provider_id": "1454773", "facility_type": "center",
    },
    ("source_3", "1239246"): {  # the broken-quote name, kept as written
        "company": 'K" Street Learning Center LLC"', "address1": "19290 K ST", "city": "SOMERSET", "state": "TX",
        "zip": "78069", "county": "BEXAR", "phone": "+18304291010", "license_type": "Licensed Center - Child Care Program",
        "license_status": "Full Permit", "license_issued": date(2011, 10, 13), "capacity": 82,
        "email": "sylvia@kstreetlearningcenter.com", "provider_id": "773628",
        "ages_served": "Infants, Toddlers, Preschool, School-age", "min_age": 0, "max_age": 155,
        "facility_type": "center",
    },
}  # fmt: skip

E164 = re.compile(r"\+1[2-9]\d{2}[2-9]\d{6}")


def read_raw(real_dir, source: str) -> list[dict[str, str]]:
    with (real_dir / REAL_FILES[source]).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def leads(real_run) -> dict[tuple[str, str], dict]:
    rows = real_run.dicts("SELECT * FROM main_gold.leads")
    return {(row["sources"], row["license_number"]): row for row in rows}


@pytest.fixture(scope="module")
def issues(real_run) -> set[tuple]:
    return set(
        real_run.query("SELECT source, record_number, column_name, raw_value, rule FROM main_gold.data_quality_issues")
    )


def test_the_run_builds_every_model_and_passes_every_test(real_run):
    transform = real_run.report.transform
    assert transform.failed_models == [] and transform.failed_tests == []
    assert transform.count("unit_test") >= 6
    assert transform.count("test") >= 50


def test_leads_columns_are_the_contract_then_lineage(real_run):
    columns = real_run.query(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main_gold' AND table_name = 'leads' ORDER BY ordinal_position"
    )
    assert [c[0] for c in columns] == CONTRACT_COLUMNS + LINEAGE_COLUMNS
    types = dict(columns)
    assert {c for c, t in types.items() if t == "DATE"} == {
        "certificate_expiration_date", "license_issued", "license_renewed", "first_seen_date", "last_seen_date",
        "salesforce_created_date", "salesforce_last_activity_date",
    }  # fmt: skip
    assert {c for c, t in types.items() if t == "INTEGER"} == {"capacity", "min_age", "max_age", "source_record_count"}


def test_one_lead_per_agency_record(real_run, leads):
    for source in ("source_1", "source_2", "source_3"):
        assert sum(1 for s, _ in leads if s == source) == REAL_RECORDS[source]


@pytest.mark.parametrize("key", list(GOLDEN), ids=lambda k: f"{k[0]}-{k[1]}")
def test_golden_rows(leads, key):
    row = leads[key]
    expected = {column: None for column in CONTRACT_COLUMNS if column != "lead_id"}
    expected.update(GOLDEN[key], license_number=key[1])
    assert row["lead_id"]
    assert {c: row[c] for c in expected} == expected


def test_staging_has_one_row_per_raw_row(real_run):
    for source, model in [
        ("source_1", "stg_source_1__facilities"),
        ("source_2", "stg_source_2__facilities"),
        ("source_3", "stg_source_3__facilities"),
        ("salesforce", "stg_salesforce__leads"),
    ]:
        raw = real_run.query(f"SELECT _file_name, _record_number FROM raw.{source}_raw ORDER BY 1, 2")
        staged = real_run.query(f"SELECT file_name, record_number FROM main_staging.{model} ORDER BY 1, 2")
        assert staged == raw and len(raw) == REAL_RECORDS[source]


def staged_with_raw(real_run, source: str, model: str, raw_columns: str) -> list[dict]:
    return real_run.dicts(
        f"SELECT s.*, {raw_columns} FROM main_staging.{model} AS s "
        f"JOIN raw.{source}_raw AS r ON r._file_name = s.file_name AND r._record_number = s.record_number"
    )


@pytest.mark.parametrize(
    ("source", "model", "raw_phone"),
    [
        ("source_1", "stg_source_1__facilities", "phone"),
        ("source_2", "stg_source_2__facilities", "phone"),
        ("source_3", "stg_source_3__facilities", "phone"),
        ("salesforce", "stg_salesforce__leads", "phone"),
        ("salesforce", "stg_salesforce__leads", "mobile_phone"),
    ],
)
def test_every_phone_is_e164_of_its_digits_or_null_with_an_issue(real_run, issues, source, model, raw_phone):
    column = "mobile_phone" if raw_phone == "mobile_phone" else "phone"
    rows = staged_with_raw(real_run, source, model, f"r.{raw_phone} AS raw_phone")
    for row in rows:
        digits = re.sub(r"\D", "", row["raw_phone"] or "")
        if row[column] is not None:
            assert E164.fullmatch(row[column]) and row[column] == "+1" + digits[-10:]
        elif digits:
            assert (source, row["record_number"], column, row["raw_phone"], "invalid_phone") in issues
    if source == "salesforce":  # the CRM's dummy phones 1234567890, ... are all rejected
        assert all(row[column] is None for row in rows)
    else:
        assert all(row[column] is not None for row in rows)


def test_every_date_matches_an_independent_reading_of_the_raw_files(real_dir, leads):
    # Python's %y reads 00-68 as 20xx and 69-99 as 19xx, which agrees with the pipeline's window
    # (1935-2034 for the 2024 files) on every real date, 1994 to 2024.
    def read(text: str) -> date | None:
        return datetime.strptime(text, "%m/%d/%y").date() if text else None

    checked = 0
    for raw in read_raw(real_dir, "source_1"):
        lead = leads[("source_1", raw["Credential Number"])]
        assert lead["license_issued"] == read(raw["First Issue Date"])
        assert lead["certificate_expiration_date"] == read(raw["Expiration Date"])
        checked += 2
    for raw in read_raw(real_dir, "source_3"):
        assert leads[("source_3", raw["Operation"])]["license_issued"] == read(raw["Issue Date"])
        checked += 1
    for raw in read_raw(real_dir, "source_2"):
        number = raw["Type License"].rsplit(" - ", 1)[1]
        since = raw["License Monitoring Since"].removeprefix("Monitoring since ")
        assert leads[("source_2", number)]["license_issued"] == date.fromisoformat(since)
        checked += 1
    assert checked == 2 * 70 + 29 + 28


AGE_GROUPS = ["Infants", "Toddlers", "Preschool", "School-age"]
AGE_MONTHS = {"Infants": (0, 11), "Toddlers": (12, 23), "Preschool": (24, 59), "School-age": (60, 155)}


def expected_ages(groups: set[str]) -> tuple:
    served = [g for g in AGE_GROUPS if g in groups]
    if not served:
        return (None, None, None)
    return (", ".join(served), AGE_MONTHS[served[0]][0], AGE_MONTHS[served[-1]][1])


def test_ages_of_every_oklahoma_and_texas_record(real_dir, leads):
    for raw in read_raw(real_dir, "source_2"):
        labels = [raw[c] for c in ("Ages Accepted 1", "AA2", "AA3", "AA4") if raw[c]]
        groups = {label.split(" (")[0] for label in labels}
        lead = leads[("source_2", raw["Type License"].rsplit(" - ", 1)[1])]
        assert (lead["ages_served"], lead["min_age"], lead["max_age"]) == expected_ages(groups)
        # Evening Hours sometimes holds an age label (shifted): it never names a group the
        # AA columns miss, so not reading it loses nothing.
        shifted = raw["Evening Hours"].split(" (")[0]
        if shifted in AGE_GROUPS:
            assert shifted in lead["ages_served"]
    flags = {"Infant": "Infants", "Toddler": "Toddlers", "Preschool": "Preschool", "School": "School-age"}
    for raw in read_raw(real_dir, "source_3"):
        groups = {group for column, group in flags.items() if raw[column] == "Y"}
        lead = leads[("source_3", raw["Operation"])]
        assert (lead["ages_served"], lead["min_age"], lead["max_age"]) == expected_ages(groups)


DAYS = [("Mon", "Mon"), ("Tue", "Tues"), ("Wed", "Wed"), ("Thu", "Thurs"), ("Fri", "Friday"),
        ("Sat", "Saturday"), ("Sun", "Sunday")]  # fmt: skip
MOJIBAKE = ("í", "Ã", "â€")  # marks of mis-encoded text


def ends_where_it_starts(hours: str) -> bool:
    """`12:00AM - 12:00AM`: open around the clock, or no hours given."""
    start, dash, end = hours.replace(" ", "").replace(":00", "").partition("-")
    return bool(dash) and start == end


def test_every_oklahoma_schedule_lists_each_days_hours(real_dir, leads):
    order = [d for d, _ in DAYS]
    for raw in read_raw(real_dir, "source_2"):
        schedule = leads[("source_2", raw["Type License"].rsplit(" - ", 1)[1])]["schedule"]
        hours_by_day = {}
        for group in schedule.split("; ") if schedule else []:
            span, hours = group.split(" ", 1)
            first, _, last = span.partition("-")
            for day in order[order.index(first) : order.index(last or first) + 1]:
                hours_by_day[day] = hours
        expected = {
            day: raw[column].replace(" ", "").replace("CLOSED", "Closed")
            for day, column in DAYS
            if not ends_where_it_starts(raw[column])  # ambiguous: left out, and reported
        }
        assert hours_by_day == expected


def test_the_agency_issues_are_their_repaired_names_and_ambiguous_schedules(real_dir, real_run):
    names = {"source_1": "Name", "source_2": "Company", "source_3": "Operation Name"}
    expected = [
        (source, "company", raw[column], "text_repaired")
        for source, column in names.items()
        for raw in read_raw(real_dir, source)
        if any(mark in raw[column] for mark in MOJIBAKE)
    ]
    for raw in read_raw(real_dir, "source_2"):
        ambiguous = [(day, raw[column]) for day, column in DAYS if ends_where_it_starts(raw[column])]
        if ambiguous:  # the first day the schedule could not show
            expected.append(("source_2", "schedule", f"{ambiguous[0][0]}: {ambiguous[0][1]}", "ambiguous_schedule"))
    reported = real_run.query(
        "SELECT source, column_name, raw_value, rule FROM main_gold.data_quality_issues WHERE source <> 'salesforce'"
    )
    assert sorted(reported) == sorted(expected) and expected
    companies = [r[0] for r in real_run.query("SELECT company FROM main_gold.leads")]
    assert not any(mark in company for company in companies if company for mark in MOJIBAKE)


def test_text_columns_are_trimmed_and_normalized(real_run):
    rows = real_run.dicts("SELECT * FROM main_gold.leads")
    for row in rows:
        for column in CONTRACT_COLUMNS:
            value = row[column]
            if isinstance(value, str):
                assert value == " ".join(value.split()), (column, value)
        assert row["state"] == {"source_1": "NV", "source_2": "OK", "source_3": "TX"}[row["sources"]]
        assert row["zip"] is None or re.fullmatch(r"\d{5}", row["zip"])
        assert row["city"] is None or row["city"] == row["city"].upper()
        assert row["county"] is None or row["county"] == row["county"].upper()
        assert row["email"] is None or re.fullmatch(r"[^@\sA-Z]+@[^@\sA-Z]+\.[^@\s.A-Z]+", row["email"])
        assert row["facility_type"] in {"center", "home", "other"}
        assert row["capacity"] is None or row["capacity"] > 0


def test_facility_types_of_every_record(real_dir, leads):
    nevada = {"CENTER": "center", "CENTER (PROVISIONAL)": "center", "FAMILY CARE": "home",
              "FAMILY CARE (PROVISIONAL)": "home", "GROUP CARE": "home", "GROUP CARE (PROVISIONAL)": "home",
              "ACCOMMODATION": "other", "PERMITS": "other"}  # fmt: skip
    for raw in read_raw(real_dir, "source_1"):
        assert leads[("source_1", raw["Credential Number"])]["facility_type"] == nevada[raw["Credential Type"]]
    for raw in read_raw(real_dir, "source_2"):
        kind, number = raw["Type License"].rsplit(" - ", 1)
        assert (
            leads[("source_2", number)]["facility_type"]
            == {"CHILD CARE CENTER": "center", "CHILD CARE FAMILY": "home"}[kind]
        )
    for raw in read_raw(real_dir, "source_3"):
        expected = "home" if raw["Type"] == "Licensed Child-Care Home" else "center"
        assert leads[("source_3", raw["Operation"])]["facility_type"] == expected


STAGING_MODELS = {
    "source_1": "stg_source_1__facilities",
    "source_2": "stg_source_2__facilities",
    "source_3": "stg_source_3__facilities",
    "salesforce": "stg_salesforce__leads",
}


def test_every_problem_in_staging_is_an_issue_row(real_run):
    for source, model in STAGING_MODELS.items():
        problem_columns = [
            r[0][: -len("__problem")]
            for r in real_run.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main_staging' "
                "AND table_name = ? AND column_name LIKE '%\\_\\_problem' ESCAPE '\\'",
                [model],
            )
        ]
        assert {"phone", "address1"} <= set(problem_columns)
        unpivoted = " UNION ALL ".join(
            f"SELECT record_number, '{column}', CAST({column}__raw AS VARCHAR), {column}__problem "
            f"FROM staged WHERE {column}__problem IS NOT NULL"
            for column in problem_columns
        )
        staged = set(real_run.query(f"WITH staged AS (SELECT * FROM main_staging.{model}) {unpivoted}"))
        reported = set(
            real_run.query(
                "SELECT record_number, column_name, raw_value, rule FROM main_gold.data_quality_issues WHERE source = ?",
                [source],
            )
        )
        assert staged == reported


def test_staging_keeps_raw_text_only_beside_a_problem(real_run):
    problems = 0
    for model in STAGING_MODELS.values():
        columns = {
            r[0]
            for r in real_run.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main_staging' "
                "AND table_name = ?",
                [model],
            )
        }
        checked = [c[: -len("__raw")] for c in columns if c.endswith("__raw") and f"{c[:-5]}__problem" in columns]
        assert {"phone", "address1"} <= set(checked)
        kept = " + ".join(f"count(*) FILTER (WHERE {c}__raw IS NOT NULL AND {c}__problem IS NULL)" for c in checked)
        reported = " + ".join(f"count({c}__problem)" for c in checked)
        passed_with_text, reported_here = real_run.query(f"SELECT {kept}, {reported} FROM main_staging.{model}")[0]
        assert passed_with_text == 0, model
        problems += reported_here
    assert problems > 0  # the raw text beside a problem is kept: the issues test compares it


def test_the_crm_issues_are_its_dummy_phones_and_foreign_addresses(real_run):
    counts = dict(
        (tuple(r[:2]), r[2])
        for r in real_run.query(
            "SELECT column_name, rule, count(*) FROM main_gold.data_quality_issues WHERE source = 'salesforce' GROUP BY 1, 2"
        )
    )
    assert counts == {("phone", "invalid_phone"): 39, ("mobile_phone", "invalid_phone"): 39,
                      ("state", "invalid_state"): 4, ("zip", "invalid_zip"): 2}  # fmt: skip


def test_crm_staging_keys(real_run):
    rows = {r["salesforce_lead_id"]: r for r in real_run.dicts("SELECT * FROM main_staging.stg_salesforce__leads")}
    assert len(rows) == REAL_RECORDS["salesforce"]
    first = rows["1"]
    assert (first["created_date"], first["last_activity_date"]) == (date(2023, 6, 1), date(2024, 5, 17))
    assert (first["email"], first["status"], first["is_deleted"], first["is_converted"]) == (
        "test1@gmail.com",
        "Working",
        False,
        False,
    )
    assert first["name_key"] == "one step at a time family daycare"


def test_match_keys_in_the_record_shape(real_run):
    records = {
        (r["source"], r["natural_key"]): r
        for r in real_run.dicts("SELECT * FROM main_intermediate.int_source_records__unioned")
    }
    nevada = records[("source_1", "1473-23")]
    assert (nevada["address_key"], nevada["street_number"], nevada["name_key"]) == (
        "8889 S EASTERN AVE 89123",
        "8889",
        "rising star preschool and childcare",
    )
    oklahoma = records[("source_2", "K820055484")]
    assert (oklahoma["address_key"], oklahoma["street_number"], oklahoma["name_key"]) == (
        "2604 NW 115TH PL 73120",
        "2604",
        "deelightful learning station",
    )
    texas = records[("source_3", "976846")]
    assert (texas["address_key"], texas["street_number"], texas["name_key"]) == (
        "401 FM 685 78660",
        "401",
        "1st step early learning center",
    )
    missing = [k for k, r in records.items() if r["address_key"] is None or r["name_key"] is None]
    assert missing == []
