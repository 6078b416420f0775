"""What a person's text may hold (wenzheng.lib.text)."""

import sys
import unicodedata
import unittest

from wenzheng.lib import text


class FormatCharactersTest(unittest.TestCase):
    def test_the_list_is_unicodes_for_this_python(self):
        """FORMAT is written out (a search through every code point at import would
        cost every process); a Python with newer Unicode tables says so here. Beside
        Cf it holds the other default-ignorable code points, which are no letter,
        digit or punctuation either."""
        listed = {c for c in range(sys.maxunicode + 1) if text.FORMAT.match(chr(c))}
        cf = {c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
        self.assertLessEqual(cf, listed)
        others = {unicodedata.category(chr(c)) for c in listed - cf}
        self.assertLessEqual(others, {"Mn", "Lo", "Cn", "So"})
        for c in (0x034F, 0xFE0F, 0x3164, 0x180B, 0x2800, 0xE0100):
            self.assertIn(c, listed)

    def test_without_format_says_where_each_character_was(self):
        self.assertEqual(text.without_format("路灯"), ("路灯", None))
        self.assertEqual(text.without_format("\ufeff路\u200b灯\u00ad"), ("路灯", [1, 3]))
        self.assertEqual(text.visible("路\u200b灯\x07"), "路灯")
