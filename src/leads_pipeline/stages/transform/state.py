"""When `leads run` may skip the transform: nothing changed since the last successful one.

The models are a function of the raw loads, the lookup tables (filled from those loads), the dbt
project and the source registry. A transform that built every model and passed every test records
a key of all four in `main_audit.transform_state`; a later run that loaded no new file and finds
the same key skips dbt and says so in the run log. Any new file loaded, any edit of a model, macro, test,
profile or `sources.yml`, or a missing gold table makes the key differ, and the transform runs.
`leads transform` always runs.

The dbt unit tests test the project's SQL on fixture rows, not the data: once they passed on a
project (`unit_tests_key`), later transforms of the same project leave them out, whatever the
database: the pass is kept beside dbt's own build state in the project folder.

A staged row never changes until the rules do: once its load passed every data test of a build
(`record_tested_rows`), staging's tests leave it out (`leads/macros/tested_loads.sql`) until the
project or the lookups' parsers change or staging is rebuilt (`forget_tested_loads`). Likewise the
models stamped with the record history's `compared_at` are tested only on the keys written after
the latest stamp a passing build tested (recorded with the loads).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from leads_pipeline.config import names
from leads_pipeline.config.settings import Settings
from leads_pipeline.run import audit
from leads_pipeline.run.audit import now
from leads_pipeline.stages.ingest.ledger import LOADED
from leads_pipeline.stages.lookups.refresh import versions_digest
from leads_pipeline.stages.transform.dbt import rules_version, target_dir
from leads_pipeline.warehouse import Warehouse

STAGING_SELECTOR = "path:models/staging"
# What staging is rebuilt with after a change of the rules: the seeds it joins, then staging.
RULE_SELECTORS = ("path:seeds", STAGING_SELECTOR)
STATE_SCHEMA = pa.schema([("state_key", pa.string()), ("run_id", pa.string()), ("built_at", pa.timestamp("us"))])
STAGING_BUILD_SCHEMA = pa.schema([("rules_version", pa.string()), ("built_at", pa.timestamp("us"))])
TESTED_LOADS_SCHEMA = pa.schema(
    [("load_id", pa.string()), ("tests_key", pa.string()), ("tested_at", pa.timestamp("us"))]
)
TESTED_COMPARISONS_SCHEMA = pa.schema(
    [("compared_at", pa.timestamp("us")), ("tests_key", pa.string()), ("tested_at", pa.timestamp("us"))]
)
# The record history, whose `compared_at` stamps the rows of what a run compared.
HISTORY_TABLE = (names.INTERMEDIATE, "int_source_records__versioned")
PROJECT_PARTS = ("models", "macros", "tests", "snapshots", "seeds", "analyses", "dbt_project.yml", "profiles.yml")
GOLD_TABLE = (names.GOLD, names.LEADS)


def project_digest(settings: Settings) -> str:
    digest = hashlib.sha256()
    root = settings.dbt_project_dir
    files: list[Path] = []
    for part in PROJECT_PARTS:
        path = root / part
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file())
    if settings.sources_file and settings.sources_file.exists():
        files.append(settings.sources_file)
    for path in sorted(files):
        name = path.relative_to(settings.project_dir) if path.is_relative_to(settings.project_dir) else path
        digest.update(str(name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _data_digest(warehouse: Warehouse) -> str:
    """The loads that brought rows, and which of them the lookups have read. A load that only
    recorded a file as unchanged, a duplicate, held or refused changes no model's input, so a
    month delivered again leaves the key as it was."""
    parts: list[str] = []
    if warehouse.table_exists(names.RAW, names.LEDGER):
        landed = f"SELECT load_id FROM {names.RAW}.{names.LEDGER} WHERE status = '{LOADED}'"
        parts.append(repr(warehouse.query(f"SELECT count(*), max(load_id) FROM ({landed}) AS landed")[0]))
        if warehouse.table_exists(names.AUDIT, names.LOOKUP_LOADS):
            read = f"SELECT count(*), max(load_id) FROM {names.AUDIT}.{names.LOOKUP_LOADS} WHERE load_id IN ({landed})"
            parts.append(repr(warehouse.query(read)[0]))
    parts.append(versions_digest(warehouse))  # a lookup parsed again by a new parser changes staged values
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def state_key(warehouse: Warehouse, settings: Settings) -> str:
    parts = (settings.target, project_digest(settings), _data_digest(warehouse))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def last_build(warehouse: Warehouse) -> tuple[str, str, datetime] | None:
    if not warehouse.table_exists(names.AUDIT, names.TRANSFORM_STATE):
        return None
    rows = warehouse.query(
        f"SELECT state_key, run_id, built_at FROM {names.AUDIT}.{names.TRANSFORM_STATE} ORDER BY built_at DESC LIMIT 1"
    )
    return rows[0] if rows else None


def unchanged_since_last_build(warehouse: Warehouse, settings: Settings) -> tuple[str, datetime] | None:
    """(run id, time) of the successful transform the current state matches, else None."""
    build = last_build(warehouse)
    if build is None or not warehouse.table_exists(*GOLD_TABLE):
        return None
    key, run_id, built_at = build
    return (run_id, built_at) if key == state_key(warehouse, settings) else None


def record_build(warehouse: Warehouse, settings: Settings, run_id: str) -> None:
    """Remember the state a successful transform was built from (one row: the latest)."""
    row = {"state_key": state_key(warehouse, settings), "run_id": run_id, "built_at": now()}
    audit.keep_one_row(warehouse, names.TRANSFORM_STATE, STATE_SCHEMA, row)


def forget_build(warehouse: Warehouse) -> None:
    """A transform started: until it succeeds, nothing may be skipped."""
    if warehouse.table_exists(names.AUDIT, names.TRANSFORM_STATE):
        warehouse.execute(f"DELETE FROM {names.AUDIT}.{names.TRANSFORM_STATE}")


def staging_outdated(warehouse: Warehouse, settings: Settings) -> bool:
    """True when staging tables exist but were built by other rules (`rules_version`).

    Staging models append only new loads; after a change of a rule (a staging model, a macro, a
    seed) or of a lookup's parser they must be rebuilt in full, or rows staged before the change
    would keep the old values. An edit of a description, a test or a mart restages nothing.
    """
    if not warehouse.tables(names.STAGING):
        return False
    if "rules_version" not in warehouse.columns(names.AUDIT, names.STAGING_BUILD):
        return True  # never recorded, or recorded by a version of the pipeline that kept other facts
    rows = warehouse.query(f"SELECT rules_version FROM {names.AUDIT}.{names.STAGING_BUILD}")
    return not rows or rows[0][0] != rules_version(settings, warehouse)


def record_staging_build(warehouse: Warehouse, settings: Settings) -> None:
    row = {"rules_version": rules_version(settings, warehouse), "built_at": now()}
    if "rules_version" not in warehouse.columns(names.AUDIT, names.STAGING_BUILD):
        warehouse.execute(f"DROP TABLE IF EXISTS {names.AUDIT}.{names.STAGING_BUILD}")
    audit.keep_one_row(warehouse, names.STAGING_BUILD, STAGING_BUILD_SCHEMA, row)


def unit_tests_key(settings: Settings) -> str:
    """What the dbt unit tests' outcome depends on: they test the project's SQL on fixture rows,
    never the data, so the project, the warehouse and the versions of dbt and its adapter."""
    from importlib.metadata import version

    adapter = {"duckdb": "dbt-duckdb", "postgres": "dbt-postgres", "spark": "dbt-spark"}.get(settings.target, "")
    libraries = [version("dbt-core"), *([version(adapter)] if adapter else [])]
    parts = (settings.target, project_digest(settings), *libraries)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def unit_tests_record(settings: Settings) -> Path:
    """Where the last pass of the unit tests on this project folder is kept, per warehouse kind:
    in dbt's target folder, with the manifest and the partial parse, since the pass belongs to
    the project and not to the data of any one database."""
    return settings.dbt_project_dir / target_dir() / "unit_tests_passed" / f"{settings.target}.json"


def unit_tests_passed(settings: Settings) -> datetime | None:
    """When the unit tests last passed on this very project (`unit_tests_key`), else None."""
    try:
        record = json.loads(unit_tests_record(settings).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("project_key") != unit_tests_key(settings):
        return None
    return datetime.fromisoformat(record["passed_at"])


def record_unit_tests(settings: Settings) -> None:
    """Remember that the unit tests passed on this project (the latest pass only). Written whole
    and then renamed, so that a transform reading it beside another never sees half a file."""
    path = unit_tests_record(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"project_key": unit_tests_key(settings), "passed_at": now().isoformat()}
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as file:
        json.dump(record, file)
    os.replace(file.name, path)


def tests_key(warehouse: Warehouse, settings: Settings) -> str:
    """What a data test's verdict on a staged row depends on: the project (its tests and rules)
    and the lookups' parsers."""
    parts = (settings.target, project_digest(settings), rules_version(settings, warehouse))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def forget_tested_loads(warehouse: Warehouse, settings: Settings, everything: bool = False) -> None:
    """Loads and stamps tested under other tests or rules (a rule change restages them) are
    untested again; `everything` (a full refresh) forgets them all."""
    tables = [t for t in (names.TESTED_LOADS, names.TESTED_COMPARISONS) if warehouse.table_exists(names.AUDIT, t)]
    key = tests_key(warehouse, settings) if tables and not everything else None
    for table in tables:
        if everything:
            warehouse.execute(f"DELETE FROM {names.AUDIT}.{table}")
        else:
            warehouse.execute(f"DELETE FROM {names.AUDIT}.{table} WHERE tests_key <> {warehouse.mark}", [key])


