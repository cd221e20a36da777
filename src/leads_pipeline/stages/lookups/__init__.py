"""Lookups: raw values SQL cannot parse exactly, parsed in Python (`parsers`) into the `lookup`
tables staging joins (`refresh`)."""
