"""`leads status` and `leads alerts`: open alerts, sources, the latest files and the last runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from leads_pipeline.config import names
from leads_pipeline.config.settings import Settings
from leads_pipeline.observe.alerts import OpenAlert, open_alerts
from leads_pipeline.run import audit
from leads_pipeline.run.audit import RunRow
from leads_pipeline.run.lock import describe_holder, is_locked
from leads_pipeline.warehouse import Warehouse

SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}
OUTCOME_STYLE = {"success": "green", "tests_failed": "yellow", "failed": "red", "interrupted": "red", "running": "cyan"}


@dataclass
class SourceLine:
    source: str
    files: int
    rows: int
    newest_snapshot: date | None
    last_loaded: datetime | None
    refused: int


FILE_COLUMNS = (
    "source",
    "file_name",
    "status",
    "snapshot_date",
    "rows_loaded",
    "rows_malformed",
    "rows_rejected",
    "ingested_at",
    "message",
)


@dataclass
class Status:
    database: str
    running: str | None = None
    alerts: list[OpenAlert] = field(default_factory=list)
    sources: list[SourceLine] = field(default_factory=list)
    files: list[tuple] = field(default_factory=list)
    files_total: int = 0
    runs: list[RunRow] = field(default_factory=list)
    gold: dict[str, int] = field(default_factory=dict)


def _label(settings: Settings) -> str:
    return settings.warehouse_label


def collect_status(settings: Settings, files: int = 12, runs: int = 5) -> Status:
    status = Status(database=_label(settings))
    if is_locked(settings.lock_path):
        status.running = describe_holder(settings.lock_path)
        if settings.target == "duckdb":
            return status  # DuckDB cannot be read while a run writes it
    with Warehouse.open(settings, read_only=settings.target == "duckdb") as warehouse:
        status.alerts = open_alerts(warehouse, settings.alerts.window_days)
        if warehouse.table_exists(names.RAW, names.LEDGER):
            loaded = "CASE WHEN status = 'loaded' THEN 1 ELSE 0 END"
            rows = warehouse.query(
                f"SELECT source, sum({loaded}), sum(CASE WHEN status = 'loaded' THEN rows_loaded ELSE 0 END), "
                f"max(CASE WHEN status = 'loaded' THEN snapshot_date END), max(ingested_at), "
                f"sum(CASE WHEN status <> 'loaded' THEN 1 ELSE 0 END) FROM {names.RAW}.{names.LEDGER} "
                "GROUP BY source ORDER BY source"
            )
            status.sources = [
                SourceLine(source, int(f or 0), int(r or 0), newest, last, int(x or 0))
                for source, f, r, newest, last, x in rows
            ]
            status.files = warehouse.query(
                f"SELECT source, file_name, status, snapshot_date, rows_loaded, rows_malformed, rows_rejected, "
                f"ingested_at, message FROM {names.RAW}.{names.LEDGER} ORDER BY ingested_at DESC, source, file_name "
                f"LIMIT {int(files)}"
            )
            status.files_total = warehouse.query(f"SELECT count(*) FROM {names.RAW}.{names.LEDGER}")[0][0]
        status.runs = audit.recent_runs(warehouse, runs)
        status.gold = gold_counts(warehouse)
    return status


def gold_counts(warehouse: Warehouse) -> dict[str, int]:
    """Rows of the gold tables a run reports (leads, data-quality issues), those that exist."""
    return {
        table: int(warehouse.query(f"SELECT count(*) FROM {names.GOLD}.{table}")[0][0])
        for table in (names.LEADS, names.DATA_QUALITY_ISSUES)
        if warehouse.table_exists(names.GOLD, table)
    }


def json_ready(value: Any) -> Any:
    """Dates and times as ISO 8601 text, inside dicts and lists, for `--json`."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value


def alerts_json(alerts: list[OpenAlert]) -> list[dict[str, Any]]:
    return [json_ready(asdict(alert)) for alert in alerts]


def status_json(status: Status) -> dict[str, Any]:
    """`leads status --json`: the keys are documented in docs/operations.md."""
    runs = []
    for run in status.runs:
        row = asdict(run)
        if run.outcome == "running" and not status.running:
            row["outcome"] = audit.INTERRUPTED  # as the table shows it: its process is gone
        runs.append(row)
    return json_ready(
        {
            "database": status.database,
            "running": status.running,
            "alerts": alerts_json(status.alerts),
            "sources": [asdict(line) for line in status.sources],
            "files": [dict(zip(FILE_COLUMNS, row, strict=True)) for row in status.files],
            "files_total": int(status.files_total),
            "runs": runs,
            "gold": status.gold,
        }
    )


