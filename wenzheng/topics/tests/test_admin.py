"""The topic tree in the admin: each county office keeps its own, the city reads."""

from django.core.files.uploadedfile import SimpleUploadedFile

from wenzheng.accounts.groups import make_office_staff
from wenzheng.testing import CastTestCase, District
from wenzheng.topics import catalogue
from wenzheng.topics.models import Topic


class TopicAdminTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        for office in (c.county_office, c.other_county_office, c.city_office):
            make_office_staff(office)
        catalogue.load(c.county, "代码,名称\n010000,城乡建设\n010100,市政设施\n")
        catalogue.load(c.other_county, "代码,名称\n010000,环江城建\n")

    def test_a_county_office_sees_and_edits_its_own_tree_only(self):
        c = self.cast
        self.client.force_login(c.county_office)
        listed = {t.name for t in self.client.get("/admin/topics/topic/").context["cl"].result_list}
        self.assertEqual(listed, {"城乡建设", "市政设施"})
        foreign = Topic.objects.get(region=c.other_county)
        self.assertEqual(self.client.get(f"/admin/topics/topic/{foreign.pk}/change/").status_code, 302)
        major = Topic.objects.get(region=c.county, code="010000")
        response = self.client.post(
            "/admin/topics/topic/add/",
            {
                "region": c.county.pk,
                "code": "010200",
                "name": "住房",
                "level": 2,
                "parent": major.pk,
                "active": "on",
                "units": [c.unit_b.pk],
            },
        )
        self.assertEqual(response.status_code, 302)
        made = Topic.objects.get(region=c.county, code="010200")
        self.assertEqual(list(made.units.all()), [c.unit_b])
        # A code that does not fit its level is refused with the reason.
        response = self.client.post(
            "/admin/topics/topic/add/",
            {"region": c.county.pk, "code": "010201", "name": "错", "level": 2, "parent": major.pk, "active": "on"},
        )
        self.assertContains(response, "代码010201表示小类，与层级不符")
        # Another county's unit cannot be named.
        response = self.client.post(
            "/admin/topics/topic/add/",
            {
                "region": c.county.pk,
                "code": "010300",
                "name": "城管",
                "level": 2,
                "parent": major.pk,
                "units": [c.unit_c.pk],
            },
        )
        self.assertContains(response, "选择一个有效的选项")
        self.assertFalse(Topic.objects.filter(code="010300").exists())

    def test_the_city_office_reads_every_countys_tree(self):
        self.client.force_login(self.cast.city_office)
        listed = {t.name for t in self.client.get("/admin/topics/topic/").context["cl"].result_list}
        self.assertEqual(listed, {"城乡建设", "市政设施", "环江城建"})
        major = Topic.objects.get(region=self.cast.county, code="010000")
        response = self.client.post(f"/admin/topics/topic/{major.pk}/change/", {"name": "改名"})
        self.assertEqual(response.status_code, 403)


