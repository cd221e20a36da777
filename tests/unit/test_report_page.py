"""The report page: where it is written, what it says before the marts exist, its charts drawn
from its tables, one page with nothing fetched at view time, and a run never failing because of it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from leads_pipeline import cli
from leads_pipeline.config.settings import Settings
from leads_pipeline.observe import report as report_module
from leads_pipeline.observe.report import QUERIES, Section, chart, collect_report, render, write_report

EMBEDDED = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.DOTALL)


@pytest.fixture
def empty_database(tmp_path: Path) -> Settings:
    database = tmp_path / "leads.duckdb"
    duckdb.connect(str(database)).close()
    return Settings.load(bucket_url=str(tmp_path), database=database, target="duckdb")


def test_the_page_is_written_beside_the_database_or_in_the_postgres_state_folder(tmp_path, monkeypatch):
    on_duckdb = Settings.load(database=tmp_path / "data" / "leads.duckdb", target="duckdb")
    assert on_duckdb.report_path == tmp_path / "data" / "leads.report.html"
    monkeypatch.setenv("LEADS_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/leads")
    on_postgres = Settings.load(database=tmp_path / "data" / "leads.duckdb", target="postgres")
    assert on_postgres.report_path.parent == on_postgres.state_dir


def test_before_any_run_every_section_says_what_is_missing(empty_database):
    report = collect_report(empty_database, read_only=True)
    for key in QUERIES:
        section = report.section(key)
        assert section.missing and "not built yet: run `leads run`" in section.missing, key
        assert section.rows == [] and section.chart is None
    assert report.section("runs").missing == "no run recorded yet: run `leads run`"
    assert report.summary["leads"] is None and report.summary["open_alerts"] == 0


def test_the_page_holds_everything_it_shows(empty_database, tmp_path):
    path = write_report(empty_database, tmp_path / "out" / "report.html", read_only=True)
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|<img[^>]+src=", page), "the page must fetch nothing"
    assert "Plotly" in page  # plotly.js itself, inlined
    embedded = json.loads(EMBEDDED.search(page).group(1))
    assert [s["key"] for s in embedded["sections"]] == [*QUERIES, "runs", "alerts"]
    assert not list(path.parent.glob("*.partial"))


def test_text_from_the_data_cannot_end_the_embedded_json(empty_database):
    report = collect_report(empty_database, read_only=True)
    report.sections[0].rows = [["</script><script>alert(1)</script>", 1]]
    page = render(report)
    embedded = EMBEDDED.search(page).group(1)
    assert "</script>" not in embedded
    assert json.loads(embedded)["sections"][0]["rows"][0][0] == "</script><script>alert(1)</script>"


def test_a_chart_draws_the_figures_of_its_table():
    section = Section(
        "changes_per_month",
        "Changes per month",
        "",
        columns=["month", "inserted", "updated", "deleted"],
        rows=[["2024-11-01", 912, 0, 0], ["2024-12-01", 28, 44, 17]],
    )
    figure = chart(section)
    traces = {trace["name"]: trace for trace in figure["data"]}
    assert set(traces) == {"inserted", "updated", "deleted"}
    assert list(traces["updated"]["x"]) == ["2024-11-01", "2024-12-01"]
    assert list(traces["updated"]["y"]) == [0, 44] and list(traces["deleted"]["y"]) == [0, 17]
    assert figure["layout"]["barmode"] == "stack"


def test_a_report_that_fails_is_one_line_and_not_the_runs_failure(empty_database, monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_module, "write_report", refuse)
    cli._write_report(empty_database, quiet=True)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("warning: the report could not be written (OSError: ")
    assert lines[0].endswith("`leads report` writes it again")
