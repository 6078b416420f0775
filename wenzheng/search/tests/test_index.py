"""The index follows every step, and finds what each reader may read, exactly."""

import random
from unittest import mock, skipUnless

from django.core.paginator import Paginator
from django.db import connection

from wenzheng.eventlog.models import Event
from wenzheng.handling import actions, derived
from wenzheng.handling.models import Message
from wenzheng.ops.worker import run_pass
from wenzheng.privacy import actions as privacy
from wenzheng.search import documents, engines, index, selectors, work
from wenzheng.search.models import Audience, SearchDocument
from wenzheng.search.text import BadQuery, fold, parse
from wenzheng.testing import CastTestCase


def found(query, audience=Audience.PUBLIC, messages=None, order="relevance"):
    messages = Message.objects.all() if messages is None else messages
    return list(messages.search(parse(query), audience=audience, order=order).values_list("pk", flat=True))


class IndexFollowsStepsTest(CastTestCase):
    def test_it_finds_a_published_message_by_a_two_character_word_in_either_script(self):
        m = self.cast.replied(title="新街路灯不亮")
        for query in ("路灯", "路燈", "新街 路灯", "路灯不亮", "维修", "維修人員", "新街 灯", "路灯 修"):
            with self.subTest(query=query):
                self.assertEqual(found(query), [m.pk])

    def test_single_characters_alone_are_refused_and_beside_a_word_narrow_what_it_found(self):
        pipe = self.cast.replied(title="北关水管爆裂")
        noise = self.cast.replied(title="北关噪音扰民")
        for query in ("灯", "路 灯", "Ａ", "5"):
            with self.subTest(query=query), self.assertRaisesMessage(BadQuery, "请至少输入两个相连的字"):
                parse(query)
        self.assertEqual(set(found("北关")), {pipe.pk, noise.pk})
        self.assertEqual(found("北关 水"), [pipe.pk])
        self.assertEqual(found("北关 噪"), [noise.pk])
        self.assertEqual(found("北关 雪"), [])
        self.assertEqual(set(found("北关 灯")), {pipe.pk, noise.pk}, "the body of both says 路灯")
        for audience in Audience.values:
            with self.subTest(audience=audience):
                self.assertEqual(found("北关 扰", audience, order="newest"), [noise.pk])
                # SQLite: checked on the texts, no prefix of a token asked for.
                # PostgreSQL: asked of the word index where the grams hold every
                # character (test_characters), else checked on the texts.
                self.assertEqual(engines.fts_expression(parse("北关 扰")), '"北关"')
                self.assertNotIn("扰", engines.tsquery(parse("北关 扰")))
                self.assertEqual(engines.tsquery(parse("北关 扰"), characters=True), "'北关' & '扰'")

    def test_invisible_format_characters_pasted_inside_a_word_are_taken_out(self):
        pipe = self.cast.replied(title="北关水管爆裂")
        # A zero-width space, a soft hyphen, a byte order mark, a word joiner.
        for query in ("北\u200b关", "北\u00ad关", "\ufeff北关", "北\u2060关 水\u200d管"):
            with self.subTest(query=ascii(query)):
                self.assertNotIn("\u200b", parse(query).text)
                self.assertEqual(found(query), [pipe.pk])
        with self.assertRaisesMessage(BadQuery, "请至少输入两个相连的字"):
            parse("北 \u200b 关")  # a space is still a space
        self.assertIsNone(parse("\u200b\ufeff"))

    def test_a_phone_number_with_the_country_code_finds_it_without(self):
        m = self.cast.replied(title="热线13846354811打不通，座机0778-1234567也占线")
        for query in (
            "+8613846354811",
            "+86 138 4635 4811",
            "008613846354811",
            "8613846354811",
            "＋８６１３８４６３５４８１１",
        ):
            with self.subTest(query=query):
                self.assertEqual(parse(query).terms[0][:3], "138")
                self.assertEqual(found(query, Audience.STAFF), [m.pk])  # the public reads it masked
        self.assertEqual(found("+86-778-1234567", Audience.STAFF), [m.pk])
        # 86 that is not a country code stays: an age, a year, a longer number.
        for query in ("86岁老人", "2086年", "186133", "861384635481"):
            with self.subTest(query=query):
                self.assertEqual(parse(query).terms, (query,))

    def test_it_does_not_match_across_punctuation_or_missing_characters(self):
        self.cast.replied(title="路灯。灯亮")
        self.assertEqual(found("路灯亮"), [])
        self.assertEqual(found("路灯坏了吗"), [])

    def test_a_control_character_pasted_inside_a_word_does_not_split_it(self):
        m = self.cast.replied(title="广场舞噪音扰民")
        self.cast.replied(title="广场上的舞台")
        self.assertEqual(parse("广场\x07舞").terms, parse("广场舞").terms)
        self.assertEqual(found("广场\x07舞"), [m.pk])

    def test_the_public_finds_nothing_before_a_message_is_published(self):
        m = self.cast.submit(title="低保申请")
        self.assertEqual(found("低保"), [])
        self.assertEqual(found("低保", Audience.STAFF), [m.pk])
        actions.reply(message=m, by=self.cast.handler_a, text="请到民政所办理。")
        self.assertEqual(found("低保"), [m.pk])
        self.assertEqual(found("民政所"), [m.pk], "the unit's reply is searched too")

    def test_it_never_finds_what_the_public_version_masks(self):
        m = self.cast.submit(title="拆迁补偿")
        actions.reply(message=m, by=self.cast.handler_a, text="请联系13912345678的王经理。")
        self.assertEqual(found("拆迁"), [m.pk])
        self.assertEqual(found("13912345678"), [])
        self.assertEqual(found("12345678"), [])
        self.assertEqual(found("13912345678", Audience.MASKED), [], "the city office reads it masked too")
        self.assertEqual(found("13912345678", Audience.STAFF), [m.pk])

    def test_staff_find_contact_fields_and_the_public_never(self):
        m = self.cast.replied()
        self.assertEqual(found("13800000000", Audience.STAFF), [m.pk])
        self.assertEqual(found("张三", Audience.STAFF), [m.pk])
        self.assertEqual(found("张三", Audience.MASKED), [])
        self.assertEqual(found("13800000000"), [])
        self.assertEqual(found("张三"), [])

    def test_a_withheld_message_leaves_the_public_index_and_a_redaction_replaces_its_text(self):
        c = self.cast
        m = c.replied(title="征地纠纷")
        self.assertEqual(found("征地"), [m.pk])
        privacy.withhold(message=m, by=c.county_office, reason="涉及他人隐私")
        self.assertEqual(found("征地"), [])
        self.assertEqual(found("征地", Audience.STAFF), [m.pk])
        privacy.publish_redacted(
            message=m, by=c.county_office, title="土地问题", text="关于土地的留言。", reason="删节"
        )
        self.assertEqual(found("征地"), [])
        self.assertEqual(found("土地"), [m.pk])

    def test_a_follow_up_is_searched_once_the_review_lets_it_be_read(self):
        c = self.cast
        privacy.set_review_before_publishing(region=c.county, by=c.county_office, on=True)
        m = c.submit(title="垃圾清运")
        privacy.pass_review(message=m, by=c.county_office)
        actions.reply(message=m, by=c.handler_a, text="已安排清运。")
        item = actions.follow_up(message=m, who=actions.Citizen(user=c.citizen), text="清运车什么时候来？")
        self.assertEqual(found("清运车"), [])
        self.assertEqual(found("清运车", Audience.STAFF), [m.pk])
        privacy.pass_review(message=m, by=c.county_office, follow_up=item)
        self.assertEqual(found("清运车"), [m.pk])

    def test_erasure_leaves_no_contact_to_find(self):
        c = self.cast
        m = c.replied()
        privacy.erase_citizen(by=c.county_office, reason="网民申请", messages=[m])
        self.assertEqual(found("13800000000", Audience.STAFF), [])
        self.assertEqual(found("张三", Audience.STAFF), [])

    def test_a_step_that_changes_no_text_rewrites_no_document(self):
        m = self.cast.submit()
        before = set(SearchDocument.objects.filter(message=m).values_list("pk", flat=True))
        actions.respond(message=m, by=self.cast.handler_a)
        self.assertEqual(set(SearchDocument.objects.filter(message=m).values_list("pk", flat=True)), before)


