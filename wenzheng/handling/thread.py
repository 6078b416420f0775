"""A message's conversation as the pages show it: the unit's replies and the
citizen's follow-ups in time order, each follow-up with its answer under it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    kind: str  # "reply" or "follow_up"
    item: object

    @property
    def answer(self):
        return getattr(self.item, "answer", None)


def conversation(replies, follow_ups) -> list[Entry]:
    """From the rows already read (prefetched): no query here."""
    replies, follow_ups = list(replies), list(follow_ups)
    answers = {r.follow_up_id: r for r in replies if r.follow_up_id is not None}
    for f in follow_ups:
        f.answer = answers.get(f.pk)
    entries = [Entry("reply", r) for r in replies if r.follow_up_id is None]
    entries += [Entry("follow_up", f) for f in follow_ups]
    return sorted(entries, key=lambda e: (e.item.at, e.kind != "reply", e.item.pk))
