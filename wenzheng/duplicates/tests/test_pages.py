"""The county office sees a flag in the dispatch queue and on the message page, with
its candidates and similarity, and merges or dismisses it there; nobody else does."""

from wenzheng.duplicates.models import Flag
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase

from .helpers import LAMP, LAMP_AGAIN, TUESDAY, write


class PageTests(CastTestCase):
    def setUp(self):
        c = self.cast
        self.main = write(c, LAMP, unit=c.unit_a, phone="13900000001")
        self.dup = write(c, LAMP_AGAIN, phone="13900000002", at=TUESDAY)
        self.pct = round(100 * Flag.objects.get(message=self.dup).similarity)

    def test_the_dispatch_queue_shows_the_flag_with_its_candidate_and_forms(self):
        self.client.force_login(self.cast.county_office)
        page = self.client.get(f"/work/county/{self.cast.county.code}/dispatch/")
        self.assertContains(page, "疑似重复留言")
        self.assertContains(page, f"{self.main.serial} {LAMP[0]}")
        self.assertContains(page, f"相似度 {self.pct}%")
        self.assertContains(page, f'action="/work/messages/{self.dup.pk}/merge/"')
        self.assertContains(page, f'action="/work/messages/{self.dup.pk}/dismiss-duplicate/"')
        # The main message's serial is filled in already.
        self.assertContains(page, f'value="{self.main.serial}"')

    def test_a_flagged_message_sent_straight_to_a_unit_is_listed_above_the_queue(self):
        c = self.cast
        direct = write(c, LAMP_AGAIN, unit=c.unit_b, phone="13900000003", at=TUESDAY)
        self.client.force_login(c.county_office)
        page = self.client.get(f"/work/county/{c.county.code}/dispatch/")
        self.assertContains(page, "疑似重复、已在单位办理的留言")
        self.assertContains(page, f'href="/work/messages/{direct.pk}/"')

    def test_a_flagged_message_the_office_dispatched_is_listed_under_words_that_fit_it(self):
        c = self.cast
        actions.dispatch(message=self.dup, by=c.county_office, unit=c.unit_b)
        self.client.force_login(c.county_office)
        page = self.client.get(f"/work/county/{c.county.code}/dispatch/")
        # Its flag still waits for a decision; the list does not say the citizen chose.
        self.assertContains(page, f'href="/work/messages/{self.dup.pk}/"')
        self.assertContains(page, "交办时未处理疑似重复提示的")
        self.assertNotContains(page, "已直接送达单位")

    def test_the_office_merges_from_the_message_page(self):
        self.client.force_login(self.cast.county_office)
        page = self.client.get(f"/work/messages/{self.dup.pk}/")
        self.assertContains(page, f"相似度 {self.pct}%")
        done = self.client.post(
            f"/work/messages/{self.dup.pk}/merge/",
            {f"merge-{self.dup.pk}-main": f" {self.main.serial} ", f"merge-{self.dup.pk}-reason": "同一路段。"},
            follow=True,
        )
        said = f"留言{self.dup.serial}已并入留言{self.main.serial}（“{self.main.title}”，{self.main.unit.name}）"
        self.assertContains(done, said)
        self.assertContains(done, "如并错，可撤销并单。")
        self.assertContains(done, f"这条留言已并入留言 {self.main.serial}（并单）")
        self.assertContains(done, "撤销并单")
        self.assertEqual(Message.objects.get(pk=self.dup.pk).merged_into_id, self.main.pk)
        main = self.client.get(f"/work/messages/{self.main.pk}/")
        self.assertContains(main, "另有1条留言并入这条留言（并单）")

    def test_the_unmerge_form_says_a_merge_is_undone_until_the_main_message_is_closed(self):
        c = self.cast
        actions.merge_duplicate(message=self.dup, into=self.main, by=c.county_office, reason="同一路段")
        actions.reply(message=self.main, by=c.handler_a, text="已修复路灯。")
        self.client.force_login(c.county_office)
        page = self.client.get(f"/work/messages/{self.dup.pk}/")
        # The action allows it after the main message's reply (a mistyped serial).
        self.assertContains(page, "主留言已回复的仍可撤销，已办结的不能撤销。")
        self.assertContains(page, f'action="/work/messages/{self.dup.pk}/unmerge/"')

    def test_a_serial_of_no_message_here_or_of_nothing_is_refused_with_a_reason(self):
        c = self.cast
        # A serial is looked up in the message's own county only: another county's
        # 2026-000003 is not this one's.
        elsewhere = [write(c, LAMP, region=c.other_county, phone=f"1390000000{i}") for i in (5, 6, 7)][-1]
        self.client.force_login(c.county_office)
        for typed, said in (
            (elsewhere.serial, "本县没有编号为"),
            ("路灯", "留言编号的格式应为"),
            (self.dup.serial, "请选择这条留言要并入的另一条留言"),
        ):
            page = self.client.post(
                f"/work/messages/{self.dup.pk}/merge/",
                {f"merge-{self.dup.pk}-main": typed, f"merge-{self.dup.pk}-reason": "同一问题"},
            )
            self.assertContains(page, said, status_code=400)
        self.assertEqual(Message.objects.get(pk=self.dup.pk).state, "pending_dispatch")

    def test_the_office_dismisses_it_with_a_reason(self):
        self.client.force_login(self.cast.county_office)
        self.client.post(
            f"/work/messages/{self.dup.pk}/dismiss-duplicate/", {f"dismiss-duplicate-{self.dup.pk}-reason": "两盏灯"}
        )
        self.assertEqual(Flag.objects.get(message=self.dup).state, "dismissed")
        page = self.client.get(f"/work/county/{self.cast.county.code}/dispatch/")
        self.assertNotContains(page, "疑似重复留言")

    def test_units_and_other_counties_neither_see_the_flag_nor_merge(self):
        c = self.cast
        self.client.force_login(c.handler_a)
        page = self.client.get(f"/work/messages/{self.main.pk}/")
        self.assertNotContains(page, "疑似重复留言")
        self.assertNotContains(page, "并入主留言")
        post = {f"merge-{self.dup.pk}-main": self.main.serial, f"merge-{self.dup.pk}-reason": "x"}
        self.client.force_login(c.other_county_office)
        self.assertEqual(self.client.post(f"/work/messages/{self.dup.pk}/merge/", post).status_code, 404)
        self.assertEqual(Message.objects.get(pk=self.dup.pk).state, "pending_dispatch")


