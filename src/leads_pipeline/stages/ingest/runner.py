"""Run ingestion: list the bucket, load new files into `raw`, report what happened per file."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dlt
from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.configuration.specs.gcp_credentials import GcpServiceAccountCredentialsWithoutDefaults
from dlt.common.storages import FilesystemConfiguration, fsspec_from_config
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from leads_pipeline.config import names
from leads_pipeline.config.errors import BucketError, ConfigError
from leads_pipeline.config.registry import Registry, SourceSpec
from leads_pipeline.config.settings import Settings
from leads_pipeline.run import faults
from leads_pipeline.run.memory import release_arrow_memory
from leads_pipeline.stages.ingest.deletions import DeletionGuard
from leads_pipeline.stages.ingest.ledger import Ledger
from leads_pipeline.stages.ingest.recovery import repair_interrupted_loads
from leads_pipeline.stages.ingest.source import FileOutcome, leads_source
from leads_pipeline.warehouse import Warehouse

PIPELINE_NAME = "leads"


@dataclass
class IngestReport:
    files: list[FileOutcome] = field(default_factory=list)
    load_ids: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "loaded"]

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.loaded)


def destination(settings: Settings) -> Any:
    if settings.target == "spark":
        # Parquet files on the lake, one folder per table, that Spark registers as the raw tables
        # (spark.session.register_raw_tables). On Databricks, dlt's `databricks` destination
        # takes this place (docs/warehouses.md).
        return dlt.destinations.filesystem(bucket_url=settings.spark_raw_url)
    if settings.target == "postgres":
        from dlt.destinations.impl.postgres.configuration import PostgresCredentials

        credentials = PostgresCredentials(settings.postgres_dsn)
        if credentials.password is None:
            credentials.password = ""  # trust or peer authentication: no password to send
        # The Parquet spool is loaded as it is through ADBC's binary COPY (adbc-driver-postgresql):
        # text stays text, an empty cell stays empty and NULL stays NULL, as on DuckDB.
        return dlt.destinations.postgres(credentials=credentials, create_indexes=False)
    settings.database.parent.mkdir(parents=True, exist_ok=True)
    # Insertion order of raw rows carries no meaning (each row has its record number), and not
    # keeping it lets DuckDB load large files in parallel with far less memory. The memory limit
    # keeps a load's footprint flat whatever the file size (DuckDB's default is 80% of the RAM).
    return dlt.destinations.duckdb(
        credentials=DuckDbCredentials(
            str(settings.database),
            global_config={"preserve_insertion_order": False, "memory_limit": settings.memory_limit},
        )
    )


def load_packages(pipeline: dlt.Pipeline, settings: Settings) -> Any:
    """dlt's load of the normalized packages.

    On DuckDB one file at a time: each file's INSERT already runs on every core, and files loaded
    side by side only contend for the cores while each holds its own buffers beside the memory
    limit (docs/performance.md). Elsewhere dlt's own setting: each file is a connection of its own
    (PostgreSQL) or a copy (Spark)."""
    if settings.target == "duckdb":
        return pipeline.load(workers=1)
    return pipeline.load()


def loads_parquet(settings: Settings) -> bool:
    """Whether the destination takes the Parquet spool as it is (else it gets Arrow batches as CSV)."""
    if settings.target in ("duckdb", "spark"):
        return True
    try:
        import adbc_driver_postgresql  # noqa: F401
    except ImportError:
        return False
    return True


def _destination_is_new(settings: Settings) -> bool:
    if settings.target == "duckdb":
        return not settings.database.exists()
    if settings.target == "spark":
        from leads_pipeline.spark.session import raw_table_folders

        return names.LEDGER not in raw_table_folders(settings)
    with Warehouse.open(settings) as warehouse:
        return not warehouse.table_exists(names.RAW, names.DLT_VERSION)


def make_pipeline(settings: Settings) -> dlt.Pipeline:
    pipelines_dir = settings.state_dir / "dlt"
    if pipelines_dir.exists() and _destination_is_new(settings):
        # The database is new: forget what an earlier database had loaded, or nothing would load.
        shutil.rmtree(pipelines_dir)
    return dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        destination=destination(settings),
        dataset_name=names.RAW,
        pipelines_dir=str(pipelines_dir),
    )


def bucket_filesystem_config(settings: Settings) -> FilesystemConfiguration:
    """The bucket's configuration with credentials as dlt resolves them (secrets.toml, env)."""
    config = FilesystemConfiguration(bucket_url=settings.bucket_url)
    try:
        return resolve_configuration(config, sections=("sources", "filesystem"))
    except ConfigFieldMissingException as exc:
        match = re.search(r"missing field\(s\): (.+)", str(exc))
        fields = [f.strip(" `") for f in match.group(1).split(",")] if match else ["credentials"]
        variables = ", ".join(f"SOURCES__FILESYSTEM__CREDENTIALS__{f.upper()}" for f in fields)
        raise ConfigError(
            f"no credentials for bucket {settings.bucket_url}: set {variables} in the environment, or "
            f"{', '.join(fields)} under [sources.filesystem.credentials] in .dlt/secrets.toml"
        ) from None


GCS_READ_SCOPE = "https://www.googleapis.com/auth/devstorage.read_only"
CREDENTIALS_HINT = (
    "check the credentials: SOURCES__FILESYSTEM__CREDENTIALS__* in the environment or "
    "[sources.filesystem.credentials] in .dlt/secrets.toml (README: Point it at your bucket)"
)
REFUSED_WORDS = (
    "403",
    "401",
    "forbidden",
    "access denied",
    "accessdenied",
    "signature",
    "invalidaccesskeyid",
    "credential",
    "unauthorized",
    "permission",
    "invalid_grant",
    "private key",
    "deserialize",
)


