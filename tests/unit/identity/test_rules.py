"""The contract's identity rules for one pair of records."""

from __future__ import annotations

import pytest

from leads_pipeline.stages.identity.rules import Rule, Site, best_rule, needs_name


@pytest.mark.parametrize(
    ("phone", "address", "email", "names", "expected"),
    [
        (True, True, False, False, Rule.PHONE_ADDRESS),
        (True, True, True, True, Rule.PHONE_ADDRESS),
        (True, False, True, False, Rule.PHONE_EMAIL),
        (True, False, False, True, Rule.PHONE_NAME),
        (False, True, False, True, Rule.ADDRESS_NAME),
        (True, False, False, False, None),  # a phone alone: chains share numbers
        (False, True, False, False, None),  # an address alone: two facilities in one building
        (False, False, True, True, None),  # no phone, no address
    ],
)
def test_best_rule(phone, address, email, names, expected):
    assert best_rule(phone, address, email, names) is expected


def test_rules_are_ranked_as_the_contract_lists_them():
    assert [rule.value for rule in sorted(Rule, key=lambda r: r.rank)] == [
        "phone+address",
        "phone+email",
        "phone+name",
        "address+name",
    ]


def test_names_are_scored_only_when_they_decide():
    assert needs_name(True, False, False)
    assert needs_name(False, True, False)
    assert not needs_name(True, True, False)
    assert not needs_name(True, False, True)
    assert not needs_name(False, False, True)


@pytest.mark.parametrize(
    ("a", "b", "contradict"),
    [
        (Site("89123", "8889"), Site("89123", "8889"), False),
        (Site("89123", "8889"), Site("89124", "8889"), True),  # another zip
        (Site("89123", "8889"), Site("89123", "8891"), True),  # another house number
        (Site("89123", None), Site("89123", "8891"), False),  # number unknown on one side
        (Site(None, "8889"), Site("89124", "8889"), False),  # zip unknown on one side
        (Site(), Site("89124", "1"), False),  # no address at all
    ],
)
def test_addresses_contradict_only_when_both_are_known_and_differ(a, b, contradict):
    assert a.contradicts(b) is contradict
    assert b.contradicts(a) is contradict
