"""Benchmark: grouping a month of a city's messages into hot issues (热点问题), with
planted groups, next to a bare read of the same texts.

    OMP_NUM_THREADS=1 .venv/bin/python bench/hotspots.py                       # SQLite, 40,000 messages a month
    OMP_NUM_THREADS=1 scripts/with-postgres .venv/bin/python bench/hotspots.py # the same on PostgreSQL
    .venv/bin/python bench/hotspots.py --grouping-only                         # no database: grouping alone

Builds a city of --counties counties (each with its eleven townships and a few
departments) and --messages messages in each of two months (the month the hot issues
are counted in and the month before it, which the trend compares against and which
the worker reads as well). Background messages are the demo county's templates
(wenzheng.demo.texts: 30-odd subjects, slots filled with its villages and streets at
random, openers and closers added), so they contain many near-identical texts of their
own. Planted groups are added on top, in places the background never names, each a
problem worded a dozen ways (openers, the problem, its consequence and the request
drawn from pools, so no two members read alike), 3 to 12 messages in the month:
- the same problem in two places of one county (must stay two groups),
- two problems in one place (must stay two groups),
- a problem written once with its place, once with only its township's unit.

Then it times, in the same process and on the same data:
- the floor: reading the two months' texts of every county (what any grouping must read);
- rebuild: `wenzheng.hotspots.compute.rebuild` for each county (read, fold, place
  words, TF-IDF, similarity, grouping, writing the groups and their members),
and reports how many planted groups were found (a hot issue of the month holding at
least 80% of the group's messages in the month), how many were split, and how many
false merges there were (a hot issue holding messages of two planted groups).
The messages are inserted with bulk_create (test data, not product code: no actions).
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = dt.datetime(2026, 6, 30, 20, 0, tzinfo=dt.UTC)  # the hot issues are counted at this instant
DAY = dt.timedelta(days=1)

# Problems as citizens word them: a title and the parts of a body, each from a pool.
# "{p}" is the place. Each kind is a problem no other kind is about.
KINDS = {
    "streetlight": {
        "title": [
            "{p}路灯不亮",
            "{p}晚上一片漆黑",
            "反映{p}路灯坏了",
            "{p}的路灯什么时候修",
            "{p}路灯长期损坏无人维修",
        ],
        "problem": ["{p}的路灯坏了好多天了", "{p}一到晚上路灯就不亮", "{p}好几盏路灯都不亮了", "{p}这段路灯一直没修好"],
        "effect": ["晚上出行很不安全", "已经有老人晚上摔倒了", "骑电动车经过很危险", "孩子晚自习回家很害怕"],
    },
    "water": {
        "title": ["{p}停水好几天", "{p}自来水停了", "{p}饮水困难", "{p}没有自来水用", "反映{p}停水问题"],
        "problem": ["{p}自来水已经停了三天", "{p}的水管爆了一直停水", "{p}停水好几天也没有通知", "{p}的自来水时有时无"],
        "effect": ["家里老人孩子吃水都成问题", "只能到很远的地方挑水", "做饭洗衣都没有水", "养的牲畜也没水喝"],
    },
    "garbage": {
        "title": ["{p}垃圾成堆", "{p}垃圾没人清运", "{p}垃圾臭气熏天", "反映{p}垃圾堆放问题", "{p}的垃圾站满了"],
        "problem": [
            "{p}的垃圾堆了一个多星期没人清运",
            "{p}垃圾桶满了好几天没人清理",
            "{p}路边垃圾越堆越多",
            "{p}环卫工人好久没来收垃圾",
        ],
        "effect": ["臭气熏天苍蝇乱飞", "天热了味道很难闻", "影响周边居民生活", "下雨后污水横流"],
    },
    "noise": {
        "title": ["{p}夜间施工噪音扰民", "{p}工地半夜还在施工", "{p}施工噪音太大", "投诉{p}工地夜间作业"],
        "problem": [
            "{p}的工地每天晚上十一点以后还在施工",
            "{p}工地半夜打桩机一直响",
            "{p}附近工地夜里也不停工",
            "{p}的施工噪音从早到晚不停",
        ],
        "effect": ["附近居民根本睡不着觉", "孩子第二天上学没精神", "老人心脏不好受不了", "严重影响休息"],
    },
    "wages": {
        "title": ["{p}项目拖欠农民工工资", "{p}工地欠薪", "讨要{p}工程款工资", "{p}包工头拖欠工资"],
        "problem": [
            "我们在{p}的项目干了半年活，工资一直拖着不发",
            "{p}工地老板欠我们工资好几个月了",
            "{p}工程完工了，包工头还拖欠工人工资",
            "在{p}做工的十几个工人至今没拿到工钱",
        ],
        "effect": ["家里等着钱过年", "孩子学费都交不上", "找老板多次都推脱", "我们都是外地来打工的"],
    },
    "flood": {
        "title": ["{p}一下雨就积水", "{p}内涝严重", "{p}排水沟堵塞", "反映{p}积水问题"],
        "problem": [
            "{p}每次下大雨路面积水到膝盖",
            "{p}的排水沟堵了一下雨就淹",
            "{p}雨后积水好几天排不出去",
            "{p}地势低一下雨就内涝",
        ],
        "effect": ["车辆和行人都过不去", "临街店铺都进了水", "学生上学要蹚水", "积水发臭滋生蚊虫"],
    },
    "dogs": {
        "title": ["{p}流浪狗伤人", "{p}流浪狗太多", "{p}野狗成群", "请处理{p}流浪犬"],
        "problem": [
            "{p}最近有一群流浪狗到处乱窜",
            "{p}的流浪狗已经咬伤了两个小孩",
            "{p}野狗越来越多没人管",
            "{p}晚上流浪狗追着行人叫",
        ],
        "effect": ["大人小孩都不敢出门", "担心有狂犬病", "晚上回家要绕路走", "家长接送孩子很担心"],
    },
    "bus": {
        "title": ["{p}公交车班次太少", "{p}坐车难", "建议增加{p}公交班次", "{p}没有公交车"],
        "problem": [
            "{p}每天只有两班公交车",
            "{p}到县城的班车经常不按时发车",
            "{p}的公交车一个多小时才来一趟",
            "{p}的班车取消后出行很不方便",
        ],
        "effect": ["老人去医院看病很不方便", "学生上学只能坐黑车", "赶集要走很远的路", "上班经常迟到"],
    },
}
OPENERS = ["", "", "您好，", "我是附近的居民，", "领导好，", "反映一个问题：", "我们是群众，"]
ASKS = ["请尽快处理。", "希望有关部门重视。", "请问什么时候能解决？", "请领导帮忙协调解决。", "恳请尽快派人来看看。"]
# Planted places: names the background never writes.
PLANTED_VILLAGES = ["清水塘村", "石榴坪村", "大榕树村", "白云岭村", "金竹湾村", "凉水井村", "花果坡村", "马鞍山村"]
PLANTED_STREETS = ["朝阳北路", "文昌路", "桂花街", "兴隆大道", "和平巷", "锦绣路"]
PLANTED_ESTATES = ["翠湖花园", "阳光家园", "锦江小区", "书香苑"]


def planted_text(rng, kind, place):
    k = KINDS[kind]
    title = rng.choice(k["title"]).format(p=place)
    body = rng.choice(OPENERS) + rng.choice(k["problem"]).format(p=place) + "，" + rng.choice(k["effect"]) + "。"
    return title, body + rng.choice(ASKS)


def background_text(rng, subjects, filler_for):
    from wenzheng.demo import texts as demo_texts

    subject = rng.choice(subjects)
    category = rng.choice([c for c in ("consultation", "suggestion", "appeal") if subject.texts(c)])
    title, body = rng.choice(subject.texts(category))
    filler = filler_for(rng)
    body = rng.choice(demo_texts.BODY_OPENERS) + body.format_map(filler) + rng.choice(demo_texts.BODY_CLOSERS)
    return title.format_map(filler)[:100], body, subject.key


def make_filler():
    from wenzheng.demo import texts as demo_texts

    villages = [v for _, _, vs in demo_texts.TOWNSHIPS for v in vs]
    townships = [t for t, _, _ in demo_texts.TOWNSHIPS]

    def filler_for(rng):
        slots = {
            "place": lambda: rng.choice(villages + demo_texts.STREETS),
            "village": lambda: rng.choice(villages),
            "township": lambda: rng.choice(townships),
            "street": lambda: rng.choice(demo_texts.STREETS),
            "school": lambda: rng.choice(demo_texts.SCHOOLS),
            "n": lambda: str(rng.randint(2, 9)),
        }

        class Filler(dict):
            def __missing__(self, key):
                return slots[key]() if key in slots else "某处"

        return Filler()

    return filler_for


def plan_county(rng, county_index, per_month):
    """[(title, body, instant, planted label or None, township index or None)] of a
    county's two months."""
    from wenzheng.demo import texts as demo_texts

    subjects = [t for t in demo_texts.TOPICS if any(t.texts(c) for c in ("consultation", "suggestion", "appeal"))]
    filler_for = make_filler()
    rows = []
    start = NOW - 60 * DAY
    for _ in range(2 * per_month):
        title, body, subject = background_text(rng, subjects, filler_for)
        township = rng.randrange(11) if rng.random() < 0.5 else None
        rows.append((title, body, start + rng.random() * 60 * DAY, None, township, subject))
    # Planted: each county gets its own, in places of its own.
    kinds = list(KINDS)
    places = PLANTED_VILLAGES + PLANTED_STREETS + PLANTED_ESTATES
    rng.shuffle(places)
    plans = []
    # the same problem in two places; two problems in one place; then singles
    a, b, c = places[0], places[1], places[2]
    k1, k2 = rng.sample(kinds, 2)
    plans += [(k1, a), (k1, b), (k2, c), (rng.choice([k for k in kinds if k != k2]), c)]
    for place in places[3:9]:
        plans.append((rng.choice(kinds), place))
    for kind, place in plans:
        label = f"{county_index}:{kind}@{place}"
        size = rng.randint(3, 12)
        township = rng.randrange(11)
        for _ in range(size):
            title, body = planted_text(rng, kind, place)
            if rng.random() < 0.15:  # written without its place: only its township's unit says where
                title, body = title.replace(place, ""), body.replace(place, "这里")
                rows.append((title, body, NOW - rng.random() * 29 * DAY, label, township, kind))
            else:
                unit = township if rng.random() < 0.6 else None
                rows.append((title, body, NOW - rng.random() * 29 * DAY, label, unit, kind))
        # and a few in the month before, for the trend
        for _ in range(rng.randint(0, 3)):
            title, body = planted_text(rng, kind, place)
            rows.append((title, body, NOW - (30 + rng.random() * 29) * DAY, label, township, kind))
    return rows


