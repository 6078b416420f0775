"""Benchmark: flagging a new message as a duplicate (并单) against a million existing ones.

    .venv/bin/python bench/duplicates.py                        # SQLite, 1,000,000 messages
    scripts/with-postgres .venv/bin/python bench/duplicates.py  # the same on a throwaway PostgreSQL
    .venv/bin/python bench/duplicates.py --reuse                # SQLite: time again on the file built before

Builds a city of 20 counties with --messages messages (85 % closed, 10 % at a unit,
5 % waiting for dispatch) and the duplicate-index keys of the open ones (the index
holds open messages only: a closed one can never be a candidate), written straight
into the tables (executemany on SQLite, COPY on PostgreSQL, bench/evaluation.py's Loader). The
texts are the demo county's (wenzheng/demo/texts.py), filled with random villages,
streets and numbers: a template written a few hundred times per county with only its
place changed, a harder case for the index than real, more varied texts.

Then, per new message (--probes of them, each in a transaction rolled back after):
- flagging: `duplicates.index.on_arrival`, what `actions.submit` runs: its keys, the
  candidate search through the index, the exact measure of the candidates, the keys
  written and the flag;
- the floor: one bare `SELECT` of a message by primary key;
- a scan: `LIKE '%…%'` on the county's open messages' titles and texts, what a search
  without an index costs (the naive way of finding similar messages, and still no
  similarity measured).
p50 and p95 of each, wall time (the machine is shared: compare within a run).

And the precision of flagging on hand-written near-duplicates of real-like complaints:
reworded by another citizen, punctuation and spacing changed, written in traditional
characters, and, as must NOT match, the same words about another place and another
problem at the same place.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

COUNTIES = 20
CHUNK = 50_000
YEAR = 2026
START = 1767196800  # 2026-01-01 00:00 +08:00, as a UTC epoch

# (base, reworded by another citizen): real-like complaints, each naming its place.
PAIRS = [
    (
        "城南路路灯不亮",
        "城南路中段的路灯已经坏了一个多星期，晚上一片漆黑，行人很不安全，请尽快维修。",
        "城南路路灯坏了没人修",
        "城南路中段路灯坏了一个多星期，晚上黑漆漆的，走路很不安全，希望尽快派人维修。",
    ),
    (
        "东门村停水三天",
        "东门村从周一开始停水，已经三天没有自来水，老人小孩喝水做饭都成问题，请尽快恢复供水。",
        "东门村三天没有自来水",
        "东门村自来水从周一停到现在，三天了还没来水，老人小孩喝水做饭都成问题，请尽快恢复供水。",
    ),
    (
        "凤凰路夜市噪音扰民",
        "凤凰路夜市每晚营业到凌晨两点，音响声音很大，附近居民无法休息，请城管部门管一管。",
        "凤凰路夜市太吵",
        "凤凰路夜市每天晚上开到凌晨两点，音响开得特别大，附近居民根本没法休息，希望城管部门管一管。",
    ),
    (
        "解放路下水道堵塞",
        "解放路农贸市场门口的下水道堵塞，一下雨污水就漫到路面，臭气熏天，请尽快疏通。",
        "解放路市场门口污水横流",
        "解放路农贸市场门口下水道堵了，一下雨污水就漫上路面，臭得很，请有关部门尽快疏通。",
    ),
    (
        "龙潭路垃圾成堆无人清运",
        "龙潭路中段的垃圾站已经一个星期没有清运，垃圾堆到路边，蚊蝇很多，请环卫部门尽快处理。",
        "龙潭路垃圾站一周没清运",
        "龙潭路中段垃圾站一个星期没人清运了，垃圾都堆到路边，蚊子苍蝇特别多，请环卫尽快处理。",
    ),
    (
        "城西大道红绿灯故障",
        "城西大道与环城路交叉口的红绿灯坏了两天，车辆乱行，早晚高峰很危险，请交警部门尽快修复。",
        "城西大道路口红绿灯坏了",
        "城西大道和环城路交叉口红绿灯坏了两天了，车辆乱行，早晚高峰特别危险，请交警尽快修复。",
    ),
    (
        "民族路人行道被占用",
        "民族路人行道被商铺摆摊占满，行人只能走机动车道，很不安全，请城管部门整治。",
        "民族路人行道全被摊位占了",
        "民族路人行道被商铺摊位占满了，行人只能走到机动车道上，很不安全，请城管部门整治一下。",
    ),
    (
        "新城大道工地夜间施工扰民",
        "新城大道一处工地每天晚上十一点以后还在打桩施工，噪音很大，附近居民无法入睡，请有关部门查处。",
        "新城大道工地半夜打桩",
        "新城大道工地每天晚上十一点以后还在打桩，噪音太大，附近居民都睡不着，请有关部门查处。",
    ),
    (
        "武阳路积水严重",
        "武阳路靠近县实验小学路段一下雨就积水，深的地方没过膝盖，学生上学很不方便，请尽快改造排水。",
        "武阳路一下雨就积水",
        "武阳路县实验小学附近路段一下雨就积水，最深的地方没过膝盖，学生上学很不方便，请尽快改造排水。",
    ),
    (
        "环城路路面塌陷",
        "环城路加油站附近路面出现一个大坑，已经有电动车摔倒，请尽快设置警示并修复。",
        "环城路加油站旁路面塌了个大坑",
        "环城路加油站旁边路面塌了一个大坑，已经有电动车摔倒了，请尽快设置警示标志并修复。",
    ),
    (
        "四把镇卫生院看病难",
        "四把镇卫生院只有一名医生值班，每天排队要等两三个小时，请卫健部门增派医生。",
        "四把镇卫生院医生太少",
        "四把镇卫生院只有一个医生值班，每天排队要等两三个小时，请卫健部门多派几名医生。",
    ),
    (
        "黄金镇学校门口交通拥堵",
        "黄金镇中心小学门口上下学时段车辆乱停，交通拥堵，学生过马路很危险，请安排交警疏导。",
        "黄金镇小学门口上下学太堵",
        "黄金镇中心小学门口每到上下学时车辆乱停乱放，交通拥堵，学生过马路很危险，请安排交警疏导。",
    ),
    (
        "小长安镇集市占道经营",
        "小长安镇集市每逢圩日摊贩占满公路，车辆无法通行，请镇政府规范管理。",
        "小长安镇圩日摊贩占道",
        "小长安镇集市每逢圩日摊贩把公路占满了，车辆根本过不去，请镇政府规范管理一下。",
    ),
    (
        "天河镇自来水浑浊",
        "天河镇街上的自来水最近一直发黄浑浊，烧开后有沉淀，不敢饮用，请水厂检查水质。",
        "天河镇自来水发黄",
        "天河镇街上自来水最近一直发黄浑浊，烧开以后还有沉淀，大家都不敢喝，请水厂检查一下水质。",
    ),
    (
        "乔善乡通村公路坑洼",
        "乔善乡到古耐村的通村公路坑洼严重，下雨天积水很深，摩托车经常打滑，请尽快修复。",
        "乔善乡古耐村公路坑坑洼洼",
        "乔善乡到古耐村通村公路坑坑洼洼，下雨天积水很深，摩托车经常打滑摔倒，请尽快安排修复。",
    ),
    (
        "纳翁乡手机信号差",
        "纳翁乡大部分村屯手机信号很差，打电话经常断线，学生上网课也受影响，请协调通信公司建基站。",
        "纳翁乡村里没有信号",
        "纳翁乡大部分村屯手机信号很差，打电话老是断线，学生上网课也受影响，请协调通信公司建基站。",
    ),
    (
        "兼爱乡垃圾焚烧污染",
        "兼爱乡街道旁边有人露天焚烧垃圾，浓烟很大，附近居民呼吸困难，请环保部门查处。",
        "兼爱乡露天烧垃圾",
        "兼爱乡街道旁边经常有人露天焚烧垃圾，浓烟滚滚，附近居民呼吸困难，请环保部门尽快查处。",
    ),
    (
        "宝坛乡电压不稳",
        "宝坛乡街上最近经常停电，电压也不稳，家里电器烧坏了好几样，请供电所检修线路。",
        "宝坛乡经常停电电压低",
        "宝坛乡街上最近老是停电，电压也很不稳定，家里电器都烧坏好几样了，请供电所检修线路。",
    ),
    (
        "怀群镇养猪场臭味扰民",
        "怀群镇街尾的养猪场臭味很大，夏天根本不能开窗，污水还流进小河，请环保部门查处。",
        "怀群镇养猪场太臭",
        "怀群镇街尾那家养猪场臭味特别大，夏天根本不敢开窗，污水还直接流进小河，请环保部门查处。",
    ),
    (
        "凤凰路公交站台损坏",
        "凤凰路县医院门口的公交站台顶棚被风刮坏，下雨天乘客只能淋雨等车，请尽快修复。",
        "凤凰路县医院站台顶棚坏了",
        "凤凰路县医院门口公交站台的顶棚被大风刮坏了，下雨天乘客只能淋雨等车，请尽快修复。",
    ),
]

# The same words about another place: must NOT match.
OTHER_PLACES = {
    "城南路": "城北路", "东门村": "西门村", "凤凰路": "解放路", "解放路": "凤凰路", "龙潭路": "民族路",
    "城西大道": "新城大道", "民族路": "龙潭路", "新城大道": "城西大道", "武阳路": "环城路", "环城路": "武阳路",
    "四把镇": "黄金镇", "黄金镇": "四把镇", "小长安镇": "龙岸镇", "天河镇": "怀群镇", "乔善乡": "纳翁乡",
    "纳翁乡": "乔善乡", "兼爱乡": "宝坛乡", "宝坛乡": "兼爱乡", "怀群镇": "天河镇",
}  # fmt: skip


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--probes", type=int, default=300, help="new messages timed (each kind of probe)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--reuse", action="store_true", help="SQLite: reuse the file built by an earlier run")
    return p.parse_args()


def configure(args):
    if not os.environ.get("DATABASE_URL"):
        path = Path(f"/tmp/wenzheng-bench-duplicates-{args.messages}m.sqlite3")  # noqa: S108 (a throwaway file)
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzheng.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# --- texts ----------------------------------------------------------------------------


class Texts:
    """The demo county's message texts with their places filled at random."""

    def __init__(self, rng):
        from wenzheng.demo import texts

        self.rng = rng
        self.templates = [pair for topic in texts.TOPICS for cat in ("consultation", "suggestion", "appeal")
                          for pair in topic.texts(cat)]  # fmt: skip
        self.townships = [name for name, *_ in texts.TOWNSHIPS]
        self.streets = texts.STREETS
        self.schools = texts.SCHOOLS
        syllables = "古洞平安龙岩石板大小新寨坡塘岭冲坪头尾洞口桥边上下江河"
        self.villages = [a + b + "村" for a in syllables for b in syllables if a != b]

    def one(self):
        title, body = self.rng.choice(self.templates)
        village = self.rng.choice(self.villages)
        values = {
            "township": self.rng.choice(self.townships),
            "village": village,
            "place": self.rng.choice([village, self.rng.choice(self.streets)]),
            "street": self.rng.choice(self.streets),
            "school": self.rng.choice(self.schools),
            "n": self.rng.randrange(2, 9),
        }
        return _fill(title, values), _fill(body, values)


