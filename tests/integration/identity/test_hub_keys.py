"""Hub keys: a phone or address shared by thousands of records is matched without pairing all of
them, reported once in data_quality_issues and as an alert; the outcome on normal data is the same."""

from __future__ import annotations

import duckdb
import pytest

from leads_pipeline.config.settings import Settings
from leads_pipeline.observe.alerts import HUB_KEY
from leads_pipeline.run.pipeline import Progress, execute
from tests.conftest import REAL_FILES
from tests.integration.test_ingest_real import read_records, write_records

pytestmark = pytest.mark.slow  # builds the dbt project

COPIES = 200  # each real Texas record 200 times: 5,800 records, 29 phones and addresses repeated
BLOCK = 50


def test_a_degenerate_export_finishes_with_its_hubs_reported(real_bucket, tmp_path, monkeypatch):
    texas = real_bucket / REAL_FILES["source_3"]
    header, rows = read_records(texas)
    key = header.index("Operation")
    copies = []
    for copy in range(COPIES):
        for row in rows:
            changed = list(row)
            changed[key] = f"{row[key]}-{copy}"
            copies.append(changed)
    write_records(texas, header, copies)
    monkeypatch.setenv("LEADS_MAX_BLOCK_SIZE", str(BLOCK))
    settings = Settings.load(bucket_url=str(real_bucket), database=tmp_path / "leads.duckdb")
    raised = []
    report = execute(settings, "leads run", True, True, Progress(alert=raised.append))
    assert not report.transform.failed_tests, [(n.name, n.message) for n in report.transform.failed_tests]

    with duckdb.connect(str(settings.database)) as con:
        hubs = con.execute(
            "SELECT key_type, key_value, records FROM main_intermediate.int_match_keys__hubs ORDER BY 1, 2"
        ).fetchall()
        reported = con.execute(
            "SELECT column_name, raw_value FROM main_gold.data_quality_issues WHERE rule = 'hub_key' ORDER BY 1, 2"
        ).fetchall()
        pairs = con.execute("SELECT count(*) FROM main_intermediate.int_record_pairs__blocked").fetchone()[0]
        texas_leads = con.execute(
            "SELECT count(*), sum(source_record_count) FROM main_gold.leads WHERE sources LIKE '%source_3%'"
        ).fetchone()
        # what the copies of one record share: each copy is that record's facility
        distinct_sites = con.execute(
            "SELECT count(DISTINCT (phone, address1, zip)) FROM main_staging.stg_source_3__facilities "
            "WHERE phone IS NOT NULL AND address1 IS NOT NULL"
        ).fetchone()[0]
    assert hubs and all(records > BLOCK for _, _, records in hubs)
    assert {t for t, _, _ in hubs} == {"phone", "address"}
    assert reported == [(t, v) for t, v, _ in hubs]  # each hub once
    # linear in the records, not quadratic in the hubs (all pairs would be about 200 x 199 / 2 per hub)
    assert pairs < 20 * len(copies)
    alerted = {a.details["key_value"] for a in raised if a.kind == HUB_KEY}
    assert alerted == {v for _, v, _ in hubs}
    # The copies of a record share its phone and address: they are one lead, as the contract says.
    assert texas_leads[1] == len(copies) and texas_leads[0] <= distinct_sites + len(rows)
