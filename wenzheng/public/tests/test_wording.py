"""Text slips a new user meets (issue 16): doubled full stops, brackets in brackets,
a role repeated after a name that is the role."""

from unittest import mock

from django.urls import reverse

from wenzheng.evaluation import kinds
from wenzheng.evaluation.forms import BulletinForm
from wenzheng.evaluation.models import Scheme
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase, local
from wenzheng.units.models import Region
from wenzheng.workspace.forms import CloseForm, ExposureForm, TransferForm


class WordingTest(CastTestCase):
    def test_a_closed_message_says_how_without_nested_brackets(self):
        c = self.cast
        message = c.replied(at=local(2026, 3, 2, 9), category=c.consultation)
        actions.close(message=message, by=c.leader_a, kind="answered", at=local(2026, 3, 3, 9))
        page = self.client.get(f"/messages/luocheng/{message.serial}/").content.decode()
        self.assertIn("已办结。办结方式：已答复（咨询、建议类）；办结时间：2026年3月3日。", page)
        self.assertNotIn("已办结（已答复", page)

    def test_a_rule_never_ends_in_two_full_stops(self):
        self.client.force_login(self.cast.county_office)
        scheme = Scheme.objects.latest_version("default")
        with mock.patch.object(kinds.Closure, "rule", kinds.Closure.rule.rstrip("。") + "。"):
            page = self.client.get(reverse("evaluation:scheme", args=[scheme.pk])).content.decode()
        self.assertIn("截止前被重办而未再办结的不计。", page)
        self.assertNotIn("。。", page)

    def test_the_header_names_the_role_once(self):
        self.cast.admin.display_name = "系统管理员"
        self.cast.admin.save()
        self.client.force_login(self.cast.admin)
        page = self.client.get("/").content.decode()
        self.assertIn(">系统管理员</a></li>", page)
        self.assertNotIn("系统管理员（系统管理员）", page)
        self.client.force_login(self.cast.handler_a)
        self.assertIn(">handler_a（网络评论员）</a></li>", self.client.get("/").content.decode())


class LengthMessagesTest(CastTestCase):
    def test_a_too_long_title_is_named_in_chinese(self):
        c = self.cast
        form = {
            "unit": c.unit_a.pk, "category": c.appeal.pk, "title": "路" * 101, "body": "村道塌方。",
            "name": "李四", "phone": "13900000000",
        }  # fmt: skip
        page = self.client.post("/post/?county=luocheng", form).content.decode()
        self.assertIn("标题不能超过100个字（现有101个字）。", page)
        self.assertNotIn("确保该变量", page)

    def test_staff_forms_name_the_field_too(self):
        form = ExposureForm({"title": "曝" * 101}, county=self.cast.county, visible_messages=Message.objects.all())
        form.is_valid()
        self.assertIn("曝光标题不能超过100个字（现有101个字）。", form.errors["title"])

    def test_choices_say_请选择_and_how_a_message_closes_is_chosen_not_preset(self):
        # From a newcomer: 办结 recorded 已解决 unless changed; pickers showed ---------.
        c = self.cast
        appeal = c.replied(category=c.appeal)
        form = CloseForm(message=appeal)
        self.assertEqual(form.fields["kind"].choices[0], ("", "请选择办结方式"))
        sent = CloseForm({"note": ""}, message=appeal)
        self.assertIn("kind", sent.errors)
        exposure = ExposureForm(county=c.county, visible_messages=Message.objects.all())
        self.assertIn('<option value="" selected>请选择单位</option>', str(exposure["unit"]))
        bulletin = BulletinForm({"period": "2026Q1"}, regions=Region.objects.all())
        self.assertFalse(bulletin.is_valid())
        self.assertIn("请选择", str(bulletin["region"]))
        self.assertNotIn("---------", str(bulletin["region"]))

    def test_a_hand_back_before_签收_says_its_deadline_runs_on(self):
        c = self.cast
        message = c.submit()
        self.assertIn(
            "退单审核期间签收期限照常计算，请同时签收", TransferForm(message=message).fields["reason"].help_text
        )
        actions.respond(message=message, by=c.handler_a)
        message.refresh_from_db()
        self.assertNotIn("尚未签收", TransferForm(message=message).fields["reason"].help_text)
