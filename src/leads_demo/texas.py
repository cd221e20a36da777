"""source_3: Texas child care operations (20 columns, mixed-case names, Y/N age flags)."""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np

from leads_demo import text
from leads_demo.hashing import block_shuffle
from leads_demo.layout import Columns, Layout
from leads_demo.quirks import break_quotes, misencode
from leads_demo.rates import CENTER, HOME, TX

HEADER = (
    "Operation",
    "Agency Number",
    "Operation Name",
    "Address",
    "City",
    "State",
    "Zip",
    "County",
    "Phone",
    "Type",
    "Status",
    "Issue Date",
    "Capacity",
    "Email Address",
    "Facility ID",
    "Monitoring Frequency",
    "Infant",
    "Toddler",
    "Preschool",
    "School",
)
AGE_FLAGS = ("Infant", "Toddler", "Preschool", "School")

CENTER_TYPE = "Licensed Center - Child Care Program"
HOME_TYPES = (
    "Licensed Child-Care Home",
    "Registered Child-Care Home",
    "Listed Family Home",
)
OTHER_TYPES = (
    "Before-School or After-School Program",
    "Small Employer-Based Child Care",
)
BARE_UNIT = re.compile(r"^[A-Z]\d+$")  # 3502 SLIDE RD A25


class Texas(Layout):
    source = TX
    header = HEADER
    contract: ClassVar[dict[str, tuple[str, ...]]] = {
        "phone": ("phone",),
        "unit": ("address2",),
        "capacity": ("capacity",),
        "status": ("license_status",),
        "email": ("email",),
    }

    def keys(self) -> list[str]:
        if not hasattr(self, "_keys"):
            self._keys = [str(k) for k in (500_000 + block_shuffle(self.lst.rank)).tolist()]
        return self._keys

    def static_columns(self) -> Columns:
        v, q, n = self.v, self.q, self.v.n
        names = v.display_names(upper=False)
        q.misencoded &= np.asarray(["'" in s for s in names], dtype=bool)
        for i in np.flatnonzero(q.misencoded).tolist():
            names[i] = misencode(names[i])
        for i in np.flatnonzero(q.broken_quote).tolist():
            names[i] = break_quotes(names[i])
        for i in np.flatnonzero(q.trailing_name).tolist():
            names[i] += " "

        kind = v.take(v.fac.kind)
        pick = v.draw(100, "tx_type")
        home = np.asarray(HOME_TYPES, dtype=object)[np.searchsorted([60, 90], pick, side="right")]
        other = np.asarray(OTHER_TYPES, dtype=object)[pick % 2]
        types = np.select([kind == CENTER, kind == HOME], [CENTER_TYPE, home], other).tolist()

        half = q.half_empty
        self.half = half.tolist()
        self.no_email = v.chance(0.25, "no_email") | half
        q.bad_email &= ~self.no_email
        self.initial = v.chance(0.08, "initial_permit").tolist()
        self.streets = v.street_lines(TX)
        self.trailing = q.trailing_address.tolist()
        city, county, zips, state = v.places()
        issued = text.mdy(v.take(v.prof.opened))
        bad_pick = v.draw(len(text.IMPOSSIBLE_DATES), "bad_date_pick").tolist()
        for i in np.flatnonzero(q.bad_date).tolist():
            issued[i] = text.IMPOSSIBLE_DATES[bad_pick[i]]
        facility_id = (100_000 + block_shuffle(self.lst.rank, mult=2897)).tolist()
        lo, hi = v.take(v.prof.age_lo).tolist(), v.take(v.prof.age_hi).tolist()
        cols: Columns = {
            "Operation": self.keys(),
            "Agency Number": [""] * n,
            "Operation Name": names,
            "City": city,
            "State": state,
            "Zip": zips,
            "County": county,
            "Type": types,
            "Issue Date": ["" if h else d for h, d in zip(self.half, issued)],
            "Facility ID": [str(x) for x in facility_id],
            "Monitoring Frequency": [""] * n,
        }
        for k, col in enumerate(AGE_FLAGS):
            cols[col] = ["N" if self.half[i] or not lo[i] <= k <= hi[i] else "Y" for i in range(n)]
        return cols

    def hidden_fields(self) -> dict[str, np.ndarray]:
        half = self.q.half_empty
        return {
            "phone": self.q.phone_hidden,
            "capacity": half,
            "status": half,
            "email": self.no_email | self.q.bad_email,
        }

    def field_columns(self, name: str, idx: np.ndarray, versions: np.ndarray) -> Columns:
        v = self.v
        ids = idx.tolist()
        if name == "phone":
            return {"Phone": v.phones(idx, versions, text.DASHED)}
        if name == "unit":
            out = []
            for i, unit in zip(ids, v.units(idx, versions)):
                if unit:
                    value = unit.split(" ", 1)[1]
                    unit = value if BARE_UNIT.match(value) else unit
                line = f"{self.streets[i]} {unit}" if unit else self.streets[i]
                out.append(line + " " if self.trailing[i] else line)
            return {"Address": out}
        if name == "capacity":
            cap = v.prof.capacity[v.fi[idx]] + versions * (1 + v.rng.below(10, "cap_step", v.rid[idx]))
            return {"Capacity": ["" if self.half[i] else str(c) for i, c in zip(ids, cap.tolist())]}
        if name == "status":
            out = []
            for i, ver in zip(ids, versions.tolist()):
                initial = self.initial[i] ^ (ver % 2 == 1)
                out.append("" if self.half[i] else "Initial Permit" if initial else "Full Permit")
            return {"Status": out}
        if name == "email":
            return {"Email Address": v.emails(idx, versions, self.no_email)}
        raise KeyError(name)
