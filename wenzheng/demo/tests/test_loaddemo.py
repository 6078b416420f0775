"""The demo county: the seed's first quarter to the letter, and a year that shows
every path the rules allow."""

import io
from collections import Counter

from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import TestCase

from wenzheng.accounts.models import Role, User
from wenzheng.demo import generator, texts
from wenzheng.demo import photos as demo_photos
from wenzheng.demo import topics as demo_topics
from wenzheng.demo.testing import NOW, DemoCountyTestCase
from wenzheng.evaluation import facts
from wenzheng.eventlog import chain, replay
from wenzheng.eventlog.models import Event
from wenzheng.handling.models import ExtensionRequest, Message, Stage
from wenzheng.privacy.tests.test_erasure import DemoCountyErasureTests
from wenzheng.reports import figures, periods
from wenzheng.supervision.models import AccountabilityReferral, Exposure, SupervisionFinding, WrittenExplanationOrder
from wenzheng.testing import local
from wenzheng.units.models import Region, RosterFiling, Unit
from wenzheng.workdays.clock import local_date

SEED_SENTENCE = (
    "新增2个实名上网单位,实名上网单位总数达108个。共收到网民留言总数46条(其中,咨询类23条、建议类5条、诉求类18条),"
    "回复网民留言46条,回复率100%。办结网民留言45条,正在办理1条,办结率为97.8%。"
)


class DemoCountyEvaluationTests:
    """The counting rules on the demo cases issue 10 names (run in DemoCountyTest)."""

    def test_a_reopened_message_counts_once_in_the_evaluation(self):
        """Issue 10: 2026-000134, an appeal of 怀群镇 closed, reopened and closed again,
        counted as two closures: 7/8 instead of 6/7."""
        huaiqun = Unit.objects.get(region=self.county, name="怀群镇")
        window = facts.Window.of(periods.parse("2026"), NOW)
        found = facts.collect(self.county, window, unit_ids=[huaiqun.pk]).of(huaiqun.pk)
        due = sum(v for k, v in found.items() if k.startswith("closure.") and k.endswith(".due"))
        met = sum(v for k, v in found.items() if k.startswith("closure.") and k.endswith(".met"))
        self.assertEqual((met, due), (6, 7))
        counted = [c for c in facts.stage_evidence(huaiqun, window, "reply") if c.message.serial == "2026-000134"]
        self.assertEqual(len(counted), 1)
        self.assertEqual((len(counted[0].stages), counted[0].met), (2, True))

    def test_an_appeal_replied_late_is_not_closed_in_the_evaluation(self):
        """Issue 10: 县水利局 has 7 closed appeals whose reply was late (2026-000041,
        2026-000073, …); the appeal criterion needs a timely reply too."""
        water = Unit.objects.get(region=self.county, name="县水利局")
        window = facts.Window.of(periods.parse("2026"), NOW)
        appeals = [c for c in facts.stage_evidence(water, window, "reply") if c.message.category.code == "appeal"]
        closed_late = sorted(c.message.serial for c in appeals if c.closed and not c.long_cycle and not c.on_time)
        self.assertEqual(len(closed_late), 7)
        self.assertIn("2026-000041", closed_late)
        self.assertIn("2026-000073", closed_late)
        self.assertFalse(any(c.met for c in appeals if c.message.serial in closed_late))
        found = facts.collect(self.county, window, unit_ids=[water.pk]).of(water.pk)
        self.assertEqual(found["closure.appeal.met"], sum(c.met for c in appeals))