class IndexInTheStepsTransactionTest(CastTestCase):
    def test_a_step_that_fails_after_indexing_leaves_the_index_as_it_was(self):
        m = self.cast.submit(title="路灯不亮")
        before = sorted(SearchDocument.objects.filter(message=m).values_list("audience", "body", "answers"))
        # The step fails after its documents were rewritten (the figures come next: a
        # reply counts, where an answer to a follow-up no longer does).
        failing = mock.patch.object(derived.tally, "sync_many", side_effect=RuntimeError("disk full"))
        indexing = mock.patch.object(derived.search_index, "update", wraps=index.update)
        with failing, indexing as indexed, self.assertRaises(RuntimeError):
            actions.reply(message=m, by=self.cast.handler_a, text="维修队本周内到场。")
        self.assertEqual(indexed.call_count, 1, "the documents were rewritten before the step failed")
        self.assertEqual(
            sorted(SearchDocument.objects.filter(message=m).values_list("audience", "body", "answers")), before
        )
        for audience in Audience.values:
            # The word index too (FTS5's own tables on SQLite).
            self.assertEqual(found("维修队", audience), [])
        self.assertEqual(found("路灯", Audience.STAFF), [m.pk], "the message as it was committed")

    def test_messages_imported_in_bulk_are_found(self):
        from wenzheng.bulk.tests.helpers import HEADER, good_row, run_import, xlsx

        rows = [[*good_row("188006"), "否"], [*good_row("188007", reply="请到镇政府办理低保。"), "是"]]
        report = run_import(self.cast, xlsx(rows, header=[*HEADER, "是否公开"]))
        self.assertEqual(report.problems, [])
        imported = dict(Message.objects.filter(import_source__isnull=False).values_list("import_source__number", "pk"))
        self.assertEqual(set(found("路灯", Audience.STAFF)), set(imported.values()))
        self.assertEqual(found("镇政府 低保", Audience.STAFF), [imported["188007"]])
        # The public finds the one published with the citizen's consent, by its reply too.
        self.assertEqual(found("路灯"), [imported["188007"]])
        self.assertEqual(found("镇政府"), [imported["188007"]])


