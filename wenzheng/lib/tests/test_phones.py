from django.test import SimpleTestCase

from wenzheng.lib import phones


class NormaliseTest(SimpleTestCase):
    def test_it_accepts_mobiles_as_people_write_them(self):
        for typed in (
            "+86 138 0013 8000", "+86-138-0013-8000", "0086 13800138000", "8613800138000",
            "138-0013-8000", "138 0013 8000", "１３８００１３８０００", "(+86) 13800138000", "13800138000",
        ):  # fmt: skip
            with self.subTest(typed=typed):
                self.assertEqual(phones.normalise(typed), "13800138000")

    def test_it_accepts_landlines_with_their_area_code_and_local_numbers(self):
        self.assertEqual(phones.normalise("0778-7221234"), "0778-7221234")
        self.assertEqual(phones.normalise("(0778) 722 1234"), "0778-7221234")
        self.assertEqual(phones.normalise("0778 87221234"), "0778-87221234")
        self.assertEqual(phones.normalise("010-12345678"), "010-12345678")
        self.assertEqual(phones.normalise("7221234"), "7221234")

    def test_it_refuses_mobiles_one_digit_short_or_long(self):
        for typed in ("1380013800", "138001380001", "+86 1380013800", "12345"):
            with self.subTest(typed=typed):
                with self.assertRaises(phones.BadPhone) as refused:
                    phones.normalise(typed)
                self.assertIn("11位", str(refused.exception))

    def test_it_refuses_what_is_not_a_number(self):
        for typed in ("", "abc", "138001380oo", "0778-722", "+1 555 123 4567"):
            with self.subTest(typed=typed), self.assertRaises(phones.BadPhone):
                phones.normalise(typed)

    def test_mobile_is_empty_for_a_landline(self):
        self.assertEqual(phones.mobile("+86 138 0013 8000"), "13800138000")
        self.assertEqual(phones.mobile("0778-7221234"), "")
