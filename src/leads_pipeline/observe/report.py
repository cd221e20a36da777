"""The report (`leads report`, also written after each `leads run`): one self-contained HTML page.

It shows the marts (leads per source and state, active and inactive, new leads per file and month,
changes per month, matches by rule, CRM coverage, data-quality issues) and the last runs with their
alerts. The figures are queried here, on DuckDB or PostgreSQL alike, and embedded in the page as
JSON; the page's own script draws the tables and charts from them, so the page needs no network.
Charts: plotly, whose Python package ships plotly.js to inline and builds its figures from Python.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import plotly.graph_objects as go
import plotly.io
import plotly.offline
import pyarrow as pa

from leads_pipeline.config import names
from leads_pipeline.config.errors import LockedError
from leads_pipeline.config.settings import Settings
from leads_pipeline.observe.alerts import open_alerts
from leads_pipeline.run import audit
from leads_pipeline.run.lock import describe_holder, is_locked
from leads_pipeline.stages.transform import state
from leads_pipeline.warehouse import Warehouse

TEMPLATE = "report.html.j2"
RUNS_SHOWN = 20  # the last runs in the report, with their alerts
ALERTS_SHOWN = 200  # alerts of those runs listed in full (the newest first)
NO_CRM = "not in the CRM"
NOT_MERGED = "none (one record)"

GOLD_LEADS = f"{names.GOLD}.{names.LEADS}"
GOLD_FILE_LOADS = f"{names.GOLD}.{names.FILE_LOADS}"
GOLD_CHANGES = f"{names.GOLD}.{names.LEAD_CHANGES}"
GOLD_ISSUES = f"{names.GOLD}.{names.DATA_QUALITY_ISSUES}"
ACTIVE = "sum(CASE WHEN l.is_active THEN 1 ELSE 0 END)"
INACTIVE = "sum(CASE WHEN l.is_active THEN 0 ELSE 1 END)"
# The sources a lead came from are comma-joined in `sources`; a lead of two sources counts for each.
LEAD_SOURCES = (
    f"{GOLD_LEADS} AS l JOIN (SELECT DISTINCT source FROM {GOLD_FILE_LOADS}) AS s "
    "ON position(',' || s.source || ',' IN ',' || l.sources || ',') > 0"
)
MONTH = "CAST(date_trunc('month', snapshot_date) AS DATE)"
# One row: the build the kept figures are of, and the figures as the page's JSON holds them.
REPORT_MARTS_SCHEMA = pa.schema([("build_run_id", pa.string()), ("figures", pa.string())])
IN_USE = "replaced_at IS NULL"  # the version of each file in use (a replaced one's counts moved on)


@dataclass(frozen=True)
class Query:
    """One table of the report: its title, what it shows, its SQL and the marts it reads."""

    title: str
    note: str
    sql: str
    reads: tuple[str, ...]


QUERIES: dict[str, Query] = {
    "leads_by_source": Query(
        "Leads per source",
        "Leads each source contributed to (a lead merged from two sources counts for each), "
        "active or not (missing from the latest snapshot of every source that had it).",
        f"SELECT s.source, count(*) AS leads, {ACTIVE} AS active, {INACTIVE} AS inactive "
        f"FROM {LEAD_SOURCES} GROUP BY s.source ORDER BY s.source",
        (names.LEADS, names.FILE_LOADS),
    ),
    "leads_by_source_state": Query(
        "Leads per source and state",
        "Leads each source contributed to, by the lead's state.",
        f"SELECT s.source, l.state, count(*) AS leads, {ACTIVE} AS active, {INACTIVE} AS inactive "
        f"FROM {LEAD_SOURCES} GROUP BY s.source, l.state ORDER BY s.source, l.state",
        (names.LEADS, names.FILE_LOADS),
    ),
    "leads_by_match_rule": Query(
        "Matches by rule",
        "Leads by the identity rules that merged their records (`match_rule`), and how many records they hold.",
        f"SELECT coalesce(match_rule, '{NOT_MERGED}') AS match_rule, count(*) AS leads, "
        f"sum(source_record_count) AS records FROM {GOLD_LEADS} "
        f"GROUP BY coalesce(match_rule, '{NOT_MERGED}') ORDER BY 2 DESC, 1",
        (names.LEADS,),
    ),
    "crm_coverage": Query(
        "CRM coverage",
        "Leads the CRM already has, by their CRM status, and the net-new leads it does not have.",
        f"SELECT CASE WHEN is_net_new THEN '{NO_CRM}' ELSE coalesce(salesforce_status, 'no status') END "
        "AS crm_status, count(*) AS leads, sum(CASE WHEN is_active THEN 1 ELSE 0 END) AS active "
        f"FROM {GOLD_LEADS} GROUP BY CASE WHEN is_net_new THEN '{NO_CRM}' "
        "ELSE coalesce(salesforce_status, 'no status') END ORDER BY 2 DESC, 1",
        (names.LEADS,),
    ),
    "new_leads_per_file": Query(
        "New leads per file",
        "Leads each file was first to bring, and those of them the CRM does not have (net new).",
        'SELECT source, file_name, snapshot_date, "rows", rows_quarantined, leads_new, leads_net_new '
        f"FROM {GOLD_FILE_LOADS} WHERE {IN_USE} ORDER BY snapshot_date, source, file_name",
        (names.FILE_LOADS,),
    ),
    "new_leads_per_month": Query(
        "New leads per month",
        "Leads first brought by the files of each snapshot month, and the net-new ones among them.",
        f"SELECT {MONTH} AS month, count(*) AS files, sum(leads_new) AS leads_new, "
        f"sum(leads_net_new) AS leads_net_new FROM {GOLD_FILE_LOADS} WHERE {IN_USE} GROUP BY {MONTH} ORDER BY 1",
        (names.FILE_LOADS,),
    ),
    "changes_per_month": Query(
        "Changes per month",
        "Source records inserted, updated and deleted by the snapshots of each month (`lead_changes`).",
        f"SELECT {MONTH} AS month, "
        "sum(CASE WHEN change_type = 'inserted' THEN 1 ELSE 0 END) AS inserted, "
        "sum(CASE WHEN change_type = 'updated' THEN 1 ELSE 0 END) AS updated, "
        "sum(CASE WHEN change_type = 'deleted' THEN 1 ELSE 0 END) AS deleted "
        f"FROM {GOLD_CHANGES} GROUP BY {MONTH} ORDER BY 1",
        (names.LEAD_CHANGES,),
    ),
    "issues_by_rule": Query(
        "Data-quality issues by rule",
        "Values and records the pipeline refused (`data_quality_issues`), by rule (its detail after `:` left out).",
        f"SELECT split_part(rule, ':', 1) AS rule, count(*) AS issues FROM {GOLD_ISSUES} "
        "GROUP BY split_part(rule, ':', 1) ORDER BY 2 DESC, 1",
        (names.DATA_QUALITY_ISSUES,),
    ),
    "issues_by_file": Query(
        "Data-quality issues by file",
        "The same issues by the file they came from (hub keys belong to no file).",
        f"SELECT source, coalesce(file_name, '(no file)') AS file_name, count(*) AS issues FROM {GOLD_ISSUES} "
        "GROUP BY source, coalesce(file_name, '(no file)') ORDER BY 3 DESC, 1, 2",
        (names.DATA_QUALITY_ISSUES,),
    ),
}


@dataclass
class Section:
    """A table of the report, JSON-ready, with the chart drawn from it (plotly's JSON)."""

    key: str
    title: str
    note: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    missing: str | None = None  # why there is no table: the marts it reads are not built
    chart: dict[str, Any] | None = None


@dataclass
class Report:
    database: str
    generated_at: str
    summary: dict[str, int | None]
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def jsonable(value: Any) -> Any:
    """A value as the page's JSON holds it, whichever driver returned it."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _jsonable_rows(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [[jsonable(v) for v in row] for row in rows]


def _mart_section(warehouse: Warehouse, key: str, query: Query) -> Section:
    section = Section(key, query.title, query.note)
    absent = [table for table in query.reads if not warehouse.table_exists(names.GOLD, table)]
    if absent:
        section.missing = f"{', '.join(f'{names.GOLD}.{t}' for t in absent)} not built yet: run `leads run`"
        return section
    section.columns, rows = warehouse.query_with_columns(query.sql)
    section.rows = _jsonable_rows(rows)
    return section


def _mart_summary(warehouse: Warehouse) -> dict[str, int | None]:
    """The headline figures of the marts; None where the table they come from is not built."""
    figures: dict[str, int | None] = dict.fromkeys(
        ("leads", "active", "inactive", "in_crm", "net_new", "merged", "files", "issues")
    )
    if warehouse.table_exists(names.GOLD, names.LEADS):
        row = warehouse.query(
            "SELECT count(*), sum(CASE WHEN is_active THEN 1 ELSE 0 END), sum(CASE WHEN is_active THEN 0 ELSE 1 END), "
            "sum(CASE WHEN is_net_new THEN 0 ELSE 1 END), sum(CASE WHEN is_net_new THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN source_record_count > 1 THEN 1 ELSE 0 END) FROM {GOLD_LEADS}"
        )[0]
        for name, value in zip(("leads", "active", "inactive", "in_crm", "net_new", "merged"), row):
            figures[name] = int(value or 0)
    if warehouse.table_exists(names.GOLD, names.FILE_LOADS):
        figures["files"] = int(warehouse.query(f"SELECT count(*) FROM {GOLD_FILE_LOADS} WHERE {IN_USE}")[0][0])
    if warehouse.table_exists(names.GOLD, names.DATA_QUALITY_ISSUES):
        figures["issues"] = int(warehouse.query(f"SELECT count(*) FROM {GOLD_ISSUES}")[0][0])
    return figures


def _mart_figures(warehouse: Warehouse, read_only: bool) -> tuple[list[Section], dict[str, int | None]]:
    """The marts' tables and headline figures.

    Only a transform changes the marts, so the figures of the last successful one
    (`main_audit.transform_state`) are kept beside it (`main_audit.report_marts`) and read back
    while it is the last: the page of a run that loaded nothing and skipped the transform costs
    no scan of the marts, whatever their size.
    """
    build = state.last_build(warehouse)
    build_run_id = build[1] if build else None
    kept = f"SELECT figures FROM {names.AUDIT}.{names.REPORT_MARTS} WHERE build_run_id = {warehouse.mark}"
    if build_run_id and warehouse.table_exists(names.AUDIT, names.REPORT_MARTS):
        rows = warehouse.query(kept, [build_run_id])
        if rows:
            figures = json.loads(rows[0][0])
            return [Section(**section) for section in figures["sections"]], figures["summary"]
    sections = [_mart_section(warehouse, key, query) for key, query in QUERIES.items()]
    summary = _mart_summary(warehouse)
    if build_run_id and not read_only:
        figures = json.dumps({"sections": [asdict(section) for section in sections], "summary": summary})
        row = {"build_run_id": build_run_id, "figures": figures}
        audit.keep_one_row(warehouse, names.REPORT_MARTS, REPORT_MARTS_SCHEMA, row)
    return sections, summary


RUN_COLUMNS = ["started_at", "command", "outcome", "seconds", "files_loaded", "rows_loaded", "errors", "warnings"]
ALERT_COLUMNS = ["raised_at", "severity", "kind", "source", "file", "message"]


def _run_sections(warehouse: Warehouse, settings: Settings) -> list[Section]:
    """The last runs with their durations and how many alerts each raised, and those alerts."""
    runs = Section("runs", "Last runs", f"The last {RUNS_SHOWN} runs (`main_audit.runs`), the newest first.")
    alerts = Section("alerts", "Alerts of these runs", "What the runs above raised (`main_audit.alerts`).")
    runs.columns, alerts.columns = RUN_COLUMNS, ALERT_COLUMNS
    recent = audit.recent_runs(warehouse, RUNS_SHOWN)
    # A run still `running` while no run holds the lock was killed (as `leads status` says).
    running_now = is_locked(settings.lock_path)
    if not recent:
        runs.missing = alerts.missing = "no run recorded yet: run `leads run`"
        return [runs, alerts]
    counts: dict[tuple[str, str], int] = {}
    if warehouse.table_exists(names.AUDIT, names.ALERTS):
        marks = ", ".join([warehouse.mark] * len(recent))
        ids = [run.run_id for run in recent]
        for run_id, severity, count in warehouse.query(
            f"SELECT run_id, severity, count(*) FROM {names.AUDIT}.{names.ALERTS} WHERE run_id IN ({marks}) "
            "GROUP BY run_id, severity",
            ids,
        ):
            counts[(run_id, severity)] = int(count)
        alerts.rows = _jsonable_rows(
            warehouse.query(
                f"SELECT {', '.join(ALERT_COLUMNS)} FROM {names.AUDIT}.{names.ALERTS} WHERE run_id IN ({marks}) "
                f"ORDER BY raised_at DESC LIMIT {ALERTS_SHOWN}",
                ids,
            )
        )
    runs.rows = [
        [
            jsonable(run.started_at),
            run.command,
            "interrupted" if run.outcome == "running" and not running_now else run.outcome,
            round(run.duration_seconds, 1) if run.duration_seconds is not None else None,
            run.files_loaded,
            run.rows_loaded,
            counts.get((run.run_id, "error"), 0),
            counts.get((run.run_id, "warning"), 0),
        ]
        for run in recent
    ]
    return [runs, alerts]


def collect_report(settings: Settings, read_only: bool = False) -> Report:
    """Query the figures of the report from the database."""
    with Warehouse.open(settings, read_only=read_only) as warehouse:
        sections, summary = _mart_figures(warehouse, read_only)
        sections += _run_sections(warehouse, settings)
        summary["open_alerts"] = len(open_alerts(warehouse, settings.alerts.window_days))
    for section in sections:
        section.chart = chart(section)
    return Report(
        database=settings.warehouse_label,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        summary=summary,
        sections=sections,
    )


# -- charts --------------------------------------------------------------------------------------


def _column(section: Section, name: str) -> list[Any]:
    index = section.columns.index(name)
    return [row[index] for row in section.rows]


def _bars(section: Section, x: str, ys: Sequence[str], stacked: bool = False, horizontal: bool = False) -> go.Figure:
    labels = _column(section, x)
    figure = go.Figure()
    for y in ys:
        values = _column(section, y)
        if horizontal:
            figure.add_trace(go.Bar(name=y, y=labels, x=values, orientation="h"))
        else:
            figure.add_trace(go.Bar(name=y, x=labels, y=values))
    figure.update_layout(barmode="stack" if stacked else "group")
    if horizontal:
        figure.update_yaxes(autorange="reversed", type="category")
    else:
        figure.update_xaxes(type="category")
    return figure


def _by_state(section: Section) -> go.Figure:
    figure = go.Figure()
    for source in sorted(set(_column(section, "source"))):
        rows = [row for row in section.rows if row[0] == source]
        figure.add_trace(go.Bar(name=source, x=[row[1] for row in rows], y=[row[2] for row in rows]))
    figure.update_layout(barmode="group", xaxis_title="state", yaxis_title="leads")
    return figure


def _files(section: Section) -> go.Figure:
    figure = _bars(section, "file_name", ["leads_new", "leads_net_new"])
    figure.update_xaxes(tickangle=-30)
    return figure


def _runs(section: Section) -> go.Figure:
    oldest_first = list(reversed(section.rows))
    colors = {"success": "#2ca02c", "tests_failed": "#ff7f0e"}
    figure = go.Figure(
        go.Bar(
            x=[f"{row[0]} {row[1]}" for row in oldest_first],
            y=[row[3] for row in oldest_first],
            marker_color=[colors.get(row[2], "#d62728") for row in oldest_first],
            text=[row[2] for row in oldest_first],
            name="seconds",
        )
    )
    figure.update_layout(yaxis_title="seconds")
    figure.update_xaxes(type="category", tickangle=-30)
    return figure


CHARTS = {
    "leads_by_source": lambda s: _bars(s, "source", ["active", "inactive"], stacked=True),
    "leads_by_source_state": _by_state,
    "leads_by_match_rule": lambda s: _bars(s, "match_rule", ["leads"], horizontal=True),
    "crm_coverage": lambda s: go.Figure(
        go.Pie(labels=_column(s, "crm_status"), values=_column(s, "leads"), hole=0.4, textposition="inside")
    ),
    "new_leads_per_file": _files,
    "new_leads_per_month": lambda s: _bars(s, "month", ["leads_new", "leads_net_new"]),
    "changes_per_month": lambda s: _bars(s, "month", ["inserted", "updated", "deleted"], stacked=True),
    "issues_by_rule": lambda s: _bars(s, "rule", ["issues"], horizontal=True),
    "issues_by_file": lambda s: _bars(s, "file_name", ["issues"], horizontal=True),
    "runs": _runs,
}


def chart(section: Section) -> dict[str, Any] | None:
    """The section's plotly figure as JSON (data and layout), or None without rows or a chart."""
    make = CHARTS.get(section.key)
    if make is None or not section.rows:
        return None
    figure = make(section)
    figure.update_layout(
        template="plotly_white",
        height=340,
        margin={"l": 40, "r": 20, "t": 40, "b": 40},
        # above the plot: below it, the legend would cover slanted labels of the x axis
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    )
    return json.loads(plotly.io.to_json(figure))


# -- the page ------------------------------------------------------------------------------------


def render(report: Report) -> str:
    """The page: the template, plotly.js and the report's figures as JSON, all in one file."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    data = {
        "database": report.database,
        "generated_at": report.generated_at,
        "summary": report.summary,
        "sections": [section.__dict__ for section in report.sections],
    }
    return environment.get_template(TEMPLATE).render(report=report, data=data, plotly_js=plotly.offline.get_plotlyjs())


def report_path(settings: Settings, out: Path | None = None) -> Path:
    return out.expanduser().resolve() if out is not None else settings.report_path


def write_report(settings: Settings, out: Path | None = None, read_only: bool = False) -> Path:
    """Collect the figures and write the page (default: `Settings.report_path`); return its path.

    The page is written beside its final name and moved there, so a browser never opens half of it.
    """
    page = render(collect_report(settings, read_only=read_only))
    path = report_path(settings, out)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, path)
    return path


def check_not_running(settings: Settings) -> None:
    """A DuckDB database cannot be read while a run writes it: say so, and that the run writes the report."""
    if settings.target == "duckdb" and is_locked(settings.lock_path):
        raise LockedError(
            f"a run is writing {settings.database.name} ({describe_holder(settings.lock_path)}); "
            "it writes the report when it finishes"
        )


def write_report_after_run(settings: Settings) -> tuple[Path | None, str | None]:
    """The report after a run that built the marts: its path, or why it could not be written. The
    report shows the run; it never fails it (`leads run`, `leads transform`, the Dagster job)."""
    try:
        return write_report(settings), None
    except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
        first = next((line for line in str(exc).splitlines() if line.strip()), "")
        return None, f"the report could not be written ({type(exc).__name__}: {first}); `leads report` writes it again"
