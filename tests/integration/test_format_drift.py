"""Files of another year: the same records with drifted headers, date style, line endings and column
order load as a later snapshot and give exactly the leads the original files give."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import REAL_FILES
from tests.integration.conftest import run_pipeline
from tests.integration.test_contract_real import CONTRACT_COLUMNS

pytestmark = pytest.mark.slow  # builds the dbt project

# Header spellings of other years (each an alias in sources.yml, or the same header with
# punctuation), and the columns whose dates were written M/D/YYYY.
RENAMED = {
    "source_1": {"Name": "Facility Name", "Credential Number": "License Number", "Phone": "Phone Number",
                 "Primary Contact Name": "Contact Name", "Expiration Date": "Expires"},
    "source_2": {"Type License": "License Type", "Total Cap": "Total Capacity", "Primary Caregiver": "Caregiver",
                 "Address1": "Address 1", "Zip": "Zip Code", "Ages Accepted 1": "AA1"},
    "source_3": {"Operation": "Operation #", "Phone": "Phone#", "Email Address": "E-mail",
                 "Operation Name": "Name", "Infant": "Infants", "School": "School Age"},
}  # fmt: skip
FOUR_DIGIT_YEARS = {
    "source_1": ["Expiration Date", "First Issue Date"],
    "source_2": [],
    "source_3": ["Issue Date"],
}


def four_digit_year(value: str) -> str:
    if not value:
        return value
    parsed = datetime.strptime(value, "%m/%d/%y")
    return f"{parsed.month}/{parsed.day}/{parsed.year}"


def drifted_copy(original: Path, target: Path, source: str) -> None:
    """The original's records under drifted headers, M/D/YYYY dates, LF endings, another column order."""
    with original.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    for column in FOUR_DIGIT_YEARS[source]:
        index = header.index(column)
        for row in rows:
            row[index] = four_digit_year(row[index])
    order = list(reversed(range(len(header))))
    header = [RENAMED[source].get(name, name) for name in header]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([header[i] for i in order] + [""])  # and a blank-named empty column
    writer.writerows([[row[i] for i in order] + [""] for row in rows])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue().encode("utf-8"))


def contract_rows(run) -> list[tuple]:
    columns = [c for c in CONTRACT_COLUMNS if c != "lead_id"]
    return run.query(f"SELECT {', '.join(columns)} FROM main_gold.leads ORDER BY sources, license_number")


def test_drifted_files_give_the_same_leads(real_dir, real_run, tmp_path):
    bucket = tmp_path / "bucket"
    for source, relative in REAL_FILES.items():
        original = real_dir / relative
        target = bucket / relative.replace("20241101", "20241201")
        if source == "salesforce":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(original.read_bytes())
        else:
            drifted_copy(original, target, source)
            assert b"\r\n" not in target.read_bytes()

    drifted = run_pipeline(bucket, tmp_path / "leads.duckdb")

    assert drifted.report.transform.failed_tests == []
    outcomes = {f.source: f for f in drifted.report.ingest.files}
    assert outcomes["source_3"].drift["renamed_columns"]["Operation #"] == "operation"
    assert drifted.query("SELECT issue_date FROM raw.source_3_raw WHERE operation = '520954'") == [("9/25/1996",)]
    assert drifted.query("SELECT DISTINCT first_seen_date::VARCHAR FROM main_gold.leads") == [("2024-12-01",)]
    expected = contract_rows(real_run)
    assert len(expected) == 127
    assert contract_rows(drifted) == expected
    # the drifted format adds no issue: the agencies' records report what the original files do
    issues = (
        "SELECT source, column_name, raw_value, rule FROM main_gold.data_quality_issues "
        "WHERE source <> 'salesforce' ORDER BY ALL"
    )
    assert drifted.query(issues) == real_run.query(issues)
