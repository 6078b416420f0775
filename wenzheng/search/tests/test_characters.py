"""PostgreSQL: each document's grams hold every character of its texts, so a single
character typed beside a word is asked of the word index with it ("学校 栏": the
documents that hold both), finding exactly what checking it on the texts found;
documents written before are searched the old way until the rebuild."""

import contextlib
import importlib
import io
import re
from types import SimpleNamespace
from unittest import skipUnless

from django.apps import apps
from django.core.management import call_command
from django.db import connection

from wenzheng.handling.models import Message
from wenzheng.search import engines
from wenzheng.search.models import Audience, PendingUpgrade, SearchDocument
from wenzheng.search.text import RUN, parse, tokens
from wenzheng.testing import CastTestCase, executed

on_postgres = connection.vendor == "postgresql"


def found(query, audience=Audience.PUBLIC, order="relevance"):
    messages = Message.objects.published() if audience == Audience.PUBLIC else Message.objects.all()
    return set(messages.search(parse(query), audience=audience, order=order).values_list("pk", flat=True))


def written_before(message):
    """The message's documents as the version before wrote them: bigrams and the
    last character of each run, no other character."""
    for doc in SearchDocument.objects.filter(message=message):
        held = sorted({t for part in doc.parts() for t in tokens(part)})
        grams = " ".join(f"'{t}'" for t in (*held, *doc.scope.split()))
        SearchDocument.objects.filter(pk=doc.pk).update(grams=grams)


def reading():
    """The statements run meanwhile that read documents by their grams (from the word
    index, or walking down the message ids: engines.common), as SQL."""
    return executed(keep=lambda sql: "search_searchdocument" in sql and ("@@" in sql or "ts_match_vq" in sql))


def checked_on_every_text(sql):
    """Whether a statement checks a term on every document's texts (holding_sql: a
    LIKE right after the word index's condition, not for overflowing documents
    alone)."""
    return re.search(r'overflow"?\) AND \((?!NOT )', sql) is not None


def characters_of(text):
    return {c for run in RUN.findall(text) for c in run}


@skipUnless(on_postgres, "PostgreSQL's grams (SQLite checks single characters on the texts)")
class CharactersInTheWordIndexTest(CastTestCase):
    def setUp(self):
        self.addCleanup(engines.forget)

    def test_a_document_s_grams_hold_each_character_of_each_part(self):
        c = self.cast
        m = c.replied(title="学校护栏坏了")
        for doc in SearchDocument.objects.filter(message=m):
            grams = str(doc.grams)
            for part in doc.parts():
                for character in characters_of(part):
                    self.assertIn(f"'{character}'", grams)
            self.assertIn("'护'", grams, "inside a run, not only its last character")
        self.assertNotIn("'，'", engines.token_set(["学校护栏，坏了"]), "no punctuation")

    def test_a_character_beside_a_word_is_asked_of_the_word_index_and_finds_what_the_texts_hold(self):
        c = self.cast
        fence = c.replied(title="学校护栏坏了")
        gate = c.replied(title="学校大门坏了")
        lamp = c.replied(title="新街路灯不亮")
        texts = {d.message_id: "\n".join(d.parts()) for d in SearchDocument.objects.filter(audience=Audience.PUBLIC)}
        for query in ("学校 栏", "学校 门", "学校 坏", "学校 亮", "路灯 亮", "路灯 栏", "学校 护 栏"):
            terms = parse(query).terms
            expected = {pk for pk, held in texts.items() if all(t in held for t in terms)}
            for order in ("relevance", "newest"):
                with self.subTest(query=query, order=order), reading() as reads:
                    self.assertEqual(found(query, order=order), expected)
                    # Every statement that reads documents asks the index for the
                    # characters: none is checked on the texts but an overflowing
                    # document's.
                    self.assertTrue(reads)
                    for sql, _ in reads:
                        self.assertFalse(checked_on_every_text(sql), sql)
        self.assertIn(fence.pk, found("学校 栏"))
        self.assertNotIn(gate.pk, found("学校 栏"))
        self.assertIn(gate.pk, found("学校 门"))
        self.assertIn(lamp.pk, found("路灯 亮"))
        self.assertNotIn(lamp.pk, found("路灯 栏"))

    def test_a_character_is_checked_on_the_texts_of_overflowing_documents_alone(self):
        ops = connection.ops
        sql, params = engines.holding_sql(parse("学校 栏"), str, ops, None, characters=True)
        self.assertEqual(params[0], "'学校' & '栏'")
        # Both checks (栏, and 学校 as every two-character term) on an
        # overflowing document's texts alone, which hold no tokens.
        self.assertEqual(sql.count("LIKE"), 2)
        self.assertTrue(sql.startswith("(grams @@ (%s)::tsquery OR overflow) AND (NOT overflow OR (title"), sql)
        self.assertIn("%栏%", params)
        sql, params = engines.holding_sql(parse("学校 栏"), str, ops, None)
        self.assertEqual(params[0], "'学校'")
        self.assertRegex(sql, r"^\(grams @@ \(%s\)::tsquery OR overflow\) AND \(title .* LIKE %s AND \(NOT overflow")

    def test_until_every_document_holds_its_characters_they_are_checked_on_the_texts(self):
        c = self.cast
        m = c.replied(title="学校护栏坏了")
        written_before(m)
        # Were every document taken to hold its characters, the word index would be
        # asked for 护, which the document written before does not hold: missed.
        self.assertEqual(found("学校 护"), set())
        PendingUpgrade.objects.create(name=PendingUpgrade.CHARACTERS)
        engines.forget()  # as a process started after the migration
        for order in ("relevance", "newest"):
            with self.subTest(order=order), reading() as reads:
                self.assertEqual(found("学校 护", order=order), {m.pk})
                self.assertEqual(found("学校 栏", order=order), {m.pk})
                self.assertEqual(found("学校 鑫", order=order), set())
            self.assertTrue(reads)
            self.assertTrue(all(checked_on_every_text(sql) for sql, _ in reads), "checked on the texts")
        self.assertFalse(engines.upgraded("default", PendingUpgrade.CHARACTERS))
        self.assertTrue(engines.upgraded("default", PendingUpgrade.SCOPE), "another upgrade is not held up")
        call_command("rebuild_search_index", stdout=io.StringIO())
        self.assertFalse(PendingUpgrade.objects.exists())
        self.assertIn("'护'", str(SearchDocument.objects.get(message=m, audience=Audience.PUBLIC).grams))
        self.assertTrue(engines.upgraded("default", PendingUpgrade.CHARACTERS))
        with executed() as statements:
            self.assertEqual(found("学校 护"), {m.pk})
            self.assertEqual(engines.upgraded("default", PendingUpgrade.CHARACTERS), True)
        self.assertFalse(any("search_pendingupgrade" in sql for sql, _ in statements), "not asked again")


class MigrationTest(CastTestCase):
    def test_the_upgrade_is_pending_only_on_postgresql_where_there_were_documents(self):
        migration = importlib.import_module("wenzheng.search.migrations.0010_characters_in_grams")
        editor = SimpleNamespace(connection=connection)  # all the step reads of it
        with contextlib.redirect_stdout(io.StringIO()) as said:
            migration.mark_pending(apps, editor)
            self.assertFalse(PendingUpgrade.objects.exists(), "no documents yet")
            self.cast.submit()
            migration.mark_pending(apps, editor)
        self.assertEqual("rebuild_search_index" in said.getvalue(), on_postgres)
        expected = [PendingUpgrade.CHARACTERS] if on_postgres else []
        self.assertEqual(list(PendingUpgrade.objects.values_list("name", flat=True)), expected)
