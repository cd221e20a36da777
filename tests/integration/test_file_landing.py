"""How files land, tried as a careless agency and a hurried operator would: a file delivered again
with corrections, a late file with an old modification time, a copy that differs in one digit, a
misdated file, odd bytes, links out of the bucket, and failures of ours. Nothing is lost, nothing
is wrong with exit 0, and one bad file never stops the others."""

from __future__ import annotations

import codecs
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from leads_pipeline.cli import app
from leads_pipeline.config.errors import ConfigError
from leads_pipeline.config.registry import load_registry
from leads_pipeline.observe import alerts
from leads_pipeline.orchestration.triggers import ledger_and_last_run, listed_files
from leads_pipeline.run.pipeline import Progress, execute
from leads_pipeline.stages.ingest.csv_reader import CsvFileReader
from leads_pipeline.warehouse import Warehouse
from tests.conftest import PROJECT_ROOT, REAL_FILES, REAL_RECORDS, copy_project
from tests.integration.test_bad_input import assert_whole_files_only, csv_bytes, ingest, outcome_of, texas
from tests.integration.test_ingest_real import read_records, write_records

TEXAS = REAL_FILES["source_3"]
TEXAS_DECEMBER = "technical_exercise/source_3/source_3_20241201.csv"
LEADS_QUERY = "SELECT * FROM main_gold.leads ORDER BY lead_id"


def query(settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.database)) as con:
        return con.execute(sql, params or []).fetchall()


def run(settings, raised: list | None = None):
    report = execute(settings, "leads run", True, True, Progress(alert=(raised if raised is not None else []).append))
    failed = report.transform.failed_tests if report.transform else []
    assert not failed, [(n.name, n.message) for n in failed]
    return report


def ledger_statuses(settings, path: str) -> list[str]:
    return [
        r[0]
        for r in query(
            settings, "SELECT status FROM raw.ingested_files WHERE relative_path = ? ORDER BY ingested_at", [path]
        )
    ]


# -- a corrected file under the same name -------------------------------------------------------


@pytest.mark.slow  # builds the dbt project
def test_a_corrected_file_replaces_its_earlier_version(real_bucket, settings_for, tmp_path):
    header, rows = read_records(real_bucket / TEXAS)
    phone, capacity = header.index("Phone"), header.index("Capacity")
    december = [list(r) for r in rows]
    december[0][capacity] = "99"
    december[1][capacity] = "lots"  # rejected in the first version, corrected in the second
    write_records(real_bucket / TEXAS_DECEMBER, header, december)
    settings = settings_for(real_bucket)
    run(settings)
    rejected = "SELECT raw_value FROM main_gold.data_quality_issues WHERE file_name = 'source_3_20241201.csv'"
    assert ("lots",) in query(settings, rejected)
    removed, rephoned = december[3][0], december[5][0]
    corrected = [list(r) for r in december if r[0] != removed]
    corrected[1][capacity] = rows[1][capacity]
    corrected[4][phone] = "(512) 463-7788" if corrected[4][phone] != "(512) 463-7788" else "(512) 463-7789"
    assert corrected[4][0] == rephoned
    write_records(real_bucket / TEXAS_DECEMBER, header, corrected)
    report = run(settings)

    redelivered = outcome_of(report, TEXAS_DECEMBER)
    assert (redelivered.status, redelivered.rows) == ("loaded", 28)
    assert redelivered.message.startswith("a new version: it replaces the one loaded at")
    # Both versions stay in raw; only the new one is the snapshot.
    assert query(settings, "SELECT count(*) FROM raw.source_3_raw WHERE _relative_path = ?", [TEXAS_DECEMBER]) == [
        (57,)
    ]
    leads = {
        r[0]: r[1:]
        for r in query(
            settings, "SELECT license_number, phone, is_active FROM main_gold.leads WHERE sources = 'source_3'"
        )
    }
    assert leads[removed][1] is False  # listed in November, gone from the corrected December
    assert leads[rephoned][0] == "+1" + "".join(ch for ch in corrected[4][phone] if ch.isdigit())
    versions = query(
        settings,
        "SELECT replaced_at IS NOT NULL, records_inserted, records_updated, records_deleted FROM main_gold.file_loads "
        "WHERE file_name = 'source_3_20241201.csv' ORDER BY loaded_at",
    )
    assert versions == [(True, 0, 0, 0), (False, 0, 2, 1)]
    changes = query(
        settings,
        "SELECT license_number, change_type FROM main_gold.lead_changes "
        "WHERE source = 'source_3' AND snapshot_date = DATE '2024-12-01' ORDER BY 1",
    )
    assert sorted(changes) == sorted([(december[0][0], "updated"), (rephoned, "updated"), (removed, "deleted")])

    # The same tables as a database that only ever saw the corrected file.
    fresh_bucket = tmp_path / "fresh"
    shutil.copytree(real_bucket, fresh_bucket)
    fresh = settings_for(fresh_bucket, "fresh.duckdb")
    run(fresh)
    assert query(settings, LEADS_QUERY) == query(fresh, LEADS_QUERY)
    changes_query = "SELECT * EXCLUDE (compared_at) FROM main_gold.lead_changes ORDER BY ALL"
    assert query(settings, changes_query) == query(fresh, changes_query)
    issues_query = "SELECT * EXCLUDE (load_id) FROM main_gold.data_quality_issues ORDER BY ALL"
    assert query(settings, issues_query) == query(fresh, issues_query)
    assert ("lots",) not in query(settings, rejected)


