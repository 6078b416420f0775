"""Who hears of which step, as DOMAIN.md says ("Reminders and notifications"):

- a unit's handlers, of each message dispatched, transferred or reassigned to it (or
  sent to it directly), and of a citizen's follow-up; its handlers and leader, of the
  office's decision on what the unit asked (退单, 延期, 长周期办结), and of a message
  moved from it to another unit (退单 adopted, 改派, 并单 into another unit's message)
  and of a merge undone (撤销并单); its handlers, of a message merged into one of its
  own; its handlers and leader, of a message put under supervision (督办), with the
  office's words; its handlers and leader, of a
  reopening and of a 不满意 rating; its leader, of a reply waiting for sign-off and of
  a written-explanation order and of its explanation sent back to be written again; a
  handler, of their reply returned by the leader, or made void by an answer published
  beside it or by a merge undone (撤销并单);
- the county office, when a citizen is dissatisfied and when a unit's leader submits
  a written explanation; the citizen, of the office's
  回访 decision (the answer stands, or the message goes back to the unit);
- the citizen, when the message is answered (a reply, an answer to a follow-up) and
  when it is closed, with a link and the tracking code; and when the county office's
  review (先审后发) redacted or withheld what they wrote (the reason is on the page).

`on_event` runs inside the transaction of the step (wenzheng.handling.actions): the
notices are written with the step or not at all. Sending is the worker's business.
Deadlines passing, digests and quarter-end proposals are timed, not steps: see
timers.py.
"""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from wenzheng.accounts.models import Role
from wenzheng.eventlog.models import Event
from wenzheng.handling.models import Message
from wenzheng.privacy.public import Publisher, citizen_names
from wenzheng.workdays.clock import deadline_day

from . import planning, recipients, texts
from .models import Notice

Kind = Event.Kind
# A step recorded with a time long past (an import, the demo county replaying its
# year) is history, not news: nobody is told of it.
NEWS_FOR = dt.timedelta(days=1)


def _quoted(event) -> str:
    """An event's note as a notice quotes it: masked as the public reads a text. The
    note may hold the citizen's name or number, and a notice outlives the reader's
    right to see them (the unit a message is reassigned away from reads it there) and
    travels further (an SMS, an e-mail)."""
    if not event.note:
        return event.note
    message = event.message
    region_id = message.region_id if message is not None else event.unit.region_id
    names = citizen_names(message) if message is not None else []
    return Publisher().mask(event.note, region_id=region_id, names=names)


# The steps after which a reply waiting for sign-off may wait no more (decided,
# superseded by a published answer, or void with the message gone from the unit).
ENDS_A_DRAFT = {
    Kind.REPLY_APPROVED, Kind.REPLY_RETURNED, Kind.REPLY_WITHDRAWN, Kind.REPLIED, Kind.FOLLOW_UP_ANSWERED,
    Kind.DISPATCHED, Kind.REASSIGNED, Kind.MERGED, Kind.SPAM_MARKED,
}  # fmt: skip


def on_event(event) -> int:
    """Write the notices `event` calls for; returns how many."""
    if event.kind in ENDS_A_DRAFT and event.message is not None:
        _signoff_settled(event)
    rule = RULES.get(event.kind)
    if rule is None or event.at < timezone.now() - NEWS_FOR:
        return 0
    return planning.write(rule(event), at=event.at)


def _signoff_settled(event) -> None:
    """The leaders' "回复待审核" notices of the message read once no reply of it waits
    for sign-off: the bell counted drafts decided from the list, not through the
    notice, as work still waiting (a leader's trial)."""
    message = event.message
    waiting = message.drafts.filter(state="pending")
    if event.kind == Kind.REPLY_APPROVED:  # the draft approved is marked so after its events
        waiting = waiting.exclude(pk=event.data["draft"])
    if waiting.exists():
        return
    Notice.objects.filter(message=message, kind=Notice.Kind.SIGNOFF, read_at__isnull=True).update(read_at=event.at)


def _staff_link(message) -> str:
    return reverse("workspace:message", args=[message.pk])


