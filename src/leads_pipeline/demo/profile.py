"""What a facility is like: name, owner, address, phone, email, capacity, ages, dates.

These are facts about the facility, shared by every agency that lists it; each agency then
writes them in its own style (see the per-source modules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from leads_pipeline.demo import pools
from leads_pipeline.demo.hashing import affine_permutation
from leads_pipeline.demo.plan import CENTER, HOME, OTHER, PHONE_SLOTS, Plan, add_months
from leads_pipeline.demo.population import BRAND_CHAIN, OPERATOR_PAIR, Facilities

STREET_NUMBERS = 19_900  # house numbers 100..19999
NUMBERED_STREETS = 200  # Oklahoma-style "NW 38TH"
FARM_ROADS = 150  # Texas-style "FM 685"

_PLACE_ROWS = {
    state: [
        (city, county, z) for city, county, zips in pools.PLACES[state][2] for z in zips
    ]
    for state in pools.STATE_ORDER
}
PLACE_CITY = {s: [r[0] for r in rows] for s, rows in _PLACE_ROWS.items()}
PLACE_COUNTY = {s: [r[1] for r in rows] for s, rows in _PLACE_ROWS.items()}
PLACE_ZIP = {s: [f"{r[2]:05d}" for r in rows] for s, rows in _PLACE_ROWS.items()}


def street_count(state: int) -> int:
    return len(pools.STREET_NAMES) + (
        NUMBERED_STREETS if state == 1 else FARM_ROADS if state == 2 else 0
    )


@dataclass
class Profile:
    # name
    name_kind: (
        np.ndarray
    )  # the kind the name and email follow (a pair's home: its center's)
    business: list[str]  # title-case name without legal suffix
    location: list[str]  # chain site's location word, "" when none
    suffix: np.ndarray  # index into pools.LEGAL_SUFFIXES
    person_named: np.ndarray  # bool: a family home known by its owner's name
    owner_first: np.ndarray
    owner_last: np.ndarray
    # address
    number: np.ndarray
    predir: np.ndarray  # index into pools.DIRECTIONALS, -1 for none
    street: np.ndarray  # street index (names, then numbered streets / farm roads)
    stype: np.ndarray  # index into pools.STREET_TYPES, -1 for none
    unit_type: np.ndarray  # index into pools.UNIT_TYPES, -1 for none
    unit_value: list[str]
    place: np.ndarray  # row of the state's place table (city, county, zip)
    # contact and lines
    phone_key: np.ndarray  # whose phone: the operator's for chain sites
    email_shape: np.ndarray  # style * 1000 + digits * 10 + domain, see email_address
    own_domain: np.ndarray
    name_words: np.ndarray  # adjective * 1000 + noun, the words an email is made of
    contact_first: np.ndarray
    contact_last: np.ndarray
    # licensing facts
    capacity: np.ndarray
    age_lo: np.ndarray  # 0 infants, 1 toddlers, 2 preschool, 3 school-age
    age_hi: np.ndarray
    opened: np.ndarray  # ordinal of the first license date


def build(plan: Plan, fac: Facilities) -> Profile:
    rng = plan.rng
    n = len(fac)
    ids, head = fac.ids, fac.head
    chained = fac.chain != 0
    name_key = np.where(chained, head, ids)

    owner_first = rng.below(len(pools.FIRST_NAMES), "owner_first", name_key)
    owner_last = rng.below(len(pools.LAST_NAMES), "owner_last", name_key)
    # A pair's family home is run by the owner named on both licenses.
    person_named = (
        (fac.kind == HOME) & (fac.chain == 0) & (rng.unit("person_named", ids) < 0.35)
    )
    suffix = rng.weighted(np.asarray(pools.LEGAL_SUFFIX_WEIGHTS), "suffix", name_key)
    suffix = np.where(fac.kind == OTHER, np.where(suffix == 2, 2, 0), suffix)

    number, street, place = _address_core(plan, fac)
    predir, stype = _street_shape(plan, fac, street)
    unit_type, unit_value = _units(plan, fac)

    # An owner's center and family home carry one business name and one email.
    name_kind = np.where(fac.chain == OPERATOR_PAIR, CENTER, fac.kind).astype(np.int8)
    business = _business_names(
        plan, fac, name_kind, name_key, owner_first, owner_last, place
    )
    location = _locations(plan, fac, street)

    phone_key = np.where(chained, head, ids)
    email_shape, own_domain, name_words = _emails(plan, fac, name_kind, name_key)

    is_home = fac.kind == HOME
    contact_first = np.where(
        is_home, owner_first, rng.below(len(pools.FIRST_NAMES), "contact_first", ids)
    )
    contact_last = np.where(
        is_home, owner_last, rng.below(len(pools.LAST_NAMES), "contact_last", ids)
    )

    capacity = _capacity(plan, fac)
    age_lo, age_hi = _ages(plan, fac)
    opened = _opened(plan, fac)
    del n
    return Profile(
        name_kind,
        business,
        location,
        suffix,
        person_named,
        owner_first,
        owner_last,
        number,
        predir,
        street,
        stype,
        unit_type,
        unit_value,
        place,
        phone_key,
        email_shape,
        own_domain,
        name_words,
        contact_first,
        contact_last,
        capacity,
        age_lo,
        age_hi,
        opened,
    )


def _address_core(
    plan: Plan, fac: Facilities
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(house number, street, place): unique per facility within its state."""
    number, street, place = _raw_address(plan, fac.ids, fac.state)
    # Sites of one operator always differ in house number from each other and from the
    # head: that difference is what keeps them apart despite the shared phone and name.
    sister = fac.ids != fac.head
    if sister.any():
        head_number, _, _ = _raw_address(plan, fac.head[sister], fac.state[sister])
        number[sister] = head_number + 2 + 17 * fac.site[sister]
    return number, street, place


