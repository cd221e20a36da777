"""Listings: one facility in one agency file, and how each listing lives month by month.

A listing has a stable natural key, a month it first appears, months it is missing
(dropped, sometimes back later), and per-field version counters: a field's rendered value
depends only on its version, so an update is a version bump and nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leads_demo.plan import Plan
from leads_demo.population import Facilities
from leads_demo.rates import (
    P_COMEBACK,
    P_DELETE,
    P_LATE_LISTING,
    P_UPDATE,
    P_WITHIN_DUP,
)

# Fields an agency can change between snapshots, per source (NV, OK, TX).
UPDATABLE: tuple[tuple[str, ...], ...] = (
    ("phone", "unit", "status", "expiration", "contact"),
    ("phone", "unit", "capacity", "subsidy", "schedule", "contact", "email"),
    ("phone", "unit", "capacity", "status", "email"),
)


@dataclass
class Listings:
    source: int
    fi: np.ndarray  # index into the chunk's Facilities
    copy: np.ndarray  # 0, or 1 for the second listing of a facility in one file
    rid: np.ndarray  # listing id, the key for every per-listing draw
    rank: np.ndarray  # position among the source's listings, numbers the natural key
    alive: np.ndarray  # (months, n) bool: listed in that snapshot
    versions: dict[str, np.ndarray]  # field -> (months, n) version counters
    # (months, n): index into UPDATABLE[source] of the field changed that month, or -1
    updated: np.ndarray

    def __len__(self) -> int:
        return len(self.fi)


def listing_ids(facility_ids: np.ndarray, source: int, copy: np.ndarray | int) -> np.ndarray:
    return (facility_ids * 8 + source * 2 + copy).astype(np.int64)


def expand(plan: Plan, fac: Facilities, source: int, rank_start: int) -> Listings:
    rng = plan.rng
    listed = np.flatnonzero(fac.listed[source])
    dup = rng.unit("within_dup", listing_ids(fac.ids[listed], source, 0)) < P_WITHIN_DUP
    copies = 1 + dup.astype(np.int64)
    fi = np.repeat(listed, copies)
    starts = np.cumsum(copies) - copies
    copy = np.arange(len(fi)) - np.repeat(starts, copies)
    rid = listing_ids(fac.ids[fi], source, copy)
    rank = rank_start + np.arange(len(fi), dtype=np.int64)

    late = rng.unit("late", rid) < P_LATE_LISTING
    first = fac.birth[fi].astype(np.int64) + np.where(late, 1 + rng.below(3, "late_by", rid), 0)
    alive = _lifecycle(plan, rid, first)
    versions, updated = _versions(plan, rid, source)
    listings = Listings(source, fi, copy, rid, rank, alive, versions, updated)
    freeze(listings, "phone", fac.steady[fi])
    return listings


def _lifecycle(plan: Plan, rid: np.ndarray, first: np.ndarray) -> np.ndarray:
    rng = plan.rng
    alive = np.zeros((plan.months, len(rid)), dtype=bool)
    now = np.zeros(len(rid), dtype=bool)
    for m in range(plan.months):
        stays = now & (rng.unit("delete", rid, m) >= P_DELETE)
        back = ~now & (first < m) & (rng.unit("comeback", rid, m) < P_COMEBACK)
        now = (first == m) | stays | back
        alive[m] = now
    return alive


def _versions(plan: Plan, rid: np.ndarray, source: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = plan.rng
    fields = UPDATABLE[source]
    updated = np.full((plan.months, len(rid)), -1, dtype=np.int8)
    for m in range(1, plan.months):
        hit = rng.unit("update", rid, m) < P_UPDATE
        updated[m] = np.where(hit, rng.below(len(fields), "update_field", rid, m), -1)
    versions = {name: np.cumsum(updated == k, axis=0, dtype=np.int32) for k, name in enumerate(fields)}
    return versions, updated


def freeze(listings: Listings, field: str, mask: np.ndarray) -> None:
    """Keep a field at its first value where a quirk hides it (blank, junk, no email).

    An update that no reader could see would be a change in the truth but not in the file.
    """
    if not mask.any():
        return
    listings.versions[field][:, mask] = 0
    k = UPDATABLE[listings.source].index(field)
    col = listings.updated[:, mask]
    col[col == k] = -1
    listings.updated[:, mask] = col
