"""source_1: Nevada's child care facility list (13 columns, one-string addresses)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from leads_demo import pools, text
from leads_demo.hashing import block_shuffle
from leads_demo.layout import Columns, Layout
from leads_demo.quirks import break_quotes, misencode
from leads_demo.rates import CENTER, HOME, NV

HEADER = (
    "Name",
    "Credential Type",
    "Credential Number",
    "Status",
    "Expiration Date",
    "Disciplinary Action",
    "Address",
    "State",
    "County",
    "Phone",
    "First Issue Date",
    "Primary Contact Name",
    "Primary Contact Role",
)

ROLES_HOME = (("Owner", 80), ("Director", 10), ("Other", 10))
ROLES_CENTER = (("Director", 65), ("Owner", 10), ("Other", 20), ("Person in Charge", 5))
ROLES_OTHER = (("Person in Charge", 70), ("Other", 30))


class Nevada(Layout):
    source = NV
    header = HEADER
    contract: ClassVar[dict[str, tuple[str, ...]]] = {
        "phone": ("phone",),
        "unit": ("address2",),
        "status": ("license_status",),
        "expiration": ("certificate_expiration_date",),
        "contact": ("first_name", "last_name"),
    }

    def keys(self) -> list[str]:
        if not hasattr(self, "_keys"):
            number = (block_shuffle(self.lst.rank) + 1).tolist()
            year = (20 + self.v.draw(5, "credential_year")).tolist()
            self._keys = [f"{n:03d}-{y}" for n, y in zip(number, year)]
        return self._keys

    def static_columns(self) -> Columns:
        v, q = self.v, self.q
        names = v.display_names(upper=True)
        has_apostrophe = np.asarray(["'" in s for s in names], dtype=bool)
        q.misencoded &= has_apostrophe
        for i in np.flatnonzero(q.misencoded).tolist():
            names[i] = misencode(names[i])
        for i in np.flatnonzero(q.broken_quote).tolist():
            names[i] = break_quotes(names[i])
        for i in np.flatnonzero(q.trailing_name).tolist():
            names[i] += " "

        kind = v.take(v.fac.kind)
        provisional = v.chance(0.12, "provisional")
        home_type = v.draw(100, "home_type")
        # Municipal programs hold permits; clubs and gyms hold accommodation licenses.
        programs = np.asarray(
            [b.endswith(("Youth Program", "Kids Camp")) for b in v.take(v.prof.business)],
            dtype=bool,
        )
        ctype = np.select(
            [kind == CENTER, (kind == HOME) & (home_type < 60), kind == HOME, programs],
            ["CENTER", "FAMILY CARE", "GROUP CARE", "PERMITS"],
            "ACCOMMODATION",
        ).astype(object)
        ctype = np.where(provisional & (kind != 2), ctype + " (PROVISIONAL)", ctype)

        self.role = self._roles(kind)
        self.streets = v.street_lines(NV)
        self.city, county, self.zips, self.state = v.places()
        opened = v.take(v.prof.opened) + v.draw(30, "issue_jitter")
        issued = text.mdy(opened)
        bad_pick = v.draw(len(text.IMPOSSIBLE_DATES), "bad_date_pick").tolist()
        for i in np.flatnonzero(q.bad_date).tolist():
            issued[i] = text.IMPOSSIBLE_DATES[bad_pick[i]]
        self.exp_month = (self.plan.start.year * 12 + self.plan.start.month - 1) - 13 + v.draw(24, "expires")
        self.multi = v.draw(100, "multi_contact")
        self.contact_case = v.draw(4, "multi_format")
        half = q.half_empty
        role = [("" if h else r) for h, r in zip(half.tolist(), self.role)]
        issued = [("" if h else d) for h, d in zip(half.tolist(), issued)]
        discipline = np.where(v.chance(0.01, "discipline"), "Y", "N").tolist()
        return {
            "Name": names,
            "Credential Type": ctype.tolist(),
            "Credential Number": self.keys(),
            "Disciplinary Action": discipline,
            "State": self.state,
            "County": county,
            "First Issue Date": issued,
            "Primary Contact Role": role,
        }

    def _roles(self, kind: np.ndarray) -> list[str]:
        out = np.empty(len(kind), dtype=object)
        pick = self.v.draw(100, "role")
        for k, table in ((0, ROLES_CENTER), (1, ROLES_HOME), (2, ROLES_OTHER)):
            bounds = np.cumsum([w for _, w in table])
            names = np.asarray([r for r, _ in table], dtype=object)
            sel = kind == k
            out[sel] = names[np.searchsorted(bounds, pick[sel], side="right")]
        return out.tolist()

    def hidden_fields(self) -> dict[str, np.ndarray]:
        half = self.q.half_empty
        return {
            "phone": self.q.phone_hidden,
            "status": half,
            "expiration": half,
            "contact": half,
        }

    def field_columns(self, name: str, idx: np.ndarray, versions: np.ndarray) -> Columns:
        v, half = self.v, self.q.half_empty[idx].tolist()
        if name == "phone":
            return {"Phone": v.phones(idx, versions, text.DASHED)}
        if name == "unit":
            units = v.units(idx, versions)
            trailing = self.q.trailing_address[idx].tolist()
            out = []
            for k, i in enumerate(idx.tolist()):
                unit = f", {units[k]}" if units[k] else ""
                line = f"{self.streets[i]}{unit} {self.city[i]}, {self.state[i]} {self.zips[i]}"
                out.append(line + " " if trailing[k] else line)
            return {"Address": out}
        if name == "status":
            alt = (versions % 2 == 1).tolist()
            return {"Status": ["" if h else ("Inactive" if a else "Active") for h, a in zip(half, alt)]}
        if name == "expiration":
            months = (self.exp_month[idx] + 12 * versions).tolist()
            dates = [text.month_end_mdy(mi) for mi in months]
            return {"Expiration Date": ["" if h else d for h, d in zip(half, dates)]}
        if name == "contact":
            return {"Primary Contact Name": self._contacts(idx, versions, half)}
        raise KeyError(name)

    def _contacts(self, idx: np.ndarray, versions: np.ndarray, half: list[bool]) -> list[str]:
        first, last = self.v.contact(idx, versions)
        other_first = self.v.rng.below(len(pools.FIRST_NAMES), "contact2_first", self.v.rid[idx]).tolist()
        other_last = self.v.rng.below(len(pools.LAST_NAMES), "contact2_last", self.v.rid[idx]).tolist()
        multi = (self.multi[idx] < 6).tolist()
        style = self.contact_case[idx].tolist()
        out = []
        for k in range(len(first)):
            if half[k]:
                out.append("")
                continue
            f1, l1 = pools.FIRST_NAMES[first[k]], pools.LAST_NAMES[last[k]]
            if not multi[k]:
                out.append(f"{f1} {l1}")
                continue
            f2, l2 = pools.FIRST_NAMES[other_first[k]], pools.LAST_NAMES[other_last[k]]
            out.append(
                (
                    f"{f1} & {f2} {l1} & {l2}",
                    f"{f1} AND {f2} {l1} AND {l2}",
                    f"{f1}, {f2} {l1}, {l2}",
                    f"{f1} & {f2}, {l1} & {l2}",
                )[style[k]]
            )
        return out

    def changed_columns(self, field: int, listing: int) -> str:
        cols = super().changed_columns(field, listing)
        if self.fields[field] == "contact" and self.role[listing] == "Owner":
            cols += ",operator"  # the contact is the operator when they own the place
        return cols
