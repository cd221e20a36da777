"""The mess real files carry, injected at low, deterministic rates.

Every quirk is a property of a listing (not of a month), so a quirk never shows up as a
change between snapshots. `Plan.quirks` scales all rates; 0 gives clean files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leads_demo.plan import Plan
from leads_demo.rates import NV, OK, TX

PHONE_OTHER_STYLE = 0.04  # phone written in another style than the file's own
PHONE_BLANK = 0.005
PHONE_JUNK = 0.003  # N/A, TBD, 000-000-0000 ...
TRAILING_SPACE_NAME = 0.01
TRAILING_SPACE_ADDRESS = 0.005
MISENCODED = 0.05  # of names with an apostrophe: ANGELíS
BROKEN_QUOTE = 0.002  # Texas names like K" Street Learning Center LLC"
HALF_EMPTY = 0.003  # a row with only its identity columns filled
BAD_EMAIL = 0.01
IMPOSSIBLE_DATE = 0.002  # 2/30/21
OK_SHIFTED_TAIL = 0.9  # Oklahoma's last two columns carry the neighbours' values


@dataclass
class Quirks:
    phone_style: np.ndarray  # bool: another phone style
    phone_blank: np.ndarray
    phone_junk: np.ndarray
    trailing_name: np.ndarray
    trailing_address: np.ndarray
    misencoded: np.ndarray
    broken_quote: np.ndarray
    half_empty: np.ndarray
    bad_email: np.ndarray
    bad_date: np.ndarray
    shifted_tail: np.ndarray

    @property
    def phone_hidden(self) -> np.ndarray:
        """Listings whose phone reads as no phone at all."""
        return self.phone_blank | self.phone_junk

    def counts_where(self, mask: np.ndarray) -> dict[str, int]:
        return {name: int((getattr(self, name) & mask).sum()) for name in self.__dataclass_fields__}


def draw(plan: Plan, rid: np.ndarray, source: int, steady: np.ndarray) -> Quirks:
    """Quirks per listing; `steady` listings always show their phone (it is their only link)."""
    rng = plan.rng

    def hit(name: str, rate: float) -> np.ndarray:
        return rng.unit(f"quirk_{name}", rid) < plan.quirk_rate(rate)

    u_phone = rng.unit("quirk_phone", rid)
    blank = (u_phone < plan.quirk_rate(PHONE_BLANK)) & ~steady
    junk = ~blank & ~steady & (u_phone < plan.quirk_rate(PHONE_BLANK + PHONE_JUNK))
    style = ~blank & ~junk & (u_phone < plan.quirk_rate(PHONE_BLANK + PHONE_JUNK + PHONE_OTHER_STYLE))
    # Quirks only where the agency has the column: emails in OK and TX, dates in NV and TX.
    none = np.zeros(len(rid), dtype=bool)
    broken = hit("broken_quote", BROKEN_QUOTE) if source == TX else none
    shifted = hit("shifted", OK_SHIFTED_TAIL) if source == OK else none
    email = hit("bad_email", BAD_EMAIL) if source != NV else none
    dates = hit("bad_date", IMPOSSIBLE_DATE) if source != OK else none
    return Quirks(
        phone_style=style,
        phone_blank=blank,
        phone_junk=junk,
        trailing_name=hit("trailing_name", TRAILING_SPACE_NAME),
        trailing_address=hit("trailing_address", TRAILING_SPACE_ADDRESS),
        misencoded=hit("misencoded", MISENCODED),
        broken_quote=broken,
        half_empty=hit("half_empty", HALF_EMPTY),
        bad_email=email,
        bad_date=dates,
        shifted_tail=shifted,
    )


def misencode(name: str) -> str:
    """The apostrophe as a wrong code page shows it."""
    return name.replace("'", "í")


def break_quotes(name: str) -> str:
    """K Street Learning Center -> K" Street Learning Center" (a stray quote pair)."""
    first, _, rest = name.partition(" ")
    return f'{first}" {rest}"' if rest else f'{name}"'


def bad_email(local: str, domain: str, pick: int) -> str:
    return (
        f"{local}@{domain.split('.')[0]}",
        f"{local}.{domain}",
        f"{local}@@{domain}",
        "n/a",
        f"{local} @{domain}",
    )[pick % 5]
