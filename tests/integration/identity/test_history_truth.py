"""Leads, changes and file loads of a three-month generated bucket against the generator's truth."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from leads_demo.score import pairwise_scores
from tests.integration.identity.conftest import LEAD_SOURCES, query, truth_rows

pytestmark = pytest.mark.slow  # builds the dbt project

SOURCE_ORDER = {source: rank for rank, source in enumerate(LEAD_SOURCES)}


@pytest.fixture(scope="module")
def truth(history_bucket: Path) -> Path:
    return history_bucket / "_truth"


@pytest.fixture(scope="module")
def lead_of(history_db: Path) -> dict[tuple[str, str], str]:
    rows = query(history_db, "SELECT source, natural_key, lead_id FROM main_intermediate.int_source_records__clustered")
    return {(source, key): lead for source, key, lead in rows}


def test_pairwise_precision_and_recall_are_at_least_99_percent(truth, lead_of):
    scores = pairwise_scores(truth, lead_of)
    assert scores.true_pairs > 500
    assert scores.precision >= 0.99, scores
    assert scores.recall >= 0.99, scores


def test_every_source_record_ever_seen_is_in_exactly_one_lead(history_db, truth, lead_of):
    listings = {(r["source"], r["natural_key"]) for r in truth_rows(truth, "records.csv")}
    assert set(lead_of) == listings
    merged, leads, distinct = query(
        history_db, "SELECT sum(source_record_count), count(*), count(DISTINCT lead_id) FROM main_gold.leads"
    )[0]
    assert merged == len(listings)
    assert leads == distinct == len(set(lead_of.values()))


def test_lead_changes_are_the_truth_events(history_db, truth):
    expected = {
        (r["source"], r["natural_key"], r["snapshot_date"], r["change_type"], r["changed_columns"] or None)
        for r in truth_rows(truth, "events.csv")
    }
    rows = query(
        history_db,
        "SELECT source, natural_key, strftime(snapshot_date, '%Y-%m-%d'), change_type, changed_columns "
        "FROM main_gold.lead_changes",
    )
    assert len(rows) == len(set(rows))
    assert set(rows) == expected


def test_leads_are_active_and_seen_as_their_records_were(history_db, truth, lead_of):
    final = max(r["last_snapshot_date"] for r in truth_rows(truth, "records.csv"))
    expected: dict[str, list] = defaultdict(lambda: [None, None, False])
    for r in truth_rows(truth, "records.csv"):
        seen = expected[lead_of[(r["source"], r["natural_key"])]]
        seen[0] = min(filter(None, [seen[0], r["first_snapshot_date"]]))
        seen[1] = max(filter(None, [seen[1], r["last_snapshot_date"]]))
        seen[2] = seen[2] or r["last_snapshot_date"] == final
    rows = query(
        history_db,
        "SELECT lead_id, strftime(first_seen_date, '%Y-%m-%d'), strftime(last_seen_date, '%Y-%m-%d'), is_active "
        "FROM main_gold.leads",
    )
    assert {lead: [first, last, active] for lead, first, last, active in rows} == dict(expected)
    assert 0 < sum(not active for *_, active in rows) < len(rows)


def test_file_loads_count_each_files_events(history_db, truth):
    events: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in truth_rows(truth, "events.csv"):
        events[(r["source"], r["snapshot_date"])][r["change_type"]] += 1
    rows = query(
        history_db,
        "SELECT source, strftime(snapshot_date, '%Y-%m-%d'), records_inserted, records_updated, records_deleted "
        "FROM main_gold.file_loads WHERE source <> 'salesforce'",
    )
    assert {(s, d): (i, u, x) for s, d, i, u, x in rows} == {
        key: (c["inserted"], c["updated"], c["deleted"]) for key, c in events.items()
    }


def test_file_loads_rows_are_the_files_records(history_db, history_bucket):
    files = json.loads((history_bucket / "_truth" / "summary.json").read_text())["files"]
    rows = dict(query(history_db, "SELECT file_name, rows FROM main_gold.file_loads"))
    assert rows == {Path(name).name: count for name, count in files.items()}
    assert query(history_db, "SELECT count(*) FROM main_gold.file_loads WHERE rows_quarantined > rows")[0][0] == 0


def test_each_lead_is_new_in_the_file_that_first_listed_it(history_db, truth, lead_of):
    # The truth's anchor: the facility's listing first seen, then in source order, then by key.
    anchors: dict[str, tuple] = {}
    for r in truth_rows(truth, "records.csv"):
        order = (r["first_snapshot_date"], SOURCE_ORDER[r["source"]], r["natural_key"])
        anchors[r["facility_id"]] = min(anchors.get(r["facility_id"], order), order)
    expected = Counter((LEAD_SOURCES[rank], day) for day, rank, _ in anchors.values())
    rows = query(
        history_db,
        "SELECT source, strftime(snapshot_date, '%Y-%m-%d'), leads_new FROM main_gold.file_loads WHERE source <> 'salesforce'",
    )
    got = {(s, d): n for s, d, n in rows}
    assert set(got) == set(expected)
    # A missed pair makes one extra lead: the pairwise recall bounds how far the counts can be.
    assert sum(abs(got[k] - expected[k]) for k in expected) <= 0.005 * len(anchors)
    assert sum(got.values()) == len(set(lead_of.values()))


def test_the_crm_match_flags_net_new_leads(history_db, truth, lead_of):
    facility_of = {(r["source"], r["natural_key"]): r["facility_id"] for r in truth_rows(truth, "records.csv")}
    in_crm = {r["facility_id"] for r in truth_rows(truth, "crm_matches.csv") if r["is_deleted"] == "FALSE"}
    facilities: dict[str, set[str]] = defaultdict(set)
    for key, lead in lead_of.items():
        facilities[lead].add(facility_of[key])
    rows = query(history_db, "SELECT lead_id, is_net_new FROM main_gold.leads")
    known = [lead for lead, net_new in rows if not net_new]
    assert all(facilities[lead] & in_crm for lead in known)  # no lead is wrongly in the CRM
    expected_known = [lead for lead, _ in rows if facilities[lead] & in_crm]
    assert len(known) >= 0.98 * len(expected_known)
    deleted = {r["crm_id"] for r in truth_rows(truth, "crm_matches.csv") if r["is_deleted"] == "TRUE"}
    matched = {crm for (crm,) in query(history_db, "SELECT salesforce_lead_id FROM main_gold.leads")}
    assert deleted and not deleted & matched
