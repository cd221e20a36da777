"""The dlt source: per registered source, list the bucket folder and load each new file once.

Each source is a `filesystem` listing of its folder piped into a transformer that asks the ledger
(`ingest.ledger`) which listed files are new, by path and content, never by modification time. A
new file's bytes are scanned once (`ingest.content`: the hash of the whole content, the encoding),
it is read with `CsvFileReader`, and dlt gets the finished Parquet spool as a file import: the rows
are never turned into Python objects. The same load package carries the file's ledger row
(`raw.ingested_files`), its unreadable records (`raw.rejected_records`) and its record index
(`raw.record_index`, `ingest.record_index`: each record's natural key and content hash), so a
file's rows, its ledger row, its rejects and its index land together. The index is compared with
the source's previous snapshot before the file is handed on: the ledger row and the report say how
many records the file inserted, updated, left unchanged and deleted.

One file's trouble stays with that file: a bad file is refused with its reason, a failure of ours
(out of memory, an I/O error) is recorded as `failed` and tried again by the next run, and the
other files load either way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import dlt
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from dlt.common.storages.fsspec_filesystem import FileItemDict
from dlt.sources.filesystem import filesystem

from leads_pipeline.config import names
from leads_pipeline.config.errors import FileRejected, advised
from leads_pipeline.config.registry import SnapshotDate, SourceSpec
from leads_pipeline.config.settings import Settings
from leads_pipeline.stages.ingest.content import Content, copy_and_scan, scan_file
from leads_pipeline.stages.ingest.csv_reader import CsvFileReader, FileRead
from leads_pipeline.stages.ingest.deletions import DeletionGuard
from leads_pipeline.stages.ingest.ledger import (
    FAILED,
    HELD,
    LEDGER_SCHEMA,
    LOADED,
    REFUSED,
    Ledger,
    naive_utc,
)
from leads_pipeline.stages.ingest.record_index import FileChanges, RecordIndex
from leads_pipeline.warehouse import Warehouse

REFUSED_HINT = "Once fixed, put it in the bucket again: a changed file is read again"
# A snapshot dated later than this past today is held: its records would become the newest
# snapshot and mark every facility missing from it inactive.
FUTURE_TOLERANCE = timedelta(days=1)
# Failures of ours, not of the file: the file is recorded as `failed` and tried again next run.
TRANSIENT_ERRORS = (MemoryError, OSError, duckdb.IOException, duckdb.OutOfMemoryException)
REASON_CHARS = 200


@dataclass
class FileOutcome:
    """What happened to one listed file; the ingest report is a list of these."""

    source: str
    file_name: str
    relative_path: str
    status: str  # see ingest.ledger
    snapshot_date: date | None
    rows: int = 0
    malformed: int = 0
    rejected: int = 0
    message: str | None = None
    drift: dict[str, object] = field(default_factory=dict)
    encoding: str | None = None
    size_bytes: int = 0
    fingerprint: str | None = None
    flags: list[str] = field(default_factory=list)
    changes: FileChanges | None = None  # against the previous snapshot; None when not known


def hold_reason(snapshot: SnapshotDate, today: date) -> str | None:
    """Why a file's snapshot date cannot be trusted without a person's word, else None."""
    accept = (
        "If it is right, acknowledge this alert (`leads alerts`, then `leads alerts ack ID`) and the next run "
        "loads it{as_}; else rename the file with its snapshot date (YYYYMMDD)"
    )
    if snapshot.impossible is not None:
        as_ = f" dated by its modification time ({snapshot.value})" if snapshot.value else ""
        return f"its name holds {snapshot.impossible}, which is not a date; held. " + accept.format(as_=as_)
    if snapshot.value is not None and snapshot.value > today + FUTURE_TOLERANCE:
        return (
            f"its snapshot date {snapshot.value} (from its {snapshot.origin}) is later than today ({today}); held, "
            "or it would become the newest snapshot and mark every facility missing from it inactive. "
            + accept.format(as_=f" as the snapshot of {snapshot.value}")
        )
    return None


def first_line(exc: BaseException) -> str:
    """An error's first line, short, without the record text some CSV errors quote."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    for marker in ("Original Line", "Line:"):
        text = text.split(marker, 1)[0]
    text = text.strip(" :") or type(exc).__name__
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


