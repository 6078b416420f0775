"""Benchmark: the search box on a million messages, next to LIKE '%…%' on the same data.

    .venv/bin/python bench/search.py                          # SQLite, 1,000,000 messages
    scripts/with-postgres .venv/bin/python bench/search.py    # the same on a throwaway PostgreSQL 15
    .venv/bin/python bench/search.py --messages 100000 --reuse

Builds a city of 20 counties and 2,000 units with a million messages written as the
demo county's citizens write them (wenzheng.demo.texts: 34 topics, their titles and
bodies with places, streets, schools and numbers filled in, openers and closers, one
in five with sentences from other topics or the seed article added, one in eight
with the citizen's phone typed in), 90% answered with a reply in the unit's words,
85% consented to publication. The rows go straight into the tables; the search index
is then built by the product's own `rebuild_search_index` (every audience's
document, masked as the public pages mask them), and timed.

Then, in the same process and on the same data, it times the public board's search
across the whole city (every county: all 1,000,000 messages in scope), the first
page of 20 ranked by relevance, as the board runs it (`Message.objects.published()
.in_city(city).search(...)`), for two-character words, four-character phrases and two-word
queries; and the same queries as LIKE '%…%' over the same public texts (the
folded titles, texts and replies the index holds), ranked the only way LIKE can
be without reading every row twice: title matches first, then newest. p50 and p95
of --repeat runs of each query after one warm-up, timed in rounds of every query
(LIKE likewise), the searches' rounds in turns with LIKE's, so that every
query and LIKE see the same moments of the machine.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

COUNTIES = 20
UNITS_PER_COUNTY = 100
CHUNK = 20_000
START = 1735660800  # 2025-01-01 00:00 +08:00
SPAN = 2 * 365 * 86400

QUERIES = {
    "2 characters": ["路灯", "低保", "停水", "噪音"],
    "4 characters": ["路灯不亮", "农村低保", "自来水浑", "广场舞音"],
    "two words": ["路灯 维修", "低保 申请", "停水 老人", "学校 护栏"],
    # A single character is searched only beside a longer term, checked on the texts of
    # what that term found (a query of single characters alone is refused).
    "a word and a character": ["路灯 修", "低保 申", "停水 天", "学校 栏"],
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=40, help="timed runs of each indexed query")
    p.add_argument("--like-repeat", type=int, default=3, help="timed runs of each LIKE query")
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--reuse", action="store_true", help="SQLite: reuse the file of an earlier run")
    p.add_argument("--workers", type=int, default=2, help="processes building the documents of the index")
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument(
        "--burst",
        action="store_true",
        help="time each query's runs one after another (as before 4 December), not in rounds of every query",
    )
    p.add_argument(
        "--apart",
        action="store_true",
        help="time every round of the searches, then every round of LIKE (as on 4 and 5 December), "
        "not the searches' rounds spread between LIKE's calls",
    )
    p.add_argument(
        "--batched-rebuild",
        action="store_true",
        help="also time rebuild_search_index as the server runs it: every document again, a committed batch at a time",
    )
    return p.parse_args()


def configure(args):
    if not os.environ.get("DATABASE_URL"):
        path = Path(f"/tmp/wenzheng-bench-search-{args.messages}m.sqlite3")  # noqa: S108 (a throwaway file)
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzheng.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# --- the texts ----------------------------------------------------------------------


class Writer:
    """Messages and replies as the demo county's citizens and units write them."""

    def __init__(self, rng):
        from wenzheng.demo import texts

        self.rng, self.t = rng, texts
        self.topics = texts.TOPICS
        self.places = [(name, villages) for name, _, villages in texts.TOWNSHIPS]
        article = (
            (Path(os.environ.get("SEED_DIR", ROOT.parent / "shared" / "seed")) / "article.zh-hans.txt").read_text(
                encoding="utf-8"
            )
            if (ROOT.parent / "shared" / "seed" / "article.zh-hans.txt").exists()
            else ""
        )
        sentences = [s + "。" for s in article.replace("\n", "").split("。") if len(s) > 8]
        for topic in self.topics:
            for category in ("consultation", "suggestion", "appeal"):
                sentences += [body for _, body in topic.texts(category)]
        self.sentences = sentences

    def slots(self):
        rng = self.rng
        township, villages = rng.choice(self.places)
        village = rng.choice(villages)
        street, street2 = rng.sample(self.t.STREETS, 2)
        return {
            "township": township,
            "village": village,
            "place": f"{township}{village}",
            "street": street,
            "street2": street2,
            "school": rng.choice(self.t.SCHOOLS),
            "n": rng.randint(2, 9),
            "tel": f"8{rng.randrange(10**6):06d}",
            "unit": "我单位",
        }

    def message(self):
        rng, t = self.rng, self.t
        topic = rng.choice(self.topics)
        category = rng.choice([c for c in ("consultation", "suggestion", "appeal") if topic.texts(c)])
        title, body = rng.choice(topic.texts(category))
        slots = self.slots()
        title = (rng.choice(t.TITLE_PREFIXES[category]) + title.format_map(slots))[:100]
        body = rng.choice(t.BODY_OPENERS) + body.format_map(slots)
        if rng.random() < 0.2:
            body += "".join(rng.choice(self.sentences) for _ in range(rng.randint(1, 3))).format_map(slots)
        if rng.random() < 0.125:
            body += f"我的电话{rng.choice(t.PHONE_PREFIXES)}{rng.randrange(10**8):08d}，请尽快联系我。"
        body += rng.choice(t.BODY_CLOSERS)
        outcome = category if category != "appeal" else rng.choice(["solved", "solved", "explained"])
        answers = topic.answers.get(outcome) or t.GENERIC_ANSWERS[outcome]
        frame = rng.choice(t.REPLY_FRAMES[category])
        reply = frame.format_map({**slots, "answer": rng.choice(answers)})
        return category, title, body, reply


