"""The admin for office staff: their own region's rows only, the city office reading
only, staff phone numbers only where the policy allows, citizens never, and what all
counties share (the calendar, the categories) changed by the administrator alone."""

import datetime as dt

from wenzheng.accounts.groups import make_office_staff
from wenzheng.accounts.models import User
from wenzheng.handling import actions
from wenzheng.privacy.models import AccessRecord
from wenzheng.testing import CastTestCase, local
from wenzheng.units.models import Region, RosterFiling, Unit


class OfficeAdminTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        for office in (c.county_office, c.other_county_office, c.city_office):
            make_office_staff(office)
        User.objects.filter(pk=c.handler_a.pk).update(phone="13911112222")
        User.objects.filter(pk=c.handler_c.pk).update(phone="13933334444")
        User.objects.filter(pk=c.citizen.pk).update(phone="13955556666")
        cls.in_luocheng = c.submit(unit="a", at=local(2026, 3, 2, 9), title="罗城的路灯")
        cls.in_huanjiang = c.submit(unit="c", at=local(2026, 3, 2, 9), by="other_citizen", title="环江的路灯")
        actions.respond(message=cls.in_huanjiang, by=c.handler_c, note="环江已签收", at=local(2026, 3, 2, 10))
        cls.filing_c = RosterFiling.objects.create(
            unit=c.unit_c, year=2026, filed_at=local(2026, 2, 1, 9), filed_by=c.handler_c
        )

    def as_(self, role):
        self.client.force_login(getattr(self.cast, role))

    def test_users_are_those_of_the_region_and_never_citizens(self):
        self.as_("county_office")
        listed = self.client.get("/admin/accounts/user/").context["cl"].result_list
        names = {u.username for u in listed}
        self.assertIn("handler_a", names)
        self.assertIn("county_office", names)
        self.assertNotIn("handler_c", names)
        self.assertNotIn("other_county_office", names)
        self.assertNotIn("citizen", names)
        own = self.client.get(f"/admin/accounts/user/{self.cast.handler_a.pk}/change/")
        self.assertContains(own, "13911112222")
        self.assertNotContains(own, 'name="username"')  # read-only for the office
        self.assertEqual(self.client.get(f"/admin/accounts/user/{self.cast.handler_c.pk}/change/").status_code, 302)
        self.assertEqual(self.client.get(f"/admin/accounts/user/{self.cast.citizen.pk}/change/").status_code, 302)
        self.as_("city_office")
        names = {u.username for u in self.client.get("/admin/accounts/user/").context["cl"].result_list}
        self.assertLessEqual({"handler_a", "handler_c", "county_office", "other_county_office"}, names)
        self.assertNotIn("citizen", names)

    def test_the_administrator_opening_a_citizen_is_recorded(self):
        self.as_("admin")
        page = self.client.get(f"/admin/accounts/user/{self.cast.citizen.pk}/change/")
        self.assertContains(page, "13955556666")
        record = AccessRecord.objects.get(surface="admin", citizen=self.cast.citizen)
        self.assertEqual(record.user, self.cast.admin)
        self.client.get(f"/admin/accounts/user/{self.cast.handler_a.pk}/change/")
        self.assertEqual(AccessRecord.objects.count(), 1)  # staff accounts are not a citizen's data

    def test_events_are_those_of_the_region(self):
        self.as_("county_office")
        events = self.client.get("/admin/eventlog/event/").context["cl"].result_list
        self.assertTrue(events)
        self.assertTrue(all(e.message.region_id == self.cast.county.pk for e in events))

    def test_the_city_office_opens_no_record_of_citizens_words_and_searches_no_title(self):
        """The admin shows an event's note and actor, an extension's reason, a
        supervision record's reasons and the title of each row's message as stored:
        the city office, which never sees a citizen's details, opens none of them
        (it reads them masked in its workspace), and cannot find a message in the
        admin by a phone typed into its title."""
        c = self.cast
        typed = c.submit(unit="a", at=local(2026, 3, 3, 9), title="请回电13677776666 路灯坏了")
        actions.respond(message=typed, by=c.handler_a, note="已致电13677776666", at=local(2026, 3, 3, 10))
        request = actions.request_extension(
            message=typed, by=c.handler_a, days=5, reason="需与韦小宝13677776666核实", at=local(2026, 3, 3, 11)
        )
        order = actions.order_written_explanation(
            unit=c.unit_a,
            messages=[typed],
            by=c.county_office,
            reason="网民13677776666投诉未回复",
            backlog_deadline=local(2026, 3, 10, 17),
            at=local(2026, 3, 4, 9),
        )
        lists = [
            "/admin/eventlog/event/",
            "/admin/handling/extensionrequest/",
            "/admin/supervision/writtenexplanationorder/",
            "/admin/supervision/supervisionfinding/",
            "/admin/supervision/exposure/",
            "/admin/supervision/accountabilityreferral/",
            "/admin/topics/routingsuggestion/",
        ]
        rows = [
            f"/admin/eventlog/event/{typed.events.order_by('pk').last().pk}/change/",
            f"/admin/handling/extensionrequest/{request.pk}/change/",
            f"/admin/supervision/writtenexplanationorder/{order.pk}/change/",
        ]
        self.as_("county_office")
        for path in lists + rows:
            with self.subTest(path=path, role="county_office"):
                self.assertEqual(self.client.get(path).status_code, 200)
        self.assertContains(self.client.get(rows[1]), "13677776666")
        found = self.client.get("/admin/handling/message/", {"q": "13677776666"}).context["cl"].result_list
        self.assertEqual(list(found), [typed])

        self.as_("city_office")
        for path in lists + rows:
            with self.subTest(path=path, role="city_office"):
                self.assertEqual(self.client.get(path).status_code, 403)
        index = self.client.get("/admin/").content.decode()
        self.assertNotIn("/admin/eventlog/event/", index)
        self.assertIn("/admin/units/unit/", index)  # what holds no citizen's words it still reads
        found = self.client.get("/admin/handling/message/", {"q": "13677776666"})
        self.assertEqual(list(found.context["cl"].result_list), [])
        page = self.client.get(f"/admin/handling/message/{typed.pk}/change/")
        self.assertNotContains(page, "13677776666", status_code=200)
        # Nor through a message merged into it, whose page named its main one.
        other = c.submit(unit="a", at=local(2026, 3, 3, 12), title="路灯坏了")
        actions.merge_duplicate(
            message=other, into=typed, by=c.county_office, reason="同一问题", at=local(2026, 3, 4, 9)
        )
        page = self.client.get(f"/admin/handling/message/{other.pk}/change/")
        self.assertNotContains(page, "13677776666", status_code=200)

    def test_units_and_rosters_change_only_in_the_own_county_and_the_city_only_reads(self):
        c = self.cast
        self.as_("county_office")
        self.assertEqual(self.client.get(f"/admin/units/unit/{c.unit_c.pk}/change/").status_code, 302)
        response = self.client.post(
            f"/admin/units/unit/{c.unit_c.pk}/change/",
            {"region": c.county.pk, "name": "被改名", "kind": "township", "registered_on": "2020-01-01"},
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertEqual(Unit.objects.get(pk=c.unit_c.pk).name, "思恩镇")
        self.assertEqual(self.client.get(f"/admin/units/rosterfiling/{self.filing_c.pk}/change/").status_code, 302)
        own = self.client.get(f"/admin/units/unit/{c.unit_a.pk}/change/")
        self.assertContains(own, 'name="name"')
        region_choices = own.context["adminform"].form.fields["region"].queryset
        self.assertEqual(list(region_choices), [c.county])
        self.client.post(
            f"/admin/units/unit/{c.unit_a.pk}/change/",
            {"region": c.county.pk, "name": "东门镇人民政府", "kind": "township", "registered_on": "2020-01-01"},
        )
        self.assertEqual(Unit.objects.get(pk=c.unit_a.pk).name, "东门镇人民政府")
        self.as_("city_office")
        page = self.client.get(f"/admin/units/unit/{c.unit_a.pk}/change/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="name"')
        self.assertEqual(self.client.get("/admin/units/unit/add/").status_code, 403)

    def test_a_county_office_sets_its_own_countys_sign_off_and_nothing_else_of_it(self):
        # A leader's trial: "a county setting" (DOMAIN.md step 6) only the
        # administrator could set; the office turned it on unit by unit.
        c = self.cast
        self.as_("county_office")
        own = f"/admin/units/region/{c.county.pk}/change/"
        page = self.client.get(own)
        self.assertContains(page, 'name="reply_signoff"')
        self.assertNotContains(page, 'name="name"')
        self.client.post(own, {"reply_signoff": "on", "name": "改名县", "code": "gaiming"})
        county = Region.objects.get(pk=c.county.pk)
        self.assertEqual((county.reply_signoff, county.name, county.code), (True, "罗城仫佬族自治县", "luocheng"))
        for path in (f"/admin/units/region/{c.other_county.pk}/change/", f"/admin/units/region/{c.city.pk}/change/"):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 302)  # not its own: not found
        self.assertEqual(self.client.get("/admin/units/region/add/").status_code, 403)
        self.assertEqual(self.client.get(f"{own[:-7]}delete/").status_code, 403)
        self.as_("city_office")
        self.assertNotContains(self.client.get(own), 'name="reply_signoff"')

    def test_the_calendar_and_categories_are_the_administrators(self):
        c = self.cast
        for role in ("county_office", "city_office"):
            with self.subTest(role=role):
                self.as_(role)
                page = self.client.get(f"/admin/handling/category/{c.consultation.pk}/change/")
                self.assertEqual(page.status_code, 200)
                self.assertNotContains(page, 'name="reply_days"')
                self.client.post(
                    "/admin/workdays/calendarday/add/", {"date": "2026-03-04", "kind": "holiday", "name": "私设"}
                )
                self.assertEqual(self.client.get("/admin/workdays/calendarday/add/").status_code, 403)
        self.as_("admin")
        self.assertContains(
            self.client.get(f"/admin/handling/category/{c.consultation.pk}/change/"), 'name="reply_days"'
        )
        from wenzheng.workdays.models import CalendarDay

        self.assertFalse(CalendarDay.objects.filter(date=dt.date(2026, 3, 4)).exists())
