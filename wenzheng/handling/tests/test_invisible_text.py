"""A required text that holds only characters nobody sees is no text.

A reply of zero-width spaces and a direction override was published as an empty
answer and counted as replied on time; a reason of the same was shown as an empty
reason. Every step that requires a text refuses it as if nothing had been typed."""

from wenzheng.handling import actions
from wenzheng.handling.actions import Citizen
from wenzheng.handling.models import Message
from wenzheng.privacy import actions as privacy
from wenzheng.testing import CastTestCase

# A zero-width space, a word joiner, a right-to-left override, a byte order mark, a
# soft hyphen, an ideographic space and a Hangul filler: typed, pasted or both.
NOTHING_SEEN = "\u200b\u2060\u202e\ufeff\u00ad\u3000\u3164"


class InvisibleTextTest(CastTestCase):
    def assertMissing(self, call):
        with self.assertRaises(actions.ActionRefused) as refused:
            call()
        self.assertEqual(refused.exception.code, "missing_text")
        self.assertTrue(refused.exception.reason.startswith("请填写"))

    def test_a_reply_of_invisible_characters_is_refused_and_nothing_is_replied(self):
        message = self.cast.submit()
        actions.respond(message=message, by=self.cast.handler_a)
        self.assertMissing(lambda: actions.reply(message=message, by=self.cast.handler_a, text=NOTHING_SEEN))
        message.refresh_from_db()
        self.assertEqual((message.state, message.replies.count()), (Message.State.RESPONDED, 0))

    def test_every_reason_the_unit_and_the_office_give_is_required_to_be_seen(self):
        message = self.cast.submit()
        by = self.cast.handler_a
        self.assertMissing(lambda: actions.request_transfer(message=message, by=by, reason=NOTHING_SEEN))
        self.assertMissing(lambda: actions.request_extension(message=message, by=by, days=3, reason=NOTHING_SEEN))
        office = self.cast.county_office
        self.assertMissing(lambda: actions.mark_spam(message=message, by=office, reason=NOTHING_SEEN))
        self.assertMissing(
            lambda: actions.reassign(message=message, by=office, unit=self.cast.unit_b, reason=NOTHING_SEEN)
        )
        self.assertMissing(
            lambda: privacy.publish_redacted(message=message, by=office, title="路灯", text=NOTHING_SEEN, reason="电话")
        )
        self.assertMissing(
            lambda: privacy.publish_redacted(message=message, by=office, title=NOTHING_SEEN, text="路灯", reason="电话")
        )
        message.refresh_from_db()
        self.assertEqual((message.state, message.unit), (Message.State.DISPATCHED, self.cast.unit_a))

    def test_an_optional_note_of_invisible_characters_is_kept_as_no_note(self):
        message = self.cast.submit()
        actions.respond(message=message, by=self.cast.handler_a, note=NOTHING_SEEN)
        self.assertEqual(message.events.get(kind="responded").data.get("note", ""), "")

    def test_a_citizen_follow_up_and_a_dissatisfied_reason_must_be_seen_too(self):
        message = self.cast.replied()
        who = Citizen(user=self.cast.citizen)
        self.assertMissing(lambda: actions.follow_up(message=message, who=who, text=NOTHING_SEEN))
        self.assertMissing(lambda: actions.rate(message=message, who=who, rating="dissatisfied", reason=NOTHING_SEEN))
        message.refresh_from_db()
        self.assertEqual((message.rating, message.follow_ups.count()), ("", 0))

    def test_text_loses_its_invisible_spaces_but_keeps_an_emojis_joiner(self):
        # A zero-width space kept in a title hid 不亮请修 from a search for it; the joiner
        # of 👩‍🚒 makes one picture of two and stays.
        message = self.cast.submit()
        reply = actions.reply(message=message, by=self.cast.handler_a, text="\u200b已修复\u200d。👩\u200d🚒\ufeff")
        self.assertEqual(reply.text, "已修复。👩\u200d🚒")

    def test_the_reply_page_says_what_is_missing_instead_of_publishing_nothing(self):
        message = self.cast.submit()
        actions.respond(message=message, by=self.cast.handler_a)
        self.client.force_login(self.cast.handler_a)
        response = self.client.post(f"/work/messages/{message.pk}/reply/", {"text": NOTHING_SEEN})
        self.assertContains(response, "请填写回复内容。", status_code=400)
        message.refresh_from_db()
        self.assertEqual(message.state, Message.State.RESPONDED)

    def test_the_rating_form_asks_for_a_reason_it_can_see(self):
        message = self.cast.replied()
        self.client.force_login(self.cast.citizen)
        url = f"/messages/luocheng/{message.serial}/"
        response = self.client.post(url, {"rating": "dissatisfied", "reason": NOTHING_SEEN})
        self.assertContains(response, "不满意的理由", status_code=400)
        message.refresh_from_db()
        self.assertEqual(message.rating, "")
