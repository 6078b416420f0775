"""交办 over the API with the office's category and topic: validated as the dispatch
form validates them, and recorded exactly as the web records them (the events, the
routing decision, the kept figures)."""

import time_machine

from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Category
from wenzheng.reports import periods
from wenzheng.testing import local
from wenzheng.topics import catalogue
from wenzheng.topics import figures as topic_figures
from wenzheng.topics.models import RoutingDecision, Topic

from .helpers import ApiTestCase

NOW = local(2026, 4, 8, 10)


def without_ids(data):
    """An event's data with the ids of the rows it opened (stages) left out."""
    if isinstance(data, dict):
        return {k: without_ids(v) for k, v in data.items() if k != "id"}
    if isinstance(data, list):
        return [without_ids(v) for v in data]
    return data


def path(message, step="dispatch"):
    return f"/api/v1/my/messages/{message.region.code}/{message.serial}/{step}"


@time_machine.travel(NOW, tick=False)
class DispatchWithTopicAndCategoryTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        catalogue.load_default(cast.county)
        catalogue.load_default(cast.other_county)
        cls.lamp = Topic.objects.get(region=cast.county, code="010101")
        cls.lamp.units.set([cast.unit_a])  # cold start: the tree offers 东门镇
        cls.house = Topic.objects.get(region=cast.county, code="010202")

    def waiting(self):
        """Filed by its citizen under 路灯照明, whose usual unit the tree offers."""
        return self.cast.submit(unit=None, at=NOW, title="新街路灯不亮", topic=self.lamp)

    def records(self, message):
        """What a dispatch left behind, in a form two messages can be compared by."""
        events = [
            (e.kind, e.actor_id, e.actor_role, e.unit_id, e.note, without_ids(e.data))
            for e in Event.objects.filter(message=message).exclude(kind=Event.Kind.SUBMITTED).order_by("seq")
        ]
        decisions = [
            (d.occasion, d.decided_by_id, d.offered_unit_id, d.unit_source, d.chosen_unit_id, d.unit_decision,
             d.offered_topic_id, d.chosen_topic_id, d.topic_decision,
             d.offered_category_id, d.chosen_category_id, d.category_decision)
            for d in RoutingDecision.objects.filter(suggestion__message=message)
        ]  # fmt: skip
        return events, decisions

    def test_it_sets_the_category_and_topic_as_the_dispatch_form_does(self):
        suggestion = Category.objects.get(code="suggestion")
        over_api, on_the_web = self.waiting(), self.waiting()
        response = self.post(
            "county_office",
            path(over_api),
            {"unit": self.cast.unit_b.pk, "note": "请住建局办理。", "category": "suggestion", "topic": "010202"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(
            (body["state"], body["unit"]["name"], body["category"]), ("dispatched", "县住房和城乡建设局", "suggestion")
        )
        self.assertEqual(body["topic"], {"id": self.house.pk, "code": "010202", "path": self.house.path})
        over_api.refresh_from_db()
        self.assertEqual((over_api.unit, over_api.category, over_api.topic), (self.cast.unit_b, suggestion, self.house))

        self.client.force_login(self.cast.county_office)
        prefix = f"dispatch-{on_the_web.pk}"
        self.client.post(
            f"/work/messages/{on_the_web.pk}/dispatch/",
            {f"{prefix}-unit": self.cast.unit_b.pk, f"{prefix}-note": "请住建局办理。",
             f"{prefix}-category": suggestion.pk, f"{prefix}-topic": self.house.pk, "next": "/work/"},
        )  # fmt: skip
        on_the_web.refresh_from_db()
        self.assertEqual(
            (on_the_web.unit, on_the_web.category, on_the_web.topic), (self.cast.unit_b, suggestion, self.house)
        )

        api_records, web_records = self.records(over_api), self.records(on_the_web)
        self.assertEqual(api_records, web_records)
        kinds = [event[0] for event in api_records[0]]
        self.assertEqual(kinds, [Event.Kind.CATEGORY_SET, Event.Kind.DISPATCHED, Event.Kind.TOPIC_SET])
        # The tree offered 东门镇 with no topic or category: the office overrode the unit.
        [decision] = api_records[1]
        self.assertEqual(
            decision,
            ("dispatch", self.cast.county_office.pk, self.cast.unit_a.pk, "catalogue", self.cast.unit_b.pk,
             "overridden", None, self.house.pk, "", None, suggestion.pk, ""),
        )  # fmt: skip
        # The kept figures count both under 城乡建设, as the figures counted from the messages do.
        month = periods.parse("2026-04")
        kept = topic_figures.kept_by_major(self.cast.county, month, now=NOW)
        self.assertEqual([(t.name, t.received) for t in kept], [("城乡建设", 2)])
        self.assertEqual(kept, topic_figures.by_major(self.cast.county, month, now=NOW))

    def test_a_topic_by_id_or_by_a_code_typed_in_full_width_digits(self):
        by_id, typed = self.waiting(), self.waiting()
        self.post("county_office", path(by_id), {"unit": self.cast.unit_a.pk, "topic": self.house.pk})
        self.post("county_office", path(typed), {"unit": self.cast.unit_a.pk, "topic": " ０１０２０２ "})
        for message in (by_id, typed):
            message.refresh_from_db()
            self.assertEqual((message.state, message.topic), ("dispatched", self.house))
            # The tree offered 东门镇 and the office chose it: accepted, as on the web.
            decision = RoutingDecision.objects.get(suggestion__message=message)
            self.assertEqual(
                (decision.unit_source, decision.unit_decision, decision.chosen_topic),
                ("catalogue", "accepted", self.house),
            )

    def test_left_out_they_change_nothing(self):
        message = self.waiting()
        response = self.post("county_office", path(message), {"unit": self.cast.unit_a.pk})
        self.assertEqual(response.status_code, 200)
        message.refresh_from_db()
        self.assertEqual((message.topic, message.category.code), (self.lamp, "consultation"))
        self.assertFalse(message.events.filter(kind__in=[Event.Kind.TOPIC_SET, Event.Kind.CATEGORY_SET]).exists())

    def test_bad_values_are_refused_in_chinese_and_nothing_is_written(self):
        foreign = Topic.objects.get(region=self.cast.other_county, code="010202")
        switched_off = Topic.objects.get(region=self.cast.county, code="010102")
        Topic.objects.filter(pk=switched_off.pk).update(active=False)
        major = Topic.objects.get(region=self.cast.county, code="010000")
        message = self.waiting()
        cases = [
            ({"category": "complaint"}, "no_such_category", "类别“complaint”不存在。"),
            ({"category": ""}, "no_such_category", "类别“”不存在。"),
            ({"topic": "路灯"}, "no_such_topic", "事项分类“路灯”不在罗城仫佬族自治县启用的分类表中"),
            ({"topic": "9999999999"}, "no_such_topic", "不在罗城仫佬族自治县启用的分类表中"),
            ({"topic": foreign.pk}, "no_such_topic", f"事项分类“{foreign.pk}”不在罗城仫佬族自治县启用的分类表中"),
            ({"topic": "010102"}, "no_such_topic", "不在罗城仫佬族自治县启用的分类表中"),
            ({"topic": ""}, "no_such_topic", "不在罗城仫佬族自治县启用的分类表中"),
            ({"topic": major.code}, "topic_too_broad", "“城乡建设”是大类，请选择其下的中类或小类。"),
            ({"topic": "\ud800路灯"}, "no_such_topic", "事项分类“路灯”不在罗城仫佬族自治县启用的分类表中"),
            ({"category": "\ud800\x07"}, "no_such_category", "类别“”不存在。"),
            ({"topic": 2**70}, None, None),  # beyond any id: the schema or the lookup refuses it
            ({"topic": [1]}, None, None),  # not a string or an integer: the schema refuses it
        ]
        for extra, code, text in cases:
            with self.subTest(extra=extra):
                response = self.post("county_office", path(message), {"unit": self.cast.unit_b.pk, **extra})
                self.assertEqual(response.status_code, 422, response.content)
                if code:
                    self.assertEqual(response.json()["code"], code)
                    self.assertIn(text, response.json()["message"])
        message.refresh_from_db()
        self.assertEqual((message.state, message.unit, message.topic), ("pending_dispatch", None, self.lamp))
        self.assertEqual(list(message.events.values_list("kind", flat=True)), [Event.Kind.SUBMITTED])
        self.assertFalse(RoutingDecision.objects.exists())

    def test_a_category_change_after_an_answer_is_refused_at_the_re_dispatch(self):
        message = self.cast.submit(unit="a", at=NOW)
        actions.reply(message=message, by=self.cast.handler_a, text="已答复。", at=NOW)
        actions.close(message=message, by=self.cast.leader_a, kind="answered", at=NOW)
        actions.reopen(message=message, by=self.cast.county_office, reason="网民反映未解决。", at=NOW)
        actions.request_transfer(message=message, by=self.cast.handler_a, reason="不属本单位。", at=NOW)
        response = self.post(
            "county_office", path(message), {"unit": self.cast.unit_b.pk, "note": "转住建局。", "category": "appeal"}
        )
        self.assertEqual(response.status_code, 422, response.content)
        self.assertEqual(response.json()["code"], "category_after_reply")
        message.refresh_from_db()
        self.assertEqual((message.unit, message.category.code), (self.cast.unit_a, "consultation"))

    def test_a_unit_cannot_dispatch_whatever_it_sends(self):
        message = self.cast.submit(unit="a", at=NOW)
        actions.request_transfer(message=message, by=self.cast.handler_a, reason="不属本单位。", at=NOW)
        response = self.post(
            "handler_a",
            path(message),
            {"unit": self.cast.unit_b.pk, "note": "转", "topic": "010202", "category": "appeal"},
        )
        self.assertEqual(response.status_code, 403, response.content)
        message.refresh_from_db()
        self.assertEqual((message.state, message.topic), ("transfer_requested", None))
