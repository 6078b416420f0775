import re

import time_machine

from wenzheng.handling import actions
from wenzheng.handling.models import Message

from .base import MONDAY, NOW, WorkspaceTestCase

SEE_UNIT_A = {"handler_a", "leader_a", "county_office", "city_office", "admin"}
STRANGERS = {"handler_b", "leader_b", "handler_c", "other_county_office"}


@time_machine.travel(NOW, tick=False)
class MessagePageTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cls.new = cast.submit(at=MONDAY, title="路灯坏了两周", email="zs@example.com", address="东门镇新街12号")
        cls.appeal = cast.replied(at=MONDAY, category=cast.appeal, title="自来水水压不足")
        actions.follow_up(
            message=cls.appeal, who=actions.Citizen(user=cast.citizen), text="什么时候能修好？", at=MONDAY
        )
        actions.rate(message=cls.appeal, who=actions.Citizen(user=cast.citizen), rating="satisfied", at=MONDAY)
        cls.closed = cast.replied(at=MONDAY, title="低保申请流程")
        actions.close(message=cls.closed, by=cast.leader_a, kind="answered", at=MONDAY)

    def url(self, message):
        return f"/work/messages/{message.pk}/"

    def test_it_is_for_the_unit_and_the_offices_above_it(self):
        self.assertAccess(self.url(self.new), allowed=SEE_UNIT_A, hidden=STRANGERS)

    def test_a_message_nobody_has_is_a_404(self):
        self.as_("admin")
        self.assertEqual(self.client.get("/work/messages/999999/").status_code, 404)

    def test_it_shows_the_message_and_the_citizens_contact_to_the_unit(self):
        self.as_("handler_a")
        response = self.client.get(self.url(self.new))
        self.assertContains(response, f'<h1><span class="serial">{self.new.serial}</span> 路灯坏了两周</h1>', html=True)
        self.assertContains(response, "东门镇新街路段的路灯已经坏了两个星期")
        self.assertContains(response, '<span class="badge">咨询</span>', html=True)
        for private in ("张三", "13800000000", "zs@example.com", "东门镇新街12号"):
            self.assertContains(response, private)
        self.assertContains(response, "回应期限3月3日24时，已超过1个工作日")
        self.assertContains(response, '<span class="badge bad">已超期</span>', html=True)

    def test_the_county_office_sees_the_contact_and_the_city_does_not(self):
        self.as_("county_office")
        self.assertContains(self.client.get(self.url(self.new)), "13800000000")
        self.as_("city_office")
        response = self.client.get(self.url(self.new))
        self.assertNotContains(response, "13800000000")
        self.assertNotContains(response, "张三")
        self.assertContains(response, "网民个人信息仅办理单位和县网络问政办可见。")

    def test_it_shows_stages_replies_follow_ups_rating_and_the_timeline(self):
        self.as_("leader_a")
        response = self.client.get(self.url(self.appeal))
        self.assertContains(response, "东门镇的答复")
        self.assertContains(response, "已安排维修人员处理。")
        self.assertContains(response, "什么时候能修好？")
        self.assertContains(response, '<span class="badge ok">满意</span>', html=True)
        self.assertContains(response, '<span class="badge ok">按时</span>', html=True, count=2)
        self.assertContains(response, "2026-03-09 24时")
        for event in ("网民留言", "签收回应", "网民追问", "网民评价"):
            self.assertContains(response, f"<b>{event}</b>", html=True)
        self.assertContains(response, "东门镇 handler_a（网络评论员）")

    def test_the_timeline_names_the_office_by_its_regions_full_name(self):
        # A tester's trial: the record said 罗城县网络问政办, the headers 罗城仫佬族自治县网络问政办.
        c = self.cast
        message = c.submit(unit=None, at=MONDAY)
        actions.dispatch(message=message, by=c.county_office, unit=c.unit_a, at=MONDAY)
        self.as_("handler_a")
        self.assertContains(self.client.get(self.url(message)), "county_office（罗城仫佬族自治县网络问政办）")
        # An account named as the office is named once (the demo's).
        c.county_office.display_name = "罗城仫佬族自治县网络问政办"
        c.county_office.save(update_fields=["display_name"])
        page = self.client.get(self.url(message)).content.decode()
        self.assertIn("<b>交办</b> 罗城仫佬族自治县网络问政办</li>", page)
        self.assertNotIn("（罗城仫佬族自治县网络问政办）", page)
        self.assertNotIn("（县网络问政办）", page)

    def test_a_handler_is_offered_the_unit_steps_but_not_closing(self):
        self.as_("handler_a")
        response = self.client.get(self.url(self.new))
        for summary in ("签收", "回复", "退单（申请转办）", "申请延期"):
            self.assertContains(response, f"<summary>{summary}</summary>", html=True)
        self.assertNotContains(response, "<summary>督办</summary>", html=True)
        response = self.client.get(self.url(self.appeal))
        self.assertContains(response, "<summary>补充回复</summary>", html=True)
        self.assertNotContains(response, "<summary>办结</summary>", html=True)

    def test_the_leader_closes_an_appeal_as_solved_or_explained_or_asks_for_long_cycle(self):
        self.as_("leader_a")
        response = self.client.get(self.url(self.appeal))
        self.assertContains(response, "<summary>办结</summary>", html=True)
        self.assertContains(response, '<option value="solved">已解决</option>', html=True)
        self.assertContains(response, '<option value="explained">暂不能解决，已答复解释</option>', html=True)
        self.assertNotContains(response, 'value="answered"')
        self.assertContains(response, "<summary>申请长周期办结</summary>", html=True)

    def test_the_county_office_is_offered_supervision_and_reopening(self):
        self.as_("county_office")
        self.assertContains(self.client.get(self.url(self.new)), "<summary>督办</summary>", html=True)
        response = self.client.get(self.url(self.closed))
        self.assertContains(response, "<summary>重办</summary>", html=True)
        self.assertNotContains(response, "<summary>签收</summary>", html=True)

    def test_a_message_waiting_for_dispatch_offers_the_units_of_its_county(self):
        waiting = self.cast.submit(unit=None, at=MONDAY, title="不知道找哪个部门")
        self.as_("county_office")
        response = self.client.get(self.url(waiting))
        self.assertContains(response, "待县网络问政办交办")
        self.assertContains(response, "<summary>交办</summary>", html=True)
        self.assertContains(response, "县住房和城乡建设局")
        self.assertNotContains(response, "思恩镇")
        self.assertEqual(Message.objects.get(pk=waiting.pk).state, "pending_dispatch")


