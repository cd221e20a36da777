"""A run costs what is new: lookups read only new loads, and a run with nothing new skips dbt."""

from __future__ import annotations

import dataclasses

import duckdb
import pyarrow as pa
import pytest

from benchmarks.run import _lookups
from leads_pipeline.run.pipeline import Progress, execute
from leads_pipeline.stages.transform.state import unit_tests_passed
from tests.conftest import REAL_FILES, copy_project

pytestmark = pytest.mark.slow  # builds the dbt project


def runs_log(settings) -> list[tuple]:
    with duckdb.connect(str(settings.database)) as con:
        return con.execute("SELECT command, outcome, message FROM main_audit.runs ORDER BY started_at").fetchall()


def test_a_run_with_nothing_new_skips_the_transform_and_says_so_an_explicit_one_runs(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    first = execute(settings, "leads run", True, True)
    assert first.transform is not None and first.transform_skipped is None
    again = execute(settings, "leads run", True, True)
    assert again.transform is None
    assert again.transform_skipped and "no new file" in again.transform_skipped
    assert runs_log(settings)[-1] == ("leads run", "success", again.transform_skipped)
    assert execute(settings, "leads transform", False, True).transform is not None


def test_a_new_file_or_a_failed_build_makes_the_next_run_transform_and_staging_appends_each_load_once(
    real_bucket, settings_for
):
    settings = settings_for(real_bucket)
    execute(settings, "leads run", True, True)
    source_3 = real_bucket / REAL_FILES["source_3"]
    source_3.with_name("source_3_20241201.csv").write_bytes(source_3.read_bytes().replace(b"SOMERSET", b"SAN ANTONIO"))
    # the file is loaded by `ingest` alone: the next `run` has no new file but new data
    execute(settings, "leads ingest", True, False)
    later = execute(settings, "leads run", True, True)
    assert later.transform is not None and later.transform_skipped is None
    execute(settings, "leads transform", False, True)  # nothing new: appends nothing
    with duckdb.connect(str(settings.database)) as con:
        raw = con.execute("SELECT _dlt_load_id, count(*) FROM raw.source_3_raw GROUP BY 1 ORDER BY 1").fetchall()
    assert staged(settings) == raw
    assert [n for _, n in raw] == [29, 29]
    with duckdb.connect(str(settings.database)) as con:
        con.execute("DROP TABLE main_gold.leads")
    rebuilt = execute(settings, "leads run", True, True)
    assert rebuilt.transform is not None


def test_marts_built_by_an_earlier_version_are_upgraded_in_place(real_bucket, settings_for):
    """Tables an earlier version built whole, without the lineage columns their incremental builds
    keep, take the columns in place, and then hold what a full rebuild holds."""
    settings = settings_for(real_bucket)
    execute(settings, "leads run", True, True)
    with duckdb.connect(str(settings.database)) as con:
        for table, column in (("data_quality_issues", "load_id"), ("lead_changes", "compared_at")):
            con.execute(
                f"CREATE OR REPLACE TABLE main_gold.{table} AS SELECT * EXCLUDE ({column}) FROM main_gold.{table}"
            )
        con.execute("DROP TABLE main_intermediate.int_source_files__reported")
    source_3 = real_bucket / REAL_FILES["source_3"]
    source_3.with_name("source_3_20241201.csv").write_bytes(source_3.read_bytes().replace(b"SOMERSET", b"SAN ANTONIO"))
    assert execute(settings, "leads run", True, True).transform is not None
    queries = {
        "issues": "SELECT * EXCLUDE (load_id) FROM main_gold.data_quality_issues ORDER BY ALL",
        "changes": "SELECT * EXCLUDE (compared_at) FROM main_gold.lead_changes ORDER BY ALL",
    }
    with duckdb.connect(str(settings.database)) as con:
        upgraded = {name: con.execute(query).fetchall() for name, query in queries.items()}
        assert con.execute("SELECT count(load_id) FROM main_gold.data_quality_issues").fetchone()[0] > 0
    execute(settings, "leads transform", False, True, full_refresh=True)
    with duckdb.connect(str(settings.database)) as con:
        assert upgraded == {name: con.execute(query).fetchall() for name, query in queries.items()}


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


def test_changed_rules_restage_every_row(real_bucket, settings_for, monkeypatch):
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
    monkeypatch.setattr(transform_state, "rules_version", lambda _settings, _warehouse=None: "changed rules")
    execute(settings, "leads transform", False, True)
    assert stale_count() == 0


def test_an_edit_that_changes_no_value_restages_nothing(real_bucket, settings_for, tmp_path, monkeypatch):
    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("LEADS_PROJECT_DIR", str(project))
    settings = settings_for(real_bucket)
    execute(settings, "leads run", True, True)
    with duckdb.connect(str(settings.database)) as con:
        con.execute("UPDATE main_staging.stg_source_1__facilities SET company = 'UNTOUCHED'")
    described = project / "leads/models/marts/leads.yml"
    described.write_text(described.read_text().replace("Upper case.", "Upper case, as written."))
    report = execute(settings, "leads run", True, True)
    assert report.transform is not None  # the project changed: the transform ran
    with duckdb.connect(str(settings.database)) as con:
        untouched = con.execute(
            "SELECT count(*) FROM main_staging.stg_source_1__facilities WHERE company = 'UNTOUCHED'"
        ).fetchone()[0]
    assert untouched == 70  # a description is no rule: nothing was staged again


def test_a_changed_parser_parses_its_values_again_and_reaches_the_leads(real_bucket, settings_for, monkeypatch):
    from leads_pipeline.stages.lookups import refresh

    settings = settings_for(real_bucket)
    execute(settings, "leads run", True, True)
    phones = refresh.LOOKUPS["phones"]
    original = phones.parse

    def new_parser(values):
        table = original(values)
        fixed = [
            "+13463939401" if raw == "346-393-9400" else e164
            for raw, e164 in zip(table.column("raw_value").to_pylist(), table.column("e164").to_pylist(), strict=True)
        ]
        return table.set_column(table.column_names.index("e164"), "e164", pa.array(fixed, pa.string()))

    changed = dataclasses.replace(phones, parse=new_parser)
    versioned = refresh.Lookup.version  # the property: a new parser is a new version
    monkeypatch.setitem(refresh.LOOKUPS, "phones", changed)
    monkeypatch.setattr(
        refresh.Lookup, "version", property(lambda self: "2" if self is changed else versioned.fget(self))
    )
    report = execute(settings, "leads run", True, True)  # no new file: the new parser alone makes it work
    assert report.lookups["phones"] > 0 and report.lookups["street_lines"] == 0
    with duckdb.connect(str(settings.database)) as con:
        parsed = con.execute("SELECT e164 FROM lookup.phones WHERE raw_value = '346-393-9400'").fetchall()
        leads = con.execute("SELECT count(*) FROM main_gold.leads WHERE phone = '+13463939401'").fetchone()[0]
    assert parsed == [("+13463939401",)] and leads >= 1


def test_a_full_refresh_recomputes_every_model_from_raw(tmp_path):
    from tests.conftest import DEMO_BUCKET
    from tests.integration.identity.conftest import run_pipeline
    from tests.integration.identity.test_load_order import contents

    database = tmp_path / "tampered.duckdb"
    settings = run_pipeline(DEMO_BUCKET, database, with_tests=False)
    with duckdb.connect(str(database)) as con:
        # Damage the incremental models, as a bug or a hand edit would: no new load repairs them.
        con.execute("DELETE FROM main_intermediate.int_source_records__versioned WHERE change_type = 'updated'")
        con.execute("UPDATE main_staging.stg_source_2__facilities SET company = 'DAMAGED'")
    execute(settings, "leads transform", False, True)
    fresh = tmp_path / "fresh.duckdb"
    run_pipeline(DEMO_BUCKET, fresh, with_tests=False)
    assert contents(database) != contents(fresh)

    report = execute(settings, "leads transform --full-refresh", False, True, full_refresh=True)
    assert not report.transform.failed_tests
    assert contents(database) == contents(fresh)


def test_unit_tests_and_tested_loads_are_tested_again_only_for_another_project_or_after_a_failure(
    real_bucket, settings_for, tmp_path, monkeypatch
):
    """Unit tests test the project's SQL, and a staged row never changes: once passed, they are
    left out until the project changes. A data test of staging reads only the loads no passing
    build has tested."""
    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("LEADS_PROJECT_DIR", str(project))
    settings = settings_for(real_bucket)

    def transform(ingest: bool = False):
        report = execute(settings, "leads run" if ingest else "leads transform", ingest, True).transform
        assert report is not None and report.count("test") > 0  # the data tests always run
        return report

    def phone_test(report) -> tuple[str, int | None]:
        [node] = [n for n in report.nodes if n.name.startswith("matches_pattern_stg_source_3__facilities_phone")]
        return node.status, node.failures

    first = transform(ingest=True)
    assert first.count("unit_test") > 0 and first.unit_tests_passed_at is None
    with duckdb.connect(str(settings.database)) as con:
        loaded = con.execute("SELECT DISTINCT load_id FROM raw.ingested_files WHERE status = 'loaded'").fetchall()
        assert con.execute("SELECT load_id FROM main_audit.tested_loads").fetchall() == loaded
        # a staged row spoiled after its load passed is not read again by the same tests
        con.execute("UPDATE main_staging.stg_source_3__facilities SET phone = 'not a phone' WHERE record_number = 1")
    same_project = transform()
    assert same_project.count("unit_test") == 0 and same_project.unit_tests_passed_at is not None
    # the pass belongs to the project, not to the database's data
    assert unit_tests_passed(settings.with_overrides(database=tmp_path / "another.duckdb")) is not None
    assert phone_test(same_project) == ("pass", None)

    expected = project / "leads/models/intermediate/int_source_records__current.yml"
    expected.write_text(
        expected.read_text().replace("natural_key: A, company: Alpha,", "natural_key: A, company: Omega,")
    )
    failing = transform()
    assert [n.name for n in failing.failed_tests] == ["current_keeps_deleted_records_with_last_sighting"]
    assert phone_test(failing) == ("warn", 1)  # another project: every staged row is tested again
    assert transform().count("unit_test") > 0  # a failure is no pass: they run again
