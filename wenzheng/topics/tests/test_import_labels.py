"""The message importer maps topic-label columns (一级分类 / 二级分类) to the tree."""

from wenzheng.bulk.models import RowProblem
from wenzheng.bulk.tests.helpers import HEADER, csv_bytes, good_row, run_import
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase
from wenzheng.topics import catalogue
from wenzheng.topics.models import Topic

LABELLED = [*HEADER, "一级分类", "二级分类"]


def row(number, first, second):
    return [*good_row(number=number), first, second]


class ImportLabelTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        catalogue.load_default(cls.cast.county)

    def test_known_labels_become_the_messages_topic(self):
        content = csv_bytes(
            [row("1", "城乡建设", "市政设施"), row("2", " 交通运输 ", "道路与桥梁\u200b"), row("3", "", "")], LABELLED
        )
        outcome = run_import(self.cast, content, "m.csv")
        self.assertEqual((outcome.created, outcome.problems), (3, []))
        codes = list(Message.objects.order_by("pk").values_list("topic__code", flat=True))
        self.assertEqual(codes, ["010100", "020100", None])

    def test_unknown_labels_are_problems_unless_the_office_asks_to_create_them(self):
        content = csv_bytes([row("1", "城乡建设", "电梯安全"), row("2", "城乡建设", "市政设施")], LABELLED)
        outcome = run_import(self.cast, content, "m.csv")
        self.assertEqual(outcome.created, 1)
        [problem] = outcome.problems
        self.assertEqual((problem.row, problem.kind), (2, RowProblem.Kind.UNKNOWN_TOPIC))
        self.assertIn("城乡建设 → 电梯安全", problem.text)
        self.assertFalse(Topic.objects.filter(name="电梯安全").exists())
        # A dry run with creation asked for reports nothing and creates nothing.
        outcome = run_import(self.cast, content, "m.csv", create_topics=True, dry_run=True)
        self.assertEqual(outcome.problems, [])
        self.assertFalse(Topic.objects.filter(name="电梯安全").exists())
        outcome = run_import(self.cast, content, "m.csv", create_topics=True)
        self.assertEqual(outcome.created, 1)
        made = Topic.objects.get(region=self.cast.county, name="电梯安全")
        self.assertEqual((made.code, made.parent.code), ("010500", "010000"))
        self.assertEqual(Message.objects.get(topic=made).serial.split("-")[0], "2024")

    def test_one_column_may_hold_the_whole_path_or_a_code(self):
        header = [*HEADER, "事项分类"]
        rows = [[*good_row(number="1"), "城乡建设/市政设施/路灯照明"], [*good_row(number="2"), "０２０１０１"]]
        outcome = run_import(self.cast, csv_bytes(rows, header), "m.csv")
        self.assertEqual(outcome.problems, [])
        codes = list(Message.objects.order_by("pk").values_list("topic__code", flat=True))
        self.assertEqual(codes, ["010101", "020101"])

    def test_a_county_without_a_tree_lists_the_columns_as_not_imported(self):
        content = csv_bytes([[*good_row(number="1", unit="思恩镇"), "城乡建设", "市政设施"]], LABELLED)
        cast = self.cast
        outcome = run_import(cast, content, "m.csv", region=cast.other_county, by=cast.other_county_office)
        self.assertEqual(outcome.created, 1)
        self.assertIn("一级分类（事项分类：本县尚未建立事项分类表，暂不导入）", outcome.ignored)
