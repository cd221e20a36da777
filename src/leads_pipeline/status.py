"""`leads status`: what was loaded and when, rows per source and file, and the last runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from leads_pipeline import audit
from leads_pipeline.ingest.source import LEDGER_TABLE
from leads_pipeline.run_lock import describe_holder, is_locked
from leads_pipeline.settings import Settings
from leads_pipeline.warehouse import Warehouse


@dataclass
class Status:
    database: str
    running: str | None = None
    files: list[tuple] = field(default_factory=list)
    sources: list[tuple] = field(default_factory=list)
    runs: list[tuple] = field(default_factory=list)
    gold: dict[str, int] = field(default_factory=dict)


def collect_status(settings: Settings) -> Status:
    label = settings.warehouse_label
    status = Status(database=label)
    if is_locked(settings.lock_path):
        status.running = describe_holder(settings.lock_path)
        return status  # DuckDB cannot be read while a run writes it
    with Warehouse.open(settings, read_only=settings.target == "duckdb") as warehouse:
        if warehouse.table_exists("raw", LEDGER_TABLE):
            status.files = warehouse.query(
                f"SELECT source, relative_path, status, snapshot_date, rows_loaded, rows_malformed, "
                f"rows_rejected, ingested_at, message FROM raw.{LEDGER_TABLE} "
                "ORDER BY source, snapshot_date, relative_path"
            )
            status.sources = warehouse.query(
                f"SELECT source, count(*) FILTER (WHERE status = 'loaded'), sum(rows_loaded), "
                f"max(snapshot_date), max(ingested_at) FROM raw.{LEDGER_TABLE} GROUP BY source ORDER BY source"
                if settings.target == "duckdb"
                else f"SELECT source, sum(CASE WHEN status = 'loaded' THEN 1 ELSE 0 END), sum(rows_loaded), "
                f"max(snapshot_date), max(ingested_at) FROM raw.{LEDGER_TABLE} GROUP BY source ORDER BY source"
            )
        status.runs = audit.recent_runs(warehouse)
        for table in ("leads", "data_quality_issues"):
            if warehouse.table_exists("main_gold", table):
                status.gold[table] = warehouse.query(f"SELECT count(*) FROM main_gold.{table}")[0][0]
    return status


def render_status(status: Status, console: Console) -> None:
    console.print(f"database: {status.database}")
    if status.running:
        console.print(f"[yellow]a run is in progress[/]: {status.running}")
        return
    if not status.files:
        console.print("nothing loaded yet: run `leads run`")
    else:
        sources = Table(title="sources", title_justify="left", show_edge=False)
        for column in ("source", "files", "rows", "latest snapshot", "last loaded"):
            sources.add_column(column)
        for source, files, rows, snapshot, loaded in status.sources:
            sources.add_row(source, str(files), f"{rows or 0:,}", str(snapshot), str(loaded)[:19])
        console.print(sources)
        files = Table(title="files", title_justify="left", show_edge=False)
        for column in ("source", "file", "status", "snapshot", "rows", "malformed", "unreadable", "loaded at"):
            files.add_column(column)
        for source, path, state, snapshot, rows, malformed, rejected, loaded, message in status.files:
            label = state if not message else f"{state}: {message[:60]}"
            files.add_row(
                source,
                path,
                label,
                str(snapshot),
                f"{rows or 0:,}",
                str(malformed or 0),
                str(rejected or 0),
                str(loaded)[:19],
            )
        console.print(files)
    if status.gold:
        console.print("; ".join(f"main_gold.{name}: {count:,} rows" for name, count in status.gold.items()))
    if status.runs:
        runs = Table(title="last runs", title_justify="left", show_edge=False)
        for column in ("started", "command", "outcome", "files", "rows", "seconds", "message"):
            runs.add_column(column)
        for started, _finished, command, outcome, files_loaded, rows, seconds, message in status.runs:
            shown = "interrupted" if outcome == "running" else outcome
            runs.add_row(
                str(started)[:19],
                command,
                shown,
                str(files_loaded or 0),
                f"{rows or 0:,}",
                f"{seconds:.1f}" if seconds is not None else "",
                (message or "")[:80],
            )
        console.print(runs)
