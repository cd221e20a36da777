"""The rules that raise alerts from the steps' reports: files, freshness, tests, failed runs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from leads_pipeline.observe.alerts.model import (
    CONTENT_FLAGGED,
    DUPLICATE_FILE,
    HELD_FILE,
    HUB_KEY,
    LOAD_FAILED,
    REFUSED_FILE,
    REJECTED_SHARE,
    RUN_FAILED,
    SCHEMA_DRIFT,
    STALE_SOURCE,
    TESTS_FAILED,
    Alert,
    Severity,
    now,
)


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
    for header, canonical in (drift.get("suggested_columns") or {}).items():
        parts.append(f"{header!r}: did you mean {canonical}? add it to sources.yml: columns.{canonical}")
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
    today = today or now().date()
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


def hub_alerts(hubs: Iterable[tuple[str, str, int, str, int]]) -> list[Alert]:
    """One alert per phone or address too widely shared to pair all its records: (key type, key
    value, records, sources, max block size) rows of int_match_keys__hubs."""
    return [
        Alert(
            HUB_KEY,
            "warning",
            f"{key_type} {key_value} is shared by {records:,} records (more than {max_block_size:,}, "
            "LEADS_MAX_BLOCK_SIZE): they are matched only through a second key they share. Check whether it "
            "is a chain's central number, a placeholder or a broken export",
            source=sources,
            details={"key_type": key_type, "key_value": key_value, "records": records},
        )
        for key_type, key_value, records, sources, max_block_size in hubs
    ]