class RebuildTest(CastTestCase):
    def test_a_rebuild_writes_what_the_steps_wrote_and_searches_find_it(self):
        c = self.cast
        a = c.replied(title="新街路灯不亮")
        b = c.submit(unit="b", title="低保申请")
        columns = ("message_id", "audience", "title", "body", "answers", "extra")
        before = sorted(SearchDocument.objects.values_list(*columns))
        self.assertEqual(index.rebuild(), len(before))
        self.assertEqual(sorted(SearchDocument.objects.values_list(*columns)), before)
        self.assertEqual(found("路灯"), [a.pk])
        self.assertEqual(found("低保"), [])
        self.assertEqual(found("低保", Audience.STAFF), [b.pk])
        # The index keeps following the steps after a rebuild.
        actions.reply(message=b, by=c.handler_b, text="已受理。")
        self.assertEqual(found("低保"), [b.pk])


class UnchangingStepsTest(CastTestCase):
    def test_a_step_that_touches_no_text_does_not_read_the_message_again(self):
        m = self.cast.replied()
        with mock.patch.object(index, "documents", wraps=documents.documents) as derived:
            actions.rate(message=m, who=actions.Citizen(user=self.cast.citizen), rating="satisfied")
            self.assertEqual(derived.call_count, 0)
            actions.follow_up(message=m, who=actions.Citizen(user=self.cast.citizen), text="清运车什么时候来？")
            self.assertEqual(derived.call_count, 1)
        self.assertEqual(found("清运车", Audience.STAFF), [m.pk])

    def test_the_unchanging_kinds_are_kinds_of_events(self):
        self.assertLessEqual(index.UNCHANGING, set(Event.Kind.values))


