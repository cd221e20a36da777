"""Ingestion of the real agency files and of drifted, re-encoded and broken copies of them."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import duckdb
import pytest

from leads_pipeline.config.registry import load_registry
from leads_pipeline.stages.ingest import csv_reader
from leads_pipeline.stages.ingest.content import scan_file
from leads_pipeline.stages.ingest.csv_reader import CsvFileReader
from leads_pipeline.stages.ingest.runner import run_ingest
from tests.conftest import PROJECT_ROOT, REAL_FILES, REAL_RECORDS


def ingest(settings):
    return run_ingest(settings, load_registry(settings.sources_file))


def raw_counts(settings) -> dict[str, int]:
    with duckdb.connect(str(settings.database), read_only=True) as con:
        return {source: con.execute(f"SELECT count(*) FROM raw.{source}_raw").fetchone()[0] for source in REAL_FILES}


def read_records(path: Path, encoding: str = "utf-8") -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding=encoding) as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_records(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8", line_ending: str = "\r\n"
) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_ending).writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))


def test_each_real_file_loads_every_record_once(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    report = ingest(settings)
    assert {f.source: f.rows for f in report.files} == REAL_RECORDS
    assert raw_counts(settings) == REAL_RECORDS
    with duckdb.connect(str(settings.database), read_only=True) as con:
        # Multi-line caregiver cells stay one record, text exactly as in the file.
        caregiver = con.execute("SELECT primary_caregiver FROM raw.source_2_raw WHERE _record_number = 1").fetchone()[0]
        assert caregiver == "Elizabeth Hellstrom\n \n Primary Caregiver"
        lineage = con.execute(
            "SELECT DISTINCT _file_name, _relative_path, _snapshot_date::VARCHAR, _dlt_load_id IS NOT NULL "
            "FROM raw.source_1_raw"
        ).fetchall()
        assert lineage == [("source_1_20241101.csv", REAL_FILES["source_1"], "2024-11-01", True)]
        numbers = con.execute(
            "SELECT min(_record_number), max(_record_number), count(DISTINCT _record_number) FROM raw.source_3_raw"
        ).fetchone()
        assert numbers == (1, 29, 29)


def test_loading_twice_loads_nothing_new(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    ingest(settings)
    again = ingest(settings)
    assert again.loaded == []
    assert raw_counts(settings) == REAL_RECORDS


def test_a_new_snapshot_file_is_appended(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    ingest(settings)
    header, rows = read_records(real_bucket / REAL_FILES["source_3"])
    rows[0][header.index("Capacity")] = "99"
    write_records(real_bucket / "technical_exercise/source_3/source_3_20241201.csv", header, rows[:-1])
    report = ingest(settings)
    assert [(f.file_name, f.rows) for f in report.loaded] == [("source_3_20241201.csv", 28)]
    with duckdb.connect(str(settings.database), read_only=True) as con:
        snapshots = con.execute(
            "SELECT _snapshot_date::VARCHAR, count(*) FROM raw.source_3_raw GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert snapshots == [("2024-11-01", 29), ("2024-12-01", 28)]


def test_renamed_headers_fill_the_canonical_columns(real_bucket, settings_for):
    source_1 = real_bucket / REAL_FILES["source_1"]
    header, rows = read_records(source_1)
    renamed = {"Phone": "Phone Number", "Credential Number": "Credential No", "Name": "Facility Name"}
    drifted = [renamed.get(h, h) for h in header] + ["Inspection Score"]
    drifted_rows = [row + [str(i)] for i, row in enumerate(rows)]
    source_1.unlink()
    write_records(source_1.with_name("source_1_20241201.csv"), drifted, drifted_rows, line_ending="\n")
    settings = settings_for(real_bucket)
    report = ingest(settings)
    outcome = next(f for f in report.files if f.source == "source_1")
    assert outcome.rows == 70
    assert outcome.drift["renamed_columns"] == {
        "Phone Number": "phone",
        "Credential No": "credential_number",
        "Facility Name": "name",
    }
    assert outcome.drift["new_columns"] == ["inspection_score"]
    with duckdb.connect(str(settings.database), read_only=True) as con:
        loaded = con.execute(
            "SELECT name, credential_number, phone, inspection_score FROM raw.source_1_raw ORDER BY _record_number"
        ).fetchall()
    expected = [
        (r[header.index("Name")], r[header.index("Credential Number")], r[header.index("Phone")], str(i))
        for i, r in enumerate(rows)
    ]
    assert loaded == expected


def test_a_cp1252_file_keeps_its_characters(real_bucket, settings_for):
    source_3 = real_bucket / REAL_FILES["source_3"]
    header, rows = read_records(source_3)
    rows[1][header.index("Operation Name")] = "Angel’s Café Learning Center"
    write_records(source_3, header, rows, encoding="cp1252")
    settings = settings_for(real_bucket)
    report = ingest(settings)
    outcome = next(f for f in report.files if f.source == "source_3")
    assert (outcome.encoding, outcome.rows) == ("cp1252", 29)
    with duckdb.connect(str(settings.database), read_only=True) as con:
        name = con.execute("SELECT operation_name FROM raw.source_3_raw WHERE _record_number = 2").fetchone()[0]
    assert name == "Angel’s Café Learning Center"


def test_a_bom_file_loads_its_first_column(real_bucket, settings_for):
    source_1 = real_bucket / REAL_FILES["source_1"]
    source_1.write_bytes(b"\xef\xbb\xbf" + source_1.read_bytes())
    settings = settings_for(real_bucket)
    ingest(settings)
    with duckdb.connect(str(settings.database), read_only=True) as con:
        assert con.execute("SELECT count(name) FROM raw.source_1_raw").fetchone()[0] == 70


def test_a_malformed_file_is_reported_not_fatal(real_bucket, settings_for):
    source_2 = real_bucket / REAL_FILES["source_2"]
    records = source_2.read_bytes().split(b"\r\n")
    # record 3 loses its last fields, record 5 gains two, record 7 has a stray quote inside a
    # value, and the file is cut inside the last record's quoted multi-line cell
    records[3] = records[3].rsplit(b",", 3)[0]
    records[5] = records[5] + b",surplus,more"
    records[7] = b'CHILD CARE FAMILY - K000000007,"BROKEN" QUOTE,' + records[7].split(b",", 2)[2]
    damaged = b"\r\n".join(records)
    source_2.write_bytes(damaged[: damaged.rfind(b"Primary Caregiver") + 5])
    settings = settings_for(real_bucket)
    report = ingest(settings)
    outcome = next(f for f in report.files if f.source == "source_2")
    assert (outcome.status, outcome.rows, outcome.malformed, outcome.rejected) == ("loaded", 27, 3, 1)
    assert {f.source: f.rows for f in report.loaded if f.source != "source_2"} == {
        k: v for k, v in REAL_RECORDS.items() if k != "source_2"
    }
    with duckdb.connect(str(settings.database), read_only=True) as con:
        flagged = con.execute(
            "SELECT _record_number, _parse_error, _extra_fields FROM raw.source_2_raw "
            "WHERE _parse_error IS NOT NULL ORDER BY 1"
        ).fetchall()
        rejected = con.execute("SELECT record_number, reason, record_text FROM raw.rejected_records").fetchall()
        numbers = [r[0] for r in con.execute("SELECT _record_number FROM raw.source_2_raw ORDER BY 1").fetchall()]
    assert flagged == [
        (3, "too few fields", None),
        (5, "too many fields", "surplus,more"),
        (28, "broken quoting", None),
    ]
    assert [(r[0], r[1]) for r in rejected] == [(7, "UNQUOTED VALUE")]
    assert "K000000007" in rejected[0][2]
    assert numbers == [n for n in range(1, 29) if n != 7]


def test_record_numbers_follow_the_file_across_parallel_reads(real_dir, tmp_path, monkeypatch):
    """DuckDB parses a large file in parts on every core, which finish in any order; each record
    still gets its place in the file."""
    connect = duckdb.connect

    def eight_cores(*args, config=None, **kwargs):  # parts finish out of order, as on a larger machine
        return connect(*args, config={**(config or {}), "threads": 8}, **kwargs)

    monkeypatch.setattr(csv_reader.duckdb, "connect", eight_cores)
    spec = load_registry(PROJECT_ROOT / "sources.yml")["source_2"]
    header, rows = read_records(real_dir / REAL_FILES["source_2"])
    name = header.index("Company")
    copies = []
    for position in range(1, 150_001):
        # No quoted line breaks: DuckDB reads a file holding them on one core.
        row = [cell.replace("\n", " ") for cell in rows[position % len(rows)]]
        row[name] = f"{row[name]} #{position}"
        copies.append(row)
    big = tmp_path / "source_2_20241201.csv"
    write_records(big, header, copies)
    assert big.stat().st_size > 64 << 20  # DuckDB parses a file in parts of 8 MB, on every core
    read = CsvFileReader(big, spec, tmp_path, {"_dlt_load_id": "1"}, scan_file(big), "1GB").read()
    assert read.records == len(copies)
    with duckdb.connect() as con:
        misplaced = con.execute(
            f"SELECT count(*) FILTER (WHERE _record_number <> CAST(regexp_extract({spec.canonical_column('Company')}, "
            "'#([0-9]+)$', 1) AS BIGINT)), "
            "count(DISTINCT _record_number) "
            f"FROM read_parquet('{read.spool_path}')"
        ).fetchone()
    assert misplaced == (0, len(copies))


def test_a_file_without_its_key_column_is_refused_and_others_load(real_bucket, settings_for):
    source_3 = real_bucket / REAL_FILES["source_3"]
    header, rows = read_records(source_3)
    keep = [i for i, h in enumerate(header) if h != "Operation"]
    write_records(source_3, [header[i] for i in keep], [[r[i] for i in keep] for r in rows])
    settings = settings_for(real_bucket)
    report = ingest(settings)
    refused = next(f for f in report.files if f.source == "source_3")
    assert refused.status == "refused"
    assert "operation" in refused.message and "Operation" in refused.message
    assert len(report.loaded) == 3


def test_a_copy_under_another_name_is_skipped(real_bucket, settings_for):
    original = real_bucket / REAL_FILES["source_1"]
    shutil.copy(original, original.with_name("source_1_20241101 (copy).csv"))
    settings = settings_for(real_bucket)
    report = ingest(settings)
    statuses = sorted((f.file_name, f.status) for f in report.files if f.source == "source_1")
    assert statuses == [
        ("source_1_20241101 (copy).csv", "duplicate"),
        ("source_1_20241101.csv", "loaded"),
    ] or statuses == [("source_1_20241101 (copy).csv", "loaded"), ("source_1_20241101.csv", "duplicate")]
    assert raw_counts(settings)["source_1"] == 70


@pytest.mark.parametrize("missing", ["/nonexistent/bucket/path"])
def test_a_missing_bucket_is_a_clear_error(missing, settings_for):
    from leads_pipeline.config.errors import BucketError

    with pytest.raises(BucketError, match="does not exist"):
        ingest(settings_for(missing))
