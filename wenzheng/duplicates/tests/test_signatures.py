"""What makes two texts the same message written twice: pure, no database."""

from django.test import SimpleTestCase

from wenzheng.duplicates import signatures as s

LAMP = ("城南路路灯不亮", "城南路中段的路灯已经坏了一个多星期，晚上一片漆黑，行人很不安全，请尽快维修。")


class SignatureTests(SimpleTestCase):
    def test_it_finds_a_reworded_copy_in_traditional_characters_alike(self):
        copy = s.Text.of("城南路路燈壞了", "城南路中段路燈壞了一個多星期了，晚上漆黑一片，行人不安全，希望盡快修理！")
        verdict = s.compare(s.Text.of(*LAMP), copy, same_citizen=False)
        self.assertTrue(verdict.duplicate, verdict)
        self.assertGreaterEqual(verdict.similarity, s.THRESHOLD)

    def test_punctuation_width_and_case_do_not_matter(self):
        copy = s.Text.of(
            "城南路路灯不亮！！", "城南路中段的路灯已经坏了一个多星期　晚上一片漆黑 行人很不安全 请尽快维修"
        )
        self.assertEqual(s.compare(s.Text.of(*LAMP), copy, same_citizen=False).similarity, 1.0)

    def test_the_same_words_about_another_place_never_match(self):
        other = s.Text.of(*(t.replace("城南路", "城北路") for t in LAMP))
        verdict = s.compare(s.Text.of(*LAMP), other, same_citizen=True)
        self.assertTrue(verdict.other_place)
        self.assertFalse(verdict.duplicate)
        self.assertEqual(s.Text.of(*LAMP).places, frozenset({"城南路"}))

    def test_place_words_inside_ordinary_words_are_no_places(self):
        self.assertEqual(s.places("路灯坏了", "中段的路灯、路面坑洼，村民反映"), frozenset())
        self.assertEqual(s.places("", "我家住在东门村3组"), frozenset({"东门村", "3组"}))

    def test_another_problem_at_the_same_place_is_no_duplicate(self):
        rubbish = s.Text.of("城南路垃圾成堆", "城南路菜市场门口的垃圾好几天没人清运，臭气熏天，请环卫部门尽快处理。")
        verdict = s.compare(s.Text.of(*LAMP), rubbish, same_citizen=True)
        self.assertLess(verdict.similarity, s.SAME_CITIZEN_THRESHOLD)
        self.assertFalse(verdict.duplicate)

    def test_equal_texts_share_every_band_and_different_ones_almost_none(self):
        a = s.keys(*LAMP)
        self.assertEqual(a, s.keys(*LAMP))
        self.assertEqual(len(a), s.BANDS)
        other = s.keys("东门村停水三天", "东门村从周一开始就停水，到现在三天了还没来水，老人小孩喝水都成问题。")
        self.assertEqual(set(a) & set(other), set())

    def test_a_citizen_is_keyed_by_account_and_phone_whatever_the_text(self):
        a = s.keys("路灯", "坏了", citizen_id=7, phone="13800000000")
        b = s.keys("停水", "三天", citizen_id=8, phone="13800000000")
        self.assertEqual(set(a) & set(b), {s.identity_key("phone", "13800000000")})

    def test_a_text_without_words_has_no_band_keys(self):
        self.assertEqual(s.keys("？？？", "！！"), [])
