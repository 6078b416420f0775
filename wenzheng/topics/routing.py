"""Routing suggestions in the database: training data from this deployment's own
messages, suggestions for the dispatch queue, and the office's decisions on them."""

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Category, Message, Reply
from wenzheng.units.models import Unit
from wenzheng.workdays import clock

from .models import Decision, RoutingDecision, RoutingSuggestion, Topic

# scikit-learn (wenzheng.topics.router) is imported only once a model is used: the web
# processes load every view at their first request, and most never route anything.

log = logging.getLogger(__name__)
QUEUE_STATES = (Message.State.PENDING_DISPATCH, Message.State.TRANSFER_REQUESTED)


def text_of(title: str, body: str) -> str:
    return f"{title}\n{body}"


# --- training ---------------------------------------------------------------------


def training_data(*, limit: int | None = None) -> tuple[list[str], dict[str, list[str]]]:
    """What the next model learns from: messages a unit answered, labelled with the
    unit of their latest reply (the unit that finally answered), and messages the
    office dispatched on a suggestion and not yet answered, labelled with the unit
    they went to (the office's choice is a label too). Left out: spam (no real
    request), merged messages (answered as their main message, by no unit of their
    own) and messages handed back and waiting for re-dispatch (the unit they carry
    has just said they are not its own). Topics are learnt by code, so counties
    that share the default tree teach each other; units by id. An answer to a
    follow-up (追问) is no reply: after a merge undone (并单) it is the main
    message's unit's, about another message's answer."""
    State = Message.State
    replies = Reply.objects.filter(message=OuterRef("pk"), follow_up__isnull=True)
    replied = Exists(replies)
    decided = Exists(RoutingDecision.objects.filter(suggestion__message=OuterRef("pk")))
    last_reply = replies.order_by("-at", "-pk").values("unit_id")[:1]
    rows = (
        Message.objects.exclude(state__in=[State.SPAM, State.MERGED, State.TRANSFER_REQUESTED])
        .filter(Q(replied) | Q(decided), unit__isnull=False)
        .annotate(answered_by=Subquery(last_reply))
        .order_by("-submitted_at")
        .values_list("title", "body", "topic__code", "state", "answered_by", "unit_id", "category__code")
    )
    if limit:
        rows = rows[:limit]
    answered = set(State.answered())
    texts, topics, units, categories = [], [], [], []
    for title, body, topic, state, answered_by, unit, category in rows.iterator(chunk_size=2000):
        texts.append(text_of(title, body))
        topics.append(topic or "")
        units.append(str(answered_by if state in answered and answered_by else unit))
        categories.append(category or "")
    return texts, {"topic": topics, "unit": units, "category": categories}


def acceptance(version: str) -> dict[str, int]:
    """How the office treated the suggestions of one model version: its suggestions,
    and its decisions on their units (a re-dispatch after a hand-back is one more)."""
    decisions = RoutingDecision.objects.filter(suggestion__model_version=version, unit_source="model")
    return {
        "suggested": RoutingSuggestion.objects.filter(model_version=version).count(),
        "accepted": decisions.filter(unit_decision=Decision.ACCEPTED).count(),
        "overridden": decisions.filter(unit_decision=Decision.OVERRIDDEN).count(),
    }


# --- the current model --------------------------------------------------------------

_loaded: dict[str, object] = {}
_lock = threading.Lock()


def newest(directory: Path) -> Path | None:
    files = sorted(directory.glob("router-*.joblib")) if directory.is_dir() else []
    return files[-1] if files else None


def current():
    """The newest model in ROUTER_DIR, loaded once per process (again when a newer
    file appears); None when none was trained yet or the file is unreadable."""
    path = newest(Path(settings.ROUTER_DIR))
    if path is None:
        return None
    with _lock:
        if _loaded.get("path") != path:
            from .router import Router

            try:
                _loaded.update(path=path, router=Router.load(path))
            except Exception:
                log.exception("routing model %s could not be loaded", path)
                return None
        return _loaded["router"]


# --- suggestions ----------------------------------------------------------------------


UNITS_KEPT = 4  # the likeliest first and runners-up, enough for a hand-back to leave out its unit


def _choices(region_ids, day):
    """What each county may be suggested: its dispatchable units (as the dispatch
    form lists them) by id, its active topics by code."""
    units = {str(u.pk): u for u in Unit.objects.dispatchable(day).filter(region_id__in=region_ids)}
    topics = {(t.region_id, t.code): t for t in Topic.objects.filter(region_id__in=region_ids, active=True)}
    return units, topics


