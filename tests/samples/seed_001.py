"""Samples of seed 001: the MemberPress REST page, machine-translated into German.

Every curl sample that sends a payload and every sample response goes in; the cleaning steps
live in ``mp_cleaning`` (German key and value tables, structure rebuilt from indentation).
"""
from .corpus import Sample
from .mp_cleaning import GERMAN, extract_samples


def extract(lines):
    return list(extract_samples(lines, GERMAN, Sample))
