"""Mis-encoded text is repaired where the intent is certain, and only there."""

from __future__ import annotations

import pytest

from leads_pipeline.stages.lookups.parsers import name_keys_table
from leads_pipeline.stages.lookups.parsers._text import repair


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [
        ("KEISHAíS DAYCARE", "KEISHA'S DAYCARE"),  # cp1252's right quote read as Mac Roman
        ("MY LITTLE ANGELíS HOME DAYCARE LLC", "MY LITTLE ANGEL'S HOME DAYCARE LLC"),
        ("KIDS DONíT STOP", "KIDS DON'T STOP"),
        ("ìLITTLE STARSî DAYCARE", '"LITTLE STARS" DAYCARE'),
        ("CafÃ© NiÃ±os Preschool", "Café Niños Preschool"),  # UTF-8 read as cp1252 (ftfy)
        ("KEISHAâ€™S DAYCARE", "KEISHA'S DAYCARE"),
        ("Ã‰COLE MONTESSORI", "ÉCOLE MONTESSORI"),
    ],
)
def test_mis_encoded_text_is_repaired(raw: str, repaired: str) -> None:
    assert repair(raw) == repaired


@pytest.mark.parametrize(
    "text",
    [
        "MARíA'S PLACE",  # í before a lower-case letter or an apostrophe: a spelling, not a quote
        "Pequeños Pasos",
        "PEÑA FAMILY CHILDCARE",
        "Naïve Art Studio",
        "José’s Kids",  # a curly quote written as such is not mis-encoded
        "RISING STAR PRESCHOOL",
    ],
)
def test_correct_text_is_left_as_written(text: str) -> None:
    assert repair(text) == text


def test_the_facility_names_lookup_gives_the_repaired_name_only_when_it_repaired_one() -> None:
    rows = {r["raw_value"]: r for r in name_keys_table([" KEISHAíS  DAYCARE ", "RISING STAR", "Pequeños"]).to_pylist()}
    assert rows[" KEISHAíS  DAYCARE "]["repaired"] == "KEISHA'S DAYCARE"
    assert rows[" KEISHAíS  DAYCARE "]["name_key"] == "keishas daycare"
    assert rows["RISING STAR"]["repaired"] is None and rows["Pequeños"]["repaired"] is None


def test_every_mis_encoded_name_of_the_real_files_is_repaired(nevada_rows, oklahoma_rows, texas_rows) -> None:
    names = [row[column] for rows, column in ((nevada_rows, "Name"), (oklahoma_rows, "Company"),
             (texas_rows, "Operation Name")) for row in rows]  # fmt: skip
    suspicious = [name for name in names if any(mark in name for mark in ("í", "Ã", "â€"))]
    assert suspicious  # the real files hold such names
    for name in suspicious:
        fixed = repair(name)
        assert fixed != name and not any(mark in fixed for mark in ("í", "Ã", "â€")), name