class FileLoader:
    """Turns listed files of one source into dlt items: the raw rows, the ledger row, the rejects."""

    def __init__(
        self,
        spec: SourceSpec,
        spool_dir: Path,
        ledger: Ledger,
        on_outcome: Callable[[FileOutcome], None],
        parquet_import: bool,
        bucket_root: Path | None = None,
        today: date | None = None,
        memory_limit: str = "1GB",
        guard: DeletionGuard | None = None,
        on_listed: Callable[[int], None] | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.spec = spec
        self.spool_dir = spool_dir
        self.ledger = ledger
        self.on_outcome = on_outcome
        self.parquet_import = parquet_import
        self.bucket_root = bucket_root.resolve() if bucket_root else None
        self.today = today or datetime.now(UTC).date()
        self.memory_limit = memory_limit
        self.guard = guard
        self.on_listed = on_listed
        self.settings = settings  # where the previous snapshot's index is read; None: not compared
        self.index = RecordIndex(spec, memory_limit)

    def __call__(self, items: list[FileItemDict]) -> Iterator[Any]:
        new = [
            item
            for item in items
            if not self.ledger.settled(item["relative_path"], item.get("size_in_bytes"), item.get("modification_date"))
        ]
        if self.on_listed and new:
            self.on_listed(len(new))  # before any is read: progress bars learn their total
        # Oldest snapshot first, so a month's files load in the order they describe.
        for item in sorted(new, key=lambda i: (self._snapshot(i).value or date.min, i["relative_path"])):
            yield from self._load_one(item)

    def _snapshot(self, item: FileItemDict) -> SnapshotDate:
        return self.spec.snapshot_date(item["file_name"], item.get("modification_date"))

    def _load_one(self, item: FileItemDict) -> Iterator[Any]:
        load_id = dlt.current.load_package_state()["load_id"]
        snapshot = self._snapshot(item)
        outcome = FileOutcome(
            source=self.spec.name,
            file_name=item["file_name"],
            relative_path=item["relative_path"],
            status=LOADED,
            snapshot_date=snapshot.value,
            size_bytes=int(item.get("size_in_bytes") or 0),
        )
        produced: Iterable[Any] = []
        try:
            held = hold_reason(snapshot, self.today)
            if held and item["relative_path"] not in self.ledger.accepted:
                outcome.status, outcome.message = HELD, held
            else:
                produced = self._read(item, outcome, load_id)
        except FileRejected as refused:
            outcome.status, outcome.message = REFUSED, f"{refused}. {REFUSED_HINT}"
        except TRANSIENT_ERRORS as exc:
            outcome.status = FAILED
            outcome.message = advised(
                f"it could not be loaded this time ({type(exc).__name__}: {first_line(exc)}); nothing of it "
                "was loaded, and the next run tries it again",
                str(exc),
            )
        except duckdb.Error as exc:
            # Whatever else the CSV reader cannot take refuses this file, not the whole run.
            outcome.status = REFUSED
            outcome.message = f"it cannot be read as CSV ({type(exc).__name__}: {first_line(exc)}). {REFUSED_HINT}"
        except Exception as exc:  # noqa: BLE001 - a fault of ours must not stop the other files
            outcome.status = FAILED
            outcome.message = (
                f"an unexpected error stopped its load ({type(exc).__name__}: {first_line(exc)}); nothing of it "
                "was loaded, and the next run tries it again"
            )
        if outcome.status != LOADED:
            produced = []
        yield from produced
        ledger = [self._ledger_row(outcome, item, load_id)]
        yield dlt.mark.with_table_name(pa.Table.from_pylist(ledger, LEDGER_SCHEMA), names.LEDGER)
        self.on_outcome(outcome)

    def _read(self, item: FileItemDict, outcome: FileOutcome, load_id: str) -> Iterable[Any]:
        """Scan, decide and read one file; the dlt items it produces, or none when it is known."""
        path, downloaded = self._local_path(item)
        try:
            content = self._scan(item, path, downloaded)
            outcome.size_bytes, outcome.fingerprint = content.size, content.fingerprint
            status, note = self.ledger.verdict(self.spec.name, item["relative_path"], content.fingerprint)
            if status is not None:
                outcome.status, outcome.message = status, note
                return []
            outcome.message = note
            lineage = {
                "_file_name": item["file_name"],
                "_relative_path": item["relative_path"],
                "_modification_date": naive_utc(item.get("modification_date")),
                "_snapshot_date": outcome.snapshot_date,
                "_dlt_load_id": load_id,
            }
            read = CsvFileReader(path, self.spec, self.spool_dir, lineage, content, self.memory_limit).read()
        finally:
            if downloaded:
                path.unlink(missing_ok=True)
        index = self.index.write(read.spool_path, lineage) if read.records else None
        outcome.changes = self._compare(outcome.snapshot_date, index)
        if self.guard is not None and item["relative_path"] not in self.ledger.accepted:
            held = self.guard.hold_reason(
                self.spec, outcome.snapshot_date, read.spool_path, self.spec.natural_key, outcome.changes
            )
            if held:
                outcome.status, outcome.message = HELD, held
                return []
        self.ledger.note_loaded(self.spec.name, item["relative_path"], content.fingerprint)
        outcome.rows, outcome.malformed = read.records, read.malformed
        outcome.rejected, outcome.encoding = len(read.rejected), read.encoding
        outcome.drift, outcome.flags = read.headers.drift, read.flags
        produced: list[Any] = list(self._rows(read)) if read.records else []
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
            produced.append(dlt.mark.with_table_name(pa.Table.from_pylist(rejects, REJECTS_SCHEMA), names.REJECTS))
        # The index streams in bounded batches as dlt takes them: it is as long as the file.
        return chain(produced, self._index_rows(index)) if index is not None else produced

    def _index_rows(self, index: Path) -> Iterator[Any]:
        for table in self.index.batches(index):
            yield dlt.mark.with_table_name(table, names.RECORD_INDEX)

    def _compare(self, snapshot: date | None, index: Path | None) -> FileChanges | None:
        if self.settings is None or index is None:
            return None
        with Warehouse.open(self.settings) as warehouse:
            return self.index.compare(warehouse, snapshot, index)

    def _local_path(self, item: FileItemDict) -> tuple[Path, bool]:
        """The listed file as a local path: the file itself when local, else a copy to stream into."""
        parsed = urlparse(item["file_url"])
        if parsed.scheme in ("", "file"):
            path = Path(unquote(parsed.path))
            self._check_inside_bucket(item["relative_path"], path)
            return path, False
        return self.spool_dir / f"download-{hashlib.sha1(item['file_url'].encode()).hexdigest()[:16]}.csv", True

    def _check_inside_bucket(self, relative_path: str, path: Path) -> None:
        """Links are not followed: a file is read only where the bucket itself holds it.

        The listing names a linked file by its target (`path`); the link is the listed path.
        """
        if self.bucket_root is not None and (self.bucket_root / relative_path).is_symlink():
            raise FileRejected("it is a symbolic link, and links are not followed; put the file itself in the bucket")
        if self.bucket_root is not None and not path.resolve().is_relative_to(self.bucket_root):
            raise FileRejected(
                "it lies outside the bucket, through a linked folder, and links are not followed; put the file "
                "itself in the bucket"
            )

    @staticmethod
    def _scan(item: FileItemDict, path: Path, downloaded: bool) -> Content:
        if not downloaded:
            return scan_file(path)
        with item.open(mode="rb") as source:
            return copy_and_scan(source, path)

    def _rows(self, read: FileRead) -> Iterator[Any]:
        schema = pq.read_schema(read.spool_path)
        if self.parquet_import:
            yield dlt.mark.with_file_import(str(read.spool_path), "parquet", read.records, hints=schema.empty_table())
        else:
            # Destinations without Parquet loading get the spool as Arrow batches.
            for batch in pq.ParquetFile(read.spool_path).iter_batches(batch_size=100_000):
                yield pa.Table.from_batches([batch])

    def _ledger_row(self, outcome: FileOutcome, item: FileItemDict, load_id: str) -> dict[str, Any]:
        return {
            "source": outcome.source,
            "file_name": outcome.file_name,
            "relative_path": outcome.relative_path,
            "file_url": item["file_url"],
            "status": outcome.status,
            "message": outcome.message,
            "snapshot_date": outcome.snapshot_date,
            "modification_date": naive_utc(item.get("modification_date")),
            "size_bytes": outcome.size_bytes,
            "fingerprint": outcome.fingerprint,
            "encoding": outcome.encoding,
            "rows_loaded": outcome.rows,
            "rows_malformed": outcome.malformed,
            "rows_rejected": outcome.rejected,
            "schema_drift": json.dumps(outcome.drift, sort_keys=True) if outcome.drift else None,
            **_change_counts(outcome.changes),
            "load_id": load_id,
            "ingested_at": datetime.now(UTC).replace(tzinfo=None),
        }


def _change_counts(changes: FileChanges | None) -> dict[str, Any]:
    """The ledger's columns of a file's comparison with the previous snapshot."""
    if changes is None:
        return dict.fromkeys(("compared_with", *CHANGE_COLUMNS))
    counts = (changes.inserted, changes.updated, changes.unchanged, changes.deleted)
    return {"compared_with": changes.previous_snapshot, **dict(zip(CHANGE_COLUMNS, counts, strict=True))}


CHANGE_COLUMNS = ("records_inserted", "records_updated", "records_unchanged", "records_deleted")

# Typed, so every column of the rejects table exists even when all NULL.
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
    ledger: Ledger,
    on_outcome: Callable[[FileOutcome], None],
    parquet_import: bool = True,
    credentials: Any = None,
    memory_limit: str = "1GB",
    guard: DeletionGuard | None = None,
    on_listed: Callable[[int], None] | None = None,
    settings: Settings | None = None,
) -> Any:
    """One listing + loader pair per registered source, all appending to `raw`."""
    parsed = urlparse(bucket_url)
    bucket_root = Path(unquote(parsed.path)) if parsed.scheme in ("", "file") else None
    resources = []
    for spec in specs:
        # Every file is listed on every run: the ledger, not a time cursor, says which are new.
        listing = filesystem(
            bucket_url=bucket_url,
            file_glob=spec.glob,
            credentials=credentials if credentials is not None else dlt.secrets.value,
        ).with_name(f"{spec.name}_files")
        loader = FileLoader(
            spec,
            spool_dir,
            ledger,
            on_outcome,
            parquet_import,
            bucket_root,
            memory_limit=memory_limit,
            guard=guard,
            on_listed=on_listed,
            settings=settings,
        )
        resources.append(_raw_table(loader, listing, spec.table_name))
    return resources


def _raw_table(loader: FileLoader, listing: Any, table_name: str) -> Any:
    @dlt.transformer(name=table_name, write_disposition="append", data_from=listing)
    def load_files(items: list[FileItemDict]) -> Iterator[Any]:
        yield from loader(items)

    return load_files