@time_machine.travel(NOW, tick=False)
class CategoryStepTests(WorkspaceTestCase):
    def test_the_county_office_corrects_the_category_of_an_unanswered_message(self):
        c = self.cast
        sent = c.submit(at=MONDAY, title="水管爆裂")
        answered = c.replied(at=MONDAY, title="已回复的留言")
        self.as_("county_office")
        page = self.client.get(f"/work/messages/{sent.pk}/")
        self.assertContains(page, "<summary>更改类别</summary>", html=True)
        self.assertNotContains(self.client.get(f"/work/messages/{answered.pk}/"), "<summary>更改类别</summary>")
        response = self.client.post(
            f"/work/messages/{sent.pk}/category/", {f"category-{sent.pk}-category": c.appeal.pk}, follow=True
        )
        self.assertContains(response, f"留言{sent.serial}的类别已由“咨询”改为“诉求”。")
        self.assertEqual(Message.objects.get(pk=sent.pk).category, c.appeal)
        self.assertContains(response, "更改留言类别")  # in the handling record
        # A unit's staff are not offered it, and are refused if they post it.
        self.as_("handler_a")
        self.assertNotContains(self.client.get(f"/work/messages/{sent.pk}/"), "<summary>更改类别</summary>")
        response = self.client.post(
            f"/work/messages/{sent.pk}/category/", {f"category-{sent.pk}-category": c.suggestion.pk}, follow=True
        )
        self.assertEqual(Message.objects.get(pk=sent.pk).category, c.appeal)


