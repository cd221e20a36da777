"""The mass-deletion guard: a file that would delete most of its source is held, not loaded.

Each file is a full snapshot of its source, so a record its source's previous snapshot listed and
the file does not is deleted (the facility turns inactive in `leads`). A file missing more than
`LEADS_MAX_DELETED_SHARE` (default 0.2) of the previous snapshot's records is most likely a
truncated or partial export: it is held with an alert, like a misdated file, until a person
accepts it (`leads alerts ack ID`). The comparison is by the source's natural-key column as the
file writes it (trimmed), against the current version of each file of the previous snapshot; it
runs in the DuckDB warehouse itself (elsewhere in DuckDB, the previous keys streamed to it), so
memory follows its limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from leads_pipeline.config import names
from leads_pipeline.config.registry import SourceSpec
from leads_pipeline.config.settings import Settings
from leads_pipeline.stages.ingest.csv_reader import sql_literal
from leads_pipeline.stages.ingest.ledger import LOADED, previous_snapshot
from leads_pipeline.stages.ingest.record_index import FileChanges
from leads_pipeline.warehouse import Warehouse, query_beside

KEY_BATCH = 200_000


@dataclass(frozen=True)
class Deletions:
    """How a file compares with its source's previous snapshot."""

    previous_snapshot: date
    previous_records: int
    missing: int

    @property
    def share(self) -> float:
        return self.missing / self.previous_records if self.previous_records else 0.0


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DeletionGuard:
    """Compares a file's natural keys with its source's previous snapshot before the file loads."""

    def __init__(self, settings: Settings, max_share: float) -> None:
        self.settings = settings
        self.max_share = max_share

    def compare(self, spec: SourceSpec, snapshot: date | None, spool: Path, key_column: str) -> Deletions | None:
        """The previous snapshot, its record count and how many of its keys the file lacks; None
        when the source has no earlier snapshot."""
        if snapshot is None:
            return None
        with Warehouse.open(self.settings) as warehouse:
            previous = previous_snapshot(warehouse, spec.name, snapshot)
            if previous is None or not warehouse.table_exists(names.RAW, spec.table_name):
                return None
            key = _quoted(spec.natural_key)
            # The current version of each of the previous snapshot's files: the newest load of its path.
            keys_sql = (
                f"SELECT DISTINCT trim(raw.{key}) AS natural_key FROM {names.RAW}.{spec.table_name} AS raw "
                f"INNER JOIN (SELECT relative_path, max(load_id) AS load_id FROM {names.RAW}.{names.LEDGER} "
                f"WHERE source = '{spec.name}' AND status = '{LOADED}' "
                f"AND snapshot_date = CAST('{previous.isoformat()}' AS DATE) GROUP BY relative_path) AS files "
                "ON raw._relative_path = files.relative_path AND raw._dlt_load_id = files.load_id "
                f"WHERE nullif(trim(raw.{key}), '') IS NOT NULL"
            )
            previous_records, missing = query_beside(
                warehouse,
                ("previous_rows", "natural_key VARCHAR", keys_sql),
                [("previous_keys", "SELECT natural_key FROM previous_rows")],
                "SELECT count(*), count(*) FILTER (WHERE natural_key NOT IN ("
                f"SELECT trim({_quoted(key_column)}) FROM read_parquet({sql_literal(str(spool))}) "
                f"WHERE {_quoted(key_column)} IS NOT NULL)) FROM previous_keys",
                KEY_BATCH,
            )[0]
        return Deletions(previous, int(previous_records), int(missing))

    def hold_reason(
        self, spec: SourceSpec, snapshot: date | None, spool: Path, key_column: str, changes: FileChanges | None = None
    ) -> str | None:
        """Why the file must be held (it would delete too much of its source), else None.

        `changes`, the file compared with the previous snapshot's record index, answers when
        known; the raw key column is compared only for a previous snapshot loaded without an index.
        """
        if changes is not None:
            found = (
                Deletions(changes.previous_snapshot, changes.previous_records, changes.deleted)
                if changes.previous_snapshot is not None
                else None
            )
        else:
            found = self.compare(spec, snapshot, spool, key_column)
        if found is None or found.share <= self.max_share:
            return None
        kept = found.previous_records - found.missing
        return (
            f"it lists {kept:,} of the {found.previous_records:,} records of {spec.name}'s previous snapshot "
            f"({found.previous_snapshot}): {found.share:.0%} would be deleted, more than the "
            f"{self.max_share:.0%} allowed (LEADS_MAX_DELETED_SHARE); most likely a truncated export; held. Ask "
            "the agency for the full file; if it is right, acknowledge this alert (`leads alerts`, then "
            "`leads alerts ack ID`) and the next run loads it"
        )
