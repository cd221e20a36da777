"""Where alerts go: the console, the `main_audit.alerts` table, and the Apprise targets (`delivery`).

`Alerter.emit` sends a batch to every sink and target, each text redacted first. A target that
fails or is slow never fails the run: after `LEADS_WEBHOOK_TIMEOUT_SECONDS` the delivery is
abandoned and a warning alert says so (to the console and the table).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import pyarrow as pa

from leads_pipeline.config import names
from leads_pipeline.config.settings import AlertSettings, Settings
from leads_pipeline.observe.alerts.delivery import Target, deliver, targets_for
from leads_pipeline.observe.alerts.model import DELIVERY_FAILED, Alert
from leads_pipeline.observe.alerts.store import ALERTS_SCHEMA, ensure_alerts_table
from leads_pipeline.observe.redact import Redactor, redactor_for
from leads_pipeline.warehouse import Warehouse


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


class Alerter:
    """Sends alerts to the console, the alerts table and the configured Apprise targets, redacted."""

    def __init__(
        self,
        sinks: Sequence[Sink],
        targets: Sequence[Target],
        redact: Redactor,
        run_id: str | None = None,
        context: str = "leads",
        timeout: float = AlertSettings.webhook_timeout_seconds,
    ) -> None:
        self.sinks, self.targets, self.redact, self.run_id = list(sinks), list(targets), redact, run_id
        self.context, self.timeout = context, timeout
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
        sinks: list[Sink] = [ConsoleSink(console or (lambda alert: None)), TableSink(settings)]
        return cls(
            sinks,
            targets_for(settings.alerts),
            redactor_for(settings),
            run_id,
            context,
            settings.alerts.webhook_timeout_seconds,
        )

    def emit(self, alerts: Iterable[Alert]) -> list[Alert]:
        batch = [self._prepare(a) for a in alerts]
        if not batch:
            return []
        self._deliver(batch, self.sinks)
        failed = deliver(self.targets, batch, self.context, self.timeout)
        failures = [
            Alert(
                DELIVERY_FAILED,
                "warning",
                f"the alert target from {target.setting} did not take {len(batch)} alert(s): {why}; they are "
                f"in main_audit.alerts (`leads alerts`). Check {target.setting}",
                details={"setting": target.setting},
            )
            for target, why in failed.items()
        ]
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