class DemoCountyTest(DemoCountyEvaluationTests, DemoCountyErasureTests, DemoCountyTestCase):
    """The demo county's own tests, with those of other apps that read the whole
    county mixed in: it is built once for all of them."""

    def q1(self, now):
        return figures.compute(self.county, periods.parse("2026Q1"), now=now)

    def test_the_first_quarter_reads_as_the_article(self):
        for now in (local(2026, 4, 1), local(2026, 4, 9), NOW):
            self.assertEqual(self.q1(now).summary(), SEED_SENTENCE)

    def test_the_message_in_progress_at_the_quarter_end_was_closed_later(self):
        q1 = Message.objects.received_between(periods.parse("2026Q1").start, periods.parse("2026Q1").end)
        late_closed = q1.filter(closed_at__gte=local(2026, 4, 1))
        self.assertEqual(late_closed.count(), 1)
        self.assertEqual(late_closed.get().closure_kind, Message.ClosureKind.LONG_CYCLE)

    def test_108_units_of_which_2_new_in_the_first_quarter(self):
        units = Unit.objects.filter(region=self.county)
        self.assertEqual(units.count(), 108)
        self.assertFalse(units.filter(deactivated_on__isnull=False).exists())
        new = units.filter(registered_on__year=2026)
        self.assertEqual(sorted(new.values_list("name", flat=True)), sorted(texts.NEW_IN_Q1))
        self.assertTrue(all(d.month <= 3 for d in new.values_list("registered_on", flat=True)))
        years = set(units.exclude(registered_on__year=2026).values_list("registered_on__year", flat=True))
        self.assertEqual((min(years), max(years)), (2012, 2025))
        townships = units.filter(kind=Unit.Kind.TOWNSHIP).values_list("name", flat=True)
        self.assertEqual(sorted(townships), sorted(t[0] for t in texts.TOWNSHIPS))

    def test_every_unit_has_a_leader_and_at_least_two_handlers(self):
        for unit in Unit.objects.filter(region=self.county):
            roles = Counter(unit.staff.values_list("role", flat=True))
            self.assertEqual(roles[Role.LEADER], 1, unit)
            self.assertGreaterEqual(roles[Role.HANDLER], 2, unit)

    def test_the_demo_logins_work_with_the_documented_password(self):
        for username in (
            "county",
            "city",
            "admin",
            "citizen",
            "dongmen_leader",
            "dongmen_handler1",
            "dongmen_handler2",
        ):
            self.assertTrue(User.objects.get(username=username).check_password("demo12345"), username)
        self.assertEqual(User.objects.get(username="county").region, self.county)
        self.assertEqual(User.objects.get(username="city").region.code, "hechi")
        self.assertEqual(User.objects.get(username="dongmen_handler1").unit.name, "东门镇")
        self.assertTrue(User.objects.get(username="admin").is_superuser)

    def test_every_unit_filed_a_2026_roster_and_five_are_incomplete(self):
        filings = RosterFiling.objects.filter(unit__region=self.county, year=2026).prefetch_related("members")
        self.assertEqual(filings.count(), 108)
        incomplete = [f for f in filings if not f.is_complete()]
        self.assertEqual(len(incomplete), 5)

    def test_the_event_chain_verifies_and_runs_in_time_order(self):
        self.assertEqual(chain.verify(), (Event.objects.count(), None))
        times = list(Event.objects.order_by("seq").values_list("at", flat=True))
        self.assertEqual(times, sorted(times))

    def test_replay_rebuilds_every_row_the_scores_read(self):
        report = replay.replay()
        self.assertEqual([str(d) for d in report.differences], [])
        self.assertEqual((report.messages, report.legacy_events), (Message.objects.count(), 0))

    def test_serial_numbers_have_no_gaps(self):
        for year in Message.objects.values_list("year", flat=True).distinct():
            numbers = sorted(Message.objects.filter(region=self.county, year=year).values_list("number", flat=True))
            self.assertEqual(numbers, list(range(1, len(numbers) + 1)))

    def test_no_message_reached_a_unit_before_it_registered(self):
        for started_at, registered_on in Stage.objects.values_list("started_at", "unit__registered_on"):
            self.assertGreaterEqual(local_date(started_at), registered_on)

    def test_volume_after_the_first_quarter_is_40_to_80_a_month(self):
        for month in range(4, 11):
            period = periods.parse(f"2026-{month:02d}")
            n = Message.objects.received_between(period.start, period.end).count()
            self.assertTrue(40 <= n <= 85, (month, n))  # a story message or two on top

    def test_the_year_shows_lateness_and_what_is_still_open(self):
        self.assertTrue(Stage.objects.filter(outcome=Stage.Outcome.LATE, kind=Stage.Kind.REPLY).exists())
        self.assertTrue(Stage.objects.filter(outcome=Stage.Outcome.LATE, kind=Stage.Kind.RESPONSE).exists())
        self.assertGreaterEqual(Message.objects.overdue(at=NOW).count(), 2)
        self.assertGreaterEqual(Message.objects.filter(state=Message.State.PENDING_DISPATCH).count(), 2)
        due_soon = Stage.objects.filter(completed_at__isnull=True, due_at__gt=NOW)
        self.assertTrue(due_soon.exists())

    def test_the_year_shows_every_side_path(self):
        kinds = Counter(Event.objects.values_list("kind", flat=True))
        for kind in (
            Event.Kind.TRANSFER_REQUESTED,
            Event.Kind.TRANSFER_REJECTED,
            Event.Kind.EXTENSION_APPROVED,
            Event.Kind.EXTENSION_REJECTED,
            Event.Kind.LONG_CYCLE_APPROVED,
            Event.Kind.LONG_CYCLE_REJECTED,
            Event.Kind.REOPENED,
            Event.Kind.FOLLOWED_UP,
            Event.Kind.SUPERVISION_FLAGGED,
        ):
            self.assertGreater(kinds[kind], 0, kind)
        approvers = set(Event.objects.filter(kind=Event.Kind.LONG_CYCLE_APPROVED).values_list("actor_role", flat=True))
        self.assertEqual(approvers, {Role.COUNTY_OFFICE, Role.CITY_OFFICE})
        self.assertEqual(
            set(Message.objects.exclude(rating="").values_list("rating", flat=True)), set(Message.Rating.values)
        )
        closures = set(Message.objects.exclude(closure_kind="").values_list("closure_kind", flat=True))
        self.assertEqual(closures, set(Message.ClosureKind.values))
        self.assertTrue(ExtensionRequest.objects.filter(status=ExtensionRequest.Status.REJECTED).exists())

    def test_the_office_ordered_written_explanations_some_cleared_some_not(self):
        orders = WrittenExplanationOrder.objects.all()
        self.assertTrue(3 <= orders.count() <= 5)
        outcomes = {order.backlog_cleared_in_time(at=NOW) for order in orders}
        self.assertTrue({True, False} <= outcomes)
        self.assertTrue(all(o.explanation for o in orders))
        slow = set(orders.values_list("unit__name", flat=True))
        self.assertTrue(slow <= set(texts.SLOW_UNITS))

    def test_findings_exposures_and_one_referral(self):
        findings = SupervisionFinding.objects.all()
        self.assertTrue(findings.filter(source=SupervisionFinding.Source.COUNTY_CHECK, adverse=True).exists())
        self.assertTrue(findings.filter(source=SupervisionFinding.Source.COUNTY_CHECK, adverse=False).exists())
        self.assertTrue(
            findings.filter(source=SupervisionFinding.Source.CITY_BULLETIN, written_criticism=True).exists()
        )
        self.assertTrue(2 <= Exposure.objects.count() <= 3)
        self.assertEqual(AccountabilityReferral.objects.count(), 1)

    def test_messages_about_lights_roads_and_rubbish_carry_photos_shown_once_published(self):
        with_photos = Message.objects.filter(attachments__isnull=False).distinct()
        self.assertGreaterEqual(with_photos.count(), 10)
        drawn = {demo_topics.topic_for(self.county, key).pk for key in demo_photos.DRAWINGS}
        self.assertLessEqual(set(with_photos.exclude(topic=None).values_list("topic", flat=True)), drawn)
        published = with_photos.filter(pk__in=Message.objects.published()).select_related("region").first()
        photo = published.attachments.first()
        page = self.client.get(f"/messages/{published.region.code}/{published.serial}/")
        self.assertContains(page, f'src="/files/{photo.pk}/thumbnail/"')
        thumbnail = self.client.get(f"/files/{photo.pk}/thumbnail/")
        self.assertEqual(thumbnail.status_code, 200)
        self.assertEqual(thumbnail["Content-Type"], "image/jpeg")

    def test_it_prints_the_summary_the_first_quarter_and_the_logins(self):
        self.assertIn("实名上网单位 108 个", self.output)
        self.assertIn(SEED_SENTENCE, self.output)
        self.assertIn("demo12345", self.output)
        for username in ("county", "city", "admin", "citizen", "dongmen_leader", "dongmen_handler2"):
            self.assertIn(f"  {username} ", self.output)

    def test_a_second_run_changes_nothing_and_says_so(self):
        before = [m.objects.count() for m in (Region, Unit, User, Message, Event, RosterFiling)]
        out = io.StringIO()
        call_command("loaddemo", "--demo", stdout=out)
        self.assertEqual([m.objects.count() for m in (Region, Unit, User, Message, Event, RosterFiling)], before)
        self.assertIn("演示数据已存在", out.getvalue())
        self.assertIn("请删除数据库（默认为 db.sqlite3）后再运行", out.getvalue())  # how to see a newer demo
        self.assertIn("dongmen_handler1", out.getvalue())


