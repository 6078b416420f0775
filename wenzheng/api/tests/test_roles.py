"""Every endpoint against every role: own unit, other unit, other county, the
offices, the citizen who wrote the message and one who did not, and anonymous.

A message is reached only through `visible_to` (a stranger gets 404, never a peek);
who may then take the step is the action's own decision (403 with its code).
"""

import datetime as dt

from django.utils import timezone

from wenzheng.handling import actions
from wenzheng.testing import ROLES

from .helpers import ApiTestCase

# Who can see a message of unit_a (any other signed-in role gets 404).
SEES_UNIT_A = {"citizen", "handler_a", "leader_a", "county_office", "city_office", "admin"}
# A message still waiting for dispatch has no unit: its unit cannot see it yet.
SEES_PENDING = SEES_UNIT_A - {"handler_a", "leader_a"}
OFFICE = {"county_office", "admin"}
# Who sees the citizen's name and contact details of a message of unit_a.
SEES_CONTACT = SEES_UNIT_A - {"city_office"}
OFFICE_OR_CITY = {"county_office", "city_office", "admin"}
UNIT_A = {"handler_a", "leader_a"}

# step → (state of the message before, the request body, who may take it)
STEPS = {
    "dispatch": ("pending", lambda c: {"unit": c.unit_a.pk}, OFFICE),
    "respond": ("dispatched", lambda c: {}, UNIT_A),
    "reply": ("dispatched", lambda c: {"text": "已安排处理。"}, UNIT_A),
    "transfer": ("dispatched", lambda c: {"reason": "不属本单位职责。"}, UNIT_A),
    "reject-transfer": ("transfer_requested", lambda c: {"reason": "属本单位职责。"}, OFFICE),
    "extensions": ("dispatched", lambda c: {"days": 3, "reason": "需现场勘查。"}, UNIT_A),
    "close": ("replied", lambda c: {"kind": "answered"}, {"leader_a"}),
    "long-cycle": ("replied", lambda c: {"explanation": "需列入明年预算。"}, {"leader_a"}),
    "long-cycle/approve": ("closure_pending", lambda c: {}, OFFICE_OR_CITY),
    "long-cycle/reject": ("closure_pending", lambda c: {"reason": "可以近期解决。"}, OFFICE_OR_CITY),
    "reopen": ("closed", lambda c: {"reason": "答复不清楚。"}, OFFICE),
    "supervise": ("dispatched", lambda c: {"note": "请加快办理。"}, OFFICE_OR_CITY),
    "reassign": ("dispatched", lambda c: {"unit": c.unit_b.pk, "reason": "路灯归住建局管理。"}, OFFICE),
    "follow-up": ("replied", lambda c: {"text": "什么时候修好？"}, {"citizen"}),
    "rate": ("replied", lambda c: {"rating": "satisfied"}, {"citizen"}),
}


def expected(role, allowed, sees):
    if role == "anonymous":
        return 401
    if role not in sees:
        return 404
    return 200 if role in allowed else 403


