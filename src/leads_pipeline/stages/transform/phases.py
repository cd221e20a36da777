"""The transform: the dbt project around the identity resolve step, in phases both runners share.

A transform is these phases, in order; `leads transform` (`run_transform`) and the Dagster assets
(`orchestration.dbt`, `orchestration.identity`) call the same functions for each:
  1. `begin`            forget the last build's stamp; after a change of the dbt project, load the
                        seeds and stage every raw row again (staging appends new loads only)
  2. dbt `build` of the `before_identity` selector (leads/selectors.yml): seeds, staging and
                        intermediate up to the candidate pairs, with their tests
  3. `staging_built`    stamp staging with the project it was built by
  4. `resolve`          the identity resolve step (Python): clusters, lead ids, CRM matches
  5. dbt `build` of the `after_identity` selector: everything that reads the identity tables,
                        the marts among them
  6. `finish`           stamp the whole build when every test passed, so a later run with
                        nothing new may skip the transform, a later transform of the same
                        project the unit tests, and the data tests the rows tested
                        (transform_state)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from leads_pipeline.config import names
from leads_pipeline.config.settings import Settings
from leads_pipeline.stages.identity import ResolveReport, resolve_identities
from leads_pipeline.stages.identity.resolve import RESOLVE_INPUTS
from leads_pipeline.stages.transform.dbt import NodeResult, TransformReport, run_dbt
from leads_pipeline.warehouse import Warehouse

HUBS_MODEL = "int_match_keys__hubs"
# The identity resolve step reports itself as a node among dbt's, of a type of its own.
RESOLVE_NODE, PYTHON_NODE = "identity.resolve", "python"
# The dbt selectors (leads/selectors.yml) of the builds before and after the resolve step.
BEFORE_IDENTITY, AFTER_IDENTITY = "before_identity", "after_identity"


def build_args(
    selector: str, with_tests: bool = True, full_refresh: bool = False, unit_tests: bool = True
) -> list[str]:
    """The dbt command of a build phase; without tests it builds the same models and seeds, and
    without `unit_tests` it leaves out the unit tests only; `full_refresh` rebuilds the
    incremental models from raw."""
    args = ["build", "--selector", selector, *(["--full-refresh"] if full_refresh else [])]
    if not with_tests:
        return [*args, "--exclude-resource-type", "test", "unit_test"]
    return [*args, *unit_test_exclusion(unit_tests)]


def unit_test_exclusion(unit_tests: bool) -> list[str]:
    """The arguments that leave a dbt build's unit tests out, unless `unit_tests`."""
    return [] if unit_tests else ["--exclude-resource-type", "unit_test"]


def unit_tests_passed(settings: Settings) -> datetime | None:
    """When the dbt unit tests last passed on this very project: they test its SQL on fixture
    rows, not the data, so a transform of the same project need not run them again."""
    from leads_pipeline.stages.transform import state as transform_state

    return transform_state.unit_tests_passed(settings)


def begin(
    settings: Settings,
    on_node: Callable[[NodeResult], None] | None = None,
    full_refresh: bool = False,
    on_plan: Callable[[int], None] | None = None,
) -> None:
    """Phase 1: until this transform succeeds nothing may be skipped; after a change of the dbt
    project, every raw row is staged again (staging appends new loads only), so a changed rule
    reaches rows staged before it and the history, stamped with the new rules, is computed from them.
    The seeds are loaded in the same build, before the staging models that join them: an edited
    reference table (a license type's facility type) is a changed rule too.
    """
    from leads_pipeline.stages.transform import state as transform_state

    with Warehouse.open(settings) as warehouse:
        transform_state.forget_build(warehouse)
        refresh = transform_state.staging_outdated(warehouse, settings)
        transform_state.forget_tested_loads(warehouse, settings, everything=full_refresh)
    if refresh and not full_refresh:  # a full refresh rebuilds staging in its first build anyway
        restage = [*transform_state.RULE_SELECTORS, "--exclude-resource-type", "test", "unit_test"]
        run_dbt(settings, ["build", "--full-refresh", "--select", *restage], on_node=on_node, on_plan=on_plan)