def test_a_file_touched_without_a_change_is_not_loaded_again(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    ingest(settings)
    path = real_bucket / TEXAS
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 3600))
    report, raised = ingest(settings)
    touched = outcome_of(report, TEXAS)
    assert touched.status == "unchanged" and touched.rows == 0
    assert not [a for a in raised if a.file == TEXAS]
    assert query(settings, "SELECT count(*) FROM raw.source_3_raw") == [(29,)]
    # Recorded once: the next run does not read it again.
    again, _ = ingest(settings)
    assert [f for f in again.ingest.files if f.relative_path == TEXAS] == []


# -- whole-content fingerprints -------------------------------------------------------------------


def test_files_that_differ_in_one_digit_in_the_middle_are_both_loaded(real_dir, real_bucket, settings_for):
    header, rows = texas(real_dir)
    key = header.index("Operation")
    big = [list(rows[n % len(rows)]) for n in range(20_000)]
    for n, row in enumerate(big):
        row[key] = str(1_000_000 + n)
    content = csv_bytes(header, big).encode()
    assert len(content) > 3_000_000
    (real_bucket / TEXAS_DECEMBER).write_bytes(content)
    middle = content.index(b"\r\n", len(content) // 2) + 2
    digit = content.index(b"1", middle)
    changed = content[:digit] + b"2" + content[digit + 1 :]
    (real_bucket / "technical_exercise/source_3/source_3_20250101.csv").write_bytes(changed)
    report, _ = ingest(settings_for(real_bucket))
    statuses = {f.relative_path: f.status for f in report.ingest.files if f.source == "source_3"}
    assert statuses == {
        TEXAS: "loaded",
        TEXAS_DECEMBER: "loaded",
        "technical_exercise/source_3/source_3_20250101.csv": "loaded",
    }


# -- late files -----------------------------------------------------------------------------------


def test_a_late_file_with_an_older_modification_time_loads(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    ingest(settings)
    header, rows = read_records(real_bucket / TEXAS)
    rows[0][header.index("Capacity")] = "77"
    october = real_bucket / "technical_exercise/source_3/source_3_20241001.csv"
    write_records(october, header, rows)
    older = (real_bucket / TEXAS).stat().st_mtime - 86_400 * 40
    os.utime(october, (older, older))  # copied with its original time, as `cp -p` or `rsync -t` do
    registry = load_registry(settings.sources_file)
    ledger, _ = ledger_and_last_run(settings)
    waiting = [
        path
        for _s, path, size, modified in listed_files(settings, registry)
        if not ledger.settled(path, size, modified)
    ]
    assert waiting == ["technical_exercise/source_3/source_3_20241001.csv"]

    report, _ = ingest(settings)
    assert outcome_of(report, "technical_exercise/source_3/source_3_20241001.csv").status == "loaded"
    assert query(settings, "SELECT count(*) FROM raw.source_3_raw WHERE _snapshot_date = DATE '2024-10-01'") == [(29,)]
    # The sensor agrees with the ingestion: nothing is new any more.
    ledger, _ = ledger_and_last_run(settings)
    assert [
        p for _s, p, size, modified in listed_files(settings, registry) if not ledger.settled(p, size, modified)
    ] == []


# -- misdated files -------------------------------------------------------------------------------


@pytest.mark.slow  # builds the dbt project
def test_impossible_or_future_snapshot_dates_hold_the_file_until_accepted(real_bucket, settings_for):
    header, rows = read_records(real_bucket / TEXAS)
    impossible = "technical_exercise/source_3/source_3_20241341.csv"
    future = "technical_exercise/source_3/source_3_20991231.csv"
    for path, capacity in ((impossible, "71"), (future, "72")):
        rows[0][header.index("Capacity")] = capacity
        write_records(real_bucket / path, header, rows)
    settings = settings_for(real_bucket)
    raised: list[alerts.Alert] = []
    report = run(settings, raised)
    assert outcome_of(report, impossible).status == "held"
    assert "its name holds 20241341, which is not a date" in outcome_of(report, impossible).message
    assert outcome_of(report, future).status == "held"
    assert "2099-12-31 (from its name) is later than today" in outcome_of(report, future).message
    held = {a.file: a for a in raised if a.kind == alerts.HELD_FILE}
    assert set(held) == {impossible, future} and {a.severity for a in held.values()} == {"error"}
    assert query(settings, "SELECT count(*) FROM raw.source_3_raw") == [(29,)]
    assert query(settings, "SELECT max(last_seen_date)::VARCHAR FROM main_gold.leads") == [("2024-11-01",)]
    # Still held on the next run, without a second alert.
    raised.clear()
    run(settings, raised)
    assert ledger_statuses(settings, future) == ["held"] and not [a for a in raised if a.kind == alerts.HELD_FILE]

    # Acknowledging every open alert does not accept a held file.
    result = CliRunner().invoke(app, ["alerts", "ack", "--all", "--database", str(settings.database)])
    assert result.exit_code == 0 and "2 held file(s) stay held" in result.output
    run(settings)
    assert ledger_statuses(settings, future) == ["held"]

    # A person accepts the future-dated file: the next run loads it as that snapshot.
    with Warehouse.open(settings) as warehouse:
        [alert_id] = [r[0] for r in warehouse.query("SELECT alert_id FROM main_audit.alerts WHERE file = ?", [future])]
        assert alerts.acknowledge(warehouse, [alert_id]) == 1
    report = run(settings)
    assert outcome_of(report, future).status == "loaded"
    assert ledger_statuses(settings, impossible) == ["held"]
    assert query(settings, "SELECT DISTINCT _snapshot_date::VARCHAR FROM raw.source_3_raw ORDER BY 1") == [
        ("2024-11-01",),
        ("2099-12-31",),
    ]


# -- bytes ----------------------------------------------------------------------------------------


def test_a_utf8_byte_order_mark_followed_by_cp1252_bytes_loads_every_record(real_dir, real_bucket, settings_for):
    header, rows = texas(real_dir)
    rows[20][header.index("Operation Name")] = "Niños Café"
    content = codecs.BOM_UTF8 + csv_bytes(header, rows).encode("cp1252")
    (real_bucket / TEXAS_DECEMBER).write_bytes(content)
    settings = settings_for(real_bucket)
    report, _ = ingest(settings)
    outcome = outcome_of(report, TEXAS_DECEMBER)
    assert (outcome.status, outcome.rows, outcome.rejected, outcome.encoding) == ("loaded", 29, 0, "cp1252")
    names = query(
        settings,
        "SELECT operation_name FROM raw.source_3_raw WHERE _relative_path = ? AND _record_number IN (1, 21) "
        "ORDER BY _record_number",
        [TEXAS_DECEMBER],
    )
    assert names == [(rows[0][header.index("Operation Name")],), ("Niños Café",)]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda data: data[:-1], "it is not valid UTF-16: it ends in the middle of a character"),
        (
            lambda data: data[:200] + "\udc00".encode("utf-16-le", "surrogatepass") + data[200:],
            "it is not valid UTF-16",
        ),
    ],
    ids=["truncated", "unpaired surrogate"],
)
def test_a_broken_utf16_file_is_refused_and_the_rest_load(damage, reason, real_dir, real_bucket, settings_for):
    header, rows = texas(real_dir)
    data = codecs.BOM_UTF16_LE + csv_bytes(header, rows).encode("utf-16-le")
    (real_bucket / TEXAS_DECEMBER).write_bytes(damage(data))
    settings = settings_for(real_bucket)
    printed: list[str] = []
    report = execute(settings, "leads ingest", True, False, Progress(file=lambda f: printed.append(f.relative_path)))
    outcome = outcome_of(report, TEXAS_DECEMBER)
    assert outcome.status == "refused" and outcome.message.startswith(reason)
    assert {f.source: f.rows for f in report.ingest.loaded} == REAL_RECORDS
    assert_whole_files_only(settings)
    # The next run is not stuck on it.
    again = execute(settings, "leads ingest", True, False)
    assert again.ingest.files == []


