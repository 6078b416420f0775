"""Schemes saved at the same moment, with real commits from several connections (on
SQLite a file database with IMMEDIATE transactions, as configured; on PostgreSQL
row locks): every save is kept under its own version number, none is a 500.

Two first imports of a new code collided on the unique (code, version); a browser
edit and an import of one code could deadlock on PostgreSQL (the edit locked its
row, the import every row of the code in scan order)."""

import threading

from django.db import connection

from wenzheng.evaluation import schemes
from wenzheng.evaluation.models import Scheme
from wenzheng.testing import Cast, ChainTransactionTestCase

THREADS = 6


def at_once(work):
    """Run work(i) in THREADS threads started together; the errors they raised."""
    start, errors = threading.Barrier(THREADS), []

    def run(i):
        try:
            start.wait(timeout=30)
            work(i)
        except Exception as error:  # reported by the test, with the thread's number
            errors.append((i, repr(error)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


class ConcurrentSchemeSavesTest(ChainTransactionTestCase):
    def setUp(self):
        self.cast = Cast()
        self.shared = Scheme.objects.latest_version("default")

    def test_first_imports_of_a_new_code_each_take_their_own_version(self):
        base = {**schemes.snapshot(self.shared), "code": "township-2027"}
        errors = at_once(lambda i: schemes.store({**base, "min_due": i + 1}, owner=self.cast.county))
        self.assertEqual(errors, [])
        saved = Scheme.objects.filter(code="township-2027")
        self.assertEqual(sorted(saved.values_list("version", flat=True)), list(range(1, THREADS + 1)))
        self.assertEqual(sorted(saved.values_list("min_due", flat=True)), list(range(1, THREADS + 1)))

    def test_edits_and_imports_of_one_code_at_once_all_land(self):
        mine, _ = schemes.store({**schemes.snapshot(self.shared), "min_due": 50}, owner=self.cast.county)
        data = schemes.snapshot(mine)

        def work(i):
            if i % 2:
                schemes.save_edit(self.shared, {**data, "min_due": 100 + i}, owner=self.cast.other_county)
            else:
                schemes.store({**data, "min_due": 100 + i}, owner=self.cast.county)

        errors = at_once(work)
        self.assertEqual(errors, [])
        versions = list(Scheme.objects.filter(code="default").values_list("version", flat=True))
        self.assertEqual(sorted(versions), list(range(1, len(versions) + 1)))
        self.assertEqual(
            sorted(Scheme.objects.filter(min_due__gte=100).values_list("min_due", flat=True)),
            [100 + i for i in range(THREADS)],
        )
