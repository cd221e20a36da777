"""Month after month, the incremental build equals a rebuild from raw, on DuckDB and PostgreSQL.

Six generated months per agency across a new year (inserts, updates, deletes, listings back
after a gap), a CRM export per month, a month delivered after the newer one, and two leads bridged by a record that
arrives in one month and leaves in the next (the merged lead must stay one lead), and a month
in which Nevada sends no file (its records' last sighting falls behind the other agencies', which
reorders the members of the leads they share, and so the values those leads take). After every
delivery the marts and staging tables of the incrementally built warehouse must equal, row for
row and lead ids included, those of a copy of it rebuilt with `--full-refresh`; a month delivered again changes
nothing and costs no transform.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from leads_demo import generate_bucket
from leads_pipeline.config.settings import Settings
from leads_pipeline.run.pipeline import execute
from leads_pipeline.stages.identity import ResolveReport
from leads_pipeline.stages.transform.phases import run_transform
from leads_pipeline.warehouse import Warehouse
from tests.conftest import copied_postgres_database
from tests.e2e.test_postgres_matches_duckdb import table_as_text

pytestmark = pytest.mark.slow  # builds the dbt project a dozen times

MONTHS = 6
# The fifth month arrives after the sixth.
DELIVERY_ORDER = (0, 1, 2, 3, 5, 4)
MARTS = ("leads", "lead_changes", "file_loads", "data_quality_issues")
TEXAS = "technical_exercise/source_3"
# Two facilities that share a name but neither phone nor address: two leads, until a third record
# shares the first's address and the second's phone (it bridges them) for one month.
BRIDGED_NAME = "Little Sprouts Bridge Academy"
FIRST = {"Operation": "990001", "Address": "4411 MAPLE BEND RD", "Phone": "(940) 382-7711"}
SECOND = {"Operation": "990002", "Address": "4411 CEDAR HOLLOW DR", "Phone": "(940) 382-9922"}
BRIDGE = {"Operation": "990003", "Address": "4411 MAPLE BEND RD", "Phone": "(940) 382-9922"}
BRIDGE_MONTH = 1
# Nevada's file of the fourth month is never delivered.
UNDELIVERED = ("technical_exercise/source_1", 3)


def texas_row(header: list[str], values: dict[str, str]) -> list[str]:
    common = {
        "Operation Name": BRIDGED_NAME,
        "City": "DENTON",
        "State": "TX",
        "Zip": "76201",
        "County": "DENTON",
        "Type": "Licensed Child Care Center",
        "Status": "Full Permit",
        "Issue Date": "3/14/19",
    }
    row = {**common, **values}
    return [row.get(column, "") for column in header]


def add_bridged_listings(path: Path, month: int) -> None:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    listings = [FIRST, SECOND, *([BRIDGE] if month == BRIDGE_MONTH else [])]
    rows.extend(texas_row(rows[0], listing) for listing in listings)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def monthly_crm_exports(bucket: Path, days: list[str]) -> None:
    """The CRM export grows month by month: month k holds the rows whose number mod MONTHS <= k."""
    (export,) = (bucket / "crm").glob("*.csv")
    with open(export, newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    export.unlink()
    for month, day in enumerate(days):
        with open(bucket / "crm" / f"salesforce_leads_{day}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(row for number, row in enumerate(rows) if number % MONTHS <= month)


@pytest.fixture(scope="module")
def months(tmp_path_factory) -> tuple[Path, list[str]]:
    """The generated months and their snapshot days (`YYYYMMDD`)."""
    bucket = tmp_path_factory.mktemp("six_months")
    # October to March: a new year starts within the months (two-digit years pivot on it).
    summary = generate_bucket(bucket, rows=300, months=MONTHS, seed=23, start=date(2023, 10, 1), truth=False)
    days = [day.strftime("%Y%m%d") for day in summary.snapshots]
    for month, day in enumerate(days):
        add_bridged_listings(bucket / TEXAS / f"source_3_{day}.csv", month)
    monthly_crm_exports(bucket, days)
    return bucket, days


def deliver(months: tuple[Path, list[str]], bucket: Path, month: int) -> None:
    source, days = months
    for path in source.rglob(f"*_{days[month]}.csv"):
        if (path.parent.relative_to(source).as_posix(), month) == UNDELIVERED:
            continue
        target = bucket / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)


def marts(settings: Settings) -> dict[str, tuple[list[str], list[tuple]]]:
    return {table: table_as_text(settings, "main_gold", table) for table in MARTS}


def staged(settings: Settings) -> dict[str, tuple[list[str], list[tuple]]]:
    """The staging tables: a record a month brings unchanged is copied from an earlier month's
    staged row, which must be the row computing it would give."""
    return {model: table_as_text(settings, "main_staging", model) for model, _ in STAGED_KEYS.values()}


def bridged_leads(settings: Settings) -> set[str]:
    keys = ", ".join(f"'{listing['Operation']}'" for listing in (FIRST, SECOND))
    with Warehouse.open(settings) as warehouse:
        rows = warehouse.query(
            f"SELECT DISTINCT lead_id FROM identity.record_clusters WHERE source = 'source_3' AND natural_key IN ({keys})"
        )
    return {row[0] for row in rows}


def build(settings: Settings, last: bool) -> ResolveReport:
    """Load what is new and build the models; the last build is a whole `leads run`, data tests
    included, which a later run with nothing new may then skip. Returns the resolve step's report."""
    if last:
        report = execute(settings, "leads run", do_ingest=True, do_transform=True)
        assert report.transform is not None, report.transform_skipped
        assert not report.transform.failed_tests, [(test.name, test.message) for test in report.transform.failed_tests]
        return report.transform.identity
    execute(settings, "leads ingest", do_ingest=True, do_transform=False)
    return run_transform(settings, with_tests=False).identity


