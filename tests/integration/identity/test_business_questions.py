"""The six business questions of the data contract, answered by the queries in docs/queries.md,
on a generated three-month bucket; the expected answers come from the generator's truth."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.integration.identity.conftest import LEAD_SOURCES, columns_and_rows, query, truth_rows

pytestmark = pytest.mark.slow  # builds the dbt project

QUERIES = PROJECT_ROOT / "docs" / "queries.md"
WORKED = {"Working", "Connected"}
SOURCE_ORDER = {source: rank for rank, source in enumerate(LEAD_SOURCES)}


def business_query(number: int) -> str:
    """The SQL block under the heading `## <number>.` of docs/queries.md."""
    sections = re.split(r"^## ", QUERIES.read_text(encoding="utf-8"), flags=re.MULTILINE)
    section = next(s for s in sections if s.startswith(f"{number}. "))
    return re.search(r"```sql\n(.*?)```", section, re.DOTALL).group(1)


def answer(database: Path, number: int, **replace: str) -> list[dict]:
    sql = business_query(number)
    for placeholder, value in replace.items():
        sql = sql.replace(placeholder, value)
    names, rows = columns_and_rows(database, sql)
    return [dict(zip(names, row, strict=True)) for row in rows]


class Truth:
    """What the generator knows: facilities, their listings, CRM matches and CRM rows."""

    def __init__(self, bucket: Path) -> None:
        folder = bucket / "_truth"
        self.records = truth_rows(folder, "records.csv")
        self.events = truth_rows(folder, "events.csv")
        self.listings: dict[str, list[dict]] = defaultdict(list)
        for r in self.records:
            self.listings[r["facility_id"]].append(r)
        crm_file = next((bucket / "crm").glob("*.csv"))
        self.crm_rows = {r["id"]: r for r in truth_rows(crm_file.parent, crm_file.name)}
        self.export_day = crm_file.stem.rsplit("_", 1)[1]
        self.crm_of = {
            r["facility_id"]: r["crm_id"] for r in truth_rows(folder, "crm_matches.csv") if r["is_deleted"] == "FALSE"
        }

    def anchor(self, facility: str) -> tuple[str, str, str]:
        """(first snapshot, source, natural key) of the facility's first listing."""
        first = min(
            self.listings[facility],
            key=lambda r: (r["first_snapshot_date"], SOURCE_ORDER[r["source"]], r["natural_key"]),
        )
        return first["first_snapshot_date"], first["source"], first["natural_key"]


@pytest.fixture(scope="module")
def truth(history_bucket: Path) -> Truth:
    return Truth(history_bucket)


@pytest.fixture(scope="module")
def lead_of(history_db: Path) -> dict[tuple[str, str], str]:
    rows = query(history_db, "SELECT source, natural_key, lead_id FROM main_intermediate.int_source_records__clustered")
    return {(source, key): lead for source, key, lead in rows}


def close(got: float, expected: float, share: float = 0.01, slack: int = 3) -> bool:
    """Within `share` of the truth, or `slack` items: the few facilities the rules cannot join
    (their records share neither a phone nor a normalized address) move counts by one each."""
    return abs(got - expected) <= max(share * expected, slack)


def test_1_duplicates_by_phone_or_address(history_db, truth, lead_of):
    rows = answer(history_db, 1)
    duplicated = {f: listings for f, listings in truth.listings.items() if len(listings) > 1}
    assert close(len(rows), len(duplicated))
    assert close(sum(r["source_record_count"] for r in rows), sum(map(len, duplicated.values())))
    # Each duplicate lead is one facility of the truth.
    facility_of = {(r["source"], r["natural_key"]): r["facility_id"] for r in truth.records}
    facilities: dict[str, set[str]] = defaultdict(set)
    for key, lead in lead_of.items():
        facilities[lead].add(facility_of[key])
    assert all(len(facilities[r["lead_id"]]) == 1 for r in rows)
    assert {r["match_rule"] is not None for r in rows} == {True}
    assert 0 < sum(r["duplicate_by_phone"] for r in rows) < len(rows)