def _to_unit(event, kind, text, *, roles=(Role.HANDLER,), unit_id=None, link=None) -> list[planning.Draft]:
    """To the staff of the message's unit (or of `unit_id`: the one it has left)."""
    message = event.message
    unit_id = message.unit_id if unit_id is None else unit_id
    people = recipients.staff_of_units([unit_id], roles=roles).get(unit_id, [])
    return planning.for_people(
        people,
        key=f"e{event.pk}" if unit_id == message.unit_id else f"e{event.pk}u{unit_id}",
        kind=kind,
        region_id=message.region_id,
        message_id=message.pk,
        text=text,
        link=_staff_link(message) if link is None else link,
    )


def arrived(event):
    message = event.message
    if message.unit_id is None:
        return []  # waits for the county office to dispatch
    left = event.data.get("from_unit")  # a hand-back adopted (退单), or 改派
    if event.kind == Kind.SUBMITTED:
        how = "direct"  # the citizen chose the unit: no office gave it
    else:
        how = "transferred" if event.kind == Kind.DISPATCHED and left else "dispatched"
    text = texts.arrived(
        serial=message.serial,
        category=message.category.name,
        days=message.category.response_days,
        how=how,
        merged=message.merged.count(),  # the unit handles them too now (accounts.policy.handled_by)
    )
    drafts = _to_unit(event, Notice.Kind.ARRIVED, text)
    if left:
        # The unit it has left hears where it went, and that it need do no more: the
        # message then left its inbox without a word, and its notice of the message's
        # arrival led to a page it may no longer see.
        to_unit = message.unit.name
        if event.kind == Kind.REASSIGNED:
            moved = texts.reassigned_away(
                serial=message.serial, to_unit=to_unit, reason=_quoted(event), office=message.region.office_by_level
            )
        else:
            moved = texts.transfer_accepted(serial=message.serial, to_unit=to_unit)
        inbox = reverse("workspace:inbox")
        drafts += _to_unit(event, Notice.Kind.MOVED, moved, roles=(Role.HANDLER, Role.LEADER), unit_id=left, link=inbox)
    return drafts


def decided(event):
    """The office's decision on what the unit asked for (退单, 延期, 长周期办结)."""
    serial = event.message.serial
    if event.kind == Kind.TRANSFER_REJECTED:
        moved_to = event.data.get("due_at")
        last_day = None if moved_to is None else deadline_day(dt.datetime.fromisoformat(moved_to))
        text = texts.transfer_rejected(serial=serial, reason=_quoted(event), last_day=last_day)
    elif event.kind == Kind.EXTENSION_APPROVED:
        text = texts.extension_approved(
            serial=serial,
            last_day=deadline_day(dt.datetime.fromisoformat(event.data["due_at"])),
            reply_outcome=event.data.get("reply_outcome"),
            earlier=event.data.get("earlier", False),
        )
    elif event.kind == Kind.EXTENSION_REJECTED:
        if "request" in event.data:
            # Written before lapses had their own kind (extension_lapsed): ended with the
            # message's move, not decided; the move's own notice says so.
            return []
        text = texts.extension_rejected(
            serial=serial, reason=_quoted(event), reply_outcome=event.data.get("reply_outcome")
        )
    else:
        text = texts.long_cycle_approved(serial=serial)
    # The unit that asked: an extension about a reply given before the message moved
    # on (reopened, then transferred) is decided for the unit it has left, which
    # reads it from its inbox (the message's page is no longer its to open).
    unit_id = event.unit_id or event.message.unit_id
    link = None if unit_id == event.message.unit_id else reverse("workspace:inbox")
    return _to_unit(event, Notice.Kind.DECIDED, text, roles=(Role.HANDLER, Role.LEADER), unit_id=unit_id, link=link)


def supervised(event):
    """督办: the unit hears of it, and what the office asks, where it once saw only a
    badge in its inbox."""
    text = texts.supervised(serial=event.message.serial, note=_quoted(event))
    return _to_unit(event, Notice.Kind.SUPERVISED, text, roles=(Role.HANDLER, Role.LEADER))


def _main_serial(event) -> str:
    """The main message a citizen's step on a merged message (并单) was about: its
    answer was the main message's unit's (`event.unit`), which hears of it."""
    main = event.message.merged_into if "main" in event.data else None
    return main.serial if main is not None else ""


