"""The quarterly bulletin on the seed's own first quarter: 108 units (2 new), 46
messages (23 consultations, 5 suggestions, 18 appeals), all replied, 45 closed. The
summary sentence must read exactly as the article; the documents are opened again
and read back."""

import io
import re

import openpyxl
from docx import Document

from wenzheng.evaluation import bulletin, documents
from wenzheng.handling import actions
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, local
from wenzheng.units.models import Unit

Q1 = periods.parse("2026Q1")
NOW = local(2026, 6, 1)
SEED = (
    "新增2个实名上网单位,实名上网单位总数达108个。共收到网民留言总数46条(其中,咨询类23条、建议类5条、诉求类18条),"
    "回复网民留言46条,回复率100%。办结网民留言45条,正在办理1条,办结率为97.8%。"
)


class SeedQuarterTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        since = local(2020, 1, 1).date()
        # The cast has 2 units in 罗城; 104 more old ones and 2 registered in Q1 make 108.
        Unit.objects.bulk_create(
            Unit(region=c.county, name=f"县直部门{n:03d}", kind="department", registered_on=since) for n in range(104)
        )
        for name, day in (("新单位甲", 10), ("新单位乙", 20)):
            Unit.objects.create(region=c.county, name=name, kind="department", registered_on=local(2026, 2, day).date())
        plan = [(c.consultation, 23), (c.suggestion, 5), (c.appeal, 18)]
        n = 0
        for category, count in plan:
            for _ in range(count):
                n += 1
                at = local(2026, 1 + n % 3, 10 + n % 10, 9)
                m = c.submit(category=category, at=at)
                # Two replies come late: 东门镇 is named for lateness.
                reply_at = local(2026, 3, 30, 9) if n in (1, 2) else at.replace(hour=10)
                actions.reply(message=m, by=c.handler_a, text="已答复。", at=reply_at)
                if n != 46:  # one appeal still being handled
                    kind = "solved" if category == c.appeal else "answered"
                    actions.close(message=m, by=c.leader_a, kind=kind, at=reply_at.replace(hour=11))
        cls.bulletin = bulletin.assemble(c.county, Q1, now=NOW)

    def test_the_summary_reads_as_the_article(self):
        self.assertEqual(self.bulletin.figures.summary(), SEED)
        self.assertEqual(self.bulletin.title, "罗城仫佬族自治县网络问政工作2026年第一季度情况通报")

    def test_late_responses_and_replies_name_their_unit(self):
        # Each late reply also acknowledged late: 2 messages, 4 stages.
        self.assertEqual(self.bulletin.late_units, [("东门镇", 4)])
        self.assertEqual(self.bulletin.late_sentence(), "本期回应、回复迟延的单位有1个：东门镇（4条次）。")
        self.assertEqual({item.kind for item in self.bulletin.late}, {"回应", "回复"})
        self.assertTrue(all(item.given for item in self.bulletin.late))

    def test_the_docx_holds_title_summary_tables_late_units_and_charts(self):
        d = Document(io.BytesIO(documents.bulletin_docx(self.bulletin)))
        texts = [p.text for p in d.paragraphs]
        self.assertEqual(texts[0], "罗城仫佬族自治县网络问政工作2026年第一季度情况通报")
        self.assertEqual(texts[1], "统计期间：2026年1月1日至2026年3月31日　统计截止：2026年3月31日24时")
        self.assertIn(SEED, texts)
        self.assertIn("本期回应、回复迟延的单位有1个：东门镇（4条次）。", texts)
        kpis, units, late = d.tables
        self.assertIn(["回复率", "100%"], [[c.text for c in row.cells] for row in kpis.rows])
        self.assertIn(["办结率", "97.8%"], [[c.text for c in row.cells] for row in kpis.rows])
        self.assertEqual(
            [c.text for c in units.rows[1].cells], ["东门镇", "乡镇", "46", "46", "100%", "45", "97.8%", "4"]
        )
        self.assertEqual(len(late.rows), 1 + 4)
        self.assertEqual([c.text for c in late.rows[0].cells], documents.LATE_HEADER)
        self.assertTrue(all(re.match(r"^2026-\d{6}$", row.cells[0].text) for row in late.rows[1:]))
        self.assertEqual(len(d.inline_shapes), 3)  # category mix, monthly trend, unit rates

    def test_the_xlsx_holds_summary_units_and_late_messages(self):
        book = openpyxl.load_workbook(io.BytesIO(documents.bulletin_xlsx(self.bulletin)))
        self.assertEqual(book.sheetnames, ["概况", "各单位", "迟延留言"])
        summary = [row[0] for row in book["概况"].iter_rows(values_only=True)]
        self.assertEqual(summary[0], "罗城仫佬族自治县网络问政工作2026年第一季度情况通报")
        self.assertIn(SEED, summary)
        self.assertIn("本期回应、回复迟延的单位有1个：东门镇（4条次）。", summary)
        self.assertEqual(len(book["概况"]._images), 2)
        units = list(book["各单位"].iter_rows(values_only=True))
        self.assertEqual(list(units[0]), documents.UNIT_HEADER)
        self.assertEqual(len(units), 1 + 108)  # every unit, those without messages too
        # Rates are numbers with a percent format (they sort and sum), shown as 100% and 97.8%.
        self.assertIn(("东门镇", "乡镇", 46, 46, 1, 45, 0.978, 4), units)
        row = next(r for r in book["各单位"].iter_rows() if r[0].value == "东门镇")
        self.assertEqual((row[4].number_format, row[6].number_format), ("0%", "0.0%"))
        self.assertIn(("县直部门000", "部门", 0, 0, "—", 0, "—", 0), units)  # no rate over no messages
        kpis = {r[0].value: r[1] for r in book["概况"].iter_rows() if r[0].value in ("回复率", "办结率")}
        self.assertEqual((kpis["办结率"].value, kpis["办结率"].number_format), (0.978, "0.0%"))
        # Counts are numbers, their measure word in a column of its own (a journalist's
        # trial could not sum "46条").
        counts = {
            r[0]: r[1:] for r in book["概况"].iter_rows(values_only=True) if r[0] in ("收到网民留言", "回应、回复迟延")
        }
        self.assertEqual(counts, {"收到网民留言": (46, "条"), "回应、回复迟延": (4, "条次")})
        late = list(book["迟延留言"].iter_rows(values_only=True))
        self.assertEqual(len(late), 1 + 4)
        self.assertEqual({row[2] for row in late[1:]}, {"东门镇"})


