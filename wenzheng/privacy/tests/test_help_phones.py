"""The pages that tell people to call the county office give its number (found by a
newcomer: the 429 page said to phone the office, and no page said what number)."""

from django.test import override_settings

from wenzheng.accounts.policy import ActionRefused
from wenzheng.privacy import actions as privacy
from wenzheng.privacy.models import PublicContact
from wenzheng.testing import CastTestCase

OFFICE = "0778-5212345"
OTHER_OFFICE = "0778-5219999"
A = {"REMOTE_ADDR": "203.0.113.7"}


class HelpPhonesTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        privacy.add_public_contact(
            region=c.county, by=c.county_office, value=OFFICE, label="县网络问政办", for_help=True
        )
        privacy.add_public_contact(region=c.county, by=c.county_office, value="0778-8212345", label="东门镇咨询电话")
        privacy.add_public_contact(
            region=c.other_county, by=c.other_county_office, value=OTHER_OFFICE, label="县网络问政办", for_help=True
        )

    @override_settings(RATE_LIMITS={"track": (1, 600)})
    def test_the_refusal_for_too_many_tries_gives_the_countys_number(self):
        for n in range(2):
            response = self.client.post("/track/?county=luocheng", {"code": f"AAAAAAAAA{n}", "passcode": "B" * 8}, **A)
        self.assertContains(response, "请拨打县网络问政办电话反映", status_code=429)
        self.assertContains(response, f'县网络问政办：<a href="tel:07785212345">{OFFICE}</a>', status_code=429)
        self.assertNotContains(response, "0778-8212345", status_code=429)  # a unit's line is not the office's
        self.assertNotContains(response, OTHER_OFFICE, status_code=429)

    def test_a_page_the_account_may_not_open_gives_its_own_countys_number(self):
        self.client.force_login(self.cast.handler_a)
        response = self.client.get("/work/county/luocheng/", follow=False)
        self.assertContains(response, "请联系县网络问政办", status_code=403)
        self.assertContains(response, OFFICE, status_code=403)
        self.assertNotContains(response, OTHER_OFFICE, status_code=403)

    def test_where_the_county_is_not_known_each_countys_number_is_named(self):
        response = self.client.get("/accounts/password/reset/")
        self.assertContains(response, "罗城仫佬族自治县：县网络问政办：")
        self.assertContains(response, OFFICE)
        self.assertContains(response, OTHER_OFFICE)

    def test_the_office_marks_its_number_on_the_privacy_page(self):
        c = self.cast
        self.client.force_login(c.other_county_office)
        response = self.client.post(
            f"/work/county/{c.other_county.code}/privacy/",
            {
                "what": "contact",
                "contact-value": "0778-5210000",
                "contact-label": "网络问政办二线",
                "contact-for_help": "on",
            },
        )
        self.assertEqual(response.status_code, 302)
        page = self.client.get(f"/work/county/{c.other_county.code}/privacy/")
        self.assertContains(page, "求助电话")
        self.client.logout()
        self.assertContains(self.client.get("/accounts/password/reset/"), "环江毛南族自治县：网络问政办二线：")

    def test_a_listed_number_is_marked_and_unmarked_in_place(self):
        """Found by a newcomer: a number already listed could only be deleted and added
        again, which masks it on every public text meanwhile."""
        c = self.cast
        hotline = PublicContact.objects.get(value="0778-8212345")
        self.client.force_login(c.county_office)
        url = f"/work/county/{c.county.code}/privacy/contacts/{hotline.pk}/help/"
        self.assertContains(self.client.get(f"/work/county/{c.county.code}/privacy/"), "设为求助电话")
        self.assertEqual(self.client.post(url, {"for_help": "1"}).status_code, 302)
        self.assertContains(self.client.get("/accounts/password/reset/"), "东门镇咨询电话")
        self.client.post(url, {"for_help": "0"})
        self.assertNotContains(self.client.get("/accounts/password/reset/"), "东门镇咨询电话")
        self.assertTrue(PublicContact.objects.filter(pk=hotline.pk).exists())  # still published
        self.client.force_login(c.other_county_office)
        self.assertEqual(self.client.post(url, {"for_help": "1"}).status_code, 404)  # not its county


class ContactValuesTest(CastTestCase):
    def add(self, value):
        c = self.cast
        return privacy.add_public_contact(region=c.county, by=c.county_office, value=value, label="咨询", for_help=True)

    def test_a_number_typed_full_width_is_kept_plain(self):
        self.assertEqual(self.add("０７７８ ６６６ １２３４").value, "0778 666 1234")

    def test_words_in_a_number_and_a_malformed_address_are_refused(self):
        """Found by a newcomer: 拨打 0778 7776666 转 8 was dialled as 077877766668,
        and x @ y was offered as mailto:x @ y."""
        for value, says in (("拨打 0778 7776666 转 8", "分机号等请写在"), ("x @ y", "电子邮箱的格式不对")):
            with self.subTest(value), self.assertRaises(ActionRefused) as refused:
                self.add(value)
            self.assertIn(says, refused.exception.reason)
        self.assertFalse(PublicContact.objects.exists())
