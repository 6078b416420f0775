"""The batch writer writes what the actions write for the same steps at the same times."""

from wenzheng.eventlog import chain, replay
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.privacy import actions as privacy
from wenzheng.privacy.models import Review
from wenzheng.testing import CastTestCase, local

from .helpers import HEADER, good_row, run_import, xlsx

STAGE_FIELDS = ("kind", "unit_id", "started_at", "limit_days", "due_at", "due_warning", "completed_at", "outcome")


def picture(message):
    """What the import must reproduce, actor aside."""
    return {
        "message": {
            f: getattr(message, f)
            for f in ("state", "unit_id", "category_id", "title", "body", "submitted_at", "closed_at", "closure_kind")
        },
        "stages": [tuple(getattr(s, f) for f in STAGE_FIELDS) for s in message.stages.order_by("kind", "pk")],
        "replies": [(r.unit_id, r.text, r.at) for r in message.replies.all()],
        "events": [
            (
                e.kind,
                e.at,
                e.unit_id,
                e.note,
                {k: v for k, v in e.data.items() if k not in ("reply", "serial", "imported", "stages")},
                # The stages each event changed, as far as ids allow comparing.
                [{k: v for k, v in change.items() if k != "id"} for change in e.data.get("stages", [])],
            )
            for e in message.events.order_by("seq")
        ],
    }


def unacknowledged(picture):
    """The picture without the response: what an import makes of a reply whose 签收
    the old platform did not record (writer._stages)."""
    return {
        **picture,
        "stages": [s for s in picture["stages"] if s[0] != "response"],
        "events": [
            (*e[:5], [change for change in e[5] if change.get("kind") != "response"])
            for e in picture["events"]
            if e[0] != "responded"
        ],
    }


class WriterMatchesActionsTests(CastTestCase):
    def check(self, *, category, submitted, replied, responded=None, status="", closed=None, closes=None, **options):
        """The import of one row against the actions for the same steps: submitted,
        acknowledged at `responded` (签收时间) if given, replied, and closed if `closes`
        (by default, if the row has a `status`)."""
        closes = bool(status) if closes is None else closes
        cast = self.cast
        by_actions = actions.submit(
            by=None,
            category=category,
            unit=cast.unit_a,
            title="路灯不亮",
            body="新街路灯坏了两周。",
            name="张三",
            phone="13800000000",
            consent_to_publish=True,
            at=submitted,
        )
        if responded:
            actions.respond(message=by_actions, by=cast.handler_a, at=responded)
        actions.reply(message=by_actions, by=cast.handler_a, text="已安排维修。", at=replied)
        if closes:
            kind = "answered" if category.closure_rule == "reply" else "solved"
            actions.close(message=by_actions, by=cast.leader_a, kind=kind, at=closed or replied)
        header = [*HEADER, "办理状态", "办结时间", "签收时间"]
        row = [
            "X1",
            "张三",
            "路灯不亮",
            f"{submitted:%Y-%m-%d %H:%M}",
            "新街路灯坏了两周。",
            "东门镇",
            category.name,
            "已安排维修。",
            f"{replied:%Y-%m-%d %H:%M}",
            status,
            f"{closed:%Y-%m-%d %H:%M}" if closed else "",
            f"{responded:%Y-%m-%d %H:%M}" if responded else "",
        ]
        options.setdefault("replied", "closed" if closes else "open")
        self.assertEqual(run_import(self.cast, xlsx([row], header=header), **options).problems, [])
        imported = Message.objects.get(import_source__number="X1")
        by_actions.refresh_from_db()
        expected = picture(by_actions)
        self.assertEqual(picture(imported), expected if responded else unacknowledged(expected))
        return imported

    def test_a_reply_on_time_matches(self):
        self.check(
            category=self.cast.consultation,
            submitted=local(2024, 3, 4, 9, 30),
            responded=local(2024, 3, 4, 16),
            replied=local(2024, 3, 5, 10),
        )

    def test_a_late_reply_over_a_holiday_matches(self):
        # 2024-09-30 → the National Day holiday: both stages end late.
        self.check(
            category=self.cast.appeal,
            submitted=local(2024, 9, 29, 23, 50),
            responded=local(2024, 10, 9, 9),
            replied=local(2024, 10, 15, 9),
        )

    def test_a_late_response_before_a_timely_reply_matches(self):
        imported = self.check(
            category=self.cast.consultation,
            submitted=local(2024, 3, 4, 9, 30),
            responded=local(2024, 3, 6, 9),
            replied=local(2024, 3, 7, 10),
        )
        self.assertEqual(dict(imported.stages.values_list("kind", "outcome")), {"response": "late", "reply": "on_time"})

    def test_a_reply_without_its_response_time_matches_but_for_the_response(self):
        # The old platform recorded no 签收: the reply in 2 working days would have
        # "acknowledged" it a day late. No response stage, nor event: judged for nobody.
        imported = self.check(
            category=self.cast.consultation, submitted=local(2024, 3, 4, 9, 30), replied=local(2024, 3, 6, 10)
        )
        self.assertEqual(list(imported.stages.values_list("kind", "outcome")), [("reply", "on_time")])
        self.assertEqual(imported.events.get(kind="submitted").data["imported"]["response"], "unrecorded")
        self.assertIsNone(chain.verify()[1])
        self.assertEqual(replay.replay().differences, [])

    def test_a_reply_without_a_status_is_closed_at_its_time_as_the_office_chose(self):
        imported = self.check(
            category=self.cast.appeal,
            submitted=local(2024, 3, 4, 9, 30),
            replied=local(2024, 3, 6, 10),
            closes=True,  # the import's default for a reply with no 办理状态
        )
        self.assertEqual(imported.events.get(kind="submitted").data["imported"]["replied"], "closed")

    def test_a_closure_matches(self):
        self.check(
            category=self.cast.suggestion,
            submitted=local(2024, 3, 4, 9, 30),
            replied=local(2024, 3, 6, 10),
            status="已办结",
            closed=local(2024, 3, 8, 16),
        )


class ReviewBeforePublishingTests(CastTestCase):
    def test_what_a_county_reviews_waits_for_the_office_when_imported_too(self):
        c = self.cast
        privacy.set_review_before_publishing(region=c.county, by=c.county_office, on=True)
        header = [*HEADER, "是否公开"]
        rows = [[*good_row("P1"), "是"], [*good_row("P2"), "否"]]
        self.assertEqual(run_import(c, xlsx(rows, header=header)).problems, [])
        public, private = (Message.objects.get(import_source__number=n) for n in ("P1", "P2"))
        # As a message submitted here: the one to be published waits, the other needs no review.
        self.assertEqual([r.state for r in public.reviews.all()], [Review.State.PENDING])
        self.assertFalse(private.reviews.exists())
        self.assertFalse(Message.objects.published().filter(pk=public.pk).exists())
        self.assertEqual(list(Review.objects.queue(c.county)), list(public.reviews.all()))
        privacy.pass_review(message=public, by=c.county_office)
        self.assertTrue(Message.objects.published().filter(pk=public.pk).exists())

    def test_a_county_that_publishes_first_publishes_what_it_imports(self):
        self.assertEqual(
            run_import(self.cast, xlsx([[*good_row("P1"), "是"]], header=[*HEADER, "是否公开"])).problems, []
        )
        imported = Message.objects.get(import_source__number="P1")
        self.assertFalse(imported.reviews.exists())
        self.assertTrue(Message.objects.published().filter(pk=imported.pk).exists())
