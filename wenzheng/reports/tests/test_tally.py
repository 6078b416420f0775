"""The kept figures equal a full count from the messages, replies and events, after
any run of steps: a random one, with every step that changes what a message adds."""

import datetime as dt
import io
import random

from django.core.management import call_command
from django.db import transaction

from wenzheng.bulk.tests.helpers import HEADER, run_import, xlsx
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions, derived
from wenzheng.handling.models import Message, Revisit
from wenzheng.reports import figures, periods, tally
from wenzheng.reports.models import MessageTally, RegionTally, UnitTally
from wenzheng.search.documents import documents
from wenzheng.search.models import SearchDocument
from wenzheng.testing import CastTestCase, local
from wenzheng.topics import catalogue
from wenzheng.topics.models import Topic

PERIODS = [
    *(f"2026-{m:02d}" for m in range(1, 8)),
    "2026Q1",
    "2026Q2",
    "2026Q3",
    "2026",
    "2026-02-01..2026-05-31",
]


def table(model, *fields):
    return sorted(model.objects.values_list(*fields))


class RandomRun:
    """Steps chosen at random, each at a later moment than the one before, through
    January to June 2026, on the cast's two counties."""

    def __init__(self, cast, seed):
        self.cast, self.rng = cast, random.Random(seed)
        self.at = local(2026, 1, 2, 8)
        self.steps = 0
        # Topics (事项分类) from both counties' default trees: the topic table is kept too.
        for county in (cast.county, cast.other_county):
            if not Topic.objects.filter(region=county).exists():
                catalogue.load_default(county)
        self.topics = {}
        for county in (cast.county, cast.other_county):
            minors = Topic.objects.filter(region=county, level=Topic.Level.MINOR).order_by("code")
            self.topics[county.pk] = list({t.code[:2]: t for t in minors}.values())[:6]  # six 大类

    def tick(self):
        self.at += dt.timedelta(hours=self.rng.choice((1, 5, 20, 49, 160)))
        return self.at

    def run(self, n):
        c = self.cast
        for _ in range(n):
            step = self.rng.choice(
                ["submit"] * 4 + ["dispatch", "respond", "reply", "hand_back", "reassign", "close", "long_cycle"]
                + ["reopen", "follow_up", "revisit", "import", "spam", "unspam", "set_topic"]
                + ["merge", "merge", "unmerge", "set_category", "set_category"]
            )  # fmt: skip
            try:
                getattr(self, step)(c)
                self.steps += 1
            except actions.ActionRefused:
                pass

    def pick(self, *states, unit=None):
        found = Message.objects.filter(state__in=states)
        if unit is not None:
            found = found.filter(unit=unit)
        found = list(found.order_by("pk"))
        return self.rng.choice(found) if found else None

    def submit(self, c):
        unit = self.rng.choice(["a", "b", "c", None])
        category = self.rng.choice([c.consultation, c.suggestion, c.appeal])
        m = c.submit(unit=unit, category=category, at=self.tick())
        if self.rng.random() < 0.5:
            actions.set_topic(message=m, by=self.office(m), topic=self.rng.choice(self.topics[m.region_id]), at=self.at)

    def office(self, m):
        c = self.cast
        return c.county_office if m.region_id == c.county.pk else c.other_county_office

    def set_topic(self, c):
        """A topic set or changed on any message, long after its receipt too."""
        if m := self.pick(*(s for s in Message.State.values if s != Message.State.SPAM)):
            actions.set_topic(
                message=m, by=self.office(m), topic=self.rng.choice(self.topics[m.region_id]), at=self.tick()
            )

    def categories(self):
        c = self.cast
        return [c.consultation, c.suggestion, c.appeal]

    def set_category(self, c):
        """A category corrected before any answer (refused once answered)."""
        if m := self.pick(*actions.CATEGORY_STATES):
            actions.set_category(
                message=m, by=self.office(m), category=self.rng.choice(self.categories()), at=self.tick()
            )

    def dispatch(self, c):
        m = self.pick("pending_dispatch", "transfer_requested")
        if m is None:
            return
        units = [u for u in (c.unit_a, c.unit_b) if u.pk != m.unit_id]
        # Now and then the office corrects the category as it dispatches.
        category = self.rng.choice(self.categories()) if self.rng.random() < 0.3 else None
        actions.dispatch(
            message=m, by=c.county_office, unit=self.rng.choice(units), note="转交", category=category, at=self.tick()
        )

    def handler(self, m):
        c = self.cast
        return {c.unit_a.pk: c.handler_a, c.unit_b.pk: c.handler_b, c.unit_c.pk: c.handler_c}[m.unit_id]

    def leader(self, m):
        c = self.cast
        return {c.unit_a.pk: c.leader_a, c.unit_b.pk: c.leader_b}.get(m.unit_id)

    def respond(self, c):
        if m := self.pick("dispatched"):
            actions.respond(message=m, by=self.handler(m), at=self.tick())

    def reply(self, c):
        if m := self.pick("dispatched", "responded", "replied", "closed"):
            actions.reply(message=m, by=self.handler(m), text="答复如下。", at=self.tick())

    def hand_back(self, c):
        if m := self.pick("dispatched", "responded", unit=self.rng.choice([c.unit_a, c.unit_b])):
            actions.request_transfer(message=m, by=self.handler(m), reason="不属本单位职责", at=self.tick())

    def reassign(self, c):
        if m := self.pick("dispatched", unit=self.rng.choice([c.unit_a, c.unit_b])):
            other = c.unit_b if m.unit_id == c.unit_a.pk else c.unit_a
            actions.reassign(message=m, by=c.county_office, unit=other, reason="交办有误", at=self.tick())

    def close(self, c):
        m = self.pick("replied", unit=self.rng.choice([c.unit_a, c.unit_b]))
        if m is not None:
            kind = self.rng.choice(m.category.closure_kinds())
            actions.close(message=m, by=self.leader(m), kind=kind, at=self.tick())

    def spam(self, c):
        if m := self.pick(*Message.State.may_be_spam()):
            office = c.county_office if m.region_id == c.county.pk else c.other_county_office
            actions.mark_spam(message=m, by=office, reason="广告", at=self.tick())

    def unspam(self, c):
        if m := self.pick(Message.State.SPAM):
            office = c.county_office if m.region_id == c.county.pk else c.other_county_office
            actions.unmark_spam(message=m, by=office, reason="误标", at=self.tick())

    def merge(self, c):
        # 并单: a message not yet answered into another open one of its county (which
        # may be merged itself, or carry merged ones along).
        m = self.pick(*Message.State.may_be_merged())
        if m is None:
            return
        mains = Message.objects.filter(region_id=m.region_id).exclude(pk=m.pk).order_by("pk")
        mains = list(mains.filter(state__in=[*Message.State.may_take_merged(), Message.State.MERGED]))
        if mains:
            office = c.county_office if m.region_id == c.county.pk else c.other_county_office
            into = self.rng.choice(mains)
            actions.merge_duplicate(message=m, into=into, by=office, reason="同一问题", at=self.tick())

    def unmerge(self, c):
        # Half the time only: a merge may now be undone after its main message's reply
        # too, and the run should end with some messages still merged.
        if self.rng.random() < 0.5 and (m := self.pick(Message.State.MERGED)):
            office = c.county_office if m.region_id == c.county.pk else c.other_county_office
            actions.unmerge_duplicate(message=m, by=office, reason="并错了", at=self.tick())

    def long_cycle(self, c):
        if m := self.pick("replied", unit=self.rng.choice([c.unit_a, c.unit_b])):
            actions.request_long_cycle_closure(message=m, by=self.leader(m), explanation="需立项", at=self.tick())
        if m := self.pick("closure_pending"):
            if self.rng.random() < 0.6:
                actions.approve_long_cycle_closure(message=m, by=c.county_office, at=self.tick())
            else:
                actions.reject_long_cycle_closure(message=m, by=c.county_office, reason="尚未答复清楚", at=self.tick())

    def reopen(self, c):
        m = self.pick("closed")
        if m is not None and m.region_id == c.county.pk:
            actions.reopen(message=m, by=c.county_office, reason="网民反映未解决", at=self.tick())

    def follow_up(self, c):
        m = self.pick("replied", "closed")
        if m is not None and m.citizen_id:
            item = actions.follow_up(message=m, who=actions.Citizen(user=m.citizen), text="还有一问。", at=self.tick())
            if self.rng.random() < 0.7:
                actions.answer_follow_up(follow_up=item, by=self.handler(m), text="补充答复。", at=self.tick())

    def revisit(self, c):
        revisit = Revisit.objects.open().filter(message__region=c.county).order_by("pk").first()
        if revisit is not None and revisit.message.state in ("replied", "closed"):
            actions.reopen_on_revisit(revisit=revisit, by=c.county_office, reason="重新办理", at=self.tick())

    def import_(self, c):
        submitted = self.tick() - dt.timedelta(days=self.rng.randrange(1, 60))
        replied = submitted + dt.timedelta(days=2)
        row = ["", "李四", "水管漏水", f"{submitted:%Y-%m-%d %H:%M}", "小区水管漏水。", "东门镇", "咨询"]
        row += ["已处理。", f"{replied:%Y-%m-%d %H:%M}", "已办结", f"{replied + dt.timedelta(hours=3):%Y-%m-%d %H:%M}"]
        row[0] = f"X{self.steps}-{self.rng.randrange(10**6)}"
        run_import(c, xlsx([row], header=[*HEADER, "办理状态", "办结时间"]))

    def __getattr__(self, name):
        if name == "import":
            return self.import_
        raise AttributeError(name)


