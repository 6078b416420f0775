"""What a staff account was at a moment: each move, new role, stop and restart kept."""

from unittest import mock

from django.contrib.admin.sites import site
from django.test import RequestFactory

from wenzheng.accounts.admin import StaffChangeAdmin, UserAdmin
from wenzheng.accounts.models import StaffChange, User
from wenzheng.accounts.staff import states_at
from wenzheng.testing import CastTestCase, local


class StaffChangeTest(CastTestCase):
    def save(self, user, at, **fields):
        """As the admin site saves an account's page."""
        user = User.objects.get(pk=user.pk)
        for name, value in fields.items():
            setattr(user, name, value)
        request = RequestFactory().post("/")
        request.user = self.cast.admin
        with mock.patch("wenzheng.accounts.admin.timezone.now", return_value=at):
            UserAdmin(User, site).save_model(request, user, form=None, change=True)
        return user

    def test_a_move_a_stop_and_a_restart_are_kept_and_read_back_at_any_moment(self):
        c = self.cast
        h = c.handler_a2
        self.save(h, local(2026, 3, 1, 9), unit=c.unit_b)
        self.save(h, local(2026, 5, 1, 9), is_active=False)
        self.save(h, local(2026, 6, 1, 9), is_active=True)
        self.save(h, local(2026, 6, 2, 9), display_name="改名")  # nothing a roster reads: not kept
        changes = list(StaffChange.objects.filter(user=h).values_list("unit_before", "unit_after", "active_after"))
        self.assertEqual(
            changes,
            [(c.unit_a.pk, c.unit_b.pk, True), (c.unit_b.pk, c.unit_b.pk, False), (c.unit_b.pk, c.unit_b.pk, True)],
        )
        self.assertEqual(states_at([h.pk], local(2026, 2, 1))[h.pk], (c.unit_a.pk, "handler", True))
        self.assertEqual(states_at([h.pk], local(2026, 4, 1))[h.pk], (c.unit_b.pk, "handler", True))
        self.assertEqual(states_at([h.pk], local(2026, 5, 15))[h.pk], (c.unit_b.pk, "handler", False))
        self.assertEqual(states_at([h.pk], local(2026, 7, 1))[h.pk], (c.unit_b.pk, "handler", True))
        self.assertEqual(StaffChange.objects.first().by, c.admin)

    def test_an_office_reads_the_changes_of_its_own_countys_staff_only(self):
        c = self.cast
        self.save(c.handler_a2, local(2026, 3, 1, 9), unit=c.unit_b)
        self.save(c.handler_c, local(2026, 3, 1, 9), is_active=False)
        for office, seen in ((c.county_office, c.handler_a2), (c.other_county_office, c.handler_c)):
            request = RequestFactory().get("/")
            request.user = office
            shown = StaffChangeAdmin(StaffChange, site).get_queryset(request)
            self.assertEqual([change.user for change in shown], [seen])

    def test_a_new_account_is_no_change(self):
        request = RequestFactory().post("/")
        request.user = self.cast.admin
        fresh = User(username="new_handler", role="handler", unit=self.cast.unit_a)
        UserAdmin(User, site).save_model(request, fresh, form=None, change=False)
        self.assertFalse(StaffChange.objects.exists())
