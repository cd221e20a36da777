"""What an alert is: its kind, how bad it is, where (source, file) and what to do."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from leads_pipeline.observe.redact import Redactor

Severity = Literal["info", "warning", "error"]
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}

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
HUB_KEY = "hub_key"
STATE_KINDS = {TESTS_FAILED: "transform", STALE_SOURCE: "ingest", RUN_FAILED: None, HUB_KEY: "transform"}


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Alert:
    kind: str
    severity: Severity
    message: str
    source: str | None = None
    file: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    raised_at: datetime = field(default_factory=now)
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
