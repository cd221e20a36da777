"""The pipeline's steps, run under the database lock, recorded in the run log, alerting as they go.

`ingest` loads new files into `raw`, `lookups` parses their new values into the lookup tables,
`transform` builds the dbt models and runs their tests; `execute` runs the chosen steps as one
recorded run. The CLI and the orchestrator both go through `recorded_run` and the step functions
here, so every entry point takes the lock, writes `main_audit.runs` and raises the same alerts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from leads_pipeline.config import names
from leads_pipeline.config.errors import LeadsError, is_interrupt
from leads_pipeline.config.registry import Registry, load_registry
from leads_pipeline.config.settings import Settings
from leads_pipeline.observe import alerts
from leads_pipeline.observe.alerts import Alert, Alerter
from leads_pipeline.observe.redact import redactor_for
from leads_pipeline.run import audit, faults
from leads_pipeline.run.lock import run_lock
from leads_pipeline.stages.ingest.runner import IngestReport, complete_interrupted_ingest, run_ingest
from leads_pipeline.stages.ingest.source import FileOutcome
from leads_pipeline.stages.lookups import refresh as lookup_tables
from leads_pipeline.stages.lookups.refresh import refresh_lookups
from leads_pipeline.stages.transform import state as transform_state
from leads_pipeline.stages.transform.dbt import NodeResult, TransformReport, run_dbt
from leads_pipeline.stages.transform.phases import PYTHON_NODE, hubs, run_transform
from leads_pipeline.warehouse import Warehouse

INGEST, LOOKUPS, TRANSFORM = "ingest", "lookups", "transform"
# What a run counts as it goes (Progress.expect and Progress.advance).
FILES, LOOKUP_TABLES, DBT_NODES = "files", "lookup tables", "dbt models and tests"


@dataclass
class Progress:
    """Where each step reports as it goes; the CLI prints, tests collect, Dagster logs.

    `expect(unit, count)` says that `count` more items of a unit (FILES, LOOKUP_TABLES, DBT_NODES)
    are coming, `advance(unit, item)` that one of them is done: the CLI's progress bars. A unit's
    total grows as the run learns of more: each source's listing adds its new files, each dbt
    command its nodes.
    """

    message: Callable[[str], None] = lambda text: None
    file: Callable[[FileOutcome], None] = lambda outcome: None
    node: Callable[[NodeResult], None] = lambda node: None
    alert: Callable[[Alert], None] = lambda alert: None
    expect: Callable[[str, int], None] = lambda unit, count: None
    advance: Callable[[str, str], None] = lambda unit, item: None

    def dbt_node(self, node: NodeResult) -> None:
        """A node finished: report it, and count it when it is dbt's (the resolve step is not)."""
        self.node(node)
        if node.resource_type != PYTHON_NODE:
            self.advance(DBT_NODES, node.name)

    def dbt_plan(self, count: int) -> None:
        self.expect(DBT_NODES, count)


@dataclass
class RunReport:
    ingest: IngestReport | None = None
    lookups: dict[str, int] = field(default_factory=dict)
    transform: TransformReport | None = None
    transform_skipped: str | None = None  # why `run` did not need the transform
    alerts: list[Alert] = field(default_factory=list)
    seconds: float = 0.0
    run_id: str | None = None

    @property
    def files_loaded(self) -> int:
        return len(self.ingest.loaded) if self.ingest else 0

    @property
    def rows_loaded(self) -> int:
        return self.ingest.rows if self.ingest else 0

    @property
    def outcome(self) -> str:
        return "tests_failed" if self.transform and self.transform.failed_tests else "success"

    def as_json(self) -> dict[str, Any]:
        """`leads run --json` (with the database and gold counts the CLI adds): see docs/operations.md."""
        transform = None
        if self.transform is not None or self.transform_skipped:
            nodes = self.transform.nodes if self.transform else []
            transform = {
                "skipped": self.transform_skipped,
                "models": sum(1 for n in nodes if n.resource_type == "model"),
                "tests": sum(1 for n in nodes if n.resource_type in ("test", "unit_test")),
                "failed_tests": [n.name for n in self.transform.failed_tests] if self.transform else [],
            }
        files = self.ingest.files if self.ingest else []
        return {
            "run_id": self.run_id,
            "outcome": self.outcome,
            "seconds": round(self.seconds, 3),
            "files_loaded": self.files_loaded,
            "rows_loaded": self.rows_loaded,
            "files": [
                {
                    "source": f.source,
                    "file": f.relative_path,
                    "status": f.status,
                    "snapshot_date": f.snapshot_date.isoformat() if f.snapshot_date else None,
                    "rows": f.rows,
                    "malformed": f.malformed,
                    "rejected": f.rejected,
                    "message": f.message,
                }
                for f in files
            ],
            "transform": transform,
            "alerts": [a.as_json() for a in self.alerts],
        }


