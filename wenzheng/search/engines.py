"""The word index in each database's own machinery, behind one small interface.

SQLite: one FTS5 table per audience (`search_fts_<audience>`, rowid = the message),
contentless (the folded text is kept once, in SearchDocument), given the text as
its bigram tokens separated by spaces (wenzheng.search.text.tokens), with every
token's positions: a query term is an FTS5 phrase of its bigrams, exact by
construction.

PostgreSQL (stock 15: no pg_bigm, zhparser or pg_jieba): SearchDocument.grams holds
each document's distinct tokens and characters as a tsvector, with one GIN index per
audience. The index finds the documents holding every bigram of every term, and
every single character typed beside them; the folded text then confirms each term
longer than a bigram occurs as a phrase (a tsvector keeps at most 256 positions a
token and none past 16,383, so positions alone could miss a match in a long text).
A tsvector may not hold more than 1 MB of tokens: a message with long follow-ups
and replies (each up to MESSAGE_TEXT_MAX_CHARS, as many as the citizen writes) can
have more distinct bigrams than that. Such a document's tsvector is the one token
OVERFLOW instead (`token_set`), and SearchDocument.overflow says so: every search
takes those documents as candidates (`holding_sql`: the word index's matches, or the
few rows of the partial index of overflowing documents) and checks each term on
their folded texts, so they are found exactly as any other. (Asked of the GIN index
as `… | '~'`, the alternative cost 2–3 ms a search at 100,000 messages.)
Beside each audience's whole GIN index, each of the newest bands of message ids
has a partial GIN index of its own, from which the latest matches are read in
order (`maintain_bands`): from the documents first, each scored in the query
that reads it, where most of them are in scope (`PostgresEngine.window`,
`DocumentsFirst`), from the messages in scope first where few are
(`PostgresEngine.latest`).

Both only find and give the latest matches their scores (wenzheng.search.ranking);
wenzheng.search.selectors ranks them, the same way on both.
"""

import functools
import re
import time
from datetime import UTC, datetime, timedelta

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, connections
from django.db.models import BooleanField, Exists, Expression, F, Func, Max, OuterRef, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Contains
from django.db.models.sql.where import WhereNode

from wenzheng.lib.lookups import AnyOf
from wenzheng.ops import planner

from .models import Audience, PendingUpgrade
from .ranking import PARTS, score, score_sql
from .text import Query, token_text, tokens

# PostgreSQL's latest matches (PostgresEngine.latest): message ids in bands of BAND,
# band k holding [k·BAND, (k+1)·BAND). Each of the newest BANDS_KEPT bands, and the
# next one (made before its first message), has a word index of its own per audience
# (a partial GIN index, `maintain_bands`); the latest matches are read from them,
# newest band first, and only what is older from the whole word index. A band is
# read whole when those after it hold too few, however few more are wanted, so the
# band's size bounds what a search reads past its window: 路灯 维修 at a million
# messages found 197 of its 200 in the newest band and read the band before for 3
# more, 735 documents of 65,536 ids (3.2 ms of the statement's 7.0); 391 of 32,768.
# Eight such bands index what four of 65,536 did, and the first read spans the same
# ids as then (FIRST_READ bands), so a rarer word is not read in two statements.
BAND, BANDS_KEPT = 32_768, 8
FIRST_READ = 3


class Engine:
    def write(self, old: list, new: list) -> None:
        """Replace the documents `old` (rows as stored) with `new` in the word index."""
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    # A rebuild: every document, written in bulk between bulk_start and bulk_finish,
    # in one transaction.
    def bulk_start(self) -> None:
        """Empty the documents and the word index."""
        raise NotImplementedError

    def bulk_write(self, docs: list) -> None:
        raise NotImplementedError

    def bulk_finish(self) -> None:
        pass

    def bulk_prepare(self) -> None:
        """Before the rebuild's transaction."""

    def search(self, messages, audience: str, query: Query):
        """`messages` narrowed to those whose `audience` document holds every term
        (ranked by wenzheng.search.selectors)."""
        raise NotImplementedError

    def latest_first(self, found, audience: str):
        """`found` (from search) in the order that reads its latest matches first
        without sorting them all: the highest message ids."""
        return found.order_by("-pk")

    def latest(self, found, audience: str, query: Query, n: int) -> list[tuple]:
        """The `n` latest of `found` (from search for `query`), newest first, as
        (id, submitted_at)."""
        return list(self.latest_first(found, audience).values_list("pk", "submitted_at")[:n])

    def window(self, found, audience: str, query: Query, n: int) -> list[tuple]:
        """The `n` latest of `found` (from search for `query`), each as (score,
        submitted_at as an instant, id), in no particular order: scored on their
        documents' texts."""
        return scored(self.latest(found, audience, query, n), audience, query, found.db)

    def only(self, found, audience: str, query: Query, ids: list):
        """`found` narrowed to the messages `ids`, read through them, not through
        every match of the query."""
        return found.filter(pk__in=ids)

    def read(self, page, *, by_ids: bool) -> list:
        """The rows of a ranked search's `page` (from only() if `by_ids`), without
        its prefetches (the caller's)."""
        return list(page._iterable_class(page))


def scored(latest: list[tuple], audience: str, query: Query, db: str) -> list[tuple]:
    """The messages `latest` ((id, submitted_at)) as (score, submitted_at as an
    instant, id), scored on their `audience` documents (read from `db`, where the
    messages were)."""
    if not latest:
        return []
    # Written out: the ORM prepared each of the window's 200 ids as a foreign key's
    # value (0.5 ms of a 5.5 ms search of a city's board on SQLite at a million).
    ids = [int(pk) for pk, _ in latest]
    with connections[db].cursor() as cursor:
        cursor.execute(
            f"SELECT message_id, {', '.join(PARTS)} FROM search_searchdocument "  # noqa: S608 (our names)
            f"WHERE audience = %s AND message_id IN ({', '.join(['%s'] * len(ids))})",
            [Audience(audience).value, *ids],
        )
        texts = {row[0]: row[1:] for row in cursor.fetchall()}
    return [(score(texts.get(pk, ("", "", "", "")), query.terms), instant(at), pk) for pk, at in latest]


