"""The ledger (`raw.ingested_files`): one row per file version the ingestion looked at, and what
became of it. The ledger alone decides whether a listed file is new, by its path and content,
never by a time cursor: a late file copied with its original, older modification time loads, and
a corrected file under the same name is loaded as that path's new version.

A listed file is settled, and not read again, while the ledger's latest row for its path has the
same size and modification time and a final status. Otherwise it is read once; the hash of its
whole content then says whether it is the path's loaded content touched again (`unchanged`), a copy
of another loaded file (`duplicate`), or content to load, replacing the path's earlier version.

Statuses:
  loaded     its rows are in raw; the newest loaded row of a path is its current version
  unchanged  the path's loaded content, listed again with a new modification time
  duplicate  the same content as another loaded file; skipped
  refused    the file is bad (empty, binary, no key column...); read again once it changes
  held       its snapshot date is impossible or in the future; loaded once a person accepts it
  failed     our failure (out of memory, an I/O error): not settled, the next run tries again
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pyarrow as pa

from leads_pipeline.config import names
from leads_pipeline.observe.alerts import HELD_FILE
from leads_pipeline.warehouse import Warehouse

LOADED, UNCHANGED, DUPLICATE, REFUSED, HELD, FAILED = "loaded", "unchanged", "duplicate", "refused", "held", "failed"
SETTLED = frozenset({LOADED, UNCHANGED, DUPLICATE, REFUSED, HELD})

# Typed, so every column exists even when all NULL.
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
        # against the previous snapshot, as the file landed (ingest.record_index); NULL when unknown
        ("compared_with", pa.date32()),
        ("records_inserted", pa.int64()),
        ("records_updated", pa.int64()),
        ("records_unchanged", pa.int64()),
        ("records_deleted", pa.int64()),
        ("load_id", pa.string()),
        ("ingested_at", pa.timestamp("us")),
    ]
)


def naive_utc(moment: datetime | None) -> datetime | None:
    """A moment as naive UTC, as the ledger stores it, whichever way the store or the table typed it."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return datetime(*moment.timetuple()[:6], moment.microsecond)


@dataclass(frozen=True)
class LedgerRow:
    source: str
    relative_path: str
    status: str
    size_bytes: int | None
    modification_date: datetime | None
    fingerprint: str | None
    ingested_at: datetime | None


@dataclass
class Ledger:
    """What the ledger says about each path: its latest row, its current loaded version, acceptances."""

    latest: dict[str, LedgerRow] = field(default_factory=dict)
    current: dict[str, LedgerRow] = field(default_factory=dict)
    accepted: set[str] = field(default_factory=set)
    _copies: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def read(cls, warehouse: Warehouse) -> Ledger:
        ledger = cls()
        if not warehouse.table_exists(names.RAW, names.LEDGER):
            return ledger
        rows = warehouse.query(
            "SELECT source, relative_path, status, size_bytes, modification_date, fingerprint, ingested_at "
            f"FROM {names.RAW}.{names.LEDGER} ORDER BY ingested_at, load_id"
        )
        for values in rows:
            row = LedgerRow(*values[:4], naive_utc(values[4]), values[5], naive_utc(values[6]))
            ledger.latest[row.relative_path] = row
            if row.status == LOADED:
                ledger.current[row.relative_path] = row
        for row in ledger.current.values():
            if row.fingerprint:
                ledger._copies.setdefault((row.source, row.fingerprint), row.relative_path)
        ledger.accepted = _accepted_holds(warehouse, ledger)
        return ledger

    def settled(self, relative_path: str, size: int | None, modified: datetime | None) -> bool:
        """True when the path's latest row already covers this listing: nothing to read."""
        row = self.latest.get(relative_path)
        if row is None or row.status not in SETTLED:
            return False
        if row.status == HELD and relative_path in self.accepted:
            return False
        return row.size_bytes == size and row.modification_date == naive_utc(modified)

    def verdict(self, source: str, relative_path: str, fingerprint: str) -> tuple[str | None, str | None]:
        """(status, message) for content already known, else (None, note) for content to load."""
        current = self.current.get(relative_path)
        if current is not None and current.fingerprint == fingerprint:
            return UNCHANGED, f"same content as its version loaded at {_when(current)}; nothing to load"
        original = self._copies.get((source, fingerprint))
        if original is not None and original != relative_path:
            return DUPLICATE, (
                f"same content as {original}, already loaded; skipped. Remove the copy from the bucket, "
                "or change it if it is meant to be a new snapshot"
            )
        if current is not None:
            return None, f"a new version: it replaces the one loaded at {_when(current)}"
        return None, None

    def note_loaded(self, source: str, relative_path: str, fingerprint: str) -> None:
        """A file read in this run counts as loaded for the files listed after it."""
        self._copies.setdefault((source, fingerprint), relative_path)


def previous_snapshot(warehouse: Warehouse, source: str, snapshot: date) -> date | None:
    """The latest snapshot of the source loaded before `snapshot`."""
    if not warehouse.table_exists(names.RAW, names.LEDGER):
        return None
    rows = warehouse.query(
        f"SELECT max(snapshot_date) FROM {names.RAW}.{names.LEDGER} "
        f"WHERE source = {warehouse.mark} AND status = '{LOADED}' AND snapshot_date < {warehouse.mark}",
        [source, snapshot],
    )
    return rows[0][0] if rows and rows[0][0] else None


def _when(row: LedgerRow) -> str:
    return f"{row.ingested_at:%Y-%m-%d %H:%M:%S} UTC" if row.ingested_at else "an earlier run"


def _accepted_holds(warehouse: Warehouse, ledger: Ledger) -> set[str]:
    """Held paths whose hold alert a person acknowledged after the hold was recorded."""
    held = {path: row for path, row in ledger.latest.items() if row.status == HELD}
    if not held or not warehouse.table_exists(names.AUDIT, names.ALERTS):
        return set()
    # Acknowledging the hold's alert (`leads alerts ack`) is how a person accepts the file.
    rows = warehouse.query(
        f"SELECT file, max(raised_at) FROM {names.AUDIT}.{names.ALERTS} WHERE kind = '{HELD_FILE}' "
        "AND acknowledged_at IS NOT NULL GROUP BY file"
    )
    accepted = set()
    for path, raised_at in rows:
        row = held.get(path)
        if row is not None and (row.ingested_at is None or naive_utc(raised_at) >= row.ingested_at):
            accepted.add(path)
    return accepted
