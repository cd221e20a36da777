"""The Dagster definitions, built for given settings (`definitions.defs` builds them from the environment).

The asset graph follows the data: bucket folders -> raw tables (dlt) -> lookup tables -> staging
-> intermediate (dbt) -> identity (the resolve step) -> gold (dbt), the data tests as asset
checks. One job runs it all, on a daily schedule and when the sensor sees a new file. Settings
come from the environment, as for `leads` (LEADS_BUCKET_URL, LEADS_DATABASE, LEADS_SCHEDULE_CRON,
...).
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
from dagster_dbt import DbtCliResource

from leads_pipeline.config.registry import load_registry
from leads_pipeline.config.settings import Settings
from leads_pipeline.orchestration.common import writer_tag
from leads_pipeline.orchestration.dbt import dbt_model_assets, dbt_project
from leads_pipeline.orchestration.identity import identity_assets
from leads_pipeline.orchestration.ingestion import bucket_specs, ingestion_assets, lookup_assets
from leads_pipeline.orchestration.triggers import daily_schedule, new_files_sensor

JOB_NAME = "leads_pipeline"


def build_definitions(
    settings: Settings | None = None, extra_assets: Sequence[dg.AssetsDefinition] = ()
) -> dg.Definitions:
    """Definitions for one database and bucket; `extra_assets` adds steps."""
    settings = settings or Settings.load()
    registry = load_registry(settings.sources_file)
    project = dbt_project(settings)
    computed = [
        ingestion_assets(settings, registry),
        lookup_assets(settings, registry),
        *dbt_model_assets(settings, project),
        identity_assets(settings),
        *extra_assets,
    ]
    job = dg.define_asset_job(
        JOB_NAME,
        selection=dg.AssetSelection.assets(*computed),
        tags=writer_tag(settings),
        description="Ingest new files, parse lookups, build and test the models.",
    )
    return dg.Definitions(
        assets=[*bucket_specs(settings, registry), *computed],
        jobs=[job],
        schedules=[daily_schedule(settings, job)],
        sensors=[new_files_sensor(settings, registry, job)],
        resources={"dbt": DbtCliResource(project_dir=project, profiles_dir=str(settings.dbt_project_dir))},
        executor=dg.in_process_executor,
    )