STAGED_KEYS = {
    "source_1": ("stg_source_1__facilities", "natural_key"),
    "source_2": ("stg_source_2__facilities", "natural_key"),
    "source_3": ("stg_source_3__facilities", "natural_key"),
    "salesforce": ("stg_salesforce__leads", "salesforce_lead_id"),
}


def assert_landing_agrees_with_the_models(settings: Settings) -> None:
    """What the ingestion knew as files landed agrees with what the models compute: each record's
    natural key with its staged key, and each file's counts of inserted, updated and deleted
    records with `file_loads`, wherever the history compares the file's snapshot with the one it
    was compared with at landing (a late month changes the comparisons after it)."""
    with Warehouse.open(settings) as warehouse:
        for source, (model, key) in STAGED_KEYS.items():
            indexed, staged, differing = warehouse.query(
                f"SELECT (SELECT count(*) FROM raw.record_index WHERE source = '{source}'), count(*), "
                f"sum(CASE WHEN entry.natural_key IS DISTINCT FROM staged.{key} THEN 1 ELSE 0 END) "
                f"FROM raw.record_index AS entry INNER JOIN main_staging.{model} AS staged "
                "ON staged.load_id = entry.load_id AND staged.record_number = entry.record_number "
                "AND right(entry.relative_path, length(staged.file_name) + 1) = '/' || staged.file_name "
                f"WHERE entry.source = '{source}'"
            )[0]
            assert (indexed, differing) == (staged, 0), f"{source}: landing keys against {model}"
        disagreeing = warehouse.query(
            "SELECT loads.source, loads.file_name FROM main_gold.file_loads AS loads "
            "INNER JOIN raw.ingested_files AS landed ON landed.load_id = loads.load_id "
            "AND landed.file_name = loads.file_name AND landed.status = 'loaded' "
            "INNER JOIN main_intermediate.int_source_records__versioned AS history "
            "ON history.source = loads.source AND history.snapshot_date = loads.snapshot_date "
            "AND history.change_type = 'snapshot' "
            "WHERE landed.compared_with IS NOT DISTINCT FROM history.previous_snapshot_date "
            "AND (landed.records_inserted, landed.records_updated, landed.records_deleted) "
            "<> (loads.records_inserted, loads.records_updated, loads.records_deleted)"
        )
        compared = warehouse.query(
            "SELECT count(*) FROM raw.ingested_files AS landed INNER JOIN "
            "main_intermediate.int_source_records__versioned AS history ON history.source = landed.source "
            "AND history.snapshot_date = landed.snapshot_date AND history.change_type = 'snapshot' "
            "WHERE landed.status = 'loaded' AND landed.compared_with IS NOT DISTINCT FROM history.previous_snapshot_date"
        )[0][0]
    assert compared > 0 and not disagreeing, disagreeing


