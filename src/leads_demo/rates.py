"""The rates and codes that shape the synthetic population."""

from __future__ import annotations

SOURCES = ("source_1", "source_2", "source_3")  # Nevada, Oklahoma, Texas
NV, OK, TX = 0, 1, 2

CENTER, HOME, OTHER = 0, 1, 2
KIND_WEIGHTS = (0.42, 0.50, 0.08)
# Oklahoma lists no "other" facilities, so it gets a larger share of the rest:
# the three files then come out about the same size.
HOME_SOURCE_WEIGHTS = (0.319, 0.362, 0.319)

P_SHARED_TWO = 0.09  # facility also listed by one other agency
P_SHARED_ALL = 0.025  # facility listed by all three agencies
P_CHAIN_BLOCK = 0.04  # a block of four facility ids holds the sites of one operator
P_OPERATOR_PAIR = 0.3  # of those: an Oklahoma center and family home of one owner
P_WITHIN_DUP = 0.015  # a listing that appears twice in one agency file
P_DUP_NEW_PHONE = 0.3  # of those: the second listing carries another phone
# Facilities with one unchanging phone and one listing's street respelled.
P_STEADY = 0.08
P_LATE_LISTING = 0.03  # a listing that starts one to three months after the facility

MONTHLY_GROWTH = 0.02  # new facilities per month, as a share of the first month
P_UPDATE = 0.04  # listings with one changed field per month
P_DELETE = 0.015  # listings dropped per month
P_COMEBACK = 0.15  # per month, for a dropped listing: it is back

CHUNK = 1 << 15  # facilities per vectorized step (a multiple of the chain block of 4)
PHONE_SLOTS = 6  # canonical, duplicate's other phone, four rotating update values
