"""The transform: the dbt project around the identity resolve step, in phases both runners share.

A transform is these phases, in order; `leads transform` (`run_transform`) and the Dagster assets
(`orchestration.dbt`, `orchestration.identity`) call the same functions for each:
  1. `begin`            forget the last build's stamp; after a change of the dbt project, stage
                        every raw row again (staging appends new loads only)
  2. dbt `build` of the `before_identity` selector (leads/selectors.yml): seeds, staging and
                        intermediate up to the candidate pairs, with their tests
  3. `staging_built`    stamp staging with the project it was built by
  4. `resolve`          the identity resolve step (Python): clusters, lead ids, CRM matches
  5. dbt `build` of the `after_identity` selector: everything that reads the identity tables,
                        the marts among them
  6. `finish`           stamp the whole build when every test passed, so a later run with
                        nothing new may skip the transform (transform_state)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from leads_pipeline.config.errors import TransformError
from leads_pipeline.config.registry import load_registry
from leads_pipeline.config.settings import Settings
from leads_pipeline.stages.identity import ResolveReport, resolve_identities
from leads_pipeline.stages.identity.resolve import RESOLVE_INPUTS
from leads_pipeline.stages.transform import registry_files as dbt_registry
from leads_pipeline.warehouse import Warehouse

FAILED_STATUSES = {"error", "fail", "runtime error"}
# The first line of dbt's failure messages, naming the node; the cause follows.
DBT_FAILURE_HEADINGS = ("Compilation Error in ", "Runtime Error in ", "Database Error in ")
# What a record's values and history are computed by: staging, the macros, the seeds, and the
# models between staging and the history. The incremental history models compare again whatever
# they computed with other rules (see history_rules_version).
HISTORY_RULE_PATHS = (
    "models/staging",
    "macros",
    "seeds",
    "dbt_project.yml",
    "models/intermediate/int_source_records__unioned.sql",
    "models/intermediate/int_source_records__versioned.sql",
    "models/intermediate/int_source_files__quarantined.sql",
)
# The dbt selectors (leads/selectors.yml) of the builds before and after the resolve step.
BEFORE_IDENTITY, AFTER_IDENTITY = "before_identity", "after_identity"


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

    @property
    def failed_models(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.failed and n.resource_type not in ("test", "unit_test")]

    @property
    def failed_tests(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.failed and n.resource_type in ("test", "unit_test")]

    def count(self, resource_type: str) -> int:
        return sum(1 for n in self.nodes if n.resource_type == resource_type)


def history_rules_version(settings: Settings) -> str:
    """A digest of the dbt files a source record's values depend on (HISTORY_RULE_PATHS).

    The history models store it with what they compute; when a rule changes (a staging model, a
    macro, a seed), they recompute everything computed under the old one rather than compare new
    snapshots with values made by other rules.
    """
    root = settings.dbt_project_dir
    digest = hashlib.sha256()
    for part in HISTORY_RULE_PATHS:
        path = root / part
        # Within folders only SQL and seed data count: a description or a test changes no value.
        files = sorted(p for p in path.rglob("*") if p.suffix in (".sql", ".csv")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                digest.update(file.relative_to(root).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def dbt_environment(settings: Settings) -> Iterator[None]:
    """The variables profiles.yml and the history models read, set for one dbt invocation."""
    wanted = {
        **settings.dbt_environment(),
        "LEADS_HISTORY_RULES": history_rules_version(settings),
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


def run_dbt(
    settings: Settings,
    args: list[str],
    on_node: Callable[[NodeResult], None] | None = None,
    report: TransformReport | None = None,
) -> TransformReport:
    """Invoke one dbt command; models that fail raise, failing tests are reported, not raised."""
    from dbt.cli.main import dbtRunner

    report = report or TransformReport()

    def listen(event) -> None:  # noqa: ANN001 - dbt's protobuf event message
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
    dbt_registry.sync(settings.dbt_project_dir, load_registry(settings.sources_file))
    with dbt_environment(settings):
        try:
            result = dbtRunner(callbacks=[listen]).invoke(command)
        finally:
            release_duckdb(settings)
    if result.exception is not None:
        raise TransformError(f"dbt {args[0]} could not run: {result.exception}") from None
    if report.failed_models:
        names = ", ".join(n.name for n in report.failed_models)
        raise TransformError(f"dbt failed to build {names}: {failure_cause(report.failed_models[0].message)}")
    return report


def failure_cause(message: str | None) -> str:
    """The line of a dbt failure that says what went wrong, not which node it was in."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    causes = [line for line in lines if not line.startswith(DBT_FAILURE_HEADINGS)]
    return (causes or lines or ["see dbt logs"])[0]


