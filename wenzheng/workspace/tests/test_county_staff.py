"""The county office keeps its units' staff accounts: opens, moves, stops, restarts
them and resets a password; each change kept for the rosters."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wenzheng.accounts.models import StaffChange, User
from wenzheng.accounts.staff import states_at
from wenzheng.security.models import AuditRecord
from wenzheng.testing import local

from .base import WorkspaceTestCase

URL = "/work/county/luocheng/staff/"


class StaffAccountsTest(WorkspaceTestCase):
    def create(self, **changes):
        data = {"username": "wang_dm", "display_name": "王东门", "phone": "13900000009", "role": "handler"}
        data = {f"new-{k}": v for k, v in ({**data, "unit": self.cast.unit_a.pk} | changes).items()}
        return self.client.post(URL, data, follow=True)

    def password_on(self, page):
        return re.search(r"临时密码 <b><code>([A-Za-z0-9]+)</code></b>", page.content.decode()).group(1)

    def test_it_is_the_county_offices(self):
        self.assertAccess(URL, allowed={"county_office", "admin"}, hidden={"other_county_office"})

    def test_the_page_reads_in_the_same_number_of_queries_however_many_accounts(self):
        self.as_("county_office")

        def queries():
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(URL).status_code, 200)
            return len(captured)

        before = queries()
        for n in range(5):
            User.objects.create_user(username=f"extra{n}", role="handler", unit=self.cast.unit_b)
        self.assertEqual(queries(), before)

    def test_the_office_opens_an_account_with_a_temporary_password_shown_once(self):
        self.as_("county_office")
        page = self.create()
        self.assertContains(page, "用户名 <b>wang_dm</b>")
        password = self.password_on(page)
        account = User.objects.get(username="wang_dm")
        self.assertEqual((account.role, account.unit, account.display_name), ("handler", self.cast.unit_a, "王东门"))
        self.assertTrue(account.check_password(password))
        self.assertNotContains(self.client.get(URL), password)  # once
        # Kept as a change from nothing: a roster read before it does not count them.
        change = StaffChange.objects.get(user=account)
        self.assertEqual(
            (change.unit_after, change.active_before, change.active_after), (self.cast.unit_a, False, True)
        )
        self.assertEqual(states_at([account.pk], local(2026, 1, 1))[account.pk][2], False)
        self.assertTrue(AuditRecord.objects.filter(kind="staff_added", detail__account="wang_dm").exists())

    def test_a_temporary_password_must_be_changed_before_anything_else(self):
        # The office has seen it: it must not stay a password that works.
        self.as_("county_office")
        password = self.password_on(self.create())
        self.client.logout()
        self.client.force_login(User.objects.get(username="wang_dm"))
        for url, then in [
            ("/work/", "?next=%2Fwork%2F"),
            ("/work/unit/?year=2026", "?next=%2Fwork%2Funit%2F%3Fyear%3D2026"),
            ("/", ""),
        ]:
            with self.subTest(url=url):
                self.assertRedirects(self.client.get(url), f"/accounts/password/{then}", fetch_redirect_response=False)
        self.assertRedirects(self.client.post("/work/unit/", {}), "/accounts/password/", fetch_redirect_response=False)
        api = self.client.get("/api/v1/openapi.json")  # a program is told, not sent to a page
        self.assertEqual((api.status_code, api.json()["code"]), (403, "password_temporary"))
        self.assertEqual(api.json()["message"], "请先在网页上修改临时密码。")
        page = self.client.get("/accounts/password/")
        self.assertContains(page, "您正在使用网络问政办设置的临时密码")
        self.assertContains(self.client.get("/accounts/password/?next=/work/unit/"), 'name="next" value="/work/unit/"')
        new = "Dongmen-2026-lamp"
        data = {"old_password": password, "new_password1": new, "new_password2": new}
        # Then on to the page they were going to (a link in a notice), if it is ours.
        forged = {**data, "next": "https://elsewhere.example/"}
        self.assertRedirects(
            self.client.post("/accounts/password/", forged), "/accounts/home/", fetch_redirect_response=False
        )
        self.client.force_login(User.objects.get(username="wang_dm"))
        data = {"old_password": new, "new_password1": "Dongmen-2026-lamp2", "new_password2": "Dongmen-2026-lamp2"}
        self.assertRedirects(
            self.client.post("/accounts/password/?next=/work/unit/", data), "/work/unit/", fetch_redirect_response=False
        )
        self.assertEqual(self.client.get("/work/unit/").status_code, 200)
        self.assertFalse(User.objects.get(username="wang_dm").password_temporary)
        # Reset by the office: temporary again.
        self.as_("county_office")
        account = User.objects.get(username="wang_dm")
        self.client.post(f"{URL}{account.pk}/password/")
        account.refresh_from_db()
        self.assertTrue(account.password_temporary)
        # The office's security page says so in Chinese (it read "account …；password reset").
        page = self.client.get(f"/work/county/{self.cast.county.code}/security/?kind=password_reset")
        self.assertContains(page, "重置工作人员密码")
        self.assertContains(page, '<span class="muted">账号</span> wang_dm')
        self.assertNotContains(page, "password</span>")

    def test_a_taken_name_or_another_countys_unit_is_refused_with_the_reason(self):
        self.as_("county_office")
        self.assertContains(self.create(username="Handler_A"), "用户名“Handler_A”已被使用，请换一个。", status_code=400)
        self.assertContains(self.create(username="a b"), "用户名须为3～30位字母、数字或 _ . -。", status_code=400)
        self.assertContains(self.create(unit=self.cast.unit_c.pk), "errorlist", status_code=400)
        self.assertContains(self.create(role="county_office"), "errorlist", status_code=400)
        self.assertFalse(User.objects.filter(username__in=["a b", "wang_dm"]).exists())

    def test_a_name_and_a_phone_are_kept_as_read_and_a_wrong_phone_is_refused(self):
        self.as_("county_office")
        self.assertContains(self.create(phone="12345"), "手机号应为11位，以1开头。", status_code=400)
        self.assertContains(self.create(display_name="\u200b \u202e"), "请填写姓名。", status_code=400)
        self.create(display_name="张\u202e三\u200b", phone="１３９００００２２２２")
        account = User.objects.get(username="wang_dm")
        self.assertEqual((account.display_name, account.phone), ("张三", "13900002222"))

    def test_the_office_moves_stops_and_restarts_an_account_each_kept(self):
        c = self.cast
        self.as_("county_office")
        url = f"{URL}{c.handler_a2.pk}/"
        prefix = f"a{c.handler_a2.pk}"
        moved = self.client.post(
            url, {f"{prefix}-unit": c.unit_b.pk, f"{prefix}-role": "handler", f"{prefix}-active": "on"}, follow=True
        )
        self.assertContains(moved, f"已调整{c.handler_a2}的账号。")
        stopped = self.client.post(url, {f"{prefix}-unit": c.unit_b.pk, f"{prefix}-role": "handler"}, follow=True)
        self.assertContains(stopped, "已停用")
        again = self.client.post(url, {f"{prefix}-unit": c.unit_b.pk, f"{prefix}-role": "handler"}, follow=True)
        self.assertContains(again, "账号没有变化。", status_code=400)
        account = User.objects.get(pk=c.handler_a2.pk)
        self.assertEqual((account.unit, account.is_active), (c.unit_b, False))
        kept = list(StaffChange.objects.filter(user=account).values_list("unit_before", "unit_after", "active_after"))
        self.assertEqual(kept, [(c.unit_a.pk, c.unit_b.pk, True), (c.unit_b.pk, c.unit_b.pk, False)])

    def test_the_list_carries_no_form_per_account(self):
        # A form of every unit in every row: 2.1 MB and 10 s for 347 accounts.
        self.as_("county_office")
        page = self.client.get(URL).content.decode()
        self.assertEqual(page.count("<form"), 3)  # opening an account, the filters, signing out
        self.assertContains(self.client.get(f"{URL}{self.cast.handler_a.pk}/"), "单位、角色和启用状态")

    def test_the_office_resets_a_forgotten_password(self):
        c = self.cast
        self.as_("county_office")
        page = self.client.post(f"{URL}{c.handler_a.pk}/password/", follow=True)
        self.assertDrawnAnywhere(page)
        password = self.password_on(page)
        self.assertTrue(User.objects.get(pk=c.handler_a.pk).check_password(password))
        # Shown once, on the list the reset redirected to: reloading it shows the list
        # and sets nothing again (a reload of the reset's own page reset it once more).
        self.assertEqual(page.redirect_chain, [(URL, 302)])
        again = self.client.get(URL)
        self.assertNotContains(again, password)
        self.assertTrue(User.objects.get(pk=c.handler_a.pk).check_password(password))

    def test_accounts_outside_the_county_or_not_unit_staff_are_not_the_offices(self):
        c = self.cast
        self.as_("county_office")
        for account in (c.handler_c, c.county_office, c.citizen, c.city_office):
            with self.subTest(account=account.username):
                self.assertEqual(self.client.post(f"{URL}{account.pk}/password/").status_code, 404)
        self.as_("other_county_office")
        self.assertEqual(self.client.post(f"{URL}{c.handler_a.pk}/password/").status_code, 404)


class StaffListFiltersTest(WorkspaceTestCase):
    """A county of 347 accounts: found by unit or name, and the list comes back as it
    was filtered after a change or a reset (it came back whole, to scroll again)."""

    def test_a_unit_or_a_name_narrows_the_list_and_a_change_keeps_it(self):
        c = self.cast
        self.as_("county_office")
        by_unit = self.client.get(f"{URL}?unit={c.unit_b.pk}")
        self.assertContains(by_unit, c.handler_b.username)
        self.assertNotContains(by_unit, f"<td>{c.handler_a.username}</td>")
        by_name = self.client.get(f"{URL}?q={c.handler_a.username.upper()}")
        self.assertContains(by_name, f"<td>{c.handler_a.username}</td>")
        self.assertNotContains(by_name, f"<td>{c.handler_b.username}</td>")
        self.assertContains(self.client.get(f"{URL}?q=没有这个人"), "没有符合条件的账号。")
        self.assertEqual(self.client.get(f"{URL}?unit=x&q=%E2%80%8B").status_code, 200)
        # The forms carry the filters; a reset shows the filtered list, a change returns to it.
        query = f"unit={c.unit_b.pk}&q={c.handler_b.username}"
        self.assertContains(by_unit, f"/{c.handler_b.pk}/?unit={c.unit_b.pk}")
        account_page = self.client.get(f"{URL}{c.handler_b.pk}/?{query}")
        self.assertContains(account_page, f"/password/?unit={c.unit_b.pk}")
        self.assertContains(account_page, f'href="{URL}?unit={c.unit_b.pk}')
        reset = self.client.post(f"{URL}{c.handler_b.pk}/password/?{query}", follow=True)
        self.assertContains(reset, "临时密码")
        self.assertNotContains(reset, f"<td>{c.handler_a.username}</td>")
        prefix = f"a{c.handler_b.pk}"
        data = {f"{prefix}-unit": c.unit_b.pk, f"{prefix}-role": "handler", f"{prefix}-active": ""}
        changed = self.client.post(f"{URL}{c.handler_b.pk}/?{query}", data)
        self.assertRedirects(changed, f"{URL}?{query}", fetch_redirect_response=False)
