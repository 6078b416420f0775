"""Review before publishing (先审后发): what waits is not public anywhere, what the
office passes is, a redacted version replaces the original for the public only, a
withheld text stays private, the citizen is told why; deadlines do not notice."""

from django.urls import reverse

from wenzheng.accounts.policy import ActionRefused
from wenzheng.attachments import files
from wenzheng.attachments.testing import phone_photo
from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.privacy import actions as privacy
from wenzheng.privacy.forms import RedactForm
from wenzheng.privacy.models import CountyPrivacy, Review, SensitiveWord
from wenzheng.testing import CastTestCase, local

BODY = "我叫张三丰，电话13912345678，东门镇新街路灯坏了两个星期，有人说要去集体上访。"


class ReviewTestCase(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        CountyPrivacy.objects.create(region=c.county, review_before_publishing=True)
        SensitiveWord.objects.create(
            region=c.county, word="集体上访", added_by=c.county_office, added_at=local(2026, 1, 5)
        )

    def post_message(self, *, at=None, consent=True, unit="a", photos=0):
        c = self.cast
        message = actions.submit(
            by=c.citizen, category=c.consultation, unit=c.unit_a if unit == "a" else c.unit_c,
            region=None, title="新街路灯不亮", body=BODY, name="张三丰", phone="13912345678",
            consent_to_publish=consent, at=at or local(2026, 3, 2, 9),
            attachments=[files.read(phone_photo(size=(60, 40)), allow_pdf=False) for _ in range(photos)],
        )  # fmt: skip
        actions.reply(
            message=message,
            by=c.handler_a if unit == "a" else c.handler_c,
            text="已安排维修。",
            at=at or local(2026, 3, 3, 9),
        )
        message.refresh_from_db()
        return message

    def public_page(self, message):
        self.client.logout()
        return self.client.get(reverse("public:message", args=[message.region.code, message.serial]))


class ReviewActionsTest(ReviewTestCase):
    def test_a_message_waits_for_review_and_is_public_nowhere_meanwhile(self):
        message = self.post_message()
        review = Review.objects.get(message=message)
        self.assertEqual((review.state, review.follow_up), (Review.State.PENDING, None))
        self.assertFalse(Message.objects.published().filter(pk=message.pk).exists())
        self.assertEqual(self.public_page(message).status_code, 404)
        self.assertEqual(self.client.get(f"/api/v1/messages/luocheng/{message.serial}").status_code, 404)
        self.assertNotIn(
            message.serial,
            self.client.get("/open311/v2/requests.json", {"jurisdiction_id": "luocheng"}).content.decode(),
        )

    def test_the_deadlines_run_from_arrival_whatever_the_review(self):
        c = self.cast
        at = local(2026, 3, 2, 9)
        plain = {"by": c.citizen, "category": c.consultation, "unit": c.unit_a, "name": "甲", "phone": "13800000000"}
        reviewed = actions.submit(**plain, title="甲", body="甲", consent_to_publish=True, at=at)
        CountyPrivacy.objects.filter(region=c.county).update(review_before_publishing=False)
        plain = actions.submit(**plain, title="乙", body="乙", consent_to_publish=True, at=at)
        self.assertTrue(Review.objects.filter(message=reviewed).exists())
        self.assertFalse(Review.objects.filter(message=plain).exists())
        due = lambda m: list(m.stages.order_by("kind").values_list("kind", "due_at"))  # noqa: E731
        self.assertEqual(due(reviewed), due(plain))
        privacy.withhold(message=reviewed, by=c.county_office, reason="涉及他人隐私。", at=local(2026, 3, 3, 9))
        self.assertEqual(due(reviewed), due(plain))

    def test_a_message_without_consent_is_not_queued(self):
        message = self.post_message(consent=False)
        self.assertFalse(Review.objects.filter(message=message).exists())

    def test_passing_makes_it_public_masked_with_an_event_that_copies_nothing(self):
        message = self.post_message()
        privacy.pass_review(message=message, by=self.cast.county_office)
        self.assertTrue(Message.objects.published().filter(pk=message.pk).exists())
        page = self.public_page(message)
        self.assertContains(page, "我叫张**，电话139****5678")
        self.assertNotContains(page, "13912345678")
        event = Event.objects.get(message=message, kind=Event.Kind.REVIEW_PASSED)
        self.assertEqual(
            (event.note, event.data), ("", {"review": Review.objects.get(message=message).pk, "follow_up": None})
        )
        self.assertIsNone(chain.verify()[1])
        with self.assertRaises(ActionRefused) as refused:
            privacy.pass_review(message=message, by=self.cast.county_office)
        self.assertEqual(refused.exception.code, "already_passed")

    def test_a_redacted_version_is_what_the_public_reads_and_the_original_is_kept(self):
        message = self.post_message()
        privacy.publish_redacted(
            message=message, by=self.cast.county_office, title="新街路灯不亮",
            text="东门镇新街路灯坏了两个星期。", reason="删去与诉求无关的内容。",
        )  # fmt: skip
        page = self.public_page(message)
        self.assertContains(page, "东门镇新街路灯坏了两个星期。")
        self.assertNotContains(page, "集体上访")
        api = self.client.get(f"/api/v1/messages/luocheng/{message.serial}").json()
        self.assertEqual(api["body"], "东门镇新街路灯坏了两个星期。")
        message.refresh_from_db()
        self.assertEqual(message.body, BODY)  # the original, for staff and the citizen
        # The citizen is told, with the reason, on the tracking page.
        self.client.force_login(self.cast.citizen)
        own = self.client.get(reverse("public:message", args=["luocheng", message.serial]))
        self.assertContains(own, BODY)
        self.assertContains(own, "以删节后的版本公开您的留言")
        self.assertContains(own, "删去与诉求无关的内容。")
        self.assertTrue(Event.objects.filter(message=message, kind=Event.Kind.REVIEW_REDACTED, note="").exists())

    def test_a_long_message_is_redacted_without_cutting_the_rest(self):
        """Found by a newcomer: citizens may write 20,000 characters, but the public
        version was capped at 5,000, so masking one detail of a 15,000-character
        message meant deleting two thirds of it."""
        message = self.post_message()
        long_text = "新街路灯不亮，晚上出行很不方便。" * 1000  # 16,000 characters
        form = RedactForm({"title": "新街路灯不亮", "text": long_text, "reason": "删去电话号码。"})
        self.assertTrue(form.is_valid(), form.errors)
        privacy.publish_redacted(
            message=message, by=self.cast.county_office, title="新街路灯不亮", text=long_text, reason="删去电话号码。"
        )
        self.assertEqual(Review.objects.get(message=message).public_text, long_text)
        too_long = RedactForm({"title": "t", "text": "字" * 20_001, "reason": "r"})
        self.assertIn("公开内容不能超过20000个字", str(too_long.errors))

    def test_a_withheld_message_stays_private_and_its_citizen_is_told_why(self):
        message = self.post_message()
        privacy.withhold(message=message, by=self.cast.county_office, reason="涉及第三人隐私。")
        self.assertEqual(self.public_page(message).status_code, 404)
        self.client.force_login(self.cast.citizen)
        own = self.client.get(reverse("public:message", args=["luocheng", message.serial]))
        self.assertContains(own, "县网络问政办决定不公开您的留言")
        self.assertContains(own, "涉及第三人隐私。")
        # Withheld, then passed: the office may change its mind.
        privacy.pass_review(message=message, by=self.cast.county_office)
        self.assertEqual(self.public_page(message).status_code, 200)

    def test_follow_ups_wait_too_and_their_event_refers_to_the_row(self):
        message = self.post_message()
        privacy.pass_review(message=message, by=self.cast.county_office)
        item = actions.follow_up(
            message=message, who=actions.Citizen(user=self.cast.citizen), text="我的新号码是13700001111，请回电。"
        )
        event = Event.objects.get(message=message, kind=Event.Kind.FOLLOWED_UP)
        self.assertEqual((event.note, event.data), ("", {"follow_up": item.pk}))
        self.assertNotContains(self.public_page(message), "我的新号码")
        privacy.pass_review(message=message, by=self.cast.county_office, follow_up=item)
        page = self.public_page(message)
        self.assertContains(page, "我的新号码是137****1111，请回电。")

    def test_the_office_may_redact_what_was_published_without_review(self):
        c = self.cast
        CountyPrivacy.objects.filter(region=c.county).update(review_before_publishing=False)
        message = self.post_message()
        self.assertEqual(self.public_page(message).status_code, 200)
        privacy.withhold(message=message, by=c.county_office, reason="网民来电要求不公开。")
        self.assertEqual(self.public_page(message).status_code, 404)

    def test_only_the_county_office_over_it_reviews(self):
        message = self.post_message()
        for role in ("handler_a", "leader_a", "city_office", "other_county_office", "citizen"):
            with self.subTest(role=role), self.assertRaises(ActionRefused):
                privacy.pass_review(message=message, by=getattr(self.cast, role))
        with self.assertRaises(ActionRefused) as refused:
            privacy.withhold(message=message, by=self.cast.county_office, reason="  ")
        self.assertEqual(refused.exception.code, "missing_text")
        self.assertEqual(Review.objects.get(message=message).state, Review.State.PENDING)
        self.assertFalse(Event.objects.filter(kind__startswith="review_").exists())


class ReviewPagesTest(ReviewTestCase):
    def test_the_queue_lists_oldest_first_with_sensitive_words_and_personal_data(self):
        older = self.post_message(at=local(2026, 3, 2, 9))
        newer = self.post_message(at=local(2026, 3, 2, 10))
        self.client.force_login(self.cast.county_office)
        page = self.client.get(reverse("workspace:reviews", args=["luocheng"]))
        content = page.content.decode()
        self.assertLess(content.index(older.serial), content.index(newer.serial))
        self.assertContains(page, '<span class="badge bad">集体上访</span>', html=True, count=2)
        self.client.force_login(self.cast.other_county_office)
        self.assertEqual(self.client.get(reverse("workspace:reviews", args=["luocheng"])).status_code, 404)

    def test_a_message_passed_before_its_answer_is_said_to_go_public_with_the_answer(self):
        c = self.cast
        message = actions.submit(
            by=c.citizen, category=c.consultation, unit=c.unit_a, region=None, title="新街路灯不亮", body=BODY,
            name="张三丰", phone="13912345678", consent_to_publish=True, at=local(2026, 3, 2, 9),
        )  # fmt: skip
        self.client.force_login(c.county_office)
        done = self.client.post(reverse("workspace:review", args=[message.pk]), {"decision": "pass"}, follow=True)
        self.assertContains(done, f"留言 {message.serial} 已审核通过，办理单位答复后公开（个人信息自动遮盖）。")

    def test_the_review_page_highlights_and_the_decision_moves_to_the_next(self):
        first = self.post_message(at=local(2026, 3, 2, 9))
        second = self.post_message(at=local(2026, 3, 2, 10))
        self.client.force_login(self.cast.county_office)
        page = self.client.get(reverse("workspace:review", args=[first.pk]))
        self.assertContains(page, '<mark class="hit-word">集体上访</mark>', html=True)
        self.assertContains(page, '<mark class="hit-personal">13912345678</mark>', html=True)
        self.assertContains(page, "139****5678")  # the public version beside it
        done = self.client.post(reverse("workspace:review", args=[first.pk]), {"decision": "pass"}, follow=True)
        self.assertRedirects(done, reverse("workspace:review", args=[second.pk]))
        # The next text's page says which one was passed: not this one.
        self.assertContains(done, f"留言 {first.serial} 已审核通过，已公开（个人信息自动遮盖）。")
        refused = self.client.post(
            reverse("workspace:review", args=[second.pk]), {"decision": "withhold", "withhold-reason": ""}
        )
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(Review.objects.get(message=second).state, Review.State.PENDING)

    def test_the_citizen_is_told_public_only_while_the_board_shows_it(self):
        c = self.cast
        message = self.post_message()
        privacy.pass_review(message=message, by=c.county_office)
        url = reverse("public:message", args=["luocheng", message.serial])
        self.client.force_login(c.citizen)
        self.assertContains(self.client.get(url), "您的留言已审核通过并公开")
        # 不满意, and the office sends it back to be answered again: still public, with
        # its first answer (a reopened message once went off the board).
        actions.rate(message=message, who=actions.Citizen(user=c.citizen), rating="dissatisfied", reason="没修好。")
        actions.reopen_on_revisit(revisit=message.revisits.get(), by=c.county_office, reason="核实未修复。")
        self.assertEqual(self.public_page(message).status_code, 200)
        self.client.force_login(c.citizen)
        self.assertContains(self.client.get(url), "您的留言已审核通过并公开")
        # Taken off the board as spam: no longer told it is public.
        actions.mark_spam(message=message, by=c.county_office, reason="重复广告")
        self.assertEqual(self.public_page(message).status_code, 404)
        self.client.force_login(c.citizen)
        page = self.client.get(url)
        self.assertNotContains(page, "已审核通过并公开")
        self.assertNotContains(page, "这条留言正在重新办理")

    def test_a_merged_messages_citizen_is_not_told_its_clocks_run_on(self):
        c = self.cast
        main = c.submit(unit="a", at=local(2026, 3, 2, 9))
        mine = actions.submit(
            by=c.citizen, category=c.consultation, unit=c.unit_b, region=None, title="新街路灯又不亮",
            body=BODY, name="张三丰", phone="13912345678", consent_to_publish=True, at=local(2026, 3, 2, 10),
        )  # fmt: skip
        url = reverse("public:message", args=["luocheng", mine.serial])
        self.client.force_login(c.citizen)
        self.assertContains(self.client.get(url), "办理单位照常办理，办理时限不受影响。")
        actions.merge_duplicate(
            message=mine, into=main, by=c.county_office, reason="同一路灯", at=local(2026, 3, 2, 11)
        )
        page = self.client.get(url)
        self.assertContains(page, "您的留言正在等待县网络问政办审核，审核通过后公开。")
        self.assertNotContains(page, "办理时限不受影响")
        self.assertContains(page, f"您的留言已与留言 {main.serial} 合并办理（并单）")

    def test_the_photos_that_go_public_with_a_text_are_on_its_review(self):
        c = self.cast
        message = self.post_message(photos=2)
        actions.follow_up(
            message=message,
            who=actions.Citizen(user=c.citizen),
            text="还是不亮。",
            attachments=[files.read(phone_photo(size=(60, 40)), allow_pdf=False)],
            at=local(2026, 3, 4, 9),
        )
        follow_up = message.follow_ups.get()
        own = list(message.attachments.filter(follow_up=None).order_by("position"))
        self.client.force_login(c.county_office)
        queue = self.client.get(reverse("workspace:reviews", args=["luocheng"]))
        self.assertContains(queue, "附图2张")
        self.assertContains(queue, "附图1张")  # the follow-up's
        url = reverse("workspace:review", args=[message.pk])
        page = self.client.get(url)
        self.assertContains(page, "附图2张")
        for photo in own:
            self.assertContains(page, reverse("attachments:thumbnail", args=[photo.pk]))
        self.assertNotContains(page, reverse("attachments:thumbnail", args=[follow_up.attachments.get().pk]))
        # One photo kept back from the review page, which it comes back to.
        kept_back = self.client.post(
            reverse("workspace:attachment-withhold", args=[own[0].pk]), {"reason": "有人脸", "next": url}
        )
        self.assertRedirects(kept_back, url, fetch_redirect_response=False)
        own[0].refresh_from_db()
        self.assertIsNotNone(own[0].withheld_at)
        self.assertContains(self.client.get(url), "恢复公开")
        self.assertContains(self.client.get(reverse("workspace:reviews", args=["luocheng"])), "附图1张", count=2)
        # Elsewhere it goes back to the message's page; never off the site.
        elsewhere = self.client.post(
            reverse("workspace:attachment-release", args=[own[0].pk]), {"next": "https://example.com/"}
        )
        self.assertRedirects(elsewhere, reverse("workspace:message", args=[message.pk]), fetch_redirect_response=False)
        for hostile in ("第一行\n第二行 ", "workspace:home", "//example.com/", "javascript:alert(1)"):
            with self.subTest(next=hostile):
                response = self.client.post(
                    reverse("workspace:attachment-release", args=[own[0].pk]), {"next": hostile}
                )
                self.assertRedirects(
                    response, reverse("workspace:message", args=[message.pk]), fetch_redirect_response=False
                )
        follow_up_page = self.client.get(reverse("workspace:review-follow-up", args=[message.pk, follow_up.pk]))
        self.assertContains(follow_up_page, "附图1张")
        self.assertContains(follow_up_page, reverse("attachments:thumbnail", args=[follow_up.attachments.get().pk]))

    def test_units_and_the_city_cannot_open_a_review(self):
        message = self.post_message()
        for role in ("handler_a", "city_office"):
            self.client.force_login(getattr(self.cast, role))
            self.assertIn(self.client.get(reverse("workspace:review", args=[message.pk])).status_code, (403, 404))

    def test_the_setting_and_the_lists_are_kept_on_the_office_page(self):
        c = self.cast
        self.client.force_login(c.county_office)
        url = reverse("workspace:privacy", args=["luocheng"])
        self.client.post(url, {"what": "setting"})
        self.assertFalse(CountyPrivacy.reviews(c.county))
        self.client.post(url, {"what": "words", "words-words": "狗官\n贪官，狗官"})
        self.assertEqual(
            set(SensitiveWord.objects.filter(region=c.county).values_list("word", flat=True)),
            {"集体上访", "狗官", "贪官"},
        )
        self.client.post(url, {"what": "contact", "contact-value": "0778-8212345", "contact-label": "县政务服务中心"})
        message = self.post_message()
        actions.reply(message=message, by=c.handler_a, text="请拨打0778-8212345咨询，或联系网友张三丰。")
        page = self.public_page(message)
        self.assertContains(page, "请拨打0778-8212345咨询，或联系网友张**。")
        self.client.force_login(c.county_office)
        refused = self.client.post(url, {"what": "contact", "contact-value": "12", "contact-label": "x"})
        self.assertContains(refused, "请填写5至13位的电话号码", status_code=400)
        word = SensitiveWord.objects.get(region=c.county, word="狗官")
        self.client.force_login(c.other_county_office)
        self.assertEqual(
            self.client.post(reverse("workspace:remove-word", args=["luocheng", word.pk])).status_code, 404
        )
        self.assertTrue(SensitiveWord.objects.filter(pk=word.pk).exists())
