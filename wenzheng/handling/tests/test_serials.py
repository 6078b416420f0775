"""Public serial numbers: per county and per year, no gaps, no duplicates, even when
many citizens submit at the same moment."""

import threading
from unittest import mock

from django.db import connection

from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Message, SerialCounter, Stage
from wenzheng.testing import Cast, ChainTransactionTestCase, local

from .helpers import HandlingTestCase


class SerialTest(HandlingTestCase):
    def test_numbers_count_up_from_one_in_each_year(self):
        c = self.cast
        serials = [c.submit(at=local(2026, 3, 2, 9, i)).serial for i in range(3)]
        self.assertEqual(serials, ["2026-000001", "2026-000002", "2026-000003"])

    def test_a_message_waiting_for_dispatch_takes_its_number_at_once(self):
        c = self.cast
        self.assertEqual(c.submit(unit=None, at=local(2026, 3, 2, 9)).serial, "2026-000001")
        self.assertEqual(c.submit(unit="b", at=local(2026, 3, 2, 10)).serial, "2026-000002")

    def test_the_year_is_the_countys_local_year(self):
        c = self.cast
        self.assertEqual(c.submit(at=local(2026, 12, 31, 23, 30)).serial, "2026-000001")
        # 00:10 on New Year's Day in 罗城 is still 2026 in UTC: a new year all the same.
        self.assertEqual(c.submit(at=local(2027, 1, 1, 0, 10)).serial, "2027-000001")
        self.assertEqual(c.submit(at=local(2027, 1, 1, 9)).serial, "2027-000002")
        # An import of a late-2026 message after the turn of the year goes on 2026's count.
        self.assertEqual(c.submit(at=local(2026, 12, 31, 23, 50)).serial, "2026-000002")

    def test_each_county_has_its_own_sequence(self):
        c = self.cast
        self.assertEqual(c.submit(unit="a", at=local(2026, 3, 2, 9)).serial, "2026-000001")
        self.assertEqual(c.submit(unit="a", at=local(2026, 3, 2, 9)).serial, "2026-000002")
        huanjiang = c.submit(unit="c", at=local(2026, 3, 2, 9))
        self.assertEqual((huanjiang.region, huanjiang.serial), (c.other_county, "2026-000001"))
        self.assertEqual(c.submit(unit="b", at=local(2026, 3, 2, 9)).serial, "2026-000003")
        counters = dict(SerialCounter.objects.values_list("region__code", "last_number"))
        self.assertEqual(counters, {"luocheng": 3, "huanjiang": 1})

    def test_a_refused_submission_takes_no_number(self):
        c = self.cast
        c.submit(at=local(2026, 3, 2, 9))
        self.assertRefused(
            "bad_phone",
            actions.submit,
            by=c.citizen,
            category=c.consultation,
            unit=c.unit_a,
            title="路灯不亮",
            body="新街路灯坏了。",
            name="张三",
            phone="not a phone",
            consent_to_publish=True,
            at=local(2026, 3, 2, 9),
        )
        self.assertEqual(c.submit(at=local(2026, 3, 2, 9)).serial, "2026-000002")

    def test_a_submission_that_fails_after_taking_its_number_gives_it_back(self):
        c = self.cast
        c.submit(at=local(2026, 3, 2, 9))
        # The event is written last, after the number and the message: make it fail.
        with mock.patch.object(chain, "append", side_effect=RuntimeError("disk full")), self.assertRaises(RuntimeError):
            c.submit(at=local(2026, 3, 2, 10))
        self.assertEqual(Message.objects.count(), 1)
        self.assertEqual(SerialCounter.objects.get().last_number, 1)
        self.assertEqual(c.submit(at=local(2026, 3, 2, 11)).serial, "2026-000002")

    def test_the_first_number_of_a_year_rolls_back_with_its_counter(self):
        c = self.cast
        with mock.patch.object(chain, "append", side_effect=RuntimeError("disk full")), self.assertRaises(RuntimeError):
            c.submit(at=local(2026, 3, 2, 10))
        self.assertFalse(SerialCounter.objects.exists())
        self.assertEqual(c.submit(at=local(2026, 3, 2, 11)).serial, "2026-000001")


class ConcurrentSubmissionTest(ChainTransactionTestCase):
    """Real commits from several connections at once (on SQLite: a file database in
    WAL mode, with IMMEDIATE transactions, as configured in settings)."""

    THREADS = 8
    EACH = 5

    def setUp(self):
        self.cast = Cast()

    def test_concurrent_submissions_get_every_number_once(self):
        start = threading.Barrier(self.THREADS)
        errors = []

        def citizen(i):
            try:
                start.wait(timeout=30)
                for j in range(self.EACH):
                    self.cast.submit(at=local(2026, 3, 2, 9, i, j), title=f"留言{i}-{j}")
            except Exception as error:  # reported below, with the thread's number
                errors.append((i, error))
            finally:
                connection.close()  # each thread has its own connection

        threads = [threading.Thread(target=citizen, args=(i,)) for i in range(self.THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertEqual(errors, [])
        total = self.THREADS * self.EACH
        numbers = sorted(Message.objects.filter(year=2026, region=self.cast.county).values_list("number", flat=True))
        self.assertEqual(numbers, list(range(1, total + 1)))
        self.assertEqual(SerialCounter.objects.get(region=self.cast.county, year=2026).last_number, total)
        self.assertEqual(Event.objects.filter(kind="submitted").count(), total)
        self.assertEqual(chain.verify(), (total, None))
        # Each message's event names its own serial.
        for message in Message.objects.all():
            self.assertEqual(message.events.get().data["serial"], message.serial)
        self.assertEqual(Stage.objects.filter(completed_at__isnull=True).count(), 2 * total)