# --- the database -------------------------------------------------------------------


def configure(args):
    if not os.environ.get("DATABASE_URL"):
        path = Path("/tmp/wenzheng-bench-hotspots.sqlite3")  # noqa: S108 (a throwaway file)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzheng.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def build(args) -> tuple[list, dict[int, str]]:
    """The city, its counties and units, and the messages; returns the counties and
    each planted message's group label by pk."""
    from django.core.management import call_command

    from wenzheng.demo import texts as demo_texts
    from wenzheng.handling.models import Category, Message
    from wenzheng.units.models import Region, Unit

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    city = Region.objects.create(name="河池市", code="hechi", kind=Region.Kind.CITY)
    appeal = Category.objects.get(code="appeal")
    counties, labels = [], {}
    per_county = args.messages // args.counties
    for n in range(args.counties):
        county = Region.objects.create(name=f"第{n + 1}县", code=f"county{n + 1}", kind="county", parent=city)
        townships = Unit.objects.bulk_create(
            Unit(region=county, name=name, kind="township", registered_on=dt.date(2020, 1, 1))
            for name, _, _ in demo_texts.TOWNSHIPS
        )
        rows = plan_county(rng, n, per_county)
        messages = []
        for number, (title, body, at, _, township, _) in enumerate(rows, start=1):
            unit = townships[township] if township is not None else None
            messages.append(
                Message(
                    region=county, year=at.year, number=number, category=appeal, unit=unit, title=title[:100],
                    body=body, citizen_name="张三", citizen_phone="13800000000", tracking_code=f"B{n:02d}{number:09d}",
                    passcode_hash="!", state="dispatched" if unit else "pending_dispatch", submitted_at=at,
                    consent_to_publish=True,
                )
            )  # fmt: skip
        saved = Message.objects.bulk_create(messages, batch_size=2000)
        for message, row in zip(saved, rows, strict=True):
            labels[message.pk] = (row[3], row[5])  # planted group (or None), subject
        counties.append(county)
    return counties, labels


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def score(counties, labels, month_start):
    """(planted groups, found, split, false merges, groups mixing subjects, groups)
    over the month's hot issues."""
    from wenzheng.handling.models import Message
    from wenzheng.hotspots.models import Hotspot

    subjects = {pk: subject for pk, (_, subject) in labels.items()}
    planted_of = {pk: label for pk, (label, _) in labels.items() if label}
    recent = Message.objects.filter(pk__in=list(planted_of), submitted_at__gte=month_start)
    in_month = Counter(planted_of[pk] for pk in recent.values_list("pk", flat=True))
    members = {}
    month = Hotspot.messages.through.objects.filter(hotspot__window="month", hotspot__region__in=counties)
    for hotspot_id, message_id in month.values_list("hotspot_id", "message_id"):
        members.setdefault(hotspot_id, []).append(message_id)
    best = Counter()
    merges = mixed = 0
    for pks in members.values():
        mixed += len({subjects[pk] for pk in pks}) > 1
        held = Counter(planted_of[pk] for pk in pks if pk in planted_of)
        merges += len(held) > 1
        for label, n in held.items():
            best[label] = max(best[label], n)
    planted = [label for label, n in in_month.items() if n >= 3]
    found = sum(1 for label in planted if best[label] >= 0.8 * in_month[label])
    split = sum(1 for label in planted if 0 < best[label] < 0.8 * in_month[label])
    return len(planted), found, split, merges, mixed, len(members)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=40_000, help="messages a month, the whole city")
    parser.add_argument("--counties", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    configure(args)
    from django.db import connection

    from wenzheng.handling.models import Message
    from wenzheng.hotspots import compute
    from wenzheng.hotspots.models import Refresh, Window

    started = time.perf_counter()
    counties, labels = build(args)
    total = Message.objects.count()
    print(
        f"{connection.vendor}: {len(counties)} counties, {total:,} messages over two months "
        f"({sum(1 for label, _ in labels.values() if label):,} in planted groups), "
        f"built in {time.perf_counter() - started:.0f} s"
    )
    since = compute.window_start(Window.MONTH, NOW) - 30 * DAY

    def floor():
        return sum(
            len(list(Message.objects.filter(region=c, submitted_at__gte=since).values_list("title", "body")))
            for c in counties
        )

    def rebuild():
        return sum(compute.rebuild(c, now=NOW) for c in counties)

    floor()  # warm the cache: both are timed on a warm database
    read, floor_wall, floor_cpu = timed(floor)
    groups, wall, cpu = timed(rebuild)
    slowest = max(Refresh.objects.filter(region__in=counties).values_list("took_ms", flat=True))
    print(f"floor: reading the {read:,} texts of two months: {floor_wall:.2f} s wall, {floor_cpu:.2f} s CPU")
    print(
        f"rebuild: {groups} hot issues (week and month) for the city: {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"({wall / floor_wall:.0f}× the floor); slowest county {slowest / 1000:.1f} s"
    )
    planted, found, split, merges, mixed, month_groups = score(
        counties, labels, compute.window_start(Window.MONTH, NOW)
    )
    print(
        f"planted groups (≥ 3 messages in the month): {planted}; found {found} ({found / planted:.0%}), "
        f"split {split}, missed {planted - found - split}; false merges (a hot issue holding two planted groups): "
        f"{merges} of {month_groups} hot issues of the month; hot issues mixing two subjects (two of the "
        f"background's templates, or a template and a planted problem): {mixed}"
    )


if __name__ == "__main__":
    main()
