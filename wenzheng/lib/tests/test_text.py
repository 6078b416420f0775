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


class InvisibleSpacesTest(unittest.TestCase):
    def test_clean_drops_invisible_spaces_and_joiners_outside_emoji(self):
        for typed, kept in [
            ("路灯\u200b不亮", "路灯不亮"),
            ("\ufeff标题\u2060", "标题"),
            ("路\u00ad灯", "路灯"),
            ("已\u200d修", "已修"),
            ("👩\u200d🚒", "👩\u200d🚒"),  # one picture
            ("🚶\u200d♀\ufe0f", "🚶\u200d♀\ufe0f"),
            ("🙂\u200d↔\ufe0f", "🙂\u200d↔\ufe0f"),  # Emoji 15.1
            ("क्\u200dष", "क्\u200dष"),  # a Devanagari half form
            ("\u200d路灯\u200d", "路灯"),
        ]:
            with self.subTest(typed=typed):
                self.assertEqual(text.clean(typed), kept)


class EscapeSequencesTest(unittest.TestCase):
    def test_a_pasted_terminal_colour_goes_whole(self):
        """Text copied from a console: removing the ESC alone left "[31m" behind."""
        cases = {
            "\x1b[31m路灯\x1b[0m不亮": "路灯不亮",
            "\x1b[1;33;41m警告\x1b[m": "警告",
            "\x1b]0;标题\x07正文": "正文",
            "\x1b]8;;http://example.com\x1b\\链接\x1b]8;;\x1b\\": "链接",
            "\x9b31m红\x9bm": "红",
            "a\x1b(Bb\x1bMc": "abc",
            "末尾\x1b": "末尾",
            "末尾\x1b[": "末尾",  # ESC [ unfinished is still an escape (the CSI's introducer)
            "\x1b[31路灯": "31路灯",  # no final byte: not a sequence; ESC [ go, the rest is text
            "[31m 不是转义": "[31m 不是转义",
        }
        for pasted, kept in cases.items():
            with self.subTest(pasted=pasted):
                self.assertEqual(text.clean(pasted), kept)
