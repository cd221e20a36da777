"""One alert mechanism for every step: what went wrong or changed, sent to every configured sink.

An `Alert` says what kind of thing happened, how bad it is, where (source, file) and what to do.
`Alerter.emit` sends a batch of alerts to:
- the console (always: the CLI prints them, Dagster logs them),
- the `main_audit.alerts` table (always; `leads status` and `leads alerts` read it),
- a Slack incoming webhook (`LEADS_SLACK_WEBHOOK_URL`) and a generic JSON webhook
  (`LEADS_WEBHOOK_URL`) when configured: one message per batch.
A webhook that fails or is slow never fails the run: after `WEBHOOK_TIMEOUT_SECONDS` the delivery
is abandoned and a warning alert says so (to the console and the table). Every text passes through
the run's `Redactor` first, so no secret reaches a sink.

The rules that raise alerts from the steps' reports are below the sinks (`ingest_alerts`,
`freshness_alerts`, `transform_alerts`, `run_failed_alert`); `open_alerts` decides which alerts
`leads status` still shows.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, Protocol

import pyarrow as pa

from leads_pipeline.config.settings import Settings
from leads_pipeline.observe.redact import Redactor, redactor_for
from leads_pipeline.warehouse import Warehouse

Severity = Literal["info", "warning", "error"]

AUDIT_SCHEMA = "main_audit"
ALERTS_TABLE = "alerts"
WEBHOOK_TIMEOUT_SECONDS = 5.0
SLACK_MAX_ALERTS = 20

# Kinds of alert. Event kinds describe one file or one delivery and stay open until acknowledged;
# state kinds describe the pipeline as the latest run found it and close when a later run that
# checks the same thing finishes without raising them again (see `open_alerts`).
SCHEMA_DRIFT = "schema_drift"
REJECTED_SHARE = "rejected_share"
REFUSED_FILE = "refused_file"
DUPLICATE_FILE = "duplicate_file"
HELD_FILE = "held_file"
LOAD_FAILED = "load_failed"
CONTENT_FLAGGED = "content_flagged"
DELIVERY_FAILED = "alert_delivery_failed"
TESTS_FAILED = "tests_failed"
STALE_SOURCE = "stale_source"
RUN_FAILED = "run_failed"
STATE_KINDS = {TESTS_FAILED: "transform", STALE_SOURCE: "ingest", RUN_FAILED: None}

ALERTS_SCHEMA = pa.schema(
    [
        ("alert_id", pa.string()),
        ("run_id", pa.string()),
        ("raised_at", pa.timestamp("us")),
        ("kind", pa.string()),
        ("severity", pa.string()),
        ("source", pa.string()),
        ("file", pa.string()),
        ("message", pa.string()),
        ("details", pa.string()),
        ("acknowledged_at", pa.timestamp("us")),
    ]
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Alert:
    kind: str
    severity: Severity
    message: str
    source: str | None = None
    file: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    raised_at: datetime = field(default_factory=_now)
    run_id: str | None = None
    alert_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def line(self) -> str:
        """One line for a console: `warning schema_drift source_1 file.csv: message`."""
        where = " ".join(part for part in (self.source, self.file) if part)
        return f"{self.severity} {self.kind}{' ' + where if where else ''}: {self.message}"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["raised_at"] = self.raised_at.isoformat(timespec="seconds") + "Z"
        return data

    def redacted(self, redact: Redactor) -> Alert:
        return Alert(
            kind=self.kind,
            severity=self.severity,
            message=redact(self.message) or "",
            source=self.source,
            file=redact(self.file),
            details=redact.value(self.details),  # type: ignore[arg-type]
            raised_at=self.raised_at,
            run_id=self.run_id,
            alert_id=self.alert_id,
        )


class Sink(Protocol):
    name: str

    def send(self, alerts: Sequence[Alert]) -> None: ...


class ConsoleSink:
    name = "console"

    def __init__(self, write: Callable[[Alert], None]) -> None:
        self.write = write

    def send(self, alerts: Sequence[Alert]) -> None:
        for alert in alerts:
            self.write(alert)


class TableSink:
    name = "table"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, alerts: Sequence[Alert]) -> None:
        rows = [
            {
                "alert_id": a.alert_id,
                "run_id": a.run_id,
                "raised_at": a.raised_at,
                "kind": a.kind,
                "severity": a.severity,
                "source": a.source,
                "file": a.file,
                "message": a.message,
                "details": json.dumps(a.details, sort_keys=True, default=str) if a.details else None,
                "acknowledged_at": None,
            }
            for a in alerts
        ]
        with Warehouse.open(self.settings) as warehouse:
            ensure_alerts_table(warehouse)
            warehouse.append_arrow(AUDIT_SCHEMA, ALERTS_TABLE, pa.Table.from_pylist(rows, ALERTS_SCHEMA))


class WebhookDeliveryError(Exception):
    """A webhook refused or did not answer; the message never holds the URL."""


class _Deadline:
    """Shuts the sockets of one delivery when its time is up, which ends whatever step is waiting.

    A socket timeout bounds each read, not the delivery: a server answering a byte at a time would
    hold the run for minutes. Shutting the socket down from a timer ends a blocked connect, send or
    read at once, and leaves no thread behind to finish them.
    """

    def __init__(self) -> None:
        self.expired = False
        self._lock = threading.Lock()
        self._connections: list[http.client.HTTPConnection] = []

    def watch(self, connection: http.client.HTTPConnection) -> None:
        """Called once a connection is made: cut it now if the time is already up."""
        with self._lock:
            self._connections.append(connection)
            if self.expired:
                _shut(connection)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for connection in self._connections:
                _shut(connection)


def _shut(connection: http.client.HTTPConnection) -> None:
    if connection.sock is not None:
        with contextlib.suppress(OSError):
            connection.sock.shutdown(socket.SHUT_RDWR)


def _watched(base: type[http.client.HTTPConnection], deadline: _Deadline) -> type[http.client.HTTPConnection]:
    class WatchedConnection(base):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            super().connect()
            deadline.watch(self)

    return WatchedConnection


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.connection = _watched(http.client.HTTPConnection, deadline)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.connection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.connection = _watched(http.client.HTTPSConnection, deadline)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.connection, req, context=self._context)


def post_json(url: str, payload: dict[str, Any], timeout: float) -> None:
    """POST the payload as JSON; connecting, sending and reading the answer all within `timeout`.

    urllib still does the rest (proxies from the environment, redirects, TLS); only its
    connections are watched by the deadline. Messages never hold the URL.
    """
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, default=str).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "leads-pipeline"},
        method="POST",
    )
    deadline = _Deadline()
    opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline))
    timer = threading.Timer(timeout, deadline.expire)
    timer.daemon = True
    timer.start()
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise WebhookDeliveryError(f"HTTP {exc.code} {exc.reason}") from None
    except (OSError, http.client.HTTPException) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if deadline.expired or isinstance(reason, TimeoutError):
            raise WebhookDeliveryError(f"no answer within {timeout:g} s") from None
        if isinstance(reason, http.client.HTTPException):
            raise WebhookDeliveryError(f"unreadable answer ({type(reason).__name__})") from None
        raise WebhookDeliveryError(f"cannot connect ({type(reason).__name__})") from None
    finally:
        timer.cancel()


SLACK_ICONS = {"error": ":red_circle:", "warning": ":warning:", "info": ":information_source:"}


class SlackSink:
    """A Slack incoming webhook: one message per batch, the worst alerts first."""

    name = "Slack webhook"
    setting = "LEADS_SLACK_WEBHOOK_URL"

    def __init__(self, url: str, context: str, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> None:
        self.url, self.context, self.timeout = url, context, timeout

    def payload(self, alerts: Sequence[Alert]) -> dict[str, Any]:
        ordered = sorted(alerts, key=lambda a: _SEVERITY_RANK[a.severity])
        counts = ", ".join(
            f"{sum(1 for a in alerts if a.severity == s)} {s}"
            for s in ("error", "warning", "info")
            if any(a.severity == s for a in alerts)
        )
        title = f"leads pipeline ({self.context}): {len(alerts)} alert{'s' if len(alerts) != 1 else ''} ({counts})"
        blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}}]
        for alert in ordered[:SLACK_MAX_ALERTS]:
            where = " / ".join(f"`{p}`" for p in (alert.source, alert.file) if p)
            text = f"{SLACK_ICONS[alert.severity]} *{alert.kind}* {where}\n{alert.message}"
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}})
        if len(ordered) > SLACK_MAX_ALERTS:
            more = len(ordered) - SLACK_MAX_ALERTS
            blocks.append(
                {"type": "context", "elements": [{"type": "mrkdwn", "text": f"and {more} more: `leads alerts`"}]}
            )
        return {"text": title, "blocks": blocks}

    def send(self, alerts: Sequence[Alert]) -> None:
        post_json(self.url, self.payload(alerts), self.timeout)


class JsonWebhookSink:
    """A generic webhook: the alerts as JSON objects, one POST per batch."""

    name = "JSON webhook"
    setting = "LEADS_WEBHOOK_URL"

    def __init__(self, url: str, context: str, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> None:
        self.url, self.context, self.timeout = url, context, timeout

    def payload(self, alerts: Sequence[Alert]) -> dict[str, Any]:
        return {"pipeline": "leads", "context": self.context, "alerts": [a.as_json() for a in alerts]}

    def send(self, alerts: Sequence[Alert]) -> None:
        post_json(self.url, self.payload(alerts), self.timeout)


_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


class Alerter:
    """Sends alerts to the console, the alerts table and the configured webhooks, redacted."""

    def __init__(
        self,
        sinks: Sequence[Sink],
        webhooks: Sequence[SlackSink | JsonWebhookSink],
        redact: Redactor,
        run_id: str | None = None,
    ) -> None:
        self.sinks, self.webhooks, self.redact, self.run_id = list(sinks), list(webhooks), redact, run_id
        self.sent: list[Alert] = []

    @classmethod
    def for_settings(
        cls,
        settings: Settings,
        run_id: str | None = None,
        console: Callable[[Alert], None] | None = None,
        context: str | None = None,
    ) -> Alerter:
        context = context or (settings.database.name if settings.target == "duckdb" else "postgres")
        timeout = settings.alerts.webhook_timeout_seconds
        webhooks: list[SlackSink | JsonWebhookSink] = []
        if settings.alerts.slack_webhook_url:
            webhooks.append(SlackSink(settings.alerts.slack_webhook_url, context, timeout))
        if settings.alerts.webhook_url:
            webhooks.append(JsonWebhookSink(settings.alerts.webhook_url, context, timeout))
        sinks: list[Sink] = [ConsoleSink(console or (lambda alert: None)), TableSink(settings)]
        return cls(sinks, webhooks, redactor_for(settings), run_id)

    def emit(self, alerts: Iterable[Alert]) -> list[Alert]:
        batch = [self._prepare(a) for a in alerts]
        if not batch:
            return []
        self._deliver(batch, self.sinks)
        failures = []
        for webhook in self.webhooks:
            try:
                webhook.send(batch)
            except Exception as exc:  # noqa: BLE001 - a webhook must never fail the run
                detail = exc if isinstance(exc, WebhookDeliveryError) else type(exc).__name__
                failures.append(
                    Alert(
                        DELIVERY_FAILED,
                        "warning",
                        f"the {webhook.name} did not take {len(batch)} alert(s): {detail}; they are in "
                        f"main_audit.alerts (`leads alerts`). Check {webhook.setting}",
                        details={"sink": webhook.name},
                    )
                )
        if failures:
            self._deliver([self._prepare(a) for a in failures], self.sinks)
        self.sent.extend(batch)
        return batch

    def _prepare(self, alert: Alert) -> Alert:
        alert.run_id = alert.run_id or self.run_id
        return alert.redacted(self.redact)

    @staticmethod
    def _deliver(batch: list[Alert], sinks: Sequence[Sink]) -> None:
        for sink in sinks:
            sink.send(batch)


def ensure_alerts_table(warehouse: Warehouse) -> None:
    warehouse.create_table_like(AUDIT_SCHEMA, ALERTS_TABLE, ALERTS_SCHEMA)


# -- rules -------------------------------------------------------------------------------------


def ingest_alerts(files: Iterable[Any], max_rejected_share: float) -> list[Alert]:
    """Alerts for the files one ingestion listed (`FileOutcome`s): drift, refusals, copies, bad rows."""
    alerts: list[Alert] = []
    for f in files:
        where = {"source": f.source, "file": f.relative_path}
        if f.status == "refused":
            alerts.append(Alert(REFUSED_FILE, "error", f"file refused: {f.message}", **where))
            continue
        if f.status == "duplicate":
            alerts.append(Alert(DUPLICATE_FILE, "warning", f"duplicate file: {f.message}", **where))
            continue
        if f.status == "held":
            alerts.append(Alert(HELD_FILE, "error", f"file held: {f.message}", **where))
            continue
        if f.status == "failed":
            alerts.append(Alert(LOAD_FAILED, "error", f"file not loaded: {f.message}", **where))
            continue
        if f.status != "loaded":
            continue
        if f.flags:
            alerts.append(Alert(CONTENT_FLAGGED, "warning", "; ".join(f.flags), details={"flags": f.flags}, **where))
        if f.drift:
            alerts.append(drift_alert(f.source, f.relative_path, f.drift))
        total = f.rows + f.rejected
        bad = f.malformed + f.rejected
        if total and bad / total > max_rejected_share:
            alerts.append(
                Alert(
                    REJECTED_SHARE,
                    "warning",
                    f"{bad:,} of {total:,} records ({bad / total:.1%}) are malformed ({f.malformed:,}) or unreadable "
                    f"({f.rejected:,}), above the {max_rejected_share:.1%} allowed (LEADS_MAX_REJECTED_SHARE); "
                    "see main_gold.data_quality_issues and raw.rejected_records, and ask the agency for a clean export",
                    details={"malformed": f.malformed, "rejected": f.rejected, "records": total},
                    **where,
                )
            )
    return alerts


def drift_alert(source: str, file: str, drift: dict[str, Any]) -> Alert:
    parts = []
    if drift.get("new_columns"):
        parts.append(f"new columns {', '.join(drift['new_columns'])} (kept under these names)")
    if drift.get("renamed_columns"):
        renamed = ", ".join(f"{header!r} -> {column}" for header, column in drift["renamed_columns"].items())
        parts.append(f"renamed headers matched by alias: {renamed}")
    if drift.get("missing_columns"):
        parts.append(f"missing columns {', '.join(drift['missing_columns'])} (NULL for this file)")
    if drift.get("duplicated_columns"):
        parts.append(f"repeated headers {', '.join(drift['duplicated_columns'])}")
    if drift.get("dropped_empty_unnamed_columns"):
        parts.append(f"empty unnamed columns dropped: {len(drift['dropped_empty_unnamed_columns'])}")
    severity: Severity = "warning" if drift.get("new_columns") or drift.get("missing_columns") else "info"
    action = ""
    if severity != "info":
        action = " Add new spellings to sources.yml (columns: aliases) if they are known columns."
    return Alert(SCHEMA_DRIFT, severity, "schema drift: " + "; ".join(parts) + "." + action, source, file, drift)


def freshness_alerts(
    newest: dict[str, date | None], sources: Iterable[Any], max_age_days: float, today: date | None = None
) -> list[Alert]:
    """A source whose newest loaded snapshot is older than allowed, or that has none (unless optional)."""
    today = today or _now().date()
    alerts = []
    for spec in sources:
        latest = newest.get(spec.name)
        if latest is None:
            if not spec.optional:
                alerts.append(
                    Alert(
                        STALE_SOURCE,
                        "warning",
                        f"no file of this source has been loaded yet; expected files under {spec.glob} in the bucket",
                        spec.name,
                    )
                )
            continue
        age = (today - latest).days
        if age > max_age_days:
            alerts.append(
                Alert(
                    STALE_SOURCE,
                    "warning",
                    f"newest snapshot is from {latest.isoformat()}, {age} days ago (more than {max_age_days:g}, "
                    "LEADS_MAX_FILE_AGE_DAYS); check that the agency's monthly export still arrives",
                    spec.name,
                    details={"newest_snapshot": latest.isoformat(), "age_days": age},
                )
            )
    return alerts


def transform_alerts(failed_tests: Iterable[Any]) -> list[Alert]:
    """One alert per failed dbt data test (`NodeResult`s)."""
    return [
        Alert(
            TESTS_FAILED,
            "error",
            f"data test {node.name} failed"
            + (f" ({node.failures:,} failing rows)" if node.failures else "")
            + (f": {node.message.splitlines()[0]}" if node.message else "")
            + ". The tables are built; look at the failing rows (dbt test --store-failures) and fix the data or model",
            details={"test": node.name, "failures": node.failures},
        )
        for node in failed_tests
    ]


def run_failed_alert(command: str, error: BaseException) -> Alert:
    text = str(error).strip().splitlines()
    reason = text[0] if text else type(error).__name__
    if not getattr(error, "exit_code", None):
        reason = f"{type(error).__name__}: {reason}"
    return Alert(RUN_FAILED, "error", f"`{command}` failed: {reason}", details={"error": type(error).__name__})


# -- reading ------------------------------------------------------------------------------------


@dataclass
class OpenAlert:
    alert_id: str
    raised_at: datetime
    kind: str
    severity: str
    source: str | None
    file: str | None
    message: str
    occurrences: int = 1


def open_alerts(warehouse: Warehouse, window_days: float = 7.0) -> list[OpenAlert]:
    """The alerts `leads status` shows: unacknowledged, recent, and still true.

    - Alerts older than `window_days` (LEADS_ALERT_WINDOW_DAYS) or acknowledged (`leads alerts ack`)
      are closed.
    - Event alerts (a file's drift, refusal, copy or bad rows; a failed delivery) stay open until then.
    - State alerts (failed data tests, a stale source, a failed run) close once a later run that
      checks the same thing finished without raising them again: tests by a transform, freshness by
      an ingestion, a failed run by any successful run.
    Repeats of one alert (same kind, source and file) show once, with how often they were raised.
    """
    if not warehouse.table_exists(AUDIT_SCHEMA, ALERTS_TABLE):
        return []
    since = _now() - timedelta(days=window_days)
    mark = warehouse.mark
    rows = warehouse.query(
        f"SELECT alert_id, run_id, raised_at, kind, severity, source, file, message FROM {AUDIT_SCHEMA}.{ALERTS_TABLE} "
        f"WHERE acknowledged_at IS NULL AND raised_at >= {mark} ORDER BY raised_at",
        [since],
    )
    runs = _finished_runs(warehouse)
    shown: dict[tuple, OpenAlert] = {}
    for alert_id, run_id, raised_at, kind, severity, source, file, message in rows:
        if kind in STATE_KINDS and _superseded(kind, run_id, raised_at, runs):
            continue
        key = (kind, source, file, message if kind == TESTS_FAILED else None)
        earlier = shown.pop(key, None)
        shown[key] = OpenAlert(
            alert_id, raised_at, kind, severity, source, file, message, (earlier.occurrences + 1) if earlier else 1
        )
    return sorted(shown.values(), key=lambda a: (_SEVERITY_RANK.get(a.severity, 3), a.raised_at), reverse=False)


def _finished_runs(warehouse: Warehouse) -> list[tuple]:
    from leads_pipeline.run.audit import RUNS_TABLE

    if not warehouse.table_exists(AUDIT_SCHEMA, RUNS_TABLE):
        return []
    return warehouse.query(
        f"SELECT run_id, started_at, steps, outcome FROM {AUDIT_SCHEMA}.{RUNS_TABLE} WHERE finished_at IS NOT NULL"
    )


def _superseded(kind: str, run_id: str | None, raised_at: datetime, runs: list[tuple]) -> bool:
    step = STATE_KINDS[kind]
    for other_id, started_at, steps, outcome in runs:
        if other_id == run_id or started_at is None or started_at <= raised_at:
            continue
        if step is None and outcome == "success":
            return True
        if step is not None and step in (steps or "").split(",") and outcome in ("success", "tests_failed"):
            return True
    return False


def acknowledge(warehouse: Warehouse, alert_ids: Sequence[str] | None) -> int:
    """Acknowledge alerts by id (or id prefix) with their repeats, or every open one when None.

    Acknowledging a `held_file` alert accepts the held file (the next run loads it), so only an
    alert named by its id does that: acknowledging every open alert leaves the holds open.
    """
    if not warehouse.table_exists(AUDIT_SCHEMA, ALERTS_TABLE):
        return 0
    mark = warehouse.mark
    table = f"{AUDIT_SCHEMA}.{ALERTS_TABLE}"
    now = _now()
    if alert_ids is None:
        where = f"acknowledged_at IS NULL AND kind <> '{HELD_FILE}'"
        count = warehouse.query(f"SELECT count(*) FROM {table} WHERE {where}")[0][0]
        warehouse.execute(f"UPDATE {table} SET acknowledged_at = {mark} WHERE {where}", [now])
        return int(count)
    total = 0
    for prefix in alert_ids:
        keys = warehouse.query(
            f"SELECT DISTINCT kind, source, file FROM {table} WHERE alert_id LIKE {mark}", [f"{prefix}%"]
        )
        for kind, source, file in keys:
            where = (
                f"acknowledged_at IS NULL AND kind = {mark} AND source IS NOT DISTINCT FROM {mark} "
                f"AND file IS NOT DISTINCT FROM {mark}"
            )
            total += warehouse.query(f"SELECT count(*) FROM {table} WHERE {where}", [kind, source, file])[0][0]
            warehouse.execute(f"UPDATE {table} SET acknowledged_at = {mark} WHERE {where}", [now, kind, source, file])
    return int(total)
