"""Listing-level values every agency needs, before its own layout is applied.

Two listings of one facility (two agencies, or twice in one file) are written
differently here: street abbreviations, legal suffix, name case, another phone.
"""

from __future__ import annotations

import numpy as np

from leads_demo import pools, text
from leads_demo.plan import Plan
from leads_demo.population import Facilities
from leads_demo.profile import (
    PLACE_CITY,
    PLACE_COUNTY,
    PLACE_ZIP,
    Profile,
    email_addresses,
    phone_numbers,
)
from leads_demo.quirks import Quirks, bad_email
from leads_demo.rates import P_DUP_NEW_PHONE
from leads_demo.records import Listings

# Street-writing habits per agency: (type style weights, directional style weights),
# each as (abbreviated, abbreviated with a period, full word).
STREET_HABITS = (
    ((55, 15, 30), (40, 50, 10)),  # Nevada mixes everything
    ((60, 15, 25), (70, 20, 10)),  # Oklahoma
    ((95, 0, 5), (100, 0, 0)),  # Texas abbreviates
)


_TITLE_FIRST = [n.title() for n in pools.FIRST_NAMES]
_TITLE_LAST = [n.title() for n in pools.LAST_NAMES]
# Chain site names: BRAND - LOCATION, BRAND -LOCATION, BRAND- LOCATION, BRAND-LOCATION.
_DASHES = (" - ", " -", "- ", "-")
_LLC = pools.LEGAL_SUFFIXES.index("LLC")


def _suffix_table(forms: dict[str, tuple[str, ...]]) -> list[str]:
    """Spelling of (canonical suffix * 4 + pick); picks past the last spelling reuse it."""
    table = []
    for canon in pools.LEGAL_SUFFIXES:
        spellings = forms.get(canon, ("",))
        table += [spellings[min(p, len(spellings) - 1)] for p in range(4)]
    return table


_SUFFIX_UPPER = _suffix_table(text.LEGAL_FORMS)
_SUFFIX_MIXED = _suffix_table(text.LEGAL_FORMS_MIXED)


