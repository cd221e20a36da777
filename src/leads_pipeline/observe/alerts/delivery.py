"""Alert delivery beyond the console and the table, through Apprise: Slack, Teams, email, PagerDuty,
a JSON webhook and the rest of Apprise's services, each named by one URL.

`LEADS_ALERT_URLS` holds Apprise URLs (`slack://…`, `msteams://…`, `mailto://…`, `json://…`),
separated by spaces or commas. The earlier settings still work: `LEADS_SLACK_WEBHOOK_URL` (Slack's
`https://hooks.slack.com/…` URL, which Apprise knows) and `LEADS_WEBHOOK_URL`; an http(s) URL that
no Apprise service claims becomes Apprise's JSON POST (`json://`, `jsons://`), its query kept.

Each target gets one message per batch of alerts (worst first). Delivery is bounded as a whole:
every target is sent to in its own thread, and whatever has not answered by the deadline
(`LEADS_WEBHOOK_TIMEOUT_SECONDS`) is abandoned; its thread ends by itself, as each request's
connect and read timeouts end a second after the deadline. A failed target is reported, never raised: alert
delivery must not fail a run. Failure messages name the setting and the service, never the URL.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from leads_pipeline.config.settings import AlertSettings, Env
from leads_pipeline.observe.alerts.model import SEVERITY_RANK, Alert

MAX_LISTED = 20  # alerts named one by one in a message; the rest are counted
NOTIFY_TYPE = {"error": "failure", "warning": "warning", "info": "info"}  # Apprise's notification types
SOCKET_GRACE_SECONDS = 1.0  # how long past the deadline an abandoned delivery may still run

# Apprise's own log lines name the target's host; a failure is reported as an alert instead.
_apprise_log = logging.getLogger("apprise")
_apprise_log.addHandler(logging.NullHandler())
_apprise_log.propagate = False


@dataclass(frozen=True)
class Target:
    """One place alerts go: its Apprise URL and the setting that named it."""

    setting: str
    url: str


def targets_for(alerts: AlertSettings) -> list[Target]:
    """Every configured target: LEADS_ALERT_URLS, then the Slack and JSON webhook settings."""
    found = [Target(Env.ALERT_URLS, url) for url in (alerts.alert_urls or "").replace(",", " ").split()]
    for setting, url in ((Env.SLACK_WEBHOOK_URL, alerts.slack_webhook_url), (Env.WEBHOOK_URL, alerts.webhook_url)):
        if url:
            found.append(Target(setting, url.strip()))
    return found


def as_apprise_url(url: str) -> str:
    """The URL Apprise reads: http(s) becomes json(s):// unless a service of Apprise claims it
    (Slack's and Teams' webhook URLs); query arguments stay the endpoint's (`-name=value`)."""
    import apprise

    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or apprise.Apprise.instantiate(url) is not None:
        return url
    query = urlencode([(f"-{name}", value) for name, value in parse_qsl(parts.query, keep_blank_values=True)])
    scheme = "jsons" if parts.scheme.lower() == "https" else "json"
    return urlunsplit((scheme, parts.netloc, parts.path, query, ""))


def compose(alerts: Sequence[Alert], context: str) -> tuple[str, str, str]:
    """The title, body and Apprise notification type of one message about a batch of alerts."""
    ordered = sorted(alerts, key=lambda a: SEVERITY_RANK[a.severity])
    counts = ", ".join(
        f"{sum(1 for a in alerts if a.severity == s)} {s}"
        for s in SEVERITY_RANK
        if any(a.severity == s for a in alerts)
    )
    title = f"leads pipeline ({context}): {len(alerts)} alert{'s' if len(alerts) != 1 else ''} ({counts})"
    lines = [alert.line() for alert in ordered[:MAX_LISTED]]
    if len(ordered) > MAX_LISTED:
        lines.append(f"and {len(ordered) - MAX_LISTED} more: `leads alerts` lists them")
    return title, "\n".join(lines), NOTIFY_TYPE[ordered[0].severity]


def _send(plugin: Any, title: str, body: str, notify_type: str) -> str | None:
    """Send to one target (in its own thread); why it failed, if it did."""
    import apprise

    try:
        if plugin.notify(body=body, title=title, notify_type=apprise.NotifyType(notify_type)):
            return None
    except Exception as exc:  # noqa: BLE001 - reported as a delivery failure, never raised
        return f"the delivery failed ({type(exc).__name__})"
    return f"the {plugin.service_name} service refused the message or could not be reached"


def deliver(targets: Sequence[Target], alerts: Sequence[Alert], context: str, timeout: float) -> dict[Target, str]:
    """Send one message about `alerts` to every target within `timeout` seconds in all; the targets
    that did not take it, with why."""
    if not targets or not alerts:
        return {}
    import apprise  # loading its services takes seconds: done here, before the deadline starts

    title, body, notify_type = compose(alerts, context)
    failures: dict[Target, str] = {}
    threads = {}
    for target in targets:
        plugin = apprise.Apprise.instantiate(as_apprise_url(target.url))
        if plugin is None:
            failures[target] = "Apprise does not recognise the URL's service"
            continue
        # its own timeouts a little past the deadline: a slow target is reported as slow, and the
        # abandoned thread still ends soon after
        plugin.socket_connect_timeout = plugin.socket_read_timeout = timeout + SOCKET_GRACE_SECONDS

        def send(target: Target = target, plugin: Any = plugin) -> None:
            if (why := _send(plugin, title, body, notify_type)) is not None:
                failures[target] = why

        threads[target] = threading.Thread(target=send, daemon=True, name="leads-alert-delivery")
    for thread in threads.values():
        thread.start()
    end = time.monotonic() + timeout
    for target, thread in threads.items():
        thread.join(max(0.0, end - time.monotonic()))
        if thread.is_alive():  # abandoned: its own timeouts end it soon after
            failures.setdefault(target, f"no answer within {timeout:g} s")
    return dict(failures)
