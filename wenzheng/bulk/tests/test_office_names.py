"""A district's import reads of 本区: its units, its topic tree; the administrator,
who imports for any county, of the one chosen."""

from wenzheng.testing import CastTestCase, District

from .helpers import HEADER, csv_bytes, good_row, run_import


class DistrictImportTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.district = District(cls.cast)

    def test_a_districts_problems_say_ben_qu(self):
        d = self.district
        rows = [[*good_row("1", unit="东门乡"), "城乡建设"], [*good_row("2", unit="罗城县东门镇"), "城乡建设"]]
        outcome = run_import(self.cast, csv_bytes(rows, [*HEADER, "一级分类"]), "m.csv", region=d.region, by=d.office)
        problems = [text for _, _, text, _ in outcome.problems]
        self.assertEqual(
            problems,
            [
                "“东门乡”不是本区的实名上网单位",
                "“罗城县东门镇”是罗城仫佬族自治县的单位，不能导入本区：请在罗城仫佬族自治县导入这一行",
            ],
        )
        self.assertIn("一级分类（事项分类：本区尚未建立事项分类表，暂不导入）", outcome.ignored)

    def test_the_import_page_names_whose_tree_the_rows_are_read_by(self):
        self.client.force_login(self.district.office)
        page = self.client.get("/bulk/imports/")
        self.assertContains(page, "三级分类，按本区事项分类表对应；本区尚未建立分类表的暂不导入")
        self.assertContains(page, "三级分类按本区事项分类表导入为事项分类")
        self.assertContains(page, "等列写的分类不在本区事项分类表中时")
        self.assertNotContains(page, "本县")
        self.client.force_login(self.cast.admin)
        page = self.client.get("/bulk/imports/")
        self.assertContains(page, "三级分类，按该县（区）事项分类表对应；该县（区）尚未建立分类表的暂不导入")
        self.assertContains(page, "三级分类按所选县（区）的事项分类表导入为事项分类")
