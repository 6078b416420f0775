"""The sensitive-word list: found in one pass however it is written, marked for the
reviewer with everything else escaped, and rebuilt when the office changes it."""

import unittest

from django.utils import timezone

from wenzheng.privacy import sensitive
from wenzheng.privacy.models import SensitiveWord
from wenzheng.privacy.sensitive import WordList, highlight
from wenzheng.testing import CastTestCase


class WordListTest(unittest.TestCase):
    def test_it_finds_every_occurrence_of_every_word_with_its_place(self):
        words = WordList(["上访", "集体上访", "狗官"])
        text = "他们说要集体上访，还骂狗官。"
        hits = words.find(text)
        self.assertEqual(
            [(text[h.start : h.end], h.word) for h in hits],
            [("集体上访", "集体上访"), ("上访", "上访"), ("狗官", "狗官")],
        )

    def test_spaces_symbols_full_width_and_case_do_not_hide_a_word(self):
        words = WordList(["加微信", "VX"])
        text = "有意者 加 微-信，或ｖｘ联系"
        self.assertEqual([text[h.start : h.end] for h in words.find(text)], ["加 微-信", "ｖｘ"])

    def test_an_empty_list_finds_nothing(self):
        self.assertFalse(WordList([]))
        self.assertEqual(WordList(["  "]).find("任何内容"), [])

    def test_a_long_text_is_searched_whole(self):
        text = "正常内容。" * 4000 + "最后出现炸死两个字"
        hits = WordList(sensitive.DEFAULT_WORDS).find(text)
        self.assertEqual([h.word for h in hits], ["炸死"])
        self.assertEqual(hits[0].start, 20000 + 4)


class HighlightTest(unittest.TestCase):
    def test_marks_may_overlap_and_everything_is_escaped(self):
        html = highlight("<b>电话13912345678</b>", [(3, 16, "hit-personal"), (3, 5, "hit-word")])
        self.assertEqual(
            html,
            '&lt;b&gt;<mark class="hit-personal hit-word">电话</mark>'
            '<mark class="hit-personal">13912345678</mark>&lt;/b&gt;',
        )
        self.assertEqual(highlight("", []), "")


class CountyListTest(CastTestCase):
    def test_each_county_has_its_own_list_and_a_change_is_seen_at_once(self):
        c = self.cast
        now = timezone.now()
        SensitiveWord.objects.create(region=c.county, word="狗官", added_by=c.county_office, added_at=now)
        self.assertEqual([h.word for h in sensitive.for_region(c.county).find("狗官")], ["狗官"])
        self.assertEqual(sensitive.for_region(c.other_county).find("狗官"), [])
        SensitiveWord.objects.filter(region=c.county).delete()
        SensitiveWord.objects.create(region=c.county, word="上访", added_by=c.county_office, added_at=now)
        self.assertEqual([h.word for h in sensitive.for_region(c.county).find("狗官要上访")], ["上访"])

    def test_removing_a_word_on_the_page_asks_first(self):
        # A newcomer's trial: one tap on a 16px × removed a word at once, on a phone.
        c = self.cast
        SensitiveWord.objects.create(region=c.county, word="刷单", added_by=c.county_office, added_at=timezone.now())
        self.client.force_login(c.county_office)
        page = self.client.get(f"/work/county/{c.county.code}/privacy/")
        self.assertContains(page, 'data-confirm="确定删除敏感词“刷单”吗？"')
        self.assertContains(page, 'class="link chip-remove"')
