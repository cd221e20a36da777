"""Small text helpers shared by the normalization rules."""

from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.fixes import uncurl_quotes

# ` DBA ` (doing business as) between a license holder and the business name, in any case and
# with or without periods or slashes (`D/B/A`, `D.B.A.`); it must stand alone as a word.
DBA = re.compile(r"\s+(?:DBA|D/B/A|D\.B\.A\.?)(?=[\s:]|$)[\s:]*", re.IGNORECASE)


def clean(raw: str | None) -> str | None:
    """Trim and collapse whitespace (any Unicode space, tabs, newlines); blank -> None."""
    if raw is None:
        return None
    text = " ".join(raw.split())
    return text or None


# Mis-encodings seen in agency files that ftfy does not take for one: each pattern is certain only
# in the context it demands, and gives the character the agency meant.
AGENCY_REPAIRS = (
    # cp1252's right single quote (byte 0x92) read as Mac Roman, where 0x92 is `í`: `ANGELíS` is
    # `ANGEL'S`. A lower-case í between capitals, before a contraction's ending, is no Spanish
    # spelling (upper-case text writes Í).
    (re.compile(r"(?<=[A-Z])í(?=(?:S|T|D|M|LL|RE|VE)\b)"), "'"),
    # cp1252's curly double quotes (0x93, 0x94) read as Mac Roman (`ì`, `î`), as a pair around words.
    (re.compile(r"ì([^ìî]+)î"), r'"\1"'),
)


def repair(text: str) -> str:
    """`text` with mis-encoded characters put back where the intent is certain: mojibake ftfy
    recognizes (`CafÃ©` -> `Café`, `KEISHAâ€™S` -> `KEISHA'S`) and the agencies' own patterns
    (AGENCY_REPAIRS). Repaired quotes are written straight, as the agencies' other names write them."""
    if text.isascii():
        return text  # nothing mis-encoded, and most text is plain ASCII
    fixed = ftfy.fix_encoding(text)
    for pattern, replacement in AGENCY_REPAIRS:
        fixed = pattern.sub(replacement, fixed)
    return uncurl_quotes(fixed) if fixed != text else text


def fold_accents(text: str) -> str:
    """Drop diacritics so `ANGELíS` and `ANGELIS` compare equal."""
    if text.isascii():
        return text  # nothing to fold, and most text is plain ASCII
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def split_dba(text: str) -> tuple[str, str] | None:
    """(holder, business) of `HOLDER DBA BUSINESS`; None without a DBA or when a side is empty."""
    pieces = DBA.split(text, maxsplit=1)
    if len(pieces) != 2:
        return None
    holder, business = (piece.strip(" ,") for piece in pieces)
    return (holder, business) if holder and business else None