def instant(at) -> int:
    """A time as microseconds since the epoch, exactly (the window's tie-break)."""
    return (at - EPOCH) // timedelta(microseconds=1)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- SQLite -------------------------------------------------------------------------


def fts_table(audience: str) -> str:
    return f"search_fts_{Audience(audience).value}"


def fts_create_sql(audience: str) -> str:
    # No prefix index: single characters are not searched through the index
    # (wenzheng.search.text says why). An index of every token's first character
    # (prefix='1') held doclists as long as the commonest characters and made
    # writing eight times slower and superlinear: a city's rebuild (1,000,000
    # messages) did not reach its 100,000th message in 17 minutes (search.0003).
    return (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts_table(audience)} USING fts5("
        "title, body, answers, extra, content='', tokenize='unicode61 remove_diacritics 0')"
    )


def fts_expression(query: Query) -> str:
    """The FTS5 query: every indexed term, each a phrase of its bigrams. Tokens are
    letters and digits only, so quoting them is safe."""
    return " AND ".join('"' + " ".join(phrase) + '"' for phrase in query.phrases)


def with_characters(found, audience, query: Query):
    """`found` narrowed to the messages whose document also holds each single
    character of the query: checked on the texts of the candidates alone, through
    the (message, audience) key, never by scanning for the character."""
    if not query.characters:
        return found
    from .models import SearchDocument

    docs = SearchDocument.objects.filter(message_id=OuterRef("pk"), audience=audience)
    for character in query.characters:
        docs = docs.filter(holds(character))
    return found.filter(Exists(docs))


DOCUMENT_COLUMNS = ("message_id", "audience", "title", "body", "answers", "extra", "scope")


class SQLiteEngine(Engine):
    def bulk_start(self):
        with connection.cursor() as cursor:
            # Room for the index's pages while a whole database is written in one
            # transaction: up to 2 GB, taken only as pages are written (a county's
            # index is a few hundred MB). Past the cache, SQLite spills written pages
            # to the WAL and reads them back from there: with 200 MB the bench's
            # 100,000 messages took 134 s, with room for all of them 44 s.
            cursor.execute("PRAGMA cache_size")
            self.cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size = -2000000")
            cursor.execute("DELETE FROM search_searchdocument")
        self.clear()

    def bulk_prepare(self):
        # Outside the rebuild's transaction, so that its statements are planned
        # without them: statistics of an empty index, as any ANALYZE but the
        # worker's keeps them, would have FTS5 read its tables through on every insert.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'")
            forget = cursor.fetchone() is not None
            if forget:
                planner.forget_word_index_statistics(cursor)
        if forget and not connection.in_atomic_block:
            # A connection plans by the statistics it read when it opened: a new one.
            connection.close()

    def bulk_write(self, docs):
        columns = ", ".join(DOCUMENT_COLUMNS)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO search_searchdocument ({columns}) VALUES ({', '.join(['%s'] * len(DOCUMENT_COLUMNS))})",  # noqa: S608
                [(d.message_id, d.audience, *d.parts(), d.scope) for d in docs],
            )
        self.write([], docs)

    def bulk_finish(self):
        with connection.cursor() as cursor:
            for audience in Audience.values:
                # One segment per table: a query reads one b-tree, not dozens.
                table = fts_table(audience)
                cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # noqa: S608
            cursor.execute(f"PRAGMA cache_size = {int(self.cache_size)}")

    def write(self, old, new):
        with connection.cursor() as cursor:
            for audience in Audience.values:
                table = fts_table(audience)
                gone = [[d.message_id, *(token_text(p) for p in d.parts())] for d in old if d.audience == audience]
                if gone:
                    cursor.executemany(
                        f"INSERT INTO {table} ({table}, rowid, title, body, answers, extra) "  # noqa: S608 (our names)
                        "VALUES ('delete', %s, %s, %s, %s, %s)",
                        gone,
                    )
                added = [[d.message_id, *(token_text(p) for p in d.parts())] for d in new if d.audience == audience]
                if added:
                    cursor.executemany(
                        f"INSERT INTO {table} (rowid, title, body, answers, extra) "  # noqa: S608 (our names)
                        "VALUES (%s, %s, %s, %s, %s)",
                        added,
                    )

    def clear(self):
        with connection.cursor() as cursor:
            for audience in Audience.values:
                table = fts_table(audience)
                cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('delete-all')")  # noqa: S608

    def search(self, messages, audience, query):
        table = fts_table(audience)
        # A join to a virtual table Django has no model for; every value is a parameter.
        found = messages.extra(  # noqa: S610
            tables=[table],
            where=[f"{table}.rowid = handling_message.id", f"{table} MATCH %s"],
            params=[fts_expression(query)],
        )
        return with_characters(found, audience, query)

    def latest_first(self, found, audience):
        # FTS5 walks a match backwards by rowid (= the message id) and stops at the
        # LIMIT; ordered by the message's id instead, SQLite sorts every match.
        return found.order_by(RawSQL(f"{fts_table(audience)}.rowid", ()).desc())  # noqa: S611 (our name)

    def only(self, found, audience, query, ids):
        # On the word index's rowid: SQLite then looks each one up in the FTS5 table
        # rather than reading every match and keeping these.
        table = fts_table(audience)
        marks = ", ".join(["%s"] * len(ids))
        return found.filter(pk__in=ids).extra(where=[f"{table}.rowid IN ({marks})"], params=list(ids))  # noqa: S610


# --- PostgreSQL ---------------------------------------------------------------------


