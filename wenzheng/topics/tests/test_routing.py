"""Routing suggestions: the model, its commands, the worker and the dispatch queue."""

import csv
import datetime as dt
import io
import json
import shutil
import tempfile
from pathlib import Path

import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings

from wenzheng.accounts.models import Role, User
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.ops import worker
from wenzheng.topics import catalogue, routing
from wenzheng.topics.models import RoutingDecision, RoutingSuggestion, Topic
from wenzheng.topics.router import Router, prepare, seeds
from wenzheng.units.models import Unit
from wenzheng.workspace.tests.base import NOW, WorkspaceTestCase

QUEUE = "/work/county/luocheng/dispatch/"
LAMPS = ["路灯不亮", "路灯坏了", "街上的灯晚上不亮", "路灯闪烁", "巷子里路灯熄灭", "路灯杆倒了"]
HOUSES = ["物业不管漏水", "房屋墙体开裂", "楼顶漏水物业推诿", "商品房质量问题", "小区物业乱收费", "房子裂缝漏雨"]


def examples():
    texts, topics, units = [], [], []
    for i in range(12):
        texts.append(f"{LAMPS[i % 6]}，第{i}次反映，晚上出行很不方便，请尽快维修路灯。")
        topics.append("010101")
        units.append("lamp")
        texts.append(f"{HOUSES[i % 6]}，第{i}次反映，房屋和物业问题请住建部门处理。")
        topics.append("010202")
        units.append("house")
    return texts, {"topic": topics, "unit": units}


class RouterTests(WorkspaceTestCase):
    def test_it_learns_guesses_and_saves_a_versioned_file(self):
        texts, targets = examples()
        router = Router.fit(texts, targets, cv=3, source="test")
        [lamp, house] = router.guess_many(["新街的路灯不亮了", "楼顶漏水，物业不管"])
        self.assertEqual(lamp["topic"][0].label, "010101")
        self.assertEqual(house["unit"][0].label, "house")
        self.assertGreater(lamp["topic"][0].confidence, 0.5)
        self.assertAlmostEqual(sum(g.confidence for g in lamp["topic"]), 1.0, places=5)
        self.assertEqual(router.meta["targets"]["topic"]["cv"]["folds"], 3)
        self.assertGreater(router.meta["targets"]["topic"]["cv"]["macro_f1"], 0.9)
        directory = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, directory)
        path = router.save(directory)
        again = Router.load(path)
        self.assertEqual(again.guess("路灯坏了")["topic"][0].label, "010101")
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        self.assertEqual((meta["messages"], meta["source"]), (24, "test"))
        self.assertIn("trained_at", meta)

    def test_the_trees_names_teach_what_no_message_said(self):
        tree = [("010000", "城乡建设"), ("010100", "市政设施"), ("010105", "井盖与窨井"), ("040000", "卫生健康")]
        tree += [("040100", "医疗服务"), ("040101", "看病难与医院服务")]
        self.assertEqual(
            seeds(["城乡建设", "040101", "不在树上", ""], tree),
            [
                ("看病难与医院服务", "040101"),
                ("城乡建设", "城乡建设"),
                ("市政设施", "城乡建设"),
                ("井盖与窨井", "城乡建设"),
            ],
        )
        texts = ["路灯不亮，请修路灯"] * 4 + ["医院排队太久，看病难"] * 4
        labels = ["城乡建设"] * 4 + ["卫生健康"] * 4
        plain = Router.fit(texts, {"topic": labels})
        seeded = Router.fit(texts, {"topic": labels}, seeds={"topic": seeds(labels, tree)})
        # 窨井 is in no message, only in the tree under 城乡建设.
        self.assertEqual(seeded.guess("窨井盖丢了")["topic"][0].label, "城乡建设")
        self.assertLess(plain.guess("窨井盖丢了")["topic"][0].confidence, 0.6)
        self.assertEqual(seeded.meta["targets"]["topic"]["seeds"], 6)  # three names under each

    def test_it_weighs_classes_by_their_messages_not_by_the_trees_names(self):
        tree = [("010000", "城乡建设"), ("010100", "市政设施"), ("010101", "路灯照明"), ("010105", "井盖与窨井")]
        tree += [("040000", "卫生健康")]
        texts = ["路灯不亮，请修路灯"] * 8 + ["医院排队太久，看病难"] * 4
        labels = ["城乡建设"] * 8 + ["卫生健康"] * 4
        router = Router.fit(texts, {"topic": labels}, seeds={"topic": seeds(labels, tree)})
        self.assertEqual(router.meta["targets"]["topic"]["seeds"], 5)
        # 12 messages over two classes: 12 / (2 × 8) and 12 / (2 × 4); the four names
        # under 城乡建设 and the one of 卫生健康 change nothing (counted, they would
        # make it 17 / (2 × 12) and 17 / (2 × 5)).
        self.assertEqual(router.meta["targets"]["topic"]["class_weights"], {"卫生健康": 1.5, "城乡建设": 0.75})
        self.assertEqual(router.guess("医院看病排队")["topic"][0].label, "卫生健康")

    def test_it_ranks_among_the_labels_allowed_before_taking_the_top(self):
        texts, targets = examples()
        targets["unit"] = [f"{u}{i % 3}" for i, u in enumerate(targets["unit"])]  # six units
        router = Router.fit(texts, targets)
        everyone = router.guess("楼顶漏水，物业不管", top=2)["unit"]
        self.assertEqual({g.label[:5] for g in everyone}, {"house"})
        [lamp_only] = router.guess_many(["楼顶漏水，物业不管"], top=2, among={"unit": {"lamp1", "lamp2"}})
        self.assertEqual({g.label for g in lamp_only["unit"]}, {"lamp1", "lamp2"})
        self.assertAlmostEqual(sum(g.confidence for g in lamp_only["unit"]), 1.0, places=5)
        # One label allowed: itself, with all the share; none: no guess at all.
        [one] = router.guess_many(["路灯不亮"], among={"unit": {"house0"}})
        self.assertEqual([(g.label, g.confidence) for g in one["unit"]], [("house0", 1.0)])
        [none] = router.guess_many(["路灯不亮"], among={"unit": set()})
        self.assertEqual(none["unit"], [])
        self.assertTrue(none["topic"])

    def test_it_prepares_messy_text(self):
        self.assertEqual(prepare("路灯\x00不亮\u3000１３８００１３８０００ＡＢ"), "路灯 不亮 0ab")

    def test_labels_with_too_few_examples_are_left_out(self):
        texts, targets = examples()
        targets["unit"] = ["lamp"] * 22 + ["rare", "rare"]
        router = Router.fit(texts, targets)
        self.assertEqual(router.meta["targets"]["unit"]["too_few_examples"], ["rare"])
        self.assertEqual(router.meta["targets"]["unit"]["skipped"], "fewer than two labels with enough examples")
        self.assertNotIn("unit", router.heads)


