"""Editing a scheme in the browser: every number the office tunes, in a form with
Chinese labels; an unused version changes in place, a used one is copied to the next
version; bad numbers are refused with the reason and change nothing. The county
office edits its own county's scheme here; changing one every county shares is in
test_scheme_owners."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from wenzheng.evaluation import runs, schemes
from wenzheng.evaluation.models import Scheme
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, local


class SchemeEditTest(CastTestCase):
    def setUp(self):
        self.shared = Scheme.objects.latest_version("default")
        data = {**schemes.snapshot(self.shared), "name": "洛城县考评方案"}
        self.scheme, _ = schemes.store(data, owner=self.cast.county)
        self.url = reverse("evaluation:scheme-edit", args=[self.scheme.pk])
        self.client.force_login(self.cast.county_office)

    def as_posted(self, **changes):
        """The form as the page fills it, with `changes`."""
        page = self.client.get(self.url)
        form = page.context["form"]
        data = {}
        for name in form.fields:
            value = form.initial.get(name)
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[name] = "on"
                continue
            data[name] = value
        data.update(changes)
        return data

    def test_the_form_shows_each_number_with_a_chinese_label_and_explanation(self):
        page = self.client.get(self.url)
        for text in (
            "样本不足门槛（条）",
            "“优秀”的分数线",
            "下限（%）",
            "满分线（%）",
            "按时回应率低于此值的，本项不得分",
            "咨询类的权重",
            "被责成书面说明，每次扣分",
            "市季度通报扣分，每次扣分",
            "留空表示按通报所列分值扣分",
            "扣分上限",
            "至少配备网络评论员（名）",
        ):
            self.assertContains(page, text)
        self.assertContains(page, 'name="response__floor" value="80"')

    def test_a_grades_name_is_text_on_the_page_never_markup(self):
        """A grade named with markup (an htmx attribute that posts on load) ran in the
        administrator's browser from the form's help text, shown unescaped."""
        data = schemes.snapshot(self.scheme)
        data["grades"] = [[90, "优秀"], [60, "<b hx-get=/x>合格</b>"], [0, "不合格"]]
        scheme, _ = schemes.store(data, owner=self.cast.county)
        page = self.client.get(reverse("evaluation:scheme-edit", args=[scheme.pk]))
        self.assertNotContains(page, "<b hx-get")
        self.assertContains(page, "为“&lt;b hx-get=/x&gt;合格&lt;/b&gt;”")
        # And a grade's name is a word or two of text.
        for name in ("\u200b", "好" * 21):
            with self.subTest(name=name), self.assertRaises(ValidationError):
                schemes.store({**data, "grades": [[60, name], [0, "不合格"]]}, owner=self.cast.county)

    def test_an_unused_scheme_is_changed_in_place(self):
        data = self.as_posted(
            **{
                "min_due": 3,
                "response__floor": "60",
                "closure__weight__appeal": "2",
                "closure__weight__consultation": "1",
                "conduct__source__exposure": "3",
                "conduct__cap": "8",
                "grade_0": "95",
            }
        )
        response = self.client.post(self.url, data)
        self.assertRedirects(
            response, reverse("evaluation:scheme", args=[self.scheme.pk]), fetch_redirect_response=False
        )
        self.assertEqual(Scheme.objects.filter(code="default").count(), 2)
        saved = schemes.snapshot(Scheme.objects.get(pk=self.scheme.pk))
        items = {i["key"]: i for i in saved["items"]}
        self.assertEqual(saved["min_due"], 3)
        self.assertEqual(saved["grades"][0], [95, "优秀"])
        self.assertEqual(items["response"]["params"]["floor"], 0.6)
        self.assertEqual(items["closure"]["params"]["weights"], {"consultation": 1, "appeal": 2})
        self.assertIn({"source": "exposure", "points": 3}, items["conduct"]["params"]["sources"])
        self.assertIn({"source": "bulletin", "points": "row"}, items["conduct"]["params"]["sources"])
        self.assertEqual(items["conduct"]["params"]["cap"], 8)
        page = self.client.get(response["Location"])
        self.assertContains(page, "已保存")
        self.assertContains(page, "按时回应率低于60%的不得分")
        self.assertNotContains(page, "不是100分")
        # Points that no longer add up to 100 are saved, and said.
        self.client.post(self.url, self.as_posted(response__max_points="20"))
        page = self.client.get(reverse("evaluation:scheme", args=[self.scheme.pk]))
        self.assertContains(page, "各项满分合计105分，不是100分")
        # The rule in words for the office; codes and parameters folded away (a newcomer's find).
        self.assertContains(page, "<summary>技术参数（编辑方案文件时使用）</summary>", html=True)

    def test_a_used_scheme_is_copied_to_the_next_version(self):
        runs.run_evaluation(scheme=self.scheme, region=self.cast.county, period=periods.parse("2026Q1"),
                            now=local(2026, 6, 1))  # fmt: skip
        page = self.client.get(self.url)
        self.assertContains(page, "这一版已用于考评")
        before = schemes.snapshot(self.scheme)
        response = self.client.post(self.url, self.as_posted(**{"reply__full": "95"}))
        new = Scheme.objects.default_for(self.cast.county)
        self.assertEqual((new.version, new.region), (3, self.cast.county))
        self.assertRedirects(response, reverse("evaluation:scheme", args=[new.pk]), fetch_redirect_response=False)
        self.assertEqual(schemes.snapshot(Scheme.objects.get(pk=self.scheme.pk)), before)
        reply = next(i for i in schemes.snapshot(new)["items"] if i["key"] == "reply")
        self.assertEqual(reply["params"]["full"], 0.95)
        self.assertContains(self.client.get(response["Location"]), "第2版已用于考评，改动已另存为第3版。")
        self.assertEqual(Scheme.objects.default_for(self.cast.other_county), self.shared)

    def test_bad_numbers_are_refused_with_the_reason_and_change_nothing(self):
        before = schemes.snapshot(self.scheme)
        cases = {
            "a floor above the full-marks line": ({"response__floor": "90", "response__full": "85"}, "下限 floor"),
            "a cap above the item's points": ({"conduct__cap": "12"}, "扣分封顶应在0到本项分值之间"),
            "grade lines out of order": ({"grade_0": "70"}, "等次须按分数线从高到低排列"),
            "a share over 100%": ({"reply__full": "120"}, "100"),
            "not a number": ({"min_due": "五"}, "输入整数"),
        }
        for name, (changes, said) in cases.items():
            with self.subTest(name):
                response = self.client.post(self.url, self.as_posted(**changes))
                self.assertContains(response, said, status_code=400)
                self.assertEqual(schemes.snapshot(Scheme.objects.get(pk=self.scheme.pk)), before)
        self.assertEqual(Scheme.objects.count(), 2)

    def test_sending_it_unchanged_changes_nothing(self):
        response = self.client.post(self.url, self.as_posted(), follow=True)
        self.assertContains(response, "没有改动。")
        self.assertEqual(Scheme.objects.count(), 2)

    def test_only_office_staff_edit(self):
        for role in ("handler_a", "leader_a", "citizen"):
            self.client.force_login(getattr(self.cast, role))
            self.assertEqual(self.client.get(self.url).status_code, 403, role)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)
