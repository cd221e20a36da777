"""docs/columns.md agrees with the dbt project it documents."""

from __future__ import annotations

import shutil

import yaml

from leads_pipeline.config.settings import Settings
from tools import columns_doc as docs

PROJECT_DIR = Settings.load().project_dir
PAGE = PROJECT_DIR / "docs" / "columns.md"


def test_columns_page_is_up_to_date():
    page = PAGE.read_text(encoding="utf-8")
    assert docs.update(page, docs.render(PROJECT_DIR)) == page, "run `uv run python -m tools.columns_doc`"
    assert docs.main(["--check"]) == 0


def test_the_page_documents_every_leads_column_in_order():
    page = PAGE.read_text(encoding="utf-8")
    model = yaml.safe_load((PROJECT_DIR / "leads/models/marts/leads.yml").read_text(encoding="utf-8"))["models"][0]
    positions = [page.index(f"| `{column['name']}` |") for column in model["columns"]]
    assert positions == sorted(positions) and len(positions) == 47


def test_a_changed_description_makes_the_page_out_of_date(tmp_path):
    for relative in ("leads/models/marts/leads.yml", "leads/seeds/facility_types.csv", "sources.yml"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_DIR / relative, tmp_path / relative)
    changed = tmp_path / "leads/models/marts/leads.yml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Upper case.", "Lower case."), encoding="utf-8")
    page = PAGE.read_text(encoding="utf-8")
    assert docs.update(page, docs.render(tmp_path)) != page
