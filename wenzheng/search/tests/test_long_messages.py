"""A message whose texts together hold more distinct bigrams than a PostgreSQL
tsvector may (1 MB): every step on it still succeeds, and it is found exactly, by
what it holds and by nothing else."""

import random

from django.db import connection

from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.search import engines
from wenzheng.search.models import Audience, SearchDocument
from wenzheng.search.text import parse
from wenzheng.testing import CastTestCase


def found(query, audience=Audience.PUBLIC):
    return set(Message.objects.search(parse(query), audience=audience).values_list("pk", flat=True))


def varied(rng, n):
    """n characters drawn from the 20,992 of the CJK block: nearly every bigram new."""
    return "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(n))


class LongMessageTest(CastTestCase):
    def test_ten_long_follow_ups_and_the_reply_step_after_them(self):
        c = self.cast
        rng = random.Random(2)
        m = c.replied(title="路灯问题")
        other = c.replied(title="路灯不亮")
        citizen = actions.Citizen(user=c.citizen)
        texts = [varied(rng, 20_000) for _ in range(10)]
        for text in texts:
            asked = actions.follow_up(message=m, who=citizen, text=text)
            if text is not texts[-1]:  # answered as they come: three may wait at once
                actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="已答复。")
        last = m.follow_ups.order_by("-pk").first()
        actions.answer_follow_up(follow_up=last, by=c.handler_a, text="已答复您的追问，请拨打电话联系。")
        self.assertTrue(last.answers.exists())
        # More distinct tokens than a tsvector may hold.
        staff = SearchDocument.objects.get(message=m, audience=Audience.STAFF)
        self.assertGreater(len(engines.tokens(staff.body)) * 3, 1024 * 1024 / 2)
        if connection.vendor == "postgresql":
            self.assertEqual((staff.overflow, str(staff.grams)), (True, engines.OVERFLOW_SET))
            self.assertFalse(SearchDocument.objects.get(message=other, audience=Audience.STAFF).overflow)
        phrase = texts[-1][10_000:10_008]
        pair = texts[-1][15_000:15_002]
        for audience in Audience.values:
            with self.subTest(audience=audience):
                self.assertEqual(found(phrase, audience), {m.pk})
                self.assertEqual(found(pair, audience), {m.pk})
                self.assertEqual(found(f"{pair} 追问", audience), {m.pk})
                # Found by what it holds and by nothing else.
                self.assertEqual(found("路灯", audience), {m.pk, other.pk})
                self.assertEqual(found("不亮", audience), {other.pk})
                self.assertEqual(found("zq", audience), set())
                self.assertEqual(found(f"{pair} 不亮", audience), set())
                # A word and a single character: asked of the word index (PostgreSQL)
                # or checked on the texts, and on the overflowing document's texts.
                texts_of = {
                    d.message_id: "\n".join(d.parts()) for d in SearchDocument.objects.filter(audience=audience)
                }
                for character in (texts[-1][12_000], "亮", "问", "z"):
                    expected = {pk for pk, held in texts_of.items() if "路灯" in held and character in held}
                    self.assertEqual(found(f"路灯 {character}", audience), expected, character)
                self.assertIn(m.pk, found(f"路灯 {texts[-1][12_000]}", audience))
        # Newest first, and the band of the latest matches (PostgreSQL), find it too.
        self.assertEqual(
            set(
                Message.objects.search(parse(phrase), audience=Audience.PUBLIC, order="newest").values_list(
                    "pk", flat=True
                )
            ),
            {m.pk},
        )

    def test_a_token_set_past_the_bound_is_the_overflow_token(self):
        rng = random.Random(3)
        small = engines.token_set(["路灯不亮"])
        self.assertEqual(small, "'不' '不亮' '亮' '灯' '灯不' '路' '路灯'")
        self.assertEqual(engines.token_set([varied(rng, 200_000)]), engines.OVERFLOW_SET)
