"""One rule for a citizen's contact details, proved on every surface that could
show them (the message page, the API, the export, the admin), for every role of
the cast and a message in each of the two counties; and each showing recorded.
The citizen typed the phone and ID number into the title and the text as well:
those who may not see the contact read them masked there too."""

import csv
import io

from django.urls import reverse

from wenzheng.accounts.groups import make_office_staff
from wenzheng.accounts.policy import contact_visible, may_see_contact
from wenzheng.api.models import ApiToken
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.privacy.models import AccessRecord
from wenzheng.testing import ROLES, CastTestCase, local

# Who may see the contact of a message of 罗城's 东门镇 (unit_a) and of 环江's 思恩镇 (unit_c).
SEES = {
    "luocheng": {"citizen", "handler_a", "leader_a", "county_office", "admin"},
    "huanjiang": {"other_citizen", "handler_c", "other_county_office", "admin"},
}
# Who may open the message at all (the rest get a 404).
OPENS = {
    "luocheng": SEES["luocheng"] | {"city_office"},
    "huanjiang": SEES["huanjiang"] | {"city_office"},
}
PHONES = {"luocheng": "13911110001", "huanjiang": "13922220002"}
ID_NUMBERS = {"luocheng": "450225199001011234", "huanjiang": "452226198502023456"}


class ContactPolicyTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        cls.messages = {
            "luocheng": cls._message(c.citizen, c.unit_a, "luocheng"),
            "huanjiang": cls._message(c.other_citizen, c.unit_c, "huanjiang"),
        }
        for office in (c.county_office, c.other_county_office, c.city_office):
            make_office_staff(office)
        cls.tokens = {r: ApiToken.issue(user=getattr(c, r), name="测试")[1] for r in ROLES if r != "anonymous"}

    @classmethod
    def _message(cls, citizen, unit, county):
        return actions.submit(
            by=citizen, category=cls.cast.consultation, unit=unit, title=f"{county}的路灯，电话{PHONES[county]}",
            body=f"路灯坏了，我的电话{PHONES[county]}，身份证{ID_NUMBERS[county]}。",
            name="张三丰", phone=PHONES[county], id_number=ID_NUMBERS[county], email="zsf@example.com",
            address="新街路18号", consent_to_publish=True, at=local(2026, 3, 2, 9),
        )  # fmt: skip

    def as_(self, role):
        user = getattr(self.cast, role)
        self.client.force_login(user)
        return user

    def records(self, **kwargs):
        return AccessRecord.objects.filter(**kwargs).count()

    def test_the_rule_is_the_same_read_one_message_at_a_time_or_as_a_filter(self):
        for role in ROLES[1:]:
            user = getattr(self.cast, role)
            as_filter = set(Message.objects.filter(contact_visible(user)).values_list("pk", flat=True))
            one_by_one = {m.pk for m in Message.objects.all() if may_see_contact(user, m)}
            with self.subTest(role=role):
                self.assertEqual(as_filter, one_by_one)
                expected = {self.messages[county].pk for county, seers in SEES.items() if role in seers}
                self.assertEqual(as_filter, expected)

    def test_the_message_page(self):
        for county, message in self.messages.items():
            for role in (
                "handler_a",
                "leader_a",
                "handler_c",
                "county_office",
                "other_county_office",
                "city_office",
                "admin",
            ):
                with self.subTest(county=county, role=role):
                    user = self.as_(role)
                    before = self.records(user=user, surface="page")
                    response = self.client.get(reverse("workspace:message", args=[message.pk]))
                    if role not in OPENS[county]:
                        self.assertEqual(response.status_code, 404)
                        continue
                    self.assertEqual(response.status_code, 200)
                    shown = role in SEES[county]
                    self.assertEqual(PHONES[county] in response.content.decode(), shown)
                    self.assertEqual(ID_NUMBERS[county] in response.content.decode(), shown)
                    self.assertEqual(f"我的电话{PHONES[county][:3]}****" in response.content.decode(), not shown)
                    self.assertEqual(self.records(user=user, surface="page") - before, int(shown))

    def test_the_api(self):
        for county, message in self.messages.items():
            path = f"/api/v1/my/messages/{county}/{message.serial}"
            for role in ROLES[1:]:
                with self.subTest(county=county, role=role):
                    user = getattr(self.cast, role)
                    before = self.records(user=user, surface="api")
                    response = self.client.get(path, headers={"Authorization": f"Bearer {self.tokens[role]}"})
                    if role not in OPENS[county]:
                        self.assertEqual(response.status_code, 404)
                        continue
                    citizen = response.json()["citizen"]
                    if role in SEES[county]:
                        self.assertEqual((citizen["phone"], citizen["id_number"]), (PHONES[county], ID_NUMBERS[county]))
                    else:
                        self.assertIsNone(citizen)
                        self.assertNotIn(PHONES[county], response.content.decode())
                        self.assertIn(f"{PHONES[county][:3]}****", response.json()["body"])
                    listed = self.client.get(
                        "/api/v1/my/messages",
                        {"region": "hechi"},
                        headers={"Authorization": f"Bearer {self.tokens[role]}"},
                    ).json()["results"]
                    title = next(r["title"] for r in listed if (r["region"], r["serial"]) == (county, message.serial))
                    self.assertEqual(PHONES[county] in title, role in SEES[county])
                    # The citizen reading their own message is not a staff opening.
                    recorded = role in SEES[county] and "citizen" not in role
                    self.assertEqual(self.records(user=user, surface="api") - before, int(recorded))

    def test_the_export(self):
        for role in ("handler_a", "handler_c", "county_office", "other_county_office", "city_office", "admin"):
            with self.subTest(role=role):
                user = self.as_(role)
                response = self.client.get(reverse("bulk:export-messages", args=["csv"]))
                rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
                by_county = {"罗城仫佬族自治县": "luocheng", "环江毛南族自治县": "huanjiang"}
                exported = {by_county[r[13]]: r for r in rows[1:]}
                for county, row in exported.items():
                    shown = role in SEES[county]
                    self.assertEqual((row[1], row[12]), ("张三丰", PHONES[county]) if shown else ("", ""))
                    self.assertEqual(PHONES[county] in row[2] + row[4], shown)  # title and text
                carrying = {county for county in exported if role in SEES[county]}
                records = AccessRecord.objects.filter(user=user, surface="export")
                self.assertEqual({r.region.code for r in records}, carrying)
                self.assertTrue(all(r.rows == 1 and r.detail.startswith("messages.csv") for r in records))

    def test_the_admin(self):
        for county, message in self.messages.items():
            for role in ("county_office", "other_county_office", "city_office", "admin"):
                with self.subTest(county=county, role=role):
                    user = self.as_(role)
                    before = self.records(user=user, surface="admin")
                    response = self.client.get(f"/admin/handling/message/{message.pk}/change/")
                    if role not in OPENS[county]:
                        self.assertEqual(response.status_code, 302)  # "does not exist", back to the index
                        continue
                    self.assertEqual(response.status_code, 200)
                    shown = role in SEES[county]
                    self.assertEqual(PHONES[county] in response.content.decode(), shown)
                    self.assertEqual("张三丰" in response.content.decode(), shown)
                    self.assertEqual(self.records(user=user, surface="admin") - before, int(shown))
                    listed = self.client.get("/admin/handling/message/").content.decode()
                    self.assertEqual(PHONES[county] in listed, shown)

    def test_the_county_office_reads_its_own_countys_records_only(self):
        for role in ("county_office", "other_county_office"):
            self.as_(role)
            for message in self.messages.values():
                self.client.get(reverse("workspace:message", args=[message.pk]))
        self.as_("county_office")
        page = self.client.get(reverse("workspace:access-records", args=["luocheng"]))
        self.assertEqual([r.message for r in page.context["page"].object_list], [self.messages["luocheng"]])
        self.assertContains(page, "county_office")
        self.assertNotContains(page, "other_county_office")
        filtered = self.client.get(reverse("workspace:access-records", args=["luocheng"]), {"surface": "api"})
        self.assertEqual(list(filtered.context["page"].object_list), [])
        self.assertEqual(self.client.get(reverse("workspace:access-records", args=["huanjiang"])).status_code, 404)
        self.as_("city_office")
        self.assertEqual(self.client.get(reverse("workspace:access-records", args=["luocheng"])).status_code, 403)
