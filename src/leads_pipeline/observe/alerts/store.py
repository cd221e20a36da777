"""The alerts table (`main_audit.alerts`): its shape, which alerts are still open, acknowledging them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyarrow as pa

from leads_pipeline.config import names
from leads_pipeline.observe.alerts.model import HELD_FILE, SEVERITY_RANK, STATE_KINDS, TESTS_FAILED, now
from leads_pipeline.warehouse import Warehouse

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


def ensure_alerts_table(warehouse: Warehouse) -> None:
    warehouse.create_table_like(names.AUDIT, names.ALERTS, ALERTS_SCHEMA)


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
    if not warehouse.table_exists(names.AUDIT, names.ALERTS):
        return []
    since = now() - timedelta(days=window_days)
    mark = warehouse.mark
    rows = warehouse.query(
        f"SELECT alert_id, run_id, raised_at, kind, severity, source, file, message FROM {names.AUDIT}.{names.ALERTS} "
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
    return sorted(shown.values(), key=lambda a: (SEVERITY_RANK.get(a.severity, 3), a.raised_at), reverse=False)


def _finished_runs(warehouse: Warehouse) -> list[tuple]:
    if not warehouse.table_exists(names.AUDIT, names.RUNS):
        return []
    return warehouse.query(
        f"SELECT run_id, started_at, steps, outcome FROM {names.AUDIT}.{names.RUNS} WHERE finished_at IS NOT NULL"
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


def unknown_alert_ids(warehouse: Warehouse, alert_ids: Sequence[str]) -> list[str]:
    """The ids (or id prefixes) that name no alert, open or acknowledged."""
    if not warehouse.table_exists(names.AUDIT, names.ALERTS):
        return list(alert_ids)
    matching = f"SELECT count(*) FROM {names.AUDIT}.{names.ALERTS} WHERE alert_id LIKE {warehouse.mark}"
    return [prefix for prefix in alert_ids if not warehouse.query(matching, [f"{prefix}%"])[0][0]]


def acknowledge(warehouse: Warehouse, alert_ids: Sequence[str] | None) -> int:
    """Acknowledge alerts by id (or id prefix) with their repeats, or every open one when None.

    Acknowledging a `held_file` alert accepts the held file (the next run loads it), so only an
    alert named by its id does that: acknowledging every open alert leaves the holds open.
    """
    if not warehouse.table_exists(names.AUDIT, names.ALERTS):
        return 0
    mark = warehouse.mark
    table = f"{names.AUDIT}.{names.ALERTS}"
    acknowledged_at = now()
    if alert_ids is None:
        where = f"acknowledged_at IS NULL AND kind <> '{HELD_FILE}'"
        count = warehouse.query(f"SELECT count(*) FROM {table} WHERE {where}")[0][0]
        warehouse.execute(f"UPDATE {table} SET acknowledged_at = {mark} WHERE {where}", [acknowledged_at])
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
            key = [kind, source, file]
            warehouse.execute(f"UPDATE {table} SET acknowledged_at = {mark} WHERE {where}", [acknowledged_at, *key])
    return int(total)
