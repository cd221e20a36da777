"""One writer per database: an OS file lock beside it, naming its holder.

DuckDB allows a single writing process. A second `leads run` must not wait on DuckDB's own lock or
fail half-way through: it takes this lock first and, when another run holds it, stops at once and
says who. The OS releases the lock when the holder dies, even by SIGKILL, so it never goes stale.

The lock is an open file description lock (Linux's `F_OFD_SETLK`): like `flock` it belongs to the
open file, so the OS drops it when the holder closes the file or dies, and two opens of the file
conflict even in one process. Unlike `flock`, it can be probed without taking it (`F_OFD_GETLK`):
`leads status`, the CLI's early check and the Dagster sensor only ask, so a run starting at that
instant is never refused because of them. Classic POSIX locks (`lockf`) can be probed too, but they
belong to the process: its own probe never sees them, and any close of the file in the holder drops
them. Where the OS has no open file description locks (macOS), `flock` is used and the probe takes
the lock for an instant, as the only way to ask.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from leads_pipeline.config.errors import LockedError

OFD_LOCKS = hasattr(fcntl, "F_OFD_SETLK")


class _Flock(ctypes.Structure):
    """Linux's `struct flock` with 64-bit offsets, as the F_OFD_* commands read it."""

    _fields_ = [
        ("l_type", ctypes.c_short),
        ("l_whence", ctypes.c_short),
        ("l_start", ctypes.c_int64),
        ("l_len", ctypes.c_int64),
        ("l_pid", ctypes.c_int),
    ]


def _whole_file(lock_type: int) -> bytes:
    """A lock request on the whole file, whatever it grows to (l_len 0); l_pid must be 0."""
    return bytes(_Flock(l_type=lock_type, l_whence=os.SEEK_SET, l_start=0, l_len=0, l_pid=0))


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock without waiting; False when another open file holds it."""
    try:
        if OFD_LOCKS:
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, _whole_file(fcntl.F_WRLCK))
        else:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def _held_by_another(fd: int) -> bool:
    """Whether another open file holds the lock, asked without taking it (see the module's docstring)."""
    if OFD_LOCKS:
        answer = fcntl.fcntl(fd, fcntl.F_OFD_GETLK, _whole_file(fcntl.F_WRLCK))
        return _Flock.from_buffer_copy(answer).l_type != fcntl.F_UNLCK
    if not _try_lock(fd):
        return True
    fcntl.flock(fd, fcntl.LOCK_UN)
    return False


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
        if not _try_lock(handle.fileno()):
            raise LockedError(
                f"another run holds {lock_path.name.removesuffix('.lock')}: {describe_holder(lock_path)}; "
                "wait for it to finish (`leads status` shows it)"
            )
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
    """True while a run holds the lock (for status and the sensor, which only read)."""
    try:
        with lock_path.open("r", encoding="utf-8") as handle:
            return _held_by_another(handle.fileno())
    except FileNotFoundError:
        return False
