"""What a step derives from a message's rows besides its event: the documents it may
be searched by (wenzheng.search.index) and what it adds to the kept figures
(wenzheng.reports.tally). Each step brings them up to date in its own transaction;
a long run of steps may have them brought up to date once, at its end (`once`)."""

import contextlib
import contextvars
from dataclasses import dataclass, field

from wenzheng.reports import tally
from wenzheng.search import index as search_index

# Messages brought up to date at a time at the end of a run.
BATCH = 500


@dataclass
class _Gathered:
    searched: set = field(default_factory=set)
    counted: set = field(default_factory=set)


# The messages a run of steps touched (`once`), or None: each step does it itself.
_gathering = contextvars.ContextVar("derived_gathering", default=None)


def follow(message_id: int, kind: str) -> None:
    """After a step of `kind` on the message: its documents and figures as its rows
    now are (those the kind can change)."""
    searched, counted = search_index.follows(kind), kind in tally.COUNTED_KINDS
    gathered = _gathering.get()
    if gathered is not None:
        if searched:
            gathered.searched.add(message_id)
        if counted:
            gathered.counted.add(message_id)
        return
    if searched:
        search_index.update([message_id])
    if counted:
        tally.sync_many([message_id])


@contextlib.contextmanager
def once():
    """The documents and figures of the messages a run of steps touches, derived
    once for each message when the run ends instead of after every step: a whole
    demo county's 3,000 steps, its messages a few hundred at a time. Both are derived
    from the rows as they then are, not from the steps, so what is written is what
    the steps one by one would have left (reports' test_tally compares them). Use
    inside the run's transaction, and only where nothing in the run searches or
    reads the kept figures before it ends; nothing is written if the run fails."""
    gathered = _Gathered()
    token = _gathering.set(gathered)
    try:
        yield
    finally:
        _gathering.reset(token)
    for ids, bring_up_to_date in ((gathered.searched, search_index.update), (gathered.counted, tally.sync_many)):
        ids = sorted(ids)
        for start in range(0, len(ids), BATCH):
            bring_up_to_date(ids[start : start + BATCH])
