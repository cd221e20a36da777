"""The models stamped with the record history's `compared_at` are tested only on what a run wrote."""

from __future__ import annotations

import duckdb
import pytest

from leads_pipeline.run.pipeline import execute

pytestmark = pytest.mark.slow  # builds the dbt project


def test_stamped_models_tests_read_only_the_keys_written_after_the_last_passing_build(real_bucket, settings_for):
    """The models stamped with the history's `compared_at` are tested only on the keys written
    after the stamp a passing build recorded; a failing build records nothing, and a full refresh
    forgets the stamp."""
    settings = settings_for(real_bucket)

    def failures(report) -> dict[str, int | None]:
        return {n.name: n.failures for n in report.failed_tests}

    first = execute(settings, "leads run", True, True).transform
    assert first is not None and not first.failed_tests
    current = "main_intermediate.int_source_records__current"
    with duckdb.connect(str(settings.database)) as con:
        [(latest,)] = con.execute(
            "SELECT max(compared_at) FROM main_intermediate.int_source_records__versioned"
        ).fetchall()
        assert con.execute("SELECT compared_at FROM main_audit.tested_comparisons").fetchall() == [(latest,)]
        # a record written before the stamp is not read again by the tests that opt in (the mart
        # built from it reads every row, and catches it)...
        first_key = f"natural_key = (SELECT min(natural_key) FROM {current})"
        [(seen,)] = con.execute(f"SELECT first_seen_date FROM {current} WHERE {first_key}").fetchall()
        con.execute(f"UPDATE {current} SET first_seen_date = NULL WHERE {first_key}")
    spoiled = execute(settings, "leads transform", False, True).transform
    assert failures(spoiled) == {"not_null_leads_first_seen_date": 1}
    with duckdb.connect(str(settings.database)) as con:
        con.execute(f"UPDATE {current} SET first_seen_date = ? WHERE {first_key}", [seen])

    with duckdb.connect(str(settings.database)) as con:
        # ...and a key written after it is read whole: its new row meets the one a hook left
        con.execute(
            f"INSERT INTO {current} SELECT * REPLACE (versioned_at + INTERVAL 1 DAY AS versioned_at) FROM {current} "
            f"WHERE natural_key = (SELECT max(natural_key) FROM {current})"
        )
    failing = execute(settings, "leads transform", False, True).transform
    assert failures(failing) == {
        "unique_combination_int_source_records__current_source__natural_key": 1,
        "unique_int_source_records__current_record_index": 1,
        "unique_int_source_records__current_own_lead_id": 1,
    }
    with duckdb.connect(str(settings.database)) as con:
        con.execute(
            f"DELETE FROM {current} WHERE versioned_at > (SELECT compared_at FROM main_audit.tested_comparisons)"
        )
        # the stamp of the last passing build is kept: the failing one recorded nothing
        assert con.execute("SELECT compared_at FROM main_audit.tested_comparisons").fetchall() == [(latest,)]

    # the key whose extra row went is tested again, and passes
    assert not execute(settings, "leads transform", False, True).transform.failed_tests

    with duckdb.connect(str(settings.database)) as con:
        # a new record given a number an unchanged record holds is found through the number
        con.execute(
            f"INSERT INTO {current} SELECT * REPLACE (natural_key || '-new' AS natural_key, "
            "md5(own_lead_id) AS own_lead_id, versioned_at + INTERVAL 1 DAY AS versioned_at) "
            f"FROM {current} WHERE natural_key = (SELECT max(natural_key) FROM {current})"
        )
    reused = execute(settings, "leads transform", False, True).transform
    assert failures(reused) == {"unique_int_source_records__current_record_index": 1}
    with duckdb.connect(str(settings.database)) as con:
        con.execute(
            f"DELETE FROM {current} WHERE versioned_at > (SELECT compared_at FROM main_audit.tested_comparisons)"
        )

    rebuilt = execute(settings, "leads transform", False, True, full_refresh=True).transform
    assert rebuilt is not None and not rebuilt.failed_tests
    with duckdb.connect(str(settings.database)) as con:
        [(restamped,)] = con.execute("SELECT compared_at FROM main_audit.tested_comparisons").fetchall()
        assert restamped > latest  # forgotten as the refresh began, recorded again when it passed
