"""Values parsed in Python never turn into NULLs without a word: a lookup table that is missing
stops the transform, and a built table whose parsed columns are all NULL fails its tests."""

from __future__ import annotations

import duckdb
import pytest

from leads_pipeline.config.errors import TransformError
from leads_pipeline.run.pipeline import execute
from leads_pipeline.stages.transform.dbt import run_dbt
from leads_pipeline.stages.transform.phases import run_transform

pytestmark = pytest.mark.slow  # builds the dbt project


def test_a_missing_lookup_table_stops_the_transform(real_bucket, settings_for):
    settings = settings_for(real_bucket)
    execute(settings, "leads ingest", True, False)
    with duckdb.connect(str(settings.database)) as con:
        con.execute("DROP TABLE lookup.phones")
    with pytest.raises(TransformError, match=r"table lookup\.phones does not exist; it is written by `leads ingest`"):
        run_transform(settings, with_tests=False)


# Each change empties one parsed column, and the test that must notice it; they touch different
# columns, so one copy holds them all.
EMPTIED = {
    "leads_phone_parsed": "UPDATE main_gold.leads SET phone = NULL",
    "leads_address1_parsed": "UPDATE main_gold.leads SET address1 = NULL",
    "not_all_null_int_source_records__current_phone__source": (
        "UPDATE main_intermediate.int_source_records__current SET phone = NULL WHERE source = 'source_2'"
    ),
}


def test_parsed_columns_that_are_all_null_fail_their_tests(real_run, tmp_path):
    database = tmp_path / "copy.duckdb"
    database.write_bytes(real_run.settings.database.read_bytes())
    settings = real_run.settings.with_overrides(database=database)
    with duckdb.connect(str(database)) as con:
        for sql in EMPTIED.values():
            con.execute(sql)
    report = run_dbt(settings, ["test", "--select", "leads int_source_records__current"])
    failed = {n.name for n in report.failed_tests}
    assert set(EMPTIED) <= failed
    # the untouched copy passes the same tests
    clean = run_dbt(real_run.settings, ["test", "--select", "leads int_source_records__current"])
    assert not clean.failed_tests
