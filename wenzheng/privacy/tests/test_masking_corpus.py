"""The masking measured on the generated corpus (wenzheng/privacy/corpus.py): at
least 5,000 pieces of personal data inside realistic sentences, at least 2,000
sentences with none but full of dates, serials, money and numbers. Below 99.5%
recall or above 0.5% false positives, this fails; bench/masking.py prints the
figures for BENCHMARKS.md."""

import unittest

from wenzheng.privacy import corpus
from wenzheng.privacy.masking import Masker

RECALL_TARGET = 0.995
FALSE_POSITIVE_TARGET = 0.005


class CorpusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.personal, cls.clean = corpus.generate(personal=6000, clean=2500)
        cls.figures = corpus.measure(Masker(corpus.ALLOWED).mask, cls.personal, cls.clean)

    def test_the_corpus_is_as_large_and_varied_as_promised(self):
        self.assertGreaterEqual(len(self.personal), 5000)
        self.assertGreaterEqual(len(self.clean), 2000)
        self.assertGreaterEqual(len({s.text for s in self.personal}), 5000)
        kinds = {s.kind for s in self.personal}
        for kind in ("mobile", "landline", "id_number", "bank_card", "email", "plate", "address", "name"):
            self.assertIn(kind, kinds)
        self.assertTrue(any("０" <= ch <= "９" for s in self.personal for ch in s.text), "full-width digits")

    def test_recall_is_at_least_99_5_percent(self):
        missed = "\n".join(f"{s.kind}: {s.text} → {m}" for s, m in self.figures.missed[:10])
        self.assertGreaterEqual(self.figures.recall, RECALL_TARGET, missed)

    def test_false_positives_are_at_most_0_5_percent(self):
        changed = "\n".join(f"{s.text} → {m}" for s, m in self.figures.changed[:10])
        self.assertLessEqual(self.figures.false_positive_rate, FALSE_POSITIVE_TARGET, changed)

    def test_a_secret_that_survives_is_noticed(self):
        """The measure itself: a masker that does nothing scores nothing."""
        figures = corpus.measure(lambda text: text, self.personal[:200], self.clean[:200])
        self.assertEqual(figures.recall, 0)
        self.assertEqual(figures.false_positive_rate, 0)
