"""What the workspace tests share: the cast at a fixed moment, signing in by role,
and a way to prove that a refused step changed nothing."""

import re

from django.apps import apps
from django.contrib.messages import get_messages

from wenzheng.testing import ROLES, CastTestCase, local

# Wednesday 4 March 2026, 10:00 in 罗城: an ordinary working week, so the counts of
# working days below can be checked by hand on a calendar.
NOW = local(2026, 3, 4, 10, 0)
MONDAY = local(2026, 3, 2, 9, 0)

# Every table a step may write.
WRITTEN = [
    "handling.Message",
    "handling.Stage",
    "handling.Reply",
    "handling.ExtensionRequest",
    "eventlog.Event",
    "supervision.WrittenExplanationOrder",
    "supervision.SupervisionFinding",
    "supervision.Exposure",
    "supervision.AccountabilityReferral",
    "units.RosterFiling",
    "units.RosterMember",
]


def snapshot():
    return {label: list(apps.get_model(label).objects.order_by("pk").values_list()) for label in WRITTEN}


class WorkspaceTestCase(CastTestCase):
    def as_(self, role):
        """Sign the test client in as a member of the cast (None: signed out)."""
        self.client.logout()
        user = getattr(self.cast, role)
        if user is not None:
            self.client.force_login(user)
        return user

    def notes(self, response):
        return [str(m) for m in get_messages(response.wsgi_request)]

    def assertAccess(self, url, *, allowed, hidden=(), method="get", data=None, ok=200):
        """Every role of the cast against `url`: anonymous → the login page; `allowed`
        → `ok`; `hidden` (outside their unit or county) → 404; everyone else → 403."""
        for role in ROLES:
            with self.subTest(role=role):
                self.as_(role)
                response = getattr(self.client, method)(url, data or {})
                if role == "anonymous":
                    self.assertEqual(response.status_code, 302)
                    self.assertTrue(response["Location"].startswith("/accounts/login/"), response["Location"])
                elif role in allowed:
                    self.assertEqual(response.status_code, ok, f"{role} should get {ok}")
                elif role in hidden:
                    self.assertEqual(response.status_code, 404, f"{role} should get 404")
                else:
                    self.assertEqual(response.status_code, 403, f"{role} should get 403")

    def assertDrawnAnywhere(self, response):
        """A page drawn at another address than its own (a refused or answered POST's)
        has no link or form that works only at its own: no href="?…", and every form
        that posts says where (a bare one posted to the POST's address: a 405)."""
        html = response.content.decode()
        self.assertNotIn('href="?', html)
        forms = re.findall(r"<form\b[^>]*>", html)
        self.assertTrue(forms)
        for form in forms:
            if 'method="post"' in form:
                self.assertIn("action=", form)

    def assertUnchanged(self, before):
        after = snapshot()
        for table, rows in before.items():
            self.assertEqual(after[table], rows, f"{table} changed")