# --- loading ------------------------------------------------------------------------


def build(args, loader):
    from django.db import connection

    from wenzheng.handling.models import Category, Message, Reply
    from wenzheng.units.models import Region, Unit

    rng = random.Random(args.seed)
    writer = Writer(rng)
    ts = loader.ts
    t0 = time.perf_counter()
    regions = [(1, "河池市（基准）", "bench-city", "city", None, False)]
    regions += [(2 + i, f"第{i + 1}县", f"bench-county-{i + 1}", "county", 1, False) for i in range(COUNTIES)]
    loader.insert("units_region", ["id", "name", "code", "kind", "parent_id", "reply_signoff"], regions)
    units = COUNTIES * UNITS_PER_COUNTY
    loader.insert(
        "units_unit",
        ["id", "region_id", "name", "kind", "registered_on", "deactivated_on"],
        [
            (u + 1, 2 + u % COUNTIES, f"单位{u + 1:05d}", "department", loader.day_of(2020, 1, 1), None)
            for u in range(units)
        ],
    )
    loader.insert(
        "accounts_user",
        [
            *("id", "password", "username", "is_superuser", "is_active", "date_joined", "role", "unit_id"),
            *("region_id", "first_name", "last_name", "email", "is_staff", "display_name", "phone"),
        ],
        [(1, "!", "bench-handler", False, True, ts(START), "handler", 1, None, "", "", "", False, "", "")],
    )
    categories = {c.code: c.pk for c in Category.objects.all()}
    message_cols = [
        "id", "region_id", "year", "number", "category_id", "unit_id", "title", "body", "consent_to_publish",
        "citizen_id", "citizen_name", "citizen_phone", "citizen_id_number", "citizen_email", "citizen_address",
        "tracking_code", "passcode_hash", "state", "submitted_at", "closed_at", "closure_kind",
        "closure_explanation", "rating", "rated_at", "supervised_at", "untimed", "answered",
    ]  # fmt: skip
    numbers = dict.fromkeys(range(2, 2 + COUNTIES), 0)
    reply_id = 0
    for chunk in range(0, args.messages, CHUNK):
        messages, replies = [], []
        for mid in range(chunk + 1, min(chunk + CHUNK, args.messages) + 1):
            unit = rng.randrange(units) + 1
            region = 2 + (unit - 1) % COUNTIES
            numbers[region] += 1
            category, title, body, reply = writer.message()
            at = START + rng.randrange(SPAN)
            answered = rng.random() < 0.9
            closed = answered and rng.random() < 0.8
            state = "closed" if closed else ("replied" if answered else "responded")
            messages.append(
                (mid, region, 2025 + (at - START) // (365 * 86400), numbers[region], categories[category], unit,
                 title, body, rng.random() < 0.85, None, "网民", "13800000000", "", "", "", f"T{mid:011d}", "!",
                 state, ts(at), ts(at + 86400 * 3) if closed else None, "answered" if closed else "", "", "", None,
                 None, False, answered)
            )  # fmt: skip
            if answered:
                reply_id += 1
                replies.append((reply_id, mid, unit, 1, reply, ts(at + 86400 * 2), None))
        loader.insert("handling_message", message_cols, messages)
        loader.insert(
            "handling_reply", ["id", "message_id", "unit_id", "author_id", "text", "at", "follow_up_id"], replies
        )
        if (chunk // CHUNK) % 10 == 9 or chunk + CHUNK >= args.messages:
            print(f"  messages: {min(chunk + CHUNK, args.messages):,} ({time.perf_counter() - t0:.0f}s)", flush=True)
    loader.finish([Region, Unit, Message, Reply])
    print(f"  built in {time.perf_counter() - t0:.0f}s", flush=True)
    del connection


# --- timing -------------------------------------------------------------------------


def percentiles(times):
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def timed(run, repeat):
    """p50 and p95 of `repeat` timed calls of `run` (after the caller's warm-up)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return percentiles(times)


def interleaved(runs, repeat, burst=False) -> list[list[float]]:
    """The times of `repeat` calls of each of `runs`: in rounds, each called once a
    round, or with `burst` each `repeat` times in a row."""
    times = [[] for _ in runs]
    order = [i for i in range(len(runs)) for _ in range(repeat)] if burst else list(range(len(runs))) * repeat
    for i in order:
        t = time.perf_counter()
        runs[i]()
        times[i].append(time.perf_counter() - t)
    return times


def together(runs, repeat, like_runs, like_repeat) -> tuple[list[list[float]], list[list[float]]]:
    """The times of `repeat` rounds of `runs` and `like_repeat` rounds of `like_runs`
    (each called once a round), in turns: a round of LIKE, then a share of the
    rounds of `runs`, so that both are sampled over the same minutes of the machine.
    Timed one after the other, the searches' twenty rounds took two seconds and
    LIKE's three forty: a slow patch of two seconds was the searches' p95 while
    LIKE's was spread over forty. Each share of `runs` follows an untimed round of
    them, as the first does (the warm-up): the first search after a LIKE call, which
    reads a table of two gigabytes, took 1.5 times as long (路灯's p50 6.3 ms against
    4.2 ms for the others, when each round of searches began with it)."""
    times, like_times = [[] for _ in runs], [[] for _ in like_runs]

    def round_of(calls, into):
        for call, timed in zip(calls, into, strict=True):
            t = time.perf_counter()
            call()
            if timed is not None:
                timed.append(time.perf_counter() - t)

    for turn in range(like_repeat):
        round_of(like_runs, like_times)
        round_of(runs, [None] * len(runs))  # the warm-up
        for _ in range(repeat * (turn + 1) // like_repeat - repeat * turn // like_repeat):
            round_of(runs, times)
    return times, like_times


def like_sql(vendor):
    contains = "LIKE %s" if vendor == "postgresql" else "LIKE %s ESCAPE '\\'"
    # Our own fragments only; every value is a parameter.
    return (
        "SELECT d.message_id FROM search_searchdocument d JOIN handling_message m ON m.id = d.message_id "  # noqa: S608
        "WHERE d.audience = 'public' AND {terms} "
        f"ORDER BY CASE WHEN d.title {contains} THEN 0 ELSE 1 END, m.submitted_at DESC, m.id DESC LIMIT 20"
    ).replace("{contains}", contains), contains


def like_top20(connection, query):
    sql, contains = like_sql(connection.vendor)
    terms = " AND ".join(f"(d.title {contains} OR d.body {contains} OR d.answers {contains})" for _ in query.terms)
    params = []
    for term in query.terms:
        params += [f"%{term}%"] * 3
    params.append(f"%{query.terms[0]}%")
    with connection.cursor() as cursor:
        cursor.execute(sql.format(terms=terms), params)
        return [row[0] for row in cursor.fetchall()]


def main():
    args = parse_args()
    configure(args)
    from django.core.management import call_command
    from django.db import connection
    from evaluation import Loader

    from wenzheng.handling.models import Message
    from wenzheng.search import index
    from wenzheng.search.models import SearchDocument
    from wenzheng.search.text import parse
    from wenzheng.units.models import Region

    Loader.day_of = lambda self, *ymd: self.day(__import__("datetime").date(*ymd))
    print(f"database: {connection.vendor}, {args.messages:,} messages", flush=True)
    call_command("migrate", verbosity=0)
    build_s = None
    if not Message.objects.exists():
        build(args, Loader(connection))
    if not SearchDocument.objects.exists():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:  # the city's rows into the file, out of the WAL
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        t = time.perf_counter()
        documents = index.rebuild(workers=args.workers, from_scratch=True,
            progress=lambda done, total, s: done % 100_000 < index.BATCH
            and print(f"  indexed {done:,}/{total:,} ({s:.0f}s)", flush=True))  # fmt: skip
        build_s = time.perf_counter() - t
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE search_searchdocument")
        print(f"  index built in {build_s:.0f}s: {documents:,} documents", flush=True)
    sizes = index_sizes(connection)
    city = Region.objects.get(code="bench-city")
    board = Message.objects.published().in_city(city)  # as the city board reads it (public.views)
    published = board.count()
    searches = []
    for kind, texts in QUERIES.items():
        for text in texts:
            query = parse(text)

            def top20(query=query):
                return list(board.search(query, audience="public").values_list("pk", flat=True)[:20])

            found = top20()  # and the warm-up
            t = time.perf_counter()
            matches = board.search(query, audience="public").count()
            count_s = time.perf_counter() - t
            # Page 11 of 20 a page: past the ranked window, every match ordered.
            deep = []
            for _ in range(3):
                t = time.perf_counter()
                list(board.search(query, audience="public").values_list("pk", flat=True)[200:220])
                deep.append(time.perf_counter() - t)
            like = like_top20(connection, query)
            # Both must find the same messages: LIKE's top 20 all match, as the index's do.
            assert len(found) == min(20, matches) and len(like) == min(20, matches), (text, len(found), len(like))
            searches.append((kind, text, query, top20, matches, count_s, deep))
    # Timed in rounds, every query once a round (and LIKE likewise), not each query's
    # runs one after another: a run of 20 of one query took 0.1 s, and one slow
    # moment of the machine was that query's p95 (its p50 moved 2× from run to run
    # of the benchmark, the same query on the same data). And the searches' rounds
    # in turns with LIKE's (`together`), so that both see the same minutes.
    # --burst and --apart: the earlier ways.
    like_runs = [lambda query=s[2]: like_top20(connection, query) for s in searches]
    if args.burst or args.apart:
        times = interleaved([s[3] for s in searches], args.repeat, args.burst)
        like_times = interleaved(like_runs, args.like_repeat, args.burst)
    else:
        times, like_times = together([s[3] for s in searches], args.repeat, like_runs, args.like_repeat)
    rows = []
    for (kind, text, _, _, matches, count_s, deep), runs, like_runs in zip(searches, times, like_times, strict=True):
        p50, p95 = percentiles(runs)
        like_p50, like_p95 = percentiles(like_runs)
        rows.append(
            {
                "kind": kind,
                "query": text,
                "matches": matches,
                "p50_ms": round(p50 * 1000, 1),
                "p95_ms": round(p95 * 1000, 1),
                "count_ms": round(count_s * 1000, 1),
                "page_11_ms": round(statistics.median(deep) * 1000, 1),
                "like_p50_ms": round(like_p50 * 1000, 1),
                "like_p95_ms": round(like_p95 * 1000, 1),
                "speedup_p95": round(like_p95 / p95, 1),
            }
        )
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    scoped = scoped_times(args, city)
    unspaced = unspaced_times(args, board)
    writes = write_costs(args, board)
    print(json.dumps(writes, ensure_ascii=False), flush=True)
    batched_s = None
    if args.batched_rebuild:
        t = time.perf_counter()
        index.rebuild(workers=args.workers)
        batched_s = time.perf_counter() - t
        print(f"  batched rebuild (searches and steps go on) in {batched_s:.0f}s", flush=True)
    result = {
        "database": connection.vendor,
        "messages": args.messages,
        "published": published,
        "index_build_s": round(build_s, 1) if build_s is not None else None,
        "batched_rebuild_s": round(batched_s, 1) if batched_s is not None else None,
        "sizes_mb": sizes,
        "queries": rows,
        "scoped": scoped,
        "unspaced": unspaced,
        "writes": writes,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    for r in rows:
        print(
            f"| {connection.vendor} | {r['kind']} | {r['query']} | {r['matches']:,} | {r['p50_ms']} ms | "
            f"{r['p95_ms']} ms | {r['like_p50_ms']:,} ms | {r['like_p95_ms']:,} ms | {r['speedup_p95']}× |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


# The other search boxes, each over its own reader's documents: a county's board, a
# unit's inbox (its staff documents) and the city office's pages (masked documents).
SCOPED_QUERIES = ["路灯", "噪音", "自来水浑", "学校 护栏"]


def scoped_times(args, city) -> list[dict]:
    """p50 and p95 of the first page of 20 by relevance in the narrower scopes, where
    far fewer of a query's matches are in scope than on the city's board."""
    from wenzheng.handling.models import Message
    from wenzheng.search.text import parse
    from wenzheng.units.models import Region, Unit

    county = Region.objects.filter(parent=city).order_by("pk").first()
    unit = Unit.objects.filter(region=county).order_by("pk").first()
    scopes = {
        "a county's board (public)": (Message.objects.published().filter(region=county), "public"),
        "a unit's inbox (staff)": (Message.objects.filter(unit=unit), "staff"),
        "the city office (masked)": (Message.objects.filter(region__parent=city), "masked"),
    }
    rows = []
    for scope, (messages, audience) in scopes.items():
        for text in SCOPED_QUERIES:
            query = parse(text)

            def top20(query=query, messages=messages, audience=audience):
                return list(messages.search(query, audience=audience).values_list("pk", flat=True)[:20])

            top20()
            p50, p95 = timed(top20, args.repeat)
            rows.append({"scope": scope, "query": text, "p50_ms": round(p50 * 1000, 1), "p95_ms": round(p95 * 1000, 1)})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    return rows


# Typed without spaces, as people type: the first three find nothing as typed and
# are searched as their words (search.words); the last is found as typed, and pays
# only the check that it was.
UNSPACED_QUERIES = ["路灯维修", "低保申请", "停水老人", "路灯不亮"]


def unspaced_times(args, board) -> list[dict]:
    """What a query typed without spaces costs on the city's board: deciding whether
    to search it as its words (selectors.typed_or_words: one or two existence checks)
    and then its first page of 20, against the first page of the query as searched
    (the words typed with spaces) in the same run; and jieba's dictionary load, once
    a process."""
    import resource

    from wenzheng.search import words
    from wenzheng.search.selectors import typed_or_words
    from wenzheng.search.text import parse

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    words.split(parse("路灯维修"))
    load = {
        "jieba_load_ms": round((time.perf_counter() - t) * 1000),
        "jieba_peak_rss_mb": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024),
    }
    print(json.dumps(load, ensure_ascii=False), flush=True)
    rows = []
    for text in UNSPACED_QUERIES:
        typed = parse(text)
        searched = typed_or_words(board, typed, audience="public")

        def decided(typed=typed):
            searched = typed_or_words(board, typed, audience="public")
            return list(board.search(searched, audience="public").values_list("pk", flat=True)[:20])

        def direct(searched=searched):
            return list(board.search(searched, audience="public").values_list("pk", flat=True)[:20])

        decided(), direct()
        p50, p95 = timed(decided, args.repeat)
        direct_p50, direct_p95 = timed(direct, args.repeat)
        rows.append(
            {
                "query": text,
                "searched": searched.text,
                "p50_ms": round(p50 * 1000, 1),
                "p95_ms": round(p95 * 1000, 1),
                "as_searched_p50_ms": round(direct_p50 * 1000, 1),
                "as_searched_p95_ms": round(direct_p95 * 1000, 1),
                "ratio_p95": round(p95 / direct_p95, 2),
            }
        )
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    return [load, *rows]


def write_costs(args, board, samples=100) -> dict:
    """What the index adds to a step that changes a message's text (a follow-up, a
    reply, a review's redaction): `index.update` for the message, its documents
    re-derived and rewritten, timed inside a transaction that is rolled back; and
    for a step that changes nothing the documents hold (before such steps skipped it)."""
    from django.db import transaction

    from wenzheng.handling.models import Message
    from wenzheng.search import index

    rng = random.Random(args.seed + 1)
    top = board.order_by("-pk").values_list("pk", flat=True).first()
    ids = [rng.randrange(1, top + 1) for _ in range(samples)]
    changed, unchanged = [], []
    for pk in ids:
        with transaction.atomic():
            t = time.perf_counter()
            index.update([pk])
            unchanged.append(time.perf_counter() - t)
            Message.objects.filter(pk=pk).update(body=f"补充：路灯第{pk}号仍然不亮。")
            t = time.perf_counter()
            index.update([pk])
            changed.append(time.perf_counter() - t)
            transaction.set_rollback(True)
    (c50, c95), (u50, u95) = percentiles(changed), percentiles(unchanged)
    return {
        "text_changed_p50_ms": round(c50 * 1000, 1),
        "text_changed_p95_ms": round(c95 * 1000, 1),
        "nothing_changed_p50_ms": round(u50 * 1000, 1),
        "nothing_changed_p95_ms": round(u95 * 1000, 1),
    }


def index_sizes(connection) -> dict:
    """Megabytes of the search tables and indexes, and of the messages and replies."""
    mb = 1024 * 1024
    from wenzheng.search import engines

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
            sizes = dict(cursor.fetchall())
            search = {n: s for n, s in sizes.items() if n.startswith(("search_", "sqlite_autoindex_search"))}
            words = sum(s for n, s in search.items() if n.startswith("search_fts"))
            return {
                "documents (folded texts)": round((sum(search.values()) - words) / mb),
                "word index (FTS5)": round(words / mb),
                "messages and replies": round(
                    sum(s for n, s in sizes.items() if n.startswith(("handling_message", "handling_reply"))) / mb
                ),
            }
        cursor.execute(
            "SELECT pg_total_relation_size('search_searchdocument') - pg_indexes_size('search_searchdocument'), "
            "(SELECT SUM(pg_relation_size(indexrelid)) FROM pg_index WHERE indexrelid::regclass::text "
            "~ '^search_grams_[a-z]+$'), "
            "(SELECT COALESCE(SUM(pg_relation_size(indexrelid)), 0) FROM pg_index WHERE indexrelid::regclass::text "
            "~ %s), pg_indexes_size('search_searchdocument'), "
            "pg_total_relation_size('handling_message') + pg_total_relation_size('handling_reply')",
            [engines.BAND_INDEX_PATTERN],
        )
        table, gin, bands, all_indexes, messages = cursor.fetchone()
        return {
            "documents (folded texts, tsvector)": round(table / mb),
            "word index (GIN)": round(gin / mb),
            "the newest bands' word indexes (GIN)": round(bands / mb),
            "other indexes of the documents": round((all_indexes - gin - bands) / mb),
            "messages and replies": round(messages / mb),
        }


if __name__ == "__main__":
    sys.exit(main())
