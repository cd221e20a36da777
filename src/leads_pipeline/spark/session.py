"""The process's Spark session, built from the settings, and the raw tables registered in it.

dbt-spark's `session` method takes `SparkSession.builder.getOrCreate()`: building the session here
first, with the settings' master, lake folder and conf, makes dbt, the lookups and the identity
step all run in this one session. Tables are plain Parquet, recorded in a Hive metastore (Derby,
embedded, inside a local warehouse folder), so a later run finds what an earlier one built.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from leads_pipeline.config import names
from leads_pipeline.config.errors import ConfigError
from leads_pipeline.config.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MISSING_EXTRA = (
    "the spark target needs the `spark` extra (pyspark and dbt-spark): run `uv sync --extra spark` "
    "(or `pip install 'leads-pipeline[spark]'`)"
)
MISSING_JAVA = (
    "the spark target needs Java 17 to run Spark: install a JRE (e.g. `apt-get install openjdk-17-jre-headless`) "
    "or set JAVA_HOME to one"
)
# Always set: what the SQL of the project assumes of Spark, not a matter of taste.
FIXED_CONF = (
    ("spark.sql.session.timeZone", "UTC"),
    # CREATE TABLE without USING makes a Parquet table, not a Hive text table.
    ("spark.sql.legacy.createHiveTableByDefault", "false"),
    ("spark.sql.sources.partitionOverwriteMode", "dynamic"),
    ("spark.ui.showConsoleProgress", "false"),
)


def require_spark() -> None:
    """Fail in one line, saying what to install, when pyspark or Java is missing."""
    try:
        import dbt.adapters.spark  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError:
        raise ConfigError(MISSING_EXTRA) from None
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and (Path(java_home) / "bin" / "java").exists()) and shutil.which("java") is None:
        raise ConfigError(MISSING_JAVA)


def local_path(url: str) -> Path | None:
    """The folder a `file:` lake URL names; None for a remote lake (s3://, gs://, ...)."""
    parsed = urlparse(url)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


def _location(url: str) -> Path | str:
    """A lake URL to compare: Spark writes `file:///x` as `file:/x`."""
    return local_path(url) or url.rstrip("/")


def spark_session(settings: Settings) -> SparkSession:
    """The active session, or a new one from the settings."""
    require_spark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        # A session's warehouse and metastore are fixed when it starts: one lake per process.
        in_use = active.conf.get("spark.sql.warehouse.dir")
        if _location(in_use) != _location(settings.spark_warehouse):
            raise ConfigError(
                f"this process's Spark session uses the warehouse {in_use}, not {settings.spark_warehouse}: "
                "run each warehouse in a process of its own"
            )
        return active
    builder = SparkSession.builder.master(settings.spark_master).appName("leads").enableHiveSupport()
    conf = {"spark.sql.warehouse.dir": settings.spark_warehouse, **dict(FIXED_CONF)}
    local = local_path(settings.spark_warehouse)
    if local is not None:
        local.mkdir(parents=True, exist_ok=True)
        # The embedded metastore lives with the tables it describes; a cluster brings its own.
        conf["spark.hadoop.javax.jdo.option.ConnectionURL"] = (
            f"jdbc:derby:;databaseName={local / 'metastore_db'};create=true"
        )
        conf["spark.driver.extraJavaOptions"] = f"-Dderby.system.home={local}"
    if settings.spark_master.startswith("local"):
        conf["spark.driver.host"] = conf["spark.driver.bindAddress"] = "127.0.0.1"
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # read by the JVM as it starts
    conf.update(settings.spark_conf)
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - py4j and Spark raise many kinds for a JVM that did not start
        first = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise ConfigError(f"cannot start Spark ({first}); {MISSING_JAVA}") from None
    session.sparkContext.setLogLevel("ERROR")
    _quiet_codegen_fallback(session)
    return session


# Spark compiles each query stage to Java; a stage too large for one Java method (the wide staging
# models) runs interpreted instead, as designed, yet Spark logs that at ERROR with the whole
# generated source. A query that fails for real still raises.
CODEGEN_LOGGER = "org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator"


def _quiet_codegen_fallback(session: SparkSession) -> None:
    try:
        log4j = session._jvm.org.apache.logging.log4j  # noqa: SLF001 - the driver JVM's logging
        log4j.core.config.Configurator.setLevel(CODEGEN_LOGGER, log4j.Level.OFF)
    except Exception:  # noqa: BLE001 - a cluster's own logging setup: its messages stay as they are
        pass


# dlt writes the data as Parquet and its bookkeeping (`_dlt_loads`, ...) as JSON lines.
FORMATS = {"parquet": "parquet", "jsonl": "json"}


def raw_table_folders(settings: Settings) -> dict[str, tuple[str, str]]:
    """Each raw table dlt has landed: its name, the URL of its folder and the files' format."""
    from dlt.common.storages import FilesystemConfiguration, fsspec_from_config

    root = f"{settings.spark_raw_url}/{names.RAW}"
    fs, path = fsspec_from_config(FilesystemConfiguration(bucket_url=root))
    if not fs.exists(path):
        return {}
    folders = {}
    for entry in fs.ls(path, detail=True):
        name = entry["name"].rstrip("/").rsplit("/", 1)[-1]
        if entry["type"] != "directory":
            continue
        for extension, file_format in FORMATS.items():
            if fs.glob(f"{entry['name'].rstrip('/')}/*.{extension}"):
                folders[name] = (f"{root}/{name}", file_format)
                break
    return folders


def register_new_raw_tables(session: SparkSession, settings: Settings) -> list[str]:
    """Register the landed folders that are not `raw` tables yet (a new session, a new table)."""
    session.sql(f"CREATE DATABASE IF NOT EXISTS {names.RAW}")
    known = {t.name for t in session.catalog.listTables(names.RAW)}
    new = {t: url for t, url in raw_table_folders(settings).items() if t not in known}
    for table, (url, file_format) in sorted(new.items()):
        _register(session, table, url, file_format)
    return sorted(new)


def _register(session: SparkSession, table: str, url: str, file_format: str) -> None:
    merge = " OPTIONS (mergeSchema 'true')" if file_format == "parquet" else ""
    session.sql(f"DROP TABLE IF EXISTS {names.RAW}.`{table}`")
    session.sql(f"CREATE TABLE {names.RAW}.`{table}` USING {file_format}{merge} LOCATION '{url}'")


def register_raw_tables(session: SparkSession, settings: Settings) -> list[str]:
    """Make every landed Parquet folder a `raw` table, with the columns of all its files.

    Each registration is made again, so columns that a later file added (a source's new header)
    appear; dropping an external table leaves its files where they are.
    """
    session.sql(f"CREATE DATABASE IF NOT EXISTS {names.RAW}")
    tables = raw_table_folders(settings)
    for table, (url, file_format) in sorted(tables.items()):
        _register(session, table, url, file_format)
    return sorted(tables)
