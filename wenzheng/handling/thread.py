"""A message's conversation as the pages show it: the unit's replies and the
citizen's follow-ups in time order, each follow-up with its answer under it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    kind: str  # "reply" or "follow_up"
    item: object
    answer: object = None  # a follow-up's answer from the unit
    review: object = None  # a follow-up's review by the county office (for its writer)


def conversation(replies, follow_ups, *, reviews=None) -> list[Entry]:
    """From rows already read (prefetched; no query here) or from their public
    versions (wenzheng.privacy.public): each has `at` and `pk`, and a reply names the
    follow-up it answers in `follow_up_id`. `reviews`: follow-up pk → its review."""
    replies, follow_ups, reviews = list(replies), list(follow_ups), reviews or {}
    answers = {r.follow_up_id: r for r in replies if r.follow_up_id is not None}
    entries = [Entry("reply", r) for r in replies if r.follow_up_id is None]
    entries += [Entry("follow_up", f, answers.get(f.pk), reviews.get(f.pk)) for f in follow_ups]
    return sorted(entries, key=lambda e: (e.item.at, e.kind != "reply", e.item.pk))
