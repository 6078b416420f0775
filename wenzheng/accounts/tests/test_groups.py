from wenzheng.accounts.groups import make_office_staff
from wenzheng.testing import CastTestCase


class OfficeGroupTest(CastTestCase):
    def test_office_staff_edit_units_and_only_read_records_and_shared_reference_data(self):
        office = self.cast.county_office
        make_office_staff(office)
        office = type(office).objects.get(pk=office.pk)  # fresh permission cache
        self.assertTrue(office.has_perm("units.add_unit"))
        # Rosters are filed in the units' workspace, with events: the admin only shows them.
        self.assertTrue(office.has_perm("units.view_rosterfiling"))
        self.assertFalse(office.has_perm("units.add_rosterfiling"))
        self.assertFalse(office.has_perm("units.change_rostermember"))
        self.assertTrue(office.has_perm("handling.view_message"))
        # What every county shares is the administrator's to change.
        self.assertTrue(office.has_perm("workdays.view_calendarday"))
        self.assertFalse(office.has_perm("workdays.add_calendarday"))
        self.assertTrue(office.has_perm("handling.view_category"))
        self.assertFalse(office.has_perm("handling.change_category"))
        self.assertFalse(office.has_perm("handling.change_message"))
        self.assertFalse(office.has_perm("eventlog.change_event"))
        self.assertFalse(office.has_perm("accounts.change_user"))
        self.client.force_login(office)
        self.assertContains(self.client.get("/admin/"), "节假日与调休")
