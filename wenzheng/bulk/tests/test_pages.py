"""The office's import page: upload, progress bar polled by htmx, the report."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wenzheng.bulk import jobs
from wenzheng.bulk.models import ImportJob
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase

from . import platform_export as export
from .helpers import good_row, xlsx


class ImportPageTests(CastTestCase):
    def upload(self, user="county_office", content=None, **data):
        self.client.force_login(getattr(self.cast, user))
        upload = SimpleUploadedFile("导出.xlsx", content or xlsx([good_row("1"), good_row("1")]))
        return self.client.post(reverse("bulk:imports"), {"file": upload, "region": self.cast.county.pk, **data})

    def test_an_upload_queues_a_job_for_the_worker(self):
        response = self.upload(source="原县长信箱")
        job = ImportJob.objects.get()
        self.assertRedirects(response, reverse("bulk:job", args=[job.pk]))
        self.assertEqual((job.state, job.source, job.created_by), ("queued", "原县长信箱", self.cast.county_office))

    def test_the_page_polls_until_done_then_shows_the_report(self):
        self.upload()
        job = ImportJob.objects.get()
        page = self.client.get(reverse("bulk:job", args=[job.pk]))
        self.assertContains(page, 'hx-trigger="every 1s"')
        self.assertContains(page, "排队中")
        jobs.run(jobs.claim(job.pk))
        partial = self.client.get(reverse("bulk:job", args=[job.pk]), headers={"HX-Request": "true"})
        self.assertNotContains(partial, "hx-trigger")
        self.assertNotContains(partial, "<html")
        self.assertContains(partial, 'value="100"')
        self.assertContains(partial, "新增留言 <b>1</b> 条，已导入过 0 条，有问题 1 行")
        # The message it made, to find it again (a newcomer had to search for it).
        made = Message.objects.get(import_source__job=job)
        self.assertContains(partial, f"本次导入的1条留言，编号从{made.serial}到{made.serial}")
        self.assertContains(partial, f'<a href="/work/messages/{made.pk}/">{made.serial}</a>')
        self.assertContains(partial, "<li>1行：留言编号重复</li>", html=False)
        row = '<td class="num">3</td><td>留言编号</td><td>留言编号重复</td><td>“1”与第2行重复</td>'
        self.assertContains(partial, row, html=False)
        report = self.client.get(reverse("bulk:job-problems", args=[job.pk]))
        self.assertEqual(
            report.content.decode("utf-8-sig").splitlines(),
            [
                "问题汇总（一行有几类问题，就计入几类）",
                "1行：留言编号重复",
                "",
                "行号,列,问题类型,问题",
                "3,留言编号,留言编号重复,“1”与第2行重复",
            ],
        )

    def test_a_file_refused_whole_says_so_without_a_progress_bar(self):
        self.upload(content=xlsx([["1", "路灯", "2024-03-04"]], header=["编号", "标题", "反映日期"]))
        job = jobs.run(jobs.claim(ImportJob.objects.get().pk))
        page = self.client.get(reverse("bulk:job", args=[job.pk]))
        self.assertContains(page, "文件未导入，没有读取任何一行。")
        self.assertContains(page, "未识别的列“反映日期”可能是留言时间")
        self.assertNotContains(page, "<progress")
        self.assertNotContains(page, "已处理 0 / ? 行")

    def test_the_page_says_which_columns_it_imports(self):
        self.client.force_login(self.cast.county_office)
        page = self.client.get(reverse("bulk:imports"))
        # 一级/二级/三级分类 are imported as topics: never said to be left out.
        self.assertNotContains(page, "一级分类）不导入")
        self.assertNotContains(page, "点赞数、一级分类")
        self.assertContains(page, "事项分类（一级分类、二级分类、三级分类")
        self.assertContains(page, "可选的签收时间")
        self.assertContains(page, "不认识的列（如点赞数）不导入")

    def test_only_the_countys_office_imports(self):
        for user in ("citizen", "handler_a", "leader_a", "city_office"):
            with self.subTest(user):
                self.client.force_login(getattr(self.cast, user))
                self.assertEqual(self.client.get(reverse("bulk:imports")).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(reverse("bulk:imports")).status_code, 302)

    def test_another_countys_office_cannot_open_the_job(self):
        self.upload()
        job = ImportJob.objects.get()
        self.client.force_login(self.cast.other_county_office)
        self.assertEqual(self.client.get(reverse("bulk:job", args=[job.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("bulk:job-problems", args=[job.pk])).status_code, 404)

    def test_an_office_cannot_import_into_another_county(self):
        self.client.force_login(self.cast.other_county_office)
        upload = SimpleUploadedFile("a.xlsx", xlsx([good_row()]))
        response = self.client.post(reverse("bulk:imports"), {"file": upload, "region": self.cast.county.pk})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ImportJob.objects.exists())

    def test_it_refuses_other_file_types(self):
        self.client.force_login(self.cast.county_office)
        upload = SimpleUploadedFile("a.pdf", b"%PDF")
        response = self.client.post(reverse("bulk:imports"), {"file": upload, "region": self.cast.county.pk})
        self.assertContains(response, "只能导入 .xlsx、.xls 或 .csv 文件。")


class RealExportPageTests(CastTestCase):
    """A real platform's GBK export through the page, as the clerk does it."""

    def upload(self, content, **data):
        self.client.force_login(self.cast.county_office)
        upload = SimpleUploadedFile("原平台导出.csv", content)
        data = {"file": upload, "region": self.cast.county.pk, "default_category": self.cast.consultation.pk, **data}
        response = self.client.post(reverse("bulk:imports"), data)
        job = ImportJob.objects.latest("pk")
        self.assertRedirects(response, reverse("bulk:job", args=[job.pk]))
        return jobs.run(jobs.claim(job.pk))  # what the background worker does

    def test_the_form_offers_the_choices_with_history_by_default(self):
        self.client.force_login(self.cast.county_office)
        page = self.client.get(reverse("bulk:imports"))
        self.assertContains(page, "单位为空时交给")
        self.assertContains(page, "历史留言不检查单位的实名上网日期")
        self.assertContains(page, 'value="history" id="id_unanswered_0" checked', html=False)
        self.assertContains(page, "不会在导入次日全部超期")

    def test_the_choices_are_stored_on_the_job_and_the_report_opens_with_the_summary(self):
        job = self.upload(
            export.typical().gbk_csv(),
            default_unit=self.cast.unit_a.pk,
            waive_registration="on",
            unanswered="clock",
        )
        self.assertEqual(
            (job.state, job.default_unit, job.waive_registration, job.unanswered),
            ("done", self.cast.unit_a, True, "clock"),
        )
        self.assertEqual((job.created_count, job.problem_count), (5, 1))
        self.assertEqual(job.ignored_columns, export.IGNORED)
        page = self.client.get(reverse("bulk:job", args=[job.pk]))
        text = page.content.decode()
        self.assertLess(text.index("<li>1行：超过字数</li>"), text.index("问题清单"))
        self.assertContains(page, "<li>点赞数</li>", html=False)
        self.assertContains(page, "自导入时起计办理时限")
        self.assertContains(page, "不能超过20000个字（这一格有140,000个字）")
        report = self.client.get(reverse("bulk:job-problems", args=[job.pk]))
        self.assertEqual(
            report.content.decode("utf-8-sig").splitlines(),
            [
                "问题汇总（一行有几类问题，就计入几类）",
                "1行：超过字数",
                "未导入的列：" + "、".join(export.IGNORED),
                "",
                "行号,列,问题类型,问题",
                '8,留言内容,超过字数,"不能超过20000个字（这一格有140,000个字）"',
            ],
        )

    def test_without_a_default_unit_the_page_groups_the_refusals(self):
        job = self.upload(export.many_replied(1_200).gbk_csv())
        self.assertEqual((job.state, job.created_count, job.problem_count), ("done", 0, 1_200))
        page = self.client.get(reverse("bulk:job", args=[job.pk]))
        self.assertContains(page, "<li>1,200行：缺少单位</li>", html=False)
        self.assertContains(page, "有问题的行没有导入")

    def test_a_unit_of_another_county_is_refused(self):
        self.client.force_login(self.cast.county_office)
        upload = SimpleUploadedFile("a.csv", export.typical().gbk_csv())
        data = {"file": upload, "region": self.cast.county.pk, "default_unit": self.cast.unit_c.pk}
        response = self.client.post(reverse("bulk:imports"), data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ImportJob.objects.exists())
