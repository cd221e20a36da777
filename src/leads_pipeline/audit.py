"""The run log (`main_audit.runs`): one row per run, written at start and completed at the end.

A run killed half-way keeps its `running` row; `leads status` shows it as interrupted once no run
holds the lock.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pyarrow as pa

from leads_pipeline.warehouse import Warehouse

AUDIT_SCHEMA = "main_audit"
RUNS_TABLE = "runs"

RUNS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("command", pa.string()),
        ("started_at", pa.timestamp("us")),
        ("finished_at", pa.timestamp("us")),
        ("outcome", pa.string()),
        ("files_loaded", pa.int64()),
        ("rows_loaded", pa.int64()),
        ("duration_seconds", pa.float64()),
        ("message", pa.string()),
    ]
)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def start_run(warehouse: Warehouse, command: str) -> tuple[str, datetime]:
    warehouse.create_table_like(AUDIT_SCHEMA, RUNS_TABLE, RUNS_SCHEMA)
    run_id, started = uuid.uuid4().hex, now()
    row = {"run_id": run_id, "command": command, "started_at": started, "outcome": "running"}
    warehouse.append_arrow(AUDIT_SCHEMA, RUNS_TABLE, pa.Table.from_pylist([row], RUNS_SCHEMA))
    return run_id, started


def finish_run(
    warehouse: Warehouse,
    run_id: str,
    started: datetime,
    outcome: str,
    files_loaded: int,
    rows_loaded: int,
    message: str | None,
) -> None:
    finished = now()
    mark = "%s" if warehouse.target == "postgres" else "?"
    warehouse.execute(
        f"UPDATE {AUDIT_SCHEMA}.{RUNS_TABLE} SET finished_at = {mark}, outcome = {mark}, "
        f"files_loaded = {mark}, rows_loaded = {mark}, duration_seconds = {mark}, message = {mark} "
        f"WHERE run_id = {mark}",
        [finished, outcome, files_loaded, rows_loaded, (finished - started).total_seconds(), message, run_id],
    )


def recent_runs(warehouse: Warehouse, limit: int = 5) -> list[tuple]:
    if not warehouse.table_exists(AUDIT_SCHEMA, RUNS_TABLE):
        return []
    return warehouse.query(
        f"SELECT started_at, finished_at, command, outcome, files_loaded, rows_loaded, "
        f"duration_seconds, message FROM {AUDIT_SCHEMA}.{RUNS_TABLE} ORDER BY started_at DESC LIMIT {int(limit)}"
    )
