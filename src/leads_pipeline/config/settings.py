"""Every setting in one place: command-line flags win over environment variables over defaults."""

from __future__ import annotations

import hashlib
import math
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leads_pipeline.config.errors import ConfigError
from leads_pipeline.observe.redact import Redactor

Target = Literal["duckdb", "postgres", "spark"]
TARGETS = ("duckdb", "postgres", "spark")
DEFAULT_POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_SPARK_MASTER = "local[*]"
# Modest defaults for a Spark session on one machine; LEADS_SPARK_CONF overrides any of them.
DEFAULT_SPARK_CONF = (
    ("spark.driver.memory", "2g"),
    ("spark.sql.shuffle.partitions", "4"),
    ("spark.ui.enabled", "false"),
)
DEFAULT_DATABASE = "leads.duckdb"
DEFAULT_BUCKET = "data/landing"  # inside the project folder


class Env:
    """The environment variable of each setting: the one place that names them (the CLI's options
    and `--help` take them from here)."""

    PROJECT_DIR = "LEADS_PROJECT_DIR"
    BUCKET_URL = "LEADS_BUCKET_URL"
    DATABASE = "LEADS_DATABASE"
    TARGET = "LEADS_TARGET"
    SOURCES = "LEADS_SOURCES"
    POSTGRES_DSN = "LEADS_POSTGRES_DSN"
    MEMORY_LIMIT = "LEADS_MEMORY_LIMIT"
    MAX_BLOCK_SIZE = "LEADS_MAX_BLOCK_SIZE"
    BATCH_ROWS = "LEADS_BATCH_ROWS"
    ALERT_URLS = "LEADS_ALERT_URLS"
    SLACK_WEBHOOK_URL = "LEADS_SLACK_WEBHOOK_URL"
    WEBHOOK_URL = "LEADS_WEBHOOK_URL"
    WEBHOOK_TIMEOUT_SECONDS = "LEADS_WEBHOOK_TIMEOUT_SECONDS"
    MAX_REJECTED_SHARE = "LEADS_MAX_REJECTED_SHARE"
    MAX_DELETED_SHARE = "LEADS_MAX_DELETED_SHARE"
    MAX_FILE_AGE_DAYS = "LEADS_MAX_FILE_AGE_DAYS"
    ALERT_WINDOW_DAYS = "LEADS_ALERT_WINDOW_DAYS"
    SCHEDULE_CRON = "LEADS_SCHEDULE_CRON"
    SCHEDULE_TIMEZONE = "LEADS_SCHEDULE_TIMEZONE"
    SENSOR_INTERVAL_SECONDS = "LEADS_SENSOR_INTERVAL_SECONDS"
    DAGSTER_CATALOG = "LEADS_DAGSTER_CATALOG"
    SPARK_MASTER = "LEADS_SPARK_MASTER"
    SPARK_WAREHOUSE = "LEADS_SPARK_WAREHOUSE"
    SPARK_CONF = "LEADS_SPARK_CONF"


PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _find_project_dir() -> Path:
    """The checkout holding sources.yml and the dbt project; the working directory otherwise."""
    for candidate in (PACKAGE_DIR.parents[1], Path.cwd()):
        if (candidate / "sources.yml").exists():
            return candidate
    return Path.cwd()


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def spark_conf_setting(raw: str | None) -> tuple[tuple[str, str], ...]:
    """LEADS_SPARK_CONF (`key=value` pairs separated by commas) over the defaults, as (key, value) pairs."""
    conf = dict(DEFAULT_SPARK_CONF)
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip().startswith("spark."):
            raise ConfigError(
                f"{Env.SPARK_CONF} item {item.strip()!r} is not a Spark setting: write spark.key=value pairs "
                "separated by commas, like spark.driver.memory=4g,spark.sql.shuffle.partitions=8"
            )
        conf[key.strip()] = value.strip()
    return tuple(conf.items())