def build_args(selector: str, with_tests: bool = True) -> list[str]:
    """The dbt command of a build phase; without tests it builds the same models and seeds."""
    args = ["build", "--selector", selector]
    return args if with_tests else [*args, "--exclude-resource-type", "test", "unit_test"]


def begin(settings: Settings, on_node: Callable[[NodeResult], None] | None = None) -> None:
    """Phase 1: until this transform succeeds nothing may be skipped; after a change of the dbt
    project, every raw row is staged again (staging appends new loads only), so a changed rule
    reaches rows staged before it and the history, stamped with the new rules, is computed from them.
    """
    from leads_pipeline.stages.transform import state as transform_state

    with Warehouse.open(settings) as warehouse:
        transform_state.forget_build(warehouse)
        refresh = transform_state.staging_outdated(warehouse, settings)
    if refresh:
        run_dbt(settings, ["run", "--full-refresh", "--select", transform_state.STAGING_SELECTOR], on_node=on_node)


def staging_built(settings: Settings) -> None:
    """Phase 3: staging is now the work of this version of the project."""
    from leads_pipeline.stages.transform import state as transform_state

    with Warehouse.open(settings) as warehouse:
        transform_state.record_staging_build(warehouse, settings)


def resolve(settings: Settings, progress: Callable[[str], None] | None = None) -> ResolveReport:
    """Phase 4: the identity resolve step, between the two dbt builds."""
    with Warehouse.open(settings) as warehouse:
        return resolve_identities(warehouse, progress)


def finish(settings: Settings, run_id: str, passed: bool) -> None:
    """Phase 6: remember what a transform whose every test passed was built from."""
    from leads_pipeline.stages.transform import state as transform_state

    if passed:
        with Warehouse.open(settings) as warehouse:
            transform_state.record_build(warehouse, settings, run_id)


def run_transform(
    settings: Settings,
    on_node: Callable[[NodeResult], None] | None = None,
    with_tests: bool = True,
    run_id: str | None = None,
) -> TransformReport:
    """Every phase of a transform (see the module's docstring), reporting each model and test.

    When the first build skips a model the resolve step reads (a failing test upstream of it, as
    in a single `dbt build`), the resolve step and the second build are skipped too. With a
    `run_id`, a transform whose every test passed is stamped for later runs to skip.
    """
    report = TransformReport()
    begin(settings, on_node)
    run_dbt(settings, build_args(BEFORE_IDENTITY, with_tests), on_node=on_node, report=report)
    staging_built(settings)
    skipped = [n.name for n in report.nodes if n.name in RESOLVE_INPUTS and n.status == "skipped"]
    if skipped:
        note = NodeResult("identity.resolve", "python", "skipped", message=f"skipped: {', '.join(skipped)} not built")
        report.nodes.append(note)
        if on_node:
            on_node(note)
        return report
    report.identity = resolve(settings)
    step = NodeResult(
        "identity.resolve", "python", "success", seconds=report.identity.seconds, message=report.identity.summary()
    )
    report.nodes.append(step)
    if on_node:
        on_node(step)
    run_dbt(settings, build_args(AFTER_IDENTITY, with_tests), on_node=on_node, report=report)
    if run_id is not None:
        finish(settings, run_id, passed=not report.failed_tests)
    return report
