"""What every orchestrated step shares: asset keys, the writer pool, progress into Dagster's log."""

from __future__ import annotations

import re

import dagster as dg

from leads_pipeline.config import names
from leads_pipeline.config.settings import Settings
from leads_pipeline.observe.alerts import Alert
from leads_pipeline.run.pipeline import Progress
from leads_pipeline.stages.ingest.source import FileOutcome

# Every asset that writes the warehouse runs in this pool; dagster.yaml limits it to one op at a
# time across all runs, and the run queue allows one run per database tag. The file lock beside
# the database stays the last word (it also guards against `leads run` from a shell).
WRITER_POOL = "leads_warehouse_writer"
WRITER_TAG = "leads/writer"


def writer_tag(settings: Settings) -> dict[str, str]:
    label = settings.database.stem if settings.target == "duckdb" else "postgres"
    return {WRITER_TAG: re.sub(r"[^A-Za-z0-9_.-]", "_", label)[:63]}


def bucket_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["bucket", source])


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey([names.RAW, table])


def lookup_key(table: str) -> dg.AssetKey:
    return dg.AssetKey([names.LOOKUP, table])


def command_label(step: str, context: dg.AssetExecutionContext) -> str:
    return f"dagster {step} (run {context.run.run_id[:8]})"


def progress_for(context: dg.AssetExecutionContext) -> Progress:
    """The steps' progress as Dagster log lines; alerts at their own level."""
    log = context.log

    def alert(raised: Alert) -> None:
        {"error": log.error, "warning": log.warning}.get(raised.severity, log.info)(f"alert {raised.line()}")

    def file(outcome: FileOutcome) -> None:
        notes = [n for n in (outcome.changes.summary() if outcome.changes else None, outcome.message) if n]
        note = f" ({'; '.join(notes)})" if notes else ""
        log.info(f"{outcome.status} {outcome.relative_path}: {outcome.rows:,} rows{note}")

    return Progress(
        message=log.info,
        file=file,
        node=lambda n: log.info(f"{n.resource_type} {n.name}: {n.status}"),
        alert=alert,
    )
