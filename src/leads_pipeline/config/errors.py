"""Errors a user can act on. Each message says what is wrong and what to do."""

from __future__ import annotations

import errno
import os
import pwd
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path


class LeadsError(Exception):
    """Base for errors the CLI reports as one line and a non-zero exit code."""

    exit_code = 1


class ConfigError(LeadsError):
    """A setting, the source registry or a profile is wrong."""

    exit_code = 2


class BucketError(LeadsError):
    """The bucket cannot be listed or read (missing, unreachable, bad credentials)."""

    exit_code = 3


class LockedError(LeadsError):
    """Another run holds the database."""

    exit_code = 4


class TransformError(LeadsError):
    """dbt failed to build a model."""

    exit_code = 5


class FileRejected(LeadsError):
    """One file cannot be loaded at all; the other files still load."""


def file_refused(path: str | Path, code: int) -> LeadsError | None:
    """The operating system refused to write `path` (errno `code`): say why and what to do.

    None for other errors. Disk full, no permission and a read-only disk are not bugs: they need
    the user to act on the machine, so the message names the file and, for permissions, who owns it.
    """
    path = Path(path)
    if code == errno.ENOSPC:
        return LeadsError(
            f"no space left on the disk holding {path}: free space there (`df -h {path.parent}` shows it) and run again"
        )
    if code in (errno.EACCES, errno.EPERM):
        user = _user_name(os.geteuid())
        return LeadsError(
            f"cannot write {path}: user {user} may not write it ({_ownership(path)}); run as a user who "
            f"can, or give {user} write access to the file and its folder"
        )
    if code == errno.EROFS:
        return LeadsError(
            f"cannot write {path}: its file system is read-only; mount it writable or put the database "
            "on a writable disk (--database or LEADS_DATABASE)"
        )
    return None


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _ownership(path: Path) -> str:
    """Who may write the file and its folder, as far as this user can see: owners and modes."""
    seen = []
    for label, item in (("the file", path), (f"its folder {path.parent}", path.parent)):
        try:
            info = item.stat()
        except OSError:
            continue
        seen.append(f"{label} is owned by {_user_name(info.st_uid)}, mode {stat.S_IMODE(info.st_mode):04o}")
    return "; ".join(seen) or "its folder cannot be read"


QUOTED_PATH = re.compile(r'"(/[^"]+)"')  # the file an error is about, as DuckDB and others quote it

# DuckDB's words when work it cannot spill to disk needs more than its memory limit.
OUT_OF_MEMORY = "Out of Memory Error"


def out_of_memory_advice(text: str) -> str:
    """What to do when `text` is DuckDB running out of memory under LEADS_MEMORY_LIMIT; else ""."""
    if OUT_OF_MEMORY not in text:
        return ""
    return (
        "DuckDB needed more memory than LEADS_MEMORY_LIMIT gives it for work it cannot spill to disk: "
        "raise LEADS_MEMORY_LIMIT (e.g. 4GB) and run again"
    )


def advised(message: str, cause: str) -> str:
    """`message`, followed by what to do when its `cause` is DuckDB running out of memory."""
    advice = out_of_memory_advice(cause)
    return f"{message}; {advice}" if advice else message


def as_leads_error(exc: BaseException, database: Path | None = None) -> LeadsError | None:
    """The error a user can act on behind `exc` or anything it wraps; None when it is a bug.

    dlt and dbt wrap what failed under them in errors of their own: the cause is looked for along
    the whole chain. `database` is the DuckDB file the run uses, for DuckDB's errors about it.
    """
    duckdb = sys.modules.get("duckdb")  # an error from DuckDB means it is loaded
    for cause in _causes(exc):
        if isinstance(cause, LeadsError):
            return cause
        if isinstance(cause, OSError) and cause.filename and (known := file_refused(cause.filename, cause.errno)):
            return known
        if duckdb is not None and database is not None and isinstance(cause, duckdb.Error):
            from leads_pipeline.warehouse import duckdb_failure

            if known := duckdb_failure(cause, database):
                return known
        if os.strerror(errno.ENOSPC) in str(cause):
            quoted = QUOTED_PATH.search(str(cause))
            return file_refused(quoted.group(1) if quoted else database or Path.cwd(), errno.ENOSPC)
        if OUT_OF_MEMORY in str(cause):
            return LeadsError(advised(str(cause).splitlines()[0], str(cause)))
    return None


def is_interrupt(exc: BaseException) -> bool:
    """Whether `exc` is, or wraps, a Ctrl-C (SIGINT): Python's KeyboardInterrupt (dlt's own signal
    exception is one, wrapped in its step's error) or DuckDB's interrupted query."""
    duckdb = sys.modules.get("duckdb")
    return any(
        isinstance(cause, KeyboardInterrupt) or (duckdb is not None and isinstance(cause, duckdb.InterruptException))
        for cause in _causes(exc)
    )


def _causes(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
