"""The match keys' pre-hook commits its deletes before the model's own transaction (so the memory
the deletes hold is released before the model's query runs). A run that fails after the hook
therefore leaves the keys of the rewritten records deleted and not yet collected again: the next
run must collect them, so the keys equal those of a warehouse whose run never failed.
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from leads_demo import generate_bucket
from leads_pipeline.config.settings import Settings
from leads_pipeline.run.pipeline import execute
from leads_pipeline.stages.transform.dbt import TransformError, run_dbt
from leads_pipeline.stages.transform.phases import run_transform
from leads_pipeline.warehouse import Warehouse
from tests.integration.test_current_records import match_keys

pytestmark = pytest.mark.slow  # four dbt builds

KEYS = "int_match_keys__collected"
HISTORY = "main_intermediate.int_source_records__versioned"
CURRENT = "main_intermediate.int_source_records__current"


def keys_of_rewritten_records(settings: Settings) -> int:
    """How many keys the records the current records' latest run rewrote hold."""
    with Warehouse.open(settings) as warehouse:
        return warehouse.query(
            f"SELECT count(*) FROM main_intermediate.{KEYS} AS keys "
            f"INNER JOIN {CURRENT} AS records ON records.record_index = keys.record_index "
            f"WHERE records.versioned_at = (SELECT max(versioned_at) FROM {CURRENT})"
        )[0][0]


def test_a_run_that_failed_after_the_hook_is_made_whole_by_the_next(tmp_path):
    generated = tmp_path / "generated"
    summary = generate_bucket(generated, rows=80, months=2, seed=11, start=date(2024, 1, 1), truth=False)
    first, second = (day.strftime("%Y%m%d") for day in summary.snapshots)
    bucket = tmp_path / "bucket"

    def land(day: str) -> None:
        for path in generated.rglob(f"*_{day}.csv"):
            target = bucket / path.relative_to(generated)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)

    land(first)
    failing = Settings.load(bucket_url=str(bucket), database=tmp_path / "failing.duckdb", target="duckdb")
    execute(failing, "leads run", do_ingest=True, do_transform=True)
    land(second)
    execute(failing, "leads ingest", do_ingest=True, do_transform=False)
    unbroken = Settings.load(bucket_url=str(bucket), database=tmp_path / "unbroken.duckdb", target="duckdb")
    shutil.copy(failing.database, unbroken.database)

    # The second month up to the current records, then the match keys with their history gone:
    # the pre-hook runs and commits, the model's query fails.
    run_dbt(failing, ["run", "--select", "+int_source_records__current"])
    with Warehouse.open(failing) as warehouse:
        warehouse.execute(f"ALTER TABLE {HISTORY} RENAME TO versioned_away")
    with pytest.raises(TransformError, match=KEYS):
        run_dbt(failing, ["run", "--select", KEYS])
    with Warehouse.open(failing) as warehouse:
        warehouse.execute("ALTER TABLE main_intermediate.versioned_away RENAME TO int_source_records__versioned")
    assert keys_of_rewritten_records(failing) == 0, "the hook deleted the rewritten records' keys"

    run_transform(failing, with_tests=False)
    run_transform(unbroken, with_tests=False)
    assert keys_of_rewritten_records(failing) > 0, "the next run collected them again"
    assert match_keys(failing) == match_keys(unbroken)
