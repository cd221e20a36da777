"""Alert delivery through Apprise is bounded as a whole: a server that answers one byte at a time,
or one that never answers, cannot hold the run past LEADS_WEBHOOK_TIMEOUT_SECONDS, and its failure
is a warning, never a failed run. What arrives is redacted; the settings map onto Apprise URLs."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from leads_pipeline.config.settings import AlertSettings
from leads_pipeline.observe.alerts import (
    DELIVERY_FAILED,
    Alert,
    Alerter,
    ConsoleSink,
    Target,
    as_apprise_url,
    deliver,
    targets_for,
)
from leads_pipeline.observe.redact import Redactor, redactor_for

SECRET = "dripSECRETtoken"
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
DRIP_SECONDS = 0.5


class Drip:
    """What the dripping server managed to send before the client hung up."""

    sent = 0
    hung_up = threading.Event()


@pytest.fixture
def dripping_server() -> Iterator[str]:
    """A webhook that reads the POST, then sends its answer one byte every DRIP_SECONDS: each byte
    comes well within a socket timeout, the whole answer takes ANSWER's length times that."""
    stop = threading.Event()
    Drip.sent, Drip.hung_up = 0, threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            for byte in ANSWER:
                if stop.wait(DRIP_SECONDS):
                    return
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    Drip.hung_up.set()  # the client hung up
                    return
                Drip.sent += 1

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook?token={SECRET}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def test_a_dripping_webhook_is_abandoned_at_the_timeout(dripping_server: str):
    assert len(ANSWER) * DRIP_SECONDS > 15  # the whole answer would take far longer than the bound below
    failed = deliver([Target("LEADS_WEBHOOK_URL", dripping_server)], [Alert("run_failed", "error", "x")], "db", 1.0)
    # Abandoned mid-answer: the server had sent only a few bytes when delivery gave up.
    assert Drip.sent < len(ANSWER) // 4
    assert list(failed.values()) == ["no answer within 1 s"]
    assert SECRET not in str(failed.values()) and "127.0.0.1" not in str(failed.values())


def test_a_dripping_webhook_is_a_warning_that_names_no_url(dripping_server: str):
    printed: list[Alert] = []
    alerter = Alerter(
        [ConsoleSink(printed.append)],
        [Target("LEADS_WEBHOOK_URL", dripping_server)],
        Redactor.from_environment(extra=[dripping_server]),
        context="leads.duckdb",
        timeout=1.0,
    )
    sent = alerter.emit([Alert("stale_source", "warning", "source_1 has no file this month", source="source_1")])
    assert Drip.sent < len(ANSWER) // 4  # the answer was abandoned, not waited for
    assert [a.kind for a in sent] == ["stale_source"]
    failures = [a for a in printed if a.kind == DELIVERY_FAILED]
    assert [(a.severity, a.message.split(":")[0]) for a in failures] == [
        ("warning", "the alert target from LEADS_WEBHOOK_URL did not take 1 alert(s)")
    ]
    assert "no answer within 1 s" in failures[0].message and "Check LEADS_WEBHOOK_URL" in failures[0].message
    assert SECRET not in failures[0].message and "127.0.0.1" not in failures[0].message


@pytest.fixture
def endpoint() -> Iterator[tuple[str, list[bytes]]]:
    """A webhook that takes every POST at once; its URL and the bodies it received."""
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            received.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def test_an_apprise_url_gets_the_alerts_redacted(endpoint, monkeypatch):
    """LEADS_ALERT_URLS with Apprise's JSON service: one message, worst first, no secret in it."""
    address, received = endpoint
    monkeypatch.setenv("SOURCES__FILESYSTEM__CREDENTIALS__AWS_SECRET_ACCESS_KEY", "awsSECRETkey42")
    settings = AlertSettings(alert_urls=f"json://{address}/hook, json://{address}/second")
    redact = redactor_for(SimpleNamespace(alerts=settings))
    alerter = Alerter([], targets_for(settings), redact, context="leads.duckdb", timeout=5.0)
    alerter.emit(
        [
            Alert("stale_source", "warning", "source_1 has no file this month", source="source_1"),
            Alert("run_failed", "error", "could not list s3://loader:pw123456@bucket with key awsSECRETkey42"),
        ]
    )
    assert len(received) == 2  # both URLs of the setting
    payload = json.loads(received[0])
    assert payload["title"] == "leads pipeline (leads.duckdb): 2 alerts (1 error, 1 warning)"
    assert payload["type"] == "failure"
    assert payload["message"].splitlines() == [
        "error run_failed: could not list s3://loader:***@bucket with key ***",
        "warning stale_source source_1: source_1 has no file this month",
    ]
    assert b"awsSECRETkey42" not in received[0] and b"pw123456" not in received[0]


def test_an_unreachable_target_is_reported_not_raised():
    """Nothing listens on the port: the delivery says so, it does not raise."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    failed = deliver([Target("LEADS_ALERT_URLS", f"json://127.0.0.1:{port}/")], [Alert("x", "info", "m")], "db", 5.0)
    assert list(failed.values()) == ["the JSON service refused the message or could not be reached"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://hooks.example.test/in?token=abc", "json://hooks.example.test/in?-token=abc"),
        ("https://user:pw@hooks.example.test:8443/in", "jsons://user:pw@hooks.example.test:8443/in"),
        ("https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX", None),  # Apprise's Slack
        ("mailto://user:pw@example.test", None),
    ],
)
def test_webhook_settings_map_onto_apprise_urls(url, expected):
    assert as_apprise_url(url) == (expected or url)


def test_every_setting_names_targets():
    settings = AlertSettings(
        alert_urls="slack://T/B/C,  mailto://u:p@example.test",
        slack_webhook_url="https://hooks.slack.com/services/T/B/C",
        webhook_url="http://hooks.example.test/in",
    )
    assert [(t.setting, t.url) for t in targets_for(settings)] == [
        ("LEADS_ALERT_URLS", "slack://T/B/C"),
        ("LEADS_ALERT_URLS", "mailto://u:p@example.test"),
        ("LEADS_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/C"),
        ("LEADS_WEBHOOK_URL", "http://hooks.example.test/in"),
    ]
