"""The evaluation's templates are ready for translation, like the rest of the site:
no Chinese outside {% translate %}/{% blocktranslate %}, and i18n loaded where used
(the checker is the one the public app's i18n test defines)."""

import re
import unittest
from pathlib import Path

from wenzheng.public.tests.test_i18n import untranslated

FOLDER = Path(__file__).resolve().parent.parent / "templates"


class EvaluationTemplatesTest(unittest.TestCase):
    def templates(self):
        return sorted(FOLDER.rglob("*.html"))

    def test_no_chinese_is_left_outside_translation_tags(self):
        problems = [
            f"{path.relative_to(FOLDER)}:{line}: {text}"
            for path in self.templates()
            for line, text in untranslated(path.read_text(encoding="utf-8"))
        ]
        self.assertEqual(problems, [], "\n".join(problems))

    def test_templates_that_translate_load_i18n(self):
        tag = re.compile(r"{%\s*(translate|blocktranslate)\s")
        missing = [
            path.name
            for path in self.templates()
            if tag.search(text := path.read_text(encoding="utf-8")) and not re.search(r"{%\s*load\s[^%]*\bi18n\b", text)
        ]
        self.assertEqual(missing, [])
