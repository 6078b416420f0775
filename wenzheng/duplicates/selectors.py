"""What the county office reads of the duplicate flags: a message's open flag with its
candidates as they stand now (a candidate since merged shows as its main message; one
since closed is left out), and a county's open flags."""

from dataclasses import dataclass

from wenzheng.handling.models import Message

from .models import Flag

State = Message.State


@dataclass(frozen=True)
class Candidate:
    message: Message  # the main message to merge into
    similarity: float
    same_citizen: bool
    via: Message | None = None  # the flagged candidate, when since merged into `message`

    @property
    def percent(self) -> int:
        return round(100 * self.similarity)


def attach(rows) -> list:
    """Give each message `duplicate`: its open flag (with `shown`, the candidates to
    merge into), or None. Two queries for any number of rows."""
    rows = list(rows)
    flags = {
        f.message_id: f
        for f in Flag.objects.open().filter(message__in=[m.pk for m in rows if m.state in State.may_be_merged()])
    }
    ids = {c["id"] for f in flags.values() for c in f.candidates}
    found = Message.objects.select_related("unit", "merged_into__unit").in_bulk(ids)
    for m in rows:
        flag = flags.get(m.pk)
        m.duplicate = flag
        if flag is None:
            continue
        flag.shown, seen = [], set()
        for c in flag.candidates:
            other = found.get(c["id"])
            if other is None:
                continue
            main = other.merged_into if other.state == State.MERGED else other
            if main.pk == m.pk or main.pk in seen or main.state not in State.may_take_merged():
                continue
            seen.add(main.pk)
            via = other if main.pk != other.pk else None
            flag.shown.append(Candidate(main, c["similarity"], c["same_citizen"], via))
    return rows


def open_in(county):
    """The county's open flags on messages that may still be merged, newest first."""
    return (
        Flag.objects.open()
        .in_county(county)
        .filter(message__state__in=State.may_be_merged())
        .select_related("message__unit", "message__category")
        .order_by("-found_at")
    )


def merged_for_unit(unit, *, start, end) -> dict:
    """For a unit's drill-down page (并单 counting rule), among messages received in
    [start, end): `answered`, those merged into a message this unit handles (answered
    by its reply, counted once as that message); `moved`, those the unit had been given
    and that were merged into another unit's message (counted for that one only)."""
    merged = Message.objects.filter(state=State.MERGED, submitted_at__gte=start, submitted_at__lt=end)
    return {
        "answered": merged.filter(merged_into__unit=unit).count(),
        "moved": merged.filter(unit=unit).exclude(merged_into__unit=unit).count(),
    }