def suggest(messages, *, router=None, at=None) -> int:
    """Compute and store suggestions for these messages (those that have none yet);
    safe to run twice at once: the one-per-message constraint keeps the first."""
    router = router or current()
    if router is None or not messages:
        return 0
    have = set(RoutingSuggestion.objects.filter(message__in=messages).values_list("message_id", flat=True))
    messages = [m for m in messages if m.pk not in have]
    if not messages:
        return 0
    at = at or timezone.now()
    units, topics = _choices({m.region_id for m in messages}, clock.local_date(at))
    categories = {c.code: c for c in Category.objects.all()}
    by_region = defaultdict(list)
    for m in messages:
        by_region[m.region_id].append(m)
    rows = []
    for region_id, batch in by_region.items():
        # Only what this county can take, ranked among itself: its own dispatchable
        # units and active topics (Router.guess_many, `among`).
        among = {
            "unit": {label for label, u in units.items() if u.region_id == region_id},
            "topic": {code for region, code in topics if region == region_id},
            "category": set(categories),
        }
        guesses = router.guess_many([text_of(m.title, m.body) for m in batch], top=UNITS_KEPT, among=among)
        for m, guess in zip(batch, guesses, strict=True):
            unit_guesses = [(units[g.label], g.confidence) for g in guess.get("unit", [])]
            topic_guess = next(((topics[(region_id, g.label)], g.confidence) for g in guess.get("topic", [])), None)
            category_guess = next(((categories[g.label], g.confidence) for g in guess.get("category", [])), None)
            rows.append(
                RoutingSuggestion(
                    message=m,
                    model_version=router.version,
                    computed_at=at,
                    topic=topic_guess[0] if topic_guess else None,
                    topic_confidence=topic_guess[1] if topic_guess else None,
                    unit=unit_guesses[0][0] if unit_guesses else None,
                    unit_confidence=unit_guesses[0][1] if unit_guesses else None,
                    other_units=[[u.pk, round(c, 4)] for u, c in unit_guesses[1:]],
                    category=category_guess[0] if category_guess else None,
                    category_confidence=category_guess[1] if category_guess else None,
                )
            )
    RoutingSuggestion.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def waiting(*, limit: int = 500):
    """Queue messages with no suggestion yet, oldest first."""
    return (
        Message.objects.filter(state__in=QUEUE_STATES, routing__isnull=True)
        .order_by("submitted_at", "pk")
        .only("pk", "region_id", "title", "body", "unit_id")[:limit]
    )


# --- what the queue offers, and what 采纳 does -------------------------------------

SHOWN_UNITS = 3
# Before any model is trained, or when it has no opinion on the units that may take a
# message, the topic tree's usual units (Topic.units) are offered instead, at a stated
# low confidence: the tree says who usually handles a topic, not who handles this one.
COLD_START_CONFIDENCE = 0.2
# Below this confidence in its first unit, the queue says the model is unsure.
UNSURE = 0.3
CATALOGUE = "catalogue"  # the model_version of a suggestion made from the tree alone


@dataclass
class Offer:
    """What the queue offers for one message, read the same way for the card, for the
    click and for the record of the decision, so that the accept button never names
    a unit other than the one accepting uses: the suggested units the dispatch form
    lists (dispatchable now), leaving out every unit that has handed the message
    back; failing those, the usual units of its topic (`source` "catalogue")."""

    suggestion: RoutingSuggestion | None  # None: a tree-only offer, not kept until decided
    units: list  # [(Unit, confidence)], likeliest first
    topic: Topic | None  # the suggested topic; its nearest active 中类 once switched off
    topic_note: str  # why `topic` is not the suggested one ("" when it is)
    category: Category | None
    source: str = "model"
    basis: Topic | None = None  # for the tree's offer: the topic whose usual units these are
    reason: str = ""  # why nothing is offered, when units handed the message back

    @property
    def unit(self) -> Unit | None:
        return self.units[0][0] if self.units else None

    @property
    def unsure(self) -> bool:
        """The model unsure of its unit (a pension question offered to a township at
        17%): not offered for one-click acceptance, only as a hint beside the form."""
        return self.source != CATALOGUE and bool(self.units) and self.units[0][1] < UNSURE


