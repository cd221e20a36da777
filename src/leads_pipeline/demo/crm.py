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

from leads_pipeline.demo import pools, population, profile, records, text
from leads_pipeline.demo.common import Listed
from leads_pipeline.demo.hashing import affine_permutation
from leads_pipeline.demo.plan import PHONE_SLOTS, Plan
from leads_pipeline.demo.profile import PLACE_CITY, PLACE_ZIP
from leads_pipeline.demo.quirks import draw as draw_quirks
from leads_pipeline.demo.sheets_csv import SheetsCsvWriter

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


def write(
    plan: Plan, path: Path, size: int, truth: Any | None, say: Callable[[str], None]
) -> int:
    """Write the export; return how many rows point at a facility."""
    matches = 0
    with SheetsCsvWriter(path, HEADER) as out:
        for lo in range(0, size, CHUNK):
            j = np.arange(lo, min(lo + CHUNK, size), dtype=np.int64)
            rows, found = _rows(plan, j, size)
            out.write_rows(rows)
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


def _rows(
    plan: Plan, j: np.ndarray, size: int
) -> tuple[list[tuple[str, ...]], list[tuple]]:
    rng = plan.rng
    t = _targets(plan, j)
    fac, prof = t["fac"], t["prof"]
    target = np.full(len(j), -1, dtype=np.int64)  # index into fac, or -1
    target[np.flatnonzero(t["cand"])] = np.where(t["ok"], np.arange(len(fac)), -1)
    has_phone = np.zeros(len(j), dtype=bool)
    has_phone[target >= 0] = t["phone"][target[target >= 0]] > 0
    by_phone = (target >= 0) & has_phone & (rng.unit("crm_by_phone", j) < P_BY_PHONE)

    day = plan.snapshots[-1].toordinal()
    created = day - 1 - rng.below(2200, "crm_created", j)
    modified = (
        day
        - 1
        - (rng.unit("crm_modified", j) ** 2 * (day - 1 - created)).astype(np.int64)
    )
    activity = np.maximum(created, modified - rng.below(3, "crm_activity", j))
    no_activity = rng.unit("crm_no_activity", j) < 0.12
    seconds = rng.below(86_400, "crm_created_time", j).tolist()
    seconds_m = rng.below(86_400, "crm_modified_time", j).tolist()
    status = rng.weighted(np.asarray(STATUS_WEIGHTS), "crm_status", j).tolist()
    stage = rng.below(6, "crm_stage", j).tolist()
    source = rng.weighted(
        np.asarray(LEAD_SOURCE_WEIGHTS), "crm_lead_source", j
    ).tolist()
    deleted = (rng.unit("crm_deleted", j) < P_DELETED).tolist()
    other_phone = profile.phone_numbers(plan, j, PHONE_SLOTS)
    mobile = profile.phone_numbers(plan, j + size, PHONE_SLOTS)
    dummy = rng.unit("crm_dummy_phone", j) < plan.quirk_rate(P_DUMMY_PHONE)
    extras = rng.below(100, "crm_extras", j).tolist()
    shape = rng.below(100, "crm_shape", j).tolist()
    created_iso, modified_iso, activity_iso = (
        text.iso(created),
        text.iso(modified),
        text.iso(activity),
    )

    rows, found = [], []
    tgt, byp = target.tolist(), by_phone.tolist()
    phone_of = t["phone"]
    for k, jj in enumerate(j.tolist()):
        f = tgt[k]
        if f >= 0:
            who = _matched(
                plan,
                fac,
                prof,
                f,
                byp[k],
                shape[k],
                int(phone_of[f]),
                int(other_phone[k]),
            )
            found.append(
                (
                    int(fac.ids[f]),
                    str(jj + 1),
                    "TRUE" if deleted[k] else "FALSE",
                    "phone" if byp[k] else "address_name",
                )
            )
        else:
            who = _unrelated(rng, jj, shape[k], int(other_phone[k]), bool(dummy[k]))
        st = STATUSES[status[k]]
        stages = STAGES[st]
        e = extras[k]
        rows.append(
            (
                str(jj + 1),
                "TRUE" if deleted[k] else "FALSE",
                who["last"],
                who["first"],
                who["title"],
                who["company"],
                who["street"],
                who["city"],
                who["state"],
                who["postal"],
                who["country"],
                who["phone"],
                "" if e < 15 else f"{int(mobile[k])}",
                who["email"],
                who["website"],
                LEAD_SOURCES[source[k]],
                st,
                "TRUE" if st == "Converted" else "FALSE",
                _stamp(created_iso[k], seconds[k]),
                _stamp(modified_iso[k], seconds_m[k]),
                "" if no_activity[k] else activity_iso[k],
                "",
                "",
                "",
                "",
                stages[stage[k] % len(stages)],
                str(5 + e) if e < 8 else "",
                str(10 + 2 * e) if e > 90 else "",
                modified_iso[k] if 40 <= e < 44 else "",
                str(jj + 21),
            )
        )
    return rows, found


