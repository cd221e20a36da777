"""The dlt source: per registered source, list the bucket folder and load each new file once.

Each source is a `filesystem` listing (incremental on the files' modification date, so a file is
extracted once however often ingestion runs) piped into a transformer that reads the file with
`CsvFileReader` and hands dlt the finished Parquet spool as a file import: the rows are never
turned into Python objects. The same load package carries the file's ledger row
(`raw.ingested_files`) and its unreadable records (`raw.rejected_records`), so a file's rows, its
ledger row and its rejects land together.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import dlt
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from dlt.common.storages.fsspec_filesystem import FileItemDict
from dlt.sources.filesystem import filesystem

from leads_pipeline.errors import FileRejected
from leads_pipeline.ingest.csv_reader import CsvFileReader, FileRead
from leads_pipeline.registry import SourceSpec

REFUSED_HINT = "Once fixed, put it in the bucket again: a file with a newer modification time is loaded"
LEDGER_TABLE = "ingested_files"
REJECTS_TABLE = "rejected_records"
COPY_CHUNK = 1 << 22
FINGERPRINT_BLOCK = 1 << 16
FINGERPRINT_SAMPLES = 32


@dataclass
class FileOutcome:
    """What happened to one listed file; the ingest report is a list of these."""

    source: str
    file_name: str
    relative_path: str
    status: str  # loaded | duplicate | refused
    snapshot_date: date | None
    rows: int = 0
    malformed: int = 0
    rejected: int = 0
    message: str | None = None
    drift: dict[str, object] = field(default_factory=dict)
    encoding: str | None = None
    size_bytes: int = 0


def fingerprint(path: Path) -> str:
    """A content fingerprint for spotting the same file under another name.

    It hashes the size and evenly spaced blocks rather than every byte: duplicate detection must
    not cost a second full read of a 100 GB month, and two different exports of one agency never
    agree on size and all sampled blocks.
    """
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        if size <= FINGERPRINT_BLOCK * FINGERPRINT_SAMPLES:
            digest.update(handle.read())
        else:
            step = (size - FINGERPRINT_BLOCK) // (FINGERPRINT_SAMPLES - 1)
            for index in range(FINGERPRINT_SAMPLES):
                handle.seek(index * step)
                digest.update(handle.read(FINGERPRINT_BLOCK))
    return digest.hexdigest()


def local_copy(item: FileItemDict, spool_dir: Path) -> tuple[Path, bool]:
    """A local path for a listed file: the file itself when local, else a streamed copy."""
    parsed = urlparse(item["file_url"])
    if parsed.scheme in ("", "file"):
        return Path(unquote(parsed.path)), False
    target = spool_dir / f"download-{hashlib.sha1(item['file_url'].encode()).hexdigest()[:16]}.csv"
    with item.open(mode="rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, COPY_CHUNK)
    return target, True


class FileLoader:
    """Turns listed files of one source into dlt items: the raw rows, the ledger row, the rejects."""

    def __init__(
        self,
        spec: SourceSpec,
        spool_dir: Path,
        known_fingerprints: dict[str, str],
        on_outcome: Callable[[FileOutcome], None],
        parquet_import: bool,
    ) -> None:
        self.spec = spec
        self.spool_dir = spool_dir
        self.known_fingerprints = known_fingerprints
        self.on_outcome = on_outcome
        self.parquet_import = parquet_import

    def __call__(self, items: list[FileItemDict]) -> Iterator[Any]:
        # Oldest snapshot first, so a month's files load in the order they describe.
        for item in sorted(items, key=lambda i: (self._snapshot(i) or date.min, i["relative_path"])):
            yield from self._load_one(item)

    def _snapshot(self, item: FileItemDict) -> date | None:
        return self.spec.snapshot_date(item["file_name"], item.get("modification_date"))

    def _load_one(self, item: FileItemDict) -> Iterator[Any]:
        load_id = dlt.current.load_package_state()["load_id"]
        outcome = FileOutcome(
            source=self.spec.name,
            file_name=item["file_name"],
            relative_path=item["relative_path"],
            status="loaded",
            snapshot_date=self._snapshot(item),
            size_bytes=int(item.get("size_in_bytes") or 0),
        )
        path, downloaded = local_copy(item, self.spool_dir)
        read: FileRead | None = None
        try:
            outcome.size_bytes = path.stat().st_size
            print_ = fingerprint(path)
            original = self.known_fingerprints.get(print_)
            if original is not None:
                outcome.status = "duplicate"
                outcome.message = (
                    f"same content as {original}, already loaded; skipped. Remove the copy from the "
                    "bucket, or change it if it is meant to be a new snapshot"
                )
            else:
                lineage = {
                    "_file_name": item["file_name"],
                    "_relative_path": item["relative_path"],
                    "_modification_date": _naive_utc(item.get("modification_date")),
                    "_snapshot_date": outcome.snapshot_date,
                    "_dlt_load_id": load_id,
                }
                try:
                    read = CsvFileReader(path, self.spec, self.spool_dir, lineage).read()
                except FileRejected as refused:
                    outcome.status = "refused"
                    outcome.message = f"{refused}. {REFUSED_HINT}"
                except duckdb.Error as exc:
                    # Whatever else the CSV reader cannot take refuses this file, not the whole run.
                    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
                    outcome.status = "refused"
                    outcome.message = f"it cannot be read as CSV ({type(exc).__name__}: {reason}). {REFUSED_HINT}"
                if read is not None:
                    self.known_fingerprints[print_] = item["relative_path"]
                    outcome.rows, outcome.malformed = read.records, read.malformed
                    outcome.rejected, outcome.encoding = len(read.rejected), read.encoding
                    outcome.drift = read.headers.drift
                    if read.records:
                        yield from self._rows(read)
                    if read.rejected:
                        rejects = [
                            {
                                "source": self.spec.name,
                                "file_name": item["file_name"],
                                "relative_path": item["relative_path"],
                                "record_number": r.record_number,
                                "reason": r.reason,
                                "record_text": r.text,
                                "load_id": load_id,
                            }
                            for r in read.rejected
                        ]
                        yield dlt.mark.with_table_name(pa.Table.from_pylist(rejects, REJECTS_SCHEMA), REJECTS_TABLE)
            ledger = [self._ledger_row(outcome, item, print_, load_id)]
            yield dlt.mark.with_table_name(pa.Table.from_pylist(ledger, LEDGER_SCHEMA), LEDGER_TABLE)
        finally:
            if downloaded:
                path.unlink(missing_ok=True)
        self.on_outcome(outcome)

    def _rows(self, read: FileRead) -> Iterator[Any]:
        schema = pq.read_schema(read.spool_path)
        if self.parquet_import:
            yield dlt.mark.with_file_import(str(read.spool_path), "parquet", read.records, hints=schema.empty_table())
        else:
            # Destinations without Parquet loading get the spool as Arrow batches.
            for batch in pq.ParquetFile(read.spool_path).iter_batches(batch_size=100_000):
                yield pa.Table.from_batches([batch])

    def _ledger_row(self, outcome: FileOutcome, item: FileItemDict, print_: str, load_id: str) -> dict[str, Any]:
        return {
            "source": outcome.source,
            "file_name": outcome.file_name,
            "relative_path": outcome.relative_path,
            "file_url": item["file_url"],
            "status": outcome.status,
            "message": outcome.message,
            "snapshot_date": outcome.snapshot_date,
            "modification_date": _naive_utc(item.get("modification_date")),
            "size_bytes": outcome.size_bytes,
            "fingerprint": print_,
            "encoding": outcome.encoding,
            "rows_loaded": outcome.rows,
            "rows_malformed": outcome.malformed,
            "rows_rejected": outcome.rejected,
            "schema_drift": json.dumps(outcome.drift, sort_keys=True) if outcome.drift else None,
            "load_id": load_id,
            "ingested_at": datetime.now(UTC).replace(tzinfo=None),
        }


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


# Typed Arrow schemas keep every column of the ledger and rejects tables, even when all NULL.
LEDGER_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("file_name", pa.string()),
        ("relative_path", pa.string()),
        ("file_url", pa.string()),
        ("status", pa.string()),
        ("message", pa.string()),
        ("snapshot_date", pa.date32()),
        ("modification_date", pa.timestamp("us")),
        ("size_bytes", pa.int64()),
        ("fingerprint", pa.string()),
        ("encoding", pa.string()),
        ("rows_loaded", pa.int64()),
        ("rows_malformed", pa.int64()),
        ("rows_rejected", pa.int64()),
        ("schema_drift", pa.string()),
        ("load_id", pa.string()),
        ("ingested_at", pa.timestamp("us")),
    ]
)
REJECTS_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("file_name", pa.string()),
        ("relative_path", pa.string()),
        ("record_number", pa.int64()),
        ("reason", pa.string()),
        ("record_text", pa.string()),
        ("load_id", pa.string()),
    ]
)


@dlt.source(name="leads")
def leads_source(
    bucket_url: str,
    specs: list[SourceSpec],
    spool_dir: Path,
    known_fingerprints: dict[str, dict[str, str]],
    on_outcome: Callable[[FileOutcome], None],
    parquet_import: bool = True,
    credentials: Any = None,
) -> Any:
    """One listing + loader pair per registered source, all appending to `raw`."""
    resources = []
    for spec in specs:
        listing = filesystem(
            bucket_url=bucket_url,
            file_glob=spec.glob,
            credentials=credentials if credentials is not None else dlt.secrets.value,
            incremental=dlt.sources.incremental("modification_date"),
        ).with_name(f"{spec.name}_files")
        loader = FileLoader(spec, spool_dir, known_fingerprints.setdefault(spec.name, {}), on_outcome, parquet_import)
        resources.append(_raw_table(loader, listing, spec.table_name))
    return resources


def _raw_table(loader: FileLoader, listing: Any, table_name: str) -> Any:
    @dlt.transformer(name=table_name, write_disposition="append", data_from=listing)
    def load_files(items: list[FileItemDict]) -> Iterator[Any]:
        yield from loader(items)

    return load_files