class TopicCsvAdminTests(CastTestCase):
    """事项分类导入、导出 in the admin: scoped as the rest of the topic admin; an import
    previewed whole, written only when confirmed, all of it or nothing."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        for office in (c.county_office, c.other_county_office, c.city_office):
            make_office_staff(office)
        catalogue.load(
            c.county, "代码,名称,承办单位\n010000,城乡建设,\n010100,市政设施,东门镇\n010101,路灯照明,东门镇\n"
        )
        catalogue.load(c.other_county, "代码,名称\n010000,环江城建\n")

    def upload(self, text, *, create=False, encoding="utf-8", region=None):
        file = SimpleUploadedFile("分类表.csv", text.encode(encoding), content_type="text/csv")
        data = {"region": (region or self.cast.county).pk, "file": file}
        if create:
            data["create"] = "on"
        return self.client.post("/admin/topics/topic/import/", data)

    def confirm(self, response):
        form = response.context["confirm"]
        data = {name: form[name].value() for name in form.fields}
        data["create"] = "True" if data["create"] else ""
        return self.client.post("/admin/topics/topic/import/", data, follow=True)

    def tree(self, region=None):
        topics = Topic.objects.filter(region=region or self.cast.county).order_by("code").prefetch_related("units")
        return [(t.code, t.name, t.active, sorted(u.name for u in t.units.all())) for t in topics]

    def test_a_county_office_exports_its_own_countys_tree(self):
        self.client.force_login(self.cast.county_office)
        page = self.client.get("/admin/topics/topic/")
        self.assertContains(page, "导出CSV")
        self.assertContains(page, "导入CSV")
        other = self.cast.other_county.pk
        response = self.client.get(f"/admin/topics/topic/export/?region={other}")  # not theirs: their own
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="topics-luocheng.csv"')
        text = response.content.decode("utf-8")
        self.assertTrue(text.startswith("\ufeff代码,名称,承办单位,启用"))
        self.assertIn("010101,路灯照明,东门镇,是", text)
        self.assertNotIn("环江城建", text)

    def test_the_city_office_exports_any_of_its_counties_and_imports_none(self):
        self.client.force_login(self.cast.city_office)
        page = self.client.get("/admin/topics/topic/")
        self.assertContains(page, "导出CSV")
        self.assertNotContains(page, "导入CSV")
        listing = self.client.get("/admin/topics/topic/export/")
        self.assertContains(listing, "罗城仫佬族自治县")
        self.assertContains(listing, "环江毛南族自治县")
        response = self.client.get(f"/admin/topics/topic/export/?region={self.cast.other_county.pk}")
        self.assertIn("010000,环江城建,,是", response.content.decode("utf-8"))
        self.assertEqual(self.client.get("/admin/topics/topic/import/").status_code, 403)
        before = self.tree()
        self.assertEqual(self.upload("代码,名称\n010000,改名\n").status_code, 403)
        self.assertEqual(self.tree(), before)

    def test_an_import_is_previewed_then_written_when_confirmed(self):
        self.client.force_login(self.cast.county_office)
        text = (
            "代码,名称,承办单位,启用\n010000,城乡建设管理,,是\n010100,市政设施,,是\n"
            "010101,路灯照明,东门镇；县住房和城乡建设局,否\n"
        )
        before = self.tree()
        preview = self.upload(text)
        for line in (
            "010000 名称：城乡建设 → 城乡建设管理",
            "010100 市政设施 承办单位：东门镇 → （无）",  # an empty cell clears them
            "010101 路灯照明：停用",
            "010101 路灯照明 承办单位：东门镇 → 东门镇、县住房和城乡建设局",
        ):
            self.assertContains(preview, line)
        self.assertEqual(self.tree(), before)  # nothing written by a preview
        done = self.confirm(preview)
        self.assertContains(done, "罗城仫佬族自治县的事项分类表已导入：新增0个，修改3个。")
        self.assertEqual(
            self.tree(),
            [
                ("010000", "城乡建设管理", True, []),
                ("010100", "市政设施", True, []),
                ("010101", "路灯照明", False, ["东门镇", "县住房和城乡建设局"]),
            ],
        )

    def test_topics_not_in_the_tree_are_created_only_when_ticked(self):
        self.client.force_login(self.cast.county_office)
        text = "代码,名称\n010102,井盖与窨井\n020000,交通运输\n020100,公共交通\n"
        refused = self.upload(text)
        self.assertContains(refused, "分类表有3处问题，未作任何修改")
        self.assertContains(
            refused, "第2行：代码010102（井盖与窨井）不在本县分类表中；如需新增，请勾选“新增表中没有的分类”。"
        )
        self.assertIsNone(refused.context["confirm"])
        preview = self.upload(text, create=True, encoding="gb18030")  # as Excel saves it on Windows
        self.assertContains(preview, "新增小类 010102 井盖与窨井")
        self.assertContains(preview, "新增大类 020000 交通运输")
        self.confirm(preview)
        made = Topic.objects.get(region=self.cast.county, code="020100")
        self.assertEqual((made.level, made.parent.code), (2, "020000"))

    def test_every_problem_is_named_by_row_and_nothing_is_half_written(self):
        self.client.force_login(self.cast.county_office)
        before = self.tree()
        response = self.upload("代码,名称,承办单位\n010000,城乡建设管理,\n010101,路灯照明,思恩镇\n")
        self.assertContains(response, "第3行：承办单位“思恩镇”不是本县的实名上网单位。")  # 环江's unit
        response = self.upload("代码,名称\n01010,短了\n010101,\n")
        self.assertContains(response, "第2行：代码应为六位数字。")
        self.assertContains(response, "第3行：名称不能为空，也不能超过40个字。")
        response = self.upload("编号,名字\n1,2\n")
        self.assertContains(response, "分类表须有“代码”和“名称”两列。")
        response = self.client.post(
            "/admin/topics/topic/import/",
            {"region": self.cast.county.pk, "file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00\xd8\x00\x00")},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.tree(), before)

    def test_a_preview_confirmed_after_the_tree_changed_is_shown_again(self):
        self.client.force_login(self.cast.county_office)
        preview = self.upload("代码,名称\n010000,城乡建设管理\n")
        Topic.objects.filter(region=self.cast.county, code="010000").update(name="城建")
        response = self.confirm(preview)
        self.assertContains(response, "预览之后本县分类表已有变化，请重新核对下列修改后再确认。")
        self.assertContains(response, "010000 名称：城建 → 城乡建设管理")
        self.assertEqual(Topic.objects.get(region=self.cast.county, code="010000").name, "城建")

    def test_another_countys_office_cannot_import_into_this_county(self):
        self.client.force_login(self.cast.other_county_office)
        before = self.tree()
        response = self.upload("代码,名称\n010000,改名\n")
        self.assertContains(response, "选择一个有效的选项")
        # Nor through a forged confirmation.
        data = {"region": self.cast.county.pk, "text": "代码,名称\n010000,改名\n", "create": "", "digest": "x"}
        response = self.client.post("/admin/topics/topic/import/", data)
        self.assertContains(response, "确认信息不完整或不属于您可导入的县（区），请重新上传分类表。")
        self.assertEqual(self.tree(), before)


class DistrictTreeTests(CastTestCase):
    """A district's office reads of 本区分类表, not 本县; the administrator, who
    imports for any county, of the one chosen."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.district = District(cls.cast)
        make_office_staff(cls.district.office)
        catalogue.load(cls.district.region, "代码,名称\n010000,城乡建设\n")

    def upload(self, text, *, create=False):
        file = SimpleUploadedFile("分类表.csv", text.encode(), content_type="text/csv")
        data = {"region": self.district.region.pk, "file": file, **({"create": "on"} if create else {})}
        return self.client.post("/admin/topics/topic/import/", data)

    def test_the_districts_import_says_ben_qu(self):
        self.client.force_login(self.district.office)
        page = self.client.get("/admin/topics/topic/import/")
        self.assertContains(page, "可先导出本区分类表再修改")
        self.assertContains(page, "不勾选时，本区分类表中还没有的代码逐行报错")
        refused = self.upload("代码,名称\n010100,市政设施\n")
        self.assertContains(refused, "第2行：代码010100（市政设施）不在本区分类表中")
        refused = self.upload("代码,名称,承办单位\n010100,市政设施,东门镇\n", create=True)  # 罗城's unit
        self.assertContains(refused, "第2行：承办单位“东门镇”不是本区的实名上网单位。")
        same = self.upload("代码,名称\n010000,城乡建设\n")
        self.assertContains(same, "表中1行与本区分类表一致，无需修改。")
        for response in (page, refused, same):
            self.assertNotContains(response, "本县")
        with self.assertRaisesMessage(catalogue.TreeError, "事项分类“交通运输”不在本区分类表中。"):
            catalogue.LabelResolver(self.district.region).resolve(["交通运输"])

    def test_the_administrator_reads_of_the_county_chosen(self):
        self.client.force_login(self.cast.admin)
        self.assertContains(self.client.get("/admin/topics/topic/import/"), "可先导出所选县（区）的分类表再修改")