def record_tested_rows(warehouse: Warehouse, settings: Settings) -> None:
    """Remember what the data tests of a build whose every test passed read: its staged loads and
    its latest history stamp, under one key of the tests (computed at most once: it reads the
    whole project)."""
    if settings.target == "spark":
        return
    key = functools.cache(lambda: tests_key(warehouse, settings))
    _record_tested_loads(warehouse, settings, key)
    _record_tested_comparisons(warehouse, key)


def _record_tested_loads(warehouse: Warehouse, settings: Settings, key: Callable[[], str]) -> None:
    """The staged loads of the build: staging's tests leave their rows out from now on. Only loads
    found in a staging table count: a file that landed while the build ran is tested by the next
    one."""
    if not warehouse.table_exists(names.RAW, names.LEDGER):
        return
    warehouse.create_table_like(names.AUDIT, names.TESTED_LOADS, TESTED_LOADS_SCHEMA)
    tested = f"SELECT load_id FROM {names.AUDIT}.{names.TESTED_LOADS}"
    landed = (
        f"SELECT DISTINCT load_id FROM {names.RAW}.{names.LEDGER} WHERE status = '{LOADED}' AND load_id IS NOT NULL"
    )
    untested = [row[0] for row in warehouse.query(f"{landed} AND load_id NOT IN ({tested})")]
    staged_tables = [t for t in staging_tables(settings) if warehouse.table_exists(names.STAGING, t)]
    if not untested or not staged_tables:
        return
    among = ", ".join(warehouse.mark for _ in untested)
    staged = " UNION ".join(
        f"SELECT load_id FROM {names.STAGING}.{t} WHERE load_id IN ({among})" for t in staged_tables
    )
    loads = [row[0] for row in warehouse.query(staged, untested * len(staged_tables))]
    tested_at = now()
    rows = [{"load_id": load, "tests_key": key(), "tested_at": tested_at} for load in loads]
    warehouse.append_arrow(names.AUDIT, names.TESTED_LOADS, pa.Table.from_pylist(rows, TESTED_LOADS_SCHEMA))


def _record_tested_comparisons(warehouse: Warehouse, key: Callable[[], str]) -> None:
    """The build's latest history stamp: every row stamped up to it has passed, so the stamped
    models' tests read only what is written later (one row: the latest)."""
    if not warehouse.table_exists(*HISTORY_TABLE):
        return
    latest = warehouse.query(f"SELECT max(compared_at) FROM {'.'.join(HISTORY_TABLE)}")[0][0]
    if latest is None:
        return
    row = {"compared_at": latest, "tests_key": key(), "tested_at": now()}
    audit.keep_one_row(warehouse, names.TESTED_COMPARISONS, TESTED_COMPARISONS_SCHEMA, row)


def staging_tables(settings: Settings) -> list[str]:
    """The staging model of every registered source."""
    from leads_pipeline.config.registry import load_registry
    from leads_pipeline.stages.transform.registry_files import staging_model

    return [staging_model(spec) for spec in load_registry(settings.sources_file)]
