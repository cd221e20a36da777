"""The run lock: one writer at a time, a probe that never gets in a run's way, no stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from leads_pipeline.config.errors import LockedError
from leads_pipeline.run import lock as run_lock_module
from leads_pipeline.run.lock import is_locked, run_lock

HOLD_AND_WAIT = """
import sys, time
from pathlib import Path
from leads_pipeline.run.lock import run_lock
with run_lock(Path(sys.argv[1]), "leads run"):
    print("locked", flush=True)
    time.sleep(600)
"""


def test_a_probe_never_makes_a_run_fail_to_take_the_lock(tmp_path: Path):
    """`leads status` and the sensor probe while runs start: a run must never be refused by a probe."""
    lock = tmp_path / "leads.duckdb.lock"
    with run_lock(lock, "leads run"):
        pass  # the file exists, as it does after any run
    stop = threading.Event()
    probes = 0

    def probe() -> None:
        nonlocal probes
        while not stop.is_set():
            is_locked(lock)
            probes += 1

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    refused = 0
    try:
        for _ in range(3000):
            try:
                with run_lock(lock, "leads run"):
                    pass
            except LockedError:
                refused += 1
    finally:
        stop.set()
        prober.join()
    assert probes > 100, "the probe did not run alongside the runs"
    assert refused == 0, f"{refused} of 3000 runs were refused while only a probe looked at the lock"


@pytest.mark.parametrize("open_file_locks", [True, False], ids=["ofd", "flock fallback"])
def test_the_probe_sees_a_held_lock_and_a_second_run_is_refused(tmp_path: Path, monkeypatch, open_file_locks: bool):
    monkeypatch.setattr(run_lock_module, "OFD_LOCKS", open_file_locks and run_lock_module.OFD_LOCKS)
    lock = tmp_path / "leads.duckdb.lock"
    assert not is_locked(lock)
    with run_lock(lock, "leads run"):
        assert is_locked(lock)
        refused = pytest.raises(LockedError, match=r"another run holds leads\.duckdb: pid \d+ .*`leads run`")
        with refused, run_lock(lock, "leads ingest"):
            pass
        assert is_locked(lock), "probing or a refused run must not release the holder's lock"
    assert not is_locked(lock)


def test_the_probe_needs_only_to_read_the_lock_file(tmp_path: Path):
    lock = tmp_path / "leads.duckdb.lock"
    with run_lock(lock, "leads run"):
        lock.chmod(0o444)
        assert is_locked(lock)
    assert not is_locked(lock)


def test_a_killed_run_leaves_no_stale_lock(tmp_path: Path):
    lock = tmp_path / "leads.duckdb.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_AND_WAIT, str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert is_locked(lock)
        with pytest.raises(LockedError, match=f"pid {holder.pid}"), run_lock(lock):
            pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    assert not is_locked(lock)
    with run_lock(lock, "leads run"):
        assert is_locked(lock)
