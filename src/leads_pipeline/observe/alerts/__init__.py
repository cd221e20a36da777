"""One alert mechanism for every step: what went wrong or changed, sent to every configured sink.

- `model`: what an alert is (`Alert`) and its kinds;
- `rules`: the alerts the steps' reports raise (`ingest_alerts`, `freshness_alerts`, ...);
- `sinks`: where they go (`Alerter`: the console, the alerts table, the Apprise targets);
- `delivery`: the Apprise targets (Slack, Teams, email, a JSON webhook, ...) within one deadline;
- `store`: the alerts table, which alerts `leads status` still shows, acknowledging them.
"""

from leads_pipeline.observe.alerts.delivery import Target, as_apprise_url, deliver, targets_for
from leads_pipeline.observe.alerts.model import (
    CONTENT_FLAGGED,
    DELIVERY_FAILED,
    DUPLICATE_FILE,
    HELD_FILE,
    HUB_KEY,
    LOAD_FAILED,
    REFUSED_FILE,
    REJECTED_SHARE,
    RUN_FAILED,
    SCHEMA_DRIFT,
    STALE_SOURCE,
    STATE_KINDS,
    TESTS_FAILED,
    Alert,
    Severity,
)
from leads_pipeline.observe.alerts.rules import (
    drift_alert,
    freshness_alerts,
    hub_alerts,
    ingest_alerts,
    run_failed_alert,
    transform_alerts,
)
from leads_pipeline.observe.alerts.sinks import Alerter, ConsoleSink, TableSink
from leads_pipeline.observe.alerts.store import (
    ALERTS_SCHEMA,
    OpenAlert,
    acknowledge,
    ensure_alerts_table,
    open_alerts,
    unknown_alert_ids,
)

__all__ = [
    "ALERTS_SCHEMA",
    "CONTENT_FLAGGED",
    "DELIVERY_FAILED",
    "DUPLICATE_FILE",
    "HELD_FILE",
    "HUB_KEY",
    "LOAD_FAILED",
    "REFUSED_FILE",
    "REJECTED_SHARE",
    "RUN_FAILED",
    "SCHEMA_DRIFT",
    "STALE_SOURCE",
    "STATE_KINDS",
    "TESTS_FAILED",
    "Alert",
    "Alerter",
    "ConsoleSink",
    "OpenAlert",
    "Severity",
    "TableSink",
    "Target",
    "acknowledge",
    "unknown_alert_ids",
    "as_apprise_url",
    "deliver",
    "drift_alert",
    "ensure_alerts_table",
    "freshness_alerts",
    "hub_alerts",
    "ingest_alerts",
    "open_alerts",
    "run_failed_alert",
    "targets_for",
    "transform_alerts",
]
