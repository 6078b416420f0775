"""The bell on every staff page, the notices list, and each person's preferences."""

from wenzheng.notifications.models import Notice, Preference
from wenzheng.testing import CastTestCase, local

from .helpers import at

NOW = local(2026, 3, 4, 10)
BELL = (
    '<a class="bell" href="/notices/">通知'
    '<span class="bell-count"><span class="visually-hidden">，未读</span>{}</span></a>'
)


class BellAndListTest(CastTestCase):
    def setUp(self):
        with at(NOW):
            self.first = self.cast.submit(title="路灯")
            self.second = self.cast.submit(title="井盖")

    def test_every_staff_page_shows_the_unread_count(self):
        self.client.force_login(self.cast.handler_a)
        for url in ("/work/unit/", f"/work/messages/{self.first.pk}/", "/"):
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), BELL.format(2), html=True)
        self.client.force_login(self.cast.leader_a)  # the leader is not told of arrivals
        self.assertContains(self.client.get("/work/unit/"), '<a class="bell" href="/notices/">通知</a>', html=True)

    def test_citizens_and_visitors_have_no_bell(self):
        self.assertNotContains(self.client.get("/"), 'class="bell"')
        self.client.force_login(self.cast.citizen)
        self.assertNotContains(self.client.get("/me/"), 'class="bell"')

    def test_the_list_shows_ones_own_notices_and_opening_one_marks_it_read(self):
        c = self.cast
        self.client.force_login(c.handler_a)
        page = self.client.get("/notices/")
        self.assertContains(page, f"网民给本单位的新留言{self.first.serial}（咨询）")
        self.assertContains(page, '未读<span class="count">（2）</span>', html=True)
        notice = Notice.objects.get(recipient=c.handler_a, text__contains=self.first.serial)
        response = self.client.get(f"/notices/{notice.pk}/open/")
        self.assertRedirects(response, f"/work/messages/{self.first.pk}/")
        notice.refresh_from_db()
        self.assertIsNotNone(notice.read_at)
        self.assertContains(self.client.get("/work/unit/"), BELL.format(1), html=True)
        # Someone else's notice is not there to open.
        other = Notice.objects.get(recipient=c.handler_a2, text__contains=self.first.serial)
        self.assertEqual(self.client.get(f"/notices/{other.pk}/open/").status_code, 404)
        self.client.post("/notices/read/")
        self.assertFalse(Notice.objects.filter(recipient=c.handler_a, read_at__isnull=True).exists())
        self.assertFalse(Notice.objects.filter(recipient=c.handler_a2, read_at__isnull=False).exists())

    def test_marking_one_read_leaves_the_rest(self):
        c = self.cast
        self.client.force_login(c.handler_a)
        one = Notice.objects.filter(recipient=c.handler_a).first()
        self.client.post("/notices/read/", {"notice": one.pk, "next": "/notices/?show=unread"})
        self.assertEqual(Notice.objects.filter(recipient=c.handler_a, read_at__isnull=True).count(), 1)
        self.client.post("/notices/read/", {"notice": "x"})
        self.assertEqual(Notice.objects.filter(recipient=c.handler_a, read_at__isnull=True).count(), 1)
        # Sent elsewhere afterwards only within the site.
        response = self.client.post("/notices/read/", {"next": "https://evil.example.com/"})
        self.assertRedirects(response, "/notices/")

    def test_the_bell_counts_at_most_ninety_nine_plus(self):
        Notice.objects.bulk_create(
            Notice(key=f"k{n}", kind="arrived", recipient=self.cast.handler_b, region=self.cast.county, text="t",
                   created_at=NOW)
            for n in range(120)
        )  # fmt: skip
        self.client.force_login(self.cast.handler_b)
        self.assertContains(self.client.get("/work/unit/"), BELL.format("99+"), html=True)


class PreferencesTest(CastTestCase):
    def test_staff_choose_their_channels_a_digest_and_where_to_be_reached(self):
        c = self.cast
        self.client.force_login(c.handler_a)
        page = self.client.get("/notices/settings/")
        self.assertContains(page, "每日汇总一次")
        wanted = {"pref-email": "on", "pref-daily_digest": "on", "contact-email": "a@dongmen.gov.cn",
                  "contact-phone": "１３９ ００００ ０００１"}  # fmt: skip
        # A forgotten password's code goes to them: changed with the password only.
        for password in ("", "wrong"):
            refused = self.client.post("/notices/settings/", {**wanted, "contact-password": password})
            self.assertContains(refused, "修改手机号或电子邮箱，请输入当前密码", status_code=400)
            c.handler_a.refresh_from_db()
            self.assertEqual((c.handler_a.email, c.handler_a.phone), ("", ""))
        response = self.client.post("/notices/settings/", {**wanted, "contact-password": "pw"})
        self.assertRedirects(response, "/notices/settings/")
        pref = Preference.objects.get(user=c.handler_a)
        self.assertEqual((pref.email, pref.sms, pref.daily_digest), (True, False, True))
        c.handler_a.refresh_from_db()
        self.assertEqual((c.handler_a.email, c.handler_a.phone), ("a@dongmen.gov.cn", "13900000001"))

    def test_a_number_that_cannot_take_an_sms_is_refused_and_nothing_is_saved(self):
        c = self.cast
        self.client.force_login(c.handler_a)
        response = self.client.post("/notices/settings/", {"pref-sms": "on", "contact-phone": "0778-8221234"})
        self.assertContains(response, "手机号应为11位", status_code=400)
        self.assertTrue(Preference.objects.get(user=c.handler_a).sms)  # the defaults, unchanged
        c.handler_a.refresh_from_db()
        self.assertEqual(c.handler_a.phone, "")

    def test_a_citizen_chooses_channels_only(self):
        self.client.force_login(self.cast.citizen)
        page = self.client.get("/notices/settings/")
        self.assertNotContains(page, "每日汇总")
        self.assertNotContains(page, "contact-phone")
        self.client.post("/notices/settings/", {"pref-email": "on"})
        self.assertFalse(Preference.objects.get(user=self.cast.citizen).sms)

    def test_signing_in_is_needed(self):
        self.assertRedirects(self.client.get("/notices/"), "/accounts/login/?next=/notices/")