def check_every_month(
    months: tuple[Path, list[str]], tmp_path: Path, settings_at: Callable[[Path], Settings], rebuilt_copy
) -> None:
    bucket = tmp_path / "bucket"
    settings = settings_at(bucket)
    leads_of_bridged, resolved_again = [], []
    for step, month in enumerate(DELIVERY_ORDER):
        deliver(months, bucket, month)
        identity = build(settings, last=step == len(DELIVERY_ORDER) - 1)
        resolved_again.append("kept" if identity.kept else identity.records_resolved_again)
        incremental = {**marts(settings), **staged(settings)}
        with rebuilt_copy(settings, step) as full:
            run_transform(full, with_tests=False, full_refresh=True)
            rebuilt = {**marts(full), **staged(full)}
        for table in incremental:
            assert incremental[table] == rebuilt[table], f"{table} after delivering month {month + 1}"
        assert_landing_agrees_with_the_models(settings)
        leads_of_bridged.append(len(bridged_leads(settings)))
    # The scenario happened: two leads, one while bridged, and still one after the bridge left.
    assert leads_of_bridged == [2] + [1] * (len(DELIVERY_ORDER) - 1)
    # After the first month the resolve step settled only the components the month's changes touched.
    assert resolved_again[0] is None and None not in resolved_again[1:], resolved_again
    assert any(isinstance(again, int) and again > 0 for again in resolved_again), resolved_again

    # A month delivered again under other names, with the same content, is known at landing: the
    # run loads nothing, skips the transform and changes no mart row.
    source, days = months
    for path in source.rglob(f"*_{days[2]}.csv"):
        target = bucket / path.relative_to(source)
        shutil.copy(path, target.with_name(f"redelivered_{target.name}"))
    before = marts(settings)
    again = execute(settings, "leads run", do_ingest=True, do_transform=True)
    assert {outcome.status for outcome in again.ingest.files} == {"duplicate"}
    assert again.transform is None and again.transform_skipped
    assert marts(settings) == before


def test_duckdb_incremental_months_equal_full_rebuilds(months, tmp_path):
    def settings_at(bucket: Path) -> Settings:
        return Settings.load(bucket_url=str(bucket), database=tmp_path / "leads.duckdb", target="duckdb")

    @contextmanager
    def rebuilt_copy(settings: Settings, step: int) -> Iterator[Settings]:
        copy = tmp_path / f"rebuilt_{step}" / "leads.duckdb"
        copy.parent.mkdir()
        shutil.copy(settings.database, copy)
        yield Settings.load(bucket_url=settings.bucket_url, database=copy, target="duckdb")

    check_every_month(months, tmp_path, settings_at, rebuilt_copy)


def test_postgres_incremental_months_equal_full_rebuilds(months, tmp_path, postgres_dsn, monkeypatch):
    def on(dsn: str, bucket: Path) -> Settings:
        monkeypatch.setenv("LEADS_POSTGRES_DSN", dsn)
        return Settings.load(bucket_url=str(bucket), database=tmp_path / "unused.duckdb", target="postgres")

    @contextmanager
    def rebuilt_copy(settings: Settings, step: int) -> Iterator[Settings]:
        with copied_postgres_database(postgres_dsn) as copy_dsn:
            yield on(copy_dsn, Path(settings.bucket_url))
        on(postgres_dsn, Path(settings.bucket_url))

    check_every_month(months, tmp_path, lambda bucket: on(postgres_dsn, bucket), rebuilt_copy)