def _fill(text, values):
    try:
        return text.format(**values)
    except (KeyError, IndexError):
        out = text
        for key, value in values.items():
            out = out.replace("{" + key + "}", str(value))
        return out


def traditional(text: str) -> str:
    """Character by character into traditional characters (OpenCC's table)."""
    from importlib import resources

    table = {}
    for line in (resources.files("opencc_purepy") / "dicts" / "STCharacters.txt").read_text("utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets:
            table[source] = targets.split(" ")[0]
    return "".join(table.get(c, c) for c in text)


def punctuated(text: str) -> str:
    """Punctuation and spacing changed, digits and letters full-width, exclamation added."""
    out = text.replace("，", " ").replace("。", "！！").replace("、", ",")
    out = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in out)
    return out + "  急急急！！！"


# --- loading ---------------------------------------------------------------------------


def build(args, loader):
    from django.db import connection

    from wenzheng.duplicates import signatures
    from wenzheng.duplicates.models import Key
    from wenzheng.handling.models import Category, Message, SerialCounter
    from wenzheng.units.models import Region, Unit

    rng = random.Random(args.seed)
    texts = Texts(rng)
    city = Region.objects.create(name="基准市", code="bench-city", kind=Region.Kind.CITY)
    counties = [
        Region.objects.create(name=f"基准县{i:02d}", code=f"bench-{i:02d}", kind=Region.Kind.COUNTY, parent=city)
        for i in range(COUNTIES)
    ]
    import datetime as dt

    units = {
        c.pk: Unit.objects.create(
            region=c, name=f"{c.name}住建局", kind="department", registered_on=dt.date(2020, 1, 1)
        )
        for c in counties
    }
    category = Category.objects.get(code="appeal")
    columns = [f.column for f in Message._meta.concrete_fields if f.column != "id"]
    defaults = dict.fromkeys(columns, "")
    defaults.update(consent_to_publish=True, untimed=False, topic_id=None, citizen_id=None, merged_into_id=None,
                    closed_at=None, rated_at=None, supervised_at=None, answered=False)  # fmt: skip
    key_columns = ["message_id", "region_id", "key"]
    numbers = dict.fromkeys((c.pk for c in counties), 0)
    started, next_id = time.perf_counter(), 1
    for start in range(0, args.messages, CHUNK):
        rows, keys = [], []
        for i in range(start, min(start + CHUNK, args.messages)):
            county = counties[i % COUNTIES]
            numbers[county.pk] += 1
            title, body = texts.one()
            at = START + rng.randrange(0, 330 * 86400)
            roll = rng.random()
            state = "closed" if roll < 0.85 else ("responded" if roll < 0.95 else "pending_dispatch")
            phone = f"1{rng.randrange(3, 9)}{rng.randrange(10**9):09d}"
            row = {
                **defaults,
                "region_id": county.pk, "year": YEAR, "number": numbers[county.pk], "category_id": category.pk,
                "unit_id": None if state == "pending_dispatch" else units[county.pk].pk,
                "title": title, "body": body, "citizen_name": "网民", "citizen_phone": phone,
                "tracking_code": f"B{i:010d}", "passcode_hash": "!", "state": state,
                "submitted_at": loader.ts(at), "closed_at": loader.ts(at + 3 * 86400) if state == "closed" else None,
                "closure_kind": "solved" if state == "closed" else "", "answered": state == "closed",
            }  # fmt: skip
            rows.append(tuple(row[c] for c in columns))
            if state != "closed":  # only open messages are in the index (duplicates.index.sync)
                keys.extend((next_id, county.pk, k) for k in signatures.keys(title, body, phone=phone))
            next_id += 1
        loader.insert(
            Message._meta.db_table, ["id", *columns], [(n, *r) for n, r in enumerate(rows, next_id - len(rows))]
        )
        loader.insert(Key._meta.db_table, key_columns, keys)
        print(f"  {min(start + CHUNK, args.messages):,} messages, {time.perf_counter() - started:.0f} s", flush=True)
    for county in counties:
        SerialCounter.objects.create(region=county, year=YEAR, last_number=numbers[county.pk])
    loader.finish([Message, Region, Unit])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {Key._meta.db_table}")  # noqa: S608 (our own name)
        print(f"built: {args.messages:,} messages, {cursor.fetchone()[0]:,} index keys", flush=True)


