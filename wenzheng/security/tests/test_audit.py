"""The security audit log: append-only in the database, chained with the event
log's key, read by the county office for its region only."""

from io import StringIO

from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from wenzheng.api.models import ApiToken
from wenzheng.eventlog import triggers
from wenzheng.security import audit
from wenzheng.security.models import AuditRecord
from wenzheng.testing import CastTestCase

from .helpers import login_attempt


class ChainTest(CastTestCase):
    def setUp(self):
        for who in ("handler_a", "county_office", "handler_c"):
            login_attempt(self.client, who, "pw")
            self.client.post("/accounts/logout/")

    def test_records_chain_and_verify(self):
        records = list(AuditRecord.objects.order_by("seq"))
        self.assertEqual([r.seq for r in records], list(range(1, 7)))
        self.assertEqual([r.prev_hash for r in records[1:]], [r.hash for r in records[:-1]])
        self.assertEqual(audit.verify().problem, None)
        self.assertEqual(audit.verify().checked, 6)

    def test_the_database_refuses_to_change_or_delete_a_record(self):
        for change in (
            lambda: AuditRecord.objects.filter(seq=1).update(username="someone"),
            lambda: AuditRecord.objects.filter(seq=1).delete(),
        ):
            with self.assertRaises(DatabaseError), transaction.atomic():
                change()
        self.assertEqual(AuditRecord.objects.get(seq=1).username, "handler_a")

    def test_an_edit_behind_the_triggers_back_is_caught(self):
        with triggers.suspended(connection), connection.cursor() as cursor:
            cursor.execute("UPDATE security_auditrecord SET ip = '10.0.0.1' WHERE seq = 2")
        self.assertIn("record #2: contents do not match", audit.verify().problem)
        out = StringIO()
        with self.assertRaises(Exception) as failed:
            call_command("verify_events", stdout=out)
        self.assertIn("Security audit log BROKEN", str(failed.exception))

    def test_a_record_removed_behind_the_triggers_back_is_caught(self):
        with triggers.suspended(connection), connection.cursor() as cursor:
            cursor.execute("DELETE FROM security_auditrecord WHERE seq = 3")
        self.assertIn("record #3 is missing", audit.verify().problem)

    def test_verify_events_checks_it(self):
        out = StringIO()
        call_command("verify_events", stdout=out)
        self.assertIn("security audit log: 6 records", out.getvalue())


class ReadingTest(CastTestCase):
    def setUp(self):
        login_attempt(self.client, "handler_a", "pw")
        self.client.post("/accounts/logout/")
        login_attempt(self.client, "handler_c", "pw")  # the other county's
        self.client.post("/accounts/logout/")

    def test_the_county_office_reads_its_regions_records(self):
        self.client.force_login(self.cast.county_office)
        page = self.client.get("/work/county/luocheng/security/")
        self.assertContains(page, "handler_a")
        self.assertNotContains(page, "handler_c")
        self.assertContains(page, "登录")

    def test_another_county_and_the_units_may_not(self):
        for who in (self.cast.other_county_office, self.cast.handler_a, self.cast.leader_a, self.cast.citizen):
            self.client.force_login(who)
            self.assertEqual(self.client.get("/work/county/luocheng/security/").status_code, 404, who.username)

    def test_tokens_and_admin_changes_are_recorded(self):
        self.client.force_login(self.cast.county_office)
        self.client.post("/api/tokens/", {"name": "市12345平台对接"})
        token = ApiToken.objects.get(user=self.cast.county_office)
        self.client.post(f"/api/tokens/{token.pk}/revoke/")
        self.client.force_login(self.cast.admin)
        self.client.post(
            f"/admin/units/unit/{self.cast.unit_a.pk}/change/",
            {
                "region": self.cast.county.pk,
                "name": "东门镇人民政府",
                "kind": "township",
                "registered_on": "2020-01-01",
            },
        )
        kinds = list(AuditRecord.objects.order_by("seq").values_list("kind", flat=True))
        self.assertIn("token_issued", kinds)
        self.assertIn("token_revoked", kinds)
        issued = AuditRecord.objects.get(kind="token_issued")
        self.assertEqual((issued.region, issued.detail["token"]), (self.cast.county, token.prefix))
        changed = AuditRecord.objects.filter(kind="admin_changed").last()
        self.assertIsNotNone(changed, kinds)
        self.assertEqual(changed.detail["model"], "units.unit")
