"""Finish what a killed ingestion left behind, so each file's rows land exactly once.

dlt loads a package job by job and records a job as done only after the destination committed
its rows. A process killed between the commit and that record leaves a job that dlt would run
again on resume: its rows would land twice. The repair does not guess which jobs committed.
Before an interrupted package is resumed, every row it may have written is deleted (each raw row
carries its package's `_dlt_load_id`, the ledger and rejects their `load_id`, dlt's bookkeeping
either of them) in one transaction, and all its jobs are set back to new. The package then loads
from the start, as if the killed attempt had never happened.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dlt

from leads_pipeline.config.settings import Settings
from leads_pipeline.warehouse import Warehouse

LOAD_ID_COLUMNS = ("_dlt_load_id", "load_id")
JOB_FOLDERS_TO_RESET = ("started_jobs", "completed_jobs")
PENDING_TRANSITIONS = ".pending_transitions"


def interrupted_packages(pipeline: dlt.Pipeline) -> dict[str, Path]:
    """Normalized packages whose loading began (a job started or finished) but did not complete."""
    storage = pipeline._get_load_storage().normalized_packages  # noqa: SLF001 - dlt has no public accessor
    packages: dict[str, Path] = {}
    for load_id in storage.list_packages():
        if storage.list_started_jobs(load_id) or _completed_jobs(storage, load_id):
            packages[load_id] = Path(storage.storage.make_full_path(storage.get_package_path(load_id)))
    return packages


def _completed_jobs(storage, load_id: str) -> list[str]:  # noqa: ANN001 - dlt's PackageStorage
    folder = storage.get_job_state_folder_path(load_id, "completed_jobs")
    return storage.storage.list_folder_files(folder) if storage.storage.has_folder(folder) else []


def delete_rows_of_loads(settings: Settings, dataset: str, load_ids: list[str]) -> dict[str, int]:
    """Delete, in one transaction, every row that the given loads wrote to the dataset's tables."""
    if settings.target == "spark":
        return delete_files_of_loads(settings, dataset, load_ids)
    deleted: dict[str, int] = {}
    with Warehouse.open(settings) as warehouse:
        mark = warehouse.mark
        tables = warehouse.query(
            f"SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = {mark} "
            f"AND column_name IN ({', '.join(mark for _ in LOAD_ID_COLUMNS)}) ORDER BY table_name, column_name",
            [dataset, *LOAD_ID_COLUMNS],
        )
        by_table: dict[str, str] = {}
        for table, column in tables:
            by_table.setdefault(table, column)  # `_dlt_load_id` sorts first: the one dlt writes
        placeholders = ", ".join(mark for _ in load_ids)
        with warehouse.transaction():
            for table, column in by_table.items():
                where = f'"{column}" IN ({placeholders})'
                count = warehouse.query(f'SELECT count(*) FROM {dataset}."{table}" WHERE {where}', load_ids)[0][0]
                if count:
                    warehouse.execute(f'DELETE FROM {dataset}."{table}" WHERE {where}', load_ids)
                    deleted[table] = count
    return deleted


def delete_files_of_loads(settings: Settings, dataset: str, load_ids: list[str]) -> dict[str, int]:
    """On the lake a load's rows are its files (`<table>/<load_id>.<file_id>.parquet`): delete those."""
    from dlt.common.storages import FilesystemConfiguration, fsspec_from_config

    fs, root = fsspec_from_config(FilesystemConfiguration(bucket_url=f"{settings.spark_raw_url}/{dataset}"))
    deleted: dict[str, int] = {}
    for load_id in load_ids:
        for path in fs.glob(f"{root}/*/{load_id}.*"):
            table = path.rstrip("/").rsplit("/", 2)[-2]
            fs.rm(path)
            deleted[table] = deleted.get(table, 0) + 1
    return deleted


def reset_jobs(package: Path) -> None:
    """Move every started or completed job of a package back to new, forgetting pending transitions."""
    new_jobs = package / "new_jobs"
    new_jobs.mkdir(exist_ok=True)
    for folder in JOB_FOLDERS_TO_RESET:
        for job in sorted((package / folder).glob("*")) if (package / folder).is_dir() else []:
            if job.is_file():
                job.replace(new_jobs / job.name)
    pending = package / PENDING_TRANSITIONS
    for marker in pending.glob("*") if pending.is_dir() else []:
        marker.unlink()


def repair_interrupted_loads(
    pipeline: dlt.Pipeline, settings: Settings, dataset: str, message: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Undo the partial writes of interrupted packages and set them to load again from the start."""
    packages = interrupted_packages(pipeline)
    if not packages:
        return {}
    deleted = delete_rows_of_loads(settings, dataset, sorted(packages))
    for package in packages.values():
        reset_jobs(package)
    if message:
        rows = sum(deleted.values())
        message(
            f"ingest: {len(packages)} load package(s) of an interrupted run are loaded again from the start "
            f"({rows:,} partially loaded rows removed first)"
        )
    return deleted