def dispatchable(region_id, day) -> dict[int, Unit]:
    return {u.pk: u for u in Unit.objects.dispatchable(day).filter(region_id=region_id).order_by("kind", "name")}


def handed_back(message_ids) -> dict[int, set[int]]:
    """The units that asked to hand each message back (退单), ever: one query."""
    found = defaultdict(set)
    rows = Event.objects.filter(message_id__in=list(message_ids), kind=Event.Kind.TRANSFER_REQUESTED)
    for message_id, unit_id in rows.values_list("message_id", "unit_id"):
        found[message_id].add(unit_id)
    return found


def topics_with_units(ids) -> dict[int, Topic]:
    """Topics by id with their parents and every level's usual units, in a few queries."""
    related = ("units", "parent__units", "parent__parent__units")
    return Topic.objects.select_related("parent__parent").prefetch_related(*related).in_bulk(set(ids) - {None})


def _usable_topic(topic) -> tuple[Topic | None, str]:
    """The suggested topic if still active, else its nearest active 中类 (a 大类 is
    too broad to file a message under), with a note saying so."""
    if topic is None or topic.active:
        return topic, ""
    node = topic.parent
    while node is not None and not (node.active and node.level > Topic.Level.MAJOR):
        node = node.parent if node.level > Topic.Level.MAJOR else None
    if node is None:
        return None, f"建议的事项分类“{topic.path}”已停用，交办时未设事项分类，可在留言页补设。"
    return node, f"建议的事项分类“{topic.path}”已停用，改按上级分类“{node.path}”交办。"


def _usual_units(topic, units, gone) -> tuple[Topic | None, list]:
    """The units the tree names for `topic`, or failing those for its nearest parent
    that names some, that may take the message now."""
    node = topic
    while node is not None:
        found = sorted(
            (units[u.pk] for u in node.units.all() if u.pk in units and u.pk not in gone),
            key=lambda u: (u.kind, u.name),
        )
        if found:
            return node, [(u, COLD_START_CONFIDENCE) for u in found]
        node = node.parent
    return None, []


def offer_for(suggestion, message, *, units: dict[int, Unit], gone: set[int], topics=None) -> Offer:
    """`units`: the county's dispatchable units by id; `gone`: units that handed the
    message back; `topics`: the message's topic with its usual units
    (`topics_with_units`), read once for a page of rows. A suggestion kept from the
    tree alone (`CATALOGUE`, saved when the office first decided on it) is read
    from the tree again: the message's topic may have changed since, and its units
    are the tree's, not a model's."""
    from_tree = suggestion is not None and suggestion.model_version == CATALOGUE
    ranked = []
    if suggestion is not None and not from_tree:
        ranked = [(units[u], c) for u, c in suggestion.ranked_units() if u in units and u not in gone]
    topic, note = _usable_topic(suggestion.topic) if suggestion else (None, "")
    category = suggestion.category if suggestion else None
    if ranked:
        return Offer(suggestion, ranked, topic, note, category)
    # Cold start: no model yet, or none of its units may take the message. The topic
    # the message has (the citizen's, or the office's), else the one suggested.
    topics = topics if topics is not None else topics_with_units([message.topic_id, topic and topic.pk])
    filed = topics.get(message.topic_id) or (topic and topics.get(topic.pk))
    basis, usual = _usual_units(filed, units, gone)
    offer = Offer(suggestion, usual, topic, note, category, source=CATALOGUE, basis=basis)
    if not usual and gone:
        offer.reason = _nothing_left(filed, units, gone)
    return offer


def _nothing_left(topic, units, gone) -> str:
    """Why a message handed back is offered no unit: every unit the model or the tree
    would name has handed it back already."""
    names = "、".join(sorted(units[u].name for u in gone if u in units)) or "原承办单位"
    if topic is None:
        return f"{names}已退单，留言没有事项分类，没有其他可建议的单位，请手动选择单位交办。"
    return f"{names}已退单，事项分类“{topic.path}”没有其他通常承办单位，请手动选择单位交办。"


def _suggestion_of(message) -> RoutingSuggestion | None:
    """The message's suggestion, computed now when a model exists and the worker has
    not reached it yet."""
    related = ("unit", "topic__parent__parent", "category")
    found = RoutingSuggestion.objects.filter(message=message).select_related(*related).first()
    if found is None and suggest([message]):
        found = RoutingSuggestion.objects.filter(message=message).select_related(*related).first()
    return found