def test_files_are_reported_only_once_their_load_is_committed(real_bucket, settings_for, monkeypatch):
    import dlt

    def broken_load(self, *args, **kwargs):
        raise RuntimeError("the destination went away")

    monkeypatch.setattr(dlt.Pipeline, "load", broken_load)
    reported: list[str] = []
    with pytest.raises(RuntimeError, match="destination went away"):
        execute(
            settings_for(real_bucket), "leads ingest", True, False, Progress(file=lambda f: reported.append(f.status))
        )
    assert reported == []


def test_nul_bytes_past_the_first_block_are_kept_and_flagged(real_dir, real_bucket, settings_for):
    header, rows = texas(real_dir)
    filler = [[str(2_000_000 + n), *rows[n % len(rows)][1:]] for n in range(600)]
    rows = rows + filler
    rows[-3][header.index("Operation Name")] = "Bad\x00Name"
    content = csv_bytes(header, rows).encode()
    assert content.index(b"\x00") > 1 << 16
    (real_bucket / TEXAS_DECEMBER).write_bytes(content)
    settings = settings_for(real_bucket)
    report, raised = ingest(settings)
    outcome = outcome_of(report, TEXAS_DECEMBER)
    assert (outcome.status, outcome.rows, outcome.malformed) == ("loaded", len(rows), 1)
    flagged = query(
        settings,
        "SELECT _record_number, operation_name, _parse_error FROM raw.source_3_raw WHERE _parse_error IS NOT NULL",
    )
    assert flagged == [(len(rows) - 2, "Bad\x00Name", "NUL character in a field")]
    [alert] = [a for a in raised if a.kind == alerts.CONTENT_FLAGGED]
    assert alert.file == TEXAS_DECEMBER and "NUL characters in 1 record(s)" in alert.message