def staging_built(settings: Settings) -> None:
    """Phase 3: staging is now the work of this version of the project."""
    from leads_pipeline.stages.transform import state as transform_state

    with Warehouse.open(settings) as warehouse:
        transform_state.record_staging_build(warehouse, settings)


def resolve(
    settings: Settings, progress: Callable[[str], None] | None = None, full_refresh: bool = False
) -> ResolveReport:
    """Phase 4: the identity resolve step, between the two dbt builds (kept when its inputs are
    those of the last resolve, unless this is a full refresh)."""
    with Warehouse.open(settings) as warehouse:
        return resolve_identities(warehouse, progress, force=full_refresh)


def finish(
    settings: Settings, run_id: str | None, passed: bool, unit_tests_ran: bool = False, data_tests_ran: bool = True
) -> None:
    """Phase 6: remember what a transform whose every test passed was built from (with a run
    id), that the unit tests passed on this project when they ran, and which staged loads and
    history stamps the data tests passed on."""
    from leads_pipeline.stages.transform import state as transform_state

    if passed:
        if unit_tests_ran:
            transform_state.record_unit_tests(settings)
        with Warehouse.open(settings) as warehouse:
            if run_id is not None:
                transform_state.record_build(warehouse, settings, run_id)
            if data_tests_ran:
                transform_state.record_tested_rows(warehouse, settings)


def run_transform(
    settings: Settings,
    on_node: Callable[[NodeResult], None] | None = None,
    with_tests: bool = True,
    run_id: str | None = None,
    full_refresh: bool = False,
    on_plan: Callable[[int], None] | None = None,
) -> TransformReport:
    """Every phase of a transform (see the module's docstring), reporting each model and test
    (and, through `on_plan`, how many each dbt command will run).

    When the first build skips a model the resolve step reads (a failing test upstream of it, as
    in a single `dbt build`), the resolve step and the second build are skipped too. With a
    `run_id`, a transform whose every test passed is stamped for later runs to skip.
    """
    report = TransformReport()
    begin(settings, on_node, full_refresh, on_plan)
    report.unit_tests_passed_at = None if full_refresh or not with_tests else unit_tests_passed(settings)
    unit_tests = report.unit_tests_passed_at is None
    before = build_args(BEFORE_IDENTITY, with_tests, full_refresh, unit_tests)
    run_dbt(settings, before, on_node=on_node, report=report, on_plan=on_plan)
    staging_built(settings)
    skipped = [n.name for n in report.nodes if n.name in RESOLVE_INPUTS and n.status == "skipped"]
    if skipped:
        note = NodeResult(RESOLVE_NODE, PYTHON_NODE, "skipped", message=f"skipped: {', '.join(skipped)} not built")
        report.nodes.append(note)
        if on_node:
            on_node(note)
        return report
    report.identity = resolve(settings, full_refresh=full_refresh)
    step = NodeResult(
        RESOLVE_NODE, PYTHON_NODE, "success", seconds=report.identity.seconds, message=report.identity.summary()
    )
    report.nodes.append(step)
    if on_node:
        on_node(step)
    after = build_args(AFTER_IDENTITY, with_tests, full_refresh, unit_tests)
    run_dbt(settings, after, on_node=on_node, report=report, on_plan=on_plan)
    passed = not report.failed_tests
    finish(settings, run_id, passed, unit_tests_ran=with_tests and unit_tests, data_tests_ran=with_tests)
    return report


def hubs(settings: Settings) -> list[tuple]:
    """The phones and addresses the last build found too widely shared to pair all their records."""
    with Warehouse.open(settings) as warehouse:
        if not warehouse.table_exists(names.INTERMEDIATE, HUBS_MODEL):
            return []
        return warehouse.query(
            f"SELECT key_type, key_value, records, sources, max_block_size FROM {names.INTERMEDIATE}.{HUBS_MODEL} "
            "ORDER BY records DESC, key_type, key_value"
        )