# The tsvector of a document with too many distinct tokens (not a token itself: tokens
# are letters and digits). PostgreSQL refuses more than 1 MB of a tsvector's lexemes
# ("string is too long for tsvector"); half of it leaves room for its own overhead.
OVERFLOW = "~"
OVERFLOW_SET = f"'{OVERFLOW}'"
MAX_TOKEN_BYTES = 512 * 1024


def token_set(folded_parts, scope: str = "") -> str:
    """A tsvector literal of the distinct tokens and characters of the parts and the
    scope's tokens (documents.scope_of), or OVERFLOW for a document that has more of
    them than a tsvector may hold (every search takes those as candidates)."""
    held = {t for part in folded_parts for t in tokens(part)}
    # And every character of the runs, so that the word index finds a single
    # character beside a word ("学校 栏": the documents that hold both, where
    # checking 栏 on the texts of 学校's matches read ten for each found). Each is
    # the first of a bigram or the last of its run (a token already).
    held.update([t[0] for t in held])
    distinct = sorted(held)
    if sum(len(t.encode()) for t in distinct) > MAX_TOKEN_BYTES:
        return OVERFLOW_SET
    return " ".join(f"'{t}'" for t in (*distinct, *scope.split()))


def tsquery(query: Query, characters: bool = False) -> str:
    """Every bigram of every indexed term, and with `characters` every single
    character: the candidates, confirmed on the text."""
    asked = [t for phrase in query.phrases for t in phrase]
    if characters:
        asked += query.characters
    return " & ".join(dict.fromkeys(f"'{t}'" for t in asked))


def holding_sql(
    query: Query, column, ops, scope: str | None = None, *, indexed: bool = True, characters: bool = False
) -> tuple[str, list]:
    """The conditions, in SQL, that a document (its columns named by `column(name)`)
    holds every term of `query`: found through the word index by every token of
    every term (with every overflowing document: the word index's matches or the few
    rows of the partial index of overflowing documents, two bitmaps ORed), each term
    longer than a token checked on the texts, and a single character on the texts
    of what the other terms found. A term of two characters is one token: the word
    index alone is exact for it (checking the texts again only misleads the planner
    about how many match), except in an overflowing document, which holds no tokens.
    `ops`: the connection's operations (how LIKE's wildcards are escaped); `scope`:
    tokens every message in scope has (`scope_tokens`), asked of the word index too.
    Not `indexed`: the tokens are checked on each document the statement reads
    otherwise (walking down the message ids: `common`), never asked of the word index.
    `characters`: every document's grams hold its characters (no PendingUpgrade
    CHARACTERS left: `upgraded`), so a single character is asked of the word index
    too, exact as a two-character term; otherwise it is checked on the texts."""
    text = " || %s || ".join(column(part) for part in PARTS)
    text_params = ["\n"] * (len(PARTS) - 1)
    grams, overflow = column("grams"), column("overflow")
    asked = tsquery(query, characters)
    words = asked if scope is None else f"{asked} & {scope}"
    # ts_match_vq is what @@ runs; called by name, no index can answer it.
    match = f"{grams} @@ (%s)::tsquery" if indexed else f"ts_match_vq({grams}, (%s)::tsquery)"
    conditions, params = [f"({match} OR {overflow})"], [words]
    # A term that is one token of the grams is exact through the word index: two
    # characters, or one where the grams hold characters.
    short = [t for t in query.terms if len(t) == 2 or (characters and len(t) == 1)]
    for term in (t for t in query.terms if t not in short):
        conditions.append(f"({text}) LIKE %s")
        params += [*text_params, f"%{ops.prep_for_like_query(term)}%"]
    if short:
        conditions.append(f"(NOT {overflow} OR " + " AND ".join([f"({text}) LIKE %s"] * len(short)) + ")")
        params += [p for t in short for p in (*text_params, f"%{ops.prep_for_like_query(t)}%")]
    return " AND ".join(conditions), params


# A range's documents that hold the query's tokens this often or more (of all
# documents) are read walking down the message ids, checking each (the walk finds
# the newest CAP among the first CAP / share it reads); rarer ones from the word
# index, every match of the range then sorted. Measured at a million messages, a
# band of 50,000 public documents: 3,000 matches (6%) 13 ms from the index, 76 ms
# walking; 5,600 (11%) 25 and 38 ms; 7,600 (15%) 31 and 23 ms; 11,000 (22%) 40 and
# 16 ms. PostgreSQL's own choice (a plan for each statement) walked from 4%, 86 ms
# where the index took 8.
WALK_SHARE = 0.15


def common(db: str, query: Query, scope: str | None, characters: bool = False) -> bool:
    """Whether the documents holding every token of `query` (and of `scope`; and
    with `characters`, every single character) are a WALK_SHARE of all or more, as
    PostgreSQL's statistics of the word index's column have it (`token_shares`):
    the bigrams of one term occur together (the rarest of them counts), those of
    different terms, the characters and the scope's independently (their shares
    multiplied), as the planner estimates."""
    shares, floor = token_shares(db)
    if not shares:
        return False
    estimate = 1.0
    for phrase in query.phrases:
        estimate *= min(shares.get(t, floor) for t in phrase)
    for character in query.characters if characters else ():
        estimate *= shares.get(character, floor)
    for group in (scope or "").split(" & "):
        if names := re.findall(r"'([^']+)'", group):
            estimate *= min(1.0, sum(shares.get(t, floor) for t in names))
    return estimate >= WALK_SHARE