class RankingTest(CastTestCase):
    def test_a_match_in_the_title_comes_first_and_newest_first_is_an_option(self):
        c = self.cast
        in_body = c.replied(title="出行不便")  # the body says 路灯
        in_title = c.replied(title="路灯坏了")
        self.assertEqual(found("路灯")[0], in_title.pk)
        self.assertEqual(set(found("路灯")), {in_body.pk, in_title.pk})
        self.assertEqual(found("路灯", order="newest"), [in_title.pk, in_body.pk])

    def test_staff_searching_a_phone_or_a_serial_find_that_message_first_however_long(self):
        c = self.cast

        def write(body, phone):
            return actions.submit(
                by=c.citizen, category=c.consultation, unit=c.unit_a, title="反映问题", body=body,
                name="李四", phone=phone, consent_to_publish=True,
            )  # fmt: skip

        theirs = write("新街路段积水严重，" * 200, "13912345678")  # the number in its contact field alone
        mention = write("请联系13912345678的王师傅。", "13800000000")  # a short text that mentions it
        self.assertEqual(found("13912345678", Audience.STAFF), [theirs.pk, mention.pk])
        self.assertEqual(found(theirs.serial, Audience.STAFF)[0], theirs.pk)

    def test_beyond_the_ranked_window_every_match_follows_newest_first(self):
        c = self.cast
        plain = [c.replied(title="出行不便") for _ in range(4)]  # 路灯 in the body only
        titled = c.replied(title="路灯坏了")
        newest = c.replied(title="出行不便")
        with mock.patch.object(selectors, "WINDOW", 3):
            ranked = Message.objects.all().search(parse("路灯"), audience=Audience.PUBLIC)
            # The window is the 3 latest (newest, titled, plain[3]); the title first.
            self.assertEqual(list(ranked.values_list("pk", flat=True)[:2]), [titled.pk, newest.pk])
            everything = list(ranked.values_list("pk", flat=True))
            self.assertEqual(everything, [titled.pk, newest.pk, plain[3].pk, plain[2].pk, plain[1].pk, plain[0].pk])
            pages = Paginator(ranked, 2)
            self.assertEqual(pages.count, 6)
            read = [m.pk for n in pages.page_range for m in pages.page(n).object_list]
            self.assertEqual(read, everything)
            self.assertEqual(ranked[4].pk, plain[1].pk)
            # Past the window, read without it: to the end, and a slice.
            self.assertEqual(list(ranked.values_list("pk", flat=True)[3:]), everything[3:])
            self.assertEqual(list(ranked.values_list("pk", flat=True)[4:5]), [plain[1].pk])
            # A filter after search() ranks its own window.
            self.assertEqual(list(ranked.exclude(pk=titled.pk).values_list("pk", flat=True)[:1]), [newest.pk])
            # A new order replaces the ranking.
            self.assertEqual(list(ranked.order_by("pk").values_list("pk", flat=True)), sorted(everything))

    def test_the_latest_matches_read_band_by_band_are_the_latest_of_all(self):
        """PostgreSQL reads the window's matches band by band from the newest message
        ids, then what is older from the whole index (engines.PostgresEngine.latest);
        with bands of 1, 2 and 4 ids, of which one or four are read band by band,
        it gets exactly what reading every match gets, in any scope."""
        c = self.cast
        titled = [c.replied(title="井盖松动" if i % 3 else "噪音扰民") for i in range(12)]
        query = parse("井盖")
        engine = engines.engine()
        scopes = {
            "all": Message.objects.all(),
            "without the newest": Message.objects.exclude(pk=titled[-1].pk),
            "another unit": Message.objects.filter(unit=c.unit_b),
            "the oldest": Message.objects.filter(pk__lte=titled[2].pk),
        }
        for band, kept in ((1, 4), (2, 1), (4, 4)):
            with mock.patch.multiple(engines, BAND=band, BANDS_KEPT=kept):
                for name, scope in scopes.items():
                    matches = engine.search(scope, Audience.PUBLIC, query)
                    for n in (1, 3, 20):
                        with self.subTest(band=band, kept=kept, scope=name, n=n):
                            whole = engines.Engine.latest(engine, matches, Audience.PUBLIC, query, n)
                            self.assertEqual(engine.latest(matches, Audience.PUBLIC, query, n), whole)
        with mock.patch.object(engines, "BAND", 1):
            if isinstance(engine, engines.PostgresEngine):  # SQLite's MATCH cannot be in an OR
                # A search combined with another queryset by | is read whole.
                combined = engine.search(Message.objects.all(), Audience.PUBLIC, query) | Message.objects.filter(pk=0)
                whole = engines.Engine.latest(engine, combined, Audience.PUBLIC, query, 3)
                self.assertEqual(engine.latest(combined, Audience.PUBLIC, query, 3), whole)
                self.assertEqual(len(whole), 3)
        newest = [(m.pk, m.submitted_at) for m in reversed(titled) if m.title == "井盖松动"]
        self.assertEqual(
            engine.latest(engine.search(Message.objects.all(), Audience.PUBLIC, query), Audience.PUBLIC, query, 3),
            newest[:3],
        )

    @skipUnless(connection.vendor == "postgresql", "PostgreSQL's documents-first window (SQLite's is the base one)")
    def test_the_window_read_from_the_documents_is_the_window_read_from_the_messages(self):
        """PostgreSQL reads the window from the matching documents, newest first,
        each looked up in scope and scored in the query that reads it, and, where
        few are in scope, what is below them the other way round (engines
        .PostgresEngine.window). Whatever the bands, the cap on documents looked
        up, the scope and what this process remembers of the newest band, the
        window is the one read from the messages and scored on their texts in
        Python, score for score."""
        c = self.cast
        titles = ["井盖松动", "井盖井盖又松动了", "噪音扰民", "北门井盖"]
        made = []
        for i in range(14):
            if i % 4 == 3:
                m = c.submit(unit="b", title=titles[i % 4])
                actions.reply(message=m, by=c.handler_b, text="井盖已经更换。")
            else:
                m = c.replied(title=titles[i % 4])
            made.append(m)
        scopes = {
            "all": (Message.objects.all(), Audience.PUBLIC),
            "without the newest": (Message.objects.exclude(pk=made[-1].pk), Audience.PUBLIC),
            "another unit": (Message.objects.filter(unit=c.unit_b), Audience.STAFF),
            "the oldest": (Message.objects.filter(pk__lte=made[3].pk), Audience.MASKED),
            # A condition through a join: the scope's lookup compiled whole (in_scope_sql).
            "through the unit": (Message.objects.filter(unit__region=c.county), Audience.STAFF),
        }
        engine = engines.engine()
        # Both ways are taken: the documents read first, and the rest the other way.
        reads = mock.patch.object(
            engines.DocumentsFirst, "read", autospec=True, side_effect=engines.DocumentsFirst.read
        )
        latest = mock.patch.object(
            engines.PostgresEngine, "latest", autospec=True, side_effect=engines.PostgresEngine.latest
        )
        with reads as read, latest as rest:
            # (BAND, BANDS_KEPT, CAP_TIMES, FIRST_READ)
            bands = ((1, 4, 1, 2), (2, 1, 2, 1), (4, 4, 2, 3), (1, 6, 2, 5), (engines.BAND, 4, 2, engines.FIRST_READ))
            # The word index asked for the documents, and (a query as common as
            # WALK_SHARE) not asked, each document checked as the statement walks.
            for walk, some in ((False, bands), (True, bands[:1] + bands[-1:])):
                with mock.patch.object(engines, "common", return_value=walk):
                    self.window_cases(engine, made, scopes, some, walk)
        self.assertGreater(read.call_count, 100)
        self.assertTrue(any(call.kwargs.get("below") for call in rest.call_args_list))

    def window_cases(self, engine, made, scopes, bands, walk):
        for query in (parse("井盖"), parse("井盖 松动"), parse("井盖 松")):
            for band, kept, times, first in bands:
                patches = mock.patch.multiple(engines, BAND=band, BANDS_KEPT=kept, FIRST_READ=first)
                with patches, mock.patch.object(engines.DocumentsFirst, "CAP_TIMES", times):
                    for name, (scope, audience) in scopes.items():
                        matches = engine.search(scope, audience, query)
                        for n in (1, 3, 20):
                            whole = sorted(engines.Engine.window(engine, matches, audience, query, n))
                            # Twice: the second time remembers a scope found narrow.
                            for stale in (None, 0, made[-1].pk, None):
                                if stale is not None:  # what this process saw of the newest band
                                    engines._newest_band.clear()
                                    engines._newest_band.update({("default", audience, band): stale})
                                with self.subTest(query=query.text, band=band, scope=name, n=n, stale=stale, walk=walk):
                                    self.assertEqual(sorted(engine.window(matches, audience, query, n)), whole)
                    engines._few_in_scope.clear()
                    engines._newest_band.clear()

    @skipUnless(connection.vendor == "postgresql", "PostgreSQL scores the window in SQL")
    def test_the_score_in_sql_is_the_score_in_python(self):
        from wenzheng.search.ranking import score, score_sql

        documents = [
            ("路灯路灯", "aaaa 路灯不亮" * 50, "", "13800000000"),
            ("aaa", "aaaa", "aa", "a"),
            ("", "", "", ""),
            ("北门井盖", "井盖" * 1000, "已更换井盖。" * 300, "井"),
            # Counted in bytes in SQL: one, two, three and four bytes a character.
            ("灯a路灯a", "ß灯aß灯a灯", "😀灯a😀", "灯a" * 7),
        ]
        for terms in (["路灯"], ["aa", "a"], ["井盖", "井"], ["不亮", "aaaa", "138"], ["灯a", "ß", "😀"]):
            sql, params = score_sql("d", terms)
            for parts in documents:
                with self.subTest(terms=terms, parts=parts[0]), connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {sql} FROM (SELECT %s AS title, %s AS body, %s AS answers, %s AS extra) d",  # noqa: S608
                        [*params, *parts],
                    )
                    self.assertEqual(cursor.fetchone()[0], score(parts, terms))

    def test_it_composes_with_other_filters(self):
        c = self.cast
        a = c.replied(title="路灯坏了")
        b = c.submit(unit="b", title="路灯不亮")
        actions.reply(message=b, by=c.handler_b, text="已修。")
        self.assertEqual(set(found("路灯")), {a.pk, b.pk})
        self.assertEqual(found("路灯", messages=Message.objects.filter(unit=c.unit_b)), [b.pk])

    def test_a_filter_through_the_stages_reads_the_rows_it_selects(self):
        """A ranked page is read by its ids (engines.PostgresEngine.only), without
        the scope's conditions where none joins another table. A condition on a
        message's stages joins a row for each stage: the page keeps it, so a
        responded message whose reply is open is one row (its open stage), as the
        queryset selects it, not one for each of its stages."""
        c = self.cast
        responded = c.submit(title="路灯坏了")
        actions.respond(message=responded, by=c.handler_a)
        self.assertEqual(responded.stages.count(), 2)
        c.replied(title="路灯不亮")  # no stage open
        open_stage = Message.objects.filter(stages__completed_at__isnull=True)
        self.assertEqual(list(open_stage.filter(title__contains="路灯").values_list("pk", flat=True)), [responded.pk])
        ranked = open_stage.search(parse("路灯"), audience=Audience.STAFF)
        self.assertEqual([m.pk for m in ranked[:20]], [responded.pk])
        self.assertEqual(found("路灯", Audience.STAFF, messages=open_stage), [responded.pk])

    @skipUnless(connection.vendor == "postgresql", "PostgreSQL's page read by its ids")
    def test_a_ranked_page_is_read_by_its_ids_alone(self):
        """The window looked each of its ids up in scope: the page's own statement
        asks for those ids and nothing of the scope again (its conditions took
        longer to compile than the statement to run)."""
        c = self.cast
        shown = c.replied(title="路灯坏了")
        board = Message.objects.published().filter(region=c.county)
        statements = []

        def record(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            self.assertEqual([m.pk for m in board.search(parse("路灯"), audience=Audience.PUBLIC)[:20]], [shown.pk])
        window, page = statements[-2:]
        self.assertIn("privacy_review", window)  # looked up in scope there
        conditions = page.split(" WHERE ", 1)[1]
        self.assertEqual(conditions.split(" ORDER BY ")[0], '"handling_message"."id" = ANY(%s)')


class NeverMissesTest(CastTestCase):
    """Every message whose text holds the query is found, and no other: checked
    against a plain substring test over texts from a small alphabet, where
    characters repeat and collide as often as they can."""

    def test_it_finds_exactly_the_messages_that_hold_each_query(self):
        rng = random.Random(14)
        alphabet = "路灯坏了修理街道水电费低保拆迁燈維。，A1１"
        c = self.cast
        bodies = {}
        for _ in range(40):
            body = "".join(rng.choice(alphabet) for _ in range(rng.randint(5, 60)))
            m = actions.submit(
                by=None, category=c.consultation, unit=c.unit_a, title="标题", body=body,
                name="李四", phone="13900000000", consent_to_publish=True,
            )  # fmt: skip
            bodies[m.pk] = body
        # What the staff document holds (the body, and the title, serial and contact).
        texts = {d.message_id: d.parts() for d in SearchDocument.objects.filter(audience=Audience.STAFF)}
        for pk, body in bodies.items():
            self.assertIn(fold(body), texts[pk][1])
        for _ in range(150):
            source = rng.choice(list(bodies.values()))
            start = rng.randrange(len(source))
            query = source[start : start + rng.randint(1, 5)]
            if not any(ch.isalnum() for ch in query):
                continue
            try:
                parsed = parse(query)
            except BadQuery:
                # Single characters alone are refused: beside a word they are checked.
                query = f"{query} {rng.choice(['路灯', '修理', '低保', '拆迁', '水电'])}"
                parsed = parse(query)
            expected = {pk for pk, parts in texts.items() if all(any(t in p for p in parts) for t in parsed.terms)}
            with self.subTest(query=query):
                self.assertEqual(set(found(query, Audience.STAFF)), expected)


class NeverMissesRealTextsTest(CastTestCase):
    """The promise checked against a plain substring scan of the stored texts, over
    texts as citizens write them: the demo county's topics, some in traditional
    characters (OpenCC's phrase conversion, as a Hong Kong or Taiwan keyboard types
    them), with full-width digits, Latin in capitals, emoji, and characters pasted from
    elsewhere (a zero-width space, a tab). Every message whose text holds what was
    typed, or its traditional or simplified form, is found; nothing else is."""

    def test_every_message_holding_the_query_in_either_script_is_found_and_no_other(self):
        from opencc_purepy import OpenCC

        from wenzheng.demo import texts as demo

        rng = random.Random(1414)
        s2t, s2hk, t2s = OpenCC("s2t"), OpenCC("s2hk"), OpenCC("t2s")
        slots = {
            "township": "东门镇", "village": "榕木村", "place": "东门镇榕木村", "street": "凤凰路",
            "street2": "解放路", "school": "县实验小学", "n": 3, "tel": "8123456", "unit": "我单位",
        }  # fmt: skip
        written = [
            (t.format_map(slots), b.format_map(slots))
            for topic in demo.TOPICS
            for category in ("consultation", "suggestion", "appeal")
            for t, b in topic.texts(category)
        ]
        noise = ["", "", "ＡＢＣ１２３号", "WiFi信号差", "\u200b", "\t", "😡😡", "No.５"]
        c = self.cast
        stored = {}
        for i, (title, body) in enumerate(rng.sample(written, 45)):
            convert = (None, s2t, s2hk)[i % 3]
            if convert is not None:
                title, body = convert.convert(title), convert.convert(body)
            at = rng.randrange(len(body))
            body = body[:at] + rng.choice(noise) + body[at:]
            m = actions.submit(
                by=None, category=c.consultation, unit=c.unit_a, title=title[:100], body=body,
                name="李四", phone="13900000000", consent_to_publish=True,
            )  # fmt: skip
            m.refresh_from_db()
            stored[m.pk] = [m.title, m.body, m.serial, m.citizen_name, m.citizen_phone]

        def holding(query):
            return {pk for pk, fields in stored.items() if any(query in f for f in fields)}

        queries = ["路灯", "路燈", "低保", "拆迁", "拆遷", "ＡＢＣ", "abc", "１２３", "wifi", "学校 维修", "學校 維修"]
        sources = list(stored.values())
        for _ in range(200):
            field = rng.choice(rng.choice(sources)[:2])
            start = rng.randrange(len(field))
            queries.append(field[start : start + rng.randint(1, 6)])
        checked = 0
        for query in queries:
            if not any(ch.isalnum() for ch in query) or len(query.strip()) == 0:
                continue
            try:
                parsed = parse(query)
            except BadQuery:
                # Single characters alone are refused: beside a word they are checked.
                query = f"{query} {rng.choice(['路灯', '维修', '学校'])}"
                parsed = parse(query)
            # The plain scan, in the script typed and in the other one.
            must = holding(query) | holding(s2t.convert(query)) | holding(t2s.convert(query))
            may = {
                pk
                for pk, fields in stored.items()
                if all(any(term in fold(f) for f in fields) for term in parsed.terms)
            }
            with self.subTest(query=query):
                got = set(found(query, Audience.STAFF))
                self.assertLessEqual(must, got, "a message holding the query was missed")
                self.assertLessEqual(got, may, "a message not holding the query was found")
            checked += 1
        self.assertGreater(checked, 150)


@skipUnless(connection.vendor == "postgresql", "PostgreSQL's word index of each band of message ids")
class BandIndexesTest(CastTestCase):
    """PostgreSQL keeps a word index of its own for each of the newest bands of
    message ids (engines.maintain_bands), and reads the latest matches through it."""

    def names(self, bands):
        return {engines.band_index(a, b) for a in Audience.values for b in bands}

    def test_the_newest_bands_and_the_next_have_an_index_and_older_ones_none(self):
        messages = [self.cast.replied(title="井盖松动") for _ in range(3)]
        with mock.patch.multiple(engines, BAND=4, BANDS_KEPT=2):
            engines.maintain_bands()
            newest = messages[-1].pk // 4
            self.assertEqual(set(engines.band_indexes()), self.names(range(newest - 1, newest + 2)))
            self.assertTrue(all(engines.band_indexes().values()))
            self.assertEqual(engines.maintain_bands(), (0, 0))  # nothing to do twice

            later = [self.cast.replied(title="井盖松动") for _ in range(8)]
            made, dropped = engines.maintain_bands()
            newest = later[-1].pk // 4
            self.assertEqual(set(engines.band_indexes()), self.names(range(newest - 1, newest + 2)))
            self.assertGreater(made, 0)
            self.assertGreater(dropped, 0)

    def test_a_band_index_of_another_band_size_is_made_again(self):
        """Named by the size of the band it was made for: after BAND changes, one of
        the old size (and one named before names said the size) has another
        condition under the same band number, and is replaced."""
        message = self.cast.replied(title="井盖松动")
        with mock.patch.multiple(engines, BAND=8, BANDS_KEPT=2):
            engines.maintain_bands()
            old_size = set(engines.band_indexes())
        band = message.pk // 4
        with connection.cursor() as cursor:  # as the first band indexes were named
            cursor.execute(
                f"CREATE INDEX search_grams_public_b{band} ON search_searchdocument USING gin (grams) "
                f"WHERE audience = 'public' AND message_id >= {band * 8} AND message_id < {(band + 1) * 8}"
            )
        with mock.patch.multiple(engines, BAND=4, BANDS_KEPT=2):
            self.assertIn(f"search_grams_public_b{band}", engines.band_indexes())
            made, dropped = engines.maintain_bands()
            self.assertEqual(dropped, len(old_size) + 1)
            self.assertEqual(set(engines.band_indexes()), self.names(range(band - 1, band + 2)))
            self.assertEqual(made, len(self.names(range(band - 1, band + 2))))
            self.assertTrue(all(name.endswith("_4") for name in self.names([band])))

    def test_the_worker_keeps_them(self):
        self.cast.replied(title="井盖松动")
        with mock.patch.multiple(engines, BAND=4, BANDS_KEPT=2), mock.patch.dict(work._bands_checked, at=None):
            self.assertEqual(run_pass(only=["search-bands"]), 1)
            self.assertEqual(run_pass(only=["search-bands"]), 0)  # looked at most once a minute
            work._bands_checked["at"] = None
            self.assertEqual(run_pass(only=["search-bands"]), 0)  # and nothing left to do

    def test_the_band_query_reads_the_bands_own_index(self):
        """The band's bounds are constants in the query, as in the index's condition,
        so the planner can tell that the band's index covers the query and prefers
        it to the whole word index. (At a test's few rows it would rather read the
        message-id index, dropped here for the test's transaction alone.)"""
        messages = [self.cast.replied(title="井盖松动" if i % 2 else "噪音扰民") for i in range(8)]
        query = parse("井盖")
        with mock.patch.multiple(engines, BAND=4, BANDS_KEPT=2):
            engines.maintain_bands()
            band = messages[-1].pk // 4
            # The band's messages as PostgresEngine.latest reads them (narrowed).
            found = engines.engine().search(Message.objects.all(), Audience.PUBLIC, query)
            in_band = engines.narrowed(found, (band * 4, (band + 1) * 4))
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE search_searchdocument DROP CONSTRAINT search_document_once_per_audience")
                cursor.execute(
                    "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_am a ON a.oid = c.relam "
                    "WHERE i.indrelid = 'search_searchdocument'::regclass AND a.amname = 'btree' AND NOT i.indisprimary"
                )
                for (name,) in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                cursor.execute("SET LOCAL enable_seqscan = off")
            plan = in_band.explain()
            self.assertIn(engines.band_index(Audience.PUBLIC, band), plan)
            self.assertNotIn("search_grams_public ", plan)
            read = set(in_band.values_list("pk", flat=True))
        self.assertEqual(read, {m.pk for m in messages[1::2] if m.pk // 4 == band})