@dataclass
class RunContext:
    """One recorded run: its settings, registry, alerter and the report its steps fill."""

    settings: Settings
    registry: Registry
    command: str
    run_id: str
    alerter: Alerter
    progress: Progress
    report: RunReport

    def alert(self, raised: Sequence[Alert]) -> None:
        self.report.alerts.extend(self.alerter.emit(raised))


@contextmanager
def recorded_run(
    settings: Settings, command: str, steps: Sequence[str], progress: Progress | None = None
) -> Iterator[RunContext]:
    """Hold the database lock and record one run in `main_audit.runs`, whatever happens inside.

    Any exception is recorded as the run's outcome and raised as a `run_failed` alert before it
    propagates; an interrupt (Ctrl-C) is recorded as `interrupted`, without an alert. Secrets never
    reach the run log: the message is redacted.
    """
    progress = progress or Progress()
    registry = load_registry(settings.sources_file)
    redact = redactor_for(settings)
    began = time.monotonic()
    with run_lock(settings.lock_path, command):
        faults.reached("run:locked")
        with Warehouse.open(settings) as warehouse:
            run_id, started = audit.start_run(warehouse, command, steps)
        alerter = Alerter.for_settings(settings, run_id, console=progress.alert)
        context = RunContext(settings, registry, command, run_id, alerter, progress, RunReport(run_id=run_id))
        outcome, message = "failed", None
        try:
            yield context
            outcome = context.report.outcome
            message = context.report.transform_skipped
            if outcome == "tests_failed":
                message = f"{len(context.report.transform.failed_tests)} data tests failed"  # type: ignore[union-attr]
        except BaseException as exc:
            if is_interrupt(exc):  # the user stopped it: no failure to alert on, the next run completes it
                outcome, message = audit.INTERRUPTED, audit.STOPPED_MESSAGE
                raise
            if isinstance(exc, LeadsError):
                exc.args = (redact(str(exc)),)  # whoever shows it next (CLI, Dagster) shows no secret
            message = redact(str(exc) if isinstance(exc, LeadsError) else f"{type(exc).__name__}: {exc}")
            try:
                context.alert([alerts.run_failed_alert(command, exc)])
            except Exception as alert_error:  # noqa: BLE001 - the run's own error matters more
                progress.message(f"could not record the failure alert: {type(alert_error).__name__}")
            raise
        finally:
            context.report.seconds = time.monotonic() - began
            with Warehouse.open(settings) as warehouse:
                audit.finish_run(
                    warehouse,
                    run_id,
                    started,
                    outcome,
                    context.report.files_loaded,
                    context.report.rows_loaded,
                    message,
                )


def ingest_step(context: RunContext, only: list[str] | None = None) -> IngestReport:
    """Load new files into `raw`; alert on drift, refused and duplicate files, bad rows, stale sources."""
    settings, progress = context.settings, context.progress
    progress.message(f"ingest: listing {redactor_for(settings)(settings.bucket_url)}")
    report = run_ingest(
        settings,
        context.registry,
        only=only,
        on_file=progress.file,
        message=progress.message,
        on_listed=lambda count: progress.expect(FILES, count),
        on_read=lambda outcome: progress.advance(FILES, outcome.relative_path),
    )
    context.report.ingest = report
    raised = alerts.ingest_alerts(report.files, settings.alerts.max_rejected_share)
    raised += alerts.freshness_alerts(
        newest_snapshots(settings), context.registry.select(only), settings.alerts.max_file_age_days
    )
    context.alert(raised)
    return report