def collect_alerts(settings: Settings) -> list[OpenAlert]:
    if is_locked(settings.lock_path) and settings.target == "duckdb":
        from leads_pipeline.config.errors import LockedError

        raise LockedError(
            f"a run is writing {settings.database.name} ({describe_holder(settings.lock_path)}); "
            "its alerts are printed as it goes: look again when it has finished"
        )
    with Warehouse.open(settings, read_only=settings.target == "duckdb") as warehouse:
        return open_alerts(warehouse, settings.alerts.window_days)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%m-%d %H:%M") if moment else ""


def _snapshot(moment: date | None) -> str:
    if moment is None:
        return ""
    return f"{moment.isoformat()} ({(datetime.now(UTC).date() - moment).days}d)"


def render_alerts(alerts: list[OpenAlert], console: Console, full: bool = False) -> None:
    """Each open alert: what and where, then the message wrapped below (shortened unless `full`)."""
    if not alerts:
        console.print("[green]no open alerts[/]")
        return
    console.print(f"[bold]open alerts ({len(alerts)})[/]")
    for alert in alerts:
        where = " ".join(p for p in (alert.source, (alert.file or "").rsplit("/", 1)[-1]) if p)
        repeats = f", ×{alert.occurrences}" if alert.occurrences > 1 else ""
        style = SEVERITY_STYLE.get(alert.severity, "white")
        message = alert.message if full or len(alert.message) <= 200 else alert.message[:200] + "…"
        console.print(
            f" [{style}]{alert.severity:<7}[/] [bold]{alert.kind}[/] {escape(where)} "
            f"[dim]({alert.alert_id[:8]}, {_when(alert.raised_at)}{repeats})[/]",
            soft_wrap=False,
        )
        # Wrapped at the terminal's width, long words folded: a message is never cut.
        console.print(Padding(Text(message, overflow="fold"), (0, 0, 0, 9), expand=False), soft_wrap=False)
    console.print("[dim] close with `leads alerts ack ID…` or `leads alerts ack --all`[/]", soft_wrap=False)


def render_status(status: Status, console: Console) -> None:
    console.print(f"database: {status.database}")
    if status.running:
        console.print(f"[yellow]a run is in progress[/]: {escape(status.running)}")
        if not status.runs:
            return
    render_alerts(status.alerts, console)
    if not status.sources:
        console.print("nothing loaded yet: run `leads run`")
    else:
        sources = Table(title="sources", title_justify="left", show_edge=False)
        for column in ("source", "files", "rows", "newest snapshot (age)", "last loaded", "not loaded"):
            sources.add_column(column, justify="right" if column in ("files", "rows", "not loaded") else "left")
        for line in status.sources:
            sources.add_row(
                line.source,
                str(line.files),
                f"{line.rows:,}",
                _snapshot(line.newest_snapshot),
                _when(line.last_loaded),
                str(line.refused) if line.refused else "",
            )
        console.print(sources)
        shown, total = len(status.files), status.files_total
        title = f"latest files ({shown} of {total}; --files N for more)" if shown < total else "files"
        files = Table(title=title, title_justify="left", show_edge=False)
        for column in ("file", "status", "rows", "bad rows", "loaded"):
            files.add_column(column, justify="right" if column in ("rows", "bad rows") else "left")
        notes = []
        for _source, name, state, _snap, rows, malformed, rejected, loaded, message in status.files:
            style = "green" if state == "loaded" else "yellow" if state == "duplicate" else "red"
            bad = (malformed or 0) + (rejected or 0)
            shown_bad = f"{bad:,}" if bad else ""
            files.add_row(escape(name), f"[{style}]{state}[/]", f"{rows or 0:,}", shown_bad, _when(loaded))
            if message and state != "loaded":
                notes.append((name, message))
        console.print(files)
        for name, message in notes:
            console.print(f" [dim]{escape(name)}: {escape(message)}[/]")
    if status.gold:
        console.print("; ".join(f"{names.GOLD}.{name}: {count:,} rows" for name, count in status.gold.items()))
    if status.runs:
        runs = Table(title="last runs", title_justify="left", show_edge=False)
        for column in ("started", "ended", "command", "outcome", "files", "rows", "took"):
            runs.add_column(column, justify="right" if column in ("files", "rows", "took") else "left")
        for run in status.runs:
            outcome = audit.INTERRUPTED if run.outcome == "running" and not status.running else run.outcome
            style = OUTCOME_STYLE.get(outcome, "white")
            runs.add_row(
                _when(run.started_at),
                _when(run.finished_at),
                escape(run.command),
                f"[{style}]{outcome}[/]",
                str(run.files_loaded or 0),
                f"{run.rows_loaded or 0:,}",
                f"{run.duration_seconds:.1f}s" if run.duration_seconds is not None else "",
            )
        console.print(runs)
        last = status.runs[0]
        if last.message and last.outcome != "success":
            console.print(f" [dim]last run: {escape(last.message)}[/]")
