"""The current records and their match keys are incremental: after corrected files take events
out of the record history, the rewritten records and keys equal a rebuild from raw.

Three months of one agency, with four facilities added by hand: K is renamed in the second month
and named back in the third, J is missing from the second month, V is listed in the second month
only, W loses its name, address and phone after the first month. Then corrected files of the
first two months arrive under the same paths, one run each: the second month names K as the
others do (its two later events are gone, so its latest event lies before every snapshot the run
compares), lists no V (V is no record any more), and the first month lists no J (J was first seen
in the third month) and W without its name, address and phone (W has no match key left). The
current records, their match keys (K's second name no longer among them) and the marts must then
be as a rebuild gives them, but for the records' numbers, which the incremental build keeps; on
DuckDB and on PostgreSQL.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pytest

from leads_demo import generate_bucket
from leads_pipeline.config.settings import Settings
from leads_pipeline.run.pipeline import execute
from leads_pipeline.stages.transform.phases import run_transform
from leads_pipeline.warehouse import Warehouse
from tests.conftest import copied_postgres_database
from tests.e2e.test_postgres_matches_duckdb import table_as_text
from tests.integration.test_incremental_equals_full import TEXAS, marts, texas_row

pytestmark = pytest.mark.slow  # six dbt builds per engine

CURRENT = "int_source_records__current"
# What an incremental run and a rebuild may number or stamp differently.
BUILD_SPECIFIC = {"record_index", "versioned_at"}
K = {"Operation": "990101", "Address": "77 RIVER BEND RD", "Phone": "(940) 555-0101"}
J = {"Operation": "990102", "Address": "12 OAK KNOLL DR", "Phone": "(940) 555-0102"}
V = {"Operation": "990103", "Address": "9 PINE HOLLOW LN", "Phone": "(940) 555-0103"}
# W keeps its listing but loses its name, address and phone after the first month.
W = {"Operation": "990104", "Address": "5 ELM CT", "Phone": "(940) 555-0104", "Operation Name": "Willow Tots"}
BLANK = {"Address": "", "Phone": "", "Operation Name": ""}
NUMBERS = f"SELECT source, natural_key, record_index FROM main_intermediate.{CURRENT}"
FIRST_NAME, SECOND_NAME = "Alpha Kids Academy", "Beta Kids Academy"


def listings(month: int, corrected: bool) -> list[dict[str, str]]:
    """The hand-added listings of a month's Texas file, as first delivered or as corrected."""
    renamed = month == 1 and not corrected
    rows = [{**K, "Operation Name": SECOND_NAME if renamed else FIRST_NAME}]
    if month != 1 and not (month == 0 and corrected):
        rows.append({**J, "Operation Name": "Juniper Play School"})
    if month == 1 and not corrected:
        rows.append({**V, "Operation Name": "Violet Day Care"})
    rows.append(W if month == 0 and not corrected else {**W, **BLANK})
    return rows


def write_month(generated: Path, bucket: Path, day: str, month: int, corrected: bool) -> None:
    for path in generated.rglob(f"*_{day}.csv"):
        target = bucket / path.relative_to(generated)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.parent.as_posix().endswith(TEXAS):
            with open(path, newline="", encoding="utf-8") as fh:
                rows = list(csv.reader(fh))
            rows.extend(texas_row(rows[0], listing) for listing in listings(month, corrected))
            with open(target, "w", newline="", encoding="utf-8") as fh:
                csv.writer(fh, lineterminator="\n").writerows(rows)
        elif not corrected:
            shutil.copy(path, target)


def current_records(settings: Settings) -> tuple[list[str], list[tuple]]:
    columns, rows = table_as_text(settings, "main_intermediate", CURRENT)
    kept = [i for i, name in enumerate(columns) if name not in BUILD_SPECIFIC]
    return [columns[i] for i in kept], sorted(tuple(row[i] for i in kept) for row in rows)


def match_keys(settings: Settings) -> list[tuple]:
    """The collected match keys by record key, not by the record's build-specific number."""
    with Warehouse.open(settings) as warehouse:
        return sorted(
            warehouse.query(
                "SELECT records.source, records.natural_key, keys.key_type, keys.key_value "
                "FROM main_intermediate.int_match_keys__collected AS keys "
                f"INNER JOIN main_intermediate.{CURRENT} AS records ON records.record_index = keys.record_index"
            )
        )


