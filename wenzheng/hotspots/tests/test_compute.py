"""Computing a county's hot issues into the table, by `compute.rebuild`, the worker
and `manage.py hotspots`."""

import datetime as dt
import io

import time_machine
from django.core.management import CommandError, call_command

from wenzheng.handling import actions
from wenzheng.hotspots import compute
from wenzheng.hotspots.models import Hotspot, Refresh
from wenzheng.ops import worker
from wenzheng.privacy import actions as privacy_actions

from .base import NOW, HotspotTestCase


def titles(hotspot):
    return sorted(hotspot.messages.values_list("title", flat=True))


class RebuildTests(HotspotTestCase):
    def test_it_groups_the_weeks_messages_by_problem_and_place_with_their_trend(self):
        c = self.cast
        compute.rebuild(c.county, now=NOW)
        week = {h.central.title: h for h in Hotspot.objects.filter(region=c.county, window="week")}
        assert len(week) == 2, list(week)
        streetlight = next(h for h in week.values() if "路灯" in h.central.title)
        garbage = next(h for h in week.values() if "垃圾" in h.central.title)
        assert titles(streetlight) == sorted(m.title for m in self.streetlight)
        assert (streetlight.count, streetlight.previous_count, streetlight.place) == (4, 2, "凤凰路")
        assert streetlight.daily == [0, 0, 0, 1, 1, 1, 1]  # today and the three days before
        assert set(streetlight.units.all()) == {c.unit_a, c.unit_b}
        assert titles(garbage) == sorted(m.title for m in self.garbage)
        assert (garbage.count, garbage.previous_count, list(garbage.units.all())) == (3, 0, [])
        month = Hotspot.objects.get(region=c.county, window="month", place="凤凰路", central__title__contains="路灯")
        assert (month.count, month.previous_count) == (6, 0)
        assert not Hotspot.objects.filter(region=c.other_county).exists()
        refresh = Refresh.objects.get(region=c.county)
        assert refresh.computed_at == NOW and refresh.considered == 4 + 2 + 3 + 30

    def test_spam_and_withheld_messages_never_count(self):
        c = self.cast
        actions.mark_spam(message=self.streetlight[0], by=c.county_office, reason="重复刷屏。")
        privacy_actions.withhold(message=self.streetlight[1], by=c.county_office, reason="含他人隐私。")
        compute.rebuild(c.county, now=NOW)
        # Two left this week: under the three a hot issue needs.
        assert not Hotspot.objects.filter(region=c.county, window="week", central__title__contains="路灯").exists()
        month = Hotspot.objects.get(region=c.county, window="month", central__title__contains="路灯")
        assert month.count == 4
        assert self.streetlight[0].pk not in month.messages.values_list("pk", flat=True)
        assert self.streetlight[1].pk not in month.messages.values_list("pk", flat=True)

    def test_each_county_is_computed_apart_and_a_rebuild_replaces_the_last(self):
        c = self.cast
        compute.rebuild(c.other_county, now=NOW)
        compute.rebuild(c.county, now=NOW)
        (water,) = Hotspot.objects.filter(region=c.other_county, window="week")
        assert (water.place, water.count, list(water.units.all())) == ("横岸村", 3, [c.unit_c])
        compute.rebuild(c.county, now=NOW + dt.timedelta(hours=1))
        assert Hotspot.objects.filter(region=c.county, window="week").count() == 2
        assert Hotspot.objects.filter(region=c.other_county).count() == 2  # week and month, untouched
        assert Refresh.objects.get(region=c.county).computed_at == NOW + dt.timedelta(hours=1)

    def test_a_group_is_described_without_the_citizens_name_or_numbers(self):
        # One citizen writing their name and phone into three messages about a ditch:
        # the common words were 韦秀英 and pieces of the phone, shown to the city office.
        c = self.cast
        written = [
            ("韦秀英求助，电话13977001122", "凤凰村韦秀英，电话13977001122，家门口的排水沟堵了，下雨就漫进屋里。"),
            ("韦秀英再次求助13977001122", "凤凰村韦秀英13977001122，排水沟还是堵塞，屋里进水，请派人疏通。"),
            ("韦秀英第三次求助13977001122", "我是凤凰村的韦秀英，电话13977001122，排水沟堵塞一直没人管。"),
        ]
        ditch = [self.message(t, b, at=NOW - dt.timedelta(days=n, hours=1)) for n, (t, b) in enumerate(written)]
        for m in ditch:
            m.citizen_name = "韦秀英"
            m.save(update_fields=["citizen_name"])
        compute.rebuild(c.county, now=NOW)
        hotspot = Hotspot.objects.get(region=c.county, window="week", messages=ditch[0])
        self.assertEqual(set(hotspot.messages.all()), set(ditch))
        self.assertTrue(hotspot.terms, "described by its words")
        self.assertIn("排水", hotspot.terms)
        for told in (hotspot.terms, hotspot.place):
            self.assertNotIn("韦秀英", told)
            self.assertNotRegex(told, r"\d", "no number, nor what a mask leaves of one")

    def test_a_week_later_the_group_has_gone_from_the_week_and_counts_as_last_week(self):
        c = self.cast
        compute.rebuild(c.county, now=NOW + dt.timedelta(days=7))
        assert not Hotspot.objects.filter(region=c.county, window="week").exists()
        month = Hotspot.objects.get(region=c.county, window="month", central__title__contains="路灯")
        assert month.count == 6


