"""Duplicates and traps exist at the expected rates, and the identity rules separate them."""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import pytest

from .conftest import SOURCES
from .identity import Rec, contradict, match_rule, record
from .truth_io import snapshots, truth


@pytest.fixture(scope="module")
def months(bucket: Path) -> list[list[Rec]]:
    """Every snapshot's records of all three agencies."""
    owners = {(r["source"], r["natural_key"]): r for r in truth(bucket, "records.csv")}
    out: list[list[Rec]] = []
    for source in SOURCES:
        for m, (_, rows) in enumerate(snapshots(bucket, source)):
            if m == len(out):
                out.append([])
            for key, row in rows.items():
                t = owners[(source, key)]
                out[m].append(record(source, key, t["facility_id"], t["operator_id"], row))
    return out


def test_rates_of_duplicates_and_traps(bucket: Path) -> None:
    summary = json.loads((bucket / "_truth" / "summary.json").read_text())
    facilities = summary["facilities"]
    dup = summary["duplicates"]
    assert 0.07 < dup["cross_source_facilities"] / facilities < 0.16
    assert 0.005 < dup["within_source_facilities"] / facilities < 0.03
    assert 0.01 < summary["traps"]["sister_sites"] / facilities < 0.06
    assert summary["traps"]["operators"] > 20


def test_every_true_pair_is_found_by_a_rule(months: list[list[Rec]]) -> None:
    by_facility: dict[tuple[int, str], list[Rec]] = defaultdict(list)
    for m, month in enumerate(months):
        for r in month:
            by_facility[(m, r.facility)].append(r)
    rules: dict[str, int] = defaultdict(int)
    cross = within = 0
    for recs in by_facility.values():
        for a, b in combinations(recs, 2):
            rule = match_rule(a, b)
            assert rule, f"true pair not matched:\n{a}\n{b}"
            rules[rule] += 1
            cross += a.source != b.source
            within += a.source == b.source
    assert cross > 50 and within > 5
    assert all(rules[r] > 0 for r in ("phone+address", "phone+email", "phone+name", "address+name")), rules


def test_sister_sites_share_a_phone_but_never_match(months: list[list[Rec]]) -> None:
    by_operator: dict[tuple[int, str], list[Rec]] = defaultdict(list)
    for m, month in enumerate(months):
        for r in month:
            by_operator[(m, r.operator)].append(r)
    traps = 0
    for recs in by_operator.values():
        for a, b in combinations(recs, 2):
            if a.facility == b.facility:
                continue
            traps += 1
            assert contradict(a, b), f"sister sites without contradicting addresses:\n{a}\n{b}"
            assert match_rule(a, b) is None
    shared_phone = sum(
        1
        for recs in by_operator.values()
        for a, b in combinations(recs, 2)
        if a.facility != b.facility and a.phone and a.phone == b.phone
    )
    assert traps > 30 and shared_phone > 20


def test_no_rule_merges_unrelated_facilities(months: list[list[Rec]]) -> None:
    # Candidate pairs share a phone or an address; every one a rule accepts is a true pair.
    blocks: dict[tuple, list[Rec]] = defaultdict(list)
    for m, month in enumerate(months):
        for r in month:
            if r.phone:
                blocks[(m, "phone", r.phone)].append(r)
            blocks[(m, "address", r.number, r.street, r.zip)].append(r)
    for recs in blocks.values():
        for a, b in combinations(recs, 2):
            if a.facility != b.facility:
                assert match_rule(a, b) is None, f"unrelated records match:\n{a}\n{b}"
