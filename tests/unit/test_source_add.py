"""`leads source add`: headers mapped to the contract's columns, an entry appended to sources.yml
with its comments and order kept, a staging model written; a taken name or an unreadable sample
is refused in one line and changes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leads_pipeline.cli import app
from leads_pipeline.config.registry import load_registry
from leads_pipeline.config.source_add import map_sample_headers, record_columns
from tests.conftest import PROJECT_ROOT, copy_project

ARIZONA_HEADERS = [
    "License Number",
    "Operation/Caregiver Name",
    "Facility Phone",
    "Street Address",
    "City",
    "Zip",
    "Inspection Score",
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the project's registry and dbt project, which `leads` is pointed at."""
    copy = copy_project(tmp_path / "project")
    monkeypatch.setenv("LEADS_PROJECT_DIR", str(copy))
    monkeypatch.delenv("LEADS_SOURCES", raising=False)
    return copy


def sample(path: Path, headers: list[str], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(
            [headers, ["AZ-1", "Café Niño", "602-555-2301", "1 Main St", "Phoenix", "85001", "9"]]
        )
    return path


def leads(args: list[str]):
    return CliRunner().invoke(app, args, env={"NO_COLOR": "1"})


def test_each_header_gets_the_contract_column_it_resembles_and_the_rest_keep_their_names():
    registry = load_registry(PROJECT_ROOT / "sources.yml")
    assert map_sample_headers(ARIZONA_HEADERS, registry) == {
        "License Number": "license_number",
        "Operation/Caregiver Name": "company",
        "Facility Phone": "phone",
        "Street Address": "address1",
        "City": "city",
        "Zip": "zip",
        "Inspection Score": "inspection_score",
    }


def test_a_contract_column_goes_to_one_header_only():
    registry = load_registry(PROJECT_ROOT / "sources.yml")
    mapping = map_sample_headers(["Phone", "Phone Number", "Capacity"], registry)
    assert mapping["Phone"] == "phone" and mapping["Phone Number"] not in ("phone", "capacity")


def test_the_entry_is_appended_with_the_registry_comments_and_order_kept(project: Path, tmp_path: Path):
    before = (project / "sources.yml").read_text(encoding="utf-8")
    result = leads(
        [
            "source",
            "add",
            "arizona",
            "--sample",
            str(sample(tmp_path / "az.csv", ARIZONA_HEADERS, "cp1252")),
            "--state",
            "AZ",
            "--agency",
            "Arizona Dept. of Health Services",
        ]
    )
    assert result.exit_code == 0, result.output
    after = (project / "sources.yml").read_text(encoding="utf-8")
    assert [line for line in before.splitlines() if line.startswith("#")] == [
        line for line in after.splitlines() if line.startswith("#")
    ]
    registry = load_registry(project / "sources.yml")
    assert list(registry.sources) == ["source_1", "source_2", "source_3", "arizona", "salesforce"]
    for name in ("source_1", "source_2", "source_3", "salesforce"):
        assert registry[name] == load_registry(PROJECT_ROOT / "sources.yml")[name]
    arizona = registry["arizona"]
    assert (arizona.state, arizona.natural_key, arizona.glob) == ("AZ", "license_number", "arizona/*.csv")
    assert arizona.canonical_column("Operation/Caregiver Name") == "company"
    assert arizona.parse == {"facility_names": ("company",), "phones": ("phone",), "street_lines": ("address1",)}
    model = (project / "leads/models/staging/arizona/stg_arizona__facilities.sql").read_text(encoding="utf-8")
    for column, _type in record_columns(project / "leads"):
        assert f" as {column},\n" in model  # every column of the record shape, in the skeleton
    assert "cast(null as {{ dbt.type_string() }}) as email," in model  # no header fills it
    # What is left to decide is said: the natural key and the header nothing claimed.
    assert "natural key: license_number" in result.output and "'Inspection Score' -> inspection_score" in result.output


@pytest.mark.parametrize(
    ("name", "sample_name", "expected"),
    [
        ("source_2", "az.csv", "source source_2 already exists in sources.yml"),
        ("arizona", "missing.csv", "cannot read the sample"),
        ("arizona", "binary.csv", "cannot read the sample"),
        ("Arizona", "az.csv", "must be lower snake_case"),
    ],
)
def test_a_taken_name_or_an_unreadable_sample_is_refused_in_one_line(project, tmp_path, name, sample_name, expected):
    sample(tmp_path / "az.csv", ARIZONA_HEADERS)
    (tmp_path / "binary.csv").write_bytes(b"PK\x03\x04\x00\x00\x00binary")
    before = (project / "sources.yml").read_bytes()
    result = leads(["source", "add", name, "--sample", str(tmp_path / sample_name)])
    assert_refused(project, result, before, expected)


def test_a_glob_outside_the_bucket_is_refused_before_anything_is_written(project, tmp_path):
    before = (project / "sources.yml").read_bytes()
    az = sample(tmp_path / "az.csv", ARIZONA_HEADERS)
    result = leads(["source", "add", "arizona", "--sample", str(az), "--glob", "../elsewhere/*.csv"])
    assert_refused(project, result, before, "must stay inside the bucket")


def assert_refused(project: Path, result, before: bytes, expected: str) -> None:
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]
    assert (project / "sources.yml").read_bytes() == before
    assert not (project / "leads/models/staging/arizona").exists()
