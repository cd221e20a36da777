"""Run dbt programmatically: one command at a time, each model and test reported as it finishes.

The variables the profiles and the history models read are set for each invocation
(`dbt_environment`), the dbt project's view of sources.yml is brought up to date first, and a
model that fails to build raises with its cause; failing tests are reported, not raised.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from leads_pipeline.config.errors import TransformError, advised
from leads_pipeline.config.registry import load_registry
from leads_pipeline.config.settings import Settings
from leads_pipeline.stages.identity import ResolveReport
from leads_pipeline.stages.lookups.refresh import versions_digest
from leads_pipeline.stages.transform import registry_files
from leads_pipeline.stages.transform.rule_macros import rule_macros
from leads_pipeline.warehouse import Warehouse

FAILED_STATUSES = {"error", "fail", "runtime error"}
# The first line of dbt's failure messages, naming the node; the cause follows.
DBT_FAILURE_HEADINGS = ("Compilation Error in ", "Runtime Error in ", "Database Error in ")
# What a record's values and history are computed by: staging, the seeds, the models between
# staging and the current records, and the macros these call (`rule_macros`). The incremental
# history models compare again whatever they computed with other rules (see
# history_rules_version), and the current records rewrite every record the history compared again.
HISTORY_RULE_PATHS = (
    "models/staging",
    "seeds",
    "dbt_project.yml",
    "models/intermediate/int_source_records__unioned.sql",
    "models/intermediate/int_source_records__versioned.sql",
    "models/intermediate/int_source_records__current.sql",
    "models/intermediate/int_source_files__quarantined.sql",
)


@dataclass
class NodeResult:
    name: str
    resource_type: str
    status: str
    seconds: float = 0.0
    message: str | None = None
    failures: int | None = None

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


@dataclass
class TransformReport:
    nodes: list[NodeResult] = field(default_factory=list)
    identity: ResolveReport | None = None
    # When the unit tests passed on this project, if this transform left them out for it.
    unit_tests_passed_at: datetime | None = None

    @property
    def failed_models(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.failed and n.resource_type not in ("test", "unit_test")]

    @property
    def failed_tests(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.failed and n.resource_type in ("test", "unit_test")]

    def count(self, resource_type: str) -> int:
        return sum(1 for n in self.nodes if n.resource_type == resource_type)


def history_rules_version(settings: Settings) -> str:
    """A digest of the dbt files a source record's values depend on (HISTORY_RULE_PATHS) and of
    the macros they call.

    The history models store it with what they compute; when a rule changes (a staging model, a
    macro it calls, a seed), they recompute everything computed under the old one rather than
    compare new snapshots with values made by other rules. A macro only marts call is no rule.
    """
    root = settings.dbt_project_dir
    digest = hashlib.sha256()
    texts: list[str] = []
    for part in HISTORY_RULE_PATHS:
        path = root / part
        # Within folders only SQL and seed data count: a description or a test changes no value.
        files = sorted(p for p in path.rglob("*") if p.suffix in (".sql", ".csv")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                content = file.read_bytes()
                digest.update(file.relative_to(root).as_posix().encode())
                digest.update(content)
                if file.suffix != ".csv":
                    texts.append(content.decode("utf-8"))
    for macro in rule_macros(texts, root):
        digest.update(f"{macro.path.relative_to(root).as_posix()}:{macro.name}".encode())
        digest.update(macro.body.encode("utf-8"))
    return digest.hexdigest()[:16]


def rules_version(settings: Settings, warehouse: Warehouse | None = None) -> str:
    """What a source record's values are computed by: the dbt rule files and the lookup tables'
    parser versions. Staging is rebuilt, and the history recomputed, when it changes."""
    if warehouse is None:
        if settings.target == "duckdb" and not settings.database.exists():
            return history_rules_version(settings)
        with Warehouse.open(settings) as opened:
            return rules_version(settings, opened)
    lookups = versions_digest(warehouse)
    return history_rules_version(settings) + (f"-{lookups}" if lookups else "")


@contextmanager
def dbt_environment(settings: Settings) -> Iterator[None]:
    """The variables profiles.yml and the history models read, set for one dbt invocation."""
    wanted = {
        **settings.dbt_environment(),
        "LEADS_HISTORY_RULES": rules_version(settings),
        # data tests leave out the rows a passing build tested (leads/macros/tested_loads.sql)
        "LEADS_TESTED_LOADS": "" if settings.target == "spark" else "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def release_duckdb(settings: Settings) -> None:
    """Drop the DuckDB instance dbt-duckdb keeps for the life of the process after some commands
    (`seed`), so this process can open the file again with other options (read-only for status)."""
    if settings.target != "duckdb":
        return
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()


def target_dir() -> Path:
    """Where dbt writes its manifest and compiled SQL, relative to the dbt project: `target`, or
    DBT_TARGET_PATH (dbt's own variable), so that concurrent invocations can keep theirs apart."""
    return Path(os.environ.get("DBT_TARGET_PATH") or "target")


def run_dbt(
    settings: Settings,
    args: list[str],
    on_node: Callable[[NodeResult], None] | None = None,
    report: TransformReport | None = None,
    on_plan: Callable[[int], None] | None = None,
) -> TransformReport:
    """Invoke one dbt command; models that fail raise, failing tests are reported, not raised.

    `on_plan` hears how many nodes (models, seeds, tests) the command will run, before the first.
    """
    from dbt.cli.main import dbtRunner

    report = report or TransformReport()

    def listen(event) -> None:  # noqa: ANN001 - dbt's protobuf event message
        if event.info.name == "ConcurrencyLine" and on_plan:
            on_plan(int(event.data.node_count))
        if event.info.name != "NodeFinished":
            return
        node = event.data.node_info
        result = event.data.run_result
        outcome = NodeResult(
            name=node.node_name,
            resource_type=node.resource_type,
            status=(result.status or node.node_status or "").lower(),
            seconds=float(result.execution_time or 0.0),
            message=result.message or None,
            failures=int(result.num_failures) if result.num_failures else None,
        )
        report.nodes.append(outcome)
        if on_node:
            on_node(outcome)

    command = [
        *args,
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.dbt_project_dir),
        "--quiet",
    ]
    registry_files.sync(settings.dbt_project_dir, load_registry(settings.sources_file))
    with dbt_environment(settings):
        try:
            result = dbtRunner(callbacks=[listen]).invoke(command)
        finally:
            release_duckdb(settings)
    if isinstance(result.exception, KeyboardInterrupt):
        raise result.exception  # Ctrl-C during dbt: the run stops as interrupted, not as a dbt failure
    if result.exception is not None:
        raise TransformError(f"dbt {args[0]} could not run: {result.exception}") from None
    if report.failed_models:
        names = ", ".join(n.name for n in report.failed_models)
        cause = failure_cause(report.failed_models[0].message)
        raise TransformError(advised(f"dbt failed to build {names}: {cause}", cause))
    return report


def failure_cause(message: str | None) -> str:
    """The line of a dbt failure that says what went wrong, not which node it was in."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    causes = [line for line in lines if not line.startswith(DBT_FAILURE_HEADINGS)]
    return (causes or lines or ["see dbt logs"])[0]
