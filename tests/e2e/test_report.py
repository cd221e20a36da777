"""`leads run` writes the report, and the page shows the marts' figures in a browser.

The demo bucket is run once; the page is opened in headless Chromium and the DOM its own script
builds from the embedded figures is compared with queries on the marts.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from leads_pipeline.observe.report import NO_CRM, NOT_MERGED, QUERIES
from tests.conftest import DEMO_BUCKET
from tests.e2e.conftest import leads

pytestmark = pytest.mark.slow  # builds the dbt project

EMBEDDED = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.DOTALL)


class Page(HTMLParser):
    """What a rendered page shows: body attributes, headline figures, tables, drawn charts."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.body: dict[str, str | None] = {}
        self.metrics: dict[str, str] = {}
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.drawn: set[str] = set()
        self.plots = 0
        self._text: list[str] | None = None
        self._into: tuple[str, ...] = ()
        self._table: str | None = None
        self.feed(dom)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "body":
            self.body = attributes
        elif tag == "table" and attributes.get("data-table"):
            self._table = attributes["data-table"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append({})
        elif tag == "td" and self._table and attributes.get("data-column"):
            self._text, self._into = [], ("cell", attributes["data-column"])
        elif tag == "div" and attributes.get("data-metric"):
            self._text, self._into = [], ("metric", attributes["data-metric"])
        elif tag == "div" and (attributes.get("id") or "").startswith("chart-") and attributes.get("data-drawn"):
            self.drawn.add(attributes["id"].removeprefix("chart-"))
        elif tag == "svg" and "main-svg" in (attributes.get("class") or ""):
            self.plots += 1

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        if tag in ("td", "div") and self._text is not None:
            kind, name = self._into
            text = "".join(self._text)
            if kind == "cell":
                self.tables[self._table][-1][name] = text
            else:
                self.metrics[name] = text
            self._text = None

    def rows(self, table: str) -> list[dict[str, str]]:
        return [row for row in self.tables[table] if row]  # the header row has no cells


def number(text: str) -> int:
    return int(text.replace(",", ""))


def embedded(page: str) -> dict:
    figures = json.loads(EMBEDDED.search(page).group(1))
    figures.pop("generated_at")
    return figures


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    database = tmp_path_factory.mktemp("report") / "leads.duckdb"
    result = leads(["run"], env={"LEADS_DATABASE": str(database), "LEADS_BUCKET_URL": str(DEMO_BUCKET)}, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return database, result


@pytest.fixture(scope="module")
def rendered(demo_run, chromium: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Page, str]:
    """The report as headless Chromium leaves it once its scripts ran, and the browser's log."""
    database, _ = demo_run
    profile = tmp_path_factory.mktemp("chromium-profile")
    browser = subprocess.run(
        [
            chromium,
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--dump-dom",
            database.with_name("leads.report.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert browser.returncode == 0, browser.stderr[-3000:]
    return Page(browser.stdout), browser.stderr


def marts(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_leads_run_writes_the_report_beside_the_database_and_says_where(demo_run):
    database, result = demo_run
    page = database.with_name("leads.report.html")
    assert f"report: {page}" in result.stdout
    assert page.stat().st_size > 0


def test_the_page_renders_without_script_errors(rendered):
    page, log = rendered
    console_errors = [
        line for line in log.splitlines() if "CONSOLE" in line and ("Uncaught" in line or "ERROR" in line)
    ]
    assert not console_errors, console_errors
    assert page.body.get("data-rendered") == "true"
    assert "data-render-error" not in page.body
    expected_charts = {*QUERIES, "runs"}  # every mart section has rows on the demo bucket
    assert page.drawn == expected_charts
    assert number(page.body["data-charts"]) == len(expected_charts) and page.plots >= len(expected_charts)


def test_the_headline_figures_are_the_marts(rendered, demo_run):
    page, _ = rendered
    database, _ = demo_run
    leads_, active, in_crm, merged = marts(
        database,
        "SELECT count(*), count(*) FILTER (is_active), count(*) FILTER (NOT is_net_new), "
        "count(*) FILTER (source_record_count > 1) FROM main_gold.leads",
    )[0]
    (issues,) = marts(database, "SELECT count(*) FROM main_gold.data_quality_issues")[0]
    (files,) = marts(database, "SELECT count(*) FROM main_gold.file_loads WHERE replaced_at IS NULL")[0]
    shown = {name: number(text) for name, text in page.metrics.items()}
    assert shown["leads"] == leads_ > 0
    assert (shown["active"], shown["inactive"]) == (active, leads_ - active)
    assert (shown["in_crm"], shown["net_new"]) == (in_crm, leads_ - in_crm)
    assert shown["merged"] == merged and shown["issues"] == issues and shown["files"] == files


def test_the_tables_are_the_marts(rendered, demo_run):
    page, _ = rendered
    database, _ = demo_run
    leads_rows = marts(database, "SELECT sources, state, is_active, match_rule, is_net_new FROM main_gold.leads")

    per_source = Counter()
    per_source_state = Counter()
    for sources, state, _active, _rule, _new in leads_rows:
        for source in sources.split(","):
            per_source[source] += 1
            per_source_state[(source, state)] += 1
    assert {r["source"]: number(r["leads"]) for r in page.rows("leads_by_source")} == per_source
    assert {
        (r["source"], r["state"]): number(r["leads"]) for r in page.rows("leads_by_source_state")
    } == per_source_state

    rules = Counter(rule or NOT_MERGED for *_, rule, _new in leads_rows)
    assert {r["match_rule"]: number(r["leads"]) for r in page.rows("leads_by_match_rule")} == rules

    crm = {r["crm_status"]: number(r["leads"]) for r in page.rows("crm_coverage")}
    assert crm.pop(NO_CRM) == sum(1 for *_, new in leads_rows if new)
    assert sum(crm.values()) == sum(1 for *_, new in leads_rows if not new)

    files = marts(
        database,
        "SELECT file_name, leads_new, leads_net_new FROM main_gold.file_loads WHERE replaced_at IS NULL",
    )
    shown_files = {
        r["file_name"]: (number(r["leads_new"]), number(r["leads_net_new"])) for r in page.rows("new_leads_per_file")
    }
    assert shown_files == {name: (new, net_new) for name, new, net_new in files}

    changes = Counter()
    for snapshot_date, change_type, count in marts(
        database, "SELECT snapshot_date, change_type, count(*) FROM main_gold.lead_changes GROUP BY ALL"
    ):
        changes[(snapshot_date.replace(day=1).isoformat(), change_type)] += count
    shown_changes = Counter()
    for row in page.rows("changes_per_month"):
        for change_type in ("inserted", "updated", "deleted"):
            if number(row[change_type]):
                shown_changes[(row["month"], change_type)] = number(row[change_type])
    assert shown_changes == changes

    rules_of_issues = Counter(
        rule.split(":", 1)[0] for (rule,) in marts(database, "SELECT rule FROM main_gold.data_quality_issues")
    )
    assert {r["rule"]: number(r["issues"]) for r in page.rows("issues_by_rule")} == rules_of_issues
    issues_per_file = marts(
        database, "SELECT source, file_name, count(*) FROM main_gold.data_quality_issues GROUP BY ALL"
    )
    assert {(r["source"], r["file_name"]): number(r["issues"]) for r in page.rows("issues_by_file")} == {
        (source, file_name or "(no file)"): count for source, file_name, count in issues_per_file
    }


def test_the_last_run_and_its_alerts_are_shown(rendered, demo_run):
    page, _ = rendered
    database, _ = demo_run
    (command, outcome, seconds), *_ = marts(
        database, "SELECT command, outcome, duration_seconds FROM main_audit.runs ORDER BY started_at DESC"
    )
    last = page.rows("runs")[0]
    assert (last["command"], last["outcome"]) == (command, outcome)
    assert float(last["seconds"]) == round(seconds, 1)
    alerts = marts(database, "SELECT kind, severity FROM main_audit.alerts")
    assert sorted((r["kind"], r["severity"]) for r in page.rows("alerts")) == sorted(alerts)
    assert number(last["warnings"]) == sum(1 for _, severity in alerts if severity == "warning")


def test_leads_report_writes_the_same_figures_where_asked(demo_run, tmp_path):
    database, _ = demo_run
    elsewhere = tmp_path / "elsewhere" / "report.html"
    result = leads(["report", "--out", str(elsewhere)], env={"LEADS_DATABASE": str(database)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"report: {elsewhere}"
    written_by_run = database.with_name("leads.report.html").read_text(encoding="utf-8")
    assert embedded(elsewhere.read_text(encoding="utf-8")) == embedded(written_by_run)
