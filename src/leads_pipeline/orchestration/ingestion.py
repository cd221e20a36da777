"""Ingestion and lookups as assets: one raw table per source (dlt), the ledger, the rejects, and
the Python-parsed lookup tables.

The ingestion is plain `@multi_asset` over the project's own `ingest_step`, not `dagster-dlt`:
the source is custom (a listing per source piped into a transformer that hands dlt finished
Parquet files, plus a ledger and a rejects table written from the same package), and what matters
around it (the lock, the run log, the repair of interrupted loads, the alerts) lives in
`pipeline`. `dagster-dlt` would add a dependency and a second way to run the same load; calling
the step keeps `leads run` and Dagster identical. The multi-asset is subsettable: materializing
`raw/source_1_raw` alone ingests only that source.
"""

import dagster as dg
from dagster import AssetExecutionContext

from leads_pipeline.config import names
from leads_pipeline.config.registry import Registry
from leads_pipeline.config.settings import Settings
from leads_pipeline.observe.redact import redactor_for
from leads_pipeline.orchestration.common import (
    WRITER_POOL,
    bucket_key,
    command_label,
    lookup_key,
    progress_for,
    raw_key,
)
from leads_pipeline.run.pipeline import INGEST, ingest_step, lookups_step, recorded_run
from leads_pipeline.run.pipeline import LOOKUPS as LOOKUPS_STEP
from leads_pipeline.stages.lookups.refresh import LOOKUPS


def bucket_specs(settings: Settings, registry: Registry) -> list[dg.AssetSpec]:
    """Each source's bucket folder, as an external asset: where the graph starts."""
    bucket = redactor_for(settings)(settings.bucket_url)
    return [
        dg.AssetSpec(
            bucket_key(spec.name),
            group_name="bucket",
            description=f"{spec.agency or spec.name}: files matching {spec.glob} in {bucket}",
            metadata={"glob": spec.glob, "bucket": bucket},
            kinds={"csv"},
        )
        for spec in registry
    ]


def ingestion_assets(settings: Settings, registry: Registry) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            raw_key(spec.table_name),
            deps=[bucket_key(spec.name)],
            group_name="raw",
            description=f"Every record of every loaded {spec.name} file, as text with file lineage (append-only).",
            kinds={"dlt", settings.target},
            skippable=True,
        )
        for spec in registry
    ]
    specs += [
        dg.AssetSpec(
            raw_key(table),
            deps=[bucket_key(spec.name) for spec in registry],
            group_name="raw",
            description=description,
            kinds={"dlt", settings.target},
            skippable=True,
        )
        for table, description in (
            (names.LEDGER, "One row per listed file and what happened to it (loaded, duplicate, refused)."),
            (names.REJECTS, "Records that could not be read at all, with file, record number and reason."),
        )
    ]
    by_key = {raw_key(spec.table_name): spec.name for spec in registry}

    @dg.multi_asset(name="dlt_ingest", specs=specs, can_subset=True, pool=WRITER_POOL)
    def dlt_ingest(context: AssetExecutionContext):
        selected = [name for key, name in by_key.items() if key in context.selected_asset_keys]
        with recorded_run(settings, command_label(INGEST, context), [INGEST], progress_for(context)) as run:
            report = ingest_step(run, selected or None)
        for key, name in by_key.items():
            if key not in context.selected_asset_keys:
                continue
            files = [f for f in report.files if f.source == name]
            loaded = [f for f in files if f.status == "loaded"]
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "new_files": len(loaded),
                    "rows_loaded": sum(f.rows for f in loaded),
                    "rows_malformed": sum(f.malformed for f in loaded),
                    "rows_unreadable": sum(f.rejected for f in loaded),
                    "files_not_loaded": len(files) - len(loaded),
                },
            )
        for table in (names.LEDGER, names.REJECTS):
            if raw_key(table) in context.selected_asset_keys:
                yield dg.MaterializeResult(asset_key=raw_key(table), metadata={"files_listed": len(report.files)})

    return dlt_ingest


def lookup_assets(settings: Settings, registry: Registry) -> dg.AssetsDefinition:
    feeding = [raw_key(spec.table_name) for spec in registry if spec.parse]
    specs = [
        dg.AssetSpec(
            lookup_key(name),
            deps=feeding,
            group_name="lookup",
            description=f"Distinct raw values parsed in Python ({name}); staging joins them.",
            kinds={"python", settings.target},
        )
        for name in LOOKUPS
    ]

    @dg.multi_asset(name="parse_lookups", specs=specs, pool=WRITER_POOL)
    def parse_lookups(context: AssetExecutionContext):
        with recorded_run(settings, command_label(LOOKUPS_STEP, context), [LOOKUPS_STEP], progress_for(context)) as run:
            added = lookups_step(run)
        for name in LOOKUPS:
            yield dg.MaterializeResult(asset_key=lookup_key(name), metadata={"new_values": added.get(name, 0)})

    return parse_lookups
