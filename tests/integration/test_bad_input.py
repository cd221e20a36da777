"""Bad input, tried for real: each broken file is reported with what is wrong and what to do, the
other files still load, and raw never holds part of a file."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from leads_pipeline.cli import app
from leads_pipeline.config.errors import BucketError
from leads_pipeline.observe.alerts import Alert
from leads_pipeline.run.pipeline import Progress, RunReport, execute
from tests.conftest import REAL_FILES, REAL_RECORDS
from tests.integration.test_ingest_real import read_records

BAD = "technical_exercise/source_3/source_3_20241201.csv"


def texas(real_dir: Path) -> tuple[list[str], list[list[str]]]:
    return read_records(real_dir / REAL_FILES["source_3"])


def csv_bytes(header: list[str], rows: list[list[str]], line_ending: str = "\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_ending).writerows([header, *rows])
    return buffer.getvalue()


def ingest(settings) -> tuple[RunReport, list[Alert]]:
    raised: list[Alert] = []
    report = execute(settings, "leads ingest", True, False, Progress(alert=raised.append))
    return report, raised


def outcome_of(report: RunReport, relative_path: str):
    return next(f for f in report.ingest.files if f.relative_path == relative_path)


def assert_whole_files_only(settings) -> None:
    """Every listed file is in raw entirely (as many rows as the ledger says) or not at all."""
    with duckdb.connect(str(settings.database), read_only=True) as con:
        ledger = con.execute("SELECT source, relative_path, status, rows_loaded FROM raw.ingested_files").fetchall()
        for source, path, status, rows in ledger:
            in_raw = con.execute(f"SELECT count(*) FROM raw.{source}_raw WHERE _relative_path = ?", [path]).fetchone()[
                0
            ]
            assert in_raw == (rows if status == "loaded" else 0), (path, status, rows, in_raw)


def assert_the_real_files_loaded(report: RunReport) -> None:
    loaded = {f.relative_path: f.rows for f in report.ingest.loaded}
    assert {path: loaded.get(path) for path in REAL_FILES.values()} == {
        REAL_FILES[source]: count for source, count in REAL_RECORDS.items()
    }


def run_with(real_bucket: Path, settings_for, content: bytes, path: str = BAD):
    (real_bucket / path).write_bytes(content)
    settings = settings_for(real_bucket)
    report, raised = ingest(settings)
    assert_the_real_files_loaded(report)
    assert_whole_files_only(settings)
    return settings, outcome_of(report, path), raised


def alert_for(raised: list[Alert], path: str) -> Alert:
    return next(a for a in raised if a.file == path)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty", b"", "it is empty (0 bytes): the export probably failed; ask the agency for it again"),
        ("header only", b"Operation,Operation Name,Phone\r\n", "it has a header row but no records"),
        (
            "binary",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
            "it is not a text CSV (it holds NUL bytes",
        ),
    ],
)
def test_a_file_without_records_is_refused_alone(name, content, reason, real_bucket, settings_for):
    _settings, outcome, raised = run_with(real_bucket, settings_for, content)
    assert outcome.status == "refused"
    assert outcome.message.startswith(reason)
    assert "put it in the bucket again" in outcome.message
    alert = alert_for(raised, BAD)
    assert (alert.kind, alert.severity, alert.source) == ("refused_file", "error", "source_3")
    assert alert.message == f"file refused: {outcome.message}"


def test_a_utf16_file_with_a_byte_order_mark_loads_with_its_characters(real_dir, real_bucket, settings_for):
    header, rows = texas(real_dir)
    rows[0][header.index("Operation Name")] = "Niños Café — Learning Center"
    content = codecs.BOM_UTF16_LE + csv_bytes(header, rows).encode("utf-16-le")
    settings, outcome, _raised = run_with(real_bucket, settings_for, content)
    assert (outcome.status, outcome.rows, outcome.encoding) == ("loaded", 29, "utf-16")
    with duckdb.connect(str(settings.database), read_only=True) as con:
        name = con.execute(
            "SELECT operation_name FROM raw.source_3_raw WHERE _relative_path = ? AND _record_number = 1", [BAD]
        ).fetchone()[0]
    assert name == "Niños Café — Learning Center"


def test_records_with_wrong_field_counts_are_kept_and_flagged(real_dir, real_bucket, settings_for):
    header, rows = texas(real_dir)
    rows[2] = rows[2][:4]
    rows[4] = rows[4] + ["surplus", "more"]
    rows[6] = rows[6][:1]
    settings, outcome, raised = run_with(real_bucket, settings_for, csv_bytes(header, rows).encode())
    assert (outcome.status, outcome.rows, outcome.malformed, outcome.rejected) == ("loaded", 29, 3, 0)
    with duckdb.connect(str(settings.database), read_only=True) as con:
        flagged = con.execute(
            "SELECT _record_number, _parse_error, _extra_fields FROM raw.source_3_raw "
            "WHERE _relative_path = ? AND _parse_error IS NOT NULL ORDER BY 1",
            [BAD],
        ).fetchall()
    assert flagged == [(3, "too few fields", None), (5, "too many fields", "surplus,more"), (7, "too few fields", None)]
    share = alert_for(raised, BAD)
    assert share.kind == "rejected_share" and "3 of 29 records (10.3%)" in share.message


def test_a_one_megabyte_cell_arrives_whole(real_dir, real_bucket, settings_for):
    header, rows = texas(real_dir)
    big = "x" * 1_000_000
    rows[3][header.index("Operation Name")] = big
    settings, outcome, _raised = run_with(real_bucket, settings_for, csv_bytes(header, rows).encode())
    assert (outcome.status, outcome.rows, outcome.malformed, outcome.rejected) == ("loaded", 29, 0, 0)
    with duckdb.connect(str(settings.database), read_only=True) as con:
        length = con.execute(
            "SELECT length(operation_name) FROM raw.source_3_raw WHERE _relative_path = ? AND _record_number = 4", [BAD]
        ).fetchone()[0]
    assert length == 1_000_000


def test_an_unbalanced_quote_loses_nothing(real_dir, real_bucket, settings_for):
    lines = (real_dir / REAL_FILES["source_3"]).read_bytes().split(b"\r\n")
    lines[5] = lines[5].replace(b",", b',"', 1)  # a quote opens in record 5 and never closes
    settings, outcome, _raised = run_with(real_bucket, settings_for, b"\r\n".join(lines))
    assert outcome.status == "loaded" and outcome.rejected >= 1
    _header, rows = texas(real_dir)
    with duckdb.connect(str(settings.database), read_only=True) as con:
        loaded = {
            r[0]
            for r in con.execute("SELECT operation FROM raw.source_3_raw WHERE _relative_path = ?", [BAD]).fetchall()
        }
        rejected = " ".join(
            r[0]
            for r in con.execute(
                "SELECT record_text FROM raw.rejected_records WHERE relative_path = ?", [BAD]
            ).fetchall()
        )
        reasons = {r[0] for r in con.execute("SELECT reason FROM raw.rejected_records").fetchall()}
    assert reasons == {"UNQUOTED VALUE"}
    missing = [row[0] for row in rows if row[0] not in loaded and row[0] not in rejected]
    assert missing == []  # every record is in raw or, as text, in the rejects


def test_a_copy_under_another_name_is_skipped_and_names_the_original(real_dir, real_bucket, settings_for):
    content = (real_dir / REAL_FILES["source_3"]).read_bytes()
    _settings, outcome, raised = run_with(
        real_bucket, settings_for, content, "technical_exercise/source_3/tx_export (1).csv"
    )
    assert outcome.status == "duplicate"
    assert outcome.message.startswith(f"same content as {REAL_FILES['source_3']}, already loaded; skipped")
    assert alert_for(raised, outcome.relative_path).kind == "duplicate_file"


def test_a_file_with_every_column_renamed_is_refused_naming_the_aliases(real_dir, real_bucket, settings_for):
    header, rows = texas(real_dir)
    renamed = [f"Field {i}" for i, _ in enumerate(header)]
    _settings, outcome, raised = run_with(real_bucket, settings_for, csv_bytes(renamed, rows).encode())
    assert outcome.status == "refused"
    assert "no column for operation (headers: Operation, Operation Number, Operation ID)" in outcome.message
    assert "its headers are Field 0, Field 1" in outcome.message
    assert "Add the new spelling to sources.yml or fix the file" in outcome.message
    assert alert_for(raised, BAD).kind == "refused_file"


def test_unknown_headers_are_kept_under_their_names_and_reported(real_dir, real_bucket, settings_for):
    header, rows = texas(real_dir)
    drifted = [("Operation #" if h == "Operation" else "Licensed Slots" if h == "Capacity" else h) for h in header]
    settings, outcome, raised = run_with(real_bucket, settings_for, csv_bytes(drifted, rows).encode())
    assert outcome.status == "loaded" and outcome.rows == 29
    assert outcome.drift["new_columns"] == ["licensed_slots"] and outcome.drift["missing_columns"] == ["capacity"]
    assert outcome.drift["renamed_columns"] == {"Operation #": "operation"}
    with duckdb.connect(str(settings.database), read_only=True) as con:
        slots = con.execute(
            "SELECT licensed_slots, capacity FROM raw.source_3_raw WHERE _relative_path = ? AND _record_number = 1",
            [BAD],
        ).fetchone()
    assert slots == (rows[0][header.index("Capacity")], None)
    drift = alert_for(raised, BAD)
    assert drift.kind == "schema_drift" and drift.severity == "warning"
    assert "new columns licensed_slots (kept under these names)" in drift.message
    assert "missing columns capacity (NULL for this file)" in drift.message


def test_an_unknown_header_close_to_a_known_column_is_reported_with_the_spelling_to_add(
    real_dir, real_bucket, settings_for
):
    header, rows = texas(real_dir)
    drifted = [("Phone Numbr" if h == "Phone" else h) for h in header]
    _settings, outcome, raised = run_with(real_bucket, settings_for, csv_bytes(drifted, rows).encode())
    assert outcome.status == "loaded"
    assert outcome.drift["new_columns"] == ["phone_numbr"] and outcome.drift["suggested_columns"] == {
        "Phone Numbr": "phone"
    }
    drift = alert_for(raised, BAD)
    assert drift.kind == "schema_drift"
    assert "'Phone Numbr': did you mean phone? add it to sources.yml: columns.phone" in drift.message


def test_a_file_without_its_required_column_is_refused(real_dir, real_bucket, settings_for):
    header, rows = texas(real_dir)
    keep = [i for i, h in enumerate(header) if h != "Operation"]
    content = csv_bytes([header[i] for i in keep], [[r[i] for i in keep] for r in rows]).encode()
    _settings, outcome, _raised = run_with(real_bucket, settings_for, content)
    assert outcome.status == "refused"
    assert outcome.message.startswith("it has no column for operation (headers: Operation, Operation Number")


def test_a_bucket_that_does_not_exist_stops_the_run_in_one_line(tmp_path):
    missing = tmp_path / "no-such-bucket"
    result = CliRunner().invoke(
        app, ["ingest", "--bucket-url", str(missing), "--database", str(tmp_path / "leads.duckdb")]
    )
    assert result.exit_code == 3
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"error: bucket file://{missing} does not exist; check --bucket-url / LEADS_BUCKET_URL")


def test_a_nonexistent_local_bucket_raises_a_bucket_error(settings_for, tmp_path):
    with pytest.raises(BucketError, match="does not exist"):
        execute(settings_for(tmp_path / "missing"), "leads ingest", True, False)


def test_a_bucket_without_credentials_says_which_variables_to_set(settings_for, tmp_path):
    settings = settings_for(tmp_path).with_overrides(bucket_url="s3://leads-bucket")
    result = CliRunner().invoke(
        app, ["ingest", "--bucket-url", "s3://leads-bucket", "--database", str(settings.database)]
    )
    assert result.exit_code == 2
    output = result.output.strip().splitlines()[-1]
    assert output.startswith(
        "error: no credentials for bucket s3://leads-bucket: set SOURCES__FILESYSTEM__CREDENTIALS__AWS_ACCESS_KEY_ID, "
        "SOURCES__FILESYSTEM__CREDENTIALS__AWS_SECRET_ACCESS_KEY in the environment"
    )