def lookups_step(context: RunContext) -> dict[str, int]:
    """Parse the raw values not parsed before into the `lookup` tables."""
    progress = context.progress
    progress.expect(LOOKUP_TABLES, len(lookup_tables.LOOKUPS))
    with Warehouse.open(context.settings) as warehouse:
        added = refresh_lookups(
            warehouse,
            context.registry,
            progress=progress.message,
            on_table=lambda name: progress.advance(LOOKUP_TABLES, name),
        )
    context.report.lookups = added
    return added


def reference_step(context: RunContext) -> None:
    """Load the dbt project's reference tables (seeds), so a plain `dbt run` after ingestion
    finds everything staging joins: raw, lookups and the license-type and state mappings."""
    context.progress.message("reference tables: dbt seed")
    run_dbt(context.settings, ["seed"], on_node=context.progress.dbt_node, on_plan=context.progress.dbt_plan)


def transform_step(context: RunContext, full_refresh: bool = False) -> TransformReport:
    """Build the dbt models and run the data tests; alert on every failed test. `full_refresh`
    recomputes every incremental model from raw instead of adding what is new."""
    settings, progress = context.settings, context.progress
    complete_interrupted_ingest(settings, progress.message)
    progress.message("transform: dbt build")

    finished = [0]

    def on_node(node: NodeResult) -> None:
        progress.dbt_node(node)
        finished[0] += 1
        faults.reached(f"transform:after-node:{node.name}")
        faults.reached(f"transform:after-nodes:{finished[0]}")

    report = run_transform(
        settings, on_node=on_node, run_id=context.run_id, full_refresh=full_refresh, on_plan=progress.dbt_plan
    )
    context.report.transform = report
    context.alert([*alerts.transform_alerts(report.failed_tests), *alerts.hub_alerts(hubs(settings))])
    return report


def newest_snapshots(settings: Settings) -> dict[str, date | None]:
    """Per source, the snapshot date of the newest loaded file (from the ledger)."""
    with Warehouse.open(settings) as warehouse:
        if not warehouse.table_exists(names.RAW, names.LEDGER):
            return {}
        rows = warehouse.query(
            f"SELECT source, max(snapshot_date) FROM {names.RAW}.{names.LEDGER} WHERE status = 'loaded' GROUP BY source"
        )
    return {source: newest for source, newest in rows}


def transform_needless(settings: Settings, report: RunReport) -> str | None:
    """Why a `run` may skip the transform (no new file, nothing changed since a good build), else None."""
    if report.files_loaded:
        return None
    with Warehouse.open(settings) as warehouse:
        build = transform_state.unchanged_since_last_build(warehouse, settings)
    if build is None:
        return None
    run_id, built_at = build
    return (
        f"transform skipped: no new file, and data, models and sources.yml are unchanged since the "
        f"successful transform of run {run_id} at {built_at:%Y-%m-%d %H:%M:%S}"
    )


def execute(
    settings: Settings,
    command: str,
    do_ingest: bool,
    do_transform: bool,
    progress: Progress | None = None,
    only: list[str] | None = None,
    full_refresh: bool = False,
) -> RunReport:
    """Run the chosen steps as one recorded run under the lock."""
    steps = [*([INGEST, LOOKUPS] if do_ingest else []), *([TRANSFORM] if do_transform else [])]
    with recorded_run(settings, command, steps, progress) as context:
        if do_ingest:
            ingest_step(context, only)
            lookups_step(context)
            if not do_transform:
                reference_step(context)
        if do_transform and do_ingest and not full_refresh:
            context.report.transform_skipped = transform_needless(settings, context.report)
        if context.report.transform_skipped:
            context.progress.message(context.report.transform_skipped)
        elif do_transform:
            transform_step(context, full_refresh)
    return context.report
