import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Message, Stage

from .base import MONDAY, NOW, WorkspaceTestCase, snapshot

COUNTY_STAFF = {"county_office", "admin"}
URL = "/work/county/luocheng/dispatch/"


@time_machine.travel(NOW, tick=False)
class DispatchQueueTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cls.handed_back = cast.submit(at=MONDAY, title="供水问题")
        actions.request_transfer(message=cls.handed_back, by=cast.handler_a, reason="供水归住建局管理", at=MONDAY)
        cls.pending = cast.submit(unit=None, at=NOW, title="不知道找哪个部门")
        cls.elsewhere = cast.submit(unit="c", at=MONDAY, title="环江的留言")
        actions.request_transfer(message=cls.elsewhere, by=cast.handler_c, reason="不归本镇管", at=MONDAY)

    def dispatch(self, message, **data):
        data = {f"dispatch-{message.pk}-{k}": v for k, v in data.items()}
        return self.client.post(f"/work/messages/{message.pk}/dispatch/", {**data, "next": URL}, follow=True)

    def test_it_is_for_the_county_office(self):
        self.assertAccess(URL, allowed=COUNTY_STAFF, hidden={"other_county_office"})

    def test_it_lists_the_countys_waiting_messages_oldest_first_with_the_hand_back_reason(self):
        self.as_("county_office")
        response = self.client.get(URL)
        self.assertEqual([m.pk for m in response.context["rows"]], [self.handed_back.pk, self.pending.pk])
        self.assertContains(response, "东门镇申请退单")
        self.assertContains(response, "供水归住建局管理")
        self.assertContains(response, '<span class="badge warn">退单待审核</span>', html=True)
        self.assertContains(response, '<span class="badge warn">待交办</span>', html=True)
        self.assertNotContains(response, "环江的留言")
        # The unit that handed it back is not offered again; the other unit is.
        form = response.context["rows"][0].dispatch_form
        # The picker groups the units into 乡镇 and 部门: only a department is left here.
        unit_b = str(self.cast.unit_b.pk)
        self.assertEqual(form.fields["unit"].choices, [("", "请选择单位"), ("部门", [(unit_b, "县住房和城乡建设局")])])
        self.assertContains(response, "<summary>不同意退单</summary>", html=True, count=1)

    def test_the_office_dispatches_a_message_and_the_units_clock_starts(self):
        self.as_("county_office")
        response = self.dispatch(self.pending, unit=self.cast.unit_b.pk, note="")
        self.assertRedirects(response, URL)
        self.assertContains(response, f"留言{self.pending.serial}已交办县住房和城乡建设局。")
        message = Message.objects.get(pk=self.pending.pk)
        self.assertEqual((message.state, message.unit), ("dispatched", self.cast.unit_b))
        self.assertEqual(Stage.objects.filter(message=message, completed_at__isnull=True).count(), 2)

    def test_a_re_dispatch_needs_a_note(self):
        self.as_("county_office")
        before = snapshot()
        response = self.dispatch(self.handed_back, unit=self.cast.unit_b.pk, note="")
        self.assertContains(response, "请填写转办说明。")
        self.assertUnchanged(before)

    def test_a_re_dispatch_moves_the_message_and_closes_the_old_units_clock(self):
        self.as_("county_office")
        response = self.dispatch(self.handed_back, unit=self.cast.unit_b.pk, note="供水由住建局负责")
        self.assertContains(response, "已交办县住房和城乡建设局")
        message = Message.objects.get(pk=self.handed_back.pk)
        self.assertEqual(message.unit, self.cast.unit_b)
        old = Stage.objects.filter(message=message, unit=self.cast.unit_a)
        self.assertEqual(set(old.values_list("outcome", flat=True)), {"transferred"})

    def test_a_unit_of_another_county_cannot_be_chosen(self):
        self.as_("county_office")
        before = snapshot()
        response = self.dispatch(self.pending, unit=self.cast.unit_c.pk, note="")
        self.assertContains(response, f"交办单位：选择一个有效的选项。 {self.cast.unit_c.pk} 不在可用的选项中。")
        self.assertUnchanged(before)

    def test_the_office_refuses_a_hand_back(self):
        self.as_("county_office")
        response = self.client.post(
            f"/work/messages/{self.handed_back.pk}/reject-transfer/",
            {f"reject-transfer-{self.handed_back.pk}-reason": "路段属本镇管辖", "next": URL},
            follow=True,
        )
        self.assertContains(response, "不同意退单，留言")
        # Handed back on Monday, refused on Wednesday: Tuesday given back.
        self.assertContains(response, "退单待审核的1个工作日不计入，回复期限相应顺延。")
        # The unit's page says it, in the stage's row and the record (a newcomer's trial).
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{self.handed_back.pk}/")
        self.assertContains(page, "退单审核顺延1个工作日")
        self.assertContains(page, "（回复期限顺延1个工作日）")
        stage = Stage.objects.get(message=self.handed_back, kind="reply")
        stage.last_day = stage.due_at
        said = render_to_string("public/_deadlines.html", {"m": self.handed_back, "deadlines": [stage]})
        self.assertIn("（时限5个工作日，退单审核顺延1个工作日）", said)
        self.assertEqual(Message.objects.get(pk=self.handed_back.pk).state, "dispatched")
        event = Event.objects.filter(message=self.handed_back).last()
        self.assertEqual((event.kind, event.note), ("transfer_rejected", "路段属本镇管辖"))

    def test_a_handler_cannot_dispatch_and_is_told_why(self):
        self.as_("handler_a")
        before = snapshot()
        response = self.client.post(
            f"/work/messages/{self.handed_back.pk}/dispatch/",
            {f"dispatch-{self.handed_back.pk}-unit": self.cast.unit_b.pk, f"dispatch-{self.handed_back.pk}-note": "x"},
        )
        self.assertContains(response, "只有县网络问政办可以办理此事项。", status_code=400)
        self.assertUnchanged(before)

    def test_another_countys_office_gets_a_404(self):
        self.as_("other_county_office")
        before = snapshot()
        response = self.dispatch(self.pending, unit=self.cast.unit_b.pk, note="")
        self.assertEqual(response.status_code, 404)
        self.assertUnchanged(before)

    def test_it_reads_in_a_fixed_number_of_queries(self):
        self.as_("county_office")
        with CaptureQueriesContext(connection) as few:
            self.client.get(URL)
        for i in range(3):
            m = self.cast.submit(at=MONDAY, title=f"退单{i}")
            actions.request_transfer(message=m, by=self.cast.handler_a, reason="不归本镇", at=MONDAY)
            self.cast.submit(unit=None, at=MONDAY, title=f"待交办{i}")
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(URL)
        self.assertEqual(len(response.context["rows"]), 8)
        self.assertEqual(len(many), len(few))

    def test_the_office_corrects_the_category_as_it_dispatches(self):
        self.as_("county_office")
        response = self.client.get(URL)
        form = next(m.dispatch_form for m in response.context["rows"] if m.pk == self.pending.pk)
        self.assertEqual([label for _, label in form.fields["category"].choices], ["咨询", "建议", "诉求"])
        self.assertContains(
            response,
            f'<option value="{self.cast.consultation.pk}" selected>咨询</option>',
            html=True,
        )
        response = self.dispatch(self.pending, unit=self.cast.unit_b.pk, category=self.cast.appeal.pk)
        self.assertContains(response, f"留言{self.pending.serial}已交办县住房和城乡建设局。")
        self.pending.refresh_from_db()
        self.assertEqual((self.pending.unit, self.pending.category), (self.cast.unit_b, self.cast.appeal))
        self.assertEqual(self.pending.events.filter(kind="category_set").get().data["previous"], "consultation")
        # A forged category is a form error, and nothing is dispatched.
        other = self.cast.submit(unit=None, at=NOW, title="另一条")
        response = self.dispatch(other, unit=self.cast.unit_b.pk, category="99999999999999999999")
        self.assertEqual(Message.objects.get(pk=other.pk).state, "pending_dispatch")
