import io

from django.core.management import CommandError, call_command

from wenzheng.eventlog.models import Event
from wenzheng.testing import CastTestCase
from wenzheng.topics import catalogue
from wenzheng.topics.models import Topic


class TreeTests(CastTestCase):
    def test_it_loads_the_default_tree_with_twelve_majors(self):
        result = catalogue.load_default(self.cast.county)
        topics = Topic.objects.of_region(self.cast.county)
        self.assertEqual(result["created"], topics.count())
        self.assertEqual(topics.filter(level=1).count(), 12)
        self.assertEqual(topics.filter(level=2).count(), 40)
        self.assertGreaterEqual(topics.filter(level=3).count(), 100)
        lamp = topics.get(code="010101")
        self.assertEqual(lamp.path, "城乡建设 → 市政设施 → 路灯照明")
        self.assertEqual(lamp.major().code, "010000")
        # The other county has a tree of its own, untouched.
        self.assertFalse(Topic.objects.of_region(self.cast.other_county).exists())

    def test_it_round_trips_through_csv_with_units(self):
        catalogue.load_default(self.cast.county)
        text = catalogue.dump(self.cast.county).replace(
            "010101,路灯照明,,是", "010101,路灯照明,东门镇；县住房和城乡建设局,是"
        )
        result = catalogue.load(self.cast.county, text)
        self.assertEqual((result["created"], result["updated"]), (0, 1))  # the lamps' units
        lamp = Topic.objects.get(region=self.cast.county, code="010101")
        self.assertEqual({u.name for u in lamp.units.all()}, {"东门镇", "县住房和城乡建设局"})
        dumped = catalogue.dump(self.cast.county)
        self.assertIn("010101,路灯照明,东门镇；县住房和城乡建设局,是", dumped)
        result = catalogue.load(self.cast.county, dumped)
        self.assertEqual((result["created"], result["updated"]), (0, 0))

    def test_an_empty_units_cell_clears_them_and_a_missing_column_leaves_them(self):
        c = self.cast
        catalogue.load(c.county, "代码,名称,承办单位\n010000,城乡建设,\n010100,市政设施,东门镇；县住房和城乡建设局\n")
        middle = Topic.objects.get(region=c.county, code="010100")
        self.assertEqual(middle.units.count(), 2)
        catalogue.load(c.county, "代码,名称\n010100,市政设施\n")  # no 承办单位 column: as they were
        self.assertEqual(middle.units.count(), 2)
        result = catalogue.load(c.county, "代码,名称,承办单位\n010100,市政设施,\n")
        self.assertEqual(result["updated"], 1)
        self.assertEqual(middle.units.count(), 0)

    def test_it_refuses_a_bad_file_whole_and_says_which_rows(self):
        text = (
            "代码,名称,承办单位\n010000,城乡建设,\n０１０１００,市政设施,\n"
            "010199,孤儿,\n020101,没有上级,\n010102,供水,思恩镇\n"
        )
        with self.assertRaises(catalogue.TreeError) as caught:
            catalogue.load(self.cast.county, text)
        self.assertIn("第5行：上级分类020100既不在表中，也不在本县分类表中。", caught.exception.problems)
        self.assertFalse(Topic.objects.filter(region=self.cast.county).exists())
        # Full-width digits are the same code; a unit of another county is refused.
        with self.assertRaises(catalogue.TreeError) as caught:
            catalogue.load(self.cast.county, "代码,名称,承办单位\n010000,城乡建设,\n０１０１００,市政设施,思恩镇\n")
        self.assertIn("思恩镇", str(caught.exception))
        self.assertFalse(Topic.objects.filter(region=self.cast.county).exists())

    def test_it_deactivates_and_renames_but_never_deletes(self):
        catalogue.load(self.cast.county, "代码,名称\n010000,城乡建设\n010100,市政设施\n")
        catalogue.load(self.cast.county, "代码,名称,启用\n010000,城乡建设管理,是\n010100,市政设施,否\n")
        self.assertEqual(Topic.objects.get(region=self.cast.county, code="010000").name, "城乡建设管理")
        self.assertFalse(Topic.objects.get(region=self.cast.county, code="010100").active)

    def test_the_commands_import_and_export(self):
        call_command("import_topics", region="luocheng", stdout=io.StringIO())
        out = io.StringIO()
        call_command("export_topics", region="luocheng", stdout=out)
        self.assertIn("010101,路灯照明,,是", out.getvalue())
        with self.assertRaises(CommandError):
            call_command("import_topics", region="nowhere", stdout=io.StringIO())


class LabelTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        catalogue.load_default(cls.cast.county)

    def test_it_finds_topics_by_labels_or_code(self):
        resolver = catalogue.LabelResolver(self.cast.county)
        self.assertEqual(resolver.resolve(["城乡建设", "市政设施"]).code, "010100")
        self.assertEqual(resolver.resolve([" 城乡建设\u200b", "市政设施", "路灯照明"]).code, "010101")
        self.assertEqual(resolver.resolve(["０１０１０１"]).code, "010101")
        self.assertIsNone(resolver.resolve(["", ""]))

    def test_it_creates_missing_topics_only_when_asked(self):
        with self.assertRaises(catalogue.TreeError) as caught:
            catalogue.LabelResolver(self.cast.county).resolve(["城乡建设", "电梯安全"])
        self.assertIn("城乡建设 → 电梯安全", str(caught.exception))
        made = catalogue.LabelResolver(self.cast.county, create=True).resolve(["城乡建设", "电梯安全"])
        self.assertEqual((made.code, made.level, made.parent.code), ("010500", 2, "010000"))
        made = catalogue.LabelResolver(self.cast.county, create=True).resolve(["养老托育", "托育"])
        self.assertEqual((made.parent.code, made.code), ("130000", "130100"))


class TopicActionTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        catalogue.load_default(cls.cast.county)
        catalogue.load_default(cls.cast.other_county)
        cls.lamp = Topic.objects.get(region=cls.cast.county, code="010101")
        cls.roads = Topic.objects.get(region=cls.cast.county, code="020101")

    def test_the_citizen_office_and_unit_each_set_it_with_an_event(self):
        from wenzheng.handling import actions

        cast = self.cast
        message = cast.submit(unit=None, topic=self.lamp)
        self.assertEqual(message.topic, self.lamp)
        self.assertEqual(message.events.get(kind=Event.Kind.SUBMITTED).data["topic"], "010101")
        actions.dispatch(message=message, by=cast.county_office, unit=cast.unit_a, topic=self.roads)
        message.refresh_from_db()
        self.assertEqual(message.topic, self.roads)
        event = message.events.get(kind=Event.Kind.TOPIC_SET)
        self.assertEqual((event.data["topic"], event.data["previous"]), ("020101", "010101"))
        actions.reply(message=message, by=cast.handler_a, text="已修复。", topic=self.lamp)
        message.refresh_from_db()
        self.assertEqual(message.topic, self.lamp)
        self.assertEqual(message.events.filter(kind=Event.Kind.TOPIC_SET).count(), 2)

    def test_it_refuses_another_countys_topic_and_strangers(self):
        from wenzheng.accounts.policy import ActionRefused
        from wenzheng.handling import actions

        cast = self.cast
        foreign = Topic.objects.get(region=cast.other_county, code="010101")
        with self.assertRaises(ActionRefused):
            cast.submit(unit=None, topic=foreign)
        message = cast.submit(unit="a")
        for stranger in (cast.handler_b, cast.other_county_office, cast.citizen):
            with self.assertRaises(ActionRefused):
                actions.set_topic(message=message, by=stranger, topic=self.lamp)
        with self.assertRaises(ActionRefused):
            actions.set_topic(message=message, by=cast.county_office, topic=foreign)
        message.refresh_from_db()
        self.assertIsNone(message.topic)
        actions.set_topic(message=message, by=cast.leader_a, topic=self.lamp)
        message.refresh_from_db()
        self.assertEqual(message.topic, self.lamp)