def check_bucket(settings: Settings, config: FilesystemConfiguration) -> None:
    """Fail early, in one clear line, when the bucket is missing or the credentials are refused."""
    url = settings.bucket_url
    try:
        check_service_account(config)
        fs, root = fsspec_from_config(config)
        fs.ls(root, detail=False)
    except FileNotFoundError:
        raise BucketError(
            f"bucket {url} does not exist; check --bucket-url / LEADS_BUCKET_URL (and, for a cloud bucket, "
            "that these credentials may see it)"
        ) from None
    except Exception as exc:  # noqa: BLE001 - every client library raises its own family
        reason = f"{type(exc).__name__}: {_first_line(exc)}"
        if isinstance(exc, PermissionError) or any(w in reason.lower() for w in REFUSED_WORDS):
            raise BucketError(f"bucket {url} refused the credentials ({reason}); {CREDENTIALS_HINT}") from None
        raise BucketError(
            f"cannot open bucket {url} ({reason}); check the URL and the network, then {CREDENTIALS_HINT}"
        ) from None


def check_service_account(config: FilesystemConfiguration) -> None:
    """Ask Google for a token once, so a wrong service-account key fails at once.

    gcsfs retries refused credentials with back-off for half a minute, since an expired token
    looks the same; a key that cannot sign is worth saying in one second.
    """
    credentials = config.credentials
    if not isinstance(credentials, GcpServiceAccountCredentialsWithoutDefaults) or not credentials.private_key:
        return
    from google.auth.transport.requests import Request

    native = credentials.to_native_credentials().with_scopes([GCS_READ_SCOPE])
    native.refresh(Request())


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else ""


def finish_pending_loads(
    pipeline: dlt.Pipeline, settings: Settings, message: Callable[[str], None] | None = None
) -> None:
    """Complete the load packages of a run that stopped half-way, before extracting new files.

    dlt keeps extracted and normalized packages on disk until they are loaded; finishing them
    first means a killed run's files land exactly once and are not listed again. A package whose
    loading had begun is first emptied of what it wrote (see `ingest.recovery`).
    """
    if pipeline.list_extracted_load_packages():
        pipeline.normalize()
    if pipeline.list_normalized_load_packages():
        repair_interrupted_loads(pipeline, settings, names.RAW, message)
        load_packages(pipeline, settings)


def complete_interrupted_ingest(settings: Settings, message: Callable[[str], None] | None = None) -> None:
    """Before building on `raw`, finish the loads a killed ingestion left (no bucket access needed)."""
    pipeline = make_pipeline(settings)
    if pipeline.has_pending_data:
        finish_pending_loads(pipeline, settings, message)


def run_ingest(
    settings: Settings,
    registry: Registry,
    only: list[str] | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    message: Callable[[str], None] | None = None,
    on_listed: Callable[[int], None] | None = None,
    on_read: Callable[[FileOutcome], None] | None = None,
) -> IngestReport:
    """List the bucket, load every new file, and report each file once its load is committed.

    As it goes, `on_listed` hears how many new files each listing found and `on_read` each file
    once it is read (not yet committed), for progress bars.
    """
    specs: list[SourceSpec] = registry.select(only)
    config = bucket_filesystem_config(settings)
    check_bucket(settings, config)
    report = IngestReport()

    def read(outcome: FileOutcome) -> None:
        report.files.append(outcome)
        if on_read:
            on_read(outcome)
        if message and outcome.status == "loaded":
            message(f"read {outcome.relative_path}: {outcome.rows:,} rows")

    spool_dir = settings.state_dir / "spool"
    shutil.rmtree(spool_dir, ignore_errors=True)  # leftovers of a run that was killed
    spool_dir.mkdir(parents=True, exist_ok=True)
    pipeline = make_pipeline(settings)
    pipeline.sync_destination()
    finish_pending_loads(pipeline, settings, message)
    with Warehouse.open(settings) as warehouse:
        ledger = Ledger.read(warehouse)
    source = leads_source(
        bucket_url=settings.bucket_url,
        specs=specs,
        spool_dir=spool_dir,
        ledger=ledger,
        on_outcome=read,
        parquet_import=loads_parquet(settings),
        credentials=config.credentials,
        memory_limit=settings.memory_limit,
        guard=DeletionGuard(settings, settings.alerts.max_deleted_share),
        on_listed=on_listed,
        settings=settings,
    )
    try:
        # pipeline.run() in three steps, so a crash test can stop between them
        pipeline.extract(source, loader_file_format="parquet" if loads_parquet(settings) else "csv")
        faults.reached("ingest:after-extract")
        pipeline.normalize()
        faults.reached("ingest:after-normalize")
        release_arrow_memory()  # what reading the files left, before DuckDB loads them
        faults.crash_after_load_jobs()
        info = load_packages(pipeline, settings)
        faults.reached("ingest:after-load")
        if settings.target == "spark":
            from leads_pipeline.spark.session import register_raw_tables, spark_session

            register_raw_tables(spark_session(settings), settings)  # new files, and new columns
    finally:
        shutil.rmtree(spool_dir, ignore_errors=True)
    report.load_ids = list(info.loads_ids)
    # Only now are the files' rows and ledger rows committed: what is reported is what landed.
    for outcome in report.files:
        if on_file:
            on_file(outcome)
    return report
