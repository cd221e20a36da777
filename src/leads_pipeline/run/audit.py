"""The run log (`main_audit.runs`): one row per run, written at start and completed at the end.

A run stopped by Ctrl-C records itself as `interrupted`. A run killed half-way cannot complete its
row: it stays `running` until the next run takes the lock, which proves the killed run is gone, and
marks it `interrupted`. `leads status` shows it as interrupted as soon as no run holds the lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa

from leads_pipeline.config import names
from leads_pipeline.warehouse import Warehouse, _sql_type

INTERRUPTED_MESSAGE = "the process stopped before the run finished (killed or lost); the next run completed its work"
STOPPED_MESSAGE = "stopped by an interrupt (Ctrl-C, SIGINT) before it finished; the next run completes its work"
INTERRUPTED = "interrupted"  # the outcome of a run that was stopped, or killed, before it finished

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
        ("steps", pa.string()),
    ]
)


@dataclass(frozen=True)
class RunRow:
    run_id: str
    started_at: datetime
    finished_at: datetime | None
    command: str
    steps: str | None
    outcome: str
    files_loaded: int | None
    rows_loaded: int | None
    duration_seconds: float | None
    message: str | None


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def ensure_table(warehouse: Warehouse, schema: str, table: str, arrow_schema: pa.Schema) -> None:
    """Create the table, or add the columns a database made by an older version lacks."""
    warehouse.create_table_like(schema, table, arrow_schema)
    present = set(warehouse.columns(schema, table))
    for column in arrow_schema:
        if column.name not in present:
            warehouse.execute(
                f'ALTER TABLE {schema}.{table} ADD COLUMN "{column.name}" {_sql_type(column.type, warehouse.target)}'
            )


def keep_one_row(warehouse: Warehouse, table: str, schema: pa.Schema, row: dict) -> None:
    """Replace the audit table's row with `row`, in one transaction (the table made if missing)."""
    warehouse.create_table_like(names.AUDIT, table, schema)
    with warehouse.transaction():
        warehouse.execute(f"DELETE FROM {names.AUDIT}.{table}")
        warehouse.append_arrow(names.AUDIT, table, pa.Table.from_pylist([row], schema))


def ensure_runs_table(warehouse: Warehouse) -> None:
    ensure_table(warehouse, names.AUDIT, names.RUNS, RUNS_SCHEMA)


def start_run(warehouse: Warehouse, command: str, steps: Sequence[str] = ()) -> tuple[str, datetime]:
    """Record a new run; call it holding the lock, so earlier `running` rows are known dead."""
    ensure_runs_table(warehouse)
    mark = warehouse.mark
    warehouse.execute(
        f"UPDATE {names.AUDIT}.{names.RUNS} SET outcome = {mark}, message = {mark} WHERE outcome = 'running'",
        [INTERRUPTED, INTERRUPTED_MESSAGE],
    )
    run_id, started = uuid.uuid4().hex, now()
    row = {"run_id": run_id, "command": command, "started_at": started, "outcome": "running", "steps": ",".join(steps)}
    warehouse.append_arrow(names.AUDIT, names.RUNS, pa.Table.from_pylist([row], RUNS_SCHEMA))
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
    mark = warehouse.mark
    warehouse.execute(
        f"UPDATE {names.AUDIT}.{names.RUNS} SET finished_at = {mark}, outcome = {mark}, "
        f"files_loaded = {mark}, rows_loaded = {mark}, duration_seconds = {mark}, message = {mark} "
        f"WHERE run_id = {mark}",
        [finished, outcome, files_loaded, rows_loaded, (finished - started).total_seconds(), message, run_id],
    )


def recent_runs(warehouse: Warehouse, limit: int = 5) -> list[RunRow]:
    if not warehouse.table_exists(names.AUDIT, names.RUNS):
        return []
    steps = "steps" if "steps" in warehouse.columns(names.AUDIT, names.RUNS) else "CAST(NULL AS VARCHAR)"
    rows = warehouse.query(
        f"SELECT run_id, started_at, finished_at, command, {steps}, outcome, files_loaded, rows_loaded, "
        f"duration_seconds, message FROM {names.AUDIT}.{names.RUNS} ORDER BY started_at DESC LIMIT {int(limit)}"
    )
    return [RunRow(*row) for row in rows]
