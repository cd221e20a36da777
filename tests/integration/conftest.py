"""Shared integration fixtures: one pipeline run over the real samples, and an HTTP receiver
standing in for alert webhooks."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from leads_pipeline.config.settings import Settings
from leads_pipeline.run.pipeline import RunReport, execute


@dataclass
class PipelineRun:
    settings: Settings
    report: RunReport

    # Not read-only: dbt's DuckDB adapter may still hold the file open in this process, and DuckDB
    # refuses a second connection with another configuration.
    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.settings.database)) as con:
            return con.execute(sql, params or []).fetchall()

    def dicts(self, sql: str, params: list | None = None) -> list[dict]:
        with duckdb.connect(str(self.settings.database)) as con:
            cursor = con.execute(sql, params or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def run_pipeline(bucket: Path, database: Path) -> PipelineRun:
    """`leads run` into a fresh database (the unit tests run only where none passed on the project)."""
    settings = Settings.load(bucket_url=str(bucket), database=database, target="duckdb")
    return PipelineRun(settings, execute(settings, "run", do_ingest=True, do_transform=True))


@pytest.fixture(scope="session")
def real_run(real_dir, tmp_path_factory) -> PipelineRun:
    """`leads run` over a private copy of the real bucket, in a fresh database, with dbt's state
    in a folder of its own: the unit tests run here whatever passed before on the worker."""
    folder = tmp_path_factory.mktemp("real_run")
    bucket = folder / "bucket"
    shutil.copytree(real_dir, bucket, ignore=shutil.ignore_patterns("*.md"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(folder / "dbt-target"))
        return run_pipeline(bucket, folder / "leads.duckdb")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST. Paths starting /fail answer 500; /slow answer only once released."""

    base_url: str
    requests: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return self.base_url + path

    def bodies(self) -> str:
        return "\n".join(r.body.decode("utf-8", "replace") + r.path for r in self.requests)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append(Received(self.path, dict(self.headers), body))
            if self.path.startswith("/slow"):
                state.release.wait(10)
            status = 500 if self.path.startswith("/fail") else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"server error")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state = Receiver(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
