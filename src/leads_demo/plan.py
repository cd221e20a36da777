"""Run-level settings: how many facilities, which months, which seed."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from leads_demo.hashing import Rng
from leads_demo.population import listed_share
from leads_demo.rates import MONTHLY_GROWTH, P_LATE_LISTING, P_WITHIN_DUP


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
    per_record = listed_share(rng) * (1 + P_WITHIN_DUP) * (1 - P_LATE_LISTING)
    base = max(4, math.ceil(rows / per_record))
    new_per_month = round(base * MONTHLY_GROWTH)
    total = base + new_per_month * (months - 1)
    total += -total % 4
    return Plan(rows, months, seed, start, quirks, base, new_per_month, total, rng)
