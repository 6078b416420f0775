"""A stored run: the default scheme on the hand-built quarter, ties, the small-sample
rule, and reproducibility (same inputs, same digest, same results)."""

from decimal import Decimal

from wenzheng.evaluation import runs, schemes
from wenzheng.evaluation.models import Scheme
from wenzheng.handling import actions
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, local
from wenzheng.units.models import Unit

from .fixtures import build_q1, build_towns

Q1 = periods.parse("2026Q1")
LATER = local(2026, 6, 1)


def results_of(run):
    return {r.unit_name: (r.points, r.total, r.grade, r.rank, r.apart, r.due) for r in run.results.order_by("unit_id")}


class DefaultSchemeRunTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m = build_q1(cls.cast)
        cls.scheme = Scheme.objects.latest_version("default")

    def run_q1(self, scheme=None, now=LATER):
        return runs.run_evaluation(scheme=scheme or self.scheme, region=self.cast.county, period=Q1, now=now)

    def test_the_quarter_scores_as_worked_by_hand(self):
        run = self.run_q1()
        a = run.results.get(unit=self.cast.unit_a)
        # 人员配备 10; 按时回应 5/9 and 按时回复 4/8 (a message once) are below 80%: 0 and 0;
        # 分类办结 3/8 of 40 = 15 (m1 m9 m10; not m3, an appeal replied late, nor m8
        # twice); 满意度 1/3 of 10 = 3.33; 督查与问责: 3 written explanations (6), a
        # missed backlog (2), a written criticism (3), an exposure (2), an adverse
        # finding (1) = 14, capped at 10: 0. Total 28.33.
        self.assertEqual(
            a.points,
            {
                "staffing": "10.00",
                "response": "0.00",
                "reply": "0.00",
                "closure": "15.00",
                "satisfaction": "3.33",
                "conduct": "0.00",
            },
        )
        self.assertEqual((a.total, a.grade, a.rank, a.apart, a.due), (Decimal("28.33"), "不合格", 1, False, 8))
        # B: one due message is too few to rank: scored on what had data. An incomplete
        # roster (0/10), 1/1 on time twice (15/15 + 15/15), 0/1 closed (0/40), no
        # deductions (10/10); no ratings: satisfaction had no data and is left out.
        # 40 of 90 measured, scaled to 100: 44.44, 不合格, marked 样本不足.
        b = run.results.get(unit=self.cast.unit_b)
        self.assertEqual((b.total, b.grade, b.rank, b.apart, b.due), (Decimal("44.44"), "不合格", None, True, 1))
        self.assertEqual((b.measured_points, b.measured_max), (Decimal("40.00"), Decimal("90.00")))
        self.assertEqual(b.grade_shown, "不合格（样本不足）")
        self.assertEqual(b.points["satisfaction"], "10.00", "the item's own points stay as the scheme gives them")

    def test_the_run_records_its_scheme_period_and_cutoff(self):
        run = self.run_q1()
        self.assertEqual(run.scheme_snapshot, schemes.snapshot(self.scheme))
        self.assertEqual((run.period_code, run.period_label), ("2026Q1", "2026年第一季度"))
        self.assertEqual(run.cutoff, local(2026, 4, 1))
        self.assertEqual(run.units_count, 2)
        self.assertEqual(len(run.digest), 64)
        self.assertEqual(run.categories, {"consultation": "咨询", "suggestion": "建议", "appeal": "诉求"})

    def test_running_again_gives_the_same_digest_and_the_same_results(self):
        first = self.run_q1()
        second = self.run_q1(now=local(2026, 9, 1))  # later, but the same cut-off
        self.assertEqual(first.digest, second.digest)
        self.assertEqual(results_of(first), results_of(second))
        self.assertEqual(
            [r.facts for r in first.results.order_by("unit_id")], [r.facts for r in second.results.order_by("unit_id")]
        )
        self.assertEqual(second.same_as_earlier(), first)

    def test_a_change_in_the_inputs_changes_the_digest(self):
        first = self.run_q1()
        actions.reply(message=self.m["m5"], by=self.cast.handler_a, text="答复。", at=local(2026, 3, 27, 9))
        second = self.run_q1()
        self.assertNotEqual(first.digest, second.digest)
        self.assertIsNone(second.same_as_earlier())

    def test_the_digest_is_of_the_data_not_of_the_scheme(self):
        data = schemes.snapshot(self.scheme)
        data["items"][1]["params"]["floor"] = 0.5
        other, created = schemes.store(data)
        self.assertTrue(created)
        a, b = self.run_q1(), self.run_q1(other)
        self.assertEqual(a.digest, b.digest)
        # 5/9 is above a 50% floor: 15 × 5/9 = 8.33.
        self.assertEqual(b.results.get(unit=self.cast.unit_a).points["response"], "8.33")

    def test_the_scheme_version_used_is_locked(self):
        self.assertFalse(self.scheme.locked)
        self.run_q1()
        self.assertTrue(self.scheme.locked)

    def test_a_rescore_from_stored_facts_gives_the_stored_points(self):
        run = self.run_q1()
        for result in run.results.all():
            scores = runs.rescore(run, result)
            self.assertEqual({k: f"{s.points:f}" for k, s in scores.items()}, result.points)


class RankingRunTest(CastTestCase):
    """Three townships besides 东门镇: two with the same record tie for first."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.towns = build_towns(cls.cast)

    def test_equal_totals_share_a_rank_and_small_samples_are_apart(self):
        run = runs.run_evaluation(
            scheme=Scheme.objects.latest_version("default"), region=self.cast.county, period=Q1, now=LATER
        )
        got = {r.unit_name: (r.total, r.rank, r.apart) for r in run.results.all()}
        # 甲镇, 乙镇: roster 0 + 15 + 15 + closure 0/5 (0) + no ratings 10 + conduct 10 = 50.
        # 丙镇: 4/5 = 80% on time, exactly the floor: 12 + 12 → 44.
        self.assertEqual(got["甲镇"], (Decimal("50.00"), 1, False))
        self.assertEqual(got["乙镇"], (Decimal("50.00"), 1, False))
        self.assertEqual(got["丙镇"], (Decimal("44.00"), 3, False))
        # No messages at all and no roster: judged on staffing and conduct alone (issue
        # 10: it scored 90 优秀 from rates over nothing): 0/10 + 10/10 = 10 of 20 → 50.
        self.assertEqual(got["东门镇"], (Decimal("50.00"), None, True))
        self.assertEqual(got["县住房和城乡建设局"], (Decimal("50.00"), None, True))
        apart = run.results.get(unit=self.cast.unit_a)
        self.assertEqual((apart.grade_shown, apart.measured_points, apart.measured_max), ("不合格（样本不足）", 10, 20))

    def test_the_number_of_queries_does_not_grow_with_the_units(self):
        scheme = Scheme.objects.latest_version("default")

        def count():
            with self.assertNumQueries(15) as ctx:  # the chains' heads (anchors) one more
                runs.run_evaluation(scheme=scheme, region=self.cast.county, period=Q1, now=LATER)
            return ctx

        count()
        for n in range(20):
            Unit.objects.create(
                region=self.cast.county, name=f"新部门{n}", kind="department", registered_on=local(2020, 1, 1).date()
            )
        count()