def test_a_record_too_long_to_keep_whole_is_flagged(real_dir, real_bucket, settings_for):
    header, rows = texas(real_dir)
    rows[4][header.index("Operation Name")] = "x" * (9 << 20)
    (real_bucket / TEXAS_DECEMBER).write_bytes(csv_bytes(header, rows).encode())
    settings = settings_for(real_bucket)
    report, raised = ingest(settings)
    outcome = outcome_of(report, TEXAS_DECEMBER)
    assert (outcome.status, outcome.rows, outcome.rejected) == ("loaded", 28, 1)
    [(reason, length)] = query(
        settings,
        "SELECT reason, length(record_text) FROM raw.rejected_records WHERE relative_path = ?",
        [TEXAS_DECEMBER],
    )
    assert reason == "LINE SIZE OVER MAXIMUM (text cut to its first 10,000 characters)" and length == 10_000
    [alert] = [a for a in raised if a.kind == alerts.CONTENT_FLAGGED]
    assert "raw.rejected_records holds only their first 10,000 characters" in alert.message


def test_records_after_many_lost_ones_keep_their_numbers(real_dir, real_bucket, settings_for):
    header, rows = texas(real_dir)
    rows = [[str(3_000_000 + n), *rows[n % len(rows)][1:]] for n in range(400)]
    lost = {3, 4, 5, 90, 91, 250, 399}
    lines = csv_bytes(header, rows).encode().split(b"\r\n")
    for number in lost:
        lines[number] = lines[number].replace(b",", b',"BROKEN" QUOTE,', 1)
    (real_bucket / TEXAS_DECEMBER).write_bytes(b"\r\n".join(lines))
    settings = settings_for(real_bucket)
    report, _ = ingest(settings)
    outcome = outcome_of(report, TEXAS_DECEMBER)
    assert (outcome.rows, outcome.rejected) == (400 - len(lost), len(lost))
    numbered = dict(
        query(
            settings,
            "SELECT _record_number, operation FROM raw.source_3_raw WHERE _relative_path = ?",
            [TEXAS_DECEMBER],
        )
    )
    assert numbered == {n: rows[n - 1][0] for n in range(1, 401) if n not in lost}


