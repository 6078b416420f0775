"""The topic picked on the post form, at dispatch and on reply, through the real pages."""

import time_machine

from wenzheng.eventlog.models import Event
from wenzheng.handling.models import Message
from wenzheng.topics import catalogue
from wenzheng.topics.models import Topic
from wenzheng.workspace.tests.base import NOW, WorkspaceTestCase

QUEUE = "/work/county/luocheng/dispatch/"


@time_machine.travel(NOW, tick=False)
class TopicOnFormsTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        catalogue.load_default(cls.cast.county)
        catalogue.load_default(cls.cast.other_county)
        cls.lamp = Topic.objects.get(region=cls.cast.county, code="010101")
        cls.roads = Topic.objects.get(region=cls.cast.county, code="020101")

    def post(self, **changes):
        form = {
            "unit": "",
            "category": self.cast.appeal.pk,
            "title": "路灯不亮",
            "body": "东门镇新街的路灯坏了两个星期。",
            "name": "李四",
            "phone": "13900000000",
            **changes,
        }
        return self.client.post("/post/?county=luocheng", form, follow=True)

    def test_the_citizen_may_choose_a_topic_of_their_county_only(self):
        page = self.client.get("/post/?county=luocheng")
        self.assertContains(page, "事项分类（选填）")
        self.assertContains(page, "市政设施 · 路灯照明")
        self.post(topic=self.lamp.pk)
        self.assertEqual(Message.objects.get(title="路灯不亮").topic, self.lamp)
        foreign = Topic.objects.get(region=self.cast.other_county, code="010101")
        response = self.post(topic=foreign.pk, title="别县分类")
        self.assertContains(response, "选择一个有效的选项")
        self.assertFalse(Message.objects.filter(title="别县分类").exists())
        self.post(title="不选分类")
        self.assertIsNone(Message.objects.get(title="不选分类").topic)

    def test_the_office_sets_it_at_dispatch_and_the_unit_corrects_it_on_reply(self):
        message = self.cast.submit(unit=None, at=NOW)
        self.as_("county_office")
        queue = self.client.get(QUEUE)
        self.assertContains(queue, "道路破损")
        self.client.post(
            f"/work/messages/{message.pk}/dispatch/",
            {
                f"dispatch-{message.pk}-unit": self.cast.unit_a.pk,
                f"dispatch-{message.pk}-note": "",
                f"dispatch-{message.pk}-topic": self.roads.pk,
                "next": QUEUE,
            },
        )
        message.refresh_from_db()
        self.assertEqual((message.unit, message.topic), (self.cast.unit_a, self.roads))
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, f'<option value="{self.roads.pk}" selected>')
        self.client.post(
            f"/work/messages/{message.pk}/reply/",
            {f"reply-{message.pk}-text": "路灯已修复。", f"reply-{message.pk}-topic": self.lamp.pk},
        )
        message.refresh_from_db()
        self.assertEqual((message.state, message.topic), ("replied", self.lamp))
        self.assertEqual(
            list(message.events.filter(kind=Event.Kind.TOPIC_SET).values_list("data__topic", flat=True)),
            ["020101", "010101"],
        )
