"""Opening the DuckDB file says what is wrong with it and what to do: held by another process, not a
DuckDB database (corrupt), or not writable by the current user."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from leads_pipeline.config.errors import LeadsError, LockedError
from leads_pipeline.config.settings import Settings
from leads_pipeline.warehouse import Warehouse, duckdb_failure

HOLD_DATABASE = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("open", flush=True)
time.sleep(600)
"""


def settings_on(database: Path) -> Settings:
    return Settings.load(bucket_url=str(database.parent), database=database, target="duckdb")


def open_error(database: Path, read_only: bool = False) -> LeadsError:
    with pytest.raises(LeadsError) as raised, Warehouse.open(settings_on(database), read_only=read_only):
        pass
    return raised.value


def a_database(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t AS SELECT range AS a, range::VARCHAR AS b FROM range(300000)")
    return path


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(64 * 1024))


def truncated(path: Path) -> None:
    a_database(path)
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 3)


@pytest.mark.parametrize("damage", [random_bytes, truncated], ids=["random bytes", "truncated database"])
@pytest.mark.parametrize("read_only", [False, True], ids=["write", "read"])
def test_a_file_that_is_not_a_duckdb_database_says_so(tmp_path: Path, damage, read_only: bool):
    database = tmp_path / "x.duckdb"
    damage(database)
    error = open_error(database, read_only)
    message = str(error)
    assert str(database) in message
    assert "is not a readable DuckDB database" in message
    assert "restore it from a backup or delete it to start over" in message
    assert "another process" not in message and "wait" not in message
    assert error.exit_code == 1


def test_a_database_another_process_holds_says_wait(tmp_path: Path):
    database = a_database(tmp_path / "x.duckdb")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_DATABASE, str(database)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        error = open_error(database)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert isinstance(error, LockedError) and error.exit_code == 4
    assert f"another process (PID {holder.pid})" in str(error)
    assert "wait for it to finish" in str(error)
    assert "backup" not in str(error)


@contextmanager
def read_only_folder() -> Iterator[Path]:
    """A folder (mode 0555) holding a database file (mode 0444), its parents open to every user."""
    folder = Path(tempfile.mkdtemp(prefix="leads-read-only-"))
    folder.chmod(0o755)
    try:
        (folder / "data").mkdir()
        a_database(folder / "data" / "x.duckdb").chmod(0o444)
        (folder / "data").chmod(0o555)
        yield folder / "data"
    finally:
        (folder / "data").chmod(0o755)
        shutil.rmtree(folder)


@contextmanager
def without_root() -> Iterator[str]:
    """Act as an ordinary user (root writes whatever the permissions say): the effective user is
    `nobody` for the block when the tests run as root. Yields the name of the acting user."""
    if os.geteuid() != 0:
        yield pwd.getpwuid(os.geteuid()).pw_name
        return
    try:
        nobody = pwd.getpwnam("nobody").pw_uid
    except KeyError:
        pytest.skip("running as root and there is no user `nobody` to act as")
    os.seteuid(nobody)
    try:
        yield "nobody"
    finally:
        os.seteuid(0)


@pytest.mark.parametrize("name", ["x.duckdb", "new.duckdb"], ids=["existing database", "new database"])
def test_a_database_the_user_may_not_write_says_who_can(name: str):
    with read_only_folder() as folder, without_root() as user:
        error = open_error(folder / name)
        owner = pwd.getpwuid(folder.stat().st_uid).pw_name
    message = str(error)
    assert f"cannot write {folder / name}" in message
    assert f"user {user} may not write it" in message
    assert f"owned by {owner}" in message and "mode 0555" in message
    assert "another process" not in message and "backup" not in message
    assert error.exit_code == 1


def test_the_read_only_database_still_opens_for_reading():
    with read_only_folder() as folder, without_root(), Warehouse.open(settings_on(folder / "x.duckdb"), True) as wh:
        assert wh.query("SELECT count(*) FROM t") == [(300000,)]


def test_a_read_only_file_system_says_so(tmp_path: Path):
    """No read-only mount can be made here: DuckDB's own words for it, as it reports them."""
    database = tmp_path / "x.duckdb"
    error = duckdb_failure(
        duckdb.IOException(f'IO Error: Cannot open file "{database}": Read-only file system'), database
    )
    assert error is not None and error.exit_code == 1
    assert f"cannot write {database}: its file system is read-only" in str(error)
    assert "LEADS_DATABASE" in str(error)


def test_an_error_about_something_else_is_not_explained_away(tmp_path: Path):
    assert duckdb_failure(duckdb.CatalogException("Table with name t does not exist!"), tmp_path / "x.duckdb") is None
