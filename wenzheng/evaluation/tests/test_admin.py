"""The admin: a scheme is edited until a run uses it, then copied to a new version."""

from django.urls import reverse

from wenzheng.evaluation import runs
from wenzheng.evaluation.models import Scheme
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, local


class SchemeAdminTest(CastTestCase):
    def setUp(self):
        self.client.force_login(self.cast.admin)
        self.scheme = Scheme.objects.latest_version("default")
        self.url = reverse("admin:evaluation_scheme_change", args=[self.scheme.pk])

    def test_an_unused_scheme_is_editable_and_shows_each_rule(self):
        page = self.client.get(self.url)
        self.assertContains(page, 'name="name"')
        self.assertContains(page, "按时回应率低于80%的不得分")

    def test_a_used_scheme_is_read_only_and_can_be_copied(self):
        runs.run_evaluation(
            scheme=self.scheme, region=self.cast.county, period=periods.parse("2026Q1"), now=local(2026, 6, 1)
        )
        page = self.client.get(self.url)
        self.assertNotContains(page, 'name="name"')
        response = self.client.post(
            reverse("admin:evaluation_scheme_changelist"),
            {"action": "copy_as_new_version", "_selected_action": [self.scheme.pk]},
        )
        self.assertEqual(response.status_code, 302)
        copy = Scheme.objects.latest_version("default")
        self.assertEqual(copy.version, 2)
        self.assertContains(self.client.get(reverse("admin:evaluation_scheme_change", args=[copy.pk])), 'name="name"')

    def test_grades_out_of_order_are_refused(self):
        from django.core.exceptions import ValidationError

        self.scheme.grades = [[60, "合格"], [90, "优秀"]]
        with self.assertRaises(ValidationError) as e:
            self.scheme.full_clean()
        self.assertIn("等次须按分数线从高到低排列，且分数线不重复。", e.exception.message_dict["grades"])
