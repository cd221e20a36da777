"""The identity resolve step as assets: the `identity` tables, between dbt's two steps.

It reads the intermediate models the first dbt step builds (records, match keys, candidate pairs,
the CRM's leads and pairs) and writes `identity.record_clusters`, `identity.crm_matches` and
`identity.retired_lead_ids` in one transaction; the second dbt step reads them as a dbt source.
"""

import dagster as dg
from dagster import AssetExecutionContext

from leads_pipeline.config import names
from leads_pipeline.config.settings import Settings
from leads_pipeline.orchestration.common import WRITER_POOL, command_label, progress_for
from leads_pipeline.run.pipeline import TRANSFORM, recorded_run
from leads_pipeline.stages.identity.resolve import RESOLVE_INPUTS
from leads_pipeline.stages.transform import phases as transform

IDENTITY_TABLES = {
    "record_clusters": "Every source record with its lead id, anchor flag and the rules that merged its lead.",
    "crm_matches": "The CRM lead matched to each lead, and the rule that matched it.",
    "retired_lead_ids": "Lead ids retired by a merge into an older lead, with the id that replaced each.",
}


def identity_key(table: str) -> dg.AssetKey:
    return dg.AssetKey([names.IDENTITY, table])


def identity_assets(settings: Settings) -> dg.AssetsDefinition:
    inputs = [dg.AssetKey([names.INTERMEDIATE, model]) for model in RESOLVE_INPUTS]
    specs = [
        dg.AssetSpec(
            identity_key(table),
            deps=inputs,
            group_name="identity",
            description=description,
            kinds={"python", settings.target},
        )
        for table, description in IDENTITY_TABLES.items()
    ]

    @dg.multi_asset(name="resolve_identities", specs=specs, pool=WRITER_POOL)
    def resolve(context: AssetExecutionContext):
        with recorded_run(settings, command_label("identity", context), [TRANSFORM], progress_for(context)):
            report = transform.resolve(settings, context.log.info)
        counts = {
            "record_clusters": {"records": report.records, "leads": report.leads},
            "crm_matches": {"matches": report.crm_matches},
            "retired_lead_ids": {"retired": report.retired_ids},
        }
        for table in IDENTITY_TABLES:
            yield dg.MaterializeResult(asset_key=identity_key(table), metadata=counts[table])

    return resolve
