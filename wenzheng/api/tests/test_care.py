"""The API's steps on rows under a message: answering a follow-up, signing off a
reply, deciding a 回访; and the rating's reason."""

from wenzheng.handling import actions
from wenzheng.handling.models import Reply, ReplyDraft, Revisit
from wenzheng.units.models import Unit

from .helpers import ApiTestCase


class RowStepsTest(ApiTestCase):
    def path(self, message, tail):
        return f"/api/v1/my/messages/{message.region.code}/{message.serial}{tail}"

    def test_a_dissatisfied_rating_needs_its_reason(self):
        message = self.cast.replied()
        response = self.post("citizen", self.path(message, "/rate"), {"rating": "dissatisfied"})
        self.assertEqual((response.status_code, response.json()["code"]), (422, "missing_text"))
        response = self.post("citizen", self.path(message, "/rate"), {"rating": "dissatisfied", "reason": "没修好。"})
        self.assertEqual(response.status_code, 200, response.content)
        revisits = response.json()["revisits"]
        self.assertEqual(
            [(r["kind"], r["reason"], r["state"]) for r in revisits], [("dissatisfied", "没修好。", "open")]
        )

    def test_a_fourth_follow_up_waiting_is_refused_as_a_conflict(self):
        message = self.cast.replied()
        for i in range(3):
            self.assertEqual(
                self.post("citizen", self.path(message, "/follow-up"), {"text": f"问{i}"}).status_code, 200
            )
        response = self.post("citizen", self.path(message, "/follow-up"), {"text": "问"})
        self.assertEqual((response.status_code, response.json()["code"]), (409, "too_many_follow_ups"))

    def test_the_unit_answers_a_follow_up_by_its_id(self):
        c = self.cast
        message = c.replied()
        asked = actions.follow_up(message=message, who=actions.Citizen(user=c.citizen), text="何时修？")
        seen = self.get("handler_a", self.path(message, "")).json()
        self.assertEqual(seen["follow_ups"], [{"id": asked.pk, "text": "何时修？", "at": seen["follow_ups"][0]["at"]}])
        response = self.post("handler_b", self.path(message, f"/follow-ups/{asked.pk}/answer"), {"text": "周五。"})
        self.assertEqual(response.status_code, 404)
        response = self.post("handler_a", self.path(message, f"/follow-ups/{asked.pk}/answer"), {"text": "周五。"})
        self.assertEqual(response.status_code, 200, response.content)
        answer = response.json()["replies"][-1]
        self.assertEqual((answer["unit"], answer["text"], answer["follow_up"]), ("东门镇", "周五。", asked.pk))
        again = self.post("handler_a", self.path(message, f"/follow-ups/{asked.pk}/answer"), {"text": "再答。"})
        self.assertEqual((again.status_code, again.json()["code"]), (409, "already_answered"))

    def test_the_leader_signs_off_and_the_citizen_never_sees_the_draft(self):
        c = self.cast
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=True)
        message = c.submit()
        self.post("handler_a", self.path(message, "/reply"), {"text": "已安排。"})
        draft = ReplyDraft.objects.get()
        self.assertEqual([d["id"] for d in self.get("leader_a", self.path(message, "")).json()["drafts"]], [draft.pk])
        self.assertEqual(self.get("citizen", self.path(message, "")).json()["drafts"], [])
        refused = self.post("handler_a", self.path(message, f"/drafts/{draft.pk}/approve"), {})
        self.assertEqual(refused.status_code, 403)
        response = self.post("leader_a", self.path(message, f"/drafts/{draft.pk}/approve"), {"note": ""})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(Reply.objects.get().text, "已安排。")

    def test_the_city_reads_a_waiting_reply_masked_as_it_reads_the_rest(self):
        c = self.cast
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=True)
        message = c.submit()
        self.post("handler_a", self.path(message, "/reply"), {"text": "张三您好，请保持13800000000畅通。"})
        seen = {role: self.get(role, self.path(message, "")).json()["drafts"] for role in ("leader_a", "city_office")}
        self.assertEqual(seen["leader_a"][0]["text"], "张三您好，请保持13800000000畅通。")
        self.assertEqual(seen["city_office"][0]["text"], "张*您好，请保持138****0000畅通。")

    def test_the_city_reads_a_citizens_reason_for_dissatisfaction_masked(self):
        c = self.cast
        message = c.replied()
        reason = "没修好，我叫张三，电话13800000000。"
        actions.rate(message=message, who=actions.Citizen(user=c.citizen), rating="dissatisfied", reason=reason)
        seen = {role: self.get(role, self.path(message, "")).json()["revisits"] for role in ("leader_a", "city_office")}
        self.assertEqual(seen["leader_a"][0]["reason"], reason)
        self.assertEqual(seen["city_office"][0]["reason"], "没修好，我叫张*，电话138****0000。")

    def test_the_office_decides_a_revisit(self):
        c = self.cast
        message = c.replied()
        actions.rate(message=message, who=actions.Citizen(user=c.citizen), rating="dissatisfied", reason="没修。")
        revisit = Revisit.objects.get()
        for role, status in (("handler_a", 403), ("other_county_office", 404), ("county_office", 200)):
            with self.subTest(role=role):
                response = self.post(role, self.path(message, f"/revisits/{revisit.pk}/uphold"), {"note": "已核实。"})
                self.assertEqual(response.status_code, status, response.content)
        revisit.refresh_from_db()
        self.assertEqual(revisit.state, "upheld")