@time_machine.travel(NOW, tick=False)
class RoutingInTheQueueTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        catalogue.load_default(cast.county)
        cls.lamp = Topic.objects.get(region=cast.county, code="010101")
        cls.house = Topic.objects.get(region=cast.county, code="010202")
        texts, targets = examples()
        for text, topic in zip(texts, targets["topic"], strict=True):
            lamp = topic == "010101"
            m = cast.submit(unit="a" if lamp else "b", at=NOW, title=text[:10], topic=cls.lamp if lamp else cls.house)
            Message.objects.filter(pk=m.pk).update(body=text)
            actions.reply(message=m, by=cast.handler_a if lamp else cast.handler_b, text="已处理。", at=NOW)

    def setUp(self):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        override = override_settings(ROUTER_DIR=directory)
        override.enable()
        self.addCleanup(override.disable)
        self.directory = Path(directory)

    def train(self, *args):
        out = io.StringIO()
        call_command("train_router", *args, stdout=out)
        return out.getvalue()

    def test_train_router_learns_from_the_deployments_answered_messages(self):
        out = self.train("--cv", "3")
        self.assertIn("on 24 messages (deployment)", out)
        self.assertIn("topic: 24 examples, 2 classes", out)
        self.assertIn("3-fold cross-validation: macro-F1", out)
        self.assertRegex(out, r"010101\s+1\.000\s+1\.000\s+1\.000\s+12")
        [model] = self.directory.glob("router-*.joblib")
        # Every test message is a 咨询: nothing to learn about categories.
        self.assertIn("category: skipped (fewer than two labels with enough examples)", out)
        self.assertEqual(set(Router.load(model).heads), {"topic", "unit"})

    def test_train_router_and_route_on_a_labelled_csv(self):
        texts, targets = examples()
        path = self.directory / "labelled.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["内容", "一级分类"])
            writer.writerows(zip(texts, targets["unit"], strict=True))
        out = self.train("--from-csv", str(path), "--text-col", "内容", "--label-col", "一级分类", "--cv", "5")
        self.assertIn("5-fold cross-validation: macro-F1 1.000", out)
        self.assertRegex(out, r"house\s+1\.000\s+1\.000\s+1\.000\s+12")
        stdout, stderr = io.StringIO(), io.StringIO()
        call_command("route", csv=path, text_col="内容", label_col="一级分类", stdout=stdout, stderr=stderr)
        rows = list(csv.reader(io.StringIO(stdout.getvalue())))
        self.assertEqual(rows[0], ["row", "label", "confidence", "expected"])
        self.assertEqual(len(rows), 25)
        self.assertEqual(rows[1][1], rows[1][3])
        self.assertIn("accuracy 1.000, macro-F1 1.000 over 2 labels", stderr.getvalue())
        with self.assertRaisesMessage(CommandError, "no column '标签'"):
            self.train("--from-csv", str(path), "--text-col", "内容", "--label-col", "标签")

    def test_route_without_a_model_says_so(self):
        with self.assertRaisesMessage(CommandError, "run `manage.py train_router` first"):
            call_command("route", csv=self.directory / "x.csv", text_col="内容")

    def test_the_worker_suggests_and_the_office_accepts_in_one_click(self):
        self.train()
        waiting = self.cast.submit(unit=None, at=NOW, title="新街路灯")
        Message.objects.filter(pk=waiting.pk).update(body="新街的路灯晚上不亮，出行不便。")
        worker.run_pass(only=("routing",))
        suggestion = RoutingSuggestion.objects.get(message=waiting)
        self.assertEqual((suggestion.unit, suggestion.topic), (self.cast.unit_a, self.lamp))
        self.as_("county_office")
        page = self.client.get(QUEUE)
        self.assertContains(page, "智能分拨建议")
        self.assertContains(page, "采纳：交办东门镇")
        response = self.client.post(f"/work/county/luocheng/routing/{waiting.pk}/accept/", {"next": QUEUE}, follow=True)
        self.assertContains(response, f"已采纳建议，留言{waiting.serial}交办东门镇。")
        waiting.refresh_from_db()
        self.assertEqual((waiting.state, waiting.unit, waiting.topic), ("dispatched", self.cast.unit_a, self.lamp))
        [decision] = suggestion.decisions.all()
        self.assertEqual((decision.unit_decision, decision.decided_by), ("accepted", self.cast.county_office))
        self.assertEqual((decision.occasion, decision.topic_decision), ("dispatch", "accepted"))

    def test_an_unsure_suggestion_says_so_and_names_the_topics_usual_units(self):
        """A newcomer met a pension question offered to a township at 17%, the big
        button naming it, the topic (rightly guessed) handled by another unit at 4%."""
        self.train()
        waiting = self.cast.submit(unit=None, at=NOW, title="新街路灯")
        worker.run_pass(only=("routing",))
        self.as_("county_office")
        self.assertNotContains(self.client.get(QUEUE), "把握较低")
        c = self.cast
        self.lamp.units.add(c.unit_a)
        RoutingSuggestion.objects.filter(message=waiting).update(
            unit=c.unit_b, unit_confidence=0.17, other_units=[[c.unit_a.pk, 0.04]], topic=self.lamp
        )
        page = self.client.get(QUEUE)
        self.assertContains(page, "把握较低，请核对后再交办")
        self.assertContains(page, "事项分类“城乡建设 → 市政设施 → 路灯照明”的通常承办单位：东门镇")
        # Found by a tester: a 6% guess one tap from dispatch. No button dispatches it;
        # one picks the unit in the row's own form (site.js), which is sent from there.
        self.assertNotContains(page, "采纳：交办")
        self.assertNotContains(page, f"/routing/{waiting.pk}/accept/")
        self.assertContains(page, "把握较低，不提供一键交办")
        self.assertContains(
            page,
            f'<button class="btn quiet" type="button" data-pick-unit="id_dispatch-{waiting.pk}-unit"'
            f' data-unit="{c.unit_b.pk}" hidden>在交办表单中选择{c.unit_b.name}</button>',
            html=True,
        )
        self.assertContains(page, f'id="id_dispatch-{waiting.pk}-unit"')
        # Nor in bulk, the only row being unsure: the bulk button is not offered.
        self.assertNotContains(page, "选中的留言按智能分拨建议交办")
        # Posted all the same (a page open from before): refused, nothing dispatched.
        one = self.client.post(f"/work/county/luocheng/routing/{waiting.pk}/accept/", {"next": QUEUE}, follow=True)
        self.assertContains(one, f"分拨建议把握较低（{c.unit_b.name}，约17%），不能一键采纳")
        bulk = self.client.post("/work/county/luocheng/routing/accept/", {"bulk-messages": [waiting.pk]}, follow=True)
        self.assertContains(bulk, f"{waiting.serial}：分拨建议把握较低")
        self.assertNotContains(bulk, "已采纳")
        waiting.refresh_from_db()
        self.assertEqual((waiting.state, waiting.unit), ("pending_dispatch", None))
        self.assertFalse(RoutingDecision.objects.exists())

    def test_an_override_is_recorded_and_taught_next_time(self):
        self.train()
        waiting = self.cast.submit(unit=None, at=NOW, title="路灯又坏了")
        routing.suggest([waiting])
        actions.dispatch(message=waiting, by=self.cast.county_office, unit=self.cast.unit_b, topic=self.house)
        [decision] = RoutingDecision.objects.filter(suggestion__message=waiting)
        self.assertEqual((decision.unit_decision, decision.chosen_unit), ("overridden", self.cast.unit_b))
        suggestion = decision.suggestion
        texts, targets = routing.training_data()
        self.assertEqual(len(texts), 25)  # the override is a label although it is not answered yet
        self.assertIn(str(self.cast.unit_b.pk), targets["unit"])
        out = self.train()
        self.assertIn(f"previous model {suggestion.model_version}: 1 suggestion(s), 0 accepted, 1 overridden", out)

    def test_bulk_accept_dispatches_each_to_its_own_suggestion_and_strangers_cannot(self):
        self.train()
        lamp = self.cast.submit(unit=None, at=NOW, title="路灯不亮了")
        house = self.cast.submit(unit=None, at=NOW, title="物业不管漏水")
        for m, body in ((lamp, "晚上路灯不亮"), (house, "楼顶漏水，物业推诿，房屋开裂")):
            Message.objects.filter(pk=m.pk).update(body=body)
        self.as_("other_county_office")
        response = self.client.post("/work/county/luocheng/routing/accept/", {"bulk-messages": [lamp.pk, house.pk]})
        self.assertEqual(response.status_code, 404)
        self.as_("county_office")
        self.client.get(QUEUE)  # computes the suggestions it shows
        response = self.client.post(
            "/work/county/luocheng/routing/accept/", {"bulk-messages": [lamp.pk, house.pk, "x"]}, follow=True
        )
        self.assertContains(response, "已采纳2条留言的分拨建议")
        units = dict(Message.objects.filter(pk__in=[lamp.pk, house.pk]).values_list("pk", "unit"))
        self.assertEqual(units, {lamp.pk: self.cast.unit_a.pk, house.pk: self.cast.unit_b.pk})
        self.assertEqual(RoutingDecision.objects.filter(unit_decision="accepted").count(), 2)

    def test_bulk_accept_names_forged_ids_and_gone_messages_instead_of_failing(self):
        self.train()
        lamp = self.cast.submit(unit=None, at=NOW, title="路灯不亮了")
        Message.objects.filter(pk=lamp.pk).update(body="晚上路灯不亮")
        taken = self.cast.submit(unit=None, at=NOW, title="路灯坏了")
        actions.dispatch(message=taken, by=self.cast.county_office, unit=self.cast.unit_a)
        self.as_("county_office")
        self.client.get(QUEUE)  # computes the suggestions it shows
        # "²" is a digit to str.isdigit() but not to int(); twenty digits overflow
        # SQLite's integer inside `pk__in`.
        forged = ["²", "99999999999999999999", "１２", ""]
        response = self.client.post(
            "/work/county/luocheng/routing/accept/",
            {"bulk-messages": [*forged, lamp.pk, taken.pk], "next": QUEUE},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "有4项勾选不是有效的留言，已忽略。")
        self.assertContains(response, "1条勾选的留言已不在待交办队列中（可能已由他人交办），未作处理。")
        self.assertContains(response, "已采纳1条留言的分拨建议")
        lamp.refresh_from_db()
        self.assertEqual((lamp.state, lamp.unit), ("dispatched", self.cast.unit_a))
        response = self.client.post("/work/county/luocheng/routing/accept/", {"bulk-messages": ["²"]}, follow=True)
        self.assertContains(response, "请先勾选要交办的留言。")
        # A forged `next` (control characters pasted in) is not followed.
        response = self.client.post(
            "/work/county/luocheng/routing/accept/", {"bulk-messages": ["x"], "next": "/work/\r\nSet-Cookie: a=b"}
        )
        self.assertEqual(response["Location"], QUEUE)

    def answered_in_huanjiang(self, unit, texts):
        """Messages of 环江 answered by `unit` (a handler of its own), for training."""
        handler = User.objects.create_user(f"h{unit.pk}", password="pw", role=Role.HANDLER, unit=unit)
        for text in texts:
            m = actions.submit(
                by=None, category=self.cast.consultation, unit=unit, title=text[:10], body=text,
                name="李四", phone="13900000000", consent_to_publish=True, at=NOW,
            )  # fmt: skip
            actions.reply(message=m, by=handler, text="已处理。", at=NOW)

    def test_a_county_is_suggested_its_own_units_however_many_other_counties_have(self):
        since = dt.date(2020, 1, 1)
        huanjiang = self.cast.other_county
        for name in ("川山镇", "洛阳镇", "大才乡"):
            unit = Unit.objects.create(region=huanjiang, name=name, kind="township", registered_on=since)
            # Worded almost as the message below: each outranks 罗城's 东门镇.
            self.answered_in_huanjiang(unit, [f"新街的路灯晚上不亮，出行不便，第{i}次反映。" for i in range(6)])
        # The same name as 罗城's department (unit_b), in the other county.
        namesake = Unit.objects.create(
            region=huanjiang, name="县住房和城乡建设局", kind="department", registered_on=since
        )
        self.answered_in_huanjiang(namesake, [f"楼顶漏水，物业推诿，房屋开裂，第{i}次反映。" for i in range(6)])
        self.train()
        lamp = self.cast.submit(unit=None, at=NOW, title="新街路灯")
        house = self.cast.submit(unit=None, at=NOW, title="房屋漏水")
        Message.objects.filter(pk=lamp.pk).update(body="新街的路灯晚上不亮，出行不便。")
        Message.objects.filter(pk=house.pk).update(body="楼顶漏水，物业推诿，房屋开裂。")
        self.as_("county_office")
        page = self.client.get(QUEUE)
        self.assertContains(page, "采纳：交办东门镇")
        self.assertContains(page, "采纳：交办县住房和城乡建设局")
        suggestions = {s.message_id: s for s in RoutingSuggestion.objects.filter(message__in=[lamp, house])}
        self.assertEqual(suggestions[lamp.pk].unit, self.cast.unit_a)
        self.assertEqual(suggestions[house.pk].unit, self.cast.unit_b)  # not 环江's namesake
        # Runners-up are 罗城's too, and the confidences are shares among its units.
        for s in suggestions.values():
            others = [Unit.objects.get(pk=pk) for pk, _ in s.other_units]
            self.assertEqual({u.region for u in others}, {self.cast.county})
            self.assertAlmostEqual(s.unit_confidence + sum(c for _, c in s.other_units), 1.0, places=3)
        # A unit handing a message back is offered 罗城's other units alone.
        misrouted = self.cast.submit(unit="b", at=NOW, title="新街路灯")
        Message.objects.filter(pk=misrouted.pk).update(body="新街的路灯晚上不亮，出行不便。")
        misrouted.refresh_from_db()
        self.assertEqual([u for u, _ in routing.likely_units(misrouted)], [self.cast.unit_a])

    def test_a_unit_handing_a_message_back_sees_where_it_likely_belongs(self):
        self.train()
        misrouted = self.cast.submit(unit="a", at=NOW, title="物业不管漏水")
        Message.objects.filter(pk=misrouted.pk).update(body="楼顶漏水，物业推诿，房屋开裂")
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{misrouted.pk}/")
        self.assertContains(page, "智能分拨建议的其他单位：县住房和城乡建设局（")

    def lamp_waiting(self, **kwargs):
        m = self.cast.submit(at=NOW, title="新街路灯", **{"unit": None, **kwargs})
        Message.objects.filter(pk=m.pk).update(body="新街的路灯晚上不亮，出行不便。")
        m.refresh_from_db()
        return m

    def sure_of_the_runner_up(self, message):
        """The model's second unit (住建局) likely enough to be accepted in one click
        (not unsure) once the first is out of the running."""
        RoutingSuggestion.objects.filter(message=message).update(
            unit_confidence=0.6, other_units=[[self.cast.unit_b.pk, 0.4]]
        )

    def test_the_button_names_the_unit_accepting_uses_when_the_first_no_longer_takes_messages(self):
        self.train()
        waiting = self.lamp_waiting()
        routing.suggest([waiting])
        self.assertEqual(RoutingSuggestion.objects.get(message=waiting).unit, self.cast.unit_a)
        self.sure_of_the_runner_up(waiting)
        # 东门镇 is switched off after the suggestion was made: the dispatch form no
        # longer lists it, so neither does the suggestion, nor does accepting use it.
        Unit.objects.filter(pk=self.cast.unit_a.pk).update(deactivated_on=NOW.date())
        self.as_("county_office")
        page = self.client.get(QUEUE)
        self.assertContains(page, "采纳：交办县住房和城乡建设局")
        self.assertNotContains(page, "东门镇 ")
        url = f"/work/county/luocheng/routing/{waiting.pk}/accept/"
        response = self.client.post(url, {"next": QUEUE, "unit": self.cast.unit_b.pk}, follow=True)
        self.assertContains(response, f"已采纳建议，留言{waiting.serial}交办县住房和城乡建设局。")
        waiting.refresh_from_db()
        self.assertEqual((waiting.state, waiting.unit), ("dispatched", self.cast.unit_b))
        [decision] = RoutingDecision.objects.filter(suggestion__message=waiting)
        self.assertEqual((decision.offered_unit, decision.unit_decision), (self.cast.unit_b, "accepted"))

    def test_a_button_that_named_another_unit_changes_nothing(self):
        self.train()
        waiting = self.lamp_waiting()
        self.as_("county_office")
        self.assertContains(self.client.get(QUEUE), "采纳：交办东门镇")
        Unit.objects.filter(pk=self.cast.unit_a.pk).update(deactivated_on=NOW.date())
        url = f"/work/county/luocheng/routing/{waiting.pk}/accept/"
        response = self.client.post(url, {"next": QUEUE, "unit": self.cast.unit_a.pk}, follow=True)
        self.assertContains(response, "分拨建议已变化，现建议交办“县住房和城乡建设局”，请刷新页面核对后再采纳。")
        waiting.refresh_from_db()
        self.assertEqual((waiting.state, waiting.unit), ("pending_dispatch", None))
        self.assertFalse(RoutingDecision.objects.exists())
        # The bulk accept checks what each card named too.
        response = self.client.post(
            "/work/county/luocheng/routing/accept/",
            {"bulk-messages": [waiting.pk], f"shown-{waiting.pk}": self.cast.unit_a.pk},
            follow=True,
        )
        self.assertContains(response, f"{waiting.serial}：分拨建议已变化")
        self.assertEqual(Message.objects.get(pk=waiting.pk).state, "pending_dispatch")

    def test_a_switched_off_topic_is_accepted_as_its_parent_or_left_unset(self):
        self.train()
        first, second = self.lamp_waiting(), self.lamp_waiting()
        routing.suggest([first, second])
        self.assertEqual(RoutingSuggestion.objects.get(message=first).topic, self.lamp)
        Topic.objects.filter(pk=self.lamp.pk).update(active=False)
        self.as_("county_office")
        page = self.client.get(QUEUE)
        self.assertContains(
            page, "建议的事项分类“城乡建设 → 市政设施 → 路灯照明”已停用，改按上级分类“城乡建设 → 市政设施”交办。"
        )
        response = self.client.post(f"/work/county/luocheng/routing/{first.pk}/accept/", {"next": QUEUE}, follow=True)
        self.assertContains(response, f"已采纳建议，留言{first.serial}交办东门镇。")
        self.assertContains(response, "改按上级分类“城乡建设 → 市政设施”交办")
        first.refresh_from_db()
        self.assertEqual((first.unit, first.topic), (self.cast.unit_a, self.lamp.parent))
        # With its parent switched off too, the message goes without a topic.
        Topic.objects.filter(pk=self.lamp.parent_id).update(active=False)
        response = self.client.post(f"/work/county/luocheng/routing/{second.pk}/accept/", {"next": QUEUE}, follow=True)
        self.assertContains(response, "交办时未设事项分类，可在留言页补设。")
        second.refresh_from_db()
        self.assertEqual((second.state, second.unit, second.topic), ("dispatched", self.cast.unit_a, None))

    def test_accepting_after_a_hand_back_is_recorded_as_accepted_and_the_re_dispatch_too(self):
        self.train()
        # Sent by its citizen to 东门镇, which the model would suggest too; it hands it back.
        handed = self.lamp_waiting(unit="a")
        actions.request_transfer(message=handed, by=self.cast.handler_a, reason="不属于本镇职责。", at=NOW)
        routing.suggest([handed])
        self.sure_of_the_runner_up(handed)
        self.as_("county_office")
        page = self.client.get(QUEUE)
        self.assertEqual(RoutingSuggestion.objects.get(message=handed).unit, self.cast.unit_a)
        self.assertContains(page, "采纳：交办县住房和城乡建设局")
        url = f"/work/county/luocheng/routing/{handed.pk}/accept/"
        self.client.post(url, {"next": QUEUE, "unit": self.cast.unit_b.pk})
        handed.refresh_from_db()
        self.assertEqual((handed.state, handed.unit), ("dispatched", self.cast.unit_b))
        [decision] = RoutingDecision.objects.filter(suggestion__message=handed)
        self.assertEqual(
            (decision.occasion, decision.offered_unit, decision.unit_decision),
            ("redispatch", self.cast.unit_b, "accepted"),
        )
        # Dispatched by the office, handed back again: the re-dispatch is recorded too,
        # against what the queue then offered (neither unit that handed it back).
        waiting = self.lamp_waiting()
        routing.suggest([waiting])
        actions.dispatch(message=waiting, by=self.cast.county_office, unit=self.cast.unit_a)
        actions.request_transfer(message=waiting, by=self.cast.handler_a, reason="不属于本镇职责。", at=NOW)
        actions.dispatch(message=waiting, by=self.cast.county_office, unit=self.cast.unit_b, note="转住建局。")
        actions.request_transfer(message=waiting, by=self.cast.handler_b, reason="不属于本局职责。", at=NOW)
        actions.dispatch(message=waiting, by=self.cast.county_office, unit=self.cast.unit_a, note="仍由东门镇办理。")
        decisions = RoutingDecision.objects.filter(suggestion__message=waiting).order_by("pk")
        self.assertEqual(
            [(d.occasion, d.offered_unit, d.chosen_unit, d.unit_decision) for d in decisions],
            [
                ("dispatch", self.cast.unit_a, self.cast.unit_a, "accepted"),
                ("redispatch", self.cast.unit_b, self.cast.unit_b, "accepted"),
                ("redispatch", None, self.cast.unit_a, ""),  # both had handed it back: nothing offered
            ],
        )
        self.assertEqual(
            routing.acceptance(decisions[0].suggestion.model_version), {"suggested": 2, "accepted": 3, "overridden": 0}
        )

    def test_training_leaves_out_spam_merges_and_hand_backs_and_learns_who_finally_answered(self):
        self.train()
        office, a, b = self.cast.county_office, self.cast.handler_a, self.cast.handler_b

        def waiting(title):
            m = self.cast.submit(unit=None, at=NOW, title=title)
            routing.suggest([m])
            return m

        spam = self.cast.submit(unit="a", at=NOW, title="垃圾留言")
        actions.reply(message=spam, by=a, text="已处理。", at=NOW)
        actions.mark_spam(message=spam, by=office, reason="广告。", at=NOW)
        main, merged = waiting("主留言"), waiting("并入的留言")
        for m in (main, merged):
            actions.dispatch(message=m, by=office, unit=self.cast.unit_a)
        actions.merge_duplicate(message=merged, into=main, by=office, reason="同一问题。", at=NOW)
        handed = waiting("退单待审")
        actions.dispatch(message=handed, by=office, unit=self.cast.unit_a)
        actions.request_transfer(message=handed, by=a, reason="不属于本镇。", at=NOW)
        moved = self.cast.submit(unit="a", at=NOW, title="转办后答复")
        actions.request_transfer(message=moved, by=a, reason="不属于本镇。", at=NOW)
        actions.dispatch(message=moved, by=office, unit=self.cast.unit_b, note="转住建局。")
        actions.reply(message=moved, by=b, text="已处理。", at=NOW)
        reopened = self.cast.submit(unit="a", at=NOW, title="重办中")
        actions.reply(message=reopened, by=a, text="已处理。", at=NOW)
        actions.close(message=reopened, by=self.cast.leader_a, kind="answered", at=NOW)
        actions.reopen(message=reopened, by=office, reason="答复不清楚。", at=NOW)
        # 并单 undone after the main message's unit answered the merged citizen's
        # follow-up: that answer is no reply, and the message is not yet answered.
        unmerged = self.cast.submit(unit="b", by="other_citizen", at=NOW, title="撤销并单未答复")
        actions.merge_duplicate(message=unmerged, into=moved, by=office, reason="同一问题。", at=NOW)
        asked = actions.follow_up(message=unmerged, who=actions.Citizen(user=self.cast.other_citizen), text="何时？")
        actions.answer_follow_up(follow_up=asked, by=b, text="周五。")
        actions.unmerge_duplicate(message=unmerged, by=office, reason="不是同一问题。")
        texts, targets = routing.training_data()
        labels = {text.split("\n")[0]: unit for text, unit in zip(texts, targets["unit"], strict=True)}
        for left_out in ("垃圾留言", "并入的留言", "退单待审", "撤销并单未答复"):
            self.assertNotIn(left_out, labels)
        self.assertEqual(labels["主留言"], str(self.cast.unit_a.pk))
        self.assertEqual(labels["转办后答复"], str(self.cast.unit_b.pk))
        self.assertEqual(labels["重办中"], str(self.cast.unit_a.pk))
        self.assertEqual(len(texts), 24 + 3)

    def test_accepting_applies_the_suggested_category_and_the_form_may_override_it(self):
        # History: street lights were appeals (诉求), housing questions consultations.
        Message.objects.filter(topic=self.lamp).update(category=self.cast.appeal)
        self.train()
        first, second = self.lamp_waiting(), self.lamp_waiting()
        Message.objects.filter(pk=second.pk).update(body="巷口的路灯晚上不亮，出行不便。")
        self.as_("county_office")
        page = self.client.get(QUEUE)
        self.assertContains(page, "类别：诉求")
        self.assertContains(page, "网民选择的是“咨询”")
        response = self.client.post(f"/work/county/luocheng/routing/{first.pk}/accept/", {"next": QUEUE}, follow=True)
        self.assertContains(response, "留言类别已按建议由“咨询”改为“诉求”。")
        first.refresh_from_db()
        self.assertEqual((first.unit, first.category), (self.cast.unit_a, self.cast.appeal))
        self.assertEqual(first.events.get(kind="category_set").data, {"category": "appeal", "previous": "consultation"})
        [decision] = RoutingDecision.objects.filter(suggestion__message=first)
        self.assertEqual((decision.offered_category, decision.category_decision), (self.cast.appeal, "accepted"))
        # The office keeps the citizen's category through the form: an override, recorded.
        data = {
            f"dispatch-{second.pk}-unit": self.cast.unit_a.pk,
            f"dispatch-{second.pk}-category": self.cast.consultation.pk,
            "next": QUEUE,
        }
        self.client.post(f"/work/messages/{second.pk}/dispatch/", data)
        [decision] = RoutingDecision.objects.filter(suggestion__message=second)
        self.assertEqual(
            (decision.unit_decision, decision.chosen_category, decision.category_decision),
            ("accepted", self.cast.consultation, "overridden"),
        )
        # Training learns the office's category: the corrected one.
        texts, targets = routing.training_data()
        self.assertEqual(targets["category"][texts.index(text_of_message(first))], "appeal")
        self.assertEqual(targets["category"][texts.index(text_of_message(second))], "consultation")