class WorkerTests(HotspotTestCase):
    def test_the_worker_computes_each_county_once_per_period(self):
        c = self.cast
        with time_machine.travel(NOW, tick=False):
            assert worker.run_pass(only=["hotspots"]) == 2  # both counties
            assert worker.run_pass(only=["hotspots"]) == 0  # not due again
        assert Hotspot.objects.filter(region=c.county, window="week").count() == 2
        assert Hotspot.objects.filter(region=c.other_county, window="week").count() == 1
        assert Refresh.objects.get(region=c.county).next_run_at == NOW + dt.timedelta(minutes=60)
        with time_machine.travel(NOW + dt.timedelta(minutes=61), tick=False):
            assert worker.run_pass(only=["hotspots"]) == 2

    def test_a_county_with_nothing_to_group_is_marked_computed_without_an_item_of_work(self):
        c = self.cast
        compute.rebuild(c.county, now=NOW)
        Refresh.objects.create(region=c.other_county, next_run_at=NOW)
        later = NOW + dt.timedelta(days=90)  # every message is older than the two months read
        assert compute.claim(now=later).region == c.county  # it still has last quarter's hot issues to clear
        compute.rebuild(c.county, now=later)
        assert not Hotspot.objects.filter(region=c.county).exists()
        assert compute.claim(now=later) is None
        empty = Refresh.objects.get(region=c.other_county)
        assert (empty.computed_at, empty.considered) == (later, 0)

    def test_two_workers_never_take_the_same_county(self):
        first, second, third = (compute.claim(now=NOW) for _ in range(3))
        assert {first.region_id, second.region_id} == {self.cast.county.pk, self.cast.other_county.pk}
        assert third is None


class CommandTests(HotspotTestCase):
    def test_it_rebuilds_and_reports(self):
        out = io.StringIO()
        with time_machine.travel(NOW, tick=False):
            call_command("hotspots", "--rebuild", "--county", "luocheng", stdout=out)
            assert "luocheng: 4 hot issue(s) from 39 messages" in out.getvalue()
            out = io.StringIO()
            call_command("hotspots", stdout=out)
        assert "luocheng: computed 2026-06-30 20:00 from 39 messages" in out.getvalue()
        assert "2 this week, 2 this month" in out.getvalue()
        assert "huanjiang: never computed" in out.getvalue()

    def test_it_refuses_an_unknown_county(self):
        try:
            call_command("hotspots", "--rebuild", "--county", "nowhere")
        except CommandError as e:
            assert "nowhere" in str(e)
        else:
            raise AssertionError("no error")
