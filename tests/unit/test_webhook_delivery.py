"""A webhook's delivery is bounded as a whole: a server that answers one byte at a time cannot hold
the run past LEADS_WEBHOOK_TIMEOUT_SECONDS, and its failure is a warning, never a failed run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from leads_pipeline.observe.alerts import (
    DELIVERY_FAILED,
    Alert,
    Alerter,
    ConsoleSink,
    JsonWebhookSink,
    WebhookDeliveryError,
    post_json,
)
from leads_pipeline.observe.redact import Redactor

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
    with pytest.raises(WebhookDeliveryError, match=r"no answer within 1 s") as raised:
        post_json(dripping_server, {"alerts": []}, timeout=1.0)
    # Abandoned mid-answer: the server had sent only a few bytes, and found the client gone.
    assert Drip.sent < len(ANSWER) // 4
    assert Drip.hung_up.wait(DRIP_SECONDS * 4)
    assert SECRET not in str(raised.value) and "127.0.0.1" not in str(raised.value)


def test_a_dripping_webhook_is_a_warning_that_names_no_url(dripping_server: str):
    printed: list[Alert] = []
    alerter = Alerter(
        [ConsoleSink(printed.append)],
        [JsonWebhookSink(dripping_server, "leads.duckdb", timeout=1.0)],
        Redactor.from_environment(extra=[dripping_server]),
    )
    sent = alerter.emit([Alert("stale_source", "warning", "source_1 has no file this month", source="source_1")])
    assert Drip.sent < len(ANSWER) // 4  # the answer was abandoned, not waited for
    assert [a.kind for a in sent] == ["stale_source"]
    failures = [a for a in printed if a.kind == DELIVERY_FAILED]
    assert [(a.severity, a.message.split(":")[0]) for a in failures] == [
        ("warning", "the JSON webhook did not take 1 alert(s)")
    ]
    assert "no answer within 1 s" in failures[0].message and "LEADS_WEBHOOK_URL" in failures[0].message
    assert SECRET not in failures[0].message and "127.0.0.1" not in failures[0].message


def test_a_quick_webhook_still_takes_the_alerts():
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
        post_json(f"http://127.0.0.1:{server.server_address[1]}/hook", {"alerts": ["one"]}, timeout=5.0)
    finally:
        server.shutdown()
        server.server_close()
    assert received == [b'{"alerts": ["one"]}']
