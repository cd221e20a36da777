"""source_2: Oklahoma's child care locator export (30 columns, multi-line caregiver cell)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import numpy as np

from leads_demo import pools, text
from leads_demo.hashing import block_shuffle
from leads_demo.layout import Columns, Layout
from leads_demo.quirks import misencode
from leads_demo.rates import CENTER, HOME, OK

HEADER = (
    "Type License",
    "Company",
    "Accepts Subsidy",
    "Year Round",
    "Daytime Hours",
    "Star Level",
    "Mon",
    "Tues",
    "Wed",
    "Thurs",
    "Friday",
    "Saturday",
    "Sunday",
    "Primary Caregiver",
    "Phone",
    "Email",
    "Address1",
    "Address2",
    "City",
    "State",
    "Zip",
    "Subsidy Contract Number",
    "Total Cap",
    "Ages Accepted 1",
    "AA2",
    "AA3",
    "AA4",
    "License Monitoring Since",
    "School Year Only",
    "Evening Hours",
)
DAYS = HEADER[6:13]
AGES = ("Ages Accepted 1", "AA2", "AA3", "AA4")
AGE_LABELS = (
    "Infants (0-11 months)",
    "Toddlers (12-23 months; 1yr.)",
    "Preschool (24-48 months; 2-4 yrs.)",
    "School-age (5 years-older)",
)

# Left-packed age cells for (youngest, oldest) group = lo * 4 + hi; 16 is a blank row.
AGE_ROWS = {
    lo * 4 + hi: tuple(list(AGE_LABELS[lo : hi + 1]) + [""] * (3 - hi + lo)) for lo in range(4) for hi in range(lo, 4)
} | {16: ("", "", "", "")}

HOURS = (
    "7:30AM - 5:30PM",
    "7:00AM - 5:30PM",
    "6:30AM - 5:30PM",
    "6:00AM - 6:00PM",
    "7:00AM - 6:00PM",
    "6:30AM - 6:00PM",
    "7:00AM - 5:00PM",
    "8:00AM - 5:30PM",
    "6:00AM - 5:30PM",
    "7:30AM - 6:00PM",
    "7:00AM - 4:30PM",
    "8:00AM - 5:00PM",
    "6:30AM - 6:30PM",
    "7:30AM - 5:15PM",
    "6:00AM - 7:00PM",
    "6:00AM - 10:30PM",
    "6:30AM - 11:30PM",
    "5:30AM - 11:59PM",
    "12:00AM - 12:00AM",
)
EVENING = {h for h in HOURS if h.endswith(("7:00PM", "10:30PM", "11:30PM", "11:59PM", "12:00AM"))}
CLOSED = "CLOSED"
# (weight, builder of the seven day cells from two opening-hour strings)
WEEK_SHAPES = (
    (75, lambda a, b: (a, a, a, a, a, CLOSED, CLOSED)),
    (8, lambda a, b: (a, a, a, a, a, a, CLOSED)),
    (6, lambda a, b: (a,) * 7),
    (6, lambda a, b: (a, a, a, a, b, CLOSED, CLOSED)),
    (2, lambda a, b: (CLOSED,) * 5 + (a, a)),
    (3, lambda a, b: (a, a, a, a, a, b, CLOSED)),
)
SCHEDULES = [shape(HOURS[h], HOURS[(h + 1) % len(HOURS)]) for _, shape in WEEK_SHAPES for h in range(len(HOURS))]
SCHEDULE_WEIGHTS = np.asarray(
    [w * (6 if h < 10 else 1) for w, _ in WEEK_SHAPES for h in range(len(HOURS))],
    dtype=np.float64,
)
MONITORING_FROM = date(2020, 9, 1).toordinal()


class Oklahoma(Layout):
    source = OK
    header = HEADER
    contract: ClassVar[dict[str, tuple[str, ...]]] = {
        "phone": ("phone",),
        "unit": ("address2",),
        "capacity": ("capacity",),
        "subsidy": ("accepts_financial_aid",),
        "schedule": ("schedule",),
        "contact": ("first_name", "last_name"),
        "email": ("email",),
    }

    def keys(self) -> list[str]:
        if not hasattr(self, "_keys"):
            number = (10_000 + block_shuffle(self.lst.rank)).tolist()
            prefix = np.where(self.v.take(self.v.fac.kind) == CENTER, "K83", "K82").tolist()
            self._keys = [f"{p}{n:07d}" for p, n in zip(prefix, number)]
        return self._keys

    def static_columns(self) -> Columns:
        v, q = self.v, self.q
        kind = v.take(v.fac.kind)
        self.kind = kind
        business = v.display_names(upper=True)
        person = v.take(v.prof.person_named).tolist()
        first = v.take(v.prof.owner_first).tolist()
        last = v.take(v.prof.owner_last).tolist()
        company = []
        for i, k in enumerate(kind.tolist()):
            if k == HOME:
                owner = f"{pools.LAST_NAMES[last[i]]}, {pools.FIRST_NAMES[first[i]]}"
                company.append(owner if person[i] else f"{owner} DBA {business[i]}")
            else:
                company.append(business[i])
        q.misencoded &= np.asarray(["'" in c for c in company], dtype=bool)
        for i in np.flatnonzero(q.misencoded).tolist():
            company[i] = misencode(company[i])
        for i in np.flatnonzero(q.trailing_name).tolist():
            company[i] += " "

        kinds_text = np.where(kind == CENTER, "CHILD CARE CENTER", "CHILD CARE FAMILY").tolist()
        type_license = [f"{t} - {k}" for t, k in zip(kinds_text, self.keys())]

        half = q.half_empty
        self.half = half.tolist()
        self.year_round = v.chance(0.85, "year_round").tolist()
        self.subsidized = v.chance(0.6, "subsidy")
        self.contract_no = (10_000 + v.draw(60_000, "subsidy_contract")).tolist()
        combo = np.where(half, 16, v.take(v.prof.age_lo) * 4 + v.take(v.prof.age_hi)).tolist()
        self.aa3 = [AGE_ROWS[c][2] for c in combo]
        self.schedule0 = v.rng.weighted(SCHEDULE_WEIGHTS, "schedule", v.rid)
        self.schedule_step = 1 + v.draw(len(SCHEDULES) - 1, "schedule_step")
        evening = [SCHEDULES[p][0] in EVENING or SCHEDULES[p][5] in EVENING for p in self.schedule0.tolist()]
        self.evening = evening

        streets = v.street_lines(OK)
        trailing = q.trailing_address.tolist()
        streets = [s + " " if t else s for s, t in zip(streets, trailing)]
        city, _, zips, state = v.places()
        caregiver_upper = v.chance(0.12, "caregiver_upper").tolist()
        self.caregiver_upper = caregiver_upper
        stars = (1 + v.draw(5, "stars")).tolist()
        since = np.maximum(v.take(v.prof.opened), MONITORING_FROM) + v.draw(60, "monitoring_jitter")
        since_text = text.iso(since)
        cols: Columns = {
            "Type License": type_license,
            "Company": company,
            "Year Round": ["Year Round" if y else "" for y in self.year_round],
            "Daytime Hours": np.where(v.chance(0.97, "daytime"), "Daytime Hours", "").tolist(),
            "Star Level": ["" if h else f"{s} Star Level Program" for h, s in zip(self.half, stars)],
            "Address1": streets,
            "City": city,
            "State": state,
            "Zip": zips,
            "License Monitoring Since": ["" if h else f"Monitoring since {d}" for h, d in zip(self.half, since_text)],
        }
        for k, col in enumerate(AGES):
            cols[col] = [AGE_ROWS[c][k] for c in combo]
        return cols

    def hidden_fields(self) -> dict[str, np.ndarray]:
        no_email = self.q.bad_email
        return {
            "phone": self.q.phone_hidden,
            "schedule": self.q.half_empty,
            "capacity": self.q.half_empty,
            "email": no_email,
        }

    def field_columns(self, name: str, idx: np.ndarray, versions: np.ndarray) -> Columns:
        v = self.v
        ids = idx.tolist()
        if name == "phone":
            return {"Phone": v.phones(idx, versions, text.PARENS)}
        if name == "unit":
            return {"Address2": v.units(idx, versions)}
        if name == "capacity":
            cap = v.prof.capacity[v.fi[idx]] + versions * (1 + v.rng.below(10, "cap_step", v.rid[idx]))
            return {"Total Cap": ["" if self.half[i] else str(c) for i, c in zip(ids, cap.tolist())]}
        if name == "subsidy":
            return self._subsidy(idx, versions)
        if name == "schedule":
            pattern = (self.schedule0[idx] + versions * self.schedule_step[idx]) % len(SCHEDULES)
            days = [("",) * 7 if self.half[i] else SCHEDULES[p] for i, p in zip(ids, pattern.tolist())]
            return {day: [d[k] for d in days] for k, day in enumerate(DAYS)}
        if name == "contact":
            first, last = v.contact(idx, versions)
            role = ["Director" if self.kind[i] == CENTER else "Primary Caregiver" for i in ids]
            out = []
            for k, i in enumerate(ids):
                person = f"{pools.FIRST_NAMES[first[k]]} {pools.LAST_NAMES[last[k]]}"
                person = person if self.caregiver_upper[i] else person.title()
                out.append(f"{person}\n \n {role[k]}")
            return {"Primary Caregiver": out}
        if name == "email":
            return {"Email": v.emails(idx, versions, np.zeros(v.n, dtype=bool))}
        raise KeyError(name)

    def _subsidy(self, idx: np.ndarray, versions: np.ndarray) -> Columns:
        ids = idx.tolist()
        on = (self.subsidized[idx] ^ (versions % 2 == 1)).tolist()
        accepts, contract, school, evening = [], [], [], []
        for k, i in enumerate(ids):
            accepts.append("Accepts Subsidy" if on[k] else "")
            contract.append(
                f"Subsidy Contract Number: {self.contract_no[i]}" if on[k] else "Subsidy Contract Number: N/A"
            )
            if self.q.shifted_tail[i]:
                # The export slides the neighbouring flags into these two columns.
                if on[k]:
                    school.append("Accepts Subsidy")
                    evening.append("Daytime Hours" if self.year_round[i] else "Evening Hours")
                else:
                    school.append("Year Round" if self.year_round[i] else "Daytime Hours")
                    evening.append(self.aa3[i])
            else:
                school.append("" if self.year_round[i] else "School Year Only")
                evening.append("Evening Hours" if self.evening[i] else "")
        return {
            "Accepts Subsidy": accepts,
            "Subsidy Contract Number": contract,
            "School Year Only": school,
            "Evening Hours": evening,
        }
