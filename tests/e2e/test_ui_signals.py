"""`leads ui` becomes Dagster (`dagster dev`) instead of running it as a child: stopping it the way
a service manager or a terminal does (SIGTERM) stops the web server, the daemon and the code
server, and leaves no process of theirs behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leads_pipeline.config.settings import Env
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

STARTUP_LIMIT_SECONDS = 600.0  # Dagster starts four processes; on a busy machine that takes a while
STOP_LIMIT_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent to collect it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_stopping_leads_ui_stops_every_dagster_process(tmp_path: Path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LEADS_")},
        "NO_COLOR": "1",
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        Env.DATABASE: str(tmp_path / "leads.duckdb"),
    }
    log = (tmp_path / "ui.log").open("w")
    ui = subprocess.Popen(
        [str(Path(sys.executable).with_name("leads")), "ui", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        # Started as a shell's background job is (`leads ui &`): with SIGINT ignored, which Dagster's
        # processes would inherit, and then not stop when Dagster passes the stop on to them as SIGINT.
        preexec_fn=ignore_interrupts,
    )
    started = time.monotonic()
    try:
        while not listening(port):
            assert ui.poll() is None, (tmp_path / "ui.log").read_text()[-3000:]
            assert time.monotonic() - started < STARTUP_LIMIT_SECONDS, "the UI never listened"
            time.sleep(0.5)
        cmdline = Path(f"/proc/{ui.pid}/cmdline").read_bytes().split(b"\0")
        assert b"dagster" in cmdline and b"dev" in cmdline  # the leads process itself became Dagster
        below = descendants(ui.pid)
        assert below  # the web server, the daemon, the code server

        ui.send_signal(signal.SIGTERM)
        ui.wait(timeout=STOP_LIMIT_SECONDS)
        stopped = time.monotonic()
        while any(alive(pid) for pid in below) and time.monotonic() - stopped < STOP_LIMIT_SECONDS:
            time.sleep(0.5)
        assert [pid for pid in below if alive(pid)] == []
        assert not listening(port)
    finally:
        for pid in [ui.pid, *descendants(ui.pid)]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        log.close()
