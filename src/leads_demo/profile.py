"""What a facility is like: name, owner, address, phone, email, capacity, ages, dates.

These are facts about the facility, shared by every agency that lists it; each agency then
writes them in its own style (see the per-source modules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from leads_demo import pools
from leads_demo.hashing import affine_permutation
from leads_demo.plan import Plan, add_months
from leads_demo.population import BRAND_CHAIN, OPERATOR_PAIR, Facilities
from leads_demo.rates import CENTER, HOME, OK, OTHER, PHONE_SLOTS, TX

STREET_NUMBERS = 19_900  # house numbers 100..19999
NUMBERED_STREETS = 200  # Oklahoma-style "NW 38TH"
FARM_ROADS = 150  # Texas-style "FM 685"

_PLACE_ROWS = {
    state: [(city, county, z) for city, county, zips in pools.PLACES[state][2] for z in zips]
    for state in pools.STATE_ORDER
}
PLACE_CITY = {s: [r[0] for r in rows] for s, rows in _PLACE_ROWS.items()}
PLACE_COUNTY = {s: [r[1] for r in rows] for s, rows in _PLACE_ROWS.items()}
PLACE_ZIP = {s: [f"{r[2]:05d}" for r in rows] for s, rows in _PLACE_ROWS.items()}


def street_count(state: int) -> int:
    extra = {OK: NUMBERED_STREETS, TX: FARM_ROADS}.get(state, 0)
    return len(pools.STREET_NAMES) + extra


@dataclass
class Profile:
    # name
    # the kind the name and email follow (an Oklahoma pair's home follows its center)
    name_kind: np.ndarray
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
    ids, head = fac.ids, fac.head
    chained = fac.chain != 0
    name_key = np.where(chained, head, ids)

    # Sites of one operator share the owner (an Oklahoma pair: one person, two licenses).
    owner_first = rng.below(len(pools.FIRST_NAMES), "owner_first", name_key)
    owner_last = rng.below(len(pools.LAST_NAMES), "owner_last", name_key)
    person_named = (fac.kind == HOME) & (fac.chain == 0) & (rng.unit("person_named", ids) < 0.35)
    suffix = rng.weighted(np.asarray(pools.LEGAL_SUFFIX_WEIGHTS), "suffix", name_key)
    # Gyms and municipal programs are never an LLC here: INC or nothing.
    inc = pools.LEGAL_SUFFIXES.index("INC")
    suffix = np.where(fac.kind == OTHER, np.where(suffix == inc, inc, 0), suffix)

    number, street, place = _address_core(plan, fac)
    predir, stype = _street_shape(plan, fac, street)
    unit_type, unit_value = _units(plan, fac)

    # An owner's center and family home carry one business name and one email.
    name_kind = np.where(fac.chain == OPERATOR_PAIR, CENTER, fac.kind).astype(np.int8)
    business = _business_names(plan, fac, name_kind, name_key, owner_first, owner_last, place)
    location = _locations(plan, fac, street)

    phone_key = np.where(chained, head, ids)
    email_shape, own_domain, name_words = _emails(plan, fac, name_kind, name_key)

    is_home = fac.kind == HOME
    contact_first = np.where(is_home, owner_first, rng.below(len(pools.FIRST_NAMES), "contact_first", ids))
    contact_last = np.where(is_home, owner_last, rng.below(len(pools.LAST_NAMES), "contact_last", ids))

    capacity = _capacity(plan, fac)
    age_lo, age_hi = _ages(plan, fac)
    opened = _opened(plan, fac)
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


def _address_core(plan: Plan, fac: Facilities) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(house number, street, place): unique per facility within its state."""
    number, street, place = _raw_address(plan, fac.ids, fac.state)
    # Sites of one operator always differ in house number from each other and from the
    # head: that difference is what keeps them apart despite the shared phone and name.
    sister = fac.ids != fac.head
    if sister.any():
        head_number, _, _ = _raw_address(plan, fac.head[sister], fac.state[sister])
        number[sister] = head_number + 2 + 17 * fac.site[sister]
    return number, street, place


