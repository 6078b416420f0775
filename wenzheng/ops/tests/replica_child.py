"""Run by test_replica.py in a child process whose settings name a real primary and a
real streaming replica (DATABASE_URL, DATABASE_REPLICA_URL). Prints one line per
check it passed; any failed check raises."""

import os
import subprocess
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzheng.settings")
django.setup()

from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from wenzheng.handling import actions  # noqa: E402
from wenzheng.ops import replica  # noqa: E402
from wenzheng.testing import Cast, local  # noqa: E402

setup_test_environment()  # the test client's response.content, templates in memory


def wait_for_replay():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        wanted = cursor.fetchone()[0]
    for _ in range(200):
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [wanted])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


def read(client, path, *, replica_up=True, **params):
    """GET a page; the SQL each database ran for it (the primary's only, once the
    replica is stopped: watching it would connect to it)."""
    with CaptureQueriesContext(connections["default"]) as primary:
        if replica_up:
            with CaptureQueriesContext(connections["replica"]) as standby:
                response = client.get(path, params)
            on_replica = [q["sql"] for q in standby.captured_queries]
        else:
            response, on_replica = client.get(path, params), []
    assert response.status_code == 200, (path, response.status_code)
    return response, [q["sql"] for q in primary.captured_queries], on_replica


def messages_read(queries):
    return [q for q in queries if "handling_message" in q]


cast = Cast()
first = cast.replied(at=local(2026, 3, 2, 9), title="新街路灯不亮")
with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT pg_is_in_recovery()")
    assert cursor.fetchone()[0], "the replica is a standby"
print("replica is a standby")

# Written on the primary, read from the replica.
wait_for_replay()
response, on_primary, on_replica = read(Client(), "/messages/", region="luocheng")
assert "新街路灯不亮" in response.content.decode()
assert messages_read(on_replica) and not messages_read(on_primary), (on_primary, on_replica)
response, on_primary, on_replica = read(Client(), "/statistics/", region="luocheng", period="2026Q1")
assert "共收到网民留言总数1条" in response.content.decode()
assert on_replica and not [q for q in on_primary if "reports_" in q]
print("public reads from the replica")

# A step writes on the primary, and reads what it locked there, even when called
# where reads go to the replica.
with replica.reads_from_replica(), CaptureQueriesContext(connections["replica"]) as standby:
    second = cast.submit(at=local(2026, 3, 3, 9), title="水管漏水")
    actions.reply(message=second, by=cast.handler_a, text="已维修。", at=local(2026, 3, 3, 10))
assert not standby.captured_queries, standby.captured_queries
print("steps write and read on the primary")

# Read-your-writes: a visitor who has just posted reads from the primary.
client = Client()
posted = client.post("/accounts/login/", {"username": "citizen", "password": "pw"})
assert posted.status_code == 302 and replica.PIN_COOKIE in posted.cookies
response, on_primary, on_replica = read(client, "/messages/", region="luocheng")
assert "水管漏水" in response.content.decode()  # whether or not the replica has it yet
assert messages_read(on_primary) and not messages_read(on_replica), (on_primary, on_replica)
print("a visitor's own write is read from the primary")

# The replica stops: pages are served from the primary, at once.
wait_for_replay()
subprocess.run(sys.argv[1:], check=True, capture_output=True)  # the command that stops the replica
for _ in range(3):  # the first read finds it gone, the next ones skip it
    response, on_primary, _ = read(Client(), "/messages/", replica_up=False, region="luocheng")
    assert "水管漏水" in response.content.decode()
    assert messages_read(on_primary), on_primary
response = Client().get("/health/ready/")
assert response.status_code == 200 and b"replica down" in response.content, response.content
print("served from the primary with the replica stopped")
