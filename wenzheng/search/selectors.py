"""Searching messages: the one read every search box goes through.

Ranking without scoring every match. A common word (路灯) is in tens of thousands of
a city's million messages; scoring and sorting all of them for a page of 20 costs
as much as finding them all, which is what made a ranked search slower than
the 20 ms the board needs. So relevance ranks a window: the WINDOW matches entered
last (the highest message ids: on SQLite a backward walk of the word index, which
stops when the window is full; on PostgreSQL the matches among the newest message
ids, band by band, engines.PostgresEngine.window) are scored exactly on their
documents (wenzheng.search.ranking) and come first, best first; every older match follows,
newest first. The matches themselves are never cut: the count, every page and the
newest-first order cover all of them; only the order of matches older than the
window's is by date rather than by score.

The result stays a queryset of the caller's class: filter, annotate, slice and
paginate it as any other. The order is worked out when it is read, on the
queryset as finally narrowed, so a filter added after search() ranks its own
window. A new order_by() replaces the ranking.
"""

import dataclasses
from functools import cache

from django.db import connection
from django.db.models.expressions import RawSQL

from . import contacts, words
from .engines import engine
from .models import Audience
from .text import Query

RELEVANCE, NEWEST = "relevance", "newest"

# How many of the latest matches are ranked by score (ten pages of the board).
WINDOW = 200


def search(messages, query: Query, *, audience: str, order: str = RELEVANCE):
    """The `messages` whose `audience` document holds every term of `query`, best
    match first among the latest WINDOW (ties newest first) and older ones newest
    first, or all newest first. Compose with any other filter before or after: the
    queryset stays a queryset."""
    if audience in (Audience.PUBLIC, Audience.MASKED):
        # A contact just taken off the county's published list: what the worker has
        # not yet refreshed is left out for queries that could match it (contacts.py).
        hidden = contacts.withheld(query)
        if hidden is not None:
            messages = messages.exclude(hidden)
    found = engine().search(messages, Audience(audience), query).order_by("-submitted_at", "-pk")
    if order == NEWEST:
        return found
    ranked = found._chain()
    ranked.__class__ = _ranked_class(type(found))
    ranked._ranking = (Audience(audience), query)
    return ranked


def typed_or_words(messages, query: Query, *, audience: str) -> Query:
    """`query` as typed; or, when it finds none of `messages` and its long terms split
    into words that find some, those words (words.split: 路灯维修 → 路灯 维修), whose
    `instead_of` says what was typed (when they find nothing either, `query` with the
    words in `words_tried`). A query that splits costs one or two reads of
    a latest match more; one that does not (every term of two characters, or words
    the dictionary does not know) costs nothing more."""
    split = words.split(query)
    if split is None or _finds(messages, query, audience):
        return query
    if _finds(messages, split, audience):
        return split
    return dataclasses.replace(query, words_tried=split.quoted)


def _finds(messages, query: Query, audience: str) -> bool:
    """Whether `query` finds any of `messages`: its latest match, read as a ranked
    search reads its window (at a million messages on PostgreSQL 1.2–1.6 ms for
    低保申请 or 路灯 维修, where EXISTS took 4–8 ms: it asks the whole word index)."""
    found = search(messages, query, audience=audience, order=NEWEST)
    return bool(engine().window(found, Audience(audience), query, 1))


def _position(model, ids):
    """An order key: each of `ids` its place in the list, anything else after them.
    Raw SQL: the same as a Case of Whens, which Django takes a millisecond a When to
    compile (longer than the query it orders). On PostgreSQL the list is one array
    (a CASE binds two parameters an id: 400 for the window's 200, each adapted by
    psycopg in turn), and anything else's place is NULL, last in ascending order."""
    column = f"{connection.ops.quote_name(model._meta.db_table)}.{connection.ops.quote_name(model._meta.pk.column)}"
    if connection.vendor == "postgresql":
        return RawSQL(f"array_position(%s, {column})", (list(ids),))  # noqa: S611 (our names, the ids a parameter)
    whens = " ".join(["WHEN %s THEN %s"] * len(ids))
    params = [value for i, pk in enumerate(ids) for value in (pk, i)]
    return RawSQL(f"CASE {column} {whens} ELSE %s END", (*params, len(ids)))  # noqa: S611 (our names, values as parameters)


class _Ranked:
    """Mixed into the caller's queryset class by search(): reads in rank order."""

    _ranking = None  # (audience, query)

    def _clone(self):
        clone = super()._clone()
        clone._ranking = self._ranking
        return clone

    def order_by(self, *fields):
        clone = super().order_by(*fields)
        clone._ranking = None
        return clone

    def _plain(self):
        plain = self._chain()
        plain._ranking = None
        return plain

    def window(self) -> list[int]:
        """The latest WINDOW matches' ids, best first (ties newest first)."""
        plain = self._plain()
        plain.query.clear_limits()
        scored = engine().window(plain, *self._ranking, WINDOW)
        scored.sort(key=lambda row: (row[0], row[1], row[2]), reverse=True)
        return [pk for _, _, pk in scored]

    def _in_rank_order(self):
        """The rows asked for as a queryset; and whether it reads them by their ids
        (Engine.read)."""
        plain = self._plain()
        low, high = plain.query.low_mark, plain.query.high_mark
        plain.query.clear_limits()
        window = self.window()
        if len(window) < WINDOW or (high is not None and high <= len(window)):
            # Every row asked for is in the window: read just those.
            ids = window[low:high]
            if not ids:
                return plain.none(), False
            return engine().only(plain, *self._ranking, ids).order_by(_position(self.model, ids).asc()), True
        if low >= len(window):
            # Every row asked for is past the window: the other matches, newest first,
            # without ordering every match by a CASE of the window's 200 ids (a fifth
            # of page 11's time for 路灯 at a million messages on PostgreSQL, where
            # the rest is reading its 30,000 matches by date: not a target, said in
            # BENCHMARKS.md).
            beyond = plain.exclude(pk__in=window).order_by("-submitted_at", "-pk")
            return beyond[low - len(window) : None if high is None else high - len(window)], False
        return plain.order_by(_position(self.model, window).asc(), "-submitted_at", "-pk")[low:high], False

    def _fetch_all(self):
        if self._result_cache is None and self._ranking is not None:
            page, by_ids = self._in_rank_order()
            # Its own rows alone: the prefetches are this queryset's, below.
            self._result_cache = engine().read(page, by_ids=by_ids)
        super()._fetch_all()

    def iterator(self, chunk_size=None):
        if self._ranking is None:
            return super().iterator(chunk_size=chunk_size)
        page, _ = self._in_rank_order()
        return page.iterator(chunk_size=chunk_size)


@cache
def _ranked_class(cls):
    return type(f"Ranked{cls.__name__}", (_Ranked, cls), {})
