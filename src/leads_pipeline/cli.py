"""The `leads` command: parse the options, call the pipeline, print what happened."""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from leads_pipeline.config import names
from leads_pipeline.config.errors import ConfigError, LeadsError, LockedError, as_leads_error, is_interrupt
from leads_pipeline.config.settings import DEFAULT_BUCKET, DEFAULT_DATABASE, TARGETS, Env, Settings
from leads_pipeline.observe.redact import Redactor, redactor_for
from leads_pipeline.run.lock import describe_holder, is_locked

if TYPE_CHECKING:  # the pipeline's modules load dlt and dbt: import them only when a step runs
    from leads_pipeline.observe.alerts import Alert
    from leads_pipeline.run.pipeline import Progress, RunReport
    from leads_pipeline.stages.ingest.source import FileOutcome
    from leads_pipeline.stages.transform.dbt import NodeResult

SETTINGS_KEY = "leads.settings"  # where a command leaves its settings for the error report (ctx.meta)
ERROR_LOG = "last-error.log"
INTERRUPTED_EXIT = 130  # the shell's code for a process stopped by SIGINT


class LeadsGroup(TyperGroup):
    """The `leads` command: whatever a sub-command raises ends as one line and its exit code.

    The console script, `python -m leads_pipeline.cli` and typer's test runner all invoke the
    commands through here, so no failure shows a traceback: an error the user can act on says what
    to do (exit 2 for configuration, see `LeadsError`), a bug says so and where its traceback is.
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Usage errors (an unknown option, a value of the wrong type) as one line too, exit code 2."""
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except typer.Abort:  # end of input at a prompt
            err.print("[red]error:[/] aborted")
            sys.exit(1)
        except typer.TyperException as exc:  # click's usage errors, as typer carries them
            hint = f" (`{_command_path(exc)} --help` lists the options)"
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            if message.strip():  # empty when the error was to show the help, already printed
                err.print(f"[red]error:[/] {escape(message)}{hint}", soft_wrap=True)
            sys.exit(getattr(exc, "exit_code", 2))
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # exit codes and usage errors, as typer means them
            raise
        except BaseException as exc:
            if is_interrupt(exc):
                err.print(
                    "[red]error:[/] interrupted; a run stopped this way is recorded as interrupted, and the next "
                    "`leads run` completes its work"
                )
                raise typer.Exit(INTERRUPTED_EXIT) from None
            if not isinstance(exc, Exception):
                raise
            settings = ctx.meta.get(SETTINGS_KEY)
            redact = redactor_for(settings)
            known = as_leads_error(exc, settings.database if settings and settings.target == "duckdb" else None)
            if known is None:
                known = LeadsError(_unexpected(exc, settings, redact))
            raise _fail(known, settings) from None


def _command_path(exc: Exception) -> str:
    """`leads <sub-command>…` the error is about, however the program was started."""
    words, ctx = [], getattr(exc, "ctx", None)
    while ctx is not None and ctx.parent is not None:
        words.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(["leads", *reversed(words)])


def _unexpected(exc: Exception, settings: Settings | None, redact: Redactor) -> str:
    """One line for a bug: its type and first line, and the file its whole traceback went to."""
    first = next((line for line in str(exc).splitlines() if line.strip()), "")
    saved = _save_traceback(redact("".join(traceback.format_exception(exc))) or "", settings)
    return f"unexpected {type(exc).__name__}: {first} (a bug: {saved})"


def _save_traceback(text: str, settings: Settings | None) -> str:
    """Write the traceback with the database's working files, else to a temporary file; say where."""
    if settings is not None:
        place = settings.state_dir / ERROR_LOG
        try:
            place.parent.mkdir(parents=True, exist_ok=True)
            place.write_text(text, encoding="utf-8")
            return f"the traceback is in {place}"
        except OSError:
            pass
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", prefix="leads-error-", suffix=".log", delete=False
        ) as log:
            log.write(text)
    except OSError as exc:
        return f"its traceback could not be saved ({exc})"
    return f"the traceback is in {log.name}"


