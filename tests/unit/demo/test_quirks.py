"""Quirks appear at low rates by default, and not at all with quirks=0."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from leads_demo.crm import DUMMY_PHONES

from .conftest import SOURCES, read_csv, source_files

PHONE_STYLE = {
    "source_1": re.compile(r"\d{3}-\d{3}-\d{4}"),
    "source_2": re.compile(r"\(\d{3}\) \d{3}-\d{4}"),
    "source_3": re.compile(r"\d{3}-\d{3}-\d{4}"),
}
NAME = {"source_1": "Name", "source_2": "Company", "source_3": "Operation Name"}
EMAIL_COLUMN = {"source_2": "Email", "source_3": "Email Address"}
DATE_COLUMNS = {
    "source_1": ("Expiration Date", "First Issue Date"),
    "source_3": ("Issue Date",),
}
VALID_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]+")


def _rows(root: Path, source: str) -> list[dict[str, str]]:
    out = []
    for path in source_files(root, source):
        rows = read_csv(path)
        out += [dict(zip(rows[0], r)) for r in rows[1:]]
    return out


def _valid_date(value: str) -> bool:
    try:
        datetime.strptime(value, "%m/%d/%y")
    except ValueError:
        return False
    return True


def test_quirks_zero_gives_clean_files(clean_bucket: Path) -> None:
    for source in SOURCES:
        for row in _rows(clean_bucket, source):
            assert PHONE_STYLE[source].fullmatch(row["Phone"]), row["Phone"]
            for col, value in row.items():
                if col != "Primary Caregiver":
                    assert value == value.strip() and "  " not in value, (col, value)
            assert "í" not in row[NAME[source]] and '"' not in row[NAME[source]]
            if source in EMAIL_COLUMN:
                email = row[EMAIL_COLUMN[source]]
                assert email == "" or VALID_EMAIL.fullmatch(email), email
            for col in DATE_COLUMNS.get(source, ()):
                assert _valid_date(row[col]), (col, row[col])
            if source == "source_2":
                assert row["Star Level"] and row["Mon"]
                assert row["School Year Only"] in ("", "School Year Only")
                assert row["Evening Hours"] in ("", "Evening Hours")
            else:
                assert row["Status"]
    crm = read_csv(next((clean_bucket / "crm").glob("*.csv")))
    assert not any(r[11] in DUMMY_PHONES for r in crm[1:])
    summary = json.loads((clean_bucket / "_truth" / "summary.json").read_text())
    assert all(v == 0 for counts in summary["quirks"].values() for v in counts.values())
    # Duplicates are structure, not quirks: a clean bucket still has them.
    assert summary["duplicates"]["true_pairs"] > 100


def test_default_quirks_are_present_and_rare(bucket: Path) -> None:
    seen: dict[str, int] = dict.fromkeys(
        (
            "other_phone_style",
            "no_phone",
            "trailing_space",
            "misencoded",
            "broken_quote",
            "half_empty",
            "bad_email",
            "impossible_date",
            "shifted_tail",
        ),
        0,
    )
    total = 0
    for source in SOURCES:
        for row in _rows(bucket, source):
            total += 1
            phone = row["Phone"]
            if not PHONE_STYLE[source].fullmatch(phone):
                seen["no_phone" if len(re.sub(r"\D", "", phone)) < 10 else "other_phone_style"] += 1
            seen["trailing_space"] += any(v.endswith(" ") for k, v in row.items() if k != "Primary Caregiver")
            seen["misencoded"] += "í" in row[NAME[source]]
            seen["broken_quote"] += '"' in row[NAME[source]]
            email = row.get(EMAIL_COLUMN.get(source, ""), "")
            seen["bad_email"] += bool(email) and not VALID_EMAIL.fullmatch(email)
            seen["impossible_date"] += any(row[c] and not _valid_date(row[c]) for c in DATE_COLUMNS.get(source, ()))
            if source == "source_2":
                seen["half_empty"] += not row["Star Level"]
                seen["shifted_tail"] += row["School Year Only"] not in (
                    "",
                    "School Year Only",
                )
            else:
                seen["half_empty"] += not row["Status"]
    assert all(n > 0 for n in seen.values()), seen
    rare = {k: n for k, n in seen.items() if k != "shifted_tail"}
    assert all(n < 0.05 * total for n in rare.values()), (rare, total)


def test_no_real_names_or_phones_in_generated_files(bucket: Path, real_root: Path) -> None:
    real_names, real_phones = set(), set()
    for source in SOURCES:
        for row in _rows(real_root, source):
            real_names.add(row[NAME[source]].strip().upper())
            real_phones.add(re.sub(r"\D", "", row["Phone"]))
    crm = read_csv(next((real_root / "crm").glob("*.csv")))
    real_names |= {r[5].strip().upper() for r in crm[1:]}
    real_phones |= {r[11] for r in crm[1:]}
    real_phones.discard("")
    for source in SOURCES:
        for row in _rows(bucket, source):
            assert row[NAME[source]].strip().upper() not in real_names, row[NAME[source]]
            assert re.sub(r"\D", "", row["Phone"]) not in real_phones, row["Phone"]
    for row in read_csv(next((bucket / "crm").glob("*.csv")))[1:]:
        assert row[5].strip().upper() not in real_names and row[11] not in real_phones, row