def text_of_message(m):
    m.refresh_from_db()
    return routing.text_of(m.title, m.body)


@time_machine.travel(NOW, tick=False)
class ColdStartTests(WorkspaceTestCase):
    """Before any model is trained, or when it has no opinion on a county's units, the
    topic tree's usual units (Topic.units) are offered at a stated low confidence."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        catalogue.load_default(cls.cast.county)
        cls.lamp = Topic.objects.get(region=cls.cast.county, code="010101")
        cls.lamp.units.set([cls.cast.unit_a])

    def setUp(self):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        override = override_settings(ROUTER_DIR=directory)
        override.enable()
        self.addCleanup(override.disable)
        self.directory = Path(directory)

    def test_without_a_model_the_topics_usual_unit_is_offered_and_accepted(self):
        waiting = self.cast.submit(unit=None, at=NOW, topic=self.lamp)
        untopiced = self.cast.submit(unit=None, at=NOW, title="不知道找谁")
        self.as_("county_office")
        page = self.client.get(QUEUE)
        self.assertContains(page, "按事项分类“城乡建设 → 市政设施 → 路灯照明”的通常承办单位，把握较低（约20%）")
        self.assertContains(page, "采纳：交办东门镇", count=1)  # nothing for the message without a topic
        self.assertFalse(RoutingSuggestion.objects.exists())  # kept only once decided on
        response = self.client.post(
            f"/work/county/luocheng/routing/{waiting.pk}/accept/",
            {"next": QUEUE, "unit": self.cast.unit_a.pk},
            follow=True,
        )
        self.assertContains(response, f"已采纳建议，留言{waiting.serial}交办东门镇。")
        suggestion = RoutingSuggestion.objects.get(message=waiting)
        self.assertEqual((suggestion.model_version, suggestion.unit_confidence), ("catalogue", 0.2))
        [decision] = suggestion.decisions.all()
        self.assertEqual((decision.unit_source, decision.unit_decision), ("catalogue", "accepted"))
        # Dispatched by hand with nothing offered: no decision to record.
        actions.dispatch(message=untopiced, by=self.cast.county_office, unit=self.cast.unit_b)
        self.assertFalse(RoutingSuggestion.objects.filter(message=untopiced).exists())

    def test_the_bulk_accept_button_is_offered_only_with_a_suggestion_to_accept(self):
        self.cast.submit(unit=None, at=NOW, title="不知道找谁")
        self.as_("county_office")
        button = "选中的留言按智能分拨建议交办"
        self.assertNotContains(self.client.get(QUEUE), button)
        self.cast.submit(unit=None, at=NOW, topic=self.lamp)
        self.assertContains(self.client.get(QUEUE), button)

    def test_a_parents_usual_units_stand_in_and_a_different_choice_is_an_override(self):
        self.lamp.units.clear()
        self.lamp.parent.units.set([self.cast.unit_b])
        waiting = self.cast.submit(unit=None, at=NOW, topic=self.lamp)
        self.as_("county_office")
        page = self.client.get(QUEUE)
        self.assertContains(page, "按事项分类“城乡建设 → 市政设施”的通常承办单位")
        self.assertContains(page, "采纳：交办县住房和城乡建设局")
        data = {f"dispatch-{waiting.pk}-unit": self.cast.unit_a.pk, "next": QUEUE}
        self.client.post(f"/work/messages/{waiting.pk}/dispatch/", data)
        [decision] = RoutingDecision.objects.filter(suggestion__message=waiting)
        self.assertEqual(
            (decision.offered_unit, decision.unit_source, decision.chosen_unit, decision.unit_decision),
            (self.cast.unit_b, "catalogue", self.cast.unit_a, "overridden"),
        )

    def test_a_model_with_no_opinion_on_units_falls_back_to_the_suggested_topics_units(self):
        texts, targets = examples()
        router = Router.fit(texts, {"topic": targets["topic"]})  # topics only: no unit to say
        router.save(self.directory)
        waiting = self.cast.submit(unit=None, at=NOW, title="路灯坏了")
        Message.objects.filter(pk=waiting.pk).update(body="新街的路灯晚上不亮。")
        self.as_("county_office")
        page = self.client.get(QUEUE)
        suggestion = RoutingSuggestion.objects.get(message=waiting)
        self.assertEqual((suggestion.unit, suggestion.topic), (None, self.lamp))
        self.assertContains(page, "按事项分类“城乡建设 → 市政设施 → 路灯照明”的通常承办单位")
        self.client.post(f"/work/county/luocheng/routing/{waiting.pk}/accept/", {"next": QUEUE})
        waiting.refresh_from_db()
        self.assertEqual((waiting.unit, waiting.topic), (self.cast.unit_a, self.lamp))
        [decision] = suggestion.decisions.all()
        self.assertEqual((decision.unit_source, decision.unit_decision), ("catalogue", "accepted"))
        # The model's own acceptance leaves out what the tree offered.
        self.assertEqual(routing.acceptance(suggestion.model_version), {"suggested": 1, "accepted": 0, "overridden": 0})

    def accept(self, message, **data):
        url = f"/work/county/luocheng/routing/{message.pk}/accept/"
        return self.client.post(url, {"next": QUEUE, **data}, follow=True)

    def test_a_hand_back_is_offered_the_topics_other_usual_unit_and_the_unit_sees_it_first(self):
        self.lamp.units.set([self.cast.unit_a, self.cast.unit_b])
        waiting = self.cast.submit(unit=None, at=NOW, topic=self.lamp)
        self.as_("county_office")
        self.assertContains(self.client.get(QUEUE), "采纳：交办县住房和城乡建设局")  # departments first
        self.accept(waiting)
        # 住建局, about to hand it back, is told who else the tree names.
        self.as_("handler_b")
        page = self.client.get(f"/work/messages/{waiting.pk}/")
        self.assertContains(page, "按事项分类“城乡建设 → 市政设施 → 路灯照明”，通常由东门镇办理")
        actions.request_transfer(message=waiting, by=self.cast.handler_b, reason="路灯归镇里管。", at=NOW)
        # The queue offers the tree's other unit, as the tree's (not as a model's guess).
        self.as_("county_office")
        page = self.client.get(QUEUE)
        self.assertContains(page, "按事项分类“城乡建设 → 市政设施 → 路灯照明”的通常承办单位，把握较低（约20%）")
        self.assertContains(page, "采纳：交办东门镇")
        self.assertNotContains(page, "采纳：交办县住房和城乡建设局")
        response = self.accept(waiting, unit=self.cast.unit_a.pk)
        self.assertContains(response, "交办东门镇")
        waiting.refresh_from_db()
        self.assertEqual((waiting.state, waiting.unit), ("dispatched", self.cast.unit_a))
        [suggestion] = RoutingSuggestion.objects.filter(message=waiting)
        self.assertEqual(
            [
                (d.occasion, d.offered_unit, d.unit_source, d.chosen_unit, d.unit_decision)
                for d in suggestion.decisions.all()
            ],
            [
                ("dispatch", self.cast.unit_b, "catalogue", self.cast.unit_b, "accepted"),
                ("redispatch", self.cast.unit_a, "catalogue", self.cast.unit_a, "accepted"),
            ],
        )

    def test_a_topic_changed_at_dispatch_is_what_the_hand_back_is_offered_by(self):
        house = Topic.objects.get(region=self.cast.county, code="010202")
        house.units.set([self.cast.unit_b])
        waiting = self.cast.submit(unit=None, at=NOW, topic=self.lamp)
        self.as_("county_office")
        data = {
            f"dispatch-{waiting.pk}-unit": self.cast.unit_a.pk,
            f"dispatch-{waiting.pk}-topic": house.pk,
            "next": QUEUE,
        }
        self.client.post(f"/work/messages/{waiting.pk}/dispatch/", data)
        actions.request_transfer(message=waiting, by=self.cast.handler_a, reason="是房屋问题。", at=NOW)
        page = self.client.get(QUEUE)
        self.assertContains(page, f"按事项分类“{house.path}”的通常承办单位")
        self.assertContains(page, "采纳：交办县住房和城乡建设局")

    def test_when_every_usual_unit_handed_it_back_nothing_is_offered_and_the_queue_says_why(self):
        waiting = self.cast.submit(unit=None, at=NOW, topic=self.lamp)
        self.as_("county_office")
        self.accept(waiting)
        waiting.refresh_from_db()
        self.assertEqual(waiting.unit, self.cast.unit_a)
        self.as_("handler_a")
        self.assertNotContains(self.client.get(f"/work/messages/{waiting.pk}/"), "通常由")  # nobody else to name
        actions.request_transfer(message=waiting, by=self.cast.handler_a, reason="不属于本镇职责。", at=NOW)
        self.as_("county_office")
        page = self.client.get(QUEUE)
        why = "东门镇已退单，事项分类“城乡建设 → 市政设施 → 路灯照明”没有其他通常承办单位，请手动选择单位交办。"
        self.assertContains(page, why)
        self.assertNotContains(page, "采纳：交办")
        response = self.accept(waiting, unit=self.cast.unit_a.pk)
        self.assertContains(response, why)
        waiting.refresh_from_db()
        self.assertEqual((waiting.state, waiting.unit), ("transfer_requested", self.cast.unit_a))
        self.assertEqual(RoutingDecision.objects.filter(suggestion__message=waiting).count(), 1)
        # Dispatched by hand: recorded against nothing offered.
        actions.dispatch(message=waiting, by=self.cast.county_office, unit=self.cast.unit_b, note="转住建局。", at=NOW)
        last = RoutingDecision.objects.filter(suggestion__message=waiting).last()
        self.assertEqual(
            (last.occasion, last.offered_unit, last.chosen_unit, last.unit_decision),
            ("redispatch", None, self.cast.unit_b, ""),
        )

    def test_with_a_model_a_unit_handing_back_is_not_pointed_to_a_unit_that_handed_it_back_before(self):
        texts, targets = examples()
        units = {"lamp": str(self.cast.unit_a.pk), "house": str(self.cast.unit_b.pk)}
        Router.fit(texts, {"topic": targets["topic"], "unit": [units[u] for u in targets["unit"]]}).save(self.directory)
        roads = Unit.objects.create(
            region=self.cast.county, name="县交通运输局", kind="department", registered_on=NOW.date()
        )
        self.lamp.units.set([self.cast.unit_a, roads])
        message = self.cast.submit(unit="b", at=NOW, title="新街路灯", topic=self.lamp)
        Message.objects.filter(pk=message.pk).update(body="新街的路灯晚上不亮，出行不便。")
        # The model names 东门镇 to 住建局 ...
        self.as_("handler_b")
        self.assertContains(self.client.get(f"/work/messages/{message.pk}/"), "智能分拨建议的其他单位：东门镇（")
        actions.request_transfer(message=message, by=self.cast.handler_b, reason="路灯归镇里管。", at=NOW)
        actions.dispatch(message=message, by=self.cast.county_office, unit=self.cast.unit_a, note="转东门镇。", at=NOW)
        # ... and not 住建局 to 东门镇, which it has already left; the model knows no other
        # unit, so the tree's other usual unit is named.
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertNotContains(page, "智能分拨建议的其他单位")
        self.assertContains(page, "按事项分类“城乡建设 → 市政设施 → 路灯照明”，通常由县交通运输局办理")