def followed_up(event):
    text = texts.followed_up(serial=event.message.serial, main=_main_serial(event))
    return _to_unit(event, Notice.Kind.FOLLOWED_UP, text, unit_id=event.unit_id)


def reopened(event):
    text = texts.reopened(serial=event.message.serial, days=event.message.category.reply_days)
    drafts = _to_unit(event, Notice.Kind.REOPENED, text, roles=(Role.HANDLER, Role.LEADER))
    if event.data.get("revisits"):  # 回访 decided: the citizen who was not satisfied hears it
        drafts += _revisit_reopened(event)
    return drafts


def rated(event):
    if event.data.get("rating") != "dissatisfied":
        return []
    message, main = event.message, _main_serial(event)
    text = texts.dissatisfied(serial=message.serial, unit=event.unit.name, main=main)
    unit_text = texts.dissatisfied_unit(serial=message.serial, main=main, office=message.region.office_by_level)
    drafts = _to_unit(
        event, Notice.Kind.DISSATISFIED, unit_text, roles=(Role.HANDLER, Role.LEADER), unit_id=event.unit_id
    )
    office = recipients.offices_of([message.region_id]).get(message.region_id, [])
    drafts += planning.for_people(
        office,
        key=f"e{event.pk}",
        kind=Notice.Kind.DISSATISFIED,
        region_id=message.region_id,
        message_id=message.pk,
        text=text,
        link=reverse("workspace:revisits", args=[message.region.code]),
    )
    return drafts


def drafted(event):
    message = event.message
    author = event.actor.display_name or event.actor.username
    follow_up = event.data.get("follow_up") is not None
    # An answer to the follow-up of a message merged into one of the unit's (并单).
    main = message.merged_into.serial if follow_up and message.merged_into_id else ""
    text = texts.signoff(serial=message.serial, author=author, follow_up=follow_up, main=main)
    # The drafting unit's leader: for an answer to a merged message's follow-up (并单),
    # the main message's unit's.
    return _to_unit(event, Notice.Kind.SIGNOFF, text, roles=(Role.LEADER,), unit_id=event.unit_id)


def returned(event):
    return _to_author(event, texts.returned(serial=event.message.serial, note=_quoted(event)))


def draft_voided(event):
    """A handler's draft voided by another step (handling.actions._void_draft): its
    author told."""
    message = event.message
    serial, data = message.serial, event.data
    if "superseded_by" in data:  # an answer published beside it
        return _to_author(event, texts.superseded(serial=serial))
    if "merge_undone" in data:
        # 撤销并单: the author's unit no longer handles the message, whose page is no
        # longer theirs to open; the main message's is.
        main = reverse("workspace:message", args=[data["merge_undone"]])
        return _to_author(event, texts.unmerged_draft(serial=serial), link=main)
    # The message has left the author's unit (转办, 垃圾留言), or is answered by the
    # main message (并单), whose page is the unit's only if the main message is.
    inbox = reverse("workspace:inbox")
    if "moved_to" in data:
        # A merged message's follow-up the unit answered moves with its main message.
        main = message.merged_into.serial if message.merged_into_id else ""
        return _to_author(event, texts.moved_draft(serial=serial, main=main), link=inbox)
    if "merged_into" in data:
        main = Message.objects.get(pk=data["merged_into"])
        link = _staff_link(main) if main.unit_id == event.unit_id else inbox
        return _to_author(event, texts.merged_draft(serial=serial, main=main.serial), link=link)
    if "spam" in data:
        return _to_author(event, texts.spam_draft(serial=serial), link=inbox)
    return []  # taken back by its author, who knows


def _to_author(event, text, *, link=None) -> list[planning.Draft]:
    """To the handler who wrote the draft the event is about (its `author`)."""
    message = event.message
    author = recipients.person(event.data.get("author"))
    if author is None:
        return []
    return planning.for_people(
        [author],
        key=f"e{event.pk}",
        kind=Notice.Kind.RETURNED,
        region_id=message.region_id,
        message_id=message.pk,
        text=text,
        link=_staff_link(message) if link is None else link,
    )