def token_shares(db: str) -> tuple[dict[str, float], float]:
    """The commonest tokens of the documents (PostgreSQL's statistics of
    SearchDocument.grams: a thousand of them, by the default statistics target)
    with the share of documents that hold each, and a share for any other token
    (half the least of those, as the planner takes it). Read again after
    TOKEN_SHARES_SECONDS: ANALYZE (autovacuum's) keeps them up to date."""
    now = time.monotonic()
    cached = _token_shares.get(db)
    if cached is None or now - cached[0] > TOKEN_SHARES_SECONDS:
        with connections[db].cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = 'search_searchdocument' AND attname = 'grams'"
            )
            row = cursor.fetchone()
        if row is None or row[0] is None:
            shares, floor = {}, 0.0
        else:
            lexemes, frequencies = row
            # The frequencies end with three more: the least, the greatest, and the
            # share of null values.
            shares = dict(zip(lexemes, frequencies[: len(lexemes)], strict=True))
            floor = frequencies[len(lexemes)] / 2
        cached = _token_shares[db] = (now, shares, floor)
    return cached[1], cached[2]


TOKEN_SHARES_SECONDS = 600
# By database: when read (time.monotonic), the shares, the share of any other token.
_token_shares: dict[str, tuple[float, dict[str, float], float]] = {}


def prepared_cursor(db: str):
    """A cursor on `db` (PostgreSQL) that binds values on the server and prepares
    each statement run with it on its first run (`PreparedAtOnce`), then planned once
    for all the values it is given (`generic_plans`): the search's reading statement
    took 2 ms to plan at a million messages, a third of its running time. Django's
    cursors bind on the client (prepared never). Through Django's wrapper, as
    connection.cursor(): logged, counted and timed as any other query."""
    wrapper = connections[db]
    wrapper.ensure_connection()
    with wrapper.wrap_database_errors:
        return wrapper._prepare_cursor(prepared_at_once()(wrapper.connection))


@functools.cache
def prepared_at_once() -> type:
    """A psycopg cursor that binds values on the server and prepares a statement the
    first time the connection runs it, not after `prepare_threshold` runs
    (settings.DB_PREPARE_THRESHOLD, psycopg's rule for statements that may never
    come again): the search's statements are few, of a shape for any words and any
    scope's values, and run for every search. Waiting for the threshold, every
    connection (renewed each DB_CONN_MAX_AGE) planned each shape afresh for its first
    five searches: 1.7 ms of planning for the reading statement of 路灯 at a million
    messages, whose prepared run takes 2.0 ms (路灯's second to sixth searches on a
    new connection took 7.3–8.9 ms, the next 5.6–5.8). With prepared statements
    turned off (threshold None: a transaction pooler), psycopg prepares none."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedAtOnce(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)

    return PreparedAtOnce


def generic_plans(sender, connection, **kwargs):
    """A new PostgreSQL connection plans each statement prepared on it once, for
    any values, from its first run (`plan_cache_mode`): those of prepared_cursor,
    the search's reading statement, and a ranked page's read by its ids
    (PostgresEngine.read) alone (Django's own are never prepared; no function of
    ours runs a statement). That statement says itself whether the word
    index is asked (`common`). Left to choose, PostgreSQL planned a two-word search
    afresh every time: its plan for no query in particular was estimated a little
    dearer than its plans for each. connection_created (SearchConfig.ready)."""
    if connection.vendor == "postgresql" and connection.connection.prepare_threshold is not None:
        with connection.connection.cursor() as cursor:  # psycopg's own: not a query of a request
            cursor.execute("SET plan_cache_mode = force_generic_plan")


class Matching(Expression):
    """The condition that a message (its key `pk`) has an `audience` document holding
    every term of `query` and the `scope` tokens (`holding_sql`), within the message
    ids [low, high) if given: `pk IN (the documents' message ids)`. Written out:
    the same subquery built as a queryset of the documents and resolved into the
    messages' took 0.4 ms of a 4 ms search of a city's board at a million
    messages, longer than the statement reads the documents. A band's bounds are
    constants, as the band indexes' conditions are (`band_index_sql`), so that the
    planner can tell which index covers it."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, pk, audience: str, query: Query, scope: str | None = None, low=None, high=None):
        super().__init__()
        self.pk, self.audience, self.search, self.scope = pk, Audience(audience), query, scope
        self.low, self.high = low, high

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def within(self, low: int, high: int, scope: str | None) -> "Matching":
        """The condition narrowed to the band [low, high) and the `scope` tokens: made
        anew, so that its identity (Django's equality of expressions) says so."""
        return Matching(self.pk, self.audience, self.search, scope, low, high)

    def as_sql(self, compiler, connection):
        pk, pk_params = compiler.compile(self.pk)
        characters = upgraded(connection.alias, PendingUpgrade.CHARACTERS)
        holding, params = holding_sql(self.search, "sd.{}".format, connection.ops, self.scope, characters=characters)
        bounds = "" if self.low is None else f" AND sd.message_id >= {self.low:d} AND sd.message_id < {self.high:d}"
        return (
            f"{pk} IN (SELECT sd.message_id FROM search_searchdocument sd "  # noqa: S608 (our names and constants)
            f"WHERE sd.audience = '{self.audience.value}' AND {holding}{bounds})",
            (*pk_params, *params),
        )


def scope_tokens(found) -> str | None:
    """What every message of `found` has among the scope tokens of its documents
    (documents.scope_of), as a tsquery: from its conditions on the message's county
    or unit (`region=…`, `unit=…`, `…__in=[…]`) that must all hold. None when it
    has none, or while documents written before the scope tokens are left
    (PendingUpgrade).

    A county's board in a city, or a unit's inbox, holds a few of the matches the
    word index finds (路灯: 2,000 documents in a band of the city, a hundred of them
    one county's): asked for the scope's token too, the index intersects the two
    and the other documents are never read."""
    from wenzheng.handling.models import Message

    where = found.query.where
    if found.model._meta.concrete_model is not Message or where.connector != "AND" or where.negated:
        return None
    prefixes = {Message._meta.get_field("region"): "r", Message._meta.get_field("unit"): "u"}
    terms = []
    for child in where.children:
        lhs = getattr(child, "lhs", None)
        prefix = prefixes.get(getattr(lhs, "target", None))
        if prefix is None or getattr(lhs, "alias", None) != found.query.base_table:
            continue
        if child.lookup_name == "exact":
            values = [child.rhs]
        elif child.lookup_name == "in" and isinstance(child.rhs, list | tuple | set | frozenset):
            values = list(child.rhs)
        else:
            continue
        if values and len(values) <= 100 and all(type(v) is int for v in values):
            terms.append("(" + " | ".join(f"'~{prefix}{v}'" for v in sorted(values)) + ")")
    if not terms or not upgraded(found.db, PendingUpgrade.SCOPE):
        return None
    return " & ".join(terms)


