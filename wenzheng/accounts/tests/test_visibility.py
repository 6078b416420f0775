"""Who sees which messages: every read of a message goes through visible_to()."""

from django.contrib.auth.models import AnonymousUser, Permission

from wenzheng.handling.models import Message
from wenzheng.testing import ROLES, CastTestCase, local


class VisibilityTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        cls.to_a = c.submit(unit="a", at=local(2026, 3, 2, 9), title="甲")
        cls.to_b = c.submit(unit="b", at=local(2026, 3, 2, 9), by="other_citizen", title="乙")
        cls.to_c = c.submit(unit="c", at=local(2026, 3, 2, 9), title="丙")
        cls.undispatched = c.submit(unit=None, at=local(2026, 3, 2, 9), by=None, title="丁")

    EXPECTED = {
        "citizen": {"甲", "丙"},
        "other_citizen": {"乙"},
        "handler_a": {"甲"},
        "leader_a": {"甲"},
        "handler_b": {"乙"},
        "leader_b": {"乙"},
        "handler_c": {"丙"},
        "county_office": {"甲", "乙", "丁"},
        "other_county_office": {"丙"},
        "city_office": {"甲", "乙", "丙", "丁"},
        "admin": {"甲", "乙", "丙", "丁"},
    }

    def test_every_role_sees_exactly_its_own(self):
        for role in ROLES:
            if role == "anonymous":
                continue
            with self.subTest(role=role):
                user = getattr(self.cast, role)
                titles = set(Message.objects.visible_to(user).values_list("title", flat=True))
                self.assertEqual(titles, self.EXPECTED[role])

    def test_anonymous_sees_nothing_through_the_staff_selector(self):
        self.assertFalse(Message.objects.visible_to(AnonymousUser()).exists())

    def test_the_public_sees_only_consented_answered_messages(self):
        c = self.cast
        secret = c.replied(at=local(2026, 3, 3, 9), consent=False, title="不公开")
        shown = c.replied(at=local(2026, 3, 3, 9), title="公开")
        published = set(Message.objects.published().values_list("pk", flat=True))
        self.assertIn(shown.pk, published)
        self.assertNotIn(secret.pk, published)
        self.assertNotIn(self.to_a.pk, published)  # consented, but not answered yet

    def test_office_staff_in_the_admin_see_only_their_county(self):
        c = self.cast
        office = c.other_county_office
        office.is_staff = True
        office.save()
        office.user_permissions.add(Permission.objects.get(codename="view_message"))
        self.client.force_login(office)
        response = self.client.get("/admin/handling/message/")
        self.assertContains(response, "丙")
        self.assertNotContains(response, "甲")
        other = self.client.get(f"/admin/handling/message/{self.to_a.pk}/change/")
        self.assertNotContains(other, "甲", status_code=302)
