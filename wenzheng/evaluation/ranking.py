"""Ranks and grades: pure functions over totals."""

from collections import defaultdict
from decimal import Decimal


def competition_ranks(rows) -> dict:
    """Rank within each group by total, highest first; equal totals share a rank and
    the next rank skips (1, 2, 2, 4), as results tables are read.

    `rows` are (key, group, total) tuples; returns {key: rank}.
    """
    groups = defaultdict(list)
    for key, group, total in rows:
        groups[group].append((key, total))
    ranks = {}
    for members in groups.values():
        members.sort(key=lambda kt: kt[1], reverse=True)
        previous, rank = None, 0
        for position, (key, total) in enumerate(members, start=1):
            if total != previous:
                rank, previous = position, total
            ranks[key] = rank
    return ranks


def grade(total: Decimal, bands) -> str:
    """The first band whose threshold the total reaches; bands run high to low."""
    for threshold, label in sorted(bands, key=lambda b: Decimal(str(b[0])), reverse=True):
        if total >= Decimal(str(threshold)):
            return label
    return ""
