"""The pages are ready for Django's translation machinery.

The source language is Chinese: every piece of Chinese text in a template is a msgid
inside {% translate %} or {% blocktranslate %}, or a `_("…")` literal in a variable or
tag. The checker below fails, with file:line, on any Chinese left outside them, so a
new template cannot slip past; 500.html stays plain on purpose (it must not fail).
"Chinese" means Han characters: full-width punctuation between two variables, such as
`{{ user }}（{{ role }}）`, is layout rather than text and is left alone.
"""

import ast
import re
import struct
import tempfile
import unittest
from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType
from django.template.loader import render_to_string
from django.test import SimpleTestCase, override_settings
from django.utils import translation

from wenzheng.public.forms import TrackForm

ROOT = Path(settings.BASE_DIR)
# Every template of the project: the shared ones and each app's.
TEMPLATE_DIRS = [ROOT / "wenzheng" / "templates", *sorted((ROOT / "wenzheng").glob("*/templates"))]
# The server-error page is rendered with no context and must not fail: plain text.
PLAIN = {ROOT / "wenzheng" / "templates" / "500.html"}
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A string literal in a {{ }} or {% %}, and whether it is wrapped in _( ).
LITERAL = re.compile(r"""(_\(\s*)?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
TRANSLATE_TAGS = {"translate", "trans"}
BLOCK_TAGS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}


def untranslated(source: str) -> list[tuple[int, str]]:
    """(line, text) for each piece of Chinese in a template that is not marked for
    translation. Comments and the insides of blocktranslate are skipped."""
    found = []
    closing = None  # the tag that ends the comment or blocktranslate we are in
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.COMMENT:
            continue
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split(maxsplit=1)[0] if token.contents.strip() else ""
            if closing is not None:
                if name == closing:
                    closing = None
                continue
            if name == "comment":
                closing = "endcomment"
                continue
            if name in BLOCK_TAGS:
                closing = BLOCK_TAGS[name]
                continue
            if name in TRANSLATE_TAGS:
                continue
        if closing is not None:
            continue
        if token.token_type == TokenType.TEXT:
            for offset, line in enumerate(token.contents.split("\n")):
                if HAN.search(line):
                    found.append((token.lineno + offset, line.strip()))
        else:  # a {{ variable }} or another {% tag %}: only _("…") literals may hold Chinese
            for wrapped, literal in LITERAL.findall(token.contents):
                if not wrapped and HAN.search(literal):
                    found.append((token.lineno, token.contents.strip()))
    return found


def templates():
    for folder in TEMPLATE_DIRS:
        yield from sorted(p for p in folder.rglob("*.html") if p not in PLAIN)


class CheckerTest(unittest.TestCase):
    """The checker itself: it flags what it should and nothing else."""

    def test_it_flags_plain_chinese_text_with_its_line(self):
        source = '{% load i18n %}\n<h1>{% translate "留言板" %}</h1>\n<p>没有留言。</p>'
        self.assertEqual(untranslated(source), [(3, "<p>没有留言。</p>")])

    def test_it_flags_chinese_literals_in_variables_and_tags_unless_wrapped(self):
        source = (
            '{{ m.unit.name|default:"待交办" }}\n'
            '{{ m.unit.name|default:_("待交办") }}\n'
            '{% include "x.html" with caption="乡镇" %}\n'
            '{% include "x.html" with caption=_("乡镇") %}'
        )
        self.assertEqual([line for line, _ in untranslated(source)], [1, 3])

    def test_it_skips_translated_blocks_and_comments(self):
        source = (
            "{% load i18n %}{# 注释 #}{% comment %}说明\n文字{% endcomment %}\n"
            "<p>{% blocktranslate trimmed with n=page.number %}第{{ n }}页{% endblocktranslate %}</p>\n"
            '{% translate "分页" as label %}<nav aria-label="{{ label }}">{{ m.title }}</nav>'
        )
        self.assertEqual(untranslated(source), [])


class TemplatesAreTranslatableTest(unittest.TestCase):
    def test_the_three_template_folders_are_found(self):
        self.assertGreater(len(list(templates())), 40)

    def test_no_template_has_chinese_outside_translation_tags(self):
        problems = [
            f"{path.relative_to(ROOT)}:{line}: {text}"
            for path in templates()
            for line, text in untranslated(path.read_text(encoding="utf-8"))
        ]
        self.assertEqual(problems, [], "Chinese text not marked for translation:\n" + "\n".join(problems))

    def test_every_template_with_translation_tags_loads_i18n(self):
        tag = re.compile(r"{%\s*(translate|trans|blocktranslate|blocktrans)\s")
        missing = [
            str(path.relative_to(ROOT))
            for path in templates()
            if tag.search(text := path.read_text(encoding="utf-8")) and not re.search(r"{%\s*load\s[^%]*\bi18n\b", text)
        ]
        self.assertEqual(missing, [])


class GettextNotShadowedTest(unittest.TestCase):
    def test_no_function_assigns_the_name_it_translates_with(self):
        # `_, found = f()` in a function that also calls `_("…")` makes `_` a local
        # name there, and the call then raises TypeError on the one path that needs
        # the message (a 500 where a Chinese 404 was meant).
        found = []
        for path in sorted((ROOT / "wenzheng").rglob("*.py")):
            for function in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                nodes = list(ast.walk(function))
                assigns = any(isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store) for n in nodes)
                calls = any(
                    isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_" for n in nodes
                )
                if assigns and calls:
                    found.append(f"{path.relative_to(ROOT)}:{function.lineno} {function.name}")
        self.assertEqual(found, [])


class CatalogueTest(unittest.TestCase):
    """locale/zh_Hans holds the catalogue made by `manage.py makemessages -l zh_Hans`."""

    def test_the_catalogue_holds_the_known_msgids(self):
        text = CATALOGUE.read_text(encoding="utf-8")
        for msgid in ["留言板", "我要留言", "查询留言", "统计数据", "提交留言", "感谢您的评价。"]:
            self.assertIn(f'msgid "{msgid}"\n', text)

    def test_the_catalogue_is_found_by_the_settings(self):
        self.assertIn(ROOT / "locale", [Path(p) for p in settings.LOCALE_PATHS])
        self.assertTrue(settings.USE_I18N)


def write_mo(path: Path, messages: dict[str, str]) -> None:
    """A GNU .mo file, as msgfmt writes it, so the test needs no gettext tools."""
    messages = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    ids, strs = [k.encode() for k in sorted(messages)], [messages[k].encode() for k in sorted(messages)]
    start = 7 * 4 + 16 * len(ids)  # the header, then two tables of (length, offset)
    offsets, data = [], b""
    for text in ids + strs:
        offsets.append((len(text), start + len(data)))
        data += text + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, len(ids), 28, 28 + 8 * len(ids), 0, 0)
    table = b"".join(struct.pack("<2I", *pair) for pair in offsets)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + table + data)


class TranslationIsWiredTest(SimpleTestCase):
    """With another language's catalogue, the same templates and forms speak it."""

    def test_an_english_catalogue_changes_templates_and_form_labels(self):
        with tempfile.TemporaryDirectory() as folder:
            write_mo(
                Path(folder) / "en" / "LC_MESSAGES" / "django.mo",
                {"页面不存在": "Page not found", "留言板": "Message board", "查询码": "Tracking code"},
            )
            with override_settings(LOCALE_PATHS=[folder]), translation.override("en"):
                page = render_to_string("404.html")
                label = str(TrackForm().fields["code"].label)
        self.assertIn("<h1>Page not found</h1>", page)
        self.assertIn(">Message board</a>", page)
        self.assertEqual(label, "Tracking code")

    def test_in_chinese_the_msgids_are_shown_as_they_are(self):
        with translation.override("zh-hans"):
            page = render_to_string("404.html")
        self.assertIn("<h1>页面不存在</h1>", page)
        self.assertEqual(str(TrackForm().fields["code"].label), "查询码")
