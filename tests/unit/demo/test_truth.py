"""The truth files describe exactly what the agency files contain."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from .conftest import SOURCES, read_csv
from .truth_io import snapshots, truth

# Raw columns of each file and the contract columns they feed (for updates).
RAW_TO_CONTRACT = {
    "source_1": {
        "Phone": {"phone"},
        "Address": {"address2"},
        "Status": {"license_status"},
        "Expiration Date": {"certificate_expiration_date"},
        "Primary Contact Name": {"first_name", "last_name"},
    },
    "source_2": {
        "Phone": {"phone"},
        "Address2": {"address2"},
        "Total Cap": {"capacity"},
        "Accepts Subsidy": {"accepts_financial_aid"},
        "Subsidy Contract Number": {"accepts_financial_aid"},
        "School Year Only": {"accepts_financial_aid"},
        "Evening Hours": {"accepts_financial_aid"},
        **{day: {"schedule"} for day in ("Mon", "Tues", "Wed", "Thurs", "Friday", "Saturday", "Sunday")},
        "Primary Caregiver": {"first_name", "last_name"},
        "Email": {"email"},
    },
    "source_3": {
        "Phone": {"phone"},
        "Address": {"address2"},
        "Capacity": {"capacity"},
        "Status": {"license_status"},
        "Email Address": {"email"},
    },
}


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone.split(" ext ")[0])
    return digits[-10:]


def test_records_cover_every_listing_in_every_file(bucket: Path) -> None:
    records = truth(bucket, "records.csv")
    by_source: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for r in records:
        assert r["natural_key"] not in by_source[r["source"]], r
        by_source[r["source"]][r["natural_key"]] = r
    for source in SOURCES:
        seen: dict[str, list[str]] = defaultdict(list)
        for day, rows in snapshots(bucket, source):
            for key in rows:
                seen[key].append(day)
        assert seen.keys() == by_source[source].keys(), source
        for key, days in seen.items():
            r = by_source[source][key]
            assert (r["first_snapshot_date"], r["last_snapshot_date"]) == (
                days[0],
                days[-1],
            )


def test_events_match_the_differences_between_snapshots(bucket: Path) -> None:
    events: dict[tuple[str, str, str], dict[str, str]] = {}
    for e in truth(bucket, "events.csv"):
        key = (e["source"], e["snapshot_date"], e["natural_key"])
        assert key not in events, e
        events[key] = e
    checked = defaultdict(int)
    for source in SOURCES:
        previous: dict[str, dict[str, str]] = {}
        for day, rows in snapshots(bucket, source):
            expected = {}
            for key in rows.keys() - previous.keys():
                expected[key] = ("inserted", set())
            for key in previous.keys() - rows.keys():
                expected[key] = ("deleted", set())
            for key in rows.keys() & previous.keys():
                before, after = previous[key], rows[key]
                diff = [c for c in after if after[c] != before[c]]
                if diff:
                    cols = set().union(*(RAW_TO_CONTRACT[source][c] for c in diff))
                    expected[key] = ("updated", cols)
                    _check_contract_change(source, diff, before, after)
            actual = {
                k: (
                    e["change_type"],
                    set(filter(None, e["changed_columns"].split(","))) - {"operator"},
                )
                for (s, d, k), e in events.items()
                if s == source and d == day
            }
            assert actual == expected, (source, day)
            for kind, _ in expected.values():
                checked[kind] += 1
            previous = rows
    assert all(checked[k] > 0 for k in ("inserted", "updated", "deleted")), checked


def _check_contract_change(source: str, diff: list[str], before: dict[str, str], after: dict[str, str]) -> None:
    """A raw change is a change the contract can see (not a quirk or a re-spelling)."""
    for col in diff:
        if col.startswith("Phone"):
            assert _digits(before[col]) != _digits(after[col]) and len(_digits(after[col])) == 10
        if col.startswith("Email"):
            assert before[col].lower() != after[col].lower() and "@" in after[col]


def test_operator_is_named_only_for_owners(bucket: Path) -> None:
    latest = {day: rows for day, rows in snapshots(bucket, "source_1")}
    for e in truth(bucket, "events.csv"):
        if e["source"] == "source_1" and "first_name" in e["changed_columns"]:
            role = latest[e["snapshot_date"]][e["natural_key"]]["Primary Contact Role"]
            assert ("operator" in e["changed_columns"]) == (role == "Owner")


def test_crm_matches_point_at_listed_facilities(bucket: Path) -> None:
    facilities = {r["facility_id"] for r in truth(bucket, "records.csv") if r["last_snapshot_date"] == "2025-01-01"}
    crm_rows = read_csv(next((bucket / "crm").glob("*.csv")))
    header = crm_rows[0]
    crm = {r[0]: dict(zip(header, r)) for r in crm_rows[1:]}
    matches = truth(bucket, "crm_matches.csv")
    assert 0.2 * len(crm) < len(matches) < 0.4 * len(crm)
    assert len({m["facility_id"] for m in matches}) == len(matches)
    for m in matches:
        assert m["facility_id"] in facilities
        lead = crm[m["crm_id"]]
        assert lead["is_deleted"] == m["is_deleted"]
        if m["match_on"] == "phone":
            assert re.fullmatch(r"\d{10}", lead["phone"])
        else:
            assert lead["street"] and lead["postal_code"]
    assert {m["match_on"] for m in matches} == {"phone", "address_name"}
    assert any(m["is_deleted"] == "TRUE" for m in matches)


def test_summary_counts_agree_with_the_truth_files(bucket: Path) -> None:
    summary = json.loads((bucket / "_truth" / "summary.json").read_text())
    records = truth(bucket, "records.csv")
    assert summary["facilities"] == len({r["facility_id"] for r in records})
    per_facility: dict[str, int] = defaultdict(int)
    for r in records:
        per_facility[r["facility_id"]] += 1
    assert summary["duplicates"]["true_pairs"] == sum(k * (k - 1) // 2 for k in per_facility.values())
    events = truth(bucket, "events.csv")
    for source in SOURCES:
        counts = summary["events"][source]
        for kind in ("inserted", "updated", "deleted"):
            assert counts[kind] == sum(1 for e in events if e["source"] == source and e["change_type"] == kind)
