"""Where alerts go: the console, the `main_audit.alerts` table, a Slack and a JSON webhook.

`Alerter.emit` sends a batch to every configured sink, each text redacted first. A webhook that
fails or is slow never fails the run: after `LEADS_WEBHOOK_TIMEOUT_SECONDS` the delivery is
abandoned and a warning alert says so (to the console and the table).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import pyarrow as pa

from leads_pipeline.config import names
from leads_pipeline.config.settings import Settings
from leads_pipeline.observe.alerts.model import DELIVERY_FAILED, SEVERITY_RANK, Alert
from leads_pipeline.observe.alerts.store import ALERTS_SCHEMA, ensure_alerts_table
from leads_pipeline.observe.redact import Redactor, redactor_for
from leads_pipeline.warehouse import Warehouse

WEBHOOK_TIMEOUT_SECONDS = 5.0
SLACK_MAX_ALERTS = 20


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
            warehouse.append_arrow(names.AUDIT, names.ALERTS, pa.Table.from_pylist(rows, ALERTS_SCHEMA))


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
        ordered = sorted(alerts, key=lambda a: SEVERITY_RANK[a.severity])
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
