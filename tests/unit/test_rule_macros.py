"""Which macro edits are rule changes: those that can change a staged value or the history."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leads_pipeline.config.settings import Settings
from leads_pipeline.stages.transform.dbt import history_rules_version
from tests.conftest import copy_project


@pytest.fixture(params=["project", "logs/project"])  # a parent named like dbt's output folder
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Path:
    copy = copy_project(tmp_path / request.param)
    monkeypatch.setenv("LEADS_PROJECT_DIR", str(copy))
    return copy / "leads"


def edit_macro(project: Path, name: str) -> None:
    """Change the body of macro `name` (a comment added inside it), wherever it is defined."""
    for path in (project / "macros").rglob("*.sql"):
        text = path.read_text(encoding="utf-8")
        found = re.search(r"\{%-?\s*macro\s+" + name + r"\s*\(.*?%\}", text, re.S)
        if found:
            path.write_text(text[: found.end()] + "{# edited #}" + text[found.end() :], encoding="utf-8")
            return
    raise AssertionError(f"no macro {name}")


@pytest.mark.parametrize(
    "macro",
    [
        "rejected_values",  # data_quality_issues only
        "lead_fingerprints",  # leads only
        "max_block_size",  # the candidate pairs only
        "default__get_where_subquery",  # called by dbt, but for data tests only
        "tested_through",  # reached from it only
    ],
)
def test_a_macro_only_marts_and_identity_call_is_no_rule(project: Path, macro: str):
    before = history_rules_version(Settings.load())
    edit_macro(project, macro)
    assert history_rules_version(Settings.load()) == before


@pytest.mark.parametrize(
    "macro",
    [
        "clean_text",  # called by the staging models
        "duckdb__has_text",  # dispatched to from a macro staging calls
        "unchanged_records",  # reached from a staging hook in dbt_project.yml, through another macro
        "pending_snapshots",  # the record history's
        "generate_schema_name",  # called by dbt itself, for every model
    ],
)
def test_a_macro_a_rule_reaches_is_a_rule(project: Path, macro: str):
    before = history_rules_version(Settings.load())
    edit_macro(project, macro)
    assert history_rules_version(Settings.load()) != before