# --- timing ----------------------------------------------------------------------------


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main():
    args = parse_args()
    configure(args)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from evaluation import Loader

    from wenzheng.duplicates import index
    from wenzheng.handling.models import Category, Message
    from wenzheng.units.models import Region

    print(f"database: {connection.vendor}, {args.messages:,} messages", flush=True)
    call_command("migrate", verbosity=0)
    if not Message.objects.exists():
        build(args, Loader(connection))
    county = Region.objects.get(code="bench-00")
    category = Category.objects.get(code="appeal")
    rng = random.Random(args.seed + 1)
    texts = Texts(rng)
    serial = [10**8]

    def new_message(title, body, phone=None):
        serial[0] += 1
        return Message.objects.create(
            region=county, year=YEAR, number=serial[0], category=category, title=title, body=body,
            citizen_name="网民", citizen_phone=phone or f"17{rng.randrange(10**9):09d}",
            tracking_code=f"P{serial[0]:010d}", passcode_hash="!", state="pending_dispatch",
            submitted_at=timezone.now(),
        )  # fmt: skip

    def flagging(title, body, phone=None):
        """Seconds to flag one new message, and the ids it was flagged against."""
        with transaction.atomic():
            m = new_message(title, body, phone)
            t = time.perf_counter()
            flag = index.on_arrival(m, at=m.submitted_at)
            spent = time.perf_counter() - t
            transaction.set_rollback(True)
        return spent, [c["id"] for c in flag.candidates] if flag else []

    def timed(fn):
        t = time.perf_counter()
        fn()
        return time.perf_counter() - t

    some_ids = list(Message.objects.filter(region=county).values_list("pk", flat=True)[:5000])

    def by_pk():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, title, state FROM handling_message WHERE id = %s", [rng.choice(some_ids)])
            cursor.fetchall()

    open_states = ["pending_dispatch", "dispatched", "responded", "transfer_requested", "replied", "closure_pending"]

    def like_scan():
        word = rng.choice(["路灯", "停水", "噪音", "村道", "垃圾", "学校"])
        marks = ", ".join(["%s"] * len(open_states))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM handling_message WHERE region_id = %s AND state IN ({marks}) "  # noqa: S608
                "AND (title LIKE %s OR body LIKE %s)",
                [county.pk, *open_states, f"%{word}%", f"%{word}%"],
            )
            cursor.fetchall()

    for fn in (by_pk, like_scan):
        fn()  # warm
    flagging(*texts.one())
    flag_s, flagged = [], 0
    for _ in range(args.probes):
        spent, found = flagging(*texts.one())
        flag_s.append(spent)
        flagged += bool(found)
    pk_s = [timed(by_pk) for _ in range(args.probes)]
    scan_s = [timed(like_scan) for _ in range(max(20, args.probes // 10))]
    ms = 1000
    print(f"\nper new message, {args.probes} probes, wall time (p50 / p95):")
    p50, p95 = percentile(flag_s, 50) * ms, percentile(flag_s, 95) * ms
    print(f"  flagging (index.on_arrival)      {p50:8.2f} / {p95:8.2f} ms   ({flagged} of {args.probes} flagged)")
    print(f"  floor: SELECT by primary key     {percentile(pk_s, 50) * ms:8.2f} / {percentile(pk_s, 95) * ms:8.2f} ms")
    print(
        f"  LIKE scan of the county's open   {percentile(scan_s, 50) * ms:8.2f} / {percentile(scan_s, 95) * ms:8.2f} ms"
    )

    # Precision on hand-written near-duplicates, each base an open message of the county.
    # All in one transaction rolled back at the end: the file stays as built (--reuse).
    with transaction.atomic():
        precision_run(new_message, flagging, index, args)
        transaction.set_rollback(True)
    return 0


def precision_run(new_message, flagging, index, args):
    bases = []
    for i, (title, body, *_rest) in enumerate(PAIRS):
        bases.append(new_message(title, body, phone=f"1660000{i:04d}"))
        index.on_arrival(bases[-1], at=bases[-1].submitted_at)
    cases = []  # (kind, should match, title, body, phone)
    for i, (title, body, re_title, re_body) in enumerate(PAIRS):
        cases.append(("reworded, another citizen", True, re_title, re_body, None))
        cases.append(("punctuation and full width", True, punctuated(title), punctuated(body), None))
        cases.append(("traditional characters", True, traditional(title), traditional(body), None))
        cases.append(("reworded, traditional", True, traditional(re_title), traditional(re_body), None))
        place = next(p for p in sorted(OTHER_PLACES, key=len, reverse=True) if p in title + body)
        moved = (title.replace(place, OTHER_PLACES[place]), body.replace(place, OTHER_PLACES[place]))
        cases.append(("same words, another place", False, *moved, None))
        other = PAIRS[(i + 7) % len(PAIRS)]
        other_place = next(p for p in sorted(OTHER_PLACES, key=len, reverse=True) if p in other[0] + other[1])
        cases.append(("another problem, same place", False, other[0].replace(other_place, place),
                      other[1].replace(other_place, place), None))  # fmt: skip
        cases.append(("same citizen, another problem", False, other[0], other[1], f"1660000{i:04d}"))
    tallies = {}
    tp = fp = fn = tn = 0
    for i, (kind, should, title, body, phone) in enumerate(cases):
        _spent, found = flagging(title, body, phone)
        hit = bases[i // 7].pk in found
        t = tallies.setdefault(kind, [0, 0])
        t[0] += hit == should
        t[1] += 1
        if should:
            tp, fn = tp + hit, fn + (not hit)
        else:
            fp, tn = fp + hit, tn + (not hit)
    print(
        f"\nflagging on {len(PAIRS)} real-like complaints "
        f"({len(cases)} new messages, each against the {args.messages:,}):"
    )
    for kind, (right, total) in tallies.items():
        print(f"  {kind:32s} {right:3d} / {total} right")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    print(f"  precision {precision:.3f}, recall {recall:.3f} (TP {tp}, FP {fp}, FN {fn}, TN {tn})")


if __name__ == "__main__":
    sys.exit(main())
