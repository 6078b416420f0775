"""Routing suggestions in the database: training data from this deployment's own
messages, suggestions for the dispatch queue, and the office's decisions on them."""

import logging
import threading
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wenzheng.handling import actions
from wenzheng.handling.models import Category, Message
from wenzheng.units.models import Unit
from wenzheng.workdays import clock

from .models import RoutingSuggestion, Topic

# scikit-learn (wenzheng.topics.router) is imported only once a model is used: the web
# processes load every view at their first request, and most never route anything.

log = logging.getLogger(__name__)
QUEUE_STATES = (Message.State.PENDING_DISPATCH, Message.State.TRANSFER_REQUESTED)


def text_of(title: str, body: str) -> str:
    return f"{title}\n{body}"


# --- training ---------------------------------------------------------------------


def training_data(*, limit: int | None = None) -> tuple[list[str], dict[str, list[str]]]:
    """Answered messages (the unit that answered is the right one, as far as anyone
    knows), and dispatched ones whose suggestion the office accepted or overrode (its
    choice is a label too). Topics are learnt by code, so counties that share the
    default tree teach each other; units by id."""
    decided = Q(routing__decision__in=["accepted", "overridden"], unit__isnull=False)
    rows = (
        Message.objects.filter(Q(state__in=Message.State.answered()) | decided)
        .order_by("-submitted_at")
        .values_list("title", "body", "topic__code", "unit_id", "category__code")
    )
    if limit:
        rows = rows[:limit]
    texts, topics, units, categories = [], [], [], []
    for title, body, topic, unit, category in rows.iterator(chunk_size=2000):
        texts.append(text_of(title, body))
        topics.append(topic or "")
        units.append(str(unit) if unit else "")
        categories.append(category or "")
    return texts, {"topic": topics, "unit": units, "category": categories}


def acceptance(version: str) -> dict[str, int]:
    """How the office treated the suggestions of one model version."""
    rows = RoutingSuggestion.objects.filter(model_version=version)
    return {
        "suggested": rows.count(),
        "accepted": rows.filter(decision=RoutingSuggestion.Decision.ACCEPTED).count(),
        "overridden": rows.filter(decision=RoutingSuggestion.Decision.OVERRIDDEN).count(),
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


# --- decisions ----------------------------------------------------------------------


def note_dispatch(message, *, by, at) -> None:
    """Called by actions.dispatch, in its transaction: the office's choice, set
    against the suggestion (accepted when the unit is the suggested one)."""
    suggestion = RoutingSuggestion.objects.select_for_update().filter(message=message).first()
    if suggestion is None or suggestion.decision:
        return
    accepted = suggestion.unit_id == message.unit_id
    suggestion.decision = RoutingSuggestion.Decision.ACCEPTED if accepted else RoutingSuggestion.Decision.OVERRIDDEN
    suggestion.decided_by, suggestion.decided_at = by, at
    suggestion.chosen_unit_id, suggestion.chosen_topic_id = message.unit_id, message.topic_id
    suggestion.save(update_fields=["decision", "decided_by", "decided_at", "chosen_unit", "chosen_topic"])


@transaction.atomic
def accept(*, message, by, at=None) -> Message:
    """采纳建议: dispatch to the suggested unit with the suggested topic (one click)."""
    suggestion = RoutingSuggestion.objects.filter(message=message).select_related("unit", "topic").first()
    pairs = suggestion.units_for(message) if suggestion else []
    if not pairs:
        raise actions.ActionRefused("no_suggestion", "这条留言没有可采纳的分拨建议，请手动选择单位。")
    unit = Unit.objects.get(pk=pairs[0][0])
    note = "采纳智能分拨建议" if message.state == Message.State.PENDING_DISPATCH else "采纳智能分拨建议，转交该单位办理"
    return actions.dispatch(message=message, by=by, unit=unit, topic=suggestion.topic, note=note, at=at)


# --- the dispatch queue -----------------------------------------------------------


def attach(rows, *, units) -> None:
    """Give each queue row its suggestion (`m.suggestion`, None without a model),
    computing the missing ones now: the worker may not have reached a message that
    arrived a moment ago. `units` are the county's dispatchable units, read once."""
    rows = list(rows)
    missing = [m for m in rows if m.state in QUEUE_STATES]
    if missing:
        suggest(missing)
    found = {
        s.message_id: s
        for s in RoutingSuggestion.objects.filter(message__in=rows).select_related("topic__parent", "category")
    }
    by_pk = {u.pk: u for u in units}
    for m in rows:
        s = found.get(m.pk)
        m.suggestion = s
        if s is not None:
            s.shown_units = [(by_pk[u], round(100 * c)) for u, c in s.units_for(m) if u in by_pk][:3]
            s.topic_percent = round(100 * s.topic_confidence) if s.topic_confidence is not None else None
            s.category_percent = round(100 * s.category_confidence) if s.category_confidence is not None else None


def likely_units(message, *, top: int = 2) -> list[tuple[Unit, int]]:
    """For a unit about to hand a message back: the units the model thinks likelier,
    other than itself, with their confidence in percent (none without a model).
    Ranked among the county's dispatchable units only, as the office could send it."""
    router = current()
    if router is None or "unit" not in router.heads:
        return []
    units = {
        str(u.pk): u
        for u in Unit.objects.dispatchable(clock.local_date(timezone.now()))
        .filter(region_id=message.region_id)
        .exclude(pk=message.unit_id)
    }
    guesses = router.guess_many([text_of(message.title, message.body)], top=top, among={"unit": set(units)})[0]
    return [(units[g.label], round(100 * g.confidence)) for g in guesses.get("unit", [])]