def upgraded(db: str, name: str) -> bool:
    """Whether every document of `db` is written with the change `name` (one of
    PendingUpgrade's): no PendingUpgrade of that name is left. Once none of any name
    is, so for good: remembered by the process, which asks no more."""
    if db in _every_document_upgraded:
        return True
    pending = set(PendingUpgrade.objects.using(db).values_list("name", flat=True))
    if not pending:
        _every_document_upgraded.add(db)
    return name not in pending


# The databases where this process found no PendingUpgrade left.
_every_document_upgraded: set[str] = set()


def gin_create_sql(audience: str) -> str:
    """The word index of one audience's documents. fastupdate off: every search reads
    the GIN index alone, never a pending list of recent writes scanned in full; each
    write pays for its own entries instead."""
    audience = Audience(audience).value
    return (
        f"CREATE INDEX IF NOT EXISTS search_grams_{audience} ON search_searchdocument USING gin (grams) "
        f"WITH (fastupdate = off) WHERE audience = '{audience}'"
    )


def band_index(audience: str, band: int) -> str:
    """The name of a band's index, with the band's size: a change of BAND makes
    every band's index again (a name of an older size is dropped as unwanted),
    rather than keeping one whose condition covers other ids."""
    return f"search_grams_{Audience(audience).value}_b{band}_{BAND}"


def band_index_sql(audience: str, band: int, *, concurrently: bool) -> str:
    """The word index of one band of one audience's documents (PostgresEngine.latest).
    Its condition is in constants, as the band's query states it, so that the planner
    can tell the index covers the query."""
    return (
        f"CREATE INDEX {'CONCURRENTLY ' if concurrently else ''}IF NOT EXISTS {band_index(audience, band)} "
        f"ON search_searchdocument USING gin (grams) WITH (fastupdate = off) "
        f"WHERE audience = '{Audience(audience).value}' "
        f"AND message_id >= {band * BAND} AND message_id < {(band + 1) * BAND}"
    )


def wanted_bands(top: int) -> range:
    """The bands that should have their own word index when the newest message is `top`:
    the newest BANDS_KEPT and the next (ready before its first message)."""
    newest = top // BAND
    return range(max(0, newest - BANDS_KEPT + 1), newest + 2)


# The names of band indexes, of any band size (and those named before names said it).
BAND_INDEX_PATTERN = "^search_grams_[a-z]+_b[0-9]+(_[0-9]+)?$"


