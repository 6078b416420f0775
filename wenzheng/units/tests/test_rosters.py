"""名单上报: who may be named in which slot, corrections as versions with their events,
next year's roster ahead, and the admin that only shows them."""

from django.contrib.admin.sites import site

from wenzheng.accounts.models import Role, User
from wenzheng.eventlog.models import Event
from wenzheng.handling.tests.helpers import HandlingTestCase
from wenzheng.testing import local
from wenzheng.units.models import RosterFiling
from wenzheng.units.services import roster_file

JANUARY = local(2026, 1, 10, 9)


class RosterTest(HandlingTestCase):
    """1 leader and at least 2 handlers make a complete roster; an incomplete one is
    accepted as filed (it costs points in the evaluation)."""

    def file(self, **changes):
        c = self.cast
        fields = {
            "unit": c.unit_a,
            "year": 2026,
            "leader": c.leader_a,
            "handlers": [c.handler_a, c.handler_a2],
            "by": c.leader_a,
            "at": JANUARY,
        }
        return roster_file(**(fields | changes))

    def test_a_complete_roster(self):
        c = self.cast
        filing = self.file()
        filing.refresh_from_db()
        self.assertTrue(filing.is_complete())
        members = set(filing.members.values_list("user__username", "position"))
        self.assertEqual(members, {("leader_a", "leader"), ("handler_a", "handler"), ("handler_a2", "handler")})
        self.assertEqual((filing.filed_by, filing.filed_at, filing.version), (c.leader_a, JANUARY, 1))
        event = Event.objects.get(kind="roster_filed")
        self.assertEqual(
            event.data,
            {
                "year": 2026,
                "version": 1,
                "filing": filing.pk,
                "leader": c.leader_a.pk,
                "handlers": [c.handler_a.pk, c.handler_a2.pk],
            },
        )

    def test_an_incomplete_roster_is_filed_but_is_not_complete(self):
        c = self.cast
        cases = [
            {"handlers": [c.handler_a]},  # one handler
            {"leader": None},  # no leader
            {"leader": None, "handlers": [], "by": c.county_office},  # nobody
        ]
        for changes in cases:
            with self.subTest(changes=changes):
                self.assertFalse(self.file(**changes).is_complete())
        self.assertEqual(list(RosterFiling.objects.order_by("version").values_list("version", flat=True)), [1, 2, 3])

    def test_it_rejects_people_of_another_unit(self):
        c = self.cast
        for changes in ({"handlers": [c.handler_a, c.handler_b]}, {"leader": c.leader_b}, {"handlers": [c.handler_c]}):
            with self.subTest(changes=changes):
                self.assertRefused("not_unit_staff", self.file, **changes)
        for outsider in (c.citizen, c.county_office):
            with self.subTest(outsider=outsider.username):
                self.assertRefused("not_unit_staff", self.file, handlers=[c.handler_a, outsider])

    def test_it_rejects_an_account_in_the_wrong_slot(self):
        """A second leader account is not a handler, nor a handler a leader (issue 10:
        a roster of the leader and a second leader account counted as complete)."""
        c = self.cast
        second_leader = User.objects.create_user("leader_a2", role=Role.LEADER, unit=c.unit_a)
        refusal = self.assertRefused("wrong_role", self.file, handlers=[c.handler_a, second_leader])
        self.assertIn("不是网络评论员账号", refusal.reason)
        self.assertRefused("wrong_role", self.file, leader=c.handler_a, handlers=[c.handler_a2])

    def test_it_rejects_a_deactivated_account(self):
        c = self.cast
        gone = User.objects.create_user("handler_gone", role=Role.HANDLER, unit=c.unit_a, is_active=False)
        refusal = self.assertRefused("inactive_account", self.file, handlers=[c.handler_a, gone])
        self.assertIn("已停用", refusal.reason)

    def test_it_rejects_the_same_person_twice(self):
        c = self.cast
        self.assertRefused("duplicate_person", self.file, handlers=[c.handler_a, c.handler_a])

    def test_a_correction_is_the_next_version_with_its_event(self):
        c = self.cast
        first = self.file(handlers=[c.handler_a])
        second = self.file(at=local(2026, 5, 6, 10))
        self.assertEqual((first.version, second.version), (1, 2))
        self.assertEqual(first.members.count(), 2, "the first version stays as it was filed")
        self.assertEqual(list(RosterFiling.objects.in_force()), [second])
        self.assertEqual(list(RosterFiling.objects.in_force(before=local(2026, 3, 1))), [first])
        self.assertEqual(list(RosterFiling.objects.in_force(before=JANUARY)), [])
        events = Event.objects.filter(kind="roster_filed").order_by("seq")
        self.assertEqual([(e.data["version"], e.data["filing"]) for e in events], [(1, first.pk), (2, second.pk)])
        self.assertEqual(events[1].note, "更正2026年度名单（第2版）")

    def test_it_refuses_a_filing_that_changes_nothing(self):
        self.file()
        refusal = self.assertRefused("unchanged", self.file, at=local(2026, 2, 1))
        self.assertIn("第1版", refusal.reason)

    def test_next_years_roster_may_be_filed_ahead_but_no_past_year(self):
        self.assertEqual(self.file(year=2027).year, 2027)
        for year in (2025, 2028):
            with self.subTest(year=year):
                refusal = self.assertRefused("wrong_year", self.file, year=year)
                self.assertIn("2026", refusal.reason)


class RosterAdminTest(HandlingTestCase):
    def test_the_admin_shows_filings_and_edits_none(self):
        c = self.cast
        filing = roster_file(
            unit=c.unit_a, year=2026, leader=c.leader_a, handlers=[c.handler_a], by=c.leader_a, at=JANUARY
        )
        self.client.force_login(c.admin)
        page = self.client.get(f"/admin/units/rosterfiling/{filing.pk}/change/")
        self.assertContains(page, "leader_a")
        self.assertNotContains(page, 'name="filed_at"')
        posted = self.client.post(f"/admin/units/rosterfiling/{filing.pk}/change/", {"filed_at_0": "2025-01-01"})
        self.assertEqual(posted.status_code, 403)
        self.assertEqual(self.client.get("/admin/units/rosterfiling/add/").status_code, 403)
        self.assertFalse(site._registry[RosterFiling].has_delete_permission(None))
        filing.refresh_from_db()
        self.assertEqual(filing.filed_at, JANUARY)
