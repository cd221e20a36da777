"""A source added with `leads source add` loads as is: its files' records become leads."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from leads_pipeline.cli import app
from leads_pipeline.config.registry import load_registry
from leads_pipeline.config.settings import Settings
from leads_pipeline.run.pipeline import execute
from tests.conftest import copy_project

pytestmark = pytest.mark.slow  # builds the dbt project

HEADERS = [
    "License Number",
    "Operation/Caregiver Name",
    "Facility Phone",
    "Street Address",
    "City",
    "Zip",
    "License Typ",
]
STREETS = ["N Central Ave", "E Camelback Rd", "W Indian School Rd", "S Mill Ave"]
CITIES = [("Phoenix", "850"), ("Tempe", "852"), ("Tucson", "857")]


def arizona_records(count: int) -> list[dict[str, str]]:
    """Records as an Arizona export writes them, with the facts a lead should keep."""
    records = []
    for i in range(count):
        city, zip_prefix = CITIES[i % len(CITIES)]
        records.append(
            {
                "License Number": f"CDC-{4100 + i}",
                "Operation/Caregiver Name": f"Saguaro Kids Academy {i + 1}",
                # exchanges 320-331: no N11; every third phone with an extension
                "Facility Phone": f"(480) {320 + i}-{1000 + 7 * i:04d}" + (f" ext {i + 10}" if i % 3 == 0 else ""),
                "Street Address": f"{100 + 10 * i} {STREETS[i % len(STREETS)]}",
                "City": city,
                "Zip": f"{zip_prefix}{i:02d}",
                "License Typ": "Child Care Center",
            }
        )
    return records


def test_a_source_added_from_a_sample_gives_leads(real_bucket: Path, tmp_path: Path, monkeypatch):
    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("LEADS_PROJECT_DIR", str(project))
    records = arizona_records(12)
    export = tmp_path / "az_export.csv"
    with export.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADERS)
        writer.writeheader()
        writer.writerows(records)

    added = CliRunner().invoke(app, ["source", "add", "arizona", "--sample", str(export), "--state", "AZ"])
    assert added.exit_code == 0, added.output

    spec = load_registry(project / "sources.yml")["arizona"]
    landing = real_bucket / spec.folder / "arizona_20241101.csv"
    landing.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(export, landing)
    settings = Settings.load(bucket_url=str(real_bucket), database=tmp_path / "leads.duckdb", target="duckdb")
    report = execute(settings, "leads run", do_ingest=True, do_transform=True)
    assert report.transform is not None and not report.transform.failed_tests, report.transform.failed_tests

    with duckdb.connect(str(settings.database)) as con:
        leads = con.execute(
            "SELECT license_number, company, phone, phone_extension, address1, city, zip, state, licenses "
            "FROM main_gold.leads "
            "WHERE sources = 'arizona' ORDER BY license_number"
        ).fetchall()
    expected = [
        (
            r["License Number"],
            r["Operation/Caregiver Name"],
            "+1" + "".join(ch for ch in r["Facility Phone"].partition(" ext ")[0] if ch.isdigit()),
            r["Facility Phone"].partition(" ext ")[2] or None,
            r["Street Address"],
            r["City"].upper(),
            r["Zip"],
            "AZ",
            f"arizona:{r['License Number']}",
        )
        for r in records
    ]
    assert leads == sorted(expected)
