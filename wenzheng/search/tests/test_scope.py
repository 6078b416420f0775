"""Scope tokens: each document carries its message's county and unit, the steps that
move a message move them, and a search of one county's board or one unit's inbox
asks the word index for them, finding exactly what it found without them."""

import importlib
import io
from types import SimpleNamespace
from unittest import mock

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Q

from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.search import engines, index
from wenzheng.search.apps import index_unindexed_messages
from wenzheng.search.models import Audience, PendingUpgrade, SearchDocument
from wenzheng.search.text import parse
from wenzheng.testing import CastTestCase
from wenzheng.units.models import Unit

on_postgres = connection.vendor == "postgresql"


def found(query, messages, audience=Audience.STAFF, order="relevance"):
    return list(messages.search(parse(query), audience=audience, order=order).values_list("pk", flat=True))


def scopes(message):
    return set(SearchDocument.objects.filter(message=message).values_list("scope", flat=True))


def grams(message, audience=Audience.STAFF):
    return str(SearchDocument.objects.get(message=message, audience=audience).grams)


class ScopeTokensTest(CastTestCase):
    def setUp(self):
        self.addCleanup(engines.forget)

    def test_each_document_carries_its_county_and_unit_and_follows_the_message_when_it_moves(self):
        c = self.cast
        m = c.submit(unit=None, title="新街路灯不亮")
        self.assertEqual(scopes(m), {f"~r{c.county.pk}"}, "no unit before dispatch")
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_a)
        self.assertEqual(scopes(m), {f"~r{c.county.pk} ~u{c.unit_a.pk}"})
        actions.reassign(message=m, by=c.county_office, unit=c.unit_b, reason="属住建局职责。")
        self.assertEqual(scopes(m), {f"~r{c.county.pk} ~u{c.unit_b.pk}"}, "改派 changes no text, but the unit")
        if on_postgres:
            self.assertIn(f"'~u{c.unit_b.pk}'", grams(m))
            self.assertNotIn(f"'~u{c.unit_a.pk}'", grams(m))
        self.assertEqual(found("路灯", Message.objects.filter(unit=c.unit_b)), [m.pk])
        self.assertEqual(found("路灯", Message.objects.filter(unit=c.unit_a)), [])

    def test_the_tokens_asked_come_from_the_scope_s_conditions_on_county_and_unit(self):
        c = self.cast
        r, a, b = c.county.pk, c.unit_a.pk, c.unit_b.pk
        cases = {
            f"('~r{r}')": Message.objects.published().filter(region=c.county),
            f"('~u{a}')": Message.objects.filter(unit=c.unit_a, state="replied"),
            f"('~r{r}') & ('~u{min(a, b)}' | '~u{max(a, b)}')": Message.objects.filter(region_id=r).filter(
                unit__in=[c.unit_b, c.unit_a]
            ),
        }
        for expected, messages in cases.items():
            with self.subTest(expected):
                self.assertEqual(engines.scope_tokens(messages), expected)
        none = {
            "no such condition": Message.objects.published(),
            "the county's county": Message.objects.filter(region__parent=c.county),
            "left out": Message.objects.exclude(region=c.county),
            "either": Message.objects.filter(Q(region=c.county) | Q(unit=c.unit_c)),
            "a subquery": Message.objects.filter(unit__in=Unit.objects.filter(region=c.county)),
            "another model": Unit.objects.filter(region=c.county),
        }
        for why, messages in none.items():
            with self.subTest(why):
                self.assertIsNone(engines.scope_tokens(messages))

    def test_every_scope_finds_what_it_found_without_the_tokens(self):
        c = self.cast
        made = [
            c.replied(title="新街路灯不亮"),
            c.submit(title="路灯维修", unit="b"),
            c.submit(title="路灯 低保", unit="c"),
            c.submit(title="低保申请", unit=None),
        ]
        actions.reply(message=made[1], by=c.handler_b, text="路灯已修好。")
        scopes_ = [
            Message.objects.filter(region=c.county),
            Message.objects.filter(region=c.other_county),
            Message.objects.filter(unit=c.unit_a),
            Message.objects.filter(unit__in=[c.unit_b, c.unit_c]),
            Message.objects.published().filter(region=c.county),
        ]
        asked = []
        real = engines.scope_tokens

        def counting(found):
            tokens = real(found)
            asked.append(tokens)
            return tokens

        for messages in scopes_:
            for audience in Audience.values:
                for query in ("路灯", "低保", "路灯 修", "路灯不亮"):
                    for order in ("relevance", "newest"):
                        with self.subTest(query=query, audience=audience, scope=str(messages.query)[-60:]):
                            with mock.patch.object(engines, "scope_tokens", counting):
                                scoped = found(query, messages, audience, order)
                            with mock.patch.object(engines, "scope_tokens", lambda found: None):
                                self.assertEqual(scoped, found(query, messages, audience, order))
        if on_postgres:
            self.assertTrue(any(asked), "the tokens were asked")

    def test_until_every_document_has_its_tokens_searches_go_without_them(self):
        c = self.cast
        m = c.replied(title="新街路灯不亮")
        # As a document written before the scope tokens was written.
        for doc in SearchDocument.objects.filter(message=m):
            grams = engines.token_set(doc.parts()) if on_postgres else None
            SearchDocument.objects.filter(pk=doc.pk).update(scope="", grams=grams)
        county = Message.objects.filter(region=c.county)
        if on_postgres:
            # Were every document taken to have its tokens, the word index would be
            # asked for the county's, in every way a search reads: this one is missed.
            for order in ("relevance", "newest"):
                with self.subTest(order=order):
                    self.assertEqual(found("路灯", county, order=order), [])
                    self.assertEqual(found("路灯", Message.objects.all(), order=order), [m.pk])
        PendingUpgrade.objects.create(name=PendingUpgrade.SCOPE)
        engines.forget()  # as a process started after the migration
        self.assertIsNone(engines.scope_tokens(county))
        for order in ("relevance", "newest"):
            self.assertEqual(found("路灯", county, order=order), [m.pk])
        call_command("rebuild_search_index", stdout=io.StringIO())
        self.assertFalse(PendingUpgrade.objects.exists())
        self.assertEqual(scopes(m), {f"~r{c.county.pk} ~u{c.unit_a.pk}"})
        self.assertEqual(engines.scope_tokens(county), f"('~r{c.county.pk}')")
        self.assertEqual(found("路灯", county), [m.pk])

    def test_the_migration_marks_the_upgrade_pending_only_where_there_were_documents(self):
        migration = importlib.import_module("wenzheng.search.migrations.0009_scope_tokens")
        editor = SimpleNamespace(connection=connection)  # all the step reads of it
        migration.mark_pending(apps, editor)
        self.assertFalse(PendingUpgrade.objects.exists(), "no documents yet")
        self.cast.submit()
        migration.mark_pending(apps, editor)
        self.assertEqual(list(PendingUpgrade.objects.values_list("name", flat=True)), [PendingUpgrade.SCOPE])

    def test_messages_from_before_the_index_are_indexed_once_migrated(self):
        m = self.cast.replied(title="新街路灯不亮")
        index.engine().clear()
        SearchDocument.objects.all().delete()
        self.assertEqual(found("路灯", Message.objects.all()), [])
        index_unindexed_messages(using="default", plan=[(None, True)])
        self.assertFalse(SearchDocument.objects.exists(), "not after migrating backwards")
        index_unindexed_messages(using="default")
        self.assertEqual(scopes(m), {f"~r{self.cast.county.pk} ~u{self.cast.unit_a.pk}"})
        self.assertEqual(found("路灯", Message.objects.all()), [m.pk])
