"""Runs made outside Dagster (`leads run`, `leads transform`) in Dagster's asset catalog.

The CLI builds the same dbt models the Dagster assets do; after it, each model it built is
reported to the Dagster instance as a materialization of that asset (`<schema>/<model>`, the key
`orchestration.dbt.LeadsDbtTranslator` gives it), so the UI shows when every table was last built
whichever way it was. Reporting never fails the run: the data is built; at worst the catalog lags.
It loads Dagster (a few seconds of CPU), so `LEADS_DAGSTER_CATALOG=off` skips it where Dagster is
not used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from leads_pipeline.config.settings import Settings
from leads_pipeline.stages.transform.dbt import target_dir

if TYPE_CHECKING:
    from leads_pipeline.run.pipeline import RunReport

DAGSTER_HOME_FOLDER = ".dagster_home"  # in the project, beside its dagster.yaml


def dagster_home(settings: Settings) -> Path:
    """The Dagster instance's folder: DAGSTER_HOME, else the project's `.dagster_home`."""
    return Path(os.environ.get("DAGSTER_HOME") or settings.project_dir / DAGSTER_HOME_FOLDER)


def built_model_keys(settings: Settings, report: RunReport) -> list[list[str]]:
    """The asset keys (`[schema, model]`) of the models the run built, from dbt's manifest."""
    built = {n.name for n in (report.transform.nodes if report.transform else []) if n.resource_type == "model"}
    built -= {n.name for n in report.transform.failed_models} if report.transform else set()
    if not built:
        return []
    manifest_file = settings.dbt_project_dir / target_dir() / "manifest.json"  # written by `leads transform`'s dbt
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    return sorted(
        [node["schema"], node["name"]]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"] in built
    )


def report_materializations(settings: Settings, report: RunReport, say: Callable[[str], None]) -> int:
    """Record each model the run built as a materialization in the Dagster instance; how many."""
    if not settings.dagster_catalog:
        return 0
    try:
        keys = built_model_keys(settings, report)
        if not keys:
            return 0
        import dagster as dg

        home = dagster_home(settings)
        home.mkdir(parents=True, exist_ok=True)
        if not (home / "dagster.yaml").exists():  # a new instance: telemetry off, as in the project's
            (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
        with dg.DagsterInstance.from_config(str(home)) as instance:
            for key in keys:
                instance.report_runless_asset_event(
                    dg.AssetMaterialization(
                        asset_key=key,
                        description="built by the leads command",
                        metadata={"leads/run_id": report.run_id or "", "leads/database": settings.warehouse_label},
                    )
                )
    except Exception as exc:  # noqa: BLE001 - the tables are built; only the catalog lags
        say(f"the Dagster asset catalog was not updated ({type(exc).__name__}: {exc}); the tables are built")
        return 0
    say(f"Dagster asset catalog: {len(keys)} materializations recorded in {home}")
    return len(keys)
