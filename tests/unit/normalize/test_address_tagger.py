"""The batch tagger labels every address as `usaddress.parse` does, and decodes exactly."""

from __future__ import annotations

import csv
import itertools

import numpy as np
import pycrfsuite
import pytest
import usaddress

from leads_pipeline.stages.lookups.parsers import _address_tagger
from tests.conftest import DEMO_BUCKET

# Street and one-line address columns of the demo bucket's files.
_DEMO_COLUMNS = ("Address", "Address1", "Address2", "street")


def _demo_addresses() -> list[str]:
    values: list[str] = []
    for path in sorted(DEMO_BUCKET.rglob("*.csv")):
        if path.parent.name == "_truth":
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                values += [row[column] for column in _DEMO_COLUMNS if row.get(column)]
    return list(dict.fromkeys(values))


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ",
        "#",
        "MAIN",
        "12 MAIN",
        "8889 S. EASTERN AVE., STE 160 LAS VEGAS, NV 89123",
        "3502 SLIDE RD A25",
        "PO BOX 12, AUSTIN TX 78701",
        "MAIN ST & 5TH AVE",
        "1000 N. Juniper Place # 5",
        "(CORNER) 10 ELM;",
        "401 FM 685 STE 104, PFLUGERVILLE, TX 78660-1234",
        "100 1/2 ½ OAK",
    ],
)
def test_edge_cases_tag_as_usaddress_does(address: str) -> None:
    assert _address_tagger.parse(address) == usaddress.parse(address)


def test_demo_addresses_tag_as_usaddress_does() -> None:
    addresses = _demo_addresses()
    assert len(addresses) > 500
    for address in addresses:
        assert _address_tagger.parse(address) == usaddress.parse(address), address


def test_real_addresses_tag_as_usaddress_does(
    nevada_rows: list[dict[str, str]],
    oklahoma_rows: list[dict[str, str]],
    texas_rows: list[dict[str, str]],
    crm_rows: list[dict[str, str]],
) -> None:
    addresses = [row["Address"] for row in nevada_rows]
    addresses += [row["Address1"] for row in oklahoma_rows]
    addresses += [row["Address"] for row in texas_rows]
    addresses += [row["street"] for row in crm_rows]
    labels = set()
    for address in addresses:
        tagged = _address_tagger.parse(address)
        assert tagged == usaddress.parse(address), address
        labels |= {label for _, label in tagged}
    # The corpus exercises streets, units, cities, states and zips.
    assert {"AddressNumber", "StreetName", "PlaceName", "StateName", "ZipCode"} <= labels


def test_many_addresses_at_once_tag_as_usaddress_does(
    nevada_rows: list[dict[str, str]],
    texas_rows: list[dict[str, str]],
) -> None:
    assert _address_tagger._model() is not None, "the model file's weights should be readable"
    addresses = _demo_addresses() + [row["Address"] for row in nevada_rows] + [row["Address"] for row in texas_rows]
    addresses += ["", "#", "MAIN"]
    assert _address_tagger.parse_many(addresses) == [usaddress.parse(address) for address in addresses]


def test_near_ties_are_left_to_crfsuite(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every margin counted as a tie, the labels come from pycrfsuite, and agree."""
    addresses = _demo_addresses()[:300]
    monkeypatch.setattr(_address_tagger, "_TIE_MARGIN", np.inf)
    monkeypatch.setattr(_address_tagger._model(), "paths", {})
    tagged: list[list[str]] = []
    monkeypatch.setattr(
        _address_tagger,
        "_crfsuite_labels",
        lambda tokens: (
            tagged.append(tokens) or usaddress.TAGGER.tag(pycrfsuite.ItemSequence(_address_tagger._items(tokens)))
        ),
    )
    assert _address_tagger.parse_many(addresses) == [usaddress.parse(address) for address in addresses]
    assert tagged


def test_without_a_readable_model_every_address_goes_to_crfsuite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_address_tagger, "_model", lambda: None)
    addresses = _demo_addresses()[:200]
    assert _address_tagger.parse_many(addresses) == [usaddress.parse(address) for address in addresses]


def _brute_force(model: _address_tagger._Model, classes: list[int]) -> tuple[tuple[int, ...], float]:
    """Best label path of one class sequence by trying every path, and its lead over the next best."""
    rows = model.scores()
    flags = {name: model.state[i] for name, i in model.attribute_ids.items()}
    last = len(classes) - 1
    emission = []
    for i, klass in enumerate(classes):
        score = rows[klass][0].copy()
        score += flags["address.start"] if i == 0 else rows[classes[i - 1]][1]
        score += flags["previous:address.start"] if i == 1 else 0
        score += flags["address.end"] if i == last else rows[classes[i + 1]][2]
        score += flags["next:address.end"] if i == last - 1 else 0
        emission.append(score)
    totals = sorted(
        (
            sum(emission[i][label] for i, label in enumerate(path))
            + sum(model.transitions[a, b] for a, b in itertools.pairwise(path)),
            path,
        )
        for path in itertools.product(range(len(model.labels)), repeat=len(classes))
    )
    return totals[-1][1], totals[-1][0] - totals[-2][0]


@pytest.mark.parametrize("seed", range(5))
def test_decoding_finds_the_best_path_and_its_lead(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = 4
    flags = ["address.start", "previous:address.start", "address.end", "next:address.end"]
    model = _address_tagger._Model(
        [f"label{i}" for i in range(labels)],
        {name: i for i, name in enumerate(flags)},
        rng.normal(size=(len(flags), labels)),
        rng.normal(size=(labels, labels)),
    )
    model.class_rows = [rng.normal(size=(3, labels)) for _ in range(3)]
    for length in range(1, 6):
        sequences = rng.integers(0, 3, size=(20, length))
        path, margin = _address_tagger._decode(model, sequences)
        for row, found, lead in zip(sequences.tolist(), path.tolist(), margin.tolist(), strict=True):
            best, expected_lead = _brute_force(model, row)
            assert tuple(found) == best
            assert lead == pytest.approx(expected_lead)


def test_a_tie_has_no_lead() -> None:
    model = _address_tagger._Model(["a", "b"], {}, np.zeros((0, 2)), np.zeros((2, 2)))
    model.class_rows = [np.zeros((3, 2))]
    _, margin = _address_tagger._decode(model, np.zeros((1, 3), dtype=np.intp))
    assert margin.tolist() == [0.0]