def current_offer(message, *, at, compute=False) -> Offer:
    """What the queue offers for `message` now (`compute`: making its suggestion if a
    model exists and the worker has not yet)."""
    if compute:
        suggestion = _suggestion_of(message)
    else:
        related = ("topic__parent__parent", "category")
        suggestion = RoutingSuggestion.objects.filter(message=message).select_related(*related).first()
    units = dispatchable(message.region_id, clock.local_date(at))
    return offer_for(suggestion, message, units=units, gone=handed_back([message.pk])[message.pk])


def note_dispatch(message, *, offered: Offer, by, at, previous=None) -> None:
    """Called by actions.dispatch, in its transaction (which holds the message's row
    lock), with what the queue offered before the dispatch changed the message: the
    office's choice set against it, at the first dispatch and at every re-dispatch
    after a hand-back (`previous`, the unit that handed it back). Accepted when the
    office chose the offered unit, whether by the accept button or by the form."""
    suggestion = offered.suggestion
    if suggestion is None:
        if offered.unit is None:
            return  # nothing was offered: no decision to record
        # Offered from the tree alone: kept now that the office decided on it.
        suggestion = RoutingSuggestion.objects.create(
            message=message,
            model_version=CATALOGUE,
            computed_at=at,
            unit=offered.unit,
            unit_confidence=COLD_START_CONFIDENCE,
            other_units=[[u.pk, c] for u, c in offered.units[1:]],
        )
    RoutingDecision.objects.create(
        suggestion=suggestion,
        occasion=RoutingDecision.Occasion.REDISPATCH if previous is not None else RoutingDecision.Occasion.DISPATCH,
        decided_by=by,
        decided_at=at,
        offered_unit=offered.unit,
        unit_source=offered.source if offered.unit else "",
        chosen_unit_id=message.unit_id,
        unit_decision=RoutingDecision.judge(offered.unit and offered.unit.pk, message.unit_id),
        offered_topic=offered.topic,
        chosen_topic_id=message.topic_id,
        topic_decision=RoutingDecision.judge(offered.topic and offered.topic.pk, message.topic_id),
        offered_category=offered.category,
        chosen_category_id=message.category_id,
        category_decision=RoutingDecision.judge(offered.category and offered.category.pk, message.category_id),
    )


@dataclass
class Accepted:
    message: Message
    notes: list  # what the office should know: a topic switched off, say


@transaction.atomic
def accept(*, message, by, shown_unit: int | None = None, at=None) -> Accepted:
    """采纳建议: dispatch to the offered unit with the offered topic and category (one
    click; a category changes only before any answer, as actions.set_category says).
    `shown_unit`: the unit the page named on its button; when the offer has changed
    since (that unit was switched off, or handed the message back meanwhile),
    nothing is done and the office is told what is offered now. An unsure offer is
    not accepted in one click (nor in bulk): the office chooses the unit in the form.
    (Found by a tester: a 6% guess of another township, one tap from dispatch.)"""
    at = at or timezone.now()
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("region", "unit", "category", "topic")
        .get(pk=message.pk)
    )
    offer = current_offer(message, at=at, compute=True)
    if offer.unit is None:
        raise actions.ActionRefused("no_suggestion", offer.reason or "这条留言没有可采纳的分拨建议，请手动选择单位。")
    if shown_unit is not None and shown_unit != offer.unit.pk:
        raise actions.ActionRefused(
            "suggestion_changed", f"分拨建议已变化，现建议交办“{offer.unit.name}”，请刷新页面核对后再采纳。"
        )
    if offer.unsure:
        raise actions.ActionRefused(
            "suggestion_unsure",
            f"分拨建议把握较低（{offer.unit.name}，约{round(100 * offer.units[0][1])}%），"
            "不能一键采纳，请核对留言后在下方交办表单中选择单位。",
        )
    note = "采纳智能分拨建议" if message.state == Message.State.PENDING_DISPATCH else "采纳智能分拨建议，转交该单位办理"
    notes = [offer.topic_note] if offer.topic_note else []
    before, category = message.category, offer.category
    if category is not None and category != before and message.replies.filter(follow_up__isnull=True).exists():
        # Answered before it was handed back: the answer stands under its category.
        notes.append(f"留言已有答复，类别仍为“{before.name}”，未按建议改为“{category.name}”。")
        category = None
    message = actions.dispatch(
        message=message, by=by, unit=offer.unit, topic=offer.topic, category=category, note=note, at=at
    )
    if message.category_id != before.pk:
        notes.append(f"留言类别已按建议由“{before.name}”改为“{message.category.name}”。")
    return Accepted(message, notes)


