"""sources.yml is the one place a source is declared: the dbt project's registry files follow it,
and a source without a staging model (or the reverse) stops the run in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from leads_pipeline.config.errors import ConfigError
from leads_pipeline.config.registry import load_registry
from leads_pipeline.stages.transform import registry_files as dbt_registry
from tests.conftest import PROJECT_ROOT, copy_project

ARIZONA = """
  source_4:
    agency: Arizona Dept. of Health Services
    state: AZ
    role: lead
    glob: technical_exercise/source_4/*.csv
    natural_key: license
    columns:
      license: [License]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def test_the_committed_registry_files_are_those_sources_yml_gives():
    registry = load_registry(PROJECT_ROOT / "sources.yml")
    dbt = PROJECT_ROOT / "leads"
    assert (dbt / dbt_registry.SOURCES_FILE).read_text(encoding="utf-8") == dbt_registry.render_sources(registry)
    assert (dbt / dbt_registry.MACRO_FILE).read_text(encoding="utf-8") == dbt_registry.render_macro(registry)


def test_a_new_source_reaches_the_dbt_project(project: Path):
    (project / "sources.yml").write_text((project / "sources.yml").read_text() + ARIZONA)
    model = project / "leads/models/staging/source_4/stg_source_4__facilities.sql"
    model.parent.mkdir()
    model.write_text("select 1 as natural_key\n")
    dbt_registry.sync(project / "leads", load_registry(project / "sources.yml"))
    macro = (project / "leads" / dbt_registry.MACRO_FILE).read_text()
    assert (
        '{"id": "source_4", "role": "lead", "state": "AZ", "staging_model": "stg_source_4__facilities", '
        '"natural_key_pattern": none}'
    ) in macro
    assert macro.index("source_3") < macro.index("source_4")  # sources.yml's order is the lead sources' order
    assert "name: source_4_raw" in (project / "leads" / dbt_registry.SOURCES_FILE).read_text()


def test_a_source_without_its_staging_model_stops_in_one_line(project: Path):
    (project / "sources.yml").write_text((project / "sources.yml").read_text() + ARIZONA)
    with pytest.raises(ConfigError) as caught:
        dbt_registry.sync(project / "leads", load_registry(project / "sources.yml"))
    assert str(caught.value) == (
        "sources.yml declares source_4 but there is no staging model stg_source_4__facilities: add "
        "leads/models/staging/source_4/stg_source_4__facilities.sql (README: Adding a source)"
    )


def test_a_staging_model_without_its_source_stops_in_one_line(project: Path):
    stray = project / "leads/models/staging/source_9/stg_source_9__facilities.sql"
    stray.parent.mkdir()
    stray.write_text("select 1\n")
    with pytest.raises(ConfigError, match="leads/models/staging/source_9/stg_source_9__facilities.sql stages a source"):
        dbt_registry.sync(project / "leads", load_registry(project / "sources.yml"))


@pytest.mark.parametrize(
    ("pattern", "said"),
    [("([0-9]+", "is not a valid regex"), ("[0-9]+", "first group"), ("^(K[0-9]+)'$", "no quote character")],
)
def test_a_key_pattern_that_cannot_give_a_key_is_a_configuration_error(tmp_path, pattern, said):
    sources = tmp_path / "sources.yml"
    sources.write_text(
        "sources:"
        + ARIZONA.replace(
            "    natural_key: license\n", f'    natural_key: license\n    natural_key_pattern: "{pattern}"\n'
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=said):
        load_registry(sources)
