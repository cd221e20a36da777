"""Shared fixtures: the real agency samples (beside the project), isolated databases, buckets."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_DIR = PROJECT_ROOT.parent / "shared" / "data" / "real"
DEMO_BUCKET = PROJECT_ROOT / "data" / "landing"

# Nothing the tests run may call out.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
# `leads run` records what it built in Dagster's asset catalog: not in the tests (it costs each
# run seconds), except those that ask for it, and then in a throwaway instance.
os.environ["LEADS_DAGSTER_CATALOG"] = "off"
os.environ["DAGSTER_HOME"] = tempfile.mkdtemp(prefix="leads-tests-dagster-")
# Tests run in parallel worker processes (pytest-xdist): each keeps its own dbt manifest, partial
# parse and logs, which concurrent dbt invocations in one project folder would overwrite.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["DBT_TARGET_PATH"] = f"target/{os.environ['PYTEST_XDIST_WORKER']}"
    os.environ["DBT_LOG_PATH"] = f"logs/{os.environ['PYTEST_XDIST_WORKER']}"
    # A worker is started with COLUMNS=80 and LINES=24, which would fix the CLI's console width
    # when it is imported; a test that sets COLUMNS for one command must find it unset.
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)
# gcsfs reads this once, at import: its default (on) asks a gRPC control API that the local
# storage emulator does not have, and waits a minute per bucket for it.
os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")

REAL_FILES = {
    "source_1": "technical_exercise/source_1/source_1_20241101.csv",
    "source_2": "technical_exercise/source_2/source_2_20241101.csv",
    "source_3": "technical_exercise/source_3/source_3_20241101.csv",
    "salesforce": "crm/salesforce_leads_20241101.csv",
}
REAL_RECORDS = {"source_1": 70, "source_2": 28, "source_3": 29, "salesforce": 39}


def copy_project(folder: Path) -> Path:
    """A copy of the dbt project and sources.yml in `folder` (its `leads/` and `sources.yml`), for a
    test that edits them or runs with other sources: the project every other test reads stays as
    it is."""
    shutil.copytree(PROJECT_ROOT / "leads", folder / "leads", ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copy(PROJECT_ROOT / "sources.yml", folder / "sources.yml")
    return folder


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not all((REAL_DIR / f).is_file() for f in REAL_FILES.values()):
        message = (
            f"the real agency samples are not at {REAL_DIR}: check out ../shared beside the "
            "project to run the tests that use them"
        )
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run them: a missing checkout is a broken build, not a skip
        pytest.skip(message)
    return REAL_DIR


BROWSERS = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="session")
def chromium() -> str:
    """A headless browser to open the report in; in CI a missing one fails the test, as ../shared does."""
    found = next((path for path in map(shutil.which, BROWSERS) if path), None)
    if found is None:
        message = "no chromium to open the report in: install it (`apt-get install chromium`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture
def real_bucket(real_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the real bucket that a test may add files to or change."""
    bucket = tmp_path / "bucket"
    shutil.copytree(real_dir, bucket, ignore=shutil.ignore_patterns("*.md"))
    return bucket


@pytest.fixture
def settings_for(tmp_path: Path):
    """Settings on a fresh database in the test's folder, for a given bucket."""
    from leads_pipeline.config.settings import Settings

    def make(bucket: Path | str, database: str = "leads.duckdb") -> Settings:
        return Settings.load(bucket_url=str(bucket), database=tmp_path / database, target="duckdb")

    return make


POSTGRES_ADMIN_DSN = os.environ.get("LEADS_TEST_POSTGRES_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new PostgreSQL database (its DSN), dropped afterwards.

    The server is LEADS_TEST_POSTGRES_ADMIN_DSN (default: the local server's `postgres`
    database). Without a reachable server the test is skipped, except in CI, where it fails.
    """
    import uuid
    from urllib.parse import urlparse, urlunparse

    psycopg2 = pytest.importorskip("psycopg2")
    try:
        admin = psycopg2.connect(POSTGRES_ADMIN_DSN, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        message = (
            f"no PostgreSQL server at {POSTGRES_ADMIN_DSN} ({str(exc).strip()}); set LEADS_TEST_POSTGRES_ADMIN_DSN"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    admin.autocommit = True
    name = f"leads_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(urlparse(POSTGRES_ADMIN_DSN)._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def copied_postgres_database(dsn: str) -> Iterator[str]:
    """A copy of the PostgreSQL database at `dsn` (its DSN), made from it as a template and
    dropped afterwards; nothing may be connected to the original meanwhile."""
    from urllib.parse import urlparse, urlunparse

    import psycopg2

    with fresh_postgres_database() as copy_dsn:
        name = urlparse(copy_dsn).path.lstrip("/")
        admin = psycopg2.connect(POSTGRES_ADMIN_DSN)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE "{name}"')
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{urlparse(dsn).path.lstrip("/")}"')
        admin.close()
        yield urlunparse(urlparse(dsn)._replace(path=f"/{name}"))


@pytest.fixture
def postgres_dsn() -> Iterator[str]:
    """A fresh PostgreSQL database for one test (see fresh_postgres_database)."""
    with fresh_postgres_database() as dsn:
        yield dsn
