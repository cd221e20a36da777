"""A fast stand-in for the demo generator: agency-shaped CSV files written by DuckDB.

Used by the benchmark only when `leads_pipeline.demo` is not installed. Same call as
`leads_pipeline.demo.generate_bucket`; each source gets `rows` records per month with the
agency's header, realistic value shapes (one-string Nevada addresses, Oklahoma's multi-line
caregiver cell, phones in several spellings) and as many distinct values as records. Month m
keeps 98% of month m-1's facilities, changes 2% of them and adds 2% new ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb


def _list(*values: str) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


STREETS = _list(
    "MAIN ST",
    "OAK AVE",
    "PINE RD",
    "MAPLE DR",
    "CEDAR LN",
    "ELM ST",
    "WILLOW WAY",
    "EASTERN AVE",
    "MOHAWK ST",
    "LAKE BLVD",
    "HILL RD",
    "SUNSET BLVD",
)
CITIES = _list(
    "LAS VEGAS", "RENO", "HENDERSON", "TULSA", "NORMAN", "HOUSTON", "DALLAS", "AUSTIN", "EL PASO", "SOMERSET"
)
FIRST = _list(
    "Maria", "James", "Elizabeth", "Tania", "Robert", "Linda", "Jose", "Karen", "David", "Nicole", "Sylvia", "Janeece"
)
LAST = _list(
    "Smith", "Garcia", "Hellstrom", "Noel", "Pineda", "Johnson", "Brown", "Lee", "Martinez", "Davis", "Lopez", "Wilson"
)
WORDS = _list(
    "SUNSHINE", "LITTLE", "BRIGHT", "HAPPY", "KIDS", "STARS", "ACADEMY", "LEARNING", "GARDEN", "ANGELS", "TINY", "STEPS"
)
KINDS = _list("CHILD CARE CENTER", "CHILD CARE FAMILY", "LARGE CHILD CARE HOME", "PRESCHOOL")


def _pick(array: str, key: str) -> str:
    return f"{array}[1 + (hash({key}) % len({array}))::INT]"


def _phone(key: str) -> str:
    area, mid, end = (f"(hash({key}, {n}) % {m})" for n, m in (("'a'", 800), ("'b'", 900), ("'c'", 10000)))
    a, b, c = f"printf('%03d', 200 + {area})", f"printf('%03d', 100 + {mid})", f"printf('%04d', {end})"
    dashed, bracketed = f"{a} || '-' || {b} || '-' || {c}", f"'(' || {a} || ') ' || {b} || '-' || {c}"
    return f"CASE WHEN hash({key}, 'p') % 5 = 0 THEN {bracketed} ELSE {dashed} END"


def _columns(source: str, month: int) -> list[tuple[str, str]]:
    # `v` changes for the 2% of facilities updated in this month
    v = f"(i + CASE WHEN hash(i, 'u', {month}) % 50 = 0 THEN {month} * 7919 ELSE 0 END)"
    street = f"(100 + hash(i, 's') % 19900)::VARCHAR || ' ' || {_pick(STREETS, 'i')}"
    city = _pick(CITIES, "i, 'c'")
    zip_ = "printf('%05d', 10000 + hash(i, 'z') % 89999)"
    name = f"{_pick(WORDS, 'i, 1')} || ' ' || {_pick(WORDS, 'i, 2')} || ' ' || (i % 997)::VARCHAR"
    person = f"{_pick(FIRST, 'i, 3')} || ' ' || {_pick(LAST, 'i, 4')}"
    day = "printf('%d/%d/%02d', 1 + hash(i, 'm') % 12, 1 + hash(i, 'd') % 28, hash(i, 'y') % 24)"
    hours = "CASE WHEN hash(i, 'h') % 4 = 0 THEN 'CLOSED' ELSE '7:30AM - 5:30PM' END"
    if source == "source_1":
        return [
            ("Name", name),
            ("Credential Type", "['CENTER', 'GROUP CARE', 'FAMILY CARE'][1 + (hash(i, 't') % 3)::INT]"),
            ("Credential Number", "(1000 + i)::VARCHAR || '-' || printf('%02d', i % 25)"),
            ("Status", "CASE WHEN hash(i, 'st') % 10 = 0 THEN 'Inactive' ELSE 'Active' END"),
            ("Expiration Date", day),
            ("Disciplinary Action", "'N'"),
            ("Address", f"{street} || ' ' || {city} || ', NV ' || {zip_}"),
            ("State", "'NV'"),
            ("County", "'CLARK'"),
            ("Phone", _phone(v)),
            ("First Issue Date", day),
            ("Primary Contact Name", f"upper({person})"),
            ("Primary Contact Role", "['Owner', 'Director', 'Other'][1 + (hash(i, 'r') % 3)::INT]"),
        ]
    if source == "source_2":
        license_ = f"{_pick(KINDS, 'i, 5')} || ' - K' || printf('%09d', 800000000 + i)"
        return [
            ("Type License", license_),
            (
                "Company",
                f"upper({_pick(LAST, 'i, 4')}) || ', ' || upper({_pick(FIRST, 'i, 3')}) || ' ' || (i % 991)::VARCHAR",
            ),
            ("Accepts Subsidy", "CASE WHEN hash(i, 'sub') % 2 = 0 THEN 'Accepts Subsidy' ELSE '' END"),
            ("Year Round", "'Year Round'"),
            ("Daytime Hours", "'Daytime Hours'"),
            ("Star Level", "(1 + hash(i, 'star') % 3)::VARCHAR || ' Star Level Program'"),
            *[(d, hours) for d in ("Mon", "Tues", "Wed", "Thurs", "Friday")],
            ("Saturday", "'CLOSED'"),
            ("Sunday", "'CLOSED'"),
            ("Primary Caregiver", f"{person} || chr(10) || ' ' || chr(10) || ' Primary Caregiver'"),
            ("Phone", _phone(v)),
            ("Email", f"lower({_pick(FIRST, 'i, 3')}) || i::VARCHAR || '@example.com'"),
            ("Address1", street),
            ("Address2", "CASE WHEN hash(i, 'a2') % 5 = 0 THEN 'STE ' || (hash(i, 'a2') % 300)::VARCHAR ELSE '' END"),
            ("City", city),
            ("State", "'OK'"),
            ("Zip", zip_),
            ("Subsidy Contract Number", "printf('%08d', hash(i, 'sc') % 99999999)"),
            ("Total Cap", f"(6 + hash({v}, 'cap') % 150)::VARCHAR"),
            ("Ages Accepted 1", "'Infants (0 to 12 months)'"),
            ("AA2", "'Toddlers (12 to 24 months)'"),
            ("AA3", "'Preschool'"),
            ("AA4", "'School-age'"),
            (
                "License Monitoring Since",
                "'Monitoring since ' || strftime(DATE '2000-01-01' + (hash(i, 'ms') % 8000)::INT, '%Y-%m-%d')",
            ),
            ("School Year Only", "'No'"),
            ("Evening Hours", "'No'"),
        ]
    if source == "source_3":
        return [
            ("Operation", "(1000000 + i)::VARCHAR"),
            ("Agency Number", "''"),
            ("Operation Name", name),
            ("Address", street),
            ("City", city),
            ("State", "'TX'"),
            ("Zip", zip_),
            ("County", "'HARRIS'"),
            ("Phone", _phone(v)),
            ("Type", "'Licensed Center - Child Care Program'"),
            ("Status", "'Full Permit'"),
            ("Issue Date", day),
            ("Capacity", f"(6 + hash({v}, 'cap') % 150)::VARCHAR"),
            ("Email Address", f"lower({_pick(WORDS, 'i, 1')}) || i::VARCHAR || '@example.com'"),
            ("Facility ID", "(700000 + i)::VARCHAR"),
            ("Monitoring Frequency", "''"),
            ("Infant", "'Y'"),
            ("Toddler", "'Y'"),
            ("Preschool", "'Y'"),
            ("School", "CASE WHEN hash(i, 'sch') % 2 = 0 THEN 'Y' ELSE 'N' END"),
        ]
    raise ValueError(source)


CRM_COLUMNS = [
    ("id", "i::VARCHAR"),
    ("is_deleted", "'FALSE'"),
    ("last_name", _pick(LAST, "i, 4")),
    ("first_name", _pick(FIRST, "i, 3")),
    ("title", "''"),
    ("company", f"{_pick(WORDS, 'i, 1')} || ' ' || {_pick(WORDS, 'i, 2')} || ' ' || (i % 997)::VARCHAR"),
    ("street", f"(100 + hash(i, 's') % 19900)::VARCHAR || ' ' || {_pick(STREETS, 'i')}"),
    ("city", _pick(CITIES, "i, 'c'")),
    ("state", "'TX'"),
    ("postal_code", "printf('%05d', 10000 + hash(i, 'z') % 89999)"),
    ("phone", _phone("i")),
    ("email", f"lower({_pick(WORDS, 'i, 1')}) || i::VARCHAR || '@example.com'"),
    ("status", "['Working', 'Open', 'Closed'][1 + (hash(i, 'crm') % 3)::INT]"),
    ("is_converted", "'FALSE'"),
    ("created_date", "'2023-06-01 6:35:38'"),
    ("last_activity_date", "'2024-05-17'"),
]

SOURCES = ("source_1", "source_2", "source_3")


@dataclass
class StandinSummary:
    out_dir: Path
    rows: int
    months: int
    snapshots: list[date]
    files: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        return f"{sum(self.files.values()):,} records in {len(self.files)} files"


def _month(start: date, offset: int) -> date:
    year, month = divmod(start.month - 1 + offset, 12)
    return date(start.year + year, month + 1, start.day)


def generate_bucket(
    out_dir: Path,
    rows: int,
    months: int = 1,
    seed: int = 7,
    start: date = date(2024, 11, 1),
    crm: bool = True,
    truth: bool = False,
    progress: Callable[[str], None] | None = None,
) -> StandinSummary:
    began = time.perf_counter()
    say = progress or (lambda _text: None)
    out_dir = Path(out_dir)
    snapshots = [_month(start, m) for m in range(months)]
    summary = StandinSummary(out_dir, rows, months, snapshots)
    growth = max(1, rows // 50)
    with duckdb.connect() as con:
        for source in SOURCES:
            for m, day in enumerate(snapshots):
                path = out_dir / "technical_exercise" / source / f"{source}_{day:%Y%m%d}.csv"
                path.parent.mkdir(parents=True, exist_ok=True)
                select = ", ".join(f'{expr} AS "{header}"' for header, expr in _columns(source, m))
                # month m: the first `rows` facilities after dropping those closed before m, plus new ones
                where = f"i < {rows + m * growth} AND NOT (hash(i, 'gone', {seed}) % 50 < {min(m, 50)})"
                con.execute(
                    f"COPY (SELECT {select} FROM (SELECT range + {seed} * 0 AS i FROM range({rows + m * growth})) "
                    f"WHERE {where} ORDER BY i LIMIT {rows}) TO '{path}' (HEADER true, DELIMITER ',')"
                )
                summary.files[path.relative_to(out_dir).as_posix()] = rows
                say(f"wrote {path.name}")
        if crm:
            crm_rows = max(10, rows // 100)
            path = out_dir / "crm" / f"salesforce_leads_{snapshots[-1]:%Y%m%d}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            select = ", ".join(f'{expr} AS "{header}"' for header, expr in CRM_COLUMNS)
            con.execute(
                f"COPY (SELECT {select} FROM (SELECT range AS i FROM range({crm_rows}))) TO '{path}' (HEADER true)"
            )
            summary.files[path.relative_to(out_dir).as_posix()] = crm_rows
    summary.seconds = time.perf_counter() - began
    return summary