def test_a_midnight_cutoff_reads_as_24_hours_of_the_day_before():
    assert documents.moment(local(2026, 4, 1)) == "2026年3月31日24时"
    assert documents.moment(local(2026, 3, 5, 9, 30)) == "2026年3月5日09:30"


def test_a_midnight_when_something_happened_reads_as_00_00_of_its_own_day():
    assert periods.occurred(local(2026, 3, 5)) == "2026年3月5日00:00"
    assert periods.occurred(local(2026, 3, 5, 9, 30)) == documents.moment(local(2026, 3, 5, 9, 30))


class CityBulletinTest(CastTestCase):
    def test_units_of_the_same_name_in_two_counties_are_counted_and_named_apart(self):
        # A trial: the city's bulletin showed 罗城's 县交通运输局 count on 天峨's.
        c = self.cast
        c.unit_c.name = c.unit_b.name
        c.unit_c.save()
        late = c.submit(unit="b", at=local(2026, 3, 2, 9))
        actions.reply(message=late, by=c.handler_b, text="已答复。", at=local(2026, 3, 20, 9))
        on_time = c.submit(unit="c", at=local(2026, 3, 2, 9))
        actions.reply(message=on_time, by=c.handler_c, text="已答复。", at=local(2026, 3, 2, 10))
        found = bulletin.assemble(c.city, Q1, now=NOW)
        name = c.unit_b.name
        self.assertEqual(found.late_units, [(f"罗城仫佬族自治县·{name}", 2)])
        rows = {row[0]: row[-1] for row in documents._unit_rows(found, found.units_with_messages)}
        self.assertEqual(rows, {f"罗城仫佬族自治县·{name}": 2, f"环江毛南族自治县·{name}": 0})
        # A county's own bulletin names its units as they are.
        self.assertEqual(bulletin.assemble(c.county, Q1, now=NOW).late_units, [(name, 2)])
