"""One writer per database: an OS file lock beside it, naming its holder.

DuckDB allows a single writing process. A second `leads run` must not wait on DuckDB's own lock or
fail half-way through: it takes this lock first and, when another run holds it, stops at once and
says who. The OS releases the lock when the holder dies, even by SIGKILL, so it never goes stale.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from leads_pipeline.errors import LockedError


def describe_holder(lock_path: Path) -> str:
    try:
        holder = json.loads(lock_path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another process"
    return (
        f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} "
        f"(`{holder.get('command', '?')}`, started {holder.get('started', '?')})"
    )


@contextmanager
def run_lock(lock_path: Path, command: str | None = None) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(
                f"another run holds {lock_path.name.removesuffix('.lock')}: {describe_holder(lock_path)}; "
                "wait for it to finish (`leads status` shows it)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "command": command or " ".join(["leads", *sys.argv[1:]]),
                    "started": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
        )
        handle.flush()
        yield
    finally:
        handle.close()


def is_locked(lock_path: Path) -> bool:
    """True while a run holds the lock (for status, which only reads)."""
    if not lock_path.exists():
        return False
    with lock_path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False