def _raw_address(plan: Plan, ids: np.ndarray, states: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
            raise ValueError(f"too many facilities for unique {code} addresses ({size:,})")
        idx = affine_permutation(ids[sel], size, salt=plan.seed * 31 + state)
        place[sel] = idx % zips
        rest = idx // zips
        number[sel] = 100 + rest % STREET_NUMBERS
        street[sel] = (rest // STREET_NUMBERS) % streets
    return number, street, place


def _street_shape(plan: Plan, fac: Facilities, street: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rng = plan.rng
    named = street < len(pools.STREET_NAMES)
    predir = np.where(rng.unit("predir", fac.ids) < 0.3, rng.below(4, "predir_pick", fac.ids), -1)
    # Oklahoma numbered streets carry a quadrant (NW 38TH ST).
    predir = np.where(~named & (fac.state == OK), 4 + rng.below(4, "quadrant", fac.ids), predir)
    predir = np.where(~named & (fac.state == TX), -1, predir)
    stype = rng.weighted(np.asarray(pools.STREET_TYPE_WEIGHTS), "stype", fac.ids)
    stype = np.where(rng.unit("no_type", fac.ids) < 0.03, -1, stype)
    stype = np.where(~named & (fac.state == TX), -1, stype)  # FM 685 has no type
    return predir, stype


def _units(plan: Plan, fac: Facilities) -> tuple[np.ndarray, list[str]]:
    rng = plan.rng
    rate = np.select([fac.kind == CENTER, fac.kind == OTHER], [0.15, 0.10], 0.02)
    has = rng.unit("unit", fac.ids) < rate
    utype = np.where(has, rng.weighted(np.asarray([60, 15, 10, 10, 5]), "unit_type", fac.ids), -1)
    values = [""] * len(fac)
    some = np.flatnonzero(has)
    ids = fac.ids[some]
    style = rng.below(20, "unit_style", ids).tolist()
    num = (1 + rng.below(350, "unit_num", ids)).tolist()
    letter = rng.below(6, "unit_letter", ids).tolist()
    for i, s, v, c in zip(some.tolist(), style, num, letter):
        if s < 14:
            values[i] = str(v)
        elif s < 17:
            values[i] = "ABCDEF"[c]
        elif s < 19:
            values[i] = f"{v + 100}-{v + 102}"
        else:
            values[i] = f"{'ABCDEF'[c]}{v % 40 + 1}"
    return utype, values


_LETTERS = "ABCDEFGHJKLMNPRSTW"


def _business_names(
    plan: Plan,
    fac: Facilities,
    name_kind: np.ndarray,
    key: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    place: np.ndarray,
) -> list[str]:
    rng, p = plan.rng, pools
    pattern = rng.below(100, "name_pattern", key)
    other, home = name_kind == OTHER, name_kind == HOME
    shape = np.select(
        [
            other & (pattern < 75),
            other,
            home & (pattern < 20),
            home & (pattern < 35),
            home & (pattern < 55),
        ]
        + [pattern < t for t in (45, 53, 61, 67, 71, 74, 77, 87, 93)],
        list(range(14)),
        14,
    )
    parts = {
        "a": (p.NAME_ADJECTIVES, rng.below(len(p.NAME_ADJECTIVES), "adj", key)),
        "b": (p.NAME_NOUNS, rng.below(len(p.NAME_NOUNS), "noun", key)),
        "t": (p.NAME_TYPES, rng.below(len(p.NAME_TYPES), "ntype", key)),
        "ht": (p.HOME_TYPES, rng.below(len(p.HOME_TYPES), "htype", key)),
        "ps": (p.POSSESSIVE_TYPES, rng.below(len(p.POSSESSIVE_TYPES), "poss", key)),
        "br": (p.BRANDS, rng.below(len(p.BRANDS), "brand", key)),
        "ok": (p.OTHER_KINDS, rng.below(len(p.OTHER_KINDS), "other_kind", key)),
        "st": (p.STREET_NAMES, rng.below(len(p.STREET_NAMES), "name_street", key)),
        "fn": (_TITLE_FIRST, first),
        "ln": (_TITLE_LAST, last),
    }
    digits = rng.below(900, "name_digits", key)

    def col(name: str, rows: np.ndarray) -> list[str]:
        words, index = parts[name]
        return [words[i] for i in index[rows].tolist()]

    out: list[str] = [""] * len(key)
    for code in range(15):
        rows = np.flatnonzero(shape == code)
        if not len(rows):
            continue
        if code == 0:
            made = [f"{x} {y}" for x, y in zip(col("br", rows), col("ok", rows))]
        elif code == 1:
            cities = [
                PLACE_CITY[pools.STATE_ORDER[s]][x].title()
                for s, x in zip(fac.state[rows].tolist(), place[rows].tolist())
            ]
            made = [
                f"{c} Community Youth Program" if q < 90 else f"{c} Parks & Rec Kids Camp"
                for c, q in zip(cities, pattern[rows].tolist())
            ]
        elif code == 2:
            made = [f"{x}'s {y}" for x, y in zip(col("fn", rows), col("ps", rows))]
        elif code == 3:
            made = [f"{x} {y}" for x, y in zip(col("ln", rows), col("ht", rows))]
        elif code == 4:
            made = [f"{x} {y} {z}" for x, y, z in zip(col("a", rows), col("b", rows), col("ht", rows))]
        elif code == 5:
            made = [f"{x} {y} {z}" for x, y, z in zip(col("a", rows), col("b", rows), col("t", rows))]
        elif code == 6:
            made = [f"The {x} {y} {z}" for x, y, z in zip(col("a", rows), col("b", rows), col("t", rows))]
        elif code == 7:
            made = [f"{y} {z}" for y, z in zip(col("b", rows), col("t", rows))]
        elif code == 8:
            made = [f"{x}'s {y}" for x, y in zip(col("ln", rows), col("ps", rows))]
        elif code == 9:
            made = [
                f"{d % 9 + 1}{_ordinal_suffix(d % 9 + 1)} {y} {z}"
                for d, y, z in zip(digits[rows].tolist(), col("b", rows), col("t", rows))
            ]
        elif code == 10:
            made = [f"{d} {x} {z}" for d, x, z in zip(digits[rows].tolist(), col("a", rows), col("t", rows))]
        elif code == 11:
            made = [
                f"{_LETTERS[d % 18]} {_LETTERS[d // 18 % 18]} {y} {z}"
                for d, y, z in zip(digits[rows].tolist(), col("b", rows), col("t", rows))
            ]
        elif code == 12:
            made = [f"{s} {z}" for s, z in zip(col("st", rows), col("t", rows))]
        elif code == 13:
            made = [f"{x} {z}" for x, z in zip(col("a", rows), col("t", rows))]
        else:
            made = [f"{f}'s {x} {y}" for f, x, y in zip(col("fn", rows), col("a", rows), col("b", rows))]
        for i, name in zip(rows.tolist(), made):
            out[i] = name
    return out


def _locations(plan: Plan, fac: Facilities, street: np.ndarray) -> list[str]:
    """Brand chains add a location word to most sites' names (BRAND - LOCATION)."""
    rng = plan.rng
    located = (fac.chain == BRAND_CHAIN) & (rng.unit("chain_located", fac.head) < 0.6)
    names = pools.STREET_NAMES
    return [names[s % len(names)].split()[0] if loc else "" for loc, s in zip(located.tolist(), street.tolist())]


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
    words = rng.below(len(pools.NAME_ADJECTIVES), "adj", key) * 1000 + rng.below(len(pools.NAME_NOUNS), "noun", key)
    return shape, own, words


_TITLE_FIRST = [n.title() for n in pools.FIRST_NAMES]
_TITLE_LAST = [n.title() for n in pools.LAST_NAMES]
_ADJ = [w.lower() for w in pools.NAME_ADJECTIVES]
_NOUN = [w.lower() for w in pools.NAME_NOUNS]
_FIRST = [w.lower() for w in pools.FIRST_NAMES]
_WORDS = [(a + b)[:18] for a in _ADJ for b in _NOUN]  # by adjective * len(_NOUN) + noun
_LAST = [w.lower() for w in pools.LAST_NAMES]


def email_address(prof: Profile, i: int) -> tuple[str, str]:
    """(local part, domain) of facility row i."""
    locals_, domains = email_addresses(prof, np.asarray([i]))
    return locals_[0], domains[0]


def email_addresses(prof: Profile, rows: np.ndarray) -> tuple[list[str], list[str]]:
    """(local parts, domains) of the given facility rows."""
    shape = prof.email_shape[rows]
    style, digits, domain = shape // 1000, shape // 10 % 100, shape % 10
    personal = (prof.name_kind[rows] == HOME) | (style < 3)
    own = ~personal & prof.own_domain[rows]
    # One code per local-part pattern; each pattern is formatted in one pass.
    code = np.where(personal, style % 5, np.where(own, 5 + style % 6, 11 + style % 4))
    words = prof.name_words[rows]
    w_all = [_WORDS[k] for k in (words // 1000 * len(_NOUN) + words % 1000).tolist()]
    local: list[str] = [""] * len(rows)
    for c in np.unique(code).tolist():
        at = np.flatnonzero(code == c)
        idx = rows[at]
        fn = [_FIRST[i] for i in prof.owner_first[idx].tolist()]
        ln = [_LAST[i] for i in prof.owner_last[idx].tolist()]
        w = [w_all[i] for i in at.tolist()]
        made = _local_parts(c, fn, ln, w, digits[at].tolist())
        for i, value in zip(at.tolist(), made):
            local[i] = value
    domains = [pools.EMAIL_DOMAINS[d] for d in domain.tolist()]
    for i in np.flatnonzero(own).tolist():
        domains[i] = f"{w_all[i]}.com"
    return local, domains


def _local_parts(code: int, fn: list[str], ln: list[str], w: list[str], d: list[int]) -> list[str]:
    """Local parts of one pattern (see the codes in email_addresses)."""
    fixed = {5: "director", 6: "info", 7: "office", 8: "admin"}
    if code in fixed:
        return [fixed[code]] * len(fn)
    if code in (0, 10):
        return [f"{f}.{la}" for f, la in zip(fn, ln)]
    if code == 1:
        return [f"{f}{la}{n}" for f, la, n in zip(fn, ln, d)]
    if code == 2:
        return [f"{f}_{la}" for f, la in zip(fn, ln)]
    if code == 3:
        return [f"{f[0]}{la}{n}" for f, la, n in zip(fn, ln, d)]
    if code in (4, 12):
        return [f"{x}{n}" for x, n in zip(w, d)]
    if code == 9:
        return list(fn)
    if code == 11:
        return list(w)
    if code == 13:
        return [f"{x}.{la}" for x, la in zip(w, ln)]
    return [f"{f}{n}" for f, n in zip(fn, d)]


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
    new = snap[np.minimum(births, plan.months - 1)] - 10 - rng.below(70, "opened_new", fac.ids)
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