def test_2_what_changed_for_a_lead_since_the_previous_load(history_db, truth, lead_of):
    final = max(e["snapshot_date"] for e in truth.events)
    changed = {e["facility_id"] for e in truth.events if e["snapshot_date"] == final}
    unchanged = sorted(set(truth.listings) - changed)[:5]
    checked = 0
    for facility in sorted(changed)[:40] + unchanged:
        leads = {lead_of[(r["source"], r["natural_key"])] for r in truth.listings[facility]}
        if len(leads) != 1:
            continue  # a facility the rules cannot join (no shared phone or address) is two leads
        expected = sorted(
            (e["source"], e["natural_key"], e["change_type"], e["changed_columns"] or None)
            for e in truth.events
            if e["facility_id"] == facility and e["snapshot_date"] == final
        )
        rows = answer(history_db, 2, LEAD_ID=leads.pop())
        got = sorted((r["source"], r["license_number"], r["change_type"], r["changed_columns"]) for r in rows)
        assert got == expected, facility
        checked += 1
    assert checked >= 40


def test_3_net_new_leads_per_file(history_db, truth):
    new, net_new = Counter(), Counter()
    for facility in truth.listings:
        day, source, _ = truth.anchor(facility)
        new[(source, day)] += 1
        net_new[(source, day)] += facility not in truth.crm_of
    rows = answer(history_db, 3)
    got = {(r["source"], r["snapshot_date"].isoformat()): r for r in rows if r["source"] != "salesforce"}
    assert set(got) == {(r["source"], r["first_snapshot_date"]) for r in truth.records} | set(new)
    assert sum(abs(got[k]["leads_new"] - new[k]) for k in got) <= 0.005 * len(truth.listings)
    assert sum(abs(got[k]["leads_net_new"] - net_new[k]) for k in got) <= 0.005 * len(truth.listings)
    assert all(r["leads_new"] == 0 for r in rows if r["source"] == "salesforce")


def test_4_leads_already_in_the_crm_with_status_and_creation_date(history_db, truth, lead_of):
    rows = answer(history_db, 4)
    expected = set(truth.crm_of.values())
    got = {r["salesforce_lead_id"] for r in rows}
    assert got <= expected  # every match is right
    assert len(got) >= 0.98 * len(expected)
    for r in rows:
        crm = truth.crm_rows[r["salesforce_lead_id"]]
        assert r["salesforce_status"] == crm["status"]
        assert r["salesforce_created_date"].isoformat() == crm["created_date"].split(" ")[0]
    # The CRM lead is matched to the lead of its facility.
    facility_of_crm = {crm: facility for facility, crm in truth.crm_of.items()}
    for r in rows:
        listing = truth.listings[facility_of_crm[r["salesforce_lead_id"]]][0]
        assert lead_of[(listing["source"], listing["natural_key"])] == r["lead_id"]


def test_5_share_of_matched_leads_worked_today_and_last_week(history_db, truth):
    today = date(int(truth.export_day[:4]), int(truth.export_day[4:6]), int(truth.export_day[6:]))
    matched = [truth.crm_rows[crm] for crm in truth.crm_of.values()]
    worked = sum(r["status"] in WORKED for r in matched) / len(matched)
    recent = sum(
        bool(r["last_activity_date"]) and date.fromisoformat(r["last_activity_date"]) > today - timedelta(days=7)
        for r in matched
    ) / len(matched)
    (row,) = answer(history_db, 5)
    assert close(row["matched_leads"], len(matched), 0.02)
    assert abs(float(row["share_worked_today"]) - worked) <= 0.02
    assert abs(float(row["share_worked_last_week"]) - recent) <= 0.02
    assert 0 < recent < 1 and 0 < worked < 1


def test_6_performance_and_contribution_by_source(history_db, truth):
    expected = {}
    for source in LEAD_SOURCES:
        facilities = {f for f, listings in truth.listings.items() if any(r["source"] == source for r in listings)}
        unique = {f for f in facilities if {r["source"] for r in truth.listings[f]} == {source}}
        in_crm = [truth.crm_rows[truth.crm_of[f]] for f in facilities if f in truth.crm_of]
        expected[source] = {
            "leads": len(facilities),
            "unique_leads": len(unique),
            "in_crm": len(in_crm),
            "conversion_rate": sum(r["is_converted"] == "TRUE" for r in in_crm) / len(in_crm),
            "working_rate": sum(r["status"] in WORKED for r in in_crm) / len(in_crm),
        }
    rows = {r["source"]: r for r in answer(history_db, 6)}
    assert set(rows) == set(LEAD_SOURCES)
    for source, want in expected.items():
        got = rows[source]
        for count in ("leads", "unique_leads", "in_crm"):
            assert close(got[count], want[count]), (source, count, got[count], want[count])
        for rate in ("conversion_rate", "working_rate"):
            assert abs(float(got[rate]) - want[rate]) <= 0.02, (source, rate, got[rate], want[rate])
    assert max(rows, key=lambda s: rows[s]["leads"]) == max(expected, key=lambda s: expected[s]["leads"])