app = typer.Typer(
    cls=LeadsGroup,
    help="Agency licensing files in a bucket -> one de-duplicated table of leads (main_gold.leads).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
demo_app = typer.Typer(help="The project's own demo data.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
alerts_app = typer.Typer(help="Open alerts: list them, acknowledge them.", invoke_without_command=True)
app.add_typer(alerts_app, name="alerts")
source_app = typer.Typer(help="The sources in sources.yml: add one from a sample file.", no_args_is_help=True)
app.add_typer(source_app, name="source")


def _print_version(wanted: bool) -> None:
    if wanted:
        print(f"leads {package_version('leads-pipeline')}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit"),
    ] = False,
) -> None:
    """Agency licensing files in a bucket -> one de-duplicated table of leads (main_gold.leads)."""


out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

# Each option reads its environment variable (named in config/settings.py) and `--help` shows both.
BucketOption = Annotated[
    str | None,
    typer.Option(
        "--bucket-url",
        envvar=Env.BUCKET_URL,
        show_envvar=True,
        show_default=DEFAULT_BUCKET,
        help="gs://…, s3://…, file://… or a folder",
    ),
]
DatabaseOption = Annotated[
    Path | None,
    typer.Option(
        "--database", envvar=Env.DATABASE, show_envvar=True, show_default=DEFAULT_DATABASE, help="DuckDB file"
    ),
]
TargetOption = Annotated[
    str | None,
    typer.Option("--target", envvar=Env.TARGET, show_envvar=True, show_default=TARGETS[0], help=" or ".join(TARGETS)),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout (keys: docs/operations.md), nothing else")
]
SourceOption = Annotated[
    list[str] | None, typer.Option("--source", help="Ingest only this source (repeatable); default all in sources.yml")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only")]


def _settings(ctx: typer.Context, bucket_url: str | None, database: Path | None, target: str | None) -> Settings:
    settings = Settings.load(bucket_url=bucket_url, database=database, target=target)
    ctx.meta[SETTINGS_KEY] = settings  # LeadsGroup redacts a failure with them and reports it beside the database
    return settings


def _print_file(outcome: FileOutcome) -> None:
    if outcome.status == "loaded":
        extra = []
        if outcome.malformed:
            extra.append(f"{outcome.malformed} malformed")
        if outcome.rejected:
            extra.append(f"{outcome.rejected} unreadable")
        if outcome.changes:
            extra.append(outcome.changes.summary())
        if outcome.drift:
            extra.append("schema drift: " + "; ".join(f"{k} {v}" for k, v in outcome.drift.items()))
        if outcome.message:
            extra.append(outcome.message)
        note = f" ({', '.join(extra)})" if extra else ""
        err.print(f"  loaded    {escape(outcome.relative_path)}: {outcome.rows:,} rows{note}")
    elif outcome.status == "unchanged":
        err.print(f"  [dim]unchanged {escape(outcome.relative_path)}: {escape(outcome.message or '')}[/]")
    else:
        style = "red" if outcome.status in ("failed", "held") else "yellow"
        err.print(f"  [{style}]{outcome.status:<9}[/] {escape(outcome.relative_path)}: {escape(outcome.message or '')}")


def _print_node(node: NodeResult) -> None:
    # A node skipped after an upstream failure was not built: saying "ok" would hide it.
    skipped = node.status == "skipped"
    mark = "[red]FAIL[/]" if node.failed else "[yellow]skip[/]" if skipped else "ok"
    kind = "test " if node.resource_type in ("test", "unit_test") else "model"
    detail = f" — {node.message.splitlines()[0]}" if (node.failed or skipped) and node.message else ""
    err.print(f"  {kind} {mark:<4} {node.name} ({node.seconds:.1f}s){detail}")


ALERT_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def _print_alert(alert: Alert) -> None:
    style = ALERT_STYLE.get(alert.severity, "white")
    err.print(f"  [{style}]alert[/] {escape(alert.line())}", soft_wrap=True)


def _progress():  # noqa: ANN202 - pipeline.Progress, imported late
    from leads_pipeline.run.pipeline import Progress

    def message(text: str) -> None:
        err.print(f"[dim]{escape(text)}[/]")

    return Progress(message=message, file=_print_file, node=_print_node, alert=_print_alert)


@contextmanager
def _display(quiet: bool) -> Iterator[Progress]:
    """What a run prints as it goes: nothing with --quiet; a line per step, file, model and test
    when stderr is not a terminal; on a terminal, progress bars instead of a line per model and test
    (a failed one still prints)."""
    from leads_pipeline.run.pipeline import Progress

    if quiet:
        yield Progress()
        return
    lines = _progress()
    if not err.is_terminal:
        yield lines
        return
    from leads_pipeline.observe.progress_bars import ProgressBars

    def failed_node(node: NodeResult) -> None:
        if node.failed:
            _print_node(node)

    with ProgressBars(err) as bars:
        yield replace(lines, node=failed_node, expect=bars.expect, advance=bars.advance)


def _fail(exc: LeadsError, settings: Settings | None) -> typer.Exit:
    """Print the error as one line, without secrets; the exit code is the error's."""
    text = redactor_for(settings)(str(exc)) or ""
    line = " ".join(part.strip() for part in text.splitlines() if part.strip())
    err.print(f"[red]error:[/] {escape(line)}", soft_wrap=True)
    return typer.Exit(exc.exit_code)


def _summarize(report: RunReport, settings: Settings) -> None:
    if report.ingest is not None:
        table = Table(title="ingested", title_justify="left", show_edge=False)
        for column in ("source", "new files", "rows", "malformed", "unreadable", "not loaded"):
            table.add_column(column, justify="left" if column == "source" else "right")
        by_source: dict[str, list[FileOutcome]] = {}
        for outcome in report.ingest.files:
            by_source.setdefault(outcome.source, []).append(outcome)
        for source, files in sorted(by_source.items()):
            loaded = [f for f in files if f.status == "loaded"]
            table.add_row(
                source,
                str(len(loaded)),
                f"{sum(f.rows for f in loaded):,}",
                str(sum(f.malformed for f in loaded)),
                str(sum(f.rejected for f in loaded)),
                str(len(files) - len(loaded)),
            )
        if not by_source:
            out.print("ingested: no new files")
        else:
            out.print(table)
    if report.transform is not None:
        t = report.transform
        failed = t.failed_tests
        out.print(
            f"transformed: {t.count('model')} models, {t.count('test') + t.count('unit_test')} tests"
            + (f", [red]{len(failed)} failed: {', '.join(n.name for n in failed)}[/]" if failed else ", all passed")
        )
        if t.unit_tests_passed_at is not None:
            passed_at = f"{t.unit_tests_passed_at:%Y-%m-%d %H:%M}"
            out.print(f"unit tests: not run again, they passed on this dbt project on {passed_at} UTC")
        _print_gold_counts(settings)
    if report.transform_skipped:
        out.print(report.transform_skipped.replace("transform skipped", "transform: skipped", 1))
        _print_gold_counts(settings)
    out.print(f"done in {report.seconds:.1f}s — database {settings.warehouse_label}")


def _gold_counts(settings: Settings) -> dict[str, int]:
    from leads_pipeline.observe.status import gold_counts
    from leads_pipeline.warehouse import Warehouse

    with Warehouse.open(settings) as warehouse:
        return gold_counts(warehouse)


def _print_gold_counts(settings: Settings) -> None:
    counts = _gold_counts(settings)
    if counts:
        out.print("; ".join(f"{names.GOLD}.{table}: {rows:,} rows" for table, rows in counts.items()))


def _print_json(document: object) -> None:
    """One JSON document on stdout, unstyled and unwrapped, for `--json`."""
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
    sys.stdout.flush()


def _write_report(settings: Settings, quiet: bool) -> Path | None:
    """The report after a run that built the marts, where it went; its failure is one line, never the run's."""
    from leads_pipeline.observe.report import write_report_after_run

    path, problem = write_report_after_run(settings)
    if problem:
        err.print(f"[yellow]warning:[/] {escape(problem)}")
        return None
    if not quiet:
        out.print(f"report: {path}")
    return path


def _run(
    command: str,
    settings: Settings,
    do_ingest: bool,
    do_transform: bool,
    only: list[str] | None = None,
    full_refresh: bool = False,
    quiet: bool = False,
    as_json: bool = False,
) -> None:
    if is_locked(settings.lock_path):
        # Say so at once, before loading the pipeline's libraries (the lock is taken again below).
        raise LockedError(
            f"another run holds {settings.database.name}: {describe_holder(settings.lock_path)}; "
            "wait for it to finish (`leads status` shows it)"
        )
    from leads_pipeline.run.pipeline import execute

    with _display(quiet) as progress:
        report = execute(settings, command, do_ingest, do_transform, progress, only, full_refresh)
    if do_transform:
        from leads_pipeline.orchestration.catalog import report_materializations

        say = (lambda text: None) if quiet else (lambda text: err.print(f"[dim]{escape(text)}[/]"))
        report_materializations(settings, report, say=say)
    if as_json:
        page = _write_report(settings, quiet=True) if do_transform else None
        document = {"command": command, "database": settings.warehouse_label, **report.as_json()}
        _print_json({**document, "gold": _gold_counts(settings), "report": str(page) if page else None})
    else:
        if not quiet:
            _summarize(report, settings)
        if do_transform:
            _write_report(settings, quiet)
    if report.alerts and not quiet and not as_json:
        worst = sum(1 for a in report.alerts if a.severity != "info")
        out.print(
            f"alerts: {len(report.alerts)} raised ({worst} warnings or errors); `leads alerts` lists the open ones"
        )
    failed_files = [f for f in report.ingest.files if f.status == "failed"] if report.ingest else []
    if failed_files:
        named = ", ".join(escape(f.relative_path) for f in failed_files[:3]) + (", …" if len(failed_files) > 3 else "")
        err.print(
            f"[red]error:[/] {len(failed_files)} file(s) could not be loaded this time ({named}); "
            "the other files loaded, and the next run tries these again (`leads alerts` says why)"
        )
        raise typer.Exit(7)
    if report.transform and report.transform.failed_tests:
        err.print(
            f"[red]error:[/] {len(report.transform.failed_tests)} data tests failed; the tables are built, "
            "see main_gold.data_quality_issues and the dbt output above"
        )
        raise typer.Exit(6)


@app.command()
def run(
    ctx: typer.Context,
    bucket_url: BucketOption = None,
    database: DatabaseOption = None,
    target: TargetOption = None,
    source: SourceOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Ingest new files, then build the models and run the data tests; write the report."""
    settings = _settings(ctx, bucket_url, database, target)
    _run("leads run", settings, True, True, source, quiet=quiet, as_json=as_json)


@app.command()
def ingest(
    ctx: typer.Context,
    bucket_url: BucketOption = None,
    database: DatabaseOption = None,
    target: TargetOption = None,
    source: SourceOption = None,
    quiet: QuietOption = False,
) -> None:
    """Load new files from the bucket into the raw tables (each file once)."""
    _run("leads ingest", _settings(ctx, bucket_url, database, target), True, False, source, quiet=quiet)


@app.command()
def transform(
    ctx: typer.Context,
    database: DatabaseOption = None,
    target: TargetOption = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Recompute every model from raw instead of adding what is new")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Build the dbt models (staging, intermediate, gold) and run the data tests; write the report."""
    command = "leads transform --full-refresh" if full_refresh else "leads transform"
    _run(command, _settings(ctx, None, database, target), False, True, full_refresh=full_refresh, quiet=quiet)


@app.command()
def status(
    ctx: typer.Context,
    database: DatabaseOption = None,
    target: TargetOption = None,
    files: Annotated[int, typer.Option("--files", min=0, help="How many of the latest files to list")] = 12,
    runs: Annotated[int, typer.Option("--runs", min=0, help="How many of the last runs to list")] = 5,
    as_json: JsonOption = False,
) -> None:
    """Open alerts, sources and their newest snapshots, the latest files, the last runs."""
    from leads_pipeline.observe.status import collect_status, render_status, status_json

    settings = _settings(ctx, None, database, target)
    status = collect_status(settings, files=files, runs=runs)
    if as_json:
        _print_json(status_json(status))
    else:
        render_status(status, out)


@app.command("report")
def report_command(
    ctx: typer.Context,
    database: DatabaseOption = None,
    target: TargetOption = None,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the page [default: beside the database, <name>.report.html]"),
    ] = None,
) -> None:
    """Write the report: one HTML page of leads, changes, matches, CRM coverage, data quality and runs."""
    from leads_pipeline.observe.report import check_not_running, write_report

    settings = _settings(ctx, None, database, target)
    check_not_running(settings)
    out.print(f"report: {write_report(settings, out_path, read_only=settings.target == 'duckdb')}")


@alerts_app.callback()
def alerts_list(
    ctx: typer.Context,
    database: DatabaseOption = None,
    target: TargetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open alerts: unacknowledged, recent and still true (`leads alerts ack` closes them)."""
    if ctx.invoked_subcommand is not None:
        return
    from leads_pipeline.observe.status import alerts_json, collect_alerts, render_alerts

    settings = _settings(ctx, None, database, target)
    if as_json:
        _print_json({"alerts": alerts_json(collect_alerts(settings))})
    else:
        render_alerts(collect_alerts(settings), out, full=True)


@alerts_app.command("ack")
def alerts_ack(
    ctx: typer.Context,
    alert_ids: Annotated[list[str] | None, typer.Argument(help="Alert ids (or their first characters)")] = None,
    all_open: Annotated[bool, typer.Option("--all", help="Acknowledge every open alert")] = False,
    database: DatabaseOption = None,
    target: TargetOption = None,
) -> None:
    """Acknowledge alerts (with their repeats): they stop showing as open."""
    from leads_pipeline.observe.alerts import HELD_FILE, acknowledge, open_alerts, unknown_alert_ids
    from leads_pipeline.run.lock import run_lock
    from leads_pipeline.warehouse import Warehouse

    if not alert_ids and not all_open:
        err.print("[red]error:[/] name the alerts to acknowledge (ids from `leads alerts`) or pass --all")
        raise typer.Exit(2)
    settings = _settings(ctx, None, database, target)
    with run_lock(settings.lock_path, "leads alerts ack"), Warehouse.open(settings) as warehouse:
        unknown = [] if all_open else unknown_alert_ids(warehouse, alert_ids or [])
        if unknown:
            err.print(
                f"[red]error:[/] no alert has the id {', '.join(map(escape, unknown))}; "
                "`leads alerts` lists the open ones with their ids"
            )
            raise typer.Exit(2)
        count = acknowledge(warehouse, None if all_open else alert_ids)
        holds = [a for a in open_alerts(warehouse, settings.alerts.window_days) if a.kind == HELD_FILE]
    out.print(f"acknowledged {count} alert{'s' if count != 1 else ''}")
    if all_open and holds:
        out.print(
            f"{len(holds)} held file(s) stay held: acknowledging a held file's alert accepts the file, so name "
            "each one you accept (`leads alerts ack ID`)"
        )


UI_COMMAND = [sys.executable, "-m", "dagster", "dev", "-m", "leads_pipeline.orchestration.definitions"]


@app.command()
def ui(
    ctx: typer.Context,
    bucket_url: BucketOption = None,
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option("--host", help="Address the web UI listens on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port of the web UI")] = 3000,
) -> None:
    """Serve the Dagster UI and run the schedule and sensor (`dagster dev`), telemetry off."""
    from leads_pipeline.orchestration.catalog import dagster_home

    settings = _settings(ctx, bucket_url, database, None)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home(settings)),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        Env.BUCKET_URL: settings.bucket_url,
        Env.DATABASE: str(settings.database),
    }
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    err.print(f"[dim]DAGSTER_HOME={env['DAGSTER_HOME']}; UI at http://{host}:{port}[/]")
    command = [*UI_COMMAND, "-h", host, "-p", str(port)]
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(settings.project_dir)
    # Become Dagster: a signal to this process (Ctrl-C, a service manager's SIGTERM) reaches it directly.
    # Dagster stops its web server and daemon with SIGINT, which a shell's background job (`leads ui &`)
    # starts ignoring and would pass on to them: restore its default first.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execvpe(command[0], command, env)


def _snapshot_date(text: str | date) -> date:
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date: use YYYY-MM-DD") from None


@demo_app.command("generate")
def demo_generate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the bucket into")] = Path("data/landing"),
    rows: Annotated[int, typer.Option("--rows", min=1, help="Records per source and month")] = 200,
    months: Annotated[int, typer.Option("--months", min=1, help="Monthly snapshots to write")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same files)")] = 7,
    start: Annotated[
        date, typer.Option("--start", parser=_snapshot_date, metavar="YYYY-MM-DD", help="First snapshot date")
    ] = date(2024, 11, 1),
    force: Annotated[
        bool, typer.Option("--force", help="Write into a folder that is not empty (same-named files are replaced)")
    ] = False,
) -> None:
    """Write realistic source files (and their ground truth) into a bucket folder."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"--out {out_dir} is a file: name a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise ConfigError(
            f"--out {out_dir} is not empty: name an empty or new folder, or pass --force to write into it "
            "(files of the same name are replaced, the others stay)"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a folder the user may not write says who may; any other says why
        raise as_leads_error(exc) or ConfigError(
            f"cannot create --out {out_dir} ({exc.strerror}): name a folder that can be created"
        ) from None
    from leads_demo import generate_bucket

    summary = generate_bucket(
        out_dir,
        rows=rows,
        months=months,
        seed=seed,
        start=start,
        progress=lambda text: err.print(f"[dim]{text}[/]"),
    )
    out.print(f"wrote {sum(summary.files.values()):,} records in {len(summary.files)} files to {out_dir}")


@app.command()
def bench(
    records: Annotated[int, typer.Option("--records", help="Records per source and month")] = 1_000_000,
    big_file_gb: Annotated[float, typer.Option("--big-file-gb", help="Also ingest one file of this size")] = 0.0,
    work_dir: Annotated[Path | None, typer.Option("--work-dir", help="Where to write files and databases")] = None,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the generated files and the database")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the generated files")] = 7,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show each measured command's output")] = False,
    steps: Annotated[
        str, typer.Option("--steps", help="Steps to measure besides the baseline: ingest,transform,run,idle,month")
    ] = "ingest,transform,run,idle,month",
    months: Annotated[
        int, typer.Option("--months", min=1, help="Further months the month step adds, one run each")
    ] = 1,
    change_rates: Annotated[
        str, typer.Option("--change-rates", help="Shares of changed records, e.g. 0,0.08: one month each")
    ] = "",
    target: Annotated[
        str,
        typer.Option(
            "--target", help="duckdb, or spark: also a fresh run on Spark beside DuckDB's (needs the spark extra)"
        ),
    ] = "duckdb",
) -> None:
    """Measure ingest and runs at scale beside DuckDB's own CSV load of the same files (benchmarks/)."""
    if target not in ("duckdb", "spark"):
        err.print(f"[red]error:[/] --target is duckdb or spark, not {escape(target)}")
        raise typer.Exit(2)
    project_dir = Settings.load().project_dir
    if not (project_dir / "benchmarks" / "run.py").exists():
        err.print(f"[red]error:[/] no benchmarks/ in {project_dir}: run `leads bench` from a checkout of the project")
        raise typer.Exit(2)
    sys.path.insert(0, str(project_dir))
    from benchmarks.run import BenchRefused, rates_from, run_benchmark, steps_from

    try:
        run_benchmark(
            records,
            work_dir,
            big_file_gb,
            keep,
            seed,
            say=lambda text: print(text, flush=True),
            verbose=verbose,
            steps=steps_from(steps),
            months=months,
            change_rates=rates_from(change_rates),
            spark=target == "spark",
        )
    except BenchRefused as refused:
        err.print(f"[red]error:[/] {refused}")
        raise typer.Exit(2) from None


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())


@source_app.command("add")
def source_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The new source's id (lower snake_case), e.g. arizona")],
    sample: Annotated[Path, typer.Option("--sample", help="One of the source's CSV files")],
    state: Annotated[str | None, typer.Option("--state", help="Two-letter state of the agency")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="The agency's name")] = None,
    glob: Annotated[str | None, typer.Option("--glob", help="Its files in the bucket [default <name>/*.csv]")] = None,
) -> None:
    """Add a source to sources.yml and a staging model for it, mapped from a sample's headers."""
    from leads_pipeline.config import source_add as scaffold
    from leads_pipeline.config.registry import load_registry

    settings = _settings(ctx, None, None, None)
    registry = load_registry(settings.sources_file)
    proposal = scaffold.propose(registry, name, sample, settings.dbt_project_dir, state, agency, glob)
    for path in scaffold.write(proposal, settings.sources_file, settings.dbt_project_dir):
        out.print(f"wrote {escape(str(path))}")
    for header, column in proposal.headers.items():
        out.print(f"  {escape(header)!s:<32} -> {column}")
    out.print(f"files: put them under {escape(str(proposal.entry['glob']))} in the bucket. Left to decide:")
    for note in proposal.to_decide:
        out.print(f"  - {escape(note)}")
