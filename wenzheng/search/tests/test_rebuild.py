"""manage.py rebuild_search_index: the index it leaves is the one the steps would
write from scratch, and it is written a committed batch at a time, so searches and
steps go on while a city's index is rebuilt."""

import io
from unittest import mock

from django.core.management import call_command
from django.db import connection
from django.test import SimpleTestCase

from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.privacy.models import PublicContact
from wenzheng.search import index
from wenzheng.search.documents import documents
from wenzheng.search.engines import token_set
from wenzheng.search.models import Audience, SearchDocument
from wenzheng.search.text import parse
from wenzheng.testing import Cast, CastTestCase, ChainTransactionTestCase

COLUMNS = ("message_id", "audience", "title", "body", "answers", "extra", "scope")


def stored():
    rows = SearchDocument.objects.values_list(*COLUMNS, "grams")
    return sorted((*row[:-1], str(row[-1] or "")) for row in rows)


def fresh():
    """The documents every message would have if each were written now."""
    ids = Message.objects.values_list("pk", flat=True)
    on_postgres = connection.vendor == "postgresql"
    return sorted(
        (
            d.message_id,
            d.audience,
            *d.parts(),
            d.scope,
            str(_tsvector(token_set(d.parts(), d.scope))) if on_postgres else "",
        )
        for d in documents(ids)
    )


def _tsvector(literal):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsvector::text", [literal])
        return cursor.fetchone()[0]


def found(query, audience=Audience.PUBLIC):
    return set(Message.objects.search(parse(query), audience=audience).values_list("pk", flat=True))


def out_of_step(cast):
    """Messages whose documents no longer say what the texts do: a published
    contact listed behind the actions' back (as a restored old backup would leave
    it), and a message whose public document was lost."""
    a = cast.submit(title="新街路灯不亮")
    actions.reply(message=a, by=cast.handler_a, text="请拨打0778-8123456咨询。")
    b = cast.replied(title="低保申请")
    PublicContact.objects.create(
        region=cast.county, value="0778-8123456", label="东门镇", added_by=cast.county_office, added_at=a.submitted_at
    )
    lost = SearchDocument.objects.get(message=b, audience=Audience.PUBLIC)
    index.engine().write([lost], [])
    lost.delete()
    return a, b


class RebuildCommandTest(CastTestCase):
    def test_the_command_leaves_the_index_a_fresh_build_would(self):
        a, b = out_of_step(self.cast)
        self.assertNotEqual(stored(), fresh())
        self.assertEqual(found("8123456"), set())
        self.assertEqual(found("低保"), set())
        out = io.StringIO()
        with mock.patch.object(index, "BATCH", 1):
            call_command("rebuild_search_index", stdout=out)
        self.assertIn("Search index rebuilt", out.getvalue())
        self.assertEqual(stored(), fresh())
        self.assertEqual(found("8123456"), {a.pk})
        self.assertEqual(found("低保"), {b.pk})
        self.assertEqual(found("路灯不亮"), {a.pk})
        # And the index goes on following the steps.
        actions.reply(message=b, by=self.cast.handler_a, text="请到民政所办理。")
        self.assertEqual(found("民政所"), {b.pk})
        self.assertEqual(stored(), fresh())

    def test_from_scratch_leaves_the_same_index(self):
        a, b = out_of_step(self.cast)
        call_command("rebuild_search_index", "--from-scratch", stdout=io.StringIO())
        self.assertEqual(stored(), fresh())
        self.assertEqual(found("8123456"), {a.pk})
        self.assertEqual(found("低保"), {b.pk})


class RebuildBatchesTest(ChainTransactionTestCase):
    def test_each_batch_is_committed_and_steps_and_searches_go_on_between_them(self):
        c = Cast()
        messages = [c.replied(title=f"路灯不亮第{i}号") for i in range(4)]
        between = []

        def progress(read, total, seconds):
            # Nothing of the rebuild is held open: another connection would see it all.
            self.assertFalse(connection.in_atomic_block)
            between.append(read)
            if read == 2:
                # A step and a search between two batches: both as usual.
                actions.reply(message=messages[3], by=c.handler_a, text="维修队已出发。")
                self.assertEqual(found("维修队"), {messages[3].pk})
                self.assertEqual(found("路灯"), {m.pk for m in messages})

        with mock.patch.object(index, "BATCH", 2):
            self.assertEqual(index.rebuild(progress=progress), 3 * 4)
        self.assertEqual(between, [2, 4])
        self.assertEqual(stored(), fresh())
        self.assertEqual(found("维修队"), {messages[3].pk})


class InOrderTest(SimpleTestCase):
    """A rebuild's worker processes are kept at most a few batches ahead of the writer
    (index.in_order): their documents never pile up waiting to be written."""

    def test_results_come_in_order_with_a_bounded_number_ahead(self):
        submitted, outstanding = [], []

        class Result:
            def __init__(self, item):
                self.item = item

            def get(self):
                outstanding.append(len(submitted) - self.item)
                return self.item * 10

        def submit(item):
            submitted.append(item)
            return Result(item)

        out = list(index.in_order(submit, range(10), ahead=3))
        self.assertEqual(out, [(i, i * 10) for i in range(10)])
        self.assertEqual(submitted, list(range(10)))
        self.assertLessEqual(max(outstanding), 4)  # the one read, and three ahead
        self.assertEqual(list(index.in_order(submit, [], ahead=3)), [])