def ordered(event):
    unit = event.unit
    leaders = recipients.staff_of_units([unit.pk], roles=(Role.LEADER,)).get(unit.pk, [])
    deadline = dt.datetime.fromisoformat(event.data["backlog_deadline"])
    return planning.for_people(
        leaders,
        key=f"e{event.pk}",
        kind=Notice.Kind.ORDERED,
        region_id=unit.region_id,
        text=texts.ordered(last_day=deadline_day(deadline), office=unit.region.office_by_level),
        link=reverse("workspace:unit-orders"),
    )


def explained(event):
    """The unit's leader submitted the explanation: the office that ordered it reads it
    (one it recorded itself, from paper, it knows of)."""
    if event.actor_role != Role.LEADER:
        return []
    unit = event.unit
    office = recipients.offices_of([unit.region_id]).get(unit.region_id, [])
    return planning.for_people(
        office,
        key=f"e{event.pk}",
        kind=Notice.Kind.EXPLAINED,
        region_id=unit.region_id,
        text=texts.explained(unit=unit.name),
        link=reverse("workspace:county-orders", args=[unit.region.code]),
    )


def explanation_returned(event):
    unit = event.unit
    leaders = recipients.staff_of_units([unit.pk], roles=(Role.LEADER,)).get(unit.pk, [])
    return planning.for_people(
        leaders,
        key=f"e{event.pk}",
        kind=Notice.Kind.EXPLANATION_RETURNED,
        region_id=unit.region_id,
        text=texts.explanation_returned(note=_quoted(event), office=unit.region.office_by_level),
        link=reverse("workspace:unit-orders"),
    )


def to_citizen(kind, what, *, merged=True):
    def rule(event):
        # The citizens of the messages merged into this one (并单) hear of its answer
        # as its own citizen does, each of their own message, by its own code (not of
        # a review of what someone else wrote: `merged=False`).
        drafts = []
        for message in [event.message, *(event.message.merged.all() if merged else ())]:
            link = reverse("notifications:landing", args=[message.tracking_code])
            text = texts.for_citizen(serial=message.serial, what=what, code=message.tracking_code)
            key = f"e{event.pk}" if message.pk == event.message_id else f"e{event.pk}m{message.pk}"
            drafts.append(
                planning.for_citizen(message, key=key, kind=kind, region_id=message.region_id, text=text, link=link)
            )
        return drafts

    return rule


def merged(event):
    """并单: the merged message's citizen learns which message answers theirs (and
    that it is answered already, if it is); from then on its notices reach them too."""
    message = event.message
    main = message.merged_into
    if main is None:  # undone in the same breath
        return []
    answered = main.replies.filter(follow_up__isnull=True).exists()
    what = texts.merged(answered=answered)
    link = reverse("notifications:landing", args=[message.tracking_code])
    text = texts.for_citizen(serial=message.serial, what=what, code=message.tracking_code)
    drafts = [
        planning.for_citizen(
            message, key=f"e{event.pk}", kind=Notice.Kind.MERGED, region_id=message.region_id, text=text, link=link
        )
    ]
    if "carried_by" in event.data:
        return drafts  # moved along with the message it was merged into: that one's event tells the units
    # The unit it had been given to hears that it need do no more (it may no longer
    # open it: accounts.policy.handled_by), and the main message's unit that its
    # reply answers this citizen too.
    if message.unit_id is not None and message.unit_id != main.unit_id:
        away = texts.merged_away(
            serial=message.serial,
            main=main.serial,
            to_unit=main.unit.name if main.unit else None,
            office=message.region.office_by_level,
        )
        inbox = reverse("workspace:inbox")
        drafts += _to_unit(event, Notice.Kind.MOVED, away, roles=(Role.HANDLER, Role.LEADER), link=inbox)
    if main.unit_id is not None:
        # Those merged into this one still point at it: they are carried along after
        # this event (handling.actions.merge_duplicate), each with its own.
        here = texts.merged_here(serial=message.serial, main=main.serial, carried=message.merged.count())
        drafts += _to_unit(event, Notice.Kind.MERGED, here, unit_id=main.unit_id, link=_staff_link(main))
    return drafts


