"""The rows behind each item of one unit's result, for the drill-down page.

Every item kind names what its evidence is: a rate the stages or ratings it
counted, a deduction the records of each source, a compliance check the roster.
They are read with the same conditions as the counts (facts.py).
"""

from dataclasses import dataclass, field

from wenzheng.accounts.policy import may_see_unit_contacts
from wenzheng.eventlog.models import Event
from wenzheng.handling.models import Message, Stage
from wenzheng.privacy.public import Publisher

from . import facts, kinds


@dataclass
class Evidence:
    template: str  # the partial that shows it
    rows: list = field(default_factory=list)
    groups: dict = field(default_factory=dict)
    filing: object = None


def _stages(unit, window, kind):
    """The messages counted for `kind`; for replies, each with the closing event in
    force at the cut-off (`closed_seq`), to cite."""
    counted = facts.stage_evidence(unit, window, kind)
    if kind == Stage.Kind.REPLY:
        closings = dict(
            Event.objects.filter(
                message__in=[c.message.pk for c in counted if c.closed],
                kind=Event.Kind.CLOSED,
                unit=unit,
                at__lt=window.cutoff,
            )
            .order_by("message", "seq")
            .values_list("message", "seq")
        )  # the last one wins: the closing in force
        for c in counted:
            c.closed_seq = closings.get(c.message.pk) if c.closed else None
    return counted


def _ratings(unit, window):
    rows = list(facts.rating_evidence(unit, window))
    for e in rows:
        e.rating_label = Message.Rating(e.given_rating).label
    return rows


# What each measure of a rate item counted, and what each other kind rests on.
MEASURES = {
    "response_on_time": lambda unit, w: Evidence(STAGES, rows=_stages(unit, w, Stage.Kind.RESPONSE)),
    "reply_on_time": lambda unit, w: Evidence(STAGES, rows=_stages(unit, w, Stage.Kind.REPLY)),
    "closure": lambda unit, w: Evidence("evaluation/evidence/_closure.html", rows=_stages(unit, w, Stage.Kind.REPLY)),
    "satisfaction": lambda unit, w: Evidence("evaluation/evidence/_ratings.html", rows=_ratings(unit, w)),
}
STAGES = "evaluation/evidence/_stages.html"


def _deductions(item, unit, window):
    records = facts.deduction_evidence(unit, window)
    groups = {kinds.SOURCES[s["source"]].label: (s["source"], records[s["source"]]) for s in item["params"]["sources"]}
    return Evidence("evaluation/evidence/_deductions.html", groups=groups)


KINDS = {
    "rate": lambda item, unit, w: MEASURES[item["params"]["measure"]](unit, w),
    "deduction": _deductions,
    "compliance": lambda item, unit, w: Evidence(
        "evaluation/evidence/_roster.html", filing=facts.roster_evidence(unit, w)
    ),
}


def for_item(item: dict, unit, window) -> Evidence:
    return KINDS[item["kind"]](item, unit, window)


# What each deduction source's records say in their own words.
DEDUCTION_TEXTS = {
    "explanation_ordered": ("reason",),
    "written_criticism": ("summary",),
    "adverse_finding": ("summary",),
    "exposure": ("title",),
    "bulletin": ("text",),
}


def mask_for_reader(user, unit, evidences: list[Evidence]) -> None:
    """The evidence as the city office reads a message: a title, an order's reason, a
    finding's summary masked as the public pages mask them (a title may hold the
    citizen's name or number, a reason may quote it). In memory, for display only."""
    if may_see_unit_contacts(user, unit):
        return
    publisher = Publisher()

    def mask(text, names=()):
        return publisher.mask(text, region_id=unit.region_id, names=names) if text else text

    for ev in evidences:
        for row in ev.rows:
            message = getattr(row, "message", row)  # a stage's counted message, or a rated one
            message.title = mask(message.title, [message.citizen_name] if message.citizen_name else [])
        for source, records in ev.groups.values():
            for record in records:
                # An exposure or a finding about one message: its citizen's name too.
                message = getattr(record, "message", None) if getattr(record, "message_id", None) else None
                names = [message.citizen_name] if message is not None and message.citizen_name else []
                for name in DEDUCTION_TEXTS.get(source, ()):
                    setattr(record, name, mask(getattr(record, name), names))
