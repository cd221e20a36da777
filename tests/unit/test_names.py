"""The schemas the Python steps and the dbt project both name agree."""

from __future__ import annotations

import yaml

from leads_pipeline.config import names
from tests.conftest import PROJECT_ROOT


def test_the_dbt_project_names_the_schemas_written_outside_it_as_the_python_steps_do():
    dbt_vars = yaml.safe_load((PROJECT_ROOT / "leads" / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    assert (dbt_vars["raw_schema"], dbt_vars["lookup_schema"], dbt_vars["identity_schema"]) == (
        names.RAW,
        names.LOOKUP,
        names.IDENTITY,
    )


def test_dbt_writes_its_layers_where_the_python_steps_read_them():
    profile = yaml.safe_load((PROJECT_ROOT / "leads" / "profiles.yml").read_text(encoding="utf-8"))
    schema = profile["leads"]["outputs"]["duckdb"]["schema"]
    layers = yaml.safe_load((PROJECT_ROOT / "leads" / "dbt_project.yml").read_text(encoding="utf-8"))["models"]["leads"]
    assert {f"{schema}_{layers[layer]['+schema']}" for layer in ("staging", "intermediate", "marts")} == {
        names.STAGING,
        names.INTERMEDIATE,
        names.GOLD,
    }
