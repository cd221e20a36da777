"""The pipeline's steps, run under the database lock and recorded in the run log.

`ingest` loads new files into `raw` and parses their new values into the lookup tables;
`transform` builds the dbt models and runs their tests; `run` does both. The CLI and the
orchestrator call these functions and nothing else, so every entry point behaves the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from leads_pipeline import audit, transform_state
from leads_pipeline.errors import LeadsError
from leads_pipeline.ingest.runner import IngestReport, run_ingest
from leads_pipeline.ingest.source import FileOutcome
from leads_pipeline.lookups import refresh_lookups
from leads_pipeline.registry import Registry, load_registry
from leads_pipeline.run_lock import run_lock
from leads_pipeline.settings import Settings
from leads_pipeline.transform import NodeResult, TransformReport, run_dbt, run_transform
from leads_pipeline.warehouse import Warehouse


@dataclass
class Progress:
    """Where each step reports as it goes; the CLI prints, tests collect, Dagster logs."""

    message: Callable[[str], None] = lambda text: None
    file: Callable[[FileOutcome], None] = lambda outcome: None
    node: Callable[[NodeResult], None] = lambda node: None


@dataclass
class RunReport:
    ingest: IngestReport | None = None
    lookups: dict[str, int] = field(default_factory=dict)
    transform: TransformReport | None = None
    transform_skipped: str | None = None  # why `run` did not need the transform
    seconds: float = 0.0

    @property
    def files_loaded(self) -> int:
        return len(self.ingest.loaded) if self.ingest else 0

    @property
    def rows_loaded(self) -> int:
        return self.ingest.rows if self.ingest else 0


def ingest_step(
    settings: Settings, registry: Registry, progress: Progress, only: list[str] | None = None
) -> tuple[IngestReport, dict[str, int]]:
    progress.message(f"ingest: listing {settings.bucket_url}")
    report = run_ingest(settings, registry, only=only, on_file=progress.file)
    with Warehouse.open(settings) as warehouse:
        added = refresh_lookups(warehouse, registry, progress=progress.message)
    return report, added


def transform_step(settings: Settings, progress: Progress, run_id: str | None = None) -> TransformReport:
    with Warehouse.open(settings) as warehouse:
        transform_state.forget_build(warehouse)
        refresh_staging = transform_state.staging_outdated(warehouse, settings)
    if refresh_staging:
        progress.message("transform: the dbt project changed; rebuilding the staging models in full")
        run_dbt(settings, ["run", "--full-refresh", "--select", transform_state.STAGING_SELECTOR], progress.node)
    progress.message("transform: dbt build")
    report = run_transform(settings, on_node=progress.node)
    with Warehouse.open(settings) as warehouse:
        transform_state.record_staging_build(warehouse, settings)
        if run_id and not report.failed_tests:
            transform_state.record_build(warehouse, settings, run_id)
    return report


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
) -> RunReport:
    """Run the chosen steps under the lock, recording the run's outcome whatever happens."""
    progress = progress or Progress()
    registry = load_registry(settings.sources_file)
    report = RunReport()
    began = time.monotonic()
    with run_lock(settings.lock_path, command):
        with Warehouse.open(settings) as warehouse:
            run_id, started = audit.start_run(warehouse, command)
        outcome, message = "failed", None
        try:
            if do_ingest:
                report.ingest, report.lookups = ingest_step(settings, registry, progress, only)
            if do_transform and do_ingest:
                report.transform_skipped = transform_needless(settings, report)
            if report.transform_skipped:
                progress.message(report.transform_skipped)
                message = report.transform_skipped
            elif do_transform:
                report.transform = transform_step(settings, progress, run_id)
            outcome = "success"
            if report.transform and report.transform.failed_tests:
                outcome = "tests_failed"
                message = f"{len(report.transform.failed_tests)} data tests failed"
        except LeadsError as exc:
            message = str(exc)
            raise
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            report.seconds = time.monotonic() - began
            with Warehouse.open(settings) as warehouse:
                audit.finish_run(warehouse, run_id, started, outcome, report.files_loaded, report.rows_loaded, message)
    return report