def _env_float(name: str, default: float, low: float = 0.0, high: float = math.inf, above_low: bool = False) -> float:
    """A number within [low, high] (above `low` when `above_low`), or a one-line configuration error."""
    raw = _env(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if not math.isfinite(value) or value < low or value > high or (above_low and value == low):
        bound = f"more than {low:g}" if above_low else f"at least {low:g}"
        if high != math.inf:
            bound += f" and at most {high:g}"
        raise ConfigError(f"{name}={raw!r} is out of range: use a number {bound}")
    return value


SWITCH = {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False, "0": False}


def _env_switch(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    if raw.strip().lower() not in SWITCH:
        raise ConfigError(f"{name}={raw!r} is neither on nor off: use on or off")
    return SWITCH[raw.strip().lower()]


def _env_cron(name: str, default: str) -> str:
    from croniter import croniter

    raw = _env(name, default) or default
    if not croniter.is_valid(raw):
        raise ConfigError(f"{name}={raw!r} is not a cron expression: use five fields, like '0 6 * * *'")
    return raw


def _env_timezone(name: str, default: str) -> str:
    raw = _env(name, default) or default
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name}={raw!r} is not a time zone: use a name like UTC or America/Chicago") from None
    return raw


def _env_positive_int(name: str, minimum: int = 2) -> int | None:
    raw = _env(name)
    if raw is None:
        return None
    if not raw.strip().isdigit() or int(raw) < minimum:
        raise ConfigError(f"{name}={raw!r} is not a whole number of {minimum} or more")
    return int(raw)


@dataclass(frozen=True)
class AlertSettings:
    alert_urls: str | None = None  # Apprise URLs (observe/alerts/delivery.py)
    slack_webhook_url: str | None = None
    webhook_url: str | None = None
    max_rejected_share: float = 0.05
    max_deleted_share: float = 0.2  # a file deleting more of its source is held (stages/ingest/deletions.py)
    max_file_age_days: float = 45.0
    webhook_timeout_seconds: float = 5.0
    window_days: float = 7.0


@dataclass(frozen=True)
class ScheduleSettings:
    """When the orchestrator runs the pipeline: a cron schedule and the new-file sensor."""

    cron: str = "0 6 * * *"
    timezone: str = "UTC"
    sensor_interval_seconds: int = 300


MEMORY_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", re.IGNORECASE)
# The default memory limit: a quarter of the machine, at least 1 GB and at most 2.5 GB. A step's
# process holds up to about 1.8 GB beside what DuckDB counts against its limit (dbt and Python,
# and what DuckDB allocates outside its buffer pool; their measured peaks: docs/performance.md).
# Staging sizes its batches to the limit.
DEFAULT_MEMORY_SHARE, DEFAULT_MEMORY_MIN_MB, DEFAULT_MEMORY_MAX_MB = 0.25, 1_000, 2_500


def default_memory_limit() -> str:
    """A quarter of the machine's memory, within 1 GB and 2.5 GB."""
    try:
        total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1_000_000
    except (ValueError, OSError, AttributeError):
        return f"{DEFAULT_MEMORY_MIN_MB}MB"
    share = int(total_mb * DEFAULT_MEMORY_SHARE)
    return f"{min(max(share, DEFAULT_MEMORY_MIN_MB), DEFAULT_MEMORY_MAX_MB)}MB"


# Input rows a model computed in batches reads in one statement, per MB of the memory limit
# (leads/macros/batches.sql): a staging batch's joins hold its raw rows and the lookup rows they
# match (the widest source's 250 k rows stayed under a 600 MB limit); the merged leads' batch of
# 1.0 M member rows stayed under the 2.5 GB default at 10 M records per source.
BATCH_ROWS_PER_MB = 400
MEMORY_UNIT_MB = {
    "kb": 1e-3,
    "mb": 1,
    "gb": 1e3,
    "tb": 1e6,
    "kib": 2**10 / 1e6,
    "mib": 2**20 / 1e6,
    "gib": 2**30 / 1e6,
    "tib": 2**40 / 1e6,
}


def memory_megabytes(limit: str) -> float:
    """A memory size as the engine takes it (`4GB`, `512MB`) in MB."""
    match = MEMORY_SIZE.fullmatch(limit)
    if not match:
        raise ConfigError(f"{limit!r} is not a memory size: use a number and a unit, like 4GB or 512MB")
    return float(match.group(1)) * MEMORY_UNIT_MB[match.group(2).lower()]


def memory_limit_setting(raw: str | None) -> str:
    """LEADS_MEMORY_LIMIT as the engine takes it (`4GB`, `512MB`), or the machine's default."""
    if raw is None:
        return default_memory_limit()
    match = MEMORY_SIZE.fullmatch(raw)
    if not match:
        raise ConfigError(
            f"{Env.MEMORY_LIMIT}={raw!r} is not a memory size: use a number and a unit, like 4GB or 512MB"
        )
    return f"{match.group(1)}{match.group(2)}"


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    bucket_url: str
    database: Path
    target: Target = "duckdb"
    postgres_dsn: str = DEFAULT_POSTGRES_DSN
    sources_file: Path | None = None
    alerts: AlertSettings = field(default_factory=AlertSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    # What DuckDB may hold in memory in every step (dbt's included) before it spills to disk.
    memory_limit: str = field(default_factory=default_memory_limit)
    # Records one phone or address may pair all-with-all; None: the dbt project's `max_block_size`.
    max_block_size: int | None = None
    # Input rows a model computed in batches reads in one statement; None: what the memory limit holds.
    batch_rows_override: int | None = None
    # Whether the CLI records the models it builds in Dagster's asset catalog (orchestration/catalog.py).
    dagster_catalog: bool = True
    # Spark (target `spark`): the master URL, the lake folder holding the tables, extra conf.
    spark_master: str = DEFAULT_SPARK_MASTER
    spark_warehouse: str = ""
    spark_conf: tuple[tuple[str, str], ...] = DEFAULT_SPARK_CONF

    @classmethod
    def load(
        cls,
        bucket_url: str | None = None,
        database: str | Path | None = None,
        target: str | None = None,
        sources_file: str | Path | None = None,
    ) -> Settings:
        project_dir = Path(_env(Env.PROJECT_DIR) or _find_project_dir()).resolve()
        bucket = bucket_url or _env(Env.BUCKET_URL) or str(project_dir / DEFAULT_BUCKET)
        db = Path(database or _env(Env.DATABASE) or DEFAULT_DATABASE).expanduser()
        tgt = (target or _env(Env.TARGET) or TARGETS[0]).lower()
        if tgt not in TARGETS:
            raise ConfigError(f"unknown target {tgt!r}: use {' or '.join(TARGETS)} ({Env.TARGET})")
        registry_path = Path(sources_file or _env(Env.SOURCES) or project_dir / "sources.yml")
        alerts = AlertSettings(
            alert_urls=_env(Env.ALERT_URLS),
            slack_webhook_url=_env(Env.SLACK_WEBHOOK_URL),
            webhook_url=_env(Env.WEBHOOK_URL),
            max_rejected_share=_env_float(Env.MAX_REJECTED_SHARE, AlertSettings.max_rejected_share, high=1.0),
            max_deleted_share=_env_float(Env.MAX_DELETED_SHARE, AlertSettings.max_deleted_share, high=1.0),
            max_file_age_days=_env_float(Env.MAX_FILE_AGE_DAYS, AlertSettings.max_file_age_days),
            webhook_timeout_seconds=_env_float(
                Env.WEBHOOK_TIMEOUT_SECONDS, AlertSettings.webhook_timeout_seconds, above_low=True
            ),
            window_days=_env_float(Env.ALERT_WINDOW_DAYS, AlertSettings.window_days, above_low=True),
        )
        schedule = ScheduleSettings(
            cron=_env_cron(Env.SCHEDULE_CRON, ScheduleSettings.cron),
            timezone=_env_timezone(Env.SCHEDULE_TIMEZONE, ScheduleSettings.timezone),
            sensor_interval_seconds=_env_positive_int(Env.SENSOR_INTERVAL_SECONDS, minimum=1)
            or ScheduleSettings.sensor_interval_seconds,
        )
        dsn = _env(Env.POSTGRES_DSN, DEFAULT_POSTGRES_DSN) or DEFAULT_POSTGRES_DSN
        if tgt == "postgres":
            postgres_parts(dsn)  # a malformed DSN is a configuration error now, not half-way through
        return cls(
            project_dir=project_dir,
            bucket_url=normalize_bucket_url(bucket),
            database=db.resolve(),
            target=tgt,  # type: ignore[arg-type]
            postgres_dsn=dsn,
            sources_file=registry_path.resolve(),
            alerts=alerts,
            schedule=schedule,
            memory_limit=memory_limit_setting(_env(Env.MEMORY_LIMIT)),
            max_block_size=_env_positive_int(Env.MAX_BLOCK_SIZE),
            batch_rows_override=_env_positive_int(Env.BATCH_ROWS, minimum=1),
            dagster_catalog=_env_switch(Env.DAGSTER_CATALOG, default=True),
            spark_master=_env(Env.SPARK_MASTER, DEFAULT_SPARK_MASTER) or DEFAULT_SPARK_MASTER,
            spark_warehouse=lake_url(_env(Env.SPARK_WAREHOUSE) or str(db.resolve().with_suffix(".spark"))),
            spark_conf=spark_conf_setting(_env(Env.SPARK_CONF)),
        )

    def with_overrides(self, **changes) -> Settings:
        return replace(self, **changes)

    @property
    def dbt_project_dir(self) -> Path:
        return self.project_dir / "leads"

    @property
    def warehouse_label(self) -> str:
        """The database runs write, for messages: the DuckDB file or host:port/database (no password)."""
        if self.target == "postgres":
            parts = postgres_parts(self.postgres_dsn)
            return f"postgres {parts['host']}:{parts['port']}/{parts['dbname']}"
        if self.target == "spark":
            return f"spark {self.spark_warehouse}"
        return str(self.database)

    @property
    def state_dir(self) -> Path:
        """Working files of one database: dlt's pipeline folder, spooled files, the last error.

        Named after the whole file name: `leads.duckdb` and `leads` in one folder are two databases,
        and each run clears its spool and may reset its dlt folder, so sharing one would let a run on
        one delete the files a run on the other is loading.
        """
        if self.target == "postgres":
            return self.database.parent / ".leads" / f"postgres-{self._postgres_id}"
        if self.target == "spark":
            lake = self.spark_warehouse
            return self.database.parent / ".leads" / f"spark-{hashlib.sha1(lake.encode()).hexdigest()[:8]}"
        return self.database.parent / ".leads" / self.database.name

    @property
    def report_path(self) -> Path:
        """Where `leads report` and `leads run` write the HTML report: beside the DuckDB file
        (`leads.duckdb` -> `leads.report.html`); for PostgreSQL, in the database's state folder."""
        if self.target in ("postgres", "spark"):
            return self.state_dir / "report.html"
        return self.database.with_name(f"{self.database.stem}.report.html")

    @property
    def lock_path(self) -> Path:
        if self.target in ("postgres", "spark"):
            return self.state_dir.with_name(self.state_dir.name + ".lock")
        return self.database.with_name(self.database.name + ".lock")

    @property
    def _postgres_id(self) -> str:
        parts = postgres_parts(self.postgres_dsn)
        where = f"{parts['host']}:{parts['port']}/{parts['dbname']}"
        return f"{parts['dbname']}-{hashlib.sha1(where.encode()).hexdigest()[:8]}"

    @property
    def batch_rows(self) -> int:
        """The input rows a model computed in batches (staging, the merged leads) reads in one
        statement: LEADS_BATCH_ROWS, else what the memory limit holds, so that a file or a month
        of any size stays within the limit."""
        if self.batch_rows_override is not None:
            return self.batch_rows_override
        return max(int(memory_megabytes(self.memory_limit) * BATCH_ROWS_PER_MB), 1_000)

    def dbt_environment(self) -> dict[str, str]:
        """The variables `leads/profiles.yml` reads: the target, and its connection from the same settings."""
        env = {
            Env.TARGET: self.target,
            Env.DATABASE: str(self.database),
            Env.MEMORY_LIMIT: self.memory_limit,
            Env.BATCH_ROWS: str(self.batch_rows),  # leads/macros/batches.sql
        }
        if self.max_block_size is not None:
            env[Env.MAX_BLOCK_SIZE] = str(self.max_block_size)  # leads/macros/blocking.sql
        if self.target == "postgres":
            parts = postgres_parts(self.postgres_dsn)
            env.update(
                {
                    "LEADS_PG_HOST": parts["host"],
                    "LEADS_PG_PORT": parts["port"],
                    "LEADS_PG_USER": parts["user"],
                    "LEADS_PG_PASSWORD": parts["password"],
                    "LEADS_PG_DATABASE": parts["dbname"],
                }
            )
        return env

    @property
    def spark_raw_url(self) -> str:
        """Where dlt lands the raw tables on the lake: one Parquet folder per table."""
        return f"{self.spark_warehouse}/{RAW_FOLDER}"


def postgres_parts(dsn: str) -> dict[str, str]:
    """host, port, user, password and dbname of a `postgresql://user:password@host:port/dbname` DSN."""
    try:
        parsed = urlparse(dsn)
        port = parsed.port  # a port that is not a number raises here
    except ValueError:
        parsed, port = None, None
    if parsed is None or parsed.scheme not in ("postgresql", "postgres") or not parsed.path.strip("/"):
        raise ConfigError(
            f"{Env.POSTGRES_DSN} {_without_password(dsn)!r} is not a PostgreSQL URL: use "
            "postgresql://user@host[:port]/database, with :password after the user if it needs one"
        )
    return {
        "host": parsed.hostname or "127.0.0.1",
        "port": str(port or 5432),
        "user": unquote(parsed.username or "postgres"),
        "password": unquote(parsed.password or ""),
        "dbname": unquote(parsed.path.strip("/")),
    }


def _without_password(dsn: str) -> str:
    """The DSN with its password masked, even when it is too malformed to parse."""
    return Redactor()(dsn) or dsn


RAW_FOLDER = "raw_landing"  # under the Spark warehouse, beside the tables Spark manages


def lake_url(url: str) -> str:
    """LEADS_SPARK_WAREHOUSE as Spark and dlt both take it: a lake URL (`s3://`, `gs://`) as it is,
    a local folder as an absolute `file:` URL."""
    if urlparse(url).scheme in ("gs", "gcs", "s3", "s3a", "abfs", "abfss", "hdfs", "dbfs", "file"):
        return url.rstrip("/")
    return Path(url).expanduser().resolve().as_uri()


def normalize_bucket_url(url: str) -> str:
    """Accept a plain folder path as a bucket: it becomes an absolute `file://` URL."""
    parsed = urlparse(url)
    if parsed.scheme in ("gs", "gcs", "s3", "az", "abfs", "abfss", "file", "memory"):
        return url.rstrip("/")
    if parsed.scheme and len(parsed.scheme) > 1:
        raise ConfigError(
            f"bucket URL {url!r} has an unsupported scheme {parsed.scheme!r}: use gs://, s3://, "
            "file:// or a local folder path"
        )
    return Path(url).expanduser().resolve().as_uri()
