"""Small text helpers shared by the normalization rules."""

from __future__ import annotations

import re
import unicodedata

# ` DBA ` (doing business as) between a license holder and the business name, in any case and
# with or without periods or slashes (`D/B/A`, `D.B.A.`); it must stand alone as a word.
DBA = re.compile(r"\s+(?:DBA|D/B/A|D\.B\.A\.?)(?=[\s:]|$)[\s:]*", re.IGNORECASE)


def clean(raw: str | None) -> str | None:
    """Trim and collapse whitespace (any Unicode space, tabs, newlines); blank -> None."""
    if raw is None:
        return None
    text = " ".join(raw.split())
    return text or None


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