def unmerged(event):
    """撤销并单: the message is back with its unit, its clocks started again; its
    citizen hears that the main message no longer answers theirs, and the main
    message's unit that it need not answer it."""
    message = event.message
    if message.state == Message.State.MERGED:  # merged again in the same breath
        return []
    main = Message.objects.select_related("unit").filter(pk=event.data.get("main")).first()
    link = reverse("notifications:landing", args=[message.tracking_code])
    what = texts.unmerged_citizen(rating_withdrawn="withdrawn_rating" in event.data)
    text = texts.for_citizen(serial=message.serial, what=what, code=message.tracking_code)
    drafts = [
        planning.for_citizen(
            message, key=f"e{event.pk}", kind=Notice.Kind.MERGED, region_id=message.region_id, text=text, link=link
        )
    ]
    if message.unit_id is not None:
        back = texts.unmerged(serial=message.serial)
        drafts += _to_unit(event, Notice.Kind.ARRIVED, back, roles=(Role.HANDLER, Role.LEADER))
    if main is not None and main.unit_id is not None and main.unit_id != message.unit_id:
        away = texts.unmerged_away(serial=message.serial, main=main.serial)
        drafts += _to_unit(event, Notice.Kind.MOVED, away, unit_id=main.unit_id, link=_staff_link(main))
    return drafts


def spam_marked(event):
    """垃圾留言: the unit that held it need do no more (it leaves the unit's inbox)."""
    if event.message.unit_id is None:
        return []
    message = event.message
    text = texts.spam_marked(serial=message.serial, reason=_quoted(event), office=message.region.office_by_level)
    return _to_unit(event, Notice.Kind.MOVED, text, roles=(Role.HANDLER, Role.LEADER), link=reverse("workspace:inbox"))


def spam_unmarked(event):
    """The mark undone: the message is back with its unit, its clocks started again."""
    if event.message.unit_id is None or event.message.state == Message.State.SPAM:  # marked again since
        return []
    text = texts.spam_unmarked(serial=event.message.serial)
    return _to_unit(event, Notice.Kind.ARRIVED, text, roles=(Role.HANDLER, Role.LEADER))


_revisit_reopened = to_citizen(Notice.Kind.REVISITED, texts.CITIZEN_EVENTS["revisit_reopened"])

RULES = {
    Kind.SUBMITTED: arrived,
    Kind.DISPATCHED: arrived,
    Kind.REASSIGNED: arrived,
    Kind.TRANSFER_REJECTED: decided,
    Kind.EXTENSION_APPROVED: decided,
    Kind.EXTENSION_REJECTED: decided,
    Kind.LONG_CYCLE_APPROVED: decided,
    Kind.FOLLOWED_UP: followed_up,
    Kind.SUPERVISION_FLAGGED: supervised,
    Kind.REOPENED: reopened,
    Kind.RATED: rated,
    Kind.REPLY_DRAFTED: drafted,
    Kind.REPLY_RETURNED: returned,
    Kind.REPLY_WITHDRAWN: draft_voided,
    Kind.EXPLANATION_ORDERED: ordered,
    Kind.EXPLANATION_RECORDED: explained,
    Kind.EXPLANATION_RETURNED: explanation_returned,
    Kind.REPLIED: to_citizen(Notice.Kind.ANSWERED, texts.CITIZEN_EVENTS["answered"]),
    # Only the citizen who asked: a follow-up is one citizen's, not those merged in.
    Kind.FOLLOW_UP_ANSWERED: to_citizen(Notice.Kind.ANSWERED, texts.CITIZEN_EVENTS["follow_up_answered"], merged=False),
    Kind.MERGED: merged,
    Kind.UNMERGED: unmerged,
    Kind.SPAM_MARKED: spam_marked,
    Kind.SPAM_UNMARKED: spam_unmarked,
    Kind.ANSWER_UPHELD: to_citizen(Notice.Kind.REVISITED, texts.CITIZEN_EVENTS["revisit_upheld"], merged=False),
    Kind.CLOSED: to_citizen(Notice.Kind.CLOSED, texts.CITIZEN_EVENTS["closed"]),
    Kind.REVIEW_REDACTED: to_citizen(Notice.Kind.REVIEWED, texts.CITIZEN_EVENTS["review_redacted"], merged=False),
    Kind.REVIEW_WITHHELD: to_citizen(Notice.Kind.REVIEWED, texts.CITIZEN_EVENTS["review_withheld"], merged=False),
}