class RefusalTest(TestCase):
    def test_it_refuses_a_moment_before_the_first_quarter_is_over(self):
        with self.assertRaises(CommandError):
            call_command("loaddemo", "--demo", "--now", "2026-03-31T12:00+08:00", stdout=io.StringIO())
        self.assertFalse(Region.objects.filter(code="luocheng").exists())

    def test_it_refuses_to_overwrite_someone_elses_accounts(self):
        User.objects.create_user("county", password="x", role=Role.CITIZEN)
        with self.assertRaises(CommandError):
            call_command("loaddemo", "--demo", "--now", NOW.isoformat(), stdout=io.StringIO())
        self.assertFalse(Region.objects.filter(code="luocheng").exists())

    def test_an_administrator_made_beforehand_is_kept(self):
        admin = User.objects.create_superuser("admin", password="mine")
        generator.build(now=local(2026, 5, 10, 12))
        admin.refresh_from_db()
        self.assertTrue(admin.check_password("mine"))


class Rollback(Exception):
    def __init__(self, fingerprint):
        self.fingerprint = fingerprint


def fingerprint():
    """What a reader of the demo sees, without database ids (which a rolled-back
    sequence on PostgreSQL does not reuse) and without the random tracking codes."""
    messages = list(
        Message.objects.order_by("year", "number").values_list(
            "number",
            "title",
            "body",
            "state",
            "category__code",
            "unit__name",
            "closure_kind",
            "rating",
            "submitted_at",
            "closed_at",
            "citizen_name",
            "citizen_phone",
        )
    )
    events = list(Event.objects.order_by("seq").values_list("kind", "at", "actor__username", "note", "unit__name"))
    stages = list(
        Stage.objects.order_by("message__number", "started_at", "kind").values_list(
            "kind", "due_at", "completed_at", "outcome"
        )
    )
    return messages, events, stages