# -- failures of ours -----------------------------------------------------------------------------


def test_a_failure_of_ours_is_retried_by_the_next_run(real_bucket, settings_for, monkeypatch):
    original = CsvFileReader.read

    def out_of_memory(self):
        if self.spec.name == "source_3":
            raise MemoryError("no room for 10,000 columns")
        return original(self)

    monkeypatch.setattr(CsvFileReader, "read", out_of_memory)
    settings = settings_for(real_bucket)
    result = CliRunner().invoke(app, ["ingest", "--bucket-url", str(real_bucket), "--database", str(settings.database)])
    assert result.exit_code == 7, result.output
    assert "1 file(s) could not be loaded this time" in result.output
    assert ledger_statuses(settings, TEXAS) == ["failed"]
    stored = query(settings, "SELECT kind, severity FROM main_audit.alerts WHERE file = ?", [TEXAS])
    assert stored == [(alerts.LOAD_FAILED, "error")]
    assert query(settings, "SELECT count(*) FROM raw.source_1_raw") == [(70,)]

    monkeypatch.setattr(CsvFileReader, "read", original)
    report, _ = ingest(settings)
    assert outcome_of(report, TEXAS).status == "loaded"
    assert ledger_statuses(settings, TEXAS) == ["failed", "loaded"]


# -- paths ----------------------------------------------------------------------------------------


