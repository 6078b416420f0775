"""The admin is Chinese throughout, and the holiday list opens at this year and can be
searched by name, year or date (issue 16)."""

import datetime as dt

import time_machine
from axes import admin as axes_admin

from wenzheng.testing import CastTestCase, local
from wenzheng.workdays.models import CalendarDay


class AdminListsTest(CastTestCase):
    def setUp(self):
        self.client.force_login(self.cast.admin)

    def test_the_login_throttling_section_is_in_chinese(self):
        page = self.client.get("/admin/").content.decode()
        self.assertIn("登录限制", page)
        self.assertIn("登录尝试", page)
        for english in ("Axes", "AXES", "Access attempts", "Access logs", "Access failures", "Model name", "Add link"):
            self.assertNotIn(english, page)
        page = self.client.get("/admin/axes/accessattempt/").content.decode()
        self.assertIn("尝试时间", page)
        self.assertNotIn("Attempt Time", page)
        self.assertEqual(str(axes_admin.IsLockedOutFilter.title), "锁定状态")
        message = self.cast.submit(at=local(2026, 3, 2, 9))
        messages = self.client.get("/admin/handling/message/")
        self.assertContains(messages, "留言编号")
        self.assertContains(messages, message.serial)

    def test_the_holiday_list_opens_at_the_current_year(self):
        with time_machine.travel(local(2026, 11, 30, 10), tick=False):
            response = self.client.get("/admin/workdays/calendarday/")
        self.assertRedirects(response, "/admin/workdays/calendarday/?date__year=2026")

    def test_the_holiday_list_is_searched_by_name_year_or_date(self):
        CalendarDay.objects.filter(date__year__in=(2025, 2026)).delete()
        CalendarDay.objects.create(date=dt.date(2026, 10, 1), kind="holiday", name="国庆节")
        CalendarDay.objects.create(date=dt.date(2026, 10, 11), kind="workday", name="国庆节")
        CalendarDay.objects.create(date=dt.date(2025, 10, 1), kind="holiday", name="国庆节")
        CalendarDay.objects.create(date=dt.date(2026, 1, 1), kind="holiday", name="元旦")
        url = "/admin/workdays/calendarday/"
        by_name = self.client.get(url, {"q": "国庆", "date__year": "2026"}).content.decode()
        self.assertIn("2026年10月1日", by_name)
        self.assertNotIn("元旦", by_name.split("<tbody>")[1])

        def found(q):
            page = self.client.get(url, {"q": q})
            return page, list(page.context["cl"].result_list.values_list("date", flat=True))

        self.assertEqual(found("2026-10-11")[1], [dt.date(2026, 10, 11)])
        by_year, days = found("2025")
        self.assertEqual(days, [dt.date(2025, 10, 1)])
        self.assertContains(by_year, "可按节日名称")


class EveryAdminListTest(CastTestCase):
    """Every list in the admin heads its columns and filters in Chinese."""

    ALLOWED = {"HTTP", "Accept", "GET", "POST", "TOTP", "API", "URL"}

    def test_no_list_heads_a_column_or_filter_in_english(self):
        import re

        from axes.models import AccessAttempt
        from django.contrib import admin

        self.client.force_login(self.cast.admin)
        AccessAttempt.objects.create(
            username="x", ip_address="10.0.0.1", failures_since_start=1, attempt_time=local(2026, 3, 2, 9)
        )
        for model in admin.site._registry:
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            with self.subTest(url=url):
                page = self.client.get(url, follow=True)
                self.assertEqual(page.status_code, 200)
                html = page.content.decode()
                heads = re.findall(r'<th scope="col"[^>]*>.*?<(?:a|span)[^>]*>(.*?)</(?:a|span)>', html, re.S)
                heads += re.findall(r"<summary>\s*(.*?)\s*</summary>", html, re.S)
                heads += re.findall(r"<td class=\"field-status\">(.*?)</td>", html, re.S)
                english = [
                    h
                    for h in heads
                    if set(re.findall(r"[A-Za-z]{3,}", h))
                    - self.ALLOWED
                    - {
                        "input",
                        "type",
                        "checkbox",
                        "class",
                        "action",
                        "toggle",
                        "select",
                        "all",
                        "title",
                        "aria",
                        "label",
                    }
                ]
                self.assertEqual(english, [], url)