def built_and_rolled_back(now):
    try:
        with transaction.atomic():
            generator.build(now=now)
            raise Rollback(fingerprint())
    except Rollback as done:
        return done.fingerprint


class DeterminismTest(TestCase):
    def test_the_same_moment_gives_the_same_county(self):
        now = local(2026, 5, 20, 12)
        first, second = built_and_rolled_back(now), built_and_rolled_back(now)
        self.assertGreater(len(first[0]), 46)
        self.assertEqual(first, second)


def test_the_word_banks_are_sound():
    assert len(texts.DEPARTMENTS) == 97
    names = [t[0] for t in texts.TOWNSHIPS] + texts.DEPARTMENTS
    assert len(set(names)) == 108
    assert all(len(name) <= 60 for name in names)
    for topic in texts.TOPICS:
        for category in ("consultation", "suggestion", "appeal"):
            for title, body in topic.texts(category):
                assert len(title) <= 80 and len(body) <= 400, title


def test_each_answer_fits_the_message_it_answers():
    """Answers go with texts by position, so a topic has one answer for all its texts
    of a category or one for each."""
    answered_by = {
        "consultation": "consultation",
        "suggestion": "suggestion",
        "solved": "appeal",
        "explained": "appeal",
    }
    for topic in texts.TOPICS:
        for outcome, answers in topic.answers.items():
            written = len(topic.texts(answered_by[outcome]))
            assert written and len(answers) in (1, written), (topic.key, outcome)
