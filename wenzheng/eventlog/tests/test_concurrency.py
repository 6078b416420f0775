"""Two counties append at once without waiting for each other: each has its own
chain head to lock. On PostgreSQL, from two connections (SQLite has one writer at a
time for the whole file, whatever the rows)."""

import threading
import time
from unittest import skipUnless

from django.db import OperationalError, connection, transaction

from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.testing import Cast, ChainTransactionTestCase, local


@skipUnless(connection.vendor == "postgresql", "row locks per county: PostgreSQL")
class TwoCountiesAtOnceTest(ChainTransactionTestCase):
    def setUp(self):
        c = self.cast = Cast()
        # Two messages in 罗城, one in 环江: acknowledging one locks only its own row,
        # its stage and its county's chain head.
        self.a1, self.a2 = c.submit(at=local(2026, 3, 2, 9)), c.submit(at=local(2026, 3, 2, 9))
        self.c1 = c.submit(unit="c", at=local(2026, 3, 2, 9))
        self.by = {self.a2.pk: c.handler_a, self.c1.pk: c.handler_c}

    def _hold_a_write_open(self, holding, release, errors):
        """Acknowledge a 罗城 message and keep the transaction (and 罗城's head lock) open."""
        try:
            with transaction.atomic():
                actions.respond(message=self.a1, by=self.cast.handler_a, at=local(2026, 3, 2, 10))
                holding.set()
                release.wait(timeout=30)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def _write(self, message, results, errors):
        try:
            with transaction.atomic():
                connection.cursor().execute("SET LOCAL lock_timeout = '3s'")
                started = time.monotonic()
                actions.respond(message=message, by=self.by[message.pk], at=local(2026, 3, 2, 10, 30))
                results.append(time.monotonic() - started)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def _race(self, message):
        holding, release = threading.Event(), threading.Event()
        errors, results = [], []
        first = threading.Thread(target=self._hold_a_write_open, args=(holding, release, errors))
        first.start()
        self.assertTrue(holding.wait(timeout=30))
        second = threading.Thread(target=self._write, args=(message, results, errors))
        second.start()
        second.join(timeout=30)
        release.set()
        first.join(timeout=30)
        return results, errors

    def test_a_write_in_another_county_does_not_wait(self):
        results, errors = self._race(self.c1)  # 环江, while 罗城's head is locked
        self.assertEqual(errors, [])
        self.assertLess(results[0], 1.0)
        self.assertEqual(Event.objects.filter(chain__region=self.cast.other_county).count(), 2)
        self.assertEqual(chain.verify(), (5, None))

    def test_a_write_in_the_same_county_waits_for_the_first(self):
        """The control: another message of the same county shares nothing with the
        first but the county's chain head, and waits for it (here: times out)."""
        results, errors = self._race(self.a2)
        self.assertEqual(results, [])
        self.assertEqual(len(errors), 1)
        self.assertIsInstance(errors[0], OperationalError)
        self.assertIn("lock timeout", str(errors[0]))
        self.assertEqual(chain.verify(), (4, None))
