"""The CRM's lead export (salesforce_leads_YYYYMMDD.csv), written for the last snapshot.

Most CRM leads are elsewhere in the country and unrelated to the agency files. About a
third point at a facility listed in the last snapshot: by the same phone (CRM style, ten
bare digits) or by the same street address and a similar name with another phone. Sister
sites of a chain are never the target, so every match names exactly one facility.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from leads_demo import pools, population, profile, records, text
from leads_demo.common import Listed
from leads_demo.hashing import affine_permutation
from leads_demo.plan import Plan
from leads_demo.profile import PLACE_CITY, PLACE_ZIP
from leads_demo.quirks import draw as draw_quirks
from leads_demo.rates import PHONE_SLOTS
from leads_demo.sheets_csv import SheetsCsvWriter, quote_column

HEADER = (
    "id",
    "is_deleted",
    "last_name",
    "first_name",
    "title",
    "company",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
    "mobile_phone",
    "email",
    "website",
    "lead_source",
    "status",
    "is_converted",
    "created_date",
    "last_modified_date",
    "last_activity_date",
    "last_viewed_date",
    "last_referenced_date",
    "email_bounced_reason",
    "email_bounced_date",
    "outreach_stage_c",
    "current_enrollment_c",
    "capacity_c",
    "lead_source_last_updated_c",
    "brightwheel_school_uuid_c",
)
P_MATCH = 0.3
P_BY_PHONE = 0.65
P_DELETED = 0.04
P_DUMMY_PHONE = 0.01  # placeholder phones (scaled by the quirks knob)
DUMMY_PHONES = ("0000000000", "1111111111", "5555555555", "9999999999", "0123456789")
STATUSES = ("Working", "Assigned", "Recycled", "Connected", "Unqualified", "Converted")
STATUS_WEIGHTS = (38, 20, 12, 8, 10, 12)
STAGES = {
    "Working": ("Working",),
    "Assigned": ("Added to sequence", "Assigned", ""),
    "Recycled": ("Recycled - Using Competitor", "Recycled - Neglected"),
    "Connected": ("Connected",),
    "Unqualified": ("Unqualified - Enterprise", "Unqualified - Not a Fit"),
    "Converted": ("Converted",),
}
LEAD_SOURCES = (
    "TAM",
    "Web",
    "Proactive Trial",
    "Marketing Research",
    "List Purchase",
    "",
)
LEAD_SOURCE_WEIGHTS = (60, 20, 5, 5, 3, 7)
CHUNK = 1 << 15


def crm_size(plan: Plan) -> int:
    return max(40, plan.rows // 2)


def write(plan: Plan, path: Path, size: int, truth: Any | None, say: Callable[[str], None]) -> int:
    """Write the export; return how many rows point at a facility."""
    matches = 0
    with SheetsCsvWriter(path, HEADER) as out:
        for lo in range(0, size, CHUNK):
            j = np.arange(lo, min(lo + CHUNK, size), dtype=np.int64)
            columns, found = _columns(plan, j, size)
            out.write_lines(zip(*(quote_column(c) for c in columns)), len(j))
            matches += len(found)
            if truth is not None:
                truth.writerows(found)
    say(f"crm: {size:,} leads, {matches:,} pointing at listed facilities")
    return matches


def _targets(plan: Plan, j: np.ndarray) -> dict[str, Any]:
    """Facilities the candidate rows point at, and how each can be recognised."""
    rng = plan.rng
    cand = (rng.unit("crm_match", j) < P_MATCH) & (j < plan.total_facilities)
    fids = affine_permutation(j[cand], plan.total_facilities, plan.seed * 11 + 5)
    fac = population.build(plan, fids)
    prof = profile.build(plan, fac)
    present = np.zeros(len(fac), dtype=bool)
    phone = np.zeros(len(fac), dtype=np.int64)
    for s in range(3):
        lst = records.expand(plan, fac, s, 0)
        q = draw_quirks(plan, lst.rid, s, fac.steady[lst.fi])
        alive = lst.alive[-1]
        present[lst.fi[alive]] = True
        usable = np.flatnonzero(alive & ~q.phone_hidden)
        if not len(usable):
            continue
        listed = Listed(plan, fac, prof, lst, q)
        numbers = listed.phone_numbers(usable, lst.versions["phone"][-1][usable])
        # The first agency (in source order) with a readable phone gives it.
        take = phone[lst.fi[usable]] == 0
        phone[lst.fi[usable][take]] = numbers[take]
    ok = present & (fac.chain == 0)
    return {"cand": cand, "fac": fac, "prof": prof, "ok": ok, "phone": phone}


# Columns 2..14 (last_name .. website) describe who the lead is.
WHO = slice(2, 15)
MOBILE = HEADER.index("mobile_phone")


def _columns(plan: Plan, j: np.ndarray, size: int) -> tuple[list[list[str]], list[tuple]]:
    rng = plan.rng
    t = _targets(plan, j)
    fac, prof = t["fac"], t["prof"]
    target = np.full(len(j), -1, dtype=np.int64)  # index into fac, or -1
    target[np.flatnonzero(t["cand"])] = np.where(t["ok"], np.arange(len(fac)), -1)
    has_phone = np.zeros(len(j), dtype=bool)
    has_phone[target >= 0] = t["phone"][target[target >= 0]] > 0
    by_phone = (target >= 0) & has_phone & (rng.unit("crm_by_phone", j) < P_BY_PHONE)
    shape = rng.below(100, "crm_shape", j)
    other_phone = profile.phone_numbers(plan, j, PHONE_SLOTS)
    dummy = rng.unit("crm_dummy_phone", j) < plan.quirk_rate(P_DUMMY_PHONE)
    deleted = np.where(rng.unit("crm_deleted", j) < P_DELETED, "TRUE", "FALSE").tolist()
    ids = [str(x) for x in (j + 1).tolist()]

    mobile, *activity = _activity(plan, j, size)
    columns = [ids, deleted, *_unrelated(j, shape, other_phone, dummy), *activity]
    columns[MOBILE] = mobile
    found = []
    rows = np.flatnonzero(target >= 0)
    targets = target[rows]
    emails = list(zip(*profile.email_addresses(prof, targets)))
    shapes, others = shape[rows].tolist(), other_phone[rows].tolist()
    phones, by = t["phone"][targets].tolist(), by_phone[rows].tolist()
    facility_ids = fac.ids[targets].tolist()
    for n, (k, f) in enumerate(zip(rows.tolist(), targets.tolist())):
        who = _matched(fac, prof, f, by[n], shapes[n], phones[n], others[n], emails[n])
        for c, value in enumerate(who, start=WHO.start):
            if c != MOBILE:
                columns[c][k] = value
        match_on = "phone" if by[n] else "address_name"
        found.append((facility_ids[n], ids[k], deleted[k], match_on))
    return columns, found


def _activity(plan: Plan, j: np.ndarray, size: int) -> list[list[str]]:
    """mobile_phone, then the columns lead_source .. brightwheel_school_uuid_c."""
    rng = plan.rng
    day = plan.snapshots[-1].toordinal()
    created = day - 1 - rng.below(2200, "crm_created", j)
    span = day - 1 - created
    modified = day - 1 - (rng.unit("crm_modified", j) ** 2 * span).astype(np.int64)
    activity = np.maximum(created, modified - rng.below(3, "crm_activity", j))
    no_activity = (rng.unit("crm_no_activity", j) < 0.12).tolist()
    status = [STATUSES[s] for s in rng.weighted(np.asarray(STATUS_WEIGHTS), "crm_status", j).tolist()]
    stage = rng.below(6, "crm_stage", j).tolist()
    source = rng.weighted(np.asarray(LEAD_SOURCE_WEIGHTS), "crm_lead_source", j).tolist()
    extras = rng.below(100, "crm_extras", j).tolist()
    # Another bijection of the row numbers, so mobile and phone never look alike.
    mobile_key = size + affine_permutation(j, size, plan.seed * 13 + 1)
    mobile = profile.phone_numbers(plan, mobile_key, PHONE_SLOTS).tolist()
    created_iso, modified_iso = text.iso(created), text.iso(modified)
    activity_iso = text.iso(activity)
    seconds = rng.below(86_400, "crm_created_time", j).tolist()
    seconds_m = rng.below(86_400, "crm_modified_time", j).tolist()
    clock = _clock()
    blank = [""] * len(j)
    return [
        ["" if e < 15 else str(m) for e, m in zip(extras, mobile)],
        [LEAD_SOURCES[s] for s in source],
        status,
        ["TRUE" if s == "Converted" else "FALSE" for s in status],
        [f"{d} {clock[s]}" for d, s in zip(created_iso, seconds)],
        [f"{d} {clock[s]}" for d, s in zip(modified_iso, seconds_m)],
        ["" if no else d for no, d in zip(no_activity, activity_iso)],
        blank,
        blank,
        blank,
        blank,
        [STAGES[s][g % len(STAGES[s])] for s, g in zip(status, stage)],
        [str(5 + e) if e < 8 else "" for e in extras],
        [str(10 + 2 * e) if e > 90 else "" for e in extras],
        [d if 40 <= e < 44 else "" for d, e in zip(modified_iso, extras)],
        [str(x) for x in (j + 21).tolist()],
    ]


_CLOCK: list[str] = []


def _clock() -> list[str]:
    """H:MM:SS for every second of a day (the export does not pad the hour)."""
    if not _CLOCK:
        _CLOCK.extend(f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400))
    return _CLOCK


def _matched(
    fac: population.Facilities,
    prof: profile.Profile,
    f: int,
    by_phone: bool,
    shape: int,
    phone: int,
    other_phone: int,
    email: tuple[str, str],
) -> tuple[str, ...]:
    """The WHO columns of a lead that points at facility row f, written CRM style."""
    state = int(fac.state[f])
    code = pools.STATE_ORDER[state]
    if prof.person_named[f]:
        first, last = (
            pools.FIRST_NAMES[prof.owner_first[f]],
            pools.LAST_NAMES[prof.owner_last[f]],
        )
        name = f"{first.title()} {last.title()}"
    else:
        name = prof.business[f]
    suffix = pools.LEGAL_SUFFIXES[prof.suffix[f]]
    if suffix and shape % 3:
        name += f", {suffix.title()}" if shape % 2 else f" {suffix.title()}"
    if shape < 20:
        name = name.lower().capitalize()
    street = text.street_line(
        int(prof.number[f]),
        int(prof.predir[f]),
        int(prof.street[f]),
        int(prof.stype[f]),
        state,
        text.ABBR_DOT,
        text.ABBR,
    ).title()
    with_address = not by_phone or shape < 50
    contact = shape % 5 < 3
    return (
        pools.LAST_NAMES[prof.contact_last[f]].title() if contact else "",
        pools.FIRST_NAMES[prof.contact_first[f]].title() if contact else "",
        "Director" if shape % 10 == 7 else "",
        name,
        street if with_address else "",
        PLACE_CITY[code][prof.place[f]].title() if with_address or shape < 70 else "",
        pools.PLACES[code][1] if shape % 4 else code,
        PLACE_ZIP[code][prof.place[f]] if with_address else "",
        ("", "US", "United States")[shape % 3],
        str(phone) if by_phone else ("" if shape % 5 == 0 else str(other_phone)),
        "",  # mobile_phone is filled for everyone in _activity
        "@".join(email) if shape % 4 == 1 else "",
        "",
    )


def _unrelated(j: np.ndarray, shape: np.ndarray, phone: np.ndarray, dummy: np.ndarray) -> list[list[str]]:
    """WHO columns (last_name .. website) for leads unrelated to any facility."""
    p = pools

    def pick(values: tuple, mult: int, div: int = 1) -> list:
        return [values[i] for i in ((j * mult + shape // div) % len(values)).tolist()]

    adj, noun, ntype = (
        pick(p.NAME_ADJECTIVES, 7),
        pick(p.NAME_NOUNS, 13, 3),
        pick(p.NAME_TYPES, 5, 7),
    )
    states = pick(p.CRM_STATES, 3)
    first = [w.title() for w in pick(p.FIRST_NAMES, 11)]
    last = [w.title() for w in pick(p.LAST_NAMES, 17)]
    streets = pick(p.STREET_NAMES, 19)
    types = [abbr.title() for _, abbr in pick(p.STREET_TYPES[:6], 1)]
    cities = pick(p.CRM_CITIES, 1)
    domains = [p.EMAIL_DOMAINS[s % len(p.EMAIL_DOMAINS)] for s in shape.tolist()]
    sh, jj = shape.tolist(), j.tolist()
    address = (shape >= 45).tolist()
    number = (100 + (j * 37 + shape) % 9800).tolist()
    postal = ((j * 7919 + shape * 31) % 90000 + 10000).tolist()
    words = [f"{a}{b}".lower() for a, b in zip(adj, noun)]
    phones = [
        DUMMY_PHONES[x % len(DUMMY_PHONES)] if d else str(ph) for x, d, ph in zip(jj, dummy.tolist(), phone.tolist())
    ]
    return [
        [ln if s % 3 else "" for ln, s in zip(last, sh)],
        [fn if s % 4 else "" for fn, s in zip(first, sh)],
        [("", "", "", "Director", "Owner", "Provider")[s % 6] for s in sh],
        [f"{a} {b} {t}" if s % 9 else f"{ln}, {fn}" for a, b, t, ln, fn, s in zip(adj, noun, ntype, last, first, sh)],
        [f"{n} {st} {t}." if h else "" for n, st, t, h in zip(number, streets, types, address)],
        [c if h or s % 2 else "" for c, h, s in zip(cities, address, sh)],
        [full if s % 4 else code for (full, code), s in zip(states, sh)],
        [f"{z:05d}" if h else "" for z, h in zip(postal, address)],
        [("", "US", "United States")[s % 3] if h else "" for s, h in zip(sh, address)],
        phones,
        [""] * len(jj),  # mobile_phone, filled in _activity
        [f"{w}{x % 100}@{d}" for w, x, d in zip(words, jj, domains)],
        [f"www.{w}.com" if s % 17 == 0 else "" for w, s in zip(words, sh)],
    ]
