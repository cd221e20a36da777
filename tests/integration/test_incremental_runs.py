"""A run costs what is new: lookups read only new loads, and a run with nothing new skips dbt."""

from __future__ import annotations

import duckdb
import pytest

from benchmarks.run import _lookups
from leads_pipeline.run.pipeline import Progress, execute
from tests.conftest import REAL_FILES

pytestmark = pytest.mark.slow  # builds the dbt project


def runs_log(settings) -> list[tuple]:
    with duckdb.connect(str(settings.database)) as con:
        return con.execute("SELECT command, outcome, message FROM main_audit.runs ORDER BY started_at").fetchall()


def test_a_run_with_nothing_new_skips_the_transform_and_says_so(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    first = execute(settings, "leads run", True, True)
    assert first.transform is not None and first.transform_skipped is None
    again = execute(settings, "leads run", True, True)
    assert again.transform is None
    assert again.transform_skipped and "no new file" in again.transform_skipped
    assert runs_log(settings)[-1] == ("leads run", "success", again.transform_skipped)


def test_a_new_file_or_a_failed_build_makes_the_next_run_transform(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    execute(settings, "leads run", True, True)
    source_3 = real_bucket / REAL_FILES["source_3"]
    source_3.with_name("source_3_20241201.csv").write_bytes(source_3.read_bytes().replace(b"SOMERSET", b"SAN ANTONIO"))
    # the file is loaded by `ingest` alone: the next `run` has no new file but new data
    execute(settings, "leads ingest", True, False)
    later = execute(settings, "leads run", True, True)
    assert later.transform is not None and later.transform_skipped is None
    with duckdb.connect(str(settings.database)) as con:
        con.execute("DROP TABLE main_gold.leads")
    rebuilt = execute(settings, "leads run", True, True)
    assert rebuilt.transform is not None


def test_an_explicit_transform_always_runs(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    execute(settings, "leads run", True, True)
    assert execute(settings, "leads transform", False, True).transform is not None


def test_lookups_read_only_the_loads_they_have_not_seen(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    messages: list[str] = []
    first = execute(settings, "leads ingest", True, False, Progress(message=messages.append))
    # Each lookup that parsed values says how many and how long, in the line the benchmark reads.
    timed = {name: count for name, count, _ in _lookups(messages)}
    assert timed == {name: count for name, count in first.lookups.items() if count}
    assert timed["phones"] > 0
    with duckdb.connect(str(settings.database)) as con:
        loads = {r[0] for r in con.execute("SELECT load_id FROM raw._dlt_loads").fetchall()}
        assert {r[0] for r in con.execute("SELECT load_id FROM main_audit.lookup_loads").fetchall()} == loads
        # forget one parsed phone: with no new load it is not read again
        con.execute("DELETE FROM lookup.phones WHERE raw_value = '346-393-9400'")
    nothing_new = execute(settings, "leads ingest", True, False)
    assert nothing_new.lookups["phones"] == 0
    source_1 = real_bucket / REAL_FILES["source_1"]
    source_1.with_name("source_1_20241201.csv").write_bytes(source_1.read_bytes())
    source_1.unlink()
    # the same content under a new name is a duplicate; a changed copy is a new load with the phone
    newer = source_1.with_name("source_1_20241201.csv")
    newer.write_bytes(newer.read_bytes().replace(b"CLARK", b"NYE"))
    added = execute(settings, "leads ingest", True, False)
    assert added.lookups["phones"] == 1
    with duckdb.connect(str(settings.database)) as con:
        assert con.execute("SELECT count(*) FROM lookup.phones WHERE raw_value = '346-393-9400'").fetchone()[0] == 1


def staged(settings, table: str = "stg_source_3__facilities") -> list[tuple]:
    with duckdb.connect(str(settings.database)) as con:
        return con.execute(f"SELECT load_id, count(*) FROM main_staging.{table} GROUP BY 1 ORDER BY 1").fetchall()


def test_staging_appends_each_new_load_once(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    execute(settings, "leads run", True, True)
    source_3 = real_bucket / REAL_FILES["source_3"]
    source_3.with_name("source_3_20241201.csv").write_bytes(source_3.read_bytes().replace(b"SOMERSET", b"SAN ANTONIO"))
    execute(settings, "leads run", True, True)
    execute(settings, "leads transform", False, True)  # nothing new: appends nothing
    with duckdb.connect(str(settings.database)) as con:
        raw = con.execute("SELECT _dlt_load_id, count(*) FROM raw.source_3_raw GROUP BY 1 ORDER BY 1").fetchall()
    assert staged(settings) == raw
    assert [n for _, n in raw] == [29, 29]


def test_a_changed_dbt_project_restages_every_row(real_bucket, settings_for, monkeypatch):
    from leads_pipeline.stages.transform import state as transform_state

    settings = settings_for(real_bucket)
    execute(settings, "leads run", True, True)
    with duckdb.connect(str(settings.database)) as con:
        con.execute("UPDATE main_staging.stg_source_1__facilities SET company = 'STALE'")

    def stale_count() -> int:
        with duckdb.connect(str(settings.database)) as con:
            sql = "SELECT count(*) FROM main_staging.stg_source_1__facilities WHERE company = 'STALE'"
            return con.execute(sql).fetchone()[0]

    execute(settings, "leads transform", False, True)
    assert stale_count() == 70, "an unchanged project stages only new loads"
    monkeypatch.setattr(transform_state, "project_digest", lambda _settings: "a changed project")
    execute(settings, "leads transform", False, True)
    assert stale_count() == 0
