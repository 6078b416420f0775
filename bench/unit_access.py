"""Benchmark: what the unit's access rule (accounts.policy.handled_by: its own
messages but those merged into another unit's, and those merged into its own) costs
a unit's pages, against the bare rule it replaced (`unit_id = the unit`) on the same
data in the same run.

    DATABASE_URL=… .venv/bin/python bench/unit_access.py            # a city bench/pages.py built
    DATABASE_URL=… .venv/bin/python bench/unit_access.py --merge 1  # first merge 1% of the open messages

It reads, as the handler of the busiest unit that has messages merged into its own
and of the busiest that has none, through Django's test client (DEBUG off,
one request at a time, the two rules interleaved request by request): the inbox's
tabs (待办, 全部), its last page, a search in it, and the API's list; each page
--repeat times per rule. It prints the median and p95 of each and their ratio. The
bench city has no merged messages; --merge N first merges N% of the city's open
messages into the message before them in the same county (as the county office
would, with the state and the pointer a merge leaves; kept in the database).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--merge", type=float, default=0.0, help="percent of open messages to merge first")
    return p.parse_args()


def merge_some(percent: float) -> int:
    from django.db import connection

    every = max(1, round(100 / percent))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE handling_message AS m SET state = 'merged', merged_into_id = ("
            " SELECT x.id FROM handling_message x WHERE x.region_id = m.region_id AND x.id < m.id"
            " AND x.state IN ('dispatched', 'responded') ORDER BY x.id DESC LIMIT 1)"
            " WHERE m.id %% %s = 7 AND m.state IN ('dispatched', 'responded')",
            [every],
        )
        changed = cursor.rowcount
        cursor.execute(
            "UPDATE handling_message SET state = 'dispatched' WHERE state = 'merged' AND merged_into_id IS NULL"
        )
    return changed


def main():
    args = parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL: the city bench/pages.py built")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzheng.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count, Q
    from django.test import Client

    from wenzheng.accounts import policy
    from wenzheng.accounts.models import User
    from wenzheng.api.models import ApiToken
    from wenzheng.handling.models import Message

    settings.ALLOWED_HOSTS = ["*"]
    if args.merge:
        print(f"merged {merge_some(args.merge):,} open messages into the one before them", flush=True)
    by_size = Message.objects.filter(unit__isnull=False).values("unit").annotate(n=Count("id")).order_by("-n")
    merged_into = set(Message.objects.filter(state="merged").values_list("merged_into__unit_id", flat=True).distinct())
    busiest = list(by_size[:200])
    chosen = {"with": next((r for r in busiest if r["unit"] in merged_into), None),
              "without": next((r for r in busiest if r["unit"] not in merged_into), None)}  # fmt: skip
    print(
        f"{Message.objects.count():,} messages, {Message.objects.filter(state='merged').count():,} merged", flush=True
    )
    for label, row in chosen.items():
        if row is None:
            continue
        handler = User.objects.filter(unit_id=row["unit"], role="handler").order_by("id").first()
        print(f"\nthe busiest unit {label} messages merged into its own ({row['n']:,} messages)", flush=True)
        measure(args, handler, row["n"], policy, Q, ApiToken, Client)


def measure(args, handler, own, policy, Q, ApiToken, Client):
    token = ApiToken.issue(user=handler, name="bench")[1]
    client = Client()
    client.force_login(handler)
    last = max(1, -(-own // 30))
    pages = [
        ("inbox, 待办", "/work/unit/", {}),
        ("inbox, 全部", "/work/unit/", {"tab": "all"}),
        ("inbox, 全部, last page", "/work/unit/", {"tab": "all", "page": last}),
        ("inbox, search 路灯", "/work/unit/", {"tab": "all", "q": "路灯"}),
        ("API list", "/api/v1/my/messages", {"_token": True}),
    ]
    rules = {"bare": lambda unit: Q(unit_id=unit.pk), "handled_by": policy.handled_by}
    times = {(name, rule): [] for name, *_ in pages for rule in rules}
    for _ in range(args.repeat + 1):  # the first round warms the caches, not counted
        for name, path, query in pages:
            query = dict(query)
            headers = {"Authorization": f"Bearer {token}"} if query.pop("_token", False) else {}
            for rule, q in rules.items():
                policy.handled_by = q
                t = time.perf_counter()
                response = client.get(path, query, headers=headers)
                elapsed = time.perf_counter() - t
                assert response.status_code == 200, (name, response.status_code, response.content[:300])
                times[(name, rule)].append(elapsed)
    policy.handled_by = rules["handled_by"]
    print(f"\n{'page':28} {'bare rule: median / p95':>26} {'handled_by: median / p95':>26} {'ratio':>7}")
    for name, *_ in pages:
        row = []
        for rule in rules:
            kept = sorted(times[(name, rule)][1:])
            row.append((statistics.median(kept) * 1000, kept[int(0.95 * (len(kept) - 1))] * 1000))
        print(
            f"{name:28} {row[0][0]:>14.1f} / {row[0][1]:6.1f} ms {row[1][0]:>14.1f} / {row[1][1]:6.1f} ms"
            f" {row[1][0] / row[0][0]:>6.2f}×"
        )


if __name__ == "__main__":
    main()