# --- the dispatch queue -----------------------------------------------------------


def attach(rows, *, units) -> None:
    """Give each queue row its suggestion (`m.suggestion`, None when nothing is
    offered) and what it offers (`m.suggestion.offer`), computing the missing ones
    now: the worker may not have reached a message that arrived a moment ago. A row
    the model has nothing for gets its topic's usual units (an unsaved suggestion,
    kept once the office decides). `units` are the county's dispatchable units."""
    rows = list(rows)
    missing = [m for m in rows if m.state in QUEUE_STATES]
    if missing:
        suggest(missing)
    found = {
        s.message_id: s
        for s in RoutingSuggestion.objects.filter(message__in=rows).select_related("topic__parent__parent", "category")
    }
    by_pk = {u.pk: u for u in units}
    gone = handed_back([m.pk for m in rows])
    topics = topics_with_units([m.topic_id for m in rows] + [s.topic_id for s in found.values()])
    for m in rows:
        s = found.get(m.pk)
        offer = offer_for(s, m, units=by_pk, gone=gone[m.pk], topics=topics)
        m.routing_note = offer.reason
        if offer.unit is None:
            m.suggestion = None  # nothing to accept (offer.reason says why, after a hand-back)
            continue
        s = s or RoutingSuggestion(message=m, model_version=CATALOGUE)
        m.suggestion = s
        s.offer = offer
        s.shown_units = [(u, round(100 * c)) for u, c in offer.units[:SHOWN_UNITS]]
        # The model unsure of the unit (a pension question offered to a township at
        # 17%): said so, no button that dispatches (one that picks the unit in the
        # form instead), and the usual units of the topic it is surer of named beside it.
        s.unsure = offer.unsure
        filed = topics.get(offer.topic.pk) if s.unsure and offer.topic is not None else None
        basis, usual = _usual_units(filed, by_pk, gone[m.pk])
        s.usual_basis, s.usual_units = basis, [u for u, _ in usual if u != offer.unit][:SHOWN_UNITS]
        s.topic_percent = round(100 * s.topic_confidence) if s.topic_confidence is not None else None
        s.category_percent = round(100 * s.category_confidence) if s.category_confidence is not None else None


def likely_units(message, *, top: int = 2) -> list[tuple[Unit, int]]:
    """For a unit about to hand a message back: the units the model thinks likelier,
    other than itself and any unit that handed it back before, with their confidence
    in percent (none without a model). Ranked among the county's dispatchable units
    only, as the office could send it."""
    router = current()
    if router is None or "unit" not in router.heads:
        return []
    gone = handed_back([message.pk])[message.pk] | {message.unit_id}
    units = {
        str(u.pk): u
        for u in Unit.objects.dispatchable(clock.local_date(timezone.now()))
        .filter(region_id=message.region_id)
        .exclude(pk__in=gone - {None})
    }
    guesses = router.guess_many([text_of(message.title, message.body)], top=top, among={"unit": set(units)})[0]
    return [(units[g.label], round(100 * g.confidence)) for g in guesses.get("unit", [])]


def transfer_hint(message) -> str:
    """What the unit handing a message back (退单) is told of where it may belong:
    the model's likelier units; without a model (or when it names none), the usual
    units of the message's topic (Topic.units, or its nearest parent's), other than
    this unit and those that handed it back before. "" when neither names one."""
    likely = likely_units(message)
    if likely:
        names = "、".join(f"{unit.name}（{percent}%）" for unit, percent in likely)
        return f"智能分拨建议的其他单位：{names}。"
    if message.topic_id is None:
        return ""
    gone = handed_back([message.pk])[message.pk] | {message.unit_id}
    units = dispatchable(message.region_id, clock.local_date(timezone.now()))
    basis, usual = _usual_units(topics_with_units([message.topic_id]).get(message.topic_id), units, gone)
    if not usual:
        return ""
    names = "、".join(unit.name for unit, _ in usual[:SHOWN_UNITS])
    return f"按事项分类“{basis.path}”，通常由{names}办理（尚无训练好的分拨模型，仅供参考）。"