class MergePreviewTests(CastTestCase):
    """The merge form names the main message before the merge is sent: at once for a
    suggested duplicate, and for a serial as it is typed (the preview's URL)."""

    def setUp(self):
        c = self.cast
        self.main = write(c, LAMP, unit=c.unit_a, phone="13900000001")
        self.dup = write(c, LAMP_AGAIN, phone="13900000002", at=TUESDAY)
        self.url = f"/work/messages/{self.dup.pk}/merge-preview/"
        self.client.force_login(c.county_office)

    def preview(self, typed):
        response = self.client.get(self.url, {f"merge-{self.dup.pk}-main": typed})
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_suggested_main_message_is_named_on_the_page(self):
        said = f"将并入留言{self.main.serial}：“{self.main.title}”（东门镇，待签收）。"
        for url in (f"/work/messages/{self.dup.pk}/", f"/work/county/{self.cast.county.code}/dispatch/"):
            page = self.client.get(url)
            # The form asks the preview as it loads, for the serial it shows.
            self.assertContains(page, f'value="{self.main.serial}"')
            self.assertContains(page, 'hx-trigger="load, input changed delay:400ms"')
        self.assertIn(said, self.preview(self.main.serial))

    def test_a_main_message_not_yet_dispatched_is_said_to_wait_once(self):
        c = self.cast
        waiting = write(c, LAMP, phone="13900000004")
        page = self.preview(waiting.serial)
        self.assertIn(f"将并入留言{waiting.serial}：“{waiting.title}”（待交办）。", page)
        self.assertNotIn("待交办，待交办", page)

    def test_a_typed_serial_is_named_or_refused_with_the_actions_reason(self):
        c = self.cast
        closed = c.replied(title="低保申请")
        actions.close(message=closed, by=c.leader_a, kind="answered")
        other = write(c, LAMP, phone="13900000003", at=TUESDAY)
        actions.merge_duplicate(message=other, into=self.main, by=c.county_office, reason="同一路段")
        full_width = self.main.serial.replace("-", "－").translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        cases = {
            self.main.serial: f"将并入留言{self.main.serial}：“{self.main.title}”",
            full_width: f"将并入留言{self.main.serial}",
            other.serial: f"留言{other.serial}已并入留言{self.main.serial}，将并入留言{self.main.serial}",
            closed.serial: f"留言{closed.serial}（“低保申请”）当前状态为“已办结”，不能再并入留言。",
            self.dup.serial: "不能并入本条留言。",
            "2026-999999": "本县没有编号为 2026-999999 的留言。",
            "路灯": "留言编号的格式应为",
            "<b>2026</b>": "留言编号的格式应为",
        }
        for typed, said in cases.items():
            with self.subTest(typed=typed):
                self.assertIn(said, self.preview(typed))
        self.assertNotIn("alert", self.preview(""))

    def test_another_countys_message_is_not_named(self):
        c = self.cast
        elsewhere = [write(c, LAMP, region=c.other_county, phone=f"1390000000{i}") for i in (5, 6, 7)][-1]
        page = self.preview(elsewhere.serial)
        self.assertNotIn(elsewhere.title, page.replace(f"“{self.main.title}”", ""))
        self.client.force_login(c.other_county_office)
        self.assertEqual(self.client.get(self.url, {"main": self.main.serial}).status_code, 404)
        self.client.force_login(c.handler_a)
        self.assertEqual(self.client.get(self.url, {"main": self.main.serial}).status_code, 403)
