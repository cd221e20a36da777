"""The dbt models as assets (dagster-dbt), their data tests as asset checks.

The manifest is made when the definitions load (`dbt parse`, offline) into `leads/target/dagster`,
apart from the target folder `leads transform` uses. The translator names each model by its
schema (`main_staging/stg_source_1__facilities`, `main_gold/leads`) and maps the dbt sources onto
the assets that write them: `raw.*` onto the ingestion's keys, `lookup.*` onto the lookup step's,
`identity.*` onto the identity-resolution step's. Staging joins the lookup tables, so every
staging model also depends on them, declared as dbt sources or not.

The models are built in the transform's two dbt phases around the identity resolve step
(`leads_pipeline.stages.transform.phases`, whose phase functions these assets call as `leads transform` does):
`dbt_staging_intermediate` begins the transform (staging rebuilt after a change of the project)
and builds the `before_identity` selector of `leads/selectors.yml`, `dbt_gold` the
`after_identity` one and stamps the build. The translator maps `source('identity', ...)` to
`identity/<table>`, the resolve step's assets.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from leads_pipeline.config import names
from leads_pipeline.config.errors import TransformError
from leads_pipeline.config.registry import load_registry
from leads_pipeline.config.settings import Settings
from leads_pipeline.observe import alerts
from leads_pipeline.observe.report import write_report_after_run
from leads_pipeline.orchestration.common import WRITER_POOL, command_label, lookup_key, progress_for
from leads_pipeline.run.pipeline import TRANSFORM, recorded_run
from leads_pipeline.stages.ingest.runner import complete_interrupted_ingest
from leads_pipeline.stages.lookups.refresh import LOOKUPS
from leads_pipeline.stages.transform import registry_files as dbt_registry
from leads_pipeline.stages.transform.dbt import NodeResult, TransformReport, dbt_environment, target_dir
from leads_pipeline.stages.transform.phases import (
    AFTER_IDENTITY,
    BEFORE_IDENTITY,
    begin,
    finish,
    hubs,
    staging_built,
    unit_test_exclusion,
    unit_tests_passed,
)
from leads_pipeline.warehouse import Warehouse

STEP_LABELS = {BEFORE_IDENTITY: "transform staging+intermediate", AFTER_IDENTITY: "transform gold"}
SOURCE_KEY_PREFIXES = {"raw": names.RAW, "lookup": names.LOOKUP, "identity": names.IDENTITY}  # dbt source -> schema


class LeadsDbtTranslator(DagsterDbtTranslator):
    """Asset keys that mirror the warehouse: `<schema>/<table>` for models and sources."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            prefix = SOURCE_KEY_PREFIXES.get(dbt_resource_props["source_name"], dbt_resource_props["source_name"])
            return dg.AssetKey([prefix, dbt_resource_props["name"]])
        schema = dbt_resource_props.get("schema")
        if not schema:
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        return {"marts": "gold"}.get(fqn[1], fqn[1]) if len(fqn) > 2 else "dbt"

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "model" and (props.get("fqn") or [None, None])[1] == "staging":
            present = {dep.asset_key for dep in spec.deps}
            extra = [lookup_key(name) for name in LOOKUPS if lookup_key(name) not in present]
            spec = spec.merge_attributes(deps=extra)
        return spec


def dbt_project(settings: Settings, prepare: bool = True) -> DbtProject:
    project = DbtProject(
        project_dir=settings.dbt_project_dir,
        profiles_dir=settings.dbt_project_dir,
        target_path=target_dir() / "dagster",
    )
    if prepare:
        dbt_registry.sync(settings.dbt_project_dir, load_registry(settings.sources_file))
        with dbt_environment(settings):
            project.preparer.prepare(project)
    return project


def transform_report(invocation: Any) -> TransformReport:
    """The finished invocation's results in the shape the CLI's transform reports."""
    results = invocation.get_artifact("run_results.json").get("results", [])
    report = TransformReport()
    for result in results:
        parts = result["unique_id"].split(".")
        resource_type = parts[0]
        report.nodes.append(
            NodeResult(
                name=parts[2] if resource_type == "test" else parts[-1],
                resource_type=resource_type,
                status=str(result.get("status") or "").lower(),
                seconds=float(result.get("execution_time") or 0.0),
                message=result.get("message"),
                failures=result.get("failures"),
            )
        )
    return report


def build_models(
    context: AssetExecutionContext, dbt: DbtCliResource, settings: Settings, selector: str
) -> Iterator[Any]:
    """One dbt phase of the transform under the lock, recorded and alerting like `leads transform`,
    with the phase functions around it that `leads transform` runs."""
    step = STEP_LABELS[selector]
    with recorded_run(settings, command_label(step, context), [TRANSFORM], progress_for(context)) as run:
        complete_interrupted_ingest(settings, context.log.info)
        if selector == BEFORE_IDENTITY:
            begin(settings, on_node=lambda n: context.log.info(f"{n.resource_type} {n.name}: {n.status}"))
        # Unit tests test the project's SQL, not the data: once passed on this project, left out.
        unit_tests = unit_tests_passed(settings) is None
        with dbt_environment(settings):
            invocation = dbt.cli(["build", *unit_test_exclusion(unit_tests)], context=context, raise_on_error=False)
            yield from invocation.stream()
        report = transform_report(invocation)
        run.report.transform = report
        run.alert(alerts.transform_alerts(report.failed_tests))
        if selector == BEFORE_IDENTITY:
            run.alert(alerts.hub_alerts(hubs(settings)))
        if report.failed_models:
            names = ", ".join(n.name for n in report.failed_models)
            raise TransformError(f"dbt failed to build {names}: see the dbt output in this step's log")
        if selector == BEFORE_IDENTITY:
            staging_built(settings)
        else:
            passed = not report.failed_tests and _first_phase_passed(settings, context)
            finish(settings, run.run_id, passed=passed, unit_tests_ran=unit_tests)
            path, problem = write_report_after_run(settings)
            if problem:
                context.log.warning(problem)
            else:
                context.log.info(f"report: {path}")


def _first_phase_passed(settings: Settings, context: AssetExecutionContext) -> bool:
    """Whether this Dagster run's first dbt phase built everything and passed every test."""
    label = command_label(STEP_LABELS[BEFORE_IDENTITY], context)
    with Warehouse.open(settings) as warehouse:
        outcomes = warehouse.query(
            f"SELECT outcome FROM {names.AUDIT}.{names.RUNS} WHERE command = {warehouse.mark}", [label]
        )
    return bool(outcomes) and all(outcome == "success" for (outcome,) in outcomes)


def dbt_model_assets(settings: Settings, project: DbtProject) -> list[dg.AssetsDefinition]:
    translator = LeadsDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        selector=BEFORE_IDENTITY,
        name="dbt_staging_intermediate",
        dagster_dbt_translator=translator,
        pool=WRITER_POOL,
    )
    def dbt_staging_intermediate(context: AssetExecutionContext, dbt: DbtCliResource):
        yield from build_models(context, dbt, settings, BEFORE_IDENTITY)

    # <- the identity resolve step (orchestration.identity) runs between these two

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        selector=AFTER_IDENTITY,
        name="dbt_gold",
        dagster_dbt_translator=translator,
        pool=WRITER_POOL,
    )
    def dbt_gold(context: AssetExecutionContext, dbt: DbtCliResource):
        yield from build_models(context, dbt, settings, AFTER_IDENTITY)

    return [dbt_staging_intermediate, dbt_gold]