class KeptFiguresTests(CastTestCase):
    def assert_agree(self, now):
        c = self.cast
        for region in (c.county, c.other_county, c.city):
            for code in PERIODS:
                period = periods.parse(code)
                if period.start > now:
                    continue
                self.assertEqual(tally.check(region, period, now=now), [], f"{region.code} {code} at {now}")

    def check_random_run(self, seed):
        run = RandomRun(self.cast, seed)
        run.run(150)
        self.assertGreater(run.steps, 80)
        # The run merged messages (并单), some still merged at its end.
        self.assertTrue(Event.objects.filter(kind=Event.Kind.MERGED).exists())
        self.assertTrue(Message.objects.filter(state=Message.State.MERGED).exists())
        # And it corrected categories, each moving a message between the category rows.
        self.assertTrue(Event.objects.filter(kind=Event.Kind.CATEGORY_SET).exists())
        self.assert_agree(run.at + dt.timedelta(minutes=1))
        # And once more long after the last of them, every period having ended.
        self.assert_agree(local(2027, 2, 1))

    def test_it_equals_a_full_count_after_a_random_run_of_steps(self):
        self.check_random_run(1)

    def test_it_equals_a_full_count_after_another_random_run(self):
        self.check_random_run(2)

    def test_a_run_whose_messages_are_derived_once_at_its_end_keeps_what_each_step_would(self):
        # As the demo county is built (handling.derived.once): the figures and the
        # search documents written once for each message when the run ends.
        with transaction.atomic(), derived.once():
            run = RandomRun(self.cast, 4)
            run.run(150)
            gathered = SearchDocument.objects.count()
        self.assertGreater(run.steps, 80)
        self.assertGreater(SearchDocument.objects.count(), gathered)
        self.assert_agree(run.at + dt.timedelta(minutes=1))
        every = Message.objects.values_list("pk", flat=True)
        fields = ("message_id", "audience", "title", "body", "answers", "extra", "scope")
        stored = table(SearchDocument, *fields)
        self.assertEqual(stored, sorted(tuple(getattr(d, f) for f in fields) for d in documents(every)))

    def test_a_rebuild_from_scratch_gives_the_rows_kept_step_by_step(self):
        run = RandomRun(self.cast, 3)
        run.run(120)
        fields = ("region", "month", "at_month", "received", "replied", "closed")
        kept = (
            table(RegionTally, "category", "major", *fields),
            table(UnitTally, "unit", *fields),
            table(MessageTally, "message", "unit", "major", "month", "replied_month", "closings"),
        )
        out = io.StringIO()
        call_command("keep_figures", "--rebuild", stdout=out)
        rebuilt = (
            table(RegionTally, "category", "major", *fields),
            table(UnitTally, "unit", *fields),
            table(MessageTally, "message", "unit", "major", "month", "replied_month", "closings"),
        )
        # Rows whose counts cancelled out (a closure and its reopening) may remain.
        strip = [[r for r in rows if any(r[-3:])] for rows in kept[:2]]
        self.assertEqual(strip, [[r for r in rows if any(r[-3:])] for rows in rebuilt[:2]])
        self.assertEqual(kept[2], rebuilt[2])
        self.assertIn(f"{Message.objects.counted().count():,} messages counted", out.getvalue())

    def test_the_check_command_names_a_difference(self):
        c = self.cast
        c.replied(at=local(2026, 3, 2, 9))
        out = io.StringIO()
        call_command("keep_figures", "--check", "--period", "2026Q1", stdout=out)
        self.assertIn("一致", out.getvalue())
        UnitTally.objects.filter(unit=c.unit_a).update(replied=5)
        with self.assertRaises(SystemExit):
            call_command("keep_figures", "--check", "--period", "2026Q1", stdout=out, stderr=io.StringIO())

    def test_a_reply_counts_at_once_and_in_its_own_month(self):
        c = self.cast
        m = c.submit(at=local(2026, 3, 30, 9))
        now = local(2026, 4, 2, 10)
        actions.reply(message=m, by=c.handler_a, text="答复。", at=local(2026, 4, 2, 9))
        q1, q2 = periods.parse("2026Q1"), periods.parse("2026Q2")
        kept = tally.figures(c.county, q1, now=now)
        self.assertEqual((kept.received, kept.replied), (1, 0))  # Q1 as it stood at its end
        self.assertEqual(kept, figures.compute(c.county, q1, now=now))
        march = tally.figures(c.county, periods.parse("2026-03-01..2026-04-30"), now=now)
        self.assertEqual((march.received, march.replied), (1, 1))
        self.assertEqual(tally.figures(c.county, q2, now=now).received, 0)

    def test_a_spam_mark_takes_the_message_out_and_taking_it_back_puts_it_in(self):
        c = self.cast
        m = c.submit(at=local(2026, 3, 2, 9))
        actions.reply(message=m, by=c.handler_a, text="答复。", at=local(2026, 3, 3, 9))
        q1, now = periods.parse("2026Q1"), local(2026, 3, 20, 9)
        self.assertEqual(tally.figures(c.county, q1, now=now).received, 1)
        actions.mark_spam(message=m, by=c.county_office, reason="广告", at=local(2026, 3, 4, 9))
        kept = tally.figures(c.county, q1, now=now)
        self.assertEqual((kept.received, kept.replied), (0, 0))
        self.assertEqual(kept, figures.compute(c.county, q1, now=now))
        self.assertFalse(MessageTally.objects.filter(pk=m.pk).exists())
        actions.unmark_spam(message=m, by=c.county_office, reason="误标", at=local(2026, 3, 5, 9))
        kept = tally.figures(c.county, q1, now=now)
        self.assertEqual((kept.received, kept.replied), (1, 1))
        self.assertEqual(kept, figures.compute(c.county, q1, now=now))

    def test_a_transfer_moves_the_message_to_its_new_unit(self):
        c = self.cast
        m = c.submit(at=local(2026, 3, 2, 9))
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本单位", at=local(2026, 3, 2, 10))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局", at=local(2026, 3, 2, 11))
        now = local(2026, 3, 3, 9)
        rows = {u.unit.pk: u.received for u in tally.per_unit(c.county, periods.parse("2026Q1"), now=now)}
        self.assertEqual(rows, {c.unit_a.pk: 0, c.unit_b.pk: 1})

    def test_an_answer_to_a_follow_up_is_no_reply_to_the_message(self):
        # 并单 undone after the main message's unit answered the merged citizen's
        # follow-up: that answer stays on the message, which is not replied to.
        c = self.cast
        main = c.submit(at=local(2026, 3, 2, 9))
        dup = c.submit(unit="b", by="other_citizen", at=local(2026, 3, 2, 10))
        actions.merge_duplicate(message=dup, into=main, by=c.county_office, reason="同一问题", at=local(2026, 3, 2, 11))
        actions.reply(message=main, by=c.handler_a, text="答复。", at=local(2026, 3, 3, 9))
        me = actions.Citizen(user=c.other_citizen)
        asked = actions.follow_up(message=dup, who=me, text="何时修？", at=local(2026, 3, 4, 9))
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。", at=local(2026, 3, 5, 9))
        actions.unmerge_duplicate(message=dup, by=c.county_office, reason="并错了", at=local(2026, 3, 6, 9))
        q1, now = periods.parse("2026Q1"), local(2026, 3, 20, 9)
        kept = tally.figures(c.county, q1, now=now)
        self.assertEqual((kept.received, kept.replied), (2, 1))
        self.assertEqual(kept, figures.compute(c.county, q1, now=now))
        rows = {u.unit.pk: (u.received, u.replied) for u in tally.per_unit(c.county, q1, now=now)}
        self.assertEqual(rows, {c.unit_a.pk: (1, 1), c.unit_b.pk: (1, 0)})
        self.assertEqual(MessageTally.objects.get(pk=dup.pk).replied_month, None)
        self.assertEqual(tally.check(c.county, q1, now=now), [])
