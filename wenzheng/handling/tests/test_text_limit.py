"""One length limit for a message body, a reply and a follow-up, wherever they are
written: the action, the citizen's and the unit's forms, the API (and the importer,
tested in wenzheng.bulk). Replies on peer platforms reach 8,000 characters."""

from django.conf import settings
from django.test import override_settings

from wenzheng.api.models import ApiToken
from wenzheng.handling import actions
from wenzheng.public.forms import FollowUpForm, PostForm
from wenzheng.workspace.forms import ReplyForm

from .helpers import HandlingTestCase

LONG = "字" * 8_000
TOO_LONG = "字" * (settings.MESSAGE_TEXT_MAX_CHARS + 1)


class TextLimitTests(HandlingTestCase):
    def test_the_default_limit_takes_real_messages(self):
        self.assertGreaterEqual(settings.MESSAGE_TEXT_MAX_CHARS, 20_000)
        message = actions.submit(
            by=None, category=self.cast.consultation, unit=self.cast.unit_a, title="路灯", body=LONG,
            name="张三", phone="13800000000", consent_to_publish=True,
        )  # fmt: skip
        reply = actions.reply(message=message, by=self.cast.handler_a, text=LONG)
        self.assertEqual((len(message.body), len(reply.text)), (8_000, 8_000))

    def test_the_refusal_says_the_limit(self):
        message = self.cast.submit()
        refusal = self.assertRefused(
            "text_too_long", actions.reply, message=message, by=self.cast.handler_a, text=TOO_LONG
        )
        self.assertEqual(refusal.reason, f"回复内容不能超过{settings.MESSAGE_TEXT_MAX_CHARS}个字。")

    def test_the_actions_read_the_setting(self):
        message = self.cast.submit()
        with override_settings(MESSAGE_TEXT_MAX_CHARS=10):
            refusal = self.assertRefused(
                "text_too_long", actions.reply, message=message, by=self.cast.handler_a, text="字" * 11
            )
        self.assertEqual(refusal.reason, "回复内容不能超过10个字。")

    def test_the_forms_take_long_text_and_say_the_limit(self):
        limit = settings.MESSAGE_TEXT_MAX_CHARS
        for form, field, what in (
            (lambda data: ReplyForm(data), "text", "回复内容"),
            (lambda data: FollowUpForm(data), "text", "追问内容"),
            (lambda data: PostForm(data, region=self.cast.county), "body", "留言内容"),
        ):
            with self.subTest(what):
                self.assertNotIn(field, form({field: LONG}).errors)
                errors = form({field: TOO_LONG}).errors[field]
                self.assertEqual(errors, [f"{what}不能超过{limit}个字（现有{limit + 1}个字）。"])

    def test_the_api_refuses_with_the_limit(self):
        message = self.cast.submit()
        token = ApiToken.issue(user=self.cast.handler_a, name="测试")[1]
        path = f"/api/v1/my/messages/{message.region.code}/{message.serial}/reply"
        headers = {"Authorization": f"Bearer {token}"}
        response = self.client.post(path, {"text": TOO_LONG}, content_type="application/json", headers=headers)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["message"], f"回复内容不能超过{settings.MESSAGE_TEXT_MAX_CHARS}个字。")
        response = self.client.post(path, {"text": LONG}, content_type="application/json", headers=headers)
        self.assertEqual(response.status_code, 200)
