"""When the pipeline runs by itself: a cron schedule, and a sensor that starts a run as soon as a
source folder holds a file the ledger has not seen (local folders, gs:// and s3:// alike)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import dagster as dg
from dlt.common.storages import fsspec_from_config
from dlt.common.storages.fsspec_filesystem import glob_files

from leads_pipeline.config.errors import ConfigError, LeadsError
from leads_pipeline.config.registry import Registry
from leads_pipeline.config.settings import Settings
from leads_pipeline.observe.redact import redactor_for
from leads_pipeline.orchestration.common import writer_tag
from leads_pipeline.run.audit import RunRow, recent_runs
from leads_pipeline.run.lock import is_locked
from leads_pipeline.stages.ingest.ledger import Ledger
from leads_pipeline.stages.ingest.runner import bucket_filesystem_config
from leads_pipeline.warehouse import Warehouse

SCHEDULE_NAME = "leads_daily"
SENSOR_NAME = "leads_new_files"
RETRY_AFTER_FAILURE_MINUTES = 60


def listed_files(settings: Settings, registry: Registry) -> list[tuple[str, str, int | None, datetime | None]]:
    """Every file in the sources' folders: (source, relative path, size, modification time)."""
    fs, _root = fsspec_from_config(bucket_filesystem_config(settings))
    files = []
    for spec in registry:
        for item in glob_files(fs, settings.bucket_url, spec.glob):
            files.append((spec.name, item["relative_path"], item.get("size_in_bytes"), item.get("modification_date")))
    return files


def ledger_and_last_run(settings: Settings) -> tuple[Ledger, RunRow | None]:
    """What the ledger says of each path (the ingestion's own rule for what is new), and the
    latest run of the database."""
    if settings.target == "duckdb" and not settings.database.exists():
        return Ledger(), None
    with Warehouse.open(settings, read_only=settings.target == "duckdb") as warehouse:
        runs = recent_runs(warehouse, 1)
        return Ledger.read(warehouse), runs[0] if runs else None


def new_files_sensor(settings: Settings, registry: Registry, job: dg.JobDefinition) -> dg.SensorDefinition:
    @dg.sensor(
        name=SENSOR_NAME,
        job=job,
        minimum_interval_seconds=settings.schedule.sensor_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts the pipeline when a source folder in the bucket holds a file not loaded yet.",
    )
    def leads_new_files(context: dg.SensorEvaluationContext):
        if is_locked(settings.lock_path):
            return dg.SkipReason("a run is writing the database; looking again at the next tick")
        try:
            listed = listed_files(settings, registry)
            ledger, last_run = ledger_and_last_run(settings)
        except LeadsError as exc:
            return dg.SkipReason(redactor_for(settings)(str(exc)))
        except Exception as exc:  # noqa: BLE001 - a flaky listing must not stop the sensor
            return dg.SkipReason(redactor_for(settings)(f"cannot list the bucket: {type(exc).__name__}: {exc}"))
        new = sorted(
            (source, path, str(modified))
            for source, path, size, modified in listed
            if not ledger.settled(path, size, modified)
        )
        if not new:
            return dg.SkipReason(f"no new file among {len(listed)} in the bucket")
        if last_run and last_run.outcome == "failed" and last_run.finished_at:
            retry_at = last_run.finished_at + timedelta(minutes=RETRY_AFTER_FAILURE_MINUTES)
            if datetime.now(UTC).replace(tzinfo=None) < retry_at:
                return dg.SkipReason(
                    f"{len(new)} new file(s), but the last run failed ({last_run.message}); "
                    f"trying again after {retry_at:%H:%M} UTC"
                )
        # A new key per database and per run since: files a failed run left are asked for again.
        basis = (str(settings.database), last_run.run_id if last_run else None, new)
        key = hashlib.sha1(repr(basis).encode()).hexdigest()[:20]
        sources = sorted({source for source, _path, _modified in new})
        return dg.RunRequest(
            run_key=key,
            tags={**writer_tag(settings), "leads/new_files": str(len(new)), "leads/sources": ",".join(sources)},
        )

    return leads_new_files


def daily_schedule(settings: Settings, job: dg.JobDefinition) -> dg.ScheduleDefinition:
    try:
        return dg.ScheduleDefinition(
            name=SCHEDULE_NAME,
            job=job,
            cron_schedule=settings.schedule.cron,
            execution_timezone=settings.schedule.timezone,
            default_status=dg.DefaultScheduleStatus.RUNNING,
            tags=writer_tag(settings),
            description=f"The whole pipeline at `{settings.schedule.cron}` ({settings.schedule.timezone}); "
            "LEADS_SCHEDULE_CRON and LEADS_SCHEDULE_TIMEZONE change it.",
        )
    except Exception as exc:  # noqa: BLE001 - Dagster's own check of the cron string
        raise ConfigError(
            f"LEADS_SCHEDULE_CRON={settings.schedule.cron!r} / LEADS_SCHEDULE_TIMEZONE="
            f"{settings.schedule.timezone!r} is not a valid schedule ({exc}); use a cron string like '0 6 * * *'"
        ) from None