def _stamp(day: str, seconds: int) -> str:
    return f"{day} {seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _matched(
    plan: Plan,
    fac: population.Facilities,
    prof: profile.Profile,
    f: int,
    by_phone: bool,
    shape: int,
    phone: int,
    other_phone: int,
) -> dict[str, str]:
    state = int(fac.state[f])
    code = pools.STATE_ORDER[state]
    full = pools.PLACES[code][1]
    if prof.person_named[f]:
        name = f"{pools.FIRST_NAMES[prof.owner_first[f]].title()} {pools.LAST_NAMES[prof.owner_last[f]].title()}"
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
    return {
        "last": pools.LAST_NAMES[prof.contact_last[f]].title() if contact else "",
        "first": pools.FIRST_NAMES[prof.contact_first[f]].title() if contact else "",
        "title": "Director" if shape % 10 == 7 else "",
        "company": name,
        "street": street if with_address else "",
        "city": PLACE_CITY[code][prof.place[f]].title()
        if with_address or shape < 70
        else "",
        "state": full if shape % 4 else code,
        "postal": PLACE_ZIP[code][prof.place[f]] if with_address else "",
        "country": ("", "US", "United States")[shape % 3],
        "phone": str(phone)
        if by_phone
        else ("" if shape % 5 == 0 else str(other_phone)),
        "email": "@".join(profile.email_address(prof, f)) if shape % 4 == 1 else "",
        "website": "",
    }


def _unrelated(rng: Any, j: int, shape: int, phone: int, dummy: bool) -> dict[str, str]:
    a = pools.NAME_ADJECTIVES[(j * 7 + shape) % len(pools.NAME_ADJECTIVES)]
    b = pools.NAME_NOUNS[(j * 13 + shape // 3) % len(pools.NAME_NOUNS)]
    t = pools.NAME_TYPES[(j * 5 + shape // 7) % len(pools.NAME_TYPES)]
    full, code = pools.CRM_STATES[(j * 3 + shape) % len(pools.CRM_STATES)]
    first = pools.FIRST_NAMES[(j * 11 + shape) % len(pools.FIRST_NAMES)].title()
    last = pools.LAST_NAMES[(j * 17 + shape) % len(pools.LAST_NAMES)].title()
    street_name = pools.STREET_NAMES[(j * 19 + shape) % len(pools.STREET_NAMES)]
    _, abbr = pools.STREET_TYPES[(j + shape) % 6]
    has_address = shape >= 45
    words = f"{a}{b}".lower()
    return {
        "last": last if shape % 3 else "",
        "first": first if shape % 4 else "",
        "title": ("", "", "", "Director", "Owner", "Provider")[shape % 6],
        "company": f"{a} {b} {t}" if shape % 9 else f"{last}, {first}",
        "street": f"{100 + (j * 37 + shape) % 9800} {street_name} {abbr.title()}."
        if has_address
        else "",
        "city": pools.CRM_CITIES[(j + shape) % len(pools.CRM_CITIES)]
        if has_address or shape % 2
        else "",
        "state": full if shape % 4 else code,
        "postal": f"{(j * 7919 + shape * 31) % 90000 + 10000:05d}"
        if has_address
        else "",
        "country": ("", "US", "United States")[shape % 3] if has_address else "",
        "phone": DUMMY_PHONES[j % len(DUMMY_PHONES)] if dummy else str(phone),
        "email": f"{words}{j % 100}@{pools.EMAIL_DOMAINS[shape % len(pools.EMAIL_DOMAINS)]}",
        "website": f"www.{words}.com" if shape % 17 == 0 else "",
    }