@time_machine.travel(NOW, tick=False)
class StepFormsAsRenderedTest(WorkspaceTestCase):
    """Each step's form as the page renders it carries every field its form reads:
    a hidden field left out made the one follow-up waiting unanswerable from the
    page ("答复哪条追问：这个字段是必填项"), while the tests posted it by hand."""

    def rendered_forms(self, role, message):
        self.as_(role)
        response = self.client.get(f"/work/messages/{message.pk}/")
        html = response.content.decode()
        for step, form in response.context["panels"]:
            action = f'action="/work/messages/{message.pk}/{step.slug}/"'
            yield step, form, html.split(action, 1)[1].split("</form>", 1)[0]

    def test_every_field_of_every_step_is_in_its_form(self):
        c = self.cast
        followed = c.replied(at=MONDAY)
        actions.follow_up(message=followed, who=actions.Citizen(user=c.citizen), text="何时修？", at=MONDAY)
        cases = [
            ("handler_a", followed),
            ("leader_a", followed),
            ("county_office", followed),
            ("county_office", c.submit(at=MONDAY)),
            ("handler_a", c.submit(unit="a", at=MONDAY)),
        ]
        for role, message in cases:
            seen = set()
            for step, form, html in self.rendered_forms(role, message):
                seen.add(step.slug)
                for name in form.fields:
                    with self.subTest(role=role, step=step.slug, field=name):
                        self.assertIn(f'name="{form.add_prefix(name)}"', html)
            self.assertTrue(seen, role)

    def test_the_one_follow_up_waiting_is_answered_from_the_page(self):
        c = self.cast
        message = c.replied(at=MONDAY)
        asked = actions.follow_up(message=message, who=actions.Citizen(user=c.citizen), text="何时修？", at=MONDAY)
        [html] = [
            html for step, form, html in self.rendered_forms("handler_a", message) if step.slug == "answer-follow-up"
        ]
        data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
        data[f"answer-follow-up-{message.pk}-text"] = "周五修。"
        response = self.client.post(f"/work/messages/{message.pk}/answer-follow-up/", data)
        self.assertEqual(response.status_code, 302, self.notes(response))
        self.assertEqual(asked.answers.get().text, "周五修。")


class AnsweredMeanwhileTest(WorkspaceTestCase):
    """Two of a unit's staff answer the same follow-up from pages opened together:
    the second was told "43 不在可用的选项中" and lost what they had written."""

    def setUp(self):
        c = self.cast
        self.message = c.replied(at=MONDAY)
        me = actions.Citizen(user=c.citizen)
        self.asked = actions.follow_up(message=self.message, who=me, text="何时修好？", at=MONDAY)
        self.url = f"/work/messages/{self.message.pk}/answer-follow-up/"
        self.prefix = f"answer-follow-up-{self.message.pk}"

    def post(self, text):
        return self.client.post(self.url, {f"{self.prefix}-follow_up": self.asked.pk, f"{self.prefix}-text": text})

    def test_the_second_answer_is_refused_in_words_and_its_text_kept_to_copy(self):
        actions.answer_follow_up(follow_up=self.asked, by=self.cast.leader_a, text="周五修好。", at=MONDAY)
        self.as_("handler_a")
        response = self.post("本周内安排维修，请耐心等待。")
        self.assertContains(response, "这条追问已经答复过了（可能是同事刚刚答复），您的答复没有提交。", status_code=400)
        self.assertNotContains(response, "不在可用的选项中", status_code=400)
        self.assertContains(response, "未提交的答复追问", status_code=400)
        self.assertRegex(response.content.decode(), r"<textarea readonly[^>]*>本周内安排维修，请耐心等待。</textarea>")
        self.assertEqual(self.asked.answers.count(), 1)

    def test_with_another_follow_up_waiting_the_form_comes_back_with_the_text(self):
        actions.answer_follow_up(follow_up=self.asked, by=self.cast.leader_a, text="周五修好。", at=MONDAY)
        actions.follow_up(message=self.message, who=actions.Citizen(user=self.cast.citizen), text="还有一盏呢？")
        self.as_("handler_a")
        response = self.post("本周内安排维修。")
        self.assertContains(response, "这条追问已经答复过了", status_code=400)
        self.assertContains(response, "本周内安排维修。</textarea>", status_code=400)
        self.assertNotContains(response, "未提交的答复追问", status_code=400)
