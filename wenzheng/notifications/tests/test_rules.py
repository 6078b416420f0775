"""Who hears of each step (DOMAIN.md, "Reminders and notifications"): the notices an
action writes in its own transaction, and the deliveries planned for them."""

from django.urls import reverse

from wenzheng.accounts.policy import ActionRefused
from wenzheng.handling import actions
from wenzheng.notifications.models import Delivery, Notice, Preference
from wenzheng.testing import CastTestCase, local
from wenzheng.units.models import Unit

from .helpers import at, texts

NOW = local(2026, 3, 4, 10)


class WhoHearsTest(CastTestCase):
    def setUp(self):
        c = self.cast
        c.handler_a.phone, c.handler_a.email = "13900000001", "handler_a@dongmen.gov.cn"
        c.handler_a.save()
        self.travel = at(NOW)
        self.travel.__enter__()

    def tearDown(self):
        self.travel.__exit__(None, None, None)

    def heard(self, kind):
        return set(Notice.objects.filter(kind=kind).values_list("recipient__username", flat=True))

    def test_the_units_handlers_hear_of_a_new_message_at_once_and_no_one_else(self):
        message = self.cast.submit(category=self.cast.appeal)
        self.assertEqual(self.heard(Notice.Kind.ARRIVED), {"handler_a", "handler_a2"})
        self.assertEqual(
            texts(self.cast.handler_a),
            [f"网民给本单位的新留言{message.serial}（诉求），请在1个工作日内签收。"],
        )
        notice = Notice.objects.get(recipient=self.cast.handler_a)
        self.assertEqual(notice.link, reverse("workspace:message", args=[message.pk]))
        # handler_a gave a mobile and an e-mail address: both are queued for the worker.
        self.assertEqual(
            sorted(notice.deliveries.values_list("channel", "state")), [("email", "queued"), ("sms", "queued")]
        )
        # handler_a2 gave neither: the bell alone.
        self.assertFalse(Delivery.objects.filter(notice__recipient=self.cast.handler_a2).exists())

    def test_dispatch_and_transfer_reach_the_receiving_unit(self):
        c = self.cast
        message = c.submit(unit=None)
        self.assertFalse(Notice.objects.exists())  # waits for the county office
        actions.dispatch(message=message, by=c.county_office, unit=c.unit_a)
        # Given by the office, not written to the unit (网民给本单位的新留言).
        self.assertEqual(texts(c.handler_a), [f"新留言{message.serial}（咨询）已交办本单位，请在1个工作日内签收。"])
        actions.request_transfer(message=message, by=c.handler_a, reason="属住建局。")
        actions.dispatch(message=message, by=c.county_office, unit=c.unit_b, note="转住建局。")
        self.assertEqual(texts(c.handler_b), [f"新留言{message.serial}（咨询）已转办本单位，请在1个工作日内签收。"])

    def test_a_districts_office_is_named_so(self):
        c = self.cast
        c.county.name = "金城江区"
        c.county.save(update_fields=["name"])
        message = c.submit()
        actions.reassign(message=message, by=c.county_office, unit=c.unit_b, reason="属住建局。")
        self.assertEqual(
            texts(c.leader_a, Notice.Kind.MOVED),
            [f"留言{message.serial}已由区网络问政办改派给{c.unit_b.name}（属住建局。），本单位无需再办理。"],
        )

    def test_a_reassigned_message_reaches_the_new_unit(self):
        c = self.cast
        message = c.submit()
        actions.reassign(message=message, by=c.county_office, unit=c.unit_b, reason="属住建局。")
        self.assertEqual(len(texts(c.handler_b, Notice.Kind.ARRIVED)), 1)

    def test_the_unit_a_message_leaves_hears_where_it_went(self):
        c = self.cast
        handed_back = c.submit()
        actions.respond(message=handed_back, by=c.handler_a)
        # An extension still pending when the message leaves ends with the move.
        actions.request_extension(message=handed_back, by=c.handler_a, days=3, reason="需核实。")
        actions.request_transfer(message=handed_back, by=c.handler_a, reason="属社保中心职责。")
        actions.dispatch(message=handed_back, by=c.county_office, unit=c.unit_b, note="转社保中心。")
        moved = c.submit()
        actions.reassign(message=moved, by=c.county_office, unit=c.unit_b, reason="属住建局职责。")
        self.assertEqual(self.heard(Notice.Kind.MOVED), {"handler_a", "handler_a2", "leader_a"})
        self.assertEqual(
            texts(c.leader_a, Notice.Kind.MOVED),
            [
                f"留言{handed_back.serial}的退单申请已同意，已转交{c.unit_b.name}办理，本单位无需再办理。",
                f"留言{moved.serial}已由县网络问政办改派给{c.unit_b.name}（属住建局职责。），本单位无需再办理。",
            ],
        )
        self.assertEqual(Notice.objects.filter(kind=Notice.Kind.MOVED).first().link, reverse("workspace:inbox"))
        self.assertEqual(len(texts(c.handler_b, Notice.Kind.ARRIVED)), 2)
        # Nobody is told twice: the extension the move ended is no decision of its own.
        self.assertTrue(handed_back.extension_requests.filter(status="lapsed").exists())
        self.assertFalse(Notice.objects.filter(kind=Notice.Kind.DECIDED).exists())

    def test_a_notice_quotes_a_reason_as_the_public_reads_it(self):
        """Found by an audit: the unit a message was reassigned away from read the
        citizen's name and number in the reason its notice quoted (and a notice goes by
        SMS and e-mail too), from the moment it lost the right to see them."""
        c = self.cast
        moved = c.submit()
        actions.reassign(message=moved, by=c.county_office, unit=c.unit_b, reason="张三13800000000反映的属住建局。")
        kept = c.submit()
        actions.request_transfer(message=kept, by=c.handler_a, reason="不属本单位。")
        actions.reject_transfer(message=kept, by=c.county_office, reason="张三家住本镇，电话13800000000。")
        quoted = texts(c.leader_a, Notice.Kind.MOVED) + texts(c.leader_a, Notice.Kind.DECIDED)
        self.assertEqual(
            quoted,
            [
                f"留言{moved.serial}已由县网络问政办改派给{c.unit_b.name}（张*138****0000反映的属住建局。），本单位无需再办理。",
                f"留言{kept.serial}的退单申请不予同意（张*家住本镇，电话138****0000。），请继续办理，办理期限不变。",
            ],
        )

    def test_the_unit_hears_the_offices_decision_on_what_it_asked(self):
        c = self.cast
        kept = c.submit()
        actions.request_transfer(message=kept, by=c.handler_a, reason="不属本单位。")
        actions.reject_transfer(message=kept, by=c.county_office, reason="属本镇辖区。")
        longer = c.submit()
        actions.respond(message=longer, by=c.handler_a)
        asked = actions.request_extension(message=longer, by=c.handler_a, days=5, reason="需现场核实。")
        actions.approve_extension(request=asked, by=c.county_office)
        asked = actions.request_extension(message=longer, by=c.handler_a, days=3, reason="再核实。")
        actions.reject_extension(request=asked, by=c.county_office, reason="期限已够。")
        self.assertEqual(self.heard(Notice.Kind.DECIDED), {"handler_a", "handler_a2", "leader_a"})
        decided = texts(c.handler_a2, Notice.Kind.DECIDED)
        self.assertEqual(decided[0], f"留言{kept.serial}的退单申请不予同意（属本镇辖区。），请继续办理，办理期限不变。")
        self.assertRegex(decided[1], rf"^留言{longer.serial}的延期申请已同意，回复期限延至\d+月\d+日24时。$")
        self.assertEqual(decided[2], f"留言{longer.serial}的延期申请不予同意（期限已够。），请按原期限回复。")

    def test_decided_after_a_late_reply_the_unit_hears_how_its_reply_now_stands(self):
        # Asked in time, the reply given late while the office had not decided: the
        # request waits still, and "请按原期限回复" would tell the unit to do what it did.
        c = self.cast
        asked = []
        for _ in range(2):
            m = c.submit(at=local(2026, 3, 2, 9))  # reply due at the end of Monday 9 March
            asked.append(
                actions.request_extension(message=m, by=c.handler_a, days=3, reason="需核实。", at=local(2026, 3, 4, 9))
            )
            actions.reply(message=m, by=c.handler_a, text="已处理。", at=local(2026, 3, 11, 9))
        approved, refused = asked
        actions.approve_extension(request=approved, by=c.county_office, at=local(2026, 3, 12, 10))
        actions.reject_extension(request=refused, by=c.county_office, reason="期限已够。", at=local(2026, 3, 12, 10))
        self.assertEqual(
            texts(c.leader_a, Notice.Kind.DECIDED),
            [
                f"留言{approved.message.serial}的延期申请已同意，回复期限延至3月12日24时，已作的回复改判按时。",
                f"留言{refused.message.serial}的延期申请不予同意（期限已够。），已作的回复按原期限计为超期。",
            ],
        )

    def test_a_decision_on_a_reply_given_before_the_message_moved_on_reaches_the_unit_that_asked(self):
        # Replied late while the request waited, reopened, then transferred: the
        # request, about unit_a's first reply, waits for the office still.
        c = self.cast
        m = c.submit(at=local(2026, 3, 2, 9))
        asked = actions.request_extension(message=m, by=c.handler_a, days=3, reason="需核实。", at=local(2026, 3, 4, 9))
        actions.reply(message=m, by=c.handler_a, text="已处理。", at=local(2026, 3, 11, 9))
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 11, 10))
        actions.reopen(message=m, by=c.county_office, reason="未答清楚。", at=local(2026, 3, 12, 9))
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 12, 10))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局。", at=local(2026, 3, 13, 9))
        actions.approve_extension(request=asked, by=c.county_office, at=local(2026, 3, 13, 10))
        self.assertEqual(self.heard(Notice.Kind.DECIDED), {"handler_a", "handler_a2", "leader_a"})
        # The message runs by another reply stage now (unit_b's): the deadline moved is
        # the earlier reply's, said with its year.
        self.assertEqual(
            texts(c.leader_a, Notice.Kind.DECIDED),
            [f"留言{m.serial}的延期申请已同意，此前一次回复的期限延至2026年3月12日24时，已作的回复改判按时。"],
        )
        # Its page is no longer unit_a's to open.
        self.assertEqual(Notice.objects.filter(kind=Notice.Kind.DECIDED).first().link, reverse("workspace:inbox"))

    def test_a_hand_back_refused_days_later_names_the_moved_deadline(self):
        c = self.cast
        kept = c.submit(at=local(2026, 3, 2, 9))  # reply due at the end of Monday 9 March
        actions.request_transfer(message=kept, by=c.handler_a, reason="不属本单位。", at=local(2026, 3, 2, 10))
        actions.reject_transfer(message=kept, by=c.county_office, reason="属本镇辖区。", at=local(2026, 3, 4, 10))
        (text,) = texts(c.handler_a, Notice.Kind.DECIDED)
        self.assertEqual(
            text, f"留言{kept.serial}的退单申请不予同意（属本镇辖区。），请继续办理，回复期限顺延至3月10日24时。"
        )

    def test_the_unit_hears_its_message_is_put_under_supervision(self):
        # A newcomer's 督办 reached no one: a badge in the inbox was all the unit saw.
        c = self.cast
        message = c.submit()
        Notice.objects.all().delete()
        actions.flag_for_supervision(message=message, by=c.county_office, note="请立即签收，张三13800000000反映多次。")
        self.assertEqual(self.heard(Notice.Kind.SUPERVISED), {"handler_a", "handler_a2", "leader_a"})
        (text,) = texts(c.leader_a, Notice.Kind.SUPERVISED)
        self.assertEqual(text, f"留言{message.serial}已列入督办（请立即签收，张*138****0000反映多次。），请抓紧办理。")
        self.assertEqual(
            Notice.objects.filter(kind=Notice.Kind.SUPERVISED).first().link, f"/work/messages/{message.pk}/"
        )

    def test_a_notice_of_a_message_moved_away_says_so_instead_of_a_bare_404(self):
        c = self.cast
        message = c.submit()
        actions.reassign(message=message, by=c.county_office, unit=c.unit_b, reason="属住建局职责。")
        arrived = Notice.objects.get(kind=Notice.Kind.ARRIVED, recipient=c.handler_a)
        self.client.force_login(c.handler_a)
        page = self.client.get(reverse("notifications:open", args=[arrived.pk]), follow=True)
        self.assertEqual(page.redirect_chain, [(reverse("notifications:list"), 302)])
        self.assertContains(page, f"留言{message.serial}已转交其他单位办理，本单位无需再办理。")
        # The unit it went to opens it as before.
        self.client.force_login(c.handler_b)
        theirs = Notice.objects.get(kind=Notice.Kind.ARRIVED, recipient=c.handler_b)
        self.assertRedirects(
            self.client.get(reverse("notifications:open", args=[theirs.pk])),
            reverse("workspace:message", args=[message.pk]),
        )

    def test_the_unit_hears_its_message_marked_as_spam_and_the_mark_undone(self):
        # A trial: neither reached the unit, though undoing the mark restarts its clocks.
        c = self.cast
        message = c.submit()
        Notice.objects.all().delete()
        actions.mark_spam(message=message, by=c.county_office, reason="广告推销。")
        self.assertEqual(self.heard(Notice.Kind.MOVED), {"handler_a", "handler_a2", "leader_a"})
        self.assertEqual(
            texts(c.leader_a, Notice.Kind.MOVED),
            [f"留言{message.serial}已由县网络问政办标记为垃圾留言（广告推销。），本单位无需再办理。"],
        )
        actions.unmark_spam(message=message, by=c.county_office, reason="误判。")
        self.assertEqual(
            texts(c.handler_a, Notice.Kind.ARRIVED),
            [f"留言{message.serial}的垃圾留言标记已撤销，请继续办理，办理期限从今天起重新计算。"],
        )

    def test_a_follow_up_reaches_the_unit_and_dissatisfaction_the_office_too(self):
        c = self.cast
        message = c.replied()
        me = actions.Citizen(user=c.citizen)
        actions.follow_up(message=message, who=me, text="何时修好？")
        self.assertEqual(self.heard(Notice.Kind.FOLLOWED_UP), {"handler_a", "handler_a2"})
        actions.rate(message=message, who=me, rating="dissatisfied", reason="路灯还是不亮。")
        self.assertEqual(self.heard(Notice.Kind.DISSATISFIED), {"handler_a", "handler_a2", "leader_a", "county_office"})
        office = Notice.objects.get(kind=Notice.Kind.DISSATISFIED, recipient=c.county_office)
        self.assertEqual(office.text, f"网民对东门镇就留言{message.serial}所作答复不满意，请处理回访。")
        # The unit is told, not asked to do the office's part (it cannot decide a 回访).
        unit = Notice.objects.get(kind=Notice.Kind.DISSATISFIED, recipient=c.handler_a)
        self.assertEqual(
            unit.text, f"网民对留言{message.serial}的答复不满意，请查看不满意的理由；县网络问政办将回访核实。"
        )
        self.assertEqual(office.link, reverse("workspace:revisits", args=["luocheng"]))
        # The other county's office hears nothing of it.
        self.assertFalse(Notice.objects.filter(recipient=c.other_county_office).exists())

    def test_the_citizen_hears_the_offices_revisit_decision(self):
        c = self.cast
        upheld, reopened = c.replied(), c.replied()
        for message in (upheld, reopened):
            actions.rate(message=message, who=actions.Citizen(user=c.citizen), rating="dissatisfied", reason="没修。")
        actions.uphold_answer(revisit=upheld.revisits.get(), by=c.county_office, note="已核实修复。")
        actions.reopen_on_revisit(revisit=reopened.revisits.get(), by=c.county_office, reason="答复不实。")
        told = {n.message_id: n.text for n in Notice.objects.filter(kind=Notice.Kind.REVISITED, to_citizen=True)}
        self.assertEqual(told[upheld.pk], f"留言{upheld.serial}经回访答复成立，查询码{upheld.tracking_code}")
        self.assertEqual(told[reopened.pk], f"留言{reopened.serial}经回访退回重办，查询码{reopened.tracking_code}")

    def test_a_satisfied_rating_is_news_for_no_one(self):
        c = self.cast
        message = c.replied()
        Notice.objects.all().delete()
        actions.rate(message=message, who=actions.Citizen(user=c.citizen), rating="satisfied")
        self.assertFalse(Notice.objects.exists())

    def test_the_citizen_hears_of_the_answer_and_the_closure_with_link_and_code(self):
        c = self.cast
        message = c.submit(email="zhang@example.com")
        actions.reply(message=message, by=c.handler_a, text="已安排维修。")
        actions.close(message=message, by=c.leader_a, kind="answered")
        notices = Notice.objects.filter(to_citizen=True).order_by("pk")
        self.assertEqual([n.kind for n in notices], [Notice.Kind.ANSWERED, Notice.Kind.CLOSED])
        code = message.tracking_code
        # The words; the address is made when it is sent (test_sending).
        self.assertEqual(notices[0].text, f"留言{message.serial}已答复，查询码{code}")
        self.assertEqual(notices[1].text, f"留言{message.serial}已办结，查询码{code}")
        self.assertEqual({n.link for n in notices}, {f"/t/{code}"})
        self.assertEqual(notices[0].recipient, c.citizen)
        self.assertEqual(sorted(notices[0].deliveries.values_list("channel", flat=True)), ["email", "sms"])

    def test_the_citizen_hears_when_review_redacts_or_withholds_what_they_wrote(self):
        from wenzheng.privacy import actions as privacy

        c = self.cast
        redacted, withheld = c.submit(), c.submit()
        privacy.publish_redacted(
            message=redacted, by=c.county_office, title="路灯不亮", text="路灯坏了。", reason="删去了住址。"
        )
        privacy.withhold(message=withheld, by=c.county_office, reason="涉及他人隐私。")
        texts_sent = list(
            Notice.objects.filter(to_citizen=True, kind=Notice.Kind.REVIEWED)
            .order_by("pk")
            .values_list("text", flat=True)
        )
        self.assertEqual(
            texts_sent,
            [
                f"留言{redacted.serial}经审核删节后公开，查询码{redacted.tracking_code}",
                f"留言{withheld.serial}经审核不予公开，查询码{withheld.tracking_code}",
            ],
        )

    def test_a_citizen_without_an_account_or_a_mobile_still_gets_e_mail(self):
        c = self.cast
        message = actions.submit(
            by=None, category=c.consultation, unit=c.unit_a, title="路灯", body="路灯坏了。", name="李四",
            phone="0778-8221234", email="li@example.com", consent_to_publish=False,
        )  # fmt: skip
        actions.reply(message=message, by=c.handler_a, text="已处理。")
        notice = Notice.objects.get(to_citizen=True)
        self.assertIsNone(notice.recipient)
        # A landline cannot take an SMS.
        self.assertEqual(list(notice.deliveries.values_list("channel", flat=True)), ["email"])

    def test_sign_off_reaches_the_leader_and_a_return_the_author(self):
        c = self.cast
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=True)
        message = c.submit()
        draft = actions.reply(message=message, by=c.handler_a, text="已安排。")
        self.assertEqual(
            texts(c.leader_a, Notice.Kind.SIGNOFF), [f"handler_a提交了留言{message.serial}的回复，待您审核后公开。"]
        )
        self.assertFalse(Notice.objects.filter(to_citizen=True).exists())  # nothing is public yet
        actions.return_reply(draft=draft, by=c.leader_a, note="请写明维修的具体时间。")
        self.assertEqual(
            texts(c.handler_a, Notice.Kind.RETURNED),
            [f"您对留言{message.serial}的回复被退回修改：请写明维修的具体时间。"],
        )
        self.assertEqual(texts(c.handler_a2, Notice.Kind.RETURNED), [])
        # A draft answering a follow-up says so: it is no reply to the message.
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=False)
        replied = c.replied()
        asked = actions.follow_up(message=replied, who=actions.Citizen(user=c.citizen), text="何时修？")
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=True)
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。")
        self.assertEqual(
            texts(c.leader_a, Notice.Kind.SIGNOFF)[-1],
            f"handler_a提交了留言{replied.serial}追问的答复，待您审核后公开。",
        )

    def test_a_sign_off_notice_is_read_once_nothing_waits_for_sign_off(self):
        # A leader's trial: drafts decided from the 待审核 list left their notices
        # unread, and the bell counted them as work still waiting.
        c = self.cast
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=True)
        first, second, third = c.submit(), c.submit(), c.submit()
        drafts = [actions.reply(message=m, by=c.handler_a, text="已安排。") for m in (first, second, third)]

        def unread():
            waiting = Notice.objects.filter(recipient=c.leader_a, kind=Notice.Kind.SIGNOFF, read_at__isnull=True)
            return [n.message for n in waiting.order_by("pk")]

        self.assertEqual(unread(), [first, second, third])
        actions.approve_reply(draft=drafts[0], by=c.leader_a)
        actions.return_reply(draft=drafts[1], by=c.leader_a, note="请写明维修时间。")
        self.assertEqual(unread(), [third])
        # Written again, it waits again: a new notice, unread.
        actions.reply(message=second, by=c.handler_a, text="周五修好。")
        self.assertEqual(unread(), [third, second])
        # The leader answers the third himself: the draft is void, its notice read,
        # and its author told (an attacker's trial: not a word, the text gone).
        actions.reply(message=third, by=c.leader_a, text="已修好。")
        self.assertEqual(unread(), [second])
        self.assertEqual(
            sorted(texts(c.handler_a, Notice.Kind.RETURNED)),
            [
                f"您对留言{second.serial}的回复被退回修改：请写明维修时间。",
                f"留言{third.serial}已有回复公开，您待审核的回复随之失效；如需补充，可在留言页另行回复。",
            ],
        )

    def test_an_order_reaches_the_units_leader(self):
        c = self.cast
        actions.order_written_explanation(
            unit=c.unit_a, by=c.county_office, reason="回复超期。", messages=[], backlog_deadline=local(2026, 3, 14)
        )
        self.assertEqual(texts(c.leader_a), ["县网络问政办责成本单位作出书面说明，并于3月13日24时前梳理回复积压留言。"])

    def test_preferences_decide_the_channels_and_a_digest_holds_them(self):
        c = self.cast
        Preference.objects.create(user=c.handler_a, sms=False, daily_digest=True)
        c.submit()
        notice = Notice.objects.get(recipient=c.handler_a)
        self.assertEqual(list(notice.deliveries.values_list("channel", "state")), [("email", "held")])

    def test_a_refused_step_writes_no_notice(self):
        c = self.cast
        message = c.submit()
        Notice.objects.all().delete()
        with self.assertRaises(ActionRefused):
            actions.reply(message=message, by=c.handler_b, text="不是我们的。")
        self.assertFalse(Notice.objects.exists())

    def test_history_replayed_with_old_times_is_not_news(self):
        # An import or the demo county writes steps of months ago: nobody is told.
        self.cast.submit(at=local(2026, 1, 5, 10))
        self.assertFalse(Notice.objects.exists())
