"""Whose a scoring scheme is: one county office's change never scores another county.

Shared schemes (no region) are the administrator's; a county or city office that
changes or imports a scheme saves a version of its own region's, but a change to a
county's scheme by its city office stays that county's. A county uses its
own newest version, else its city's, else the shared one; it may choose among those
only, and never sees another county's.
"""

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from wenzheng.accounts.policy import ActionRefused
from wenzheng.evaluation import publication, runs, schemes
from wenzheng.evaluation.models import PublishedBulletin, Run, Scheme
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, local

from .fixtures import build_q1
from .test_views import _upload

Q1 = periods.parse("2026Q1")
LATER = local(2026, 6, 1)


class SchemeOwnersTest(CastTestCase):
    def setUp(self):
        self.shared = Scheme.objects.latest_version("default")

    def own(self, region, **changes):
        scheme, created = schemes.store({**schemes.snapshot(self.shared), **changes}, owner=region)
        self.assertTrue(created)
        return scheme

    def test_a_region_uses_its_own_version_then_its_citys_then_the_shared_one(self):
        c = self.cast
        self.assertEqual(Scheme.objects.default_for(c.county), self.shared)
        city = self.own(c.city, name="河池市考评方案")
        self.assertEqual(Scheme.objects.default_for(c.county), city)
        self.assertEqual(Scheme.objects.default_for(c.city), city)
        mine = self.own(c.county, name="罗城考评方案")
        self.assertEqual(Scheme.objects.default_for(c.county), mine)
        self.assertEqual(Scheme.objects.default_for(c.other_county), city)
        # A newer shared version does not take a county's own change away.
        newer, _ = schemes.store({**schemes.snapshot(self.shared), "min_due": 9})
        self.assertEqual(Scheme.objects.default_for(c.county), mine)
        self.assertEqual(Scheme.objects.latest_version("default"), newer)
        # One count of versions across owners: 第N版 names one scheme anywhere.
        self.assertEqual([s.version for s in (self.shared, city, mine, newer)], [1, 2, 3, 4])

    def test_storing_what_the_owner_uses_already_makes_no_version(self):
        c = self.cast
        same, created = schemes.store(schemes.snapshot(self.shared), owner=c.county)
        self.assertEqual((same, created), (self.shared, False))
        mine = self.own(c.county, min_due=3)
        again, created = schemes.store({**schemes.snapshot(self.shared), "min_due": 3}, owner=c.county)
        self.assertEqual((again, created), (mine, False))
        theirs, created = schemes.store({**schemes.snapshot(self.shared), "min_due": 3}, owner=c.other_county)
        self.assertTrue(created)
        self.assertEqual(theirs.region, c.other_county)

    def test_a_county_office_changing_a_shared_scheme_saves_its_own_version(self):
        c = self.cast
        before = schemes.snapshot(self.shared)
        self.client.force_login(c.county_office)
        url = reverse("evaluation:scheme-edit", args=[self.shared.pk])
        page = self.client.get(url)
        self.assertContains(page, "这一版是各县共用的方案，不会被改动")
        self.assertContains(page, "另存为新版本")
        form = page.context["form"]
        data = {name: value for name, value in form.initial.items() if value is not None and value is not False}
        data = {name: ("on" if value is True else value) for name, value in data.items()}
        response = self.client.post(url, {**data, "min_due": "3"}, follow=True)
        mine = Scheme.objects.default_for(c.county)
        self.assertEqual((mine.region, mine.min_due, mine.version), (c.county, 3, 2))
        self.assertContains(response, "第1版是各县共用的方案，改动已另存为罗城仫佬族自治县的第2版。")
        self.assertEqual(schemes.snapshot(Scheme.objects.get(pk=self.shared.pk)), before)
        self.assertEqual(Scheme.objects.default_for(c.other_county), self.shared)
        # The same change again is the county's version already.
        response = self.client.post(url, {**data, "min_due": "3"}, follow=True)
        self.assertContains(response, "改动后与罗城仫佬族自治县现用的第2版相同，未新建版本。")
        self.assertEqual(Scheme.objects.count(), 2)

    def test_the_city_office_changing_a_countys_scheme_changes_that_countys(self):
        # It was saved as the city's: used by the city's other counties, outranked in
        # that county by its own, while the page said it affected no other county.
        c = self.cast
        mine = self.own(c.county, name="罗城考评方案")
        runs.run_evaluation(scheme=mine, region=c.county, period=Q1, now=LATER)  # used: a new version
        self.client.force_login(c.city_office)
        url = reverse("evaluation:scheme-edit", args=[mine.pk])
        page = self.client.get(url)
        self.assertContains(page, "这一版已用于考评")
        self.assertNotContains(page, "另存为河池市")
        data = {n: v for n, v in page.context["form"].initial.items() if v is not None and v is not False}
        data = {name: ("on" if value is True else value) for name, value in data.items()}
        response = self.client.post(url, {**data, "min_due": "4"}, follow=True)
        newer = Scheme.objects.default_for(c.county)
        self.assertEqual((newer.region, newer.min_due, newer.version), (c.county, 4, 3))
        self.assertContains(response, "第2版已用于考评，改动已另存为第3版。")
        self.assertEqual(Scheme.objects.default_for(c.other_county), self.shared)
        self.assertFalse(Scheme.objects.filter(region=c.city).exists())
        # The shared scheme changed by the city office is the city's, for all its counties.
        self.client.post(reverse("evaluation:scheme-edit", args=[self.shared.pk]), {**data, "min_due": "6"})
        self.assertEqual(Scheme.objects.default_for(c.other_county).region, c.city)

    def test_an_imported_file_belongs_to_the_office_that_imported_it(self):
        c = self.cast
        text = schemes.to_toml({**schemes.snapshot(self.shared), "min_due": 7})
        self.client.force_login(c.other_county_office)
        page = self.client.get(reverse("evaluation:schemes"))
        self.assertContains(page, "导入的方案属于：环江毛南族自治县。")
        response = self.client.post(reverse("evaluation:scheme-import"), {"file": _upload(text.encode(), "x.toml")})
        theirs = Scheme.objects.get(version=2)
        self.assertRedirects(response, reverse("evaluation:scheme", args=[theirs.pk]), fetch_redirect_response=False)
        self.assertEqual(theirs.region, c.other_county)
        self.assertEqual(Scheme.objects.default_for(c.county), self.shared)
        # The administrator's import is shared by every county.
        self.client.force_login(c.admin)
        text = schemes.to_toml({**schemes.snapshot(self.shared), "min_due": 8})
        self.client.post(reverse("evaluation:scheme-import"), {"file": _upload(text.encode(), "x.toml")})
        self.assertEqual(Scheme.objects.latest_version("default").min_due, 8)

    def test_another_countys_scheme_is_not_to_be_seen_chosen_or_used(self):
        c = self.cast
        theirs = self.own(c.other_county, name="环江考评方案")
        self.client.force_login(c.county_office)
        self.assertNotContains(self.client.get(reverse("evaluation:schemes")), "环江考评方案")
        for name in ("evaluation:scheme", "evaluation:scheme-export", "evaluation:scheme-edit"):
            self.assertEqual(self.client.get(reverse(name, args=[theirs.pk])).status_code, 404, name)
        page = self.client.get(reverse("evaluation:index"))
        self.assertNotContains(page, "环江考评方案")
        response = self.client.post(
            reverse("evaluation:run-new"), {"region": "luocheng", "period": "2026Q1", "scheme": theirs.pk}
        )
        self.assertContains(response, "选择一个有效的选项", status_code=400)
        # The city office sees both counties' schemes, named by their owners, and may
        # not score one county with the other's.
        self.client.force_login(c.city_office)
        page = self.client.get(reverse("evaluation:index"))
        self.assertContains(page, "环江考评方案（第2版，环江毛南族自治县）")
        response = self.client.post(
            reverse("evaluation:run-new"), {"region": "luocheng", "period": "2026Q1", "scheme": theirs.pk}
        )
        self.assertContains(
            response, "“环江考评方案”是环江毛南族自治县的考评方案，不能用于罗城仫佬族自治县的考评。", status_code=400
        )
        response = self.client.get(
            reverse("evaluation:compare"),
            {"region": "luocheng", "period": "2026Q1", "a": self.shared.pk, "b": theirs.pk},
        )
        self.assertContains(response, "不能用于罗城仫佬族自治县的考评")
        with self.assertRaises(ActionRefused):
            runs.run_evaluation(scheme=theirs, region=c.county, period=Q1, now=LATER)
        run = runs.run_evaluation(scheme=theirs, region=c.other_county, period=Q1, now=LATER)
        self.assertEqual(run.scheme, theirs)

    def test_the_command_scores_a_county_with_its_own_scheme(self):
        c = self.cast
        mine = self.own(c.county, name="罗城考评方案")
        theirs = self.own(c.other_county, name="环江考评方案")
        call_command(
            "evaluate", "--period", "2026Q1", "--region", "luocheng", "--at", "2026-06-01T09:00", stdout=_Sink()
        )
        self.assertEqual(Run.objects.get(region=c.county).scheme, mine)
        with self.assertRaisesMessage(
            CommandError, "考评方案“default”第3版是环江毛南族自治县的，不能用于罗城仫佬族自治县的考评。"
        ):
            call_command(
                "evaluate", "--period", "2026Q1", "--region", "luocheng", "--scheme-version", str(theirs.version),
                stdout=_Sink(),
            )  # fmt: skip

    def test_a_bulletin_lists_red_and_black_by_its_countys_scheme(self):
        c = self.cast
        build_q1(c)
        at = local(2026, 4, 10, 9)
        shared = publication.red_black(c.county, Q1, scheme=self.shared, now=at)
        self.assertNotIn("东门镇", shared["apart_by_kind"].get("township", []))
        self.own(c.county, min_due=1000)  # every unit's sample too small for this county
        publication.publish_bulletin(region=c.county, code="2026Q1", by=c.county_office, at=at)
        mine = PublishedBulletin.objects.get(region=c.county).red_black
        self.assertEqual(mine["kinds"]["township"], {"red": [], "black": []})
        self.assertIn("东门镇", mine["apart_by_kind"]["township"])

    def test_the_scheme_a_published_list_was_ranked_by_is_not_edited_in_place(self):
        c = self.cast
        build_q1(c)
        scheme = self.own(c.county, name="罗城考评方案")
        self.assertFalse(scheme.locked)
        publication.publish_bulletin(region=c.county, code="2026Q1", by=c.county_office, at=local(2026, 4, 10, 9))
        self.assertEqual(PublishedBulletin.objects.get(region=c.county).scheme, scheme)
        self.assertTrue(scheme.locked)
        saved, how = schemes.save_edit(scheme, {**schemes.snapshot(scheme), "min_due": 7}, owner=c.county)
        self.assertEqual((how, saved.version), ("new_version", scheme.version + 1))
        scheme.refresh_from_db()
        self.assertNotEqual(scheme.min_due, 7)


