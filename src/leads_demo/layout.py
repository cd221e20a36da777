"""What every agency layout shares: static columns, versioned columns, rows per month."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import compress

import numpy as np

from leads_demo import quirks as quirk_mod
from leads_demo.common import Listed
from leads_demo.plan import Plan
from leads_demo.population import Facilities
from leads_demo.profile import Profile
from leads_demo.records import UPDATABLE, Listings, freeze
from leads_demo.sheets_csv import quote_cell, quote_column

# Contract column order (main_gold.leads), used to order changed columns in events.
CONTRACT_ORDER = (
    "lead_id",
    "accepts_financial_aid",
    "ages_served",
    "capacity",
    "certificate_expiration_date",
    "city",
    "address1",
    "address2",
    "company",
    "phone",
    "phone2",
    "county",
    "curriculum_type",
    "email",
    "first_name",
    "last_name",
    "language",
    "license_status",
    "license_issued",
    "license_number",
    "license_renewed",
    "license_type",
    "licensee_name",
    "min_age",
    "max_age",
    "operator",
    "provider_id",
    "schedule",
    "state",
    "title",
    "website_address",
    "zip",
    "facility_type",
)

Columns = dict[str, list[str]]


class Layout:
    """One agency's file layout over one chunk of listings."""

    source: int
    header: tuple[str, ...]
    # updatable field -> contract columns it feeds
    contract: dict[str, tuple[str, ...]]

    def __init__(self, plan: Plan, fac: Facilities, prof: Profile, lst: Listings) -> None:
        self.plan, self.lst = plan, lst
        self.q = quirk_mod.draw(plan, lst.rid, self.source, fac.steady[lst.fi])
        # A facility listed twice in one file often has its phone typed another way.
        retyped = (lst.copy == 1) & (plan.rng.unit("dup_phone_style", lst.rid) < plan.quirk_rate(0.5))
        self.q.phone_style |= retyped & ~self.q.phone_hidden
        self.v = Listed(plan, fac, prof, lst, self.q)
        self.fields = UPDATABLE[self.source]
        # Cells are quoted once here, then reused for every month.
        self.static = {col: quote_column(values) for col, values in self.static_columns().items()}
        for name, mask in self.hidden_fields().items():
            freeze(lst, name, mask)
        everyone = np.arange(len(lst))
        zeros = np.zeros(len(lst), dtype=np.int32)
        self.base = {
            name: {col: quote_column(values) for col, values in self.field_columns(name, everyone, zeros).items()}
            for name in self.fields
        }

    # --- per-agency parts --------------------------------------------------------------------

    def keys(self) -> list[str]:
        raise NotImplementedError

    def static_columns(self) -> Columns:
        raise NotImplementedError

    def field_columns(self, name: str, idx: np.ndarray, versions: np.ndarray) -> Columns:
        raise NotImplementedError

    def hidden_fields(self) -> dict[str, np.ndarray]:
        """Fields a quirk blanks out, per listing: their updates stay invisible."""
        raise NotImplementedError

    def changed_columns(self, field: int, listing: int) -> str:
        cols = set(self.contract[self.fields[field]])
        return ",".join(c for c in CONTRACT_ORDER if c in cols)

    # --- shared -------------------------------------------------------------------------------

    def columns_at(self, month: int) -> list[list[str]]:
        cols = dict(self.static)
        for name in self.fields:
            base = self.base[name]
            ver = self.lst.versions[name][month]
            changed = np.flatnonzero(ver)
            if not len(changed):
                cols.update(base)
                continue
            fresh = self.field_columns(name, changed, ver[changed])
            where = changed.tolist()
            for col, values in fresh.items():
                patched = list(base[col])
                for i, value in zip(where, values):
                    patched[i] = quote_cell(value)
                cols[col] = patched
        return [cols[h] for h in self.header]

    def quoted_rows_at(self, month: int) -> tuple[Iterator[tuple[str, ...]], int]:
        """(rows of quoted cells, how many) for the listings in this month's snapshot."""
        alive = self.lst.alive[month]
        return compress(zip(*self.columns_at(month)), alive.tolist()), int(alive.sum())
