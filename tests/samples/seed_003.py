"""Samples of seed 003: the MemberPress REST page, machine-translated into Portuguese.

Every curl sample that sends a payload and every sample response goes in; the cleaning steps
live in ``mp_cleaning`` (parenthetical translations stripped, Portuguese literals and keys mapped).
"""
from .corpus import Sample
from .mp_cleaning import PORTUGUESE, extract_samples


def extract(lines):
    return list(extract_samples(lines, PORTUGUESE, Sample))