class _Sink:
    def write(self, text):
        pass

    def flush(self):
        pass


class AdoptVersionTest(CastTestCase):
    """改用此版本: a county that once changed a scheme is scored by its own version,
    so a newer shared version could never reach it from the pages; and no page said
    which version a county was scored by."""

    def setUp(self):
        self.shared = Scheme.objects.latest_version("default")

    def test_a_county_goes_back_to_a_newer_shared_version(self):
        c = self.cast
        mine, _ = schemes.store({**schemes.snapshot(self.shared), "min_due": 3}, owner=c.county)
        newer, _ = schemes.store({**schemes.snapshot(self.shared), "min_due": 9})  # the administrator's
        self.client.force_login(c.county_office)
        listing = self.client.get(reverse("evaluation:schemes")).content.decode()
        self.assertEqual(listing.count("现用："), 1)
        self.assertRegex(listing, rf'schemes/{mine.pk}/"[^\n]*\n(.*\n){{4}}.*现用：罗城仫佬族自治县')
        page = self.client.get(reverse("evaluation:scheme", args=[newer.pk]))
        self.assertContains(page, "改用此版本")
        self.assertNotContains(page, "现用：")
        self.assertEqual([r.pk for r in page.context["adopt"].targets.values()], [c.county.pk])
        response = self.client.post(
            reverse("evaluation:scheme-adopt", args=[newer.pk]), {"region": c.county.pk}, follow=True
        )
        used = Scheme.objects.default_for(c.county)
        self.assertEqual((used.region, used.min_due, used.version), (c.county, 9, 4))
        self.assertContains(response, "罗城仫佬族自治县已改用第3版：另存为罗城仫佬族自治县的第4版，此后考评默认使用。")
        self.assertContains(response, "现用：罗城仫佬族自治县")
        self.assertEqual(Scheme.objects.default_for(c.other_county), newer)
        # Nothing more to adopt: the page offers no form, and a forged post is refused.
        self.assertNotContains(response, "改用此版本</button>")
        response = self.client.post(
            reverse("evaluation:scheme-adopt", args=[used.pk]), {"region": c.county.pk}, follow=True
        )
        self.assertContains(response, "该区域不能改用这一版，或已在使用这一版。")
        self.assertEqual(Scheme.objects.count(), 4)

    def test_an_older_version_of_ones_own_comes_back_as_the_newest(self):
        c = self.cast
        first, _ = schemes.store({**schemes.snapshot(self.shared), "min_due": 3}, owner=c.county)
        schemes.store({**schemes.snapshot(self.shared), "min_due": 4}, owner=c.county)
        used, created = schemes.adopt(first, owner=c.county)
        self.assertTrue(created)
        self.assertEqual((Scheme.objects.default_for(c.county), used.min_due), (used, 3))
        self.assertEqual(schemes.adopt(used, owner=c.county), (used, False))

    def test_nobody_adopts_for_a_region_they_do_not_evaluate_or_with_a_scheme_not_theirs(self):
        c = self.cast
        theirs, _ = schemes.store({**schemes.snapshot(self.shared), "min_due": 3}, owner=c.other_county)
        newer, _ = schemes.store({**schemes.snapshot(self.shared), "min_due": 9})
        self.client.force_login(c.county_office)
        response = self.client.post(
            reverse("evaluation:scheme-adopt", args=[newer.pk]), {"region": c.other_county.pk}, follow=True
        )
        self.assertContains(response, "该区域不能改用这一版")
        self.assertEqual(Scheme.objects.default_for(c.other_county), theirs)
        self.assertEqual(self.client.post(reverse("evaluation:scheme-adopt", args=[theirs.pk])).status_code, 404)
        # The city office: for the city and each county using another version, never
        # a county's scheme for another county.
        self.client.force_login(c.city_office)
        page = self.client.get(reverse("evaluation:scheme", args=[theirs.pk]))
        self.assertEqual(list(page.context["adopt"].targets.values()), [])
        page = self.client.get(reverse("evaluation:scheme", args=[newer.pk]))
        self.assertEqual(page.context["uses"], [c.city.name, c.county.name])
        self.assertEqual(list(page.context["adopt"].targets.values()), [c.other_county])
        # The administrator makes an older shared version the newest shared one.
        self.client.force_login(c.admin)
        page = self.client.get(reverse("evaluation:scheme", args=[self.shared.pk]))
        self.assertIsNone(page.context["adopt"].targets[""])
        self.client.post(reverse("evaluation:scheme-adopt", args=[self.shared.pk]), {"region": ""})
        self.assertEqual(Scheme.objects.latest_version("default").min_due, self.shared.min_due)