def test_a_glob_leaving_the_bucket_is_a_configuration_error(tmp_path):
    registry = Path(__file__).resolve().parents[2] / "sources.yml"
    text = registry.read_text(encoding="utf-8").replace(
        "glob: technical_exercise/source_3/*.csv", "glob: technical_exercise/../../*.csv"
    )
    (tmp_path / "sources.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="must stay inside the bucket"):
        load_registry(tmp_path / "sources.yml")


def test_links_out_of_the_bucket_are_not_followed(real_bucket, settings_for, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "passwords.csv"
    secret.write_text("Operation,Secret\r\n1,hunter2-do-not-leak\r\n", encoding="utf-8")
    (real_bucket / TEXAS_DECEMBER).symlink_to(secret)
    (real_bucket / "technical_exercise/source_1/linked").symlink_to(outside, target_is_directory=True)
    # The ingest writes the dbt project's view of this sources.yml into its project: a copy, so
    # that the project every other test reads keeps its own.
    project = copy_project(tmp_path / "project")
    registry_text = (PROJECT_ROOT / "sources.yml").read_text(encoding="utf-8")
    registry = project / "sources.yml"
    registry.write_text(
        registry_text.replace("glob: technical_exercise/source_1/*.csv", "glob: technical_exercise/source_1/**/*.csv"),
        encoding="utf-8",
    )
    settings = settings_for(real_bucket).with_overrides(sources_file=registry, project_dir=project)
    view = Path("models/staging/_raw__sources.yml")
    shared_view = (PROJECT_ROOT / "leads" / view).read_bytes()
    report, raised = ingest(settings)
    assert (PROJECT_ROOT / "leads" / view).read_bytes() == shared_view
    assert (project / "leads" / view).read_bytes() != shared_view
    refused = {f.relative_path: f.message for f in report.ingest.files if f.status == "refused"}
    assert set(refused) == {TEXAS_DECEMBER, "technical_exercise/source_1/linked/passwords.csv"}
    assert refused[TEXAS_DECEMBER].startswith("it is a symbolic link, and links are not followed")
    assert refused["technical_exercise/source_1/linked/passwords.csv"].startswith("it lies outside the bucket")
    stored = " ".join(str(v) for row in query(settings, "SELECT * FROM raw.ingested_files") for v in row)
    stored += " ".join(a.message for a in raised)
    assert "hunter2" not in stored
    assert {f.source: f.rows for f in report.ingest.loaded} == REAL_RECORDS


def test_a_refusal_quotes_no_more_of_the_file_than_its_header_names(real_bucket, settings_for):
    header = ["secret-" + "s" * 300, *[f"Column {n}" for n in range(40)]]
    (real_bucket / TEXAS_DECEMBER).write_text(",".join(header) + "\r\n" + ",".join("v" * 41) + "\r\n")
    report, _ = ingest(settings_for(real_bucket))
    message = outcome_of(report, TEXAS_DECEMBER).message
    assert "secret-sssssssss" in message and "s" * 60 not in message
    assert "Column 10" in message and "Column 11" not in message and "and 29 more" in message


# -- mass deletions -------------------------------------------------------------------------------


def test_a_file_deleting_most_of_its_source_is_held_until_accepted(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    ingest(settings)
    header, rows = read_records(real_bucket / TEXAS)
    write_records(real_bucket / TEXAS_DECEMBER, header, rows[:10])  # 19 of 29 records gone: a cut export
    report, raised = ingest(settings)
    held = outcome_of(report, TEXAS_DECEMBER)
    assert held.status == "held"
    assert held.message.startswith(
        "it lists 10 of the 29 records of source_3's previous snapshot (2024-11-01): 66% would be deleted, "
        "more than the 20% allowed (LEADS_MAX_DELETED_SHARE)"
    )
    [alert] = [a for a in raised if a.file == TEXAS_DECEMBER]
    assert (alert.kind, alert.severity) == (alerts.HELD_FILE, "error")
    assert query(settings, "SELECT count(*) FROM raw.source_3_raw WHERE _relative_path = ?", [TEXAS_DECEMBER]) == [(0,)]

    with Warehouse.open(settings) as warehouse:
        assert alerts.acknowledge(warehouse, [alert.alert_id]) == 1
    report, _ = ingest(settings)
    assert (outcome_of(report, TEXAS_DECEMBER).status, outcome_of(report, TEXAS_DECEMBER).rows) == ("loaded", 10)


def test_a_file_deleting_a_few_records_loads(real_bucket, settings_for, monkeypatch):
    monkeypatch.setenv("LEADS_MAX_DELETED_SHARE", "0.1")
    settings = settings_for(real_bucket)
    ingest(settings)
    header, rows = read_records(real_bucket / TEXAS)
    write_records(real_bucket / TEXAS_DECEMBER, header, rows[2:])  # 2 of 29 gone: 7%, under 10%
    report, _ = ingest(settings)
    assert outcome_of(report, TEXAS_DECEMBER).status == "loaded"