def band_indexes() -> dict[str, bool]:
    """The band indexes there are, by name, and whether each is valid (usable)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relnamespace = current_schema()::regnamespace AND c.relname ~ %s",
            [BAND_INDEX_PATTERN],
        )
        return dict(cursor.fetchall())


def band_changes() -> tuple[list[tuple[str, int]], list[str]]:
    """The band indexes to make ((audience, band)) and to drop (names): missing
    ones, those of bands now too old, and any a failed concurrent build left invalid."""
    from wenzheng.handling.models import Message

    top = Message.objects.aggregate(top=Max("pk"))["top"] or 0
    wanted = {band_index(a, b): (a, b) for a in Audience.values for b in wanted_bands(top)}
    present = band_indexes()
    make = [where for name, where in wanted.items() if not present.get(name)]
    drop = [name for name, valid in present.items() if name not in wanted or not valid]
    return make, drop


def maintain_bands(*, concurrently: bool = True) -> tuple[int, int]:
    """Make the band indexes the newest messages need and drop those of older bands
    (the background worker, `SearchBandsWork`; a rebuild; the migration). Concurrently
    (outside a transaction) while the server runs: writes go on while a band's index
    is built (2.5 s for a band at a million messages). Returns (made, dropped)."""
    if connection.vendor != "postgresql":
        return 0, 0
    make, drop = band_changes()
    # Inside a transaction (a test, a rebuild) an index cannot be built concurrently.
    concurrently = concurrently and not connection.in_atomic_block
    how = "CONCURRENTLY " if concurrently else ""
    with connection.cursor() as cursor:
        if connection.in_atomic_block and (make or drop):
            # A table with foreign key checks pending (deferred to the commit) cannot
            # be indexed: they run now, and later ones are deferred again after.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in drop:
            cursor.execute(f"DROP INDEX {how}IF EXISTS {name}")
        for audience, band in make:
            cursor.execute(band_index_sql(audience, band, concurrently=concurrently))
        if connection.in_atomic_block and (make or drop):
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return len(make), len(drop)


class PostgresEngine(Engine):
    def bulk_start(self):
        with connection.cursor() as cursor:
            # Foreign key checks deferred to the commit (of writes earlier in the
            # transaction, then of the rows copied) run as they come: a table with
            # checks pending can be neither truncated nor indexed.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE search_searchdocument")
            for audience in Audience.values:
                # Filled in bulk and built once at the end: inserting into a GIN
                # index as large as the cache made the rebuild grow faster than linearly.
                cursor.execute(f"DROP INDEX IF EXISTS search_grams_{audience}")
            for name in band_indexes():  # made again at the end, as the rest
                cursor.execute(f"DROP INDEX IF EXISTS {name}")

    def bulk_write(self, docs):
        columns = ", ".join((*DOCUMENT_COLUMNS, "grams", "overflow"))
        raw = connection.connection  # psycopg's own connection, for COPY
        with raw.cursor() as cursor, cursor.copy(f"COPY search_searchdocument ({columns}) FROM STDIN") as copy:
            for d in docs:
                grams = token_set(d.parts(), d.scope)
                copy.write_row((d.message_id, d.audience, *d.parts(), d.scope, grams, grams == OVERFLOW_SET))

    def bulk_finish(self):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for audience in Audience.values:
                cursor.execute(gin_create_sql(audience))
        maintain_bands(concurrently=False)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def write(self, old, new):
        # The rows themselves carry the index (grams); SearchDocument is written by
        # the caller, with grams from token_set.
        pass

    def clear(self):
        pass

    def search(self, messages, audience, query):
        # A semi-join on the matching documents: the planner reads them from the GIN
        # index and joins, rather than probing a document for every message in scope.
        return messages.filter(Matching(F("pk"), audience, query, scope_tokens(messages)))

    def latest(self, found, audience, query, n, below=None):
        """The latest matches (below the message id `below`), read band by band from
        the newest message ids back.

        A GIN index answers with a bitmap, in no order: the `n` latest of a common
        word's 30,000 matches in a city meant reading all of them (5 ms for 路灯's
        bitmap alone at a million messages), and ANDing it with a range of the
        message-id index (another 3 ms for 30,000 messages) to keep the newest.
        Each recent band has its own word index, which holds that band's documents
        alone (路灯: 500 of them, 0.1 ms), so the matches of the newest band are read
        from it, then the band before, until `n` of `found` are read; every message
        outside a band read is older than those in it. A band is asked for every
        token of the query at once (the documents search() reads, within the band):
        GIN intersects the tokens inside the band's index, so only documents that
        hold them all are read, and a term longer than a token is checked on
        those texts alone. Past the BANDS_KEPT bands that have an index of their
        own, what is left is read from the whole word index, as before the bands.
        A band whose index is missing (the worker has not made it yet) is still read
        exactly, through the whole word index."""
        top = newest_document(found.db, audience)
        if top is None:
            return []
        lowest = max(0, top // BAND - BANDS_KEPT + 1)  # the oldest band with an index of its own
        if below is not None:
            found, top = found.filter(pk__lt=below), min(top, below - 1)
        rows: list[tuple] = []
        older, scope = found, scope_tokens(found)
        for band in range(top // BAND, lowest - 1, -1):
            low, high = band * BAND, (band + 1) * BAND
            in_band = narrowed(found, (low, high), scope)
            if in_band is None:  # read whole: a search combined with another queryset
                return super().latest(found, audience, query, n)
            in_band = in_band.filter(pk__gte=low, pk__lt=high).order_by("-pk")
            rows += in_band.values_list("pk", "submitted_at")[: n - len(rows)]
            if len(rows) >= n or low == 0:
                return rows
            older = found.filter(pk__lt=low)
        return rows + super().latest(older, audience, query, n - len(rows))

    def window(self, found, audience, query, n):
        """The latest matches read from their documents, newest first, each scored
        in the same query (ranking.score_sql): the texts never leave the database.

        Where most matches are in scope (a city's board: every public document is
        of a published message), reading the documents first is the short way: the
        newest band's documents of the query, from the band's own index (路灯: 500
        at a million messages), sorted by message id, each looked up in scope by its
        key until `n` are: one query for a common word. Bands are read so, newest
        first, then what is older from the whole index. Where few are in scope (a
        unit's inbox, a county's board in a city), documents would be looked up by
        the thousand for a few matches: as soon as a range's first CAP documents
        hold fewer in scope than half of them, what is left below them is read the
        other way round (`latest`: the scope's messages, narrowed by the word index,
        the planner's choice) and scored on their texts."""
        try:
            reader = DocumentsFirst.of(found, audience, query, n)
        except EmptyResultSet:  # a scope that holds nothing (a filter on an empty list)
            return []
        if reader is None:  # read whole: a search combined with another queryset
            return super().window(found, audience, query, n)
        if reader.scope_key in _few_in_scope:
            return super().window(found, audience, query, n)
        newest = reader.newest_band()
        while True:
            rows, newest_read = self._window(found, audience, query, n, reader, newest)
            if newest_read in (newest, None):
                return rows
            # Messages came in a band this process has not read yet: again from it.
            newest = reader.newest_band(newest_read)

    def _window(self, found, audience, query, n, reader, newest):
        """The window read down from the band `newest`; and the band of the newest
        document there is."""
        lowest = max(0, newest - BANDS_KEPT + 1)
        ranges = [(b * BAND, (b + 1) * BAND) for b in range(newest, lowest - 1, -1)]
        if lowest > 0:
            ranges.append((0, lowest * BAND))
        # The newest FIRST_READ bands in the first read (the newest is part full: on
        # average half), the rest, if need be, in a second. A band is read only if
        # those before it hold too few.
        groups = [ranges[:FIRST_READ], ranges[FIRST_READ:]]
        rows: list[tuple] = []
        examined = in_scope = 0
        for i, group in enumerate(g for g in groups if g):
            got, docs, oldest, top = reader.read(group, n - len(rows))
            if i == 0 and (top is None or top // BAND != newest):
                return [], None if top is None else top // BAND
            rows += got
            examined, in_scope = examined + docs, in_scope + len(got)
            if len(rows) >= n:
                break
            few = examined >= reader.cap and in_scope * 2 < examined
            if few:  # this scope's next searches go the other way from the start
                if len(_few_in_scope) >= 10_000:
                    _few_in_scope.clear()
                _few_in_scope.add(reader.scope_key)
            if docs >= reader.cap:  # the ranges hold more than were examined
                below = oldest
            elif few:
                below = group[-1][0]
            else:
                continue
            # What is below, the other way round.
            rows += scored(self.latest(found, audience, query, n - len(rows), below=below), audience, query, found.db)
            break
        return rows, newest

    def only(self, found, audience, query, ids):
        # The ids are matches already (the window read them): they are not found again
        # through the word index, and the documents' subquery, which costs the planner
        # a millisecond (its table's many partial indexes), is left out.
        these = narrowed(found, None)
        if these is None:
            return found.filter(AnyOf(F("pk"), ids))
        if not joined(these.query):
            # And so are the scope's conditions: the window looked each id up in
            # scope (DocumentsFirst: by its key, in the statement that read it;
            # `latest`: through `found` itself). Compiled again for the page they
            # took 0.8 ms of a 4 ms search of a city's board at a million messages
            # (published: consent, state, NOT EXISTS a review; the city's
            # counties), for a test every row has passed a moment before. Only
            # where no condition joined another table: a join to a table of many
            # rows a message (its replies) would give a message once for each.
            these.query.where = WhereNode()
        return these.filter(AnyOf(F("pk"), ids))

    def read(self, page, *, by_ids):
        # Read by its ids: bound on the server, and so prepared at once as the
        # reading statement is (prepared_cursor): a page's statement is the same for every
        # search of a scope (the ids one array), planned once for all. Planning the
        # scope's conditions took 0.8 ms of its 1.9 ms at a million messages. Not
        # with a GROUP BY: a value bound in both the select and the GROUP BY is two
        # parameters to the server, which cannot tell that they group alike (Django
        # #34255). Only the page's own statement: prefetches are the caller's.
        if not by_ids or page.query.group_by is not None:
            return super().read(page, by_ids=by_ids)
        wrapper = connections[page.db]
        wrapper.ensure_connection()
        raw = wrapper.connection
        if raw.prepare_threshold is None:  # prepared statements turned off (a transaction pooler)
            return super().read(page, by_ids=by_ids)
        saved, raw.cursor_factory = raw.cursor_factory, prepared_at_once()
        try:
            return super().read(page, by_ids=by_ids)
        finally:
            raw.cursor_factory = saved


def in_scope_sql(scope) -> tuple[str, tuple]:
    """The statement that reads the submission time of the message `d.message_id` if
    it is in `scope` (nothing if not). Where the scope is one table's conditions,
    those alone are compiled, into a statement written out; building the statement
    as a queryset of the scope (a filter, values_list and a slice, then compiled
    whole) took a third longer."""
    query = scope.query
    plain = query.alias_map and not (query.annotations or query.extra or query.extra_tables or query.distinct)
    if not plain or query.combinator or joined(query):
        whole = scope.filter(pk=RawSQL("d.message_id", ())).order_by().values_list("submitted_at")[:1]
        return whole.query.get_compiler(scope.db).as_sql()
    compiler = query.get_compiler(scope.db)
    table = compiler.quote_name_unless_alias(query.base_table)
    try:
        where, params = compiler.compile(query.where)
    except FullResultSet:  # no condition: every message
        where, params = "", ()
    pk = scope.model._meta.pk.column
    time = scope.model._meta.get_field("submitted_at").column
    return (
        f'SELECT {table}."{time}" FROM {table} WHERE '  # noqa: S608 (our names, Django's conditions)
        f'{f"({where}) AND " if where else ""}{table}."{pk}" = (d.message_id) LIMIT 1',
        tuple(params),
    )


class DocumentsFirst:
    """One search's window read from the documents of ranges of message ids
    (PostgresEngine.window): its SQL written once, each range's bounds written in
    as constants (as the band indexes' conditions are, so that the planner can tell
    which one covers the range), every other value bound on the server
    (prepared_cursor): the statement is planned once for every query of its shape."""

    # A range's documents looked up in scope before reading the rest the other way:
    # this many times the window's size.
    CAP_TIMES = 2

    def __init__(self, db, docs, rest, audience, cap, scope_key):
        # docs: the SQL (up to a range's bounds) and values of a range's documents;
        # rest: of the statement that reads them; scope_key: the scope's, in
        # _few_in_scope.
        self.db, self.docs, self.rest, self.audience, self.cap = db, docs, rest, audience, cap
        self.scope_key = scope_key

    @classmethod
    def of(cls, found, audience, query, n):
        """None if `found` has no documents' subquery at the top of its conditions."""
        scope = narrowed(found, None)
        if scope is None:
            return None
        cap = cls.CAP_TIMES * n
        # The documents search() found (PostgresEngine.documents), in a range (its
        # bounds put in by read()), newest first: written out, as the ORM took
        # longer to build and compile this than PostgreSQL takes to run it.
        # Its values bound on the server, so that the statement is planned once for
        # all (prepared_cursor): whether the word index is asked is therefore
        # written in it, by how common the query's tokens are (`common`), not left
        # to a plan made for no query in particular.
        in_scope_tokens = scope_tokens(found)
        characters = upgraded(found.db, PendingUpgrade.CHARACTERS)
        walk = common(found.db, query, in_scope_tokens, characters)
        ops = connections[found.db].ops
        holding, holding_params = holding_sql(query, str, ops, in_scope_tokens, indexed=not walk, characters=characters)
        # Up to the range's bounds, which read() writes in.
        docs_sql = (
            f"SELECT message_id, {', '.join(PARTS)} FROM search_searchdocument "  # noqa: S608 (our names)
            f"WHERE audience = '{Audience(audience).value}' AND {holding} AND "
        )
        # The document's message, if in scope: looked up by its key.
        scope_sql, scope_params = in_scope_sql(scope)
        score, score_params = score_sql("d", query.terms)
        # The documents, newest first, each looked up in scope in that order, until
        # `n` are (the window function's count of those before a document, which
        # PostgreSQL stops reading at once when it passes `n`, a "run condition");
        # the documents not in scope come too, bare, so that the caller knows how
        # many were looked up. And the newest document there is. Times in
        # microseconds since the epoch: Python takes a good part of a millisecond
        # making datetimes of them.
        rest = (
            "SELECT w.* FROM (SELECT d.message_id, (extract(epoch FROM m.submitted_at) * 1000000)::bigint, "  # noqa: S608 (ours and Django's)
            f"CASE WHEN m.submitted_at IS NULL THEN NULL ELSE {score} END, "
            "count(*) FILTER (WHERE m.submitted_at IS NOT NULL) "
            "OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before "
            f"FROM d LEFT JOIN LATERAL ({scope_sql}) m ON true) w WHERE w.before < %s "
            "UNION ALL SELECT NULL, NULL, NULL, (SELECT max(message_id) FROM search_searchdocument "
            f"WHERE audience = '{Audience(audience).value}') WHERE search_in_order()"
        )
        # Hashed: a scope's SQL is a kilobyte or two, and a city has thousands of units.
        scope_key = hash((found.db, audience, scope_sql, tuple(map(str, scope_params))))
        docs, rest = (docs_sql, holding_params), (rest, [*score_params, *scope_params])
        return cls(found.db, docs, rest, audience, cap, scope_key)

    def newest_band(self, seen: int | None = None) -> int:
        """The band of the newest document of the audience, as last seen by this
        process (a read tells whether it has changed since: PostgresEngine.window)."""
        key = (self.db, self.audience, BAND)
        if seen is not None:
            _newest_band[key] = seen
        elif key not in _newest_band:
            _newest_band[key] = (newest_document(self.db, self.audience) or 0) // BAND
        return _newest_band[key]

    def read(self, ranges, n) -> tuple[list[tuple], int, int | None, int | None]:
        """Up to `n` matches in scope among the newest `cap` documents of the
        ranges of message ids [low, high) (newest first), as (score, submitted_at in
        microseconds, id); how many documents were looked up (fewer than `n` found:
        all there were, at most `cap`), and the oldest of them; the newest document
        of all."""
        (docs_sql, docs_params), (rest_sql, rest_params) = self.docs, self.rest
        branches, params = [], []
        for low, high in ranges:
            # One query of the documents per range, in order.
            # The bounds written in, as the band indexes' conditions are: the
            # planner can tell which index covers the range, planning once for
            # any values (prepared_cursor).
            branches.append(
                f"({docs_sql}message_id >= {low:d} AND message_id < {high:d} "
                f"ORDER BY message_id DESC LIMIT {self.cap:d})"
            )
            params += docs_params
        docs = " UNION ALL ".join(branches) + (f" LIMIT {self.cap}" if len(branches) > 1 else "")
        sql = f"WITH d AS MATERIALIZED ({docs}) {rest_sql}"
        with prepared_cursor(self.db) as cursor:
            cursor.execute(sql, [*params, *rest_params, n])
            rows = cursor.fetchall()
        ((_, _, _, top),) = (row for row in rows if row[0] is None)
        docs = [row for row in rows if row[0] is not None]
        got = [(score, at, pk) for pk, at, score, _ in docs if at is not None]
        return got, len(docs), min((pk for pk, *_ in docs), default=None), top


# The band of each audience's newest document, by database and band size, as this
# process last saw it (DocumentsFirst.newest_band).
_newest_band: dict[tuple, int] = {}
# The scopes (a unit's inbox, a county's board in a city: by database, audience and
# the scope's SQL and values, hashed) where this process found few of a range's documents
# in scope: their searches read the messages in scope first (PostgresEngine.window).
_few_in_scope: set[int] = set()


def forget() -> None:
    """Everything this process remembers of its databases forgotten (the statistics'
    shares, the upgrades done, the newest bands, the scopes with few matches): as a
    process just started. For tests, whose databases change under the process."""
    for memo in (_token_shares, _every_document_upgraded, _newest_band, _few_in_scope):
        memo.clear()


def newest_document(db: str, audience: str) -> int | None:
    """The id of the newest message with a document for `audience` (the band reads
    start from its band)."""
    with connections[db].cursor() as cursor:
        cursor.execute("SELECT max(message_id) FROM search_searchdocument WHERE audience = %s", [audience])
        return cursor.fetchone()[0]


def _documents_child(where) -> int | None:
    """Where in the conditions `where` the documents' condition of a search
    (`Matching`) is, if at the top of conditions that must all hold."""
    if where.connector != "AND" or where.negated:
        return None
    for i, child in enumerate(where.children):
        # A conditional expression in filter() is kept as `expression = True`.
        if isinstance(getattr(child, "lhs", None), Matching) and child.rhs is True:
            return i
    return None


def holds(term: str) -> Q:
    """A document whose folded texts hold `term` as written: one LIKE on its parts
    joined by line breaks (a term is letters and digits, so it never spans one).
    Four LIKEs joined by OR found the same, but the planner tries every arm of an
    OR against each of the table's two dozen indexes: 0.6 ms more planning a term."""
    return Q(Contains(DocumentText(), term))


class DocumentText(Func):
    """A document's parts as one text, a line break between each two."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = TextField()

    def __init__(self):
        parts = [F(part) for part in PARTS]
        super().__init__(*(e for part in parts[:-1] for e in (part, Value("\n"))), parts[-1])


def narrowed(found, band: tuple[int, int] | None, scope: str | None = None):
    """`found` (from PostgresEngine.search, perhaps filtered further) with its
    documents' condition (`Matching`) narrowed to the message ids [low, high) of
    `band` and the `scope` tokens of `found` as it is now, or left out (None); None
    if it has none at the top of its conditions (a search combined with another
    queryset by `|`): read it whole."""
    narrowed = found._chain()
    where = narrowed.query.where
    i = _documents_child(where)
    if i is None:
        return None
    if band is None:
        del where.children[i]
    else:
        child = where.children[i]
        where.children[i] = type(child)(child.lhs.within(*band, scope), child.rhs)
    return narrowed


def engine() -> Engine:
    return PostgresEngine() if connection.vendor == "postgresql" else SQLiteEngine()


def joined(query) -> bool:
    """Whether `query` joins a table to its own (a join some condition or annotation uses)."""
    return any(count for alias, count in query.alias_refcount.items() if alias != query.base_table)
