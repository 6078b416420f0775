"""Forms that cannot double-post: a key per form render, taken in the database with
the action (wenzheng.handling.once)."""

import datetime as dt
import threading

from django.db import connection
from django.test import SimpleTestCase
from django.utils import timezone

from wenzheng.accounts.policy import ActionRefused
from wenzheng.handling import once
from wenzheng.handling.models import FormSubmission, Message
from wenzheng.testing import Cast, CastTestCase, ChainTransactionTestCase


class OnceTest(CastTestCase):
    def post(self, key):
        return once.submit(key, kind="post", run=self.cast.submit, result=lambda m: m.tracking_code)

    def test_the_same_key_makes_one_message_and_answers_the_second_as_the_first(self):
        key = once.new_key()
        first, second = self.post(key), self.post(key)
        self.assertEqual(Message.objects.count(), 1)
        self.assertEqual((first.replayed, second.replayed), (False, True))
        self.assertEqual(first.result, second.result)
        self.assertEqual(first.result, Message.objects.get().tracking_code)

    def test_each_render_has_its_own_key(self):
        self.post(once.new_key())
        self.post(once.new_key())
        self.assertEqual(Message.objects.count(), 2)

    def test_a_form_without_a_well_formed_key_is_simply_run(self):
        for key in (None, "", "short", "x" * 65, "bad key with spaces!!"):
            self.post(key)
        self.assertEqual(Message.objects.count(), 5)
        self.assertFalse(FormSubmission.objects.exists())

    def test_a_refused_action_leaves_the_key_free_for_a_second_try(self):
        key = once.new_key()

        def refused():
            raise ActionRefused("missing_text", "请填写留言内容。")

        with self.assertRaises(ActionRefused):
            once.submit(key, kind="post", run=refused, result=str)
        self.assertFalse(FormSubmission.objects.exists())
        self.assertFalse(self.post(key).replayed)


class SentAgainTest(SimpleTestCase):
    """The same content sent from a new render of the form (back, and the browser
    filled in what was typed): the session remembers what it last sent."""

    def test_the_same_content_within_the_window_is_recalled_with_its_result(self):
        session, now = {}, timezone.now()
        sent = once.digest("post", 1, "标题", "内容", "王五", "13700000000")
        once.remember(session, kind="post", digest=sent, result="AB12CD34EF", now=now)
        self.assertNotIn("王五", str(session))  # a digest, not the text
        later = now + once.REPEAT_WINDOW - dt.timedelta(seconds=1)
        self.assertEqual(once.recall(session, kind="post", digest=sent, now=later), "AB12CD34EF")
        self.assertIsNone(once.recall(session, kind="post", digest=sent, now=later + dt.timedelta(seconds=2)))

    def test_other_content_or_another_kind_is_not_recalled(self):
        session = {}
        once.remember(session, kind="post", digest=once.digest("post", "标题", "内容"), result="X")
        self.assertIsNone(once.recall(session, kind="post", digest=once.digest("post", "标题", "内容。")))
        self.assertIsNone(once.recall(session, kind="post", digest=once.digest("post", "标题内容")))
        self.assertIsNone(once.recall(session, kind="follow_up", digest=once.digest("post", "标题", "内容")))
        self.assertIsNone(once.recall({}, kind="post", digest=once.digest("post", "标题", "内容")))


class RacingSubmissionsTest(ChainTransactionTestCase):
    def test_two_submissions_of_one_form_at_the_same_moment_make_one_message(self):
        cast = Cast()
        key, start, results = once.new_key(), threading.Barrier(2), []

        def submit():
            start.wait()
            try:
                results.append(once.submit(key, kind="post", run=cast.submit, result=lambda m: m.tracking_code))
            finally:
                connection.close()

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(Message.objects.count(), 1)
        self.assertEqual(sorted(r.replayed for r in results), [False, True])
        self.assertEqual({r.result for r in results}, {Message.objects.get().tracking_code})