class RoleMatrixTests(ApiTestCase):
    def message(self, state):
        cast = self.cast
        if state == "pending":
            return cast.submit(unit=None)
        message = cast.submit()
        if state == "transfer_requested":
            actions.request_transfer(message=message, by=cast.handler_a, reason="不属本单位。")
        if state in ("replied", "closure_pending", "closed"):
            actions.reply(message=message, by=cast.handler_a, text="已处理。")
        if state == "closure_pending":
            actions.request_long_cycle_closure(message=message, by=cast.leader_a, explanation="需要预算。")
        if state == "closed":
            actions.close(message=message, by=cast.leader_a, kind="answered")
        return message

    def path(self, message, tail=""):
        return f"/api/v1/my/messages/{message.region.code}/{message.serial}{tail}"

    def test_every_step_against_every_role(self):
        for step, (state, body, allowed) in STEPS.items():
            sees = SEES_PENDING if state == "pending" else SEES_UNIT_A
            message = self.message(state)
            for role in ROLES:
                with self.subTest(step=step, role=role):
                    response = self.post(role, self.path(message, f"/{step}"), body(self.cast))
                    self.assertEqual(response.status_code, expected(role, allowed, sees), response.content)
                    if response.status_code >= 400:
                        self.assertEqual(set(response.json()), {"code", "message"})
                    else:  # a refusal changes nothing; a step taken needs a fresh message
                        message = self.message(state)

    def test_extension_decisions_against_every_role(self):
        for decision, body in (("approve", {}), ("reject", {"reason": "理由不足。"})):
            message, request = None, None
            for role in ROLES:
                with self.subTest(decision=decision, role=role):
                    if request is None:
                        message = self.message("dispatched")
                        request = actions.request_extension(
                            message=message, by=self.cast.handler_a, days=2, reason="勘查"
                        )
                    response = self.post(role, self.path(message, f"/extensions/{request.pk}/{decision}"), body)
                    self.assertEqual(response.status_code, expected(role, OFFICE, SEES_UNIT_A), response.content)
                    if response.status_code == 200:
                        request = None

    def test_reading_a_message_against_every_role(self):
        message = self.message("dispatched")
        for role in ROLES:
            with self.subTest(role=role):
                response = self.get(role, self.path(message))
                self.assertEqual(response.status_code, expected(role, ROLES, SEES_UNIT_A))
                if response.status_code == 200:
                    # The one rule (DOMAIN.md, "Personal data"): the city reads the text only.
                    citizen = response.json()["citizen"]
                    if role in SEES_CONTACT:
                        self.assertEqual(citizen["phone"], "13800000000")
                    else:
                        self.assertIsNone(citizen)

    def test_listing_gives_each_role_what_it_may_see(self):
        mine = self.message("dispatched")
        other = self.cast.submit(unit="b")
        listed = {}
        for role in ROLES:
            response = self.get(role, "/api/v1/my/messages", region="hechi")
            listed[role] = (
                response.status_code if role == "anonymous" else {r["serial"] for r in response.json()["results"]}
            )
        self.assertEqual(listed["anonymous"], 401)
        self.assertEqual(listed["handler_a"], {mine.serial})
        self.assertEqual(listed["handler_b"], {other.serial})
        self.assertEqual(listed["handler_c"], set())
        self.assertEqual(listed["citizen"], {mine.serial, other.serial})
        self.assertEqual(listed["other_citizen"], set())
        self.assertEqual(listed["county_office"], {mine.serial, other.serial})
        self.assertEqual(listed["other_county_office"], set())
        self.assertEqual(listed["city_office"], {mine.serial, other.serial})

    def test_submitting_against_every_role(self):
        body = {"category": "appeal", "title": "路灯", "body": "路灯坏了。", "name": "张三", "phone": "13800000000",
                "unit": self.cast.unit_a.pk}  # fmt: skip
        for role in ROLES:
            with self.subTest(role=role):
                response = self.post(role, "/api/v1/my/messages", body)
                allowed = role in ("citizen", "other_citizen")
                self.assertEqual(response.status_code, 401 if role == "anonymous" else (201 if allowed else 403))
                if allowed:
                    self.assertEqual(len(response.json()["passcode"]), 8)
                    self.assertEqual(response.json()["state"], "dispatched")

    def test_supervision_records_against_every_role(self):
        unit = self.cast.unit_a.pk
        deadline = (timezone.now() + dt.timedelta(days=5)).isoformat()
        exposure = {"title": "曝光", "body": "超期。", "outlet": "县电视台"}
        records = {
            f"/api/v1/units/{unit}/explanation-orders": (
                {"reason": "超期未回复。", "messages": [], "backlog_deadline": deadline},
                OFFICE,
            ),
            f"/api/v1/units/{unit}/findings": (
                {"summary": "抽查发现回复敷衍。", "found_on": str(timezone.localdate())},
                OFFICE_OR_CITY,
            ),
            f"/api/v1/units/{unit}/exposures": (exposure, OFFICE_OR_CITY),
            f"/api/v1/units/{unit}/accountability-referrals": (
                {"person": "某某", "reason": "弄虚作假。", "referred_to": "县纪委监委"},
                OFFICE,
            ),
        }  # fmt: skip
        for path, (body, allowed) in records.items():
            for role in ROLES:
                with self.subTest(path=path, role=role):
                    # Each its own: the same one again is refused as a repeat.
                    if path.endswith("/exposures"):
                        body = {**body, "title": f"曝光（{role}）"}
                    if path.endswith("/explanation-orders"):
                        body = {**body, "reason": f"超期未回复（{role}）。"}
                    response = self.post(role, path, body)
                    want = 401 if role == "anonymous" else (201 if role in allowed else 403)
                    self.assertEqual(response.status_code, want, response.content)

    def test_an_order_naming_no_message_is_refused_while_the_unit_has_some_unanswered(self):
        m = self.cast.submit()
        deadline = (timezone.now() + dt.timedelta(days=5)).isoformat()
        path = f"/api/v1/units/{self.cast.unit_a.pk}/explanation-orders"
        response = self.post("county_office", path, {"reason": "超期。", "messages": [], "backlog_deadline": deadline})
        self.assertEqual(response.status_code, 422, response.content)
        self.assertEqual(response.json()["code"], "no_backlog_chosen")
        # Nor one naming only a message answered already (an attacker's trial).
        answered = self.cast.replied(title="已回复的留言")
        body = {"reason": "超期。", "messages": [answered.serial], "backlog_deadline": deadline}
        self.assertEqual(self.post("county_office", path, body).json()["code"], "no_backlog_chosen")
        body = {"reason": "超期。", "messages": [m.serial], "backlog_deadline": deadline}
        self.assertEqual(self.post("county_office", path, body).status_code, 201)

    def test_recording_an_explanation_against_every_role(self):
        for role in ROLES:
            with self.subTest(role=role):
                order = actions.order_written_explanation(
                    unit=self.cast.unit_a, by=self.cast.county_office, reason=f"超期（{role}）。", messages=[],
                    backlog_deadline=timezone.now() + dt.timedelta(days=5),
                )  # fmt: skip
                response = self.post(role, f"/api/v1/explanation-orders/{order.pk}/explanation", {"text": "已整改。"})
                want = 401 if role == "anonymous" else (201 if role in {"leader_a", *OFFICE} else 403)
                self.assertEqual(response.status_code, want, response.content)

    def test_returning_an_explanation_against_every_role(self):
        for role in ROLES:
            with self.subTest(role=role):
                order = actions.order_written_explanation(
                    unit=self.cast.unit_a, by=self.cast.county_office, reason=f"超期（{role}）。", messages=[],
                    backlog_deadline=timezone.now() + dt.timedelta(days=5),
                )  # fmt: skip
                actions.record_explanation(order=order, by=self.cast.leader_a, text="短")
                response = self.post(role, f"/api/v1/explanation-orders/{order.pk}/return", {"note": "请写明原因。"})
                want = 401 if role == "anonymous" else (201 if role in OFFICE else 403)
                self.assertEqual(response.status_code, want, response.content)

    def test_withdrawing_an_exposure_against_every_role(self):
        for n, role in enumerate(ROLES):
            with self.subTest(role=role):
                exposure = actions.publish_exposure(
                    unit=self.cast.unit_a,
                    by=self.cast.county_office,
                    title=f"曝光{n}",
                    body="超期。",
                    outlet="县电视台",
                )
                response = self.post(role, f"/api/v1/exposures/{exposure.pk}/withdraw", {"note": "重复录入。"})
                want = 401 if role == "anonymous" else (201 if role in OFFICE_OR_CITY else 403)
                self.assertEqual(response.status_code, want, response.content)

    def test_an_exposure_posted_again_by_a_retry_is_refused_with_the_reason(self):
        body = {"title": "市曝光", "body": "y", "outlet": "z"}
        path = f"/api/v1/units/{self.cast.unit_a.pk}/exposures"
        self.assertEqual(self.post("city_office", path, body).status_code, 201)
        again = self.post("city_office", path, body)
        self.assertEqual(again.json()["code"], "repeated")
        self.assertIn("不再重复录入", again.json()["message"])

    def test_public_reads_are_the_same_for_every_role(self):
        published = self.cast.replied()
        hidden = self.cast.submit()
        for role in ROLES:
            with self.subTest(role=role):
                board = self.get(role, "/api/v1/messages", region="luocheng")
                self.assertEqual([r["serial"] for r in board.json()["results"]], [published.serial])
                self.assertEqual(self.get(role, f"/api/v1/messages/luocheng/{published.serial}").status_code, 200)
                self.assertEqual(self.get(role, f"/api/v1/messages/luocheng/{hidden.serial}").status_code, 404)
                for path in ("/api/v1/regions", "/api/v1/categories", "/api/v1/units", "/api/v1/statistics"):
                    self.assertEqual(self.get(role, path, region="luocheng").status_code, 200)