class Listed:
    """A listing's view of its facility: facility arrays gathered per listing."""

    def __init__(self, plan: Plan, fac: Facilities, prof: Profile, lst: Listings, quirks: Quirks) -> None:
        self.plan, self.fac, self.prof, self.lst, self.q = plan, fac, prof, lst, quirks
        self.fi = lst.fi
        self.n = len(lst)
        self.rng = plan.rng
        self.rid = lst.rid
        self.second = lst.copy == 1

    def draw(self, n: int, stream: str) -> np.ndarray:
        return self.rng.below(n, stream, self.rid)

    def chance(self, p: float, stream: str) -> np.ndarray:
        return self.rng.unit(stream, self.rid) < p

    def take(self, values: np.ndarray | list) -> np.ndarray | list:
        if isinstance(values, list):
            return [values[i] for i in self.fi.tolist()]
        return values[self.fi]

    # --- names -----------------------------------------------------------------------------

    def display_names(self, upper: bool) -> list[str]:
        """Facility name as this listing writes it, legal suffix included."""
        prof, fi = self.prof, self.fi
        names = self.take(prof.business)
        person = prof.person_named[fi]
        first, last = prof.owner_first[fi], prof.owner_last[fi]
        who = np.flatnonzero(person)
        for i, f, ln in zip(who.tolist(), first[who].tolist(), last[who].tolist()):
            names[i] = f"{_TITLE_FIRST[f]} {_TITLE_LAST[ln]}"
        location = self.take(prof.location)
        located = np.flatnonzero(np.asarray([bool(x) for x in location]))
        if len(located):
            dash = np.searchsorted([16, 18, 19], self.draw(20, "name_dash")[located], side="right").tolist()
            for i, d in zip(located.tolist(), dash):
                names[i] = f"{names[i]}{_DASHES[d]}{location[i]}"

        form = self.draw(100, "suffix_form")
        canon = np.where(person, 0, prof.suffix[fi])
        # The second listing of a facility in one file drops or adds the suffix.
        toggle = self.second & ~person
        canon = np.where(toggle & (canon > 0) & (form < 60), 0, canon)
        canon = np.where(toggle & (prof.suffix[fi] == 0) & (form < 40), _LLC, canon)
        pick = np.searchsorted([70, 88, 98], form, side="right")
        table = _SUFFIX_UPPER if upper else _SUFFIX_MIXED
        suffixes = [table[c] for c in (canon * 4 + pick).tolist()]
        if upper:
            return [(n + x).upper() for n, x in zip(names, suffixes)]
        out = [n + x for n, x in zip(names, suffixes)]
        lowered = self.chance(0.03, "name_lowered") | (self.second & (form % 2 == 1))
        for i in np.flatnonzero(lowered).tolist():
            head, _, rest = out[i].partition(" ")
            out[i] = f"{head} {rest.lower()}" if rest else out[i]
        return out

    # --- addresses -------------------------------------------------------------------------

    def street_styles(self, source: int) -> tuple[np.ndarray, np.ndarray]:
        type_w, dir_w = STREET_HABITS[source]
        ts = self.rng.weighted(np.asarray(type_w), "type_style", self.rid)
        ds = self.rng.weighted(np.asarray(dir_w), "dir_style", self.rid)
        # The second listing in one file always spells the street another way.
        ts = np.where(self.second, (ts + 1 + self.draw(2, "type_style2")) % 3, ts)
        ds = np.where(self.second, (ds + 1 + self.draw(2, "dir_style2")) % 3, ds)
        return ts, ds

    def street_lines(self, source: int) -> list[str]:
        prof, fi = self.prof, self.fi
        ts, ds = self.street_styles(source)
        dirs = [text.DIRECTIONAL_TEXT[p][d] for p, d in zip((prof.predir[fi] + 1).tolist(), ds.tolist())]
        types = [text.TYPE_TEXT[t][s] for t, s in zip((prof.stype[fi] + 1).tolist(), ts.tolist())]
        names = [text.STREET_TEXT[st][k] for st, k in zip(self.fac.state[fi].tolist(), prof.street[fi].tolist())]
        respell = (self.fac.respelled_in[fi] == source) & (self.lst.copy == 0)
        how = self.draw(3, "respell_how").tolist()
        for i in np.flatnonzero(respell).tolist():
            # Same house number and ZIP, the street written another way.
            typo = text.typo(names[i])
            if how[i] == 2 and typo:
                names[i] = typo
            elif how[i] == 1 and dirs[i]:
                dirs[i] = ""
            elif types[i]:
                types[i] = ""
            elif typo:
                names[i] = typo
        return [f"{n} {d}{name}{t}" for n, d, name, t in zip(prof.number[fi].tolist(), dirs, names, types)]

    def units(self, idx: np.ndarray, versions: np.ndarray) -> list[str]:
        """The unit text of listings `idx` at the given unit versions."""
        utype_arr = self.prof.unit_type[self.fi[idx]]
        out = [""] * len(idx)
        some = np.flatnonzero((utype_arr >= 0) | (versions > 0))
        if not len(some):
            return out
        idx, versions = idx[some], versions[some]
        utype = utype_arr[some].tolist()
        fi = self.fi[idx].tolist()
        variant = self.rng.below(6, "unit_variant", self.rid[idx]).tolist()
        salt = self.rng.below(1000, "unit_salt", self.rid[idx]).tolist()
        for j, (k, v) in enumerate(zip(some.tolist(), versions.tolist())):
            if v == 0:
                value = self.prof.unit_value[fi[j]]
                out[k] = text.unit_text(utype[j], value, variant[j] == 1)
            else:
                value = text.updated_unit(v, salt[j])
                out[k] = text.unit_text(0, value, variant[j] == 1)
        return out

    def places(self) -> tuple[list[str], list[str], list[str], list[str]]:
        """(city, county, zip, state code) per listing."""
        states = self.take(self.fac.state).tolist()
        places = self.take(self.prof.place).tolist()
        codes = [pools.STATE_ORDER[s] for s in states]
        city = [PLACE_CITY[c][p] for c, p in zip(codes, places)]
        county = [PLACE_COUNTY[c][p] for c, p in zip(codes, places)]
        zips = [PLACE_ZIP[c][p] for c, p in zip(codes, places)]
        return city, county, zips, codes

    # --- phones and emails -----------------------------------------------------------------

    def phone_numbers(self, idx: np.ndarray, versions: np.ndarray) -> np.ndarray:
        fi = self.fi[idx]
        own = self.fac.ids[fi]
        other = self.second[idx] & ~self.fac.steady[fi] & (self.rng.unit("dup_phone", self.rid[idx]) < P_DUP_NEW_PHONE)
        slot0 = np.where(other, 1, 0)
        key0 = np.where(slot0 == 1, own, self.prof.phone_key[fi])
        base = phone_numbers(self.plan, key0, slot0)
        if not versions.any():
            return base
        updated = phone_numbers(self.plan, own, 2 + (np.maximum(versions, 1) - 1) % 4)
        return np.where(versions > 0, updated, base)

    def phones(self, idx: np.ndarray, versions: np.ndarray, default_style: int) -> list[str]:
        numbers = self.phone_numbers(idx, versions)
        q = self.q
        alt = self.rng.below(5, "phone_alt_style", self.rid[idx])
        alt_styles = np.asarray([text.DASHED, text.PARENS, text.DOTTED, text.LEADING_ONE, text.DOTTED_EXT])
        style = np.where(q.phone_style[idx], alt_styles[alt], default_style)
        ext = 1 + self.rng.below(30, "phone_ext", self.rid[idx])
        out = text.phones(numbers, style, ext)
        hidden = np.flatnonzero(q.phone_hidden[idx])
        if len(hidden):
            junk = self.rng.below(len(text.PHONE_JUNK), "phone_junk_pick", self.rid[idx]).tolist()
            blank = q.phone_blank[idx].tolist()
            for k in hidden.tolist():
                out[k] = "" if blank[k] else text.PHONE_JUNK[junk[k]]
        return out

    def emails(self, idx: np.ndarray, versions: np.ndarray, missing: np.ndarray) -> list[str]:
        """Emails at the given versions; `missing` listings show none."""
        locals_, domains = email_addresses(self.prof, self.fi[idx])
        out = [f"{x}@{d}" for x, d in zip(locals_, domains)]
        rid = self.rid[idx]
        upper = self.rng.unit("email_upper", rid) < 0.03
        capital = self.rng.unit("email_capital", rid) < 0.05
        bad, miss = self.q.bad_email[idx], missing[idx]
        special = np.flatnonzero((versions > 0) | upper | capital | bad | miss)
        pick = self.rng.below(5, "bad_email_pick", rid[special]).tolist()
        for n, k in enumerate(special.tolist()):
            if miss[k]:
                out[k] = ""
                continue
            local, domain = locals_[k], domains[k]
            if versions[k]:
                local = f"{local}{versions[k] + 1}"
            value = bad_email(local, domain, pick[n]) if bad[k] else f"{local}@{domain}"
            if upper[k]:
                value = value.upper()
            elif capital[k]:
                value = value[:1].upper() + value[1:]
            out[k] = value
        return out

    # --- people ----------------------------------------------------------------------------

    def contact(self, idx: np.ndarray, versions: np.ndarray) -> tuple[list[int], list[int]]:
        """(first, last) name indexes of the listing's contact; an update changes both."""
        fi = self.fi[idx]
        first = self.prof.contact_first[fi]
        last = self.prof.contact_last[fi]
        nf, nl = len(pools.FIRST_NAMES), len(pools.LAST_NAMES)
        step_f = 1 + self.rng.below(nf - 1, "contact_step_first", self.rid[idx])
        step_l = 1 + self.rng.below(nl - 1, "contact_step_last", self.rid[idx])
        first = (first + versions * step_f) % nf
        last = (last + versions * step_l) % nl
        return first.tolist(), last.tolist()
