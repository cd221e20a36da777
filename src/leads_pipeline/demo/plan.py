"""Run-level settings and the rates that shape the synthetic population."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from leads_pipeline.demo.hashing import Rng

SOURCES = ("source_1", "source_2", "source_3")  # Nevada, Oklahoma, Texas
NV, OK, TX = 0, 1, 2

CENTER, HOME, OTHER = 0, 1, 2
KIND_WEIGHTS = (0.42, 0.50, 0.08)
# Oklahoma lists no "other" facilities, so it gets a larger share of the rest:
# the three files then come out about the same size.
HOME_SOURCE_WEIGHTS = (0.319, 0.362, 0.319)

P_SHARED_TWO = 0.09  # facility also listed by one other agency
P_SHARED_ALL = 0.025  # facility listed by all three agencies
P_CHAIN_BLOCK = 0.04  # a block of four facility ids holds the sites of one operator
P_OPERATOR_PAIR = 0.3  # of those: an Oklahoma center and family home of one owner
P_WITHIN_DUP = 0.015  # a listing that appears twice in one agency file
P_DUP_NEW_PHONE = 0.3  # of those: the second listing carries another phone
P_STEADY = (
    0.08  # facilities with one unchanging phone and one listing's street respelled
)
P_LATE_LISTING = 0.03  # a listing that starts one to three months after the facility

MONTHLY_GROWTH = 0.02  # new facilities per month, as a share of the first month
P_UPDATE = 0.04  # listings with one changed field per month
P_DELETE = 0.015  # listings dropped per month
P_COMEBACK = 0.15  # per month, for a dropped listing: it is back

CHUNK = 1 << 15  # facilities per vectorized step (a multiple of the chain block of 4)
PHONE_SLOTS = 6  # canonical, duplicate's other phone, four rotating update values


@dataclass(frozen=True)
class Plan:
    rows: int
    months: int
    seed: int
    start: date
    quirks: float
    base_facilities: int
    new_per_month: int
    total_facilities: int
    rng: Rng = field(compare=False, repr=False)

    @property
    def snapshots(self) -> list[date]:
        return [add_months(self.start, m) for m in range(self.months)]

    def quirk_rate(self, base: float) -> float:
        return min(1.0, base * self.quirks)


def add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def make_plan(rows: int, months: int, seed: int, start: date, quirks: float) -> Plan:
    if rows < 1 or months < 1:
        raise ValueError("rows and months must be at least 1")
    if quirks < 0:
        raise ValueError("quirks is a rate multiplier and cannot be negative")
    start = date(start.year, start.month, 1)
    rng = Rng(seed)
    # Listed share per source, measured on the population itself so `rows` holds.
    from leads_pipeline.demo.population import listed_share

    per_record = listed_share(rng) * (1 + P_WITHIN_DUP) * (1 - P_LATE_LISTING)
    base = max(4, math.ceil(rows / per_record))
    new_per_month = round(base * MONTHLY_GROWTH)
    total = base + new_per_month * (months - 1)
    total += -total % 4
    return Plan(rows, months, seed, start, quirks, base, new_per_month, total, rng)