def _raw_address(
    plan: Plan, ids: np.ndarray, states: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    number = np.zeros(len(ids), dtype=np.int64)
    street = np.zeros(len(ids), dtype=np.int64)
    place = np.zeros(len(ids), dtype=np.int64)
    for state, code in enumerate(pools.STATE_ORDER):
        sel = states == state
        if not sel.any():
            continue
        zips, streets = len(PLACE_ZIP[code]), street_count(state)
        size = zips * STREET_NUMBERS * streets
        if plan.total_facilities > size:
            raise ValueError(
                f"too many facilities for unique {code} addresses ({size:,})"
            )
        idx = affine_permutation(ids[sel], size, salt=plan.seed * 31 + state)
        place[sel] = idx % zips
        rest = idx // zips
        number[sel] = 100 + rest % STREET_NUMBERS
        street[sel] = (rest // STREET_NUMBERS) % streets
    return number, street, place


def _street_shape(
    plan: Plan, fac: Facilities, street: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    rng = plan.rng
    named = street < len(pools.STREET_NAMES)
    predir = np.where(
        rng.unit("predir", fac.ids) < 0.3, rng.below(4, "predir_pick", fac.ids), -1
    )
    # Oklahoma numbered streets carry a quadrant (NW 38TH ST).
    predir = np.where(
        ~named & (fac.state == 1), 4 + rng.below(4, "quadrant", fac.ids), predir
    )
    predir = np.where(~named & (fac.state == 2), -1, predir)
    stype = rng.weighted(np.asarray(pools.STREET_TYPE_WEIGHTS), "stype", fac.ids)
    stype = np.where(rng.unit("no_type", fac.ids) < 0.03, -1, stype)
    stype = np.where(~named & (fac.state == 2), -1, stype)  # FM 685 has no type
    return predir, stype


def _units(plan: Plan, fac: Facilities) -> tuple[np.ndarray, list[str]]:
    rng = plan.rng
    rate = np.select([fac.kind == CENTER, fac.kind == OTHER], [0.15, 0.10], 0.02)
    has = rng.unit("unit", fac.ids) < rate
    utype = np.where(
        has, rng.weighted(np.asarray([60, 15, 10, 10, 5]), "unit_type", fac.ids), -1
    )
    style = rng.below(20, "unit_style", fac.ids).tolist()
    num = (1 + rng.below(350, "unit_num", fac.ids)).tolist()
    letter = rng.below(6, "unit_letter", fac.ids).tolist()
    values = []
    for h, s, v, c in zip(has.tolist(), style, num, letter):
        if not h:
            values.append("")
        elif s < 14:
            values.append(str(v))
        elif s < 17:
            values.append("ABCDEF"[c])
        elif s < 19:
            values.append(f"{v + 100}-{v + 102}")
        else:
            values.append(f"{'ABCDEF'[c]}{v % 40 + 1}")
    return utype, values


def _business_names(
    plan: Plan,
    fac: Facilities,
    name_kind: np.ndarray,
    key: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    place: np.ndarray,
) -> list[str]:
    rng = plan.rng
    adj = rng.below(len(pools.NAME_ADJECTIVES), "adj", key).tolist()
    noun = rng.below(len(pools.NAME_NOUNS), "noun", key).tolist()
    ctype = rng.below(len(pools.NAME_TYPES), "ntype", key).tolist()
    htype = rng.below(len(pools.HOME_TYPES), "htype", key).tolist()
    poss = rng.below(len(pools.POSSESSIVE_TYPES), "poss", key).tolist()
    pattern = rng.below(100, "name_pattern", key).tolist()
    brand = rng.below(len(pools.BRANDS), "brand", key).tolist()
    okind = rng.below(len(pools.OTHER_KINDS), "other_kind", key).tolist()
    street = rng.below(len(pools.STREET_NAMES), "name_street", key).tolist()
    digits = rng.below(900, "name_digits", key).tolist()
    kinds = name_kind.tolist()
    firsts, lasts = first.tolist(), last.tolist()
    state_codes = [pools.STATE_ORDER[s] for s in fac.state.tolist()]
    places = place.tolist()
    out = []
    for i, kind in enumerate(kinds):
        a, b = pools.NAME_ADJECTIVES[adj[i]], pools.NAME_NOUNS[noun[i]]
        t, p = pools.NAME_TYPES[ctype[i]], pattern[i]
        fn, ln = (
            pools.FIRST_NAMES[firsts[i]].title(),
            pools.LAST_NAMES[lasts[i]].title(),
        )
        if kind == OTHER:
            if p < 75:
                out.append(f"{pools.BRANDS[brand[i]]} {pools.OTHER_KINDS[okind[i]]}")
            else:
                city = PLACE_CITY[state_codes[i]][places[i]].title()
                out.append(
                    f"{city} Community Youth Program"
                    if p < 90
                    else f"{city} Parks & Rec Kids Camp"
                )
        elif kind == HOME and p < 55:
            ht = pools.HOME_TYPES[htype[i]]
            if p < 20:
                out.append(f"{fn}'s {pools.POSSESSIVE_TYPES[poss[i]]}")
            elif p < 35:
                out.append(f"{ln} {ht}")
            else:
                out.append(f"{a} {b} {ht}")
        elif p < 45:
            out.append(f"{a} {b} {t}")
        elif p < 53:
            out.append(f"The {a} {b} {t}")
        elif p < 61:
            out.append(f"{b} {t}")
        elif p < 67:
            out.append(f"{ln}'s {pools.POSSESSIVE_TYPES[poss[i]]}")
        elif p < 71:
            out.append(
                f"{digits[i] % 9 + 1}{_ordinal_suffix(digits[i] % 9 + 1)} {b} {t}"
            )
        elif p < 74:
            out.append(f"{digits[i]} {a} {t}")
        elif p < 77:
            out.append(
                f"{'ABCDEFGHJKLMNPRSTW'[digits[i] % 18]} {'ABCDEFGHJKLMNPRSTW'[digits[i] // 18 % 18]} {b} {t}"
            )
        elif p < 87:
            out.append(f"{pools.STREET_NAMES[street[i]]} {t}")
        elif p < 93:
            out.append(f"{a} {t}")
        else:
            out.append(f"{fn}'s {a} {b}")
    return out


def _locations(plan: Plan, fac: Facilities, street: np.ndarray) -> list[str]:
    """Brand chains name most sites after their street (BRAND - LOCATION)."""
    rng = plan.rng
    located = (fac.chain == BRAND_CHAIN) & (rng.unit("chain_located", fac.head) < 0.6)
    names = pools.STREET_NAMES
    return [
        names[s % len(names)].split()[0] if loc else ""
        for loc, s in zip(located.tolist(), street.tolist())
    ]


def _emails(
    plan: Plan, fac: Facilities, name_kind: np.ndarray, key: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numbers an email is built from (strings are made only for listings that show one)."""
    rng = plan.rng
    style = rng.below(10, "email_style", key)
    digits = rng.below(100, "email_digits", key)
    domain = rng.weighted(np.asarray(pools.EMAIL_DOMAIN_WEIGHTS), "email_domain", key)
    shape = style * 1000 + digits * 10 + domain
    own = (rng.unit("own_domain", key) < 0.25) & (name_kind != HOME)
    words = rng.below(len(pools.NAME_ADJECTIVES), "adj", key) * 1000 + rng.below(
        len(pools.NAME_NOUNS), "noun", key
    )
    return shape, own, words


_ADJ = [w.lower() for w in pools.NAME_ADJECTIVES]
_NOUN = [w.lower() for w in pools.NAME_NOUNS]
_FIRST = [w.lower() for w in pools.FIRST_NAMES]
_LAST = [w.lower() for w in pools.LAST_NAMES]


def email_address(prof: Profile, i: int) -> tuple[str, str]:
    """(local part, domain) of facility row i."""
    kind = prof.name_kind[i]
    shape, words = int(prof.email_shape[i]), int(prof.name_words[i])
    s, d, dom = shape // 1000, shape // 10 % 100, shape % 10
    fn, ln = _FIRST[prof.owner_first[i]], _LAST[prof.owner_last[i]]
    w = (_ADJ[words // 1000] + _NOUN[words % 1000])[:18]
    if kind == HOME or s < 3:
        local = (
            f"{fn}.{ln}",
            f"{fn}{ln}{d}",
            f"{fn}_{ln}",
            f"{fn[0]}{ln}{d}",
            f"{w}{d}",
        )[s % 5]
        return local, pools.EMAIL_DOMAINS[dom]
    if prof.own_domain[i]:
        return ("director", "info", "office", "admin", fn, f"{fn}.{ln}")[
            s % 6
        ], f"{w}.com"
    return (w, f"{w}{d}", f"{w}.{ln}", f"{fn}{d}")[s % 4], pools.EMAIL_DOMAINS[dom]


def _capacity(plan: Plan, fac: Facilities) -> np.ndarray:
    rng = plan.rng
    center = 20 + (rng.unit("cap", fac.ids) ** 2 * 300).astype(np.int64)
    home = np.where(
        rng.unit("cap_home", fac.ids) < 0.55,
        12,
        np.where(rng.unit("cap_six", fac.ids) < 0.8, 7, 6),
    )
    other = 20 + rng.below(80, "cap_other", fac.ids)
    return np.select([fac.kind == CENTER, fac.kind == HOME], [center, home], other)


def _ages(plan: Plan, fac: Facilities) -> tuple[np.ndarray, np.ndarray]:
    rng = plan.rng
    u = rng.unit("age_lo", fac.ids)
    lo = np.select([u < 0.72, u < 0.86, u < 0.95], [0, 1, 2], 3)
    lo = np.where(fac.kind == OTHER, np.maximum(lo, 2), lo)
    hi = np.where(rng.unit("age_hi", fac.ids) < 0.72, 3, 2)
    return lo, np.maximum(hi, lo)


def _opened(plan: Plan, fac: Facilities) -> np.ndarray:
    rng = plan.rng
    early, late = date(1988, 1, 1).toordinal(), add_months(plan.start, -2).toordinal()
    # Older licenses are rarer: skew towards recent years.
    old = late - (rng.unit("opened", fac.ids) ** 1.6 * (late - early)).astype(np.int64)
    births = fac.birth.astype(np.int64)
    snap = np.asarray(
        [add_months(plan.start, m).toordinal() for m in range(plan.months)],
        dtype=np.int64,
    )
    new = (
        snap[np.minimum(births, plan.months - 1)]
        - 10
        - rng.below(70, "opened_new", fac.ids)
    )
    return np.where(births > 0, new, old)


def phone_numbers(plan: Plan, key: np.ndarray, slot: np.ndarray | int) -> np.ndarray:
    """10-digit phone numbers, unique per (key, slot): no two facilities share one by chance."""
    space = len(pools.AREA_CODES) * pools.LOCAL_NUMBERS
    q = affine_permutation(
        key + plan.total_facilities * np.asarray(slot, dtype=np.int64),
        space,
        plan.seed * 7 + 3,
    )
    area = np.asarray(pools.AREA_CODES, dtype=np.int64)[q // pools.LOCAL_NUMBERS]
    return area * 10_000_000 + 2_000_000 + q % pools.LOCAL_NUMBERS


def phone_capacity_ok(plan: Plan, extra: int) -> bool:
    space = len(pools.AREA_CODES) * pools.LOCAL_NUMBERS
    return plan.total_facilities * PHONE_SLOTS + extra <= space


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
