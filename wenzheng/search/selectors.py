"""Searching messages: the one read every search box goes through."""

from .engines import engine
from .models import Audience
from .text import Query

RELEVANCE, NEWEST = "relevance", "newest"


def search(messages, query: Query, *, audience: str, order: str = RELEVANCE):
    """The `messages` whose `audience` document holds every term of `query`, best
    match first (ties newest first), or newest first. Compose with any other filter
    before or after: the queryset stays a queryset."""
    found = engine().search(messages, Audience(audience), query)
    if order == NEWEST:
        return found.order_by("-submitted_at", "-pk")
    return found.order_by("-search_rank", "-submitted_at", "-pk")
