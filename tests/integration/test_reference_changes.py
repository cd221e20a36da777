"""An edited reference table (a seed) reaches every row: the records staged before the edit too."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from leads_pipeline.config.settings import Settings
from leads_pipeline.run.pipeline import execute
from tests.conftest import copy_project

pytestmark = pytest.mark.slow  # builds the dbt project twice

SEED = Path("leads/seeds/facility_types.csv")


def query(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    # Not read-only: dbt, run in this process, keeps the file open read-write.
    with duckdb.connect(str(database)) as con:
        return con.execute(sql, params or []).fetchall()


def remap(seed: Path, source: str, license_type: str, facility_type: str) -> None:
    with seed.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if (row["source"], row["license_type"]) == (source, license_type):
            row["facility_type"] = facility_type
    with seed.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_an_edited_seed_mapping_reaches_the_rows_staged_before_it(real_bucket, tmp_path, monkeypatch):
    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("LEADS_PROJECT_DIR", str(project))
    settings = Settings.load(bucket_url=str(real_bucket), database=tmp_path / "leads.duckdb", target="duckdb")
    execute(settings, "leads run", do_ingest=True, do_transform=True)

    staged = (
        "SELECT upper(license_type), facility_type, count(*) FROM main_staging.stg_source_3__facilities GROUP BY ALL"
    )
    before = {
        license_type: (facility_type, rows) for license_type, facility_type, rows in query(settings.database, staged)
    }
    # The license type most Texas records have, given another facility type than it has today.
    license_type = max(before, key=lambda name: before[name][1])
    old_type = before[license_type][0]
    new_type = "home" if old_type != "home" else "center"
    remap(project / SEED, "source_3", license_type, new_type)

    # `leads run` with no new file: the changed seed alone must restage and rebuild.
    execute(settings, "leads run", do_ingest=True, do_transform=True)

    after = {
        license_type: (facility_type, rows) for license_type, facility_type, rows in query(settings.database, staged)
    }
    assert after[license_type] == (new_type, before[license_type][1])
    leads = query(
        settings.database,
        "SELECT DISTINCT facility_type FROM main_gold.leads WHERE sources = 'source_3' AND upper(license_type) = ?",
        [license_type],
    )
    assert leads == [(new_type,)]
