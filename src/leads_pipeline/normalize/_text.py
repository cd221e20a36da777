"""Small text helpers shared by the normalization rules."""

from __future__ import annotations

import unicodedata


def clean(raw: str | None) -> str | None:
    """Trim and collapse whitespace (any Unicode space, tabs, newlines); blank -> None."""
    if raw is None:
        return None
    text = " ".join(raw.split())
    return text or None


def fold_accents(text: str) -> str:
    """Drop diacritics so `ANGELíS` and `ANGELIS` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
