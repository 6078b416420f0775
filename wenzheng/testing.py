"""The test base: a named cast that covers every role, and small helpers.

citizen, other_citizen          网民
handler_a, leader_a             东门镇 (unit_a, a township of 罗城)
handler_b, leader_b             县住房和城乡建设局 (unit_b, a department of 罗城)
handler_c                       a unit of 环江, the other county (unit_c)
county_office                   罗城's office
other_county_office             环江's office
city_office                     河池's office
admin                           系统管理员
"""

import datetime as dt
import importlib
import os
import threading
import time
from contextlib import contextmanager
from urllib.parse import quote

from django.db import connection, connections, transaction
from django.test import TestCase, TransactionTestCase

from wenzheng.accounts.models import Role, User
from wenzheng.eventlog import triggers
from wenzheng.handling import actions, defaults
from wenzheng.handling.models import Category
from wenzheng.units.models import Region, Unit
from wenzheng.workdays import seed as calendar_seed
from wenzheng.workdays.clock import county_zone
from wenzheng.workdays.models import CalendarDay, CalendarYear

ROLES = [
    "anonymous",
    "citizen",
    "other_citizen",
    "handler_a",
    "leader_a",
    "handler_b",
    "leader_b",
    "handler_c",
    "county_office",
    "other_county_office",
    "city_office",
    "admin",
]


def local(*args) -> dt.datetime:
    """An aware datetime in the county's zone: local(2026, 3, 2, 9, 30)."""
    return dt.datetime(*args, tzinfo=county_zone())


def ensure_reference_data():
    """The calendar, the categories and the default evaluation scheme the migrations
    seed (a TransactionTestCase's flush removes them)."""
    from django.apps import apps

    calendar_seed.seed(CalendarDay, CalendarYear)
    defaults.seed(Category)
    importlib.import_module("wenzheng.evaluation.migrations.0002_default_scheme").seed(apps, None)


class Cast:
    """Builds the regions, units and people every test can call by name."""

    def __init__(self):
        ensure_reference_data()
        self.city = Region.objects.create(name="河池市", code="hechi", kind=Region.Kind.CITY)
        self.county = Region.objects.create(name="罗城仫佬族自治县", code="luocheng", kind="county", parent=self.city)
        self.other_county = Region.objects.create(
            name="环江毛南族自治县", code="huanjiang", kind="county", parent=self.city
        )
        since = dt.date(2020, 1, 1)
        self.unit_a = Unit.objects.create(region=self.county, name="东门镇", kind="township", registered_on=since)
        self.unit_b = Unit.objects.create(
            region=self.county, name="县住房和城乡建设局", kind="department", registered_on=since
        )
        self.unit_c = Unit.objects.create(region=self.other_county, name="思恩镇", kind="township", registered_on=since)
        self.anonymous = None
        self.citizen = self._user("citizen", Role.CITIZEN)
        self.other_citizen = self._user("other_citizen", Role.CITIZEN)
        self.handler_a = self._user("handler_a", Role.HANDLER, unit=self.unit_a)
        self.handler_a2 = self._user("handler_a2", Role.HANDLER, unit=self.unit_a)
        self.leader_a = self._user("leader_a", Role.LEADER, unit=self.unit_a)
        self.handler_b = self._user("handler_b", Role.HANDLER, unit=self.unit_b)
        self.leader_b = self._user("leader_b", Role.LEADER, unit=self.unit_b)
        self.handler_c = self._user("handler_c", Role.HANDLER, unit=self.unit_c)
        self.county_office = self._user("county_office", Role.COUNTY_OFFICE, region=self.county)
        self.other_county_office = self._user("other_county_office", Role.COUNTY_OFFICE, region=self.other_county)
        self.city_office = self._user("city_office", Role.CITY_OFFICE, region=self.city)
        self.admin = User.objects.create_superuser("admin", password="pw")
        self.consultation = Category.objects.get(code="consultation")
        self.suggestion = Category.objects.get(code="suggestion")
        self.appeal = Category.objects.get(code="appeal")

    @staticmethod
    def _user(username, role, **attachment):
        return User.objects.create_user(username, password="pw", role=role, display_name=username, **attachment)

    def submit(self, *, unit="a", category=None, at=None, by="citizen", consent=True, title="路灯不亮", **extra):
        """A message from `by` to unit_a (or "b", "c", or None for dispatch)."""
        unit_obj = {"a": self.unit_a, "b": self.unit_b, "c": self.unit_c, None: None}[unit]
        return actions.submit(
            by=getattr(self, by) if by else None,
            category=category or self.consultation,
            unit=unit_obj,
            region=None if unit_obj else self.county,
            title=title,
            body="东门镇新街路段的路灯已经坏了两个星期，晚上出行很不方便，请尽快维修。",
            name="张三",
            phone="13800000000",
            consent_to_publish=consent,
            at=at,
            **extra,
        )

    def replied(self, *, at=None, category=None, **kwargs):
        """A message to unit_a, responded and replied."""
        message = self.submit(at=at, category=category, **kwargs)
        actions.reply(message=message, by=self.handler_a, text="已安排维修人员处理。", at=at)
        message.refresh_from_db()
        return message