def seen(settings: Settings, listing: dict[str, str], column: str = "first_seen_date") -> list[tuple]:
    """A hand-added listing's current `column` (a date) and name."""
    with Warehouse.open(settings) as warehouse:
        return warehouse.query(
            f"SELECT {column}, company FROM main_intermediate.{CURRENT} "
            f"WHERE source = 'source_3' AND natural_key = '{listing['Operation']}'"
        )


class Engine(NamedTuple):
    settings_at: Callable[[Path], Settings]  # the settings of a warehouse fed from a bucket
    copy_of: Callable[[Settings], AbstractContextManager[Settings]]  # a copy of that warehouse


@pytest.fixture(params=["duckdb", "postgres"])
def engine(request, tmp_path, monkeypatch) -> Engine:
    if request.param == "duckdb":

        def settings_at(bucket: Path) -> Settings:
            return Settings.load(bucket_url=str(bucket), database=tmp_path / "leads.duckdb", target="duckdb")

        @contextmanager
        def copy_of(settings: Settings) -> Iterator[Settings]:
            copy = tmp_path / "rebuilt.duckdb"
            shutil.copy(settings.database, copy)
            yield Settings.load(bucket_url=settings.bucket_url, database=copy, target="duckdb")

    else:
        dsn = request.getfixturevalue("postgres_dsn")

        def settings_at(bucket: Path, at: str = dsn) -> Settings:
            monkeypatch.setenv("LEADS_POSTGRES_DSN", at)
            return Settings.load(bucket_url=str(bucket), database=tmp_path / "unused.duckdb", target="postgres")

        @contextmanager
        def copy_of(settings: Settings) -> Iterator[Settings]:
            with copied_postgres_database(dsn) as copy_dsn:
                yield settings_at(Path(settings.bucket_url), copy_dsn)
            settings_at(Path(settings.bucket_url))

    return Engine(settings_at, copy_of)


def test_corrected_files_rewrite_the_current_records_a_rebuild_gives(tmp_path, engine):
    generated = tmp_path / "generated"
    summary = generate_bucket(generated, rows=60, months=3, seed=5, start=date(2024, 1, 1), truth=False)
    days = [day.strftime("%Y%m%d") for day in summary.snapshots]
    bucket = tmp_path / "bucket"
    settings = engine.settings_at(bucket)

    for month, day in enumerate(days):
        write_month(generated, bucket, day, month, corrected=False)
        execute(settings, "leads ingest", do_ingest=True, do_transform=False)
        run_transform(settings, with_tests=False)
    with Warehouse.open(settings) as warehouse:
        numbers = {row[:2]: row[2] for row in warehouse.query(NUMBERS)}
    assert seen(settings, V) and seen(settings, J)[0][0] == date(2024, 1, 1)

    # One correction per run: the second month's alone takes K's later events away while its first
    # event, in a snapshot not compared again, stays as it was.
    for month in (1, 0):
        write_month(generated, bucket, days[month], month, corrected=True)
        report = execute(settings, "leads run", do_ingest=True, do_transform=True)
        assert report.transform is not None and not report.transform.failed_tests, report.transform_skipped
        # K's latest event is now its first, older than any snapshot this run compared.
        assert seen(settings, K, "latest_event_date") == [(summary.snapshots[0], FIRST_NAME)]

    assert seen(settings, V) == []  # listed only in a month corrected without it
    assert seen(settings, J)[0][0] == summary.snapshots[2]
    assert seen(settings, K) == [(summary.snapshots[0], FIRST_NAME)]
    with Warehouse.open(settings) as warehouse:
        kept = {row[:2]: row[2] for row in warehouse.query(NUMBERS)}
    assert all(kept[key] == numbers[key] for key in kept), "a record kept its row's number"
    incremental = (current_records(settings), match_keys(settings), marts(settings))

    with engine.copy_of(settings) as rebuilt:
        run_transform(rebuilt, with_tests=False, full_refresh=True)
        assert incremental == (current_records(rebuilt), match_keys(rebuilt), marts(rebuilt))
    keys = incremental[1]
    assert not [key for key in keys if key[1] in (V["Operation"],) or "beta" in key[3].lower()], "keys of gone versions"