class District:
    """A 区 of the cast's city beside its two 县 (金城江区), with a township, its
    handler and leader, and its office: where the office is 区网络问政办, and a page
    that says 县网络问政办 is wrong. Made on demand: most tests want the cast alone."""

    def __init__(self, cast):
        self.region = Region.objects.create(name="金城江区", code="jinchengjiang", kind="county", parent=cast.city)
        self.unit = Unit.objects.create(
            region=self.region, name="东江镇", kind="township", registered_on=dt.date(2020, 1, 1)
        )
        self.handler = Cast._user("district_handler", Role.HANDLER, unit=self.unit)
        self.leader = Cast._user("district_leader", Role.LEADER, unit=self.unit)
        self.office = Cast._user("district_office", Role.COUNTY_OFFICE, region=self.region)

    def submit(self, *, to_unit=True, by=None, at=None, consent=True):
        """A message to the district's township (or, `to_unit` False, for its office to dispatch)."""
        return actions.submit(
            by=by,
            category=Category.objects.get(code="consultation"),
            unit=self.unit if to_unit else None,
            region=None if to_unit else self.region,
            title="路灯不亮",
            body="东江镇新街路段的路灯已经坏了两个星期，晚上出行很不方便，请尽快维修。",
            name="李四",
            phone="13900000000",
            consent_to_publish=consent,
            at=at,
        )


class ClassDataTestCase(TestCase):
    """A TestCase whose class data (setUpTestData) is checked against the deferred
    constraints once, when it is made, instead of once per test.

    Django's TestCase ends each test by firing the transaction's deferred foreign-key
    checks (on PostgreSQL, SET CONSTRAINTS ALL IMMEDIATE), inside the test's savepoint;
    rolling the test back restores them unfired, so every test paid again for the
    checks of every row its class made: 8 s a test over the demo county, twenty
    minutes for its classes in all. Fired here, outside any test's savepoint, they are
    done for the class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for alias in cls._databases_names(include_mirrors=False):
            if connections[alias].vendor == "postgresql":
                connections[alias].check_constraints()


class CastTestCase(ClassDataTestCase):
    """A TestCase with the cast built once per class as `self.cast`."""

    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()


class AppendOnlyTeardown:
    """For test cases that really commit: emptying the database after each test needs
    the event log's append-only triggers out of the way for a moment."""

    def _fixture_teardown(self):
        with triggers.suspended(connection):
            super()._fixture_teardown()
        # What the migrations seeded is put back: a test case after this one, on this
        # worker, finds the database as migrate left it, whatever order they run in.
        ensure_reference_data()


class ChainTransactionTestCase(AppendOnlyTeardown, TransactionTestCase):
    """For tests that need real commits (concurrency)."""


class _Step(threading.Thread):
    """A step run in a connection of its own: what it returned or raised."""

    def __init__(self, work):
        super().__init__()
        self.work, self.result, self.error, self.pid = work, None, None, None
        self.connected = threading.Event()

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.connected.set()
            self.result = self.work()
        except Exception as error:  # returned to the test
            self.error = error
        finally:
            self.connected.set()
            connection.close()

    def wait_until_blocked_or_done(self, timeout):
        """Until the step waits for a lock another connection holds, or has ended."""
        if not self.connected.wait(timeout=timeout):
            raise AssertionError("the step never connected")
        deadline = time.monotonic() + timeout
        while self.is_alive() and time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute("SELECT cardinality(pg_blocking_pids(%s))", [self.pid])
                if cursor.fetchone()[0]:
                    return
            time.sleep(0.02)
        if self.is_alive():
            raise AssertionError("the step neither waited for a lock nor ended")


def collide(held, *works, timeout=30) -> list[tuple]:
    """PostgreSQL, in a test that really commits (ChainTransactionTestCase): each of
    `works` run in a connection of its own, started one after another while this
    connection holds the row locks of the queryset `held`, each seen waiting for a
    lock (pg_blocking_pids), or done, before the next starts; then the locks let
    go. So two steps that lock the same rows in opposite orders meet for certain,
    not by chance: PostgreSQL aborts one with "deadlock detected". What each work
    returned and raised, as (result, error) pairs."""
    steps = [_Step(work) for work in works]
    with transaction.atomic():
        list(held.select_for_update())
        for step in steps:
            step.start()
            step.wait_until_blocked_or_done(timeout)
    for step in steps:
        step.join(timeout=2 * timeout)
        if step.is_alive():
            raise AssertionError("the step never ended")
    return [(step.result, step.error) for step in steps]


def database_url() -> str:
    """DATABASE_URL for the database this test run uses, so that a child process (a
    server, a worker) works on the same data as the test."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "", safe="") + (":" + quote(s["PASSWORD"], safe="") if s["PASSWORD"] else "")
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{auth}@{quote(s['HOST'] or '', safe='')}{port}/{quote(s['NAME'], safe='')}"


def child_environment(**settings) -> dict[str, str]:
    """The environment for a child process that must share this test's database (and
    the key its event chains are written with)."""
    from django.conf import settings as ours

    shared = {
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "wenzheng.settings",
        "EVENT_CHAIN_KEY": ours.EVENT_CHAIN_KEY,
        "EVENT_CHAIN_KEY_FILE": "",
    }
    return {**os.environ, **shared, **settings}


@contextmanager
def executed(db: str = "default", keep=lambda sql: True):
    """The statements run on `db` inside, as (sql, params) as they were given to the
    database driver, those whose SQL `keep` accepts: Django's log of queries
    (CaptureQueriesContext) has None for the SQL of a statement prepared on the
    server (engines.prepared_at_once), which psycopg does not send again."""
    statements = []

    def record(execute, sql, params, many, context):
        if keep(sql):
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connections[db].execute_wrapper(record):
        yield statements
